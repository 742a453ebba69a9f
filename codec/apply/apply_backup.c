/* Backups made before a commit changes a hive: the hive file (a hard link
 * of its inode where the backup directory allows one, else a copy), copies
 * of its pending logs when it is forced dirty, its Connections key and an
 * undo .reg; and removing the logs a forced commit made stale.
 *
 * Durability rides on the commit's: each file written is handed to
 * writeback as soon as it is written, and once every backup of the run is
 * written (dcsi_backup_commit) they are the commit's companions
 * (dcsi_hive_commit_with): fsync'd in one batch with the hives'
 * temporaries and journal copies, renamed into place (publish) once that
 * batch is on disk, and their directories fsync'd in one batch with the
 * hives' directories, always before the commit's first rename.  Two waits
 * of their own would cost each run 2-5 ms on a VM's disk, where every
 * batch of fsyncs waits for a cache flush. */
#define _GNU_SOURCE // NOLINT(bugprone-reserved-identifier): the feature-test macro of sync_file_range
#include "apply/apply_internal.h"
#include "core/fileio.h"
#include "hive/hive_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static dcs_status nomem(struct dcs_error *err)
{
    return dcs_error_set(err, DCS_ERR_NOMEM, DCS_NO_OFFSET, "out of memory");
}

/* The backup directories of one run, each open once and fsync'd once. */
#define MAX_DIRS 16
#define MAX_PENDING 32
struct backup_dirs {
    int fd[MAX_DIRS];
    char *shown[MAX_DIRS];
    size_t n;
    /* the directories that got a new entry when this run created a
     * --backup-dir and its missing parents: each one's parent */
    char *made_in[MAX_DIRS];
    size_t nmade;
    /* files written, not yet fsync'd and renamed (beyond MAX_PENDING: done
     * at once) */
    struct dcsi_replace pend[MAX_PENDING];
    size_t npend;
    /* what makes the backups' names durable (dirs_collect): fd[0..n), then
     * each made_in[] opened, closed by dirs_close */
    int sync_fd[2 * MAX_DIRS];
    const char *sync_shown[2 * MAX_DIRS];
    size_t nsync;
};

static void dirs_close(struct backup_dirs *d)
{
    for (size_t i = 0; i < d->npend; i++)
        dcsi_replace_abort(&d->pend[i]); /* a failed run: the temporaries go */
    d->npend = 0;
    for (size_t i = d->n; i < d->nsync; i++)
        close(d->sync_fd[i]);
    d->nsync = 0;
    for (size_t i = 0; i < d->n; i++) {
        close(d->fd[i]);
        free(d->shown[i]);
    }
    for (size_t i = 0; i < d->nmade; i++)
        free(d->made_in[i]);
    d->n = 0;
    d->nmade = 0;
}

/* The descriptor of directory `where` (opened once per run; the same
 * directory reached twice is one entry, so it is fsync'd once). */
static dcs_status dirs_open(struct backup_dirs *d, const char *where, int *fd,
                            struct dcs_error *err)
{
    int nfd = open(where, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    struct stat sn, so;
    if (nfd < 0 || fstat(nfd, &sn) != 0) {
        int e = errno;
        if (nfd >= 0)
            close(nfd);
        return dcs_error_set(err, DCS_ERR_IO, DCS_NO_OFFSET, "cannot open directory %s: %s",
                             where, strerror(e));
    }
    for (size_t i = 0; i < d->n; i++)
        if (fstat(d->fd[i], &so) == 0 && so.st_dev == sn.st_dev && so.st_ino == sn.st_ino) {
            close(nfd);
            *fd = d->fd[i];
            return DCS_OK;
        }
    if (d->n == MAX_DIRS) {
        close(nfd);
        return dcs_error_set(err, DCS_ERR_LIMIT, DCS_NO_OFFSET,
                             "more than %d backup directories in one run", MAX_DIRS);
    }
    if (!(d->shown[d->n] = strdup(where))) {
        close(nfd);
        return nomem(err);
    }
    d->fd[d->n++] = nfd;
    *fd = nfd;
    return DCS_OK;
}

/* The directories whose fsync makes every backup's name durable: the
 * backup directories, and the parent of each directory of a --backup-dir
 * made by this run (opened here).  A default dcs-backup-STAMP is made
 * beside its hive, whose directory the commit fsyncs anyway. */
static dcs_status dirs_collect(struct backup_dirs *d, struct dcs_error *err)
{
    for (size_t i = 0; i < d->n; i++) {
        d->sync_fd[i] = d->fd[i];
        d->sync_shown[i] = d->shown[i];
    }
    d->nsync = d->n;
    for (size_t i = 0; i < d->nmade; i++) {
        int fd = open(d->made_in[i], O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0)
            return dcs_error_set(err, DCS_ERR_IO, DCS_NO_OFFSET, "cannot open directory %s: %s",
                                 d->made_in[i], strerror(errno));
        d->sync_fd[d->nsync] = fd;
        d->sync_shown[d->nsync++] = d->made_in[i];
    }
    return DCS_OK;
}

/* r's temporary file (fsync'd, closed) renamed to its name; the directory
 * is fsync'd later, once for every backup of the run.  Releases r. */
static dcs_status finish_unsynced(struct dcsi_replace *r, struct dcs_error *err)
{
    dcs_status st = dcsi_replace_sync(r, err);
    if (st == DCS_OK && renameat(r->dirfd, r->tmp, r->dirfd, r->name) != 0)
        st = dcs_error_set(err, DCS_ERR_IO, DCS_NO_OFFSET, "cannot rename to %s: %s",
                           r->display, strerror(errno));
    if (st == DCS_OK) {
        free(r->tmp);
        r->tmp = NULL; /* in place: nothing to remove */
    }
    dcsi_replace_abort(r);
    return st;
}

/* r, written: its data on its way to disk now, its fsync and rename with
 * the others' in finish_all (or at once when too many wait).  Releases r. */
static dcs_status defer(struct backup_dirs *d, struct dcsi_replace *r, struct dcs_error *err)
{
    if (d->npend == MAX_PENDING)
        return finish_unsynced(r, err);
#ifdef SYNC_FILE_RANGE_WRITE
    (void)sync_file_range(r->fd, 0, 0, SYNC_FILE_RANGE_WRITE); /* a hint only */
#endif
    d->pend[d->npend++] = *r;
    return DCS_OK;
}

/* The commit's companions published: every deferred file, fsync'd by the
 * commit in its batch, closed and renamed into place (ctx: the
 * backup_dirs); the commit fsyncs the directories next. */
static dcs_status publish(void *ctx, struct dcs_error *err)
{
    struct backup_dirs *d = ctx;
    dcs_status st = DCS_OK;
    size_t i = 0;
    for (; st == DCS_OK && i < d->npend; i++) {
        struct dcsi_replace *r = &d->pend[i];
        int fd = r->fd;
        r->fd = -1; /* on disk: finish_unsynced only renames */
        if (close(fd) != 0)
            st = dcs_error_set(err, DCS_ERR_IO, DCS_NO_OFFSET,
                               "cannot write %s: close failed: %s", r->display, strerror(errno));
        if (st == DCS_OK)
            st = finish_unsynced(r, err);
        else
            dcsi_replace_abort(r);
    }
    /* after a failure the rest are removed by dirs_close */
    memmove(d->pend, d->pend + i, (d->npend - i) * sizeof d->pend[0]);
    d->npend -= i;
    return st;
}

/* Copy name in dir `from` to `to` in bdir (created; never a half file at
 * `to`: through a temporary in bdir). */
static dcs_status copy_at(struct backup_dirs *d, int from_dir, const char *name,
                          const char *shown, int bdir, const char *to, const char *to_shown,
                          struct dcs_error *err)
{
    int in = openat(from_dir, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
    struct stat sb;
    if (in < 0 || fstat(in, &sb) != 0 || !S_ISREG(sb.st_mode)) {
        int e = in < 0 ? errno : EINVAL;
        if (in >= 0)
            close(in);
        return dcs_error_set(err, DCS_ERR_IO, DCS_NO_OFFSET, "cannot copy %s: %s", shown,
                             e == EINVAL ? "not a regular file" : strerror(e));
    }
    struct dcsi_replace r;
    dcs_status st = dcsi_replace_begin_at(&r, bdir, to, to_shown, sb.st_mode & 07777, err);
    if (st == DCS_OK) {
        (void)fchmod(r.fd, sb.st_mode & 07777);
        st = dcsi_copy_fd(in, r.fd, shown, err);
        if (st == DCS_OK)
            st = defer(d, &r, err);
        else
            dcsi_replace_abort(&r);
    }
    close(in);
    return st;
}

/* The hive kept as `stem` in bdir.  The commit renames a new file over the
 * hive, so its current inode is never written again: a hard link is a
 * backup that needs no data copied or fsync'd, only its directory's fsync.
 * Where a link cannot be made (another file system, or one without links)
 * the hive is copied. */
static dcs_status keep_hive(struct backup_dirs *d, const struct dcs_apply_target *t, int bdir,
                            const char *stem, struct dcs_error *err)
{
    /* the file the commit replaces: a hive named through a symbolic link
     * (--hive SID=LINK) is its target, and the link itself is no backup */
    /* through the directory pinned when the hive was opened: a link
     * swapped into its path since then is not followed */
    const char *path = dcs_hive_path(t->hive);
    const struct dcsi_pin *pin = dcsi_hive_pin(t->hive);
    int hdir = pin->dirfd;
    const char *base = pin->name;
    dcs_status st = DCS_OK;
    /* flags 0: a symbolic link put at the hive's name is linked as itself,
     * never followed out of the image */
    if (linkat(hdir, base, bdir, stem, 0) != 0) {
        int e = errno;
        if (e == EXDEV || e == EPERM || e == EMLINK || e == ENOTSUP || e == EOPNOTSUPP ||
            e == ENOSYS)
            st = copy_at(d, hdir, base, path, bdir, stem, t->backup[DCS_APPLY_BACKUP_HIVE], err);
        else
            st = dcs_error_set(err, DCS_ERR_IO, DCS_NO_OFFSET, "cannot keep %s as %s: %s", path,
                               t->backup[DCS_APPLY_BACKUP_HIVE], strerror(e));
    }
    return st;
}

/* A dirty hive forced through: keep its transaction logs with the backup.
 * They are copied, not linked: Windows (and a later forced run) rewrites
 * logs in place, which a link would carry into the backup. */
static dcs_status backup_logs(struct backup_dirs *d, const struct dcs_apply_target *t, int bdir,
                              const char *where, const char *stem, struct dcs_error *err)
{
    const dcs_hive_state *hs = dcs_hive_get_state(t->hive);
    if (!dcs_hive_state_dirty(hs))
        return DCS_OK;
    char parent[900], src[1300], name[700], dst[1800];
    dcsi_parent_dir(dcs_hive_path(t->hive), parent, sizeof parent); /* for messages */
    int ldir = dcsi_hive_pin(t->hive)->dirfd; /* the logs' directory, pinned at open */
    dcs_status st = DCS_OK;
    for (size_t i = 0; st == DCS_OK && i < dcs_hive_state_log_count(hs); i++) {
        const char *log = dcs_hive_state_log(hs, i).name;
        /* never NULL (past the end: ""), which gcc's -Wformat-truncation
         * cannot see once this is inlined under ASan */
        if (!log || !*log)
            continue;
        const char *suffix = log + strlen(log);
        while (suffix > log && suffix[-1] != '.')
            suffix--;
        snprintf(src, sizeof src, "%s/%s", parent, log);
        snprintf(name, sizeof name, "%s.%s", stem, suffix);
        snprintf(dst, sizeof dst, "%s/%s", where, name);
        struct stat sb;
        if (fstatat(ldir, log, &sb, AT_SYMLINK_NOFOLLOW) != 0 || !S_ISREG(sb.st_mode))
            continue; /* a link is no log of this hive: not followed (it may lead out) */
        st = copy_at(d, ldir, log, src, bdir, name, dst, err);
    }
    return st;
}

void dcsi_drop_pending_logs(const struct dcs_applier *a, const struct dcs_apply_target *t)
{
    const dcs_hive_state *hs = dcs_hive_get_state(t->hive);
    bool kept = !(a->flags & DCS_APPLY_NO_BACKUP);
    /* replayed logs stay, as Windows leaves them: they are older than the hive now */
    bool drop = dcs_hive_state_dirty(hs) && !dcs_hive_state_recovered(hs);
    for (size_t i = 0; drop && i < dcs_hive_state_log_count(hs); i++) {
        struct dcs_hive_log lg = dcs_hive_state_log(hs, i);
        if (lg.state != DCS_HIVE_LOG_PENDING && lg.state != DCS_HIVE_LOG_UNREADABLE)
            continue;
        /* in the hive's directory pinned at open, as the logs were read */
        if (unlinkat(dcsi_hive_pin(t->hive)->dirfd, lg.name, 0) == 0)
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

/* stem <- SID-NAME (k == 1) or SID-NAME.k. */
static void format_stem(const struct dcs_apply_target *t, unsigned long k, char *stem,
                        size_t size)
{
    const char *base = dcsi_basename(t->path);
    const char *who = t->machine ? "" : t->sid[0] ? t->sid : t->tag;
    if (k == 1)
        snprintf(stem, size, "%s%s%s", who, *who ? "-" : "", base);
    else
        snprintf(stem, size, "%s%s%s.%lu", who, *who ? "-" : "", base, k);
}

static bool stem_taken(const struct dcs_apply_target *t, int bdir, unsigned long k, char *stem,
                       size_t size)
{
    format_stem(t, k, stem, size);
    struct stat sb;
    return fstatat(bdir, stem, &sb, AT_SYMLINK_NOFOLLOW) == 0;
}

/* A free backup name in bdir: SID-NAME, or SID-NAME.K when earlier runs
 * used it, K one past the highest number in use (where a backup was
 * deleted from the middle, possibly a free number below it).  Found by
 * doubling K while taken, then halving the gap: 2 log2(K) lookups, not one
 * per earlier run, and no limit (a backup directory every scheduled run
 * shares grows without end).  Fills stem and t->backup[HIVE]. */
static dcs_status pick_name(struct dcs_apply_target *t, int bdir, const char *where, char *stem,
                            size_t size, struct dcs_error *err)
{
    unsigned long hi = 1; /* free */
    if (stem_taken(t, bdir, 1, stem, size)) {
        unsigned long lo = 1; /* taken */
        for (hi = 2; stem_taken(t, bdir, hi, stem, size); hi *= 2) {
            lo = hi;
            if (hi > (1UL << 30))
                return dcs_error_set(err, DCS_ERR_LIMIT, DCS_NO_OFFSET,
                                     "no free backup name for %s in %s", t->path, where);
        }
        while (hi - lo > 1) {
            unsigned long mid = lo + (hi - lo) / 2;
            if (stem_taken(t, bdir, mid, stem, size))
                lo = mid;
            else
                hi = mid;
        }
    }
    format_stem(t, hi, stem, size);
    free(t->backup[DCS_APPLY_BACKUP_HIVE]);
    t->backup[DCS_APPLY_BACKUP_HIVE] = dcsi_strdupf("%s/%s", where, stem);
    return t->backup[DCS_APPLY_BACKUP_HIVE] ? DCS_OK : nomem(err);
}

/* One .reg of a backup, name in bdir (shown: its path): written through a
 * temporary file, fsync'd, renamed (the directory is fsync'd later).
 * DCS_ERR_NOT_FOUND from the writer leaves no file. */
static dcs_status write_reg(struct backup_dirs *d, const struct dcs_apply_target *t, bool undo,
                            int bdir, const char *name, const char *shown,
                            struct dcs_error *err)
{
    struct dcsi_replace r;
    dcs_status st = dcsi_replace_begin_at(&r, bdir, name, shown, 0644, err);
    if (st != DCS_OK)
        return st;
    st = undo ? dcsi_write_undo_reg(t, r.fd, shown, err)
              : dcsi_write_connections_reg(t, r.fd, shown, err);
    if (st == DCS_OK)
        return defer(d, &r, err);
    dcsi_replace_abort(&r);
    return st;
}

/* The two .reg files of a backup: the Connections key (none when the hive
 * has no such key yet) and the undo .reg. */
static dcs_status backup_regs(struct backup_dirs *d, struct dcs_apply_target *t, int bdir,
                              const char *where, const char *stem, struct dcs_error *err)
{
    static const char *const suffix[2] = {"Connections", "undo"};
    static const enum dcs_apply_backup which[2] = {DCS_APPLY_BACKUP_CONNECTIONS,
                                                   DCS_APPLY_BACKUP_UNDO};
    for (int k = 0; k < 2; k++) {
        char name[500];
        char **path = &t->backup[which[k]];
        /* no Connections key yet: no file, and no temporary made and
         * removed for nothing (a create costs 0.4-1.2 ms on the ext4 the
         * apply bench runs on, as much as an fsync) */
        dcs_hive_key key;
        struct dcs_error ferr;
        if (k == 0 &&
            dcs_hive_find_key(t->hive, 0,
                              t->machine ? DCS_KEY_MACHINE_CONNECTIONS : DCS_KEY_CONNECTIONS,
                              &key, &ferr) == DCS_ERR_NOT_FOUND)
            continue;
        snprintf(name, sizeof name, "%s.%s.reg", stem, suffix[k]);
        if (!(*path = dcsi_strdupf("%s/%s", where, name)))
            return nomem(err);
        dcs_status st = write_reg(d, t, k == 1, bdir, name, *path, err);
        if (st != DCS_OK) {
            free(*path);
            *path = NULL;
            if (k == 1 || st != DCS_ERR_NOT_FOUND) /* no Connections key yet: no file */
                return st;
        }
    }
    return DCS_OK;
}

/* Before where (a --backup-dir) and its missing parents are created: each
 * directory that will get a new entry, the parent of every missing one, is
 * noted for dirs_sync (all of them, however many levels are made). */
static dcs_status note_made(struct backup_dirs *d, const char *where, struct dcs_error *err)
{
    char *p = strdup(where);
    bool oom = !p;
    struct stat sb;
    while (p && lstat(p, &sb) != 0 && errno == ENOENT) {
        char *up = dcsi_dirname(p);
        free(p);
        p = up;
        if (!up) {
            oom = true;
            break;
        }
        bool seen = false;
        for (size_t i = 0; i < d->nmade && !seen; i++)
            seen = strcmp(d->made_in[i], up) == 0;
        if (seen)
            continue;
        if (d->nmade == MAX_DIRS) {
            free(p);
            return dcs_error_set(err, DCS_ERR_LIMIT, DCS_NO_OFFSET,
                                 "more than %d directories to create for %s", MAX_DIRS, where);
        }
        if (!(d->made_in[d->nmade] = strdup(up))) {
            oom = true;
            break;
        }
        d->nmade++;
    }
    free(p);
    return oom ? nomem(err) : DCS_OK;
}

/* The backup directory, made: the one the user named, or dcs-backup-STAMP
 * beside the hive, which for a hive of an image is looked up inside the
 * image like the hive (a link planted at its name cannot lead out). */
static dcs_status backup_dir(const struct dcs_applier *a, const struct dcs_apply_target *t,
                             const char *stamp, char *where, size_t size,
                             struct backup_dirs *d, struct dcs_error *err)
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
    if (a->backup_dir || rel == where) {
        if (a->backup_dir) {
            dcs_status st = note_made(d, where, err);
            if (st != DCS_OK)
                return st;
        }
        return dcsi_mkdirs(where, 0755, err);
    }
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

static dcs_status backup_target(struct dcs_applier *a, struct dcs_apply_target *t,
                                const char *stamp, struct backup_dirs *d,
                                struct dcs_error *err)
{
    char where[1024], stem[400];
    int bdir = -1;
    dcs_status st = backup_dir(a, t, stamp, where, sizeof where, d, err);
    if (st == DCS_OK)
        st = dirs_open(d, where, &bdir, err);
    if (st == DCS_OK)
        st = pick_name(t, bdir, where, stem, sizeof stem, err);
    if (st == DCS_OK)
        st = keep_hive(d, t, bdir, stem, err);
    if (st != DCS_OK) {
        free(t->backup[DCS_APPLY_BACKUP_HIVE]);
        t->backup[DCS_APPLY_BACKUP_HIVE] = NULL;
        return st;
    }
    st = backup_logs(d, t, bdir, where, stem, err);
    if (st == DCS_OK)
        st = backup_regs(d, t, bdir, where, stem, err);
    return st;
}

dcs_status dcsi_backup_commit(struct dcs_applier *a, dcsi_commit_fn commit,
                              struct dcs_error *err)
{
    char stamp[DCSI_STAMP_SIZE];
    dcsi_utc_stamp(stamp);
    struct backup_dirs d = {.n = 0};
    dcs_status st = DCS_OK;
    for (size_t i = 0; st == DCS_OK && i < a->n; i++)
        if (dcs_apply_plan_changes(&a->t[i]->plan))
            st = backup_target(a, a->t[i], stamp, &d, err);
    if (st == DCS_OK)
        st = dirs_collect(&d, err);
    if (st == DCS_OK) {
        a->backed_up = true;
        int fds[MAX_PENDING];
        const char *shown[MAX_PENDING];
        for (size_t i = 0; i < d.npend; i++) {
            fds[i] = d.pend[i].fd;
            shown[i] = d.pend[i].display;
        }
        const struct dcsi_commit_companions with = {
            fds, shown, d.npend, publish, &d, d.sync_fd, d.sync_shown, d.nsync};
        st = commit(a, &with, err);
    }
    dirs_close(&d);
    return st;
}
