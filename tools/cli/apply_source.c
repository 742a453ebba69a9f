/* Loading the source settings of `dcs apply`. */
#include "apply_source.h"

#include <stdlib.h>
#include <string.h>

#include "apply_target.h"
#include "cli.h"
#include "hive_source.h"

static dcs_bytes str_bytes(const char *s)
{
    return (dcs_bytes){(const uint8_t *)s, s ? (uint32_t)strlen(s) : 0};
}

static int from_blob(const char *path, struct apply_source_data *d, struct dcs_error *err)
{
    enum cli_input_kind kind;
    dcs_status st = cli_load_blob(path, &d->blob, &d->blob_len, &kind, err);
    if (st == DCS_ERR_UNSUPPORTED && kind == CLI_INPUT_REG) {
        dcs_error_set(err, DCS_ERR_INVALID_ARG, DCS_NO_OFFSET,
                      "%s is a .reg file: use --from-reg", path);
        return EXIT_USAGE;
    }
    if (st != DCS_OK)
        return EXIT_BAD_INPUT;
    snprintf(d->origin, sizeof d->origin, "%s", path);
    return EXIT_OK;
}

static int from_hive(const char *path, struct apply_source_data *d, struct dcs_error *err)
{
    uint32_t type;
    dcs_status st = hive_source_read(path, NULL, DCS_VALUE_DEFAULT, &type, &d->blob,
                                     &d->blob_len, err);
    if (st == DCS_ERR_NOT_FOUND) {
        dcs_error_set(err, DCS_ERR_APPLY_NO_SOURCE, DCS_NO_OFFSET,
                      "%s has no %s\\" DCS_VALUE_DEFAULT, path, DCS_KEY_CONNECTIONS);
        return EXIT_BAD_INPUT;
    }
    if (st != DCS_OK)
        return target_classify(st) == TARGET_REFUSED ? EXIT_UNSAFE : EXIT_BAD_INPUT;
    if (type != DCS_REG_BINARY) {
        dcs_error_set(err, DCS_ERR_APPLY_NO_SOURCE, DCS_NO_OFFSET,
                      "%s: " DCS_VALUE_DEFAULT " has type %u, not REG_BINARY", path, type);
        return EXIT_BAD_INPUT;
    }
    struct dcs_error e2;
    st = hive_source_read(path, NULL, DCS_VALUE_SAVED_LEGACY, &type, &d->saved, &d->saved_len,
                          &e2);
    if (st != DCS_OK || type != DCS_REG_BINARY) {
        free(d->saved);
        d->saved = NULL;
        d->saved_len = 0;
    }
    snprintf(d->origin, sizeof d->origin, "%s", path);
    return EXIT_OK;
}

int apply_source_load(struct apply_opts *o, struct apply_source_data *d, struct dcs_error *err)
{
    int rc = EXIT_OK;
    memset(d, 0, sizeof *d);
    if (o->from_blob)
        rc = from_blob(o->from_blob, d, err);
    else if (o->from_hive)
        rc = from_hive(o->from_hive, d, err);
    else if (o->from_reg)
        rc = apply_source_from_reg(o->from_reg, o->reg_key, d, err);
    else
        snprintf(d->origin, sizeof d->origin, "mode %s", dcs_apply_mode_name(o->src.mode));
    if (rc != EXIT_OK)
        return rc;
    if (o->src.mode == DCS_MODE_COPY) {
        o->src.blob = (dcs_bytes){d->blob, (uint32_t)d->blob_len};
        o->src.saved_legacy = (dcs_bytes){d->saved, (uint32_t)d->saved_len};
    } else {
        o->src.proxy = str_bytes(o->proxy);
        o->src.bypass = str_bytes(o->bypass);
        o->src.pac = str_bytes(o->pac);
    }
    if (dcs_apply_source_check(&o->src, err) != DCS_OK)
        return o->src.mode == DCS_MODE_COPY ? EXIT_BAD_INPUT : EXIT_USAGE;
    return EXIT_OK;
}

void apply_source_free(struct apply_source_data *d)
{
    free(d->blob);
    free(d->saved);
    free(d->text);
    memset(d, 0, sizeof *d);
}

static json_t *jbytes(dcs_bytes b)
{
    return json_stringn(b.len ? (const char *)b.ptr : "", b.len);
}

json_t *apply_source_json(const struct apply_source_data *d, const struct dcs_apply_source *src)
{
    json_t *o = json_object();
    json_object_set_new(o, "origin", json_string(d->origin));
    json_object_set_new(o, "mode", json_string(dcs_apply_mode_name(src->mode)));
    if (src->mode == DCS_MODE_COPY) {
        json_object_set_new(o, "blob", target_blob_json(src->blob.ptr, src->blob.len));
        if (src->saved_legacy.len)
            json_object_set_new(o, "saved_legacy",
                                target_blob_json(src->saved_legacy.ptr, src->saved_legacy.len));
    } else {
        json_object_set_new(o, "proxy", jbytes(src->proxy));
        json_object_set_new(o, "bypass", jbytes(src->bypass));
        json_object_set_new(o, "pac", jbytes(src->pac));
    }
    return o;
}
