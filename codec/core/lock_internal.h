/* dcs — internal: waiting for flock(2) locks (core/lock.c), shared with the
 * hive room's journal. */
#ifndef DCS_LOCK_INTERNAL_H
#define DCS_LOCK_INTERNAL_H

#include <stdint.h>
#include <sys/types.h>

/* Milliseconds on the monotonic clock. */
uint64_t dcsi_now_ms(void);

/* Open path (O_RDONLY plus extra_flags, never blocking on a FIFO) and take
 * an exclusive flock on it, waiting until deadline_ms; then check that the
 * path still names the locked file, starting again when it was replaced.
 * Returns the locked descriptor, or -1 with errno: EWOULDBLOCK when the
 * deadline passed, ENOENT when the path is gone, else the failing call's. */
int dcsi_lock_open(const char *path, int extra_flags, uint64_t deadline_ms);

/* The process id /proc/locks gives for an flock held on (dev, ino), or 0
 * when it cannot tell. */
long dcsi_lock_holder(dev_t dev, ino_t ino);

#endif
