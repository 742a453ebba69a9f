/* dcs — exclusive locks on hives and images between dcs processes.
 *
 * A lock is an flock(2) on the file or directory itself: nothing is
 * created beside it, and the kernel drops it when the holder dies.  A hive
 * is replaced by rename on commit, so a waiter that gets the lock checks
 * that the path still names the file it locked and starts again when it
 * does not (it then sees the committed version).
 *
 *   - dcs_hive_open with DCS_HIVE_WRITE takes the lock of the hive file and
 *     holds it until dcs_hive_close: two writers of one hive (an apply and a
 *     reg import) run one after the other, neither update is lost.
 *   - dcs_lock_image takes the lock of a Windows image's root directory,
 *     for whatever works on several hives of one image at once.
 *   - readers do not lock: every commit replaces whole files by rename, so
 *     a reader sees each hive either before or after it.
 *
 * A process that already holds a lock on a file gets it again (counted),
 * so opening one file twice for writing in one process does not wait on
 * itself.  Waiting is bounded: DCS_ERR_HIVE_LOCKED names the file and,
 * where /proc/locks tells, the holder's process id.
 */
#ifndef DCS_LOCK_H
#define DCS_LOCK_H

#include <stdbool.h>

#include <dcs/error.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct dcs_lock dcs_lock;

#define DCS_LOCK_WAIT_DEFAULT_MS 10000u

/* How long dcs_hive_open (and the recovery of an interrupted commit) waits
 * for a lock held by another process; 0 = do not wait.  Process-wide; set
 * it at start-up. */
DCS_API void dcs_lock_set_wait(unsigned ms);
DCS_API unsigned dcs_lock_wait(void);

/* Lock the file or directory at path (exclusive), waiting at most wait_ms.
 * Errors: DCS_ERR_HIVE_LOCKED (still held after the wait), DCS_ERR_IO,
 * DCS_ERR_NOT_FOUND, DCS_ERR_NOMEM. */
DCS_API dcs_status dcs_lock_acquire(const char *path, unsigned wait_ms, dcs_lock **out,
                                    struct dcs_error *err);
/* The same for the root directory of a Windows image (refused when root is
 * not a directory). */
DCS_API dcs_status dcs_lock_image(const char *root, unsigned wait_ms, dcs_lock **out,
                                  struct dcs_error *err);
/* True while the locked path still names the file that was locked. */
DCS_API bool dcs_lock_current(const dcs_lock *lock);
DCS_API const char *dcs_lock_path(const dcs_lock *lock);
/* Release (NULL is allowed). */
DCS_API void dcs_lock_release(dcs_lock *lock);

#ifdef __cplusplus
}
#endif
#endif
