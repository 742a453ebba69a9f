/* dcs apply: give the service accounts the proxy settings of a source, in an
 * offline Windows image (or hive files), or as a .reg for a live machine. */
#include <errno.h>
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
            "  --json                print the plan and outcome as JSON\n"
            "\n"
            "exit status: 0 done (applied or unchanged); 1 error, nothing changed; 2 usage;\n"
            "3 refused an unsafe (dirty or damaged) hive, nothing changed; 4 --check found\n"
            "a target out of step.\n");
}

static bool add_str(const char ***list, size_t *n, const char *s)
{
    const char **nl = realloc(*list, (*n + 1) * sizeof *nl);
    if (!nl)
        return false;
    nl[(*n)++] = s;
    *list = nl;
    return true;
}

static int need_arg(int argc, char **argv, int i)
{
    if (i + 1 >= argc) {
        cli_errorf("apply: %s needs an argument", argv[i]);
        return 0;
    }
    return 1;
}

/* Parse the command line into *o; returns EXIT_OK or EXIT_USAGE (or -1 for
 * --help, handled). */
static int parse(int argc, char **argv, struct apply_opts *o)
{
    int sources = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char **str = NULL;
        if (cli_is(a, "--help", "-h")) {
            usage(stdout);
            return -1;
        }
        if (strcmp(a, "--from-reg") == 0) {
            str = &o->from_reg;
            sources++;
        } else if (strcmp(a, "--from-hive") == 0) {
            str = &o->from_hive;
            sources++;
        } else if (strcmp(a, "--from-blob") == 0) {
            str = &o->from_blob;
            sources++;
        } else if (strcmp(a, "--mode") == 0) {
            if (!need_arg(argc, argv, i))
                return EXIT_USAGE;
            if (!dcs_apply_mode_parse(argv[++i], &o->src.mode)) {
                cli_errorf("apply: unknown mode '%s' (no_proxy, autodetect, manual_proxy, "
                           "autoscript, reset)",
                           argv[i]);
                return EXIT_USAGE;
            }
            sources++;
            continue;
        } else if (strcmp(a, "--key") == 0) {
            str = &o->reg_key;
        } else if (strcmp(a, "--proxy") == 0) {
            str = &o->proxy;
        } else if (strcmp(a, "--bypass") == 0) {
            str = &o->bypass;
        } else if (strcmp(a, "--pac") == 0) {
            str = &o->pac;
        } else if (strcmp(a, "--windows") == 0) {
            str = &o->windows;
        } else if (strcmp(a, "--reg-out") == 0) {
            str = &o->reg_out;
        } else if (strcmp(a, "--software") == 0) {
            str = &o->software;
        } else if (strcmp(a, "--backup-dir") == 0) {
            str = &o->backup_dir;
        } else if (strcmp(a, "--sid") == 0 || strcmp(a, "--hive") == 0 ||
                   strcmp(a, "--connection") == 0) {
            if (!need_arg(argc, argv, i))
                return EXIT_USAGE;
            const char *v = argv[++i];
            bool ok;
            if (a[2] == 's') {
                if (!win_sid_valid(v)) {
                    cli_errorf("apply: '%s' is not a SID (S-1-5-18, ...)", v);
                    return EXIT_USAGE;
                }
                ok = add_str(&o->sids, &o->nsids, v);
            } else if (a[2] == 'h') {
                const char *eq = strchr(v, '=');
                if (!eq || eq == v || !eq[1]) {
                    cli_errorf("apply: --hive wants SID=PATH, not '%s'", v);
                    return EXIT_USAGE;
                }
                ok = add_str(&o->hives, &o->nhives, v);
            } else {
                ok = add_str(&o->connections, &o->nconnections, v);
            }
            if (!ok) {
                cli_errorf("apply: out of memory");
                return EXIT_BAD_INPUT;
            }
            continue;
        } else if (strcmp(a, "--all-services") == 0) {
            o->all_services = true;
            continue;
        } else if (strcmp(a, "--only-default") == 0) {
            o->opt.only_default = true;
            continue;
        } else if (strcmp(a, "--no-plain-values") == 0) {
            o->opt.no_plain_values = true;
            continue;
        } else if (strcmp(a, "--all-connections") == 0) {
            o->opt.all_connections = true;
            continue;
        } else if (strcmp(a, "--check") == 0) {
            o->check = true;
            continue;
        } else if (strcmp(a, "--winhttp") == 0) {
            o->winhttp = true;
            continue;
        } else if (strcmp(a, "--dry-run") == 0) {
            o->dry_run = true;
            continue;
        } else if (strcmp(a, "--force") == 0) {
            o->force = true;
            continue;
        } else if (strcmp(a, "--recover") == 0) {
            o->recover = true;
            continue;
        } else if (strcmp(a, "--json") == 0) {
            o->json = true;
            continue;
        } else {
            cli_errorf("apply: unknown argument '%s'", a);
            usage(stderr);
            return EXIT_USAGE;
        }
        if (!need_arg(argc, argv, i))
            return EXIT_USAGE;
        *str = argv[++i];
    }
    if (sources != 1) {
        cli_errorf("apply: give exactly one source: --from-reg, --from-hive, --from-blob or "
                   "--mode");
        return EXIT_USAGE;
    }
    if ((o->proxy || o->bypass) && o->src.mode != DCS_MODE_MANUAL_PROXY) {
        cli_errorf("apply: --proxy and --bypass go with --mode manual_proxy");
        return EXIT_USAGE;
    }
    if (o->pac && o->src.mode != DCS_MODE_AUTOSCRIPT) {
        cli_errorf("apply: --pac goes with --mode autoscript");
        return EXIT_USAGE;
    }
    if (o->reg_key && !o->from_reg) {
        cli_errorf("apply: --key goes with --from-reg");
        return EXIT_USAGE;
    }
    if (!o->windows && !o->nhives && !o->reg_out) {
        cli_errorf("apply: say where: --windows DIR, --hive SID=PATH or --reg-out FILE.reg");
        return EXIT_USAGE;
    }
    if (o->reg_out && (o->windows || o->nhives || o->software)) {
        cli_errorf("apply: --reg-out writes a .reg for a live machine; it does not go with "
                   "--windows, --hive or --software");
        return EXIT_USAGE;
    }
    if (o->check && o->dry_run) {
        cli_errorf("apply: --check and --dry-run exclude each other");
        return EXIT_USAGE;
    }
    if (o->reg_out && (o->check || o->backup_dir || o->force)) {
        cli_errorf("apply: --check, --backup-dir and --force need hives, not --reg-out");
        return EXIT_USAGE;
    }
    if (o->software && !o->winhttp) {
        cli_errorf("apply: --software goes with --winhttp");
        return EXIT_USAGE;
    }
    o->opt.connections = o->connections;
    o->opt.nconnections = o->nconnections;
    return EXIT_OK;
}

int cmd_apply(int argc, char **argv)
{
    struct apply_opts o;
    memset(&o, 0, sizeof o);
    int rc = parse(argc, argv, &o);
    if (rc == EXIT_OK)
        rc = apply_run(&o);
    else if (rc < 0)
        rc = EXIT_OK;
    free(o.sids);
    free(o.hives);
    free(o.connections);
    return rc;
}
