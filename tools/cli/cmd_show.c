/* dcs show: the proxy settings of every account in an offline Windows image,
 * each named by account and hive file. */
#include <dirent.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "apply_target.h"
#include "blobview.h"
#include "cli.h"
#include "cmd.h"
#include "json.h"
#include "winimage.h"

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

struct show {
    struct win_image img;
    bool json;
    json_t *arr;
    int rc;
};

static const struct dcs_apply_value *find(const struct apply_target *t, const char *key,
                                          const char *name)
{
    for (size_t i = 0; i < t->snap.cur.nvalues; i++)
        if (strcasecmp(t->snap.cur.values[i].key, key) == 0 &&
            strcasecmp(t->snap.cur.values[i].name, name) == 0)
            return &t->snap.cur.values[i];
    return NULL;
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

static json_t *plain_json(const struct dcs_apply_value *v)
{
    if (!v)
        return json_null();
    if (v->type == DCS_REG_DWORD && v->data.len == 4)
        return json_integer((json_int_t)(v->data.ptr[0] | v->data.ptr[1] << 8 |
                                         v->data.ptr[2] << 16 | (uint32_t)v->data.ptr[3] << 24));
    if (v->type == DCS_REG_SZ || v->type == DCS_REG_EXPAND_SZ) {
        char *s = win_utf16_to_utf8(v->data.ptr, v->data.len);
        json_t *j = s ? json_string(s) : json_null();
        free(s);
        return j ? j : json_null();
    }
    return json_null();
}

static const char *const plain_names[] = {"ProxyEnable", "ProxyServer", "ProxyOverride",
                                          "AutoConfigURL"};

/* Report one user-type hive. */
static void show_user(struct show *s, const char *sid, const char *kind, const char *label,
                      const char *path)
{
    struct apply_target t;
    memset(&t, 0, sizeof t);
    snprintf(t.label, sizeof t.label, "%s", label);
    dcs_status st = dcs_hive_open(path, DCS_HIVE_READ | DCS_HIVE_RECOVER, &t.hive, &t.err);
    if (st == DCS_OK)
        st = dcs_apply_snapshot_read(t.hive, false, &t.snap, &t.err);
    json_t *o = json_object();
    json_object_set_new(o, "label", json_string(label));
    json_object_set_new(o, "kind", json_string(kind));
    json_object_set_new(o, "sid", sid ? json_string(sid) : json_null());
    json_object_set_new(o, "hive", json_string(win_shown_path(s->img.root, path)));
    if (!s->json)
        printf("%s\n", label);
    if (st != DCS_OK) {
        s->rc = EXIT_BAD_INPUT;
        json_object_set_new(o, "error", json_string(t.err.message));
        if (!s->json)
            printf("  error: %s\n\n", t.err.message);
        json_array_append_new(s->arr, o);
        target_free(&t);
        return;
    }
    const struct dcs_hive_state *hs = dcs_hive_get_state(t.hive);
    json_object_set_new(o, "dirty", json_boolean(hs->dirty));
    if (hs->dirty && hs->recovered) {
        json_object_set_new(o, "recovered_in_memory", json_integer(hs->recovered_entries));
        if (!s->json)
            printf("  note: dirty hive, shown with its transaction logs replayed in memory "
                   "(%u entries)\n",
                   hs->recovered_entries);
    } else if (hs->dirty) {
        json_object_set_new(o, "dirty_reason", json_string(hs->reason));
        if (!s->json)
            printf("  warning: dirty hive, shown without its logs: %s\n", hs->reason);
    }
    const struct dcs_apply_value *dv = find(&t, DCS_KEY_CONNECTIONS, DCS_VALUE_DEFAULT);
    const struct dcs_apply_value *sv = find(&t, DCS_KEY_CONNECTIONS, DCS_VALUE_SAVED_LEGACY);
    json_object_set_new(o, "default_connection_settings",
                        dv ? target_blob_json(dv->data.ptr, dv->data.len) : json_null());
    json_object_set_new(o, "saved_legacy_settings",
                        sv ? target_blob_json(sv->data.ptr, sv->data.len) : json_null());
    struct dcs_blob db, sb;
    bool dok = decode_value(dv, &db), sok = decode_value(sv, &sb);
    bool twins_differ = dv && sv && (!dok || !sok || !dcs_blob_equal(&db, &sb,
                                                                     DCS_EQUAL_IGNORE_COUNTER));
    json_object_set_new(o, "twins_differ", json_boolean(twins_differ));
    if (!s->json) {
        text_blob(DCS_VALUE_DEFAULT, dv);
        if (sv && !twins_differ)
            printf("  %-27s same as DefaultConnectionSettings (counter aside)\n",
                   DCS_VALUE_SAVED_LEGACY);
        else
            text_blob(twins_differ ? "SavedLegacySettings DIFFERS" : DCS_VALUE_SAVED_LEGACY, sv);
    }
    json_t *conns = json_object();
    for (size_t i = 0; i < t.snap.cur.nvalues; i++) {
        const struct dcs_apply_value *v = &t.snap.cur.values[i];
        if (strcasecmp(v->key, DCS_KEY_CONNECTIONS) != 0 || v == dv || v == sv)
            continue;
        json_object_set_new(conns, v->name, target_blob_json(v->data.ptr, v->data.len));
        if (!s->json) {
            char what[300];
            snprintf(what, sizeof what, "connection \"%s\"", v->name);
            text_blob(what, v);
        }
    }
    json_object_set_new(o, "connections", conns);
    json_t *plain = json_object();
    for (size_t i = 0; i < 4; i++)
        json_object_set_new(plain, plain_names[i],
                            plain_json(find(&t, DCS_KEY_INTERNET_SETTINGS, plain_names[i])));
    if (!s->json) {
        printf("  %-27s", "plain values");
        const char *k;
        json_t *v;
        int shown = 0;
        json_object_foreach(plain, k, v)
        {
            if (json_is_integer(v))
                shown += printf(" %s=%lld", k, (long long)json_integer_value(v)) > 0;
            else if (json_is_string(v))
                shown += printf(" %s=\"%s\"", k, json_string_value(v)) > 0;
        }
        if (!shown)
            fputs(" (none)", stdout);
        putchar('\n');
    }
    json_object_set_new(o, "plain_values", plain);
    /* plain values that a copy of the hive's own blob would change disagree */
    json_t *dis = json_array();
    if (dok) {
        struct dcs_apply_source src = {.mode = DCS_MODE_COPY, .blob = dv->data};
        struct dcs_apply_options opt = {.only_default = true};
        if (dcs_apply_plan_user(&src, &opt, &t.snap.cur, &t.plan, NULL) == DCS_OK) {
            t.planned = true;
            for (size_t i = 0; i < t.plan.nsteps; i++)
                if (strcmp(t.plan.steps[i].key, DCS_KEY_INTERNET_SETTINGS) == 0 &&
                    t.plan.steps[i].action != DCS_APPLY_UNCHANGED)
                    json_array_append_new(dis, json_string(t.plan.steps[i].name));
        }
    }
    if (!s->json && json_array_size(dis)) {
        printf("  %-27s", "DISAGREE with the blob:");
        size_t i;
        json_t *v;
        json_array_foreach(dis, i, v) printf(" %s", json_string_value(v));
        putchar('\n');
    }
    json_object_set_new(o, "plain_values_disagree", dis);
    if (!s->json)
        putchar('\n');
    json_array_append_new(s->arr, o);
    target_free(&t);
}

static void show_machine(struct show *s)
{
    if (!s->img.software)
        return;
    struct apply_target t;
    memset(&t, 0, sizeof t);
    t.machine = true;
    char label[700];
    snprintf(label, sizeof label, "machine (HKLM\\SOFTWARE) %s",
             win_shown_path(s->img.root, s->img.software));
    dcs_status st =
        dcs_hive_open(s->img.software, DCS_HIVE_READ | DCS_HIVE_RECOVER, &t.hive, &t.err);
    if (st == DCS_OK)
        st = dcs_apply_snapshot_read(t.hive, true, &t.snap, &t.err);
    json_t *o = json_object();
    json_object_set_new(o, "label", json_string(label));
    json_object_set_new(o, "kind", json_string("machine"));
    json_object_set_new(o, "hive", json_string(win_shown_path(s->img.root, s->img.software)));
    if (!s->json)
        printf("%s\n", label);
    if (st != DCS_OK) {
        s->rc = EXIT_BAD_INPUT;
        json_object_set_new(o, "error", json_string(t.err.message));
        if (!s->json)
            printf("  error: %s\n\n", t.err.message);
    } else {
        const struct dcs_apply_value *w = find(&t, DCS_KEY_MACHINE_CONNECTIONS, DCS_VALUE_WINHTTP);
        const struct dcs_apply_value *w6 =
            find(&t, DCS_KEY_MACHINE_CONNECTIONS_WOW64, DCS_VALUE_WINHTTP);
        json_object_set_new(o, "winhttp_settings",
                            w ? target_blob_json(w->data.ptr, w->data.len) : json_null());
        json_object_set_new(o, "winhttp_settings_wow64",
                            w6 ? target_blob_json(w6->data.ptr, w6->data.len) : json_null());
        if (!s->json) {
            text_blob("WinHttpSettings", w);
            if (t.snap.cur.has_wow64)
                text_blob("WinHttpSettings (WOW6432Node)", w6);
            putchar('\n');
        }
    }
    json_array_append_new(s->arr, o);
    target_free(&t);
}

static void show_profile(void *ctx, const char *sid)
{
    struct show *s = ctx;
    if (win_account_by_sid(sid))
        return;
    char *path = win_image_profile_hive(&s->img, sid);
    if (!path)
        return;
    char label[700];
    win_label(label, sizeof label, sid, win_shown_path(s->img.root, path));
    show_user(s, sid, "user", label, path);
    free(path);
}

/* Without SOFTWARE: every Users/<name>/NTUSER.DAT but the Default profile.
 * Links are skipped: "Default User" and "All Users" are junctions (symbolic
 * links on a mounted NTFS volume) to Default and ProgramData, not profiles. */
static void scan_users(struct show *s)
{
    char *users = win_resolve_ci(s->img.root, "Users");
    DIR *d = users ? opendir(users) : NULL;
    struct dirent *de;
    while (d && (de = readdir(d)) != NULL) {
        if (de->d_name[0] == '.' || strcasecmp(de->d_name, "Default") == 0)
            continue;
        struct stat st;
        if (fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(st.st_mode))
            continue;
        char rel[600];
        snprintf(rel, sizeof rel, "%s/NTUSER.DAT", de->d_name);
        char *path = win_resolve_ci(users, rel);
        if (path) {
            char label[700];
            snprintf(label, sizeof label, "user %s (SID unknown: no SOFTWARE hive) %s",
                     de->d_name, win_shown_path(s->img.root, path));
            show_user(s, NULL, "user", label, path);
        }
        free(path);
    }
    if (d)
        closedir(d);
    free(users);
}

int cmd_show(int argc, char **argv)
{
    struct show s;
    memset(&s, 0, sizeof s);
    const char *windows = NULL;
    for (int i = 1; i < argc; i++) {
        if (cli_is(argv[i], "--help", "-h")) {
            usage(stdout);
            return EXIT_OK;
        } else if (strcmp(argv[i], "--json") == 0) {
            s.json = true;
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
    win_image_init(&s.img, windows);
    s.arr = json_array();
    static const char *const services[] = {"S-1-5-18", "S-1-5-19", "S-1-5-20"};
    for (size_t i = 0; i < 3; i++) {
        char *path, note[400], label[700];
        struct dcs_error err;
        if (win_image_locate(&s.img, services[i], &path, note, sizeof note, &err) != DCS_OK) {
            const char *name = win_account_by_sid(services[i])->name;
            if (!s.json) {
                printf("%s\n  not found: %s\n\n", name, err.message);
                continue;
            }
            /* a missing service account is news too: list it, with no hive */
            json_t *o = json_object();
            json_object_set_new(o, "label", json_string(name));
            json_object_set_new(o, "kind", json_string("service"));
            json_object_set_new(o, "sid", json_string(services[i]));
            json_object_set_new(o, "hive", json_null());
            json_object_set_new(o, "error", json_string(err.message));
            json_array_append_new(s.arr, o);
            continue;
        }
        win_label(label, sizeof label, services[i], win_shown_path(s.img.root, path));
        show_user(&s, services[i], "service", label, path);
        free(path);
    }
    char *def = win_resolve_ci(s.img.root, "Users/Default/NTUSER.DAT");
    if (def) {
        char label[700];
        snprintf(label, sizeof label,
                 "Default user profile (template for new users; not .DEFAULT) %s",
                 win_shown_path(s.img.root, def));
        show_user(&s, NULL, "default-profile", label, def);
        free(def);
    }
    if (s.img.software)
        win_image_each_profile(&s.img, show_profile, &s);
    else
        scan_users(&s);
    show_machine(&s);
    if (s.json) {
        json_t *doc = json_object();
        json_object_set_new(doc, "command", json_string("show"));
        json_object_set_new(doc, "windows", json_string(windows));
        json_object_set_new(doc, "hives", s.arr);
        json_print(doc, stdout, 0);
        json_decref(doc);
    } else {
        json_decref(s.arr);
    }
    win_image_free(&s.img);
    return s.rc;
}
