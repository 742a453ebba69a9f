/* The applier object: life cycle, options, plan and commit (contract in
 * apply.h). */
#include "apply/apply_internal.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void dcsi_apply_warn(const struct dcs_applier *a, dcs_status code, const char *fmt, ...)
{
    if (!a->warn)
        return;
    struct dcs_error w;
    dcs_error_clear(&w);
    w.code = code;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(w.message, sizeof w.message, fmt, ap);
    va_end(ap);
    a->warn(a->warn_ctx, &w);
}

void dcsi_parent_dir(const char *path, char *out, size_t size)
{
    const char *slash = strrchr(path, '/');
    if (!slash)
        snprintf(out, size, ".");
    else if (slash == path)
        snprintf(out, size, "/");
    else
        snprintf(out, size, "%.*s", (int)(slash - path), path);
}

static dcs_status nomem(struct dcs_error *err)
{
    return dcs_error_set(err, DCS_ERR_NOMEM, DCS_NO_OFFSET, "out of memory");
}

dcs_status dcs_applier_new(unsigned flags, dcs_applier **out, struct dcs_error *err)
{
    *out = NULL;
    if (flags & ~(DCS_APPLY_READ_ONLY | DCS_APPLY_FORCE | DCS_APPLY_NO_BACKUP | DCS_APPLY_RECOVER))
        return dcs_error_set(err, DCS_ERR_INVALID_ARG, DCS_NO_OFFSET,
                             "unknown applier flags 0x%x", flags);
    dcs_applier *a = calloc(1, sizeof *a);
    if (!a)
        return nomem(err);
    a->flags = flags;
    *out = a;
    return DCS_OK;
}

static void free_connections(dcs_applier *a)
{
    for (size_t i = 0; a->connections && i < a->opt.nconnections; i++)
        free(a->connections[i]);
    free(a->connections);
    a->connections = NULL;
    a->opt.connections = NULL;
    a->opt.nconnections = 0;
}

void dcs_applier_free(dcs_applier *a)
{
    if (!a)
        return;
    for (size_t i = 0; i < a->n; i++) {
        dcsi_target_free(a->t[i]);
        free(a->t[i]);
    }
    free(a->t);
    for (size_t i = 0; i < a->npairs; i++) {
        free(a->pair_sid[i]);
        free(a->pair_path[i]);
    }
    free(a->pair_sid);
    free(a->pair_path);
    dcs_image_free(a->img);
    dcs_lock_release(a->img_lock);
    free(a->img_root);
    dcsi_apply_source_clear(a);
    free_connections(a);
    free(a->backup_dir);
    free(a);
}

void dcs_applier_set_warn(dcs_applier *a, dcs_warn_fn fn, void *ctx)
{
    a->warn = fn;
    a->warn_ctx = ctx;
}

dcs_status dcs_applier_set_options(dcs_applier *a, const struct dcs_apply_options *opt,
                                   struct dcs_error *err)
{
    free_connections(a);
    a->opt = *opt;
    a->opt.connections = NULL;
    a->opt.nconnections = 0;
    if (!opt->nconnections)
        return DCS_OK;
    a->connections = calloc(opt->nconnections, sizeof *a->connections);
    if (!a->connections)
        return nomem(err);
    for (size_t i = 0; i < opt->nconnections; i++) {
        a->connections[i] = strdup(opt->connections[i]);
        a->opt.nconnections = i + 1; /* what free_connections frees */
        if (!a->connections[i])
            return nomem(err);
    }
    a->opt.connections = (const char *const *)a->connections;
    return DCS_OK;
}

dcs_status dcs_applier_set_backup_dir(dcs_applier *a, const char *dir, struct dcs_error *err)
{
    free(a->backup_dir);
    a->backup_dir = NULL;
    if (dir && !(a->backup_dir = strdup(dir)))
        return nomem(err);
    return DCS_OK;
}

void dcs_applier_set_time(dcs_applier *a, uint64_t filetime)
{
    a->time = filetime;
}

bool dcs_apply_status_unsafe(dcs_status code)
{
    switch (code) {
    case DCS_ERR_HIVE_SIGNATURE:
    case DCS_ERR_HIVE_CHECKSUM:
    case DCS_ERR_HIVE_VERSION:
    case DCS_ERR_HIVE_TYPE:
    case DCS_ERR_HIVE_DIRTY:
    case DCS_ERR_HIVE_TRUNCATED:
    case DCS_ERR_HIVE_CORRUPT:
        return true;
    default:
        return false;
    }
}

/* The first refused target, else the first failed one, else NULL. */
static const struct dcs_apply_target *first_failure(const dcs_applier *a)
{
    const struct dcs_apply_target *failed = NULL;
    for (size_t i = 0; i < a->n; i++) {
        if (a->t[i]->state == DCS_APPLY_TARGET_REFUSED)
            return a->t[i];
        if (a->t[i]->state == DCS_APPLY_TARGET_ERROR && !failed)
            failed = a->t[i];
    }
    return failed;
}

static dcs_status failure(const dcs_applier *a, struct dcs_error *err)
{
    const struct dcs_apply_target *f = first_failure(a);
    if (!f)
        return DCS_OK;
    if (err)
        *err = f->err;
    return f->err.code != DCS_OK ? f->err.code : DCS_ERR_APPLY_TARGET;
}

/* warn: the first plan of t (a plan made again under the locks says
 * nothing twice) */
static void plan_target(const dcs_applier *a, struct dcs_apply_target *t, bool warn)
{
    dcs_status st = t->machine ? dcs_apply_plan_software(&a->src, &a->opt, &t->snap.cur,
                                                         t->what, &t->plan, &t->err)
                               : dcs_apply_plan_user(&a->src, &a->opt, &t->snap.cur, &t->plan,
                                                     &t->err);
    if (st != DCS_OK) {
        t->state = DCS_APPLY_TARGET_ERROR;
        return;
    }
    t->planned = true;
    if (warn && (t->what & DCS_PLAN_MACHINE_WIDE))
        dcsi_apply_warn(a, DCS_OK,
                        "%s: ProxySettingsPerUser = 0 makes Windows use these machine-wide "
                        "settings for every account: each user's own proxy settings (HKCU, "
                        "the service accounts' too) are then ignored",
                        t->shown);
}

dcs_status dcs_applier_plan(dcs_applier *a, struct dcs_error *err)
{
    if (!a->have_source)
        return dcs_error_set(err, DCS_ERR_APPLY_NO_SOURCE, DCS_NO_OFFSET,
                             "no source to apply");
    if (a->planned)
        return dcs_error_set(err, DCS_ERR_INVALID_ARG, DCS_NO_OFFSET, "already planned");
    a->planned = true;
    for (size_t i = 0; i < a->n; i++)
        if (a->t[i]->state == DCS_APPLY_TARGET_OK)
            (void)dcsi_target_open(a, a->t[i], false);
    dcsi_targets_refuse_shared(a);
    dcs_status st = failure(a, err);
    if (st != DCS_OK)
        return st; /* nothing is planned while a target cannot be opened */
    for (size_t i = 0; i < a->n; i++)
        plan_target(a, a->t[i], true);
    return failure(a, err);
}

size_t dcs_applier_changes(const dcs_applier *a)
{
    size_t n = 0;
    for (size_t i = 0; i < a->n; i++)
        if (a->t[i]->planned && dcs_apply_plan_changes(&a->t[i]->plan))
            n++;
    return n;
}

/* About to change hives: every target the plan looked at without its lock
 * is opened again for writing (image lock first, then each hive's, as
 * every writer takes them) and planned again from what it holds now, so an
 * update another process committed in between is never lost, and every
 * target, changing or not, is judged under the same locks. */
static dcs_status relock(dcs_applier *a, struct dcs_error *err)
{
    bool unlocked = false;
    for (size_t i = 0; i < a->n; i++)
        unlocked = unlocked || !a->t[i]->writable;
    if (!unlocked)
        return DCS_OK;
    dcs_status st = dcsi_lock_image(a, err);
    if (st != DCS_OK)
        return st;
    for (size_t i = 0; i < a->n; i++) {
        struct dcs_apply_target *t = a->t[i];
        if (t->writable)
            continue;
        dcsi_target_close(t);
        (void)dcsi_target_open(a, t, true);
    }
    dcsi_targets_refuse_shared(a);
    st = failure(a, err);
    for (size_t i = 0; st == DCS_OK && i < a->n; i++)
        if (!a->t[i]->planned)
            plan_target(a, a->t[i], false);
    return st != DCS_OK ? st : failure(a, err);
}

static dcs_status execute(dcs_applier *a, const struct dcsi_commit_companions *with,
                          struct dcs_error *err)
{
    dcs_hive **hives = calloc(a->n ? a->n : 1, sizeof(dcs_hive *));
    const struct dcs_apply_plan **plans =
        calloc(a->n ? a->n : 1, sizeof(const struct dcs_apply_plan *));
    dcs_status st = DCS_ERR_NOMEM;
    if (hives && plans) {
        for (size_t i = 0; i < a->n; i++) {
            hives[i] = a->t[i]->hive;
            plans[i] = &a->t[i]->plan;
        }
        st = dcsi_apply_execute_with(hives, plans, a->n, with, err);
    } else {
        nomem(err);
    }
    free(hives);
    free(plans);
    /* a failed rollback (DCS_ERR_HIVE_ROLLBACK) names each hive's state */
    if (st != DCS_OK && st != DCS_ERR_HIVE_ROLLBACK && err) {
        size_t used = strlen(err->message);
        snprintf(err->message + used, sizeof err->message - used, "; no hive was changed");
    }
    return st;
}

dcs_status dcs_applier_commit(dcs_applier *a, struct dcs_error *err)
{
    if (a->flags & DCS_APPLY_READ_ONLY)
        return dcs_error_set(err, DCS_ERR_INVALID_ARG, DCS_NO_OFFSET,
                             "a read-only applier does not commit");
    if (!a->planned || first_failure(a))
        return dcs_error_set(err, DCS_ERR_INVALID_ARG, DCS_NO_OFFSET,
                             "commit needs a plan of every target");
    if (!dcs_applier_changes(a))
        return DCS_OK;
    dcs_status st = relock(a, err);
    if (st != DCS_OK || !dcs_applier_changes(a))
        return st; /* nothing written; or another run made every change meanwhile */
    a->backed_up = false;
    if (!(a->flags & DCS_APPLY_NO_BACKUP)) {
        st = dcsi_backup_commit(a, execute, err);
    } else {
        a->backed_up = true; /* nothing to back up */
        st = execute(a, NULL, err);
    }
    /* nothing changed: what this run backed up goes (after a failed
     * rollback the backups hold the previous content: they stay) */
    if (st != DCS_OK && st != DCS_ERR_HIVE_ROLLBACK && !(a->flags & DCS_APPLY_NO_BACKUP)) {
        for (size_t i = 0; i < a->n; i++)
            dcsi_backup_remove(a, a->t[i]);
    }
    if (st != DCS_OK)
        return st;
    for (size_t i = 0; i < a->n; i++)
        if (dcs_apply_plan_changes(&a->t[i]->plan))
            dcsi_drop_pending_logs(a, a->t[i]);
    return DCS_OK;
}

bool dcs_applier_backed_up(const dcs_applier *a)
{
    return a->backed_up;
}
