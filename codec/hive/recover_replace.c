/* Recovery of a dirty hive over itself (dcs_recover_replace_file): the
 * library, not each front end, owns the rules of writing over a file the
 * user named — the hive's lock, an interrupted commit finished first,
 * backups before the first write, an atomic replace. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <dcs/recover.h>

#include "core/fileio.h"
#include "hive/hive_internal.h"

/* Where the backups go: backup_dir (the user's path), or a new directory
 * dcs-backup-STAMP made in the hive's pinned directory. */
struct backups {
    char *where;  /* for messages and the caller */
    char *made;   /* the name made in the hive's directory, NULL for backup_dir */
    int fd;       /* the directory, open */
    bool created; /* this call made it */
};

static dcs_status backups_open(struct backups *b, const struct dcsi_pin *pin, const char *real,
                               const char *backup_dir, struct dcs_error *err)
{
    memset(b, 0, sizeof *b);
    b->fd = -1;
    char stamp[DCSI_STAMP_SIZE];
    dcsi_utc_stamp(stamp);
    char *dir = backup_dir ? NULL : dcsi_dirname(real);
    b->made = backup_dir ? NULL : dcsi_strdupf("dcs-backup-%s", stamp);
    b->where = backup_dir ? strdup(backup_dir)
                          : dir && b->made ? dcsi_strdupf("%s/%s", dir, b->made) : NULL;
    free(dir);
    if (!b->where || (!backup_dir && !b->made))
        return dcs_error_set(err, DCS_ERR_NOMEM, DCS_NO_OFFSET, "out of memory");
    struct stat sb;
    if (backup_dir) {
        b->created = lstat(backup_dir, &sb) != 0;
        dcs_status st = dcsi_mkdirs(backup_dir, 0755, err);
        if (st != DCS_OK)
            return st;
        b->fd = open(backup_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    } else {
        b->created = fstatat(pin->dirfd, b->made, &sb, AT_SYMLINK_NOFOLLOW) != 0;
        if (mkdirat(pin->dirfd, b->made, 0755) != 0 && errno != EEXIST)
            return dcs_error_set(err, DCS_ERR_IO, DCS_NO_OFFSET, "cannot create %s: %s",
                                 b->where, strerror(errno));
        b->fd = openat(pin->dirfd, b->made, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    }
    if (b->fd < 0)
        return dcs_error_set(err, DCS_ERR_IO, DCS_NO_OFFSET, "cannot open %s: %s", b->where,
                             strerror(errno));
    return DCS_OK;
}

static void backups_close(struct backups *b)
{
    if (b->fd >= 0)
        close(b->fd);
    free(b->where);
    free(b->made);
}

/* Remove the first n backups made (and the directory, when this call made
 * it): a failed recovery leaves no backup of a change that never happened. */
static void remove_backups(const struct dcsi_pin *pin, const struct backups *b,
                           const char *const *from, int n)
{
    for (int i = 0; i < n; i++)
        if (from[i][0])
            (void)unlinkat(b->fd, dcsi_basename(from[i]), 0);
    if (b->created && b->made)
        (void)unlinkat(pin->dirfd, b->made, AT_REMOVEDIR);
    else if (b->created)
        (void)rmdir(b->where);
}

/* Copy the hive and each log (names in the hive's pinned directory) into
 * the backups, then replace the hive with data in that directory; on
 * failure, the backups made are removed again. */
static dcs_status backup_and_replace(const struct dcsi_pin *pin, const char *real,
                                     const struct dcs_recover_report *rep,
                                     const char *backup_dir, const uint8_t *data, size_t len,
                                     char **where, struct dcs_error *err)
{
    const char *from[1 + DCS_RECOVER_NLOGS] = {real, rep->logs[0].path, rep->logs[1].path,
                                               rep->logs[2].path};
    struct backups b;
    dcs_status st = backups_open(&b, pin, real, backup_dir, err);
    int copied = 0;
    for (; st == DCS_OK && copied < 1 + DCS_RECOVER_NLOGS; copied++) {
        if (!from[copied][0])
            continue;
        const char *name = dcsi_basename(from[copied]);
        char *dst = dcsi_strdupf("%s/%s", b.where, name);
        st = dst ? dcsi_copy_file_at(pin->dirfd, copied ? name : pin->name, from[copied], b.fd,
                                     name, dst, 0, err)
                 : dcs_error_set(err, DCS_ERR_NOMEM, DCS_NO_OFFSET, "out of memory");
        free(dst);
        if (st != DCS_OK)
            break; /* from[copied] was not copied */
    }
    struct dcsi_replace r;
    if (st == DCS_OK)
        st = dcsi_replace_begin_at(&r, pin->dirfd, pin->name, real, 0600, err);
    if (st == DCS_OK) {
        st = dcsi_write_all(r.fd, data, len, err);
        if (st == DCS_OK)
            st = dcsi_replace_commit(&r, NULL, err);
        else
            dcsi_replace_abort(&r);
    }
    if (st != DCS_OK && b.fd >= 0)
        remove_backups(pin, &b, from, copied);
    if (st == DCS_OK) {
        *where = b.where;
        b.where = NULL;
    }
    backups_close(&b);
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
    /* resolved once: from here on only the hive's directory descriptor */
    struct dcsi_pin pin;
    dcs_lock *lock = NULL;
    uint8_t *data = NULL;
    size_t len = 0;
    char *where = NULL;
    dcs_status st = dcsi_dir_open_nofollow(AT_FDCWD, real, &pin, err);
    if (st == DCS_OK)
        st = dcsi_hive_lock_and_recover(pin.dirfd, pin.name, real, &lock, err);
    if (st == DCS_OK)
        st = dcsi_recover_file_at(pin.dirfd, pin.name, real, &data, &len, rep, err);
    if (st == DCS_OK && rep->state != DCS_RECOVER_CLEAN) {
        st = backup_and_replace(&pin, real, rep, backup_dir, data, len, &where, err);
        if (st == DCS_OK)
            copy_out(backup_used, backup_size, where);
    }
    dcs_lock_release(lock);
    dcsi_pin_free(&pin);
    free(where);
    free(data);
    free(real);
    return st;
}
