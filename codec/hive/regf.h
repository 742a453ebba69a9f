/* Internal to the hive room: dcs's own reader and writer of the regf format.
 *
 * The reference is Maxim Suhanov's "Windows registry file format
 * specification" (../shared/spec/regf/, CC BY 4.0); section names below are
 * its own.  The whole file (base block + hive bins) is held in one buffer;
 * every cell offset is relative to the start of the hive bins ("rel"), and
 * 0 is never a cell (the first cell of a bin starts at 32), so 0 means
 * "none" inside dcs while 0xFFFFFFFF means "none" on disk.
 *
 * Reading: dcsi_regf_load checks the base block (dcs_hive_parse_header), the
 * hive bins and the size of every cell, and records where cells start in a
 * bitmap; afterwards every offset taken from the file is looked up there
 * (dcsi_regf_cell) before it is used.  dcsi_regf_check walks the whole tree
 * without recursion and refuses any cell reached twice (cycles, shared
 * lists), bad lists, counts, hashes and data cells.
 *
 * Writing: edits are kept per key in memory (struct dcsi_regf_keyst: the
 * value list and the subkey list as arrays with a name index) while new
 * key, value and data cells are allocated at once; dcsi_regf_materialize
 * writes each edited key's lists once, sorted, at commit.
 */
#ifndef DCS_HIVE_REGF_H
#define DCS_HIVE_REGF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/bytes.h"

#include <dcs/error.h>

#define DCSI_REGF_NONE 0xFFFFFFFFu
#define DCSI_REGF_BASE 4096u
#define DCSI_REGF_BIN_HEADER 32u
/* Big data: the largest data segment, and the largest value (16-bit count). */
#define DCSI_REGF_SEGMENT 16344u
#define DCSI_REGF_DATA_MAX ((size_t)DCSI_REGF_SEGMENT * 65535u)
#define DCSI_REGF_KEY_NAME_MAX 255u     /* UTF-16 units */
#define DCSI_REGF_VALUE_NAME_MAX 16383u /* UTF-16 units */
/* Elements of one leaf as Windows sizes them: what fits in a 4 KiB bin
 * after the bin header, the cell size and the list header. */
#define DCSI_REGF_FAST_MAX 507u  /* lf, lh: 8-byte elements */
#define DCSI_REGF_INDEX_MAX 1014u /* li, ri: 4-byte elements */
/* Largest hive-bins size dcs writes (the format's offsets are 32-bit). */
#define DCSI_REGF_BINS_MAX 0x7FFF0000u
/* A hive file at least this large is read into an anonymous mapping (see
 * dcsi_regf_load_fd), not the heap. */
#define DCSI_REGF_MAP_MIN ((size_t)128 * 1024)

#define DCSI_NK_COMP_NAME 0x0020u
#define DCSI_VK_COMP_NAME 0x0001u

/* A name as stored: extended ASCII (comp) or UTF-16LE bytes. */
struct dcsi_regf_name {
    const uint8_t *p;
    uint32_t bytes;
    bool comp;
};

struct dcsi_regf_nk {
    uint32_t off;
    uint16_t flags;
    uint32_t parent, nsub, sublist, nval, vallist, sk, class_off;
    uint16_t class_len;
    struct dcsi_regf_name name;
};

struct dcsi_regf_vk {
    uint32_t off;
    uint16_t flags;
    uint32_t type;
    uint32_t size;      /* without the inline bit */
    bool inline_data;   /* data in the offset field */
    uint32_t data;      /* offset of the data cell (or the data itself) */
    struct dcsi_regf_name name;
};

/* Offsets of cells (vk or nk) with an index by upper-cased name. */
struct dcsi_regf_olist {
    uint32_t *off;      /* 0 = deleted */
    uint32_t *hash;     /* name hash of each entry */
    uint32_t n, cap, live;
    uint32_t *index;    /* open addressing: entry + 1, 0 = empty */
    uint32_t icap;
    bool sorted;        /* subkeys: off[] in Windows order */
    /* off and hash of a list of up to 4 entries (most keys' values) */
    uint32_t inl_off[4], inl_hash[4];
};

/* Pending edits of one key. */
struct dcsi_regf_keyst {
    uint32_t nk;           /* 0: dropped (on the free list) */
    bool vals_loaded, kids_loaded, vals_dirty, kids_dirty;
    struct dcsi_regf_olist vals, kids;
    struct dcsi_regf_keyst *next_free;
};

#define DCSI_REGF_BUCKETS 150

struct dcsi_regf {
    uint8_t *data;         /* base block + hive bins */
    size_t cap;
    bool mapped;           /* data is an anonymous mapping (read large, or grown), not malloc'd */
    uint32_t bins;         /* hive-bins data size */
    uint32_t minor;
    uint32_t root;
    uint64_t *starts;      /* bit per 8 bytes of bins: a cell starts there */
    uint32_t *bin_of_page; /* per 4 KiB page of bins: offset of its hive bin */
    size_t words;          /* uint64 words in starts */
    /* pending edits: keys by nk offset (open addressing) */
    struct dcsi_regf_keyst **keys;
    uint32_t *knk;         /* keys[i]->nk, or 0: probes touch no state */
    size_t nkeys, kcap;
    struct dcsi_regf_keyst *klast; /* the state asked for last (a cache) */
    struct dcsi_regf_keyst *vlast; /* the state whose values were set last */
    /* key states come from slabs, freed together by dcsi_regf_keys_free;
     * kfirst is the oldest slab, each links to the next newer, kslab is the
     * newest: states in the order of their keys' first edit, but for the
     * slots of dropped states, which new states take first */
    struct dcsi_regf_kslab *kfirst, *kslab;
    struct dcsi_regf_keyst *kfree; /* dropped states, taken again first */
    /* free cells by size class; entries may be stale (checked on use) */
    uint32_t *fb[DCSI_REGF_BUCKETS];
    uint32_t fn[DCSI_REGF_BUCKETS], fcap[DCSI_REGF_BUCKETS];
    uint64_t fmask[3];
    bool unlisted;         /* a freed cell is missing from the buckets */
    bool slack_low;        /* some bucket is over 3/4 full */
    bool checked;          /* full check passed since load */
    /* the free remainder the last allocation split off (0: none): the next
     * allocations carve from it without the buckets; it is listed in them
     * only when it is replaced, and is valid only while a free cell of
     * tail_size still starts there */
    uint32_t tail, tail_size;
    bool tail_zero;        /* its bytes are zero (a new hive bin) */
    uint64_t now;          /* FILETIME for edited keys */
    uint64_t fixed_time;   /* dcs_hive_set_time (0: the clock) */
};

/* ---- regf_load.c: bytes, bins, cells, names ------------------------------ */

/* Take ownership of data (len bytes of a whole hive file, malloc'd with
 * capacity cap) and check base block, bins and cell sizes. */
dcs_status dcsi_regf_load(struct dcsi_regf *r, uint8_t *data, size_t len, size_t cap,
                          struct dcs_error *err);
/* The same for the first len bytes of a file of file_size bytes. */
dcs_status dcsi_regf_load_sized(struct dcsi_regf *r, uint8_t *data, size_t len, size_t cap,
                                uint64_t file_size, struct dcs_error *err);
/* Read path (its base block and hive bins, one read) and load it. */
dcs_status dcsi_regf_load_file(struct dcsi_regf *r, const char *path, struct dcs_error *err);
/* The same for name in the directory dirfd (a pinned directory: name is
 * not followed; AT_FDCWD: as above); path names it in messages. */
dcs_status dcsi_regf_load_file_at(struct dcsi_regf *r, int dirfd, const char *name,
                                  const char *path, struct dcs_error *err);
/* The same from fd, open on a regular file of size bytes whose first got
 * bytes (at most DCSI_REGF_BASE; head NULL: none) were read already into
 * head, the file offset just past them: a hive judged by its header
 * (hive_check.c) is loaded from the descriptor it was judged through. */
dcs_status dcsi_regf_load_fd(struct dcsi_regf *r, int fd, uint64_t size, const uint8_t *head,
                             size_t got, const char *path, struct dcs_error *err);
void dcsi_regf_free(struct dcsi_regf *r);

static inline bool dcsi_regf_is_start(const struct dcsi_regf *r, uint32_t rel)
{
    return rel < r->bins && rel % 8 == 0 && (r->starts[rel / 512] >> (rel / 8 % 64) & 1u);
}
/* Raw cell size field (negative = allocated). Only for cell starts. */
static inline int32_t dcsi_regf_cell_size(const struct dcsi_regf *r, uint32_t rel)
{
    return (int32_t)dcsi_rd32(r->data + DCSI_REGF_BASE + rel);
}
/* The allocated cell at rel: its data and length, or NULL. */
uint8_t *dcsi_regf_cell(const struct dcsi_regf *r, uint32_t rel, uint32_t *len);
/* Offset of the hive bin that holds rel, and its end. */
void dcsi_regf_bin_span(const struct dcsi_regf *r, uint32_t rel, uint32_t *start, uint32_t *end);

/* Names: a query is upper-cased UTF-16 units. */
uint16_t dcsi_regf_upcase(uint16_t u);
size_t dcsi_regf_name_units(const struct dcsi_regf_name *n);
uint16_t dcsi_regf_name_unit(const struct dcsi_regf_name *n, size_t i);
int dcsi_regf_name_cmp_up(const uint16_t *up, size_t n, const struct dcsi_regf_name *b);
int dcsi_regf_name_cmp(const struct dcsi_regf_name *a, const struct dcsi_regf_name *b);
/* lh hash (Windows: H = 37 * H + upper-cased unit). */
uint32_t dcsi_regf_lh_hash(const struct dcsi_regf_name *n);
uint32_t dcsi_regf_lh_hash_up(const uint16_t *up, size_t n);
/* Index hash of an upper-cased name (equal for names that compare equal). */
uint32_t dcsi_regf_ihash_up(const uint16_t *up, size_t n);
uint32_t dcsi_regf_ihash(const struct dcsi_regf_name *n);
/* Name -> UTF-8 (dst holds 3 * units + 1), NUL-terminated; returns bytes. */
size_t dcsi_regf_name_utf8(const struct dcsi_regf_name *n, char *dst);

/* ---- regf_read.c: keys, lists, values ------------------------------------ */

dcs_status dcsi_regf_nk(const struct dcsi_regf *r, uint32_t off, struct dcsi_regf_nk *nk,
                        struct dcs_error *err);
dcs_status dcsi_regf_vk(const struct dcsi_regf *r, uint32_t off, struct dcsi_regf_vk *vk,
                        struct dcs_error *err);

typedef int (*dcsi_regf_off_fn)(void *ctx, uint32_t off);
/* Subkeys in stored order (pending edits included). */
dcs_status dcsi_regf_each_kid(struct dcsi_regf *r, uint32_t nk, dcsi_regf_off_fn fn, void *ctx,
                              int *stopped, struct dcs_error *err);
/* Values in stored order (pending edits included). */
dcs_status dcsi_regf_each_val(struct dcsi_regf *r, uint32_t nk, dcsi_regf_off_fn fn, void *ctx,
                              int *stopped, struct dcs_error *err);
/* Child of nk named up[0..n) (upper-cased); *out = 0 when absent. */
dcs_status dcsi_regf_find_kid(struct dcsi_regf *r, uint32_t nk, const uint16_t *up, size_t n,
                              uint32_t *out, struct dcs_error *err);
/* Value of nk named up[0..n); *out = 0 when absent. */
dcs_status dcsi_regf_find_val(struct dcsi_regf *r, uint32_t nk, const uint16_t *up, size_t n,
                              uint32_t *out, struct dcs_error *err);
/* The data of a value: *p points into the hive or into *buf (grown with
 * realloc, owned by the caller) for big data. */
dcs_status dcsi_regf_val_data(const struct dcsi_regf *r, const struct dcsi_regf_vk *vk,
                              const uint8_t **p, uint8_t **buf, size_t *bufcap,
                              struct dcs_error *err);
/* The on-disk subkey list of nk, leaf by leaf (no pending edits). */
dcs_status dcsi_regf_disk_kids(const struct dcsi_regf *r, const struct dcsi_regf_nk *nk,
                               dcsi_regf_off_fn fn, void *ctx, int *stopped,
                               struct dcs_error *err);

/* ---- regf_check.c --------------------------------------------------------- */

#define DCSI_REGF_CHECK_ORDER 0x1u /* subkey lists must be in Windows order */
dcs_status dcsi_regf_check(const struct dcsi_regf *r, unsigned how, struct dcs_error *err);

/* ---- regf_alloc.c --------------------------------------------------------- */

/* A new allocated cell with room for len bytes of data (zeroed); *out is
 * its offset.  May move r->data. */
dcs_status dcsi_regf_alloc(struct dcsi_regf *r, uint32_t len, uint32_t *out,
                           struct dcs_error *err);
/* The same, taken from a free cell left behind (the end of an earlier bin)
 * when one fits, rather than from the tail. */
dcs_status dcsi_regf_alloc_gap(struct dcsi_regf *r, uint32_t len, uint32_t *out,
                               struct dcs_error *err);
/* Free the allocated cell at rel (ignored if it is not one), coalescing it
 * with free neighbours in its bin. */
void dcsi_regf_release(struct dcsi_regf *r, uint32_t rel);
/* Record the free cells found by the load. */
dcs_status dcsi_regf_alloc_init(struct dcsi_regf *r, struct dcs_error *err);
void dcsi_regf_alloc_free(struct dcsi_regf *r);
/* Free r->data (malloc'd by the caller of the load, or mapped by a grow). */
void dcsi_regf_data_free(struct dcsi_regf *r);

/* ---- regf_keys.c: pending per-key edits ----------------------------------- */

struct dcsi_regf_keyst *dcsi_regf_keyst_get(const struct dcsi_regf *r, uint32_t nk);
/* Every live key state in slab order (see kfirst); fn returning non-zero
 * stops. */
typedef int (*dcsi_regf_keyst_fn)(void *ctx, struct dcsi_regf_keyst *ks);
int dcsi_regf_keyst_each(struct dcsi_regf *r, dcsi_regf_keyst_fn fn, void *ctx);
dcs_status dcsi_regf_keyst_vals(struct dcsi_regf *r, uint32_t nk, struct dcsi_regf_keyst **out,
                                struct dcs_error *err);
dcs_status dcsi_regf_keyst_kids(struct dcsi_regf *r, uint32_t nk, struct dcsi_regf_keyst **out,
                                struct dcs_error *err);
/* Forget nk's pending state (its lists are on disk, or are discarded). */
void dcsi_regf_keyst_drop(struct dcsi_regf *r, uint32_t nk);
void dcsi_regf_keys_free(struct dcsi_regf *r);
/* Entry of l whose cell (nk if kids, else vk) is named up; -1 if none. */
long dcsi_regf_olist_find(const struct dcsi_regf *r, const struct dcsi_regf_olist *l, bool kids,
                          const uint16_t *up, size_t n, uint32_t hash);
dcs_status dcsi_regf_olist_add(struct dcsi_regf_olist *l, uint32_t off, uint32_t hash,
                               struct dcs_error *err);
void dcsi_regf_olist_del(struct dcsi_regf_olist *l, uint32_t i);
/* Put subkeys in Windows order, deleted entries dropped. */
dcs_status dcsi_regf_kids_sort(const struct dcsi_regf *r, struct dcsi_regf_olist *l,
                               struct dcs_error *err);

/* ---- regf_edit.c ---------------------------------------------------------- */

/* Full check once before the first edit of a loaded hive. */
dcs_status dcsi_regf_begin_edit(struct dcsi_regf *r, struct dcs_error *err);
dcs_status dcsi_regf_add_key(struct dcsi_regf *r, uint32_t parent, const uint16_t *units,
                             size_t n, uint32_t *out, struct dcs_error *err);
/* units: the name as given; up: the same upper-cased. */
dcs_status dcsi_regf_set_val(struct dcsi_regf *r, uint32_t nk, const uint16_t *units,
                             const uint16_t *up, size_t n, uint32_t type, const void *data,
                             size_t len, struct dcs_error *err);
dcs_status dcsi_regf_del_val(struct dcsi_regf *r, uint32_t nk, const uint16_t *up, size_t n,
                             bool *deleted, struct dcs_error *err);
dcs_status dcsi_regf_clear_vals(struct dcsi_regf *r, uint32_t nk, struct dcs_error *err);
dcs_status dcsi_regf_del_key(struct dcsi_regf *r, uint32_t nk, struct dcs_error *err);

/* ---- regf_write.c --------------------------------------------------------- */

/* Write ks's value list into the hive now (ks->vals_dirty is left to the
 * caller). */
dcs_status dcsi_regf_write_vals(struct dcsi_regf *r, struct dcsi_regf_keyst *ks,
                               struct dcs_error *err);
/* Write every pending list into the hive (once per key). */
dcs_status dcsi_regf_materialize(struct dcsi_regf *r, struct dcs_error *err);
/* Materialize, check and update the base block: the file is then
 * r->data[0 .. DCSI_REGF_BASE + r->bins). */
dcs_status dcsi_regf_commit_image(struct dcsi_regf *r, struct dcs_error *err);
/* dcsi_regf_commit_image, then write the file to fd. */
dcs_status dcsi_regf_write_fd(struct dcsi_regf *r, int fd, struct dcs_error *err);

#endif
