/* Private file-I/O helpers shared by every writer in libdcs and the CLI:
 * write-all, bounded whole-file reads that never hang on a FIFO, atomic
 * replace (temporary file in the same directory, fsync, rename, fsync of
 * the directory), file copy, dirname, mkdir -p, and the output helper that
 * every command uses for a path the user named.
 *
 * Every function fills err on failure; messages name the file and the
 * system error.  Failed fsyncs are errors, never ignored. */
#ifndef DCS_CORE_FILEIO_H
#define DCS_CORE_FILEIO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <dirent.h>
#include <sys/stat.h>
#include <sys/types.h>

#include <dcs/error.h>

/* write(2) until all of data is out, retrying EINTR and short writes.
 * The message is "write failed: <strerror>". */
dcs_status dcsi_write_all(int fd, const void *data, size_t len, struct dcs_error *err);
/* The same loop for callers that word their own message: 0, or the errno
 * (ENOSPC when write(2) moved nothing without an error). */
int dcsi_write_full(int fd, const void *data, size_t len);

/* dcsi_read_file flags. */
#define DCSI_READ_ANY_KIND 0x1u /* also FIFOs, character devices, sockets */
#define DCSI_READ_NO_FOLLOW 0x2u /* refuse a symbolic link (dcsi_open_input) */

/* Read all of path ("-" = standard input, always read whatever it is) into
 * a malloc'd buffer, NUL-terminated (the NUL not counted).  Refuses
 * directories always, and anything but a regular file unless
 * DCSI_READ_ANY_KIND.  Never hangs on a FIFO with no writer: the file is
 * opened non-blocking and its type checked before anything is read (a FIFO
 * nobody writes to reads as empty).  A regular file larger than max is
 * refused from its size, before any byte is read (DCS_ERR_LIMIT). */
dcs_status dcsi_read_file(const char *path, size_t max, unsigned flags, uint8_t **data,
                          size_t *len, struct dcs_error *err);
/* Open path for reading as dcsi_read_file does (never waits on a FIFO;
 * refuses directories, and all but regular files unless
 * DCSI_READ_ANY_KIND; a missing file is DCS_ERR_NOT_FOUND).  Reads of *fd
 * block again when this returns (O_NONBLOCK is cleared but on a regular
 * file, whose reads it does not change).  For readers that take a descriptor
 * or must check a path before a library that opens it (hives). */
dcs_status dcsi_open_input(const char *path, unsigned flags, int *fd, struct dcs_error *err);
/* The same for path relative to dirfd (a pinned directory, core/contain.h). */
dcs_status dcsi_open_input_at(int dirfd, const char *path, unsigned flags, int *fd,
                              struct dcs_error *err);
/* The same, with the file's fstat in *st (what the caller would ask next). */
dcs_status dcsi_open_input_st(int dirfd, const char *path, unsigned flags, int *fd,
                              struct stat *st, struct dcs_error *err);
/* Read up to n bytes (fewer only at end of file), retrying EINTR: 0, or
 * the errno of a failure (*got says how far it came).  For a fixed-size
 * head (a hive's base block) rather than a whole file. */
int dcsi_read_upto(int fd, void *buf, size_t n, size_t *got);
/* The same from an open descriptor (read to end of file). */
dcs_status dcsi_read_fd(int fd, size_t max, uint8_t **data, size_t *len, struct dcs_error *err);

/* The directory part of path, malloc'd: "a/b" -> "a", "b" -> ".",
 * "/b" -> "/", "a/b/" -> "a".  NULL when out of memory. */
char *dcsi_dirname(const char *path);
/* The last component of path (a pointer into it; "" for "a/"). */
const char *dcsi_basename(const char *path);
/* printf into a malloc'd string (paths built from parts); NULL when out of
 * memory. */
char *dcsi_strdupf(const char *fmt, ...) DCS_PRINTF(1, 2);
/* The current UTC time as YYYYMMDDTHHMMSSZ, the stamp of backup names. */
#define DCSI_STAMP_SIZE 32
void dcsi_utc_stamp(char out[DCSI_STAMP_SIZE]);
/* mkdir -p: create path and every missing parent with mode; an existing
 * directory is fine, an existing non-directory is an error. */
dcs_status dcsi_mkdirs(const char *path, mode_t mode, struct dcs_error *err);
/* fsync a directory (after a rename or a new file in it). */
dcs_status dcsi_fsync_dir(const char *dir, struct dcs_error *err);
dcs_status dcsi_fsync_dirfd(int dirfd, const char *display, struct dcs_error *err);
/* fsync a file written through another descriptor ("cannot fsync PATH: ..."),
 * and the same returning 0 or the errno. */
dcs_status dcsi_fsync_path(const char *path, struct dcs_error *err);
int dcsi_fsync_file(const char *path);
/* fsync fds[0..n) together, on up to 16 threads, so that the file system
 * commits them as one group (core/fsync_many.c says why); a negative fd is
 * skipped.  dirs: they are directories, and EINVAL (the file system cannot
 * synchronise one) is not a failure, as in dcsi_fsync_dirfd.  0 when every
 * one succeeded, else the errno of the lowest index that failed, that index
 * in *failed (n when none; failed may be NULL).  Every fd is tried. */
int dcsi_fsync_many(const int *fds, size_t n, bool dirs, size_t *failed);
/* dcsi_fsync_many of directories, the error as dcsi_fsync_dirfd's naming
 * shown[i] of the one that failed. */
dcs_status dcsi_fsync_dirs(const int *fds, const char *const *shown, size_t n,
                           struct dcs_error *err);

/* ---- atomic replace ----------------------------------------------------- */

/* A file being replaced: data go to a temporary file NAME.tmpXXXXXX in the
 * same directory; commit fsyncs it, optionally keeps the old file as a
 * backup (hard link, or rename where hard links fail), renames it over
 * NAME and fsyncs the directory.  The new file gets the old one's mode and
 * (where permitted) owner, or mode_if_new when NAME did not exist. */
struct dcsi_replace {
    int dirfd;      /* directory holding name (always owned by the replace) */
    int fd;         /* the temporary file, open for writing; -1 once closed */
    char *name;     /* final name in dirfd */
    char *tmp;      /* temporary name in dirfd; NULL once renamed */
    char *display;  /* path for messages */
};

/* Start replacing name in dirfd (which is duplicated, not taken); display
 * is used in messages (NULL: name). */
dcs_status dcsi_replace_begin_at(struct dcsi_replace *r, int dirfd, const char *name,
                                 const char *display, mode_t mode_if_new, struct dcs_error *err);
/* Start replacing path (its directory must exist; path itself is not
 * followed if it is a symbolic link: the link is replaced). */
dcs_status dcsi_replace_begin(struct dcsi_replace *r, const char *path, mode_t mode_if_new,
                              struct dcs_error *err);
/* Drop what was written (ftruncate + lseek of the temporary file). */
dcs_status dcsi_replace_rewind(struct dcsi_replace *r, struct dcs_error *err);
/* fsync and close the temporary file (nothing renamed yet): for commits
 * of several files, which make every new file durable before the first
 * rename.  commit does it itself when it was not done. */
dcs_status dcsi_replace_sync(struct dcsi_replace *r, struct dcs_error *err);
/* Finish as described above; backup_name (in the same directory, NULL:
 * none) receives the old file if there was one.  Always releases r. */
dcs_status dcsi_replace_commit(struct dcsi_replace *r, const char *backup_name,
                               struct dcs_error *err);
/* Give up: remove the temporary file, release r.  Safe on a zeroed r and
 * twice. */
void dcsi_replace_abort(struct dcsi_replace *r);

/* Replace path's content with data atomically (dcsi_replace_* in one go). */
dcs_status dcsi_write_file_atomic(const char *path, const void *data, size_t len,
                                  mode_t mode_if_new, struct dcs_error *err);

/* The directory at (a pinned directory), or dir when at is AT_FDCWD, open
 * for listing through one descriptor: the names listed are those of the
 * directory the caller reads them from.  NULL with errno on a failure. */
DIR *dcsi_opendir_at(int at, const char *dir);
/* The same directory listed through one descriptor with no DIR stream (a
 * DIR costs three system calls more: fstat and two fcntl): fn is called
 * with the descriptor and each name but "." and ".." until it returns
 * non-zero.  0, or the errno of a failure to open or read the directory. */
typedef int (*dcsi_list_fn)(void *ctx, int dirfd, const char *name);
int dcsi_list_at(int at, const char *dir, dcsi_list_fn fn, void *ctx);
/* Every byte from in to out (from names in in messages; EINTR retried). */
dcs_status dcsi_copy_fd(int in, int out, const char *from, struct dcs_error *err);
/* dcsi_copy_file flags. */
#define DCSI_COPY_REPLACE 0x1u /* to may exist: it is replaced atomically */
/* to is created exclusively and written directly (fsync'd, removed on a
 * failure; no temporary, no directory fsync): for a caller that has
 * journalled the name and fsyncs the directory itself (hive commit). */
#define DCSI_COPY_IN_PLACE 0x2u
/* Copy from to to (a backup): to is created (refused if it exists, unless
 * DCSI_COPY_REPLACE), gets from's mode, and is fsynced with its directory
 * before this returns.  A failure leaves no partial to behind. */
dcs_status dcsi_copy_file(const char *from, const char *to, unsigned flags,
                          struct dcs_error *err);
/* The same with from a name in fromdir and to a name in todir (pinned
 * directories, core/contain.h: names there are not followed if symbolic
 * links; AT_FDCWD: paths, as dcsi_copy_file); *_shown name them in
 * messages. */
dcs_status dcsi_copy_file_at(int fromdir, const char *from, const char *from_shown, int todir,
                             const char *to, const char *to_shown, unsigned flags,
                             struct dcs_error *err);

/* ---- the output helper: a path the user named --------------------------- */

/* How a named output is written:
 * - "-": standard output, written through;
 * - absent or a regular file: replaced atomically (dcsi_replace_*), with
 *   PATH.bak kept at commit when asked;
 * - a character or block device, a FIFO or a socket: written through (the
 *   path is opened for writing and never renamed over: "-o /dev/null" keeps
 *   /dev/null a device; opening a FIFO waits for its reader, as a shell's
 *   redirection does);
 * - a symbolic link: followed (up to 40 links).  The file it points to is
 *   what the output is about, so a link to a regular file (or to a missing
 *   file in an existing directory) has that file replaced atomically in its
 *   own directory, and the link stays a link; a link to a device or FIFO is
 *   written through;
 * - a directory (also through a link): refused ("PATH is a directory"). */
struct dcsi_output {
    int fd;      /* where write() goes */
    bool direct; /* written through: no temporary file, no rewind, no backup */
    bool to_stdout;
    char *path;              /* when direct: for messages */
    struct dcsi_replace rep; /* when !direct */
};

dcs_status dcsi_output_open(struct dcsi_output *o, const char *path, struct dcs_error *err);
dcs_status dcsi_output_write(struct dcsi_output *o, const void *data, size_t len,
                             struct dcs_error *err);
/* Drop what was written: "output cannot be restarted" when direct. */
dcs_status dcsi_output_rewind(struct dcsi_output *o, struct dcs_error *err);
/* Finish (fsync, backup as NAME.bak when backup is true, rename, fsync of
 * the directory; only a flush when direct).  Always releases o. */
dcs_status dcsi_output_commit(struct dcsi_output *o, bool backup, struct dcs_error *err);
void dcsi_output_abort(struct dcsi_output *o);
/* open + write + commit (no backup) in one call. */
dcs_status dcsi_output_file(const char *path, const void *data, size_t len,
                            struct dcs_error *err);

#endif
