/* Backups made before a commit changes a hive: a copy of the hive file (and
 * of its pending logs when it is forced dirty), its Connections key and an
 * undo .reg; and removing the logs a forced commit made stale. */
#include "apply/apply_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

dcs_status dcsi_mkdirs(const char *dir, struct dcs_error *err)
{
    char *p = strdup(dir);
    if (!p)
        return dcs_error_set(err, DCS_ERR_NOMEM, DCS_NO_OFFSET, "out of memory");
    for (char *c = p + 1;; c++) {
        if (*c != '/' && *c != '\0')
            continue;
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
    free(p);
    struct stat st;
    if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode))
        return dcs_error_set(err, DCS_ERR_IO, DCS_NO_OFFSET, "%s is not a directory", dir);
    return DCS_OK;
}

/* Write all of buf to fd; false with errno on failure. */
static bool write_all(int fd, const char *buf, size_t n)
{
    for (size_t off = 0; off < n;) {
        ssize_t w = write(fd, buf + off, n - off);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return false;
        off += (size_t)w;
    }
    return true;
}

static bool copy_fd(int in, int out)
{
    char buf[1 << 16];
    for (;;) {
        ssize_t r = read(in, buf, sizeof buf);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            return r == 0;
        if (!write_all(out, buf, (size_t)r))
            return false;
    }
}

dcs_status dcsi_copy_file(const char *src, const char *dst, struct dcs_error *err)
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
    bool ok = copy_fd(in, out) && fsync(out) == 0;
    int e = errno;
    close(in);
    if (close(out) != 0 && ok) {
        ok = false;
        e = errno;
    }
    if (!ok) {
        unlink(dst);
        return dcs_error_set(err, DCS_ERR_IO, DCS_NO_OFFSET, "cannot copy %s to %s: %s", src,
                             dst, strerror(e));
    }
    return DCS_OK;
}

/* A dirty hive forced through: keep its transaction logs with the backup. */
static dcs_status backup_logs(const struct dcs_apply_target *t, const char *where,
                              const char *stem, struct dcs_error *err)
{
    const struct dcs_hive_state *hs = dcs_hive_get_state(t->hive);
    char parent[900], src[1300], dst[1500];
    if (!hs->dirty)
        return DCS_OK;
    dcsi_parent_dir(dcs_hive_path(t->hive), parent, sizeof parent); /* the logs' directory */
    for (size_t i = 0; i < hs->nlogs; i++) {
        const char *suffix = hs->logs[i].name + strlen(hs->logs[i].name);
        while (suffix > hs->logs[i].name && suffix[-1] != '.')
            suffix--;
        snprintf(src, sizeof src, "%s/%s", parent, hs->logs[i].name);
        snprintf(dst, sizeof dst, "%s/%s.%s", where, stem, suffix);
        dcs_status st = dcsi_copy_file(src, dst, err);
        if (st != DCS_OK)
            return st;
    }
    return DCS_OK;
}

void dcsi_drop_pending_logs(const struct dcs_applier *a, const struct dcs_apply_target *t)
{
    const struct dcs_hive_state *hs = dcs_hive_get_state(t->hive);
    bool kept = !(a->flags & DCS_APPLY_NO_BACKUP);
    char parent[900], path[1300];
    dcsi_parent_dir(dcs_hive_path(t->hive), parent, sizeof parent); /* the logs' directory */
    for (size_t i = 0; hs->dirty && i < hs->nlogs; i++) {
        if (hs->logs[i].state != DCS_HIVE_LOG_PENDING &&
            hs->logs[i].state != DCS_HIVE_LOG_UNREADABLE)
            continue;
        snprintf(path, sizeof path, "%s/%s", parent, hs->logs[i].name);
        if (unlink(path) == 0)
            dcsi_apply_warn(a, DCS_OK,
                            "%s: removed the transaction log %s (its pending changes were "
                            "discarded%s)",
                            t->shown, hs->logs[i].name, kept ? "; a copy is in the backup" : "");
        else
            dcsi_apply_warn(a, DCS_ERR_IO,
                            "%s: could not remove the stale transaction log %s: %s", t->shown,
                            hs->logs[i].name, strerror(errno));
    }
}

/* A free backup name in where: SID-NAME, or SID-NAME.2 ... when an earlier
 * run used it.  Fills stem and t->backup[HIVE]. */
static dcs_status pick_name(struct dcs_apply_target *t, const char *where, char *stem,
                            size_t size, struct dcs_error *err)
{
    const char *base = strrchr(t->path, '/');
    base = base ? base + 1 : t->path;
    const char *who = t->machine ? "" : t->sid;
    for (unsigned k = 1;; k++) {
        if (k == 1)
            snprintf(stem, size, "%s%s%s", who, *who ? "-" : "", base);
        else
            snprintf(stem, size, "%s%s%s.%u", who, *who ? "-" : "", base, k);
        free(t->backup[DCS_APPLY_BACKUP_HIVE]);
        t->backup[DCS_APPLY_BACKUP_HIVE] = dcsi_strdupf("%s/%s", where, stem);
        if (!t->backup[DCS_APPLY_BACKUP_HIVE])
            return dcs_error_set(err, DCS_ERR_NOMEM, DCS_NO_OFFSET, "out of memory");
        struct stat sb;
        if (lstat(t->backup[DCS_APPLY_BACKUP_HIVE], &sb) != 0 || k == 1000)
            return DCS_OK;
    }
}

/* The two .reg files of a backup: the Connections key (none when the hive
 * has no such key yet) and the undo .reg. */
static dcs_status backup_regs(struct dcs_apply_target *t, const char *where, const char *stem,
                              struct dcs_error *err)
{
    char **conn = &t->backup[DCS_APPLY_BACKUP_CONNECTIONS], **undo = &t->backup[DCS_APPLY_BACKUP_UNDO];
    if (!(*conn = dcsi_strdupf("%s/%s.Connections.reg", where, stem)))
        return dcs_error_set(err, DCS_ERR_NOMEM, DCS_NO_OFFSET, "out of memory");
    dcs_status st = dcsi_write_connections_reg(t, *conn, err);
    if (st != DCS_OK) {
        free(*conn);
        *conn = NULL;
        if (st != DCS_ERR_NOT_FOUND)
            return st;
    }
    if (!(*undo = dcsi_strdupf("%s/%s.undo.reg", where, stem)))
        return dcs_error_set(err, DCS_ERR_NOMEM, DCS_NO_OFFSET, "out of memory");
    st = dcsi_write_undo_reg(t, *undo, err);
    if (st != DCS_OK) {
        free(*undo);
        *undo = NULL;
    }
    return st;
}

dcs_status dcsi_backup_target(struct dcs_applier *a, struct dcs_apply_target *t,
                              const char *stamp, struct dcs_error *err)
{
    char where[1024], stem[400], parent[900] = "";
    int n;
    if (a->backup_dir) {
        n = snprintf(where, sizeof where, "%s", a->backup_dir);
    } else {
        dcsi_parent_dir(t->path, parent, sizeof parent);
        n = snprintf(where, sizeof where, "%s/dcs-backup-%s", parent, stamp);
    }
    if (n < 0 || (size_t)n >= sizeof where - 1 || strlen(parent) >= sizeof parent - 1)
        return dcs_error_set(err, DCS_ERR_LIMIT, DCS_NO_OFFSET, "backup path too long");
    dcs_status st = dcsi_mkdirs(where, err);
    if (st == DCS_OK)
        st = pick_name(t, where, stem, sizeof stem, err);
    if (st == DCS_OK)
        st = dcsi_copy_file(t->path, t->backup[DCS_APPLY_BACKUP_HIVE], err);
    if (st != DCS_OK) {
        free(t->backup[DCS_APPLY_BACKUP_HIVE]);
        t->backup[DCS_APPLY_BACKUP_HIVE] = NULL;
        return st;
    }
    st = backup_logs(t, where, stem, err);
    if (st == DCS_OK)
        st = backup_regs(t, where, stem, err);
    return st;
}
