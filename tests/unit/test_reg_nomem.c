/* The .reg room under allocation failure: every allocation of each call is
 * made to fail in turn (tests/failalloc.c).  Each failure must give
 * DCS_ERR_NOMEM with a message, leak nothing (the valgrind and ASan runs of
 * this suite check that) and leave files on disk byte-identical; the loop
 * ends when the call runs through with no allocation refused, and that run
 * must give the expected output. */
#define _XOPEN_SOURCE 700 /* nftw */
#include <dirent.h>
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

#include "failalloc.h"
#include "reg_testlib.h"
#include "scratch.h"
#include <dcs/regconv.h>
#include <dcs/regio.h>

static void assert_nomem(size_t n, dcs_status rc, const struct dcs_error *err)
{
    if (rc != DCS_ERR_NOMEM)
        fail_msg("allocation %zu refused: got %s (%s), expected DCS_ERR_NOMEM", n,
                 dcs_strerror(rc), err->message);
    assert_int_equal(err->code, DCS_ERR_NOMEM);
    assert_non_null(strstr(err->message, "out of memory"));
}

/* ---- conversion ---- */

struct conv_case {
    const char *in;
    size_t in_len;
    size_t chunk; /* source chunk size */
    bool rewind;  /* the output can be restarted */
    struct dcs_reg_writer_options wo;
    const char *want;
    bool streamed;
};

static dcs_status mb_rewind(void *ctx, struct dcs_error *err)
{
    (void)err;
    ((struct dcs_reg_membuf *)ctx)->len = 0;
    return DCS_OK;
}

/* Convert c->in with allocation n failing (0: none); the output in *mb. */
static dcs_status convert_once(const struct conv_case *c, size_t n, struct dcs_reg_membuf *mb,
                               struct dcs_reg_convert_stats *cs, bool *hit,
                               struct dcs_error *err)
{
    struct dcs_reg_source *src;
    assert_int_equal(dcs_reg_source_open_mem(c->in, c->in_len, c->chunk, &src, err), DCS_OK);
    memset(mb, 0, sizeof *mb);
    mb->grow = true;
    struct dcs_reg_output out = {dcs_reg_membuf_write, c->rewind ? mb_rewind : NULL, mb};
    struct dcs_reg_convert_options opt = {.writer = c->wo};
    if (n)
        failalloc_arm(n);
    dcs_status st = dcs_reg_convert(src, &out, &opt, cs, err);
    *hit = failalloc_fired();
    failalloc_disarm();
    dcs_reg_source_close(src);
    return st;
}

/* Every allocation of the conversion fails in turn; returns how many
 * allocations it makes. */
static size_t convert_each_allocation_fails(const struct conv_case *c)
{
    for (size_t n = 1;; n++) {
        struct dcs_reg_membuf mb;
        struct dcs_reg_convert_stats cs;
        struct dcs_error err;
        bool hit;
        dcs_status st = convert_once(c, n, &mb, &cs, &hit, &err);
        if (!hit) {
            if (st)
                fail_msg("run without a refused allocation failed: %s", err.message);
            assert_int_equal(cs.streamed, c->streamed);
            if (mb.len != strlen(c->want) || memcmp(mb.buf, c->want, mb.len) != 0)
                fail_msg("got:\n%.*s", (int)mb.len, (const char *)mb.buf);
            free(mb.buf);
            return n - 1;
        }
        assert_nomem(n, st, &err);
        free(mb.buf);
    }
}

#define R4 "REGEDIT4\r\n\r\n"

/* Export-shaped input streams: the current key, its values, the roots seen
 * and the path of the keys between two key lines are what it allocates. */
static void convert_stream_nomem(void **state)
{
    (void)state;
    static const char in[] =
        R4 "[HKEY_CURRENT_USER\\A]\r\n\"v\"=\"1\"\r\n\"w\"=dword:00000002\r\n\r\n"
           "[HKEY_CURRENT_USER\\A\\B\\C]\r\n@=hex:01,02\r\n\r\n"
           "[HKEY_CURRENT_USER\\A\\D]\r\n\r\n"
           "[HKEY_LOCAL_MACHINE\\M\\N]\r\n\"x\"=\"y\"\r\n\r\n";
    static const char want[] =
        R4 "[HKEY_CURRENT_USER\\A]\r\n\"v\"=\"1\"\r\n\"w\"=dword:00000002\r\n\r\n"
           "[HKEY_CURRENT_USER\\A\\B]\r\n\r\n"
           "[HKEY_CURRENT_USER\\A\\B\\C]\r\n@=hex:01,02\r\n\r\n"
           "[HKEY_CURRENT_USER\\A\\D]\r\n\r\n"
           "[HKEY_LOCAL_MACHINE\\M\\N]\r\n\"x\"=\"y\"\r\n\r\n";
    struct conv_case c = {in, sizeof in - 1, 16, true,
                          {DCS_REG_FORMAT_REGEDIT4, DCS_REG_OUT_DEFAULT}, want, true};
    assert_true(convert_each_allocation_fails(&c) >= 10);
}

/* Input out of export order is converted on the in-memory model (from the
 * start when the output cannot be restarted); hex(2) data go through the
 * regedit4 writer's 8-bit scratch buffer. */
static void convert_model_nomem(void **state)
{
    (void)state;
    static const char in[] =
        R4 "[HKEY_USERS\\S\\b]\r\n\"x\"=\"1\"\r\n\"e\"=hex(2):25,50,00\r\n\r\n"
           "[HKEY_USERS\\S\\a\\deep]\r\n\"x\"=-\r\n@=dword:00000001\r\n\r\n"
           "[HKEY_CLASSES_ROOT\\.reg]\r\n@=\"regfile\"\r\n\r\n"
           "[HKEY_USERS\\S\\c]\r\n[-HKEY_USERS\\S\\c]\r\n";
    static const char want[] =
        R4 "[HKEY_USERS\\S\\a\\deep]\r\n@=dword:00000001\r\n\r\n"
           "[HKEY_USERS\\S\\b]\r\n\"x\"=\"1\"\r\n\"e\"=hex(2):25,50,00\r\n\r\n"
           "[HKEY_CLASSES_ROOT\\.reg]\r\n@=\"regfile\"\r\n\r\n";
    for (int rewind = 0; rewind < 2; rewind++) {
        struct conv_case c = {in, sizeof in - 1, 0, rewind,
                              {DCS_REG_FORMAT_REGEDIT4, DCS_REG_OUT_DEFAULT}, want, false};
        assert_true(convert_each_allocation_fails(&c) >= 10);
    }
}

/* ---- sources and sinks ---- */

static void source_open_nomem(void **state)
{
    (void)state;
    char p[512];
    scratch_write(scratch_path(p, sizeof p, "in.reg"), "REGEDIT4\r\n", 10);
    for (int mem = 0; mem < 2; mem++) {
        for (size_t n = 1;; n++) {
            struct dcs_reg_source *s = (struct dcs_reg_source *)1;
            struct dcs_error err;
            failalloc_arm(n);
            dcs_status st = mem ? dcs_reg_source_open_mem("REGEDIT4\r\n", 10, 0, &s, &err)
                                : dcs_reg_source_open(p, 0, &s, &err);
            bool hit = failalloc_fired();
            failalloc_disarm();
            if (!hit) {
                assert_int_equal(st, DCS_OK);
                assert_int_equal(dcs_reg_source_size(s), 10);
                dcs_reg_source_close(s);
                assert_true(n > 3); /* the source, its chunk and its input buffer */
                break;
            }
            assert_nomem(n, st, &err);
            assert_null(s);
        }
    }
    unlink(p);
}

/* Opening a sink and committing it with a backup: a refused allocation
 * leaves the old target and nothing else.  Nothing is allocated after the
 * rename (the directory stays open from the start for its final fsync), so
 * every refused allocation fails the commit. */
static void sink_nomem(void **state)
{
    (void)state;
    char p[512], b[512], list[512];
    scratch_path(p, sizeof p, "out.reg");
    scratch_path(b, sizeof b, "out.reg.bak");
    for (int gz = 0; gz < 2; gz++) {
        size_t tolerated = 0;
        for (size_t n = 1;; n++) {
            scratch_write(p, "old", 3);
            struct dcs_reg_sink *s = (struct dcs_reg_sink *)1;
            struct dcs_error err;
            failalloc_arm(n);
            dcs_status st = dcs_reg_sink_open(p, gz, &s, &err);
            if (!st)
                st = dcs_reg_sink_write(s, "new", 3, &err);
            if (!st)
                st = dcs_reg_sink_commit(s, true, &err);
            else
                dcs_reg_sink_close(s);
            bool hit = failalloc_fired();
            failalloc_disarm();
            if (st == DCS_OK) {
                size_t len;
                uint8_t *d = tl_read_file(p, &len);
                assert_non_null(d);
                if (!gz) {
                    assert_int_equal(len, 3);
                    assert_memory_equal(d, "new", 3);
                }
                free(d);
                scratch_assert_file(b, "old", 3);
                unlink(b);
                scratch_list(list, sizeof list);
                assert_string_equal(list, "out.reg");
                if (!hit)
                    break;
                tolerated++;
                continue;
            }
            assert_true(hit);
            assert_nomem(n, st, &err);
            scratch_assert_file(p, "old", 3);
            scratch_list(list, sizeof list);
            assert_string_equal(list, "out.reg");
        }
        assert_int_equal(tolerated, 0);
    }
    unlink(p);
}

/* ---- the reader ---- */

/* A line split over one-byte chunks is assembled in the reader's carry
 * buffer, which grows as it goes. */
static void reader_chunked_nomem(void **state)
{
    (void)state;
    static const char in[] = "REGEDIT4\r\n[HKEY_CURRENT_USER\\Software\\Some\\Rather\\Long\\Key]\r\n"
                             "\"name\"=\"a value long enough to need a bigger buffer\"\r\n";
    for (size_t n = 1;; n++) {
        struct dcs_reg_reader *r = NULL;
        struct dcs_error err;
        failalloc_arm(n);
        dcs_status st = dcs_reg_reader_new(NULL, &r, &err);
        size_t pos = 0, sets = 0;
        while (!st) {
            struct dcs_reg_op op;
            st = dcs_reg_reader_next(r, &op, &err);
            if (st || op.kind == DCS_REG_OP_END)
                break;
            if (op.kind == DCS_REG_OP_NEED_INPUT) {
                size_t k = pos < sizeof in - 1 ? 1 : 0;
                st = dcs_reg_reader_feed(r, in + pos, k, pos + k == sizeof in - 1, &err);
                pos += k;
            }
            sets += op.kind == DCS_REG_OP_SET_VALUE;
        }
        bool hit = failalloc_fired();
        failalloc_disarm();
        dcs_reg_reader_free(r);
        if (!hit) {
            assert_int_equal(st, DCS_OK);
            assert_int_equal(sets, 1);
            assert_true(n > 4);
            break;
        }
        assert_int_equal(st, DCS_ERR_NOMEM);
        assert_int_equal(err.code, DCS_ERR_NOMEM);
        assert_non_null(strstr(err.message, "out of memory"));
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(convert_stream_nomem),
        cmocka_unit_test(convert_model_nomem),
        cmocka_unit_test(source_open_nomem),
        cmocka_unit_test(sink_nomem),
        cmocka_unit_test(reader_chunked_nomem),
    };
    return cmocka_run_group_tests(tests, scratch_setup, scratch_teardown);
}
