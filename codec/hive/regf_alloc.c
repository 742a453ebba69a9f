/* regf writer: the cell allocator (spec: "Cell", "Unallocated cell").
 *
 * Free cells sit in buckets by size: one per 8-byte size below 1 KiB, one
 * per power of two above.  Bucket entries are not removed when a cell is
 * coalesced away or taken; an entry is used only if a free cell of the
 * recorded size still starts there (the start bitmap says where cells
 * start), so stale entries cost one check each.  A freed cell merges with
 * the free cells before and after it in its bin.  When nothing fits, the
 * file grows by a new hive bin of the smallest 4 KiB multiple that holds
 * the cell.  The remainder of the last split is kept apart as the "tail",
 * which the next allocations carve up in order without touching the buckets. */
#define _GNU_SOURCE // NOLINT(bugprone-reserved-identifier): the feature-test macro of mremap
#include "hive/regf.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#define EXACT_CLASSES 128u /* sizes 0..1016 by 8 */

static unsigned size_class(uint32_t size)
{
    if (size < EXACT_CLASSES * 8)
        return size / 8;
    unsigned lg = 31u - (unsigned)__builtin_clz(size); /* >= 10 */
    return EXACT_CLASSES + (lg - 10);
}

static dcs_status nomem(struct dcs_error *err)
{
    return dcs_error_set(err, DCS_ERR_NOMEM, DCS_NO_OFFSET, "out of memory");
}

/* List a free cell.  With grow, the bucket may be reallocated (and that may
 * fail); without, a full bucket leaves the cell unlisted and marks the
 * lists for a rescan, so freeing never allocates. */
static bool push_free(struct dcsi_regf *r, uint32_t rel, uint32_t size, bool grow_ok)
{
    unsigned c = size_class(size);
    if (r->fn[c] == r->fcap[c]) {
        uint32_t cap = r->fcap[c] ? r->fcap[c] * 2 : 64;
        uint32_t *b = grow_ok ? realloc(r->fb[c], cap * sizeof *b) : NULL;
        if (!b) {
            r->unlisted = true;
            return false;
        }
        r->fb[c] = b;
        r->fcap[c] = cap;
    }
    r->fb[c][r->fn[c]++] = rel;
    r->fmask[c / 64] |= (uint64_t)1 << (c % 64);
    if (r->fcap[c] - r->fn[c] < r->fcap[c] / 4)
        r->slack_low = true;
    return true;
}

/* Room in every bucket for the frees that may follow before the next
 * allocation (they do not allocate themselves). */
static bool keep_slack(struct dcsi_regf *r)
{
    if (!r->slack_low)
        return true;
    for (unsigned c = 0; c < DCSI_REGF_BUCKETS; c++) {
        if (r->fcap[c] && r->fcap[c] - r->fn[c] >= r->fcap[c] / 4)
            continue;
        uint32_t cap = r->fcap[c] ? r->fcap[c] * 2 : 16;
        uint32_t *b = realloc(r->fb[c], cap * sizeof *b);
        if (!b)
            return false;
        r->fb[c] = b;
        r->fcap[c] = cap;
    }
    r->slack_low = false;
    return true;
}

/* Size of the free cell starting at rel, or 0 when there is none. */
static uint32_t free_size(const struct dcsi_regf *r, uint32_t rel)
{
    if (!dcsi_regf_is_start(r, rel))
        return 0;
    int32_t s = dcsi_regf_cell_size(r, rel);
    return s > 0 ? (uint32_t)s : 0;
}

static void set_start(struct dcsi_regf *r, uint32_t rel, bool on)
{
    uint64_t bit = (uint64_t)1 << (rel / 8 % 64);
    if (on)
        r->starts[rel / 512] |= bit;
    else
        r->starts[rel / 512] &= ~bit;
}

static bool tail_valid(const struct dcsi_regf *r)
{
    return r->tail && free_size(r, r->tail) == r->tail_size;
}

/* List the tail in the buckets (it stops being the tail). */
static void tail_retire(struct dcsi_regf *r)
{
    if (tail_valid(r))
        push_free(r, r->tail, r->tail_size, false);
    r->tail = 0;
}

dcs_status dcsi_regf_alloc_init(struct dcsi_regf *r, struct dcs_error *err)
{
    r->tail = 0; /* the scan lists it with the others */
    memset(r->fn, 0, sizeof r->fn);
    memset(r->fmask, 0, sizeof r->fmask);
    r->unlisted = false;
    r->slack_low = true;
    for (uint32_t w = 0; w < r->words; w++) {
        for (uint64_t bits = r->starts[w]; bits; bits &= bits - 1) {
            uint32_t rel = w * 512u + 8u * (uint32_t)__builtin_ctzll(bits);
            uint32_t s = free_size(r, rel);
            if (s && !push_free(r, rel, s, true))
                return nomem(err);
        }
    }
    return keep_slack(r) ? DCS_OK : nomem(err);
}

void dcsi_regf_alloc_free(struct dcsi_regf *r)
{
    for (unsigned c = 0; c < DCSI_REGF_BUCKETS; c++)
        free(r->fb[c]);
    memset(r->fb, 0, sizeof r->fb);
    memset(r->fn, 0, sizeof r->fn);
    memset(r->fcap, 0, sizeof r->fcap);
    memset(r->fmask, 0, sizeof r->fmask);
    r->tail = 0;
}

/* Take a free cell of at least need bytes from bucket c; 0 if none.
 * Stale entries met on the way are dropped for good. */
static uint32_t take_from(struct dcsi_regf *r, unsigned c, uint32_t need, uint32_t *got)
{
    /* a power-of-two bucket may hold cells smaller than need: a few tries */
    unsigned tries = 8;
    uint32_t i = r->fn[c];
    while (i > 0 && tries > 0) {
        i--;
        uint32_t rel = r->fb[c][i];
        uint32_t s = free_size(r, rel);
        if (!s || size_class(s) != c) {
            r->fb[c][i] = r->fb[c][--r->fn[c]];
            continue;
        }
        if (s >= need) {
            r->fb[c][i] = r->fb[c][--r->fn[c]];
            *got = s;
            return rel;
        }
        tries--;
    }
    if (!r->fn[c])
        r->fmask[c / 64] &= ~((uint64_t)1 << (c % 64));
    return 0;
}

static uint32_t find_free(struct dcsi_regf *r, uint32_t need, uint32_t *got)
{
    unsigned c = size_class(need);
    while (c < DCSI_REGF_BUCKETS) {
        uint64_t rest = r->fmask[c / 64] >> (c % 64);
        if (!rest) {
            c = (c / 64 + 1) * 64;
            continue;
        }
        c += (unsigned)__builtin_ctzll(rest);
        if (c >= DCSI_REGF_BUCKETS)
            break;
        uint32_t rel = take_from(r, c, need, got);
        if (rel)
            return rel;
        c++;
    }
    return 0;
}

/* A large hive buffer is filled bin by bin: with 2 MiB pages the kernel
 * takes one fault per 2 MiB instead of one per 4 KiB (a hint only). */
static void advise_huge(uint8_t *d, size_t cap)
{
#ifdef MADV_HUGEPAGE
    if (cap < ((size_t)8 << 20))
        return;
    size_t skip = (4096 - (size_t)((uintptr_t)d % 4096)) % 4096; /* to a page boundary */
    (void)madvise(d + skip, (cap - skip) / 4096 * 4096, MADV_HUGEPAGE);
#else
    (void)d;
    (void)cap;
#endif
}

/* Room for cap bytes of file.  A large buffer is an anonymous mapping
 * grown with mremap: realloc of a heap block copies it (and faults in
 * every page twice) at each doubling. */
static dcs_status reserve(struct dcsi_regf *r, size_t cap, struct dcs_error *err)
{
    uint8_t *d;
    if (r->mapped) {
        void *m = mremap(r->data, r->cap, cap, MREMAP_MAYMOVE);
        if (m == MAP_FAILED)
            return nomem(err);
        d = m;
    } else if (cap < ((size_t)1 << 20)) {
        d = realloc(r->data, cap);
        if (!d)
            return nomem(err);
    } else {
        void *m = mmap(NULL, cap, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (m == MAP_FAILED)
            return nomem(err);
        d = m;
        memcpy(d, r->data, DCSI_REGF_BASE + (size_t)r->bins);
        free(r->data);
        r->mapped = true;
    }
    r->data = d;
    r->cap = cap;
    advise_huge(d, cap);
    return DCS_OK;
}

void dcsi_regf_data_free(struct dcsi_regf *r)
{
    if (r->mapped && r->data)
        munmap(r->data, r->cap);
    else
        free(r->data);
    r->data = NULL;
    r->mapped = false;
}

/* Append a hive bin of at least need + header bytes; its one cell is free. */
static dcs_status grow(struct dcsi_regf *r, uint32_t need, struct dcs_error *err)
{
    uint64_t bsize = ((uint64_t)need + DCSI_REGF_BIN_HEADER + 4095) / 4096 * 4096;
    if ((uint64_t)r->bins + bsize > DCSI_REGF_BINS_MAX)
        return dcs_error_set(err, DCS_ERR_LIMIT, DCS_NO_OFFSET,
                             "the hive would grow past %u bytes", DCSI_REGF_BINS_MAX);
    size_t want = DCSI_REGF_BASE + (size_t)r->bins + (size_t)bsize;
    if (want > r->cap) {
        dcs_status rc = reserve(r, r->cap * 2 > want ? r->cap * 2 : want, err);
        if (rc != DCS_OK)
            return rc;
    }
    size_t words = ((size_t)r->bins + (size_t)bsize) / 512 + 1;
    if (words > r->words) {
        uint64_t *s = realloc(r->starts, words * 2 * sizeof *s);
        if (!s)
            return nomem(err);
        memset(s + r->words, 0, (words * 2 - r->words) * sizeof *s);
        r->starts = s;
        r->words = words * 2;
        uint32_t *b = realloc(r->bin_of_page, (r->words * 512 / 4096 + 1) * sizeof *b);
        if (!b)
            return nomem(err);
        r->bin_of_page = b;
    }
    uint32_t off = r->bins;
    uint8_t *bin = r->data + DCSI_REGF_BASE + off;
    /* a mapped buffer is zero past the bins already (fresh pages of the
     * mmap or mremap, never written): clearing them would fault each page
     * in only to write the zeros the kernel just wrote */
    if (!r->mapped)
        memset(bin, 0, (size_t)bsize);
    memcpy(bin, "hbin", 4); // NOLINT(bugprone-not-null-terminated-result): a signature, not a string
    dcsi_wr32(bin + 4, off);
    dcsi_wr32(bin + 8, (uint32_t)bsize);
    dcsi_wr32(bin + DCSI_REGF_BIN_HEADER, (uint32_t)bsize - DCSI_REGF_BIN_HEADER);
    for (uint32_t p = off; p < off + bsize; p += 4096)
        r->bin_of_page[p / 4096] = off;
    r->bins += (uint32_t)bsize;
    set_start(r, off + DCSI_REGF_BIN_HEADER, true);
    /* the new bin's cell becomes the tail (keep_slack left room for the
     * old one in the buckets) */
    tail_retire(r);
    r->tail = off + DCSI_REGF_BIN_HEADER;
    r->tail_size = (uint32_t)bsize - DCSI_REGF_BIN_HEADER;
    r->tail_zero = true;
    return DCS_OK;
}

/* A listed free cell of at least need bytes, or the cell of a new bin. */
static dcs_status find_or_grow(struct dcsi_regf *r, uint32_t need, uint32_t *rel, uint32_t *got,
                               bool *zero, struct dcs_error *err)
{
    *rel = find_free(r, need, got);
    if (!*rel && r->unlisted) {
        /* some freed cells could not be listed: find them again */
        dcs_status rc = dcsi_regf_alloc_init(r, err);
        if (rc != DCS_OK)
            return rc;
        *rel = find_free(r, need, got);
    }
    if (*rel)
        return DCS_OK;
    dcs_status rc = grow(r, need, err);
    if (rc != DCS_OK)
        return rc;
    *rel = r->tail;
    *got = r->tail_size;
    *zero = true;
    r->tail = 0;
    return DCS_OK;
}

dcs_status dcsi_regf_alloc(struct dcsi_regf *r, uint32_t len, uint32_t *out,
                           struct dcs_error *err)
{
    *out = 0;
    if (len > DCSI_REGF_BINS_MAX / 2)
        return dcs_error_set(err, DCS_ERR_LIMIT, DCS_NO_OFFSET, "a cell of %u bytes", len);
    uint32_t need = (len + 4 + 7) & ~7u, got = 0;
    if (need < 8)
        need = 8;
    if (!keep_slack(r))
        return nomem(err);
    uint32_t rel = 0;
    bool zero = false;
    if (tail_valid(r) && r->tail_size >= need) {
        rel = r->tail;
        got = r->tail_size;
        zero = r->tail_zero;
        r->tail = 0;
    } else {
        dcs_status rc = find_or_grow(r, need, &rel, &got, &zero, err);
        if (rc != DCS_OK)
            return rc;
    }
    if (got > need) {
        uint32_t rest = rel + need;
        dcsi_wr32(r->data + DCSI_REGF_BASE + rest, got - need);
        set_start(r, rest, true);
        tail_retire(r);
        r->tail = rest;
        r->tail_size = got - need;
        r->tail_zero = zero;
    }
    uint8_t *c = r->data + DCSI_REGF_BASE + rel;
    dcsi_wr32(c, (uint32_t)0 - need);
    if (!zero) /* a new bin's bytes are zero already */
        memset(c + 4, 0, need - 4);
    *out = rel;
    return DCS_OK;
}

dcs_status dcsi_regf_alloc_gap(struct dcsi_regf *r, uint32_t len, uint32_t *out,
                               struct dcs_error *err)
{
    uint32_t need = (len + 4 + 7) & ~7u, got = 0;
    if (need < 8)
        need = 8;
    if (len > DCSI_REGF_BINS_MAX / 2 || !keep_slack(r))
        return dcsi_regf_alloc(r, len, out, err);
    uint32_t rel = find_free(r, need, &got);
    if (!rel || rel == r->tail)
        return dcsi_regf_alloc(r, len, out, err);
    if (got > need) {
        /* the rest stays listed: the tail is left where it is */
        uint32_t rest = rel + need;
        dcsi_wr32(r->data + DCSI_REGF_BASE + rest, got - need);
        set_start(r, rest, true);
        push_free(r, rest, got - need, false);
    }
    uint8_t *c = r->data + DCSI_REGF_BASE + rel;
    dcsi_wr32(c, (uint32_t)0 - need);
    memset(c + 4, 0, need - 4);
    *out = rel;
    return DCS_OK;
}

/* Start of the cell before rel in its bin, or 0. */
static uint32_t prev_start(const struct dcsi_regf *r, uint32_t rel, uint32_t bin)
{
    uint32_t first = bin + DCSI_REGF_BIN_HEADER;
    if (rel <= first)
        return 0;
    uint32_t bit = rel / 8 - 1; /* search bits (first/8 .. rel/8 - 1] downwards */
    for (;;) {
        uint64_t w = r->starts[bit / 64] & (~(uint64_t)0 >> (63 - bit % 64));
        if (w) {
            uint32_t at = (bit / 64) * 512u + 8u * (63u - (uint32_t)__builtin_clzll(w));
            return at >= first ? at : 0;
        }
        if (bit / 64 * 512 <= first)
            return 0;
        bit = (bit / 64) * 64 - 1;
    }
}

void dcsi_regf_release(struct dcsi_regf *r, uint32_t rel)
{
    uint32_t len;
    if (!dcsi_regf_cell(r, rel, &len))
        return;
    uint32_t size = len + 4, bin, end;
    dcsi_regf_bin_span(r, rel, &bin, &end);
    uint32_t next = rel + size, ns;
    if (next < end && (ns = free_size(r, next)) != 0) {
        set_start(r, next, false);
        size += ns;
    }
    uint32_t prev = prev_start(r, rel, bin), ps;
    if (prev && (ps = free_size(r, prev)) != 0 && prev + ps == rel) {
        set_start(r, rel, false);
        rel = prev;
        size += ps;
    }
    dcsi_wr32(r->data + DCSI_REGF_BASE + rel, size);
    push_free(r, rel, size, false);
}
