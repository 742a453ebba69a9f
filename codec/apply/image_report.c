/* The report of an image: every account's proxy settings, read-only, as a
 * model that a front end renders (contract in image.h). */
#include "apply/apply_internal.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#define NPLAIN 4
static const char *const plain_names[NPLAIN] = {"ProxyEnable", "ProxyServer", "ProxyOverride",
                                                "AutoConfigURL"};

struct dcs_image_hive {
    enum dcs_image_kind kind;
    char *label, *sid, *path;
    bool failed;
    struct dcs_error err;
    char *dirty;
    unsigned recovered; /* log entries replayed in memory */
    bool have_snap;
    struct dcs_apply_snapshot snap;
    bool twins_differ;
    size_t ndisagree;
    const char **disagree; /* names: static strings */
    struct dcs_image_plain plain[NPLAIN];
    char *plain_text[NPLAIN];
};

struct dcs_image_report {
    dcs_image *img;
    struct dcs_image_hive **h;
    size_t n;
    bool complete;
};

const char *dcs_image_kind_name(enum dcs_image_kind kind)
{
    switch (kind) {
    case DCS_IMAGE_SERVICE: return "service";
    case DCS_IMAGE_DEFAULT_PROFILE: return "default-profile";
    case DCS_IMAGE_USER: return "user";
    case DCS_IMAGE_MACHINE: return "machine";
    }
    return "?";
}

static dcs_status nomem(struct dcs_error *err)
{
    return dcs_error_set(err, DCS_ERR_NOMEM, DCS_NO_OFFSET, "out of memory");
}

static void hive_free(struct dcs_image_hive *h)
{
    if (!h)
        return;
    free(h->label);
    free(h->sid);
    free(h->path);
    free(h->dirty);
    if (h->have_snap)
        dcs_apply_snapshot_free(&h->snap);
    free(h->disagree);
    for (size_t i = 0; i < NPLAIN; i++)
        free(h->plain_text[i]);
    free(h);
}

/* A new entry (label, sid and shown path copied), appended to the report. */
static struct dcs_image_hive *add(dcs_image_report *r, enum dcs_image_kind kind,
                                  const char *label, const char *sid, const char *path)
{
    struct dcs_image_hive **nh = realloc(r->h, (r->n + 1) * sizeof(struct dcs_image_hive *));
    if (!nh)
        return NULL;
    r->h = nh;
    struct dcs_image_hive *h = calloc(1, sizeof *h);
    if (!h)
        return NULL;
    h->kind = kind;
    h->label = strdup(label);
    h->sid = sid ? strdup(sid) : NULL;
    h->path = path ? strdup(dcs_image_shown(r->img, path)) : NULL;
    if (!h->label || (sid && !h->sid) || (path && !h->path)) {
        hive_free(h);
        return NULL;
    }
    nh[r->n++] = h;
    return h;
}

const struct dcs_apply_value *dcs_image_hive_value(const dcs_image_hive *h, const char *key,
                                                   const char *name)
{
    for (size_t i = 0; h->have_snap && i < h->snap.cur.nvalues; i++)
        if (strcasecmp(h->snap.cur.values[i].key, key) == 0 &&
            strcasecmp(h->snap.cur.values[i].name, name) == 0)
            return &h->snap.cur.values[i];
    return NULL;
}

static bool decode_value(const struct dcs_apply_value *v, struct dcs_blob *b)
{
    return v && v->type == DCS_REG_BINARY &&
           dcs_blob_decode(v->data.ptr, v->data.len, DCS_DECODE_LENIENT, b, NULL) == DCS_OK;
}

static dcs_status judge_plain(struct dcs_image_hive *h)
{
    for (size_t i = 0; i < NPLAIN; i++) {
        const struct dcs_apply_value *v = dcs_image_hive_value(h, DCS_KEY_INTERNET_SETTINGS,
                                                               plain_names[i]);
        struct dcs_image_plain *p = &h->plain[i];
        p->name = plain_names[i];
        p->kind = v ? DCS_IMAGE_PLAIN_OTHER : DCS_IMAGE_PLAIN_ABSENT;
        if (v && v->type == DCS_REG_DWORD && v->data.len == 4) {
            p->kind = DCS_IMAGE_PLAIN_NUMBER;
            p->number = (uint32_t)v->data.ptr[0] | (uint32_t)v->data.ptr[1] << 8 |
                        (uint32_t)v->data.ptr[2] << 16 | (uint32_t)v->data.ptr[3] << 24;
        } else if (v && (v->type == DCS_REG_SZ || v->type == DCS_REG_EXPAND_SZ)) {
            if (!(h->plain_text[i] = dcsi_utf16z_to_utf8(v->data.ptr, v->data.len)))
                return DCS_ERR_NOMEM;
            p->kind = DCS_IMAGE_PLAIN_TEXT;
            p->text = h->plain_text[i];
        }
    }
    return DCS_OK;
}

/* The plain values a copy of the hive's own blob would change disagree. */
static dcs_status judge_disagree(struct dcs_image_hive *h, const struct dcs_apply_value *dv)
{
    struct dcs_blob b;
    if (!decode_value(dv, &b))
        return DCS_OK;
    struct dcs_apply_source src = {.mode = DCS_MODE_COPY, .blob = dv->data};
    struct dcs_apply_options opt = {.only_default = true};
    struct dcs_apply_plan plan;
    struct dcs_error err;
    dcs_status st = dcs_apply_plan_user(&src, &opt, &h->snap.cur, &plan, &err);
    if (st != DCS_OK)
        return st == DCS_ERR_NOMEM ? st : DCS_OK;
    h->disagree = calloc(plan.nsteps ? plan.nsteps : 1, sizeof *h->disagree);
    for (size_t i = 0; h->disagree && i < plan.nsteps; i++)
        for (size_t k = 0; k < NPLAIN; k++)
            if (strcmp(plan.steps[i].key, DCS_KEY_INTERNET_SETTINGS) == 0 &&
                plan.steps[i].action != DCS_APPLY_UNCHANGED &&
                strcmp(plan.steps[i].name, plain_names[k]) == 0)
                h->disagree[h->ndisagree++] = plain_names[k];
    dcs_apply_plan_free(&plan);
    return h->disagree ? DCS_OK : DCS_ERR_NOMEM;
}

/* Read one hive into its entry; a hive that cannot be read is an entry with
 * an error (the report is then incomplete), not a failure. */
static dcs_status read_hive(dcs_image_report *r, struct dcs_image_hive *h, const char *path,
                            bool machine)
{
    dcs_hive *hv;
    dcs_status st =
        dcsi_image_hive_open(r->img, path, DCS_HIVE_READ | DCS_HIVE_RECOVER, &hv, &h->err);
    if (st == DCS_OK) {
        st = dcs_apply_snapshot_read(hv, machine, &h->snap, &h->err);
        h->have_snap = st == DCS_OK;
        const dcs_hive_state *hs = dcs_hive_get_state(hv);
        uint32_t entries = dcs_hive_state_recovered_entries(hs);
        if (dcs_hive_state_dirty(hs) && dcs_hive_state_recovered(hs))
            h->recovered = entries ? entries : 1;
        else if (st == DCS_OK && dcs_hive_state_dirty(hs) &&
                 !(h->dirty = strdup(dcs_hive_state_reason(hs))))
            st = DCS_ERR_NOMEM;
        dcs_hive_close(hv);
    }
    if (st == DCS_ERR_NOMEM)
        return st;
    if (st != DCS_OK) {
        h->failed = true;
        r->complete = false;
        return DCS_OK;
    }
    if (machine)
        return DCS_OK;
    const struct dcs_apply_value *dv = dcs_image_hive_value(h, DCS_KEY_CONNECTIONS,
                                                            DCS_VALUE_DEFAULT);
    const struct dcs_apply_value *sv = dcs_image_hive_value(h, DCS_KEY_CONNECTIONS,
                                                            DCS_VALUE_SAVED_LEGACY);
    struct dcs_blob db, sb;
    bool dok = decode_value(dv, &db), sok = decode_value(sv, &sb);
    /* A SavedLegacySettings beside no DefaultConnectionSettings is not a
     * copy of it: report it as differing so no one calls it "the same". */
    h->twins_differ =
        sv && (!dv || !dok || !sok || !dcs_blob_equal(&db, &sb, DCS_EQUAL_IGNORE_COUNTER));
    st = judge_plain(h);
    return st == DCS_OK ? judge_disagree(h, dv) : st;
}

static dcs_status add_user(dcs_image_report *r, enum dcs_image_kind kind, const char *label,
                           const char *sid, const char *path)
{
    struct dcs_image_hive *h = add(r, kind, label, sid, path);
    return h ? read_hive(r, h, path, false) : DCS_ERR_NOMEM;
}

static dcs_status add_service(dcs_image_report *r, const char *sid)
{
    char *path, *note, label[700];
    struct dcs_error err;
    dcs_status st = dcs_image_locate(r->img, sid, &path, &note, &err);
    free(note);
    if (st == DCS_ERR_NOMEM)
        return st;
    if (st != DCS_OK) {
        /* a missing service account is news too: listed, with no hive */
        struct dcs_image_hive *h = add(r, DCS_IMAGE_SERVICE, dcs_sid_account_name(sid), sid,
                                       NULL);
        if (!h)
            return DCS_ERR_NOMEM;
        h->failed = true;
        h->err = err;
        if (st == DCS_ERR_APPLY_OUTSIDE) /* there, but refused: the report is incomplete */
            r->complete = false;
        return DCS_OK;
    }
    dcsi_image_label(label, sizeof label, sid, dcs_image_shown(r->img, path));
    st = add_user(r, DCS_IMAGE_SERVICE, label, sid, path);
    free(path);
    return st;
}

/* A hive the image names but that cannot be used (a link out of the
 * image): an entry with the error, and the report is incomplete. */
static dcs_status add_refused(dcs_image_report *r, const char *label, const char *sid,
                              const struct dcs_error *err)
{
    struct dcs_image_hive *h = add(r, DCS_IMAGE_USER, label, sid, NULL);
    if (!h)
        return DCS_ERR_NOMEM;
    h->failed = true;
    h->err = *err;
    r->complete = false;
    return DCS_OK;
}

static dcs_status add_profile(void *ctx, const char *sid)
{
    dcs_image_report *r = ctx;
    if (dcs_sid_account_name(sid))
        return DCS_OK;
    char *path, label[700];
    struct dcs_error err;
    dcs_status st = dcsi_image_profile_hive(r->img, sid, &path, &err);
    if (st == DCS_ERR_NOT_FOUND)
        return DCS_OK;
    if (st != DCS_OK) {
        dcsi_image_label(label, sizeof label, sid, "(refused)");
        return st == DCS_ERR_NOMEM ? st : add_refused(r, label, sid, &err);
    }
    dcsi_image_label(label, sizeof label, sid, dcs_image_shown(r->img, path));
    st = add_user(r, DCS_IMAGE_USER, label, sid, path);
    free(path);
    return st;
}

/* One user folder of an image without SOFTWARE (or its refusal). */
static dcs_status add_user_dir(void *ctx, const char *name, const char *path,
                               const struct dcs_error *refused)
{
    dcs_image_report *r = ctx;
    const char *why = r->img->software ? "no ProfileList in SOFTWARE" : "no SOFTWARE hive";
    char label[700];
    if (!path) {
        snprintf(label, sizeof label, "user %s (SID unknown: %s)", name, why);
        return add_refused(r, label, NULL, refused);
    }
    snprintf(label, sizeof label, "user %s (SID unknown: %s) %s", name, why,
             dcs_image_shown(r->img, path));
    return add_user(r, DCS_IMAGE_USER, label, NULL, path);
}

static dcs_status add_machine(dcs_image_report *r)
{
    const char *sw = r->img->software;
    if (!sw)
        return DCS_OK;
    char label[700];
    snprintf(label, sizeof label, "machine (HKLM\\SOFTWARE) %s", dcs_image_shown(r->img, sw));
    struct dcs_image_hive *h = add(r, DCS_IMAGE_MACHINE, label, NULL, sw);
    return h ? read_hive(r, h, sw, true) : DCS_ERR_NOMEM;
}

static dcs_status build(dcs_image_report *r)
{
    static const char *const services[] = {"S-1-5-18", "S-1-5-19", "S-1-5-20"};
    dcs_status st = DCS_OK;
    for (size_t i = 0; st == DCS_OK && i < 3; i++)
        st = add_service(r, services[i]);
    char *def = NULL;
    struct dcs_error err;
    if (st == DCS_OK)
        st = dcs_image_default_profile(r->img, &def, &err);
    if (st != DCS_OK && st != DCS_ERR_NOMEM)
        st = st == DCS_ERR_APPLY_TARGET ? DCS_OK
                                        : add_refused(r, "Default user profile", NULL, &err);
    if (def) {
        char label[700];
        snprintf(label, sizeof label,
                 "Default user profile (template for new users; not .DEFAULT) %s",
                 dcs_image_shown(r->img, def));
        st = add_user(r, DCS_IMAGE_DEFAULT_PROFILE, label, NULL, def);
        free(def);
    }
    if (st == DCS_OK)
        st = dcsi_image_has_profile_list(r->img) ? dcsi_image_each_profile(r->img, add_profile, r)
                                                 : dcsi_image_each_user_dir(r->img, add_user_dir, r);
    return st == DCS_OK ? add_machine(r) : st;
}

dcs_status dcs_image_report_new(const char *root, dcs_image_report **out, struct dcs_error *err)
{
    *out = NULL;
    dcs_image_report *r = calloc(1, sizeof *r);
    if (!r)
        return nomem(err);
    r->complete = true;
    dcs_status st = dcs_image_open(root, &r->img, err);
    if (st == DCS_OK && build(r) != DCS_OK)
        st = nomem(err);
    if (st != DCS_OK) {
        dcs_image_report_free(r);
        return st;
    }
    *out = r;
    return DCS_OK;
}

void dcs_image_report_free(dcs_image_report *r)
{
    if (!r)
        return;
    for (size_t i = 0; i < r->n; i++)
        hive_free(r->h[i]);
    free(r->h);
    dcs_image_free(r->img);
    free(r);
}

/* ---- views ---- */

const char *dcs_image_report_root(const dcs_image_report *r)
{
    return r->img->root;
}

bool dcs_image_report_complete(const dcs_image_report *r)
{
    return r->complete;
}

size_t dcs_image_report_count(const dcs_image_report *r)
{
    return r->n;
}

const dcs_image_hive *dcs_image_report_hive(const dcs_image_report *r, size_t i)
{
    return i < r->n ? r->h[i] : NULL;
}

enum dcs_image_kind dcs_image_hive_kind(const dcs_image_hive *h)
{
    return h->kind;
}

const char *dcs_image_hive_label(const dcs_image_hive *h)
{
    return h->label;
}

const char *dcs_image_hive_sid(const dcs_image_hive *h)
{
    return h->sid;
}

const char *dcs_image_hive_path(const dcs_image_hive *h)
{
    return h->path;
}

const struct dcs_error *dcs_image_hive_error(const dcs_image_hive *h)
{
    return h->failed ? &h->err : NULL;
}

const char *dcs_image_hive_dirty(const dcs_image_hive *h)
{
    return h->dirty;
}

unsigned dcs_image_hive_recovered(const dcs_image_hive *h)
{
    return h->recovered;
}

const struct dcs_apply_current *dcs_image_hive_values(const dcs_image_hive *h)
{
    return h->have_snap ? &h->snap.cur : NULL;
}

bool dcs_image_hive_twins_differ(const dcs_image_hive *h)
{
    return h->twins_differ;
}

size_t dcs_image_hive_disagree_count(const dcs_image_hive *h)
{
    return h->ndisagree;
}

const char *dcs_image_hive_disagree(const dcs_image_hive *h, size_t i)
{
    return i < h->ndisagree ? h->disagree[i] : NULL;
}

size_t dcs_image_hive_plain_count(const dcs_image_hive *h)
{
    return h->have_snap && h->kind != DCS_IMAGE_MACHINE ? NPLAIN : 0;
}

const struct dcs_image_plain *dcs_image_hive_plain(const dcs_image_hive *h, size_t i)
{
    return i < dcs_image_hive_plain_count(h) ? &h->plain[i] : NULL;
}

enum dcs_image_policy dcs_image_report_policy(const dcs_image_report *r)
{
    for (size_t i = 0; i < r->n; i++) {
        const struct dcs_image_hive *h = r->h[i];
        if (h->kind != DCS_IMAGE_MACHINE || !h->have_snap)
            continue;
        const struct dcs_apply_value *v =
            dcs_image_hive_value(h, DCS_KEY_POLICY_INTERNET_SETTINGS, DCS_VALUE_PER_USER);
        if (!v)
            return DCS_IMAGE_POLICY_ABSENT;
        /* only a DWORD 0 switches to the machine's settings (ReadRegSettings) */
        bool zero = v->type == DCS_REG_DWORD && v->data.len == 4 &&
                    !(v->data.ptr[0] | v->data.ptr[1] | v->data.ptr[2] | v->data.ptr[3]);
        return zero ? DCS_IMAGE_POLICY_MACHINE : DCS_IMAGE_POLICY_PER_USER;
    }
    return DCS_IMAGE_POLICY_UNKNOWN;
}
