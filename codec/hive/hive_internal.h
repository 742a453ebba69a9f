/* Internal to the hive room: the handle behind dcs_hive. */
#ifndef DCS_HIVE_INTERNAL_H
#define DCS_HIVE_INTERNAL_H

#include "dcs_config.h"
#include <dcs/hive.h>
#include <dcs/lock.h>

#include <stdint.h>

#include "core/contain.h"
#include "hive/regf.h"

/* ---- the journal of a multi-hive commit (journal.c, journal_recover.c,
 * journal_sweep.c) ----
 *
 * One copy of the journal lies beside each hive of the commit, named
 * HIVE.dcs-journal, so that opening any of them finds it.  Every copy lists
 * every hive (paths relative to the copy's directory), the token that names
 * its temporary file HIVE.dcs-TOKEN and kept old version HIVE.dcs-TOKEN.old,
 * the new version's device and inode, and the state "prepared": every
 * temporary is complete, fsync'd and checked, every old version kept, so
 * the commit may be finished by renaming.  (Journals of dcs before
 * 2026-12-03 could also say "preparing", written before any temporary
 * existed; they are still read, and recovery undoes such a commit.)
 * A copy is written as HIVE.dcs-journal.new, fsync'd and renamed into place;
 * the writer holds an flock on each copy (and on each .new) from creation to
 * removal, so a process that can lock them all knows the writer is gone.
 * Copies are created in hive order and removed in reverse order.
 *
 * The commit, with the lock of every hive held (hive_commit.c):
 *   1. each temporary written and fsync'd; each old version kept (a link);
 *   2. each journal copy written (file fsync'd, renamed into place);
 *   3. each directory fsync'd once: temporaries, kept links and copies
 *      become durable together, and no rename starts before all have;
 *   4. each temporary renamed over its hive; each directory fsync'd;
 *   5. every kept version removed, then every copy; each directory fsync'd.
 * What no journal names -- temporaries and kept versions of a commit that
 * died before step 2, or kept versions whose removal in step 5 was lost --
 * is removed by the next open of that hive that holds its lock
 * (dcsi_hive_sweep): they are HIVE.dcs-TOKEN and HIVE.dcs-TOKEN.old names
 * of a token's exact pattern (12 of [a-z0-9]), and nothing else is. */
#define DCSI_TOKEN_LEN 12
#define DCSI_JOURNAL_SUFFIX ".dcs-journal"
#define DCSI_JOURNAL_NEW_SUFFIX ".dcs-journal.new"
#define DCSI_JOURNAL_MAX_HIVES 64
/* the files another room makes durable with a commit (its companions,
 * dcsi_hive_commit_with), and the directories they need fsync'd */
#define DCSI_COMMIT_MAX_COMPANIONS 64
/* the files a journal write fsyncs beside its copies: the temporaries and
 * a commit's companions */
#define DCSI_JOURNAL_MAX_SYNC (DCSI_JOURNAL_MAX_HIVES + DCSI_COMMIT_MAX_COMPANIONS)
#define DCSI_JOURNAL_MAX_BYTES ((size_t)256 * 1024)

struct dcsi_jentry {
    char *target;   /* the hive file */
    char *tmp;      /* target.dcs-TOKEN: the new version until renamed */
    char *keep;     /* tmp.old: a link to (or copy of) the old version */
    char *journal;  /* target.dcs-journal */
    char *journal_new; /* target.dcs-journal.new: a copy until it is on disk */
    char *dir;      /* the directory of all four, for messages */
    int dirfd;      /* that directory, pinned: every operation goes through it
                       (names: dcsi_basename of the four), -1 until opened */
    char *rel;      /* a parsed copy's path of the target, as written */
    char token[DCSI_TOKEN_LEN + 1];
    uint64_t dev, ino; /* the new version's file once prepared, else 0 */
};

struct dcsi_journal {
    char id[33];
    bool prepared;
    size_t n;
    struct dcsi_jentry *e;
    int *fds;       /* flock held on each copy, -1 when none */
};

/* Entries for targets[0..n) (absolute paths, in the pinned directories
 * dirfds[0..n), which are duplicated) with fresh random tokens. */
dcs_status dcsi_journal_init(struct dcsi_journal *j, char *const *targets, const int *dirfds,
                             size_t n, struct dcs_error *err);
/* Write (or rewrite) every copy with the current state: each to its
 * journal_new name, then those and the caller's files sync[0..nsync) (at
 * most DCSI_JOURNAL_MAX_SYNC, names[] for messages) fsync'd together, then
 * each copy renamed into place; the directories are the caller's to fsync,
 * with dcsi_journal_sync_dirs.  Copies keep being locked by this process. */
dcs_status dcsi_journal_write(struct dcsi_journal *j, const int *sync, const char *const *names,
                              size_t nsync, struct dcs_error *err);
/* Remove every copy (reverse order), fsync the directories when sync (not
 * needed once every hive is new: a copy that comes back after a crash
 * finds them new and is finished), drop the locks. */
dcs_status dcsi_journal_remove(struct dcsi_journal *j, bool sync, struct dcs_error *err);
/* Drop the locks and free; the files stay. */
void dcsi_journal_free(struct dcsi_journal *j);
/* fsync each distinct directory of the entries; the error names it. */
dcs_status dcsi_journal_sync_dirs(const struct dcsi_journal *j, struct dcs_error *err);
/* The same, and more[0..nmore) (named more_shown[]) in the same batch. */
dcs_status dcsi_journal_sync_dirs_with(const struct dcsi_journal *j, const int *more,
                                       const char *const *more_shown, size_t nmore,
                                       struct dcs_error *err);
/* Read and check one copy (the whole text) found at path. */
dcs_status dcsi_journal_parse(const char *text, size_t len, const char *path,
                              struct dcsi_journal *out, struct dcs_error *err);
/* Read a copy through an open descriptor, at most DCSI_JOURNAL_MAX_BYTES. */
dcs_status dcsi_journal_read_fd(int fd, const char *path, struct dcsi_journal *out,
                                struct dcs_error *err);

/* The entry's hive is its new version (recorded device and inode). */
bool dcsi_journal_is_new(const struct dcsi_jentry *e);
/* Finish: rename every new version not yet in place, fsync, remove the
 * kept old versions.  Undo: rename every kept old version back over a new
 * one, remove temporaries and kept versions, fsync.  Both stop at the first
 * failure (the error names it); the journal copies are not touched. */
dcs_status dcsi_journal_forward(struct dcsi_journal *j, struct dcs_error *err);
dcs_status dcsi_journal_backward(struct dcsi_journal *j, struct dcs_error *err);
/* "A holds the new content (its previous content is in K); B holds its
 * previous content; ..." read from the file system; malloc'd, NULL when out
 * of memory. */
char *dcsi_journal_states(const struct dcsi_journal *j);

/* The inspected state behind the opaque dcs_hive_state (hive.h).  Its limits
 * are the library's, not the ABI: a sixth+1 log makes the hive dirty
 * ("more than ... logs"), a longer reason is cut. */
#define DCSI_HIVE_MAX_LOGS 6
#define DCSI_HIVE_NAME_MAX 256

struct dcsi_hive_log {
    char name[DCSI_HIVE_NAME_MAX]; /* file name as found in the directory */
    enum dcs_hive_log_state state;
    uint32_t type, seq;
    uint64_t size;
};

struct dcs_hive_state {
    struct dcs_hive_header header;
    uint64_t file_size;
    uint64_t dev, ino; /* the file judged (fstat of the descriptor read) */
    bool dirty;
    char reason[512]; /* why dirty, "" when clean */
    bool recovered;
    uint32_t recovered_entries;
    bool leftovers; /* a HIVE.dcs-TOKEN[.old] beside it: the open sweeps */
    size_t nlogs;
    struct dcsi_hive_log logs[DCSI_HIVE_MAX_LOGS];
};

/* dcs_hive_inspect into a caller's struct (hive_check.c). */
dcs_status dcsi_hive_inspect(const char *path, struct dcs_hive_state *out, struct dcs_error *err);
/* The same for the file name in the pinned directory dirfd (not followed
 * if a symbolic link; its logs looked for in dirfd); path names it in
 * messages. */
dcs_status dcsi_hive_inspect_at(int dirfd, const char *name, const char *path,
                                struct dcs_hive_state *out, struct dcs_error *err);
/* A hive file inspected and kept open for its load (dcsi_regf_load_fd):
 * fd (-1: not kept) is just past the got bytes of the base block in head. */
struct dcsi_hive_file {
    int fd;
    size_t got;
    uint8_t head[DCS_HIVE_BASE_BLOCK_SIZE];
};
/* dcsi_hive_inspect_at that, when it succeeds, leaves keep (NULL: none)
 * holding the descriptor it read, for the caller to load and close. */
dcs_status dcsi_hive_inspect_keep(int dirfd, const char *name, const char *path,
                                  struct dcs_hive_state *out, struct dcsi_hive_file *keep,
                                  struct dcs_error *err);

struct dcs_hive {
    struct dcsi_regf r;
    char *path;       /* absolute, for messages and the journal's text */
    struct dcsi_pin at; /* where the file is: every operation goes through it */
    unsigned flags;
    bool modified;
    struct dcs_lock *lock; /* held from a writable open to close */
    struct dcs_hive_state state;
    uint16_t *units;  /* a name being looked up, as given */
    uint16_t *up;     /* ... upper-cased */
    uint8_t *conv;    /* UTF-8 -> UTF-16LE conversion buffer */
};

/* DCS_HIVE_RECOVER (recover_file.c): replay h's logs into an unlinked
 * temporary file; *fd (-1 when nothing was recovered) is to be read as
 * "/proc/self/fd/N" and closed after.  A refusal is not an error: h's
 * reason says why and the primary is read as it is. */
dcs_status dcsi_hive_recover_open(struct dcs_hive *h, int *fd, struct dcs_error *err);
/* Take the lock of the hive file name in the pinned directory dirfd
 * (waiting dcs_lock_wait()) and finish or undo an interrupted commit of it,
 * taking the lock again when that replaced the file.  path names it in
 * messages.  On failure *lock may still hold the lock. */
dcs_status dcsi_hive_lock_and_recover(int dirfd, const char *name, const char *path,
                                      dcs_lock **lock, struct dcs_error *err);
/* dcs_hive_recover of the hive at path (absolute), whose last component
 * is its name in the pinned directory dirfd: the journal's names are
 * derived from path, every operation goes through dirfd.  No sweep (below):
 * an open sweeps after its inspection has listed the directory. */
dcs_status dcsi_hive_recover_at(int dirfd, const char *path, struct dcs_error *err);
/* Remove the temporaries and kept versions of the hive name (in the pinned
 * directory dirfd; path names it in messages) that no journal names, with
 * a warning listing them.  Only while the hive's current file is locked by
 * this call (lock NULL: taken without waiting, skipped when another holds
 * it) or by lock (skipped when no longer current), its journal is absent,
 * and no commit runs in this process: a live commit's files are never
 * touched.  A file that cannot be removed is a warning, not a failure. */
void dcsi_hive_sweep(int dirfd, const char *name, const char *path, dcs_lock *lock);
/* ent (a directory entry) is name[0..nlen) + ".dcs-" + a token (+ ".old"). */
bool dcsi_leftover_name(const char *ent, const char *name, size_t nlen);
/* True while dcs_hive_commit_all runs in this process (between creating
 * its first temporary and its last removal). */
bool dcsi_commit_running(void);

/* Files another room makes durable with a commit (the applier's backups),
 * so that its data and its names each cost the commit no wait of their
 * own: fds[0..nfds) (shown[] for messages, at most
 * DCSI_COMMIT_MAX_COMPANIONS) are fsync'd in the batch of the temporaries
 * and journal copies; then publish(ctx) gives them their names (it runs
 * once, only after that batch succeeded); then dirfds[0..ndirs) are
 * fsync'd in the batch of the hives' directories, before the first hive is
 * replaced.  A failure in any of these undoes the commit (no hive changed);
 * what publish renamed is the caller's to remove. */
struct dcsi_commit_companions {
    const int *fds;
    const char *const *shown;
    size_t nfds;
    dcs_status (*publish)(void *ctx, struct dcs_error *err);
    void *ctx;
    const int *dirfds;
    const char *const *dirshown;
    size_t ndirs;
};
/* dcs_hive_commit_all with companions (NULL: none). */
dcs_status dcsi_hive_commit_with(dcs_hive *const *hives, size_t n,
                                 const struct dcsi_commit_companions *with,
                                 struct dcs_error *err);
/* Where an open hive's file is (its directory fd and name, pinned at
 * open): the apply room's backups link, copy and remove through it, so no
 * path to the hive is resolved again after the open. */
const struct dcsi_pin *dcsi_hive_pin(const dcs_hive *h);
/* dcs_hive_open of a file already pinned (taken: released here, also on
 * failure); shown names it in the messages that name the path as given,
 * path is its absolute path (the one the pin walked; dcs_hive_path). */
dcs_status dcsi_hive_open_pinned(struct dcsi_pin *pin, const char *shown, const char *path,
                                 unsigned flags, dcs_hive **out, struct dcs_error *err);
struct dcs_recover_report;
/* DCS_HIVE_RECOVER's reading: dcs_recover_file of the name in dirfd. */
dcs_status dcsi_recover_file_at(int dirfd, const char *name, const char *path, uint8_t **out,
                                size_t *out_len, struct dcs_recover_report *report,
                                struct dcs_error *err);

/* err <- "... was opened read-only" unless h is writable. */
dcs_status dcsi_hive_need_write(dcs_hive *h, struct dcs_error *err);
/* name[0..len) (UTF-8) as UTF-16 units in h->units, upper-cased in h->up;
 * at most max units. */
dcs_status dcsi_hive_to_units(dcs_hive *h, const char *name, size_t len, size_t max, size_t *n,
                              struct dcs_error *err);
/* The key cell behind handle k (checked to be a key node). */
dcs_status dcsi_hive_key_cell(dcs_hive *h, dcs_hive_key k, uint32_t *off, struct dcs_error *err);

/* Room for the UTF-8 form of name in *buf (realloc'd as needed). */
bool dcsi_hive_name_room(char **buf, size_t *cap, const struct dcsi_regf_name *name);

/* Write the hive's bytes, with every pending edit, to the file name in
 * the pinned directory dirfd (which must exist and is truncated; path
 * names it in messages). */
dcs_status dcsi_hive_write_at(dcs_hive *h, int dirfd, const char *name, const char *path,
                              struct dcs_error *err);

#endif
