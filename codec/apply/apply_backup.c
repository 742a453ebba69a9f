/* Backups made before a commit changes a hive: a copy of the hive file (and
 * of its pending logs when it is forced dirty), its Connections key and an
 * undo .reg; and removing the logs a forced commit made stale. */
#include "apply/apply_internal.h"
#include "core/fileio.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* A dirty hive forced through: keep its transaction logs with the backup. */
static dcs_status backup_logs(const struct dcs_apply_target *t, const char *where,
                              const char *stem, struct dcs_error *err)
{
    const dcs_hive_state *hs = dcs_hive_get_state(t->hive);
    char parent[900], src[1300], dst[1500];
    if (!dcs_hive_state_dirty(hs))
        return DCS_OK;
    dcsi_parent_dir(dcs_hive_path(t->hive), parent, sizeof parent); /* the logs' directory */
    for (size_t i = 0; i < dcs_hive_state_log_count(hs); i++) {
        const char *name = dcs_hive_state_log(hs, i).name;
        const char *suffix = name + strlen(name);
        while (suffix > name && suffix[-1] != '.')
            suffix--;
        snprintf(src, sizeof src, "%s/%s", parent, name);
        snprintf(dst, sizeof dst, "%s/%s.%s", where, stem, suffix);
        struct stat sb;
        if (lstat(src, &sb) != 0 || !S_ISREG(sb.st_mode))
            continue; /* a link is no log of this hive: not followed (it may lead out) */
        dcs_status st = dcsi_copy_file(src, dst, 0, err);
        if (st != DCS_OK)
            return st;
    }
    return DCS_OK;
}

void dcsi_drop_pending_logs(const struct dcs_applier *a, const struct dcs_apply_target *t)
{
    const dcs_hive_state *hs = dcs_hive_get_state(t->hive);
    bool kept = !(a->flags & DCS_APPLY_NO_BACKUP);
    char parent[900], path[1300];
    dcsi_parent_dir(dcs_hive_path(t->hive), parent, sizeof parent); /* the logs' directory */
    /* replayed logs stay, as Windows leaves them: they are older than the hive now */
    bool drop = dcs_hive_state_dirty(hs) && !dcs_hive_state_recovered(hs);
    for (size_t i = 0; drop && i < dcs_hive_state_log_count(hs); i++) {
        struct dcs_hive_log lg = dcs_hive_state_log(hs, i);
        if (lg.state != DCS_HIVE_LOG_PENDING && lg.state != DCS_HIVE_LOG_UNREADABLE)
            continue;
        snprintf(path, sizeof path, "%s/%s", parent, lg.name);
        if (unlink(path) == 0)
            dcsi_apply_warn(a, DCS_OK,
                            "%s: removed the transaction log %s (its pending changes were "
                            "discarded%s)",
                            t->shown, lg.name, kept ? "; a copy is in the backup" : "");
        else
            dcsi_apply_warn(a, DCS_ERR_IO,
                            "%s: could not remove the stale transaction log %s: %s", t->shown,
                            lg.name, strerror(errno));
    }
}

/* A free backup name in where: SID-NAME, or SID-NAME.2 ... when an earlier
 * run used it.  Fills stem and t->backup[HIVE]. */
static dcs_status pick_name(struct dcs_apply_target *t, const char *where, char *stem,
                            size_t size, struct dcs_error *err)
{
    const char *base = strrchr(t->path, '/');
    base = base ? base + 1 : t->path;
    const char *who = t->machine ? "" : t->sid[0] ? t->sid : t->tag;
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

/* The backup directory, made: the one the user named, or dcs-backup-STAMP
 * beside the hive, which for a hive of an image is looked up inside the
 * image like the hive (a link planted at its name cannot lead out). */
static dcs_status backup_dir(const struct dcs_applier *a, const struct dcs_apply_target *t,
                             const char *stamp, char *where, size_t size, struct dcs_error *err)
{
    char parent[900] = "";
    int n;
    if (a->backup_dir) {
        n = snprintf(where, size, "%s", a->backup_dir);
    } else {
        dcsi_parent_dir(t->path, parent, sizeof parent);
        n = snprintf(where, size, "%s/dcs-backup-%s", parent, stamp);
    }
    if (n < 0 || (size_t)n >= size - 1 || strlen(parent) >= sizeof parent - 1)
        return dcs_error_set(err, DCS_ERR_LIMIT, DCS_NO_OFFSET, "backup path too long");
    const char *rel = a->img ? dcs_image_shown(a->img, where) : where;
    if (a->backup_dir || rel == where)
        return dcsi_mkdirs(where, 0755, err);
    char *made;
    dcs_status st = dcsi_image_path(a->img, rel, DCSI_IMAGE_DIR | DCSI_IMAGE_MAKE, &made, err);
    if (st == DCS_OK && strlen(made) >= size - 1)
        st = dcs_error_set(err, DCS_ERR_LIMIT, DCS_NO_OFFSET, "backup path too long");
    if (st == DCS_OK)
        memcpy(where, made, strlen(made) + 1);
    free(made);
    return st;
}

void dcsi_backup_remove(const struct dcs_applier *a, struct dcs_apply_target *t)
{
    const char *hive = t->backup[DCS_APPLY_BACKUP_HIVE];
    const dcs_hive_state *hs = t->hive ? dcs_hive_get_state(t->hive) : NULL;
    char path[1500];
    /* the copies of the logs, named as backup_logs names them */
    size_t nlogs = hive && hs && dcs_hive_state_dirty(hs) ? dcs_hive_state_log_count(hs) : 0;
    for (size_t i = 0; i < nlogs; i++) {
        const char *name = dcs_hive_state_log(hs, i).name;
        const char *suffix = strrchr(name, '.');
        snprintf(path, sizeof path, "%s.%s", hive, suffix ? suffix + 1 : name);
        (void)unlink(path);
    }
    char *dir = hive ? dcsi_dirname(hive) : NULL;
    for (int k = 0; k < 3; k++) {
        if (t->backup[k] && unlink(t->backup[k]) != 0 && errno != ENOENT)
            dcsi_apply_warn(a, DCS_ERR_IO, "%s: could not remove the backup %s: %s", t->shown,
                            t->backup[k], strerror(errno));
        free(t->backup[k]);
        t->backup[k] = NULL;
    }
    /* the directory this run made beside the hive, when nothing else is in it */
    if (dir && !a->backup_dir && strncmp(dcsi_basename(dir), "dcs-backup-", 11) == 0)
        (void)rmdir(dir);
    free(dir);
}

dcs_status dcsi_backup_target(struct dcs_applier *a, struct dcs_apply_target *t,
                              const char *stamp, struct dcs_error *err)
{
    char where[1024], stem[400];
    dcs_status st = backup_dir(a, t, stamp, where, sizeof where, err);
    if (st == DCS_OK)
        st = pick_name(t, where, stem, sizeof stem, err);
    if (st == DCS_OK)
        st = dcsi_copy_file(t->path, t->backup[DCS_APPLY_BACKUP_HIVE], 0, err);
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
