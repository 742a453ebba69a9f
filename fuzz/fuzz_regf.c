/* The regf engine (codec/hive/regf_*.c): reads and random edit sequences.
 *
 * Input: a hive file, then (after 4096 + its hive-bins size) an edit
 * script; an input that is no hive ("regf" missing) is all script.  The
 * base block's checksum is recomputed first, so mutations of the header
 * reach the reader.  Properties:
 *  - loading, the full check and a walk of the keys and values (lookups
 *    by name included) never crash, hang or read out of bounds, also when
 *    the check fails (the walk is then bounded);
 *  - the script's edits (create keys, set values of every size class,
 *    delete values and subtrees, commit in the middle) are applied below a
 *    new key "FuzzRoot" and mirrored in a model: on the input's hive when
 *    it passes the full check, otherwise on a fresh hive built here, of
 *    version 1.3 to 1.6 as the script's first byte says (1.3: lf lists and
 *    no big data; 1.4: lf and big data; 1.5, 1.6: lh); after each commit
 *    the bytes load again, pass the full check and read back equal to the
 *    model key by key and value by value. */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <dcs/hive.h>

#include "fuzz_common.h"
#include "hive/regf.h"

#define MAX_KEYS 12
#define MAX_VALS 8

static const char *const key_names[] = {"alpha", "ALPHA", "Beta", "\xce\xb1\xce\xb2", "z", "K9"};
static const char *const val_names[] = {"", "v", "V", "data", "\xd0\xb6", "long value name"};
static const uint32_t sizes[] = {0, 1, 4, 5, 64, 16344, 16345, 40000};

struct mval {
    bool live;
    int name; /* index in val_names, compared case-insensitively */
    uint32_t type, len;
    uint8_t seed;
};

struct mkey {
    bool live;
    int parent;      /* -1: FuzzRoot itself */
    int name;
    uint32_t off;    /* nk in the engine (until reload) */
    struct mval vals[MAX_VALS];
};

struct model {
    struct mkey keys[MAX_KEYS];
    int nkeys;
};

/* Names as upper-cased UTF-16 units (ASCII, Greek, Cyrillic only here). */
static size_t units_of(const char *s, uint16_t *u, uint16_t *up)
{
    size_t n = 0;
    for (size_t i = 0; s[i];) {
        unsigned c = (unsigned char)s[i];
        uint32_t cp = c;
        if (c >= 0xC0) {
            cp = ((c & 0x1Fu) << 6) | ((unsigned char)s[i + 1] & 0x3Fu);
            i += 2;
        } else {
            i++;
        }
        u[n] = (uint16_t)cp;
        up[n++] = dcsi_regf_upcase((uint16_t)cp);
    }
    return n;
}

static bool same_name(const char *a, const char *b)
{
    uint16_t ua[32], pa[32], ub[32], pb[32];
    size_t na = units_of(a, ua, pa), nb = units_of(b, ub, pb);
    return na == nb && memcmp(pa, pb, na * sizeof *pa) == 0;
}

static void fill(uint8_t *buf, uint32_t len, uint8_t seed)
{
    for (uint32_t i = 0; i < len; i++)
        buf[i] = (uint8_t)(seed + i * 13u + i / 251u);
}

static uint8_t data_buf[40000], cmp_buf[40000];
/* How committed hives are checked: in Windows order when dcs wrote every
 * list (the fresh hive), as found otherwise (foreign writers' order). */
static unsigned check_how;

/* Every key and value reads without trouble; each key is found by name. */
static int read_value(void *ctx, uint32_t off)
{
    struct dcsi_regf *r = ctx;
    struct dcsi_regf_vk vk;
    const uint8_t *p;
    uint8_t *big = NULL;
    size_t cap = 0;
    if (dcsi_regf_vk(r, off, &vk, NULL) == DCS_OK)
        (void)dcsi_regf_val_data(r, &vk, &p, &big, &cap, NULL);
    free(big);
    return 0;
}

struct stack {
    uint32_t *v;
    size_t n, cap;
};

static int push_kid(void *ctx, uint32_t off)
{
    struct stack *s = ctx;
    if (s->n == s->cap) {
        s->cap = s->cap ? 2 * s->cap : 64;
        s->v = realloc(s->v, s->cap * sizeof *s->v);
        FUZZ_CHECK(s->v != NULL);
    }
    s->v[s->n++] = off;
    return 0;
}

static void walk_all(struct dcsi_regf *r)
{
    /* the full check passed: the tree is finite and unshared */
    struct stack s = {0};
    push_kid(&s, r->root);
    while (s.n) {
        uint32_t k = s.v[--s.n];
        struct dcsi_regf_nk nk;
        FUZZ_CHECK(dcsi_regf_nk(r, k, &nk, NULL) == DCS_OK);
        FUZZ_CHECK(dcsi_regf_each_val(r, k, read_value, r, NULL, NULL) == DCS_OK);
        size_t m = dcsi_regf_name_units(&nk.name);
        if (k != r->root && m <= 512) {
            uint16_t up[512];
            uint32_t found = 0;
            for (size_t i = 0; i < m; i++)
                up[i] = dcsi_regf_upcase(dcsi_regf_name_unit(&nk.name, i));
            /* foreign writers may sort differently: a miss is allowed */
            FUZZ_CHECK(dcsi_regf_find_kid(r, nk.parent, up, m, &found, NULL) == DCS_OK);
        }
        FUZZ_CHECK(dcsi_regf_each_kid(r, k, push_kid, &s, NULL, NULL) == DCS_OK);
    }
    free(s.v);
}

/* A hive that failed its check: reads only, at most 256 keys, each list
 * read through the reader's own bounds (cycles are possible here). */
static int push_some(void *ctx, uint32_t off)
{
    struct stack *s = ctx;
    if (s->n >= 256)
        return 1;
    return push_kid(ctx, off);
}

static void walk_some(struct dcsi_regf *r)
{
    struct stack s = {0};
    push_kid(&s, r->root);
    for (int visits = 0; s.n && visits < 256; visits++) {
        uint32_t k = s.v[--s.n];
        struct dcsi_regf_nk nk;
        if (dcsi_regf_nk(r, k, &nk, NULL) != DCS_OK)
            continue;
        (void)dcsi_regf_each_val(r, k, read_value, r, NULL, NULL);
        size_t m = dcsi_regf_name_units(&nk.name);
        if (k != r->root && m <= 512) {
            uint16_t up[512];
            uint32_t found;
            for (size_t i = 0; i < m; i++)
                up[i] = dcsi_regf_upcase(dcsi_regf_name_unit(&nk.name, i));
            (void)dcsi_regf_find_kid(r, nk.parent, up, m, &found, NULL);
        }
        (void)dcsi_regf_each_kid(r, k, push_some, &s, NULL, NULL);
    }
    free(s.v);
}

/* A fresh hive of version 1.minor built by the specification ("Base
 * block", "Hive bin", "Key node", "Key security"): a root key "ROOT" with
 * a security cell, the rest of the one bin free. */
static uint8_t *fresh_hive(uint32_t minor, size_t *len)
{
    *len = 2 * DCSI_REGF_BASE;
    uint8_t *d = calloc(1, *len);
    FUZZ_CHECK(d != NULL);
    memcpy(d, "regf", 4);
    dcsi_wr32(d + 4, 1);  /* primary sequence number */
    dcsi_wr32(d + 8, 1);  /* secondary */
    dcsi_wr32(d + 20, 1); /* major version */
    dcsi_wr32(d + 24, minor);
    dcsi_wr32(d + 32, 1);    /* file format: direct memory load */
    dcsi_wr32(d + 36, 0x20); /* root cell */
    dcsi_wr32(d + 40, 4096); /* hive bins data size */
    dcsi_wr32(d + 44, 1);    /* clustering factor */
    uint8_t *b = d + DCSI_REGF_BASE;
    memcpy(b, "hbin", 4);
    dcsi_wr32(b + 8, 4096);
    uint8_t *nk = b + 0x20; /* 4 + 76 + "ROOT": 88 bytes */
    dcsi_wr32(nk, (uint32_t)-88);
    memcpy(nk + 4, "nk", 2);
    dcsi_wr16(nk + 6, 0x2C); /* hive entry, no delete, compressed name */
    dcsi_wr32(nk + 4 + 28, DCSI_REGF_NONE);
    dcsi_wr32(nk + 4 + 32, DCSI_REGF_NONE);
    dcsi_wr32(nk + 4 + 40, DCSI_REGF_NONE);
    dcsi_wr32(nk + 4 + 44, 0x78);
    dcsi_wr32(nk + 4 + 48, DCSI_REGF_NONE);
    dcsi_wr16(nk + 4 + 72, 4);
    memcpy(nk + 4 + 76, "ROOT", 4);
    uint8_t *sk = b + 0x78; /* 4 + 20 + a 20-byte descriptor: 48 bytes */
    dcsi_wr32(sk, (uint32_t)-48);
    memcpy(sk + 4, "sk", 2);
    dcsi_wr32(sk + 8, 0x78);  /* flink, blink: itself */
    dcsi_wr32(sk + 12, 0x78);
    dcsi_wr32(sk + 16, 1);    /* reference count */
    dcsi_wr32(sk + 20, 20);   /* descriptor size */
    sk[24] = 1;               /* revision */
    dcsi_wr16(sk + 26, 0x8000); /* self-relative, no owner, group or lists */
    dcsi_wr32(b + 0xA8, 4096 - 0xA8); /* the rest: one free cell */
    dcsi_wr32(d + DCS_HIVE_CHECKSUM_OFFSET, dcs_hive_checksum(d));
    return d;
}

/* ---- the model ------------------------------------------------------------- */

static int model_find_key(const struct model *m, int parent, int name)
{
    for (int i = 0; i < m->nkeys; i++)
        if (m->keys[i].live && m->keys[i].parent == parent &&
            same_name(key_names[m->keys[i].name], key_names[name]))
            return i;
    return -1;
}

static void model_delete(struct model *m, int k)
{
    m->keys[k].live = false;
    for (int i = 0; i < m->nkeys; i++)
        if (m->keys[i].live && m->keys[i].parent == k)
            model_delete(m, i); /* depth <= MAX_KEYS */
}

static uint32_t key_off(const struct model *m, int k, uint32_t root)
{
    return k < 0 ? root : m->keys[k].off;
}

/* Apply one operation to engine and model. */
static void apply(struct dcsi_regf *r, struct model *m, uint32_t root, const uint8_t *op)
{
    int target = op[1] % (m->nkeys + 1) - 1; /* -1: FuzzRoot */
    if (target >= 0 && !m->keys[target].live)
        return;
    uint32_t nk = key_off(m, target, root);
    uint16_t u[32], up[32];
    switch (op[0] % 4) {
    case 0: { /* create a subkey */
        int name = op[2] % 6;
        if (model_find_key(m, target, name) >= 0 || m->nkeys == MAX_KEYS)
            return;
        size_t n = units_of(key_names[name], u, up);
        uint32_t off;
        FUZZ_CHECK(dcsi_regf_add_key(r, nk, u, n, &off, NULL) == DCS_OK);
        m->keys[m->nkeys++] = (struct mkey){true, target, name, off, {{0}}};
        break;
    }
    case 1: { /* set a value */
        if (target < 0)
            return;
        int name = op[2] % 6;
        uint32_t len = sizes[op[3] % 8];
        size_t n = units_of(val_names[name], u, up);
        fill(data_buf, len, op[3]);
        FUZZ_CHECK(dcsi_regf_set_val(r, nk, u, up, n, op[2], data_buf, len, NULL) == DCS_OK);
        struct mval *slot = NULL;
        for (int i = 0; i < MAX_VALS && !slot; i++)
            if (m->keys[target].vals[i].live &&
                same_name(val_names[m->keys[target].vals[i].name], val_names[name]))
                slot = &m->keys[target].vals[i];
        for (int i = 0; i < MAX_VALS && !slot; i++)
            if (!m->keys[target].vals[i].live)
                slot = &m->keys[target].vals[i];
        FUZZ_CHECK(slot != NULL);
        *slot = (struct mval){true, slot->live ? slot->name : name, op[2], len, op[3]};
        break;
    }
    case 2: { /* delete a value */
        if (target < 0)
            return;
        int name = op[2] % 6;
        bool deleted, expect = false;
        size_t n = units_of(val_names[name], u, up);
        for (int i = 0; i < MAX_VALS; i++)
            if (m->keys[target].vals[i].live &&
                same_name(val_names[m->keys[target].vals[i].name], val_names[name])) {
                m->keys[target].vals[i].live = false;
                expect = true;
            }
        FUZZ_CHECK(dcsi_regf_del_val(r, nk, up, n, &deleted, NULL) == DCS_OK);
        FUZZ_CHECK(deleted == expect);
        break;
    }
    default: /* delete a subtree */
        if (target < 0)
            return;
        FUZZ_CHECK(dcsi_regf_del_key(r, nk, NULL) == DCS_OK);
        model_delete(m, target);
        break;
    }
}

/* The engine's view of model key k (and of every key below) is the model's. */
static void compare(struct dcsi_regf *r, struct model *m, uint32_t root)
{
    for (int k = 0; k < m->nkeys; k++) {
        if (!m->keys[k].live)
            continue;
        uint16_t u[32], up[32];
        size_t n = units_of(key_names[m->keys[k].name], u, up);
        uint32_t off;
        FUZZ_CHECK(dcsi_regf_find_kid(r, key_off(m, m->keys[k].parent, root), up, n, &off,
                                      NULL) == DCS_OK);
        FUZZ_CHECK(off != 0);
        m->keys[k].off = off;
        struct dcsi_regf_nk nk;
        FUZZ_CHECK(dcsi_regf_nk(r, off, &nk, NULL) == DCS_OK);
        uint32_t nvals = 0, nkids = 0;
        for (int i = 0; i < m->nkeys; i++)
            nkids += m->keys[i].live && m->keys[i].parent == k;
        FUZZ_CHECK(nk.nsub == nkids);
        for (int i = 0; i < MAX_VALS; i++) {
            const struct mval *v = &m->keys[k].vals[i];
            if (!v->live)
                continue;
            nvals++;
            n = units_of(val_names[v->name], u, up);
            uint32_t voff;
            struct dcsi_regf_vk vk;
            const uint8_t *p;
            uint8_t *big = NULL;
            size_t cap = 0;
            FUZZ_CHECK(dcsi_regf_find_val(r, off, up, n, &voff, NULL) == DCS_OK && voff);
            FUZZ_CHECK(dcsi_regf_vk(r, voff, &vk, NULL) == DCS_OK);
            FUZZ_CHECK(vk.type == v->type && vk.size == v->len);
            FUZZ_CHECK(dcsi_regf_val_data(r, &vk, &p, &big, &cap, NULL) == DCS_OK);
            fill(cmp_buf, v->len, v->seed);
            FUZZ_CHECK(memcmp(p, cmp_buf, v->len) == 0);
            free(big);
        }
        FUZZ_CHECK(nk.nval == nvals);
    }
}

/* Commit: the bytes load again, pass the check and equal the model. */
static void commit_and_reload(struct dcsi_regf *r, struct model *m, uint32_t *root)
{
    FUZZ_CHECK(dcsi_regf_commit_image(r, NULL) == DCS_OK);
    size_t len = DCSI_REGF_BASE + (size_t)r->bins;
    uint8_t *copy = malloc(len);
    FUZZ_CHECK(copy != NULL);
    memcpy(copy, r->data, len);
    dcsi_regf_free(r);
    FUZZ_CHECK(dcsi_regf_load(r, copy, len, len, NULL) == DCS_OK);
    FUZZ_CHECK(dcsi_regf_check(r, check_how, NULL) == DCS_OK);
    uint16_t u[8], up[8];
    size_t n = units_of("FuzzRoot", u, up);
    FUZZ_CHECK(dcsi_regf_find_kid(r, r->root, up, n, root, NULL) == DCS_OK && *root);
    compare(r, m, *root);
}

/* Load the input's hive (checksum fixed) and judge it: true when it
 * passed the full check and is kept in *r for the edits. */
static bool input_hive(const uint8_t *data, size_t size, struct dcsi_regf *r, size_t *hive_len)
{
    uint32_t bins = dcsi_rd32(data + 0x28);
    *hive_len = bins <= size - DCSI_REGF_BASE ? DCSI_REGF_BASE + bins : size;
    uint8_t *copy = malloc(*hive_len);
    FUZZ_CHECK(copy != NULL);
    memcpy(copy, data, *hive_len);
    dcsi_wr32(copy + DCS_HIVE_CHECKSUM_OFFSET, dcs_hive_checksum(copy));
    if (dcsi_regf_load(r, copy, *hive_len, *hive_len, NULL) != DCS_OK) {
        dcsi_regf_free(r);
        return false;
    }
    if (dcsi_regf_check(r, 0, NULL) != DCS_OK) {
        walk_some(r);
        dcsi_regf_free(r);
        return false;
    }
    walk_all(r);
    return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct dcsi_regf r;
    const uint8_t *op = data, *end = data + size;
    size_t hive_len = 0;
    bool have = false;
    if (size >= DCSI_REGF_BASE && memcmp(data, "regf", 4) == 0) {
        have = input_hive(data, size, &r, &hive_len);
        op = data + hive_len;
    }
    check_how = have ? 0 : DCSI_REGF_CHECK_ORDER;
    if (!have) {
        uint32_t minor = 3 + (op < end ? *op++ % 4u : 0);
        size_t len;
        uint8_t *fresh = fresh_hive(minor, &len);
        FUZZ_CHECK(dcsi_regf_load(&r, fresh, len, len, NULL) == DCS_OK);
        FUZZ_CHECK(dcsi_regf_check(&r, DCSI_REGF_CHECK_ORDER, NULL) == DCS_OK);
    }
    /* edits below a fresh key, with the rest of the input as the script */
    uint16_t u[8], up[8];
    size_t n = units_of("FuzzRoot", u, up);
    uint32_t root;
    FUZZ_CHECK(dcsi_regf_find_kid(&r, r.root, up, n, &root, NULL) == DCS_OK);
    if (root == 0 && dcsi_regf_add_key(&r, r.root, u, n, &root, NULL) != DCS_OK) {
        dcsi_regf_free(&r);
        return 0;
    }
    struct model m = {0};
    for (int steps = 0; end - op >= 4 && steps < 64; op += 4, steps++) {
        if (op[0] % 16 == 15)
            commit_and_reload(&r, &m, &root);
        else
            apply(&r, &m, root, op);
    }
    commit_and_reload(&r, &m, &root);
    dcsi_regf_free(&r);
    return 0;
}
