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
#include "opts.h"
#include "wim_run.h"

struct show_opts {
    const char *windows;
    const char *wim;
    bool json;
};

static const struct cli_opt show_table[] = {
    CLI_STRING("windows", 0, "DIR", struct show_opts, windows,
               "root of a mounted Windows volume"),
    CLI_STRING("wim", 0, "FILE[:INDEX]", struct show_opts, wim,
               "or a Windows image in a WIM/ESD file, read\nwithout changing it (needs wimlib)"),
    CLI_FLAG("json", 0, struct show_opts, json, "print the report as JSON"),
};

static void usage(FILE *out)
{
    fprintf(out,
            "usage: dcs show --windows DIR|--wim FILE[:INDEX] [OPTIONS]\n"
            "\n"
            "Show the proxy settings of LocalSystem (S-1-5-18, .DEFAULT), LocalService,\n"
            "NetworkService, the Default user profile (the template for new users, not\n"
            ".DEFAULT), every user profile, the machine-wide settings and WinHttpSettings,\n"
            "decoded, and the policy ProxySettingsPerUser: when it is 0, every account\n"
            "uses the machine-wide settings instead of its own (\"in force\").\n"
            "Flags plain values (ProxyEnable, ProxyServer, ProxyOverride, AutoConfigURL)\n"
            "that disagree with DefaultConnectionSettings, and SavedLegacySettings that\n"
            "differs from it.\n"
            "\n");
    cli_opts_help(out, show_table, CLI_NOPTS(show_table));
    fprintf(out, "\n"
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

static const char *policy_word(enum dcs_image_policy p)
{
    return p == DCS_IMAGE_POLICY_MACHINE ? "machine-wide"
           : p == DCS_IMAGE_POLICY_UNKNOWN ? "unknown"
                                           : "own";
}

/* The policy entry: ProxySettingsPerUser as read, and whose settings are in
 * force for every account. */
static json_t *policy_json(const dcs_image_hive *machine, enum dcs_image_policy p)
{
    json_t *o = json_object();
    const struct dcs_apply_value *v =
        dcs_image_hive_value(machine, DCS_KEY_POLICY_INTERNET_SETTINGS, DCS_VALUE_PER_USER);
    json_object_set_new(o, "label", json_string("policy ProxySettingsPerUser (HKLM\\SOFTWARE\\"
                                                DCS_KEY_POLICY_INTERNET_SETTINGS ")"));
    json_object_set_new(o, "kind", json_string("policy"));
    json_object_set_new(o, "hive", json_string(dcs_image_hive_path(machine)));
    json_object_set_new(o, "proxy_settings_per_user",
                        !v ? json_null()
                        : v->type == DCS_REG_DWORD && v->data.len == 4
                            ? json_integer(v->data.ptr[0] | v->data.ptr[1] << 8 |
                                           v->data.ptr[2] << 16 |
                                           (json_int_t)v->data.ptr[3] << 24)
                            : json_string("not a REG_DWORD"));
    json_object_set_new(o, "in_force", json_string(policy_word(p)));
    return o;
}

static json_t *hive_json(const dcs_image_hive *h, enum dcs_image_policy policy)
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
        json_object_set_new(o, "default_connection_settings",
                            value_json(dcs_image_hive_value(h, DCS_KEY_MACHINE_CONNECTIONS,
                                                            DCS_VALUE_DEFAULT)));
        json_object_set_new(o, "saved_legacy_settings",
                            value_json(dcs_image_hive_value(h, DCS_KEY_MACHINE_CONNECTIONS,
                                                            DCS_VALUE_SAVED_LEGACY)));
        json_object_set_new(o, "winhttp_settings",
                            value_json(dcs_image_hive_value(h, DCS_KEY_MACHINE_CONNECTIONS,
                                                            DCS_VALUE_WINHTTP)));
        json_object_set_new(o, "winhttp_settings_wow64",
                            value_json(dcs_image_hive_value(
                                h, DCS_KEY_MACHINE_CONNECTIONS_WOW64, DCS_VALUE_WINHTTP)));
        return o;
    }
    json_object_set_new(o, "in_force", json_string(policy_word(policy)));
    json_object_set_new(o, "dirty", json_boolean(dcs_image_hive_dirty(h) != NULL));
    if (dcs_image_hive_dirty(h))
        json_object_set_new(o, "dirty_reason", json_string(dcs_image_hive_dirty(h)));
    if (dcs_image_hive_recovered(h)) {
        json_object_set_new(o, "dirty", json_true());
        json_object_set_new(o, "recovered_in_memory", json_integer(dcs_image_hive_recovered(h)));
    }
    return user_json(o, h);
}

static void print_json(const dcs_image_report *r, const char *wim)
{
    json_t *arr = json_array();
    enum dcs_image_policy policy = dcs_image_report_policy(r);
    for (size_t i = 0; i < dcs_image_report_count(r); i++) {
        const dcs_image_hive *h = dcs_image_report_hive(r, i);
        json_array_append_new(arr, hive_json(h, policy));
        if (dcs_image_hive_kind(h) == DCS_IMAGE_MACHINE && !dcs_image_hive_error(h))
            json_array_append_new(arr, policy_json(h, policy));
    }
    json_t *doc = json_object();
    json_object_set_new(doc, "command", json_string("show"));
    json_object_set_new(doc, wim ? "wim" : "windows",
                        json_string(wim ? wim : dcs_image_report_root(r)));
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

static void print_machine(const dcs_image_hive *h, enum dcs_image_policy policy)
{
    const struct dcs_apply_value *dv =
        dcs_image_hive_value(h, DCS_KEY_MACHINE_CONNECTIONS, DCS_VALUE_DEFAULT);
    text_blob(DCS_VALUE_DEFAULT, dv);
    if (dcs_image_hive_value(h, DCS_KEY_MACHINE_CONNECTIONS, DCS_VALUE_SAVED_LEGACY))
        text_blob(DCS_VALUE_SAVED_LEGACY,
                  dcs_image_hive_value(h, DCS_KEY_MACHINE_CONNECTIONS, DCS_VALUE_SAVED_LEGACY));
    printf("  %-27s %s\n", "ProxySettingsPerUser",
           policy == DCS_IMAGE_POLICY_MACHINE ? "0: every account uses the machine-wide "
                                                "settings instead of its own"
           : policy == DCS_IMAGE_POLICY_PER_USER ? "set, not DWORD 0: each account uses its own"
                                                 : "absent: each account uses its own");
    text_blob("WinHttpSettings",
              dcs_image_hive_value(h, DCS_KEY_MACHINE_CONNECTIONS, DCS_VALUE_WINHTTP));
    if (dcs_image_hive_values(h)->has_wow64)
        text_blob("WinHttpSettings (WOW6432Node)",
                  dcs_image_hive_value(h, DCS_KEY_MACHINE_CONNECTIONS_WOW64, DCS_VALUE_WINHTTP));
}

static void print_text(const dcs_image_report *r)
{
    enum dcs_image_policy policy = dcs_image_report_policy(r);
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
        else if (dcs_image_hive_kind(h) == DCS_IMAGE_MACHINE)
            print_machine(h, policy);
        else {
            print_user(h);
            if (policy == DCS_IMAGE_POLICY_MACHINE)
                printf("  %-27s the machine's DefaultConnectionSettings (HKLM, policy "
                       "ProxySettingsPerUser=0), not this hive's\n",
                       "in force:");
        }
        putchar('\n');
    }
}

/* The command line into *o; -1 to go on, else the exit code. */
static int parse(int argc, char **argv, struct show_opts *o)
{
    struct cli_opts p;
    cli_opts_init(&p, "show", show_table, CLI_NOPTS(show_table), o, argc, argv);
    const char *v;
    for (int id; (id = cli_opts_next(&p, &v)) != CLI_OPT_END;) {
        if (id == CLI_OPT_HELP) {
            usage(stdout);
            return EXIT_OK;
        }
        if (id == CLI_OPT_ERROR)
            return EXIT_USAGE;
        if (id == CLI_OPT_ARG) {
            cli_errorf("show: unknown argument '%s' (try 'dcs show --help')", v);
            return EXIT_USAGE;
        }
    }
    if (!o->windows == !o->wim) {
        cli_errorf("show: give one image: --windows DIR or --wim FILE[:INDEX]");
        return EXIT_USAGE;
    }
    return -1;
}

int cmd_show(int argc, char **argv)
{
    struct show_opts o = {NULL, NULL, false};
    int done = parse(argc, argv, &o);
    if (done >= 0)
        return done;
    char tmp[512];
    if (o.wim) {
        int rc = wim_extract_to_tmp("show", o.wim, tmp, sizeof tmp);
        if (rc != EXIT_OK)
            return rc;
    }
    dcs_image_report *r;
    struct dcs_error err;
    int rc = EXIT_BAD_INPUT;
    if (dcs_image_report_new(o.wim ? tmp : o.windows, &r, &err) != DCS_OK) {
        cli_report("show", &err);
    } else {
        if (o.json)
            print_json(r, o.wim);
        else
            print_text(r);
        rc = dcs_image_report_complete(r) ? EXIT_OK : EXIT_BAD_INPUT;
        dcs_image_report_free(r);
    }
    if (o.wim)
        wim_tmp_remove(tmp);
    return rc;
}
