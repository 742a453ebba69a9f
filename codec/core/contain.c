/* Paths contained in a root directory: openat2(RESOLVE_IN_ROOT) or an
 * equivalent component walk (see core/contain.h). */
/* O_PATH (glibc declares it only for _GNU_SOURCE): a directory that is
 * only walked through needs no read permission, as in the kernel's own
 * lookup; without it such a directory would fail here with EACCES */
#define _GNU_SOURCE // NOLINT(bugprone-reserved-identifier): the feature-test macro of O_PATH
#include "core/contain.h"
#include "core/fileio.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>
#if defined(__linux__)
#include <sys/syscall.h>
#endif
#if defined(SYS_openat2)
#include <linux/openat2.h>
#endif

#ifndef O_PATH
#define O_PATH O_RDONLY /* not Linux: a directory we only resolve names in */
#endif

#define MAX_LINKS 40  /* symbolic links per lookup, as the kernel */
#define MAX_DEPTH 256 /* directories open at once during a walk */

/* One lookup's state across its rounds: the links followed and, for
 * DCSI_BENEATH_IMAGE, the root's own path and the first way out seen. */
struct rctx {
    int links;
    unsigned opts;
    char root[PATH_MAX]; /* the root's absolute path; "" when unknown or "/" */
    size_t rootlen;
    bool out;            /* a link or ".." led above the root */
    char link[PATH_MAX]; /* root-relative path of that link ("" for a ".." of the path) */
    char to[PATH_MAX];   /* its text */
    char via[PATH_MAX];  /* the last link followed, and its text: a ".." */
    char via_to[PATH_MAX]; /* above the root came from there */
};

/* dir/name into buf (PATH_MAX bytes), cut to fit (for messages only). */
static void join_into(char *buf, const char *dir, const char *name)
{
    size_t a = strnlen(dir, PATH_MAX - 2), b = strnlen(name, PATH_MAX - 1);
    size_t sep = a && b ? 1 : 0;
    if (a + sep + b > PATH_MAX - 1)
        b = PATH_MAX - 1 - a - sep;
    memcpy(buf, dir, a);
    if (sep)
        buf[a] = '/';
    memcpy(buf + a + sep, name, b);
    buf[a + sep + b] = '\0';
}

static void followed(struct rctx *c, const char *dir, const char *name, const char *to)
{
    join_into(c->via, dir, name);
    join_into(c->via_to, to, "");
}

/* A link's text leads above the root: remember the first one. */
static void went_out(struct rctx *c, const char *dir, const char *name, const char *to)
{
    if (c->out || !(c->opts & DCSI_BENEATH_IMAGE))
        return;
    c->out = true;
    if (!*name && c->via[0]) { /* a ".." in a link's text */
        memcpy(c->link, c->via, strlen(c->via) + 1); /* both PATH_MAX, terminated */
        memcpy(c->to, c->via_to, strlen(c->via_to) + 1);
        return;
    }
    join_into(c->link, dir, name);
    join_into(c->to, to, "");
}

/* An absolute link text as seen from the root: one naming the root's own
 * path (a mounted image's link to itself) loses that prefix; any other is
 * read from the root, as RESOLVE_IN_ROOT does, and counts as leading out. */
static const char *from_root(struct rctx *c, const char *dir, const char *name,
                             const char *target)
{
    if (!(c->opts & DCSI_BENEATH_IMAGE))
        return target;
    if (c->rootlen && strncmp(target, c->root, c->rootlen) == 0 &&
        (target[c->rootlen] == '/' || target[c->rootlen] == '\0'))
        return target + c->rootlen;
    if (c->rootlen)
        went_out(c, dir, name, target);
    return target;
}

static dcs_status nomem(struct dcs_error *err)
{
    return dcs_error_set(err, DCS_ERR_NOMEM, DCS_NO_OFFSET, "out of memory");
}

static dcs_status sys_error(struct dcs_error *err, int e, const char *what, const char *rel)
{
    return dcs_error_set(err, e == ENOENT ? DCS_ERR_NOT_FOUND : e == ENOMEM ? DCS_ERR_NOMEM
                                                                           : DCS_ERR_IO,
                         DCS_NO_OFFSET, "cannot %s %s beneath the root: %s", what, rel,
                         strerror(e));
}

dcs_status dcsi_root_open(const char *root, int *rootfd, struct dcs_error *err)
{
    *rootfd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (*rootfd < 0)
        return dcs_error_set(err, errno == ENOENT ? DCS_ERR_NOT_FOUND : DCS_ERR_IO,
                             DCS_NO_OFFSET, "cannot open %s: %s", root, strerror(errno));
    return DCS_OK;
}

/* ---- openat2 ------------------------------------------------------------ */

static int openat2_state; /* 0 untested, 1 present, -1 absent */

/* openat2(RESOLVE_IN_ROOT) of a directory through no symbolic link, or -1
 * with errno (ENOSYS where the kernel has none, ELOOP at a link).  beneath:
 * RESOLVE_BENEATH instead, which fails (EXDEV) on a ".." above the root, for
 * the walk to judge it.  path_only: O_PATH, for a directory one may search
 * but not list; else it is opened readable (the caller's where->dirfd). */
static int in_root_dir(int rootfd, const char *dir, bool beneath, bool path_only)
{
#if defined(SYS_openat2)
    struct open_how how;
    memset(&how, 0, sizeof how);
    how.flags = O_RDONLY | O_DIRECTORY | O_CLOEXEC;
    if (path_only)
        how.flags |= O_PATH;
    how.resolve = (beneath ? RESOLVE_BENEATH : RESOLVE_IN_ROOT) | RESOLVE_NO_SYMLINKS;
    long fd = syscall(SYS_openat2, rootfd, *dir ? dir : ".", &how, sizeof how);
    if (fd < 0 && (errno == ENOSYS || errno == EPERM)) /* EPERM: seccomp filters */
        openat2_state = -1;
    else
        openat2_state = 1;
    return (int)fd;
#else
    (void)rootfd;
    (void)dir;
    (void)beneath;
    (void)path_only;
    openat2_state = -1;
    errno = ENOSYS;
    return -1;
#endif
}

bool dcsi_have_openat2(void)
{
    if (!openat2_state) {
        int fd = in_root_dir(AT_FDCWD, "/", false, true);
        if (fd >= 0)
            close(fd);
    }
    return openat2_state > 0;
}

/* ---- the walk ----------------------------------------------------------- */

struct ci_ctx {
    const char *name;
    char *best;
    bool nomem;
};

static int ci_one(void *ctx, int dirfd, const char *entry)
{
    struct ci_ctx *c = ctx;
    (void)dirfd;
    if (strcasecmp(entry, c->name) != 0 || (c->best && strcmp(entry, c->best) >= 0))
        return 0;
    char *copy = strdup(entry);
    if (!copy) {
        c->nomem = true;
        return 1;
    }
    free(c->best);
    c->best = copy;
    return 0;
}

/* Case-insensitive match of name in dirfd: the smallest such entry, or
 * NULL (errno ENOENT; ENOMEM, or the listing's own error). */
static char *ci_lookup(int dirfd, const char *name)
{
    struct ci_ctx c = {name, NULL, false};
    int e = dcsi_list_at(dirfd, ".", ci_one, &c);
    if (c.nomem || e) {
        free(c.best);
        errno = c.nomem ? ENOMEM : e;
        return NULL;
    }
    if (!c.best)
        errno = ENOENT;
    return c.best;
}

/* fstatat without following; on ENOENT tries a case variant (replacing
 * *name, which is then malloc'd into *owned) and creates a directory when
 * asked.  0 or -1 with errno. */
static int look(int dirfd, const char **name, char **owned, unsigned opts, bool mkdirs,
                struct stat *st)
{
    if (fstatat(dirfd, *name, st, AT_SYMLINK_NOFOLLOW) == 0)
        return 0;
    if (errno != ENOENT)
        return -1;
    if (opts & DCSI_BENEATH_CASE_INSENSITIVE) {
        char *found = ci_lookup(dirfd, *name);
        if (found) {
            free(*owned);
            *owned = found;
            *name = found;
            return fstatat(dirfd, *name, st, AT_SYMLINK_NOFOLLOW);
        }
    }
    if (mkdirs && (opts & DCSI_BENEATH_MKDIRS)) {
        if (mkdirat(dirfd, *name, 0755) != 0 && errno != EEXIST)
            return -1;
        return fstatat(dirfd, *name, st, AT_SYMLINK_NOFOLLOW);
    }
    errno = ENOENT;
    return -1;
}

struct walk {
    int fds[MAX_DEPTH + 1]; /* fds[0] is the root (not owned) */
    size_t lens[MAX_DEPTH + 1]; /* phys length at each depth */
    size_t depth;
    char phys[PATH_MAX]; /* physical root-relative path of fds[depth] */
    struct rctx *c;
};

static void walk_pop(struct walk *w)
{
    close(w->fds[w->depth]);
    w->depth--;
    w->phys[w->lens[w->depth]] = '\0';
}

/* Splice a link's text in front of rest: a new malloc'd string. */
static char *splice_text(const char *target, const char *rest)
{
    size_t a = strlen(target), b = strlen(rest);
    char *s = malloc(a + b + 2);
    if (s) {
        memcpy(s, target, a); // NOLINT(bugprone-not-null-terminated-result): terminated after the copy
        s[a] = '/';
        memcpy(s + a + 1, rest, b + 1);
    }
    return s;
}

/* One component of a walk: enter it, pop for "..", or splice a link into
 * *rest.  0 or -1 with errno. */
static int walk_step(struct walk *w, const char *comp, char **rest_buf, const char **rest,
                     unsigned opts)
{
    if (strcmp(comp, ".") == 0)
        return 0;
    if (strcmp(comp, "..") == 0) {
        if (w->depth > 0) /* at the root, ".." is the root */
            walk_pop(w);
        else
            went_out(w->c, "", "", "..");
        return 0;
    }
    char *owned = NULL;
    struct stat st;
    int cur = w->fds[w->depth];
    /* past a way out, nothing is made: the path is not the one meant */
    if (look(cur, &comp, &owned, opts, !w->c->out, &st) != 0) {
        free(owned);
        return -1;
    }
    int rc = -1;
    if (S_ISLNK(st.st_mode)) {
        char target[PATH_MAX];
        ssize_t n = ++w->c->links > MAX_LINKS ? (errno = ELOOP, -1)
                                              : readlinkat(cur, comp, target, sizeof target - 1);
        if (n >= 0) {
            target[n] = '\0';
            followed(w->c, w->phys, comp, target);
            const char *text = target;
            if (target[0] == '/') {
                text = from_root(w->c, w->phys, comp, target);
                while (w->depth > 0)
                    walk_pop(w);
            }
            char *next = splice_text(text, *rest);
            if (next) {
                free(*rest_buf);
                *rest_buf = next;
                *rest = next;
                rc = 0;
            }
        }
    } else if (!S_ISDIR(st.st_mode)) {
        errno = ENOTDIR;
    } else if (w->depth == MAX_DEPTH) {
        errno = ENAMETOOLONG;
    } else {
        /* O_NOFOLLOW: if it became a link since fstatat, this fails */
        int fd = openat(cur, comp, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        size_t len = w->lens[w->depth], clen = strlen(comp);
        if (fd >= 0 && len + clen + 2 > sizeof w->phys) {
            close(fd);
            fd = -1;
            errno = ENAMETOOLONG;
        }
        if (fd >= 0) {
            if (len)
                w->phys[len++] = '/';
            memcpy(w->phys + len, comp, clen + 1);
            w->fds[++w->depth] = fd;
            w->lens[w->depth] = len + clen;
            rc = 0;
        }
    }
    free(owned);
    return rc;
}

/* Walk directory path dir beneath rootfd: a new O_PATH fd of it and its
 * physical path (malloc'd), or -1 with errno. */
static int walk_dir(int rootfd, const char *dir, struct rctx *c, char **phys)
{
    /* not calloc: zeroing the path buffer was a fifth of a no-change
     * dcs apply's instructions; what is read is set here */
    struct walk *w = malloc(sizeof *w);
    char *rest_buf = strdup(dir);
    if (!w || !rest_buf) {
        free(w);
        free(rest_buf);
        errno = ENOMEM;
        return -1;
    }
    w->fds[0] = rootfd;
    w->lens[0] = 0;
    w->depth = 0;
    w->phys[0] = '\0';
    w->c = c;
    const char *rest = rest_buf;
    int rc = 0;
    char comp[NAME_MAX + 1];
    while (rc == 0 && *rest) {
        while (*rest == '/')
            rest++;
        size_t n = strcspn(rest, "/");
        if (!n)
            break;
        if (n > NAME_MAX) {
            errno = ENAMETOOLONG;
            rc = -1;
            break;
        }
        memcpy(comp, rest, n);
        comp[n] = '\0';
        rest += n;
        rc = walk_step(w, comp, &rest_buf, &rest, c->opts);
    }
    int fd = -1;
    if (rc == 0) {
        fd = fcntl(w->fds[w->depth], F_DUPFD_CLOEXEC, 0);
        *phys = fd >= 0 ? strdup(w->phys) : NULL;
        if (fd >= 0 && !*phys) {
            close(fd);
            fd = -1;
            errno = ENOMEM;
        }
    }
    int e = errno;
    while (w->depth > 0)
        walk_pop(w);
    free(w);
    free(rest_buf);
    errno = e;
    return fd;
}

/* ---- resolving ---------------------------------------------------------- */

/* The absolute path of fd through /proc into buf (PATH_MAX bytes): its
 * length, or -1 when /proc cannot tell. */
static ssize_t fd_path(int fd, char *buf)
{
    char link[64];
    snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
    ssize_t n = readlink(link, buf, PATH_MAX - 1);
    if (n <= 0 || buf[0] != '/')
        return -1;
    buf[n] = '\0';
    return n;
}

/* dir as a root-relative path with no "." nor empty component and each
 * ".." taken back lexically (at the root it stays there): what the kernel
 * would name the directory a lookup reached without a symbolic link.
 * malloc'd, "" for the root. */
static char *lexical(const char *dir)
{
    size_t n = strlen(dir);
    char *out = malloc(n + 1);
    if (!out)
        return NULL;
    size_t len = 0;
    for (const char *p = dir; *p;) {
        size_t k = strcspn(p, "/");
        if (k == 2 && p[0] == '.' && p[1] == '.') {
            while (len > 0 && out[len - 1] != '/')
                len--;
            if (len > 0)
                len--; /* the '/' before the component taken back */
        } else if (k && !(k == 1 && p[0] == '.')) {
            if (len)
                out[len++] = '/';
            memcpy(out + len, p, k);
            len += k;
        }
        p += k;
        while (*p == '/')
            p++;
    }
    out[len] = '\0';
    return out;
}

/* The directory dir beneath rootfd, resolved: an fd (O_PATH, or readable
 * when *readable) and its root-relative path (malloc'd).
 *
 * openat2 is asked only for a path with no symbolic link on the way, which
 * nearly every lookup is: then the path is known as given.  A link is left
 * to the walk, because a lookup's 40 links count over all its rounds (the
 * last component's links are followed by resolve_once), and the kernel
 * neither says how many it followed nor takes a budget: a path through 39
 * links to a link whose target has one more would pass openat2 and fail
 * the walk (found by fuzz_contain). */
static int resolve_dir(int rootfd, const char *dir, struct rctx *c, char **phys, bool *readable)
{
    unsigned opts = c->opts;
    *phys = NULL;
    *readable = false;
    if (!(opts & DCSI_BENEATH_NO_OPENAT2) && openat2_state >= 0) {
        bool beneath = opts & DCSI_BENEATH_IMAGE;
        int fd = in_root_dir(rootfd, dir, beneath, false);
        *readable = fd >= 0;
        if (fd < 0 && errno == EACCES) /* may be searched, not listed */
            fd = in_root_dir(rootfd, dir, beneath, true);
        if (fd >= 0) {
            if (!(*phys = lexical(dir))) {
                close(fd);
                errno = ENOMEM;
                return -1;
            }
            return fd;
        }
        /* a link, a way out, or a missing component that may exist in
         * another case or be wanted: the walk, as contained, deals with
         * each */
        unsigned wanted = DCSI_BENEATH_CASE_INSENSITIVE | DCSI_BENEATH_MKDIRS | DCSI_BENEATH_IMAGE;
        if (!(errno == ENOSYS || errno == EPERM || errno == EAGAIN || errno == EXDEV ||
              errno == ELOOP || (errno == ENOENT && (opts & wanted))))
            return -1;
    }
    return walk_dir(rootfd, dir, c, phys);
}

/* The root's own absolute path into c: known (the caller asked once for
 * many lookups), or through /proc; left empty when it cannot tell, and for
 * "/", where no link leads out. */
static void root_path(int rootfd, const char *known, struct rctx *c)
{
    if (known && *known)
        snprintf(c->root, sizeof c->root, "%s", known);
    else if (fd_path(rootfd, c->root) < 0)
        c->root[0] = '\0';
    if (strcmp(c->root, "/") == 0 || c->root[0] != '/')
        c->root[0] = '\0';
    c->rootlen = strlen(c->root);
}

char *dcsi_root_path(int rootfd)
{
    char buf[PATH_MAX];
    return fd_path(rootfd, buf) < 0 ? NULL : strdup(buf);
}

static dcs_status out_error(struct dcs_error *err, const struct rctx *c, const char *rel)
{
    /* a directory asked for as "DIR/." is named as DIR */
    int n = (int)strlen(rel);
    if (n > 2 && strcmp(rel + n - 2, "/.") == 0)
        n -= 2;
    if (!c->link[0])
        return dcs_error_set(err, DCS_ERR_IO, DCS_NO_OFFSET,
                             "%.*s: \"..\" leads above the root %s", n, rel, c->root);
    return dcs_error_set(err, DCS_ERR_IO, DCS_NO_OFFSET,
                         "%.*s: the symbolic link %s leads outside %s (to %s)", n, rel, c->link,
                         c->root, c->to);
}

void dcsi_beneath_free(struct dcsi_beneath *where)
{
    if (!where)
        return;
    if (where->dirfd >= 0)
        close(where->dirfd);
    free(where->name);
    free(where->path);
    where->dirfd = -1;
    where->name = where->path = NULL;
}

/* Split rel at its last component: *dir (malloc'd) and the name (a pointer
 * into *dir's storage after it).  "" or a last component of "." or ".."
 * leaves the name NULL: rel is a directory as a whole. */
static char *split_last(const char *rel, const char **name)
{
    size_t n = strlen(rel);
    char *dir = malloc(n + 2);
    if (!dir)
        return NULL;
    memcpy(dir, rel, n + 1);
    while (n > 0 && dir[n - 1] == '/')
        dir[--n] = '\0';
    char *slash = strrchr(dir, '/');
    char *last = slash ? slash + 1 : dir;
    *name = NULL;
    if (*last && strcmp(last, ".") != 0 && strcmp(last, "..") != 0) {
        /* dir keeps the directory, the name moves past its NUL */
        size_t ln = strlen(last);
        memmove(last + 1, last, ln + 1);
        *last = '\0';
        *name = last + 1;
    }
    return dir;
}

/* The path of name in phys (malloc'd). */
static char *join(const char *phys, const char *name)
{
    size_t a = strlen(phys), b = strlen(name);
    char *s = malloc(a + b + 2);
    if (s)
        snprintf(s, a + b + 2, "%s%s%s", phys, a && b ? "/" : "", a || b ? name : ".");
    return s;
}

/* One round of the lookup: resolve rel's directory, look at its last
 * component.  Returns 1 when *next holds a link's new path to resolve. */
static int resolve_once(int rootfd, const char *rel, struct rctx *c,
                        struct dcsi_beneath *where, char **next)
{
    unsigned opts = c->opts;
    const char *name;
    char *dir = split_last(rel, &name);
    if (!dir)
        return errno = ENOMEM, -1;
    char *phys = NULL, *owned = NULL;
    int rc = -1;
    bool readable;
    int fd = resolve_dir(rootfd, dir, c, &phys, &readable);
    struct stat st;
    if (fd < 0)
        goto out;
    where->mode = 0;
    if (!name) {
        name = "";
    } else if (look(fd, &name, &owned, opts, false, &st) == 0) {
        where->mode = st.st_mode;
        if (S_ISLNK(st.st_mode) && !(opts & DCSI_BENEATH_NOFOLLOW)) {
            char target[PATH_MAX];
            ssize_t n = ++c->links > MAX_LINKS ? (errno = ELOOP, -1)
                                               : readlinkat(fd, name, target, sizeof target - 1);
            if (n >= 0) {
                target[n] = '\0';
                followed(c, phys, name, target);
                /* relative: from the link's own directory, as found */
                *next = target[0] == '/' ? strdup(from_root(c, phys, name, target))
                                         : splice_text(phys, target);
                rc = *next ? 1 : (errno = ENOMEM, -1);
            }
            goto out;
        }
    } else if (errno != ENOENT || c->out) { /* past a way out, only what exists */
        goto out;
    }
    /* a readable descriptor: the caller fsyncs it after a rename */
    if (readable) {
        where->dirfd = fd;
        fd = -1;
    } else {
        where->dirfd = openat(fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    }
    where->name = strdup(*name ? name : ".");
    where->path = join(phys, name);
    if (where->dirfd >= 0 && (!where->name || !where->path))
        errno = ENOMEM;
    else if (where->dirfd >= 0)
        rc = 0;
out:
    {
        int e = errno;
        if (fd >= 0)
            close(fd);
        free(dir);
        free(phys);
        free(owned);
        errno = e;
    }
    return rc;
}

dcs_status dcsi_resolve_beneath(int rootfd, const char *rel, unsigned options,
                                struct dcsi_beneath *where, struct dcs_error *err)
{
    return dcsi_resolve_beneath_in(rootfd, NULL, rel, options, where, err);
}

dcs_status dcsi_resolve_beneath_in(int rootfd, const char *root, const char *rel,
                                   unsigned options, struct dcsi_beneath *where,
                                   struct dcs_error *err)
{
    where->dirfd = -1;
    where->mode = 0;
    where->name = where->path = NULL;
    /* not calloc (20 KiB of path buffers): the strings start empty */
    struct rctx *c = malloc(sizeof *c);
    char *cur = c ? strdup(rel) : NULL;
    if (!cur) {
        free(c);
        return nomem(err);
    }
    c->links = 0;
    c->rootlen = 0;
    c->out = false;
    c->root[0] = c->link[0] = c->to[0] = c->via[0] = c->via_to[0] = '\0';
    c->opts = options;
    if (options & DCSI_BENEATH_IMAGE)
        root_path(rootfd, root, c);
    dcs_status s = DCS_OK;
    for (;;) {
        char *next = NULL;
        int rc = resolve_once(rootfd, cur, c, where, &next);
        if (rc == 1) {
            free(cur);
            cur = next;
            continue;
        }
        int e = errno;
        free(cur);
        if (rc != 0) {
            dcsi_beneath_free(where);
            s = c->out ? out_error(err, c, rel) : sys_error(err, e, "resolve", rel);
        }
        break;
    }
    free(c);
    return s;
}

dcs_status dcsi_open_beneath(int rootfd, const char *rel, int flags, mode_t mode,
                             unsigned options, int *fd, struct dcsi_beneath *where,
                             struct dcs_error *err)
{
    struct dcsi_beneath local = {0};
    struct dcsi_beneath *w = where ? where : &local;
    *fd = -1;
    dcs_status s = dcsi_resolve_beneath(rootfd, rel, options, w, err);
    if (s)
        return s;
    if (!w->name) { /* resolve always names the last component; be sure */
        dcsi_beneath_free(w);
        return sys_error(err, ENOENT, "open", rel);
    }
    *fd = openat(w->dirfd, w->name, flags | O_NOFOLLOW | O_CLOEXEC, mode);
    if (*fd < 0)
        s = sys_error(err, errno, "open", rel);
    if (!where || s)
        dcsi_beneath_free(w);
    return s;
}
