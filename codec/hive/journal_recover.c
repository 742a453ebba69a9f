/* Finishing or undoing an interrupted multi-hive commit (dcs_hive_recover),
 * and describing where each hive of a commit stands.
 *
 * Which way: a commit whose journal copies are all present and all say
 * "prepared" had every temporary complete and fsync'd before any copy was
 * written, so it is finished (rolled forward) -- when it can be: a hive
 * whose file is not its new version and whose temporary is gone means the
 * writer died before its one fsync of each directory returned (a crash
 * that lost the temporary's name but kept the copy's), and renames start
 * only after that fsync, so no hive was replaced and the commit is undone.
 * A copy missing means the writer died while writing the copies (no hive
 * replaced yet: undone) or while removing them (every hive replaced, and
 * the renames fsync'd, before the first removal: finished); which one, the
 * hives tell.  A copy still "preparing" (a journal of older dcs) means no
 * hive was replaced yet: undone.  Each hive's state is read from the file
 * system, not assumed: a hive is "new" when its file is the new version
 * (device and inode recorded when prepared).  When the preferred way cannot
 * be completed from what is on disk (a writer that was itself undoing a
 * failed commit, say), the other way is taken if it can be; when neither
 * can, nothing is touched and the error names each hive's state.
 * Temporaries and kept versions that no journal names are the sweep's
 * (journal_sweep.c), after this. */
#include "hive/hive_internal.h"
#include "core/fileio.h"
#include "core/lock_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Every name below is one of an entry's four, looked up in its pinned
 * directory (the names' own directory part is the same).  An entry whose
 * directory is gone (dirfd -1) has none of its files. */
static bool exists(const struct dcsi_jentry *e, const char *path)
{
    struct stat st;
    return e->dirfd >= 0 &&
           fstatat(e->dirfd, dcsi_basename(path), &st, AT_SYMLINK_NOFOLLOW) == 0;
}

bool dcsi_journal_is_new(const struct dcsi_jentry *e)
{
    struct stat st;
    return (e->dev || e->ino) && e->dirfd >= 0 &&
           fstatat(e->dirfd, dcsi_basename(e->target), &st, AT_SYMLINK_NOFOLLOW) == 0 &&
           (uint64_t)st.st_dev == e->dev && (uint64_t)st.st_ino == e->ino;
}

static int rename_in(const struct dcsi_jentry *e, const char *from, const char *to)
{
    if (e->dirfd < 0)
        return errno = ENOENT, -1;
    return renameat(e->dirfd, dcsi_basename(from), e->dirfd, dcsi_basename(to));
}

static int unlink_in(const struct dcsi_jentry *e, const char *path)
{
    if (e->dirfd < 0)
        return errno = ENOENT, -1;
    return unlinkat(e->dirfd, dcsi_basename(path), 0);
}

/* Append "; " (unless first) and the strings up to NULL to *s (malloc'd). */
static bool append(char **s, size_t *len, ...)
{
    va_list ap;
    size_t add = *len ? 2 : 0;
    va_start(ap, len);
    for (const char *p; (p = va_arg(ap, const char *));)
        add += strlen(p);
    va_end(ap);
    char *q = realloc(*s, *len + add + 1);
    if (!q)
        return false;
    *s = q;
    if (*len) {
        memcpy(q + *len, "; ", 2);
        *len += 2;
    }
    va_start(ap, len);
    for (const char *p; (p = va_arg(ap, const char *));) {
        size_t n = strlen(p);
        memcpy(q + *len, p, n);
        *len += n;
    }
    va_end(ap);
    q[*len] = '\0';
    return true;
}

char *dcsi_journal_states(const struct dcsi_journal *j)
{
    char *s = NULL;
    size_t len = 0;
    bool ok = true;
    for (size_t i = 0; i < j->n && ok; i++) {
        const struct dcsi_jentry *e = &j->e[i];
        bool is_new = dcsi_journal_is_new(e);
        if (is_new && exists(e, e->keep))
            ok = append(&s, &len, e->target, " holds the new content (its previous content is in ",
                        e->keep, ")", (const char *)NULL);
        else if (is_new)
            ok = append(&s, &len, e->target, " holds the new content", (const char *)NULL);
        else if (exists(e, e->tmp))
            ok = append(&s, &len, e->target, " holds its previous content (the new one is in ",
                        e->tmp, ")", (const char *)NULL);
        else
            ok = append(&s, &len, e->target, " holds its previous content", (const char *)NULL);
    }
    if (!ok) {
        free(s);
        return NULL;
    }
    return s ? s : strdup("");
}

/* "A, B and C" into buf (malloc'd). */
static char *list_targets(const struct dcsi_journal *j)
{
    char *s = NULL;
    size_t len = 0;
    for (size_t i = 0; i < j->n; i++) {
        const char *sep = i == 0 ? "" : i + 1 == j->n ? " and " : ", ";
        size_t a = strlen(sep), b = strlen(j->e[i].target);
        char *p = realloc(s, len + a + b + 1);
        if (!p) {
            free(s);
            return NULL;
        }
        s = p;
        memcpy(s + len, sep, a); // NOLINT(bugprone-not-null-terminated-result): terminated after the copy
        memcpy(s + len + a, j->e[i].target, b + 1);
        len += a + b;
    }
    return s;
}

/* ---- the two ways ------------------------------------------------------------ */

static dcs_status op_failed(const char *what, const char *a, const char *b,
                            struct dcs_error *err)
{
    return dcs_error_set(err, DCS_ERR_IO, DCS_NO_OFFSET, "cannot %s %s%s%s: %s", what, a,
                         b ? " to " : "", b ? b : "", strerror(errno));
}

/* The last step of finishing: remove the kept old versions, fsync (the
 * commit itself leaves out this fsync, hive_commit.c; recovery is rare). */
static dcs_status drop_keeps(struct dcsi_journal *j, struct dcs_error *err)
{
    dcs_status rc = DCS_OK;
    for (size_t i = 0; i < j->n && rc == DCS_OK; i++)
        if (unlink_in(&j->e[i], j->e[i].keep) != 0 && errno != ENOENT)
            rc = op_failed("remove", j->e[i].keep, NULL, err);
    return rc != DCS_OK ? rc : dcsi_journal_sync_dirs(j, err);
}

dcs_status dcsi_journal_forward(struct dcsi_journal *j, struct dcs_error *err)
{
    for (size_t i = 0; i < j->n; i++) {
        struct dcsi_jentry *e = &j->e[i];
        if (!dcsi_journal_is_new(e) && rename_in(e, e->tmp, e->target) != 0)
            return op_failed("rename", e->tmp, e->target, err);
    }
    dcs_status rc = dcsi_journal_sync_dirs(j, err);
    return rc != DCS_OK ? rc : drop_keeps(j, err);
}

dcs_status dcsi_journal_backward(struct dcsi_journal *j, struct dcs_error *err)
{
    for (size_t i = 0; i < j->n; i++) {
        struct dcsi_jentry *e = &j->e[i];
        if (dcsi_journal_is_new(e) && rename_in(e, e->keep, e->target) != 0)
            return op_failed("rename", e->keep, e->target, err);
    }
    dcs_status rc = dcsi_journal_sync_dirs(j, err);
    for (size_t i = 0; i < j->n && rc == DCS_OK; i++) {
        struct dcsi_jentry *e = &j->e[i];
        if (unlink_in(e, e->tmp) != 0 && errno != ENOENT)
            rc = op_failed("remove", e->tmp, NULL, err);
        else if (unlink_in(e, e->keep) != 0 && errno != ENOENT)
            rc = op_failed("remove", e->keep, NULL, err);
    }
    return rc != DCS_OK ? rc : dcsi_journal_sync_dirs(j, err);
}

/* ---- recovery ---------------------------------------------------------------- */

/* The copies as locked: which are present, and their agreed content. */
struct found {
    struct dcsi_journal j; /* names and, when any copy is prepared, dev/ino */
    size_t present;
    bool all_prepared;
};

static dcs_status lock_copies(struct found *f, const char *id, uint64_t deadline,
                              struct dcs_error *err)
{
    f->present = 0;
    f->all_prepared = true;
    for (size_t k = 0; k < f->j.n; k++) {
        const char *name = f->j.e[k].journal;
        int fd = f->j.e[k].dirfd < 0
                     ? (errno = ENOENT, -1)
                     : dcsi_lock_openat(f->j.e[k].dirfd, dcsi_basename(name), 0, deadline);
        if (fd < 0 && errno == ENOENT) {
            f->all_prepared = false;
            continue;
        }
        if (fd < 0 && errno == EWOULDBLOCK)
            return dcs_error_set(err, DCS_ERR_HIVE_LOCKED, DCS_NO_OFFSET,
                                 "another dcs process is committing %s (its journal %s is "
                                 "locked) and had not finished after %u.%03u s",
                                 f->j.e[k].target, name, dcs_lock_wait() / 1000u,
                                 dcs_lock_wait() % 1000u);
        if (fd < 0)
            return dcs_error_set(err, DCS_ERR_IO, DCS_NO_OFFSET,
                                 "cannot open the commit journal %s: %s", name, strerror(errno));
        f->j.fds[k] = fd;
        f->present++;
        struct dcsi_journal copy;
        dcs_status rc = dcsi_journal_read_fd(fd, name, &copy, err);
        if (rc != DCS_OK)
            return rc;
        bool same = strcmp(copy.id, id) == 0 && copy.n == f->j.n;
        for (size_t i = 0; same && i < copy.n; i++)
            same = strcmp(copy.e[i].token, f->j.e[i].token) == 0;
        if (same && copy.prepared)
            for (size_t i = 0; i < copy.n; i++) {
                f->j.e[i].dev = copy.e[i].dev;
                f->j.e[i].ino = copy.e[i].ino;
            }
        f->all_prepared = f->all_prepared && copy.prepared;
        dcsi_journal_free(&copy);
        if (!same)
            return dcs_error_set(err, DCS_ERR_HIVE_JOURNAL, DCS_NO_OFFSET,
                                 "the commit journals %s and %s disagree; nothing was changed",
                                 f->j.e[0].journal, name);
    }
    return DCS_OK;
}

/* Remove a HIVE.dcs-journal.new its (dead) writer left, once it can be
 * locked (target's name in the pinned directory dir).  *removed says
 * whether there was one. */
static dcs_status clean_new(int dir, const char *target, uint64_t deadline, bool *removed,
                            struct dcs_error *err)
{
    size_t n = strlen(target);
    char *name = malloc(n + sizeof DCSI_JOURNAL_NEW_SUFFIX);
    if (!name)
        return dcs_error_set(err, DCS_ERR_NOMEM, DCS_NO_OFFSET, "out of memory");
    memcpy(name, target, n);
    memcpy(name + n, DCSI_JOURNAL_NEW_SUFFIX, sizeof DCSI_JOURNAL_NEW_SUFFIX);
    dcs_status rc = DCS_OK;
    int fd = dir < 0 ? (errno = ENOENT, -1) : dcsi_lock_openat(dir, dcsi_basename(name), 0, deadline);
    if (fd >= 0) {
        if (unlinkat(dir, dcsi_basename(name), 0) == 0)
            *removed = true;
        else if (errno != ENOENT)
            rc = op_failed("remove", name, NULL, err);
        close(fd);
    } else if (errno == EWOULDBLOCK) {
        rc = dcs_error_set(err, DCS_ERR_HIVE_LOCKED, DCS_NO_OFFSET,
                           "another dcs process is writing the commit journal %s", name);
    } else if (errno != ENOENT) {
        rc = op_failed("open", name, NULL, err);
    }
    free(name);
    return rc;
}

/* Which way the commit can go from what is on disk. */
static void feasible(const struct dcsi_journal *j, bool *fwd, bool *bwd, bool *all_new)
{
    *fwd = *bwd = *all_new = true;
    for (size_t i = 0; i < j->n; i++) {
        bool is_new = dcsi_journal_is_new(&j->e[i]);
        *all_new = *all_new && is_new;
        *fwd = *fwd && (is_new || exists(&j->e[i], j->e[i].tmp));
        *bwd = *bwd && (!is_new || exists(&j->e[i], j->e[i].keep));
    }
}

static dcs_status finish(struct found *f, struct dcs_error *err)
{
    struct dcsi_journal *j = &f->j;
    bool fwd, bwd, all_new;
    feasible(j, &fwd, &bwd, &all_new);
    /* forward renames new versions into place: only when they are known
     * complete (every copy prepared), or when nothing is left to rename
     * (every hive new: a copy is missing because the writer was removing
     * them, which it starts only once every hive is replaced and the
     * renames fsync'd; the kept versions, removed first without an fsync
     * of their own, may or may not be left, so they do not decide) */
    fwd = fwd && (f->all_prepared || all_new);
    bool forward = fwd;
    dcs_status rc;
    if (!fwd && !bwd) {
        rc = DCS_ERR_HIVE_ROLLBACK;
    } else {
        rc = forward ? dcsi_journal_forward(j, err) : dcsi_journal_backward(j, err);
        if (rc == DCS_OK)
            rc = dcsi_journal_remove(j, true, err);
    }
    char *list = list_targets(j);
    if (rc == DCS_OK && list) {
        if (forward)
            dcs_warn(DCS_OK, "finished a commit that was interrupted: %s %s the new content",
                     list, j->n == 1 ? "holds" : "all hold");
        else
            dcs_warn(DCS_OK, "undid a commit that was interrupted: %s %s %s previous content",
                     list, j->n == 1 ? "holds" : "all hold", j->n == 1 ? "its" : "their");
    } else if (rc != DCS_OK && rc != DCS_ERR_NOMEM) {
        char *states = dcsi_journal_states(j);
        char why[DCS_ERROR_MESSAGE_MAX];
        snprintf(why, sizeof why, "%s", rc == DCS_ERR_HIVE_ROLLBACK
                                            ? "neither way can be completed from the files left"
                                            : err ? err->message : "");
        rc = dcs_error_set(err, DCS_ERR_HIVE_ROLLBACK, DCS_NO_OFFSET,
                           "a commit that was interrupted cannot be %s (%s): %s; its journal "
                           "%s is kept",
                           forward ? "finished" : "undone", why, states ? states : "",
                           j->e[0].journal);
        free(states);
    }
    free(list);
    return rc;
}

/* Pin the directory of every hive the journal lists: its path as written,
 * walked from the copy's own directory with no symbolic link followed.  A
 * directory that is gone leaves the entry without one (none of its files
 * exist); a link on the way is refused. */
static dcs_status pin_entries(struct dcsi_journal *j, int dir, const char *jpath,
                              struct dcs_error *err)
{
    for (size_t i = 0; i < j->n; i++) {
        struct dcsi_jentry *e = &j->e[i];
        struct dcsi_pin pin;
        struct dcs_error perr;
        dcs_status rc = dcsi_dir_open_nofollow(dir, e->rel, &pin, &perr);
        if (rc == DCS_ERR_NOT_FOUND)
            continue;
        if (rc == DCS_OK && strcmp(pin.name, dcsi_basename(e->target)) != 0) /* a link */
            rc = dcs_error_set(&perr, DCS_ERR_APPLY_OUTSIDE, DCS_NO_OFFSET,
                               "%s is a symbolic link, not followed", e->rel);
        if (rc != DCS_OK) {
            dcsi_pin_free(&pin);
            return dcs_error_set(err, rc, DCS_NO_OFFSET,
                                 "the commit journal %s lists %s: %s; nothing was changed",
                                 jpath, e->target, perr.message);
        }
        e->dirfd = pin.dirfd;
        free(pin.name);
    }
    return DCS_OK;
}

static dcs_status recover_from(int dir, const char *jpath, uint64_t deadline,
                               struct dcs_error *err)
{
    int fd = openat(dir, dcsi_basename(jpath), O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOFOLLOW);
    if (fd < 0)
        return errno == ENOENT ? DCS_OK : op_failed("open", jpath, NULL, err);
    struct found f;
    /* read without the lock: copies appear whole (renamed into place) and
     * the locks must be taken in hive order, the first copy first */
    dcs_status rc = dcsi_journal_read_fd(fd, jpath, &f.j, err);
    close(fd);
    if (rc != DCS_OK)
        return rc;
    bool listed = false;
    for (size_t i = 0; i < f.j.n; i++)
        listed = listed || strcmp(f.j.e[i].journal, jpath) == 0;
    if (!listed) {
        rc = dcs_error_set(err, DCS_ERR_HIVE_JOURNAL, DCS_NO_OFFSET,
                           "%s is not a commit journal dcs can act on (it does not list the "
                           "hive beside it); nothing was changed",
                           jpath);
        dcsi_journal_free(&f.j);
        return rc;
    }
    char id[sizeof f.j.id];
    memcpy(id, f.j.id, sizeof id);
    for (size_t i = 0; i < f.j.n; i++)
        f.j.e[i].dev = f.j.e[i].ino = 0;
    rc = pin_entries(&f.j, dir, jpath, err);
    if (rc == DCS_OK)
        rc = lock_copies(&f, id, deadline, err);
    bool removed = false;
    for (size_t i = 0; i < f.j.n && rc == DCS_OK && f.present; i++)
        rc = clean_new(f.j.e[i].dirfd, f.j.e[i].target, deadline, &removed, err);
    if (rc == DCS_OK && f.present)
        rc = finish(&f, err);
    dcsi_journal_free(&f.j);
    return rc;
}

dcs_status dcs_hive_recover(const char *path, struct dcs_error *err)
{
    char *real = realpath(path, NULL);
    if (!real) /* no hive there: nothing to finish */
        return errno == ENOMEM ? dcs_error_set(err, DCS_ERR_NOMEM, DCS_NO_OFFSET, "out of memory")
                               : DCS_OK;
    struct dcsi_pin pin;
    dcs_status rc = dcsi_dir_open_nofollow(AT_FDCWD, real, &pin, err);
    if (rc == DCS_OK)
        rc = dcsi_hive_recover_at(pin.dirfd, real, err);
    /* after the journal: what it named is gone with it (its absence is
     * checked again under the lock) */
    if (rc == DCS_OK)
        dcsi_hive_sweep(pin.dirfd, pin.name, real, NULL);
    dcsi_pin_free(&pin);
    free(real);
    return rc;
}

dcs_status dcsi_hive_recover_at(int dir, const char *p, struct dcs_error *err)
{
    size_t n = strlen(p);
    char *jpath = malloc(n + sizeof DCSI_JOURNAL_NEW_SUFFIX);
    if (!jpath)
        return dcs_error_set(err, DCS_ERR_NOMEM, DCS_NO_OFFSET, "out of memory");
    memcpy(jpath, p, n); // NOLINT(bugprone-not-null-terminated-result): terminated after the copy
    memcpy(jpath + n, DCSI_JOURNAL_SUFFIX, sizeof DCSI_JOURNAL_SUFFIX);
    uint64_t deadline = dcsi_now_ms() + dcs_lock_wait();
    dcs_status rc = DCS_OK;
    struct stat st;
    if (fstatat(dir, dcsi_basename(jpath), &st, AT_SYMLINK_NOFOLLOW) == 0) {
        rc = recover_from(dir, jpath, deadline, err);
    } else {
        /* no journal, perhaps the first copy's .new of a writer that died
         * before renaming it into place */
        bool removed = false;
        rc = clean_new(dir, p, deadline, &removed, err);
        if (rc == DCS_OK && removed)
            dcs_warn(DCS_OK,
                     "removed %s%s, the unfinished journal of a commit that was interrupted "
                     "before it changed anything",
                     p, DCSI_JOURNAL_NEW_SUFFIX);
    }
    free(jpath);
    return rc;
}
