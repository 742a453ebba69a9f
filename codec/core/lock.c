/* Exclusive locks between dcs processes (contract in dcs/lock.h). */
#include <dcs/lock.h>
#include "core/lock_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>

uint64_t dcsi_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/* flock, polling until the deadline: flock has no timeout of its own and a
 * blocking call would need a signal to interrupt it. */
static int flock_until(int fd, uint64_t deadline_ms)
{
    for (;;) {
        if (flock(fd, LOCK_EX | LOCK_NB) == 0)
            return 0;
        if (errno == EINTR)
            continue;
        if (errno != EWOULDBLOCK)
            return -1;
        uint64_t now = dcsi_now_ms();
        if (now >= deadline_ms) {
            errno = EWOULDBLOCK;
            return -1;
        }
        uint64_t left = deadline_ms - now;
        struct timespec nap = {0, (long)(left < 20 ? left : 20) * 1000000L};
        nanosleep(&nap, NULL);
    }
}

int dcsi_lock_open(const char *path, int extra_flags, uint64_t deadline_ms)
{
    return dcsi_lock_openat(AT_FDCWD, path, extra_flags, deadline_ms);
}

int dcsi_lock_openat(int dirfd, const char *path, int extra_flags, uint64_t deadline_ms)
{
    /* a pinned directory: the name itself is not followed either */
    int nofollow = dirfd == AT_FDCWD ? 0 : O_NOFOLLOW;
    for (;;) {
        int fd = openat(dirfd, path,
                        O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK | nofollow | extra_flags);
        if (fd < 0)
            return -1;
        struct stat held_st, now;
        int e;
        if (flock_until(fd, deadline_ms) != 0 || fstat(fd, &held_st) != 0) {
            e = errno;
            close(fd);
            errno = e;
            return -1;
        }
        if (fstatat(dirfd, path, &now, nofollow ? AT_SYMLINK_NOFOLLOW : 0) == 0 &&
            now.st_dev == held_st.st_dev && now.st_ino == held_st.st_ino)
            return fd;
        /* replaced (a commit renamed a new version over it) or removed
         * while we waited: the lock is on a file nobody will open again */
        e = errno;
        close(fd);
        if (e == ENOENT) {
            errno = ENOENT;
            return -1;
        }
    }
}

long dcsi_lock_holder(dev_t dev, ino_t ino)
{
    FILE *f = fopen("/proc/locks", "re");
    if (!f)
        return 0;
    char line[256];
    long pid = 0;
    while (!pid && fgets(line, sizeof line, f)) {
        /* "1: FLOCK  ADVISORY  WRITE 1234 08:01:56789 0 EOF" */
        char kind[16];
        long p;
        unsigned maj, min;
        unsigned long long in;
        if (sscanf(line, "%*[^:]: %15s %*s %*s %ld %x:%x:%llu", kind, &p, &maj, &min, &in) == 5 && // NOLINT(cert-err34-c): the kernel writes /proc/locks
            strcmp(kind, "FLOCK") == 0 && in == (unsigned long long)ino &&
            maj == major(dev) && min == minor(dev) && p > 0)
            pid = p;
    }
    fclose(f);
    return pid;
}

/* ---- the process's own locks -------------------------------------------- */

/* flock locks belong to open file descriptions: a second open of a file this
 * process has locked would wait on itself.  Locks are therefore shared
 * within the process and counted. */
struct dcs_lock {
    struct dcs_lock *next;
    dev_t dev;
    ino_t ino;
    int fd;
    unsigned refs;
    char *path;  /* for messages */
    int dirfd;   /* where name is looked up: a pinned directory, or AT_FDCWD */
    char *name;
};

static struct dcs_lock *held;
static pthread_mutex_t held_mutex = PTHREAD_MUTEX_INITIALIZER;
static unsigned wait_ms = DCS_LOCK_WAIT_DEFAULT_MS;

void dcs_lock_set_wait(unsigned ms)
{
    wait_ms = ms;
}

unsigned dcs_lock_wait(void)
{
    return wait_ms;
}

static struct dcs_lock *find_held(dev_t dev, ino_t ino)
{
    for (struct dcs_lock *l = held; l; l = l->next)
        if (l->dev == dev && l->ino == ino)
            return l;
    return NULL;
}

static dcs_status locked_error(int dirfd, const char *name, const char *path, unsigned ms,
                               struct dcs_error *err)
{
    struct stat st;
    long pid = fstatat(dirfd, name, &st, 0) == 0 ? dcsi_lock_holder(st.st_dev, st.st_ino) : 0;
    char who[48] = "another process";
    if (pid)
        snprintf(who, sizeof who, "another process (pid %ld)", pid);
    return dcs_error_set(err, DCS_ERR_HIVE_LOCKED, DCS_NO_OFFSET,
                         "%s is locked by %s and was still locked after %u.%03u s; try again "
                         "when it has finished",
                         path, who, ms / 1000u, ms % 1000u);
}

/* Already held by this process: count one more user. */
static dcs_lock *share_held(int dirfd, const char *name)
{
    struct stat st;
    if (fstatat(dirfd, name, &st, dirfd == AT_FDCWD ? 0 : AT_SYMLINK_NOFOLLOW) != 0)
        return NULL;
    pthread_mutex_lock(&held_mutex);
    struct dcs_lock *l = find_held(st.st_dev, st.st_ino);
    if (l)
        l->refs++;
    pthread_mutex_unlock(&held_mutex);
    return l;
}

static void lock_free(struct dcs_lock *l)
{
    if (l->dirfd >= 0)
        close(l->dirfd);
    free(l->path);
    free(l->name);
    free(l);
}

dcs_status dcs_lock_acquire(const char *path, unsigned ms, dcs_lock **out,
                            struct dcs_error *err)
{
    return dcsi_lock_acquire_at(AT_FDCWD, path, path, ms, out, err);
}

dcs_status dcsi_lock_acquire_at(int dirfd, const char *name, const char *path, unsigned ms,
                                dcs_lock **out, struct dcs_error *err)
{
    *out = share_held(dirfd, name);
    if (*out)
        return DCS_OK;
    struct dcs_lock *l = calloc(1, sizeof *l);
    if (l)
        l->dirfd = dirfd == AT_FDCWD ? AT_FDCWD : fcntl(dirfd, F_DUPFD_CLOEXEC, 0);
    if (!l || !(l->path = strdup(path)) || !(l->name = strdup(name)) ||
        (dirfd != AT_FDCWD && l->dirfd < 0)) {
        if (l)
            lock_free(l);
        return dcs_error_set(err, DCS_ERR_NOMEM, DCS_NO_OFFSET, "out of memory");
    }
    l->fd = dcsi_lock_openat(dirfd, name, 0, dcsi_now_ms() + ms);
    struct stat st;
    if (l->fd < 0 || fstat(l->fd, &st) != 0) {
        int e = errno;
        if (l->fd >= 0)
            close(l->fd);
        lock_free(l);
        if (e == EWOULDBLOCK)
            return locked_error(dirfd, name, path, ms, err);
        return dcs_error_set(err, e == ENOENT ? DCS_ERR_NOT_FOUND : DCS_ERR_IO, DCS_NO_OFFSET,
                             "cannot lock %s: %s", path, strerror(e));
    }
    l->dev = st.st_dev;
    l->ino = st.st_ino;
    l->refs = 1;
    pthread_mutex_lock(&held_mutex);
    l->next = held;
    held = l;
    pthread_mutex_unlock(&held_mutex);
    *out = l;
    return DCS_OK;
}

dcs_status dcs_lock_image(const char *root, unsigned ms, dcs_lock **out, struct dcs_error *err)
{
    struct stat st;
    *out = NULL;
    if (stat(root, &st) != 0)
        return dcs_error_set(err, errno == ENOENT ? DCS_ERR_NOT_FOUND : DCS_ERR_IO,
                             DCS_NO_OFFSET, "cannot lock the image %s: %s", root,
                             strerror(errno));
    if (!S_ISDIR(st.st_mode))
        return dcs_error_set(err, DCS_ERR_INVALID_ARG, DCS_NO_OFFSET,
                             "cannot lock the image %s: not a directory", root);
    return dcs_lock_acquire(root, ms, out, err);
}

void dcsi_lock_adopt(dcs_lock *l, int fd)
{
    struct stat st;
    if (!l || fstat(fd, &st) != 0) {
        close(fd);
        return;
    }
    pthread_mutex_lock(&held_mutex);
    int old = l->fd;
    l->fd = fd;
    l->dev = st.st_dev;
    l->ino = st.st_ino;
    pthread_mutex_unlock(&held_mutex);
    close(old); /* the replaced file's flock drops: nobody can reach it by name */
}

bool dcs_lock_current(const dcs_lock *l)
{
    struct stat st;
    return l &&
           fstatat(l->dirfd, l->name, &st, l->dirfd == AT_FDCWD ? 0 : AT_SYMLINK_NOFOLLOW) == 0 &&
           st.st_dev == l->dev && st.st_ino == l->ino;
}

const char *dcs_lock_path(const dcs_lock *l)
{
    return l ? l->path : "";
}

void dcs_lock_release(dcs_lock *l)
{
    if (!l)
        return;
    pthread_mutex_lock(&held_mutex);
    bool last = --l->refs == 0;
    if (last) {
        struct dcs_lock **p = &held;
        while (*p != l)
            p = &(*p)->next;
        *p = l->next;
    }
    pthread_mutex_unlock(&held_mutex);
    if (!last)
        return;
    close(l->fd); /* drops the flock */
    lock_free(l);
}
