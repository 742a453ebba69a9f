/* The .reg side of `dcs apply`: --from-reg (find the source blob in a .reg),
 * --reg-out (a .reg for `reg import` on a live machine) and the undo .reg
 * written with each backup.  All output goes through the regedit writer. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "apply_source.h"
#include "apply_target.h"
#include "backup_reg.h"
#include "cli.h"
#include "json.h"

/* ---- --from-reg ---------------------------------------------------------------- */

#define MAX_CANDIDATES 32

struct candidate {
    char *key;
    uint8_t *blob, *saved;
    size_t blob_len, saved_len;
};

static bool is_connections_key(const char *key)
{
    static const char tail[] = "\\Internet Settings\\Connections";
    size_t n = strlen(key), t = sizeof tail - 1;
    return n >= t && strcasecmp(key + n - t, tail) == 0;
}

static struct candidate *candidate_for(struct candidate *c, size_t *n, const char *key)
{
    for (size_t i = 0; i < *n; i++)
        if (strcasecmp(c[i].key, key) == 0)
            return &c[i];
    if (*n == MAX_CANDIDATES)
        return NULL;
    struct candidate *nc = &c[(*n)++];
    memset(nc, 0, sizeof *nc);
    nc->key = strdup(key);
    return nc->key ? nc : NULL;
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

/* Read the whole .reg and collect DefaultConnectionSettings /
 * SavedLegacySettings per ...\Internet Settings\Connections key (later
 * operations override earlier ones, deletions remove). */
static dcs_status collect(const char *path, struct candidate *c, size_t *n,
                          struct dcs_error *err)
{
    struct dcs_reg_source *src;
    struct dcs_reg_reader *r;
    dcs_status st = dcs_reg_source_open(&src, path, 0, err);
    if (st != DCS_OK)
        return st;
    st = dcs_reg_reader_new(&r, NULL, err);
    if (st != DCS_OK) {
        dcs_reg_source_close(src);
        return st;
    }
    for (bool done = false; st == DCS_OK && !done;) {
        struct dcs_reg_op op;
        st = dcs_reg_reader_next(r, &op, err);
        if (st != DCS_OK)
            break;
        if (op.kind == DCS_REG_OP_NEED_INPUT) {
            st = dcs_reg_source_feed(src, r, err);
            continue;
        }
        if (op.kind == DCS_REG_OP_END) {
            done = true;
            continue;
        }
        if (op.kind == DCS_REG_OP_WARNING) {
            cli_report(path, op.warning);
            continue;
        }
        if (op.kind == DCS_REG_OP_DELETE_KEY) {
            for (size_t i = 0; i < *n; i++) {
                size_t kl = strlen(op.key);
                if (strncasecmp(c[i].key, op.key, kl) == 0 &&
                    (c[i].key[kl] == '\0' || c[i].key[kl] == '\\')) {
                    set_bytes(&c[i].blob, &c[i].blob_len, NULL, 0);
                    set_bytes(&c[i].saved, &c[i].saved_len, NULL, 0);
                }
            }
            continue;
        }
        if ((op.kind != DCS_REG_OP_SET_VALUE && op.kind != DCS_REG_OP_DELETE_VALUE) ||
            !is_connections_key(op.key))
            continue;
        bool is_default = strcasecmp(op.name, DCS_VALUE_DEFAULT) == 0;
        if (!is_default && strcasecmp(op.name, DCS_VALUE_SAVED_LEGACY) != 0)
            continue;
        struct candidate *cd = candidate_for(c, n, op.key);
        if (!cd) {
            st = dcs_error_set(err, DCS_ERR_LIMIT, DCS_NO_OFFSET,
                               "more than %d Connections keys", MAX_CANDIDATES);
            break;
        }
        const uint8_t *data = op.kind == DCS_REG_OP_SET_VALUE ? op.data : NULL;
        if (data && op.type != DCS_REG_BINARY) {
            st = dcs_error_set_at(err, DCS_ERR_APPLY_NO_SOURCE, op.offset, op.line, op.column,
                                  "%s is not REG_BINARY (type %u)", op.name, op.type);
            break;
        }
        bool ok = is_default ? set_bytes(&cd->blob, &cd->blob_len, data, op.data_len)
                             : set_bytes(&cd->saved, &cd->saved_len, data, op.data_len);
        if (!ok)
            st = dcs_error_set(err, DCS_ERR_NOMEM, DCS_NO_OFFSET, "out of memory");
    }
    dcs_reg_reader_free(r);
    dcs_reg_source_close(src);
    return st;
}

int apply_source_from_reg(const char *path, const char *key, struct apply_source_data *d,
                          struct dcs_error *err)
{
    struct candidate c[MAX_CANDIDATES];
    size_t n = 0;
    dcs_status st = collect(path, c, &n, err);
    struct candidate *pick = NULL;
    size_t with_blob = 0;
    for (size_t i = 0; st == DCS_OK && i < n; i++) {
        if (!c[i].blob)
            continue;
        with_blob++;
        if (key ? strcasecmp(c[i].key, key) == 0 : !pick)
            pick = &c[i];
    }
    int rc = EXIT_OK;
    if (st != DCS_OK) {
        rc = EXIT_BAD_INPUT;
    } else if (!with_blob || (key && !pick)) {
        dcs_error_set(err, DCS_ERR_APPLY_NO_SOURCE, DCS_NO_OFFSET,
                      "%s has no DefaultConnectionSettings under %s", path,
                      key ? key : "a ...\\Internet Settings\\Connections key");
        rc = EXIT_BAD_INPUT;
    } else if (with_blob > 1 && !key) {
        char list[200] = "";
        for (size_t i = 0; i < n; i++)
            if (c[i].blob) {
                size_t used = strlen(list);
                snprintf(list + used, sizeof list - used, "%s[%s]", used ? ", " : "", c[i].key);
            }
        dcs_error_set(err, DCS_ERR_APPLY_AMBIGUOUS, DCS_NO_OFFSET,
                      "%zu candidate keys, pick one with --key: %s", with_blob, list);
        rc = EXIT_BAD_INPUT;
    } else {
        d->blob = pick->blob;
        d->blob_len = pick->blob_len;
        d->saved = pick->saved;
        d->saved_len = pick->saved_len;
        pick->blob = pick->saved = NULL;
        snprintf(d->origin, sizeof d->origin, "%s [%s]", path, pick->key);
    }
    for (size_t i = 0; i < n; i++) {
        free(c[i].key);
        free(c[i].blob);
        free(c[i].saved);
    }
    return rc;
}

/* ---- writing plans as .reg --------------------------------------------------- */

/* Write the changing steps of a plan under root ("HKEY_USERS\S-1-5-18").
 * undo: the old data (or a deletion) instead of the new. */
static dcs_status write_plan(struct dcs_reg_writer *w, const char *root,
                             const struct dcs_apply_plan *p, bool undo, bool all,
                             struct dcs_error *err)
{
    dcs_status st = DCS_OK;
    const char *keys[8];
    size_t nkeys = 0;
    for (size_t i = 0; i < p->nsteps; i++) {
        size_t k = 0;
        while (k < nkeys && strcmp(keys[k], p->steps[i].key) != 0)
            k++;
        if (k == nkeys && nkeys < 8)
            keys[nkeys++] = p->steps[i].key;
    }
    /* regedit's order: sorted, so a parent comes before its subkeys */
    for (size_t a = 1; a < nkeys; a++)
        for (size_t b = a; b > 0 && strcasecmp(keys[b - 1], keys[b]) > 0; b--) {
            const char *t = keys[b];
            keys[b] = keys[b - 1];
            keys[b - 1] = t;
        }
    for (size_t k = 0; st == DCS_OK && k < nkeys; k++) {
        bool opened = false;
        for (size_t i = 0; st == DCS_OK && i < p->nsteps; i++) {
            const struct dcs_apply_step *s = &p->steps[i];
            if (strcmp(s->key, keys[k]) != 0 || (!all && s->action == DCS_APPLY_UNCHANGED))
                continue;
            if (!opened) {
                char full[600];
                snprintf(full, sizeof full, "%s\\%s", root, s->key);
                st = dcs_reg_writer_key(w, full, strlen(full), err);
                opened = true;
                if (st != DCS_OK)
                    break;
            }
            bool put = undo ? s->had : s->action != DCS_APPLY_DELETE;
            if (!put)
                st = dcs_reg_writer_delete_value(w, s->name, strlen(s->name), err);
            else if (undo)
                st = dcs_reg_writer_value(w, s->name, strlen(s->name), s->old_type, s->old.ptr,
                                          s->old.len, err);
            else
                st = dcs_reg_writer_value(w, s->name, strlen(s->name), s->type, s->wanted,
                                          s->wanted_len, err);
        }
    }
    return st;
}

static dcs_status write_reg_file(const char *path, struct dcs_reg_writer **w,
                                 struct dcs_reg_sink **sink, struct dcs_error *err)
{
    dcs_status st = dcs_reg_sink_open(sink, path, false, err);
    if (st == DCS_OK)
        st = dcs_reg_writer_new(w, NULL, dcs_reg_sink_write, *sink, err);
    return st;
}

static dcs_status finish_reg_file(struct dcs_reg_writer *w, struct dcs_reg_sink *sink,
                                  dcs_status st, struct dcs_error *err)
{
    if (st == DCS_OK && w)
        st = dcs_reg_writer_finish(w, err);
    dcs_reg_writer_free(w);
    if (sink) {
        if (st == DCS_OK)
            st = dcs_reg_sink_commit(sink, false, err);
        else
            dcs_reg_sink_abort(sink);
    }
    return st;
}

/* The .reg root a target's hive is mounted at on a live machine. */
static void target_root(const struct apply_target *t, char *root, size_t n)
{
    if (t->machine)
        snprintf(root, n, "HKEY_LOCAL_MACHINE\\SOFTWARE");
    else
        snprintf(root, n, "HKEY_USERS\\%s", t->sid);
}

dcs_status backup_write_undo_reg(const struct apply_target *t, const char *path,
                                 struct dcs_error *err)
{
    struct dcs_reg_writer *w = NULL;
    struct dcs_reg_sink *sink = NULL;
    char root[200];
    target_root(t, root, sizeof root);
    dcs_status st = write_reg_file(path, &w, &sink, err);
    if (st == DCS_OK)
        st = write_plan(w, root, &t->plan, true, false, err);
    return finish_reg_file(w, sink, st, err);
}

dcs_status backup_write_connections_reg(const struct apply_target *t, const char *path,
                                        struct dcs_error *err)
{
    struct dcs_reg_writer *w = NULL;
    struct dcs_reg_sink *sink = NULL;
    char root[200];
    target_root(t, root, sizeof root);
    dcs_status st = write_reg_file(path, &w, &sink, err);
    if (st == DCS_OK)
        st = dcs_hive_export_reg(t->hive, root,
                                 t->machine ? DCS_KEY_MACHINE_CONNECTIONS : DCS_KEY_CONNECTIONS,
                                 w, err);
    return finish_reg_file(w, sink, st, err);
}

/* ---- --reg-out --------------------------------------------------------------------- */

static const char *const default_sids[] = {"S-1-5-18", "S-1-5-19", "S-1-5-20"};

int apply_reg_out(struct apply_opts *o)
{
    const char *sids[64];
    size_t n = 0;
    for (size_t i = 0; i < o->nsids && n < 64; i++)
        sids[n++] = o->sids[i];
    if (!o->nsids)
        for (size_t i = 0; i < (o->all_services ? 3u : 2u); i++)
            sids[n++] = default_sids[i];
    else if (o->all_services)
        for (size_t i = 0; i < 3; i++) {
            size_t k = 0;
            while (k < n && strcasecmp(sids[k], default_sids[i]) != 0)
                k++;
            if (k == n && n < 64)
                sids[n++] = default_sids[i];
        }
    if (o->nhives)
        cli_warnf("apply: --hive is ignored with --reg-out");
    if (o->opt.all_connections)
        cli_warnf("apply: --all-connections needs hives; with --reg-out only --connection "
                  "names are written");
    struct dcs_reg_writer *w = NULL;
    struct dcs_reg_sink *sink = NULL;
    struct dcs_error err;
    dcs_error_clear(&err);
    dcs_status st = write_reg_file(o->reg_out, &w, &sink, &err);
    /* a live machine's current values are unknown: write every value, and
     * delete the plain values the settings do not use */
    static const uint8_t none;
    struct dcs_apply_value absent[3] = {
        {DCS_KEY_INTERNET_SETTINGS, "ProxyServer", DCS_REG_NONE, {&none, 0}},
        {DCS_KEY_INTERNET_SETTINGS, "ProxyOverride", DCS_REG_NONE, {&none, 0}},
        {DCS_KEY_INTERNET_SETTINGS, "AutoConfigURL", DCS_REG_NONE, {&none, 0}},
    };
    struct dcs_apply_current cur = {absent, o->opt.no_plain_values ? 0u : 3u, true};
    for (size_t i = 0; st == DCS_OK && i < n; i++) {
        struct dcs_apply_plan p;
        char root[200];
        snprintf(root, sizeof root, "HKEY_USERS\\%s", sids[i]);
        st = dcs_apply_plan_user(&o->src, &o->opt, &cur, &p, &err);
        if (st == DCS_OK) {
            st = write_plan(w, root, &p, false, true, &err);
            dcs_apply_plan_free(&p);
        }
    }
    if (st == DCS_OK && o->winhttp) {
        struct dcs_apply_plan p;
        st = dcs_apply_plan_machine(&o->src, &cur, &p, &err);
        if (st == DCS_OK) {
            st = write_plan(w, "HKEY_LOCAL_MACHINE\\SOFTWARE", &p, false, true, &err);
            dcs_apply_plan_free(&p);
        }
    }
    st = finish_reg_file(w, sink, st, &err);
    if (st != DCS_OK) {
        cli_report(o->reg_out, &err);
        return EXIT_BAD_INPUT;
    }
    if (o->json) {
        json_t *doc = json_pack("{s:s, s:s, s:s, s:I, s:b, s:s, s:i}", "command", "apply", "run",
                                "reg-out", "reg_out", o->reg_out, "accounts", (json_int_t)n,
                                "winhttp", o->winhttp, "outcome", "written", "exit", 0);
        json_print(doc, stdout, 0);
        json_decref(doc);
    } else {
        printf("wrote %s for %zu account%s%s: import it on the machine with\n"
               "  reg import %s\n",
               o->reg_out, n, n == 1 ? "" : "s", o->winhttp ? " and WinHttpSettings" : "",
               o->reg_out);
    }
    return EXIT_OK;
}
