/* dcs route: which proxy each URL takes with one set of proxy settings, for
 * one client, and why (codec/route/ROUTING.md).  The sources are those of
 * `dcs apply` (loaded by apply_source.c) plus an account of an offline
 * image; --all-accounts puts every account of the image side by side. */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "apply_render.h"
#include "apply_run.h"
#include "blobview.h"
#include "cli.h"
#include "cmd.h"
#include "lints.h"

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
            "\n"
            "SOURCE (default: a blob on standard input, binary or hex text):\n"
            "  --from-blob FILE      a blob, binary or hex text\n"
            "  --from-reg FILE.reg   the DefaultConnectionSettings in a .reg (--key KEY)\n"
            "  --from-hive NTUSER.DAT  a user's offline hive\n"
            "  --mode no_proxy|autodetect|manual_proxy|autoscript|reset\n"
            "                        settings as Windows saves them, with --proxy LIST,\n"
            "                        --bypass LIST (manual_proxy) or --pac URL (autoscript)\n"
            "  --windows DIR [--sid SID]  an account of an offline image (default S-1-5-18)\n"
            "  --windows DIR --all-accounts  every service account and user of the image\n"
            "OPTIONS:\n"
            "  --as CLIENT           wininet (default), winhttp, dotnet, chromium, curl\n"
            "  --json                one JSON object per URL per line\n"
            "  --expect direct|proxy exit 4 when a URL's effective decision differs\n"
            "                        (socks counts as proxy; auto counts its fallback)\n"
            "\n"
            "exit status: 0 every URL answered; 1 bad input (blob, source, URL); 2 usage;\n"
            "4 --expect: some URL's decision differs.\n");
}

struct route_cmd {
    struct apply_opts src;   /* --from-*, --mode, --proxy, --bypass, --pac, --key */
    int nsources;
    const char *windows, *sid;
    bool all_accounts, json;
    int expect;              /* -1 none, else DCS_ROUTE_DIRECT / DCS_ROUTE_PROXY */
    enum dcs_route_client client;
    char **urls;
    size_t nurls;
    struct dcs_url *parsed;
};

/* One URL's answer as the JSON line of dcs route (README), keys in order. */
static json_t *answer_json(const dcs_route *r, const struct dcs_url *u, const char *url,
                           const struct dcs_route_result *res)
{
    char proxy[600], rule[1200];
    json_t *o = json_object();
    json_object_set_new(o, "url", json_string(url));
    json_object_set_new(o, "client", json_string(dcs_route_client_name(dcs_route_get_client(r))));
    json_object_set_new(o, "decision", json_string(dcs_route_decision_name(res->decision)));
    dcs_route_proxy_format(&res->fixed, proxy, sizeof proxy);
    json_object_set_new(o, "proxy", res->decision == DCS_ROUTE_PROXY || res->decision == DCS_ROUTE_SOCKS
                                        ? json_string(proxy) : json_null());
    dcs_route_rule_format(r, u, res, false, rule, sizeof rule);
    json_object_set_new(o, "rule", json_string(rule));
    if (res->decision != DCS_ROUTE_AUTO) {
        json_object_set_new(o, "fallback", json_null());
        return o;
    }
    json_t *f = json_object();
    json_object_set_new(f, "decision", json_string(dcs_route_decision_name(res->fixed.decision)));
    json_object_set_new(f, "proxy", res->fixed.decision == DCS_ROUTE_DIRECT ? json_null()
                                                                            : json_string(proxy));
    dcs_route_rule_format(r, u, res, true, rule, sizeof rule);
    json_object_set_new(f, "rule", json_string(rule));
    json_object_set_new(o, "fallback", f);
    return o;
}

static void print_json(json_t *o)
{
    json_dumpf(o, stdout, JSON_PRESERVE_ORDER);
    fputc('\n', stdout);
    json_decref(o);
}

static void text_decision(const struct dcs_route_answer *a)
{
    char proxy[600];
    dcs_route_proxy_format(a, proxy, sizeof proxy);
    printf("%s%s%s", a->decision == DCS_ROUTE_PROXY ? "PROXY" : a->decision == DCS_ROUTE_SOCKS
                                                                   ? "SOCKS" : "DIRECT",
           proxy[0] ? " " : "", proxy);
}

/* URL  DECISION [host:port]  -- rule [; if no PAC: DECISION -- rule; B18] */
static void print_text(const dcs_route *r, const struct dcs_url *u, const char *prefix,
                       const struct dcs_route_result *res)
{
    char rule[1200];
    fputs(prefix, stdout);
    dcs_route_rule_format(r, u, res, false, rule, sizeof rule);
    if (res->decision == DCS_ROUTE_AUTO) {
        printf("AUTO (WPAD/PAC decide)  -- %s; if no PAC is found: ", rule);
        text_decision(&res->fixed);
        dcs_route_rule_format(r, u, res, true, rule, sizeof rule);
        printf("  -- %s; the bypass list does not apply to PAC results (B18)\n", rule);
        return;
    }
    text_decision(&res->fixed);
    printf("  -- %s\n", rule);
}

static bool expectation_fails(const struct route_cmd *c, const struct dcs_route_result *res)
{
    if (c->expect < 0)
        return false;
    enum dcs_route_decision d = dcs_route_effective(res);
    return (d == DCS_ROUTE_DIRECT) != (c->expect == DCS_ROUTE_DIRECT);
}


/* ---- loading the settings -------------------------------------------------------- */

/* The DefaultConnectionSettings of a hive file; DCS_ERR_NOT_FOUND when the
 * account has none. */
static dcs_status hive_blob(const char *path, uint8_t **data, size_t *len, struct dcs_error *err)
{
    return dcs_apply_read_blob(path, NULL, NULL, render_warning, NULL, data, len, err);
}

/* "LocalSystem (S-1-5-18, .DEFAULT) Windows/System32/config/DEFAULT" */
static void account_label(char *buf, size_t size, const char *sid, const char *shown)
{
    const char *name = dcs_sid_account_name(sid);
    snprintf(buf, size, "%s (%s%s) %s", name ? name : "user", sid,
             strcmp(sid, "S-1-5-18") == 0 ? ", .DEFAULT" : "", shown);
}

static int image_blob(const struct route_cmd *c, uint8_t **data, size_t *len, char *origin,
                      size_t osz)
{
    dcs_image *img = NULL;
    struct dcs_error err;
    char *path = NULL;
    int rc = EXIT_OK;
    if (dcs_image_open(c->windows, &img, &err) != DCS_OK ||
        dcs_image_locate(img, c->sid, &path, NULL, &err) != DCS_OK) {
        cli_errorf("route: %s: %s", c->sid, err.message);
        rc = EXIT_BAD_INPUT;
    } else {
        account_label(origin, osz, c->sid, dcs_image_shown(img, path));
        dcs_status st = hive_blob(path, data, len, &err);
        if (st == DCS_ERR_NOT_FOUND)
            cli_errorf("route: %s has no " DCS_VALUE_DEFAULT " (a service then fails "
                       "WinHttpGetIEProxyConfigForCurrentUser)", origin);
        else if (st != DCS_OK)
            cli_report(path, &err);
        rc = st == DCS_OK ? EXIT_OK : EXIT_BAD_INPUT;
    }
    free(path);
    dcs_image_free(img);
    return rc;
}

/* --mode: the blob `dcs apply` would write into an account with no settings. */
static int mode_blob(struct route_cmd *c, uint8_t **data, size_t *len, struct dcs_error *err)
{
    struct dcs_apply_options opt = {.only_default = true, .no_plain_values = true};
    struct dcs_apply_current cur = {0};
    struct dcs_apply_plan plan;
    struct dcs_apply_source src = {.mode = c->src.mode};
    src.proxy = (dcs_bytes){(const uint8_t *)c->src.proxy, c->src.proxy ? (uint32_t)strlen(c->src.proxy) : 0};
    src.bypass = (dcs_bytes){(const uint8_t *)c->src.bypass, c->src.bypass ? (uint32_t)strlen(c->src.bypass) : 0};
    src.pac = (dcs_bytes){(const uint8_t *)c->src.pac, c->src.pac ? (uint32_t)strlen(c->src.pac) : 0};
    if (dcs_apply_source_check(&src, err) != DCS_OK ||
        dcs_apply_plan_user(&src, &opt, &cur, &plan, err) != DCS_OK)
        return EXIT_USAGE;
    const struct dcs_apply_step *s = &plan.steps[0];
    *data = malloc(s->wanted_len ? s->wanted_len : 1);
    if (*data) {
        memcpy(*data, s->wanted, s->wanted_len);
        *len = s->wanted_len;
    }
    dcs_apply_plan_free(&plan);
    if (!*data) {
        dcs_error_set(err, DCS_ERR_NOMEM, DCS_NO_OFFSET, "out of memory");
        return EXIT_BAD_INPUT;
    }
    return EXIT_OK;
}

/* The blob of the chosen source (not --all-accounts) into *data (malloc'd). */
static int load_blob(struct route_cmd *c, uint8_t **data, size_t *len, char *origin, size_t osz)
{
    struct dcs_error err;
    dcs_error_clear(&err);
    if (c->windows)
        return image_blob(c, data, len, origin, osz);
    if (c->nsources == 0) {
        enum cli_input_kind kind;
        snprintf(origin, osz, "<stdin>");
        if (cli_load_blob("-", data, len, &kind, &err) == DCS_OK)
            return EXIT_OK;
        cli_report("<stdin>", &err);
        return EXIT_BAD_INPUT;
    }
    if (c->src.from_blob || c->src.mode != DCS_MODE_COPY) {
        enum cli_input_kind kind;
        int rc = EXIT_OK;
        snprintf(origin, osz, "%s", c->src.from_blob ? c->src.from_blob : "mode");
        if (c->src.from_blob && cli_load_blob(c->src.from_blob, data, len, &kind, &err) != DCS_OK)
            rc = EXIT_BAD_INPUT;
        else if (!c->src.from_blob)
            rc = mode_blob(c, data, len, &err);
        if (rc != EXIT_OK)
            cli_errorf("route: %s", err.message);
        return rc == EXIT_USAGE ? EXIT_USAGE : rc;
    }
    if (c->src.from_hive) {
        snprintf(origin, osz, "%s", c->src.from_hive);
        if (hive_blob(c->src.from_hive, data, len, &err) == DCS_OK)
            return EXIT_OK;
        cli_errorf("route: %s", err.message);
        return EXIT_BAD_INPUT;
    }
    /* --from-reg: the applier's .reg source finds the value */
    dcs_applier *a = NULL;
    dcs_status st = dcs_applier_new(DCS_APPLY_READ_ONLY, &a, &err);
    if (st == DCS_OK) {
        dcs_applier_set_warn(a, render_warning, NULL);
        st = dcs_applier_source_reg(a, c->src.from_reg, c->src.reg_key, &err);
    }
    if (st == DCS_OK) {
        dcs_bytes b = dcs_applier_source(a)->blob;
        *data = malloc(b.len ? b.len : 1);
        if (*data) {
            if (b.len)
                memcpy(*data, b.ptr, b.len);
            *len = b.len;
        } else {
            st = dcs_error_set(&err, DCS_ERR_NOMEM, DCS_NO_OFFSET, "out of memory");
        }
    }
    dcs_applier_free(a);
    snprintf(origin, osz, "%s", c->src.from_reg);
    if (st != DCS_OK)
        cli_errorf("route: %s", err.message);
    return st == DCS_OK ? EXIT_OK : EXIT_BAD_INPUT;
}


static dcs_status compile_blob(const struct route_cmd *c, const uint8_t *data, size_t len,
                               struct dcs_blob *blob, dcs_route **r, struct dcs_error *err)
{
    struct dcs_route_settings s;
    dcs_status st = dcs_blob_decode(data, len, DCS_DECODE_LENIENT, blob, err);
    if (st != DCS_OK)
        return st;
    dcs_route_settings_from_blob(blob, &s);
    return dcs_route_compile(&s, c->client, r, err);
}

/* ---- one source ------------------------------------------------------------------ */

static int route_one(struct route_cmd *c)
{
    uint8_t *data = NULL;
    size_t len = 0;
    char origin[1100] = "";
    struct dcs_blob blob;
    struct dcs_error err;
    dcs_route *r = NULL;
    int rc = load_blob(c, &data, &len, origin, sizeof origin);
    if (rc != EXIT_OK)
        return rc;
    if (compile_blob(c, data, len, &blob, &r, &err) != DCS_OK) {
        cli_report(origin, &err);
        free(data);
        return EXIT_BAD_INPUT;
    }
    lints_warn(NULL, &blob, NULL, 0);
    if (!c->json) {
        printf("%s (as %s): ", origin, dcs_route_client_name(c->client));
        blobview_effective(stdout, &blob);
    }
    for (size_t i = 0; i < c->nurls; i++) {
        struct dcs_route_result res;
        dcs_route_url(r, &c->parsed[i], &res);
        if (c->json) {
            print_json(answer_json(r, &c->parsed[i], c->urls[i], &res));
        } else {
            char prefix[300];
            snprintf(prefix, sizeof prefix, "%s  ", c->urls[i]);
            print_text(r, &c->parsed[i], prefix, &res);
        }
        if (expectation_fails(c, &res))
            rc = EXIT_OUT_OF_STEP;
    }
    dcs_route_free(r);
    free(data);
    return rc;
}

/* ---- every account of an image ----------------------------------------------------- */

struct account {
    char sid[200];
    char label[300];
    uint8_t *data;
    struct dcs_blob blob;
    dcs_route *route;
    char error[DCS_ERROR_MESSAGE_MAX]; /* why there is no route */
};

struct accounts {
    struct account *a;
    size_t n, cap;
};

/* One account of the image report: its DefaultConnectionSettings compiled
 * for the client, or why there is none. */
static void load_account(const struct route_cmd *c, const dcs_image_hive *h, struct account *a)
{
    struct dcs_error err;
    dcs_error_clear(&err);
    snprintf(a->sid, sizeof a->sid, "%s", dcs_image_hive_sid(h));
    const char *name = dcs_sid_account_name(a->sid);
    snprintf(a->label, sizeof a->label, "%s (%s)", name ? name : "user", a->sid);
    if (dcs_image_hive_error(h)) {
        snprintf(a->error, sizeof a->error, "%s", dcs_image_hive_error(h)->message);
        return;
    }
    const struct dcs_apply_value *v = dcs_image_hive_value(h, DCS_KEY_CONNECTIONS,
                                                           DCS_VALUE_DEFAULT);
    if (!v) {
        snprintf(a->error, sizeof a->error, "no " DCS_VALUE_DEFAULT);
        return;
    }
    if (v->type != DCS_REG_BINARY) {
        snprintf(a->error, sizeof a->error, DCS_VALUE_DEFAULT " has type %u, not REG_BINARY",
                 (unsigned)v->type);
        return;
    }
    a->data = malloc(v->data.len ? v->data.len : 1);
    if (!a->data) {
        snprintf(a->error, sizeof a->error, "out of memory");
        return;
    }
    if (v->data.len)
        memcpy(a->data, v->data.ptr, v->data.len);
    if (compile_blob(c, a->data, v->data.len, &a->blob, &a->route, &err) != DCS_OK)
        snprintf(a->error, sizeof a->error, "%s", err.message);
}

static void print_account(const struct route_cmd *c, const struct account *a, size_t i)
{
    if (c->json) {
        json_t *o;
        if (a->route) {
            struct dcs_route_result res;
            dcs_route_url(a->route, &c->parsed[i], &res);
            o = answer_json(a->route, &c->parsed[i], c->urls[i], &res);
        } else {
            o = json_object();
            json_object_set_new(o, "url", json_string(c->urls[i]));
            json_object_set_new(o, "client", json_string(dcs_route_client_name(c->client)));
            json_object_set_new(o, "decision", json_null());
            json_object_set_new(o, "proxy", json_null());
            json_object_set_new(o, "rule", json_null());
            json_object_set_new(o, "fallback", json_null());
        }
        json_object_set_new(o, "sid", json_string(a->sid));
        json_object_set_new(o, "account", json_string(a->label));
        if (!a->route)
            json_object_set_new(o, "error", json_string(a->error));
        print_json(o);
        return;
    }
    char prefix[340];
    snprintf(prefix, sizeof prefix, "  %-32s ", a->label);
    if (!a->route) {
        printf("%s(%s)\n", prefix, a->error);
        return;
    }
    struct dcs_route_result res;
    dcs_route_url(a->route, &c->parsed[i], &res);
    print_text(a->route, &c->parsed[i], prefix, &res);
}

/* The services first, then the users (the Default profile and the machine
 * are not accounts a service runs as). */
static bool routed_kind(const dcs_image_hive *h)
{
    enum dcs_image_kind k = dcs_image_hive_kind(h);
    return (k == DCS_IMAGE_SERVICE || k == DCS_IMAGE_USER) && dcs_image_hive_sid(h);
}

static int route_all(struct route_cmd *c)
{
    dcs_image_report *r = NULL;
    struct dcs_error err;
    if (dcs_image_report_new(c->windows, &r, &err) != DCS_OK) {
        cli_report(c->windows, &err);
        return EXIT_BAD_INPUT;
    }
    size_t total = dcs_image_report_count(r);
    struct accounts l = {calloc(total ? total : 1, sizeof(struct account)), 0, total};
    int rc = EXIT_OK;
    if (!l.a) {
        dcs_image_report_free(r);
        cli_errorf("route: out of memory");
        return EXIT_BAD_INPUT;
    }
    for (size_t k = 0; k < total; k++) {
        const dcs_image_hive *h = dcs_image_report_hive(r, k);
        if (!routed_kind(h))
            continue;
        load_account(c, h, &l.a[l.n]);
        if (!l.a[l.n++].route)
            rc = EXIT_BAD_INPUT;
    }
    for (size_t i = 0; i < c->nurls; i++) {
        if (!c->json)
            printf("%s\n", c->urls[i]);
        for (size_t k = 0; k < l.n; k++) {
            print_account(c, &l.a[k], i);
            struct dcs_route_result res;
            if (l.a[k].route) {
                dcs_route_url(l.a[k].route, &c->parsed[i], &res);
                if (rc == EXIT_OK && expectation_fails(c, &res))
                    rc = EXIT_OUT_OF_STEP;
            }
        }
    }
    for (size_t k = 0; k < l.n; k++) {
        dcs_route_free(l.a[k].route);
        free(l.a[k].data);
    }
    free(l.a);
    dcs_image_report_free(r);
    return rc;
}

/* ---- command line --------------------------------------------------------------------- */

static int need(int argc, char **argv, int i)
{
    if (i + 1 < argc)
        return 1;
    cli_errorf("route: %s needs an argument", argv[i]);
    return 0;
}

/* One option at argv[*i]; returns EXIT_OK, EXIT_USAGE or -1 (not an option). */
static int parse_option(struct route_cmd *c, int argc, char **argv, int *i)
{
    const char *a = argv[*i];
    static const char *const strs[] = {"--from-blob", "--from-reg", "--from-hive", "--key",
                                       "--proxy", "--bypass", "--pac", "--windows", "--sid",
                                       "--as", "--expect", "--mode"};
    const char **slot[] = {&c->src.from_blob, &c->src.from_reg, &c->src.from_hive,
                           &c->src.reg_key, &c->src.proxy, &c->src.bypass, &c->src.pac,
                           &c->windows, &c->sid, NULL, NULL, NULL};
    for (size_t k = 0; k < sizeof strs / sizeof strs[0]; k++) {
        if (strcmp(a, strs[k]) != 0)
            continue;
        if (!need(argc, argv, *i))
            return EXIT_USAGE;
        const char *v = argv[++*i];
        if (k < 3)
            c->nsources++;
        if (slot[k]) {
            *slot[k] = v;
        } else if (k == 9 && !dcs_route_client_parse(v, &c->client)) {
            cli_errorf("route: unknown client '%s' (wininet, winhttp, dotnet, chromium, curl)", v);
            return EXIT_USAGE;
        } else if (k == 10) {
            if (strcmp(v, "direct") != 0 && strcmp(v, "proxy") != 0) {
                cli_errorf("route: --expect takes direct or proxy, not '%s'", v);
                return EXIT_USAGE;
            }
            c->expect = v[0] == 'd' ? DCS_ROUTE_DIRECT : DCS_ROUTE_PROXY;
        } else if (k == 11) {
            c->nsources++;
            if (!dcs_apply_mode_parse(v, &c->src.mode)) {
                cli_errorf("route: unknown mode '%s' (no_proxy, autodetect, manual_proxy, "
                           "autoscript, reset)", v);
                return EXIT_USAGE;
            }
        }
        return EXIT_OK;
    }
    if (strcmp(a, "--json") == 0 || strcmp(a, "--all-accounts") == 0) {
        *(a[2] == 'j' ? &c->json : &c->all_accounts) = true;
        return EXIT_OK;
    }
    return -1;
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

static int parse(struct route_cmd *c, int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        if (cli_is(argv[i], "--help", "-h")) {
            usage(stdout);
            return -1;
        }
        int rc = parse_option(c, argc, argv, &i);
        if (rc == EXIT_USAGE)
            return rc;
        if (rc == EXIT_OK)
            continue;
        if (argv[i][0] == '-') {
            cli_errorf("route: unknown option '%s'", argv[i]);
            usage(stderr);
            return EXIT_USAGE;
        }
        c->urls[c->nurls++] = argv[i];
    }
    return check(c);
}

/* Every URL is parsed before anything is printed: a bad one prints nothing. */
static int parse_urls(struct route_cmd *c)
{
    for (size_t i = 0; i < c->nurls; i++) {
        struct dcs_error err;
        if (dcs_url_parse(c->urls[i], strlen(c->urls[i]), &c->parsed[i], &err) != DCS_OK) {
            cli_report(c->urls[i], &err);
            return EXIT_BAD_INPUT;
        }
    }
    return EXIT_OK;
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
        rc = parse_urls(&c);
    if (rc == EXIT_OK && c.all_accounts && !dcs_hive_supported()) {
        cli_errorf("route: this dcs was built without libhivex");
        rc = EXIT_BAD_INPUT;
    }
    if (rc == EXIT_OK)
        rc = c.all_accounts ? route_all(&c) : route_one(&c);
    free(c.urls);
    free(c.parsed);
    if (fflush(stdout) != 0 && rc == EXIT_OK)
        rc = EXIT_BAD_INPUT;
    return rc < 0 ? EXIT_OK : rc;
}
