/* dcs — .reg files into and out of offline hives.
 *
 * A hive does not store where it is mounted, so both directions take a
 * prefix: the long-form key the hive root stands for ("HKEY_USERS\\S-1-5-19").
 * Key names are matched against it case-insensitively.
 *
 * Import applies the operations of a .reg file (dcs_reg_reader) to an open,
 * writable hive, in memory: [KEY] creates the key and its missing parents,
 * "v"=data creates or replaces a value (whatever its old type), "v"=-
 * deletes a value, [-KEY] deletes a subtree.  The engine writes each key's
 * value and subkey lists once, at commit.  A key outside the prefix fails the
 * whole import (DCS_ERR_APPLY_PREFIX with line:column); the caller commits
 * (dcs_hive_commit_all) only on success, so nothing is written then.
 *
 * Export writes a key and its subtree in regedit's layout through a
 * dcs_reg_writer: keys depth-first in stored (sorted) order, values in stored
 * order, each key named prefix\path.
 */
#ifndef DCS_HIVE_REG_H
#define DCS_HIVE_REG_H

#include <stdint.h>

#include <dcs/error.h>
#include <dcs/hive.h>
#include <dcs/regio.h>
#include <dcs/regread.h>
#include <dcs/regwrite.h>

#ifdef __cplusplus
extern "C" {
#endif

struct dcs_hive_import_stats {
    uint64_t keys_created, keys_deleted, values_set, values_deleted, warnings;
};

/* warn (may be NULL) gets each reader warning: a skipped line, lossy input. */
DCS_API dcs_status dcs_hive_import_reg(dcs_hive *h, const char *prefix,
                               const struct dcs_reg_reader_options *ropt,
                               dcs_reg_source *src, dcs_warn_fn warn, void *warn_ctx,
                               struct dcs_hive_import_stats *stats, struct dcs_error *err);

/* Export key (a path in the hive, "" = root) and its subtree. */
DCS_API dcs_status dcs_hive_export_reg(dcs_hive *h, const char *prefix, const char *key,
                               dcs_reg_writer *w, struct dcs_error *err);

#ifdef __cplusplus
}
#endif
#endif
