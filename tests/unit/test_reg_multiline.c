/* REG_SZ data with line breaks (issue 14): regedit writes them raw inside
 * the quotes, so the writer does too and the reader takes a string that is
 * not closed on its line as running on over the next lines (lenient mode,
 * with a warning; strict mode refuses it).  Exact bytes, line:col and
 * warnings; any chunking gives the same operations; the fixture in
 * tests/data/reg-layout converts to itself. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "reg_testlib.h"
#include <dcs/regconv.h>
#include <dcs/regio.h>
#include <dcs/regread.h>
#include <dcs/regwrite.h>
#include "core/text.h"

/* UTF-8 text -> FF FE + UTF-16LE */
static uint8_t *utf16_file(const char *text, size_t n, size_t *len)
{
    uint8_t *b = malloc(2 * n + 4);
    b[0] = 0xFF;
    b[1] = 0xFE;
    size_t u = dcsi_utf8_to_utf16le(text, n, b + 2, NULL);
    assert_int_not_equal(u, SIZE_MAX);
    *len = 2 + 2 * u;
    return b;
}

/* tl_nth_kind, failing the test when there is none */
static const struct tl_op *nth_kind(const struct tl_ops *o, enum dcs_reg_op_kind k, size_t n)
{
    const struct tl_op *op = tl_nth_kind(o, k, n);
    if (!op)
        fail_msg("no operation %zu of kind %d", n, (int)k);
    return op;
}

/* The value's data as UTF-8 (it must be a REG_SZ ending in one NUL). */
static void assert_sz(const struct tl_op *op, const char *name, const char *utf8, uint32_t line,
                      uint32_t column)
{
    assert_int_equal(op->kind, DCS_REG_OP_SET_VALUE);
    assert_string_equal(op->name, name);
    assert_int_equal(op->type, DCS_REG_SZ);
    assert_true(op->len >= 2 && op->len % 2 == 0);
    assert_int_equal(op->data[op->len - 1], 0);
    assert_int_equal(op->data[op->len - 2], 0);
    char got[512];
    size_t n = dcsi_utf16le_to_utf8(op->data, op->len / 2 - 1, got);
    got[n] = 0;
    assert_string_equal(got, utf8);
    assert_int_equal(op->line, line);
    assert_int_equal(op->column, column);
}

static void assert_warning(const struct tl_op *w, uint32_t line, uint32_t column, const char *msg)
{
    assert_int_equal(w->kind, DCS_REG_OP_WARNING);
    assert_int_equal(w->wcode, DCS_ERR_REG_SYNTAX);
    assert_int_equal(w->line, line);
    assert_int_equal(w->column, column);
    assert_string_equal(w->wmsg, msg);
}

#define OPEN_MSG(name)                                                                          \
    "the string data of value '" name "' is not closed on its line: read on the next lines "  \
    "with their line breaks, as regedit exports such data (what Windows' own import does "    \
    "with it is unknown; strict mode refuses it)"

/* CR LF, LF and bare CR line breaks are kept as they are in the file; the
 * blanks before a break and a ';' inside are data; a comment may follow the
 * closing quote.  Every chunk size gives the same operations. */
static void reader_multiline_forms(void **state)
{
    (void)state;
    static const char text[] =
        "Windows Registry Editor Version 5.00\r\n\r\n[HKEY_CURRENT_USER\\T]\r\n"
        "\"State\"=\"{\r\n  \\\"a\\\":1\r\n}\"\r\n"                /* lines 4-6 */
        "\"lf\"=\"x \t\nstill; data\n\" ; a comment\r\n"            /* lines 7-9 */
        "\"cr\"=\"\r\r\xC3\xA9\"\r\n"                               /* lines 10-12 */
        "@=\"one\"\r\n";                                            /* line 13 */
    size_t len;
    uint8_t *f = utf16_file(text, sizeof text - 1, &len);
    struct tl_ops whole;
    tl_parse(&whole, f, len, 0, NULL);
    assert_int_equal(whole.st, DCS_OK);
    assert_int_equal(whole.warnings, 3);
    assert_int_equal(tl_count_kind(&whole, DCS_REG_OP_SET_VALUE), 4);
    assert_sz(nth_kind(&whole, DCS_REG_OP_SET_VALUE, 0), "State", "{\r\n  \"a\":1\r\n}", 4, 1);
    assert_sz(nth_kind(&whole, DCS_REG_OP_SET_VALUE, 1), "lf", "x \t\nstill; data\n", 7, 1);
    assert_sz(nth_kind(&whole, DCS_REG_OP_SET_VALUE, 2), "cr", "\r\r\xC3\xA9", 10, 1);
    assert_sz(nth_kind(&whole, DCS_REG_OP_SET_VALUE, 3), "", "one", 13, 1);
    assert_warning(nth_kind(&whole, DCS_REG_OP_WARNING, 0), 4, 9, OPEN_MSG("State"));
    assert_warning(nth_kind(&whole, DCS_REG_OP_WARNING, 1), 7, 6, OPEN_MSG("lf"));
    assert_warning(nth_kind(&whole, DCS_REG_OP_WARNING, 2), 10, 6, OPEN_MSG("cr"));
    /* the warning comes before its value */
    assert_int_equal(whole.v[1].kind, DCS_REG_OP_WARNING);
    assert_int_equal(whole.v[2].kind, DCS_REG_OP_SET_VALUE);
    for (size_t chunk = 1; chunk < 14; chunk++) {
        struct tl_ops part;
        tl_parse(&part, f, len, chunk, NULL);
        assert_true(tl_ops_equal(&whole, &part));
        tl_ops_free(&part);
    }
    tl_ops_free(&whole);
    free(f);
}

/* An 8-bit REGEDIT4 file: the continuation lines are code-page text too. */
static void reader_multiline_8bit(void **state)
{
    (void)state;
    static const char text[] = "REGEDIT4\r\n[HKEY_USERS\\k]\r\n\"a\"=\"\xE9\r\n\x80\"\r\n";
    struct tl_ops o;
    tl_parse(&o, text, sizeof text - 1, 0, NULL);
    assert_int_equal(o.st, DCS_OK);
    assert_int_equal(o.warnings, 1);
    assert_sz(nth_kind(&o, DCS_REG_OP_SET_VALUE, 0), "a", "\xC3\xA9\r\n\xE2\x82\xAC", 3, 1);
    tl_ops_free(&o);
}

/* Strict mode refuses the first string not closed on its line, naming the
 * place of its opening quote; what came before was handed out. */
static void reader_multiline_strict(void **state)
{
    (void)state;
    struct dcs_reg_reader_options strict = {.strict = true};
    static const char text[] = "REGEDIT4\n[HKEY_USERS\\k]\n\"a\"=\"x\"\n\"b\" = \"y\nz\"\n";
    struct tl_ops o;
    tl_parse(&o, text, sizeof text - 1, 0, &strict);
    assert_int_equal(o.st, DCS_ERR_REG_SYNTAX);
    assert_int_equal(o.err.line, 4);
    assert_int_equal(o.err.column, 7);
    assert_int_equal(o.err.offset, 38);
    assert_string_equal(o.err.message, OPEN_MSG("b"));
    assert_int_equal(tl_count_kind(&o, DCS_REG_OP_SET_VALUE), 1);
    tl_ops_free(&o);
}

/* What does not make a multi-line string, and how a bad one ends. */
static void reader_multiline_bad(void **state)
{
    (void)state;
    struct tl_ops o;
    /* a backslash before the line break: no continuation (reg-cases
     * no-continuation-for-dword-or-string); the next line is ignored */
    static const char bs[] = "REGEDIT4\n[HKEY_USERS\\k]\n\"a\"=\"x \\\ny\"\n";
    tl_parse(&o, bs, sizeof bs - 1, 0, NULL);
    assert_int_equal(o.st, DCS_OK);
    assert_int_equal(tl_count_kind(&o, DCS_REG_OP_SET_VALUE), 0);
    assert_warning(nth_kind(&o, DCS_REG_OP_WARNING, 0), 3, 8,
                   "invalid string data (backslash at the end of the line: strings have no "
                   "backslash continuation): value not set");
    assert_warning(nth_kind(&o, DCS_REG_OP_WARNING, 1), 4, 1,
                   "line ignored: it does not start with '[', '\"', '@', ';' or '#'");
    tl_ops_free(&o);
    /* end of file inside the string: the value is not set */
    static const char eof[] = "REGEDIT4\n[HKEY_USERS\\k]\n\"a\"=\"x\n\ny";
    tl_parse(&o, eof, sizeof eof - 1, 0, NULL);
    assert_int_equal(o.st, DCS_OK);
    assert_int_equal(tl_count_kind(&o, DCS_REG_OP_SET_VALUE), 0);
    assert_int_equal(o.warnings, 2);
    assert_warning(nth_kind(&o, DCS_REG_OP_WARNING, 1), 5, 1,
                   "end of file inside the multi-line string of value 'a' (missing closing "
                   "quote): value not set");
    tl_ops_free(&o);
    /* \0 on a continuation line: value dropped, the line consumed; the
     * next line is read normally */
    static const char nul[] = "REGEDIT4\n[HKEY_USERS\\k]\n@=\"x\n\\0\"\n\"b\"=\"ok\"\n";
    tl_parse(&o, nul, sizeof nul - 1, 0, NULL);
    assert_int_equal(o.st, DCS_OK);
    assert_int_equal(tl_count_kind(&o, DCS_REG_OP_SET_VALUE), 1);
    assert_sz(nth_kind(&o, DCS_REG_OP_SET_VALUE, 0), "b", "ok", 5, 1);
    assert_warning(nth_kind(&o, DCS_REG_OP_WARNING, 0), 3, 3, OPEN_MSG("@"));
    assert_warning(nth_kind(&o, DCS_REG_OP_WARNING, 1), 4, 1,
                   "invalid string data ('\\0' is not allowed in a quoted string) in the "
                   "multi-line string of value '@': value not set");
    tl_ops_free(&o);
    /* no key open: the string is read and dropped; the line that ends it
     * with text after the quote is read again (and is bad itself) */
    static const char nokey[] = "REGEDIT4\n\"a\"=\"x\n\"b\"=\"y\"\"\n";
    tl_parse(&o, nokey, sizeof nokey - 1, 0, NULL);
    assert_int_equal(o.st, DCS_OK);
    assert_int_equal(tl_count_kind(&o, DCS_REG_OP_SET_VALUE), 0);
    assert_int_equal(o.warnings, 5);
    assert_warning(nth_kind(&o, DCS_REG_OP_WARNING, 4), 3, 8,
                   "text after the closing quote (only ';' comments may follow): value 'b' "
                   "not set");
    assert_warning(nth_kind(&o, DCS_REG_OP_WARNING, 2), 3, 2,
                   "text after the closing quote of the multi-line string of value 'a' (only "
                   "';' comments may follow): value not set, this line read again");
    tl_ops_free(&o);
    /* The line that ends the string is read again as a key line after four
     * diagnostics of its own (NUL, two unknown escapes, text after the
     * quote).  Diagnostics once filled the per-line queue so that the
     * key's creation was dropped while the key stayed open: the next
     * value named a key never created (fuzz_reg_roundtrip; regconv
     * crashed on it).  Surplus diagnostics may be dropped, operations
     * never. */
    static const char crowd[] = "REGEDIT4\n\"\"=\"\n[HKEY_CURRENT_USER\\]\\W\"\x0e\0\n\"\"=\"\"";
    tl_parse(&o, crowd, sizeof crowd - 1, 0, NULL);
    assert_int_equal(o.st, DCS_OK);
    assert_int_equal(o.warnings, 6);
    assert_int_equal(tl_count_kind(&o, DCS_REG_OP_CREATE_KEY), 1);
    assert_int_equal(tl_count_kind(&o, DCS_REG_OP_SET_VALUE), 1);
    size_t ck = 0, sv = 0;
    for (size_t i = 0; i < o.n; i++) {
        ck = o.v[i].kind == DCS_REG_OP_CREATE_KEY ? i : ck;
        sv = o.v[i].kind == DCS_REG_OP_SET_VALUE ? i : sv;
    }
    assert_true(ck < sv);
    assert_string_equal(nth_kind(&o, DCS_REG_OP_CREATE_KEY, 0)->key, "HKEY_CURRENT_USER");
    assert_sz(nth_kind(&o, DCS_REG_OP_SET_VALUE, 0), "", "", 4, 1);
    tl_ops_free(&o);
    /* the value limit holds over many lines */
    struct dcs_reg_reader_options small = {.max_value = 1000};
    char *t = malloc(20000);
    size_t m = (size_t)sprintf(t, "REGEDIT4\n[HKEY_USERS\\k]\n\"a\"=\"\n");
    for (int i = 0; i < 200; i++)
        m += (size_t)sprintf(t + m, "0123456789\n");
    tl_parse(&o, t, m, 0, &small);
    assert_int_equal(o.st, DCS_ERR_LIMIT);
    assert_int_equal(o.err.line, 49);
    assert_string_equal(o.err.message, "string value larger than 1000 bytes");
    tl_ops_free(&o);
    free(t);
}

/* ---- writer ---- */

static uint8_t *write_value(const struct dcs_reg_writer_options *wo, const char *name,
                            const void *data, size_t len, size_t *outlen)
{
    struct dcs_reg_membuf mb = {.grow = true};
    struct dcs_reg_writer *w;
    struct dcs_error err;
    assert_int_equal(dcs_reg_writer_new(wo, dcs_reg_membuf_write, &mb, &w, &err), DCS_OK);
    assert_int_equal(dcs_reg_writer_key(w, "HKEY_USERS\\k", 12, &err), DCS_OK);
    assert_int_equal(dcs_reg_writer_value(w, name, strlen(name), DCS_REG_SZ, data, len, &err),
                     DCS_OK);
    assert_int_equal(dcs_reg_writer_finish(w, &err), DCS_OK);
    dcs_reg_writer_free(w);
    *outlen = mb.len;
    return mb.buf;
}

/* Line breaks in REG_SZ data go out raw in every encoding; in value names
 * they are escaped. */
static void writer_raw_line_breaks(void **state)
{
    (void)state;
    /* "a\r\nb\nc\r" + é */
    static const uint8_t d[] = {'a', 0, '\r', 0, '\n', 0, 'b', 0, '\n', 0, 'c',
                                0,   '\r', 0, 0xE9, 0, 0, 0};
    struct dcs_reg_writer_options w8 = {DCS_REG_FORMAT_REGEDIT5, DCS_REG_OUT_UTF8};
    size_t n;
    uint8_t *out = write_value(&w8, "n\r\n\"", d, sizeof d, &n);
    static const char want8[] = "Windows Registry Editor Version 5.00\r\n\r\n[HKEY_USERS\\k]\r\n"
                                "\"n\\r\\n\\\"\"=\"a\r\nb\nc\r\xC3\xA9\"\r\n\r\n";
    assert_int_equal(n, sizeof want8 - 1);
    assert_memory_equal(out, want8, n);
    free(out);
    struct dcs_reg_writer_options w4 = {DCS_REG_FORMAT_REGEDIT4, DCS_REG_OUT_ANSI};
    out = write_value(&w4, "v", d, sizeof d, &n);
    static const char want4[] = "REGEDIT4\r\n\r\n[HKEY_USERS\\k]\r\n\"v\"=\"a\r\nb\nc\r\xE9\"\r\n\r\n";
    assert_int_equal(n, sizeof want4 - 1);
    assert_memory_equal(out, want4, n);
    free(out);
    out = write_value(NULL, "v", d, sizeof d, &n);
    size_t wl;
    uint8_t *want16 = utf16_file("Windows Registry Editor Version 5.00\r\n\r\n[HKEY_USERS\\k]\r\n"
                                 "\"v\"=\"a\r\nb\nc\r\xC3\xA9\"\r\n\r\n",
                                 strlen("Windows Registry Editor Version 5.00\r\n\r\n"
                                        "[HKEY_USERS\\k]\r\n\"v\"=\"a\r\nb\nc\r\xC3\xA9\"\r\n\r\n"),
                                 &wl);
    assert_int_equal(n, wl);
    assert_memory_equal(out, want16, n);
    /* and it reads back to the same data, in every chunking */
    struct tl_ops o;
    tl_parse(&o, out, n, 3, NULL);
    assert_int_equal(o.st, DCS_OK);
    assert_int_equal(o.warnings, 1);
    const struct tl_op *v = nth_kind(&o, DCS_REG_OP_SET_VALUE, 0);
    assert_int_equal(v->len, sizeof d);
    assert_memory_equal(v->data, d, sizeof d);
    tl_ops_free(&o);
    free(want16);
    free(out);
}

struct warnings {
    int n;
    struct dcs_error last;
};

static void keep_warning(void *ctx, const struct dcs_error *w)
{
    struct warnings *ws = ctx;
    ws->n++;
    ws->last = *w;
}

/* Key names holding a NUL or a line break are written as they are, with a
 * warning naming the key (shown with \0, \r, \n) and where its line starts. */
static void writer_key_warning(void **state)
{
    (void)state;
    struct dcs_reg_membuf mb = {.grow = true};
    struct dcs_reg_writer *w;
    struct dcs_error err;
    struct warnings ws = {0};
    assert_int_equal(dcs_reg_writer_new(NULL, dcs_reg_membuf_write, &mb, &w, &err), DCS_OK);
    dcs_reg_writer_set_warn(w, keep_warning, &ws);
    assert_int_equal(dcs_reg_writer_key(w, "HKEY_USERS\\ok", 13, &err), DCS_OK);
    assert_int_equal(ws.n, 0);
    assert_int_equal(dcs_reg_writer_key(w, "HKEY_USERS\\a\nb\r", 15, &err), DCS_OK);
    assert_int_equal(ws.n, 1);
    assert_int_equal(ws.last.code, DCS_ERR_REG_SYNTAX);
    /* BOM + header line (38 units) + CRLF [HKEY_USERS\ok] CRLF (19) + CRLF */
    assert_int_equal(ws.last.offset, 2 + 2 * (38 + 19 + 2));
    assert_string_equal(ws.last.message,
                        "key name holds a line break, written as it is: regedit cannot import "
                        "this key back (its key line is cut there): HKEY_USERS\\a\\nb\\r");
    assert_int_equal(dcs_reg_writer_delete_key(w, "HKEY_USERS\\n\0ul", 15, &err), DCS_OK);
    assert_int_equal(ws.n, 2);
    assert_string_equal(ws.last.message,
                        "key name holds a NUL character, written as it is: regedit cannot "
                        "import this key back (its key line is cut there): HKEY_USERS\\n\\0ul");
    /* a long name is cut in the message between UTF-8 characters */
    char key[400];
    size_t k = (size_t)sprintf(key, "HKEY_USERS\\\n");
    while (k < 390) {
        memcpy(key + k, "\xE2\x82\xAC", 3);
        k += 3;
    }
    assert_int_equal(dcs_reg_writer_key(w, key, k, &err), DCS_OK);
    assert_int_equal(ws.n, 3);
    const char *shown = strstr(ws.last.message, "HKEY_USERS\\\\n");
    assert_non_null(shown);
    size_t sl = strlen(shown);
    assert_true(sl > 100 && sl <= 108);
    assert_string_equal(shown + sl - 6, "\xE2\x82\xAC...");
    assert_int_equal(dcs_reg_writer_finish(w, &err), DCS_OK);
    /* the keys are in the output as given */
    static const uint8_t raw[] = {'a', 0, '\n', 0, 'b', 0, '\r', 0, ']', 0};
    bool found = false;
    for (size_t i = 0; i + sizeof raw <= mb.len && !found; i++)
        found = memcmp(mb.buf + i, raw, sizeof raw) == 0;
    assert_true(found);
    dcs_reg_writer_free(w);
    free(mb.buf);
}

/* ---- conversion ---- */

static dcs_status mb_rewind(void *ctx, struct dcs_error *err)
{
    (void)err;
    ((struct dcs_reg_membuf *)ctx)->len = 0;
    return DCS_OK;
}

static void count_warning(void *ctx, const struct dcs_error *w)
{
    (void)w;
    (*(int *)ctx)++;
}

/* The regedit-layout file with three multi-line values converts to itself
 * byte for byte, streamed, with one warning each. */
static void convert_multiline_fixture(void **state)
{
    (void)state;
    char path[1024];
    snprintf(path, sizeof path, "%s/tests/data/reg-layout/multiline-regsz.reg",
             getenv("DCS_SOURCE_ROOT") ? getenv("DCS_SOURCE_ROOT") : ".");
    size_t len;
    uint8_t *data = tl_read_file(path, &len);
    assert_non_null(data);
    for (size_t chunk = 1; chunk <= 4096; chunk *= 4) {
        struct dcs_reg_source *src;
        struct dcs_error err;
        assert_int_equal(dcs_reg_source_open_mem(data, len, chunk, &src, &err), DCS_OK);
        struct dcs_reg_membuf mb = {.grow = true};
        struct dcs_reg_output out = {dcs_reg_membuf_write, mb_rewind, &mb};
        int warnings = 0;
        struct dcs_reg_convert_options opt = {.on_warning = count_warning,
                                              .warning_ctx = &warnings};
        struct dcs_reg_convert_stats cs;
        assert_int_equal(dcs_reg_convert(src, &out, &opt, &cs, &err), DCS_OK);
        dcs_reg_source_close(src);
        assert_true(cs.streamed);
        assert_int_equal(warnings, 3);
        assert_int_equal(cs.keys, 2);
        assert_int_equal(cs.values, 6);
        assert_int_equal(mb.len, len);
        assert_memory_equal(mb.buf, data, len);
        free(mb.buf);
    }
    free(data);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(reader_multiline_forms),
        cmocka_unit_test(reader_multiline_8bit),
        cmocka_unit_test(reader_multiline_strict),
        cmocka_unit_test(reader_multiline_bad),
        cmocka_unit_test(writer_raw_line_breaks),
        cmocka_unit_test(writer_key_warning),
        cmocka_unit_test(convert_multiline_fixture),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
