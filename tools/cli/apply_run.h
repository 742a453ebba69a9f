/* The flow of `dcs apply` once its options are parsed: a thin shell over the
 * library's applier (dcs/apply.h) that renders and picks the exit code. */
#ifndef DCS_TOOLS_APPLY_RUN_H
#define DCS_TOOLS_APPLY_RUN_H

#include <stdbool.h>
#include <stddef.h>

#include <dcs/dcs.h>

struct apply_opts {
    const char *from_reg, *from_hive, *from_blob, *mode_name, *reg_key;
    const char *proxy, *bypass, *pac;
    const char *windows, *reg_out, *software, *backup_dir;
    const char *gpp_out, *cmd_out; /* Registry.xml, reg add batch file for live machines */
    const char *wim;               /* FILE[:INDEX] */
    uint64_t filetime;             /* SOURCE_DATE_EPOCH; 0: the clock */
    const char **sids;
    size_t nsids;
    const char **hives; /* "SID=PATH" */
    size_t nhives;
    const char **connections;
    size_t nconnections;
    const char **expect_proxy; /* URLs the settings must send through the proxy */
    size_t nexpect_proxy;
    bool all_services, check, winhttp, dry_run, force, json;
    bool recover; /* replay dirty hives' logs first (DCS_APPLY_RECOVER) */
    bool only_default, no_plain_values, all_connections;
    bool machine, default_profile, all_users; /* the places beyond the accounts */
    bool wim_replace; /* --wim without FUSE: extract, edit, replace in the WIM */
    enum dcs_apply_mode mode;
};

/* Returns the exit code. */
int apply_run(const struct apply_opts *o);
/* The applier for o, with image root windows (NULL: o->windows). */
int apply_run_at(const struct apply_opts *o, const char *windows);
/* --wim: the same run inside a WIM image (apply_wim.c). */
int apply_run_wim(const struct apply_opts *o);

#endif
