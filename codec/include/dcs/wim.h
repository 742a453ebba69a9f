/* dcs — Windows images in WIM and ESD files, without mounting by hand.
 *
 * Through wimlib (optional at build time: meson -Dwim=enabled|disabled|auto;
 * without it every call fails with DCS_ERR_UNSUPPORTED and says so).  Two
 * ways to change a hive inside an image (codec/image/WIM.md):
 *   - mount: the image is mounted read-write through FUSE at a directory,
 *     edited there like any mounted image, and unmounted with a commit.
 *     Every property of the files is kept (security descriptor, short name,
 *     attributes).
 *   - replace: the hives are extracted to a directory, edited there, and
 *     written back into the image in one update (wimlib's update is
 *     all-or-nothing; the WIM is appended to and fsynced, which is safe to
 *     interrupt).  A replaced file loses its security descriptor, short name
 *     and attributes: callers must say so to the user.
 * Reading (dcs show) extracts the hives and their logs to a directory.
 */
#ifndef DCS_WIM_H
#define DCS_WIM_H

#include <stdbool.h>
#include <stddef.h>

#include <dcs/error.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct dcs_wim dcs_wim;

/* True when this build has wimlib. */
DCS_API bool dcs_wim_supported(void);

/* Open "FILE" or "FILE:INDEX" (1-based image index; without one the WIM must
 * hold exactly one image).  write: open for changing it (refused for a
 * read-only or split WIM). */
DCS_API dcs_status dcs_wim_open(const char *spec, bool write, dcs_wim **out,
                                struct dcs_error *err);
DCS_API void dcs_wim_free(dcs_wim *w);
DCS_API const char *dcs_wim_path(const dcs_wim *w);
DCS_API int dcs_wim_image(const dcs_wim *w);

/* Extract every file that can hold proxy settings — the hives of
 * System32\config, ServiceProfiles\*\NTUSER.DAT, every profile's
 * NTUSER.DAT, each with its .LOG* files — into dir (which must exist and be
 * empty), keeping the image's folder layout and its names' letter case.
 * Paths are matched without regard to letter case and under any folder name,
 * so a SystemRoot or profiles folder that is not Windows/ or Users/ is found
 * too. */
DCS_API dcs_status dcs_wim_extract_hives(dcs_wim *w, const char *dir, struct dcs_error *err);

/* Write the files paths[0..n) (relative to dir and to the image root, '/'
 * separated, as extracted) back into the image and commit the WIM. */
DCS_API dcs_status dcs_wim_replace(dcs_wim *w, const char *dir, const char *const *paths,
                                   size_t n, struct dcs_error *err);

/* Mount the image read-write at dir (an existing empty directory); FUSE
 * must work.  unmount: commit or discard the changes.  A handle that was
 * mounted can only be unmounted and freed. */
DCS_API dcs_status dcs_wim_mount(dcs_wim *w, const char *dir, struct dcs_error *err);
DCS_API dcs_status dcs_wim_unmount(dcs_wim *w, bool commit, struct dcs_error *err);

#ifdef __cplusplus
}
#endif
#endif
