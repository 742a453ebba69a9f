/* regio and regconv when system calls fail or are interrupted
 * (tests/failsys.c): reads and writes cut short by EINTR still give every
 * byte; fsync, close, ftruncate and lseek failures are reported by name and
 * leave the target byte for byte as it was, with no temporary file behind;
 * a file system without hard links still gets its backup (by rename). */
#define _XOPEN_SOURCE 700 /* nftw */
#include <dirent.h>
#include <errno.h>
#include <ftw.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "failsys.h"
#include "reg_testlib.h"
#include "scratch.h"
#include <dcs/regconv.h>
#include <dcs/regio.h>

static void fill_pattern(uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        p[i] = (uint8_t)((i * 31 + 7) ^ (i >> 8));
}

/* ---- interrupted calls ---- */

/* Any read of a file may be interrupted: the source still hands out every
 * byte, in order. */
static void source_read_interrupted(void **state)
{
    (void)state;
    static uint8_t data[150000], out[sizeof data];
    fill_pattern(data, sizeof data);
    char p[512];
    scratch_write(scratch_path(p, sizeof p, "in.bin"), data, sizeof data);
    for (unsigned n = 1;; n++) {
        struct dcs_reg_source *s;
        struct dcs_error err;
        assert_int_equal(dcs_reg_source_open(p, 40000, &s, &err), DCS_OK);
        failsys_fail("read", NULL, n, EINTR);
        size_t len = 0;
        bool last = false;
        while (!last) {
            const uint8_t *d;
            size_t k;
            assert_int_equal(dcs_reg_source_read(s, &d, &k, &last, &err), DCS_OK);
            assert_true(len + k <= sizeof out);
            memcpy(out + len, d, k);
            len += k;
        }
        bool hit = failsys_fired();
        failsys_reset();
        dcs_reg_source_close(s);
        assert_int_equal(len, sizeof data);
        assert_memory_equal(out, data, sizeof data);
        if (!hit)
            break;
        assert_true(n < 10);
    }
    unlink(p);
}

/* An interrupted write is retried: the committed file is complete. */
static void sink_write_interrupted(void **state)
{
    (void)state;
    char p[512], list[512];
    scratch_path(p, sizeof p, "out.reg");
    for (int gz = 0; gz < 2; gz++) {
        struct dcs_reg_sink *s;
        struct dcs_error err;
        assert_int_equal(dcs_reg_sink_open(p, gz, &s, &err), DCS_OK);
        failsys_fail("write", NULL, 1, EINTR);
        assert_int_equal(dcs_reg_sink_write(s, "REGEDIT4\r\n\r\n", 12, &err), DCS_OK);
        assert_int_equal(dcs_reg_sink_commit(s, false, &err), DCS_OK);
        assert_true(failsys_fired());
        failsys_reset();
        size_t n;
        uint8_t *d = tl_read_file(p, &n);
        assert_non_null(d);
        if (gz) {
            assert_true(n > 18);
            assert_int_equal(d[0], 0x1F);
            assert_int_equal(d[1], 0x8B);
            /* ISIZE: the uncompressed length */
            assert_int_equal(d[n - 4], 12);
        } else {
            assert_int_equal(n, 12);
            assert_memory_equal(d, "REGEDIT4\r\n\r\n", 12);
        }
        free(d);
        scratch_list(list, sizeof list);
        assert_string_equal(list, "out.reg");
    }
    unlink(p);
}

/* ---- commit failures ---- */

/* fsync or close of the temporary file fails: the error names the call,
 * the old target stays byte for byte, no backup and no temporary file are
 * left. */
static void sink_commit_fails(void **state)
{
    (void)state;
    static const struct {
        const char *call;
        const char *what;
    } cases[] = {{"fsync", "fsync failed"}, {"close", "close failed"}};
    char p[512], list[512];
    scratch_path(p, sizeof p, "out.reg");
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        scratch_write(p, "old contents", 12);
        struct dcs_reg_sink *s;
        struct dcs_error err;
        assert_int_equal(dcs_reg_sink_open(p, false, &s, &err), DCS_OK);
        assert_int_equal(dcs_reg_sink_write(s, "new", 3, &err), DCS_OK);
        failsys_fail(cases[i].call, NULL, 1, EIO);
        assert_int_equal(dcs_reg_sink_commit(s, true, &err), DCS_ERR_IO);
        assert_true(failsys_fired());
        failsys_reset();
        assert_non_null(strstr(err.message, cases[i].what));
        assert_non_null(strstr(err.message, strerror(EIO)));
        scratch_assert_file(p, "old contents", 12);
        scratch_list(list, sizeof list);
        assert_string_equal(list, "out.reg");
    }
    unlink(p);
}

/* No hard links on the file system (link() gives EPERM, as on FAT): the
 * old target becomes PATH.bak by rename, the new data take its place. */
static void sink_backup_without_hard_links(void **state)
{
    (void)state;
    char p[512], b[512], list[512];
    scratch_path(p, sizeof p, "out.reg");
    scratch_path(b, sizeof b, "out.reg.bak");
    scratch_write(p, "old contents", 12);
    scratch_write(b, "older backup", 12);
    struct dcs_reg_sink *s;
    struct dcs_error err;
    assert_int_equal(dcs_reg_sink_open(p, false, &s, &err), DCS_OK);
    assert_int_equal(dcs_reg_sink_write(s, "new", 3, &err), DCS_OK);
    failsys_fail("link", NULL, 1, EPERM);
    assert_int_equal(dcs_reg_sink_commit(s, true, &err), DCS_OK);
    assert_true(failsys_fired());
    failsys_reset();
    scratch_assert_file(p, "new", 3);
    scratch_assert_file(b, "old contents", 12);
    scratch_list(list, sizeof list);
    assert_string_equal(list, "out.reg out.reg.bak");
    unlink(p);
    unlink(b);
}

/* ---- restarts that fail ---- */

static void sink_rewind_fails(void **state)
{
    (void)state;
    static const char *const calls[] = {"ftruncate", "lseek"};
    char p[512], list[512];
    scratch_path(p, sizeof p, "out.reg");
    for (size_t i = 0; i < 2; i++) {
        struct dcs_reg_sink *s;
        struct dcs_error err;
        assert_int_equal(dcs_reg_sink_open(p, false, &s, &err), DCS_OK);
        assert_true(dcs_reg_sink_can_rewind(s));
        assert_int_equal(dcs_reg_sink_write(s, "REGEDIT4\r\n", 10, &err), DCS_OK);
        failsys_fail(calls[i], NULL, 1, EIO);
        assert_int_equal(dcs_reg_sink_rewind(s, &err), DCS_ERR_IO);
        assert_true(failsys_fired());
        failsys_reset();
        assert_non_null(strstr(err.message, "output cannot be restarted"));
        dcs_reg_sink_close(s);
        scratch_list(list, sizeof list);
        assert_string_equal(list, "");
    }
}

/* Input that is not in export order makes the conversion start again from
 * the beginning of the input and the output.  When either cannot be
 * rewound the conversion fails with that error and the target is left as
 * it was. */
static void convert_restart_fails(void **state)
{
    (void)state;
    /* b named again after a: the input is not a tree walk, so the
     * conversion restarts on the model */
    static const char in[] = "REGEDIT4\r\n\r\n[HKEY_USERS\\S\\b]\r\n\"x\"=\"1\"\r\n\r\n"
                             "[HKEY_USERS\\S\\a]\r\n\"y\"=\"2\"\r\n\r\n"
                             "[HKEY_USERS\\S\\b]\r\n\"z\"=\"3\"\r\n";
    static const char want[] = "REGEDIT4\r\n\r\n[HKEY_USERS\\S\\a]\r\n\"y\"=\"2\"\r\n\r\n"
                               "[HKEY_USERS\\S\\b]\r\n\"x\"=\"1\"\r\n\"z\"=\"3\"\r\n\r\n";
    static const struct {
        const char *call;
        unsigned n;
        const char *what;
    } cases[] = {
        {"lseek", 1, "input cannot be read twice"},    /* the source's */
        {"lseek", 2, "output cannot be restarted"},    /* the sink's */
        {"ftruncate", 1, "output cannot be restarted"},
        {"lseek", 3, NULL}, /* nothing else seeks: the conversion succeeds */
    };
    char ip[512], op[512], list[512];
    scratch_write(scratch_path(ip, sizeof ip, "in.reg"), in, sizeof in - 1);
    scratch_path(op, sizeof op, "out.reg");
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        scratch_write(op, "old", 3);
        struct dcs_reg_source *src;
        struct dcs_reg_sink *sink;
        struct dcs_error err;
        assert_int_equal(dcs_reg_source_open(ip, 0, &src, &err), DCS_OK);
        assert_int_equal(dcs_reg_sink_open(op, false, &sink, &err), DCS_OK);
        struct dcs_reg_output out = {dcs_reg_sink_write, dcs_reg_sink_rewind, sink};
        struct dcs_reg_convert_options opt = {.writer = {DCS_REG_FORMAT_REGEDIT4,
                                                         DCS_REG_OUT_DEFAULT}};
        struct dcs_reg_convert_stats cs;
        failsys_fail(cases[i].call, NULL, cases[i].n, EIO);
        dcs_status st = dcs_reg_convert(src, &out, &opt, &cs, &err);
        bool hit = failsys_fired();
        failsys_reset();
        dcs_reg_source_close(src);
        if (cases[i].what) {
            assert_true(hit);
            assert_int_equal(st, DCS_ERR_IO);
            assert_non_null(strstr(err.message, cases[i].what));
            dcs_reg_sink_close(sink);
            scratch_assert_file(op, "old", 3);
        } else {
            assert_false(hit);
            assert_int_equal(st, DCS_OK);
            assert_false(cs.streamed);
            assert_int_equal(cs.keys, 2);
            assert_int_equal(dcs_reg_sink_commit(sink, false, &err), DCS_OK);
            scratch_assert_file(op, want, sizeof want - 1);
        }
        scratch_list(list, sizeof list);
        assert_string_equal(list, "in.reg out.reg");
    }
    unlink(ip);
    unlink(op);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(source_read_interrupted),
        cmocka_unit_test(sink_write_interrupted),
        cmocka_unit_test(sink_commit_fails),
        cmocka_unit_test(sink_backup_without_hard_links),
        cmocka_unit_test(sink_rewind_fails),
        cmocka_unit_test(convert_restart_fails),
    };
    return cmocka_run_group_tests(tests, scratch_setup, scratch_teardown);
}
