/* Paths contained in a root directory (an offline Windows image): every
 * file found through the image is resolved as if the root were "/", so no
 * symbolic link, ".." or junction inside the image can lead outside it.
 *
 * Where the kernel has openat2(2), RESOLVE_IN_ROOT resolves a directory
 * reached through no symbolic link (nearly every one); a path through a
 * link, and every path where openat2 is missing (ENOSYS, or forced for
 * tests), goes to an equivalent walk: one component at a time, each opened with
 * O_NOFOLLOW relative to the directory before it, a symbolic link's text
 * spliced into the rest of the path (an absolute text restarts at the root,
 * as an NTFS junction of a mounted image does), ".." going back to the
 * directory it came from and staying at the root there, at most 40 links
 * per lookup (ELOOP beyond).  Both resolve the same paths to the same
 * files; the walk also serves case-insensitive lookups (NTFS images:
 * "Windows/System32/config/DEFAULT" may be "WINDOWS/system32/Config/default"
 * on disk) and the creation of missing directories. */
#ifndef DCS_CORE_CONTAIN_H
#define DCS_CORE_CONTAIN_H

#include <stdbool.h>
#include <sys/types.h>

#include <dcs/error.h>

/* options */
#define DCSI_BENEATH_CASE_INSENSITIVE 0x1u /* a component not found as spelt matches one
                                              that differs in ASCII case only (the
                                              smallest such name, byte order, if several) */
#define DCSI_BENEATH_NO_OPENAT2 0x2u       /* use the walk even where openat2 exists */
#define DCSI_BENEATH_MKDIRS 0x4u           /* create missing directories (0755) on the
                                              way; not the last component */
#define DCSI_BENEATH_NOFOLLOW 0x8u         /* the last component is not followed when a
                                              symbolic link (it is then the link) */
#define DCSI_BENEATH_IMAGE 0x10u           /* a mounted image: an absolute link text that
                                              names the root's own path ("/mnt/img/Other"
                                              with the root /mnt/img) is read without that
                                              prefix; any other absolute text, or a ".."
                                              above the root, leads out: it is still read
                                              from the root, but from there on only what
                                              exists counts (no directory is made, a
                                              missing last component fails) and a failed
                                              lookup is DCS_ERR_IO "REL: the symbolic link
                                              LINK leads outside ROOT (to TEXT)" (or "REL:
                                              \"..\" leads above the root ROOT") */

/* Where a path resolved: the directory holding the last component, open
 * for reading (fsync it after a rename there), and the last component's
 * name in it, spelt as on disk.  Unless DCSI_BENEATH_NOFOLLOW, name is
 * never a symbolic link when it exists: a link there was followed, and
 * dirfd/name are where it leads (so a temporary file made in dirfd and
 * renamed over name replaces the file itself, inside the root).  name may
 * not exist (a file to create).  path is the root-relative path of
 * dirfd/name ('/'-separated, no leading '/', "." for the root), for
 * messages. */
struct dcsi_beneath {
    int dirfd;
    char *name;
    char *path;
    mode_t mode; /* name's st_mode (not followed) as the lookup found it; 0 when
                    missing, or when the path names a directory as a whole */
};

/* Open root (a directory) for use as rootfd below. */
dcs_status dcsi_root_open(const char *root, int *rootfd, struct dcs_error *err);

/* Resolve rel (leading '/' ignored) beneath rootfd.  A missing directory
 * on the way is DCS_ERR_NOT_FOUND; a missing last component is not an
 * error (where->name names what would be created).  where is released with
 * dcsi_beneath_free, also after a failure. */
dcs_status dcsi_resolve_beneath(int rootfd, const char *rel, unsigned options,
                                struct dcsi_beneath *where, struct dcs_error *err);

/* The same for a root used by many lookups, whose absolute path is known
 * (dcsi_root_path, asked once): root, when not NULL, spares each
 * DCSI_BENEATH_IMAGE lookup asking /proc for it. */
dcs_status dcsi_resolve_beneath_in(int rootfd, const char *root, const char *rel,
                                   unsigned options, struct dcsi_beneath *where,
                                   struct dcs_error *err);
/* The absolute path of the directory rootfd as the kernel knows it (through
 * /proc): malloc'd, NULL when it cannot tell or out of memory. */
char *dcsi_root_path(int rootfd);

/* Resolve and open: openat(where->dirfd, where->name, flags | O_NOFOLLOW,
 * mode).  A missing file without O_CREAT is DCS_ERR_NOT_FOUND.  where may
 * be NULL; if not, it is filled as by dcsi_resolve_beneath. */
dcs_status dcsi_open_beneath(int rootfd, const char *rel, int flags, mode_t mode,
                             unsigned options, int *fd, struct dcsi_beneath *where,
                             struct dcs_error *err);

void dcsi_beneath_free(struct dcsi_beneath *where);

/* True when this kernel resolves with openat2 (tested once, then cached). */
bool dcsi_have_openat2(void);

/* ---- a file pinned by its directory (core/pin.c) ------------------------ */

/* A path is resolved once (dcsi_resolve_beneath, or realpath for a path the
 * user named outside an image); from then on every operation on the file
 * and its neighbours (logs, temporaries, journal, lock) goes through the
 * directory descriptor, with *at calls on names without '/'.  A directory
 * swapped for a symbolic link after the resolution cannot redirect them. */
struct dcsi_pin {
    int dirfd;  /* the directory holding the file, open for reading; -1 when none */
    char *name; /* the file's name in it: no '/', never "." or ".." */
};

/* Open the directory of path (relative to basefd, which may be AT_FDCWD,
 * unless absolute) one component at a time, each with O_NOFOLLOW: a
 * symbolic link at any component of the directory is refused, never
 * followed (DCS_ERR_APPLY_OUTSIDE "PATH: the symbolic link COMPONENTS is not
 * followed (the path changed after it was resolved)").  ".." goes to the
 * physical parent.  The last component is not opened: it becomes
 * pin->name, whatever it is (the caller opens it with O_NOFOLLOW).  A
 * missing directory is DCS_ERR_NOT_FOUND.  pin is released with
 * dcsi_pin_free, also after a failure. */
dcs_status dcsi_dir_open_nofollow(int basefd, const char *path, struct dcsi_pin *pin,
                                  struct dcs_error *err);
/* The absolute path of the pinned file as the kernel knows its directory
 * now (through /proc), for messages; malloc'd, NULL when it cannot tell
 * (errno ENOENT) or out of memory (errno ENOMEM). */
char *dcsi_pin_path(const struct dcsi_pin *pin);
void dcsi_pin_free(struct dcsi_pin *pin);

#endif
