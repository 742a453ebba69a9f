/* Export of a hive subtree as a .reg file (contract in hive_reg.h). */
#include <dcs/hive_reg.h>

#include <stdlib.h>
#include <string.h>

#define MAX_DEPTH 512
/* Smallest possible key (nk) cell: 4-byte cell size + 0x4C-byte record,
 * 8-byte aligned.  A hive of N bytes of bins holds at most N / 80 keys, so a
 * walk that visits more has reached some key twice: the subkey lists form a
 * loop or share lists, and the walk could take exponential time. */
#define MIN_KEY_CELL 80u

static dcs_status nomem(struct dcs_error *err)
{
    return dcs_error_set(err, DCS_ERR_NOMEM, DCS_NO_OFFSET, "out of memory");
}

struct exporter {
    dcs_hive *h;
    struct dcs_reg_writer *w;
    char *path;
    size_t len, cap;
    struct dcs_error *err;
    dcs_status rc;
    uint64_t visited, max_keys;
};

static int put_value(void *ctx, const struct dcs_hive_value *v)
{
    struct exporter *x = ctx;
    x->rc = dcs_reg_writer_value(x->w, v->name, strlen(v->name), v->type, v->data, v->len,
                                 x->err);
    return x->rc != DCS_OK;
}

struct child {
    char *name;
    dcs_hive_key key;
};

struct children {
    struct child *c;
    size_t n, cap;
    bool nomem;
};

static int add_child(void *ctx, const char *name, dcs_hive_key key)
{
    struct children *cs = ctx;
    if (cs->n == cs->cap) {
        size_t cap = cs->cap ? cs->cap * 2 : 16;
        struct child *nc = realloc(cs->c, cap * sizeof *nc);
        if (!nc) {
            cs->nomem = true;
            return 1;
        }
        cs->c = nc;
        cs->cap = cap;
    }
    char *copy = strdup(name);
    if (!copy) {
        cs->nomem = true;
        return 1;
    }
    /* ownership moves into the array; its owner frees it */
    cs->c[cs->n++] = (struct child){copy, key};
    return 0;
}

static dcs_status export_key(struct exporter *x, dcs_hive_key k, unsigned depth)
{
    if (depth > MAX_DEPTH)
        return dcs_error_set(x->err, DCS_ERR_LIMIT, DCS_NO_OFFSET,
                             "keys nested deeper than %d levels", MAX_DEPTH);
    if (++x->visited > x->max_keys)
        return dcs_error_set(x->err, DCS_ERR_HIVE_CORRUPT, DCS_NO_OFFSET,
                             "more keys than the hive can hold (%llu): its subkey lists "
                             "reach some key twice",
                             (unsigned long long)x->max_keys);
    dcs_status rc = dcs_reg_writer_key(x->w, x->path, x->len, x->err);
    if (rc == DCS_OK)
        rc = dcs_hive_each_value(x->h, k, put_value, x, NULL, x->err);
    if (rc == DCS_OK)
        rc = x->rc;
    struct children cs = {0};
    if (rc == DCS_OK)
        rc = dcs_hive_each_subkey(x->h, k, add_child, &cs, NULL, x->err);
    if (rc == DCS_OK && cs.nomem)
        rc = nomem(x->err);
    size_t base = x->len;
    for (size_t i = 0; rc == DCS_OK && i < cs.n; i++) {
        size_t n = strlen(cs.c[i].name);
        if (base + n + 2 > x->cap) {
            size_t cap = (base + n + 2) * 2;
            char *p = realloc(x->path, cap);
            if (!p) {
                rc = nomem(x->err);
                break;
            }
            x->path = p;
            x->cap = cap;
        }
        x->path[base] = '\\';
        memcpy(x->path + base + 1, cs.c[i].name, n + 1);
        x->len = base + 1 + n;
        rc = export_key(x, cs.c[i].key, depth + 1);
        x->len = base;
        x->path[base] = '\0';
    }
    for (size_t i = 0; i < cs.n; i++)
        free(cs.c[i].name);
    free(cs.c);
    return rc;
}

dcs_status dcs_hive_export_reg(dcs_hive *h, const char *prefix, const char *key,
                               struct dcs_reg_writer *w, struct dcs_error *err)
{
    dcs_hive_key k;
    dcs_status rc = dcs_hive_find_key(h, 0, key, &k, err);
    if (rc != DCS_OK)
        return rc;
    const dcs_hive_state *state = dcs_hive_get_state(h);
    struct exporter x = {h, w, NULL, 0, 0, err, DCS_OK, 0,
                         state ? dcs_hive_state_header(state)->hbins_size / MIN_KEY_CELL + 1 : UINT64_MAX};
    size_t plen = strlen(prefix);
    while (plen && prefix[plen - 1] == '\\')
        plen--;
    while (*key == '\\')
        key++;
    size_t klen = strlen(key);
    while (klen && key[klen - 1] == '\\')
        klen--;
    x.cap = plen + klen + 256;
    x.path = malloc(x.cap);
    if (!x.path)
        return nomem(err);
    memcpy(x.path, prefix, plen);
    x.len = plen;
    if (klen) {
        x.path[x.len++] = '\\';
        memcpy(x.path + x.len, key, klen);
        x.len += klen;
    }
    x.path[x.len] = '\0';
    rc = export_key(&x, k, 0);
    free(x.path);
    return rc;
}
