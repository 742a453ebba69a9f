/* Executing an apply: read the current values from hives, perform a plan's
 * steps, commit all-or-nothing.  Rules in apply.h. */
#include "apply/apply_internal.h"
#include "hive/hive_internal.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

static dcs_status push(struct dcs_apply_snapshot *s, const char *key, const char *name,
                       uint32_t type, const uint8_t *data, size_t len, struct dcs_error *err)
{
    if (len > UINT32_MAX)
        return dcs_error_set(err, DCS_ERR_LIMIT, DCS_NO_OFFSET, "value %s is too large", name);
    if (s->cur.nvalues == s->cap) {
        size_t ncap = s->cap ? s->cap * 2 : 16;
        struct dcs_apply_value *nv = realloc(s->values, ncap * sizeof *nv);
        if (!nv)
            return dcs_error_set(err, DCS_ERR_NOMEM, DCS_NO_OFFSET, "out of memory");
        s->values = nv;
        s->cap = ncap;
        s->cur.values = nv;
    }
    char *n = strdup(name);
    uint8_t *d = malloc(len ? len : 1);
    if (!n || !d) {
        free(n);
        free(d);
        return dcs_error_set(err, DCS_ERR_NOMEM, DCS_NO_OFFSET, "out of memory");
    }
    if (len)
        memcpy(d, data, len);
    /* ownership moves into the array; its owner frees it */
    s->values[s->cur.nvalues++] = (struct dcs_apply_value){key, n, type, {d, (uint32_t)len}};
    return DCS_OK;
}

struct collect_ctx {
    struct dcs_apply_snapshot *snap;
    const char *key;
    struct dcs_error *err;
    dcs_status rc;
};

static int collect(void *ctx, const struct dcs_hive_value *v)
{
    struct collect_ctx *c = ctx;
    c->rc = push(c->snap, c->key, v->name, v->type, v->data, v->len, c->err);
    return c->rc != DCS_OK;
}

/* Add every value of key (absent key: nothing, *exists = false). */
static dcs_status read_all(dcs_hive *h, const char *key, struct dcs_apply_snapshot *s,
                           bool *exists, struct dcs_error *err)
{
    dcs_hive_key k;
    *exists = false;
    dcs_status rc = dcs_hive_find_key(h, 0, key, &k, err);
    if (rc == DCS_ERR_NOT_FOUND)
        return DCS_OK;
    if (rc != DCS_OK)
        return rc;
    *exists = true;
    struct collect_ctx c = {s, key, err, DCS_OK};
    rc = dcs_hive_each_value(h, k, collect, &c, NULL, err);
    return rc != DCS_OK ? rc : c.rc;
}

/* Add one value if present. */
static dcs_status read_one(dcs_hive *h, const char *key, const char *name,
                           struct dcs_apply_snapshot *s, struct dcs_error *err)
{
    dcs_hive_key k;
    dcs_status rc = dcs_hive_find_key(h, 0, key, &k, err);
    if (rc == DCS_ERR_NOT_FOUND)
        return DCS_OK;
    if (rc != DCS_OK)
        return rc;
    struct dcs_hive_value v;
    rc = dcs_hive_get_value(h, k, name, &v, err);
    if (rc == DCS_ERR_NOT_FOUND)
        return DCS_OK;
    if (rc != DCS_OK)
        return rc;
    rc = push(s, key, v.name, v.type, v.data, v.len, err);
    dcs_hive_value_free(&v);
    return rc;
}

dcs_status dcs_apply_snapshot_read(dcs_hive *h, bool machine, struct dcs_apply_snapshot *out,
                                   struct dcs_error *err)
{
    static const char *const plain[] = {"ProxyEnable", "ProxyServer", "ProxyOverride",
                                        "AutoConfigURL"};
    memset(out, 0, sizeof *out);
    dcs_status rc;
    if (machine) {
        bool wow = false;
        dcs_hive_key k;
        bool conn = false;
        /* every value: WinHttpSettings and the machine-wide blobs */
        rc = read_all(h, DCS_KEY_MACHINE_CONNECTIONS, out, &conn, err);
        if (rc == DCS_OK)
            rc = read_one(h, DCS_KEY_POLICY_INTERNET_SETTINGS, DCS_VALUE_PER_USER, out, err);
        if (rc == DCS_OK) {
            rc = dcs_hive_find_key(h, 0, "WOW6432Node", &k, err);
            wow = rc == DCS_OK;
            if (rc == DCS_ERR_NOT_FOUND)
                rc = DCS_OK;
        }
        out->cur.has_wow64 = wow;
        if (rc == DCS_OK && wow)
            rc = read_one(h, DCS_KEY_MACHINE_CONNECTIONS_WOW64, DCS_VALUE_WINHTTP, out, err);
        out->connections_key = true;
    } else {
        rc = read_all(h, DCS_KEY_CONNECTIONS, out, &out->connections_key, err);
        for (size_t i = 0; rc == DCS_OK && i < sizeof plain / sizeof plain[0]; i++)
            rc = read_one(h, DCS_KEY_INTERNET_SETTINGS, plain[i], out, err);
    }
    if (rc != DCS_OK)
        dcs_apply_snapshot_free(out);
    return rc;
}

void dcs_apply_snapshot_free(struct dcs_apply_snapshot *s)
{
    for (size_t i = 0; i < s->cur.nvalues; i++) {
        free((void *)s->values[i].name);
        free((void *)s->values[i].data.ptr);
    }
    free(s->values);
    memset(s, 0, sizeof *s);
}

dcs_status dcs_apply_edit(dcs_hive *h, const struct dcs_apply_plan *plan, struct dcs_error *err)
{
    const char *last_key = NULL;
    dcs_hive_key k = 0;
    for (size_t i = 0; i < plan->nsteps; i++) {
        const struct dcs_apply_step *s = &plan->steps[i];
        if (s->action == DCS_APPLY_UNCHANGED)
            continue;
        dcs_status rc = DCS_OK;
        if (!last_key || strcasecmp(last_key, s->key) != 0) {
            rc = dcs_hive_ensure_key(h, 0, s->key, &k, err);
            last_key = s->key;
        }
        if (rc == DCS_OK && s->action == DCS_APPLY_DELETE) {
            bool deleted;
            rc = dcs_hive_delete_value(h, k, s->name, &deleted, err);
        } else if (rc == DCS_OK) {
            rc = dcs_hive_set_value(h, k, s->name, s->type, s->wanted, s->wanted_len, err);
        }
        if (rc != DCS_OK)
            return rc;
    }
    return DCS_OK;
}

dcs_status dcs_apply_execute(dcs_hive *const *hives, const struct dcs_apply_plan *const *plans,
                             size_t n, struct dcs_error *err)
{
    return dcsi_apply_execute_with(hives, plans, n, NULL, err);
}

dcs_status dcsi_apply_execute_with(dcs_hive *const *hives,
                                   const struct dcs_apply_plan *const *plans, size_t n,
                                   const struct dcsi_commit_companions *with,
                                   struct dcs_error *err)
{
    for (size_t i = 0; i < n; i++) {
        if (!dcs_apply_plan_changes(plans[i]))
            continue;
        dcs_status rc = dcs_apply_edit(hives[i], plans[i], err);
        if (rc != DCS_OK)
            return rc;
    }
    return dcsi_hive_commit_with(hives, n, with, err);
}
