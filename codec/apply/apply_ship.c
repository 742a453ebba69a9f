/* The plans of an applier as a Group Policy Preferences Registry.xml or a
 * batch file of `reg add` commands (codec/ship), for live machines. */
#include "apply/apply_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <dcs/ship.h>

#include "core/fileio.h"

/* The values being shipped; keys is the storage behind values[i].key. */
struct ship_list {
    struct dcs_ship_value *values;
    char **keys;
    size_t n, cap;
    struct dcs_apply_plan *plans; /* the plans the values' data point into */
    size_t nplans;
};

static void list_free(struct ship_list *l)
{
    for (size_t i = 0; i < l->n; i++)
        free(l->keys[i]);
    for (size_t i = 0; i < l->nplans; i++)
        dcs_apply_plan_free(&l->plans[i]);
    free(l->values);
    free(l->keys);
    free(l->plans);
}

static dcs_status push_step(struct ship_list *l, const struct dcs_apply_target *t,
                            const struct dcs_apply_step *s, struct dcs_error *err)
{
    if (l->n == l->cap) {
        size_t ncap = l->cap ? l->cap * 2 : 16;
        struct dcs_ship_value *nv = realloc(l->values, ncap * sizeof *nv);
        if (nv)
            l->values = nv;
        char **nk = nv ? realloc(l->keys, ncap * sizeof *nk) : NULL;
        if (!nk)
            return dcs_error_set(err, DCS_ERR_NOMEM, DCS_NO_OFFSET, "out of memory");
        l->keys = nk;
        l->cap = ncap;
    }
    char *key = t->machine ? dcsi_strdupf("SOFTWARE\\%s", s->key)
                           : dcsi_strdupf("%s\\%s", t->sid, s->key);
    if (!key)
        return dcs_error_set(err, DCS_ERR_NOMEM, DCS_NO_OFFSET, "out of memory");
    const char *root = t->machine ? "HKEY_LOCAL_MACHINE" : "HKEY_USERS";
    l->keys[l->n] = key;
    bool del = s->action == DCS_APPLY_DELETE;
    l->values[l->n++] = (struct dcs_ship_value){root, strlen(root), key, strlen(key),
                                                s->name, strlen(s->name), del ? DCS_REG_NONE : s->type,
                                                s->wanted, s->wanted_len,
                                                del ? DCS_SHIP_DELETE : DCS_SHIP_SET};
    return DCS_OK;
}

/* The same values as the .reg of a live machine (dcsi_live_current): every
 * value set, and the plain values the settings do not use deleted. */
static dcs_status collect(const dcs_applier *a, struct ship_list *l, struct dcs_error *err)
{
    if (!(l->plans = calloc(a->n ? a->n : 1, sizeof *l->plans)))
        return dcs_error_set(err, DCS_ERR_NOMEM, DCS_NO_OFFSET, "out of memory");
    const struct dcs_apply_current cur = dcsi_live_current(a);
    dcs_status st = DCS_OK;
    for (size_t i = 0; st == DCS_OK && i < a->n; i++) {
        const struct dcs_apply_target *t = a->t[i];
        if (!t->machine && !t->sid[0])
            return dcs_error_set(err, DCS_ERR_INVALID_ARG, DCS_NO_OFFSET,
                                 "%s has no SID: a live machine's registry has no place for it",
                                 t->label);
        struct dcs_apply_plan *p = &l->plans[l->nplans];
        st = t->machine ? dcs_apply_plan_software(&a->src, &a->opt, &cur, t->what, p, err)
                        : dcs_apply_plan_user(&a->src, &a->opt, &cur, p, err);
        if (st != DCS_OK)
            break;
        l->nplans++;
        for (size_t k = 0; st == DCS_OK && k < p->nsteps; k++)
            st = push_step(l, t, &p->steps[k], err);
    }
    return st;
}

static dcs_status to_output(void *ctx, const void *data, size_t len, struct dcs_error *err)
{
    return dcsi_output_write(ctx, data, len, err);
}

dcs_status dcs_applier_write_ship(dcs_applier *a, const char *path, enum dcs_ship_kind kind,
                                  const struct dcs_ship_options *opt, struct dcs_error *err)
{
    if (!a->have_source)
        return dcs_error_set(err, DCS_ERR_APPLY_NO_SOURCE, DCS_NO_OFFSET,
                             "no source to apply");
    if (kind != DCS_SHIP_GPP && kind != DCS_SHIP_CMD)
        return dcs_error_set(err, DCS_ERR_INVALID_ARG, DCS_NO_OFFSET, "unknown format %d",
                             (int)kind);
    struct ship_list l = {0};
    dcs_status st = collect(a, &l, err);
    struct dcsi_output out;
    bool opened = false;
    if (st == DCS_OK) {
        st = dcsi_output_open(&out, path, err);
        opened = st == DCS_OK;
    }
    if (st == DCS_OK)
        st = kind == DCS_SHIP_GPP
                 ? dcs_ship_write_gpp(l.values, l.n, opt, to_output, &out, err)
                 : dcs_ship_write_cmd(l.values, l.n, opt, to_output, &out, err);
    if (st == DCS_OK)
        st = dcsi_output_commit(&out, false, err);
    else if (opened)
        dcsi_output_abort(&out);
    list_free(&l);
    return st;
}
