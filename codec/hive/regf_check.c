/* regf reader: the full check.  Walks every key from the root with an
 * explicit stack, marking each cell it reaches in a bitmap over cell
 * offsets: a cell reached twice is a cycle or a shared list and fails the
 * check, so the walk is linear in the size of the hive whatever the file
 * says.  Checks lists (kind, bounds, counts, lh hashes, parent links and,
 * on request, Windows order), value cells, data cells, big data segments,
 * class names and security cells (kind, and no more users than their
 * reference count). */
#include "hive/regf.h"

#include <stdlib.h>
#include <string.h>

#define CORRUPT(err, off, ...) \
    dcs_error_set((err), DCS_ERR_HIVE_CORRUPT, (uint64_t)DCSI_REGF_BASE + (off), __VA_ARGS__)

struct sk_use {
    uint32_t off, uses;
};

struct walk {
    const struct dcsi_regf *r;
    unsigned how;
    uint64_t *seen;
    uint32_t *stack;
    size_t n, cap;
    struct sk_use *sk; /* open addressing by offset */
    size_t nsk, skcap;
    struct dcs_error *err;
};

static dcs_status nomem(struct dcs_error *err)
{
    return dcs_error_set(err, DCS_ERR_NOMEM, DCS_NO_OFFSET, "out of memory");
}

/* Mark the allocated cell at off as reached; fails if it is not one or was
 * reached before. */
static dcs_status mark(struct walk *w, uint32_t off, const char *what, uint32_t *len)
{
    if (!dcsi_regf_cell(w->r, off, len))
        return CORRUPT(w->err, off, "%s at 0x%x: not an allocated cell", what, off);
    uint64_t bit = (uint64_t)1 << (off / 8 % 64);
    if (w->seen[off / 512] & bit)
        return CORRUPT(w->err, off, "%s at 0x%x is reached twice (a cycle or a shared list)",
                       what, off);
    w->seen[off / 512] |= bit;
    return DCS_OK;
}

static dcs_status push(struct walk *w, uint32_t off)
{
    if (w->n == w->cap) {
        size_t cap = w->cap ? w->cap * 2 : 256;
        uint32_t *s = realloc(w->stack, cap * sizeof *s);
        if (!s)
            return nomem(w->err);
        w->stack = s;
        w->cap = cap;
    }
    w->stack[w->n++] = off;
    return DCS_OK;
}

static dcs_status use_sk(struct walk *w, uint32_t key, uint32_t sk)
{
    uint32_t len;
    const uint8_t *c = dcsi_regf_cell(w->r, sk, &len);
    if (!c || len < 20 || c[0] != 's' || c[1] != 'k' || dcsi_rd32(c + 16) > len - 20)
        return CORRUPT(w->err, key, "key at 0x%x: no security cell (\"sk\") at 0x%x", key, sk);
    if ((w->nsk + 1) * 2 > w->skcap) {
        size_t cap = w->skcap ? w->skcap * 2 : 64;
        struct sk_use *t = calloc(cap, sizeof *t);
        if (!t)
            return nomem(w->err);
        for (size_t i = 0; i < w->skcap; i++) {
            if (!w->sk[i].off)
                continue;
            size_t j = (w->sk[i].off / 8) & (cap - 1);
            while (t[j].off)
                j = (j + 1) & (cap - 1);
            t[j] = w->sk[i];
        }
        free(w->sk);
        w->sk = t;
        w->skcap = cap;
    }
    size_t j = (sk / 8) & (w->skcap - 1);
    while (w->sk[j].off && w->sk[j].off != sk)
        j = (j + 1) & (w->skcap - 1);
    if (!w->sk[j].off) {
        w->sk[j].off = sk;
        w->nsk++;
    }
    if (++w->sk[j].uses > dcsi_rd32(c + 12))
        return CORRUPT(w->err, sk, "security cell at 0x%x: more users than its reference "
                                   "count %u", sk, dcsi_rd32(c + 12));
    return DCS_OK;
}

static dcs_status check_data(struct walk *w, const struct dcsi_regf_vk *vk)
{
    uint32_t len;
    if (vk->inline_data || vk->size == 0)
        return DCS_OK;
    dcs_status rc = mark(w, vk->data, "value data", &len);
    if (rc != DCS_OK)
        return rc;
    const uint8_t *c = dcsi_regf_cell(w->r, vk->data, &len);
    if (vk->size > DCSI_REGF_SEGMENT && w->r->minor >= 4 && len >= 8 && c[0] == 'd' &&
        c[1] == 'b') {
        uint16_t nseg = dcsi_rd16(c + 2);
        uint32_t list = dcsi_rd32(c + 4), llen, done = 0;
        rc = mark(w, list, "big data segment list", &llen);
        if (rc != DCS_OK)
            return rc;
        if ((uint64_t)nseg * 4 > llen || (uint64_t)nseg * DCSI_REGF_SEGMENT < vk->size)
            return CORRUPT(w->err, vk->data, "big data at 0x%x: %u segments for %u bytes",
                           vk->data, nseg, vk->size);
        const uint8_t *segs = dcsi_regf_cell(w->r, list, &llen);
        for (uint16_t i = 0; i < nseg; i++) {
            uint32_t slen, seg = dcsi_rd32(segs + 4 * (size_t)i);
            uint32_t want = vk->size - done < DCSI_REGF_SEGMENT ? vk->size - done
                                                                : DCSI_REGF_SEGMENT;
            rc = mark(w, seg, "big data segment", &slen);
            if (rc != DCS_OK)
                return rc;
            /* cppcheck-suppress knownConditionTrueFalse ; want >= 1 (done < size) */
            if (slen < want)
                return CORRUPT(w->err, seg, "big data segment at 0x%x: %u bytes, needs %u",
                               seg, slen, want);
            done += want;
        }
        return DCS_OK;
    }
    if (len < vk->size)
        return CORRUPT(w->err, vk->off, "value at 0x%x: %u bytes of data in a cell of %u",
                       vk->off, vk->size, len);
    return DCS_OK;
}

static dcs_status check_values(struct walk *w, const struct dcsi_regf_nk *nk)
{
    uint32_t len;
    if (nk->nval == 0)
        return DCS_OK;
    dcs_status rc = mark(w, nk->vallist, "value list", &len);
    if (rc != DCS_OK)
        return rc;
    if ((uint64_t)nk->nval * 4 > len)
        return CORRUPT(w->err, nk->off, "key at 0x%x: %u values, list at 0x%x holds %u",
                       nk->off, nk->nval, nk->vallist, len / 4);
    const uint8_t *list = dcsi_regf_cell(w->r, nk->vallist, &len);
    for (uint32_t i = 0; i < nk->nval; i++) {
        struct dcsi_regf_vk vk;
        uint32_t off = dcsi_rd32(list + 4 * (size_t)i), vlen;
        rc = mark(w, off, "value", &vlen);
        if (rc == DCS_OK)
            rc = dcsi_regf_vk(w->r, off, &vk, w->err);
        if (rc == DCS_OK)
            rc = check_data(w, &vk);
        if (rc != DCS_OK)
            return rc;
    }
    return DCS_OK;
}

/* One leaf of nk's subkeys: kind, elements, hashes, order; kids pushed. */
static dcs_status check_leaf(struct walk *w, const struct dcsi_regf_nk *nk, uint32_t leaf,
                             uint32_t *count, struct dcsi_regf_name *last)
{
    uint32_t len;
    dcs_status rc = mark(w, leaf, "subkey list", &len);
    if (rc != DCS_OK)
        return rc;
    const uint8_t *c = dcsi_regf_cell(w->r, leaf, &len);
    unsigned stride = len >= 4 && c[0] == 'l' ? (c[1] == 'i' ? 4 : (c[1] == 'f' || c[1] == 'h') ? 8 : 0) : 0;
    uint16_t n = len >= 4 ? dcsi_rd16(c + 2) : 0;
    if (!stride || (uint64_t)n * stride > len - 4)
        return CORRUPT(w->err, leaf, "subkey list at 0x%x: not a li, lf or lh list that "
                                     "fits its cell", leaf);
    for (uint16_t i = 0; i < n; i++) {
        const uint8_t *e = c + 4 + (size_t)i * stride;
        struct dcsi_regf_nk kid;
        uint32_t klen, off = dcsi_rd32(e);
        rc = mark(w, off, "key", &klen);
        if (rc == DCS_OK)
            rc = dcsi_regf_nk(w->r, off, &kid, w->err);
        if (rc != DCS_OK)
            return rc;
        if (kid.parent != nk->off)
            return CORRUPT(w->err, off, "key at 0x%x: parent 0x%x, listed under 0x%x", off,
                           kid.parent, nk->off);
        if (c[1] == 'h' && dcsi_rd32(e + 4) != dcsi_regf_lh_hash(&kid.name))
            return CORRUPT(w->err, leaf, "subkey list at 0x%x: wrong hash for key 0x%x", leaf,
                           off);
        if ((w->how & DCSI_REGF_CHECK_ORDER) && *count + i > 0 &&
            dcsi_regf_name_cmp(last, &kid.name) >= 0)
            return CORRUPT(w->err, leaf, "subkey list at 0x%x: key 0x%x out of order", leaf,
                           off);
        *last = kid.name;
        rc = push(w, off);
        if (rc != DCS_OK)
            return rc;
    }
    *count += n;
    return DCS_OK;
}

static dcs_status check_subkeys(struct walk *w, const struct dcsi_regf_nk *nk)
{
    uint32_t len, count = 0;
    struct dcsi_regf_name last = {0};
    if (nk->nsub == 0)
        return DCS_OK;
    const uint8_t *c = dcsi_regf_cell(w->r, nk->sublist, &len);
    if (!c)
        return CORRUPT(w->err, nk->off, "key at 0x%x: %u subkeys but no list at 0x%x",
                       nk->off, nk->nsub, nk->sublist);
    dcs_status rc;
    size_t base = w->n;
    if (len >= 4 && c[0] == 'r' && c[1] == 'i') {
        rc = mark(w, nk->sublist, "index root", &len);
        uint16_t n = dcsi_rd16(c + 2);
        if (rc == DCS_OK && (uint64_t)n * 4 > len - 4)
            rc = CORRUPT(w->err, nk->sublist, "index root at 0x%x: %u elements overrun it",
                         nk->sublist, n);
        for (uint16_t i = 0; rc == DCS_OK && i < n; i++)
            rc = check_leaf(w, nk, dcsi_rd32(c + 4 + 4 * (size_t)i), &count, &last);
    } else {
        rc = check_leaf(w, nk, nk->sublist, &count, &last);
    }
    if (rc == DCS_OK && count != nk->nsub)
        rc = CORRUPT(w->err, nk->off, "key at 0x%x: says %u subkeys, its list holds %u",
                     nk->off, nk->nsub, count);
    /* popped in list order: the subkeys a writer (dcs among them) laid out
     * in that order are then walked forward through the file, not back */
    for (size_t i = base, j = w->n; rc == DCS_OK && i + 1 < j; i++, j--) {
        uint32_t t = w->stack[i];
        w->stack[i] = w->stack[j - 1];
        w->stack[j - 1] = t;
    }
    return rc;
}

static dcs_status check_key(struct walk *w, uint32_t off)
{
    struct dcsi_regf_nk nk;
    uint32_t len;
    dcs_status rc = dcsi_regf_nk(w->r, off, &nk, w->err);
    if (rc == DCS_OK)
        rc = use_sk(w, off, nk.sk);
    if (rc == DCS_OK && nk.class_len && nk.class_off != DCSI_REGF_NONE) {
        rc = mark(w, nk.class_off, "class name", &len);
        if (rc == DCS_OK && len < nk.class_len)
            rc = CORRUPT(w->err, off, "key at 0x%x: class name of %u bytes not at 0x%x", off,
                         nk.class_len, nk.class_off);
    }
    if (rc == DCS_OK)
        rc = check_values(w, &nk);
    if (rc == DCS_OK)
        rc = check_subkeys(w, &nk);
    return rc;
}

dcs_status dcsi_regf_check(const struct dcsi_regf *r, unsigned how, struct dcs_error *err)
{
    struct walk w = {r, how, calloc(r->words ? r->words : 1, sizeof(uint64_t)), NULL, 0, 0,
                     NULL, 0, 0, err};
    if (!w.seen)
        return nomem(err);
    uint32_t len;
    dcs_status rc = mark(&w, r->root, "root key", &len);
    if (rc == DCS_OK)
        rc = push(&w, r->root);
    while (rc == DCS_OK && w.n)
        rc = check_key(&w, w.stack[--w.n]);
    free(w.seen);
    free(w.stack);
    free(w.sk);
    return rc;
}
