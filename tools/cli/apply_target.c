/* One target of `dcs apply`: open, snapshot, report. */
#include "apply_target.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "blobview.h"
#include "cli.h"
#include "json.h"

enum target_state target_classify(dcs_status code)
{
    switch (code) {
    case DCS_ERR_HIVE_SIGNATURE:
    case DCS_ERR_HIVE_CHECKSUM:
    case DCS_ERR_HIVE_VERSION:
    case DCS_ERR_HIVE_TYPE:
    case DCS_ERR_HIVE_DIRTY:
    case DCS_ERR_HIVE_TRUNCATED:
    case DCS_ERR_HIVE_CORRUPT:
        return TARGET_REFUSED;
    default:
        return TARGET_ERROR;
    }
}

bool target_open(struct apply_target *t, bool read_only, bool force, bool recover)
{
    dcs_error_clear(&t->err);
    unsigned flags = read_only ? DCS_HIVE_READ : DCS_HIVE_WRITE;
    if (force)
        flags |= DCS_HIVE_FORCE;
    if (recover)
        flags |= DCS_HIVE_RECOVER;
    dcs_status rc = dcs_hive_open(t->path, flags, &t->hive, &t->err);
    bool dirty = rc == DCS_OK && dcs_hive_get_state(t->hive)->dirty &&
                 !dcs_hive_get_state(t->hive)->recovered;
    if (rc == DCS_ERR_HIVE_DIRTY) { /* the library names no flags: say which exist, first */
        char why[sizeof t->err.message];
        memcpy(why, t->err.message, sizeof why);
        dcs_error_set(&t->err, rc, DCS_NO_OFFSET, "%s (%s): %s", t->shown,
                      recover ? "its logs cannot be replayed safely"
                              : "--recover replays its logs, --force discards them",
                      why);
    }
    if (dirty && read_only && !force)
        rc = dcs_error_set(&t->err, DCS_ERR_HIVE_DIRTY, DCS_NO_OFFSET,
                           "%s is dirty (--recover replays its logs, --force discards them): "
                           "%s; it would be refused",
                           t->shown, dcs_hive_get_state(t->hive)->reason);
    if (rc == DCS_OK && !dirty && dcs_hive_get_state(t->hive)->dirty)
        cli_warnf("%s is dirty; --recover: read and written with its transaction logs "
                  "replayed (%u entries)",
                  t->shown, dcs_hive_get_state(t->hive)->recovered_entries);
    if (dirty && force)
        cli_warnf("%s is dirty (%s); --force: the changes pending in its transaction logs "
                  "will be lost",
                  t->shown, dcs_hive_get_state(t->hive)->reason);
    if (rc == DCS_OK)
        rc = dcs_apply_snapshot_read(t->hive, t->machine, &t->snap, &t->err);
    if (rc != DCS_OK) {
        t->state = target_classify(rc);
        return false;
    }
    return true;
}

void target_free(struct apply_target *t)
{
    if (t->planned)
        dcs_apply_plan_free(&t->plan);
    dcs_apply_snapshot_free(&t->snap);
    dcs_hive_close(t->hive);
    t->hive = NULL;
    free(t->path);
    t->path = NULL;
}

bool target_current_blob(const struct apply_target *t, const char *key, const char *name,
                         struct dcs_blob *out, size_t *size)
{
    for (size_t i = 0; i < t->snap.cur.nvalues; i++) {
        const struct dcs_apply_value *v = &t->snap.cur.values[i];
        if (strcasecmp(v->key, key) == 0 && strcasecmp(v->name, name) == 0) {
            *size = v->data.len;
            return v->type == DCS_REG_BINARY &&
                   dcs_blob_decode(v->data.ptr, v->data.len, DCS_DECODE_LENIENT, out, NULL) ==
                       DCS_OK;
        }
    }
    return false;
}

json_t *target_blob_json(const uint8_t *data, size_t len)
{
    struct dcs_blob b;
    if (!data || dcs_blob_decode(data, len, DCS_DECODE_LENIENT, &b, NULL) != DCS_OK)
        return json_null();
    json_t *o = json_from_blob(&b, len);
    return o ? o : json_null();
}

static const char *main_key(const struct apply_target *t)
{
    return t->machine ? DCS_KEY_MACHINE_CONNECTIONS : DCS_KEY_CONNECTIONS;
}

static const char *main_value(const struct apply_target *t)
{
    return t->machine ? DCS_VALUE_WINHTTP : DCS_VALUE_DEFAULT;
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

void target_print(FILE *out, const struct apply_target *t)
{
    fprintf(out, "%s\n", t->label);
    if (t->note[0])
        fprintf(out, "  note:    %s\n", t->note);
    if (t->state != TARGET_OK) {
        fprintf(out, "  %s: %s\n", t->state == TARGET_REFUSED ? "refused" : "error",
                t->err.message);
        return;
    }
    if (!t->planned)
        return;
    const struct dcs_apply_step *s0 = dcs_apply_plan_find(&t->plan, main_key(t), main_value(t));
    fprintf(out, "  action:  %s\n", dcs_apply_action_name(t->plan.action));
    if (s0) {
        print_blob_line(out, "current:", s0->old.ptr, s0->old.len, s0->had);
        if (s0->action == DCS_APPLY_UNCHANGED)
            fputs("  new:      same (counter aside)\n", out);
        else
            print_blob_line(out, "new:", s0->wanted, s0->wanted_len, true);
    }
    for (size_t i = 0; i < t->plan.nsteps; i++) {
        const struct dcs_apply_step *s = &t->plan.steps[i];
        fprintf(out, "    %-28s %s%s\n", s->name, dcs_apply_action_name(s->action),
                strcmp(s->key, DCS_KEY_MACHINE_CONNECTIONS_WOW64) == 0 ? " (WOW6432Node)" : "");
    }
    if (t->backup_hive[0])
        fprintf(out, "  backup:  %s\n", t->backup_hive);
    if (t->backup_conn[0])
        fprintf(out, "  backup:  %s\n", t->backup_conn);
    if (t->backup_reg[0])
        fprintf(out, "  undo:    %s\n", t->backup_reg);
}

json_t *target_json(const struct apply_target *t)
{
    json_t *o = json_object();
    if (!o)
        return NULL;
    const char *state =
        t->state == TARGET_OK ? "ok" : t->state == TARGET_REFUSED ? "refused" : "error";
    json_object_set_new(o, "label", json_string(t->label));
    json_object_set_new(o, "sid", t->machine ? json_null() : json_string(t->sid));
    json_object_set_new(o, "hive", json_string(t->shown));
    json_object_set_new(o, "kind", json_string(t->machine ? "machine" : "user"));
    json_object_set_new(o, "state", json_string(state));
    if (t->note[0])
        json_object_set_new(o, "note", json_string(t->note));
    if (t->state != TARGET_OK) {
        json_object_set_new(o, "error", json_string(t->err.message));
        json_object_set_new(o, "error_code", json_integer(t->err.code));
        return o;
    }
    if (!t->planned)
        return o;
    json_object_set_new(o, "action", json_string(dcs_apply_action_name(t->plan.action)));
    const struct dcs_apply_step *s0 = dcs_apply_plan_find(&t->plan, main_key(t), main_value(t));
    if (s0) {
        json_object_set_new(o, "current",
                            s0->had ? target_blob_json(s0->old.ptr, s0->old.len) : json_null());
        json_object_set_new(o, "new", target_blob_json(s0->wanted, s0->wanted_len));
    }
    json_t *steps = json_array();
    for (size_t i = 0; i < t->plan.nsteps; i++) {
        const struct dcs_apply_step *s = &t->plan.steps[i];
        json_t *so = json_object();
        json_object_set_new(so, "key", json_string(s->key));
        json_object_set_new(so, "value", json_string(s->name));
        json_object_set_new(so, "action", json_string(dcs_apply_action_name(s->action)));
        json_array_append_new(steps, so);
    }
    json_object_set_new(o, "values", steps);
    if (t->backup_hive[0])
        json_object_set_new(o, "backup_hive", json_string(t->backup_hive));
    if (t->backup_conn[0])
        json_object_set_new(o, "backup_connections_reg", json_string(t->backup_conn));
    if (t->backup_reg[0])
        json_object_set_new(o, "backup_undo_reg", json_string(t->backup_reg));
    return o;
}
