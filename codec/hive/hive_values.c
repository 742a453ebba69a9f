/* The hive handle: values, and the edits (set, delete, delete a subtree). */
#include <dcs/hive.h>
#include "hive/hive_internal.h"

#include <stdlib.h>
#include <string.h>

static dcs_status nomem(struct dcs_error *err)
{
    return dcs_error_set(err, DCS_ERR_NOMEM, DCS_NO_OFFSET, "out of memory");
}

void dcs_hive_value_free(struct dcs_hive_value *v)
{
    if (!v)
        return;
    free(v->name);
    free(v->data);
    v->name = NULL;
    v->data = NULL;
    v->len = 0;
}

/* A value as the callbacks see it: name in *name_buf, data in the hive or
 * in *big (both grown as needed). */
static dcs_status view_value(dcs_hive *h, uint32_t off, char **name_buf, size_t *name_cap,
                             uint8_t **big, size_t *bigcap, struct dcs_hive_value *v,
                             struct dcs_error *err)
{
    struct dcsi_regf_vk vk;
    const uint8_t *p;
    dcs_status rc = dcsi_regf_vk(&h->r, off, &vk, err);
    if (rc == DCS_OK)
        rc = dcsi_regf_val_data(&h->r, &vk, &p, big, bigcap, err);
    if (rc == DCS_OK && !dcsi_hive_name_room(name_buf, name_cap, &vk.name))
        rc = nomem(err);
    if (rc != DCS_OK)
        return rc;
    dcsi_regf_name_utf8(&vk.name, *name_buf);
    v->name = *name_buf;
    v->type = vk.type;
    v->data = (uint8_t *)p;
    v->len = vk.size;
    return DCS_OK;
}

dcs_status dcs_hive_get_value(dcs_hive *h, dcs_hive_key key, const char *name,
                              struct dcs_hive_value *out, struct dcs_error *err)
{
    memset(out, 0, sizeof *out);
    uint32_t nk, off;
    size_t n;
    dcs_status rc = dcsi_hive_key_cell(h, key, &nk, err);
    if (rc == DCS_OK)
        rc = dcsi_hive_to_units(h, name, strlen(name), DCSI_REGF_VALUE_NAME_MAX, &n, err);
    if (rc == DCS_OK)
        rc = dcsi_regf_find_val(&h->r, nk, h->up, n, &off, err);
    if (rc == DCS_OK && !off)
        rc = dcs_error_set(err, DCS_ERR_NOT_FOUND, DCS_NO_OFFSET, "value \"%s\" not found",
                           name);
    if (rc != DCS_OK)
        return rc;
    uint8_t *big = NULL;
    size_t bigcap = 0, ncap = 0;
    struct dcs_hive_value v;
    char *nbuf = NULL;
    rc = view_value(h, off, &nbuf, &ncap, &big, &bigcap, &v, err);
    if (rc == DCS_OK) {
        out->name = strdup(v.name);
        out->data = malloc(v.len ? v.len : 1);
        if (!out->name || !out->data) {
            dcs_hive_value_free(out);
            rc = nomem(err);
        } else {
            if (v.len)
                memcpy(out->data, v.data, v.len);
            out->len = v.len;
            out->type = v.type;
        }
    }
    free(nbuf);
    free(big);
    return rc;
}

struct val_walk {
    dcs_hive *h;
    dcs_hive_value_fn fn;
    void *ctx;
    char *name;
    size_t name_cap;
    uint8_t *big;
    size_t bigcap;
    dcs_status rc;
    struct dcs_error *err;
};

static int each_val(void *ctx, uint32_t off)
{
    struct val_walk *w = ctx;
    struct dcs_hive_value v;
    w->rc = view_value(w->h, off, &w->name, &w->name_cap, &w->big, &w->bigcap, &v, w->err);
    if (w->rc != DCS_OK)
        return 1;
    return w->fn(w->ctx, &v);
}

dcs_status dcs_hive_each_value(dcs_hive *h, dcs_hive_key key, dcs_hive_value_fn fn, void *ctx,
                               int *stopped, struct dcs_error *err)
{
    int stop = 0;
    uint32_t nk;
    dcs_status rc = dcsi_hive_key_cell(h, key, &nk, err);
    if (rc != DCS_OK)
        return rc;
    struct val_walk w = {h, fn, ctx, NULL, 0, NULL, 0, DCS_OK, err};
    rc = dcsi_regf_each_val(&h->r, nk, each_val, &w, &stop, err);
    if (rc == DCS_OK && w.rc != DCS_OK) {
        rc = w.rc;
        stop = 0;
    }
    free(w.name);
    free(w.big);
    if (stopped)
        *stopped = stop;
    return rc;
}

dcs_status dcs_hive_set_value(dcs_hive *h, dcs_hive_key key, const char *name, uint32_t type,
                              const void *data, size_t len, struct dcs_error *err)
{
    uint32_t nk;
    size_t n;
    dcs_status rc = dcsi_hive_need_write(h, err);
    if (rc == DCS_OK)
        rc = dcsi_hive_key_cell(h, key, &nk, err);
    if (rc == DCS_OK)
        rc = dcsi_hive_to_units(h, name, strlen(name), DCSI_REGF_VALUE_NAME_MAX, &n, err);
    if (rc == DCS_OK)
        rc = dcsi_regf_set_val(&h->r, nk, h->units, h->up, n, type, data, len, err);
    if (rc == DCS_OK)
        h->modified = true;
    return rc;
}

dcs_status dcs_hive_set_values(dcs_hive *h, dcs_hive_key key, const struct dcs_hive_set *v,
                               size_t n, struct dcs_error *err)
{
    uint32_t nk;
    dcs_status rc = dcsi_hive_need_write(h, err);
    if (rc == DCS_OK)
        rc = dcsi_hive_key_cell(h, key, &nk, err);
    /* check every name and size first: all of the values or none */
    for (size_t i = 0; rc == DCS_OK && i < n; i++) {
        size_t k;
        rc = dcsi_hive_to_units(h, v[i].name, strlen(v[i].name), DCSI_REGF_VALUE_NAME_MAX, &k,
                                err);
        if (rc == DCS_OK && v[i].len > DCSI_REGF_DATA_MAX)
            rc = dcs_error_set(err, DCS_ERR_LIMIT, DCS_NO_OFFSET,
                               "value \"%s\": %zu bytes of data (a hive value holds at most "
                               "%zu)", v[i].name, v[i].len, DCSI_REGF_DATA_MAX);
    }
    if (rc == DCS_OK)
        rc = dcsi_regf_clear_vals(&h->r, nk, err);
    for (size_t i = 0; rc == DCS_OK && i < n; i++) {
        size_t k;
        rc = dcsi_hive_to_units(h, v[i].name, strlen(v[i].name), DCSI_REGF_VALUE_NAME_MAX, &k,
                                err);
        if (rc == DCS_OK)
            rc = dcsi_regf_set_val(&h->r, nk, h->units, h->up, k, v[i].type, v[i].data,
                                   v[i].len, err);
        h->modified = true;
    }
    if (rc == DCS_OK)
        h->modified = true;
    return rc;
}

dcs_status dcs_hive_delete_value(dcs_hive *h, dcs_hive_key key, const char *name,
                                 bool *deleted, struct dcs_error *err)
{
    uint32_t nk;
    size_t n;
    *deleted = false;
    dcs_status rc = dcsi_hive_need_write(h, err);
    if (rc == DCS_OK)
        rc = dcsi_hive_key_cell(h, key, &nk, err);
    if (rc == DCS_OK)
        rc = dcsi_hive_to_units(h, name, strlen(name), DCSI_REGF_VALUE_NAME_MAX, &n, err);
    if (rc == DCS_OK)
        rc = dcsi_regf_del_val(&h->r, nk, h->up, n, deleted, err);
    if (rc == DCS_OK && *deleted)
        h->modified = true;
    return rc;
}

dcs_status dcs_hive_delete_key(dcs_hive *h, dcs_hive_key key, struct dcs_error *err)
{
    uint32_t nk;
    dcs_status rc = dcsi_hive_need_write(h, err);
    if (rc == DCS_OK)
        rc = dcsi_hive_key_cell(h, key, &nk, err);
    if (rc == DCS_OK && nk == h->r.root)
        rc = dcs_error_set(err, DCS_ERR_INVALID_ARG, DCS_NO_OFFSET,
                           "the root key of a hive cannot be deleted");
    if (rc == DCS_OK)
        rc = dcsi_regf_del_key(&h->r, nk, err);
    if (rc == DCS_OK)
        h->modified = true;
    return rc;
}
