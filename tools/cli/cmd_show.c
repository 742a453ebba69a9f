/* dcs show: the proxy settings of every account in an offline Windows image,
 * each named by account and hive file. */
#include <string.h>
#include <strings.h>

#include "apply_render.h"
#include "blobview.h"
#include "cli.h"
#include "lints.h"
#include "cmd.h"
#include "json.h"

static void usage(FILE *out)
{
    fprintf(out,
            "usage: dcs show --windows DIR [--json]\n"
            "\n"
            "Show the proxy settings of LocalSystem (S-1-5-18, .DEFAULT), LocalService,\n"
            "NetworkService, the Default user profile (the template for new users, not\n"
            ".DEFAULT), every user profile, and the machine's WinHttpSettings, decoded.\n"
            "Flags plain values (ProxyEnable, ProxyServer, ProxyOverride, AutoConfigURL)\n"
            "that disagree with DefaultConnectionSettings, and SavedLegacySettings that\n"
            "differs from it.\n"
            "\n"
            "exit status: 0 shown; 1 an image hive could not be read; 2 usage.\n");
}

static bool decode_value(const struct dcs_apply_value *v, struct dcs_blob *b)
{
    return v && v->type == DCS_REG_BINARY &&
           dcs_blob_decode(v->data.ptr, v->data.len, DCS_DECODE_LENIENT, b, NULL) == DCS_OK;
}

static void text_blob(const char *what, const struct dcs_apply_value *v)
{
    struct dcs_blob b;
    printf("  %-27s ", what);
    if (!v)
        puts("absent");
    else if (!decode_value(v, &b))
        printf("undecodable (type %u, %u bytes)\n", v->type, v->data.len);
    else {
        printf("[counter %u] ", b.counter);
        blobview_effective(stdout, &b);
    }
}

static json_t *value_json(const struct dcs_apply_value *v)
{
    return v ? render_blob_json(v->data.ptr, v->data.len) : json_null();
}

static json_t *plain_json(const struct dcs_image_plain *p)
{
    json_t *j = NULL;
    if (p->kind == DCS_IMAGE_PLAIN_NUMBER)
        j = json_integer((json_int_t)p->number);
    else if (p->kind == DCS_IMAGE_PLAIN_TEXT)
        j = json_string(p->text);
    return j ? j : json_null();
}

/* ---- the model as JSON ---- */

static json_t *user_json(json_t *o, const dcs_image_hive *h)
{
    const struct dcs_apply_value *dv = dcs_image_hive_value(h, DCS_KEY_CONNECTIONS,
                                                            DCS_VALUE_DEFAULT);
    const struct dcs_apply_value *sv = dcs_image_hive_value(h, DCS_KEY_CONNECTIONS,
                                                            DCS_VALUE_SAVED_LEGACY);
    json_object_set_new(o, "default_connection_settings", value_json(dv));
    json_object_set_new(o, "saved_legacy_settings", value_json(sv));
    json_object_set_new(o, "twins_differ", json_boolean(dcs_image_hive_twins_differ(h)));
    json_t *conns = json_object();
    const struct dcs_apply_current *cur = dcs_image_hive_values(h);
    for (size_t i = 0; i < cur->nvalues; i++) {
        const struct dcs_apply_value *v = &cur->values[i];
        if (strcasecmp(v->key, DCS_KEY_CONNECTIONS) == 0 && v != dv && v != sv)
            json_object_set_new(conns, v->name, value_json(v));
    }
    json_object_set_new(o, "connections", conns);
    json_t *plain = json_object();
    for (size_t i = 0; i < dcs_image_hive_plain_count(h); i++)
        json_object_set_new(plain, dcs_image_hive_plain(h, i)->name,
                            plain_json(dcs_image_hive_plain(h, i)));
    json_object_set_new(o, "plain_values", plain);
    json_t *dis = json_array();
    for (size_t i = 0; i < dcs_image_hive_disagree_count(h); i++)
        json_array_append_new(dis, json_string(dcs_image_hive_disagree(h, i)));
    json_object_set_new(o, "plain_values_disagree", dis);
    struct dcs_blob b;
    json_object_set_new(o, "lints", dv && dcs_blob_decode(dv->data.ptr, dv->data.len,
                                                        DCS_DECODE_LENIENT, &b, NULL) == DCS_OK
                                         ? lints_json(&b) : json_array());
    return o;
}

static json_t *hive_json(const dcs_image_hive *h)
{
    json_t *o = json_object();
    enum dcs_image_kind kind = dcs_image_hive_kind(h);
    const char *sid = dcs_image_hive_sid(h), *path = dcs_image_hive_path(h);
    json_object_set_new(o, "label", json_string(dcs_image_hive_label(h)));
    json_object_set_new(o, "kind", json_string(dcs_image_kind_name(kind)));
    if (kind != DCS_IMAGE_MACHINE)
        json_object_set_new(o, "sid", sid ? json_string(sid) : json_null());
    json_object_set_new(o, "hive", path ? json_string(path) : json_null());
    if (dcs_image_hive_error(h)) {
        json_object_set_new(o, "error", json_string(dcs_image_hive_error(h)->message));
        return o;
    }
    if (kind == DCS_IMAGE_MACHINE) {
        json_object_set_new(o, "winhttp_settings",
                            value_json(dcs_image_hive_value(h, DCS_KEY_MACHINE_CONNECTIONS,
                                                            DCS_VALUE_WINHTTP)));
        json_object_set_new(o, "winhttp_settings_wow64",
                            value_json(dcs_image_hive_value(
                                h, DCS_KEY_MACHINE_CONNECTIONS_WOW64, DCS_VALUE_WINHTTP)));
        return o;
    }
    json_object_set_new(o, "dirty", json_boolean(dcs_image_hive_dirty(h) != NULL));
    if (dcs_image_hive_dirty(h))
        json_object_set_new(o, "dirty_reason", json_string(dcs_image_hive_dirty(h)));
    if (dcs_image_hive_recovered(h)) {
        json_object_set_new(o, "dirty", json_true());
        json_object_set_new(o, "recovered_in_memory", json_integer(dcs_image_hive_recovered(h)));
    }
    return user_json(o, h);
}

static void print_json(const dcs_image_report *r)
{
    json_t *arr = json_array();
    for (size_t i = 0; i < dcs_image_report_count(r); i++)
        json_array_append_new(arr, hive_json(dcs_image_report_hive(r, i)));
    json_t *doc = json_object();
    json_object_set_new(doc, "command", json_string("show"));
    json_object_set_new(doc, "windows", json_string(dcs_image_report_root(r)));
    json_object_set_new(doc, "hives", arr);
    json_print(doc, stdout, 0);
    json_decref(doc);
}

/* ---- the model as text ---- */

static void print_plain(const dcs_image_hive *h)
{
    int shown = 0;
    printf("  %-27s", "plain values");
    for (size_t i = 0; i < dcs_image_hive_plain_count(h); i++) {
        const struct dcs_image_plain *p = dcs_image_hive_plain(h, i);
        json_t *j = plain_json(p); /* what JSON shows is what text shows */
        if (json_is_integer(j))
            shown += printf(" %s=%lld", p->name, (long long)json_integer_value(j)) > 0;
        else if (json_is_string(j))
            shown += printf(" %s=\"%s\"", p->name, json_string_value(j)) > 0;
        json_decref(j);
    }
    if (!shown)
        fputs(" (none)", stdout);
    putchar('\n');
}

/* The routing traps of an account's DefaultConnectionSettings (lints.h). */
static void print_lints(const struct dcs_apply_value *dv)
{
    struct dcs_blob b;
    struct dcs_route_lint l[LINTS_MAX];
    if (!dv || dcs_blob_decode(dv->data.ptr, dv->data.len, DCS_DECODE_LENIENT, &b, NULL) != DCS_OK)
        return;
    size_t n = lints_of_blob(&b, NULL, 0, l);
    for (size_t i = 0; i < n; i++)
        printf("  %-27s %s %s\n", i ? "" : "routing traps:", l[i].id, l[i].message);
}

static void print_user(const dcs_image_hive *h)
{
    if (dcs_image_hive_dirty(h))
        printf("  warning: dirty hive, shown without its logs: %s\n", dcs_image_hive_dirty(h));
    if (dcs_image_hive_recovered(h))
        printf("  note: dirty hive, shown with its transaction logs replayed in memory "
               "(%u entries)\n",
               dcs_image_hive_recovered(h));
    const struct dcs_apply_value *dv = dcs_image_hive_value(h, DCS_KEY_CONNECTIONS,
                                                            DCS_VALUE_DEFAULT);
    const struct dcs_apply_value *sv = dcs_image_hive_value(h, DCS_KEY_CONNECTIONS,
                                                            DCS_VALUE_SAVED_LEGACY);
    bool differ = dcs_image_hive_twins_differ(h);
    text_blob(DCS_VALUE_DEFAULT, dv);
    if (sv && !differ)
        printf("  %-27s same as DefaultConnectionSettings (counter aside)\n",
               DCS_VALUE_SAVED_LEGACY);
    else
        text_blob(differ ? "SavedLegacySettings DIFFERS" : DCS_VALUE_SAVED_LEGACY, sv);
    const struct dcs_apply_current *cur = dcs_image_hive_values(h);
    for (size_t i = 0; i < cur->nvalues; i++) {
        const struct dcs_apply_value *v = &cur->values[i];
        if (strcasecmp(v->key, DCS_KEY_CONNECTIONS) != 0 || v == dv || v == sv)
            continue;
        char what[300];
        snprintf(what, sizeof what, "connection \"%s\"", v->name);
        text_blob(what, v);
    }
    print_plain(h);
    if (dcs_image_hive_disagree_count(h)) {
        printf("  %-27s", "DISAGREE with the blob:");
        for (size_t i = 0; i < dcs_image_hive_disagree_count(h); i++)
            printf(" %s", dcs_image_hive_disagree(h, i));
        putchar('\n');
    }
    print_lints(dv);
}

static void print_text(const dcs_image_report *r)
{
    for (size_t i = 0; i < dcs_image_report_count(r); i++) {
        const dcs_image_hive *h = dcs_image_report_hive(r, i);
        const struct dcs_error *e = dcs_image_hive_error(h);
        printf("%s\n", dcs_image_hive_label(h));
        if (e)
            printf("  %s: %s\n",
                   dcs_image_hive_path(h)              ? "error"
                   : e->code == DCS_ERR_APPLY_OUTSIDE ? "refused"
                                                      : "not found",
                   e->message);
        else if (dcs_image_hive_kind(h) == DCS_IMAGE_MACHINE) {
            text_blob("WinHttpSettings", dcs_image_hive_value(h, DCS_KEY_MACHINE_CONNECTIONS,
                                                              DCS_VALUE_WINHTTP));
            if (dcs_image_hive_values(h)->has_wow64)
                text_blob("WinHttpSettings (WOW6432Node)",
                          dcs_image_hive_value(h, DCS_KEY_MACHINE_CONNECTIONS_WOW64,
                                               DCS_VALUE_WINHTTP));
        } else
            print_user(h);
        putchar('\n');
    }
}

int cmd_show(int argc, char **argv)
{
    const char *windows = NULL;
    bool json = false;
    for (int i = 1; i < argc; i++) {
        if (cli_is(argv[i], "--help", "-h")) {
            usage(stdout);
            return EXIT_OK;
        } else if (strcmp(argv[i], "--json") == 0) {
            json = true;
        } else if (strcmp(argv[i], "--windows") == 0 && i + 1 < argc) {
            windows = argv[++i];
        } else {
            cli_errorf("show: unknown argument '%s'", argv[i]);
            usage(stderr);
            return EXIT_USAGE;
        }
    }
    if (!windows) {
        cli_errorf("show: --windows DIR is required");
        return EXIT_USAGE;
    }
    if (!dcs_hive_supported()) {
        cli_errorf("show: this dcs was built without libhivex");
        return EXIT_BAD_INPUT;
    }
    dcs_image_report *r;
    struct dcs_error err;
    if (dcs_image_report_new(windows, &r, &err) != DCS_OK) {
        cli_report("show", &err);
        return EXIT_BAD_INPUT;
    }
    if (json)
        print_json(r);
    else
        print_text(r);
    int rc = dcs_image_report_complete(r) ? EXIT_OK : EXIT_BAD_INPUT;
    dcs_image_report_free(r);
    return rc;
}
