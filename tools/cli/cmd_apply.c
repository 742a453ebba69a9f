/* dcs apply: give the service accounts the proxy settings of a source, in an
 * offline Windows image (or hive files), or as a .reg for a live machine. */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "apply_run.h"
#include "cli.h"
#include "cmd.h"

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
            "\n"
            "SOURCE (one of):\n"
            "  --from-reg FILE.reg   the DefaultConnectionSettings in a .reg (--key KEY picks\n"
            "                        one when there are several)\n"
            "  --from-hive NTUSER.DAT  a user's offline hive\n"
            "  --from-blob FILE      a blob, binary or hex text\n"
            "  --mode no_proxy|autodetect|manual_proxy|autoscript|reset\n"
            "                        as bitsadmin /util /setieproxy, with --proxy LIST,\n"
            "                        --bypass LIST (manual_proxy) or --pac URL (autoscript)\n"
            "WHERE:\n"
            "  --windows DIR         root of a mounted Windows volume\n"
            "  --hive SID=PATH       a hive file for an account (repeatable)\n"
            "  --reg-out FILE.reg    write a .reg for `reg import` on a live machine\n"
            "OPTIONS:\n"
            "  --sid SID             target this account (repeatable; replaces the default)\n"
            "  --all-services        S-1-5-18, S-1-5-19 and S-1-5-20 (NetworkService)\n"
            "  --only-default        write DefaultConnectionSettings only\n"
            "  --no-plain-values     leave ProxyEnable & co. alone\n"
            "  --connection NAME     also set this VPN/dial-up connection (repeatable)\n"
            "  --expect-proxy URL    warn when the new settings would send URL DIRECT\n"
            "                        (repeatable; the routing traps are always warned about)\n"
            "  --all-connections     also set every connection already in the hive\n"
            "  --winhttp             also set the machine's WinHttpSettings (SOFTWARE hive)\n"
            "                        as `netsh winhttp import proxy source=ie` would\n"
            "  --software PATH       the SOFTWARE hive for --winhttp without --windows\n"
            "  --dry-run             show the plan, change nothing\n"
            "  --check               change nothing; exit 4 when some target would change\n"
            "  --backup-dir DIR      where to save the previous hives and Connections keys\n"
            "                        (default: dcs-backup-<time> beside each hive)\n"
            "  --force               write dirty hives (their pending log changes are lost)\n"
            "  --recover             replay a dirty hive's transaction logs first, as\n"
            "                        `dcs hive recover` does, in the same commit\n"
            "  --recover             replay a dirty hive's transaction logs first, as\n"
            "                        `dcs hive recover` does, in the same commit\n"
            "  --json                print the plan and outcome as JSON\n"
            "\n"
            "exit status: 0 done (applied or unchanged); 1 error, nothing changed; 2 usage;\n"
            "3 refused an unsafe (dirty or damaged) hive, nothing changed; 4 --check found\n"
            "a target out of step.\n");
}

/* The options, one line each: a string, a repeatable string or a flag,
 * stored at a field of struct apply_opts. */
enum opt_kind { OPT_STRING, OPT_LIST, OPT_FLAG };
#define F(name) offsetof(struct apply_opts, name)
static const struct option_def {
    const char *name;
    enum opt_kind kind;
    size_t field;
    size_t count; /* OPT_LIST: the field with the number of items */
    bool source;  /* one of the four sources */
} options[] = {
    {"--from-reg", OPT_STRING, F(from_reg), 0, true},
    {"--from-hive", OPT_STRING, F(from_hive), 0, true},
    {"--from-blob", OPT_STRING, F(from_blob), 0, true},
    {"--mode", OPT_STRING, F(mode_name), 0, true},
    {"--key", OPT_STRING, F(reg_key), 0, false},
    {"--proxy", OPT_STRING, F(proxy), 0, false},
    {"--bypass", OPT_STRING, F(bypass), 0, false},
    {"--pac", OPT_STRING, F(pac), 0, false},
    {"--windows", OPT_STRING, F(windows), 0, false},
    {"--reg-out", OPT_STRING, F(reg_out), 0, false},
    {"--software", OPT_STRING, F(software), 0, false},
    {"--backup-dir", OPT_STRING, F(backup_dir), 0, false},
    {"--sid", OPT_LIST, F(sids), F(nsids), false},
    {"--hive", OPT_LIST, F(hives), F(nhives), false},
    {"--connection", OPT_LIST, F(connections), F(nconnections), false},
    {"--expect-proxy", OPT_LIST, F(expect_proxy), F(nexpect_proxy), false},
    {"--all-services", OPT_FLAG, F(all_services), 0, false},
    {"--only-default", OPT_FLAG, F(only_default), 0, false},
    {"--no-plain-values", OPT_FLAG, F(no_plain_values), 0, false},
    {"--all-connections", OPT_FLAG, F(all_connections), 0, false},
    {"--check", OPT_FLAG, F(check), 0, false},
    {"--winhttp", OPT_FLAG, F(winhttp), 0, false},
    {"--dry-run", OPT_FLAG, F(dry_run), 0, false},
    {"--force", OPT_FLAG, F(force), 0, false},
    {"--recover", OPT_FLAG, F(recover), 0, false},
    {"--json", OPT_FLAG, F(json), 0, false},
};
#undef F

static bool add_str(const char ***list, size_t *n, const char *s)
{
    const char **nl = realloc(*list, (*n + 1) * sizeof *nl);
    if (!nl)
        return false;
    nl[(*n)++] = s;
    *list = nl;
    return true;
}

/* Store one option (and its argument, argv[*i + 1]).  Returns EXIT_OK,
 * EXIT_USAGE or EXIT_BAD_INPUT. */
static int store(const struct option_def *d, int argc, char **argv, int *i,
                 struct apply_opts *o)
{
    char *base = (char *)o;
    if (d->kind == OPT_FLAG) {
        *(bool *)(base + d->field) = true;
        return EXIT_OK;
    }
    if (*i + 1 >= argc) {
        cli_errorf("apply: %s needs an argument", d->name);
        return EXIT_USAGE;
    }
    const char *v = argv[++*i];
    if (d->kind == OPT_STRING) {
        *(const char **)(base + d->field) = v;
        return EXIT_OK;
    }
    if (!add_str((const char ***)(base + d->field), (size_t *)(base + d->count), v)) {
        cli_errorf("apply: out of memory");
        return EXIT_BAD_INPUT;
    }
    return EXIT_OK;
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

/* Options that go together or exclude each other. */
static const char *conflict(const struct apply_opts *o)
{
    if ((o->proxy || o->bypass) && o->mode != DCS_MODE_MANUAL_PROXY)
        return "--proxy and --bypass go with --mode manual_proxy";
    if (o->pac && o->mode != DCS_MODE_AUTOSCRIPT)
        return "--pac goes with --mode autoscript";
    if (o->reg_key && !o->from_reg)
        return "--key goes with --from-reg";
    if (!o->windows && !o->nhives && !o->reg_out)
        return "say where: --windows DIR, --hive SID=PATH or --reg-out FILE.reg";
    if (o->reg_out && (o->windows || o->nhives || o->software))
        return "--reg-out writes a .reg for a live machine; it does not go with --windows, "
               "--hive or --software";
    if (o->check && o->dry_run)
        return "--check and --dry-run exclude each other";
    if (o->reg_out && (o->check || o->backup_dir || o->force || o->recover))
        return "--check, --backup-dir, --force and --recover need hives, not --reg-out";
    if (o->software && !o->winhttp)
        return "--software goes with --winhttp";
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
     * bypass list is not: its traps (a CIDR entry WinINET never matches)
     * are written with a routing-trap warning, as `dcs show` reports them */
    if (!cli_check_list("apply", "--proxy", o->proxy, false, o->winhttp))
        return EXIT_USAGE;
    return EXIT_OK;
}

/* Parse the command line into *o; returns EXIT_OK or EXIT_USAGE (or -1 for
 * --help, handled). */
static int parse(int argc, char **argv, struct apply_opts *o)
{
    int sources = 0;
    for (int i = 1; i < argc; i++) {
        if (cli_is(argv[i], "--help", "-h")) {
            usage(stdout);
            return -1;
        }
        const struct option_def *d = NULL;
        for (size_t k = 0; !d && k < sizeof options / sizeof options[0]; k++)
            if (strcmp(argv[i], options[k].name) == 0)
                d = &options[k];
        if (!d) {
            cli_errorf("apply: unknown argument '%s'", argv[i]);
            usage(stderr);
            return EXIT_USAGE;
        }
        sources += d->source;
        int rc = store(d, argc, argv, &i, o);
        if (rc != EXIT_OK)
            return rc;
    }
    return check(sources, o);
}

int cmd_apply(int argc, char **argv)
{
    struct apply_opts o;
    memset(&o, 0, sizeof o);
    o.mode = DCS_MODE_COPY;
    int rc = parse(argc, argv, &o);
    if (rc == EXIT_OK)
        rc = apply_run(&o);
    else if (rc < 0)
        rc = EXIT_OK;
    free(o.sids);
    free(o.hives);
    free(o.connections);
    free(o.expect_proxy);
    return rc;
}
