/* The flow of `dcs apply`: hand the options to the library's applier,
 * render what it reports, choose the exit code. */
#include "apply_run.h"

#include <stdlib.h>
#include <string.h>

#include "apply_render.h"
#include "cli.h"
#include "lints.h"
#include "json.h"

static const char *const default_sids[] = {"S-1-5-18", "S-1-5-19", "S-1-5-20"};

static int load_blob(const struct apply_opts *o, dcs_applier *a, struct dcs_error *err)
{
    uint8_t *blob;
    size_t len;
    enum cli_input_kind kind;
    dcs_status st = cli_load_blob(o->from_blob, &blob, &len, &kind, err);
    if (st == DCS_ERR_UNSUPPORTED && kind == CLI_INPUT_REG) {
        free(blob);
        dcs_error_set(err, DCS_ERR_INVALID_ARG, DCS_NO_OFFSET,
                      "%s is a .reg file: use --from-reg", o->from_blob);
        return EXIT_USAGE;
    }
    if (st == DCS_OK)
        st = len > UINT32_MAX ? dcs_error_set(err, DCS_ERR_LIMIT, DCS_NO_OFFSET, "too large")
                              : dcs_applier_source_blob(a, (dcs_bytes){blob, (uint32_t)len},
                                                        (dcs_bytes){0}, o->from_blob, err);
    free(blob);
    return st == DCS_OK ? EXIT_OK : EXIT_BAD_INPUT;
}

/* Give the applier its source.  Returns an exit code; err says why. */
static int load_source(const struct apply_opts *o, dcs_applier *a, struct dcs_error *err)
{
    dcs_status st;
    if (o->from_blob)
        return load_blob(o, a, err);
    if (o->from_hive)
        st = dcs_applier_source_hive(a, o->from_hive, err);
    else if (o->from_reg)
        st = dcs_applier_source_reg(a, o->from_reg, o->reg_key, err);
    else
        st = dcs_applier_source_mode(a, o->mode, o->proxy, o->bypass, o->pac, err);
    if (st == DCS_OK)
        return EXIT_OK;
    if (!o->from_hive && !o->from_reg && st != DCS_ERR_NOMEM)
        return EXIT_USAGE; /* a mode without its parameters */
    /* Exit 3 is for targets apply refuses to write; a source it cannot
     * read, however damaged, is bad input. */
    return EXIT_BAD_INPUT;
}

/* The targets: --sid (else the default accounts), --all-services, the SIDs
 * of --hive, the machine with --winhttp. */
static dcs_status add_targets(const struct apply_opts *o, dcs_applier *a, struct dcs_error *err)
{
    dcs_status st = DCS_OK;
    for (size_t i = 0; st == DCS_OK && i < o->nhives; i++) {
        char sid[96];
        const char *eq = strchr(o->hives[i], '=');
        snprintf(sid, sizeof sid, "%.*s", (int)(eq - o->hives[i]), o->hives[i]);
        st = dcs_applier_set_hive(a, sid, eq + 1, err);
    }
    for (size_t i = 0; st == DCS_OK && i < o->nsids; i++)
        st = dcs_applier_add_account(a, o->sids[i], err);
    bool chosen = o->nsids || (o->nhives && !o->windows && !o->wim) || o->machine ||
                  o->default_profile || o->all_users;
    size_t ndefault = chosen ? 0 : o->all_services ? 3 : 2;
    for (size_t i = 0; st == DCS_OK && i < ndefault; i++)
        st = dcs_applier_add_account(a, default_sids[i], err);
    for (size_t i = 0; st == DCS_OK && o->all_services && i < 3; i++)
        st = dcs_applier_add_account(a, default_sids[i], err);
    for (size_t i = 0; st == DCS_OK && i < o->nhives; i++) {
        char sid[96];
        snprintf(sid, sizeof sid, "%.*s", (int)(strchr(o->hives[i], '=') - o->hives[i]),
                 o->hives[i]);
        st = dcs_applier_add_account(a, sid, err);
    }
    if (st == DCS_OK && o->default_profile)
        st = dcs_applier_add_default_profile(a, err);
    if (st == DCS_OK && o->all_users)
        st = dcs_applier_add_all_users(a, err);
    if (st == DCS_OK && o->machine)
        st = dcs_applier_add_machine_wide(a, o->software, err);
    if (st == DCS_OK && o->winhttp)
        st = dcs_applier_add_machine(a, o->software, err);
    return st;
}

static int exit_for_failures(const dcs_applier *a)
{
    int rc = EXIT_OK;
    for (size_t i = 0; i < dcs_applier_count(a); i++) {
        enum dcs_apply_target_state s = dcs_apply_target_state(dcs_applier_target(a, i));
        if (s == DCS_APPLY_TARGET_REFUSED)
            return EXIT_UNSAFE;
        /* the wrong file named for a role is a usage error */
        if (s == DCS_APPLY_TARGET_ERROR && rc != EXIT_USAGE)
            rc = dcs_apply_target_error(dcs_applier_target(a, i))->code == DCS_ERR_APPLY_HIVE_KIND
                     ? EXIT_USAGE
                     : EXIT_BAD_INPUT;
    }
    return rc;
}

/* The DCS_APPLY_* modes the command line selects. */
static unsigned run_flags(const struct apply_opts *o)
{
    return (o->dry_run || o->check ? DCS_APPLY_READ_ONLY : 0) |
           (o->force ? DCS_APPLY_FORCE : 0) | (o->recover ? DCS_APPLY_RECOVER : 0);
}

/* Each target's error also on stderr, whatever stdout carries (text or
 * JSON): a script that keeps only stderr still learns which hive failed. */
static void report_targets(const dcs_applier *a)
{
    for (size_t i = 0; i < dcs_applier_count(a); i++) {
        const dcs_apply_target *t = dcs_applier_target(a, i);
        enum dcs_apply_target_state s = dcs_apply_target_state(t);
        if (s == DCS_APPLY_TARGET_ERROR || s == DCS_APPLY_TARGET_REFUSED)
            cli_report(s == DCS_APPLY_TARGET_REFUSED ? "apply: refused" : "apply: error",
                       dcs_apply_target_error(t));
    }
}

static void print_all(const struct apply_opts *o, const dcs_applier *a, const char *outcome,
                      int rc, const char *message)
{
    size_t n = dcs_applier_count(a);
    report_targets(a);
    if (!o->json) {
        for (size_t i = 0; i < n; i++) {
            render_target_text(stdout, dcs_applier_target(a, i), run_flags(o));
            fputc('\n', stdout);
        }
        printf("%s%s%s\n", outcome, message ? ": " : "", message ? message : "");
        return;
    }
    json_t *doc = json_object();
    json_object_set_new(doc, "command", json_string("apply"));
    json_object_set_new(doc, "run",
                        json_string(o->check ? "check" : o->dry_run ? "dry-run" : "apply"));
    json_object_set_new(doc, "source", render_source_json(a));
    json_t *arr = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(arr, render_target_json(dcs_applier_target(a, i)));
    json_object_set_new(doc, "targets", arr);
    json_object_set_new(doc, "outcome", json_string(outcome));
    if (message)
        json_object_set_new(doc, "message", json_string(message));
    json_object_set_new(doc, "exit", json_integer(rc));
    json_print(doc, stdout, 0);
    json_decref(doc);
}

/* One file for a live machine: --reg-out, --gpp-out or --cmd-out. */
static dcs_status write_live(dcs_applier *a, const char *path, int kind, struct dcs_error *err)
{
    if (!path)
        return DCS_OK;
    if (!kind)
        return dcs_applier_write_reg(a, path, err);
    return dcs_applier_write_ship(a, path, (enum dcs_ship_kind)kind, NULL, err);
}

static void print_live(const struct apply_opts *o, size_t n)
{
    const char *what = o->machine && o->winhttp ? " and the machine-wide settings + WinHttpSettings"
                       : o->machine             ? " and the machine-wide settings"
                       : o->winhttp             ? " and WinHttpSettings"
                                                : "";
    if (o->reg_out)
        printf("wrote %s for %zu account%s%s: import it on the machine with\n"
               "  reg import %s\n",
               o->reg_out, n, n == 1 ? "" : "s", what, o->reg_out);
    if (o->gpp_out)
        printf("wrote %s for %zu account%s%s: a Group Policy Preferences Registry.xml (copy it\n"
               "  to the GPO's Machine\\Preferences\\Registry folder)\n",
               o->gpp_out, n, n == 1 ? "" : "s", what);
    if (o->cmd_out)
        printf("wrote %s for %zu account%s%s: run it on the machine with\n  cmd /c %s\n",
               o->cmd_out, n, n == 1 ? "" : "s", what, o->cmd_out);
}

/* --reg-out, --gpp-out, --cmd-out: the plan of every account as files for
 * a live machine. */
static int live_out(const struct apply_opts *o, dcs_applier *a)
{
    struct dcs_error err;
    dcs_error_clear(&err);
    if (o->all_connections)
        cli_warnf("apply: --all-connections needs hives; for a live machine only --connection "
                  "names are written");
    const char *paths[3] = {o->reg_out, o->gpp_out, o->cmd_out};
    dcs_status st = add_targets(o, a, &err);
    size_t k = 0;
    for (; st == DCS_OK && k < 3; k++)
        st = write_live(a, paths[k], (int)k, &err);
    if (st != DCS_OK) {
        cli_report(k && paths[k - 1] ? paths[k - 1] : "apply", &err);
        return EXIT_BAD_INPUT;
    }
    size_t n = dcs_applier_count(a) - (o->winhttp || o->machine ? 1 : 0);
    if (!o->json) {
        print_live(o, n);
        return EXIT_OK;
    }
    json_t *doc = json_pack("{s:s, s:s, s:I, s:b, s:b, s:s, s:i}", "command", "apply", "run",
                            o->reg_out ? "reg-out" : "live-out", "accounts", (json_int_t)n,
                            "winhttp", o->winhttp, "machine", o->machine, "outcome", "written",
                            "exit", 0);
    static const char *const keys[3] = {"reg_out", "gpp_out", "cmd_out"};
    for (size_t i = 0; i < 3; i++)
        if (paths[i])
            json_object_set_new(doc, keys[i], json_string(paths[i]));
    json_print(doc, stdout, 0);
    json_decref(doc);
    return EXIT_OK;
}

static int commit(const struct apply_opts *o, dcs_applier *a)
{
    struct dcs_error err;
    dcs_error_clear(&err);
    dcs_status st = dcs_applier_commit(a, &err);
    if (st != DCS_OK) {
        /* DCS_ERR_HIVE_ROLLBACK: hives were changed and not all put back;
         * the message names each one's state.  Before any backup the
         * commit takes the locks and opens every target again: a failure
         * there (a lock not given, a target that no longer passes) is the
         * target's own error, as in the plan */
        int rc = st == DCS_ERR_HIVE_ROLLBACK ? EXIT_HIVES_CHANGED : exit_for_failures(a);
        bool backup_failed = !dcs_applier_backed_up(a) && rc == EXIT_OK &&
                             st != DCS_ERR_HIVE_LOCKED;
        rc = rc == EXIT_OK ? EXIT_BAD_INPUT : rc;
        print_all(o, a, "error", rc, err.message);
        if (!o->json)
            cli_errorf("apply: %s%s", backup_failed ? "backup failed, nothing changed: " : "",
                       err.message);
        return rc;
    }
    size_t changing = dcs_applier_changes(a); /* as planned again under the locks */
    if (!changing) {
        print_all(o, a, "unchanged", EXIT_OK, "every target already has these settings");
        return EXIT_OK;
    }
    char msg[128];
    snprintf(msg, sizeof msg, "%zu hive%s changed, %zu unchanged", changing,
             changing == 1 ? "" : "s", dcs_applier_count(a) - changing);
    print_all(o, a, "applied", EXIT_OK, msg);
    return EXIT_OK;
}

/* The routing traps of the settings being written (the first account's new
 * DefaultConnectionSettings: every account gets the same settings), and the
 * --expect-proxy URLs they would send DIRECT, as warnings. */
static void warn_lints(const struct apply_opts *o, const dcs_applier *a)
{
    for (size_t i = 0; i < dcs_applier_count(a); i++) {
        const dcs_apply_target *t = dcs_applier_target(a, i);
        const struct dcs_apply_plan *p = dcs_apply_target_plan(t);
        const struct dcs_apply_step *s =
            p && !dcs_apply_target_machine(t)
                ? dcs_apply_plan_find(p, DCS_KEY_CONNECTIONS, DCS_VALUE_DEFAULT) : NULL;
        struct dcs_blob b;
        if (s && dcs_blob_decode(s->wanted, s->wanted_len, DCS_DECODE_LENIENT, &b, NULL) == DCS_OK) {
            lints_warn("apply", &b, o->expect_proxy, o->nexpect_proxy);
            return;
        }
    }
}

/* Open, check and plan every target, then report, or commit. */
static int plan_and_commit(const struct apply_opts *o, dcs_applier *a)
{
    struct dcs_error err;
    dcs_error_clear(&err);
    if (add_targets(o, a, &err) != DCS_OK) {
        cli_report("apply", &err);
        return EXIT_BAD_INPUT;
    }
    bool read_only = o->dry_run || o->check;
    (void)dcs_applier_plan(a, &err); /* the targets' states say what failed */
    int rc = exit_for_failures(a);
    if (rc != EXIT_OK) {
        print_all(o, a, rc == EXIT_UNSAFE ? "refused" : "error", rc,
                  read_only ? "nothing would be changed" : "nothing was changed");
        return rc;
    }
    warn_lints(o, a);
    size_t changing = dcs_applier_changes(a);
    if (o->check) {
        rc = changing ? EXIT_OUT_OF_STEP : EXIT_OK;
        print_all(o, a, changing ? "out-of-step" : "in-step", rc, NULL);
    } else if (o->dry_run) {
        char msg[96];
        snprintf(msg, sizeof msg, "%zu hive%s would change", changing, changing == 1 ? "" : "s");
        print_all(o, a, "dry-run", EXIT_OK, msg);
    } else if (!changing) {
        print_all(o, a, "unchanged", EXIT_OK, "every target already has these settings");
    } else {
        rc = commit(o, a);
    }
    return rc;
}

/* The applier with the options of the command line, the image at windows. */
static dcs_status setup(const struct apply_opts *o, const char *windows, dcs_applier **out,
                        struct dcs_error *err)
{
    unsigned flags = run_flags(o);
    struct dcs_apply_options opt = {.only_default = o->only_default,
                                    .no_plain_values = o->no_plain_values,
                                    .connections = o->connections,
                                    .nconnections = o->nconnections,
                                    .all_connections = o->all_connections};
    dcs_status st = dcs_applier_new(flags, out, err);
    if (st != DCS_OK)
        return st;
    dcs_applier_set_warn(*out, render_warning, (void *)o->from_reg);
    st = dcs_applier_set_options(*out, &opt, err);
    if (st == DCS_OK)
        st = dcs_applier_set_backup_dir(*out, o->backup_dir, err);
    dcs_applier_set_time(*out, o->filetime);
    if (st == DCS_OK && windows)
        st = dcs_applier_set_image(*out, windows, err);
    return st;
}

int apply_run(const struct apply_opts *o)
{
    if (o->wim)
        return apply_run_wim(o);
    return apply_run_at(o, o->windows);
}

int apply_run_at(const struct apply_opts *o, const char *windows)
{
    dcs_applier *a = NULL;
    struct dcs_error err;
    dcs_error_clear(&err);
    if (setup(o, windows, &a, &err) != DCS_OK) {
        cli_report("apply", &err);
        dcs_applier_free(a);
        return EXIT_BAD_INPUT;
    }
    int rc = load_source(o, a, &err);
    if (rc != EXIT_OK) {
        const char *hint = render_hint(err.code, run_flags(o));
        cli_report("apply: source", &err);
        if (hint)
            cli_errorf("apply: %s", hint);
    }
    else if (o->reg_out || o->gpp_out || o->cmd_out)
        rc = live_out(o, a);
    else
        rc = plan_and_commit(o, a);
    dcs_applier_free(a);
    return rc;
}
