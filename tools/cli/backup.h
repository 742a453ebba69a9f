/* Backups made by `dcs apply` before it changes a hive: a copy of the hive
 * file and a .reg that undoes the planned changes. */
#ifndef DCS_TOOLS_BACKUP_H
#define DCS_TOOLS_BACKUP_H

#include "apply_target.h"

/* Save t's hive (and its undo .reg) into dir, or when dir is NULL into
 * "dcs-backup-<stamp>" beside the hive; fills t->backup_hive/backup_reg. */
dcs_status backup_target(struct apply_target *t, const char *dir, const char *stamp,
                         struct dcs_error *err);

/* After a forced write of a dirty hive: remove the transaction logs that
 * still held changes (copied by backup_target), so that Windows cannot replay
 * them over the new content. */
void backup_drop_pending_logs(struct apply_target *t);

/* Copy a file to a new path (never overwrites), fsync'd. */
dcs_status backup_copy_file(const char *src, const char *dst, struct dcs_error *err);

/* mkdir -p */
dcs_status backup_mkdirs(const char *dir, struct dcs_error *err);

#endif
