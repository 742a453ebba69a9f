/* Test-only system call failure injector (see failsys.h). */
#include "failsys.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

int __real_open(const char *path, int flags, ...);
int __real_open64(const char *path, int flags, ...);
ssize_t __real_read(int fd, void *buf, size_t n);
ssize_t __real_write(int fd, const void *buf, size_t n);
int __real_fsync(int fd);
int __real_rename(const char *from, const char *to);
int __real_unlink(const char *path);
int __real_link(const char *from, const char *to);
int __real_fchown(int fd, uid_t uid, gid_t gid);
int __real_close(int fd);
/* With _FILE_OFFSET_BITS=64 (meson's default on 32-bit hosts too) the headers
 * rename ftruncate and lseek to their 64-bit symbols: wrap whichever the code
 * links to (failsys_link_args wraps both names). */
#if defined(_FILE_OFFSET_BITS) && _FILE_OFFSET_BITS == 64
#define REAL_FTRUNCATE __real_ftruncate64
#define WRAP_FTRUNCATE __wrap_ftruncate64
#define REAL_LSEEK __real_lseek64
#define WRAP_LSEEK __wrap_lseek64
#else
#define REAL_FTRUNCATE __real_ftruncate
#define WRAP_FTRUNCATE __wrap_ftruncate
#define REAL_LSEEK __real_lseek
#define WRAP_LSEEK __wrap_lseek
#endif
int REAL_FTRUNCATE(int fd, off_t len);
off_t REAL_LSEEK(int fd, off_t off, int whence);
int __wrap_open(const char *path, int flags, ...);
int __wrap_open64(const char *path, int flags, ...);
ssize_t __wrap_read(int fd, void *buf, size_t n);
ssize_t __wrap_write(int fd, const void *buf, size_t n);
int __wrap_fsync(int fd);
int __wrap_rename(const char *from, const char *to);
int __wrap_unlink(const char *path);
int __wrap_link(const char *from, const char *to);
int __wrap_fchown(int fd, uid_t uid, gid_t gid);
int __wrap_close(int fd);
int WRAP_FTRUNCATE(int fd, off_t len);
off_t WRAP_LSEEK(int fd, off_t off, int whence);

#define MAX_RULES 8

struct rule {
    const char *call;
    const char *suffix;
    size_t nth, seen;
    int err;          /* errno to fail with; 0: a short transfer */
    size_t max_bytes; /* short transfer size */
    bool fired;
    bool pass; /* failsys_count: the call goes through */
};

static struct rule rules[MAX_RULES];
static size_t nrules;

static void add(const char *call, const char *suffix, size_t nth, int e, size_t max_bytes)
{
    if (nrules == MAX_RULES || nth == 0)
        return;
    rules[nrules++] = (struct rule){call, suffix, nth, 0, e, max_bytes, false, false};
}

void failsys_count(const char *call, const char *suffix)
{
    size_t before = nrules;
    add(call, suffix, 1, 0, 0);
    if (nrules > before)
        rules[before].pass = true;
}

void failsys_fail(const char *call, const char *suffix, size_t nth, int e)
{
    add(call, suffix, nth, e ? e : EIO, 0);
}

void failsys_short(const char *call, const char *suffix, size_t nth, size_t max_bytes)
{
    add(call, suffix, nth, 0, max_bytes);
}

size_t failsys_fired(void)
{
    size_t n = 0;
    for (size_t i = 0; i < nrules; i++)
        n += rules[i].fired;
    return n;
}

void failsys_reset(void)
{
    nrules = 0;
}

static bool token_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

/* s matches pat whole, '@' in pat taking one or more token characters */
static bool matches(const char *s, const char *pat)
{
    if (!*pat)
        return !*s;
    if (*pat != '@')
        return *s == *pat && matches(s + 1, pat + 1);
    for (size_t k = 1; token_char(s[k - 1]); k++)
        if (matches(s + k, pat + 1))
            return true;
    return false;
}

static bool ends_with(const char *s, const char *suffix)
{
    for (const char *t = s; *t; t++)
        if (matches(t, suffix))
            return true;
    return !*suffix;
}

/* the rules are shared by every thread (fsyncs run at once) */
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

/* The rule that fires on this use of `call` (on path, or on fd when path is
 * NULL), if any. */
static struct rule *match2(const char *call, const char *path, const char *path2, int fd)
{
    char fdpath[4096];
    if (!path) {
        char link_name[64];
        snprintf(link_name, sizeof link_name, "/proc/self/fd/%d", fd);
        ssize_t n = readlink(link_name, fdpath, sizeof fdpath - 1);
        fdpath[n > 0 ? n : 0] = '\0';
        path = fdpath;
    }
    /* every matching rule counts this use; the first one due fires */
    struct rule *due = NULL;
    pthread_mutex_lock(&lock);
    for (size_t i = 0; i < nrules; i++) {
        struct rule *r = &rules[i];
        if (r->fired || strcmp(r->call, call) != 0)
            continue;
        if (r->suffix && !ends_with(path, r->suffix) && !(path2 && ends_with(path2, r->suffix)))
            continue;
        if (++r->seen == r->nth && !due)
            due = r;
    }
    if (due)
        due->fired = true;
    pthread_mutex_unlock(&lock);
    return due && !due->pass ? due : NULL;
}

static struct rule *match(const char *call, const char *path, int fd)
{
    return match2(call, path, NULL, fd);
}

static int fail_with(const struct rule *r)
{
    errno = r->err;
    return -1;
}

/* open() is open64() when built with 64-bit file offsets: wrap both. */
int __wrap_open(const char *path, int flags, ...)
{
    va_list ap;
    va_start(ap, flags);
    mode_t mode = (flags & O_CREAT) ? (mode_t)va_arg(ap, int) : 0;
    va_end(ap);
    struct rule *r = match("open", path, -1);
    return r ? fail_with(r) : __real_open(path, flags, mode);
}

int __wrap_open64(const char *path, int flags, ...)
{
    va_list ap;
    va_start(ap, flags);
    mode_t mode = (flags & O_CREAT) ? (mode_t)va_arg(ap, int) : 0;
    va_end(ap);
    struct rule *r = match("open", path, -1);
    return r ? fail_with(r) : __real_open64(path, flags, mode);
}

ssize_t __wrap_read(int fd, void *buf, size_t n)
{
    struct rule *r = match("read", NULL, fd);
    if (r && r->err)
        return fail_with(r);
    if (r && n > r->max_bytes)
        n = r->max_bytes;
    return n || !r ? __real_read(fd, buf, n) : 0;
}

ssize_t __wrap_write(int fd, const void *buf, size_t n)
{
    struct rule *r = match("write", NULL, fd);
    if (r && r->err)
        return fail_with(r);
    if (r && n > r->max_bytes)
        n = r->max_bytes;
    return n || !r ? __real_write(fd, buf, n) : 0;
}

int __wrap_fsync(int fd)
{
    struct rule *r = match("fsync", NULL, fd);
    return r ? fail_with(r) : __real_fsync(fd);
}

int __wrap_rename(const char *from, const char *to)
{
    struct rule *r = match2("rename", from, to, -1);
    return r ? fail_with(r) : __real_rename(from, to);
}

int __wrap_unlink(const char *path)
{
    struct rule *r = match("unlink", path, -1);
    return r ? fail_with(r) : __real_unlink(path);
}

int __wrap_link(const char *from, const char *to)
{
    struct rule *r = match("link", from, -1);
    return r ? fail_with(r) : __real_link(from, to);
}

int __wrap_fchown(int fd, uid_t uid, gid_t gid)
{
    struct rule *r = match("fchown", NULL, fd);
    return r ? fail_with(r) : __real_fchown(fd, uid, gid);
}

/* A failing close() really closes the descriptor first, as Linux does when
 * close reports EIO, so nothing leaks. */
int __wrap_close(int fd)
{
    struct rule *r = match("close", NULL, fd);
    if (!r)
        return __real_close(fd);
    (void)__real_close(fd);
    return fail_with(r);
}

int WRAP_FTRUNCATE(int fd, off_t len)
{
    struct rule *r = match("ftruncate", NULL, fd);
    return r ? fail_with(r) : REAL_FTRUNCATE(fd, len);
}

off_t WRAP_LSEEK(int fd, off_t off, int whence)
{
    struct rule *r = match("lseek", NULL, fd);
    return r ? (off_t)fail_with(r) : REAL_LSEEK(fd, off, whence);
}

/* The *at forms count as the same call (rule "open" matches openat too):
 * the file-I/O helpers and the hive commit work relative to a directory
 * descriptor.  A rule's suffix is matched against the directory's path
 * joined with the name, as if the call had been given the whole path. */
int __real_openat(int dirfd, const char *path, int flags, ...);
int __real_renameat(int fromfd, const char *from, int tofd, const char *to);
int __real_linkat(int fromfd, const char *from, int tofd, const char *to, int flags);
int __real_unlinkat(int dirfd, const char *path, int flags);
int __wrap_openat(int dirfd, const char *path, int flags, ...);
int __wrap_renameat(int fromfd, const char *from, int tofd, const char *to);
int __wrap_linkat(int fromfd, const char *from, int tofd, const char *to, int flags);
int __wrap_unlinkat(int dirfd, const char *path, int flags);

/* dirfd's path + "/" + name into buf (name alone when absolute or AT_FDCWD). */
static const char *at_path(char *buf, size_t size, int dirfd, const char *name)
{
    if (dirfd == AT_FDCWD || name[0] == '/')
        return name;
    char link_name[64], dir[4096];
    snprintf(link_name, sizeof link_name, "/proc/self/fd/%d", dirfd);
    ssize_t n = readlink(link_name, dir, sizeof dir - 1);
    dir[n > 0 ? n : 0] = '\0';
    snprintf(buf, size, "%s/%s", dir, name);
    return buf;
}

int __wrap_openat(int dirfd, const char *path, int flags, ...)
{
    va_list ap;
    va_start(ap, flags);
    mode_t mode = (flags & O_CREAT) ? (mode_t)va_arg(ap, int) : 0;
    va_end(ap);
    char full[8192];
    struct rule *r = match("open", at_path(full, sizeof full, dirfd, path), -1);
    return r ? fail_with(r) : __real_openat(dirfd, path, flags, mode);
}

int __wrap_renameat(int fromfd, const char *from, int tofd, const char *to)
{
    char a[8192], b[8192];
    struct rule *r = match2("rename", at_path(a, sizeof a, fromfd, from),
                            at_path(b, sizeof b, tofd, to), -1);
    return r ? fail_with(r) : __real_renameat(fromfd, from, tofd, to);
}

int __wrap_linkat(int fromfd, const char *from, int tofd, const char *to, int flags)
{
    char a[8192];
    struct rule *r = match("link", at_path(a, sizeof a, fromfd, from), -1);
    return r ? fail_with(r) : __real_linkat(fromfd, from, tofd, to, flags);
}

int __wrap_unlinkat(int dirfd, const char *path, int flags)
{
    char a[8192];
    struct rule *r = flags & AT_REMOVEDIR ? NULL : match("unlink", at_path(a, sizeof a, dirfd, path), -1);
    return r ? fail_with(r) : __real_unlinkat(dirfd, path, flags);
}

int __real_openat64(int dirfd, const char *path, int flags, ...);
int __wrap_openat64(int dirfd, const char *path, int flags, ...);
int __wrap_openat64(int dirfd, const char *path, int flags, ...)
{
    va_list ap;
    va_start(ap, flags);
    mode_t mode = (flags & O_CREAT) ? (mode_t)va_arg(ap, int) : 0;
    va_end(ap);
    char full[8192];
    struct rule *r = match("open", at_path(full, sizeof full, dirfd, path), -1);
    return r ? fail_with(r) : __real_openat64(dirfd, path, flags, mode);
}
