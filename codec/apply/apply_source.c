/* The source of an applier: blob bytes, a user's hive or a mode (the .reg
 * source is in apply_source_reg.c); and reading one blob out of a hive file. */
#include "apply/apply_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static dcs_status nomem(struct dcs_error *err)
{
    return dcs_error_set(err, DCS_ERR_NOMEM, DCS_NO_OFFSET, "out of memory");
}

void dcsi_apply_source_clear(struct dcs_applier *a)
{
    free(a->blob);
    free(a->saved);
    free(a->proxy);
    free(a->bypass);
    free(a->pac);
    free(a->origin);
    a->blob = a->saved = NULL;
    a->blob_len = a->saved_len = 0;
    a->proxy = a->bypass = a->pac = a->origin = NULL;
    memset(&a->src, 0, sizeof a->src);
    a->have_source = false;
}

static uint8_t *dup_bytes(const uint8_t *p, size_t n)
{
    uint8_t *d = malloc(n ? n : 1);
    if (d && n)
        memcpy(d, p, n);
    return d;
}

/* The source is set: check it as the planner will. */
static dcs_status finish(struct dcs_applier *a, struct dcs_error *err)
{
    dcs_status st = dcs_apply_source_check(&a->src, err);
    if (st != DCS_OK) {
        dcsi_apply_source_clear(a);
        return st;
    }
    a->have_source = true;
    return DCS_OK;
}

dcs_status dcsi_apply_set_copy(struct dcs_applier *a, const uint8_t *blob, size_t blob_len,
                               const uint8_t *saved, size_t saved_len, char *origin,
                               struct dcs_error *err)
{
    dcsi_apply_source_clear(a);
    a->origin = origin; /* owned from here on */
    if (!origin)
        return nomem(err);
    if (blob_len > UINT32_MAX || saved_len > UINT32_MAX)
        return dcs_error_set(err, DCS_ERR_LIMIT, DCS_NO_OFFSET, "source blob too large");
    a->blob = dup_bytes(blob, blob_len);
    a->saved = saved_len ? dup_bytes(saved, saved_len) : NULL;
    if (!a->blob || (saved_len && !a->saved)) {
        dcsi_apply_source_clear(a);
        return nomem(err);
    }
    a->blob_len = blob_len;
    a->saved_len = saved_len;
    a->src.mode = DCS_MODE_COPY;
    a->src.blob = (dcs_bytes){a->blob, (uint32_t)blob_len};
    a->src.saved_legacy = (dcs_bytes){a->saved, (uint32_t)saved_len};
    return finish(a, err);
}

dcs_status dcs_applier_source_blob(dcs_applier *a, dcs_bytes blob, dcs_bytes saved,
                                   const char *origin, struct dcs_error *err)
{
    return dcsi_apply_set_copy(a, blob.ptr, blob.len, saved.ptr, saved.len,
                               dcsi_strdupf("%s", origin ? origin : "blob"), err);
}

static char *dup_or_null(const char *s, bool *failed)
{
    char *d = s ? strdup(s) : NULL;
    if (s && !d)
        *failed = true;
    return d;
}

static dcs_bytes str_bytes(const char *s)
{
    return (dcs_bytes){(const uint8_t *)s, s ? (uint32_t)strlen(s) : 0};
}

dcs_status dcs_applier_source_mode(dcs_applier *a, enum dcs_apply_mode mode, const char *proxy,
                                   const char *bypass, const char *pac, struct dcs_error *err)
{
    dcsi_apply_source_clear(a);
    if (mode == DCS_MODE_COPY)
        return dcs_error_set(err, DCS_ERR_INVALID_ARG, DCS_NO_OFFSET,
                             "copy is not a mode: give the blob to copy");
    bool failed = false;
    a->proxy = dup_or_null(proxy, &failed);
    a->bypass = dup_or_null(bypass, &failed);
    a->pac = dup_or_null(pac, &failed);
    a->origin = dcsi_strdupf("mode %s", dcs_apply_mode_name(mode));
    if (failed || !a->origin) {
        dcsi_apply_source_clear(a);
        return nomem(err);
    }
    a->src.mode = mode;
    a->src.proxy = str_bytes(a->proxy);
    a->src.bypass = str_bytes(a->bypass);
    a->src.pac = str_bytes(a->pac);
    return finish(a, err);
}

/* Open a hive file read-only; a dirty one is read with its logs replayed in
 * memory, or as it is when they cannot be, with a warning either way. */
static dcs_status open_source(const char *path, dcs_warn_fn fn, void *ctx, dcs_hive **h,
                              struct dcs_error *err)
{
    dcs_status rc = dcs_hive_open(path, DCS_HIVE_READ | DCS_HIVE_RECOVER, h, err);
    if (rc != DCS_OK || !fn || !dcs_hive_state_dirty(dcs_hive_get_state(*h)))
        return rc;
    const dcs_hive_state *hs = dcs_hive_get_state(*h);
    struct dcs_error w;
    if (dcs_hive_state_recovered(hs))
        dcs_error_set(&w, DCS_OK, DCS_NO_OFFSET,
                      "%s is dirty: read with its transaction logs replayed in memory (%u "
                      "entries), as Windows would load it; the file is unchanged",
                      path, dcs_hive_state_recovered_entries(hs));
    else
        dcs_error_set(&w, DCS_ERR_HIVE_DIRTY, DCS_NO_OFFSET,
                      "%s is dirty (%s): its transaction logs are not replayed, what is read "
                      "may be stale",
                      path, dcs_hive_state_reason(hs));
    fn(ctx, &w);
    return DCS_OK;
}

static dcs_status read_value(dcs_hive *h, const char *key, const char *name,
                             struct dcs_hive_value *v, struct dcs_error *err)
{
    dcs_hive_key k;
    dcs_status rc = dcs_hive_find_key(h, 0, key, &k, err);
    if (rc == DCS_OK)
        rc = dcs_hive_get_value(h, k, name, v, err);
    return rc;
}

dcs_status dcs_apply_read_blob(const char *path, const char *key, const char *name,
                               dcs_warn_fn fn, void *ctx, uint8_t **data, size_t *len,
                               struct dcs_error *err)
{
    dcs_hive *h;
    struct dcs_hive_value v;
    *data = NULL;
    *len = 0;
    name = name ? name : DCS_VALUE_DEFAULT;
    dcs_status rc = open_source(path, fn, ctx, &h, err);
    if (rc != DCS_OK)
        return rc;
    rc = read_value(h, key ? key : DCS_KEY_CONNECTIONS, name, &v, err);
    dcs_hive_close(h);
    if (rc != DCS_OK)
        return rc;
    if (v.type != DCS_REG_BINARY) {
        rc = dcs_error_set(err, DCS_ERR_INVALID_ARG, DCS_NO_OFFSET,
                           "value %s has type %u, not REG_BINARY", name, v.type);
        dcs_hive_value_free(&v);
        return rc;
    }
    *data = v.data;
    *len = v.len;
    v.data = NULL;
    dcs_hive_value_free(&v);
    return DCS_OK;
}

/* DefaultConnectionSettings (must be REG_BINARY) and SavedLegacySettings
 * (used when REG_BINARY) of an open user hive. */
static dcs_status hive_values(dcs_hive *h, const char *path, struct dcs_hive_value *d,
                              struct dcs_hive_value *s, struct dcs_error *err)
{
    dcs_status st = read_value(h, DCS_KEY_CONNECTIONS, DCS_VALUE_DEFAULT, d, err);
    if (st == DCS_ERR_NOT_FOUND)
        return dcs_error_set(err, DCS_ERR_APPLY_NO_SOURCE, DCS_NO_OFFSET,
                             "%s has no %s\\" DCS_VALUE_DEFAULT, path, DCS_KEY_CONNECTIONS);
    if (st != DCS_OK)
        return st;
    if (d->type != DCS_REG_BINARY) {
        st = dcs_error_set(err, DCS_ERR_APPLY_NO_SOURCE, DCS_NO_OFFSET,
                           "%s: " DCS_VALUE_DEFAULT " has type %u, not REG_BINARY", path,
                           d->type);
        dcs_hive_value_free(d);
        return st;
    }
    struct dcs_error e2;
    st = read_value(h, DCS_KEY_CONNECTIONS, DCS_VALUE_SAVED_LEGACY, s, &e2);
    if (st == DCS_ERR_NOMEM) {
        dcs_hive_value_free(d);
        return nomem(err);
    }
    if (st == DCS_OK && s->type != DCS_REG_BINARY)
        dcs_hive_value_free(s);
    if (st != DCS_OK)
        memset(s, 0, sizeof *s);
    return DCS_OK;
}

dcs_status dcs_applier_source_hive(dcs_applier *a, const char *path, struct dcs_error *err)
{
    dcs_hive *h;
    struct dcs_hive_value d = {0}, s = {0};
    dcsi_apply_source_clear(a);
    dcs_status st = open_source(path, a->warn, a->warn_ctx, &h, err);
    if (st != DCS_OK)
        return st;
    st = hive_values(h, path, &d, &s, err);
    dcs_hive_close(h);
    if (st != DCS_OK)
        return st;
    st = dcsi_apply_set_copy(a, d.data, d.len, s.data, s.data ? s.len : 0,
                             dcsi_strdupf("%s", path), err);
    dcs_hive_value_free(&d);
    dcs_hive_value_free(&s);
    return st;
}
