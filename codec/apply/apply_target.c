/* The targets of an applier: which hive each account has, opening and
 * checking them (contract in apply.h). */
#include "apply/apply_internal.h"
#include "hive/hive_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static dcs_status nomem(struct dcs_error *err)
{
    return dcs_error_set(err, DCS_ERR_NOMEM, DCS_NO_OFFSET, "out of memory");
}

dcs_status dcs_applier_set_image(dcs_applier *a, const char *root, struct dcs_error *err)
{
    dcs_image *img;
    char *copy = strdup(root);
    if (!copy)
        return nomem(err);
    dcs_status st = dcs_image_open(root, &img, err);
    if (st != DCS_OK) {
        free(copy);
        return st;
    }
    /* the image's lock is taken when the run is about to change it
     * (dcsi_lock_image), not here: a run that finds every hive in step
     * never waits for another */
    dcs_lock_release(a->img_lock);
    dcs_image_free(a->img);
    free(a->img_root);
    a->img = img;
    a->img_lock = NULL;
    a->img_root = copy;
    return DCS_OK;
}

dcs_status dcsi_lock_image(dcs_applier *a, struct dcs_error *err)
{
    if (!a->img || a->img_lock || (a->flags & DCS_APPLY_READ_ONLY))
        return DCS_OK;
    return dcs_lock_image(a->img_root, dcs_lock_wait(), &a->img_lock, err);
}

static dcs_status check_sid(const char *sid, struct dcs_error *err)
{
    if (!dcs_sid_valid(sid))
        return dcs_error_set(err, DCS_ERR_INVALID_ARG, DCS_NO_OFFSET,
                             "'%s' is not a SID (S-1-5-18, ...)", sid ? sid : "(null)");
    if (strlen(sid) >= sizeof ((struct dcs_apply_target *)0)->sid)
        return dcs_error_set(err, DCS_ERR_LIMIT, DCS_NO_OFFSET, "SID %.40s... is too long", sid);
    return DCS_OK;
}

dcs_status dcs_applier_set_hive(dcs_applier *a, const char *sid, const char *path,
                                struct dcs_error *err)
{
    dcs_status st = check_sid(sid, err);
    if (st != DCS_OK)
        return st;
    char **ns = realloc(a->pair_sid, (a->npairs + 1) * sizeof *ns);
    if (!ns)
        return nomem(err);
    a->pair_sid = ns;
    char **np = realloc(a->pair_path, (a->npairs + 1) * sizeof *np);
    if (!np)
        return nomem(err);
    a->pair_path = np;
    ns[a->npairs] = strdup(sid);
    np[a->npairs] = strdup(path);
    if (!ns[a->npairs] || !np[a->npairs]) {
        free(ns[a->npairs]);
        free(np[a->npairs]);
        return nomem(err);
    }
    a->npairs++;
    return DCS_OK;
}

/* The hive file given for sid, or NULL (the first pair wins). */
static const char *given_hive(const dcs_applier *a, const char *sid)
{
    for (size_t i = 0; i < a->npairs; i++)
        if (strcasecmp(a->pair_sid[i], sid) == 0)
            return a->pair_path[i];
    return NULL;
}

struct dcs_apply_target *dcsi_new_target(dcs_applier *a, struct dcs_error *err)
{
    struct dcs_apply_target **nt = realloc(a->t, (a->n + 1) * sizeof(struct dcs_apply_target *));
    if (!nt) {
        nomem(err);
        return NULL;
    }
    a->t = nt;
    nt[a->n] = calloc(1, sizeof **nt);
    if (!nt[a->n]) {
        nomem(err);
        return NULL;
    }
    return nt[a->n++];
}

dcs_status dcsi_target_set_path(const dcs_applier *a, struct dcs_apply_target *t,
                                const char *path, struct dcs_error *err)
{
    if (!(t->path = strdup(path)))
        return nomem(err);
    snprintf(t->shown, sizeof t->shown, "%s", a->img ? dcs_image_shown(a->img, path) : path);
    return DCS_OK;
}

/* The account's hive inside the image; not found: an ERROR target. */
static dcs_status locate(dcs_applier *a, struct dcs_apply_target *t, struct dcs_error *err)
{
    char *path, *note;
    dcs_status st = dcs_image_locate(a->img, t->sid, &path, &note, &t->err);
    if (note)
        snprintf(t->note, sizeof t->note, "%s", note);
    free(note);
    if (st == DCS_OK) {
        st = dcsi_target_set_path(a, t, path, err);
        free(path);
        return st;
    }
    /* a hive the image leads out of is refused (exit 3), a missing one an error */
    bool out = st == DCS_ERR_APPLY_OUTSIDE;
    t->state = out ? DCS_APPLY_TARGET_REFUSED : DCS_APPLY_TARGET_ERROR;
    snprintf(t->shown, sizeof t->shown, "%s", out ? "(refused)" : "(not found)");
    return st == DCS_ERR_NOMEM ? nomem(err) : DCS_OK;
}

static bool have_sid(const dcs_applier *a, const char *sid)
{
    for (size_t i = 0; i < a->n; i++)
        if (!a->t[i]->machine && strcasecmp(a->t[i]->sid, sid) == 0)
            return true;
    return false;
}

dcs_status dcs_applier_add_account(dcs_applier *a, const char *sid, struct dcs_error *err)
{
    dcs_status st = check_sid(sid, err);
    if (st != DCS_OK || have_sid(a, sid))
        return st;
    if (a->planned)
        return dcs_error_set(err, DCS_ERR_INVALID_ARG, DCS_NO_OFFSET, "already planned");
    struct dcs_apply_target *t = dcsi_new_target(a, err);
    if (!t)
        return DCS_ERR_NOMEM;
    snprintf(t->sid, sizeof t->sid, "%s", sid);
    t->kind = dcs_sid_account_name(sid) ? DCS_IMAGE_SERVICE : DCS_IMAGE_USER;
    const char *given = given_hive(a, sid);
    if (given) {
        st = dcsi_target_set_path(a, t, given, err);
    } else if (a->img) {
        st = locate(a, t, err);
    } else {
        t->state = DCS_APPLY_TARGET_ERROR;
        snprintf(t->shown, sizeof t->shown, "%s", "(no hive)");
        dcs_error_set(&t->err, DCS_ERR_APPLY_TARGET, DCS_NO_OFFSET,
                      "no hive for %s: no Windows image and no hive file given for it", sid);
    }
    dcsi_image_label(t->label, sizeof t->label, t->sid, t->shown);
    return st;
}

/* The label of the SOFTWARE target, from what its plan covers. */
static void machine_label(struct dcs_apply_target *t)
{
    const char *what = t->what == DCS_PLAN_WINHTTP ? "machine WinHttpSettings"
                       : t->what == DCS_PLAN_MACHINE_WIDE
                           ? "machine-wide Connections + ProxySettingsPerUser=0"
                           : "machine-wide Connections + ProxySettingsPerUser=0, WinHttpSettings";
    snprintf(t->label, sizeof t->label, "%s (HKLM\\SOFTWARE) %s", what, t->shown);
}

/* The SOFTWARE hive is one target, whatever is planned in it: two targets
 * on one file would be refused as the same hive. */
static dcs_status add_software(dcs_applier *a, const char *software, unsigned what,
                               struct dcs_error *err)
{
    for (size_t i = 0; i < a->n; i++)
        if (a->t[i]->machine) {
            if (a->planned && !(a->t[i]->what & what))
                return dcs_error_set(err, DCS_ERR_INVALID_ARG, DCS_NO_OFFSET, "already planned");
            a->t[i]->what |= what;
            machine_label(a->t[i]);
            return DCS_OK;
        }
    if (a->planned)
        return dcs_error_set(err, DCS_ERR_INVALID_ARG, DCS_NO_OFFSET, "already planned");
    struct dcs_apply_target *t = dcsi_new_target(a, err);
    if (!t)
        return DCS_ERR_NOMEM;
    t->machine = true;
    t->kind = DCS_IMAGE_MACHINE;
    t->what = what;
    const char *sw = software ? software : a->img ? dcs_image_software(a->img) : NULL;
    dcs_status st = DCS_OK;
    if (sw) {
        st = dcsi_target_set_path(a, t, sw, err);
    } else {
        t->state = DCS_APPLY_TARGET_ERROR;
        snprintf(t->shown, sizeof t->shown, "%s", "(not found)");
        dcs_error_set(&t->err, DCS_ERR_APPLY_TARGET, DCS_NO_OFFSET,
                      "%s: no Windows/System32/config/SOFTWARE (no image with "
                      "one and no SOFTWARE hive given)",
                      what == DCS_PLAN_WINHTTP ? "WinHttpSettings" : "machine-wide settings");
    }
    machine_label(t);
    return st;
}

dcs_status dcs_applier_add_machine(dcs_applier *a, const char *software, struct dcs_error *err)
{
    return add_software(a, software, DCS_PLAN_WINHTTP, err);
}

dcs_status dcs_applier_add_machine_wide(dcs_applier *a, const char *software,
                                        struct dcs_error *err)
{
    return add_software(a, software, DCS_PLAN_MACHINE_WIDE, err);
}

/* What an open of a dirty hive says: refused with the modes that exist, or
 * the warning of the mode that let it through. */
static dcs_status judge_dirty(const struct dcs_applier *a, struct dcs_apply_target *t,
                              dcs_status rc)
{
    bool read_only = a->flags & DCS_APPLY_READ_ONLY, force = a->flags & DCS_APPLY_FORCE;
    bool recover = a->flags & DCS_APPLY_RECOVER;
    if (rc == DCS_ERR_HIVE_DIRTY) {
        char *why = strdup(t->err.message);
        dcs_error_set(&t->err, rc, DCS_NO_OFFSET, "%s (%s): %s", t->shown,
                      recover ? "its logs cannot be replayed safely"
                              : "recovery replays its logs, forced mode discards them",
                      why ? why : "dirty");
        free(why);
        return rc;
    }
    const dcs_hive_state *hs = rc == DCS_OK ? dcs_hive_get_state(t->hive) : NULL;
    if (!hs || !dcs_hive_state_dirty(hs))
        return rc;
    if (dcs_hive_state_recovered(hs)) {
        dcsi_apply_warn(a, DCS_OK,
                        "%s is dirty; recovery: read and written with its transaction logs "
                        "replayed (%u entries)",
                        t->shown, dcs_hive_state_recovered_entries(hs));
        return rc;
    }
    /* a dry run judges a dirty hive as the write would */
    if (read_only && !force)
        return dcs_error_set(&t->err, DCS_ERR_HIVE_DIRTY, DCS_NO_OFFSET,
                             "%s is dirty and would be refused (recovery replays its logs, "
                             "forced mode discards the pending changes): %s",
                             t->shown, dcs_hive_state_reason(hs));
    if (force)
        dcsi_apply_warn(a, DCS_ERR_HIVE_DIRTY,
                        "%s is dirty; forced: the changes pending in its transaction logs "
                        "will be lost (%s)",
                        t->shown, dcs_hive_state_reason(hs));
    return rc;
}

static bool has_root_key(dcs_hive *h, const char *name)
{
    dcs_hive_key k;
    return dcs_hive_child(h, dcs_hive_root(h), name, false, &k, NULL, NULL) == DCS_OK;
}

/* A hive named for the wrong role is refused before anything is written:
 * edited as a user's, a SOFTWARE hive would get a Software\Software\... key.
 * A user hive has a root key Software, a SOFTWARE hive has Microsoft (or
 * Classes, Policies) and no Software.  A hive with neither (an empty one)
 * is either. */
static dcs_status check_kind(struct dcs_apply_target *t)
{
    dcs_hive *h = t->hive;
    bool software = has_root_key(h, "Software");
    if (t->machine && software)
        return dcs_error_set(&t->err, DCS_ERR_APPLY_HIVE_KIND, DCS_NO_OFFSET,
                             "%s is not a SOFTWARE hive: it looks like a user's hive "
                             "(NTUSER.DAT or DEFAULT: it has a root key Software)",
                             t->shown);
    if (t->machine || software)
        return DCS_OK;
    const char *const marks[] = {"Microsoft", "Classes", "Policies"};
    for (size_t i = 0; i < sizeof marks / sizeof *marks; i++)
        if (has_root_key(h, marks[i]))
            return dcs_error_set(&t->err, DCS_ERR_APPLY_HIVE_KIND, DCS_NO_OFFSET,
                                 "%s is not a user's hive: it looks like a SOFTWARE hive "
                                 "(it has a root key %s and no Software)",
                                 t->shown, marks[i]);
    return DCS_OK;
}

/* Windows leaves slack after the hive bins (files grow in 256 KiB steps);
 * far more than that is not a hive dcs writes: its backup would copy it all
 * (a sparse file of gigabytes whose header claims a few KiB of bins). */
#define SLACK_MAX (16u << 20)

static dcs_status check_slack(struct dcs_apply_target *t)
{
    const dcs_hive_state *hs = dcs_hive_get_state(t->hive);
    uint64_t size = dcs_hive_state_file_size(hs);
    uint64_t bins = 4096u + (uint64_t)dcs_hive_state_header(hs)->hbins_size;
    if (size <= bins + SLACK_MAX)
        return DCS_OK;
    return dcs_error_set(&t->err, DCS_ERR_HIVE_CORRUPT, DCS_NO_OFFSET,
                         "%s is %llu bytes but its header claims %llu (base block and "
                         "hive bins): not edited, %llu bytes after the hive bins are more "
                         "than the slack Windows leaves (%u MiB)",
                         t->shown, (unsigned long long)size, (unsigned long long)bins,
                         (unsigned long long)(size - bins), SLACK_MAX >> 20);
}

/* A cell the check or the snapshot cannot read (a truncated value list, a
 * cut data cell) is reported by the hive room with its offset only: name
 * the file, as a hive that cannot be loaded at all is named. */
static dcs_status name_file(struct dcs_apply_target *t, dcs_status rc)
{
    if (rc == DCS_OK || rc == DCS_ERR_NOMEM)
        return rc;
    char tail[sizeof t->err.message];
    memcpy(tail, t->err.message, strlen(t->err.message) + 1);
    int keep = (int)(sizeof t->err.message / 2);
    snprintf(t->err.message, sizeof t->err.message, "%.*s: %.*s", keep - 3, t->shown, keep,
             tail);
    return rc;
}

/* The hive of an image is opened through the image root's directory fds
 * (no path is followed twice); one named by --hive by its path. */
static dcs_status open_hive(const struct dcs_applier *a, struct dcs_apply_target *t,
                            unsigned flags)
{
    return a->img ? dcsi_image_hive_open(a->img, t->path, flags, &t->hive, &t->err)
                  : dcs_hive_open(t->path, flags, &t->hive, &t->err);
}

/* The hive opened as the applier's flags say (write: with its lock), its
 * dirtiness judged. */
static dcs_status open_judged(const struct dcs_applier *a, struct dcs_apply_target *t, bool write)
{
    unsigned flags = write ? DCS_HIVE_WRITE : DCS_HIVE_READ;
    if (a->flags & DCS_APPLY_FORCE)
        flags |= DCS_HIVE_FORCE;
    if (a->flags & DCS_APPLY_RECOVER)
        flags |= DCS_HIVE_RECOVER;
    t->writable = write;
    return judge_dirty(a, t, open_hive(a, t, flags));
}

/* A writer's first look, without the hive's lock: most runs find every
 * hive in step and then never wait for another process.  A dirty hive is
 * opened for writing at once (with the image's lock first, the order every
 * writer takes them in): what its logs hold is judged as the write would,
 * once. */
static dcs_status open_unlocked(dcs_applier *a, struct dcs_apply_target *t)
{
    t->writable = false;
    dcs_status rc = open_hive(a, t, DCS_HIVE_READ);
    if (rc != DCS_OK || !dcs_hive_state_dirty(dcs_hive_get_state(t->hive)))
        return rc;
    dcs_hive_close(t->hive);
    t->hive = NULL;
    rc = dcsi_lock_image(a, &t->err);
    return rc == DCS_OK ? open_judged(a, t, true) : rc;
}

bool dcsi_target_open(dcs_applier *a, struct dcs_apply_target *t, bool write)
{
    dcs_error_clear(&t->err);
    dcs_status rc = write || (a->flags & DCS_APPLY_READ_ONLY) ? open_judged(a, t, write)
                                                               : open_unlocked(a, t);
    if (rc == DCS_OK && a->time)
        dcs_hive_set_time(t->hive, a->time);
    if (rc == DCS_OK)
        rc = check_slack(t);
    if (rc == DCS_OK)
        rc = check_kind(t);
    /* every cell, not only those the plan reads: the commit's first edit
     * checks them all, and a hive it would then refuse is refused here,
     * before a backup or a plan (issue 10 point 7) */
    if (rc == DCS_OK)
        rc = name_file(t, dcs_hive_check(t->hive, &t->err));
    if (rc == DCS_OK)
        rc = name_file(t, dcs_apply_snapshot_read(t->hive, t->machine, &t->snap, &t->err));
    if (rc != DCS_OK) {
        /* a directory swapped for a link out since the lookup: refused
         * (exit 3), as a link out found by the lookup is */
        t->state = dcs_apply_status_unsafe(rc) || rc == DCS_ERR_APPLY_OUTSIDE
                       ? DCS_APPLY_TARGET_REFUSED
                       : DCS_APPLY_TARGET_ERROR;
        return false;
    }
    t->have_snap = true;
    return true;
}

void dcsi_target_close(struct dcs_apply_target *t)
{
    if (t->planned)
        dcs_apply_plan_free(&t->plan);
    if (t->have_snap)
        dcs_apply_snapshot_free(&t->snap);
    dcs_hive_close(t->hive);
    t->hive = NULL;
    t->planned = t->have_snap = t->writable = false;
}

void dcsi_target_free(struct dcs_apply_target *t)
{
    dcsi_target_close(t);
    free(t->path);
    for (size_t i = 0; i < 3; i++)
        free(t->backup[i]);
    memset(t, 0, sizeof *t);
}

/* Two targets that are one file (the same path twice, a symbolic or hard
 * link) would be edited as two hives and committed twice: the later one is
 * refused, before any backup is written.  The files compared are the ones
 * each open judged and read (their fstat, kept in the hive's state): no
 * path is looked up again. */
void dcsi_targets_refuse_shared(struct dcs_applier *a)
{
    for (size_t i = 0; i < a->n; i++) {
        struct dcs_apply_target *t = a->t[i];
        if (t->state != DCS_APPLY_TARGET_OK || !t->hive)
            continue;
        const struct dcs_hive_state *si = dcs_hive_get_state(t->hive);
        for (size_t j = 0; j < i; j++) {
            const struct dcs_apply_target *o = a->t[j];
            if (o->state != DCS_APPLY_TARGET_OK || !o->hive)
                continue;
            const struct dcs_hive_state *sj = dcs_hive_get_state(o->hive);
            if (si->dev != sj->dev || si->ino != sj->ino)
                continue;
            t->state = DCS_APPLY_TARGET_ERROR;
            dcs_error_set(&t->err, DCS_ERR_INVALID_ARG, DCS_NO_OFFSET,
                          "%s is the same file as the hive of %s (%s): give each account "
                          "its own hive",
                          t->shown, o->sid[0] ? o->sid : "the machine", o->shown);
            break;
        }
    }
}
