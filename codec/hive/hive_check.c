/* Hive base-block checks and dirty detection.
 * The rules are documented in hive.h. */
#include <dcs/hive.h>
#include "hive/hive_internal.h"
#include "core/fileio.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

/* Largest transaction log we read to judge it; bigger ones count as pending. */
#define LOG_READ_MAX ((uint64_t)256 * 1024 * 1024)
#define LOG_HEADER_SIZE 512u
#define HVLE_HEADER_SIZE 40u

static uint32_t rd32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

uint32_t dcs_hive_checksum(const uint8_t block[512])
{
    uint32_t sum = 0;
    for (size_t i = 0; i < DCS_HIVE_CHECKSUM_OFFSET; i += 4)
        sum ^= rd32(block + i);
    if (sum == 0xFFFFFFFFu)
        sum = 0xFFFFFFFEu;
    else if (sum == 0)
        sum = 1;
    return sum;
}

dcs_status dcs_hive_parse_header(const uint8_t *data, size_t len, uint64_t file_size,
                                 struct dcs_hive_header *out, struct dcs_error *err)
{
    memset(out, 0, sizeof *out);
    if (len < 4 || memcmp(data, "regf", 4) != 0)
        return dcs_error_set(err, DCS_ERR_HIVE_SIGNATURE, 0,
                             "no \"regf\" signature: not a registry hive");
    if (len < DCS_HIVE_BASE_BLOCK_SIZE || file_size < DCS_HIVE_BASE_BLOCK_SIZE)
        return dcs_error_set(err, DCS_ERR_HIVE_TRUNCATED, file_size < len ? file_size : len,
                             "file ends inside the 4096-byte base block");
    out->seq1 = rd32(data + 0x04);
    out->seq2 = rd32(data + 0x08);
    out->last_written = (uint64_t)rd32(data + 0x0C) | (uint64_t)rd32(data + 0x10) << 32;
    out->major = rd32(data + 0x14);
    out->minor = rd32(data + 0x18);
    out->type = rd32(data + 0x1C);
    out->format = rd32(data + 0x20);
    out->root_offset = rd32(data + 0x24);
    out->hbins_size = rd32(data + 0x28);
    out->checksum = rd32(data + DCS_HIVE_CHECKSUM_OFFSET);
    out->checksum_calc = dcs_hive_checksum(data);
    if (out->checksum != out->checksum_calc)
        return dcs_error_set(err, DCS_ERR_HIVE_CHECKSUM, DCS_HIVE_CHECKSUM_OFFSET,
                             "base block checksum is 0x%08x, computed 0x%08x", out->checksum,
                             out->checksum_calc);
    if (out->major != 1)
        return dcs_error_set(err, DCS_ERR_HIVE_VERSION, 0x14, "major version %u (only 1 exists)",
                             out->major);
    if (out->minor < 2 || out->minor > 6)
        return dcs_error_set(err, DCS_ERR_HIVE_VERSION, 0x18,
                             "version 1.%u (supported: 1.2 to 1.6)", out->minor);
    if (out->type != DCS_HIVE_TYPE_PRIMARY)
        return dcs_error_set(err, DCS_ERR_HIVE_TYPE, 0x1C,
                             "file type %u: a transaction log, not a primary hive file",
                             out->type);
    if (out->format != 1)
        return dcs_error_set(err, DCS_ERR_HIVE_CORRUPT, 0x20, "file format %u (expected 1)",
                             out->format);
    if (out->hbins_size == 0 || out->hbins_size % 4096 != 0)
        return dcs_error_set(err, DCS_ERR_HIVE_CORRUPT, 0x28,
                             "hive-bins size 0x%x is not a non-zero multiple of 4096",
                             out->hbins_size);
    if ((uint64_t)DCS_HIVE_BASE_BLOCK_SIZE + out->hbins_size > file_size)
        return dcs_error_set(err, DCS_ERR_HIVE_TRUNCATED, file_size,
                             "hive bins claim %u bytes but the file has only %llu after "
                             "the base block",
                             out->hbins_size,
                             (unsigned long long)(file_size - DCS_HIVE_BASE_BLOCK_SIZE));
    if (out->root_offset >= out->hbins_size)
        return dcs_error_set(err, DCS_ERR_HIVE_CORRUPT, 0x24,
                             "root cell offset 0x%x is outside the hive bins",
                             out->root_offset);
    return DCS_OK;
}

static bool dirty_vector_has_bits(const uint8_t *data, size_t len, uint32_t hbins_size)
{
    /* "DIRT" + one bit per 512-byte page of the hive bins */
    size_t bytes = (size_t)(hbins_size / 512u + 7u) / 8u;
    if (len < LOG_HEADER_SIZE + 4 || memcmp(data + LOG_HEADER_SIZE, "DIRT", 4) != 0)
        return false;
    const uint8_t *v = data + LOG_HEADER_SIZE + 4;
    size_t avail = len - LOG_HEADER_SIZE - 4;
    if (bytes > avail)
        bytes = avail;
    for (size_t i = 0; i < bytes; i++)
        if (v[i])
            return true;
    return false;
}

enum dcs_hive_log_state dcs_hive_judge_log(const uint8_t *data, size_t len,
                                           const struct dcs_hive_header *primary,
                                           uint32_t *type, uint32_t *seq)
{
    *type = 0;
    *seq = 0;
    if (len < LOG_HEADER_SIZE || memcmp(data, "regf", 4) != 0)
        return DCS_HIVE_LOG_EMPTY;
    *type = rd32(data + 0x1C);
    *seq = rd32(data + 0x04);
    if (dcs_hive_checksum(data) != rd32(data + DCS_HIVE_CHECKSUM_OFFSET))
        return DCS_HIVE_LOG_UNREADABLE;
    if (*type == DCS_HIVE_TYPE_LOG_NEW) {
        bool any = false, pending = false;
        size_t off = LOG_HEADER_SIZE;
        while (len - off >= HVLE_HEADER_SIZE && memcmp(data + off, "HvLE", 4) == 0) {
            uint32_t size = rd32(data + off + 4);
            uint32_t eseq = rd32(data + off + 12);
            if (size < HVLE_HEADER_SIZE || size % 512 != 0 || size > len - off)
                break;
            if (!any || eseq > *seq)
                *seq = eseq;
            any = true;
            if (eseq >= primary->seq2)
                pending = true;
            off += size;
        }
        if (!any)
            return DCS_HIVE_LOG_EMPTY;
        return pending ? DCS_HIVE_LOG_PENDING : DCS_HIVE_LOG_APPLIED;
    }
    if (*type == DCS_HIVE_TYPE_LOG_OLD1 || *type == DCS_HIVE_TYPE_LOG_OLD2) {
        if (!dirty_vector_has_bits(data, len, primary->hbins_size))
            return DCS_HIVE_LOG_EMPTY;
        return *seq > primary->seq2 ? DCS_HIVE_LOG_PENDING : DCS_HIVE_LOG_APPLIED;
    }
    return DCS_HIVE_LOG_UNREADABLE;
}

static bool is_log_name(const char *name, const char *base, size_t blen)
{
    static const char *const suffixes[] = {".LOG", ".LOG1", ".LOG2"};
    if (strncasecmp(name, base, blen) != 0)
        return false;
    for (size_t i = 0; i < 3; i++)
        if (strcasecmp(name + blen, suffixes[i]) == 0)
            return true;
    return false;
}

/* A log's bytes (at most LOG_READ_MAX) and its size on disk; name is in
 * the directory dir. */
static dcs_status read_log(int dir, const char *name, uint8_t **data, size_t *len,
                           uint64_t *size)
{
    *data = NULL;
    *len = 0;
    int fd;
    struct dcs_error e;
    /* a log that is a symbolic link is not read: it may lead out of an image */
    dcs_status rc = dcsi_open_input_at(dir, name, DCSI_READ_NO_FOLLOW, &fd, &e);
    if (rc != DCS_OK)
        return DCS_ERR_IO;
    struct stat st;
    if (fstat(fd, &st) != 0)
        rc = DCS_ERR_IO;
    else if ((*size = (uint64_t)st.st_size) > LOG_READ_MAX)
        rc = DCS_ERR_LIMIT;
    else
        rc = dcsi_read_fd(fd, (size_t)LOG_READ_MAX, data, len, &e);
    close(fd);
    return rc == DCS_OK || rc == DCS_ERR_NOMEM || rc == DCS_ERR_LIMIT ? rc : DCS_ERR_IO;
}

static void add_reason(struct dcs_hive_state *s, const char *fmt, ...) DCS_PRINTF(2, 3);
static void add_reason(struct dcs_hive_state *s, const char *fmt, ...)
{
    size_t used = strlen(s->reason);
    if (used && used + 2 < sizeof s->reason) {
        memcpy(s->reason + used, "; ", 3);
        used += 2;
    }
    /* used <= sizeof s->reason - 1: vsnprintf always leaves the NUL */
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(s->reason + used, sizeof s->reason - used, fmt, ap);
    va_end(ap);
}

static int by_name(const void *a, const void *b)
{
    return strcmp(((const struct dcsi_hive_log *)a)->name, ((const struct dcsi_hive_log *)b)->name);
}

/* A directory entry's name always fits struct dcsi_hive_log's name. */
_Static_assert(DCSI_HIVE_NAME_MAX > NAME_MAX, "log names are cut");

struct logs_ctx {
    const char *base;
    size_t blen;
    struct dcs_hive_state *s;
    bool nomem;
    bool full; /* DCSI_HIVE_MAX_LOGS judged: the rest is listed for leftovers only */
};

/* One name of the hive's directory: judged when it is one of its logs. */
static int judge_one(void *ctx, int dir, const char *name)
{
    struct logs_ctx *c = ctx;
    struct dcs_hive_state *s = c->s;
    /* seen in the same listing, so that an open costs no other */
    if (dcsi_leftover_name(name, c->base, c->blen))
        s->leftovers = true;
    if (c->full || !is_log_name(name, c->base, c->blen))
        return 0;
    if (s->nlogs == DCSI_HIVE_MAX_LOGS) {
        /* one more log than we can judge: it may hold changes */
        s->dirty = true;
        add_reason(s, "more than %d transaction logs (%s not judged)", DCSI_HIVE_MAX_LOGS, name);
        c->full = true;
        return 0;
    }
    struct dcsi_hive_log *lg = &s->logs[s->nlogs++];
    memset(lg, 0, sizeof *lg);
    snprintf(lg->name, sizeof lg->name, "%s", name);
    uint8_t *data;
    size_t len;
    dcs_status rs = read_log(dir, name, &data, &len, &lg->size);
    if (rs == DCS_ERR_NOMEM) {
        c->nomem = true;
        return 1;
    }
    if (rs != DCS_OK) {
        lg->state = DCS_HIVE_LOG_UNREADABLE;
    } else {
        lg->state = dcs_hive_judge_log(data, len, &s->header, &lg->type, &lg->seq);
        free(data);
    }
    if (lg->state == DCS_HIVE_LOG_PENDING) {
        s->dirty = true;
        add_reason(s, "%s holds changes not in the hive (log seq %lu, hive %lu)", lg->name,
                   (unsigned long)lg->seq, (unsigned long)s->header.seq2);
    } else if (lg->state == DCS_HIVE_LOG_UNREADABLE) {
        s->dirty = true;
        add_reason(s, "log %s cannot be judged (type %lu, bad header)", lg->name,
                   (unsigned long)lg->type);
    }
    return 0;
}

/* The logs of base (the hive's name) in the directory at (AT_FDCWD: the
 * directory of path); path names the hive in messages. */
static dcs_status judge_logs(int at, const char *base, const char *path,
                             struct dcs_hive_state *s, struct dcs_error *err)
{
    char *dir = dcsi_dirname(path);
    if (!dir)
        return dcs_error_set(err, DCS_ERR_NOMEM, DCS_NO_OFFSET, "out of memory");
    struct logs_ctx c = {base, strlen(base), s, false, false};
    /* listed and read through one descriptor: a pinned directory stays the
     * one whose hive was read */
    int e = dcsi_list_at(at, dir, judge_one, &c);
    dcs_status st = DCS_OK;
    if (c.nomem)
        st = dcs_error_set(err, DCS_ERR_NOMEM, DCS_NO_OFFSET, "out of memory");
    else if (e)
        st = dcs_error_set(err, DCS_ERR_IO, DCS_NO_OFFSET,
                           "cannot list %s to look for transaction logs: %s", dir, strerror(e));
    free(dir);
    if (st == DCS_OK)
        qsort(s->logs, s->nlogs, sizeof s->logs[0], by_name);
    return st;
}

dcs_status dcsi_hive_inspect(const char *path, struct dcs_hive_state *out, struct dcs_error *err)
{
    return dcsi_hive_inspect_at(AT_FDCWD, path, path, out, err);
}

dcs_status dcsi_hive_inspect_at(int dirfd, const char *name, const char *path,
                                struct dcs_hive_state *out, struct dcs_error *err)
{
    return dcsi_hive_inspect_keep(dirfd, name, path, out, NULL, err);
}

dcs_status dcsi_hive_inspect_keep(int dirfd, const char *name, const char *path,
                                  struct dcs_hive_state *out, struct dcsi_hive_file *keep,
                                  struct dcs_error *err)
{
    memset(out, 0, sizeof *out);
    if (keep)
        keep->fd = -1;
    int fd;
    struct dcs_error oerr;
    struct stat st;
    /* in a pinned directory the name is not followed either */
    dcs_status orc = dcsi_open_input_st(
        dirfd, name, dirfd == AT_FDCWD ? 0 : DCSI_READ_NO_FOLLOW, &fd, &st, &oerr);
    if (orc != DCS_OK)
        return dcs_error_set(err, orc, DCS_NO_OFFSET, "%s: %s", path, oerr.message);
    uint8_t own[DCS_HIVE_BASE_BLOCK_SIZE];
    uint8_t *block = keep ? keep->head : own;
    size_t got = 0;
    int e = dcsi_read_upto(fd, block, DCS_HIVE_BASE_BLOCK_SIZE, &got);
    if (e) {
        close(fd);
        return dcs_error_set(err, DCS_ERR_IO, DCS_NO_OFFSET, "cannot read %s: %s", path,
                             strerror(e));
    }
    out->file_size = (uint64_t)st.st_size;
    out->dev = (uint64_t)st.st_dev;
    out->ino = (uint64_t)st.st_ino;
    dcs_status rc = dcs_hive_parse_header(block, got, out->file_size, &out->header, err);
    if (rc == DCS_OK && out->header.seq1 != out->header.seq2) {
        out->dirty = true;
        add_reason(out, "sequence numbers differ (%lu != %lu)",
                   (unsigned long)out->header.seq1, (unsigned long)out->header.seq2);
    }
    if (rc == DCS_OK)
        rc = judge_logs(dirfd, dcsi_basename(name), path, out, err);
    if (rc == DCS_OK && keep) { /* the same file is loaded: not opened twice */
        keep->fd = fd;
        keep->got = got;
    } else {
        close(fd);
    }
    return rc;
}

dcs_status dcs_hive_inspect(const char *path, dcs_hive_state **out, struct dcs_error *err)
{
    *out = NULL;
    struct dcs_hive_state *s = malloc(sizeof *s);
    if (!s)
        return dcs_error_set(err, DCS_ERR_NOMEM, DCS_NO_OFFSET, "out of memory");
    dcs_status rc = dcsi_hive_inspect(path, s, err);
    if (rc != DCS_OK) {
        free(s);
        return rc;
    }
    *out = s;
    return DCS_OK;
}

void dcs_hive_state_free(dcs_hive_state *s)
{
    free(s);
}

const struct dcs_hive_header *dcs_hive_state_header(const dcs_hive_state *s)
{
    return &s->header;
}

uint64_t dcs_hive_state_file_size(const dcs_hive_state *s)
{
    return s->file_size;
}

bool dcs_hive_state_dirty(const dcs_hive_state *s)
{
    return s->dirty;
}

const char *dcs_hive_state_reason(const dcs_hive_state *s)
{
    return s->reason;
}

bool dcs_hive_state_recovered(const dcs_hive_state *s)
{
    return s->recovered;
}

uint32_t dcs_hive_state_recovered_entries(const dcs_hive_state *s)
{
    return s->recovered_entries;
}

size_t dcs_hive_state_log_count(const dcs_hive_state *s)
{
    return s->nlogs;
}

struct dcs_hive_log dcs_hive_state_log(const dcs_hive_state *s, size_t i)
{
    if (i >= s->nlogs)
        return (struct dcs_hive_log){.name = ""};
    const struct dcsi_hive_log *lg = &s->logs[i];
    return (struct dcs_hive_log){lg->name, lg->state, lg->type, lg->seq, lg->size};
}
