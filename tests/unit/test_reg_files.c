/* regio: sources and sinks against the real file system — missing files,
 * directories, paths under a regular file, stdin/stdout, pipes whose reads
 * fail, FIFOs and devices as targets, gzip members ending on the input
 * buffer boundary, failed renames and backups. */
#define _GNU_SOURCE /* F_SETPIPE_SZ */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cmocka.h>
#include <zlib.h>

#include "reg_testlib.h"
#include "scratch.h"
#include <dcs/regio.h>

#define ZIN 65536 /* regio's compressed input buffer */

/* One gzip member of exactly total bytes holding data (stored deflate
 * blocks; the file-name field pads it). */
static size_t gz_member(const uint8_t *data, size_t len, size_t total, uint8_t *out)
{
    size_t blocks = len ? (len + 65534) / 65535 : 1;
    size_t fixed = 10 + 1 + blocks * 5 + len + 8;
    assert_true(total >= fixed);
    size_t o = 0;
    static const uint8_t hdr[10] = {0x1F, 0x8B, 8, 8, 0, 0, 0, 0, 0, 3}; /* FNAME */
    memcpy(out, hdr, 10);
    o = 10;
    memset(out + o, 'n', total - fixed);
    o += total - fixed;
    out[o++] = 0;
    size_t done = 0;
    do {
        size_t k = len - done > 65535 ? 65535 : len - done;
        out[o++] = done + k == len ? 1 : 0;
        out[o++] = (uint8_t)k;
        out[o++] = (uint8_t)(k >> 8);
        out[o++] = (uint8_t)~k;
        out[o++] = (uint8_t)(~k >> 8);
        memcpy(out + o, data + done, k);
        o += k;
        done += k;
    } while (done < len);
    uint32_t crc = (uint32_t)crc32(0, data, (uInt)len);
    for (int i = 0; i < 4; i++)
        out[o++] = (uint8_t)(crc >> (8 * i));
    for (int i = 0; i < 4; i++)
        out[o++] = (uint8_t)(len >> (8 * i));
    assert_int_equal(o, total);
    return o;
}

static void fill_pattern(uint8_t *p, size_t n, unsigned seed)
{
    for (size_t i = 0; i < n; i++)
        p[i] = (uint8_t)((i * 31 + seed) ^ (i >> 8));
}

/* Everything a source yields, into out (cap bytes). */
static dcs_status drain(struct dcs_reg_source *s, uint8_t *out, size_t cap, size_t *len,
                        struct dcs_error *err)
{
    *len = 0;
    for (;;) {
        const uint8_t *d;
        size_t n;
        bool last;
        dcs_status st = dcs_reg_source_read(s, &d, &n, &last, err);
        if (st)
            return st;
        assert_true(*len + n <= cap);
        memcpy(out + *len, d, n);
        *len += n;
        if (last)
            return DCS_OK;
    }
}

/* ---- stdin / stdout redirection ---- */

static int saved_fd = -1;

static void redirect(int target, int fd)
{
    saved_fd = dup(target);
    assert_true(saved_fd >= 0);
    assert_int_equal(dup2(fd, target), target);
    close(fd);
}

static void restore(int target)
{
    assert_int_equal(dup2(saved_fd, target), target);
    close(saved_fd);
    saved_fd = -1;
}

/* A pipe on stdin holding len bytes.  Its writer stays open and the read
 * end is non-blocking, so reading past the data fails with EAGAIN: a read
 * error in the middle of the input.  Returns the writer, or -1 when the
 * pipe cannot hold len bytes. */
static int stdin_stalled_pipe(const uint8_t *data, size_t len)
{
    int p[2];
    assert_int_equal(pipe(p), 0);
    if (len > 65536 && fcntl(p[1], F_SETPIPE_SZ, 1 << 20) < (int)len) {
        close(p[0]);
        close(p[1]);
        return -1;
    }
    size_t done = 0;
    while (done < len) {
        ssize_t w = write(p[1], data + done, len - done);
        assert_true(w > 0);
        done += (size_t)w;
    }
    assert_int_equal(fcntl(p[0], F_SETFL, O_NONBLOCK), 0);
    redirect(0, p[0]);
    return p[1];
}

/* ---- sources ---- */

static void source_open_errors(void **state)
{
    (void)state;
    char p[512], q[512];
    struct dcs_reg_source *s = (struct dcs_reg_source *)1;
    struct dcs_error err;
    assert_int_equal(dcs_reg_source_open(scratch_path(p, sizeof p, "missing.reg"), 0, &s, &err),
                     DCS_ERR_NOT_FOUND);
    assert_null(s);
    assert_non_null(strstr(err.message, "missing.reg"));
    assert_int_equal(dcs_reg_source_open(scratch_dir, 0, &s, &err), DCS_ERR_IO);
    assert_null(s);
    assert_non_null(strstr(err.message, "is a directory"));
    /* a path that goes through a regular file */
    scratch_write(scratch_path(p, sizeof p, "file"), "x", 1);
    assert_int_equal(dcs_reg_source_open(scratch_path(q, sizeof q, "file/x.reg"), 0, &s, &err),
                     DCS_ERR_IO);
    assert_null(s);
    assert_non_null(strstr(err.message, strerror(ENOTDIR)));
    unlink(p);
}

/* stdin that has no data and no end yet: the first read fails. */
static void source_read_error_first(void **state)
{
    (void)state;
    int w = stdin_stalled_pipe(NULL, 0);
    struct dcs_reg_source *s;
    struct dcs_error err;
    assert_int_equal(dcs_reg_source_open("-", 0, &s, &err), DCS_OK);
    assert_false(dcs_reg_source_can_rewind(s));
    assert_int_equal(dcs_reg_source_size(s), 0);
    const uint8_t *d;
    size_t n;
    bool last;
    assert_int_equal(dcs_reg_source_read(s, &d, &n, &last, &err), DCS_ERR_IO);
    assert_int_equal(err.offset, 0);
    assert_non_null(strstr(err.message, "read error"));
    assert_int_equal(dcs_reg_source_rewind(s, &err), DCS_ERR_IO);
    assert_non_null(strstr(err.message, "cannot be read twice"));
    dcs_reg_source_close(s);
    restore(0);
    close(w);
}

/* Plain input: the first 64 KiB arrive, the read after them fails. */
static void source_read_error_plain(void **state)
{
    (void)state;
    static uint8_t data[ZIN + 10];
    fill_pattern(data, sizeof data, 1);
    int w = stdin_stalled_pipe(data, sizeof data);
    assert_true(w >= 0);
    struct dcs_reg_source *s;
    struct dcs_error err;
    assert_int_equal(dcs_reg_source_open("-", 2 * ZIN, &s, &err), DCS_OK);
    const uint8_t *d;
    size_t n;
    bool last;
    assert_int_equal(dcs_reg_source_read(s, &d, &n, &last, &err), DCS_ERR_IO);
    assert_int_equal(err.offset, ZIN);
    assert_non_null(strstr(err.message, "read error"));
    dcs_reg_source_close(s);
    restore(0);
    close(w);
}

/* gzip input: the read of more compressed data fails, inside a member and
 * when one byte of a next member's magic is all there is after a member. */
static void source_read_error_gzip(void **state)
{
    (void)state;
    static uint8_t plain[100000], gz[100100];
    fill_pattern(plain, sizeof plain, 2);
    for (int between = 0; between < 2; between++) {
        size_t avail;
        if (between) {
            avail = gz_member(plain, ZIN - 200, ZIN - 1, gz);
            gz[avail++] = 0x1F;
        } else {
            gz_member(plain, sizeof plain, sizeof gz, gz);
            avail = ZIN + 5;
        }
        int w = stdin_stalled_pipe(gz, avail);
        assert_true(w >= 0);
        struct dcs_reg_source *s;
        struct dcs_error err;
        assert_int_equal(dcs_reg_source_open("-", 0, &s, &err), DCS_OK);
        const uint8_t *d;
        size_t n;
        bool last;
        assert_int_equal(dcs_reg_source_read(s, &d, &n, &last, &err), DCS_ERR_IO);
        assert_true(dcs_reg_source_is_gzip(s));
        assert_int_equal(err.offset, ZIN);
        assert_non_null(strstr(err.message, "read error"));
        dcs_reg_source_close(s);
        restore(0);
        close(w);
    }
}

/* gzip members that end exactly at, or one byte before, the end of the
 * 64 KiB input buffer. */
static void gzip_member_at_buffer_end(void **state)
{
    (void)state;
    static uint8_t p1[ZIN], p2[3000], gz[2 * ZIN + 4000], out[2 * ZIN];
    fill_pattern(p1, sizeof p1, 3);
    fill_pattern(p2, sizeof p2, 4);
    char path[512];
    scratch_path(path, sizeof path, "in.gz");
    struct dcs_error err;
    for (size_t first = ZIN - 2; first <= ZIN + 1; first++) {
        for (int second = 0; second < 3; second++) {
            size_t l1 = first - 200;
            size_t len = gz_member(p1, l1, first, gz);
            if (second == 1)
                len += gz_member(p2, sizeof p2, sizeof p2 + 40, gz + len);
            if (second == 2)
                gz[len++] = 0x1F; /* one stray byte of another magic */
            scratch_write(path, gz, len);
            struct dcs_reg_source *s;
            assert_int_equal(dcs_reg_source_open(path, 0, &s, &err), DCS_OK);
            size_t n;
            dcs_status st = drain(s, out, sizeof out, &n, &err);
            if (second == 2) {
                assert_int_equal(st, DCS_ERR_REG_GZIP);
                assert_int_equal(err.offset, first);
                assert_non_null(strstr(err.message, "after the end"));
            } else {
                assert_int_equal(st, DCS_OK);
                assert_int_equal(n, l1 + (second ? sizeof p2 : 0));
                assert_memory_equal(out, p1, l1);
                if (second)
                    assert_memory_equal(out + l1, p2, sizeof p2);
                assert_int_equal(dcs_reg_source_pos(s), len);
                /* again from the start */
                assert_int_equal(dcs_reg_source_rewind(s, &err), DCS_OK);
                assert_false(dcs_reg_source_is_gzip(s));
                size_t n2;
                assert_int_equal(drain(s, out, sizeof out, &n2, &err), DCS_OK);
                assert_int_equal(n2, n);
                assert_true(dcs_reg_source_is_gzip(s));
            }
            dcs_reg_source_close(s);
        }
    }
    unlink(path);
}

/* An empty memory source: one empty, final chunk. */
static void source_empty_memory(void **state)
{
    (void)state;
    struct dcs_reg_source *s;
    struct dcs_error err;
    assert_int_equal(dcs_reg_source_open_mem(NULL, 0, 16, &s, &err), DCS_OK);
    const uint8_t *d;
    size_t n = 99;
    bool last = false;
    assert_int_equal(dcs_reg_source_read(s, &d, &n, &last, &err), DCS_OK);
    assert_int_equal(n, 0);
    assert_true(last);
    assert_false(dcs_reg_source_is_gzip(s));
    dcs_reg_source_close(s);
}

/* ---- sinks ---- */

static uint8_t *gunzip(const uint8_t *g, size_t glen, size_t *len)
{
    static uint8_t out[4096];
    z_stream z;
    memset(&z, 0, sizeof z);
    assert_int_equal(inflateInit2(&z, 16 + MAX_WBITS), Z_OK);
    z.next_in = (Bytef *)(uintptr_t)g;
    z.avail_in = (uInt)glen;
    z.next_out = out;
    z.avail_out = sizeof out;
    assert_int_equal(inflate(&z, Z_FINISH), Z_STREAM_END);
    *len = sizeof out - z.avail_out;
    inflateEnd(&z);
    return out;
}

static void sink_open_errors(void **state)
{
    (void)state;
    char p[512], q[512], list[512];
    struct dcs_reg_sink *s = (struct dcs_reg_sink *)1;
    struct dcs_error err;
    assert_int_equal(dcs_reg_sink_open(scratch_dir, false, &s, &err), DCS_ERR_IO);
    assert_null(s);
    assert_non_null(strstr(err.message, "is a directory"));
    scratch_write(scratch_path(p, sizeof p, "file"), "x", 1);
    assert_int_equal(dcs_reg_sink_open(scratch_path(q, sizeof q, "file/out.reg"), true, &s, &err),
                     DCS_ERR_IO);
    assert_null(s);
    assert_non_null(strstr(err.message, "cannot create a temporary file beside"));
    assert_non_null(strstr(err.message, strerror(ENOTDIR)));
    unlink(p);
    /* a socket: neither a file to replace nor something open() can write */
    int fd = socket(AF_UNIX, SOCK_STREAM, 0);
    assert_true(fd >= 0);
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    scratch_path(p, sizeof p, "sock");
    assert_true(strlen(p) < sizeof sa.sun_path);
    memcpy(sa.sun_path, p, strlen(p) + 1);
    assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof sa), 0);
    assert_int_equal(dcs_reg_sink_open(sa.sun_path, false, &s, &err), DCS_ERR_IO);
    assert_null(s);
    assert_non_null(strstr(err.message, "cannot open"));
    close(fd);
    struct stat st;
    assert_int_equal(stat(sa.sun_path, &st), 0);
    assert_true(S_ISSOCK(st.st_mode));
    unlink(sa.sun_path);
    scratch_list(list, sizeof list);
    assert_string_equal(list, "");
}

/* A FIFO (like /dev/null or /dev/stdout) is written to, never replaced by
 * a renamed temporary file. */
static void sink_fifo(void **state)
{
    (void)state;
    char p[512], list[512];
    scratch_path(p, sizeof p, "fifo");
    assert_int_equal(mkfifo(p, 0600), 0);
    for (int gz = 0; gz < 2; gz++) {
        int rd = open(p, O_RDONLY | O_NONBLOCK);
        assert_true(rd >= 0);
        struct dcs_reg_sink *s;
        struct dcs_error err;
        assert_int_equal(dcs_reg_sink_open(p, gz, &s, &err), DCS_OK);
        assert_false(dcs_reg_sink_can_rewind(s));
        assert_int_equal(dcs_reg_sink_write(s, "REGEDIT4\r\n", 10, &err), DCS_OK);
        assert_int_equal(dcs_reg_sink_rewind(s, &err), DCS_ERR_IO);
        assert_non_null(strstr(err.message, "cannot be restarted"));
        assert_int_equal(dcs_reg_sink_write(s, "\r\n", 2, &err), DCS_OK);
        assert_int_equal(dcs_reg_sink_bytes(s), 12);
        assert_int_equal(dcs_reg_sink_commit(s, true, &err), DCS_OK);
        uint8_t buf[4096];
        ssize_t n = read(rd, buf, sizeof buf);
        close(rd);
        assert_true(n > 0);
        size_t len = (size_t)n;
        const uint8_t *text = gz ? gunzip(buf, len, &len) : buf;
        assert_int_equal(len, 12);
        assert_memory_equal(text, "REGEDIT4\r\n\r\n", 12);
        struct stat st;
        assert_int_equal(stat(p, &st), 0);
        assert_true(S_ISFIFO(st.st_mode));
        scratch_list(list, sizeof list);
        assert_string_equal(list, "fifo"); /* no temporary file, no backup */
    }
    unlink(p);
}

/* A device that refuses data: the write fails, the device stays. */
static void sink_device_full(void **state)
{
    (void)state;
    struct stat st;
    if (stat("/dev/full", &st) != 0 || !S_ISCHR(st.st_mode))
        skip();
    struct dcs_reg_sink *s;
    struct dcs_error err;
    assert_int_equal(dcs_reg_sink_open("/dev/full", false, &s, &err), DCS_OK);
    assert_int_equal(dcs_reg_sink_write(s, "REGEDIT4\r\n", 10, &err), DCS_ERR_IO);
    assert_non_null(strstr(err.message, "write failed"));
    assert_non_null(strstr(err.message, strerror(ENOSPC)));
    dcs_reg_sink_close(s);
    /* gzip output fails as soon as compressed bytes (the gzip header) go out */
    assert_int_equal(dcs_reg_sink_open("/dev/full", true, &s, &err), DCS_OK);
    assert_int_equal(dcs_reg_sink_write(s, "REGEDIT4\r\n", 10, &err), DCS_ERR_IO);
    assert_non_null(strstr(err.message, strerror(ENOSPC)));
    dcs_reg_sink_close(s);
    assert_int_equal(stat("/dev/full", &st), 0);
    assert_true(S_ISCHR(st.st_mode));
}

static void sink_stdout(void **state)
{
    (void)state;
    int p[2];
    assert_int_equal(pipe(p), 0);
    fflush(stdout);
    redirect(1, p[1]);
    struct dcs_reg_sink *s;
    struct dcs_error err;
    assert_int_equal(dcs_reg_sink_open("-", true, &s, &err), DCS_OK);
    assert_false(dcs_reg_sink_can_rewind(s));
    assert_int_equal(dcs_reg_sink_write(s, "REGEDIT4\r\n", 10, &err), DCS_OK);
    assert_int_equal(dcs_reg_sink_rewind(s, &err), DCS_ERR_IO);
    assert_int_equal(dcs_reg_sink_bytes(s), 10);
    assert_int_equal(dcs_reg_sink_commit(s, true, &err), DCS_OK);
    restore(1);
    uint8_t buf[4096];
    ssize_t n = read(p[0], buf, sizeof buf);
    assert_true(n > 0);
    size_t len;
    const uint8_t *text = gunzip(buf, (size_t)n, &len);
    assert_int_equal(len, 10);
    assert_memory_equal(text, "REGEDIT4\r\n", 10);
    /* stdout is still open for the test's own output */
    assert_true(fcntl(1, F_GETFD) >= 0);
    close(p[0]);
}

/* The rename into place fails (a directory appeared at the target): an
 * error naming it, and no temporary file left behind. */
static void sink_rename_fails(void **state)
{
    (void)state;
    char p[512], q[512], list[512];
    scratch_path(p, sizeof p, "out.reg");
    struct dcs_reg_sink *s;
    struct dcs_error err;
    assert_int_equal(dcs_reg_sink_open(p, false, &s, &err), DCS_OK);
    assert_int_equal(dcs_reg_sink_write(s, "REGEDIT4\r\n", 10, &err), DCS_OK);
    assert_int_equal(mkdir(p, 0700), 0);
    scratch_write(scratch_path(q, sizeof q, "out.reg/keep"), "k", 1);
    assert_int_equal(dcs_reg_sink_commit(s, false, &err), DCS_ERR_IO);
    assert_non_null(strstr(err.message, "cannot rename to"));
    assert_non_null(strstr(err.message, "out.reg"));
    scratch_list(list, sizeof list);
    assert_string_equal(list, "out.reg");
    unlink(q);
    rmdir(p);
}

/* The backup cannot be made (PATH.bak is a non-empty directory): the old
 * target stays byte for byte, nothing else is left. */
static void sink_backup_fails(void **state)
{
    (void)state;
    char p[512], b[512], q[512], list[512];
    scratch_path(p, sizeof p, "out.reg");
    scratch_write(p, "old contents", 12);
    assert_int_equal(mkdir(scratch_path(b, sizeof b, "out.reg.bak"), 0700), 0);
    scratch_write(scratch_path(q, sizeof q, "out.reg.bak/keep"), "k", 1);
    struct dcs_reg_sink *s;
    struct dcs_error err;
    assert_int_equal(dcs_reg_sink_open(p, false, &s, &err), DCS_OK);
    assert_int_equal(dcs_reg_sink_write(s, "new", 3, &err), DCS_OK);
    assert_int_equal(dcs_reg_sink_commit(s, true, &err), DCS_ERR_IO);
    assert_non_null(strstr(err.message, "cannot keep a backup"));
    assert_non_null(strstr(err.message, "out.reg.bak"));
    size_t len;
    uint8_t *d = tl_read_file(p, &len);
    assert_non_null(d);
    assert_int_equal(len, 12);
    assert_memory_equal(d, "old contents", 12);
    free(d);
    scratch_list(list, sizeof list);
    assert_string_equal(list, "out.reg out.reg.bak");
    unlink(q);
    rmdir(b);
    unlink(p);
}

/* A relative target in the current directory keeps the old file's mode. */
static void sink_relative_keeps_mode(void **state)
{
    (void)state;
    char cwd[1024], list[512];
    assert_non_null(getcwd(cwd, sizeof cwd));
    assert_int_equal(chdir(scratch_dir), 0);
    scratch_write("rel.reg", "old", 3);
    assert_int_equal(chmod("rel.reg", 0600), 0);
    struct dcs_reg_sink *s;
    struct dcs_error err;
    assert_int_equal(dcs_reg_sink_open("rel.reg", false, &s, &err), DCS_OK);
    assert_true(dcs_reg_sink_can_rewind(s));
    assert_int_equal(dcs_reg_sink_write(s, "new!", 4, &err), DCS_OK);
    assert_int_equal(dcs_reg_sink_commit(s, false, &err), DCS_OK);
    struct stat st;
    assert_int_equal(stat("rel.reg", &st), 0);
    assert_int_equal(st.st_mode & 07777, 0600);
    assert_int_equal(st.st_size, 4);
    unlink("rel.reg");
    assert_int_equal(chdir(cwd), 0);
    scratch_list(list, sizeof list);
    assert_string_equal(list, "");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(source_open_errors),
        cmocka_unit_test(source_read_error_first),
        cmocka_unit_test(source_read_error_plain),
        cmocka_unit_test(source_read_error_gzip),
        cmocka_unit_test(gzip_member_at_buffer_end),
        cmocka_unit_test(source_empty_memory),
        cmocka_unit_test(sink_open_errors),
        cmocka_unit_test(sink_fifo),
        cmocka_unit_test(sink_device_full),
        cmocka_unit_test(sink_stdout),
        cmocka_unit_test(sink_rename_fails),
        cmocka_unit_test(sink_backup_fails),
        cmocka_unit_test(sink_relative_keeps_mode),
    };
    return cmocka_run_group_tests(tests, scratch_setup, scratch_teardown);
}
