/* regf writer: the edits.  New cells are written at once; the lists that
 * point at them wait in the per-key state (regf_keys.c) until commit. */
#include "hive/regf.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#define NK_FIXED 76u
#define VK_FIXED 20u

static dcs_status nomem(struct dcs_error *err)
{
    return dcs_error_set(err, DCS_ERR_NOMEM, DCS_NO_OFFSET, "out of memory");
}

static uint64_t filetime_now(void)
{
    /* 100 ns ticks since 1601-01-01 */
    return ((uint64_t)time(NULL) + 11644473600ull) * 10000000ull;
}

dcs_status dcsi_regf_begin_edit(struct dcsi_regf *r, struct dcs_error *err)
{
    if (r->checked)
        return DCS_OK;
    /* edits free cells: they must not be shared with another key */
    dcs_status rc = dcsi_regf_check(r, 0, err);
    if (rc == DCS_OK)
        rc = dcsi_regf_alloc_init(r, err);
    if (rc == DCS_OK) {
        r->checked = true;
        r->now = r->fixed_time ? r->fixed_time : filetime_now();
    }
    return rc;
}

/* Values of a key edited last, up to this many, have their list written as
 * soon as an edit moves to another key (see settle_last). */
#define SETTLE_MAX 64u

/* An import sets a key's values, then moves on to the next key: the list of
 * the key left behind is written at once, while its value cells are still in
 * the cache, and its state is dropped, so that the import keeps a handful of
 * key states (a small table that stays in the cache) instead of one per key,
 * and the commit has no list left to write for it.  Only short lists: a key
 * edited again later has its list reloaded and written again, and a bound on
 * the size keeps edits that alternate between keys linear.  Called before
 * the edit holds any pointer into the hive. */
static dcs_status settle_last(struct dcsi_regf *r, uint32_t nk, struct dcs_error *err)
{
    struct dcsi_regf_keyst *ks = r->vlast;
    if (!ks || ks->nk == nk || !ks->vals_dirty || ks->vals.n > SETTLE_MAX)
        return DCS_OK;
    dcs_status rc = dcsi_regf_write_vals(r, ks, err);
    if (rc != DCS_OK)
        return rc;
    ks->vals_dirty = false;
    /* a loaded subkey list may be long: kept, it is not read twice */
    if (!ks->kids_loaded)
        dcsi_regf_keyst_drop(r, ks->nk);
    return DCS_OK;
}

/* A name fits in extended ASCII when every unit is below 256. */
static bool fits_comp(const uint16_t *u, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (u[i] > 0xFF)
            return false;
    return true;
}

static void put_name(uint8_t *dst, const uint16_t *u, size_t n, bool comp)
{
    for (size_t i = 0; i < n; i++) {
        if (comp)
            dst[i] = (uint8_t)u[i];
        else
            dcsi_wr16(dst + 2 * i, u[i]);
    }
}

static void sk_ref(struct dcsi_regf *r, uint32_t sk, int delta)
{
    uint32_t len;
    uint8_t *c = dcsi_regf_cell(r, sk, &len);
    if (!c || len < 20 || c[0] != 's' || c[1] != 'k')
        return;
    uint32_t refs = dcsi_rd32(c + 12);
    if (delta > 0) {
        dcsi_wr32(c + 12, refs + 1);
        return;
    }
    if (refs > 1) {
        dcsi_wr32(c + 12, refs - 1);
        return;
    }
    /* last user gone: unlink it from the list of security cells, free it */
    uint32_t flink = dcsi_rd32(c + 4), blink = dcsi_rd32(c + 8), l2;
    if (flink == sk)
        return; /* the only one: a hive keeps at least one */
    uint8_t *next = dcsi_regf_cell(r, flink, &l2), *prev = dcsi_regf_cell(r, blink, &l2);
    if (!next || !prev)
        return;
    dcsi_wr32(prev + 4, flink);
    dcsi_wr32(next + 8, blink);
    dcsi_regf_release(r, sk);
}

dcs_status dcsi_regf_add_key(struct dcsi_regf *r, uint32_t parent, const uint16_t *units,
                             size_t n, uint32_t *out, struct dcs_error *err)
{
    *out = 0;
    struct dcsi_regf_keyst *ks;
    dcs_status rc = dcsi_regf_begin_edit(r, err);
    if (rc == DCS_OK)
        rc = settle_last(r, parent, err);
    if (rc == DCS_OK)
        rc = dcsi_regf_keyst_kids(r, parent, &ks, err);
    if (rc != DCS_OK)
        return rc;
    struct dcsi_regf_nk pk;
    rc = dcsi_regf_nk(r, parent, &pk, err);
    if (rc != DCS_OK)
        return rc;
    bool comp = fits_comp(units, n);
    uint32_t nbytes = (uint32_t)(comp ? n : 2 * n), off;
    rc = dcsi_regf_alloc(r, NK_FIXED + nbytes, &off, err);
    if (rc != DCS_OK)
        return rc;
    uint8_t *c = r->data + DCSI_REGF_BASE + off + 4;
    c[0] = 'n';
    c[1] = 'k';
    dcsi_wr16(c + 2, comp ? DCSI_NK_COMP_NAME : 0);
    dcsi_wr32(c + 4, (uint32_t)r->now);
    dcsi_wr32(c + 8, (uint32_t)(r->now >> 32));
    dcsi_wr32(c + 16, parent);
    dcsi_wr32(c + 28, DCSI_REGF_NONE);
    dcsi_wr32(c + 32, DCSI_REGF_NONE);
    dcsi_wr32(c + 40, DCSI_REGF_NONE);
    dcsi_wr32(c + 44, pk.sk); /* the parent's security, shared */
    dcsi_wr32(c + 48, DCSI_REGF_NONE);
    dcsi_wr16(c + 72, (uint16_t)nbytes);
    put_name(c + NK_FIXED, units, n, comp);
    sk_ref(r, pk.sk, +1);
    uint16_t up[DCSI_REGF_KEY_NAME_MAX];
    for (size_t i = 0; i < n; i++)
        up[i] = dcsi_regf_upcase(units[i]);
    /* a .reg file adds a key's subkeys in Windows order: noticed here, where
     * the last one is still in the cache, the commit need not read them all
     * again to find the list sorted */
    struct dcsi_regf_olist *kl = &ks->kids;
    bool in_order = kl->sorted && kl->live == kl->n;
    if (in_order && kl->n) {
        struct dcsi_regf_nk last, added;
        in_order = dcsi_regf_nk(r, kl->off[kl->n - 1], &last, NULL) == DCS_OK &&
                   dcsi_regf_nk(r, off, &added, NULL) == DCS_OK &&
                   dcsi_regf_name_cmp(&last.name, &added.name) < 0;
    }
    rc = dcsi_regf_olist_add(kl, off, dcsi_regf_ihash_up(up, n), err);
    if (rc == DCS_OK)
        kl->sorted = in_order;
    if (rc != DCS_OK) {
        sk_ref(r, pk.sk, -1);
        dcsi_regf_release(r, off);
        return rc;
    }
    ks->kids_dirty = true;
    *out = off;
    return DCS_OK;
}

/* Free a value's data cells (plain or big data). */
static void free_data(struct dcsi_regf *r, const struct dcsi_regf_vk *vk)
{
    uint32_t len;
    if (vk->inline_data || vk->size == 0)
        return;
    const uint8_t *c = dcsi_regf_cell(r, vk->data, &len);
    if (!c)
        return;
    if (vk->size > DCSI_REGF_SEGMENT && r->minor >= 4 && len >= 8 && c[0] == 'd' &&
        c[1] == 'b') {
        uint16_t nseg = dcsi_rd16(c + 2);
        uint32_t list = dcsi_rd32(c + 4), llen;
        const uint8_t *segs = dcsi_regf_cell(r, list, &llen);
        for (uint16_t i = 0; segs && i < nseg && (size_t)i * 4 + 4 <= llen; i++) {
            dcsi_regf_release(r, dcsi_rd32(segs + 4 * (size_t)i));
            segs = dcsi_regf_cell(r, list, &llen);
        }
        dcsi_regf_release(r, list);
    }
    dcsi_regf_release(r, vk->data);
}

static void free_value(struct dcsi_regf *r, uint32_t off)
{
    struct dcsi_regf_vk vk;
    if (dcsi_regf_vk(r, off, &vk, NULL) != DCS_OK)
        return;
    free_data(r, &vk);
    dcsi_regf_release(r, off);
}

/* Data cells of a new value: inline, one cell, or big data segments. */
static dcs_status write_data(struct dcsi_regf *r, const uint8_t *data, size_t len,
                             uint32_t *field, struct dcs_error *err)
{
    if (len <= 4) {
        uint8_t small[4] = {0};
        if (len)
            memcpy(small, data, len);
        *field = dcsi_rd32(small);
        return DCS_OK;
    }
    uint32_t off;
    dcs_status rc;
    if (len <= DCSI_REGF_SEGMENT || r->minor < 4) {
        rc = dcsi_regf_alloc(r, (uint32_t)len, &off, err);
        if (rc == DCS_OK)
            memcpy(r->data + DCSI_REGF_BASE + off + 4, data, len);
        *field = off;
        return rc;
    }
    uint32_t nseg = (uint32_t)((len + DCSI_REGF_SEGMENT - 1) / DCSI_REGF_SEGMENT), db, list;
    rc = dcsi_regf_alloc(r, 8, &db, err);
    if (rc == DCS_OK)
        rc = dcsi_regf_alloc(r, 4 * nseg, &list, err);
    if (rc != DCS_OK)
        return rc;
    for (uint32_t i = 0; i < nseg; i++) {
        size_t at = (size_t)i * DCSI_REGF_SEGMENT;
        uint32_t n = (uint32_t)(len - at < DCSI_REGF_SEGMENT ? len - at : DCSI_REGF_SEGMENT);
        uint32_t seg;
        /* Windows gives the last segment a full-size cell too (other
         * readers, libhivex among them, count on it) */
        rc = dcsi_regf_alloc(r, DCSI_REGF_SEGMENT, &seg, err);
        if (rc != DCS_OK)
            return rc; /* cells already taken are leaks the check tolerates */
        memcpy(r->data + DCSI_REGF_BASE + seg + 4, data + at, n);
        dcsi_wr32(r->data + DCSI_REGF_BASE + list + 4 + 4 * (size_t)i, seg);
    }
    uint8_t *c = r->data + DCSI_REGF_BASE + db + 4;
    c[0] = 'd';
    c[1] = 'b';
    dcsi_wr16(c + 2, (uint16_t)nseg);
    dcsi_wr32(c + 4, list);
    *field = db;
    return DCS_OK;
}

dcs_status dcsi_regf_set_val(struct dcsi_regf *r, uint32_t nk, const uint16_t *units,
                             const uint16_t *up, size_t n, uint32_t type, const void *data,
                             size_t len, struct dcs_error *err)
{
    if (len > DCSI_REGF_DATA_MAX)
        return dcs_error_set(err, DCS_ERR_LIMIT, DCS_NO_OFFSET,
                             "value data of %zu bytes (a hive value holds at most %zu)", len,
                             DCSI_REGF_DATA_MAX);
    struct dcsi_regf_keyst *ks;
    dcs_status rc = dcsi_regf_begin_edit(r, err);
    if (rc == DCS_OK)
        rc = settle_last(r, nk, err);
    if (rc == DCS_OK)
        rc = dcsi_regf_keyst_vals(r, nk, &ks, err);
    if (rc != DCS_OK)
        return rc;
    r->vlast = ks;
    uint32_t hash = dcsi_regf_ihash_up(up, n);
    long old = dcsi_regf_olist_find(r, &ks->vals, false, up, n, hash);
    uint32_t field = 0, vk;
    rc = write_data(r, data, len, &field, err);
    bool comp = fits_comp(units, n);
    uint32_t nbytes = (uint32_t)(comp ? n : 2 * n);
    if (rc == DCS_OK)
        rc = dcsi_regf_alloc(r, VK_FIXED + nbytes, &vk, err);
    if (rc != DCS_OK)
        return rc;
    uint8_t *c = r->data + DCSI_REGF_BASE + vk + 4;
    c[0] = 'v';
    c[1] = 'k';
    dcsi_wr16(c + 2, (uint16_t)nbytes);
    dcsi_wr32(c + 4, (uint32_t)len | (len <= 4 ? 0x80000000u : 0));
    dcsi_wr32(c + 8, field);
    dcsi_wr32(c + 12, type);
    dcsi_wr16(c + 16, comp ? DCSI_VK_COMP_NAME : 0);
    put_name(c + VK_FIXED, units, n, comp);
    if (old >= 0) {
        /* replaced in place: the value keeps its position */
        free_value(r, ks->vals.off[old]);
        ks->vals.off[old] = vk;
    } else {
        rc = dcsi_regf_olist_add(&ks->vals, vk, hash, err);
        if (rc != DCS_OK) {
            free_value(r, vk);
            return rc;
        }
    }
    ks->vals_dirty = true;
    return DCS_OK;
}

dcs_status dcsi_regf_del_val(struct dcsi_regf *r, uint32_t nk, const uint16_t *up, size_t n,
                             bool *deleted, struct dcs_error *err)
{
    *deleted = false;
    struct dcsi_regf_keyst *ks;
    dcs_status rc = dcsi_regf_begin_edit(r, err);
    if (rc == DCS_OK)
        rc = dcsi_regf_keyst_vals(r, nk, &ks, err);
    if (rc != DCS_OK)
        return rc;
    long i = dcsi_regf_olist_find(r, &ks->vals, false, up, n, dcsi_regf_ihash_up(up, n));
    if (i < 0)
        return DCS_OK;
    free_value(r, ks->vals.off[i]);
    dcsi_regf_olist_del(&ks->vals, (uint32_t)i);
    ks->vals_dirty = true;
    *deleted = true;
    return DCS_OK;
}

dcs_status dcsi_regf_clear_vals(struct dcsi_regf *r, uint32_t nk, struct dcs_error *err)
{
    struct dcsi_regf_keyst *ks;
    dcs_status rc = dcsi_regf_begin_edit(r, err);
    if (rc == DCS_OK)
        rc = dcsi_regf_keyst_vals(r, nk, &ks, err);
    if (rc != DCS_OK)
        return rc;
    for (uint32_t i = 0; i < ks->vals.n; i++) {
        if (ks->vals.off[i]) {
            free_value(r, ks->vals.off[i]);
            dcsi_regf_olist_del(&ks->vals, i);
        }
    }
    ks->vals.n = 0;
    if (ks->vals.index) /* no index is built until a list grows */
        memset(ks->vals.index, 0, (size_t)ks->vals.icap * sizeof *ks->vals.index);
    ks->vals_dirty = true;
    return DCS_OK;
}

/* ---- deleting a subtree (no recursion: an explicit stack of keys) ---------- */

struct stack {
    uint32_t *v;
    size_t n, cap;
    bool nomem;
};

static int push_kid(void *ctx, uint32_t off)
{
    struct stack *s = ctx;
    if (s->n == s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 64;
        uint32_t *v = realloc(s->v, cap * sizeof *v);
        if (!v) {
            s->nomem = true;
            return 1;
        }
        s->v = v;
        s->cap = cap;
    }
    s->v[s->n++] = off;
    return 0;
}

static int free_val_cb(void *ctx, uint32_t off)
{
    free_value(ctx, off);
    return 0;
}

/* Free the cells of key nk itself; its subkeys were pushed on s. */
static dcs_status free_key(struct dcsi_regf *r, uint32_t nk_off, struct stack *s,
                           struct dcs_error *err)
{
    struct dcsi_regf_nk nk;
    dcs_status rc = dcsi_regf_nk(r, nk_off, &nk, err);
    if (rc == DCS_OK)
        rc = dcsi_regf_each_kid(r, nk_off, push_kid, s, NULL, err);
    if (rc == DCS_OK && s->nomem)
        rc = nomem(err);
    if (rc == DCS_OK)
        rc = dcsi_regf_each_val(r, nk_off, free_val_cb, r, NULL, err);
    if (rc != DCS_OK)
        return rc;
    /* the on-disk lists (pending ones were never written) */
    uint32_t len;
    const uint8_t *c = nk.nsub ? dcsi_regf_cell(r, nk.sublist, &len) : NULL;
    if (c && len >= 4 && c[0] == 'r' && c[1] == 'i') {
        uint16_t n = dcsi_rd16(c + 2);
        for (uint16_t i = 0; i < n && (size_t)i * 4 + 8 <= len; i++) {
            dcsi_regf_release(r, dcsi_rd32(c + 4 + 4 * (size_t)i));
            c = dcsi_regf_cell(r, nk.sublist, &len);
        }
    }
    if (nk.nsub)
        dcsi_regf_release(r, nk.sublist);
    if (nk.nval)
        dcsi_regf_release(r, nk.vallist);
    if (nk.class_len && nk.class_off != DCSI_REGF_NONE)
        dcsi_regf_release(r, nk.class_off);
    sk_ref(r, nk.sk, -1);
    dcsi_regf_keyst_drop(r, nk_off);
    dcsi_regf_release(r, nk_off);
    return DCS_OK;
}

dcs_status dcsi_regf_del_key(struct dcsi_regf *r, uint32_t nk_off, struct dcs_error *err)
{
    struct dcsi_regf_nk nk;
    struct dcsi_regf_keyst *ps;
    dcs_status rc = dcsi_regf_begin_edit(r, err);
    if (rc == DCS_OK)
        rc = dcsi_regf_nk(r, nk_off, &nk, err);
    if (rc == DCS_OK)
        rc = dcsi_regf_keyst_kids(r, nk.parent, &ps, err);
    if (rc != DCS_OK)
        return rc;
    size_t n = dcsi_regf_name_units(&nk.name);
    uint16_t up[DCSI_REGF_KEY_NAME_MAX + 1];
    if (n > DCSI_REGF_KEY_NAME_MAX + 1)
        n = DCSI_REGF_KEY_NAME_MAX + 1;
    for (size_t i = 0; i < n; i++)
        up[i] = dcsi_regf_upcase(dcsi_regf_name_unit(&nk.name, i));
    long i = dcsi_regf_olist_find(r, &ps->kids, true, up, n, dcsi_regf_ihash_up(up, n));
    if (i < 0 || ps->kids.off[i] != nk_off)
        return dcs_error_set(err, DCS_ERR_HIVE_CORRUPT, DCSI_REGF_BASE + (uint64_t)nk_off,
                             "key at 0x%x is not a subkey of its parent 0x%x", nk_off,
                             nk.parent);
    dcsi_regf_olist_del(&ps->kids, (uint32_t)i);
    ps->kids_dirty = true;
    struct stack s = {0};
    rc = push_kid(&s, nk_off) ? nomem(err) : DCS_OK;
    while (rc == DCS_OK && s.n)
        rc = free_key(r, s.v[--s.n], &s, err);
    free(s.v);
    return rc;
}
