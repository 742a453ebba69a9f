/* The .reg source of an applier: DefaultConnectionSettings (and
 * SavedLegacySettings) under a ...\Internet Settings\Connections key. */
#include "apply/apply_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <dcs/regio.h>
#include <dcs/regread.h>

#define MAX_CANDIDATES 32

struct candidate {
    char *key;
    uint8_t *blob, *saved;
    size_t blob_len, saved_len;
};

struct collection {
    struct candidate c[MAX_CANDIDATES];
    size_t n;
};

static bool is_connections_key(const char *key)
{
    static const char tail[] = "\\Internet Settings\\Connections";
    size_t n = strlen(key), t = sizeof tail - 1;
    return n >= t && strcasecmp(key + n - t, tail) == 0;
}

static struct candidate *candidate_for(struct collection *col, const char *key)
{
    for (size_t i = 0; i < col->n; i++)
        if (strcasecmp(col->c[i].key, key) == 0)
            return &col->c[i];
    if (col->n == MAX_CANDIDATES)
        return NULL;
    char *k = strdup(key);
    if (!k)
        return NULL;
    col->c[col->n] = (struct candidate){.key = k}; /* the collection owns k from here */
    return &col->c[col->n++];
}

static bool set_bytes(uint8_t **dst, size_t *dst_len, const uint8_t *src, size_t len)
{
    free(*dst);
    *dst = NULL;
    *dst_len = 0;
    if (!src)
        return true;
    *dst = malloc(len ? len : 1);
    if (!*dst)
        return false;
    if (len)
        memcpy(*dst, src, len);
    *dst_len = len;
    return true;
}

/* [-KEY]: forget the values collected under KEY and its subkeys. */
static void delete_key(struct collection *col, const char *key)
{
    size_t kl = strlen(key);
    for (size_t i = 0; i < col->n; i++) {
        struct candidate *c = &col->c[i];
        if (strncasecmp(c->key, key, kl) == 0 && (c->key[kl] == '\0' || c->key[kl] == '\\')) {
            set_bytes(&c->blob, &c->blob_len, NULL, 0);
            set_bytes(&c->saved, &c->saved_len, NULL, 0);
        }
    }
}

/* One value operation: keep it when it is one of the two blobs. */
static dcs_status take_value(struct collection *col, const struct dcs_reg_op *op,
                             struct dcs_error *err)
{
    if (!is_connections_key(op->key))
        return DCS_OK;
    bool is_default = strcasecmp(op->name, DCS_VALUE_DEFAULT) == 0;
    if (!is_default && strcasecmp(op->name, DCS_VALUE_SAVED_LEGACY) != 0)
        return DCS_OK;
    struct candidate *cd = candidate_for(col, op->key);
    if (!cd)
        return dcs_error_set(err, col->n == MAX_CANDIDATES ? DCS_ERR_LIMIT : DCS_ERR_NOMEM,
                             DCS_NO_OFFSET, col->n == MAX_CANDIDATES
                                                ? "more than 32 Connections keys"
                                                : "out of memory");
    const uint8_t *data = op->kind == DCS_REG_OP_SET_VALUE ? op->data : NULL;
    if (data && op->type != DCS_REG_BINARY)
        return dcs_error_set_at(err, DCS_ERR_APPLY_NO_SOURCE, op->offset, op->line, op->column,
                                "%s is not REG_BINARY (type %u)", op->name, op->type);
    bool ok = is_default ? set_bytes(&cd->blob, &cd->blob_len, data, op->data_len)
                         : set_bytes(&cd->saved, &cd->saved_len, data, op->data_len);
    return ok ? DCS_OK : dcs_error_set(err, DCS_ERR_NOMEM, DCS_NO_OFFSET, "out of memory");
}

/* Read the whole .reg and collect the two blobs per Connections key (later
 * operations override earlier ones, deletions remove). */
static dcs_status collect(const dcs_applier *a, const char *path, struct collection *col,
                          struct dcs_error *err)
{
    struct dcs_reg_source *src;
    struct dcs_reg_reader *r;
    dcs_status st = dcs_reg_source_open(path, 0, &src, err);
    if (st != DCS_OK)
        return st;
    st = dcs_reg_reader_new(NULL, &r, err);
    if (st != DCS_OK) {
        dcs_reg_source_close(src);
        return st;
    }
    for (bool done = false; st == DCS_OK && !done;) {
        struct dcs_reg_op op;
        st = dcs_reg_source_next(src, r, &op, err);
        if (st != DCS_OK)
            break;
        if (op.kind == DCS_REG_OP_END)
            done = true;
        else if (op.kind == DCS_REG_OP_WARNING && a->warn)
            a->warn(a->warn_ctx, op.warning);
        else if (op.kind == DCS_REG_OP_DELETE_KEY)
            delete_key(col, op.key);
        else if (op.kind == DCS_REG_OP_SET_VALUE || op.kind == DCS_REG_OP_DELETE_VALUE)
            st = take_value(col, &op, err);
    }
    dcs_reg_reader_free(r);
    dcs_reg_source_close(src);
    return st;
}

/* The candidate keys that have a blob, as "[A], [B]" (cut at 200 bytes). */
static void list_candidates(const struct collection *col, char *list, size_t size)
{
    list[0] = '\0';
    for (size_t i = 0; i < col->n; i++)
        if (col->c[i].blob) {
            size_t used = strlen(list);
            snprintf(list + used, size - used, "%s[%s]", used ? ", " : "", col->c[i].key);
        }
}

static dcs_status pick(dcs_applier *a, const char *path, const char *key,
                       const struct collection *col, struct dcs_error *err)
{
    const struct candidate *chosen = NULL;
    size_t with_blob = 0;
    for (size_t i = 0; i < col->n; i++) {
        if (!col->c[i].blob)
            continue;
        with_blob++;
        if (key ? strcasecmp(col->c[i].key, key) == 0 : !chosen)
            chosen = &col->c[i];
    }
    if (!with_blob || (key && !chosen))
        return dcs_error_set(err, DCS_ERR_APPLY_NO_SOURCE, DCS_NO_OFFSET,
                             "%s has no DefaultConnectionSettings under %s", path,
                             key ? key : "a ...\\Internet Settings\\Connections key");
    if (with_blob > 1 && !key) {
        char list[200];
        list_candidates(col, list, sizeof list);
        return dcs_error_set(err, DCS_ERR_APPLY_AMBIGUOUS, DCS_NO_OFFSET,
                             "%zu candidate keys, name the one to use: %s", with_blob, list);
    }
    return dcsi_apply_set_copy(a, chosen->blob, chosen->blob_len, chosen->saved,
                               chosen->saved_len, dcsi_strdupf("%s [%s]", path, chosen->key),
                               err);
}

dcs_status dcs_applier_source_reg(dcs_applier *a, const char *path, const char *key,
                                  struct dcs_error *err)
{
    struct collection col;
    col.n = 0;
    dcsi_apply_source_clear(a);
    dcs_status st = collect(a, path, &col, err);
    if (st == DCS_OK)
        st = pick(a, path, key, &col, err);
    for (size_t i = 0; i < col.n; i++) {
        free(col.c[i].key);
        free(col.c[i].blob);
        free(col.c[i].saved);
    }
    return st;
}
