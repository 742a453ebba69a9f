/* dcs — the service-account applier: plan, then execute.
 *
 * Planning is pure: the current values of one target (a user-type hive such
 * as DEFAULT or a service profile's NTUSER.DAT, or the machine's SOFTWARE
 * hive for WinHttpSettings) plus the source settings give a list of steps,
 * one per registry value: create, update, delete or unchanged.  Nothing is
 * read or written; a test can build every input by hand.
 *
 * Executing reads the current values from open hives (dcs_apply_snapshot_read),
 * performs the steps in memory (dcs_apply_edit) and commits every changed hive
 * all-or-nothing (dcs_hive_commit_all).
 *
 * What a user-hive plan covers (key paths relative to the hive root):
 *   Connections: DefaultConnectionSettings, SavedLegacySettings (unless
 *     only_default), each connectoid named in the options;
 *   Internet Settings (unless no_plain_values): ProxyEnable (REG_DWORD 1 when
 *     the blob's PROXY bit is set and the proxy is non-empty, else 0),
 *     ProxyServer and ProxyOverride (REG_SZ, the blob's proxy and bypass
 *     strings, deleted when empty, kept when the bit is off as Windows does),
 *     AutoConfigURL (REG_SZ, only while the PAC bit is set and the URL is not
 *     blank; deleted otherwise).
 * A copied blob (DCS_MODE_COPY) is written byte for byte; a blob built from a
 * mode follows Windows: bit 0x01 set, counter one above the target value's
 * current counter, autodiscovery flags kept.  A value is unchanged when its
 * current blob equals the wanted one ignoring the counter
 * (DCS_EQUAL_IGNORE_COUNTER); plain values when type and string (trailing
 * NULs aside) or DWORD are equal.
 *
 * Modes (bitsadmin /util /setieproxy; codec/proxylist/FORMAT.md §3): a mode sets
 * the flags and its own parameters; the other strings of the target's current
 * blob are kept, as bitsadmin does:
 *   NO_PROXY 0x01; AUTODETECT 0x09; MANUAL_PROXY 0x03 + proxy, bypass;
 *   AUTOSCRIPT 0x0D + PAC URL; RESET 0x01 with the proxy string emptied.
 */
#ifndef DCS_APPLY_H
#define DCS_APPLY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <dcs/blob.h>
#include <dcs/error.h>
#include <dcs/hive.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Key paths inside a user-type hive (HKU\<SID>) ... */
#define DCS_KEY_INTERNET_SETTINGS "Software\\Microsoft\\Windows\\CurrentVersion\\Internet Settings"
#define DCS_KEY_CONNECTIONS DCS_KEY_INTERNET_SETTINGS "\\Connections"
/* ... and inside the SOFTWARE hive (HKLM\SOFTWARE). */
#define DCS_KEY_MACHINE_CONNECTIONS \
    "Microsoft\\Windows\\CurrentVersion\\Internet Settings\\Connections"
#define DCS_KEY_MACHINE_CONNECTIONS_WOW64 \
    "WOW6432Node\\Microsoft\\Windows\\CurrentVersion\\Internet Settings\\Connections"

/* Machine-wide settings (SOFTWARE hive): HKLM's own Internet Settings, and
 * the policy key whose ProxySettingsPerUser = REG_DWORD 0 makes Windows use
 * HKLM's Connections for every account instead of each user's
 * (spec: blob-format.md §1). */
#define DCS_KEY_MACHINE_INTERNET_SETTINGS "Microsoft\\Windows\\CurrentVersion\\Internet Settings"
#define DCS_KEY_POLICY_INTERNET_SETTINGS \
    "Policies\\Microsoft\\Windows\\CurrentVersion\\Internet Settings"
#define DCS_VALUE_PER_USER "ProxySettingsPerUser"

#define DCS_VALUE_DEFAULT "DefaultConnectionSettings"
#define DCS_VALUE_SAVED_LEGACY "SavedLegacySettings"
#define DCS_VALUE_WINHTTP "WinHttpSettings"

enum dcs_apply_mode {
    DCS_MODE_COPY = 0,     /* copy the source blob(s) byte for byte */
    DCS_MODE_NO_PROXY,
    DCS_MODE_AUTODETECT,
    DCS_MODE_MANUAL_PROXY,
    DCS_MODE_AUTOSCRIPT,
    DCS_MODE_RESET
};

/* Parse "no_proxy", "autodetect", "manual_proxy", "autoscript", "reset"
 * (case-insensitive).  Returns false for anything else. */
DCS_API bool dcs_apply_mode_parse(const char *s, enum dcs_apply_mode *out);
DCS_API const char *dcs_apply_mode_name(enum dcs_apply_mode mode);

struct dcs_apply_source {
    enum dcs_apply_mode mode;
    /* DCS_MODE_COPY: DefaultConnectionSettings to copy, and optionally the
     * source's SavedLegacySettings (len 0: the DefaultConnectionSettings bytes
     * are written to SavedLegacySettings too). */
    dcs_bytes blob;
    dcs_bytes saved_legacy;
    /* modes: the parameters (MANUAL_PROXY: proxy, bypass; AUTOSCRIPT: pac) */
    dcs_bytes proxy, bypass, pac;
};

/* Check a source before planning: a copied blob must decode as a WinINET
 * blob (lenient), MANUAL_PROXY needs a proxy, AUTOSCRIPT a PAC URL. */
DCS_API dcs_status dcs_apply_source_check(const struct dcs_apply_source *src, struct dcs_error *err);

struct dcs_apply_options {
    bool only_default;             /* skip SavedLegacySettings */
    bool no_plain_values;          /* skip ProxyEnable & co. */
    const char *const *connections; /* connectoid value names to set too */
    size_t nconnections;
    bool all_connections;          /* every connectoid already in the hive */
};

/* One value as it is now.  Views; the caller keeps them alive. */
struct dcs_apply_value {
    const char *key;   /* DCS_KEY_* path (compared case-insensitively) */
    const char *name;
    uint32_t type;
    dcs_bytes data;
};

struct dcs_apply_current {
    const struct dcs_apply_value *values; /* values present (absent = not listed) */
    size_t nvalues;
    bool has_wow64;    /* machine hive: a WOW6432Node key exists */
};

enum dcs_apply_action {
    DCS_APPLY_UNCHANGED = 0,
    DCS_APPLY_CREATE,
    DCS_APPLY_UPDATE,
    DCS_APPLY_DELETE
};
DCS_API const char *dcs_apply_action_name(enum dcs_apply_action a); /* "create", ... */

struct dcs_apply_step {
    const char *key;        /* DCS_KEY_* */
    const char *name;       /* static, or a view into the options / current values */
    enum dcs_apply_action action;
    bool had;               /* the value exists now */
    uint32_t old_type;
    dcs_bytes old;          /* view into the current values */
    uint32_t type;          /* wanted type (not for DELETE) */
    uint8_t *wanted;        /* owned by the plan */
    size_t wanted_len;
};

/* Most values one plan may hold (a documented limit: connectoids beyond it
 * are refused with DCS_ERR_LIMIT). */
#define DCS_APPLY_MAX_STEPS 64

struct dcs_apply_plan {
    enum dcs_apply_action action; /* CREATE when the main value is new, UPDATE when
                                     any step changes, else UNCHANGED */
    size_t nsteps;
    struct dcs_apply_step *steps; /* nsteps of them, owned by the plan */
};

/* Plan a user-type hive (DefaultConnectionSettings & co.). */
DCS_API dcs_status dcs_apply_plan_user(const struct dcs_apply_source *src,
                               const struct dcs_apply_options *opt,
                               const struct dcs_apply_current *cur, struct dcs_apply_plan *out,
                               struct dcs_error *err);

/* Plan the machine's WinHttpSettings (SOFTWARE hive; also the WOW6432Node
 * copy when that key exists) the way `netsh winhttp import proxy source=ie`
 * would: dcs_blob_to_winhttp() of the wanted DefaultConnectionSettings,
 * version 0x28. */
DCS_API dcs_status dcs_apply_plan_machine(const struct dcs_apply_source *src,
                                  const struct dcs_apply_current *cur,
                                  struct dcs_apply_plan *out, struct dcs_error *err);

/* What a plan of the SOFTWARE hive covers (dcs_apply_plan_software). */
#define DCS_PLAN_MACHINE_WIDE 0x1u /* DefaultConnectionSettings (and SavedLegacySettings
                                      unless only_default) under HKLM's Connections key,
                                      then ProxySettingsPerUser = REG_DWORD 0 */
#define DCS_PLAN_WINHTTP 0x2u      /* WinHttpSettings, as dcs_apply_plan_machine */

/* Plan the SOFTWARE hive: what is one or both of DCS_PLAN_*; the
 * machine-wide steps come first (step 0: DefaultConnectionSettings).
 * opt may be NULL. */
DCS_API dcs_status dcs_apply_plan_software(const struct dcs_apply_source *src,
                                           const struct dcs_apply_options *opt,
                                           const struct dcs_apply_current *cur, unsigned what,
                                           struct dcs_apply_plan *out, struct dcs_error *err);

/* The step for one value (key and name compared case-insensitively), or NULL.
 * A user plan's step 0 is always DefaultConnectionSettings. */
DCS_API const struct dcs_apply_step *dcs_apply_plan_find(const struct dcs_apply_plan *p,
                                                 const char *key, const char *name);
DCS_API bool dcs_apply_plan_changes(const struct dcs_apply_plan *p);
DCS_API void dcs_apply_plan_free(struct dcs_apply_plan *p);

/* ---- execute (needs libhivex) -------------------------------------------- */

/* The values a plan looks at, read from an open hive.  Owns its memory. */
struct dcs_apply_snapshot {
    struct dcs_apply_current cur;
    struct dcs_apply_value *values;
    size_t cap;
    bool connections_key; /* the Connections key exists */
};

/* machine = false: user hive (Connections and the plain values);
 * machine = true: SOFTWARE hive (every value of HKLM's Connections key,
 * the WOW6432Node WinHttpSettings, the ProxySettingsPerUser policy). */
DCS_API dcs_status dcs_apply_snapshot_read(dcs_hive *h, bool machine, struct dcs_apply_snapshot *out,
                                   struct dcs_error *err);
DCS_API void dcs_apply_snapshot_free(struct dcs_apply_snapshot *s);

/* Perform a plan's steps on an open (writable) hive, in memory. */
DCS_API dcs_status dcs_apply_edit(dcs_hive *h, const struct dcs_apply_plan *plan,
                          struct dcs_error *err);

/* dcs_apply_edit on each hive with a changing plan, then one all-or-nothing
 * dcs_hive_commit_all.  On error no file has changed. */
DCS_API dcs_status dcs_apply_execute(dcs_hive *const *hives, const struct dcs_apply_plan *const *plans,
                             size_t n, struct dcs_error *err);

/* ---- the applier: everything `dcs apply` does, minus printing ------------
 *
 * One object holds a source, the targets and, once planned, one read-only
 * view per target.  The order of calls:
 *
 *   dcs_applier_new(flags, &a, err);
 *   dcs_applier_set_warn(a, fn, ctx);                   optional
 *   dcs_applier_set_options(a, &opt, err);              optional
 *   dcs_applier_source_reg(a, "user.reg", NULL, err);   one source (or _blob, _hive, _mode)
 *   dcs_applier_set_image(a, "/mnt/win", err);          an image root, and/or
 *   dcs_applier_set_hive(a, "S-1-5-18", path, err);     explicit SID=hive pairs
 *   dcs_applier_add_account(a, "S-1-5-18", err);        the targets, in order
 *   dcs_applier_plan(a, err);                           open, check, plan
 *   dcs_applier_commit(a, err);                         backups, all-or-nothing write
 *   dcs_applier_free(a);
 *
 * Safety rules kept here, so a program gets the same guarantees as the CLI:
 *  - every target hive passes the base-block and log checks; a dirty or
 *    damaged one is refused (DCS_APPLY_FORCE writes a dirty one anyway, and
 *    after the commit removes the logs whose changes it discarded, so that
 *    Windows cannot replay them over the new content; a copy of each is kept
 *    with the backup);
 *  - in a read-only applier (DCS_APPLY_READ_ONLY) a dirty hive is refused as
 *    the write would refuse it;
 *  - hives inside an image are found through SOFTWARE's ProfileList (paths
 *    with "." or ".." components are not followed) and never confused with
 *    the Default profile or systemprofile (image.h);
 *  - one file named as two targets (two spellings, a symbolic or a hard link)
 *    is refused before any backup is written;
 *  - before the first write each changing hive is kept in the backup
 *    directory (a hard link of its file, which the commit replaces and never
 *    writes; a copy across file systems or where links are refused) with a
 *    .reg of its Connections key and an undo .reg (the old data of every
 *    value the plan changes), all durable, then every hive is committed all
 *    or nothing (dcs_hive_commit_all).
 */

typedef struct dcs_applier dcs_applier;
typedef struct dcs_apply_target dcs_apply_target;

#define DCS_APPLY_READ_ONLY 0x1u /* plan only (dry run, check): hives opened read-only */
#define DCS_APPLY_FORCE 0x2u     /* write dirty hives; their pending log changes are lost */
#define DCS_APPLY_NO_BACKUP 0x4u /* commit without the backups */
#define DCS_APPLY_RECOVER 0x8u   /* replay a dirty hive's transaction logs first (as
                                    dcs_recover_file does), in the same commit */

DCS_API dcs_status dcs_applier_new(unsigned flags, dcs_applier **out, struct dcs_error *err);
DCS_API void dcs_applier_free(dcs_applier *a);

/* Warnings (dirty hives read as they are, skipped .reg lines, removed logs)
 * go to fn; without one they are dropped. */
DCS_API void dcs_applier_set_warn(dcs_applier *a, dcs_warn_fn fn, void *ctx);
/* The plan options (copied, connection names included). */
DCS_API dcs_status dcs_applier_set_options(dcs_applier *a, const struct dcs_apply_options *opt,
                                           struct dcs_error *err);
/* Where backups go; NULL (the default): a directory dcs-backup-<UTC time>
 * beside each hive. */
DCS_API dcs_status dcs_applier_set_backup_dir(dcs_applier *a, const char *dir,
                                              struct dcs_error *err);
/* The time stamped into every hive the commit writes (dcs_hive_set_time);
 * 0, the default: the clock. */
DCS_API void dcs_applier_set_time(dcs_applier *a, uint64_t filetime);

/* ---- the source (one; a later call replaces an earlier one) ---- */

/* Blob bytes to copy (saved: SavedLegacySettings, len 0 for none; both are
 * copied).  origin names them in reports (NULL: "blob"). */
DCS_API dcs_status dcs_applier_source_blob(dcs_applier *a, dcs_bytes blob, dcs_bytes saved,
                                           const char *origin, struct dcs_error *err);
/* The DefaultConnectionSettings (and SavedLegacySettings) under a
 * ...\Internet Settings\Connections key of a .reg file (plain or gzip).
 * Several such keys are DCS_ERR_APPLY_AMBIGUOUS, listing them, unless key
 * names one.  The reader's warnings go to the warning callback. */
DCS_API dcs_status dcs_applier_source_reg(dcs_applier *a, const char *path, const char *key,
                                          struct dcs_error *err);
/* The values of a user's hive file (read-only; a dirty one is read as it is,
 * with a warning). */
DCS_API dcs_status dcs_applier_source_hive(dcs_applier *a, const char *path,
                                           struct dcs_error *err);
/* A mode with its parameters (NULL for none): proxy and bypass for
 * MANUAL_PROXY, pac for AUTOSCRIPT. */
DCS_API dcs_status dcs_applier_source_mode(dcs_applier *a, enum dcs_apply_mode mode,
                                           const char *proxy, const char *bypass,
                                           const char *pac, struct dcs_error *err);
/* The source as planned (views owned by the applier), and its name:
 * "FILE", "FILE [KEY]", "mode manual_proxy".  NULL before a source is set. */
DCS_API const struct dcs_apply_source *dcs_applier_source(const dcs_applier *a);
DCS_API const char *dcs_applier_origin(const dcs_applier *a);

/* ---- the targets ---- */

/* The root of a mounted Windows volume, where accounts' hives are found
 * (inside it only: see dcs_image_open).  Unless DCS_APPLY_READ_ONLY, the
 * image is locked (dcs_lock_image, waiting at most dcs_lock_wait()) from
 * the moment a hive is about to be opened for writing (dcs_applier_commit
 * with changes, or a dirty hive in dcs_applier_plan) until
 * dcs_applier_free, so two writers of one image take turns; a lock still
 * held after the wait is DCS_ERR_HIVE_LOCKED "ROOT is locked by another
 * process (pid N) ...". */
DCS_API dcs_status dcs_applier_set_image(dcs_applier *a, const char *root,
                                         struct dcs_error *err);
/* The hive file of sid is path (used instead of the image's). */
DCS_API dcs_status dcs_applier_set_hive(dcs_applier *a, const char *sid, const char *path,
                                        struct dcs_error *err);
/* Target the account sid (once; a repeated SID is ignored).  A hive that
 * cannot be found is not an error here: the target is in the ERROR state
 * and its error says why.  Fails only on a bad SID or no memory. */
DCS_API dcs_status dcs_applier_add_account(dcs_applier *a, const char *sid,
                                           struct dcs_error *err);
/* Target the machine's WinHttpSettings in the SOFTWARE hive at software, or
 * (NULL) the image's Windows/System32/config/SOFTWARE. */
DCS_API dcs_status dcs_applier_add_machine(dcs_applier *a, const char *software,
                                           struct dcs_error *err);

/* Target the machine-wide settings in the same SOFTWARE hive (one target
 * with --winhttp's): HKLM's Connections blobs and the policy
 * ProxySettingsPerUser = REG_DWORD 0, which makes Windows use them for every
 * account instead of each user's own (a warning says so when planned). */
DCS_API dcs_status dcs_applier_add_machine_wide(dcs_applier *a, const char *software,
                                                struct dcs_error *err);
/* Target the image's Default profile (image.h: the template copied for each
 * new user; never .DEFAULT, which is S-1-5-18).  Needs an image; a missing
 * hive is an ERROR target, as for dcs_applier_add_account. */
DCS_API dcs_status dcs_applier_add_default_profile(dcs_applier *a, struct dcs_error *err);
/* Target every user of the image: each SID of SOFTWARE's ProfileList but the
 * service accounts (dcs_applier_add_account: a missing hive is an ERROR
 * target, listed, and fails the plan as any other); without SOFTWARE each
 * Users/<name>/NTUSER.DAT, with a warning that nothing confirms them.  Needs
 * an image. */
DCS_API dcs_status dcs_applier_add_all_users(dcs_applier *a, struct dcs_error *err);

/* ---- plan, then commit ---- */

/* Open every target, check it, read its values and, when every target
 * could be opened, plan each.  The targets are opened read-only, without
 * their locks (a dirty hive excepted: it is opened for writing, locked, to
 * be judged as the write would); dcs_applier_commit locks and plans again
 * before it writes anything.  Returns DCS_OK
 * when every target is planned, else the error of the first refused target
 * (an unsafe hive, see dcs_apply_status_unsafe) or, without one, of the
 * first failed target; the targets' views say which failed and why.  Nothing
 * is written. */
DCS_API dcs_status dcs_applier_plan(dcs_applier *a, struct dcs_error *err);
/* Targets whose plan changes something. */
DCS_API size_t dcs_applier_changes(const dcs_applier *a);
/* Back up every changing hive, then commit them all or none.  Needs a
 * successful dcs_applier_plan and no DCS_APPLY_READ_ONLY.  When the plan
 * changes something, first the image's lock and every target's are taken,
 * each target is opened again for writing and planned again from what it
 * holds now (another process may have committed since the plan): the
 * targets' views then show that plan, dcs_applier_changes counts it, and
 * when it changes nothing, nothing is written (DCS_OK).  A target that
 * fails there (its lock not given in time, a hive that no longer passes)
 * is reported as by dcs_applier_plan, nothing written.  On error no hive
 * has changed (the message says so when the commit itself failed) and the
 * backup files this run wrote are removed again, with the dcs-backup-STAMP
 * directory it made (an undo .reg for a change that never happened would
 * mislead); DCS_ERR_HIVE_ROLLBACK excepted: hives did change, the backups
 * hold their previous content and stay. */
DCS_API dcs_status dcs_applier_commit(dcs_applier *a, struct dcs_error *err);
/* True once every backup of a commit was written (false after a commit that
 * failed while writing them).  Their fsyncs are the commit's own (one batch
 * with the hives' new versions, one with their directories): a failure
 * there is the commit's error, naming the file, with nothing changed. */
DCS_API bool dcs_applier_backed_up(const dcs_applier *a);
/* Write the plan of every target as a regedit .reg for `reg import` on a
 * live machine (HKEY_USERS\<SID>, HKEY_LOCAL_MACHINE\SOFTWARE): no hive is
 * opened, every value is written and the plain values the settings do not
 * use are deleted.  The file is replaced atomically. */
DCS_API dcs_status dcs_applier_write_reg(dcs_applier *a, const char *path,
                                         struct dcs_error *err);

/* The same values as a Group Policy Preferences Registry.xml or a batch file
 * of `reg add ... /f` commands (dcs/ship.h), written through the output
 * helper (atomic replace, "-" for standard output).  Every account needs a
 * SID (HKEY_USERS\<SID>); the SOFTWARE target goes under
 * HKEY_LOCAL_MACHINE\SOFTWARE.  Neither format deletes: a plain value
 * (ProxyServer, ProxyOverride, AutoConfigURL) the settings do not use is left
 * as it is, where the .reg deletes it.  opt may be NULL. */
struct dcs_ship_options;
enum dcs_ship_kind { DCS_SHIP_GPP = 1, DCS_SHIP_CMD = 2 };
DCS_API dcs_status dcs_applier_write_ship(dcs_applier *a, const char *path,
                                          enum dcs_ship_kind kind,
                                          const struct dcs_ship_options *opt,
                                          struct dcs_error *err);

/* True for the statuses that mean an unsafe hive (damaged or dirty): a
 * caller refuses it rather than failing ("refused" rather than "error"). */
DCS_API bool dcs_apply_status_unsafe(dcs_status code);

/* ---- a read-only view of one target ---- */

enum dcs_apply_target_state {
    DCS_APPLY_TARGET_OK = 0,
    DCS_APPLY_TARGET_REFUSED, /* an unsafe (dirty or damaged) hive */
    DCS_APPLY_TARGET_ERROR    /* anything else: missing hive, I/O, a plan error */
};

enum dcs_apply_backup {
    DCS_APPLY_BACKUP_HIVE = 0,    /* the copy of the hive file */
    DCS_APPLY_BACKUP_CONNECTIONS, /* its Connections key as a .reg */
    DCS_APPLY_BACKUP_UNDO         /* the .reg that undoes the plan */
};

DCS_API size_t dcs_applier_count(const dcs_applier *a);
DCS_API const dcs_apply_target *dcs_applier_target(const dcs_applier *a, size_t i);

DCS_API const char *dcs_apply_target_sid(const dcs_apply_target *t); /* NULL: machine */
DCS_API bool dcs_apply_target_machine(const dcs_apply_target *t);
/* The hive file (NULL when none was found) and how to show it: relative to
 * the image root when inside it, "(not found)" or "(no hive)" without one. */
DCS_API const char *dcs_apply_target_path(const dcs_apply_target *t);
DCS_API const char *dcs_apply_target_shown(const dcs_apply_target *t);
/* "LocalSystem (S-1-5-18, .DEFAULT) Windows/System32/config/DEFAULT" */
DCS_API const char *dcs_apply_target_label(const dcs_apply_target *t);
/* A remark from finding the hive ("" when none). */
DCS_API const char *dcs_apply_target_note(const dcs_apply_target *t);
DCS_API enum dcs_apply_target_state dcs_apply_target_state(const dcs_apply_target *t);
DCS_API const struct dcs_error *dcs_apply_target_error(const dcs_apply_target *t);
/* The plan, NULL until planned. */
DCS_API const struct dcs_apply_plan *dcs_apply_target_plan(const dcs_apply_target *t);
/* The values read from the hive (NULL until read). */
DCS_API const struct dcs_apply_current *dcs_apply_target_current(const dcs_apply_target *t);
/* Where a commit saved the hive, its Connections key and the undo .reg;
 * NULL when not (yet) written. */
DCS_API const char *dcs_apply_target_backup(const dcs_apply_target *t, enum dcs_apply_backup which);

/* ---- reading one blob out of a hive file (dcs decode --hive) ---- */

/* Value name (NULL: DefaultConnectionSettings) of key (NULL: the user hive's
 * Connections key) in the hive file at path, opened read-only; it must be
 * REG_BINARY.  A dirty hive is read as it is, with a warning to fn (may be
 * NULL).  *data is malloc'd (free()), NULL on error. */
DCS_API dcs_status dcs_apply_read_blob(const char *path, const char *key, const char *name,
                                       dcs_warn_fn fn, void *ctx, uint8_t **data, size_t *len,
                                       struct dcs_error *err);

#ifdef __cplusplus
}
#endif
#endif
