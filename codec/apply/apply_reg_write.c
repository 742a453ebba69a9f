/* Plans written as regedit .reg files: the undo .reg and the Connections
 * key kept with each backup, and the .reg for a live machine. */
#include "apply/apply_internal.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <dcs/hive_reg.h>
#include <dcs/regio.h>

/* The distinct keys of a plan in regedit's order (sorted: a parent comes
 * before its subkeys).  A plan touches at most four keys. */
static size_t plan_keys(const struct dcs_apply_plan *p, const char **keys, size_t max)
{
    size_t nkeys = 0;
    for (size_t i = 0; i < p->nsteps; i++) {
        size_t k = 0;
        while (k < nkeys && strcmp(keys[k], p->steps[i].key) != 0)
            k++;
        if (k == nkeys && nkeys < max)
            keys[nkeys++] = p->steps[i].key;
    }
    for (size_t a = 1; a < nkeys; a++)
        for (size_t b = a; b > 0 && strcasecmp(keys[b - 1], keys[b]) > 0; b--) {
            const char *t = keys[b];
            keys[b] = keys[b - 1];
            keys[b - 1] = t;
        }
    return nkeys;
}

static dcs_status write_step(struct dcs_reg_writer *w, const struct dcs_apply_step *s, bool undo,
                             struct dcs_error *err)
{
    bool put = undo ? s->had : s->action != DCS_APPLY_DELETE;
    if (!put)
        return dcs_reg_writer_delete_value(w, s->name, strlen(s->name), err);
    if (undo)
        return dcs_reg_writer_value(w, s->name, strlen(s->name), s->old_type, s->old.ptr,
                                    s->old.len, err);
    return dcs_reg_writer_value(w, s->name, strlen(s->name), s->type, s->wanted, s->wanted_len,
                                err);
}

/* The steps of a plan under one key, the key opened first when any is
 * written. */
static dcs_status write_key(struct dcs_reg_writer *w, const char *root,
                            const struct dcs_apply_plan *p, const char *key, bool undo, bool all,
                            struct dcs_error *err)
{
    dcs_status st = DCS_OK;
    bool opened = false;
    for (size_t i = 0; st == DCS_OK && i < p->nsteps; i++) {
        const struct dcs_apply_step *s = &p->steps[i];
        if (strcmp(s->key, key) != 0 || (!all && s->action == DCS_APPLY_UNCHANGED))
            continue;
        if (!opened) {
            char full[600];
            snprintf(full, sizeof full, "%s\\%s", root, s->key);
            st = dcs_reg_writer_key(w, full, strlen(full), err);
            opened = true;
        }
        if (st == DCS_OK)
            st = write_step(w, s, undo, err);
    }
    return st;
}

dcs_status dcsi_reg_write_plan(struct dcs_reg_writer *w, const char *root,
                               const struct dcs_apply_plan *p, bool undo, bool all,
                               struct dcs_error *err)
{
    const char *keys[8];
    size_t nkeys = plan_keys(p, keys, 8);
    dcs_status st = DCS_OK;
    for (size_t k = 0; st == DCS_OK && k < nkeys; k++)
        st = write_key(w, root, p, keys[k], undo, all, err);
    return st;
}

/* The shortest leading part of key (a path below the hive root) that the
 * hive lacks, into out; false when the whole key exists (or cannot be
 * looked up: then its values are put back one by one). */
static bool missing_part(dcs_hive *h, const char *key, char *out, size_t size)
{
    for (size_t i = 0; h && i < size; i++) {
        if (key[i] != '\\' && key[i] != '\0')
            continue;
        memcpy(out, key, i);
        out[i] = '\0';
        dcs_hive_key found;
        if (dcs_hive_find_key(h, 0, out, &found, NULL) == DCS_ERR_NOT_FOUND)
            return true;
        if (key[i] == '\0')
            break;
    }
    return false;
}

/* The undo of a plan: a key the apply will create is deleted whole (its
 * topmost missing part, once), the values of existing keys put back. */
static dcs_status write_undo_plan(struct dcs_reg_writer *w, const char *root,
                                  const struct dcs_apply_target *t, struct dcs_error *err)
{
    const char *keys[8];
    size_t nkeys = plan_keys(&t->plan, keys, 8);
    char gone[512] = "", part[512];
    dcs_status st = DCS_OK;
    for (size_t k = 0; st == DCS_OK && k < nkeys; k++) {
        if (!missing_part(t->hive, keys[k], part, sizeof part)) {
            st = write_key(w, root, &t->plan, keys[k], true, false, err);
            continue;
        }
        if (strcasecmp(part, gone) == 0)
            continue; /* already deleted with its parent */
        char full[720];
        snprintf(full, sizeof full, "%s\\%s", root, part);
        st = dcs_reg_writer_delete_key(w, full, strlen(full), err);
        snprintf(gone, sizeof gone, "%s", part);
    }
    return st;
}

dcs_status dcsi_reg_file_open(const char *path, struct dcs_reg_writer **w,
                              struct dcs_reg_sink **sink, struct dcs_error *err)
{
    *w = NULL;
    dcs_status st = dcs_reg_sink_open(path, false, sink, err);
    if (st == DCS_OK)
        st = dcs_reg_writer_new(NULL, dcs_reg_sink_write, *sink, w, err);
    return st;
}

dcs_status dcsi_reg_file_close(struct dcs_reg_writer *w, struct dcs_reg_sink *sink,
                               dcs_status st, struct dcs_error *err)
{
    if (st == DCS_OK && w)
        st = dcs_reg_writer_finish(w, err);
    dcs_reg_writer_free(w);
    if (sink) {
        if (st == DCS_OK)
            st = dcs_reg_sink_commit(sink, false, err);
        else
            dcs_reg_sink_close(sink);
    }
    return st;
}

void dcsi_target_reg_root(const struct dcs_apply_target *t, char *root, size_t n)
{
    if (t->machine)
        snprintf(root, n, "HKEY_LOCAL_MACHINE\\SOFTWARE");
    else /* a hive without a SID: where `reg load HKU\\TAG` would put it */
        snprintf(root, n, "HKEY_USERS\\%s", t->sid[0] ? t->sid : t->tag);
}

struct dcs_apply_current dcsi_live_current(const dcs_applier *a)
{
    static const uint8_t none;
    static const struct dcs_apply_value maybe[3] = {
        {DCS_KEY_INTERNET_SETTINGS, "ProxyServer", DCS_REG_NONE, {&none, 0}},
        {DCS_KEY_INTERNET_SETTINGS, "ProxyOverride", DCS_REG_NONE, {&none, 0}},
        {DCS_KEY_INTERNET_SETTINGS, "AutoConfigURL", DCS_REG_NONE, {&none, 0}},
    };
    return (struct dcs_apply_current){maybe, a->opt.no_plain_values ? 0u : 3u, true};
}

/* The plans a live machine gets: its current values are unknown, so every
 * value is written and the plain values the settings do not use deleted. */
static dcs_status write_live(const dcs_applier *a, struct dcs_reg_writer *w, bool machine,
                             struct dcs_error *err)
{
    const struct dcs_apply_current cur = dcsi_live_current(a);
    dcs_status st = DCS_OK;
    for (size_t i = 0; st == DCS_OK && i < a->n; i++) {
        const struct dcs_apply_target *t = a->t[i];
        if (t->machine != machine)
            continue;
        struct dcs_apply_plan p;
        char root[200];
        dcsi_target_reg_root(t, root, sizeof root);
        st = machine ? dcs_apply_plan_software(&a->src, &a->opt, &cur, t->what, &p, err)
                     : dcs_apply_plan_user(&a->src, &a->opt, &cur, &p, err);
        if (st == DCS_OK) {
            st = dcsi_reg_write_plan(w, root, &p, false, true, err);
            dcs_apply_plan_free(&p);
        }
    }
    return st;
}

dcs_status dcs_applier_write_reg(dcs_applier *a, const char *path, struct dcs_error *err)
{
    if (!a->have_source)
        return dcs_error_set(err, DCS_ERR_APPLY_NO_SOURCE, DCS_NO_OFFSET,
                             "no source to apply");
    struct dcs_reg_writer *w = NULL;
    struct dcs_reg_sink *sink = NULL;
    dcs_status st = dcsi_reg_file_open(path, &w, &sink, err);
    if (st == DCS_OK)
        st = write_live(a, w, false, err); /* the accounts first, as regedit sorts */
    if (st == DCS_OK)
        st = write_live(a, w, true, err);
    return dcsi_reg_file_close(w, sink, st, err);
}

/* ---- the .reg files kept with a backup ---- */

struct fd_sink {
    int fd;
    const char *shown;
};

static dcs_status fd_write(void *ctx, const void *data, size_t len, struct dcs_error *err)
{
    const struct fd_sink *s = ctx;
    int e = dcsi_write_full(s->fd, data, len);
    if (e)
        return dcs_error_set(err, DCS_ERR_IO, DCS_NO_OFFSET, "cannot write %s: write failed: %s",
                             s->shown, strerror(e));
    return DCS_OK;
}

/* The undo .reg (undo) or the Connections key of t, written to fd. */
static dcs_status write_backup_reg(const struct dcs_apply_target *t, bool undo, int fd,
                                   const char *shown, struct dcs_error *err)
{
    struct fd_sink sink = {fd, shown};
    struct dcs_reg_writer *w = NULL;
    char root[200];
    dcsi_target_reg_root(t, root, sizeof root);
    dcs_status st = dcs_reg_writer_new(NULL, fd_write, &sink, &w, err);
    if (st == DCS_OK && undo)
        st = write_undo_plan(w, root, t, err);
    else if (st == DCS_OK)
        st = dcs_hive_export_reg(t->hive, root,
                                 t->machine ? DCS_KEY_MACHINE_CONNECTIONS : DCS_KEY_CONNECTIONS,
                                 w, err);
    if (st == DCS_OK)
        st = dcs_reg_writer_finish(w, err);
    dcs_reg_writer_free(w);
    return st;
}

dcs_status dcsi_write_undo_reg(const struct dcs_apply_target *t, int fd, const char *shown,
                               struct dcs_error *err)
{
    return write_backup_reg(t, true, fd, shown, err);
}

dcs_status dcsi_write_connections_reg(const struct dcs_apply_target *t, int fd,
                                      const char *shown, struct dcs_error *err)
{
    return write_backup_reg(t, false, fd, shown, err);
}
