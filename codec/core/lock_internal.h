/* dcs — internal: waiting for flock(2) locks (core/lock.c), shared with the
 * hive room's journal. */
#ifndef DCS_LOCK_INTERNAL_H
#define DCS_LOCK_INTERNAL_H

#include <stdint.h>
#include <sys/types.h>

#include <dcs/lock.h>

/* Milliseconds on the monotonic clock. */
uint64_t dcsi_now_ms(void);

/* Open path (O_RDONLY plus extra_flags, never blocking on a FIFO) and take
 * an exclusive flock on it, waiting until deadline_ms; then check that the
 * path still names the locked file, starting again when it was replaced.
 * Returns the locked descriptor, or -1 with errno: EWOULDBLOCK when the
 * deadline passed, ENOENT when the path is gone, else the failing call's. */
int dcsi_lock_open(const char *path, int extra_flags, uint64_t deadline_ms);
/* The same for the name path in dirfd (a pinned directory: the name is not
 * followed if a symbolic link; AT_FDCWD: as dcsi_lock_open). */
int dcsi_lock_openat(int dirfd, const char *path, int extra_flags, uint64_t deadline_ms);

/* dcs_lock_acquire of the name in dirfd (kept open by the lock, so that
 * dcs_lock_current looks there again); path names it in messages. */
dcs_status dcsi_lock_acquire_at(int dirfd, const char *name, const char *path, unsigned ms,
                                dcs_lock **out, struct dcs_error *err);

/* l now holds the exclusive flock already taken on fd (the file a commit
 * renamed over the locked name), and the replaced file's descriptor closes.
 * Without it, a lock kept across a commit stays on a file no name reaches
 * any more, and another process could lock the new one.  fd is taken
 * (closed on a failure to stat it, the old lock then kept). */
void dcsi_lock_adopt(dcs_lock *l, int fd);

/* The process id /proc/locks gives for an flock held on (dev, ino), or 0
 * when it cannot tell. */
long dcsi_lock_holder(dev_t dev, ino_t ino);

#endif
