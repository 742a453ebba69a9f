/* regf reader, part 1: the file's bytes, its hive bins and cells, and the
 * name comparisons every lookup uses (spec: "Base block", "Hive bin",
 * "Cell", "Hash leaf"). */
#include "hive/regf.h"

#include <dcs/hive.h>
#include "core/fileio.h"
#include "core/text.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

/* Base-block Flags (offset 144): bit 1 marks a hive that holds layered
 * keys (a differencing hive of containers), which dcs does not edit. */
#define BASE_FLAGS 144u
#define FLAG_LAYERED 0x2u
#define MIN_CELL 8u

static dcs_status nomem(struct dcs_error *err)
{
    return dcs_error_set(err, DCS_ERR_NOMEM, DCS_NO_OFFSET, "out of memory");
}

uint8_t *dcsi_regf_cell(const struct dcsi_regf *r, uint32_t rel, uint32_t *len)
{
    if (!dcsi_regf_is_start(r, rel))
        return NULL;
    int32_t s = dcsi_regf_cell_size(r, rel);
    if (s >= 0)
        return NULL;
    *len = (uint32_t)0 - (uint32_t)s - 4u;
    return r->data + DCSI_REGF_BASE + rel + 4;
}

void dcsi_regf_bin_span(const struct dcsi_regf *r, uint32_t rel, uint32_t *start, uint32_t *end)
{
    *start = r->bin_of_page[rel / 4096];
    *end = *start + dcsi_rd32(r->data + DCSI_REGF_BASE + *start + 8);
}

/* One hive bin at off: header, then cells that fill it exactly. */
static dcs_status scan_bin(struct dcsi_regf *r, uint32_t off, uint32_t *size,
                           struct dcs_error *err)
{
    const uint8_t *b = r->data + DCSI_REGF_BASE + off;
    uint64_t at = (uint64_t)DCSI_REGF_BASE + off;
    if (r->bins - off < DCSI_REGF_BIN_HEADER || memcmp(b, "hbin", 4) != 0)
        return dcs_error_set(err, DCS_ERR_HIVE_CORRUPT, at, "no hive bin at 0x%x", off);
    uint32_t bsize = dcsi_rd32(b + 8);
    if (dcsi_rd32(b + 4) != off)
        return dcs_error_set(err, DCS_ERR_HIVE_CORRUPT, at + 4,
                             "hive bin at 0x%x says it is at 0x%x", off, dcsi_rd32(b + 4));
    if (bsize < 4096 || bsize % 4096 != 0 || bsize > r->bins - off)
        return dcs_error_set(err, DCS_ERR_HIVE_CORRUPT, at + 8,
                             "hive bin at 0x%x has size 0x%x", off, bsize);
    for (uint32_t p = off; p < off + bsize; p += 4096)
        r->bin_of_page[p / 4096] = off;
    uint32_t c = off + DCSI_REGF_BIN_HEADER, end = off + bsize;
    while (c < end) {
        int32_t s = dcsi_regf_cell_size(r, c);
        uint32_t abs = s < 0 ? (uint32_t)0 - (uint32_t)s : (uint32_t)s;
        if (abs < MIN_CELL || abs % 8 != 0 || abs > end - c)
            return dcs_error_set(err, DCS_ERR_HIVE_CORRUPT, (uint64_t)DCSI_REGF_BASE + c,
                                 "cell at 0x%x has size %d (bin 0x%x..0x%x)", c, s, off, end);
        r->starts[c / 512] |= (uint64_t)1 << (c / 8 % 64);
        c += abs;
    }
    *size = bsize;
    return DCS_OK;
}

dcs_status dcsi_regf_load(struct dcsi_regf *r, uint8_t *data, size_t len, size_t cap,
                          struct dcs_error *err)
{
    return dcsi_regf_load_sized(r, data, len, cap, len, err);
}

dcs_status dcsi_regf_load_sized(struct dcsi_regf *r, uint8_t *data, size_t len, size_t cap,
                                uint64_t file_size, struct dcs_error *err)
{
    memset(r, 0, sizeof *r);
    r->data = data;
    r->cap = cap;
    struct dcs_hive_header hh;
    dcs_status rc = dcs_hive_parse_header(data, len, file_size, &hh, err);
    if (rc == DCS_OK && len < DCSI_REGF_BASE) /* parse_header checks it too */
        rc = dcs_error_set(err, DCS_ERR_HIVE_TRUNCATED, len, "file ends inside the base block");
    if (rc == DCS_OK && (uint64_t)DCSI_REGF_BASE + hh.hbins_size > len)
        rc = dcs_error_set(err, DCS_ERR_HIVE_TRUNCATED, len, "file ends inside the hive bins");
    if (rc != DCS_OK)
        return rc;
    if (hh.minor < 3)
        return dcs_error_set(err, DCS_ERR_HIVE_VERSION, 0x18,
                             "version 1.%u: only hives of version 1.3 to 1.6 can be read",
                             hh.minor);
    if (dcsi_rd32(data + BASE_FLAGS) & FLAG_LAYERED)
        return dcs_error_set(err, DCS_ERR_HIVE_VERSION, BASE_FLAGS,
                             "a differencing hive (layered keys): not supported");
    if (hh.hbins_size > DCSI_REGF_BINS_MAX)
        return dcs_error_set(err, DCS_ERR_LIMIT, 0x28, "hive bins of 0x%x bytes: too large",
                             hh.hbins_size);
    r->bins = hh.hbins_size;
    r->minor = hh.minor;
    r->root = hh.root_offset;
    r->words = (size_t)r->bins / 512 + 1;
    r->starts = calloc(r->words, sizeof *r->starts);
    r->bin_of_page = calloc((size_t)r->bins / 4096 + 1, sizeof *r->bin_of_page);
    if (!r->starts || !r->bin_of_page)
        return nomem(err);
    for (uint32_t off = 0, size = 0; off < r->bins; off += size) {
        rc = scan_bin(r, off, &size, err);
        if (rc != DCS_OK)
            return rc;
    }
    if (!dcsi_regf_cell(r, r->root, &(uint32_t){0}))
        return dcs_error_set(err, DCS_ERR_HIVE_CORRUPT, 0x24,
                             "root cell offset 0x%x is not an allocated cell", r->root);
    return DCS_OK;
}

dcs_status dcsi_regf_load_file(struct dcsi_regf *r, const char *path, struct dcs_error *err)
{
    return dcsi_regf_load_file_at(r, AT_FDCWD, path, path, err);
}

dcs_status dcsi_regf_load_file_at(struct dcsi_regf *r, int dirfd, const char *name,
                                  const char *path, struct dcs_error *err)
{
    memset(r, 0, sizeof *r);
    /* in a pinned directory the name is not followed either */
    int fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC | (dirfd == AT_FDCWD ? 0 : O_NOFOLLOW));
    if (fd < 0)
        return dcs_error_set(err, errno == ENOENT ? DCS_ERR_NOT_FOUND : DCS_ERR_IO,
                             DCS_NO_OFFSET, "cannot open %s: %s", path, strerror(errno));
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        return dcs_error_set(err, DCS_ERR_IO, DCS_NO_OFFSET, "%s is not a regular file", path);
    }
    dcs_status rc = dcsi_regf_load_fd(r, fd, (uint64_t)st.st_size, NULL, 0, path, err);
    close(fd);
    return rc;
}

dcs_status dcsi_regf_load_fd(struct dcsi_regf *r, int fd, uint64_t size, const uint8_t *head,
                             size_t got, const char *path, struct dcs_error *err)
{
    memset(r, 0, sizeof *r);
    if (size > (uint64_t)DCSI_REGF_BINS_MAX + 2 * (uint64_t)DCSI_REGF_BASE)
        /* refused before reading: a sparse file costs nothing to make */
        return dcs_error_set(err, DCS_ERR_LIMIT, DCS_NO_OFFSET,
                             "%s is too large for a hive: %llu bytes, dcs reads at most %llu",
                             path, (unsigned long long)size,
                             (unsigned long long)DCSI_REGF_BINS_MAX + 2ull * DCSI_REGF_BASE);
    uint8_t own[DCSI_REGF_BASE];
    if (!head) { /* not read yet: the base block first, to know what to read */
        int e = dcsi_read_upto(fd, own, sizeof own, &got);
        if (e)
            return dcs_error_set(err, DCS_ERR_IO, DCS_NO_OFFSET, "cannot read %s: %s", path,
                                 strerror(e));
        head = own;
    }
    /* only the base block and the hive bins: padding after them is left */
    size_t len = (size_t)size;
    if (got == DCSI_REGF_BASE && memcmp(head, "regf", 4) == 0) {
        uint64_t want = (uint64_t)DCSI_REGF_BASE + dcsi_rd32(head + 0x28);
        if (want < len && want >= DCSI_REGF_BASE + 4096u)
            len = (size_t)want;
    }
    if (len < DCSI_REGF_BASE)
        return dcs_error_set(err, DCS_ERR_HIVE_TRUNCATED, len,
                             "%s: file ends inside the base block (%zu bytes)", path, len);
    /* a large hive is read into a mapping populated in one call: a fresh
     * heap block would fault in each page as read() fills it, a trap per
     * 4 KiB, and a later grow mremaps it (regf_alloc.c) */
    bool map = len >= DCSI_REGF_MAP_MIN;
    uint8_t *buf;
    if (map) {
        void *m = mmap(NULL, len, PROT_READ | PROT_WRITE,
                       MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
        buf = m == MAP_FAILED ? NULL : m;
    } else {
        buf = malloc(len);
    }
    if (!buf)
        return nomem(err);
    /* the bytes already read are not read again: the file offset is past them */
    if (got > len)
        got = len;
    memcpy(buf, head, got);
    while (got < len) {
        ssize_t n = read(fd, buf + got, len - got);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            dcs_status rc = dcs_error_set(err, DCS_ERR_IO, DCS_NO_OFFSET, "cannot read %s: %s",
                                          path, n < 0 ? strerror(errno) : "file shrank");
            r->data = buf; /* freed as what it is */
            r->cap = len;
            r->mapped = map;
            dcsi_regf_data_free(r);
            return rc;
        }
        got += (size_t)n;
    }
    /* the file size is what the header is judged against */
    dcs_status rc = dcsi_regf_load_sized(r, buf, len, len, size, err);
    r->mapped = map; /* freed (or grown) as the mapping it is, loaded or not */
    return rc;
}

void dcsi_regf_free(struct dcsi_regf *r)
{
    dcsi_regf_keys_free(r);
    dcsi_regf_alloc_free(r);
    dcsi_regf_data_free(r);
    free(r->starts);
    free(r->bin_of_page);
    memset(r, 0, sizeof *r);
}

/* ---- names ---------------------------------------------------------------- */

uint16_t dcsi_regf_upcase(uint16_t u)
{
    if (u < 0x80)
        return (uint16_t)(u - ((unsigned)(u - 'a') < 26u ? 0x20 : 0));
    if (u >= 0xD800 && u <= 0xDFFF)
        return u;
    return (uint16_t)dcsi_text_upcase(u);
}

size_t dcsi_regf_name_units(const struct dcsi_regf_name *n)
{
    return n->comp ? n->bytes : n->bytes / 2;
}

uint16_t dcsi_regf_name_unit(const struct dcsi_regf_name *n, size_t i)
{
    return n->comp ? n->p[i] : dcsi_rd16(n->p + 2 * i);
}

int dcsi_regf_name_cmp_up(const uint16_t *up, size_t n, const struct dcsi_regf_name *b)
{
    size_t m = dcsi_regf_name_units(b);
    for (size_t i = 0; i < n && i < m; i++) {
        uint16_t y = dcsi_regf_upcase(dcsi_regf_name_unit(b, i));
        if (up[i] != y)
            return up[i] < y ? -1 : 1;
    }
    return n == m ? 0 : n < m ? -1 : 1;
}

/* Upper case of a one-byte unit (extended ASCII as stored in comp names). */
static inline uint16_t upcase8(uint8_t c)
{
    return c < 0x80 ? (uint16_t)(c - ((unsigned)(c - 'a') < 26u ? 0x20 : 0)) : dcsi_regf_upcase(c);
}

int dcsi_regf_name_cmp(const struct dcsi_regf_name *a, const struct dcsi_regf_name *b)
{
    size_t n = dcsi_regf_name_units(a), m = dcsi_regf_name_units(b);
    if (a->comp && b->comp) {
        /* the common case (sorting subkeys): bytes, equal ones skipped */
        for (size_t i = 0; i < n && i < m; i++) {
            if (a->p[i] == b->p[i])
                continue;
            uint16_t x = upcase8(a->p[i]), y = upcase8(b->p[i]);
            if (x != y)
                return x < y ? -1 : 1;
        }
        return n == m ? 0 : n < m ? -1 : 1;
    }
    for (size_t i = 0; i < n && i < m; i++) {
        uint16_t x = dcsi_regf_upcase(dcsi_regf_name_unit(a, i));
        uint16_t y = dcsi_regf_upcase(dcsi_regf_name_unit(b, i));
        if (x != y)
            return x < y ? -1 : 1;
    }
    return n == m ? 0 : n < m ? -1 : 1;
}

uint32_t dcsi_regf_lh_hash_up(const uint16_t *up, size_t n)
{
    uint32_t h = 0;
    for (size_t i = 0; i < n; i++)
        h = 37u * h + up[i];
    return h;
}

uint32_t dcsi_regf_lh_hash(const struct dcsi_regf_name *n)
{
    uint32_t h = 0;
    size_t m = dcsi_regf_name_units(n);
    for (size_t i = 0; i < m; i++)
        h = 37u * h + dcsi_regf_upcase(dcsi_regf_name_unit(n, i));
    return h;
}

/* FNV-1a over the upper-cased units: the lh hash clusters short names. */
uint32_t dcsi_regf_ihash_up(const uint16_t *up, size_t n)
{
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < n; i++)
        h = (h ^ up[i]) * 16777619u;
    return h;
}

uint32_t dcsi_regf_ihash(const struct dcsi_regf_name *n)
{
    uint32_t h = 2166136261u;
    size_t m = dcsi_regf_name_units(n);
    for (size_t i = 0; i < m; i++)
        h = (h ^ dcsi_regf_upcase(dcsi_regf_name_unit(n, i))) * 16777619u;
    return h;
}

size_t dcsi_regf_name_utf8(const struct dcsi_regf_name *n, char *dst)
{
    size_t k = 0;
    if (!n->comp) {
        k = dcsi_utf16le_to_utf8(n->p, n->bytes / 2, dst);
    } else {
        for (uint32_t i = 0; i < n->bytes; i++) {
            uint8_t c = n->p[i];
            if (c < 0x80) {
                dst[k++] = (char)c;
            } else {
                dst[k++] = (char)(0xC0 | c >> 6);
                dst[k++] = (char)(0x80 | (c & 0x3F));
            }
        }
    }
    dst[k] = '\0';
    return k;
}
