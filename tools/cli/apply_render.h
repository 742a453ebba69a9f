/* Rendering what the library's applier and image report hold, for
 * `dcs apply` and `dcs show`: text or JSON from the same views. */
#ifndef DCS_TOOLS_APPLY_RENDER_H
#define DCS_TOOLS_APPLY_RENDER_H

#include <jansson.h>
#include <stdio.h>

#include <dcs/dcs.h>

/* The CLI's warning callback (dcs_warn_fn): "dcs: NAME:3:4: message" for a
 * warning with a location in the input named by ctx (a const char *, may be
 * NULL), else "dcs: warning: message". */
void render_warning(void *ctx, const struct dcs_error *w);

/* JSON for a blob's bytes (decoded), or null. */
json_t *render_blob_json(const uint8_t *data, size_t len);

/* What the user can do about a library error, in command-line words,
 * mapped from its code and the DCS_APPLY_* flags of the run (the library
 * describes modes, never flags): DCS_ERR_HIVE_DIRTY names --recover and
 * --force, DCS_ERR_APPLY_AMBIGUOUS --key.  NULL: nothing to add. */
const char *render_hint(dcs_status code, unsigned flags);

/* One target: label, action, current and new settings, per-value actions,
 * backups; a refused or failed target its error and, mapped from the error
 * code and the DCS_APPLY_* flags of the run, the option that would help. */
void render_target_text(FILE *out, const dcs_apply_target *t, unsigned flags);
json_t *render_target_json(const dcs_apply_target *t);
/* The applier's source (origin, mode, blob or parameters). */
json_t *render_source_json(const dcs_applier *a);

#endif
