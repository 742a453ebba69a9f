/* core/fileio: write-all, bounded reads that never hang, dirname, mkdirs,
 * atomic replace and copy (with fsync and rename failures injected by
 * tests/support/failsys.c), and the output helper's rules for each kind of
 * path: a file or nothing is replaced atomically, a device or FIFO written
 * through, a symbolic link's target replaced with the link kept, a
 * directory refused. */
#define _XOPEN_SOURCE 700 /* nftw */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "core/fileio.h"
#include "failsys.h"
#include "reg_testlib.h"
#include "scratch.h"

static char p[512], q[512], list[1024];

static const char *S(const char *name)
{
    return scratch_path(p, sizeof p, name);
}

static void clean(void)
{
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'/*", scratch_dir);
    assert_int_equal(system(cmd), 0);
}

/* ---- listing ---- */

struct seen {
    size_t n, stop_after;
    unsigned char mark[1000];
    bool dots;
    int dirfd;
};

static int seen_one(void *ctx, int dirfd, const char *name)
{
    struct seen *s = ctx;
    s->dirfd = dirfd;
    unsigned k;
    if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
        s->dots = true;
    else if (sscanf(name, "entry-with-a-rather-long-name-%u", &k) == 1 && k < 1000)
        s->mark[k]++;
    s->n++;
    return s->stop_after && s->n == s->stop_after;
}

/* Every name once, "." and ".." aside, across several getdents64 reads
 * (1000 records of 56 bytes: more than one 16 KiB buffer); fn stops it;
 * a missing directory is its errno. */
static void list_at(void **state)
{
    (void)state;
    clean();
    char dir[600], f[700];
    scratch_path(dir, sizeof dir, "many");
    assert_int_equal(mkdir(dir, 0755), 0);
    for (unsigned k = 0; k < 1000; k++) {
        snprintf(f, sizeof f, "%s/entry-with-a-rather-long-name-%u", dir, k);
        scratch_write(f, "", 0);
    }
    struct seen s;
    memset(&s, 0, sizeof s);
    assert_int_equal(dcsi_list_at(AT_FDCWD, dir, seen_one, &s), 0);
    assert_int_equal(s.n, 1000);
    assert_false(s.dots);
    for (unsigned k = 0; k < 1000; k++)
        assert_int_equal(s.mark[k], 1);
    /* through a directory descriptor; fn is handed the listing's own */
    int dfd = open(dir, O_RDONLY | O_DIRECTORY);
    assert_true(dfd >= 0);
    memset(&s, 0, sizeof s);
    s.stop_after = 5;
    assert_int_equal(dcsi_list_at(dfd, NULL, seen_one, &s), 0);
    assert_int_equal(s.n, 5);
    assert_true(s.dirfd >= 0 && s.dirfd != dfd);
    close(dfd);
    scratch_path(dir, sizeof dir, "missing");
    assert_int_equal(dcsi_list_at(AT_FDCWD, dir, seen_one, &s), ENOENT);
    clean();
}

/* ---- write-all and reads ---- */

static void write_all_short_and_interrupted(void **state)
{
    (void)state;
    int fd = open(S("w"), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    assert_true(fd >= 0);
    struct dcs_error err;
    failsys_short("write", "/w", 1, 3);
    failsys_fail("write", "/w", 2, EINTR);
    failsys_short("write", "/w", 3, 1);
    assert_int_equal(dcsi_write_all(fd, "0123456789", 10, &err), DCS_OK);
    assert_int_equal(failsys_fired(), 3);
    failsys_reset();
    failsys_fail("write", "/w", 1, ENOSPC);
    assert_int_equal(dcsi_write_all(fd, "x", 1, &err), DCS_ERR_IO);
    failsys_reset();
    char want[128];
    snprintf(want, sizeof want, "write failed: %s", strerror(ENOSPC));
    assert_string_equal(err.message, want);
    close(fd);
    scratch_assert_file(S("w"), "0123456789", 10);
    clean();
}

static void read_kinds(void **state)
{
    (void)state;
    uint8_t *d;
    size_t n;
    struct dcs_error err;
    scratch_write(S("f"), "abc", 3);
    assert_int_equal(dcsi_read_file(p, 16, 0, &d, &n, &err), DCS_OK);
    assert_int_equal(n, 3);
    assert_memory_equal(d, "abc\0", 4);
    free(d);
    /* over the cap: refused from the size (a huge sparse file is not read) */
    int fd = open(S("sparse"), O_WRONLY | O_CREAT, 0600);
    assert_int_equal(ftruncate(fd, (off_t)3 << 30), 0);
    close(fd);
    assert_int_equal(dcsi_read_file(p, 1u << 20, 0, &d, &n, &err), DCS_ERR_LIMIT);
    assert_string_equal(err.message, "input larger than 1048576 bytes");
    assert_null(d);
    assert_int_equal(dcsi_read_file(S("f"), 2, 0, &d, &n, &err), DCS_ERR_LIMIT);
    /* a FIFO with no writer: refused, or (when asked for) empty; never a hang */
    assert_int_equal(mkfifo(S("fifo"), 0600), 0);
    assert_int_equal(dcsi_read_file(p, 16, 0, &d, &n, &err), DCS_ERR_IO);
    assert_string_equal(err.message, "is a FIFO, not a file to read");
    assert_int_equal(dcsi_read_file(p, 16, DCSI_READ_ANY_KIND, &d, &n, &err), DCS_OK);
    assert_int_equal(n, 0);
    free(d);
    assert_int_equal(dcsi_read_file(scratch_dir, 16, DCSI_READ_ANY_KIND, &d, &n, &err),
                     DCS_ERR_IO);
    assert_string_equal(err.message, "is a directory, not a file to read");
    assert_int_equal(dcsi_read_file("/dev/null", 16, 0, &d, &n, &err), DCS_ERR_IO);
    assert_string_equal(err.message, "is a character device, not a file to read");
    assert_int_equal(dcsi_read_file(S("none"), 16, 0, &d, &n, &err), DCS_ERR_NOT_FOUND);
    char want[128];
    snprintf(want, sizeof want, "cannot open: %s", strerror(ENOENT));
    assert_string_equal(err.message, want);
    /* an interrupted read still gives every byte */
    failsys_fail("read", "/f", 1, EINTR);
    assert_int_equal(dcsi_read_file(S("f"), 16, 0, &d, &n, &err), DCS_OK);
    assert_int_equal(failsys_fired(), 1);
    failsys_reset();
    assert_int_equal(n, 3);
    free(d);
    clean();
}

static void paths(void **state)
{
    (void)state;
    static const char *const cases[][2] = {
        {"a/b", "a"}, {"b", "."}, {"/b", "/"}, {"a/b/", "a"}, {"/", "/"},
        {"a//b", "a"}, {"", "."}, {"//x", "/"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *d = dcsi_dirname(cases[i][0]);
        assert_string_equal(d, cases[i][1]);
        free(d);
    }
    assert_string_equal(dcsi_basename("a/b"), "b");
    assert_string_equal(dcsi_basename("b"), "b");
    struct dcs_error err;
    assert_int_equal(dcsi_mkdirs(S("m/n//o/"), 0755, &err), DCS_OK);
    assert_int_equal(dcsi_mkdirs(p, 0755, &err), DCS_OK); /* exists: fine */
    scratch_write(S("m/file"), "x", 1);
    assert_int_equal(dcsi_mkdirs(S("m/file/deeper"), 0755, &err), DCS_ERR_IO);
    snprintf(q, sizeof q, "%s/m/file exists and is not a directory", scratch_dir);
    assert_string_equal(err.message, q);
    assert_int_equal(dcsi_fsync_dir(S("m/n"), &err), DCS_OK);
    clean();
}

/* ---- atomic replace ---- */

static void replace_keeps_mode_and_backup(void **state)
{
    (void)state;
    struct dcs_error err;
    scratch_write(S("t"), "old", 3);
    assert_int_equal(chmod(p, 0640), 0);
    assert_int_equal(dcsi_write_file_atomic(p, "new", 3, 0644, &err), DCS_OK);
    scratch_assert_file(p, "new", 3);
    struct stat st;
    assert_int_equal(stat(p, &st), 0);
    assert_int_equal(st.st_mode & 07777, 0640);
    /* new file: mode_if_new, whatever the umask */
    assert_int_equal(dcsi_write_file_atomic(S("n"), "x", 1, 0604, &err), DCS_OK);
    assert_int_equal(stat(p, &st), 0);
    assert_int_equal(st.st_mode & 07777, 0604);
    struct dcsi_replace r;
    assert_int_equal(dcsi_replace_begin(&r, S("t"), 0644, &err), DCS_OK);
    assert_int_equal(dcsi_write_all(r.fd, "junk", 4, &err), DCS_OK);
    assert_int_equal(dcsi_replace_rewind(&r, &err), DCS_OK);
    assert_int_equal(dcsi_write_all(r.fd, "newer", 5, &err), DCS_OK);
    assert_int_equal(dcsi_replace_commit(&r, "t.bak", &err), DCS_OK);
    scratch_assert_file(S("t"), "newer", 5);
    scratch_assert_file(S("t.bak"), "new", 3);
    scratch_list(list, sizeof list);
    assert_string_equal(list, "n t t.bak");
    /* synced first (as a multi-file commit does), then committed */
    assert_int_equal(dcsi_replace_begin(&r, S("t"), 0644, &err), DCS_OK);
    assert_int_equal(dcsi_write_all(r.fd, "synced", 6, &err), DCS_OK);
    assert_int_equal(dcsi_replace_sync(&r, &err), DCS_OK);
    assert_int_equal(r.fd, -1);
    scratch_assert_file(S("t"), "newer", 5);
    assert_int_equal(dcsi_replace_commit(&r, NULL, &err), DCS_OK);
    scratch_assert_file(S("t"), "synced", 6);
    /* abort removes the temporary file, twice is harmless */
    assert_int_equal(dcsi_replace_begin(&r, S("t"), 0644, &err), DCS_OK);
    dcsi_replace_abort(&r);
    dcsi_replace_abort(&r);
    scratch_list(list, sizeof list);
    assert_string_equal(list, "n t t.bak");
    clean();
}

/* fsync of the file, the rename, the backup link and rename: each failure
 * is an error naming it; the old file stays byte for byte, nothing else
 * is left.  A failed fsync of the directory is an error too (the new file
 * is in place by then). */
static void replace_failures(void **state)
{
    (void)state;
    static const struct {
        const char *call;
        size_t nth;
        const char *before, *after;
    } cases[] = {
        {"fsync", 1, "cannot write ", ": fsync failed: "},
        {"close", 1, "cannot write ", ": close failed: "},
        {"rename", 1, "cannot rename to ", ": "},
    };
    struct dcs_error err;
    char want[1024];
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        scratch_write(S("t"), "old", 3);
        failsys_fail(cases[i].call, NULL, cases[i].nth, EIO);
        assert_int_equal(dcsi_write_file_atomic(p, "new", 3, 0644, &err), DCS_ERR_IO);
        assert_int_equal(failsys_fired(), 1);
        failsys_reset();
        snprintf(want, sizeof want, "%s%s%s%s", cases[i].before, p, cases[i].after,
                 strerror(EIO));
        assert_string_equal(err.message, want);
        scratch_assert_file(p, "old", 3);
        scratch_list(list, sizeof list);
        assert_string_equal(list, "t");
    }
    /* the backup can be made neither by link nor by rename */
    struct dcsi_replace r;
    assert_int_equal(dcsi_replace_begin(&r, S("t"), 0644, &err), DCS_OK);
    assert_int_equal(dcsi_write_all(r.fd, "new", 3, &err), DCS_OK);
    failsys_fail("link", NULL, 1, EPERM);
    failsys_fail("rename", NULL, 1, EIO);
    assert_int_equal(dcsi_replace_commit(&r, "t.bak", &err), DCS_ERR_IO);
    assert_int_equal(failsys_fired(), 2);
    failsys_reset();
    snprintf(want, sizeof want, "cannot keep a backup t.bak of %s: %s", p, strerror(EIO));
    assert_string_equal(err.message, want);
    scratch_assert_file(p, "old", 3);
    scratch_list(list, sizeof list);
    assert_string_equal(list, "t");
    /* the directory's fsync (the second fsync) */
    failsys_fail("fsync", NULL, 2, EIO);
    assert_int_equal(dcsi_write_file_atomic(p, "new", 3, 0644, &err), DCS_ERR_IO);
    assert_int_equal(failsys_fired(), 1);
    failsys_reset();
    snprintf(want, sizeof want, "fsync of directory %s failed: %s", p, strerror(EIO));
    assert_string_equal(err.message, want);
    scratch_assert_file(p, "new", 3);
    /* no directory: no temporary file */
    assert_int_equal(dcsi_write_file_atomic(S("none/t"), "x", 1, 0644, &err), DCS_ERR_IO);
    snprintf(want, sizeof want, "cannot create a temporary file beside %s: %s", p,
             strerror(ENOENT));
    assert_string_equal(err.message, want);
    clean();
}

static void copy(void **state)
{
    (void)state;
    struct dcs_error err;
    char want[1024];
    uint8_t big[200000];
    for (size_t i = 0; i < sizeof big; i++)
        big[i] = (uint8_t)(i * 7);
    scratch_write(S("from"), big, sizeof big);
    assert_int_equal(chmod(p, 0600), 0);
    scratch_path(q, sizeof q, "to");
    /* a short write and an interrupted one do not spoil it */
    failsys_short("write", NULL, 1, 5);
    failsys_fail("write", NULL, 2, EINTR);
    assert_int_equal(dcsi_copy_file(p, q, 0, &err), DCS_OK);
    assert_int_equal(failsys_fired(), 2);
    failsys_reset();
    scratch_assert_file(q, big, sizeof big);
    struct stat st;
    assert_int_equal(stat(q, &st), 0);
    assert_int_equal(st.st_mode & 07777, 0600);
    assert_int_equal(dcsi_copy_file(p, q, 0, &err), DCS_ERR_IO);
    snprintf(want, sizeof want, "cannot copy to %s: %s", q, strerror(EEXIST));
    assert_string_equal(err.message, want);
    scratch_write(q, "x", 1);
    assert_int_equal(dcsi_copy_file(p, q, DCSI_COPY_REPLACE, &err), DCS_OK);
    scratch_assert_file(q, big, sizeof big);
    /* fsync fails: no partial copy */
    unlink(q);
    failsys_fail("fsync", NULL, 1, EIO);
    assert_int_equal(dcsi_copy_file(p, q, 0, &err), DCS_ERR_IO);
    failsys_reset();
    scratch_list(list, sizeof list);
    assert_string_equal(list, "from");
    assert_int_equal(dcsi_copy_file(scratch_dir, q, 0, &err), DCS_ERR_IO);
    snprintf(want, sizeof want, "cannot copy %s: not a regular file", scratch_dir);
    assert_string_equal(err.message, want);
    clean();
}

/* dcsi_fsync_many: every descriptor tried on its threads, the lowest
 * failing index and its errno reported, negative descriptors skipped, a
 * directory's EINVAL allowed only when asked. */
static void fsync_many(void **state)
{
    (void)state;
    int fds[12];
    char name[16];
    for (int i = 0; i < 12; i++) {
        snprintf(name, sizeof name, "f%d", i);
        scratch_write(S(name), "x", 1);
        fds[i] = open(S(name), O_RDWR | O_CLOEXEC);
        assert_true(fds[i] >= 0);
    }
    size_t failed = 99;
    assert_int_equal(dcsi_fsync_many(fds, 12, false, &failed), 0);
    assert_int_equal(failed, 12);
    assert_int_equal(dcsi_fsync_many(fds, 0, false, NULL), 0);
    /* two fail, on different threads (8 share 12 descriptors) */
    failsys_fail("fsync", "/f9", 1, ENOSPC);
    failsys_fail("fsync", "/f4", 1, EIO);
    assert_int_equal(dcsi_fsync_many(fds, 12, false, &failed), EIO);
    assert_int_equal(failed, 4);
    assert_int_equal(failsys_fired(), 2);
    failsys_reset();
    fds[4] = -1 - fds[4]; /* skipped */
    failsys_fail("fsync", "/f4", 1, EIO);
    assert_int_equal(dcsi_fsync_many(fds, 12, false, &failed), 0);
    assert_int_equal(failsys_fired(), 0);
    failsys_reset();
    fds[4] = -1 - fds[4];
    /* EINVAL: a failure for files, not for directories */
    failsys_fail("fsync", "/f0", 1, EINVAL);
    assert_int_equal(dcsi_fsync_many(fds, 1, false, &failed), EINVAL);
    assert_int_equal(failed, 0);
    failsys_reset();
    failsys_fail("fsync", "/f0", 1, EINVAL);
    assert_int_equal(dcsi_fsync_many(fds, 1, true, &failed), 0);
    failsys_reset();
    for (int i = 0; i < 12; i++)
        close(fds[i]);
    clean();
}

/* DCSI_COPY_IN_PLACE (the hive commit's kept copy): written straight to
 * its name with from's exact mode, refused over an existing file, removed
 * when the fsync fails; the errno helpers beside it. */
static void copy_in_place_and_errno_helpers(void **state)
{
    (void)state;
    struct dcs_error err;
    char want[1024];
    static const uint8_t text[] = "regf and more";
    scratch_write(S("from"), text, sizeof text);
    assert_int_equal(chmod(p, 0604), 0);
    scratch_path(q, sizeof q, "kept");
    assert_int_equal(dcsi_copy_file(p, q, DCSI_COPY_IN_PLACE, &err), DCS_OK);
    scratch_assert_file(q, text, sizeof text);
    struct stat st;
    assert_int_equal(stat(q, &st), 0);
    assert_int_equal(st.st_mode & 07777, 0604);
    assert_int_equal(dcsi_copy_file(p, q, DCSI_COPY_IN_PLACE, &err), DCS_ERR_IO);
    snprintf(want, sizeof want, "cannot create %s: %s", q, strerror(EEXIST));
    assert_string_equal(err.message, want);
    unlink(q);
    failsys_fail("fsync", "/kept", 1, EIO);
    assert_int_equal(dcsi_copy_file(p, q, DCSI_COPY_IN_PLACE, &err), DCS_ERR_IO);
    assert_int_equal(failsys_fired(), 1);
    failsys_reset();
    snprintf(want, sizeof want, "cannot fsync %s: %s", q, strerror(EIO));
    assert_string_equal(err.message, want);
    scratch_list(list, sizeof list);
    assert_string_equal(list, "from");
    /* fsync by path, read up to n bytes, write-all as an errno */
    assert_int_equal(dcsi_fsync_path(p, &err), DCS_OK);
    assert_int_equal(dcsi_fsync_path(q, &err), DCS_ERR_IO);
    snprintf(want, sizeof want, "cannot fsync %s: %s", q, strerror(ENOENT));
    assert_string_equal(err.message, want);
    int fd = open(p, O_RDONLY);
    assert_true(fd >= 0);
    uint8_t buf[64];
    size_t got = 99;
    failsys_fail("read", NULL, 1, EINTR);
    assert_int_equal(dcsi_read_upto(fd, buf, 4, &got), 0);
    assert_int_equal(got, 4);
    assert_int_equal(dcsi_read_upto(fd, buf, sizeof buf, &got), 0);
    assert_int_equal(got, sizeof text - 4); /* end of file: what is there */
    failsys_reset();
    assert_int_equal(dcsi_write_full(fd, "x", 1), EBADF); /* read-only */
    close(fd);
    clean();
}

/* ---- the output helper ---- */

static void output_file_and_links(void **state)
{
    (void)state;
    struct dcs_error err;
    char want[1024];
    assert_int_equal(dcsi_output_file(S("new"), "1", 1, &err), DCS_OK);
    scratch_assert_file(p, "1", 1);
    assert_int_equal(dcsi_output_file(p, "22", 2, &err), DCS_OK);
    scratch_assert_file(p, "22", 2);
    /* a link to a file: the file is replaced, the link stays */
    assert_int_equal(symlink("new", S("link")), 0);
    assert_int_equal(dcsi_output_file(p, "333", 3, &err), DCS_OK);
    struct stat st;
    assert_int_equal(lstat(p, &st), 0);
    assert_true(S_ISLNK(st.st_mode));
    scratch_assert_file(S("new"), "333", 3);
    /* a dangling link: its target is created */
    assert_int_equal(symlink("made", S("dangling")), 0);
    assert_int_equal(dcsi_output_file(p, "4", 1, &err), DCS_OK);
    scratch_assert_file(S("made"), "4", 1);
    /* directories, also behind a link, are refused */
    assert_int_equal(mkdir(S("dir"), 0755), 0);
    assert_int_equal(dcsi_output_file(p, "5", 1, &err), DCS_ERR_IO);
    snprintf(want, sizeof want, "%s is a directory", p);
    assert_string_equal(err.message, want);
    assert_int_equal(symlink("dir", S("dirlink")), 0);
    assert_int_equal(dcsi_output_file(p, "5", 1, &err), DCS_ERR_IO);
    snprintf(want, sizeof want, "%s is a directory", p);
    assert_string_equal(err.message, want);
    assert_int_equal(symlink("loop", S("loop")), 0);
    assert_int_equal(dcsi_output_file(p, "5", 1, &err), DCS_ERR_IO);
    snprintf(want, sizeof want, "cannot open %s: %s", p, strerror(ELOOP));
    assert_string_equal(err.message, want);
    /* a backup when asked */
    struct dcsi_output o;
    assert_int_equal(dcsi_output_open(&o, S("new"), &err), DCS_OK);
    assert_false(o.direct);
    assert_int_equal(dcsi_output_write(&o, "6", 1, &err), DCS_OK);
    assert_int_equal(dcsi_output_commit(&o, true, &err), DCS_OK);
    scratch_assert_file(S("new"), "6", 1);
    scratch_assert_file(S("new.bak"), "333", 3);
    scratch_list(list, sizeof list);
    assert_string_equal(list, "dangling dir dirlink link loop made new new.bak");
    clean();
}

static void output_devices_and_fifos(void **state)
{
    (void)state;
    struct dcs_error err;
    char want[1024];
    struct dcsi_output o;
    assert_int_equal(dcsi_output_open(&o, "/dev/null", &err), DCS_OK);
    assert_true(o.direct);
    assert_int_equal(dcsi_output_write(&o, "x", 1, &err), DCS_OK);
    assert_int_equal(dcsi_output_rewind(&o, &err), DCS_ERR_IO);
    assert_string_equal(err.message, "output cannot be restarted");
    assert_int_equal(dcsi_output_commit(&o, true, &err), DCS_OK);
    struct stat st;
    assert_int_equal(stat("/dev/null", &st), 0);
    assert_true(S_ISCHR(st.st_mode));
    /* a device that refuses data: the message names it */
    if (stat("/dev/full", &st) == 0 && S_ISCHR(st.st_mode)) {
        assert_int_equal(dcsi_output_file("/dev/full", "x", 1, &err), DCS_ERR_IO);
        snprintf(want, sizeof want, "cannot write /dev/full: write failed: %s",
                 strerror(ENOSPC));
        assert_string_equal(err.message, want);
    }
    /* a FIFO with a reader, directly and through a link */
    assert_int_equal(mkfifo(S("fifo"), 0600), 0);
    assert_int_equal(symlink("fifo", S("fifolink")), 0);
    const char *names[] = {"fifo", "fifolink"};
    for (int i = 0; i < 2; i++) {
        int rd = open(S("fifo"), O_RDONLY | O_NONBLOCK);
        assert_true(rd >= 0);
        assert_int_equal(dcsi_output_file(S(names[i]), "through", 7, &err), DCS_OK);
        char buf[16];
        assert_int_equal(read(rd, buf, sizeof buf), 7);
        assert_memory_equal(buf, "through", 7);
        close(rd);
    }
    assert_int_equal(lstat(S("fifo"), &st), 0);
    assert_true(S_ISFIFO(st.st_mode));
    assert_int_equal(lstat(S("fifolink"), &st), 0);
    assert_true(S_ISLNK(st.st_mode));
    scratch_list(list, sizeof list);
    assert_string_equal(list, "fifo fifolink");
    clean();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(list_at),
        cmocka_unit_test(write_all_short_and_interrupted),
        cmocka_unit_test(read_kinds),
        cmocka_unit_test(paths),
        cmocka_unit_test(replace_keeps_mode_and_backup),
        cmocka_unit_test(replace_failures),
        cmocka_unit_test(copy),
        cmocka_unit_test(fsync_many),
        cmocka_unit_test(copy_in_place_and_errno_helpers),
        cmocka_unit_test(output_file_and_links),
        cmocka_unit_test(output_devices_and_fifos),
    };
    return cmocka_run_group_tests_name("fileio", tests, scratch_setup, scratch_teardown);
}
