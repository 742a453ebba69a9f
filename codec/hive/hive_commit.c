/* All-or-nothing commit of several hives (contract in hive.h). */
#include "hive/hive_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static dcs_hive_fault_fn fault_fn;
static void *fault_ctx;

void dcs_hive_set_fault_hook(dcs_hive_fault_fn fn, void *ctx)
{
    fault_fn = fn;
    fault_ctx = ctx;
}

/* Should step `step` number `index` (1-based) fail?  Hook, then environment. */
static bool fault(const char *step, size_t index)
{
    if (fault_fn && fault_fn(fault_ctx, step, index))
        return true;
    const char *env = getenv("DCS_HIVE_FAULT");
    size_t slen = strlen(step);
    if (!env || strncmp(env, step, slen) != 0 || env[slen] != ':')
        return false;
    char *end;
    unsigned long n = strtoul(env + slen + 1, &end, 10);
    return *end == '\0' && n == index;
}

struct slot {
    dcs_hive *hive;
    char *tmp;       /* new content, until renamed */
    char *keep;      /* hard link (or copy) of the old target */
    char *dir;
    bool tmp_made, keep_made, replaced;
};

static int fsync_path(const char *path, int flags)
{
    int fd = open(path, flags | O_CLOEXEC);
    if (fd < 0)
        return -1;
    int r = fsync(fd);
    int e = errno;
    close(fd);
    errno = e;
    return r;
}

/* Copy src to a new file dst (exclusive create), fsync'd. */
static int copy_file(const char *src, const char *dst, mode_t mode)
{
    int in = open(src, O_RDONLY | O_CLOEXEC);
    if (in < 0)
        return -1;
    int out = open(dst, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode & 07777);
    if (out < 0) {
        int e = errno;
        close(in);
        errno = e;
        return -1;
    }
    char buf[65536];
    int rc = 0;
    for (;;) {
        ssize_t r = read(in, buf, sizeof buf);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0) {
            rc = r < 0 ? -1 : 0;
            break;
        }
        for (ssize_t off = 0; off < r;) {
            ssize_t w = write(out, buf + off, (size_t)(r - off));
            if (w < 0 && errno == EINTR)
                continue;
            if (w <= 0) {
                rc = -1;
                break;
            }
            off += w;
        }
        if (rc)
            break;
    }
    if (rc == 0)
        rc = fsync(out);
    int e = errno;
    close(in);
    close(out);
    if (rc)
        unlink(dst);
    errno = e;
    return rc;
}

/* Phase 1 for one hive: its bytes go to a temporary file beside the target. */
static dcs_status write_temp(struct slot *s, size_t index, struct dcs_error *err)
{
    const char *path = s->hive->path;
    size_t plen = strlen(path);
    s->tmp = malloc(plen + 16);
    if (!s->tmp)
        return dcs_error_set(err, DCS_ERR_NOMEM, DCS_NO_OFFSET, "out of memory");
    snprintf(s->tmp, plen + 16, "%s.dcs-XXXXXX", path);
    int fd = mkstemp(s->tmp);
    if (fd < 0)
        return dcs_error_set(err, DCS_ERR_IO, DCS_NO_OFFSET,
                             "cannot create a temporary file beside %s: %s", path,
                             strerror(errno));
    s->tmp_made = true;
    struct stat st;
    if (stat(path, &st) == 0) {
        (void)fchmod(fd, st.st_mode & 07777);
        if (fchown(fd, st.st_uid, st.st_gid) != 0)
            errno = 0; /* not owner: keep ours, the mode still matches */
    }
    close(fd);
    if (fault("commit", index)) {
        errno = EIO;
        return dcs_error_set(err, DCS_ERR_IO, DCS_NO_OFFSET,
                             "writing %s failed (injected fault at commit %zu)", path, index);
    }
    dcs_status wrc = dcsi_hive_write_path(s->hive, s->tmp, err);
    if (wrc != DCS_OK)
        return wrc;
    if (fsync_path(s->tmp, O_RDONLY) != 0)
        return dcs_error_set(err, DCS_ERR_IO, DCS_NO_OFFSET, "cannot fsync %s: %s", s->tmp,
                             strerror(errno));
    struct dcs_hive_state check;
    struct dcs_error cerr;
    dcs_status rc = dcs_hive_inspect(s->tmp, &check, &cerr);
    if (rc == DCS_ERR_NOMEM)
        return dcs_error_set(err, rc, DCS_NO_OFFSET, "out of memory");
    if (rc != DCS_OK || check.header.seq1 != check.header.seq2)
        return dcs_error_set(err, DCS_ERR_HIVE_CORRUPT, DCS_NO_OFFSET,
                             "the new version of %s is not a good hive: %s", path,
                             rc != DCS_OK ? cerr.message : "sequence numbers differ");
    return DCS_OK;
}

/* Phase 2a: keep the current target under a second name. */
static dcs_status keep_old(struct slot *s, struct dcs_error *err)
{
    size_t tlen = strlen(s->tmp);
    s->keep = malloc(tlen + 8);
    if (!s->keep)
        return dcs_error_set(err, DCS_ERR_NOMEM, DCS_NO_OFFSET, "out of memory");
    snprintf(s->keep, tlen + 8, "%s.old", s->tmp);
    if (link(s->hive->path, s->keep) == 0) {
        s->keep_made = true;
        return DCS_OK;
    }
    if (errno == EEXIST)
        return dcs_error_set(err, DCS_ERR_IO, DCS_NO_OFFSET, "%s already exists", s->keep);
    struct stat st;
    if (stat(s->hive->path, &st) != 0 || copy_file(s->hive->path, s->keep, st.st_mode) != 0)
        return dcs_error_set(err, DCS_ERR_IO, DCS_NO_OFFSET, "cannot keep a copy of %s: %s",
                             s->hive->path, strerror(errno));
    s->keep_made = true;
    return DCS_OK;
}

/* fsync each distinct directory once.  Directory names are allocated in
 * slot order and the commit stops at the first that cannot be, so the slots
 * with a name come first. */
static void sync_dirs(struct slot *slots, size_t n)
{
    for (size_t i = 0; i < n && slots[i].dir; i++) {
        bool seen = false;
        for (size_t j = 0; j < i && !seen; j++)
            seen = strcmp(slots[j].dir, slots[i].dir) == 0;
        if (!seen)
            (void)fsync_path(slots[i].dir, O_RDONLY | O_DIRECTORY);
    }
}

static dcs_status check_args(dcs_hive *const *hives, size_t n, struct dcs_error *err)
{
    for (size_t i = 0; i < n; i++) {
        if (!hives[i])
            return dcs_error_set(err, DCS_ERR_INVALID_ARG, DCS_NO_OFFSET, "hive %zu is NULL",
                                 i + 1);
        if (!(hives[i]->flags & DCS_HIVE_WRITE))
            return dcs_error_set(err, DCS_ERR_INVALID_ARG, DCS_NO_OFFSET,
                                 "%s was opened read-only", hives[i]->path);
        for (size_t j = 0; j < i; j++)
            if (strcmp(hives[i]->path, hives[j]->path) == 0)
                return dcs_error_set(err, DCS_ERR_INVALID_ARG, DCS_NO_OFFSET,
                                     "%s given twice in one commit", hives[i]->path);
    }
    return DCS_OK;
}

dcs_status dcs_hive_commit_all(dcs_hive *const *hives, size_t n, struct dcs_error *err)
{
    dcs_status rc = check_args(hives, n, err);
    if (rc != DCS_OK)
        return rc;
    struct slot *slots = calloc(n ? n : 1, sizeof *slots);
    if (!slots)
        return dcs_error_set(err, DCS_ERR_NOMEM, DCS_NO_OFFSET, "out of memory");
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        if (hives[i]->modified)
            slots[m++].hive = hives[i];
    for (size_t i = 0; i < m && rc == DCS_OK; i++) {
        slots[i].dir = dcsi_hive_dir_of(slots[i].hive->path);
        if (!slots[i].dir)
            rc = dcs_error_set(err, DCS_ERR_NOMEM, DCS_NO_OFFSET, "out of memory");
    }
    for (size_t i = 0; i < m && rc == DCS_OK; i++)
        rc = write_temp(&slots[i], i + 1, err);
    for (size_t i = 0; i < m && rc == DCS_OK; i++)
        rc = keep_old(&slots[i], err);
    for (size_t i = 0; i < m && rc == DCS_OK; i++) {
        if (fault("rename", i + 1)) {
            rc = dcs_error_set(err, DCS_ERR_IO, DCS_NO_OFFSET,
                               "replacing %s failed (injected fault at rename %zu)",
                               slots[i].hive->path, i + 1);
        } else if (rename(slots[i].tmp, slots[i].hive->path) != 0) {
            rc = dcs_error_set(err, DCS_ERR_IO, DCS_NO_OFFSET, "cannot replace %s: %s",
                               slots[i].hive->path, strerror(errno));
        } else {
            slots[i].replaced = true;
            slots[i].tmp_made = false;
        }
    }
    if (rc != DCS_OK) {
        /* put back every target already replaced */
        for (size_t i = 0; i < m; i++) {
            if (!slots[i].replaced)
                continue;
            if (rename(slots[i].keep, slots[i].hive->path) != 0 && err) {
                /* cannot happen short of a vanished directory: say where the old one is */
                size_t used = strlen(err->message);
                snprintf(err->message + used, sizeof err->message - used,
                         "; could not restore %s, its previous content is in %s",
                         slots[i].hive->path, slots[i].keep);
            }
            slots[i].keep_made = false;
        }
    }
    for (size_t i = 0; i < m; i++) {
        if (slots[i].tmp_made)
            unlink(slots[i].tmp);
        if (slots[i].keep_made)
            unlink(slots[i].keep);
    }
    sync_dirs(slots, m);
    for (size_t i = 0; i < m; i++) {
        if (rc == DCS_OK)
            slots[i].hive->modified = false;
        free(slots[i].tmp);
        free(slots[i].keep);
        free(slots[i].dir);
    }
    free(slots);
    return rc;
}
