/* Removing what an interrupted commit left beside a hive that no journal
 * names (dcsi_hive_sweep, contract in hive/hive_internal.h).
 *
 * A commit writes its temporaries HIVE.dcs-TOKEN and kept links
 * HIVE.dcs-TOKEN.old before any journal copy (hive_commit.c), so a commit
 * that dies before its copies are written leaves them with nothing naming
 * them; and its last step removes the kept versions and the copies with one
 * fsync after, so a crash there can leave kept versions without a copy.
 * Neither is part of a hive's content: the hive is its old file in the
 * first case, its new one in the second.
 *
 * Whose files they are is what makes removing them safe.  A commit holds
 * the lock of every hive it commits from before its first temporary until
 * it returns, and the file it locked stays the hive's file until the
 * commit's own rename; after that rename the hive's journal names the kept
 * version until it is removed (kept versions go before any copy, the copy
 * beside the first hive last).  So when this call holds the lock of the
 * hive's current file and then finds no journal beside it, no other process
 * is between its first temporary and its last removal for this hive, and
 * every such name is a leftover.  Within this process, a commit running
 * through another handle may share the lock: dcsi_commit_running() says so,
 * and the sweep waits for a later open.  Only regular files whose name is
 * the hive's name, ".dcs-", a token's exact 12 characters of [a-z0-9] and
 * nothing or ".old" are removed; never anything else. */
#include "hive/hive_internal.h"
#include "core/fileio.h"
#include "core/lock_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* At most this many names in the warning; the rest are counted. */
#define SWEEP_LISTED 8

bool dcsi_leftover_name(const char *ent, const char *name, size_t nlen)
{
    if (strncmp(ent, name, nlen) != 0 || strncmp(ent + nlen, ".dcs-", 5) != 0)
        return false;
    const char *t = ent + nlen + 5;
    for (size_t k = 0; k < DCSI_TOKEN_LEN; k++) /* stops at the NUL of a shorter name */
        if (!((t[k] >= 'a' && t[k] <= 'z') || (t[k] >= '0' && t[k] <= '9')))
            return false;
    return t[DCSI_TOKEN_LEN] == '\0' || strcmp(t + DCSI_TOKEN_LEN, ".old") == 0;
}

struct swept {
    char *name[SWEEP_LISTED];
    size_t n, more;
    char failed[DCS_ERROR_MESSAGE_MAX]; /* the first removal that failed */
};

struct sweep_walk {
    const char *name;
    size_t nlen, found;
    struct swept *s; /* NULL: only count */
};

/* One entry of the hive's directory: counted, and removed when asked to,
 * when it is one of the hive's leftovers. */
static int sweep_one(void *ctx, int dir, const char *ent)
{
    struct sweep_walk *w = ctx;
    struct stat st;
    if (!dcsi_leftover_name(ent, w->name, w->nlen) ||
        fstatat(dir, ent, &st, AT_SYMLINK_NOFOLLOW) != 0 || !S_ISREG(st.st_mode))
        return 0;
    w->found++;
    struct swept *s = w->s;
    if (!s)
        return 0;
    if (unlinkat(dir, ent, 0) != 0) {
        if (errno != ENOENT && !s->failed[0])
            snprintf(s->failed, sizeof s->failed, "cannot remove %s: %s", ent,
                     strerror(errno));
        return 0;
    }
    char *copy = s->n < SWEEP_LISTED ? strdup(ent) : NULL;
    if (copy)
        s->name[s->n++] = copy;
    else
        s->more++;
    return 0;
}

/* Walk dir's entries for the hive's leftovers: count them (s NULL), or
 * remove them and record what was removed in s.  An unreadable directory
 * has none this can do anything about. */
static size_t walk(int dir, const char *name, struct swept *s)
{
    struct sweep_walk w = {name, strlen(name), 0, s};
    (void)dcsi_list_at(dir, ".", sweep_one, &w);
    return w.found;
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* "removed DIR/A, DIR/B and DIR/C, ..." as a warning. */
static void report(const struct swept *s, const char *path)
{
    char *dir = dcsi_dirname(path);
    char list[DCS_ERROR_MESSAGE_MAX] = "";
    size_t used = 0, total = s->n + s->more;
    for (size_t i = 0; i < s->n && used < sizeof list; i++) {
        const char *sep = i == 0 ? "" : i + 1 == total ? " and " : ", ";
        int w = snprintf(list + used, sizeof list - used, "%s%s/%s", sep, dir ? dir : ".",
                         s->name[i]);
        used += w > 0 ? (size_t)w : 0;
    }
    if (s->more && used < sizeof list)
        snprintf(list + used, sizeof list - used, " and %zu more", s->more);
    dcs_warn(DCS_OK,
             "removed %s, left by a commit that was interrupted (no journal names them; "
             "the hive holds a whole version)",
             list);
    free(dir);
}

void dcsi_hive_sweep(int dir, const char *name, const char *path, dcs_lock *lock)
{
    /* with no lock taken: anything to sweep (an open has seen there is) */
    if (dcsi_commit_running() || walk(dir, name, NULL) == 0)
        return;
    int lfd = -1;
    if (lock ? !dcs_lock_current(lock)
             : (lfd = dcsi_lock_openat(dir, name, 0, dcsi_now_ms())) < 0)
        return; /* another holds the hive (or has replaced it): a later open sweeps */
    size_t n = strlen(name);
    char *journal = malloc(n + sizeof DCSI_JOURNAL_SUFFIX);
    struct stat st;
    if (journal) {
        memcpy(journal, name, n);
        memcpy(journal + n, DCSI_JOURNAL_SUFFIX, sizeof DCSI_JOURNAL_SUFFIX);
    }
    /* a journal (or one that cannot be looked at) names these files: they
     * are its recovery's, and a later open's */
    if (journal && fstatat(dir, journal, &st, AT_SYMLINK_NOFOLLOW) != 0 && errno == ENOENT) {
        struct swept s = {.n = 0};
        walk(dir, name, &s);
        qsort(s.name, s.n, sizeof s.name[0], by_name);
        if (s.n + s.more)
            report(&s, path);
        if (s.failed[0])
            dcs_warn(DCS_ERR_IO,
                     "%s: %s (a file left by a commit that was interrupted; the next dcs "
                     "command that opens the hive and can remove it does)",
                     path, s.failed);
        for (size_t i = 0; i < s.n; i++)
            free(s.name[i]);
    }
    free(journal);
    if (lfd >= 0)
        close(lfd);
}
