/* Finding the accounts' hive files in an offline Windows image (the root of
 * a mounted Windows volume), case-insensitively, and naming them so that
 * .DEFAULT (LocalSystem) is never mistaken for the Default user profile.
 * Facts: spec/service-accounts.md. */
#ifndef DCS_TOOLS_WINIMAGE_H
#define DCS_TOOLS_WINIMAGE_H

#include <stdbool.h>
#include <stddef.h>

#include <dcs/dcs.h>

/* The well-known service accounts. */
struct win_account {
    const char *sid;
    const char *name;     /* "LocalSystem" */
    const char *alias;    /* ".DEFAULT" or NULL */
    const char *rel_path; /* "Windows/System32/config/DEFAULT" */
    const char *profile_dir; /* ProfileList folder under %SystemRoot%, NULL for S-1-5-18 */
};

const struct win_account *win_account_by_sid(const char *sid);
/* True for S-1-<digits>(-<digits>)+ */
bool win_sid_valid(const char *sid);

/* Resolve rel ('/'-separated) under dir, each component matched
 * case-insensitively (exact match preferred).  Returns a malloc'd path or
 * NULL when some component does not exist. */
char *win_resolve_ci(const char *dir, const char *rel);

struct win_image {
    char *root;
    char *software;   /* Windows/System32/config/SOFTWARE, or NULL */
    dcs_hive *sw;     /* opened read-only on first use */
    bool sw_tried;
};

void win_image_init(struct win_image *img, const char *root);
void win_image_free(struct win_image *img);

/* The hive of sid in the image.  Services: the conventional path, confirmed
 * (or replaced) by SOFTWARE's ProfileList for S-1-5-19/20 when SOFTWARE is
 * there; never ProfileList for S-1-5-18.  Other SIDs: ProfileList only.
 * *path is malloc'd; note (may be NULL) receives a remark for the user ("" if
 * none).  DCS_ERR_APPLY_TARGET when the hive cannot be found. */
dcs_status win_image_locate(struct win_image *img, const char *sid, char **path, char *note,
                            size_t notesz, struct dcs_error *err);

/* The ProfileImagePath of sid turned into a hive path inside the image
 * (malloc'd), or NULL (no SOFTWARE, no entry, or unresolvable). */
char *win_image_profile_hive(struct win_image *img, const char *sid);

/* Call fn for each SID under ProfileList (SOFTWARE present). */
typedef void (*win_sid_fn)(void *ctx, const char *sid);
void win_image_each_profile(struct win_image *img, win_sid_fn fn, void *ctx);

/* "LocalSystem (S-1-5-18, .DEFAULT) Windows/System32/config/DEFAULT" into buf;
 * shown is the path to print (relative to the image root when inside it). */
void win_label(char *buf, size_t size, const char *sid, const char *shown);
/* path relative to root when it is inside it, else path itself. */
const char *win_shown_path(const char *root, const char *path);

/* UTF-16LE (stops at a NUL unit) to a malloc'd UTF-8 string. */
char *win_utf16_to_utf8(const uint8_t *data, size_t len);

#endif
