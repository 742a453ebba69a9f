/* Read-only views of an applier and its targets (apply.h). */
#include "apply/apply_internal.h"

size_t dcs_applier_count(const dcs_applier *a)
{
    return a->n;
}

const dcs_apply_target *dcs_applier_target(const dcs_applier *a, size_t i)
{
    return i < a->n ? a->t[i] : NULL;
}

const struct dcs_apply_source *dcs_applier_source(const dcs_applier *a)
{
    return a->have_source ? &a->src : NULL;
}

const char *dcs_applier_origin(const dcs_applier *a)
{
    return a->have_source ? a->origin : NULL;
}

const char *dcs_apply_target_sid(const dcs_apply_target *t)
{
    return t->machine || !t->sid[0] ? NULL : t->sid;
}

bool dcs_apply_target_machine(const dcs_apply_target *t)
{
    return t->machine;
}

const char *dcs_apply_target_path(const dcs_apply_target *t)
{
    return t->path;
}

const char *dcs_apply_target_shown(const dcs_apply_target *t)
{
    return t->shown;
}

const char *dcs_apply_target_label(const dcs_apply_target *t)
{
    return t->label;
}

const char *dcs_apply_target_note(const dcs_apply_target *t)
{
    return t->note;
}

enum dcs_apply_target_state dcs_apply_target_state(const dcs_apply_target *t)
{
    return t->state;
}

const struct dcs_error *dcs_apply_target_error(const dcs_apply_target *t)
{
    return &t->err;
}

const struct dcs_apply_plan *dcs_apply_target_plan(const dcs_apply_target *t)
{
    return t->planned ? &t->plan : NULL;
}

const struct dcs_apply_current *dcs_apply_target_current(const dcs_apply_target *t)
{
    return t->have_snap ? &t->snap.cur : NULL;
}

const char *dcs_apply_target_backup(const dcs_apply_target *t, enum dcs_apply_backup which)
{
    return (unsigned)which < 3 ? t->backup[which] : NULL;
}

enum dcs_image_kind dcs_apply_target_kind(const dcs_apply_target *t)
{
    return t->kind;
}
