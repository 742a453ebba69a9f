/* dcs — offline Windows images: finding each account's hive, and a report
 * of the proxy settings of every account (what `dcs show` renders).
 *
 * An image is the root of a mounted Windows volume.  Path components are
 * matched case-insensitively (an exact match is preferred), as NTFS does.
 *
 * Where each account's hive is:
 *   S-1-5-18 LocalSystem     Windows/System32/config/DEFAULT (HKU\.DEFAULT).
 *            Its ProfileList folder (systemprofile) holds an NTUSER.DAT that
 *            is NOT its hive: never used.
 *   S-1-5-19 LocalService    Windows/ServiceProfiles/LocalService/NTUSER.DAT
 *   S-1-5-20 NetworkService  Windows/ServiceProfiles/NetworkService/NTUSER.DAT
 *            both confirmed (or replaced) by SOFTWARE's ProfileList when the
 *            image has a SOFTWARE hive.
 *   other SIDs: ProfileImagePath under SOFTWARE's
 *            Microsoft\Windows NT\CurrentVersion\ProfileList\<SID>, plus
 *            NTUSER.DAT.  A path with "." or ".." components is not
 *            followed, and no file is looked up outside the image (see
 *            dcs_image_open).
 *   Users/Default/NTUSER.DAT is the Default profile: the template of new
 *            users, not .DEFAULT.
 */
#ifndef DCS_IMAGE_H
#define DCS_IMAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <dcs/apply.h>
#include <dcs/error.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct dcs_image dcs_image;

/* Look at the image at root (a root without Windows is not an error: its
 * accounts are then not found).  Every file found through the image is
 * looked up inside root: a symbolic link (or junction of a mounted NTFS
 * volume) is followed while it stays inside, an absolute one read from the
 * root ("/Other", or "/mnt/img/Other" when root is /mnt/img); one that leads
 * outside is refused, DCS_ERR_APPLY_OUTSIDE "REL: the symbolic link LINK
 * leads outside ROOT (to TEXT)".  Fails when root cannot be opened as a
 * directory (DCS_ERR_NOT_FOUND "cannot open the image ROOT: ..."), when its
 * SOFTWARE hive leads outside it, or on no memory. */
DCS_API dcs_status dcs_image_open(const char *root, dcs_image **out, struct dcs_error *err);
DCS_API void dcs_image_free(dcs_image *img);

DCS_API const char *dcs_image_root(const dcs_image *img);
/* Windows/System32/config/SOFTWARE when it is a file, else NULL. */
DCS_API const char *dcs_image_software(const dcs_image *img);

/* The hive of sid in the image (rules above).  *path is malloc'd (free()).
 * *note (may be NULL) is a malloc'd remark for the user, NULL when there is
 * none (ProfileList disagrees with the conventional path, or does not
 * confirm it), also set when the hive is not found.  DCS_ERR_APPLY_TARGET
 * when the hive cannot be found, DCS_ERR_APPLY_OUTSIDE when the path to it
 * leads outside the image. */
DCS_API dcs_status dcs_image_locate(dcs_image *img, const char *sid, char **path, char **note,
                                    struct dcs_error *err);
/* The Default profile's hive (Users/Default/NTUSER.DAT; XP: Documents and
 * Settings/Default User/NTUSER.DAT).  *path is malloc'd (free()).
 * DCS_ERR_APPLY_TARGET when there is none. */
DCS_API dcs_status dcs_image_default_profile(dcs_image *img, char **path,
                                             struct dcs_error *err);
/* path relative to the image root when it is inside it, else path. */
DCS_API const char *dcs_image_shown(const dcs_image *img, const char *path);

/* True for S-1-<digits>(-<digits>)+ (either letter case for the S). */
DCS_API bool dcs_sid_valid(const char *sid);
/* "LocalSystem", "LocalService", "NetworkService"; NULL for other SIDs. */
DCS_API const char *dcs_sid_account_name(const char *sid);

enum dcs_image_kind {
    DCS_IMAGE_SERVICE = 0,     /* S-1-5-18, -19, -20 */
    DCS_IMAGE_DEFAULT_PROFILE, /* Users/Default/NTUSER.DAT */
    DCS_IMAGE_USER,            /* a ProfileList entry (or Users/<name> without SOFTWARE) */
    DCS_IMAGE_MACHINE          /* SOFTWARE: WinHttpSettings */
};
/* "service", "default-profile", "user", "machine" */
DCS_API const char *dcs_image_kind_name(enum dcs_image_kind kind);

/* What an applier's target is: a service account, a user, the Default
 * profile, or the SOFTWARE hive. */
DCS_API enum dcs_image_kind dcs_apply_target_kind(const dcs_apply_target *t);

/* ---- the report: every account's settings, a model to render ---- */

typedef struct dcs_image_report dcs_image_report;
typedef struct dcs_image_hive dcs_image_hive;


/* Read every account's hive of the image at root, read-only: the three
 * service accounts (listed even when their hive is missing), the Default
 * profile, each ProfileList user (without SOFTWARE: each Users/<name> that
 * is not a link), then the machine's SOFTWARE.  A hive that cannot be read
 * is an entry with an error, not a failure; the call fails only on no
 * memory. */
DCS_API dcs_status dcs_image_report_new(const char *root, dcs_image_report **out,
                                        struct dcs_error *err);
DCS_API void dcs_image_report_free(dcs_image_report *r);
DCS_API const char *dcs_image_report_root(const dcs_image_report *r);
/* False when some hive that exists could not be read. */
DCS_API bool dcs_image_report_complete(const dcs_image_report *r);
DCS_API size_t dcs_image_report_count(const dcs_image_report *r);
DCS_API const dcs_image_hive *dcs_image_report_hive(const dcs_image_report *r, size_t i);

/* Whose settings Windows uses, from SOFTWARE's policy value
 * Policies\Microsoft\Windows\CurrentVersion\Internet Settings\ProxySettingsPerUser:
 * a REG_DWORD 0 makes every account use HKLM's Connections (the machine
 * entry's DefaultConnectionSettings); absent or anything else, each
 * account its own. */
enum dcs_image_policy {
    DCS_IMAGE_POLICY_UNKNOWN = 0, /* no SOFTWARE hive read */
    DCS_IMAGE_POLICY_ABSENT,      /* no policy value: per user */
    DCS_IMAGE_POLICY_PER_USER,    /* the value is there but not DWORD 0 */
    DCS_IMAGE_POLICY_MACHINE      /* DWORD 0: machine-wide */
};
DCS_API enum dcs_image_policy dcs_image_report_policy(const dcs_image_report *r);

DCS_API enum dcs_image_kind dcs_image_hive_kind(const dcs_image_hive *h);
/* "LocalSystem (S-1-5-18, .DEFAULT) Windows/System32/config/DEFAULT";
 * a missing service account: its name. */
DCS_API const char *dcs_image_hive_label(const dcs_image_hive *h);
DCS_API const char *dcs_image_hive_sid(const dcs_image_hive *h);  /* NULL when unknown */
/* The hive as shown (relative to the root); NULL when it was not found. */
DCS_API const char *dcs_image_hive_path(const dcs_image_hive *h);
/* Why the hive was not found or not read; NULL when it was read. */
DCS_API const struct dcs_error *dcs_image_hive_error(const dcs_image_hive *h);
/* A dirty hive whose logs could not be replayed is shown without them: why
 * it is dirty, NULL when clean or recovered. */
DCS_API const char *dcs_image_hive_dirty(const dcs_image_hive *h);
/* A dirty hive read with its transaction logs replayed in memory (the file
 * is unchanged): the log entries applied; 0 when the hive was clean. */
DCS_API unsigned dcs_image_hive_recovered(const dcs_image_hive *h);
/* The values read (what the applier looks at); NULL when not read. */
DCS_API const struct dcs_apply_current *dcs_image_hive_values(const dcs_image_hive *h);
/* One value by key and name (case-insensitive), or NULL. */
DCS_API const struct dcs_apply_value *dcs_image_hive_value(const dcs_image_hive *h,
                                                           const char *key, const char *name);
/* SavedLegacySettings differs from DefaultConnectionSettings (counter aside),
 * or is present while DefaultConnectionSettings is absent. */
DCS_API bool dcs_image_hive_twins_differ(const dcs_image_hive *h);
/* The plain values (ProxyEnable, ProxyServer, ProxyOverride, AutoConfigURL)
 * that a copy of the hive's own DefaultConnectionSettings would change. */
DCS_API size_t dcs_image_hive_disagree_count(const dcs_image_hive *h);
DCS_API const char *dcs_image_hive_disagree(const dcs_image_hive *h, size_t i);

/* The plain values of a user hive, decoded. */
enum dcs_image_plain_kind {
    DCS_IMAGE_PLAIN_ABSENT = 0,
    DCS_IMAGE_PLAIN_NUMBER, /* REG_DWORD */
    DCS_IMAGE_PLAIN_TEXT,   /* REG_SZ / REG_EXPAND_SZ, as UTF-8 */
    DCS_IMAGE_PLAIN_OTHER   /* present with another type */
};
struct dcs_image_plain {
    const char *name;
    enum dcs_image_plain_kind kind;
    uint32_t number;
    const char *text;
};
DCS_API size_t dcs_image_hive_plain_count(const dcs_image_hive *h);
DCS_API const struct dcs_image_plain *dcs_image_hive_plain(const dcs_image_hive *h, size_t i);

#ifdef __cplusplus
}
#endif
#endif
