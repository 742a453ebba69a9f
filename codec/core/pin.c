/* A file pinned by its directory: the directory opened one component at a
 * time with O_NOFOLLOW, so that a path resolved once is never resolved
 * again by name (see core/contain.h). */
#define _GNU_SOURCE // NOLINT(bugprone-reserved-identifier): the feature-test macro of O_PATH
#include "core/contain.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#ifndef O_PATH
#define O_PATH O_RDONLY /* not Linux */
#endif

void dcsi_pin_free(struct dcsi_pin *pin)
{
    if (!pin)
        return;
    if (pin->dirfd >= 0)
        close(pin->dirfd);
    free(pin->name);
    pin->dirfd = -1;
    pin->name = NULL;
}

static dcs_status walk_error(struct dcs_error *err, int e, int at, const char *comp,
                             const char *path, size_t upto)
{
    struct stat st;
    /* O_PATH | O_DIRECTORY | O_NOFOLLOW on a link fails with ENOTDIR (or
     * ELOOP): tell a link from a file by looking at it */
    if ((e == ENOTDIR || e == ELOOP) && fstatat(at, comp, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
        S_ISLNK(st.st_mode))
        return dcs_error_set(err, DCS_ERR_APPLY_OUTSIDE, DCS_NO_OFFSET,
                             "%s: the symbolic link %.*s is not followed (the path changed "
                             "after it was resolved)",
                             path, (int)upto, path);
    return dcs_error_set(err, e == ENOENT ? DCS_ERR_NOT_FOUND : e == ENOMEM ? DCS_ERR_NOMEM
                                                                           : DCS_ERR_IO,
                         DCS_NO_OFFSET, "cannot open the directory of %s: %s", path,
                         strerror(e));
}

/* The next component of path[*i, end): its start in *at and its length
 * (0 at the end); *i moves past it. */
static size_t next_component(const char *path, size_t end, size_t *i, size_t *at)
{
    while (*i < end && path[*i] == '/')
        (*i)++;
    size_t n = 0;
    while (*i + n < end && path[*i + n] != '/')
        n++;
    *at = *i;
    *i += n;
    return n;
}

/* The walk of path[0, last) from start (basefd, or "/" opened for an
 * absolute path) one directory at a time, never following a link: the last
 * directory is opened readable (fsync after a rename, listing for the
 * logs), those before it O_PATH.  *out: the last directory's descriptor,
 * or basefd itself when no directory was named. */
static dcs_status walk_dirs(int basefd, int start, const char *path, size_t last, int *out,
                            struct dcs_error *err)
{
    int cur = start;
    char comp[NAME_MAX + 1];
    for (size_t i = 0, at, n; (n = next_component(path, last, &i, &at)) != 0;) {
        if (n > NAME_MAX) {
            if (cur != basefd)
                close(cur);
            return walk_error(err, ENAMETOOLONG, AT_FDCWD, "", path, 0);
        }
        memcpy(comp, path + at, n);
        comp[n] = '\0';
        if (strcmp(comp, ".") == 0)
            continue;
        int how = O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC;
        if (i != last)
            how |= O_PATH;
        int next = openat(cur, comp, how);
        if (next < 0) {
            dcs_status s = walk_error(err, errno, cur, comp, path, i);
            if (cur != basefd)
                close(cur);
            return s;
        }
        if (cur != basefd)
            close(cur);
        cur = next;
    }
    *out = cur;
    return DCS_OK;
}

dcs_status dcsi_dir_open_nofollow(int basefd, const char *path, struct dcsi_pin *pin,
                                  struct dcs_error *err)
{
    pin->dirfd = -1;
    pin->name = NULL;
    size_t len = strlen(path);
    while (len > 1 && path[len - 1] == '/')
        len--;
    size_t leaf = len;
    while (leaf > 0 && path[leaf - 1] != '/')
        leaf--;
    size_t nlen = len - leaf;
    if (!nlen || (nlen == 1 && path[leaf] == '.') ||
        (nlen == 2 && path[leaf] == '.' && path[leaf + 1] == '.') || nlen > NAME_MAX)
        return dcs_error_set(err, DCS_ERR_INVALID_ARG, DCS_NO_OFFSET,
                             "%s does not name a file", path);
    /* the last directory (where the components end) is opened readable at
     * once, those before it O_PATH; the walk starts at basefd itself (or
     * "/"): three opens for a hive two directories down */
    size_t last = 0; /* just past the last component that is not "." */
    for (size_t i = 0, at, n; (n = next_component(path, leaf, &i, &at)) != 0;)
        if (!(n == 1 && path[at] == '.'))
            last = at + n;
    int start = basefd;
    if (path[0] == '/') {
        int how = O_RDONLY | O_DIRECTORY | O_CLOEXEC;
        if (last) /* only walked through */
            how |= O_PATH;
        start = open("/", how);
    }
    if (start < 0)
        return walk_error(err, errno, AT_FDCWD, "", path, 0);
    int cur = -1;
    dcs_status st = walk_dirs(basefd, start, path, last, &cur, err);
    if (st != DCS_OK)
        return st;
    if (cur == basefd) /* no directory named: basefd's own, readable */
        cur = openat(basefd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (cur < 0)
        return walk_error(err, errno, AT_FDCWD, "", path, 0);
    pin->dirfd = cur;
    pin->name = strndup(path + leaf, nlen);
    if (!pin->name) {
        dcsi_pin_free(pin);
        return dcs_error_set(err, DCS_ERR_NOMEM, DCS_NO_OFFSET, "out of memory");
    }
    return DCS_OK;
}

char *dcsi_pin_path(const struct dcsi_pin *pin)
{
    char link[64], dir[PATH_MAX];
    snprintf(link, sizeof link, "/proc/self/fd/%d", pin->dirfd);
    ssize_t n = readlink(link, dir, sizeof dir - 1);
    if (n <= 0 || dir[0] != '/') {
        errno = ENOENT; /* not ENOMEM: the caller has a name of its own */
        return NULL;
    }
    dir[n] = '\0';
    size_t need = (size_t)n + strlen(pin->name) + 2;
    char *s = malloc(need);
    if (s)
        snprintf(s, need, "%s%s%s", dir, n == 1 ? "" : "/", pin->name);
    else
        errno = ENOMEM;
    return s;
}
