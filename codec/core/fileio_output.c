/* The output helper: how every writer writes a path the user named (see
 * core/fileio.h for the rules and why symbolic links are followed). */
#include "core/fileio.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#ifndef O_CLOEXEC
#define O_CLOEXEC 0
#endif

#define MAX_LINKS 40 /* as the kernel's own limit for one lookup */

/* Follow path's symbolic links (path itself is one): the malloc'd path of
 * what they finally name, relative links taken from their own directory.
 * NULL with errno set (ELOOP after MAX_LINKS). */
static char *follow_links(const char *path)
{
    char *cur = strdup(path);
    for (int i = 0; cur && i < MAX_LINKS; i++) {
        struct stat st;
        if (lstat(cur, &st) != 0 || !S_ISLNK(st.st_mode))
            return cur; /* the end: a file, or nothing (created there) */
        char target[PATH_MAX];
        ssize_t n = readlink(cur, target, sizeof target - 1);
        if (n < 0) {
            free(cur);
            return NULL;
        }
        target[n] = '\0';
        char *next;
        if (target[0] == '/') {
            next = strdup(target);
        } else {
            char *dir = dcsi_dirname(cur);
            if (dir && strcmp(dir, ".") == 0) { /* "x", not "./x", in messages */
                free(cur);
                cur = strdup(target);
                free(dir);
                continue;
            }
            size_t len = dir ? strlen(dir) + (size_t)n + 2 : 0;
            next = dir ? malloc(len) : NULL;
            if (next)
                snprintf(next, len, "%s/%s", dir, target);
            free(dir);
        }
        free(cur);
        cur = next;
    }
    if (cur) {
        free(cur);
        errno = ELOOP;
    }
    return NULL;
}

static void output_release(struct dcsi_output *o);

/* Open a device, FIFO or socket for writing through it.  No O_CREAT: if it
 * vanished meanwhile, nothing half-written appears in its place. */
static dcs_status open_direct(struct dcsi_output *o, const char *path, struct dcs_error *err)
{
    o->direct = true;
    if (!(o->path = strdup(path)))
        return dcs_error_set(err, DCS_ERR_NOMEM, DCS_NO_OFFSET, "out of memory");
    o->fd = open(path, O_WRONLY | O_NOCTTY | O_CLOEXEC);
    if (o->fd < 0) {
        int e = errno;
        output_release(o);
        return dcs_error_set(err, DCS_ERR_IO, DCS_NO_OFFSET, "cannot open %s: %s", path,
                             strerror(e));
    }
    struct stat st;
    if (fstat(o->fd, &st) != 0 || S_ISREG(st.st_mode) || S_ISDIR(st.st_mode)) {
        /* it became a regular file since we looked: never write one in place */
        output_release(o);
        return dcs_error_set(err, DCS_ERR_IO, DCS_NO_OFFSET,
                             "cannot open %s: it changed while being opened", path);
    }
    return DCS_OK;
}

dcs_status dcsi_output_open(struct dcsi_output *o, const char *path, struct dcs_error *err)
{
    memset(o, 0, sizeof *o);
    o->fd = o->rep.fd = o->rep.dirfd = -1;
    if (strcmp(path, "-") == 0) {
        o->to_stdout = o->direct = true;
        o->fd = STDOUT_FILENO;
        o->path = strdup("<stdout>");
        return o->path ? DCS_OK : dcs_error_set(err, DCS_ERR_NOMEM, DCS_NO_OFFSET, "out of memory");
    }
    struct stat st;
    char *real = NULL;
    const char *target = path;
    bool exists = lstat(path, &st) == 0;
    if (exists && S_ISLNK(st.st_mode)) {
        /* Let the kernel follow the link first: /dev/stdout and other
         * /proc "magic" links name pipes that no readlink text leads to. */
        exists = stat(path, &st) == 0;
        if (exists)
            real = S_ISREG(st.st_mode) ? realpath(path, NULL) : strdup(path);
        else if (errno == ENOENT)
            real = follow_links(path); /* dangling: the file is created there */
        if (!real)
            return errno == ENOMEM ? dcs_error_set(err, DCS_ERR_NOMEM, DCS_NO_OFFSET,
                                                   "out of memory")
                                   : dcs_error_set(err, DCS_ERR_IO, DCS_NO_OFFSET,
                                                   "cannot open %s: %s", path, strerror(errno));
        target = real;
    }
    dcs_status s;
    if (!exists || S_ISREG(st.st_mode))
        s = dcsi_replace_begin(&o->rep, target, 0644, err); /* absent or a file */
    else if (S_ISDIR(st.st_mode))
        s = dcs_error_set(err, DCS_ERR_IO, DCS_NO_OFFSET, "%s is a directory", path);
    else
        s = open_direct(o, target, err); /* device, FIFO, socket */
    if (!s && !o->direct)
        o->fd = o->rep.fd;
    free(real);
    return s;
}

dcs_status dcsi_output_write(struct dcsi_output *o, const void *data, size_t len,
                             struct dcs_error *err)
{
    dcs_status s = dcsi_write_all(o->fd, data, len, err);
    if (s && err) {
        char why[sizeof err->message];
        snprintf(why, sizeof why, "%s", err->message);
        s = dcs_error_set(err, s, DCS_NO_OFFSET, "cannot write %s: %s",
                          o->direct ? o->path : o->rep.display, why);
    }
    return s;
}

dcs_status dcsi_output_rewind(struct dcsi_output *o, struct dcs_error *err)
{
    if (o->direct)
        return dcs_error_set(err, DCS_ERR_IO, DCS_NO_OFFSET, "output cannot be restarted");
    return dcsi_replace_rewind(&o->rep, err);
}

static void output_release(struct dcsi_output *o)
{
    if (o->direct && !o->to_stdout && o->fd >= 0)
        close(o->fd);
    free(o->path);
    o->path = NULL;
    if (!o->direct)
        dcsi_replace_abort(&o->rep);
    o->fd = -1;
}

dcs_status dcsi_output_commit(struct dcsi_output *o, bool backup, struct dcs_error *err)
{
    if (o->direct) {
        dcs_status s = DCS_OK;
        /* a device or FIFO has nothing to make durable; a close error is
         * still a lost write */
        if (!o->to_stdout) {
            int fd = o->fd;
            o->fd = -1;
            if (close(fd) != 0)
                s = dcs_error_set(err, DCS_ERR_IO, DCS_NO_OFFSET,
                                  "cannot write %s: close failed: %s", o->path, strerror(errno));
        }
        output_release(o);
        return s;
    }
    char *bak = NULL;
    if (backup) {
        size_t n = strlen(o->rep.name);
        bak = malloc(n + 5);
        if (!bak) {
            output_release(o);
            return dcs_error_set(err, DCS_ERR_NOMEM, DCS_NO_OFFSET, "out of memory");
        }
        snprintf(bak, n + 5, "%s.bak", o->rep.name);
    }
    o->fd = -1;
    dcs_status s = dcsi_replace_commit(&o->rep, bak, err);
    free(bak);
    return s;
}

void dcsi_output_abort(struct dcsi_output *o)
{
    if (o)
        output_release(o);
}

dcs_status dcsi_output_file(const char *path, const void *data, size_t len,
                            struct dcs_error *err)
{
    struct dcsi_output o;
    dcs_status s = dcsi_output_open(&o, path, err);
    if (s)
        return s;
    s = dcsi_output_write(&o, data, len, err);
    if (s) {
        dcsi_output_abort(&o);
        return s;
    }
    return dcsi_output_commit(&o, false, err);
}
