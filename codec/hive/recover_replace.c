/* Recovery of a dirty hive over itself (dcs_recover_replace_file): the
 * library, not each front end, owns the rules of writing over a file the
 * user named — the hive's lock, an interrupted commit finished first,
 * backups before the first write, an atomic replace. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <dcs/recover.h>

#include "core/fileio.h"
#include "hive/hive_internal.h"

/* backup_dir, or dcs-backup-STAMP in the hive's directory. */
static char *backup_dir_for(const char *real, const char *backup_dir)
{
    if (backup_dir)
        return strdup(backup_dir);
    char stamp[DCSI_STAMP_SIZE];
    dcsi_utc_stamp(stamp);
    char *dir = dcsi_dirname(real);
    char *where = dir ? dcsi_strdupf("%s/dcs-backup-%s", dir, stamp) : NULL;
    free(dir);
    return where;
}

/* The backup of file from: where/BASENAME, malloc'd. */
static char *backup_name(const char *where, const char *from)
{
    return dcsi_strdupf("%s/%s", where, dcsi_basename(from));
}

/* Remove the first n backups made (and where, when this call made it):
 * a failed recovery leaves no backup of a change that never happened. */
static void remove_backups(const char *const *from, int n, const char *where, bool made)
{
    for (int i = 0; i < n; i++) {
        char *dst = from[i][0] ? backup_name(where, from[i]) : NULL;
        if (dst)
            (void)unlink(dst);
        free(dst);
    }
    if (made)
        (void)rmdir(where);
}

/* Copy the hive and each log into where, then replace the hive with data;
 * on failure, the backups made are removed again. */
static dcs_status backup_and_replace(const char *real, const struct dcs_recover_report *rep,
                                     const char *where, const uint8_t *data, size_t len,
                                     struct dcs_error *err)
{
    const char *from[1 + DCS_RECOVER_NLOGS] = {real, rep->logs[0].path, rep->logs[1].path,
                                               rep->logs[2].path};
    struct stat sb;
    bool made = lstat(where, &sb) != 0;
    dcs_status st = dcsi_mkdirs(where, 0755, err);
    int copied = 0;
    for (; st == DCS_OK && copied < 1 + DCS_RECOVER_NLOGS; copied++) {
        if (!from[copied][0])
            continue;
        char *dst = backup_name(where, from[copied]);
        st = dst ? dcsi_copy_file(from[copied], dst, 0, err)
                 : dcs_error_set(err, DCS_ERR_NOMEM, DCS_NO_OFFSET, "out of memory");
        free(dst);
        if (st != DCS_OK)
            break; /* from[copied] was not copied */
    }
    if (st == DCS_OK)
        st = dcsi_write_file_atomic(real, data, len, 0600, err);
    if (st != DCS_OK)
        remove_backups(from, copied, where, made);
    return st;
}

static void copy_out(char *buf, size_t size, const char *s)
{
    if (buf && size)
        snprintf(buf, size, "%s", s);
}

dcs_status dcs_recover_replace_file(const char *hive_path, const char *backup_dir,
                                    char *backup_used, size_t backup_size,
                                    struct dcs_recover_report *report, struct dcs_error *err)
{
    struct dcs_recover_report scratch = {0};
    struct dcs_recover_report *rep = report ? report : &scratch;
    copy_out(backup_used, backup_size, "");
    char *real = realpath(hive_path, NULL);
    if (!real)
        return dcs_error_set(err, errno == ENOENT ? DCS_ERR_NOT_FOUND : DCS_ERR_IO,
                             DCS_NO_OFFSET, "cannot resolve %s: %s", hive_path, strerror(errno));
    dcs_lock *lock = NULL;
    uint8_t *data = NULL;
    size_t len = 0;
    char *where = NULL;
    dcs_status st = dcsi_hive_lock_and_recover(real, &lock, err);
    if (st == DCS_OK)
        st = dcs_recover_file(real, &data, &len, rep, err);
    if (st == DCS_OK && rep->state != DCS_RECOVER_CLEAN) {
        where = backup_dir_for(real, backup_dir);
        st = where ? backup_and_replace(real, rep, where, data, len, err)
                   : dcs_error_set(err, DCS_ERR_NOMEM, DCS_NO_OFFSET, "out of memory");
        if (st == DCS_OK)
            copy_out(backup_used, backup_size, where);
    }
    dcs_lock_release(lock);
    free(where);
    free(data);
    free(real);
    return st;
}
