/* The flow of `dcs apply` once its options are parsed: load the source,
 * find and open the targets, plan, print, back up, execute. */
#ifndef DCS_TOOLS_APPLY_RUN_H
#define DCS_TOOLS_APPLY_RUN_H

#include <stdbool.h>
#include <stddef.h>

#include <dcs/dcs.h>
#include "winimage.h"

struct apply_opts {
    const char *from_reg, *from_hive, *from_blob, *reg_key;
    const char *proxy, *bypass, *pac;
    const char *windows, *reg_out, *software, *backup_dir;
    const char **sids;
    size_t nsids;
    const char **hives; /* "SID=PATH" */
    size_t nhives;
    const char **connections;
    size_t nconnections;
    bool all_services, check, winhttp, dry_run, force, json;
    bool recover; /* replay dirty hives' logs first (DCS_HIVE_RECOVER) */
    struct dcs_apply_source src;
    struct dcs_apply_options opt;
};

/* Returns the exit code. */
int apply_run(struct apply_opts *o);

#endif
