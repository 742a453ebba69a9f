/* dcs route: which proxy each URL takes with one set of proxy settings, for
 * one client, and why (codec/route/ROUTING.md).  The sources are those of
 * `dcs apply` plus an account of an offline image; --all-accounts puts every
 * account of the image side by side.  This file is the command line; the
 * flow is route_run.c, the output route_render.c. */
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cmd.h"
#include "opts.h"
#include "route_run.h"

/* The sources count themselves (O_SOURCE) so that check() sees two given. */
enum { O_SOURCE = 1, O_MODE, O_AS, O_EXPECT };
#define T struct route_cmd
#define SOURCE(name_, arg_, F, help_)                                                     \
    {.name = (name_), .arg = (arg_), .id = O_SOURCE, .help = (help_),                      \
     .store = CLI_STORE_STRING, .field = offsetof(T, F)}
static const struct cli_opt route_table[] = {
    CLI_HEADING("SOURCE (default: a blob on standard input, binary or hex text):"),
    SOURCE("from-blob", "FILE", src.from_blob, "a blob, binary or hex text"),
    SOURCE("from-reg", "FILE.reg", src.from_reg, "the DefaultConnectionSettings in a .reg"),
    SOURCE("from-hive", "NTUSER.DAT", src.from_hive, "a user's offline hive"),
    CLI_OPT("mode", 0, "MODE", O_MODE,
            "no_proxy|autodetect|manual_proxy|autoscript|reset:\n"
            "settings as Windows saves them"),
    CLI_STRING("windows", 0, "DIR", T, windows, "an account of an offline image"),
    CLI_HEADING("WITH THE SOURCE:"),
    CLI_STRING("key", 0, "KEY", T, src.reg_key,
               "with --from-reg: the key whose value to take"),
    CLI_STRING("proxy", 0, "LIST", T, src.proxy, "with --mode manual_proxy: the proxy list"),
    CLI_STRING("bypass", 0, "LIST", T, src.bypass,
               "with --mode manual_proxy: the bypass list"),
    CLI_STRING("pac", 0, "URL", T, src.pac, "with --mode autoscript: the PAC URL"),
    CLI_STRING("sid", 0, "SID", T, sid, "with --windows: the account (default S-1-5-18)"),
    CLI_FLAG("all-accounts", 0, T, all_accounts,
             "with --windows: every service account and user\nof the image"),
    CLI_HEADING("OPTIONS:"),
    CLI_OPT("as", 0, "CLIENT", O_AS, "wininet (default), winhttp, dotnet, chromium, curl"),
    CLI_FLAG("json", 0, T, json, "one JSON object per URL per line"),
    CLI_OPT("expect", 0, "direct|proxy", O_EXPECT,
            "exit 4 when a URL's effective decision differs\n"
            "(socks counts as proxy; auto counts its fallback)"),
};
#undef SOURCE
#undef T

static void usage(FILE *out)
{
    fprintf(out,
            "usage: dcs route [SOURCE] [--as CLIENT] [--json] [--expect direct|proxy] URL...\n"
            "       dcs route --windows DIR --all-accounts [OPTIONS] URL...\n"
            "\n"
            "Say which proxy each URL takes with the settings of SOURCE, and the rule that\n"
            "decided (ids of codec/route/ROUTING.md; INFERRED/UNKNOWN where it says so).\n"
            "Auto-detect (WPAD) and PAC scripts are not evaluated: such settings answer\n"
            "'auto' with what the static settings do when no PAC is found.\n"
            "\n");
    cli_opts_help(out, route_table, CLI_NOPTS(route_table));
    fprintf(out,
            "\n"
            "exit status: 0 every URL answered; 1 bad input (blob, source, URL); 2 usage;\n"
            "4 --expect: some URL's decision differs.\n");
}

/* An option the parser hands back: EXIT_OK or EXIT_USAGE (reported). */
static int take(struct route_cmd *c, int id, const char *v)
{
    if (id == O_SOURCE) {
        c->nsources++;
    } else if (id == O_MODE) {
        c->nsources++;
        if (!dcs_apply_mode_parse(v, &c->src.mode)) {
            cli_errorf("route: unknown mode '%s' (no_proxy, autodetect, manual_proxy, "
                       "autoscript, reset)", v);
            return EXIT_USAGE;
        }
    } else if (id == O_AS) {
        if (!dcs_route_client_parse(v, &c->client)) {
            cli_errorf("route: unknown client '%s' (wininet, winhttp, dotnet, chromium, curl)", v);
            return EXIT_USAGE;
        }
    } else if (id == O_EXPECT) {
        if (strcmp(v, "direct") != 0 && strcmp(v, "proxy") != 0) {
            cli_errorf("route: --expect takes direct or proxy, not '%s'", v);
            return EXIT_USAGE;
        }
        c->expect = v[0] == 'd' ? DCS_ROUTE_DIRECT : DCS_ROUTE_PROXY;
    }
    return EXIT_OK;
}

static int check(struct route_cmd *c)
{
    if (c->nsources + (c->windows != NULL) > 1) {
        cli_errorf("route: give one source: --from-blob, --from-reg, --from-hive, --mode or "
                   "--windows");
        return EXIT_USAGE;
    }
    if ((c->src.proxy || c->src.bypass) && c->src.mode != DCS_MODE_MANUAL_PROXY) {
        cli_errorf("route: --proxy and --bypass go with --mode manual_proxy");
        return EXIT_USAGE;
    }
    if (c->src.pac && c->src.mode != DCS_MODE_AUTOSCRIPT) {
        cli_errorf("route: --pac goes with --mode autoscript");
        return EXIT_USAGE;
    }
    /* what `dcs apply` would refuse to write, named as apply names it (the
     * routing report itself says what odd entries match) */
    if (!cli_check_text("route", "--proxy", c->src.proxy, CLI_TEXT_PROXY, false) ||
        !cli_check_text("route", "--bypass", c->src.bypass, CLI_TEXT_BYPASS, false) ||
        !cli_check_text("route", "--pac", c->src.pac, CLI_TEXT_URL, false))
        return EXIT_USAGE;
    if (c->src.reg_key && !c->src.from_reg) {
        cli_errorf("route: --key goes with --from-reg");
        return EXIT_USAGE;
    }
    if ((c->sid || c->all_accounts) && !c->windows) {
        cli_errorf("route: --sid and --all-accounts go with --windows DIR");
        return EXIT_USAGE;
    }
    if (c->sid && (c->all_accounts || !dcs_sid_valid(c->sid))) {
        cli_errorf(c->all_accounts ? "route: --sid and --all-accounts exclude each other"
                                   : "route: '%s' is not a SID (S-1-5-18, ...)", c->sid);
        return EXIT_USAGE;
    }
    if (c->nurls == 0) {
        cli_errorf("route: no URL given");
        return EXIT_USAGE;
    }
    if (!c->sid)
        c->sid = "S-1-5-18";
    return EXIT_OK;
}

/* The command line into *c; EXIT_OK, EXIT_USAGE or -1 (--help, shown). */
static int parse(struct route_cmd *c, int argc, char **argv)
{
    struct cli_opts p;
    cli_opts_init(&p, "route", route_table, CLI_NOPTS(route_table), c, argc, argv);
    const char *v;
    for (int id; (id = cli_opts_next(&p, &v)) != CLI_OPT_END;) {
        if (id == CLI_OPT_HELP) {
            usage(stdout);
            return -1;
        }
        if (id == CLI_OPT_ERROR)
            return EXIT_USAGE;
        if (id == CLI_OPT_ARG)
            c->urls[c->nurls++] = v;
        else if (take(c, id, v) != EXIT_OK)
            return EXIT_USAGE;
    }
    return check(c);
}

int cmd_route(int argc, char **argv)
{
    struct route_cmd c;
    memset(&c, 0, sizeof c);
    c.expect = -1;
    c.urls = calloc((size_t)argc, sizeof *c.urls);
    c.parsed = calloc((size_t)argc, sizeof *c.parsed);
    int rc = (c.urls && c.parsed) ? parse(&c, argc, argv) : EXIT_BAD_INPUT;
    if (rc == EXIT_OK)
        rc = route_parse_urls(&c);
    if (rc == EXIT_OK)
        rc = c.all_accounts ? route_all(&c) : route_one(&c);
    free(c.urls);
    free(c.parsed);
    if (fflush(stdout) != 0 && rc == EXIT_OK)
        rc = EXIT_BAD_INPUT;
    return rc < 0 ? EXIT_OK : rc;
}
