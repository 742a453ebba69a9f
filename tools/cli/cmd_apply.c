/* dcs apply: give the service accounts the proxy settings of a source, in an
 * offline Windows image (or hive files), or as a .reg for a live machine. */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "apply_run.h"
#include "cli.h"
#include "cmd.h"
#include "opts.h"

/* The sources: each returns O_SOURCE so that parse can count them. */
#define SOURCE(name_, arg_, F, help_)                                                     \
    {.name = (name_), .arg = (arg_), .id = O_SOURCE, .help = (help_),                      \
     .store = CLI_STORE_STRING, .field = offsetof(struct apply_opts, F)}
#define T struct apply_opts
enum { O_SOURCE = 1 };
static const struct cli_opt apply_table[] = {
    CLI_HEADING("SOURCE (one of):"),
    SOURCE("from-reg", "FILE.reg", from_reg, "the DefaultConnectionSettings in a .reg"),
    SOURCE("from-hive", "NTUSER.DAT", from_hive, "a user's offline hive"),
    SOURCE("from-blob", "FILE", from_blob, "a blob, binary or hex text"),
    SOURCE("mode", "MODE", mode_name,
           "no_proxy|autodetect|manual_proxy|autoscript|reset,\n"
           "as bitsadmin /util /setieproxy"),
    CLI_HEADING("WITH THE SOURCE:"),
    CLI_STRING("key", 0, "KEY", T, reg_key,
               "with --from-reg: the key whose value to take\n"
               "when the .reg has several"),
    CLI_STRING("proxy", 0, "LIST", T, proxy, "with --mode manual_proxy: the proxy list"),
    CLI_STRING("bypass", 0, "LIST", T, bypass, "with --mode manual_proxy: the bypass list"),
    CLI_STRING("pac", 0, "URL", T, pac, "with --mode autoscript: the PAC URL"),
    CLI_HEADING("WHERE:"),
    CLI_STRING("windows", 0, "DIR", T, windows, "root of a mounted Windows volume"),
    CLI_LIST("hive", 0, "SID=PATH", T, hives, nhives,
             "a hive file for an account (repeatable)"),
    CLI_STRING("wim", 0, "FILE[:INDEX]", T, wim,
               "a Windows image in a WIM/ESD file: mounted\n"
               "read-write through FUSE, applied, committed\n(needs wimlib)"),
    CLI_FLAG("wim-replace", 0, T, wim_replace,
             "with --wim when FUSE does not work: extract the\n"
             "hives, apply, put them back (their security\n"
             "descriptors, short names and attributes are lost)"),
    CLI_STRING("reg-out", 0, "FILE.reg", T, reg_out,
               "write a .reg for `reg import` on a live machine"),
    CLI_STRING("gpp-out", 0, "FILE.xml", T, gpp_out,
               "write a Group Policy Preferences Registry.xml"),
    CLI_STRING("cmd-out", 0, "FILE.cmd", T, cmd_out,
               "write a batch file of `reg add ... /f` commands"),
    CLI_HEADING("OPTIONS:"),
    CLI_LIST("sid", 0, "SID", T, sids, nsids,
             "target this account (repeatable; replaces the\ndefault)"),
    CLI_FLAG("all-services", 0, T, all_services,
             "S-1-5-18, S-1-5-19 and S-1-5-20 (NetworkService)"),
    CLI_FLAG("default-profile", 0, T, default_profile,
             "the Default profile (Users/Default/NTUSER.DAT,\n"
             "the template of new users; not .DEFAULT)"),
    CLI_FLAG("all-users", 0, T, all_users, "every user profile of the image (ProfileList)"),
    CLI_FLAG("machine", 0, T, machine,
             "the machine-wide settings: HKLM's Connections and\n"
             "the policy ProxySettingsPerUser=0, which makes\n"
             "every account use them instead of its own\n"
             "(--sid, --default-profile, --all-users and\n"
             "--machine replace the default accounts;\n--all-services adds them)"),
    CLI_FLAG("only-default", 0, T, only_default, "write DefaultConnectionSettings only"),
    CLI_FLAG("no-plain-values", 0, T, no_plain_values, "leave ProxyEnable & co. alone"),
    CLI_LIST("connection", 0, "NAME", T, connections, nconnections,
             "also set this VPN/dial-up connection (repeatable)"),
    CLI_LIST("expect-proxy", 0, "URL", T, expect_proxy, nexpect_proxy,
             "warn when the new settings would send URL DIRECT\n"
             "(repeatable; the routing traps are always warned\nabout)"),
    CLI_FLAG("all-connections", 0, T, all_connections,
             "also set every connection already in the hive"),
    CLI_FLAG("winhttp", 0, T, winhttp,
             "also set the machine's WinHttpSettings (SOFTWARE\n"
             "hive) as `netsh winhttp import proxy source=ie`\nwould"),
    CLI_STRING("software", 0, "PATH", T, software,
               "the SOFTWARE hive for --winhttp or --machine\nwithout --windows"),
    CLI_FLAG("dry-run", 0, T, dry_run, "show the plan, change nothing"),
    CLI_FLAG("check", 0, T, check, "change nothing; exit 4 when some target would\nchange"),
    CLI_STRING("backup-dir", 0, "DIR", T, backup_dir,
               "where to save the previous hives and Connections\n"
               "keys (default: dcs-backup-<time> beside each hive)"),
    CLI_FLAG("force", 0, T, force, "write dirty hives (their pending log changes are\nlost)"),
    CLI_FLAG("recover", 0, T, recover,
             "replay a dirty hive's transaction logs first, as\n"
             "`dcs hive recover` does, in the same commit"),
    CLI_FLAG("json", 0, T, json, "print the plan and outcome as JSON"),
};
#undef T
#undef SOURCE

static void usage(FILE *out)
{
    fprintf(out,
            "usage: dcs apply SOURCE WHERE [OPTIONS]\n"
            "\n"
            "Give the service accounts the proxy settings of SOURCE: writes\n"
            "DefaultConnectionSettings and SavedLegacySettings under\n"
            "...\\Internet Settings\\Connections and keeps ProxyEnable, ProxyServer,\n"
            "ProxyOverride and AutoConfigURL in step.  Targets: LocalSystem (S-1-5-18,\n"
            "Windows/System32/config/DEFAULT) and LocalService (S-1-5-19) by default.\n"
            "\n");
    cli_opts_help(out, apply_table, CLI_NOPTS(apply_table));
    fprintf(out,
            "\n"
            "exit status: 0 done (applied or unchanged); 1 error, nothing changed; 2 usage;\n"
            "3 refused an unsafe (dirty or damaged) hive, nothing changed; 4 --check found\n"
            "a target out of step.\n");
}

/* Every --sid is a SID, every --hive a SID=PATH. */
static int check_targets(const struct apply_opts *o)
{
    for (size_t i = 0; i < o->nsids; i++)
        if (!dcs_sid_valid(o->sids[i])) {
            cli_errorf("apply: '%s' is not a SID (S-1-5-18, ...)", o->sids[i]);
            return EXIT_USAGE;
        }
    for (size_t i = 0; i < o->nhives; i++) {
        const char *v = o->hives[i], *eq = strchr(v, '=');
        char sid[96];
        if (!eq || eq == v || !eq[1]) {
            cli_errorf("apply: --hive wants SID=PATH, not '%s'", v);
            return EXIT_USAGE;
        }
        snprintf(sid, sizeof sid, "%.*s", (int)(eq - v), v);
        if ((size_t)(eq - v) >= sizeof sid || !dcs_sid_valid(sid)) {
            cli_errorf("apply: '%.*s' is not a SID (S-1-5-18, ...)", (int)(eq - v), v);
            return EXIT_USAGE;
        }
    }
    return EXIT_OK;
}

/* Options that go together or exclude each other: where the settings go. */
static const char *conflict_where(const struct apply_opts *o)
{
    bool live = o->reg_out || o->gpp_out || o->cmd_out;
    if (!o->windows && !o->nhives && !live && !o->wim)
        return "say where: --windows DIR, --wim FILE, --hive SID=PATH, --reg-out FILE.reg, "
               "--gpp-out FILE.xml or --cmd-out FILE.cmd";
    if (o->wim && (o->windows || live))
        return "--wim is the image: it does not go with --windows, --reg-out, --gpp-out or "
               "--cmd-out";
    if (o->wim_replace && !o->wim)
        return "--wim-replace goes with --wim";
    if (live && (o->windows || o->nhives || o->software))
        return "--reg-out, --gpp-out and --cmd-out write files for a live machine; they do "
               "not go with --windows, --hive or --software";
    if ((o->default_profile || o->all_users) && !o->windows && !o->wim)
        return "--default-profile and --all-users need an image (--windows or --wim)";
    if (live && (o->check || o->backup_dir || o->force || o->recover))
        return "--check, --backup-dir, --force and --recover need hives, not --reg-out, "
               "--gpp-out or --cmd-out";
    return NULL;
}

static const char *conflict(const struct apply_opts *o)
{
    if ((o->proxy || o->bypass) && o->mode != DCS_MODE_MANUAL_PROXY)
        return "--proxy and --bypass go with --mode manual_proxy";
    if (o->pac && o->mode != DCS_MODE_AUTOSCRIPT)
        return "--pac goes with --mode autoscript";
    if (o->reg_key && !o->from_reg)
        return "--key goes with --from-reg";
    const char *why = conflict_where(o);
    if (why)
        return why;
    if (o->check && o->dry_run)
        return "--check and --dry-run exclude each other";
    if (o->software && !o->winhttp && !o->machine)
        return "--software goes with --winhttp or --machine";
    return NULL;
}

/* The checks once every option is read. */
static int check(int sources, struct apply_opts *o)
{
    if (o->mode_name && !dcs_apply_mode_parse(o->mode_name, &o->mode)) {
        cli_errorf("apply: unknown mode '%s' (no_proxy, autodetect, manual_proxy, autoscript, "
                   "reset)",
                   o->mode_name);
        return EXIT_USAGE;
    }
    int rc = check_targets(o);
    if (rc != EXIT_OK)
        return rc;
    if (sources != 1) {
        cli_errorf("apply: give exactly one source: --from-reg, --from-hive, --from-blob or "
                   "--mode");
        return EXIT_USAGE;
    }
    const char *why = conflict(o);
    if (why) {
        cli_errorf("apply: %s", why);
        return EXIT_USAGE;
    }
    /* the proxy list as encode checks it: a bad one is a usage error.  The
     * bypass list and the PAC URL only as the library's applier takes them
     * (what a blob can hold), checked here too to name the option: a
     * bypass entry outside the grammar (a CIDR block WinINET never
     * matches) is written with a warning, and a routing-trap lint says
     * what it matches, as `dcs show` reports it */
    if (!cli_check_list("apply", "--proxy", o->proxy, false, o->winhttp) ||
        !cli_check_text("apply", "--bypass", o->bypass, CLI_TEXT_BYPASS, true) ||
        !cli_check_text("apply", "--pac", o->pac, CLI_TEXT_URL, true))
        return EXIT_USAGE;
    return EXIT_OK;
}

/* Parse the command line into *p's dest; returns EXIT_OK or EXIT_USAGE (or
 * -1 for --help, handled). */
static int parse(struct cli_opts *p, struct apply_opts *o)
{
    int sources = 0;
    const char *v;
    for (int id; (id = cli_opts_next(p, &v)) != CLI_OPT_END;) {
        if (id == CLI_OPT_HELP) {
            usage(stdout);
            return -1;
        }
        if (id == CLI_OPT_ERROR)
            return EXIT_USAGE;
        if (id == CLI_OPT_ARG) {
            cli_errorf("apply: unknown argument '%s' (try 'dcs apply --help')", v);
            return EXIT_USAGE;
        }
        sources += id == O_SOURCE;
    }
    return check(sources, o);
}

int cmd_apply(int argc, char **argv)
{
    struct apply_opts o;
    memset(&o, 0, sizeof o);
    o.mode = DCS_MODE_COPY;
    struct cli_opts p;
    cli_opts_init(&p, "apply", apply_table, CLI_NOPTS(apply_table), &o, argc, argv);
    int rc = parse(&p, &o);
    if (rc == EXIT_OK && !cli_source_date("apply", &o.filetime))
        rc = EXIT_USAGE;
    if (rc == EXIT_OK)
        rc = apply_run(&o);
    else if (rc < 0)
        rc = EXIT_OK;
    cli_opts_free(&p);
    return rc;
}
