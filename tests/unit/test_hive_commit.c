/* Hive room: dcs_hive_commit_all when the file system misbehaves.  Real
 * inputs where they exist (a target deleted, replaced by a directory or
 * moved away while open); otherwise failing system calls from
 * tests/failsys.c and a wrapped dcsi_hive_write_at (the engine writing
 * the temporary file).  After every failure each target must be
 * byte-identical to before and no temporary, kept file or journal may be
 * left beside it, except when putting the hives back fails too: then the
 * error names each hive's state and the next open finishes the commit. */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include <dcs/dcs.h>
#include "failsys.h"
#include "hive/hive_internal.h"
#include "hive_testutil.h"
#include "journal_testutil.h"

#include <sys/file.h>
#include <sys/wait.h>
#include <unistd.h>

/* ---- the engine's writer, wrapped ------------------------------------------ */

enum lib_mode { LIB_REAL, LIB_SEQ_DIFFER, LIB_TRUNCATE };
static enum lib_mode lib_mode;

dcs_status __real_dcsi_hive_write_at(dcs_hive *h, int dirfd, const char *name, const char *path,
                                     struct dcs_error *err);
dcs_status __wrap_dcsi_hive_write_at(dcs_hive *h, int dirfd, const char *name, const char *path,
                                     struct dcs_error *err);

/* LIB_SEQ_DIFFER / LIB_TRUNCATE: the writer "succeeds" but leaves a file
 * whose base block is dirty / cut short. */
dcs_status __wrap_dcsi_hive_write_at(dcs_hive *h, int dirfd, const char *name, const char *path,
                                     struct dcs_error *err)
{
    dcs_status rc = __real_dcsi_hive_write_at(h, dirfd, name, path, err);
    if (rc != DCS_OK || lib_mode == LIB_REAL)
        return rc;
    size_t len;
    uint8_t *d = slurp(path, &len);
    assert_non_null(d);
    if (lib_mode == LIB_SEQ_DIFFER) {
        uint32_t seq1 = (uint32_t)d[4] | (uint32_t)d[5] << 8 | (uint32_t)d[6] << 16 |
                        (uint32_t)d[7] << 24;
        put32(d + 8, seq1 + 1); /* secondary != primary, checksum still right */
        put32(d + DCS_HIVE_CHECKSUM_OFFSET, dcs_hive_checksum(d));
    } else {
        len = 100;
    }
    assert_int_equal(spit(path, d, len), 0);
    free(d);
    return DCS_OK;
}

/* ---- fixtures ------------------------------------------------------------ */

struct scene {
    char dir[512];
    char path[2][1100]; /* targets hive0, hive1 */
    char orig[2][1100]; /* their original bytes, beside them */
    dcs_hive *h[2];
    size_t n;
};

/* n copies of hivex-minimal in a new directory, opened for writing and
 * each given one new value. */
static void scene_open(struct scene *s, size_t n)
{
    char src[1024];
    make_tmpdir(s->dir, sizeof s->dir);
    assert_true(s->dir[0] != '\0');
    fixture(src, sizeof src, "hivex-minimal");
    s->n = n;
    for (size_t i = 0; i < n; i++) {
        struct dcs_error err;
        snprintf(s->path[i], sizeof s->path[i], "%s/hive%zu", s->dir, i);
        snprintf(s->orig[i], sizeof s->orig[i], "%s/orig%zu", s->dir, i);
        assert_int_equal(copy_to(src, s->path[i]), 0);
        assert_int_equal(copy_to(src, s->orig[i]), 0);
        assert_int_equal(dcs_hive_open(s->path[i], DCS_HIVE_WRITE, &s->h[i], &err), DCS_OK);
        dcs_hive_key k;
        assert_int_equal(dcs_hive_ensure_key(s->h[i], 0, DCS_KEY_CONNECTIONS, &k, &err), DCS_OK);
        uint8_t v = (uint8_t)(0x40 + i);
        assert_int_equal(dcs_hive_set_value(s->h[i], k, "V", DCS_REG_BINARY, &v, 1, &err),
                         DCS_OK);
    }
}

static void scene_close(struct scene *s)
{
    failsys_reset();
    lib_mode = LIB_REAL;
    for (size_t i = 0; i < s->n; i++)
        dcs_hive_close(s->h[i]);
    rm_tree(s->dir);
}

/* Every target as before and nothing but targets and originals left. */
static void assert_untouched(const struct scene *s)
{
    for (size_t i = 0; i < s->n; i++)
        assert_true(files_equal(s->path[i], s->orig[i]));
    assert_int_equal(count_entries(s->dir), (int)(2 * s->n));
}

static void assert_has(const char *message, const char *part)
{
    if (!strstr(message, part))
        fail_msg("\"%s\" does not contain \"%s\"", message, part);
}

/* ---- arguments ----------------------------------------------------------- */

static void nothing_to_commit(void **state)
{
    (void)state;
    struct dcs_error err;
    assert_int_equal(dcs_hive_commit_all(NULL, 0, &err), DCS_OK);
    /* an unmodified hive is left alone, not even rewritten */
    struct scene s;
    char src[1024];
    make_tmpdir(s.dir, sizeof s.dir);
    fixture(src, sizeof src, "hivex-minimal");
    snprintf(s.path[0], sizeof s.path[0], "%s/hive0", s.dir);
    snprintf(s.orig[0], sizeof s.orig[0], "%s/orig0", s.dir);
    assert_int_equal(copy_to(src, s.path[0]), 0);
    assert_int_equal(copy_to(src, s.orig[0]), 0);
    s.n = 1;
    assert_int_equal(dcs_hive_open(s.path[0], DCS_HIVE_WRITE, &s.h[0], &err), DCS_OK);
    struct stat before, after;
    assert_int_equal(stat(s.path[0], &before), 0);
    assert_int_equal(dcs_hive_commit_all(s.h, 1, &err), DCS_OK);
    assert_int_equal(stat(s.path[0], &after), 0);
    assert_int_equal(before.st_ino, after.st_ino);
    assert_untouched(&s);
    scene_close(&s);
}

static void null_and_read_only_hives_refused(void **state)
{
    (void)state;
    struct scene s;
    scene_open(&s, 1);
    struct dcs_error err;
    dcs_hive *two[2] = {s.h[0], NULL};
    assert_int_equal(dcs_hive_commit_all(two, 2, &err), DCS_ERR_INVALID_ARG);
    assert_string_equal(err.message, "hive 2 is NULL");
    assert_int_equal(dcs_hive_open(s.orig[0], DCS_HIVE_READ, &two[1], &err), DCS_OK);
    assert_int_equal(dcs_hive_commit_all(two, 2, &err), DCS_ERR_INVALID_ARG);
    assert_has(err.message, s.orig[0]);
    assert_has(err.message, "was opened read-only");
    dcs_hive_close(two[1]);
    assert_untouched(&s);
    scene_close(&s);
}

/* ---- the target changed under the open handle ------------------------------ */

/* The handle holds the directory it opened the hive in, not its path: a
 * directory moved away (and another made at its old name) takes the
 * commit with it, and nothing is made or replaced at the old name. */
static void directory_moved_away(void **state)
{
    (void)state;
    struct scene s;
    scene_open(&s, 1);
    char moved[600], hive[700], orig[700];
    snprintf(moved, sizeof moved, "%s.moved", s.dir);
    snprintf(hive, sizeof hive, "%s/hive0", moved);
    snprintf(orig, sizeof orig, "%s/orig0", moved);
    assert_int_equal(rename(s.dir, moved), 0);
    assert_int_equal(mkdir(s.dir, 0755), 0);
    struct dcs_error err;
    assert_int_equal(dcs_hive_commit_all(s.h, 1, &err), DCS_OK);
    assert_int_equal(count_entries(s.dir), 0);
    assert_int_equal(count_entries(moved), 2); /* the hive and orig0: no leftovers */
    assert_false(files_equal(hive, orig));
    assert_int_equal(rmdir(s.dir), 0);
    assert_int_equal(rename(moved, s.dir), 0);
    scene_close(&s);
}

static void target_deleted(void **state)
{
    (void)state;
    struct scene s;
    scene_open(&s, 1);
    assert_int_equal(unlink(s.path[0]), 0);
    struct dcs_error err;
    assert_int_equal(dcs_hive_commit_all(s.h, 1, &err), DCS_ERR_IO);
    assert_has(err.message, "cannot keep a copy of");
    assert_has(err.message, s.path[0]);
    assert_has(err.message, strerror(ENOENT));
    assert_int_equal(count_entries(s.dir), 1); /* only orig0: no new file either */
    scene_close(&s);
}

static void target_replaced_by_directory(void **state)
{
    (void)state;
    struct scene s;
    scene_open(&s, 1);
    assert_int_equal(unlink(s.path[0]), 0);
    assert_int_equal(mkdir(s.path[0], 0755), 0);
    struct dcs_error err;
    /* a directory cannot be hard-linked, and is refused as a copy's source */
    assert_int_equal(dcs_hive_commit_all(s.h, 1, &err), DCS_ERR_IO);
    assert_has(err.message, "cannot keep a copy of");
    assert_has(err.message, "not a regular file");
    assert_int_equal(count_entries(s.path[0]), 0);
    assert_int_equal(count_entries(s.dir), 2);
    scene_close(&s);
}

/* ---- phase 1: the temporary file ----------------------------------------- */

static void owner_not_kept_mode_is(void **state)
{
    (void)state;
    struct scene s;
    scene_open(&s, 1);
    assert_int_equal(chmod(s.path[0], 0604), 0);
    failsys_fail("fchown", NULL, 1, EPERM);
    struct dcs_error err;
    assert_int_equal(dcs_hive_commit_all(s.h, 1, &err), DCS_OK);
    assert_int_equal(failsys_fired(), 1);
    struct stat st;
    assert_int_equal(stat(s.path[0], &st), 0);
    assert_int_equal(st.st_mode & 07777, 0604);
    assert_false(files_equal(s.path[0], s.orig[0]));
    assert_int_equal(count_entries(s.dir), 2);
    scene_close(&s);
}

/* The temporary file cannot be written (disk full): nothing changes. */
static void temp_file_cannot_be_written(void **state)
{
    (void)state;
    struct scene s;
    scene_open(&s, 2);
    failsys_fail("write", NULL, 1, ENOSPC); /* the first temporary: no journal yet */
    struct dcs_error err;
    assert_int_equal(dcs_hive_commit_all(s.h, 2, &err), DCS_ERR_IO);
    assert_int_equal(failsys_fired(), 1);
    assert_has(err.message, "cannot write the hive");
    assert_has(err.message, strerror(ENOSPC));
    assert_untouched(&s);
    /* the second hive's temporary file: the first is removed again */
    failsys_reset();
    failsys_fail("write", NULL, 2, ENOSPC);
    assert_int_equal(dcs_hive_commit_all(s.h, 2, &err), DCS_ERR_IO);
    assert_int_equal(failsys_fired(), 1);
    assert_untouched(&s);
    scene_close(&s);
}

static void writer_leaves_a_bad_hive(void **state)
{
    (void)state;
    struct scene s;
    scene_open(&s, 2);
    struct dcs_error err;
    lib_mode = LIB_SEQ_DIFFER;
    assert_int_equal(dcs_hive_commit_all(s.h, 2, &err), DCS_ERR_HIVE_CORRUPT);
    assert_has(err.message, "is not a good hive");
    assert_has(err.message, s.path[0]);
    assert_has(err.message, "sequence numbers differ");
    assert_untouched(&s);
    lib_mode = LIB_TRUNCATE;
    assert_int_equal(dcs_hive_commit_all(s.h, 2, &err), DCS_ERR_HIVE_CORRUPT);
    assert_has(err.message, "is not a good hive");
    assert_has(err.message, "file ends inside the 4096-byte base block");
    assert_untouched(&s);
    /* the handles are still good: a clean commit goes through */
    lib_mode = LIB_REAL;
    assert_int_equal(dcs_hive_commit_all(s.h, 2, &err), DCS_OK);
    assert_false(files_equal(s.path[1], s.orig[1]));
    scene_close(&s);
}

static void temp_file_cannot_be_synced(void **state)
{
    (void)state;
    struct scene s;
    scene_open(&s, 2);
    struct dcs_error err;
    char want[1400];
    /* the temporary file of hive0, fsync'd at once with hive1's and the
     * journal copies (dcsi_fsync_many) */
    failsys_fail("fsync", "/hive0.dcs-@", 1, EIO);
    assert_int_equal(dcs_hive_commit_all(s.h, 2, &err), DCS_ERR_IO);
    snprintf(want, sizeof want, "cannot fsync %s.dcs-@: Input/output error", s.path[0]);
    assert_token_match(err.message, want);
    assert_untouched(&s);
    /* the temporary file is fsync'd through the descriptor that created
     * it: there is no reopening by name to fail */
    scene_close(&s);
}

/* hive1's journal copy cannot be fsync'd: nothing was renamed, every
 * temporary, kept link and copy (still named .new) is gone. */
static void journal_copy_cannot_be_synced(void **state)
{
    (void)state;
    struct scene s;
    scene_open(&s, 2);
    struct dcs_error err;
    char want[1400];
    failsys_fail("fsync", "/hive1.dcs-journal.new", 1, EIO);
    assert_int_equal(dcs_hive_commit_all(s.h, 2, &err), DCS_ERR_IO);
    assert_int_equal(failsys_fired(), 1);
    snprintf(want, sizeof want,
             "cannot fsync the commit journal %s.dcs-journal.new: Input/output error",
             s.path[1]);
    assert_string_equal(err.message, want);
    assert_untouched(&s);
    scene_close(&s);
}

/* ---- companions: another room's files made durable with the commit -------- */

/* One companion: DIR/extra.tmp (written, open), which publish renames to
 * DIR/extra, and DIR itself to fsync.  publish records what it saw. */
struct companion {
    const struct scene *s;
    int fd, dirfd;
    char tmp[1200], name[1200];
    const char *shown[1], *dirshown[1];
    int published;
    bool journal_there, hives_old; /* as publish found them */
    dcs_status fail; /* what publish returns */
    struct dcsi_commit_companions with;
};

static dcs_status publish_one(void *ctx, struct dcs_error *err)
{
    struct companion *c = ctx;
    c->published++;
    char j[1200];
    snprintf(j, sizeof j, "%s.dcs-journal", c->s->path[0]);
    c->journal_there = access(j, F_OK) == 0;
    c->hives_old = true;
    for (size_t i = 0; i < c->s->n; i++)
        c->hives_old = c->hives_old && files_equal(c->s->path[i], c->s->orig[i]);
    if (c->fail != DCS_OK)
        return dcs_error_set(err, c->fail, DCS_NO_OFFSET, "publish refused");
    assert_int_equal(rename(c->tmp, c->name), 0);
    return DCS_OK;
}

static void companion_open(struct companion *c, const struct scene *s)
{
    memset(c, 0, sizeof *c);
    c->s = s;
    snprintf(c->tmp, sizeof c->tmp, "%s/extra.tmp", s->dir);
    snprintf(c->name, sizeof c->name, "%s/extra", s->dir);
    c->fd = open(c->tmp, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    assert_true(c->fd >= 0);
    assert_int_equal(write(c->fd, "backup", 6), 6);
    c->dirfd = open(s->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    assert_true(c->dirfd >= 0);
    c->shown[0] = c->tmp;
    c->dirshown[0] = s->dir;
    c->with = (struct dcsi_commit_companions){&c->fd, c->shown, 1, publish_one, c,
                                               &c->dirfd, c->dirshown, 1};
}

static void companion_close(struct companion *c)
{
    close(c->fd);
    close(c->dirfd);
    (void)unlink(c->tmp);
    (void)unlink(c->name);
}

/* The companion is fsync'd in the temporaries' batch and published once,
 * after the journal is in place and before any hive is replaced; its
 * directory is fsync'd with the hives' (the one wait before the renames). */
static void companions_published_before_renames(void **state)
{
    (void)state;
    struct scene s;
    scene_open(&s, 2);
    struct companion c;
    companion_open(&c, &s);
    struct dcs_error err;
    failsys_count("fsync", "/extra.tmp"); /* counted, not failed */
    assert_int_equal(dcsi_hive_commit_with(s.h, 2, &c.with, &err), DCS_OK);
    assert_int_equal(failsys_fired(), 1);
    assert_int_equal(c.published, 1);
    assert_true(c.journal_there);
    assert_true(c.hives_old);
    assert_int_equal(access(c.name, F_OK), 0);
    for (size_t i = 0; i < 2; i++)
        assert_false(files_equal(s.path[i], s.orig[i]));
    companion_close(&c);
    scene_close(&s);
}

/* A companion that cannot be synced, a publish that fails, a companion's
 * directory that cannot be synced: the commit fails, naming it, and no
 * hive changed. */
static void companion_failures_change_nothing(void **state)
{
    (void)state;
    for (int k = 0; k < 3; k++) {
        struct scene s;
        scene_open(&s, 2);
        struct companion c;
        companion_open(&c, &s);
        struct dcs_error err;
        char want[1400];
        dcs_status rc;
        if (k == 0) {
            failsys_fail("fsync", "/extra.tmp", 1, EIO);
            snprintf(want, sizeof want, "cannot fsync %s: Input/output error", c.tmp);
            rc = DCS_ERR_IO;
        } else if (k == 1) {
            c.fail = DCS_ERR_LIMIT;
            snprintf(want, sizeof want, "publish refused");
            rc = DCS_ERR_LIMIT;
        } else {
            /* the scene's directory, in the batch after the journal's
             * copies: the 1st fsync of it is that batch's */
            failsys_fail("fsync", strrchr(s.dir, '/'), 1, EIO);
            snprintf(want, sizeof want, "fsync of directory %s failed: Input/output error", s.dir);
            rc = DCS_ERR_IO;
        }
        assert_int_equal(dcsi_hive_commit_with(s.h, 2, &c.with, &err), rc);
        assert_int_equal(failsys_fired(), k == 1 ? 0 : 1);
        assert_string_equal(err.message, want);
        assert_int_equal(c.published, k == 0 ? 0 : 1);
        for (size_t i = 0; i < 2; i++)
            assert_true(files_equal(s.path[i], s.orig[i]));
        companion_close(&c);
        assert_untouched(&s);
        scene_close(&s);
    }
}

/* Every edit left its hive as it was (nothing to commit): the companions
 * are still fsync'd and published. */
static void companions_without_a_change(void **state)
{
    (void)state;
    struct scene s;
    scene_open(&s, 1);
    dcs_hive_close(s.h[0]);
    struct dcs_error err;
    assert_int_equal(dcs_hive_open(s.path[0], DCS_HIVE_WRITE, &s.h[0], &err), DCS_OK);
    struct companion c;
    companion_open(&c, &s);
    failsys_count("fsync", "/extra.tmp");
    assert_int_equal(dcsi_hive_commit_with(s.h, 1, &c.with, &err), DCS_OK);
    assert_int_equal(failsys_fired(), 1);
    assert_int_equal(c.published, 1);
    assert_int_equal(access(c.name, F_OK), 0);
    companion_close(&c);
    assert_untouched(&s);
    scene_close(&s);
}

/* ---- phase 2: keeping the old target -------------------------------------- */

static void kept_name_taken(void **state)
{
    (void)state;
    struct scene s;
    scene_open(&s, 2);
    failsys_fail("link", NULL, 2, EEXIST);
    struct dcs_error err;
    assert_int_equal(dcs_hive_commit_all(s.h, 2, &err), DCS_ERR_IO);
    assert_has(err.message, ".old already exists");
    assert_untouched(&s);
    scene_close(&s);
}

/* Without hard links the old target is copied; short writes and EINTR do
 * not spoil the copy, which then restores hive0 when hive1 cannot be
 * replaced, mode included. */
static void copy_when_links_fail(void **state)
{
    (void)state;
    struct scene s;
    scene_open(&s, 2);
    assert_int_equal(chmod(s.path[0], 0604), 0);
    failsys_fail("link", NULL, 1, EXDEV);
    failsys_fail("link", NULL, 2, EPERM);
    failsys_fail("read", "/hive0", 1, EINTR);
    failsys_short("write", ".old", 1, 3);
    failsys_fail("write", ".old", 2, EINTR);
    failsys_fail("rename", "/hive1", 1, EBUSY);
    struct dcs_error err;
    assert_int_equal(dcs_hive_commit_all(s.h, 2, &err), DCS_ERR_IO);
    assert_int_equal(failsys_fired(), 6);
    char want[1400];
    snprintf(want, sizeof want, "cannot replace %s: Device or resource busy", s.path[1]);
    assert_string_equal(err.message, want);
    assert_untouched(&s);
    struct stat st;
    assert_int_equal(stat(s.path[0], &st), 0);
    assert_int_equal(st.st_mode & 07777, 0604);
    /* and when everything else works, the copies are cleaned up */
    failsys_reset();
    failsys_fail("link", NULL, 1, EXDEV);
    failsys_fail("link", NULL, 2, EXDEV);
    assert_int_equal(dcs_hive_commit_all(s.h, 2, &err), DCS_OK);
    assert_int_equal(failsys_fired(), 2);
    assert_false(files_equal(s.path[0], s.orig[0]));
    assert_false(files_equal(s.path[1], s.orig[1]));
    assert_int_equal(count_entries(s.dir), 4);
    scene_close(&s);
}

/* Each step of the copy failing: the commit stops, nothing changes. */
static void copy_fails(const char *call, const char *suffix, size_t nth, int e)
{
    struct scene s;
    scene_open(&s, 1);
    failsys_fail("link", NULL, 1, EXDEV);
    failsys_fail(call, suffix, nth, e);
    struct dcs_error err;
    assert_int_equal(dcs_hive_commit_all(s.h, 1, &err), DCS_ERR_IO);
    assert_int_equal(failsys_fired(), 2);
    /* what failed, in fileio's words, after the commit's own */
    char want[1400];
    snprintf(want, sizeof want, "cannot keep a copy of %s: ", s.path[0]);
    assert_memory_equal(err.message, want, strlen(want));
    snprintf(want, sizeof want, ": %s", strerror(e));
    size_t ml = strlen(err.message), wl = strlen(want);
    assert_true(ml > wl);
    assert_string_equal(err.message + ml - wl, want);
    assert_untouched(&s);
    scene_close(&s);
}

static void copy_cannot_open_old(void **state)
{
    (void)state;
    copy_fails("open", "/hive0", 1, EACCES);
}

static void copy_cannot_create(void **state)
{
    (void)state;
    copy_fails("open", ".old", 1, EROFS);
}

static void copy_read_fails(void **state)
{
    (void)state;
    copy_fails("read", "/hive0", 1, EIO);
}

static void copy_write_fails(void **state)
{
    (void)state;
    copy_fails("write", ".old", 1, ENOSPC);
}

static void copy_sync_fails(void **state)
{
    (void)state;
    copy_fails("fsync", ".old", 1, EIO);
}

/* ---- phase 2: replacing --------------------------------------------------- */

/* Warnings from the library (the recovery's report), kept for asserting. */
static char warned[DCS_ERROR_MESSAGE_MAX];
static int nwarned;
static void keep_warning(void *ctx, const struct dcs_error *w)
{
    (void)ctx;
    snprintf(warned, sizeof warned, "%s", w->message);
    nwarned++;
}

/* hive0 replaced, hive1 cannot be, and hive0 cannot be put back: the error
 * names each hive's state and where the other version is; every file is
 * kept, and the next open of either hive finishes the commit. */
static void restore_fails(struct dcs_error *err)
{
    struct scene s;
    scene_open(&s, 2);
    failsys_fail("rename", "/hive1", 1, EIO);
    failsys_fail("rename", ".old", 1, ENOENT);
    assert_int_equal(dcs_hive_commit_all(s.h, 2, err), DCS_ERR_HIVE_ROLLBACK);
    assert_int_equal(failsys_fired(), 2);
    assert_false(files_equal(s.path[0], s.orig[0]));
    assert_true(files_equal(s.path[1], s.orig[1]));
    char kept[1200], tmp1[1200], keep1[1200];
    assert_true(find_one(s.dir, "hive0.dcs-", ".old", kept, sizeof kept));
    assert_true(files_equal(kept, s.orig[0]));
    assert_true(find_one(s.dir, "hive1.dcs-", ".old", keep1, sizeof keep1));
    snprintf(tmp1, sizeof tmp1, "%.*s", (int)(strlen(keep1) - 4), keep1);
    /* hive0 hive1 orig0 orig1, hive0's old version, hive1's new one and its
     * link, two journal copies */
    assert_int_equal(count_entries(s.dir), 9);
    if (err) {
        static char want[DCS_ERROR_MESSAGE_MAX];
        snprintf(want, sizeof want,
                 "cannot replace %s: Input/output error; putting the previous versions back "
                 "failed too (cannot rename %s to %s: No such file or directory), so the hives "
                 "now differ: %s holds the new content (its previous content is in %s); %s "
                 "holds its previous content (the new one is in %s); the journal beside each "
                 "is kept: the next dcs command that opens one of them finishes or undoes the "
                 "commit",
                 s.path[1], kept, s.path[0], s.path[0], kept, s.path[1], tmp1);
        assert_string_equal(err->message, want);
    }
    /* the next open of hive1 finishes it: both new, nothing left over */
    for (size_t i = 0; i < s.n; i++)
        dcs_hive_close(s.h[i]);
    s.n = 0;
    failsys_reset();
    nwarned = 0;
    dcs_set_warning_handler(keep_warning, NULL);
    struct dcs_error oerr;
    dcs_hive *h;
    assert_int_equal(dcs_hive_open(s.path[1], DCS_HIVE_READ, &h, &oerr), DCS_OK);
    dcs_hive_close(h);
    dcs_set_warning_handler(NULL, NULL);
    assert_int_equal(nwarned, 1);
    char want[3000];
    snprintf(want, sizeof want,
             "finished a commit that was interrupted: %s and %s all hold the new content",
             s.path[0], s.path[1]);
    assert_string_equal(warned, want);
    assert_false(files_equal(s.path[0], s.orig[0]));
    assert_false(files_equal(s.path[1], s.orig[1]));
    assert_int_equal(count_entries(s.dir), 4);
    scene_close(&s);
}

static void restore_fails_error_says_where(void **state)
{
    (void)state;
    struct dcs_error err;
    restore_fails(&err);
}

static void restore_fails_without_error_struct(void **state)
{
    (void)state;
    restore_fails(NULL);
}

/* The directories cannot be fsync'd after the renames: the targets are put
 * back, and the error says which directory. */
static void sync_after_renames_fails(void **state)
{
    (void)state;
    struct scene s;
    scene_open(&s, 2);
    /* directory fsyncs: once after the temporaries, kept links and
     * journal copies, then after the renames */
    char dirname_only[600];
    snprintf(dirname_only, sizeof dirname_only, "%s", s.dir);
    failsys_fail("fsync", strrchr(dirname_only, '/'), 2, EIO);
    struct dcs_error err;
    assert_int_equal(dcs_hive_commit_all(s.h, 2, &err), DCS_ERR_IO);
    char want[1400];
    snprintf(want, sizeof want, "fsync of directory %s failed: Input/output error", s.dir);
    assert_string_equal(err.message, want);
    assert_untouched(&s);
    scene_close(&s);
}

/* Whether another process can lock path at once (flock, as dcs does). */
static bool others_can_lock(const char *path)
{
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        int fd = open(path, O_RDONLY);
        _exit(fd >= 0 && flock(fd, LOCK_EX | LOCK_NB) == 0 ? 0 : 1);
    }
    int status = 0;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

/* A handle committed keeps its hive locked: the lock moves to the new file
 * (it was left on the replaced one, so another process could lock the
 * hive between two commits of one handle). */
static void lock_follows_the_commit(void **state)
{
    (void)state;
    struct scene s;
    scene_open(&s, 2);
    struct dcs_error err;
    assert_false(others_can_lock(s.path[0]));
    assert_int_equal(dcs_hive_commit_all(s.h, 2, &err), DCS_OK);
    assert_false(others_can_lock(s.path[0]));
    assert_false(others_can_lock(s.path[1]));
    /* a second commit through the same handles, and a third open of the
     * same file in this process shares the lock */
    dcs_hive_key k;
    uint8_t v = 0x55;
    assert_int_equal(dcs_hive_ensure_key(s.h[0], 0, DCS_KEY_CONNECTIONS, &k, &err), DCS_OK);
    assert_int_equal(dcs_hive_set_value(s.h[0], k, "W", DCS_REG_BINARY, &v, 1, &err), DCS_OK);
    assert_int_equal(dcs_hive_commit_all(s.h, 1, &err), DCS_OK);
    assert_false(others_can_lock(s.path[0]));
    dcs_hive *again;
    assert_int_equal(dcs_hive_open(s.path[0], DCS_HIVE_WRITE, &again, &err), DCS_OK);
    dcs_hive_close(again);
    assert_false(others_can_lock(s.path[0]));
    dcs_hive_close(s.h[0]);
    s.h[0] = NULL;
    assert_true(others_can_lock(s.path[0]));
    assert_false(others_can_lock(s.path[1]));
    scene_close(&s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(nothing_to_commit),
        cmocka_unit_test(null_and_read_only_hives_refused),
        cmocka_unit_test(directory_moved_away),
        cmocka_unit_test(target_deleted),
        cmocka_unit_test(target_replaced_by_directory),
        cmocka_unit_test(owner_not_kept_mode_is),
        cmocka_unit_test(temp_file_cannot_be_written),
        cmocka_unit_test(writer_leaves_a_bad_hive),
        cmocka_unit_test(temp_file_cannot_be_synced),
        cmocka_unit_test(journal_copy_cannot_be_synced),
        cmocka_unit_test(companions_published_before_renames),
        cmocka_unit_test(companion_failures_change_nothing),
        cmocka_unit_test(companions_without_a_change),
        cmocka_unit_test(lock_follows_the_commit),
        cmocka_unit_test(kept_name_taken),
        cmocka_unit_test(copy_when_links_fail),
        cmocka_unit_test(copy_cannot_open_old),
        cmocka_unit_test(copy_cannot_create),
        cmocka_unit_test(copy_read_fails),
        cmocka_unit_test(copy_write_fails),
        cmocka_unit_test(copy_sync_fails),
        cmocka_unit_test(restore_fails_error_says_where),
        cmocka_unit_test(restore_fails_without_error_struct),
        cmocka_unit_test(sync_after_renames_fails),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
