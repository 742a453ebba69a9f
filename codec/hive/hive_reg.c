/* Import of .reg files into offline hives (contract in hive_reg.h). */
#include <dcs/hive_reg.h>

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define MAX_DEPTH 512

struct level {
    char *name;
    dcs_hive_key node;
    bool fresh; /* created by this import */
};

struct pending {
    size_t name_off, data_off, data_len;
    uint32_t type;
    bool del;
};

struct importer {
    dcs_hive *h;
    const char *prefix;
    size_t plen;
    struct level lv[MAX_DEPTH];
    size_t depth;
    char *cur_key;          /* the .reg key the pending values belong to */
    size_t cur_key_cap;
    bool have_cur, cur_fresh; /* fresh: created by this import, no values yet */
    struct pending *pv;
    size_t npv, cappv;
    uint8_t *arena;
    size_t alen, acap;
    struct dcs_hive_import_stats *stats;
};

static dcs_status nomem(struct dcs_error *err)
{
    return dcs_error_set(err, DCS_ERR_NOMEM, DCS_NO_OFFSET, "out of memory");
}

static dcs_status arena_put(struct importer *im, const void *p, size_t n, size_t *off,
                            struct dcs_error *err)
{
    if (im->acap - im->alen < n) {
        size_t cap = im->acap ? im->acap : 4096;
        while (cap - im->alen < n)
            cap *= 2;
        uint8_t *a = realloc(im->arena, cap);
        if (!a)
            return nomem(err);
        im->arena = a;
        im->acap = cap;
    }
    *off = im->alen;
    if (n)
        memcpy(im->arena + im->alen, p, n);
    im->alen += n;
    return DCS_OK;
}

/* The part of key below the prefix ("" for the prefix itself), or NULL. */
static const char *below_prefix(const struct importer *im, const char *key)
{
    if (strncasecmp(key, im->prefix, im->plen) != 0)
        return NULL;
    if (key[im->plen] == '\0')
        return key + im->plen;
    return key[im->plen] == '\\' ? key + im->plen + 1 : NULL;
}

static void pop_to(struct importer *im, size_t depth)
{
    while (im->depth > depth)
        free(im->lv[--im->depth].name);
}

/* Open (creating as needed) the key rel below the hive root, reusing the
 * levels shared with the previous key. */
static dcs_status open_key(struct importer *im, const char *rel, bool *created,
                           struct dcs_error *err)
{
    size_t i = 0;
    const char *p = rel;
    *created = false;
    /* keep the common leading components */
    while (i < im->depth && *p) {
        size_t n = strcspn(p, "\\");
        if (strlen(im->lv[i].name) != n || strncasecmp(im->lv[i].name, p, n) != 0)
            break;
        p += n;
        while (*p == '\\')
            p++;
        i++;
    }
    pop_to(im, i);
    dcs_hive_key node = im->depth ? im->lv[im->depth - 1].node : dcs_hive_root(im->h);
    while (*p) {
        size_t n = strcspn(p, "\\");
        if (im->depth == MAX_DEPTH)
            return dcs_error_set(err, DCS_ERR_LIMIT, DCS_NO_OFFSET,
                                 "key deeper than %d levels", MAX_DEPTH);
        char *name = malloc(n + 1);
        if (!name)
            return nomem(err);
        memcpy(name, p, n);
        name[n] = '\0';
        /* the engine indexes the subkeys of a key it adds to: O(1) */
        bool made = false;
        dcs_status rc = dcs_hive_child(im->h, node, name, true, &node, &made, err);
        if (rc != DCS_OK) {
            free(name);
            return rc;
        }
        if (made) {
            *created = true;
            im->stats->keys_created++;
        }
        im->lv[im->depth++] = (struct level){name, node, made};
        p += n;
        while (*p == '\\')
            p++;
    }
    return DCS_OK;
}

static dcs_hive_key current(const struct importer *im)
{
    return im->depth ? im->lv[im->depth - 1].node : dcs_hive_root(im->h);
}

/* Apply the pending values of the current key.  The engine keeps a key's
 * value list in memory until commit, so one call per value costs no more
 * than one call per key. */
static dcs_status flush(struct importer *im, struct dcs_error *err)
{
    dcs_status rc = DCS_OK;
    for (size_t i = 0; im->have_cur && rc == DCS_OK && i < im->npv; i++) {
        const struct pending *p = &im->pv[i];
        const char *name = (const char *)im->arena + p->name_off;
        if (p->del) {
            bool deleted = false;
            rc = dcs_hive_delete_value(im->h, current(im), name, &deleted, err);
            im->stats->values_deleted += deleted;
        } else {
            rc = dcs_hive_set_value(im->h, current(im), name, p->type,
                                    im->arena + p->data_off, p->data_len, err);
            im->stats->values_set += rc == DCS_OK;
        }
    }
    im->npv = 0;
    im->alen = 0;
    im->cur_fresh = false;
    return rc;
}

static dcs_status outside(const struct dcs_reg_op *op, const char *prefix,
                          struct dcs_error *err)
{
    return dcs_error_set_at(err, DCS_ERR_APPLY_PREFIX, op->offset, op->line, op->column,
                            "key \"%s\" is outside the prefix \"%s\"", op->key, prefix);
}

static dcs_status set_current(struct importer *im, const struct dcs_reg_op *op,
                              struct dcs_error *err)
{
    dcs_status rc = flush(im, err);
    if (rc != DCS_OK)
        return rc;
    const char *rel = below_prefix(im, op->key);
    if (!rel)
        return outside(op, im->prefix, err);
    bool created;
    rc = open_key(im, rel, &created, err);
    if (rc != DCS_OK)
        return rc;
    if (!im->cur_key || op->key_len + 1 > im->cur_key_cap) {
        char *k = realloc(im->cur_key, op->key_len + 1);
        if (!k)
            return nomem(err);
        im->cur_key = k;
        im->cur_key_cap = op->key_len + 1;
    }
    memcpy(im->cur_key, op->key, op->key_len + 1);
    im->have_cur = true;
    im->cur_fresh = created;
    return DCS_OK;
}

static dcs_status add_pending(struct importer *im, const struct dcs_reg_op *op, bool del,
                              struct dcs_error *err)
{
    dcs_status rc = DCS_OK;
    if (!im->have_cur || strcmp(op->key, im->cur_key) != 0)
        rc = set_current(im, op, err);
    if (rc != DCS_OK)
        return rc;
    if (im->npv == im->cappv) {
        size_t cap = im->cappv ? im->cappv * 2 : 16;
        struct pending *np = realloc(im->pv, cap * sizeof *np);
        if (!np)
            return nomem(err);
        im->pv = np;
        im->cappv = cap;
    }
    struct pending *p = &im->pv[im->npv];
    p->del = del;
    p->type = op->type;
    p->data_len = del ? 0 : op->data_len;
    rc = arena_put(im, op->name, op->name_len + 1, &p->name_off, err);
    if (rc == DCS_OK && !del)
        rc = arena_put(im, op->data, op->data_len, &p->data_off, err);
    if (rc == DCS_OK)
        im->npv++;
    return rc;
}

static dcs_status delete_key(struct importer *im, const struct dcs_reg_op *op,
                             struct dcs_error *err)
{
    dcs_status rc = flush(im, err);
    if (rc != DCS_OK)
        return rc;
    im->have_cur = false;
    const char *rel = below_prefix(im, op->key);
    if (!rel)
        return outside(op, im->prefix, err);
    if (!*rel)
        return dcs_error_set_at(err, DCS_ERR_INVALID_ARG, op->offset, op->line, op->column,
                                "[-%s] would delete the hive's root key", op->key);
    dcs_hive_key k;
    rc = dcs_hive_find_key(im->h, 0, rel, &k, err);
    if (rc == DCS_ERR_NOT_FOUND)
        return DCS_OK; /* regedit: deleting an absent key is no error */
    if (rc == DCS_OK)
        rc = dcs_hive_delete_key(im->h, k, err);
    if (rc == DCS_OK)
        im->stats->keys_deleted++;
    pop_to(im, 0); /* handles below the deleted key are gone */
    return rc;
}

static dcs_status run_import(struct importer *im, const struct dcs_reg_reader_options *ropt,
                             struct dcs_reg_source *src, dcs_warn_fn warn, void *warn_ctx,
                             struct dcs_error *err)
{
    struct dcs_reg_reader *r;
    dcs_status rc = dcs_reg_reader_new(ropt, &r, err);
    if (rc != DCS_OK)
        return rc;
    for (bool done = false; rc == DCS_OK && !done;) {
        struct dcs_reg_op op;
        rc = dcs_reg_source_next(src, r, &op, err);
        if (rc != DCS_OK)
            break;
        switch (op.kind) {
        case DCS_REG_OP_NEED_INPUT: /* dcs_reg_source_next fed the reader */
            break;
        case DCS_REG_OP_END:
            rc = flush(im, err);
            done = true;
            break;
        case DCS_REG_OP_CREATE_KEY:
            rc = set_current(im, &op, err);
            break;
        case DCS_REG_OP_DELETE_KEY:
            rc = delete_key(im, &op, err);
            break;
        case DCS_REG_OP_SET_VALUE:
            rc = add_pending(im, &op, false, err);
            break;
        case DCS_REG_OP_DELETE_VALUE:
            rc = add_pending(im, &op, true, err);
            break;
        case DCS_REG_OP_WARNING:
            im->stats->warnings++;
            if (warn)
                warn(warn_ctx, op.warning);
            break;
        }
    }
    dcs_reg_reader_free(r);
    return rc;
}

dcs_status dcs_hive_import_reg(dcs_hive *h, const char *prefix,
                               const struct dcs_reg_reader_options *ropt,
                               struct dcs_reg_source *src, dcs_warn_fn warn, void *warn_ctx,
                               struct dcs_hive_import_stats *stats, struct dcs_error *err)
{
    struct importer *im = calloc(1, sizeof *im);
    if (!im)
        return nomem(err);
    memset(stats, 0, sizeof *stats);
    im->h = h;
    im->prefix = prefix;
    im->plen = strlen(prefix);
    while (im->plen && prefix[im->plen - 1] == '\\')
        im->plen--;
    im->stats = stats;
    dcs_status rc = run_import(im, ropt, src, warn, warn_ctx, err);
    pop_to(im, 0);
    free(im->cur_key);
    free(im->pv);
    free(im->arena);
    free(im);
    return rc;
}
