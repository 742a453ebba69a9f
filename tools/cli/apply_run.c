/* The flow of `dcs apply`. */
#include "apply_run.h"

#include <stdlib.h>
#include <sys/stat.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "apply_source.h"
#include "apply_target.h"
#include "backup.h"
#include "cli.h"
#include "json.h"

static const char *const default_sids[] = {"S-1-5-18", "S-1-5-19", "S-1-5-20"};

struct run {
    struct apply_opts *o;
    struct win_image img;
    bool have_img;
    struct apply_target *t;
    size_t n;
    struct apply_source_data source;
};

static struct apply_target *new_target(struct run *r)
{
    struct apply_target *nt = realloc(r->t, (r->n + 1) * sizeof *nt);
    if (!nt)
        return NULL;
    r->t = nt;
    memset(&nt[r->n], 0, sizeof nt[0]);
    return &nt[r->n++];
}

static bool have_sid(const struct run *r, const char *sid)
{
    for (size_t i = 0; i < r->n; i++)
        if (!r->t[i].machine && strcasecmp(r->t[i].sid, sid) == 0)
            return true;
    return false;
}

/* --hive SID=PATH for this SID, or NULL. */
static const char *hive_arg(const struct apply_opts *o, const char *sid)
{
    size_t n = strlen(sid);
    for (size_t i = 0; i < o->nhives; i++)
        if (strncasecmp(o->hives[i], sid, n) == 0 && o->hives[i][n] == '=')
            return o->hives[i] + n + 1;
    return NULL;
}

static void set_path(struct run *r, struct apply_target *t, const char *path)
{
    t->path = strdup(path);
    snprintf(t->shown, sizeof t->shown, "%s",
             r->have_img ? win_shown_path(r->img.root, path) : path);
}

static bool add_user_target(struct run *r, const char *sid)
{
    if (have_sid(r, sid))
        return true;
    struct apply_target *t = new_target(r);
    if (!t)
        return false;
    snprintf(t->sid, sizeof t->sid, "%s", sid);
    const char *given = hive_arg(r->o, sid);
    if (given) {
        set_path(r, t, given);
    } else if (r->have_img) {
        char *path;
        if (win_image_locate(&r->img, sid, &path, t->note, sizeof t->note, &t->err) == DCS_OK) {
            set_path(r, t, path);
            free(path);
        } else {
            t->state = TARGET_ERROR;
            snprintf(t->shown, sizeof t->shown, "%s", "(not found)");
        }
    } else {
        t->state = TARGET_ERROR;
        snprintf(t->shown, sizeof t->shown, "%s", "(no hive)");
        dcs_error_set(&t->err, DCS_ERR_APPLY_TARGET, DCS_NO_OFFSET,
                      "no hive for %s: give --windows DIR or --hive %s=PATH", sid, sid);
    }
    win_label(t->label, sizeof t->label, t->sid, t->shown);
    return true;
}

static bool add_targets(struct run *r)
{
    struct apply_opts *o = r->o;
    if (o->nsids) {
        for (size_t i = 0; i < o->nsids; i++)
            if (!add_user_target(r, o->sids[i]))
                return false;
    } else if (!o->nhives || o->windows) {
        for (size_t i = 0; i < (o->all_services ? 3u : 2u); i++)
            if (!add_user_target(r, default_sids[i]))
                return false;
    }
    if (o->all_services)
        for (size_t i = 0; i < 3; i++)
            if (!add_user_target(r, default_sids[i]))
                return false;
    for (size_t i = 0; i < o->nhives; i++) {
        char sid[96];
        size_t n = (size_t)(strchr(o->hives[i], '=') - o->hives[i]);
        snprintf(sid, sizeof sid, "%.*s", (int)n, o->hives[i]);
        if (!add_user_target(r, sid))
            return false;
    }
    if (o->winhttp) {
        struct apply_target *t = new_target(r);
        if (!t)
            return false;
        t->machine = true;
        const char *sw = o->software ? o->software : r->have_img ? r->img.software : NULL;
        if (sw) {
            set_path(r, t, sw);
        } else {
            t->state = TARGET_ERROR;
            snprintf(t->shown, sizeof t->shown, "%s", "(not found)");
            dcs_error_set(&t->err, DCS_ERR_APPLY_TARGET, DCS_NO_OFFSET,
                          "--winhttp: no Windows/System32/config/SOFTWARE (give --windows DIR "
                          "or --software PATH)");
        }
        snprintf(t->label, sizeof t->label, "machine WinHttpSettings (HKLM\\SOFTWARE) %s",
                 t->shown);
    }
    return true;
}

/* Two targets that are one file (the same path twice, a symbolic or hard
 * link) would be edited as two hives and committed twice: refuse before any
 * backup is written. */
static void refuse_shared_files(struct run *r)
{
    for (size_t i = 0; i < r->n; i++) {
        struct stat a, b;
        if (r->t[i].state != TARGET_OK || !r->t[i].hive ||
            stat(dcs_hive_path(r->t[i].hive), &a) != 0)
            continue;
        for (size_t j = 0; j < i; j++) {
            if (r->t[j].state != TARGET_OK || !r->t[j].hive ||
                stat(dcs_hive_path(r->t[j].hive), &b) != 0 || a.st_dev != b.st_dev ||
                a.st_ino != b.st_ino)
                continue;
            r->t[i].state = TARGET_ERROR;
            dcs_error_set(&r->t[i].err, DCS_ERR_INVALID_ARG, DCS_NO_OFFSET,
                          "%s is the same file as the hive of %s (%s): give each account "
                          "its own hive",
                          r->t[i].shown, r->t[j].sid[0] ? r->t[j].sid : "the machine",
                          r->t[j].shown);
            break;
        }
    }
}

static int exit_for_failures(const struct run *r)
{
    int rc = EXIT_OK;
    for (size_t i = 0; i < r->n; i++) {
        if (r->t[i].state == TARGET_REFUSED)
            return EXIT_UNSAFE;
        if (r->t[i].state == TARGET_ERROR)
            rc = EXIT_BAD_INPUT;
    }
    return rc;
}

static void print_all(const struct run *r, const char *outcome, int rc, const char *message)
{
    const struct apply_opts *o = r->o;
    if (o->json) {
        json_t *doc = json_object();
        json_object_set_new(doc, "command", json_string("apply"));
        json_object_set_new(doc, "run", json_string(o->check     ? "check"
                                                    : o->dry_run ? "dry-run"
                                                                 : "apply"));
        json_object_set_new(doc, "source", apply_source_json(&r->source, &o->src));
        json_t *arr = json_array();
        for (size_t i = 0; i < r->n; i++)
            json_array_append_new(arr, target_json(&r->t[i]));
        json_object_set_new(doc, "targets", arr);
        json_object_set_new(doc, "outcome", json_string(outcome));
        if (message)
            json_object_set_new(doc, "message", json_string(message));
        json_object_set_new(doc, "exit", json_integer(rc));
        json_print(doc, stdout, 0);
        json_decref(doc);
        return;
    }
    for (size_t i = 0; i < r->n; i++) {
        target_print(stdout, &r->t[i]);
        fputc('\n', stdout);
    }
    printf("%s%s%s\n", outcome, message ? ": " : "", message ? message : "");
}

static int plan_all(struct run *r)
{
    for (size_t i = 0; i < r->n; i++) {
        struct apply_target *t = &r->t[i];
        dcs_status st = t->machine
                            ? dcs_apply_plan_machine(&r->o->src, &t->snap.cur, &t->plan, &t->err)
                            : dcs_apply_plan_user(&r->o->src, &r->o->opt, &t->snap.cur,
                                                  &t->plan, &t->err);
        if (st != DCS_OK) {
            t->state = TARGET_ERROR;
            continue;
        }
        t->planned = true;
    }
    return exit_for_failures(r);
}

static size_t count_changes(const struct run *r)
{
    size_t n = 0;
    for (size_t i = 0; i < r->n; i++)
        if (r->t[i].planned && dcs_apply_plan_changes(&r->t[i].plan))
            n++;
    return n;
}

static int execute(struct run *r, size_t changing)
{
    char stamp[32];
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(stamp, sizeof stamp, "%Y%m%dT%H%M%SZ", &tm);
    struct dcs_error err;
    dcs_error_clear(&err);
    for (size_t i = 0; i < r->n; i++) {
        struct apply_target *t = &r->t[i];
        if (!dcs_apply_plan_changes(&t->plan))
            continue;
        if (backup_target(t, r->o->backup_dir, stamp, &err) != DCS_OK) {
            print_all(r, "error", EXIT_BAD_INPUT, err.message);
            if (!r->o->json)
                cli_errorf("apply: backup failed, nothing changed: %s", err.message);
            return EXIT_BAD_INPUT;
        }
    }
    dcs_hive **hives = calloc(r->n, sizeof *hives);
    const struct dcs_apply_plan **plans = calloc(r->n, sizeof *plans);
    dcs_status st = DCS_ERR_NOMEM;
    if (hives && plans) {
        for (size_t i = 0; i < r->n; i++) {
            hives[i] = r->t[i].hive;
            plans[i] = &r->t[i].plan;
        }
        st = dcs_apply_execute(hives, plans, r->n, &err);
    } else {
        dcs_error_set(&err, st, DCS_NO_OFFSET, "out of memory");
    }
    free(hives);
    free(plans);
    if (st != DCS_OK) {
        char msg[400];
        snprintf(msg, sizeof msg, "%s; no hive was changed", err.message);
        print_all(r, "error", EXIT_BAD_INPUT, msg);
        if (!r->o->json)
            cli_errorf("apply: %s", msg);
        return EXIT_BAD_INPUT;
    }
    for (size_t i = 0; i < r->n; i++)
        if (dcs_apply_plan_changes(&r->t[i].plan))
            backup_drop_pending_logs(&r->t[i]);
    char msg[128];
    snprintf(msg, sizeof msg, "%zu hive%s changed, %zu unchanged", changing,
             changing == 1 ? "" : "s", r->n - changing);
    print_all(r, "applied", EXIT_OK, msg);
    return EXIT_OK;
}

int apply_run(struct apply_opts *o)
{
    struct run r;
    memset(&r, 0, sizeof r);
    r.o = o;
    struct dcs_error err;
    dcs_error_clear(&err);
    int rc = apply_source_load(o, &r.source, &err);
    if (rc != EXIT_OK) {
        cli_report("apply: source", &err);
        return rc;
    }
    if (o->reg_out) {
        rc = apply_reg_out(o);
        apply_source_free(&r.source);
        return rc;
    }
    if (!dcs_hive_supported()) {
        cli_errorf("apply: this dcs was built without libhivex; only --reg-out works");
        apply_source_free(&r.source);
        return EXIT_BAD_INPUT;
    }
    if (o->windows) {
        win_image_init(&r.img, o->windows);
        r.have_img = true;
    }
    if (!add_targets(&r)) {
        cli_errorf("apply: out of memory");
        rc = EXIT_BAD_INPUT;
        goto out;
    }
    bool read_only = o->dry_run || o->check;
    for (size_t i = 0; i < r.n; i++)
        if (r.t[i].state == TARGET_OK)
            (void)target_open(&r.t[i], read_only, o->force, o->recover);
    refuse_shared_files(&r);
    rc = exit_for_failures(&r);
    if (rc == EXIT_OK)
        rc = plan_all(&r);
    if (rc != EXIT_OK) {
        print_all(&r, rc == EXIT_UNSAFE ? "refused" : "error", rc,
                  read_only ? "nothing would be changed" : "nothing was changed");
        goto out;
    }
    size_t changing = count_changes(&r);
    if (o->check) {
        rc = changing ? EXIT_OUT_OF_STEP : EXIT_OK;
        print_all(&r, changing ? "out-of-step" : "in-step", rc, NULL);
    } else if (o->dry_run) {
        char msg[96];
        snprintf(msg, sizeof msg, "%zu hive%s would change", changing, changing == 1 ? "" : "s");
        print_all(&r, "dry-run", EXIT_OK, msg);
    } else if (!changing) {
        print_all(&r, "unchanged", EXIT_OK, "every target already has these settings");
    } else {
        rc = execute(&r, changing);
    }
out:
    for (size_t i = 0; i < r.n; i++)
        target_free(&r.t[i]);
    free(r.t);
    if (r.have_img)
        win_image_free(&r.img);
    apply_source_free(&r.source);
    return rc;
}
