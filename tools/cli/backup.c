/* Backups before `dcs apply` changes a hive. */
#include "backup.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "backup_reg.h"
#include "cli.h"

dcs_status backup_mkdirs(const char *dir, struct dcs_error *err)
{
    char *p = strdup(dir);
    if (!p)
        return dcs_error_set(err, DCS_ERR_NOMEM, DCS_NO_OFFSET, "out of memory");
    for (char *c = p + 1;; c++) {
        if (*c == '/' || *c == '\0') {
            char keep = *c;
            *c = '\0';
            if (mkdir(p, 0755) != 0 && errno != EEXIST) {
                dcs_status st = dcs_error_set(err, DCS_ERR_IO, DCS_NO_OFFSET,
                                              "cannot create %s: %s", p, strerror(errno));
                free(p);
                return st;
            }
            *c = keep;
            if (!keep)
                break;
        }
    }
    free(p);
    struct stat st;
    if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode))
        return dcs_error_set(err, DCS_ERR_IO, DCS_NO_OFFSET, "%s is not a directory", dir);
    return DCS_OK;
}

dcs_status backup_copy_file(const char *src, const char *dst, struct dcs_error *err)
{
    int in = open(src, O_RDONLY | O_CLOEXEC);
    if (in < 0)
        return dcs_error_set(err, DCS_ERR_IO, DCS_NO_OFFSET, "cannot open %s: %s", src,
                             strerror(errno));
    int out = open(dst, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (out < 0) {
        int e = errno;
        close(in);
        return dcs_error_set(err, DCS_ERR_IO, DCS_NO_OFFSET, "cannot create %s: %s", dst,
                             strerror(e));
    }
    static char buf[1 << 16];
    bool ok = true;
    for (;;) {
        ssize_t r = read(in, buf, sizeof buf);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0) {
            ok = r == 0;
            break;
        }
        for (ssize_t off = 0; ok && off < r;) {
            ssize_t w = write(out, buf + off, (size_t)(r - off));
            if (w < 0 && errno == EINTR)
                continue;
            ok = w > 0;
            off += w > 0 ? w : 0;
        }
        if (!ok)
            break;
    }
    int e = errno;
    if (ok && fsync(out) != 0) {
        ok = false;
        e = errno;
    }
    close(in);
    close(out);
    if (!ok) {
        unlink(dst);
        return dcs_error_set(err, DCS_ERR_IO, DCS_NO_OFFSET, "cannot copy %s to %s: %s", src,
                             dst, strerror(e));
    }
    return DCS_OK;
}

static void parent_dir(const char *path, char *out, size_t size)
{
    const char *slash = strrchr(path, '/');
    if (!slash)
        snprintf(out, size, ".");
    else if (slash == path)
        snprintf(out, size, "/");
    else
        snprintf(out, size, "%.*s", (int)(slash - path), path);
}

/* A dirty hive forced through: keep its transaction logs with the backup. */
static dcs_status backup_logs(const struct apply_target *t, const char *where, const char *stem,
                              struct dcs_error *err)
{
    const struct dcs_hive_state *hs = dcs_hive_get_state(t->hive);
    char parent[900], src[1300], dst[1500];
    if (!hs->dirty)
        return DCS_OK;
    parent_dir(dcs_hive_path(t->hive), parent, sizeof parent); /* the logs' directory */
    for (size_t i = 0; i < hs->nlogs; i++) {
        const char *suffix = hs->logs[i].name + strlen(hs->logs[i].name);
        while (suffix > hs->logs[i].name && suffix[-1] != '.')
            suffix--;
        snprintf(src, sizeof src, "%s/%s", parent, hs->logs[i].name);
        snprintf(dst, sizeof dst, "%s/%s.%s", where, stem, suffix);
        dcs_status st = backup_copy_file(src, dst, err);
        if (st != DCS_OK)
            return st;
    }
    return DCS_OK;
}

void backup_drop_pending_logs(struct apply_target *t)
{
    const struct dcs_hive_state *hs = dcs_hive_get_state(t->hive);
    char parent[900], path[1300];
    parent_dir(dcs_hive_path(t->hive), parent, sizeof parent); /* the logs' directory */
    /* replayed logs stay, as Windows leaves them: they are older than the hive now */
    for (size_t i = 0; hs->dirty && !hs->recovered && i < hs->nlogs; i++) {
        if (hs->logs[i].state != DCS_HIVE_LOG_PENDING &&
            hs->logs[i].state != DCS_HIVE_LOG_UNREADABLE)
            continue;
        snprintf(path, sizeof path, "%s/%s", parent, hs->logs[i].name);
        if (unlink(path) == 0)
            cli_warnf("%s: removed the transaction log %s (its pending changes were discarded; "
                      "a copy is in the backup)",
                      t->shown, hs->logs[i].name);
        else
            cli_warnf("%s: could not remove the stale transaction log %s: %s", t->shown,
                      hs->logs[i].name, strerror(errno));
    }
}

dcs_status backup_target(struct apply_target *t, const char *dir, const char *stamp,
                         struct dcs_error *err)
{
    char where[1024];
    if (dir) {
        snprintf(where, sizeof where, "%s", dir);
    } else {
        char parent[900];
        parent_dir(t->path, parent, sizeof parent);
        snprintf(where, sizeof where, "%s/dcs-backup-%s", parent, stamp);
    }
    dcs_status st = backup_mkdirs(where, err);
    if (st != DCS_OK)
        return st;
    const char *base = strrchr(t->path, '/');
    base = base ? base + 1 : t->path;
    char stem[400];
    int n;
    /* a free name: SID-NAME, or SID-NAME.2 ... when an earlier run used it */
    for (unsigned k = 1;; k++) {
        const char *who = t->machine ? "" : t->sid;
        if (k == 1)
            snprintf(stem, sizeof stem, "%s%s%s", who, *who ? "-" : "", base);
        else
            snprintf(stem, sizeof stem, "%s%s%s.%u", who, *who ? "-" : "", base, k);
        n = snprintf(t->backup_hive, sizeof t->backup_hive, "%s/%s", where, stem);
        if (n < 0 || (size_t)n >= sizeof t->backup_hive)
            return dcs_error_set(err, DCS_ERR_LIMIT, DCS_NO_OFFSET, "backup path too long");
        struct stat sb;
        if (lstat(t->backup_hive, &sb) != 0 || k == 1000)
            break;
    }
    st = backup_copy_file(t->path, t->backup_hive, err);
    if (st != DCS_OK) {
        t->backup_hive[0] = '\0';
        return st;
    }
    st = backup_logs(t, where, stem, err);
    if (st != DCS_OK)
        return st;
    {
        n = snprintf(t->backup_conn, sizeof t->backup_conn, "%s/%s.Connections.reg", where,
                     stem);
        if (n < 0 || (size_t)n >= sizeof t->backup_conn)
            return dcs_error_set(err, DCS_ERR_LIMIT, DCS_NO_OFFSET, "backup path too long");
        st = backup_write_connections_reg(t, t->backup_conn, err);
        if (st == DCS_ERR_NOT_FOUND) {
            t->backup_conn[0] = '\0'; /* no Connections key yet: nothing to keep */
            st = DCS_OK;
        }
        if (st != DCS_OK)
            return st;
    }
    n = snprintf(t->backup_reg, sizeof t->backup_reg, "%s/%s.undo.reg", where, stem);
    if (n < 0 || (size_t)n >= sizeof t->backup_reg)
        return dcs_error_set(err, DCS_ERR_LIMIT, DCS_NO_OFFSET, "backup path too long");
    st = backup_write_undo_reg(t, t->backup_reg, err);
    if (st != DCS_OK)
        t->backup_reg[0] = '\0';
    return st;
}
