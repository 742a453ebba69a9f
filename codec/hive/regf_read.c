/* regf reader, part 2: key nodes, subkey lists (li, lf, lh, ri), value
 * lists, key values and their data (spec: "Key node", "Index leaf", "Fast
 * leaf", "Hash leaf", "Index root", "Key values list", "Key value", "Big
 * data").  Every offset is checked with dcsi_regf_cell before use. */
#include "hive/regf.h"

#include <stdlib.h>
#include <string.h>

#define NK_FIXED 76u
#define VK_FIXED 20u

#define CORRUPT(err, off, ...) \
    dcs_error_set((err), DCS_ERR_HIVE_CORRUPT, (uint64_t)DCSI_REGF_BASE + (off), __VA_ARGS__)

dcs_status dcsi_regf_nk(const struct dcsi_regf *r, uint32_t off, struct dcsi_regf_nk *nk,
                        struct dcs_error *err)
{
    uint32_t len;
    const uint8_t *c = dcsi_regf_cell(r, off, &len);
    if (!c)
        return CORRUPT(err, off, "key at 0x%x: not an allocated cell", off);
    if (len < NK_FIXED || c[0] != 'n' || c[1] != 'k')
        return CORRUPT(err, off, "key at 0x%x: no key node (\"nk\") there", off);
    nk->off = off;
    nk->flags = dcsi_rd16(c + 2);
    nk->parent = dcsi_rd32(c + 16);
    nk->nsub = dcsi_rd32(c + 20);
    nk->sublist = dcsi_rd32(c + 28);
    nk->nval = dcsi_rd32(c + 36);
    nk->vallist = dcsi_rd32(c + 40);
    nk->sk = dcsi_rd32(c + 44);
    nk->class_off = dcsi_rd32(c + 48);
    nk->class_len = dcsi_rd16(c + 74);
    uint16_t nlen = dcsi_rd16(c + 72);
    if (nlen > len - NK_FIXED)
        return CORRUPT(err, off, "key at 0x%x: name of %u bytes runs past its cell", off, nlen);
    nk->name.p = c + NK_FIXED;
    nk->name.bytes = nlen;
    nk->name.comp = (nk->flags & DCSI_NK_COMP_NAME) != 0;
    if (!nk->name.comp && nlen % 2)
        return CORRUPT(err, off, "key at 0x%x: UTF-16 name of odd length %u", off, nlen);
    return DCS_OK;
}

dcs_status dcsi_regf_vk(const struct dcsi_regf *r, uint32_t off, struct dcsi_regf_vk *vk,
                        struct dcs_error *err)
{
    uint32_t len;
    const uint8_t *c = dcsi_regf_cell(r, off, &len);
    if (!c)
        return CORRUPT(err, off, "value at 0x%x: not an allocated cell", off);
    if (len < VK_FIXED || c[0] != 'v' || c[1] != 'k')
        return CORRUPT(err, off, "value at 0x%x: no key value (\"vk\") there", off);
    uint16_t nlen = dcsi_rd16(c + 2);
    uint32_t size = dcsi_rd32(c + 4);
    vk->off = off;
    vk->flags = dcsi_rd16(c + 16);
    vk->type = dcsi_rd32(c + 12);
    vk->inline_data = (size & 0x80000000u) != 0;
    vk->size = size & 0x7FFFFFFFu;
    vk->data = dcsi_rd32(c + 8);
    if (vk->inline_data && vk->size > 4)
        return CORRUPT(err, off, "value at 0x%x: %u bytes of data stored inline", off,
                       vk->size);
    if (nlen > len - VK_FIXED)
        return CORRUPT(err, off, "value at 0x%x: name of %u bytes runs past its cell", off,
                       nlen);
    vk->name.p = c + VK_FIXED;
    vk->name.bytes = nlen;
    vk->name.comp = (vk->flags & DCSI_VK_COMP_NAME) != 0;
    if (!vk->name.comp && nlen % 2)
        return CORRUPT(err, off, "value at 0x%x: UTF-16 name of odd length %u", off, nlen);
    return DCS_OK;
}

/* A leaf (li, lf, lh): its element count and stride; 0 stride if not. */
static unsigned leaf_stride(const uint8_t *c, uint32_t len)
{
    if (len < 4 || c[0] != 'l')
        return 0;
    unsigned stride = c[1] == 'i' ? 4 : (c[1] == 'f' || c[1] == 'h') ? 8 : 0;
    if (stride && (uint64_t)dcsi_rd16(c + 2) * stride > len - 4)
        return 0;
    return stride;
}

static dcs_status each_in_leaf(const struct dcsi_regf *r, uint32_t off, dcsi_regf_off_fn fn,
                               void *ctx, int *stopped, uint32_t *count, struct dcs_error *err)
{
    uint32_t len;
    const uint8_t *c = dcsi_regf_cell(r, off, &len);
    unsigned stride = c ? leaf_stride(c, len) : 0;
    if (!stride)
        return CORRUPT(err, off, "subkey list at 0x%x: not a li, lf or lh list that fits its "
                                 "cell", off);
    uint16_t n = dcsi_rd16(c + 2);
    *count += n;
    for (uint16_t i = 0; i < n && !*stopped; i++) {
        /* the cell may move if fn edits: re-read it each time */
        c = dcsi_regf_cell(r, off, &len);
        if (!c)
            return CORRUPT(err, off, "subkey list at 0x%x changed while read", off);
        int s = fn(ctx, dcsi_rd32(c + 4 + (size_t)i * stride));
        if (s)
            *stopped = s;
    }
    return DCS_OK;
}

dcs_status dcsi_regf_disk_kids(const struct dcsi_regf *r, const struct dcsi_regf_nk *nk,
                               dcsi_regf_off_fn fn, void *ctx, int *stopped,
                               struct dcs_error *err)
{
    int stop = 0;
    if (!stopped)
        stopped = &stop;
    *stopped = 0;
    if (nk->nsub == 0)
        return DCS_OK;
    uint32_t len, count = 0;
    const uint8_t *c = dcsi_regf_cell(r, nk->sublist, &len);
    if (!c)
        return CORRUPT(err, nk->off, "key at 0x%x: %u subkeys but no list at 0x%x", nk->off,
                       nk->nsub, nk->sublist);
    dcs_status rc;
    /* counts first, so a bad list calls fn for none of its keys */
    uint32_t total = 0;
    if (len >= 4 && c[0] == 'r' && c[1] == 'i') {
        uint16_t n = dcsi_rd16(c + 2);
        if ((uint64_t)n * 4 > len - 4)
            return CORRUPT(err, nk->sublist, "index root at 0x%x: %u elements overrun it",
                           nk->sublist, n);
        for (uint16_t i = 0; i < n; i++) {
            uint32_t llen, leaf = dcsi_rd32(c + 4 + 4 * (size_t)i);
            const uint8_t *l = dcsi_regf_cell(r, leaf, &llen);
            if (!l || !leaf_stride(l, llen))
                return CORRUPT(err, leaf, "subkey list at 0x%x: not a li, lf or lh list that "
                                          "fits its cell", leaf);
            total += dcsi_rd16(l + 2);
        }
    } else if (len >= 4) {
        total = dcsi_rd16(c + 2);
    }
    if (total != nk->nsub)
        return CORRUPT(err, nk->off, "key at 0x%x: says %u subkeys, its list holds %u",
                       nk->off, nk->nsub, total);
    if (len >= 4 && c[0] == 'r' && c[1] == 'i') {
        uint16_t n = dcsi_rd16(c + 2);
        for (uint16_t i = 0; i < n && !*stopped; i++) {
            c = dcsi_regf_cell(r, nk->sublist, &len);
            uint32_t leaf = c ? dcsi_rd32(c + 4 + 4 * (size_t)i) : DCSI_REGF_NONE;
            rc = each_in_leaf(r, leaf, fn, ctx, stopped, &count, err);
            if (rc != DCS_OK)
                return rc;
        }
    } else {
        rc = each_in_leaf(r, nk->sublist, fn, ctx, stopped, &count, err);
        if (rc != DCS_OK)
            return rc;
    }
    (void)count;
    return DCS_OK;
}

dcs_status dcsi_regf_each_kid(struct dcsi_regf *r, uint32_t nk_off, dcsi_regf_off_fn fn,
                              void *ctx, int *stopped, struct dcs_error *err)
{
    int stop = 0;
    if (!stopped)
        stopped = &stop;
    *stopped = 0;
    struct dcsi_regf_keyst *ks = dcsi_regf_keyst_get(r, nk_off);
    if (ks && ks->kids_loaded) {
        dcs_status rc = dcsi_regf_kids_sort(r, &ks->kids, err);
        if (rc != DCS_OK)
            return rc;
        for (uint32_t i = 0; i < ks->kids.n && !*stopped; i++)
            *stopped = fn(ctx, ks->kids.off[i]);
        return DCS_OK;
    }
    struct dcsi_regf_nk nk = {0};
    dcs_status rc = dcsi_regf_nk(r, nk_off, &nk, err);
    if (rc != DCS_OK)
        return rc;
    return dcsi_regf_disk_kids(r, &nk, fn, ctx, stopped, err);
}

dcs_status dcsi_regf_each_val(struct dcsi_regf *r, uint32_t nk_off, dcsi_regf_off_fn fn,
                              void *ctx, int *stopped, struct dcs_error *err)
{
    int stop = 0;
    if (!stopped)
        stopped = &stop;
    *stopped = 0;
    struct dcsi_regf_keyst *ks = dcsi_regf_keyst_get(r, nk_off);
    if (ks && ks->vals_loaded) {
        for (uint32_t i = 0; i < ks->vals.n && !*stopped; i++)
            if (ks->vals.off[i])
                *stopped = fn(ctx, ks->vals.off[i]);
        return DCS_OK;
    }
    struct dcsi_regf_nk nk = {0};
    dcs_status rc = dcsi_regf_nk(r, nk_off, &nk, err);
    if (rc != DCS_OK || nk.nval == 0)
        return rc;
    uint32_t len;
    const uint8_t *c = dcsi_regf_cell(r, nk.vallist, &len);
    if (!c || (uint64_t)nk.nval * 4 > len)
        return CORRUPT(err, nk_off, "key at 0x%x: %u values but no list of that size at 0x%x",
                       nk_off, nk.nval, nk.vallist);
    for (uint32_t i = 0; i < nk.nval && !*stopped; i++) {
        c = dcsi_regf_cell(r, nk.vallist, &len);
        if (!c)
            return CORRUPT(err, nk.vallist, "value list at 0x%x changed while read",
                           nk.vallist);
        *stopped = fn(ctx, dcsi_rd32(c + 4 * (size_t)i));
    }
    return DCS_OK;
}

/* Binary search of one leaf: the element named up, or 0. *below says the
 * name sorts before the leaf's first element. */
static dcs_status search_leaf(const struct dcsi_regf *r, uint32_t off, const uint16_t *up,
                              size_t n, uint32_t *out, int *side, struct dcs_error *err)
{
    uint32_t len;
    const uint8_t *c = dcsi_regf_cell(r, off, &len);
    unsigned stride = c ? leaf_stride(c, len) : 0;
    if (!stride)
        return CORRUPT(err, off, "subkey list at 0x%x: not a li, lf or lh list that fits its "
                                 "cell", off);
    uint32_t lo = 0, hi = dcsi_rd16(c + 2);
    *out = 0;
    *side = hi == 0 ? 1 : 0;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        struct dcsi_regf_nk kid = {0};
        dcs_status rc = dcsi_regf_nk(r, dcsi_rd32(c + 4 + (size_t)mid * stride), &kid, err);
        if (rc != DCS_OK)
            return rc;
        int d = dcsi_regf_name_cmp_up(up, n, &kid.name);
        if (d == 0) {
            *out = kid.off;
            return DCS_OK;
        }
        if (d < 0)
            hi = mid;
        else
            lo = mid + 1;
    }
    if (lo == 0)
        *side = -1;
    else if (lo == dcsi_rd16(c + 2))
        *side = 1;
    return DCS_OK;
}

static dcs_status search_disk(const struct dcsi_regf *r, const struct dcsi_regf_nk *nk,
                              const uint16_t *up, size_t n, uint32_t *out,
                              struct dcs_error *err)
{
    uint32_t len = 0;
    int side = 0;
    *out = 0;
    if (nk->nsub == 0)
        return DCS_OK;
    const uint8_t *c = dcsi_regf_cell(r, nk->sublist, &len);
    if (!c)
        return CORRUPT(err, nk->off, "key at 0x%x: %u subkeys but no list at 0x%x", nk->off,
                       nk->nsub, nk->sublist);
    if (!(len >= 4 && c[0] == 'r' && c[1] == 'i')) {
        if (len >= 4 && dcsi_rd16(c + 2) != nk->nsub)
            return CORRUPT(err, nk->off, "key at 0x%x: says %u subkeys, its list holds %u",
                           nk->off, nk->nsub, dcsi_rd16(c + 2));
        return search_leaf(r, nk->sublist, up, n, out, &side, err);
    }
    uint32_t cnt = dcsi_rd16(c + 2);
    if ((uint64_t)cnt * 4 > len - 4)
        return CORRUPT(err, nk->sublist, "index root at 0x%x: %u elements overrun it",
                       nk->sublist, cnt);
    /* leaves are sorted as a whole: bisect on which leaf could hold it */
    uint32_t lo = 0, hi = cnt;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        dcs_status rc = search_leaf(r, dcsi_rd32(c + 4 + 4 * (size_t)mid), up, n, out, &side,
                                    err);
        if (rc != DCS_OK || *out)
            return rc;
        if (side < 0)
            hi = mid;
        else if (side > 0)
            lo = mid + 1;
        else
            return DCS_OK; /* inside this leaf's range and absent */
    }
    return DCS_OK;
}

dcs_status dcsi_regf_find_kid(struct dcsi_regf *r, uint32_t nk_off, const uint16_t *up,
                              size_t n, uint32_t *out, struct dcs_error *err)
{
    *out = 0;
    struct dcsi_regf_keyst *ks = dcsi_regf_keyst_get(r, nk_off);
    if (ks && ks->kids_loaded) {
        long i = dcsi_regf_olist_find(r, &ks->kids, true, up, n, dcsi_regf_ihash_up(up, n));
        if (i >= 0)
            *out = ks->kids.off[i];
        return DCS_OK;
    }
    struct dcsi_regf_nk nk = {0};
    dcs_status rc = dcsi_regf_nk(r, nk_off, &nk, err);
    if (rc != DCS_OK)
        return rc;
    return search_disk(r, &nk, up, n, out, err);
}

struct val_search {
    const struct dcsi_regf *r;
    const uint16_t *up;
    size_t n;
    uint32_t found;
    dcs_status rc;
    struct dcs_error *err;
};

static int match_val(void *ctx, uint32_t off)
{
    struct val_search *s = ctx;
    struct dcsi_regf_vk vk;
    s->rc = dcsi_regf_vk(s->r, off, &vk, s->err);
    if (s->rc != DCS_OK)
        return 1;
    if (dcsi_regf_name_cmp_up(s->up, s->n, &vk.name) == 0) {
        s->found = off;
        return 1;
    }
    return 0;
}

dcs_status dcsi_regf_find_val(struct dcsi_regf *r, uint32_t nk_off, const uint16_t *up,
                              size_t n, uint32_t *out, struct dcs_error *err)
{
    *out = 0;
    struct dcsi_regf_keyst *ks = dcsi_regf_keyst_get(r, nk_off);
    if (ks && ks->vals_loaded) {
        long i = dcsi_regf_olist_find(r, &ks->vals, false, up, n, dcsi_regf_ihash_up(up, n));
        if (i >= 0)
            *out = ks->vals.off[i];
        return DCS_OK;
    }
    /* values are not sorted: Windows searches them in order too */
    struct val_search s = {r, up, n, 0, DCS_OK, err};
    dcs_status rc = dcsi_regf_each_val(r, nk_off, match_val, &s, NULL, err);
    if (rc == DCS_OK)
        rc = s.rc;
    *out = s.found;
    return rc;
}

static dcs_status big_data(const struct dcsi_regf *r, const struct dcsi_regf_vk *vk,
                           const uint8_t *db, uint32_t dblen, uint8_t **buf, size_t *bufcap,
                           struct dcs_error *err)
{
    uint16_t nseg = dcsi_rd16(db + 2);
    uint32_t list = dcsi_rd32(db + 4), llen;
    const uint8_t *segs = dcsi_regf_cell(r, list, &llen);
    /* a value cannot hold more bytes than the hive bins: this bounds the
     * buffer even when a hostile list names one segment many times */
    if (dblen < 8 || !segs || (uint64_t)nseg * 4 > llen ||
        (uint64_t)nseg * DCSI_REGF_SEGMENT < vk->size || vk->size > r->bins)
        return CORRUPT(err, vk->data, "big data at 0x%x: %u segments cannot hold %u bytes",
                       vk->data, nseg, vk->size);
    /* every segment is checked before the buffer is sized: the file must
     * hold the bytes a value claims */
    uint32_t done = 0;
    for (uint16_t i = 0; i < nseg && done < vk->size; i++) {
        uint32_t slen, seg = dcsi_rd32(segs + 4 * (size_t)i);
        const uint8_t *s = dcsi_regf_cell(r, seg, &slen);
        uint32_t want = vk->size - done < DCSI_REGF_SEGMENT ? vk->size - done : DCSI_REGF_SEGMENT;
        /* cppcheck-suppress knownConditionTrueFalse ; want >= 1 (done < size) */
        if (!s || slen < want)
            return CORRUPT(err, seg, "big data segment %u at 0x%x: not a cell of %u bytes", i,
                           seg, want);
        done += want;
    }
    if (done < vk->size)
        return CORRUPT(err, vk->data, "big data at 0x%x ends after %u of %u bytes", vk->data,
                       done, vk->size);
    if (*bufcap < vk->size) {
        uint8_t *nb = realloc(*buf, vk->size);
        if (!nb)
            return dcs_error_set(err, DCS_ERR_NOMEM, DCS_NO_OFFSET, "out of memory");
        *buf = nb;
        *bufcap = vk->size;
    }
    done = 0;
    for (uint16_t i = 0; done < vk->size; i++) {
        uint32_t slen;
        const uint8_t *s = dcsi_regf_cell(r, dcsi_rd32(segs + 4 * (size_t)i), &slen);
        uint32_t want = vk->size - done < DCSI_REGF_SEGMENT ? vk->size - done : DCSI_REGF_SEGMENT;
        memcpy(*buf + done, s, want);
        done += want;
    }
    return DCS_OK;
}

dcs_status dcsi_regf_val_data(const struct dcsi_regf *r, const struct dcsi_regf_vk *vk,
                              const uint8_t **p, uint8_t **buf, size_t *bufcap,
                              struct dcs_error *err)
{
    uint32_t len;
    if (vk->inline_data || vk->size == 0) {
        /* the data offset field of the cell itself */
        *p = r->data + DCSI_REGF_BASE + vk->off + 4 + 8;
        return DCS_OK;
    }
    const uint8_t *c = dcsi_regf_cell(r, vk->data, &len);
    if (!c)
        return CORRUPT(err, vk->off, "value at 0x%x: its data cell 0x%x is not allocated",
                       vk->off, vk->data);
    if (vk->size > DCSI_REGF_SEGMENT && r->minor >= 4 && len >= 8 && c[0] == 'd' &&
        c[1] == 'b') {
        dcs_status rc = big_data(r, vk, c, len, buf, bufcap, err);
        *p = rc == DCS_OK ? *buf : NULL;
        return rc;
    }
    if (len < vk->size)
        return CORRUPT(err, vk->off, "value at 0x%x: %u bytes of data in a cell of %u",
                       vk->off, vk->size, len);
    *p = c;
    return DCS_OK;
}
