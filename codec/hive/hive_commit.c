/* All-or-nothing commit of several hives (contract in hive.h). */
#include "hive/hive_internal.h"
#include "core/fileio.h"
#include "core/lock_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

/* Phase 1 for one hive: its bytes go to e->tmp, a name the journal already
 * lists, which is read back and checked; *fd stays open for the journal to
 * fsync with its copies (dcsi_journal_write), and holds an exclusive flock
 * from the start: once renamed over the hive it is the hive's lock
 * (dcsi_lock_adopt), taken before any other process can reach the file by
 * name.  Every step is an *at call in the hive's pinned directory, never a
 * path resolved again. */
static dcs_status write_temp(struct dcsi_jentry *e, dcs_hive *hive, int *fd, bool *made,
                             struct dcs_error *err)
{
    const char *path = hive->path, *tmp = dcsi_basename(e->tmp);
    *fd = openat(e->dirfd, tmp, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (*fd < 0)
        return dcs_error_set(err, DCS_ERR_IO, DCS_NO_OFFSET,
                             "cannot create a temporary file beside %s: %s", path,
                             strerror(errno));
    *made = true;
    if (flock(*fd, LOCK_EX | LOCK_NB) != 0) /* a file nobody else has opened */
        return dcs_error_set(err, DCS_ERR_IO, DCS_NO_OFFSET, "cannot lock %s: %s", e->tmp,
                             strerror(errno));
    struct stat st;
    if (fstatat(e->dirfd, dcsi_basename(e->target), &st, AT_SYMLINK_NOFOLLOW) == 0) {
        (void)fchmod(*fd, st.st_mode & 07777);
        if (fchown(*fd, st.st_uid, st.st_gid) != 0)
            errno = 0; /* not owner: keep ours, the mode still matches */
    }
    dcs_status wrc = dcsi_hive_write_at(hive, e->dirfd, tmp, e->tmp, err);
    /* the descriptor made above is the file written, whatever the name
     * names by now: stat'd (and later fsync'd) through it */
    if (wrc == DCS_OK && fstat(*fd, &st) != 0)
        wrc = dcs_error_set(err, DCS_ERR_IO, DCS_NO_OFFSET, "cannot stat %s: %s", e->tmp,
                            strerror(errno));
    if (wrc != DCS_OK)
        return wrc;
    struct dcs_hive_state check;
    struct dcs_error cerr;
    dcs_status rc = dcsi_hive_inspect_at(e->dirfd, tmp, e->tmp, &check, &cerr);
    if (rc == DCS_ERR_NOMEM)
        return dcs_error_set(err, rc, DCS_NO_OFFSET, "out of memory");
    if (rc != DCS_OK || check.header.seq1 != check.header.seq2)
        return dcs_error_set(err, DCS_ERR_HIVE_CORRUPT, DCS_NO_OFFSET,
                             "the new version of %s is not a good hive: %s", path,
                             rc != DCS_OK ? cerr.message : "sequence numbers differ");
    e->dev = (uint64_t)st.st_dev;
    e->ino = (uint64_t)st.st_ino;
    return DCS_OK;
}

/* Phase 2a: keep the current target under a second name. */
static dcs_status keep_old(struct dcsi_jentry *e, bool *made, struct dcs_error *err)
{
    const char *target = dcsi_basename(e->target), *keep = dcsi_basename(e->keep);
    if (linkat(e->dirfd, target, e->dirfd, keep, 0) == 0) {
        *made = true;
        return DCS_OK;
    }
    if (errno == EEXIST)
        return dcs_error_set(err, DCS_ERR_IO, DCS_NO_OFFSET, "%s already exists", e->keep);
    /* no hard links here: a copy (the journal names it; the directory is
     * fsync'd with the others) */
    struct dcs_error cerr;
    if (dcsi_copy_file_at(e->dirfd, target, e->target, e->dirfd, keep, e->keep,
                          DCSI_COPY_IN_PLACE, &cerr) != DCS_OK)
        return dcs_error_set(err, cerr.code == DCS_ERR_NOMEM ? DCS_ERR_NOMEM : DCS_ERR_IO,
                             DCS_NO_OFFSET, "cannot keep a copy of %s: %s", e->target,
                             cerr.message);
    *made = true;
    return DCS_OK;
}

/* True when a and b name one file: the same path, or a hard link (paths are
 * realpath'd at open, so symbolic links compare as paths; the files are
 * looked at where each handle pinned them). */
static bool same_file(const dcs_hive *a, const dcs_hive *b)
{
    struct stat sa, sb;
    return strcmp(a->path, b->path) == 0 ||
           (fstatat(a->at.dirfd, a->at.name, &sa, AT_SYMLINK_NOFOLLOW) == 0 &&
            fstatat(b->at.dirfd, b->at.name, &sb, AT_SYMLINK_NOFOLLOW) == 0 &&
            sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino);
}

static dcs_status check_args(dcs_hive *const *hives, size_t n, struct dcs_error *err)
{
    for (size_t i = 0; i < n; i++) {
        if (!hives[i])
            return dcs_error_set(err, DCS_ERR_INVALID_ARG, DCS_NO_OFFSET, "hive %zu is NULL",
                                 i + 1);
        if (!(hives[i]->flags & DCS_HIVE_WRITE))
            return dcs_error_set(err, DCS_ERR_INVALID_ARG, DCS_NO_OFFSET,
                                 "%s was opened read-only", hives[i]->path);
        for (size_t j = 0; j < i; j++)
            if (same_file(hives[i], hives[j]))
                return dcs_error_set(err, DCS_ERR_INVALID_ARG, DCS_NO_OFFSET,
                                     "%s given twice in one commit%s%s", hives[i]->path,
                                     strcmp(hives[i]->path, hives[j]->path) ? " as " : "",
                                     strcmp(hives[i]->path, hives[j]->path) ? hives[j]->path
                                                                            : "");
    }
    if (n > DCSI_JOURNAL_MAX_HIVES)
        return dcs_error_set(err, DCS_ERR_LIMIT, DCS_NO_OFFSET,
                             "%zu hives in one commit; at most %u", n, DCSI_JOURNAL_MAX_HIVES);
    return DCS_OK;
}

/* The absolute path of every modified hive (the journal records paths
 * relative to each other); *m of them. */
static char **modified_targets(dcs_hive *const *hives, size_t n, dcs_hive **mod, size_t *m)
{
    char **t = calloc(n ? n : 1, sizeof *t);
    char cwd[4096];
    bool have_cwd = false;
    *m = 0;
    for (size_t i = 0; t && i < n; i++) {
        if (!hives[i]->modified)
            continue;
        const char *p = hives[i]->path;
        if (p[0] != '/' && !have_cwd)
            have_cwd = getcwd(cwd, sizeof cwd) != NULL;
        size_t need = strlen(p) + (p[0] == '/' ? 1 : strlen(cwd) + 2);
        char *s = p[0] == '/' || have_cwd ? malloc(need) : NULL;
        if (!s) {
            for (size_t k = 0; k < *m; k++)
                free(t[k]);
            free(t);
            return NULL;
        }
        snprintf(s, need, "%s%s%s", p[0] == '/' ? "" : cwd, p[0] == '/' ? "" : "/", p);
        mod[*m] = hives[i];
        t[(*m)++] = s;
    }
    return t;
}

struct commit {
    struct dcsi_journal j;
    const struct dcsi_commit_companions *with; /* NULL: none */
    dcs_hive **mod;
    bool *made; /* per entry: tmp, keep created (2 flags each) */
    int tmpfd[DCSI_JOURNAL_MAX_HIVES]; /* the temporaries, open until on disk */
};

/* Undo phases 1 and 2a (no target replaced yet): remove what was made and
 * the journal.  The temporaries go, and their directories are fsync'd,
 * before any copy: a journal that survives a crash then finds no new
 * version to rename, so it can never finish a commit that reported failure.
 * A leftover that cannot be removed keeps the journal (or, with none
 * written, is left to the sweep), so the next open removes it; *err keeps
 * the original failure, with a note. */
static void undo_prepare(struct commit *c, struct dcs_error *err)
{
    bool left = false, made = false;
    for (size_t i = 0; i < c->j.n; i++)
        made = made || c->made[2 * i] || c->made[2 * i + 1] || c->j.fds[i] >= 0;
    if (!made)
        return; /* the first temporary could not be created: nothing to undo */
    char why[DCS_ERROR_MESSAGE_MAX] = "";
    for (size_t i = 0; i < c->j.n; i++) {
        const char *names[2] = {c->j.e[i].tmp, c->j.e[i].keep};
        for (int k = 0; k < 2; k++)
            if (c->made[2 * i + k] && unlinkat(c->j.e[i].dirfd, dcsi_basename(names[k]), 0) != 0 &&
                errno != ENOENT && !left) {
                left = true;
                snprintf(why, sizeof why, "cannot remove %s: %s", names[k], strerror(errno));
            }
    }
    struct dcs_error rerr;
    if (!left && dcsi_journal_sync_dirs(&c->j, &rerr) == DCS_OK &&
        dcsi_journal_remove(&c->j, true, &rerr) == DCS_OK)
        return;
    if (!left)
        snprintf(why, sizeof why, "%s", rerr.message);
    if (err) {
        size_t used = strlen(err->message);
        snprintf(err->message + used, sizeof err->message - used,
                 "; the leftovers of the commit could not all be removed (%s): the next dcs "
                 "command that opens one of these hives removes them",
                 why);
    }
}

/* A target was replaced and a later step failed: put every target back.
 * When that fails too, the hives are left as they are, the journal stays
 * for the next open to finish or undo, and the error says where each hive
 * stands. */
static dcs_status roll_back(struct commit *c, dcs_status rc, struct dcs_error *err)
{
    struct dcs_error berr;
    dcs_error_clear(&berr);
    dcs_status b = dcsi_journal_backward(&c->j, &berr);
    if (b == DCS_OK) {
        if (dcsi_journal_remove(&c->j, true, &berr) != DCS_OK)
            dcs_warn(berr.code, "%s (every hive keeps its previous content; the next dcs "
                                "command that opens one of them removes the journal)",
                     berr.message);
        return rc; /* every hive keeps its previous content */
    }
    char *states = dcsi_journal_states(&c->j);
    if (err) {
        char *first = strdup(err->message);
        dcs_error_set(err, DCS_ERR_HIVE_ROLLBACK, DCS_NO_OFFSET,
                      "%s; putting the previous versions back failed too (%s), so the hives "
                      "now differ: %s; the journal beside each is kept: the next dcs command "
                      "that opens one of them finishes or undoes the commit",
                      first ? first : "", berr.message, states ? states : "(out of memory)");
        free(first);
    }
    free(states);
    return DCS_ERR_HIVE_ROLLBACK;
}

/* Phase 2b: replace each target; then the kept versions go. */
static dcs_status replace_all(struct commit *c, struct dcs_error *err)
{
    dcs_status rc = DCS_OK;
    for (size_t i = 0; i < c->j.n && rc == DCS_OK; i++) {
        struct dcsi_jentry *e = &c->j.e[i];
        if (renameat(e->dirfd, dcsi_basename(e->tmp), e->dirfd, dcsi_basename(e->target)) != 0)
            rc = dcs_error_set(err, DCS_ERR_IO, DCS_NO_OFFSET, "cannot replace %s: %s",
                               e->target, strerror(errno));
        else
            c->made[2 * i] = false;
    }
    if (rc == DCS_OK)
        rc = dcsi_journal_sync_dirs(&c->j, err);
    if (rc != DCS_OK)
        return roll_back(c, rc, err);
    /* committed: what is left is tidying, and a failure there leaves the
     * journal for the next open to finish.  Every kept version goes before
     * any copy, and no directory is fsync'd after: a crash that loses some
     * of these removals leaves either kept versions no journal names (the
     * sweep removes them) or copies beside hives that are all new, which
     * recovery finishes whichever copies are left (a copy missing with
     * every hive new is this tidying, never the writing: renames start
     * only once every copy is on disk).  The next commit of a hive makes
     * these removals durable with its own directory fsync, before its
     * copies can be found. */
    struct dcs_error cerr;
    dcs_status tidy = DCS_OK;
    for (size_t i = 0; i < c->j.n && tidy == DCS_OK; i++) {
        struct dcsi_jentry *e = &c->j.e[i];
        if (unlinkat(e->dirfd, dcsi_basename(e->keep), 0) != 0 && errno != ENOENT)
            tidy = dcs_error_set(&cerr, DCS_ERR_IO, DCS_NO_OFFSET, "cannot remove %s: %s",
                                 e->keep, strerror(errno));
    }
    if (tidy != DCS_OK || dcsi_journal_remove(&c->j, false, &cerr) != DCS_OK)
        dcs_warn(cerr.code,
                 "every hive was replaced, but tidying up failed: %s; the next dcs command "
                 "that opens one of them finishes it",
                 cerr.message);
    return DCS_OK;
}

/* Phases 1 and 2a, then the journal: temporaries written, old versions
 * kept, every copy written "prepared" (recording each temporary's device
 * and inode), the temporaries and copies fsync'd together before any copy
 * takes its name, and only then each directory fsync'd, once.
 *
 * No "preparing" journal comes first (it cost a copy and a directory fsync
 * per hive): until the copies exist, the temporaries and kept links are
 * files no journal names, and the next open of the hive that holds its lock
 * removes them (dcsi_hive_sweep).  Nobody else can meanwhile: this process
 * holds the lock of every hive, and their files are still the ones locked
 * (nothing is renamed yet).  One fsync per directory then covers the
 * temporaries' names, the kept links and the copies: after it returns, a
 * copy found by recovery lists files that are all on disk; before it, a
 * crash can leave copies whose temporary (or kept link) did not survive,
 * but then no rename had started, so no hive is its recorded new inode and
 * recovery undoes the commit: forward needs every hive new or its
 * temporary present (journal_recover.c). */
static dcs_status prepare(struct commit *c, struct dcs_error *err)
{
    dcs_status rc = DCS_OK;
    const struct dcsi_commit_companions *w = c->with;
    int sync[DCSI_JOURNAL_MAX_SYNC] = {0};
    const char *names[DCSI_JOURNAL_MAX_SYNC] = {NULL};
    size_t nsync = 0;
    for (size_t i = 0; i < c->j.n && rc == DCS_OK; i++) {
        rc = write_temp(&c->j.e[i], c->mod[i], &c->tmpfd[i], &c->made[2 * i], err);
        sync[nsync] = c->tmpfd[i];
        names[nsync++] = c->j.e[i].tmp;
    }
    /* the companions' data in the same batch: one wait for all */
    for (size_t k = 0; w && k < w->nfds; k++) {
        sync[nsync] = w->fds[k];
        names[nsync++] = w->shown[k];
    }
    for (size_t i = 0; i < c->j.n && rc == DCS_OK; i++)
        rc = keep_old(&c->j.e[i], &c->made[2 * i + 1], err);
    if (rc == DCS_OK) {
        c->j.prepared = true;
        rc = dcsi_journal_write(&c->j, sync, names, nsync, err);
    }
    if (rc == DCS_OK && w && w->publish)
        rc = w->publish(w->ctx, err);
    if (rc == DCS_OK)
        rc = dcsi_journal_sync_dirs_with(&c->j, w ? w->dirfds : NULL, w ? w->dirshown : NULL,
                                         w ? w->ndirs : 0, err);
    return rc;
}

/* No hive changed after all (every edit left its hive as it was): the
 * companions are still made durable, as the commit would have. */
static dcs_status companions_alone(const struct dcsi_commit_companions *w, struct dcs_error *err)
{
    size_t bad;
    int e = dcsi_fsync_many(w->fds, w->nfds, false, &bad);
    if (e)
        return dcs_error_set(err, DCS_ERR_IO, DCS_NO_OFFSET, "cannot fsync %s: %s", w->shown[bad],
                             strerror(e));
    dcs_status rc = w->publish ? w->publish(w->ctx, err) : DCS_OK;
    return rc != DCS_OK ? rc : dcsi_fsync_dirs(w->dirfds, w->dirshown, w->ndirs, err);
}

/* Commits running in this process: a sweep (journal_sweep.c) leaves the
 * hives alone meanwhile, as another handle of this process may share the
 * lock of the hive it would sweep. */
static _Atomic int running;

bool dcsi_commit_running(void)
{
    return running > 0;
}

dcs_status dcs_hive_commit_all(dcs_hive *const *hives, size_t n, struct dcs_error *err)
{
    return dcsi_hive_commit_with(hives, n, NULL, err);
}

dcs_status dcsi_hive_commit_with(dcs_hive *const *hives, size_t n,
                                 const struct dcsi_commit_companions *with,
                                 struct dcs_error *err)
{
    dcs_status rc = check_args(hives, n, err);
    if (rc == DCS_OK && with &&
        (with->nfds > DCSI_COMMIT_MAX_COMPANIONS || with->ndirs > DCSI_COMMIT_MAX_COMPANIONS))
        rc = dcs_error_set(err, DCS_ERR_LIMIT, DCS_NO_OFFSET,
                           "more than %d files to make durable with one commit",
                           DCSI_COMMIT_MAX_COMPANIONS);
    if (rc != DCS_OK)
        return rc;
    struct commit c = {.with = with};
    for (size_t i = 0; i < DCSI_JOURNAL_MAX_HIVES; i++)
        c.tmpfd[i] = -1;
    size_t m = 0;
    c.mod = calloc(n ? n : 1, sizeof *c.mod); // NOLINT(bugprone-sizeof-expression): an array of handles
    char **targets = c.mod ? modified_targets(hives, n, c.mod, &m) : NULL;
    c.made = calloc(2 * (m ? m : 1), sizeof *c.made);
    if (!targets || !c.made) {
        rc = dcs_error_set(err, DCS_ERR_NOMEM, DCS_NO_OFFSET, "out of memory");
    } else if (m) {
        int dirfds[DCSI_JOURNAL_MAX_HIVES];
        for (size_t i = 0; i < m; i++)
            dirfds[i] = c.mod[i]->at.dirfd;
        rc = dcsi_journal_init(&c.j, targets, dirfds, m, err);
        if (rc == DCS_OK) {
            running++;
            rc = prepare(&c, err);
            if (rc != DCS_OK)
                undo_prepare(&c, err);
            else
                rc = replace_all(&c, err);
            /* committed: each hive's lock moves to its new file */
            for (size_t i = 0; rc == DCS_OK && i < m; i++) {
                dcsi_lock_adopt(c.mod[i]->lock, c.tmpfd[i]);
                c.tmpfd[i] = -1;
            }
            dcsi_journal_free(&c.j);
            running--;
        }
    } else if (with) {
        rc = companions_alone(with, err);
    }
    for (size_t i = 0; i < DCSI_JOURNAL_MAX_HIVES; i++)
        if (c.tmpfd[i] >= 0)
            close(c.tmpfd[i]);
    for (size_t i = 0; rc == DCS_OK && i < m; i++)
        c.mod[i]->modified = false;
    for (size_t i = 0; targets && i < m; i++)
        free(targets[i]);
    free(targets);
    free(c.mod);
    free(c.made);
    return rc;
}
