/* regf writer: pending edits per key.  A key's value list and subkey list
 * are loaded once into an array with a hash index by upper-cased name, so
 * setting the millionth value or adding the 200,000th subkey costs the same
 * as the first; the lists are written back once, at commit. */
#include "hive/regf.h"

#include <stdlib.h>
#include <string.h>

static dcs_status nomem(struct dcs_error *err)
{
    return dcs_error_set(err, DCS_ERR_NOMEM, DCS_NO_OFFSET, "out of memory");
}

/* Entries of a list searched one by one before it gets a hash index. */
#define OLIST_LINEAR 8u

/* The low bits of a product depend only on the low bits of nk, and new
 * keys' offsets share them (cells of equal sizes in a row): mix first. */
static size_t slot_of(uint32_t nk, size_t cap)
{
    uint32_t h = nk / 8u;
    h ^= h >> 16;
    h *= 0x7feb352dU;
    h ^= h >> 15;
    h *= 0x846ca68bU;
    h ^= h >> 16;
    return (size_t)h & (cap - 1);
}

struct dcsi_regf_keyst *dcsi_regf_keyst_get(const struct dcsi_regf *r, uint32_t nk)
{
    if (!r->kcap)
        return NULL;
    if (r->klast && r->klast->nk == nk) /* lookups come in runs on one key */
        return r->klast;
    for (size_t i = slot_of(nk, r->kcap);; i = (i + 1) & (r->kcap - 1)) {
        if (!r->knk[i])
            return NULL;
        if (r->knk[i] == nk)
            return r->keys[i];
    }
}

static bool keys_grow(struct dcsi_regf *r)
{
    size_t cap = r->kcap ? r->kcap * 2 : 64;
    struct dcsi_regf_keyst **t = calloc(cap, sizeof *t); // NOLINT(bugprone-sizeof-expression): an array of pointers
    uint32_t *tn = calloc(cap, sizeof *tn);
    if (!t || !tn) {
        free(t);
        free(tn);
        return false;
    }
    for (size_t i = 0; i < r->kcap; i++) {
        uint32_t nk = r->knk[i]; /* not k->nk: a cache miss per state */
        if (!nk)
            continue;
        size_t j = slot_of(nk, cap);
        while (tn[j])
            j = (j + 1) & (cap - 1);
        t[j] = r->keys[i];
        tn[j] = nk;
    }
    free(r->keys);
    free(r->knk);
    r->keys = t;
    r->knk = tn;
    r->kcap = cap;
    return true;
}

/* Key states are taken from slabs: an import edits one key after another,
 * and a malloc and a free for each of them cost more than its edits. */
#define KSLAB_N 256u

struct dcsi_regf_kslab {
    struct dcsi_regf_kslab *next; /* the next newer slab */
    uint32_t used;
    struct dcsi_regf_keyst k[KSLAB_N];
};

static struct dcsi_regf_keyst *keyst_new(struct dcsi_regf *r)
{
    if (r->kfree) {
        /* an import drops each key's state once its values are written:
         * the same few states serve every key, and stay in the cache */
        struct dcsi_regf_keyst *k = r->kfree;
        r->kfree = k->next_free;
        memset(k, 0, sizeof *k);
        return k;
    }
    if (!r->kslab || r->kslab->used == KSLAB_N) {
        struct dcsi_regf_kslab *s = malloc(sizeof *s);
        if (!s)
            return NULL;
        s->next = NULL;
        s->used = 0;
        if (r->kslab)
            r->kslab->next = s;
        else
            r->kfirst = s;
        r->kslab = s;
    }
    struct dcsi_regf_keyst *k = &r->kslab->k[r->kslab->used++];
    memset(k, 0, sizeof *k);
    return k;
}

static dcs_status keyst_make(struct dcsi_regf *r, uint32_t nk, struct dcsi_regf_keyst **out,
                             struct dcs_error *err)
{
    /* edits come key by key: mostly the key of the call before */
    if (r->klast && r->klast->nk == nk) {
        *out = r->klast;
        return DCS_OK;
    }
    *out = dcsi_regf_keyst_get(r, nk);
    if (*out) {
        r->klast = *out;
        return DCS_OK;
    }
    if ((r->nkeys + 1) * 2 > r->kcap && !keys_grow(r))
        return nomem(err);
    struct dcsi_regf_keyst *k = keyst_new(r);
    if (!k)
        return nomem(err);
    k->nk = nk;
    size_t j = slot_of(nk, r->kcap);
    while (r->keys[j])
        j = (j + 1) & (r->kcap - 1);
    r->keys[j] = k;
    r->knk[j] = nk;
    r->nkeys++;
    r->klast = k;
    *out = k;
    return DCS_OK;
}

static void olist_free(struct dcsi_regf_olist *l)
{
    if (l->off != l->inl_off) {
        free(l->off);
        free(l->hash);
    }
    free(l->index);
    memset(l, 0, sizeof *l);
}

void dcsi_regf_keyst_drop(struct dcsi_regf *r, uint32_t nk)
{
    if (!r->kcap)
        return;
    size_t i = slot_of(nk, r->kcap);
    while (r->keys[i] && r->keys[i]->nk != nk)
        i = (i + 1) & (r->kcap - 1);
    if (!r->keys[i])
        return;
    struct dcsi_regf_keyst *gone = r->keys[i];
    olist_free(&gone->vals);
    olist_free(&gone->kids);
    if (r->klast == gone)
        r->klast = NULL;
    if (r->vlast == gone)
        r->vlast = NULL;
    /* its slab slot is marked dead (0 is never a cell) and taken again by
     * the next new state */
    gone->nk = 0;
    gone->vals_dirty = gone->kids_dirty = false;
    gone->next_free = r->kfree;
    r->kfree = gone;
    r->keys[i] = NULL;
    r->knk[i] = 0;
    r->nkeys--;
    /* re-seat the rest of the probe run (linear-probing delete) */
    for (size_t j = (i + 1) & (r->kcap - 1); r->keys[j]; j = (j + 1) & (r->kcap - 1)) {
        struct dcsi_regf_keyst *k = r->keys[j];
        r->keys[j] = NULL;
        r->knk[j] = 0;
        size_t s = slot_of(k->nk, r->kcap);
        while (r->keys[s])
            s = (s + 1) & (r->kcap - 1);
        r->keys[s] = k;
        r->knk[s] = k->nk;
    }
}

int dcsi_regf_keyst_each(struct dcsi_regf *r, dcsi_regf_keyst_fn fn, void *ctx)
{
    for (struct dcsi_regf_kslab *s = r->kfirst; s; s = s->next)
        for (uint32_t i = 0; i < s->used; i++)
            if (s->k[i].nk) {
                int stop = fn(ctx, &s->k[i]);
                if (stop)
                    return stop;
            }
    return 0;
}

void dcsi_regf_keys_free(struct dcsi_regf *r)
{
    /* slab by slab, not through the table: in memory order (dead states
     * hold empty lists, which free nothing) */
    while (r->kfirst) {
        struct dcsi_regf_kslab *next = r->kfirst->next;
        for (uint32_t i = 0; i < r->kfirst->used; i++) {
            olist_free(&r->kfirst->k[i].vals);
            olist_free(&r->kfirst->k[i].kids);
        }
        free(r->kfirst);
        r->kfirst = next;
    }
    r->kslab = NULL;
    r->kfree = NULL;
    free(r->keys);
    free(r->knk);
    r->keys = NULL;
    r->knk = NULL;
    r->klast = r->vlast = NULL;
    r->kcap = r->nkeys = 0;
}

/* ---- offset lists with a name index ------------------------------------- */

static bool entry_name(const struct dcsi_regf *r, uint32_t off, bool kids,
                       struct dcsi_regf_name *name)
{
    if (kids) {
        struct dcsi_regf_nk nk;
        if (dcsi_regf_nk(r, off, &nk, NULL) != DCS_OK)
            return false;
        *name = nk.name;
    } else {
        struct dcsi_regf_vk vk;
        if (dcsi_regf_vk(r, off, &vk, NULL) != DCS_OK)
            return false;
        *name = vk.name;
    }
    return true;
}

long dcsi_regf_olist_find(const struct dcsi_regf *r, const struct dcsi_regf_olist *l, bool kids,
                          const uint16_t *up, size_t n, uint32_t hash)
{
    struct dcsi_regf_name name;
    if (!l->icap) {
        for (uint32_t e = 0; e < l->n; e++)
            if (l->off[e] && l->hash[e] == hash && entry_name(r, l->off[e], kids, &name) &&
                dcsi_regf_name_cmp_up(up, n, &name) == 0)
                return (long)e;
        return -1;
    }
    for (size_t i = hash & (l->icap - 1);; i = (i + 1) & (l->icap - 1)) {
        uint32_t e = l->index[i];
        if (!e)
            return -1;
        e--;
        if (l->off[e] && l->hash[e] == hash && entry_name(r, l->off[e], kids, &name) &&
            dcsi_regf_name_cmp_up(up, n, &name) == 0)
            return (long)e;
    }
}

/* Rebuild the index for entries 0..n (drops deleted ones' slots). */
static bool reindex(struct dcsi_regf_olist *l, uint32_t icap)
{
    uint32_t *t = calloc(icap, sizeof *t);
    if (!t)
        return false;
    for (uint32_t e = 0; e < l->n; e++) {
        if (!l->off[e])
            continue;
        size_t i = l->hash[e] & (icap - 1);
        while (t[i])
            i = (i + 1) & (icap - 1);
        t[i] = e + 1;
    }
    free(l->index);
    l->index = t;
    l->icap = icap;
    return true;
}

/* Room for one more entry: the inline arrays first, then the heap. */
static dcs_status olist_grow(struct dcsi_regf_olist *l, struct dcs_error *err)
{
    if (!l->cap) {
        l->off = l->inl_off;
        l->hash = l->inl_hash;
        l->cap = 4;
        return DCS_OK;
    }
    uint32_t cap = l->cap * 2;
    bool inl = l->off == l->inl_off;
    uint32_t *o = realloc(inl ? NULL : l->off, cap * sizeof *o);
    if (!o)
        return nomem(err);
    if (inl)
        memcpy(o, l->inl_off, sizeof l->inl_off);
    l->off = o;
    uint32_t *h = malloc(cap * sizeof *h);
    if (!h) {
        if (inl) { /* back to the inline arrays, which are still whole */
            free(o);
            l->off = l->inl_off;
        }
        return nomem(err);
    }
    memcpy(h, l->hash, (size_t)l->n * sizeof *h);
    if (!inl)
        free(l->hash);
    l->hash = h;
    l->cap = cap;
    return DCS_OK;
}

dcs_status dcsi_regf_olist_add(struct dcsi_regf_olist *l, uint32_t off, uint32_t hash,
                               struct dcs_error *err)
{
    if (l->n == UINT32_MAX / 4)
        return dcs_error_set(err, DCS_ERR_LIMIT, DCS_NO_OFFSET, "too many entries in one key");
    if (l->n == l->cap) {
        dcs_status rc = olist_grow(l, err);
        if (rc != DCS_OK)
            return rc;
    }
    /* index entries (live or deleted) stay under half the slots; a short
     * list (most keys' values) is searched without one */
    if ((l->n + 1) * 2 > l->icap && (l->icap || l->n + 1 > OLIST_LINEAR)) {
        uint32_t icap = l->icap ? l->icap : 32;
        while ((l->live + 1) * 4 > icap)
            icap *= 2;
        if (icap < 32)
            icap = 32;
        if ((l->n + 1) * 2 > icap) {
            /* many deleted entries: squeeze them out first */
            uint32_t k = 0;
            for (uint32_t e = 0; e < l->n; e++)
                if (l->off[e]) {
                    l->off[k] = l->off[e];
                    l->hash[k++] = l->hash[e];
                }
            l->n = k;
        }
        if (!reindex(l, icap))
            return nomem(err);
    }
    uint32_t e = l->n++;
    l->off[e] = off;
    l->hash[e] = hash;
    l->live++;
    if (l->icap) {
        size_t i = hash & (l->icap - 1);
        while (l->index[i])
            i = (i + 1) & (l->icap - 1);
        l->index[i] = e + 1;
    }
    l->sorted = false;
    return DCS_OK;
}

void dcsi_regf_olist_del(struct dcsi_regf_olist *l, uint32_t i)
{
    /* keeps the stored order of the others; the index slot goes stale */
    if (l->off[i]) {
        l->off[i] = 0;
        l->live--;
    }
}

/* ---- loading a key's lists -------------------------------------------------- */

struct loader {
    const struct dcsi_regf *r;
    struct dcsi_regf_olist *l;
    bool kids;
    dcs_status rc;
    struct dcs_error *err;
    /* subkeys: the last name seen, and whether all came in Windows order */
    struct dcsi_regf_name last;
    bool in_order;
};

static int load_one(void *ctx, uint32_t off)
{
    struct loader *ld = ctx;
    struct dcsi_regf_name name;
    dcs_status rc = ld->kids ? dcsi_regf_nk(ld->r, off, &(struct dcsi_regf_nk){0}, ld->err)
                             : dcsi_regf_vk(ld->r, off, &(struct dcsi_regf_vk){0}, ld->err);
    if (rc == DCS_OK && !entry_name(ld->r, off, ld->kids, &name))
        rc = DCS_ERR_HIVE_CORRUPT;
    if (rc == DCS_OK && ld->kids) {
        if (ld->l->n && dcsi_regf_name_cmp(&ld->last, &name) >= 0)
            ld->in_order = false;
        ld->last = name;
    }
    if (rc == DCS_OK)
        rc = dcsi_regf_olist_add(ld->l, off, dcsi_regf_ihash(&name), ld->err);
    ld->rc = rc;
    return rc != DCS_OK;
}

dcs_status dcsi_regf_keyst_vals(struct dcsi_regf *r, uint32_t nk, struct dcsi_regf_keyst **out,
                                struct dcs_error *err)
{
    dcs_status rc = keyst_make(r, nk, out, err);
    if (rc != DCS_OK || (*out)->vals_loaded)
        return rc;
    struct loader ld = {r, &(*out)->vals, false, DCS_OK, err, {0}, true};
    rc = dcsi_regf_each_val(r, nk, load_one, &ld, NULL, err);
    if (rc == DCS_OK)
        rc = ld.rc;
    if (rc != DCS_OK) {
        olist_free(&(*out)->vals);
        return rc;
    }
    (*out)->vals_loaded = true;
    return DCS_OK;
}

dcs_status dcsi_regf_keyst_kids(struct dcsi_regf *r, uint32_t nk, struct dcsi_regf_keyst **out,
                                struct dcs_error *err)
{
    dcs_status rc = keyst_make(r, nk, out, err);
    if (rc != DCS_OK || !*out || (*out)->kids_loaded)
        return rc;
    struct loader ld = {r, &(*out)->kids, true, DCS_OK, err, {0}, true};
    rc = dcsi_regf_each_kid(r, nk, load_one, &ld, NULL, err);
    if (rc == DCS_OK)
        rc = ld.rc;
    if (rc != DCS_OK) {
        olist_free(&(*out)->kids);
        return rc;
    }
    /* checked, not assumed: a foreign writer may have mis-sorted it, and
     * adds in order (dcsi_regf_add_key) keep this flag */
    (*out)->kids.sorted = ld.in_order;
    (*out)->kids_loaded = true;
    return DCS_OK;
}

/* ---- Windows order of subkeys ------------------------------------------------ */

static int kid_cmp(const struct dcsi_regf *r, uint32_t a, uint32_t b)
{
    struct dcsi_regf_name na, nb;
    /* the entries were checked when added; a failure here cannot happen */
    if (!entry_name(r, a, true, &na) || !entry_name(r, b, true, &nb))
        return 0;
    return dcsi_regf_name_cmp(&na, &nb);
}

/* Bottom-up merge sort (stable, no recursion, O(n log n)). */
static bool merge_sort(const struct dcsi_regf *r, uint32_t *a, uint32_t *ha, uint32_t n)
{
    uint32_t *b = malloc((n ? n : 1) * sizeof *b), *hb = malloc((n ? n : 1) * sizeof *hb);
    if (!b || !hb) {
        free(b);
        free(hb);
        return false;
    }
    uint32_t *src = a, *dst = b, *hsrc = ha, *hdst = hb;
    for (uint32_t w = 1; w < n; w *= 2) {
        for (uint32_t lo = 0; lo < n; lo += 2 * w) {
            uint32_t mid = lo + w < n ? lo + w : n, hi = lo + 2 * w < n ? lo + 2 * w : n;
            uint32_t i = lo, j = mid, k = lo;
            while (i < mid && j < hi) {
                bool left = kid_cmp(r, src[i], src[j]) <= 0;
                hdst[k] = left ? hsrc[i] : hsrc[j];
                dst[k++] = left ? src[i++] : src[j++];
            }
            while (i < mid) {
                hdst[k] = hsrc[i];
                dst[k++] = src[i++];
            }
            while (j < hi) {
                hdst[k] = hsrc[j];
                dst[k++] = src[j++];
            }
        }
        uint32_t *t = src;
        src = dst;
        dst = t;
        t = hsrc;
        hsrc = hdst;
        hdst = t;
    }
    if (src != a) {
        memcpy(a, src, (size_t)n * sizeof *a);
        memcpy(ha, hsrc, (size_t)n * sizeof *ha);
    }
    free(b);
    free(hb);
    return true;
}

dcs_status dcsi_regf_kids_sort(const struct dcsi_regf *r, struct dcsi_regf_olist *l,
                               struct dcs_error *err)
{
    if (l->sorted && l->live == l->n)
        return DCS_OK;
    uint32_t k = 0;
    for (uint32_t e = 0; e < l->n; e++)
        if (l->off[e]) {
            l->off[k] = l->off[e];
            l->hash[k++] = l->hash[e];
        }
    l->n = k;
    /* a .reg file lists a key's subkeys in order: one pass proves it */
    for (uint32_t e = 1; !l->sorted && e <= l->n; e++)
        if (e == l->n)
            l->sorted = true;
        else if (kid_cmp(r, l->off[e - 1], l->off[e]) > 0)
            break;
    if (!l->sorted && !merge_sort(r, l->off, l->hash, l->n))
        return nomem(err);
    if (l->icap && !reindex(l, l->icap))
        return nomem(err);
    l->sorted = true;
    return DCS_OK;
}
