/* .reg conversion on larger and odder inputs: a model of more than a
 * thousand keys and values with deletions and re-creations, a streamed key
 * with many values, roots of equal name length, output that fails at any
 * point of the file, input that fails mid-way, and the convert API's
 * defaults and argument checks. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <zlib.h>

#include "gz_testlib.h"
#include <dcs/regconv.h>
#include <dcs/regio.h>

/* ---- helpers ---- */

struct text {
    char *p;
    size_t len, cap;
};

#if defined(__GNUC__)
__attribute__((format(printf, 2, 3)))
#endif
static void add(struct text *t, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    assert_true(n >= 0);
    if (t->len + (size_t)n + 1 > t->cap) {
        t->cap = (t->len + (size_t)n + 1) * 2;
        t->p = realloc(t->p, t->cap);
        assert_non_null(t->p);
    }
    va_start(ap, fmt);
    vsnprintf(t->p + t->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    t->len += (size_t)n;
}

/* n copies of c */
static void add_fill(struct text *t, char c, size_t n)
{
    if (t->len + n + 1 > t->cap) {
        t->cap = (t->len + n + 1) * 2;
        t->p = realloc(t->p, t->cap);
        assert_non_null(t->p);
    }
    memset(t->p + t->len, c, n);
    t->len += n;
    t->p[t->len] = 0;
}

static dcs_status mb_rewind(void *ctx, struct dcs_error *err)
{
    (void)err;
    ((struct dcs_reg_membuf *)ctx)->len = 0;
    return DCS_OK;
}

/* Convert len bytes of in (memory source, chunk bytes at a time). */
static dcs_status convert_mem(const void *in, size_t len, size_t chunk, bool rewind,
                              const struct dcs_reg_convert_options *opt,
                              struct dcs_reg_membuf *mb, struct dcs_reg_convert_stats *cs,
                              struct dcs_error *err)
{
    struct dcs_reg_source *src;
    assert_int_equal(dcs_reg_source_open_mem(in, len, chunk, &src, err), DCS_OK);
    memset(mb, 0, sizeof *mb);
    mb->grow = true;
    struct dcs_reg_output out = {dcs_reg_membuf_write, rewind ? mb_rewind : NULL, mb};
    dcs_status st = dcs_reg_convert(src, &out, opt, cs, err);
    dcs_reg_source_close(src);
    return st;
}

static void assert_output(const struct dcs_reg_membuf *mb, const char *want, size_t len)
{
    if (mb->len == len && memcmp(mb->buf, want, len) == 0)
        return;
    size_t i = 0;
    while (i < len && i < mb->len && mb->buf[i] == (uint8_t)want[i])
        i++;
    fail_msg("output differs at byte %zu of %zu (expected %zu): got ...%.60s... want ...%.60s...",
             i, mb->len, len, (const char *)mb->buf + (i > 20 ? i - 20 : 0),
             want + (i > 20 ? i - 20 : 0));
}

static const struct dcs_reg_convert_options regedit4 = {
    .writer = {DCS_REG_FORMAT_REGEDIT4, DCS_REG_OUT_DEFAULT}};

#define K "HKEY_CURRENT_USER\\T\\"

/* ---- a large model ---- */

/* 1100 keys, each with a subkey "Sub" and a value "v" in both, given in
 * reverse order: the model's indexes and its list of children to sort grow
 * past their first size while deleted keys and values are in them.  k0650 is deleted early and named
 * again (spelled K0650) at the end: it comes back empty of its old values
 * and subkey.  k0600's "v" is deleted and set again: it moves after "a". */
#define N_KEYS 1100
static void convert_large_model(void **state)
{
    (void)state;
    struct text in = {0}, want = {0};
    add(&in, "REGEDIT4\r\n");
    for (int i = N_KEYS - 1; i >= 0; i--) {
        add(&in, "\r\n[" K "k%04d]\r\n\"v\"=dword:%08x\r\n", i, (unsigned)i);
        if (i == 600)
            add(&in, "\"a\"=\"x\"\r\n\"v\"=-\r\n");
        add(&in, "\r\n[" K "k%04d\\Sub]\r\n\"v\"=\"s%d\"\r\n", i, i);
        if (i == 650)
            add(&in, "\r\n[-" K "k0650]\r\n");
    }
    add(&in, "\r\n[" K "K0650]\r\n\"new\"=\"1\"\r\n");
    add(&in, "\r\n[" K "k0600]\r\n\"v\"=dword:00000001\r\n");
    /* a root whose name is as long as the first one's: after it */
    add(&in, "\r\n[HKEY_CLASSES_ROOT\\.reg]\r\n@=\"regfile\"\r\n");

    add(&want, "REGEDIT4\r\n");
    for (int i = 0; i < N_KEYS; i++) {
        if (i == 650) {
            add(&want, "\r\n[" K "K0650]\r\n\"new\"=\"1\"\r\n");
            continue;
        }
        if (i == 600)
            add(&want, "\r\n[" K "k0600]\r\n\"a\"=\"x\"\r\n\"v\"=dword:00000001\r\n");
        else
            add(&want, "\r\n[" K "k%04d]\r\n\"v\"=dword:%08x\r\n", i, (unsigned)i);
        add(&want, "\r\n[" K "k%04d\\Sub]\r\n\"v\"=\"s%d\"\r\n", i, i);
    }
    add(&want, "\r\n[HKEY_CLASSES_ROOT\\.reg]\r\n@=\"regfile\"\r\n\r\n");

    for (int rewind = 0; rewind < 2; rewind++) {
        struct dcs_reg_membuf mb;
        struct dcs_reg_convert_stats cs;
        struct dcs_error err;
        assert_int_equal(convert_mem(in.p, in.len, 0, rewind, &regedit4, &mb, &cs, &err),
                         DCS_OK);
        assert_false(cs.streamed);
        assert_int_equal(cs.keys, 2 * N_KEYS - 1 + 1);
        assert_int_equal(cs.values, 2 * N_KEYS + 1);
        assert_output(&mb, want.p, want.len);
        free(mb.buf);
    }
    free(in.p);
    free(want.p);
}

/* A streamed key with many values (the per-key index is emptied in one go
 * rather than entry by entry) converts to itself; so do two roots whose
 * names have the same length, in the order the input gives them. */
static void convert_stream_wide_key(void **state)
{
    (void)state;
    struct text in = {0};
    add(&in, "REGEDIT4\r\n\r\n[HKEY_CURRENT_USER\\Wide]\r\n");
    for (int i = 0; i < 300; i++)
        add(&in, "\"value%03d\"=dword:%08x\r\n", i, (unsigned)i);
    add(&in, "\r\n[HKEY_CURRENT_USER\\Wide\\Next]\r\n\"value000\"=\"again\"\r\n");
    add(&in, "\r\n[HKEY_CLASSES_ROOT\\.reg]\r\n@=\"regfile\"\r\n");
    add(&in, "\r\n[HKEY_CLASSES_ROOT\\.reg\\Sub]\r\n\r\n");
    struct dcs_reg_membuf mb;
    struct dcs_reg_convert_stats cs;
    struct dcs_error err;
    assert_int_equal(convert_mem(in.p, in.len, 1000, true, &regedit4, &mb, &cs, &err), DCS_OK);
    assert_true(cs.streamed);
    assert_int_equal(cs.keys, 4);
    assert_int_equal(cs.values, 302);
    assert_output(&mb, in.p, in.len);
    free(mb.buf);
    free(in.p);
}

/* ---- input order ---- */

/* Input that walks the key tree, siblings in any order (Wine's regedit
 * sorts `_autodetect` before `ANSI_X3.4-1968`; here also reversed and
 * mixed case), streams and keeps its order byte for byte, also across
 * roots and with a deletion of a key not seen yet. */
static void convert_keeps_tree_walk_order(void **state)
{
    (void)state;
    static const char in[] =
        "REGEDIT4\r\n"
        "\r\n[HKEY_CLASSES_ROOT\\MIME\\Charset]\r\n"
        "\r\n[HKEY_CLASSES_ROOT\\MIME\\Charset\\_autodetect]\r\n\"a\"=\"1\"\r\n"
        "\r\n[HKEY_CLASSES_ROOT\\MIME\\Charset\\_autodetect\\kr]\r\n"
        "\r\n[HKEY_CLASSES_ROOT\\MIME\\Charset\\ANSI_X3.4-1968]\r\n\"b\"=dword:00000002\r\n"
        "\r\n[HKEY_CLASSES_ROOT\\MIME\\Charset\\zz]\r\n"
        "\r\n[HKEY_CLASSES_ROOT\\MIME\\Charset\\Zy]\r\n"
        "\r\n[HKEY_CLASSES_ROOT\\MIME\\Charset\\Zy\\b]\r\n"
        "\r\n[HKEY_CLASSES_ROOT\\MIME\\Charset\\Zy\\a]\r\n"
        "\r\n[-HKEY_CLASSES_ROOT\\MIME\\Charset\\new]\r\n"
        "\r\n[HKEY_CLASSES_ROOT\\MIME\\Charset\\new]\r\n\"c\"=\"3\"\r\n"
        "\r\n[HKEY_CLASSES_ROOT\\MIME\\A]\r\n"
        "\r\n[HKEY_CURRENT_USER\\Z]\r\n"
        "\r\n[HKEY_CURRENT_USER\\A]\r\n"
        "\r\n[HKEY_LOCAL_MACHINE]\r\n";
    /* the same without the deletion line, which an export does not hold */
    static const char del[] = "\r\n[-HKEY_CLASSES_ROOT\\MIME\\Charset\\new]\r\n";
    struct text want = {0};
    const char *cut = strstr(in, del);
    add(&want, "%.*s%s\r\n", (int)(cut - in), in, cut + strlen(del));
    for (size_t chunk = 7; chunk < 2000; chunk *= 5) {
        struct dcs_reg_membuf mb;
        struct dcs_reg_convert_stats cs;
        struct dcs_error err;
        assert_int_equal(convert_mem(in, sizeof in - 1, chunk, true, &regedit4, &mb, &cs, &err),
                         DCS_OK);
        assert_true(cs.streamed);
        assert_int_equal(cs.keys, 13);
        assert_int_equal(cs.values, 3);
        assert_output(&mb, want.p, want.len);
        free(mb.buf);
    }
    free(want.p);
}

/* Input that names a key twice or comes back into a subtree it left is
 * modelled and written in Windows' order (sorted siblings). */
static void convert_models_scattered_keys(void **state)
{
    (void)state;
    static const struct {
        const char *in, *want;
    } cases[] = {
        /* a child after its parent's subtree was left */
        {"[HKEY_USERS\\R\\B]\r\n[HKEY_USERS\\R\\A]\r\n[HKEY_USERS\\R\\B\\x]\r\n",
         "[HKEY_USERS\\R\\A]\r\n\r\n[HKEY_USERS\\R\\B]\r\n\r\n[HKEY_USERS\\R\\B\\x]\r\n"},
        /* an ancestor after its descendant */
        {"[HKEY_USERS\\R\\B\\x]\r\n[HKEY_USERS\\R\\B]\r\n",
         "[HKEY_USERS\\R\\B]\r\n\r\n[HKEY_USERS\\R\\B\\x]\r\n"},
        /* the same key twice in a row */
        {"[HKEY_USERS\\R\\B]\r\n\"v\"=\"1\"\r\n[HKEY_USERS\\r\\b]\r\n\"w\"=\"2\"\r\n",
         "[HKEY_USERS\\R\\B]\r\n\"v\"=\"1\"\r\n\"w\"=\"2\"\r\n"},
        /* a root left and named again: roots keep their first order */
        {"[HKEY_USERS\\B]\r\n[HKEY_CURRENT_USER\\X]\r\n[HKEY_USERS\\A]\r\n",
         "[HKEY_USERS\\A]\r\n\r\n[HKEY_USERS\\B]\r\n\r\n[HKEY_CURRENT_USER\\X]\r\n"},
        /* deleting the current key, an ancestor of it, a subtree left */
        {"[HKEY_USERS\\B]\r\n\"v\"=\"1\"\r\n[-HKEY_USERS\\B]\r\n[HKEY_USERS\\A]\r\n", "[HKEY_USERS\\A]\r\n"},
        {"[HKEY_USERS\\B\\c]\r\n[-HKEY_USERS\\B]\r\n[HKEY_USERS\\A]\r\n", "[HKEY_USERS\\A]\r\n"},
        {"[HKEY_USERS\\B\\c]\r\n[HKEY_USERS\\A]\r\n[-HKEY_USERS\\B\\c\\d]\r\n",
         "[HKEY_USERS\\A]\r\n\r\n[HKEY_USERS\\B\\c]\r\n"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct text in = {0}, want = {0};
        add(&in, "REGEDIT4\r\n%s", cases[i].in);
        add(&want, "REGEDIT4\r\n\r\n%s\r\n", cases[i].want);
        for (int rewind = 0; rewind < 2; rewind++) {
            struct dcs_reg_membuf mb;
            struct dcs_reg_convert_stats cs;
            struct dcs_error err;
            assert_int_equal(convert_mem(in.p, in.len, 5, rewind, &regedit4, &mb, &cs, &err),
                             DCS_OK);
            assert_false(cs.streamed);
            assert_output(&mb, want.p, want.len);
            free(mb.buf);
        }
        free(in.p);
        free(want.p);
    }
}

/* Many siblings in reverse order, each with a subkey: the checker's table
 * of seen names grows (and is emptied level by level) while streaming; the
 * 10,001st key names a sibling seen long before and falls back. */
static void convert_wide_reverse_walk(void **state)
{
    (void)state;
    struct text in = {0};
    add(&in, "REGEDIT4\r\n");
    for (int i = 5000; i > 0; i--)
        add(&in, "\r\n[HKEY_USERS\\W\\k%05d]\r\n\r\n[HKEY_USERS\\W\\k%05d\\s]\r\n", i, i);
    add(&in, "\r\n");
    struct dcs_reg_membuf mb;
    struct dcs_reg_convert_stats cs;
    struct dcs_error err;
    assert_int_equal(convert_mem(in.p, in.len, 0, true, &regedit4, &mb, &cs, &err), DCS_OK);
    assert_true(cs.streamed);
    assert_int_equal(cs.keys, 10000);
    assert_output(&mb, in.p, in.len);
    free(mb.buf);
    in.len -= 2;
    add(&in, "\r\n[HKEY_USERS\\W\\K04999\\t]\r\n\r\n");
    assert_int_equal(convert_mem(in.p, in.len, 0, true, &regedit4, &mb, &cs, &err), DCS_OK);
    assert_false(cs.streamed);
    assert_int_equal(cs.keys, 10001);
    assert_int_equal(memcmp(mb.buf, "REGEDIT4\r\n\r\n[HKEY_USERS\\W\\k00001]\r\n", 35), 0);
    free(mb.buf);
    free(in.p);
}

/* ---- output that fails ---- */

struct failing_out {
    struct dcs_reg_membuf mb;
    unsigned accept; /* calls to accept before failing */
    unsigned calls;
};

static dcs_status failing_write(void *ctx, const void *data, size_t len, struct dcs_error *err)
{
    struct failing_out *f = ctx;
    if (f->calls++ == f->accept)
        return dcs_error_set(err, DCS_ERR_IO, 4242, "test output refused call %u", f->calls);
    return dcs_reg_membuf_write(&f->mb, data, len, err);
}

static dcs_status failing_rewind(void *ctx, struct dcs_error *err)
{
    (void)err;
    struct failing_out *f = ctx;
    f->mb.len = 0;
    f->calls = 0;
    return DCS_OK;
}

/* Where in the output text a key line starts (UTF-16 or 8-bit). */
static size_t find_text(const struct dcs_reg_membuf *mb, const char *s, bool u16)
{
    size_t n = strlen(s), step = u16 ? 2 : 1;
    for (size_t i = 0; i + n * step <= mb->len; i++) {
        size_t k = 0;
        while (k < n && mb->buf[i + k * step] == (uint8_t)s[k])
            k++;
        if (k == n)
            return i;
    }
    fail_msg("'%s' not in the output", s);
    return 0;
}

/* The writer hands its output over in 64 KiB pieces.  A big string first,
 * then a filler string of `pad` characters, moves the end of the first
 * piece across everything that follows: keys (also the keys written only
 * because they lie between two named keys), escaped names, strings with
 * characters outside the BMP, dwords, hex data, hex(2) and hex(7), in the
 * streamed and in the modelled conversion.  Wherever the output is
 * refused, the conversion stops with exactly that error and tries no
 * further output. */
static void convert_output_fails_anywhere(void **state)
{
    (void)state;
    static const struct {
        struct dcs_reg_writer_options wo;
        bool ordered; /* export-shaped input (streams); otherwise the model */
    } variants[] = {
        {{DCS_REG_FORMAT_REGEDIT5, DCS_REG_OUT_UTF16LE}, true},
        {{DCS_REG_FORMAT_REGEDIT4, DCS_REG_OUT_UTF8}, false},
    };
    enum { PADS = 360 };
    for (size_t v = 0; v < sizeof variants / sizeof variants[0]; v++) {
        const bool u16 = variants[v].wo.encoding == DCS_REG_OUT_UTF16LE;
        const size_t big = u16 ? 32600 : 65200; /* characters: about 64 KiB of text */
        for (size_t pad = 0; pad < PADS; pad++) {
            struct text in = {0};
            add(&in, "Windows Registry Editor Version 5.00\r\n\r\n[HKEY_USERS\\S]\r\n\"big\"=\"");
            add_fill(&in, ' ', big);
            add(&in, "\"\r\n\"pad\"=\"");
            add_fill(&in, '.', pad);
            add(&in, "\"\r\n");
            add(&in, "\r\n[HKEY_USERS\\S\\b\\\xC3\xA9t\xC3\xA9\\deep]\r\n"
                     "\"q\\\"uoted\\\\name\"=\"a \\\"string\\\" with \xE2\x82\xAC, "
                     "\xF0\x9F\x98\x80 and \\\\\"\r\n"
                     "@=dword:0000002a\r\n"
                     "\"bin\"=hex:00,01,02,03,04,05,06,07,08,09,0a,0b,0c,0d,0e,0f,10,11,12,13,\\\r\n"
                     "  14,15,16,17,18,19,1a,1b,1c,1d,1e,1f,20,21,22,23,24,25,26,27,28,29,2a\r\n"
                     "\"exp\"=hex(2):25,00,50,00,41,00,54,00,48,00,25,00,00,00\r\n"
                     "\"multi\"=hex(7):61,00,00,00,62,00,00,00,00,00\r\n"
                     "\"none\"=hex(0):\r\n"
                     "\r\n[HKEY_USERS\\S\\c]\r\n\"last\"=\"x\"\r\n");
            if (!variants[v].ordered) /* a key named again, out of order */
                add(&in, "\r\n[HKEY_USERS\\S\\b]\r\n");
            struct dcs_reg_convert_options opt = {.writer = variants[v].wo};
            struct dcs_reg_convert_stats cs;
            struct dcs_error err;
            if (pad == 0 || pad == PADS - 1) {
                /* the sweep moves the end of the first piece from before
                 * the first key after the big one to after the last value */
                struct dcs_reg_membuf ref;
                assert_int_equal(convert_mem(in.p, in.len, 0, true, &opt, &ref, &cs, &err),
                                 DCS_OK);
                assert_int_equal(cs.streamed, variants[v].ordered);
                assert_int_equal(cs.keys, 5);
                if (pad == 0)
                    assert_true(find_text(&ref, "[HKEY_USERS\\S\\b]", u16) < 65536);
                else
                    assert_true(find_text(&ref, "\"last\"", u16) > 65536);
                free(ref.buf);
            }
            struct dcs_reg_source *src;
            assert_int_equal(dcs_reg_source_open_mem(in.p, in.len, 0, &src, &err), DCS_OK);
            struct failing_out f = {.mb = {.grow = true}, .accept = 0};
            struct dcs_reg_output out = {failing_write,
                                         variants[v].ordered ? failing_rewind : NULL, &f};
            dcs_status st = dcs_reg_convert(src, &out, &opt, &cs, &err);
            dcs_reg_source_close(src);
            assert_int_equal(st, DCS_ERR_IO);
            assert_int_equal(err.offset, 4242);
            assert_string_equal(err.message, "test output refused call 1");
            assert_int_equal(f.calls, 1);
            assert_int_equal(f.mb.len, 0);
            free(f.mb.buf);
            free(in.p);
        }
    }
}

/* ---- input that fails ---- */

/* gzip input cut short: the conversion fails with the source's error,
 * naming the compressed offset, before anything was output. */
static void convert_truncated_gzip(void **state)
{
    (void)state;
    struct text in = {0};
    add(&in, "REGEDIT4\r\n");
    for (int i = 0; i < 200; i++)
        add(&in, "\r\n[HKEY_USERS\\S\\k%03d]\r\n\"v\"=\"%d\"\r\n", i, i * 7919);
    size_t glen;
    uint8_t *gz = tl_gzip(in.p, in.len, &glen);
    assert_non_null(gz);
    struct dcs_reg_membuf mb;
    struct dcs_reg_convert_stats cs;
    struct dcs_error err;
    assert_int_equal(convert_mem(gz, glen - 20, 256, true, &regedit4, &mb, &cs, &err),
                     DCS_ERR_REG_GZIP);
    assert_non_null(strstr(err.message, "truncated"));
    assert_int_equal(err.offset, glen - 20);
    assert_int_equal(mb.len, 0);
    free(mb.buf);
    free(gz);
    free(in.p);
}

/* ---- API ---- */

/* No options: regedit5 in UTF-16LE; no stats wanted. */
static void convert_defaults(void **state)
{
    (void)state;
    static const char in[] = "REGEDIT4\r\n[HKEY_USERS\\S]\r\n\"v\"=\"1\"\r\n";
    static const char want8[] = "Windows Registry Editor Version 5.00\r\n\r\n[HKEY_USERS\\S]\r\n"
                                "\"v\"=\"1\"\r\n\r\n";
    struct dcs_reg_membuf mb;
    struct dcs_error err;
    assert_int_equal(convert_mem(in, sizeof in - 1, 0, true, NULL, &mb, NULL, &err), DCS_OK);
    assert_int_equal(mb.len, 2 + 2 * (sizeof want8 - 1));
    assert_int_equal(mb.buf[0], 0xFF);
    assert_int_equal(mb.buf[1], 0xFE);
    for (size_t i = 0; i < sizeof want8 - 1; i++) {
        assert_int_equal(mb.buf[2 + 2 * i], (uint8_t)want8[i]);
        assert_int_equal(mb.buf[3 + 2 * i], 0);
    }
    free(mb.buf);
}

/* Bad writer or reader options are refused before anything is written. */
static void convert_bad_options(void **state)
{
    (void)state;
    static const char in[] = "REGEDIT4\r\n";
    struct dcs_reg_convert_options opt[3] = {
        {.writer = {(enum dcs_reg_format)7, DCS_REG_OUT_DEFAULT}},
        {.writer = {DCS_REG_FORMAT_REGEDIT4, (enum dcs_reg_out_encoding)9}},
        {.reader = {.codepage = (enum dcs_reg_codepage)5}},
    };
    static const char *const what[3] = {"bad writer options", "bad writer options",
                                        "unknown code page"};
    for (int i = 0; i < 3; i++) {
        struct dcs_reg_membuf mb;
        struct dcs_reg_convert_stats cs;
        struct dcs_error err;
        assert_int_equal(convert_mem(in, sizeof in - 1, 0, true, &opt[i], &mb, &cs, &err),
                         DCS_ERR_INVALID_ARG);
        assert_string_equal(err.message, what[i]);
        assert_int_equal(mb.len, 0);
        assert_int_equal(cs.keys, 0);
        free(mb.buf);
    }
    /* the writer on its own: no output callback */
    struct dcs_reg_writer *w = (struct dcs_reg_writer *)1;
    struct dcs_error err;
    assert_int_equal(dcs_reg_writer_new(NULL, NULL, NULL, &w, &err), DCS_ERR_INVALID_ARG);
    assert_null(w);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(convert_large_model),
        cmocka_unit_test(convert_stream_wide_key),
        cmocka_unit_test(convert_keeps_tree_walk_order),
        cmocka_unit_test(convert_models_scattered_keys),
        cmocka_unit_test(convert_wide_reverse_walk),
        cmocka_unit_test(convert_output_fails_anywhere),
        cmocka_unit_test(convert_truncated_gzip),
        cmocka_unit_test(convert_defaults),
        cmocka_unit_test(convert_bad_options),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
