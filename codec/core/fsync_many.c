/* Several fsyncs at once (see core/fileio.h).
 *
 * Why threads: a commit makes a set of files durable before its next step,
 * and none of them depends on another.  One after the other, each fsync
 * waits for its own journal commit and cache flush (0.2-0.5 ms each on a
 * VM's ext4); issued together, the file system commits them as a group
 * (ext4's jbd2 and XFS's log both batch the fsyncs that wait at once). */
#include "core/fileio.h"

#include <errno.h>
#include <string.h>
#include <pthread.h>
#include <stdbool.h>
#include <unistd.h>

/* a commit's largest batch (3 hives: 3 temporaries, 3 journal copies, 6
 * backup files) gets a thread per file, so no fsync waits for a second
 * flush; beyond that the flushes are one device's */
#define FSYNC_THREADS 16

struct share {
    const int *fds;
    size_t n, start, step;
    size_t failed; /* the first index that failed, n when none */
    int err;
    bool dirs;
};

static void *fsync_share(void *arg)
{
    struct share *s = arg;
    for (size_t i = s->start; i < s->n; i += s->step) {
        if (s->fds[i] < 0)
            continue;
        /* EINVAL for a directory: the file system cannot synchronise one,
         * as dcsi_fsync_dirfd allows */
        if (fsync(s->fds[i]) != 0 && !(s->dirs && errno == EINVAL) && s->failed == s->n) {
            s->failed = i;
            s->err = errno;
        }
    }
    return NULL;
}

int dcsi_fsync_many(const int *fds, size_t n, bool dirs, size_t *failed)
{
    size_t t = n < FSYNC_THREADS ? n : FSYNC_THREADS;
    struct share shares[FSYNC_THREADS];
    pthread_t threads[FSYNC_THREADS];
    bool started[FSYNC_THREADS] = {false};
    for (size_t k = 0; k < t; k++) {
        shares[k] = (struct share){fds, n, k, t, n, 0, dirs};
        /* share 0 is this thread's; a thread that cannot start leaves its
         * share to this one too */
        if (k > 0)
            started[k] = pthread_create(&threads[k], NULL, fsync_share, &shares[k]) == 0;
    }
    for (size_t k = 0; k < t; k++) {
        if (started[k])
            (void)pthread_join(threads[k], NULL);
        else
            (void)fsync_share(&shares[k]);
    }
    size_t first = n;
    int err = 0;
    for (size_t k = 0; k < t; k++)
        if (shares[k].failed < first) {
            first = shares[k].failed;
            err = shares[k].err;
        }
    if (failed)
        *failed = first;
    return err;
}

dcs_status dcsi_fsync_dirs(const int *fds, const char *const *shown, size_t n,
                           struct dcs_error *err)
{
    size_t failed;
    int e = dcsi_fsync_many(fds, n, true, &failed);
    if (e)
        return dcs_error_set(err, DCS_ERR_IO, DCS_NO_OFFSET, "fsync of directory %s failed: %s",
                             shown[failed], strerror(e));
    return DCS_OK;
}
