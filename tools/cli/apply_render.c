/* Text and JSON views of the applier's targets and source. */
#include "apply_render.h"

#include <string.h>

#include "blobview.h"
#include "cli.h"
#include "json.h"

void render_warning(void *ctx, const struct dcs_error *w)
{
    const char *name = ctx;
    if (name && (w->line || w->offset != DCS_NO_OFFSET))
        cli_report(name, w);
    else
        cli_warnf("%s", w->message);
}

json_t *render_blob_json(const uint8_t *data, size_t len)
{
    struct dcs_blob b;
    if (!data || dcs_blob_decode(data, len, DCS_DECODE_LENIENT, &b, NULL) != DCS_OK)
        return json_null();
    json_t *o = json_from_blob(&b, len);
    return o ? o : json_null();
}

static const struct dcs_apply_step *main_step(const dcs_apply_target *t,
                                              const struct dcs_apply_plan *p)
{
    if (!dcs_apply_target_machine(t))
        return dcs_apply_plan_find(p, DCS_KEY_CONNECTIONS, DCS_VALUE_DEFAULT);
    /* the machine-wide blob when it is planned, else WinHttpSettings */
    const struct dcs_apply_step *s =
        dcs_apply_plan_find(p, DCS_KEY_MACHINE_CONNECTIONS, DCS_VALUE_DEFAULT);
    return s ? s : dcs_apply_plan_find(p, DCS_KEY_MACHINE_CONNECTIONS, DCS_VALUE_WINHTTP);
}

static const char *state_name(enum dcs_apply_target_state s)
{
    return s == DCS_APPLY_TARGET_OK ? "ok" : s == DCS_APPLY_TARGET_REFUSED ? "refused" : "error";
}

static void print_blob_line(FILE *out, const char *what, const uint8_t *data, size_t len,
                            bool present)
{
    struct dcs_blob b;
    fprintf(out, "  %-8s ", what);
    if (!present)
        fputs("none (value absent)\n", out);
    else if (dcs_blob_decode(data, len, DCS_DECODE_LENIENT, &b, NULL) != DCS_OK)
        fprintf(out, "undecodable (%zu bytes)\n", len);
    else {
        fprintf(out, "[counter %u] ", b.counter);
        blobview_effective(out, &b);
    }
}

static void print_backups(FILE *out, const dcs_apply_target *t)
{
    const char *hive = dcs_apply_target_backup(t, DCS_APPLY_BACKUP_HIVE);
    const char *conn = dcs_apply_target_backup(t, DCS_APPLY_BACKUP_CONNECTIONS);
    const char *undo = dcs_apply_target_backup(t, DCS_APPLY_BACKUP_UNDO);
    if (hive)
        fprintf(out, "  backup:  %s\n", hive);
    if (conn)
        fprintf(out, "  backup:  %s\n", conn);
    if (undo)
        fprintf(out, "  undo:    %s\n", undo);
}

const char *render_hint(dcs_status code, unsigned flags)
{
    if (code == DCS_ERR_APPLY_AMBIGUOUS)
        return "pick one with --key";
    if (code != DCS_ERR_HIVE_DIRTY || (flags & DCS_APPLY_FORCE))
        return NULL;
    if (flags & DCS_APPLY_RECOVER)
        return "--force writes it anyway; its pending log changes are lost";
    return "--recover replays its logs, --force discards them";
}

void render_target_text(FILE *out, const dcs_apply_target *t, unsigned flags)
{
    enum dcs_apply_target_state state = dcs_apply_target_state(t);
    fprintf(out, "%s\n", dcs_apply_target_label(t));
    if (dcs_apply_target_note(t)[0])
        fprintf(out, "  note:    %s\n", dcs_apply_target_note(t));
    if (state != DCS_APPLY_TARGET_OK) {
        const struct dcs_error *e = dcs_apply_target_error(t);
        const char *hint = render_hint(e->code, flags);
        fprintf(out, "  %s: %s\n", state_name(state), e->message);
        if (hint)
            fprintf(out, "  hint:    %s\n", hint);
        return;
    }
    const struct dcs_apply_plan *p = dcs_apply_target_plan(t);
    if (!p)
        return;
    const struct dcs_apply_step *s0 = main_step(t, p);
    fprintf(out, "  action:  %s\n", dcs_apply_action_name(p->action));
    if (s0) {
        print_blob_line(out, "current:", s0->old.ptr, s0->old.len, s0->had);
        if (s0->action == DCS_APPLY_UNCHANGED)
            fputs("  new:      same (counter aside)\n", out);
        else
            print_blob_line(out, "new:", s0->wanted, s0->wanted_len, true);
    }
    for (size_t i = 0; i < p->nsteps; i++) {
        const struct dcs_apply_step *s = &p->steps[i];
        fprintf(out, "    %-28s %s%s\n", s->name, dcs_apply_action_name(s->action),
                strcmp(s->key, DCS_KEY_MACHINE_CONNECTIONS_WOW64) == 0 ? " (WOW6432Node)"
                : strcmp(s->key, DCS_KEY_POLICY_INTERNET_SETTINGS) == 0
                    ? " (policy: every account uses HKLM's settings)"
                    : "");
    }
    print_backups(out, t);
}

static json_t *steps_json(const struct dcs_apply_plan *p)
{
    json_t *steps = json_array();
    for (size_t i = 0; i < p->nsteps; i++) {
        const struct dcs_apply_step *s = &p->steps[i];
        json_t *so = json_object();
        json_object_set_new(so, "key", json_string(s->key));
        json_object_set_new(so, "value", json_string(s->name));
        json_object_set_new(so, "action", json_string(dcs_apply_action_name(s->action)));
        if (strcmp(s->key, DCS_KEY_POLICY_INTERNET_SETTINGS) == 0)
            json_object_set_new(so, "kind", json_string("policy"));
        json_array_append_new(steps, so);
    }
    return steps;
}

static void backups_json(json_t *o, const dcs_apply_target *t)
{
    static const struct {
        enum dcs_apply_backup which;
        const char *name;
    } keys[] = {{DCS_APPLY_BACKUP_HIVE, "backup_hive"},
                {DCS_APPLY_BACKUP_CONNECTIONS, "backup_connections_reg"},
                {DCS_APPLY_BACKUP_UNDO, "backup_undo_reg"}};
    for (size_t i = 0; i < 3; i++) {
        const char *path = dcs_apply_target_backup(t, keys[i].which);
        if (path)
            json_object_set_new(o, keys[i].name, json_string(path));
    }
}

json_t *render_target_json(const dcs_apply_target *t)
{
    json_t *o = json_object();
    if (!o)
        return NULL;
    enum dcs_apply_target_state state = dcs_apply_target_state(t);
    const char *sid = dcs_apply_target_sid(t);
    json_object_set_new(o, "label", json_string(dcs_apply_target_label(t)));
    json_object_set_new(o, "sid", sid ? json_string(sid) : json_null());
    json_object_set_new(o, "hive", json_string(dcs_apply_target_shown(t)));
    json_object_set_new(o, "kind", json_string(dcs_image_kind_name(dcs_apply_target_kind(t))));
    json_object_set_new(o, "state", json_string(state_name(state)));
    if (dcs_apply_target_note(t)[0])
        json_object_set_new(o, "note", json_string(dcs_apply_target_note(t)));
    if (state != DCS_APPLY_TARGET_OK) {
        json_object_set_new(o, "error", json_string(dcs_apply_target_error(t)->message));
        json_object_set_new(o, "error_code", json_integer(dcs_apply_target_error(t)->code));
        return o;
    }
    const struct dcs_apply_plan *p = dcs_apply_target_plan(t);
    if (!p)
        return o;
    json_object_set_new(o, "action", json_string(dcs_apply_action_name(p->action)));
    const struct dcs_apply_step *s0 = main_step(t, p);
    if (s0) {
        json_object_set_new(o, "current",
                            s0->had ? render_blob_json(s0->old.ptr, s0->old.len) : json_null());
        json_object_set_new(o, "new", render_blob_json(s0->wanted, s0->wanted_len));
    }
    json_object_set_new(o, "values", steps_json(p));
    backups_json(o, t);
    return o;
}

static json_t *jbytes(dcs_bytes b)
{
    return json_stringn(b.len ? (const char *)b.ptr : "", b.len);
}

json_t *render_source_json(const dcs_applier *a)
{
    const struct dcs_apply_source *src = dcs_applier_source(a);
    json_t *o = json_object();
    if (!src)
        return o;
    json_object_set_new(o, "origin", json_string(dcs_applier_origin(a)));
    json_object_set_new(o, "mode", json_string(dcs_apply_mode_name(src->mode)));
    if (src->mode == DCS_MODE_COPY) {
        json_object_set_new(o, "blob", render_blob_json(src->blob.ptr, src->blob.len));
        if (src->saved_legacy.len)
            json_object_set_new(o, "saved_legacy",
                                render_blob_json(src->saved_legacy.ptr, src->saved_legacy.len));
    } else {
        json_object_set_new(o, "proxy", jbytes(src->proxy));
        json_object_set_new(o, "bypass", jbytes(src->bypass));
        json_object_set_new(o, "pac", jbytes(src->pac));
    }
    return o;
}
