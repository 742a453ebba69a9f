/* The source side of `dcs apply`: the blob(s) to copy, loaded from a blob
 * file, a user's hive or a .reg file, or the parameters of a mode; and the
 * --reg-out writer for live machines. */
#ifndef DCS_TOOLS_APPLY_SOURCE_H
#define DCS_TOOLS_APPLY_SOURCE_H

#include <jansson.h>

#include "apply_run.h"

struct apply_source_data {
    uint8_t *blob;      /* DefaultConnectionSettings (malloc'd) */
    size_t blob_len;
    uint8_t *saved;     /* SavedLegacySettings when the source has one */
    size_t saved_len;
    uint8_t *text;      /* the .reg file when the source is one */
    char origin[1024];  /* "FILE", "FILE [KEY]", "mode manual_proxy" */
};

/* Fill o->src from the chosen source.  Returns an exit code; err says why. */
int apply_source_load(struct apply_opts *o, struct apply_source_data *d, struct dcs_error *err);
void apply_source_free(struct apply_source_data *d);
json_t *apply_source_json(const struct apply_source_data *d, const struct dcs_apply_source *src);

/* --from-reg: find DefaultConnectionSettings (and SavedLegacySettings) under
 * a ...\Internet Settings\Connections key of the .reg at path; several
 * candidate keys are an error listing them unless key picks one. */
int apply_source_from_reg(const char *path, const char *key, struct apply_source_data *d,
                          struct dcs_error *err);

/* --reg-out: write the plan for each target SID as a regedit .reg file. */
int apply_reg_out(struct apply_opts *o);

#endif
