/* The flow of `dcs route` once its options are parsed: load the settings of
 * the source (or of every account of an image), compile them with the
 * library's router, ask it about each URL and pick the exit code; the
 * answers are printed by route_render.c. */
#include "route_run.h"

#include <stdlib.h>
#include <string.h>

#include "apply_render.h"
#include "blobview.h"
#include "cli.h"
#include "lints.h"
#include "route_render.h"

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
    if (st == DCS_ERR_APPLY_AMBIGUOUS) /* route has --key, not --recover or --force */
        cli_errorf("route: %s", render_hint(st, DCS_APPLY_READ_ONLY));
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

int route_one(struct route_cmd *c)
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
            route_print_json(route_answer_json(r, &c->parsed[i], c->urls[i], &res));
        } else {
            char prefix[300];
            snprintf(prefix, sizeof prefix, "%s  ", c->urls[i]);
            route_print_text(r, &c->parsed[i], prefix, &res);
        }
        if (expectation_fails(c, &res))
            rc = EXIT_OUT_OF_STEP;
    }
    dcs_route_free(r);
    free(data);
    return rc;
}

/* ---- every account of an image ----------------------------------------------------- */

/* The accounts routed, n of them (room for every hive of the report). */
struct route_accounts {
    struct route_account *a;
    size_t n;
};

/* One account of the image report: its DefaultConnectionSettings compiled
 * for the client, or why there is none. */
static void load_account(const struct route_cmd *c, const dcs_image_hive *h, struct route_account *a)
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

/* The services first, then the users (the Default profile and the machine
 * are not accounts a service runs as). */
static bool routed_kind(const dcs_image_hive *h)
{
    enum dcs_image_kind k = dcs_image_hive_kind(h);
    return (k == DCS_IMAGE_SERVICE || k == DCS_IMAGE_USER) && dcs_image_hive_sid(h);
}

int route_all(struct route_cmd *c)
{
    dcs_image_report *r = NULL;
    struct dcs_error err;
    if (dcs_image_report_new(c->windows, &r, &err) != DCS_OK) {
        cli_report(c->windows, &err);
        return EXIT_BAD_INPUT;
    }
    size_t total = dcs_image_report_count(r);
    struct route_accounts l = {calloc(total ? total : 1, sizeof(struct route_account)), 0};
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
            route_print_account(&l.a[k], c->client, c->json, &c->parsed[i], c->urls[i]);
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

/* Every URL is parsed before anything is printed: a bad one prints nothing. */
int route_parse_urls(struct route_cmd *c)
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
