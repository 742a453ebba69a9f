/* File-I/O helpers: write-all, bounded reads, dirname, mkdirs, fsync of a
 * directory, atomic replace and copy (see core/fileio.h). */
#include "core/fileio.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#if defined(__linux__)
#include <sys/syscall.h>
#endif

#ifndef O_CLOEXEC
#define O_CLOEXEC 0
#endif

static dcs_status nomem(struct dcs_error *err)
{
    return dcs_error_set(err, DCS_ERR_NOMEM, DCS_NO_OFFSET, "out of memory");
}

int dcsi_write_full(int fd, const void *data, size_t len)
{
    const uint8_t *p = data;
    while (len) {
        ssize_t w = write(fd, p, len);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            return errno;
        }
        if (w == 0) /* nothing moved and no error: would loop forever */
            return ENOSPC;
        p += w;
        len -= (size_t)w;
    }
    return 0;
}

dcs_status dcsi_write_all(int fd, const void *data, size_t len, struct dcs_error *err)
{
    int e = dcsi_write_full(fd, data, len);
    if (e)
        return dcs_error_set(err, DCS_ERR_IO, DCS_NO_OFFSET, "write failed: %s", strerror(e));
    return DCS_OK;
}

int dcsi_fsync_file(const char *path)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return errno;
    int e = fsync(fd) != 0 ? errno : 0;
    close(fd);
    return e;
}

dcs_status dcsi_fsync_path(const char *path, struct dcs_error *err)
{
    int e = dcsi_fsync_file(path);
    if (e)
        return dcs_error_set(err, DCS_ERR_IO, DCS_NO_OFFSET, "cannot fsync %s: %s", path,
                             strerror(e));
    return DCS_OK;
}

/* ---- reading ------------------------------------------------------------ */

int dcsi_read_upto(int fd, void *buf, size_t n, size_t *got)
{
    uint8_t *p = buf;
    *got = 0;
    while (*got < n) {
        ssize_t r = read(fd, p + *got, n - *got);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0)
            return errno;
        if (r == 0)
            break;
        *got += (size_t)r;
    }
    return 0;
}

dcs_status dcsi_read_fd(int fd, size_t max, uint8_t **data, size_t *len, struct dcs_error *err)
{
    uint8_t *buf = NULL;
    size_t n = 0, cap = 0;
    *data = NULL;
    *len = 0;
    for (;;) {
        if (n == cap) {
            if (cap > max) { /* n > max: one byte more than allowed is enough */
                free(buf);
                return dcs_error_set(err, DCS_ERR_LIMIT, DCS_NO_OFFSET,
                                     "input larger than %zu bytes", max);
            }
            size_t ncap = cap ? cap * 2 : 65536;
            if (ncap > max + 1)
                ncap = max + 1 > cap ? max + 1 : cap + 1;
            uint8_t *nb = realloc(buf, ncap + 1);
            if (!nb) {
                free(buf);
                return nomem(err);
            }
            buf = nb;
            cap = ncap;
        }
        ssize_t got = read(fd, buf + n, cap - n);
        if (got < 0 && errno == EINTR)
            continue;
        if (got < 0) {
            int e = errno;
            free(buf);
            return dcs_error_set(err, DCS_ERR_IO, DCS_NO_OFFSET, "read error: %s", strerror(e));
        }
        if (got == 0)
            break;
        n += (size_t)got;
    }
    if (n > max) {
        free(buf);
        return dcs_error_set(err, DCS_ERR_LIMIT, DCS_NO_OFFSET, "input larger than %zu bytes",
                             max);
    }
    if (!buf && !(buf = malloc(1)))
        return nomem(err);
    buf[n] = 0;
    *data = buf;
    *len = n;
    return DCS_OK;
}

static const char *kind_name(mode_t m)
{
    return S_ISDIR(m) ? "a directory" : S_ISFIFO(m) ? "a FIFO" : S_ISCHR(m) ? "a character device"
         : S_ISBLK(m) ? "a block device" : S_ISSOCK(m) ? "a socket" : "not a regular file";
}

dcs_status dcsi_open_input(const char *path, unsigned flags, int *fd, struct dcs_error *err)
{
    return dcsi_open_input_at(AT_FDCWD, path, flags, fd, err);
}

dcs_status dcsi_open_input_at(int dirfd, const char *path, unsigned flags, int *fd,
                              struct dcs_error *err)
{
    struct stat st;
    return dcsi_open_input_st(dirfd, path, flags, fd, &st, err);
}

dcs_status dcsi_open_input_st(int dirfd, const char *path, unsigned flags, int *fd,
                              struct stat *st, struct dcs_error *err)
{
    /* O_NONBLOCK: opening a FIFO for reading must not wait for a writer */
    int nofollow = flags & DCSI_READ_NO_FOLLOW ? O_NOFOLLOW : 0;
    *fd = openat(dirfd, path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC | nofollow);
    if (*fd < 0)
        return dcs_error_set(err, errno == ENOENT ? DCS_ERR_NOT_FOUND : DCS_ERR_IO,
                             DCS_NO_OFFSET, "cannot open: %s", strerror(errno));
    dcs_status s = DCS_OK;
    if (fstat(*fd, st) != 0)
        s = dcs_error_set(err, DCS_ERR_IO, DCS_NO_OFFSET, "cannot stat: %s", strerror(errno));
    else if (S_ISDIR(st->st_mode) || (!S_ISREG(st->st_mode) && !(flags & DCSI_READ_ANY_KIND)))
        s = dcs_error_set(err, DCS_ERR_IO, DCS_NO_OFFSET, "is %s, not a file to read",
                          kind_name(st->st_mode));
    /* Back to blocking reads: a FIFO whose writer is there but slow is then
     * waited for, and one with no writer reads as end of file.  A regular
     * file's reads never wait: O_NONBLOCK changes nothing there, and is
     * left (two system calls per file saved). */
    else if (!S_ISREG(st->st_mode) && fcntl(*fd, F_SETFL, fcntl(*fd, F_GETFL) & ~O_NONBLOCK) != 0)
        s = dcs_error_set(err, DCS_ERR_IO, DCS_NO_OFFSET, "cannot read: %s", strerror(errno));
    if (s) {
        close(*fd);
        *fd = -1;
    }
    return s;
}

dcs_status dcsi_read_file(const char *path, size_t max, unsigned flags, uint8_t **data,
                          size_t *len, struct dcs_error *err)
{
    *data = NULL;
    *len = 0;
    if (strcmp(path, "-") == 0)
        return dcsi_read_fd(0, max, data, len, err);
    int fd;
    dcs_status s = dcsi_open_input(path, flags, &fd, err);
    if (s)
        return s;
    struct stat st;
    if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && (uint64_t)st.st_size > (uint64_t)max)
        s = dcs_error_set(err, DCS_ERR_LIMIT, DCS_NO_OFFSET, "input larger than %zu bytes", max);
    else
        s = dcsi_read_fd(fd, max, data, len, err);
    close(fd);
    return s;
}

/* ---- paths -------------------------------------------------------------- */

char *dcsi_dirname(const char *path)
{
    size_t n = strlen(path);
    while (n > 1 && path[n - 1] == '/') /* "a/b/" names b */
        n--;
    while (n > 0 && path[n - 1] != '/')
        n--;
    while (n > 1 && path[n - 1] == '/')
        n--;
    const char *d = n ? path : ".";
    size_t dn = n ? n : 1;
    char *out = malloc(dn + 1);
    if (out) {
        memcpy(out, d, dn);
        out[dn] = '\0';
    }
    return out;
}

const char *dcsi_basename(const char *path)
{
    const char *s = strrchr(path, '/');
    return s ? s + 1 : path;
}

char *dcsi_strdupf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0)
        return NULL;
    char *s = malloc((size_t)n + 1);
    if (!s)
        return NULL;
    va_start(ap, fmt);
    vsnprintf(s, (size_t)n + 1, fmt, ap);
    va_end(ap);
    return s;
}

void dcsi_utc_stamp(char out[DCSI_STAMP_SIZE])
{
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(out, DCSI_STAMP_SIZE, "%Y%m%dT%H%M%SZ", &tm);
}

dcs_status dcsi_mkdirs(const char *path, mode_t mode, struct dcs_error *err)
{
    size_t n = strlen(path);
    char *p = malloc(n + 1);
    if (!p)
        return nomem(err);
    memcpy(p, path, n + 1);
    dcs_status s = DCS_OK;
    /* each prefix ending before a '/', then the whole path */
    for (size_t i = 1; i <= n && !s; i++) {
        if (i < n && p[i] != '/')
            continue;
        if (i < n && p[i - 1] == '/')
            continue; /* "a//b" */
        char keep = p[i];
        p[i] = '\0';
        struct stat st;
        if (mkdir(p, mode) != 0 && errno != EEXIST)
            s = dcs_error_set(err, DCS_ERR_IO, DCS_NO_OFFSET, "cannot create directory %s: %s",
                              p, strerror(errno));
        else if (stat(p, &st) != 0 || !S_ISDIR(st.st_mode))
            s = dcs_error_set(err, DCS_ERR_IO, DCS_NO_OFFSET, "%s exists and is not a directory",
                              p);
        p[i] = keep;
    }
    free(p);
    return s;
}

dcs_status dcsi_fsync_dirfd(int dirfd, const char *display, struct dcs_error *err)
{
    if (fsync(dirfd) != 0 && errno != EINVAL) /* EINVAL: the file system cannot */
        return dcs_error_set(err, DCS_ERR_IO, DCS_NO_OFFSET, "fsync of directory %s failed: %s",
                             display, strerror(errno));
    return DCS_OK;
}

dcs_status dcsi_fsync_dir(const char *dir, struct dcs_error *err)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return dcs_error_set(err, DCS_ERR_IO, DCS_NO_OFFSET, "cannot open directory %s: %s", dir,
                             strerror(errno));
    dcs_status s = dcsi_fsync_dirfd(fd, dir, err);
    close(fd);
    return s;
}

/* ---- atomic replace ----------------------------------------------------- */

static char *dup_str(const char *s)
{
    size_t n = strlen(s) + 1;
    char *d = malloc(n);
    return d ? memcpy(d, s, n) : NULL;
}

/* Create NAME.tmpXXXXXX in dirfd exclusively (mkstemp has no *at form). */
static int make_temp(int dirfd, const char *name, char **tmp_out)
{
    size_t n = strlen(name);
    char *tmp = malloc(n + 11);
    if (!tmp) {
        errno = ENOMEM;
        return -1;
    }
    static const char set[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    uint64_t x = (uint64_t)ts.tv_nsec ^ ((uint64_t)ts.tv_sec << 20) ^ ((uint64_t)getpid() << 40);
    for (int tries = 0; tries < 100; tries++) {
        memcpy(tmp, name, n);
        memcpy(tmp + n, ".tmp", 4);
        for (int i = 0; i < 6; i++) {
            x = x * 6364136223846793005ull + 1442695040888963407ull;
            tmp[n + 4 + i] = set[(x >> 33) % (sizeof set - 1)];
        }
        tmp[n + 10] = '\0';
        int fd = openat(dirfd, tmp, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
        if (fd >= 0) {
            *tmp_out = tmp;
            return fd;
        }
        if (errno != EEXIST)
            break;
    }
    int e = errno;
    free(tmp);
    errno = e;
    return -1;
}

static void replace_release(struct dcsi_replace *r)
{
    if (r->fd >= 0)
        close(r->fd);
    if (r->tmp && r->dirfd >= 0)
        (void)unlinkat(r->dirfd, r->tmp, 0);
    if (r->dirfd >= 0)
        close(r->dirfd);
    free(r->tmp);
    free(r->name);
    free(r->display);
    r->fd = r->dirfd = -1;
    r->tmp = r->name = r->display = NULL;
}

/* Begin with a directory descriptor that r takes over (-1: open failed). */
static dcs_status replace_start(struct dcsi_replace *r, int own_dirfd, const char *name,
                                const char *display, mode_t mode_if_new, struct dcs_error *err)
{
    r->fd = -1;
    r->tmp = NULL;
    r->dirfd = own_dirfd;
    r->name = dup_str(name);
    r->display = dup_str(display ? display : name);
    if (r->dirfd < 0 || !r->name || !r->display) {
        int e = errno;
        replace_release(r);
        return r->name ? dcs_error_set(err, DCS_ERR_IO, DCS_NO_OFFSET, "cannot open %s: %s",
                                       display ? display : name, strerror(e))
                       : nomem(err);
    }
    r->fd = make_temp(r->dirfd, name, &r->tmp);
    if (r->fd < 0) {
        int e = errno;
        dcs_status s = e == ENOMEM ? nomem(err)
                     : dcs_error_set(err, DCS_ERR_IO, DCS_NO_OFFSET,
                                     "cannot create a temporary file beside %s: %s", r->display,
                                     strerror(e));
        replace_release(r);
        return s;
    }
    struct stat old;
    if (fstatat(r->dirfd, name, &old, AT_SYMLINK_NOFOLLOW) == 0 && S_ISREG(old.st_mode)) {
        /* keep the owner where permitted (root; or our own file), then the
         * mode, since chown may clear set-id bits */
        if (old.st_uid != geteuid() || old.st_gid != getegid())
            (void)fchown(r->fd, old.st_uid, old.st_gid);
        (void)fchmod(r->fd, old.st_mode & 07777);
    } else {
        (void)fchmod(r->fd, mode_if_new & 07777);
    }
    return DCS_OK;
}

dcs_status dcsi_replace_begin_at(struct dcsi_replace *r, int dirfd, const char *name,
                                 const char *display, mode_t mode_if_new, struct dcs_error *err)
{
    return replace_start(r, fcntl(dirfd, F_DUPFD_CLOEXEC, 0), name, display, mode_if_new, err);
}

dcs_status dcsi_replace_begin(struct dcsi_replace *r, const char *path, mode_t mode_if_new,
                              struct dcs_error *err)
{
    r->fd = r->dirfd = -1;
    r->tmp = r->name = r->display = NULL;
    char *dir = dcsi_dirname(path);
    if (!dir)
        return nomem(err);
    int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    free(dir);
    if (dfd < 0)
        return dcs_error_set(err, DCS_ERR_IO, DCS_NO_OFFSET,
                             "cannot create a temporary file beside %s: %s", path,
                             strerror(errno));
    return replace_start(r, dfd, dcsi_basename(path), path, mode_if_new, err);
}

dcs_status dcsi_replace_rewind(struct dcsi_replace *r, struct dcs_error *err)
{
    if (r->fd < 0 || ftruncate(r->fd, 0) != 0 || lseek(r->fd, 0, SEEK_SET) != 0)
        return dcs_error_set(err, DCS_ERR_IO, DCS_NO_OFFSET, "output cannot be restarted");
    return DCS_OK;
}

/* Keep the current file as backup_name: a hard link where the file system
 * has them, else by renaming it (the new file takes its place at once). */
static dcs_status keep_backup(struct dcsi_replace *r, const char *backup_name,
                              struct dcs_error *err)
{
    struct stat st;
    if (fstatat(r->dirfd, r->name, &st, AT_SYMLINK_NOFOLLOW) != 0)
        return DCS_OK; /* nothing to keep */
    (void)unlinkat(r->dirfd, backup_name, 0);
    if (linkat(r->dirfd, r->name, r->dirfd, backup_name, 0) == 0 ||
        renameat(r->dirfd, r->name, r->dirfd, backup_name) == 0)
        return DCS_OK;
    return dcs_error_set(err, DCS_ERR_IO, DCS_NO_OFFSET, "cannot keep a backup %s of %s: %s",
                         backup_name, r->display, strerror(errno));
}

dcs_status dcsi_replace_sync(struct dcsi_replace *r, struct dcs_error *err)
{
    if (r->fd < 0)
        return DCS_OK; /* already */
    dcs_status s = DCS_OK;
    if (fsync(r->fd) != 0)
        s = dcs_error_set(err, DCS_ERR_IO, DCS_NO_OFFSET, "cannot write %s: fsync failed: %s",
                          r->display, strerror(errno));
    int fd = r->fd;
    r->fd = -1;
    if (close(fd) != 0 && !s)
        s = dcs_error_set(err, DCS_ERR_IO, DCS_NO_OFFSET, "cannot write %s: close failed: %s",
                          r->display, strerror(errno));
    return s;
}

dcs_status dcsi_replace_commit(struct dcsi_replace *r, const char *backup_name,
                               struct dcs_error *err)
{
    dcs_status s = dcsi_replace_sync(r, err);
    if (!s && backup_name)
        s = keep_backup(r, backup_name, err);
    if (!s && renameat(r->dirfd, r->tmp, r->dirfd, r->name) != 0)
        s = dcs_error_set(err, DCS_ERR_IO, DCS_NO_OFFSET, "cannot rename to %s: %s", r->display,
                          strerror(errno));
    if (!s) {
        free(r->tmp);
        r->tmp = NULL; /* in place: nothing to remove */
        s = dcsi_fsync_dirfd(r->dirfd, r->display, err);
    }
    replace_release(r);
    return s;
}

void dcsi_replace_abort(struct dcsi_replace *r)
{
    if (r)
        replace_release(r);
}

dcs_status dcsi_write_file_atomic(const char *path, const void *data, size_t len,
                                  mode_t mode_if_new, struct dcs_error *err)
{
    struct dcsi_replace r;
    dcs_status s = dcsi_replace_begin(&r, path, mode_if_new, err);
    if (s)
        return s;
    s = dcsi_write_all(r.fd, data, len, err);
    if (s) {
        dcsi_replace_abort(&r);
        return s;
    }
    return dcsi_replace_commit(&r, NULL, err);
}

DIR *dcsi_opendir_at(int at, const char *dir)
{
    int fd = at == AT_FDCWD ? open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
                            : openat(at, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
    if (!d && fd >= 0) {
        int e = errno;
        close(fd);
        errno = e;
    }
    return d;
}

#if defined(SYS_getdents64)
/* getdents64's record (linux/dirent.h has none for user space). */
struct linux_dirent64 {
    uint64_t d_ino;
    int64_t d_off;
    unsigned short d_reclen;
    unsigned char d_type;
    char d_name[];
};
#endif

int dcsi_list_at(int at, const char *dir, dcsi_list_fn fn, void *ctx)
{
#if defined(SYS_getdents64)
    int fd = at == AT_FDCWD ? open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
                            : openat(at, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return errno;
    /* aligned for the records' 64-bit fields */
    uint64_t buf[2048];
    int rc = 0, stop = 0;
    while (!stop) {
        long n = syscall(SYS_getdents64, fd, buf, sizeof buf);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            rc = n < 0 ? errno : 0;
            break;
        }
        for (long off = 0; off < n && !stop;) {
            const struct linux_dirent64 *de = (const void *)((const char *)buf + off);
            off += de->d_reclen;
            if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0)
                stop = fn(ctx, fd, de->d_name);
        }
    }
    close(fd);
    return rc;
#else
    DIR *d = dcsi_opendir_at(at, dir);
    if (!d)
        return errno;
    struct dirent *de;
    int stop = 0;
    while (!stop && (de = readdir(d)) != NULL)
        if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0)
            stop = fn(ctx, dirfd(d), de->d_name);
    closedir(d);
    return 0;
#endif
}

/* ---- copy --------------------------------------------------------------- */

dcs_status dcsi_copy_fd(int in, int out, const char *from, struct dcs_error *err)
{
    uint8_t buf[65536];
    for (;;) {
        ssize_t n = read(in, buf, sizeof buf);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return dcs_error_set(err, DCS_ERR_IO, DCS_NO_OFFSET, "cannot read %s: %s", from,
                                 strerror(errno));
        if (n == 0)
            return DCS_OK;
        dcs_status s = dcsi_write_all(out, buf, (size_t)n, err);
        if (s)
            return s;
    }
}

/* DCSI_COPY_IN_PLACE: to is created exclusively and written directly. */
static dcs_status copy_in_place(int in, const char *from, int dirfd, const char *to,
                                const char *shown, mode_t mode, struct dcs_error *err)
{
    int out = openat(dirfd, to, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
    if (out < 0)
        return dcs_error_set(err, DCS_ERR_IO, DCS_NO_OFFSET, "cannot create %s: %s", shown,
                             strerror(errno));
    (void)fchmod(out, mode); /* exactly from's mode, whatever the umask */
    dcs_status s = dcsi_copy_fd(in, out, from, err);
    if (s == DCS_OK && fsync(out) != 0)
        s = dcs_error_set(err, DCS_ERR_IO, DCS_NO_OFFSET, "cannot fsync %s: %s", shown,
                          strerror(errno));
    close(out);
    if (s != DCS_OK)
        (void)unlinkat(dirfd, to, 0);
    return s;
}


dcs_status dcsi_copy_file(const char *from, const char *to, unsigned flags,
                          struct dcs_error *err)
{
    return dcsi_copy_file_at(AT_FDCWD, from, from, AT_FDCWD, to, to, flags, err);
}

dcs_status dcsi_copy_file_at(int fromdir, const char *from, const char *from_shown, int todir,
                             const char *to, const char *to_shown, unsigned flags,
                             struct dcs_error *err)
{
    /* a pinned directory's names are not followed either */
    int in = openat(fromdir, from, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC |
                                       (fromdir == AT_FDCWD ? 0 : O_NOFOLLOW));
    struct stat st;
    if (in < 0)
        return dcs_error_set(err, DCS_ERR_IO, DCS_NO_OFFSET, "cannot open %s: %s", from_shown,
                             strerror(errno));
    if (fstat(in, &st) != 0 || !S_ISREG(st.st_mode)) {
        close(in);
        return dcs_error_set(err, DCS_ERR_IO, DCS_NO_OFFSET, "cannot copy %s: not a regular file",
                             from_shown);
    }
    if (flags & DCSI_COPY_IN_PLACE) {
        dcs_status s = copy_in_place(in, from_shown, todir, to, to_shown, st.st_mode & 07777,
                                     err);
        close(in);
        return s;
    }
    struct stat there;
    if (!(flags & DCSI_COPY_REPLACE) && fstatat(todir, to, &there, AT_SYMLINK_NOFOLLOW) == 0) {
        close(in);
        return dcs_error_set(err, DCS_ERR_IO, DCS_NO_OFFSET, "cannot copy to %s: %s", to_shown,
                             strerror(EEXIST));
    }
    /* through a temporary file: a crash never leaves a half copy at `to` */
    struct dcsi_replace r;
    dcs_status s = todir == AT_FDCWD
                       ? dcsi_replace_begin(&r, to, st.st_mode & 07777, err)
                       : dcsi_replace_begin_at(&r, todir, to, to_shown, st.st_mode & 07777, err);
    if (!s) {
        (void)fchmod(r.fd, st.st_mode & 07777);
        s = dcsi_copy_fd(in, r.fd, from_shown, err);
        if (s)
            dcsi_replace_abort(&r);
        else
            s = dcsi_replace_commit(&r, NULL, err);
    }
    close(in);
    return s;
}
