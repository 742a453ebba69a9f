/* The targets beyond single accounts: the Default profile (the template of
 * new users) and every user of an image (contract in apply.h). */
#include "apply/apply_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static dcs_status need_image(const dcs_applier *a, const char *what, struct dcs_error *err)
{
    if (a->planned)
        return dcs_error_set(err, DCS_ERR_INVALID_ARG, DCS_NO_OFFSET, "already planned");
    if (!a->img)
        return dcs_error_set(err, DCS_ERR_INVALID_ARG, DCS_NO_OFFSET,
                             "%s needs a Windows image (dcs_applier_set_image)", what);
    return DCS_OK;
}

static bool have_path(const dcs_applier *a, const char *path)
{
    for (size_t i = 0; i < a->n; i++)
        if (a->t[i]->path && strcmp(a->t[i]->path, path) == 0)
            return true;
    return false;
}

dcs_status dcs_applier_add_default_profile(dcs_applier *a, struct dcs_error *err)
{
    dcs_status st = need_image(a, "the Default profile", err);
    if (st != DCS_OK)
        return st;
    for (size_t i = 0; i < a->n; i++)
        if (a->t[i]->kind == DCS_IMAGE_DEFAULT_PROFILE)
            return DCS_OK;
    struct dcs_apply_target *t = dcsi_new_target(a, err);
    if (!t)
        return DCS_ERR_NOMEM;
    t->kind = DCS_IMAGE_DEFAULT_PROFILE;
    snprintf(t->tag, sizeof t->tag, "%s", "DefaultProfile");
    char *path;
    st = dcs_image_default_profile(a->img, &path, &t->err);
    if (st == DCS_OK) {
        st = dcsi_target_set_path(a, t, path, err);
        free(path);
    } else if (st == DCS_ERR_NOMEM) {
        return dcs_error_set(err, st, DCS_NO_OFFSET, "out of memory");
    } else { /* missing: an error; a link out of the image: refused */
        bool out = st == DCS_ERR_APPLY_OUTSIDE;
        st = DCS_OK;
        t->state = out ? DCS_APPLY_TARGET_REFUSED : DCS_APPLY_TARGET_ERROR;
        snprintf(t->shown, sizeof t->shown, "%s", out ? "(refused)" : "(not found)");
    }
    snprintf(t->label, sizeof t->label,
             "Default user profile (template for new users; not .DEFAULT) %s", t->shown);
    return st;
}

struct users_ctx {
    dcs_applier *a;
    struct dcs_error *err;
};

/* One ProfileList entry: a user (the service accounts are targets of their
 * own); a missing hive is an ERROR target, listed rather than skipped. */
static dcs_status add_listed(void *ctx, const char *sid)
{
    struct users_ctx *c = ctx;
    if (dcs_sid_account_name(sid))
        return DCS_OK;
    return dcs_applier_add_account(c->a, sid, c->err);
}

static dcs_status add_user_dir(void *ctx, const char *name, const char *hive,
                               const struct dcs_error *refused)
{
    struct users_ctx *c = ctx;
    if (hive && have_path(c->a, hive))
        return DCS_OK;
    struct dcs_apply_target *t = dcsi_new_target(c->a, c->err);
    if (!t)
        return DCS_ERR_NOMEM;
    t->kind = DCS_IMAGE_USER;
    snprintf(t->tag, sizeof t->tag, "%s", name);
    dcs_status st = DCS_OK;
    if (hive) {
        st = dcsi_target_set_path(c->a, t, hive, c->err);
    } else { /* a link out of the image: refused, as an account's would be */
        t->state = DCS_APPLY_TARGET_REFUSED;
        t->err = *refused;
        snprintf(t->shown, sizeof t->shown, "%s", "(refused)");
    }
    snprintf(t->label, sizeof t->label, "user %s (SID unknown: no SOFTWARE hive) %s", name,
             t->shown);
    return st;
}

dcs_status dcs_applier_add_all_users(dcs_applier *a, struct dcs_error *err)
{
    dcs_status st = need_image(a, "every user", err);
    if (st != DCS_OK)
        return st;
    struct users_ctx c = {a, err};
    if (dcs_image_software(a->img))
        return dcsi_image_each_profile(a->img, add_listed, &c);
    dcsi_apply_warn(a, DCS_OK,
                    "%s has no Windows/System32/config/SOFTWARE: every user is a "
                    "Users/*/NTUSER.DAT, without ProfileList to confirm it or give its SID",
                    dcs_image_root(a->img));
    return dcsi_image_each_user_dir(a->img, add_user_dir, &c);
}
