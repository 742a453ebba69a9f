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

#define DCS_APPLY_MAX_STEPS 64

struct dcs_apply_plan {
    enum dcs_apply_action action; /* CREATE when the main value is new, UPDATE when
                                     any step changes, else UNCHANGED */
    size_t nsteps;
    struct dcs_apply_step steps[DCS_APPLY_MAX_STEPS];
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
 * machine = true: SOFTWARE hive (both Connections keys). */
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

#ifdef __cplusplus
}
#endif
#endif
