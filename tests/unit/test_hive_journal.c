/* Hive room: the journal of a multi-hive commit and the locks.
 *  - every system call of a three-hive commit failing in turn (link-time
 *    wrapped, tests/failsys.c) leaves all hives old or all new once the
 *    next open has run, and nothing beside them;
 *  - dcs_hive_recover on journals as a dead writer leaves them (preparing,
 *    prepared), on journals it must not act on, and on a journal whose
 *    writer is still alive (locked);
 *  - dcs_lock_*: shared within a process, bounded wait on another one, the
 *    holder's pid named. */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include <dcs/dcs.h>
#include "failsys.h"
#include "hive_testutil.h"
#include "journal_testutil.h"

static char warned[DCS_ERROR_MESSAGE_MAX];
static int nwarned;
static void keep_warning(void *ctx, const struct dcs_error *w)
{
    (void)ctx;
    snprintf(warned, sizeof warned, "%s", w->message);
    nwarned++;
}

/* dcs_hive_recover(path) succeeds; how many warnings it gave (the last one
 * in warned). */
static int recover_warnings(const char *path)
{
    nwarned = 0;
    dcs_set_warning_handler(keep_warning, NULL);
    struct dcs_error err;
    assert_int_equal(dcs_hive_recover(path, &err), DCS_OK);
    dcs_set_warning_handler(NULL, NULL);
    return nwarned;
}

struct scene {
    char dir[512];
    char path[3][1100], orig[3][1100];
    dcs_hive *h[3];
    size_t n;
};

static void scene_files(struct scene *s, size_t n)
{
    static const char *const names[] = {"hivex-minimal", "ez-NTUSER1.DAT", "yarp-EmptyHive"};
    char src[1024];
    make_tmpdir(s->dir, sizeof s->dir);
    assert_true(s->dir[0] != '\0');
    s->n = n;
    for (size_t i = 0; i < n; i++) {
        fixture(src, sizeof src, names[i]);
        snprintf(s->path[i], sizeof s->path[i], "%s/hive%zu", s->dir, i);
        snprintf(s->orig[i], sizeof s->orig[i], "%s/orig%zu", s->dir, i);
        assert_int_equal(copy_to(src, s->path[i]), 0);
        assert_int_equal(copy_to(src, s->orig[i]), 0);
        s->h[i] = NULL;
    }
}

/* n hives opened for writing, each given one new value. */
static void scene_open(struct scene *s, size_t n)
{
    scene_files(s, n);
    for (size_t i = 0; i < n; i++) {
        struct dcs_error err;
        assert_int_equal(dcs_hive_open(s->path[i], DCS_HIVE_WRITE, &s->h[i], &err), DCS_OK);
        dcs_hive_key k;
        assert_int_equal(dcs_hive_ensure_key(s->h[i], 0, "Software\\Test", &k, &err), DCS_OK);
        uint8_t v = (uint8_t)(0x40 + i);
        assert_int_equal(dcs_hive_set_value(s->h[i], k, "V", DCS_REG_BINARY, &v, 1, &err),
                         DCS_OK);
    }
}

static void scene_close(struct scene *s)
{
    failsys_reset();
    for (size_t i = 0; i < s->n; i++)
        dcs_hive_close(s->h[i]);
    rm_tree(s->dir);
}

/* 1 when every hive is new, 0 when every hive is old; fails otherwise. */
static int all_same(const struct scene *s)
{
    size_t old = 0;
    for (size_t i = 0; i < s->n; i++)
        old += files_equal(s->path[i], s->orig[i]);
    if (old != 0 && old != s->n)
        fail_msg("%zu of %zu hives old", old, s->n);
    return old == 0;
}

/* ---- every call failing in turn -------------------------------------------- */

static void fail_each(const char *call)
{
    dcs_set_warning_handler(keep_warning, NULL);
    for (size_t nth = 1;; nth++) {
        struct scene s;
        scene_open(&s, 3);
        failsys_fail(call, NULL, nth, EIO);
        struct dcs_error err;
        dcs_status rc = dcs_hive_commit_all(s.h, 3, &err);
        size_t fired = failsys_fired();
        failsys_reset();
        if (rc != DCS_OK && rc != DCS_ERR_HIVE_ROLLBACK && rc != DCS_ERR_IO &&
            rc != DCS_ERR_HIVE_LIB && rc != DCS_ERR_HIVE_CORRUPT)
            fail_msg("%s #%zu: status %d: %s", call, nth, rc, err.message);
        int state = all_same(&s);
        if (rc == DCS_OK)
            assert_int_equal(state, 1);
        else if (rc != DCS_ERR_HIVE_ROLLBACK)
            assert_int_equal(state, 0);
        /* the next open settles whatever is left */
        for (size_t i = 0; i < s.n; i++) {
            dcs_hive_close(s.h[i]);
            s.h[i] = NULL;
        }
        dcs_hive *h;
        assert_int_equal(dcs_hive_open(s.path[0], DCS_HIVE_READ, &h, &err), DCS_OK);
        dcs_hive_close(h);
        (void)all_same(&s);
        if (count_entries(s.dir) != 6)
            fail_msg("%s #%zu (status %d) left files behind", call, nth, rc);
        scene_close(&s);
        if (!fired) {
            assert_int_equal(rc, DCS_OK);
            break;
        }
    }
    dcs_set_warning_handler(NULL, NULL);
}

static void each_rename_fails(void **state)
{
    (void)state;
    fail_each("rename");
}

static void each_fsync_fails(void **state)
{
    (void)state;
    fail_each("fsync");
}

static void each_unlink_fails(void **state)
{
    (void)state;
    fail_each("unlink");
}

static void each_link_fails(void **state)
{
    (void)state;
    fail_each("link");
}

static void each_open_fails(void **state)
{
    (void)state;
    fail_each("open");
}

static void each_write_fails(void **state)
{
    (void)state;
    fail_each("write");
}

/* ---- recovery of journals left behind ------------------------------------- */

static void write_text(const char *path, const char *text)
{
    assert_int_equal(spit(path, text, strlen(text)), 0);
}

static void no_journal_nothing_done(void **state)
{
    (void)state;
    struct scene s;
    scene_files(&s, 1);
    nwarned = 0;
    dcs_set_warning_handler(keep_warning, NULL);
    struct dcs_error err;
    assert_int_equal(dcs_hive_recover(s.path[0], &err), DCS_OK);
    assert_int_equal(nwarned, 0);
    dcs_set_warning_handler(NULL, NULL);
    scene_close(&s);
}

/* A writer that died after writing the journal ("preparing") and part of a
 * temporary file: undone, the hive as it was. */
static void preparing_is_undone(void **state)
{
    (void)state;
    struct scene s;
    scene_files(&s, 2);
    char name[1200], want[3000];
    snprintf(name, sizeof name, "%s.dcs-journal", s.path[0]);
    write_text(name, "dcs-journal 1\nid 000102030405060708090a0b0c0d0e0f\nstate preparing\n"
                     "hives 2\nhive abcdefabcdef 0 0 hive0\nhive 0123456789ab 0 0 hive1\nend\n");
    snprintf(name, sizeof name, "%s.dcs-abcdefabcdef", s.path[0]);
    write_text(name, "regf, cut short");
    nwarned = 0;
    dcs_set_warning_handler(keep_warning, NULL);
    struct dcs_error err;
    /* found through either hive, here the second (its copy is missing) */
    assert_int_equal(dcs_hive_recover(s.path[0], &err), DCS_OK);
    dcs_set_warning_handler(NULL, NULL);
    assert_int_equal(nwarned, 1);
    snprintf(want, sizeof want,
             "undid a commit that was interrupted: %s and %s all hold their previous content",
             s.path[0], s.path[1]);
    assert_string_equal(warned, want);
    assert_int_equal(all_same(&s), 0);
    assert_int_equal(count_entries(s.dir), 4);
    scene_close(&s);
}

/* The journal of two hives "prepared", each hive's file its new version:
 * the text of one copy, with dev/ino read from the files. */
static void prepared_text(const struct scene *s, char *out, size_t size)
{
    struct stat a, b;
    assert_int_equal(stat(s->path[0], &a), 0);
    assert_int_equal(stat(s->path[1], &b), 0);
    snprintf(out, size,
             "dcs-journal 1\nid 000102030405060708090a0b0c0d0e0f\nstate prepared\nhives 2\n"
             "hive abcdefabcdef %llu %llu hive0\nhive 0123456789ab %llu %llu hive1\nend\n",
             (unsigned long long)a.st_dev, (unsigned long long)a.st_ino,
             (unsigned long long)b.st_dev, (unsigned long long)b.st_ino);
}

/* A writer that died while removing the copies (the second, removed first,
 * is gone) before its removals of the kept versions reached the disk: every
 * hive is new, so the commit is finished, though the kept versions would
 * allow undoing it (a copy goes missing while writing them only before any
 * rename). */
static void removing_copies_is_finished(void **state)
{
    (void)state;
    struct scene s;
    scene_files(&s, 2);
    char name[1200], text[1000], want[3000];
    prepared_text(&s, text, sizeof text);
    snprintf(name, sizeof name, "%s.dcs-journal", s.path[0]);
    write_text(name, text);
    snprintf(name, sizeof name, "%s.dcs-abcdefabcdef.old", s.path[0]);
    write_text(name, "the previous hive0");
    snprintf(name, sizeof name, "%s.dcs-0123456789ab.old", s.path[1]);
    write_text(name, "the previous hive1");
    assert_int_equal(recover_warnings(s.path[0]), 1);
    snprintf(want, sizeof want,
             "finished a commit that was interrupted: %s and %s all hold the new content",
             s.path[0], s.path[1]);
    assert_string_equal(warned, want);
    assert_true(files_equal(s.path[0], s.orig[0]) && files_equal(s.path[1], s.orig[1]));
    assert_int_equal(count_entries(s.dir), 4);
    scene_close(&s);
}

/* Every copy "prepared" but a hive neither new nor with its temporary: the
 * writer died before its one fsync of the directories returned (a crash
 * kept the copy's name, lost the temporary's), so nothing was renamed:
 * undone. */
static void prepared_without_temp_is_undone(void **state)
{
    (void)state;
    struct scene s;
    scene_files(&s, 2);
    char name[1200], text[1000], want[3000];
    prepared_text(&s, text, sizeof text);
    char *ino = strstr(text, " hive0\n"); /* hive0's recorded inode: not its file */
    assert_non_null(ino);
    ino[-1] = ino[-1] == '1' ? '2' : '1';
    for (size_t i = 0; i < 2; i++) {
        snprintf(name, sizeof name, "%s.dcs-journal", s.path[i]);
        write_text(name, text);
    }
    snprintf(name, sizeof name, "%s.dcs-abcdefabcdef.old", s.path[0]);
    assert_int_equal(link(s.path[0], name), 0);
    snprintf(name, sizeof name, "%s.dcs-0123456789ab", s.path[1]);
    write_text(name, "hive1's new version");
    snprintf(name, sizeof name, "%s.dcs-0123456789ab.old", s.path[1]);
    assert_int_equal(link(s.path[1], name), 0);
    assert_int_equal(recover_warnings(s.path[1]), 1);
    snprintf(want, sizeof want,
             "undid a commit that was interrupted: %s and %s all hold their previous content",
             s.path[0], s.path[1]);
    assert_string_equal(warned, want);
    assert_int_equal(all_same(&s), 0);
    assert_int_equal(count_entries(s.dir), 4);
    scene_close(&s);
}

/* Temporaries and kept versions no journal names: removed by the next
 * open, not while the hive is locked (here by this process, as a commit
 * holds it), and only names of the exact pattern. */
static void unnamed_leftovers_swept(void **state)
{
    (void)state;
    struct scene s;
    scene_files(&s, 1);
    char tmp[1200], keep[1200], near[1200], want[3000];
    snprintf(tmp, sizeof tmp, "%s.dcs-abcdefabcdef", s.path[0]);
    snprintf(keep, sizeof keep, "%s.dcs-abcdefabcdef.old", s.path[0]);
    snprintf(near, sizeof near, "%s.dcs-abcdefabcdeF", s.path[0]);
    write_text(tmp, "new");
    write_text(keep, "old");
    write_text(near, "not ours");
    dcs_lock *l;
    struct dcs_error err;
    assert_int_equal(dcs_lock_acquire(s.path[0], 0, &l, &err), DCS_OK);
    nwarned = 0;
    dcs_set_warning_handler(keep_warning, NULL);
    assert_int_equal(dcs_hive_recover(s.path[0], &err), DCS_OK);
    assert_int_equal(nwarned, 0);
    assert_int_equal(count_entries(s.dir), 5);
    dcs_lock_release(l);
    assert_int_equal(dcs_hive_recover(s.path[0], &err), DCS_OK);
    dcs_set_warning_handler(NULL, NULL);
    assert_int_equal(nwarned, 1);
    snprintf(want, sizeof want,
             "removed %s and %s, left by a commit that was interrupted (no journal names them; "
             "the hive holds a whole version)",
             tmp, keep);
    assert_string_equal(warned, want);
    assert_int_equal(count_entries(s.dir), 3);
    assert_true(files_equal(s.path[0], s.orig[0]));
    /* a writer's open sweeps under the lock it holds; a reader's open does
     * not while this process holds the hive (a commit would) */
    write_text(tmp, "new");
    assert_int_equal(dcs_lock_acquire(s.path[0], 0, &l, &err), DCS_OK);
    dcs_hive *h;
    assert_int_equal(dcs_hive_open(s.path[0], DCS_HIVE_READ, &h, &err), DCS_OK);
    dcs_hive_close(h);
    assert_int_equal(count_entries(s.dir), 4);
    nwarned = 0;
    dcs_set_warning_handler(keep_warning, NULL);
    assert_int_equal(dcs_hive_open(s.path[0], DCS_HIVE_WRITE, &h, &err), DCS_OK);
    dcs_set_warning_handler(NULL, NULL);
    dcs_hive_close(h);
    dcs_lock_release(l);
    assert_int_equal(nwarned, 1);
    assert_int_equal(count_entries(s.dir), 3);
    scene_close(&s);
}

/* What dcs must not act on: nothing is touched, the error says why. */
static void refuse(const char *text, const char *why)
{
    struct scene s;
    scene_files(&s, 1);
    char name[1200], tmp[1200], want[3000];
    snprintf(name, sizeof name, "%s.dcs-journal", s.path[0]);
    snprintf(tmp, sizeof tmp, "%s.dcs-abcdefabcdef", s.path[0]);
    write_text(name, text);
    write_text(tmp, "new");
    struct dcs_error err;
    dcs_hive *h;
    assert_int_equal(dcs_hive_open(s.path[0], DCS_HIVE_READ, &h, &err), DCS_ERR_HIVE_JOURNAL);
    assert_null(h);
    snprintf(want, sizeof want,
             "%s is not a commit journal dcs can act on (%s); nothing was changed", name, why);
    assert_string_equal(err.message, want);
    assert_int_equal(count_entries(s.dir), 4);
    scene_close(&s);
}

static void bad_journals_refused(void **state)
{
    (void)state;
    refuse("hello\n", "no dcs-journal 1 header");
    refuse("dcs-journal 1\nid 00\nstate prepared\nhives 1\n", "a malformed id");
    refuse("dcs-journal 1\nid 000102030405060708090a0b0c0d0e0f\nstate done\nhives 1\n",
           "an unknown state");
    refuse("dcs-journal 1\nid 000102030405060708090a0b0c0d0e0f\nstate prepared\nhives 65\n",
           "a malformed hive count");
    refuse("dcs-journal 1\nid 000102030405060708090a0b0c0d0e0f\nstate prepared\nhives 1\n"
           "hive ABCDEFABCDEF 0 0 hive0\nend\n",
           "a malformed hive line");
    refuse("dcs-journal 1\nid 000102030405060708090a0b0c0d0e0f\nstate prepared\nhives 1\n"
           "hive abcdefabcdef 0 0 /etc/passwd\nend\n",
           "a malformed hive path");
    refuse("dcs-journal 1\nid 000102030405060708090a0b0c0d0e0f\nstate prepared\nhives 1\n"
           "hive abcdefabcdef 0 0 hive%00\nend\n",
           "a malformed hive path");
    refuse("dcs-journal 1\nid 000102030405060708090a0b0c0d0e0f\nstate prepared\nhives 2\n"
           "hive abcdefabcdef 0 0 hive0\nend\n",
           "a malformed hive line");
    refuse("dcs-journal 1\nid 000102030405060708090a0b0c0d0e0f\nstate prepared\nhives 1\n"
           "hive abcdefabcdef 0 0 hive0\n",
           "no end line");
    /* a journal beside hive0 that does not list hive0 */
    struct scene s;
    scene_files(&s, 1);
    char name[1200], want[3000];
    snprintf(name, sizeof name, "%s.dcs-journal", s.path[0]);
    write_text(name, "dcs-journal 1\nid 000102030405060708090a0b0c0d0e0f\nstate prepared\n"
                     "hives 1\nhive abcdefabcdef 0 0 orig0\nend\n");
    struct dcs_error err;
    assert_int_equal(dcs_hive_recover(s.path[0], &err), DCS_ERR_HIVE_JOURNAL);
    snprintf(want, sizeof want,
             "%s is not a commit journal dcs can act on (it does not list the hive beside "
             "it); nothing was changed",
             name);
    assert_string_equal(err.message, want);
    scene_close(&s);
}

/* A journal that lists a hive through a symbolic link (a directory
 * swapped for a link since it was written, or a hostile image): nothing is
 * done through the link (the temporary file it leads to stays), nothing
 * beside the hive either, and the error says which path. */
static void journal_through_a_link_refused(void **state)
{
    (void)state;
    struct scene s;
    scene_files(&s, 1);
    char out[600], link[600], name[1200], planted[1200], tmp[1200], want[3000];
    snprintf(out, sizeof out, "%s/out", s.dir);
    snprintf(link, sizeof link, "%s/sub", s.dir);
    assert_int_equal(mkdir(out, 0755), 0);
    assert_int_equal(symlink(out, link), 0);
    snprintf(planted, sizeof planted, "%s/x.dcs-0123456789ab", out);
    write_text(planted, "not dcs's to remove");
    snprintf(name, sizeof name, "%s.dcs-journal", s.path[0]);
    write_text(name, "dcs-journal 1\nid 000102030405060708090a0b0c0d0e0f\nstate preparing\n"
                     "hives 2\nhive abcdefabcdef 0 0 hive0\nhive 0123456789ab 0 0 sub/x\nend\n");
    snprintf(tmp, sizeof tmp, "%s.dcs-abcdefabcdef", s.path[0]);
    write_text(tmp, "regf, cut short");
    struct dcs_error err;
    assert_int_equal(dcs_hive_recover(s.path[0], &err), DCS_ERR_APPLY_OUTSIDE);
    snprintf(want, sizeof want,
             "the commit journal %s lists %s/sub/x: sub/x: the symbolic link sub is not "
             "followed (the path changed after it was resolved); nothing was changed",
             name, s.dir);
    assert_string_equal(err.message, want);
    assert_int_equal(count_entries(out), 1);
    assert_int_equal(count_entries(s.dir), 6); /* hive0, orig0, out, sub, journal, tmp */
    scene_close(&s);
}

/* A journal whose writer still holds its lock is left alone for the wait,
 * then reported; once the lock is gone the commit is finished. */
static void live_writer_waited_for(void **state)
{
    (void)state;
    struct scene s;
    scene_open(&s, 2);
    failsys_fail("rename", "/hive1", 1, EIO);
    failsys_fail("rename", ".old", 1, ENOENT);
    struct dcs_error err;
    assert_int_equal(dcs_hive_commit_all(s.h, 2, &err), DCS_ERR_HIVE_ROLLBACK);
    failsys_reset();
    char name[1200], want[3000];
    snprintf(name, sizeof name, "%s.dcs-journal", s.path[0]);
    int fd = open(name, O_RDONLY);
    assert_true(fd >= 0);
    assert_int_equal(flock(fd, LOCK_EX), 0);
    dcs_lock_set_wait(100);
    assert_int_equal(dcs_hive_recover(s.path[1], &err), DCS_ERR_HIVE_LOCKED);
    snprintf(want, sizeof want,
             "another dcs process is committing %s (its journal %s is locked) and had not "
             "finished after 0.100 s",
             s.path[0], name);
    assert_string_equal(err.message, want);
    close(fd);
    nwarned = 0;
    dcs_set_warning_handler(keep_warning, NULL);
    assert_int_equal(dcs_hive_recover(s.path[1], &err), DCS_OK);
    dcs_set_warning_handler(NULL, NULL);
    dcs_lock_set_wait(DCS_LOCK_WAIT_DEFAULT_MS);
    assert_int_equal(nwarned, 1);
    assert_int_equal(all_same(&s), 1);
    assert_int_equal(count_entries(s.dir), 4);
    scene_close(&s);
}

/* ---- locks ----------------------------------------------------------------- */

/* A child process that holds an flock on path until told to go. */
struct holder {
    pid_t pid;
    int go;
};

static void hold(struct holder *hd, const char *path)
{
    int ready[2], go[2];
    assert_int_equal(pipe(ready), 0);
    assert_int_equal(pipe(go), 0);
    hd->pid = fork();
    assert_true(hd->pid >= 0);
    if (hd->pid == 0) {
        close(go[1]);
        close(ready[0]);
        int fd = open(path, O_RDONLY);
        char c = fd >= 0 && flock(fd, LOCK_EX) == 0 ? 'y' : 'n';
        if (write(ready[1], &c, 1) != 1 || read(go[0], &c, 1) < 0)
            _exit(1);
        _exit(0);
    }
    close(ready[1]);
    close(go[0]);
    char c = 0;
    assert_int_equal(read(ready[0], &c, 1), 1);
    assert_int_equal(c, 'y');
    close(ready[0]);
    hd->go = go[1];
}

static void release_holder(struct holder *hd)
{
    close(hd->go);
    int status;
    assert_int_equal(waitpid(hd->pid, &status, 0), hd->pid);
}

static void lock_waits_then_names_holder(void **state)
{
    (void)state;
    struct scene s;
    scene_files(&s, 1);
    struct holder hd;
    hold(&hd, s.path[0]);
    dcs_lock *l;
    struct dcs_error err;
    char want[2000];
    snprintf(want, sizeof want,
             "%s is locked by another process (pid %ld) and was still locked after 0.150 s; "
             "try again when it has finished",
             s.path[0], (long)hd.pid);
    assert_int_equal(dcs_lock_acquire(s.path[0], 150, &l, &err), DCS_ERR_HIVE_LOCKED);
    assert_string_equal(err.message, want);
    /* opening the hive for writing waits the process-wide time */
    dcs_lock_set_wait(150);
    dcs_hive *h;
    assert_int_equal(dcs_hive_open(s.path[0], DCS_HIVE_WRITE, &h, &err), DCS_ERR_HIVE_LOCKED);
    assert_string_equal(err.message, want);
    /* readers do not lock */
    assert_int_equal(dcs_hive_open(s.path[0], DCS_HIVE_READ, &h, &err), DCS_OK);
    dcs_hive_close(h);
    release_holder(&hd);
    assert_int_equal(dcs_hive_open(s.path[0], DCS_HIVE_WRITE, &h, &err), DCS_OK);
    /* the same process again: shared, not a wait on itself */
    assert_int_equal(dcs_lock_acquire(s.path[0], 0, &l, &err), DCS_OK);
    assert_true(dcs_lock_current(l));
    assert_string_equal(dcs_lock_path(l), s.path[0]);
    dcs_lock_release(l);
    dcs_hive_close(h);
    dcs_lock_set_wait(DCS_LOCK_WAIT_DEFAULT_MS);
    scene_close(&s);
}

static void image_lock(void **state)
{
    (void)state;
    struct scene s;
    scene_files(&s, 1);
    dcs_lock *l, *again;
    struct dcs_error err;
    char want[2000];
    assert_int_equal(dcs_lock_image(s.path[0], 0, &l, &err), DCS_ERR_INVALID_ARG);
    snprintf(want, sizeof want, "cannot lock the image %s: not a directory", s.path[0]);
    assert_string_equal(err.message, want);
    assert_int_equal(dcs_lock_image(s.dir, 0, &l, &err), DCS_OK);
    assert_int_equal(dcs_lock_image(s.dir, 0, &again, &err), DCS_OK);
    assert_ptr_equal(l, again);
    dcs_lock_release(again);
    dcs_lock_release(l);
    dcs_lock_release(NULL);
    snprintf(want, sizeof want, "%s/none", s.dir);
    assert_int_equal(dcs_lock_image(want, 0, &l, &err), DCS_ERR_NOT_FOUND);
    struct holder hd;
    hold(&hd, s.dir);
    assert_int_equal(dcs_lock_image(s.dir, 0, &l, &err), DCS_ERR_HIVE_LOCKED);
    release_holder(&hd);
    scene_close(&s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(each_rename_fails),
        cmocka_unit_test(each_fsync_fails),
        cmocka_unit_test(each_unlink_fails),
        cmocka_unit_test(each_link_fails),
        cmocka_unit_test(each_open_fails),
        cmocka_unit_test(each_write_fails),
        cmocka_unit_test(no_journal_nothing_done),
        cmocka_unit_test(preparing_is_undone),
        cmocka_unit_test(removing_copies_is_finished),
        cmocka_unit_test(prepared_without_temp_is_undone),
        cmocka_unit_test(unnamed_leftovers_swept),
        cmocka_unit_test(bad_journals_refused),
        cmocka_unit_test(journal_through_a_link_refused),
        cmocka_unit_test(live_writer_waited_for),
        cmocka_unit_test(lock_waits_then_names_holder),
        cmocka_unit_test(image_lock),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
