/* The undo .reg written beside each hive backup. */
#ifndef DCS_TOOLS_BACKUP_REG_H
#define DCS_TOOLS_BACKUP_REG_H

#include "apply_target.h"

/* Write a regedit .reg that puts back every value t's plan changes (old
 * data for values that existed, "Name"=- for values the plan creates),
 * under HKEY_USERS\<SID> (HKEY_LOCAL_MACHINE\SOFTWARE for the machine). */
dcs_status backup_write_undo_reg(const struct apply_target *t, const char *path,
                                 struct dcs_error *err);

/* Export t's current Connections key (before the edits) as a .reg file. */
dcs_status backup_write_connections_reg(const struct apply_target *t, const char *path,
                                        struct dcs_error *err);

#endif
