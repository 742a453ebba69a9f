/* One target hive of `dcs apply` (and the reading side shared with
 * `dcs show`): open, snapshot, plan, report as text or JSON. */
#ifndef DCS_TOOLS_APPLY_TARGET_H
#define DCS_TOOLS_APPLY_TARGET_H

#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>

#include <dcs/dcs.h>

enum target_state {
    TARGET_OK = 0,
    TARGET_REFUSED, /* dirty or damaged hive: exit 3 */
    TARGET_ERROR    /* anything else: exit 1 */
};

struct apply_target {
    char sid[96];           /* "S-1-5-18", or "" for the machine hive */
    char *path;             /* hive file (malloc'd) */
    char shown[512];        /* path as printed */
    char label[700];        /* "LocalSystem (S-1-5-18, .DEFAULT) Windows/..." */
    char note[400];         /* remark from locating it, or "" */
    bool machine;           /* SOFTWARE hive: WinHttpSettings */
    dcs_hive *hive;
    struct dcs_apply_snapshot snap;
    struct dcs_apply_plan plan;
    bool planned;
    enum target_state state;
    struct dcs_error err;
    char backup_hive[1024];  /* where the previous hive was saved, or "" */
    char backup_reg[1024];   /* the undo .reg (old data of every changed value), or "" */
    char backup_conn[1024];  /* the previous Connections key as a .reg, or "" */
};

/* Open (writable unless read_only; force lets a dirty hive be written,
 * recover replays its logs first) and read the snapshot.  On failure sets
 * t->state/err and returns false. */
bool target_open(struct apply_target *t, bool read_only, bool force, bool recover);
void target_free(struct apply_target *t);

/* Exit-code class of a failed open: refused (unsafe hive) or error. */
enum target_state target_classify(dcs_status code);

/* Text: label, action, current and new settings, per-value actions. */
void target_print(FILE *out, const struct apply_target *t);
/* JSON object for one target. */
json_t *target_json(const struct apply_target *t);

/* The current blob value `name` under `key` in the snapshot, decoded;
 * false when absent or undecodable. */
bool target_current_blob(const struct apply_target *t, const char *key, const char *name,
                         struct dcs_blob *out, size_t *size);

/* JSON for a blob's bytes (decoded), or null. */
json_t *target_blob_json(const uint8_t *data, size_t len);

#endif
