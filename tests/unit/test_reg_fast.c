/* .reg reader: the edges of its fast paths (line ends found a block at a
 * time, CR LF taken in one step, hex runs decoded eight groups at a time,
 * quoted text copied a run at a time).  Each case states the result it must
 * give, computed here independently of the reader, and is also read in
 * small chunks, which takes the slow paths (lines assembled in the carry, a
 * CR LF pair split between chunks), and must give the same operations. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "reg_testlib.h"
#include <dcs/regread.h>
#include "core/text.h"

/* ---- building UTF-16LE files ---- */

struct u16buf {
    uint8_t *p;
    size_t len, cap;
};

static void put_bytes(struct u16buf *b, const void *d, size_t n)
{
    if (b->len + n > b->cap) {
        b->cap = (b->len + n) * 2 + 64;
        b->p = realloc(b->p, b->cap);
        assert_non_null(b->p);
    }
    memcpy(b->p + b->len, d, n);
    b->len += n;
}

static void put_unit(struct u16buf *b, unsigned u)
{
    uint8_t d[2] = {(uint8_t)u, (uint8_t)(u >> 8)};
    put_bytes(b, d, 2);
}

/* UTF-8 text as UTF-16LE units */
static void put(struct u16buf *b, const char *utf8)
{
    size_t n = strlen(utf8);
    uint8_t *t = malloc(2 * n + 2);
    size_t u = dcsi_utf8_to_utf16le(utf8, n, t, NULL);
    assert_int_not_equal(u, SIZE_MAX);
    put_bytes(b, t, 2 * u);
    free(t);
}

static void start(struct u16buf *b)
{
    memset(b, 0, sizeof *b);
    put_unit(b, 0xFEFF);
    put(b, "Windows Registry Editor Version 5.00\r\n[HKEY_CURRENT_USER\\T]\r\n");
}

/* Parse whole, then in chunks of 1, 2, 3, 5 and 7 bytes: all the same.
 * The whole-buffer parse is left in *o (an exact copy of the file, so that
 * a read past its end is a read past the allocation). */
static void parse_all_ways(struct tl_ops *o, const struct u16buf *b)
{
    uint8_t *exact = malloc(b->len ? b->len : 1);
    memcpy(exact, b->p, b->len);
    tl_parse(o, exact, b->len, 0, NULL);
    static const size_t chunks[] = {1, 2, 3, 5, 7};
    for (size_t c = 0; c < sizeof chunks / sizeof chunks[0]; c++) {
        struct tl_ops part;
        tl_parse(&part, exact, b->len, chunks[c], NULL);
        assert_true(tl_ops_equal(o, &part));
        for (size_t i = 0; i < o->n; i++)
            if (o->v[i].wmsg)
                assert_string_equal(o->v[i].wmsg, part.v[i].wmsg);
        tl_ops_free(&part);
    }
    free(exact);
}

static uint32_t lcg(uint32_t *s)
{
    *s = *s * 1103515245u + 12345u;
    return *s >> 16;
}

/* ---- hex runs ---- */

/* "v"=hex:<bytes> for every length 0..70, with leading blanks that move the
 * run against the 24-unit blocks, upper and lower case, wrapped with ",\"
 * at varying places (CR LF or LF), with or without a trailing comma, the
 * last line ending at the end of the file or not: the bytes come back. */
static void hex_runs_decode(void **state)
{
    (void)state;
    uint32_t seed = 15;
    for (size_t len = 0; len <= 70; len++) {
        struct u16buf b;
        start(&b);
        uint8_t want[70];
        size_t pad = len % 4, wrap = 5 + len % 23;
        for (size_t k = 0; k < pad; k++)
            put(&b, " ");
        put(&b, "\"v\"=hex:");
        for (size_t k = 0; k < len; k++) {
            want[k] = (uint8_t)lcg(&seed);
            char g[4];
            snprintf(g, sizeof g, (len + k) % 3 ? "%02x" : "%02X", want[k]);
            put(&b, g);
            if (k + 1 < len || len % 2)
                put(&b, ",");
            if (k + 1 < len && k % wrap == wrap - 1)
                put(&b, len % 5 ? "\\\r\n  " : "\\\n\t");
        }
        if (len % 3)
            put(&b, "\r\n");
        struct tl_ops o;
        parse_all_ways(&o, &b);
        assert_int_equal(o.st, DCS_OK);
        assert_int_equal(o.warnings, 0);
        const struct tl_op *v = tl_nth_kind(&o, DCS_REG_OP_SET_VALUE, 0);
        assert_non_null(v);
        assert_int_equal(v->type, DCS_REG_BINARY);
        assert_int_equal(v->len, len);
        if (len)
            assert_memory_equal(v->data, want, len);
        tl_ops_free(&o);
        free(b.p);
    }
}

/* One unit of a 30-group run replaced by something that is neither a hex
 * digit nor in its place a comma (among them units above 0xFF whose low
 * byte is a digit or a comma, which a narrowing fast path could mistake):
 * the value is not set and the warning points at that unit. */
static void hex_runs_reject(void **state)
{
    (void)state;
    static const unsigned bad[] = {'g', 0x0141 /* low byte 'A' */, 0x0130 /* '0' */,
                                   0x012C /* ',' */, 0xFF10, 0xFF, 'x'};
    for (size_t pos = 0; pos < 90; pos++) {
        unsigned u = bad[pos % (sizeof bad / sizeof bad[0])];
        struct u16buf b;
        start(&b);
        put(&b, "\"v\"=hex:"); /* the run starts at column 9 */
        for (size_t k = 0; k < 90; k++) {
            if (k == pos)
                put_unit(&b, u);
            else
                put_unit(&b, k % 3 == 2 ? ',' : "0123456789abcdef"[(k * 7) % 16]);
        }
        put(&b, "00\r\n\"w\"=dword:1\r\n");
        struct tl_ops o;
        parse_all_ways(&o, &b);
        assert_int_equal(o.st, DCS_OK);
        assert_int_equal(tl_count_kind(&o, DCS_REG_OP_SET_VALUE), 1); /* only "w" */
        const struct tl_op *w = tl_nth_kind(&o, DCS_REG_OP_WARNING, 0);
        assert_non_null(w);
        assert_int_equal(w->line, 3);
        assert_int_equal(w->column, 9 + pos);
        assert_string_equal(w->wmsg, "invalid hex data: value 'v' not set");
        tl_ops_free(&o);
        free(b.p);
    }
}

/* Groups that are not "xx," inside long runs: one digit, three digits with
 * a leading zero (one byte), blanks after a comma; a three-digit group over
 * 0xFF is refused at its third digit. */
static void hex_runs_irregular(void **state)
{
    (void)state;
    struct u16buf b;
    start(&b);
    put(&b, "\"a\"=hex:00,01,02,03,04,05,06,07,8,09,0a,0b,0c,0d,0e,0f,10,11,12,13,14,15,16,17,"
            "18,19,1a,1b,1c,1d,1e,1f\r\n");
    put(&b, "\"b\"=hex:00,01,02,03,04,05,06,07,08,09,0a,0b,0c,0d,0e,0f,010,11,12,13,14,15,16,"
            "17, 18,\t19,1a,1b,1c,1d,1e,1f\r\n");
    put(&b, "\"c\"=hex:00,01,02,03,04,05,06,07,08,09,0a,0b,0c,0d,0e,0f,10,11,12,13,14,15,16,"
            "17,180,19\r\n");
    struct tl_ops o;
    parse_all_ways(&o, &b);
    assert_int_equal(o.st, DCS_OK);
    assert_int_equal(tl_count_kind(&o, DCS_REG_OP_SET_VALUE), 2);
    for (size_t k = 0; k < 2; k++) {
        const struct tl_op *v = tl_nth_kind(&o, DCS_REG_OP_SET_VALUE, k);
        assert_int_equal(v->len, 32);
        for (size_t j = 0; j < 32; j++)
            assert_int_equal(v->data[j], j);
    }
    const struct tl_op *w = tl_nth_kind(&o, DCS_REG_OP_WARNING, 0);
    assert_non_null(w);
    assert_int_equal(w->line, 5);
    assert_int_equal(w->column, 9 + 24 * 3 + 2); /* the '0' of "180" */
    tl_ops_free(&o);
    free(b.p);
}

/* ---- line ends ---- */

/* String data of every length 0..40 holding control units that are not
 * line ends (TAB, 0x01, 0x0B, 0x0C: a block filter flags them too) and a
 * surrogate pair that straddles the 8- and 16-unit blocks at some lengths,
 * ended by CR LF, LF, a lone CR, or the end of the file. */
static void line_ends_and_controls(void **state)
{
    (void)state;
    static const unsigned fill[] = {'a', 0x09, 0x01, 0x0B, 0x0C, 0xD83D, 0xDE00, 'z'};
    static const char *const ends[] = {"\r\n", "\n", "\r", ""};
    for (size_t len = 0; len <= 40; len++) {
        struct u16buf b;
        start(&b);
        const char *end = ends[len % 4];
        put(&b, "\"s\"=\"");
        uint16_t want[42];
        for (size_t k = 0; k < len; k++) {
            unsigned u = fill[(k + len) % 8];
            if (u == 0xDE00 && k == 0)
                u = 'q'; /* keep pairs whole */
            if (u == 0xD83D && k + 1 == len)
                u = 'q';
            want[k] = (uint16_t)u;
            put_unit(&b, u);
        }
        want[len] = 0;
        put(&b, "\"");
        put(&b, end);
        if (*end)
            put(&b, "\"t\"=dword:2");
        struct tl_ops o;
        parse_all_ways(&o, &b);
        assert_int_equal(o.st, DCS_OK);
        assert_int_equal(o.warnings, 0);
        assert_int_equal(tl_count_kind(&o, DCS_REG_OP_SET_VALUE), *end ? 2 : 1);
        const struct tl_op *v = tl_nth_kind(&o, DCS_REG_OP_SET_VALUE, 0);
        assert_int_equal(v->type, DCS_REG_SZ);
        assert_int_equal(v->len, 2 * len + 2);
        uint8_t wb[84];
        for (size_t k = 0; k <= len; k++)
            wb[2 * k] = (uint8_t)want[k], wb[2 * k + 1] = (uint8_t)(want[k] >> 8);
        assert_memory_equal(v->data, wb, v->len);
        if (*end)
            assert_int_equal(tl_nth_kind(&o, DCS_REG_OP_SET_VALUE, 1)->line, 4);
        tl_ops_free(&o);
        free(b.p);
    }
}

/* A NUL after control units that flag the same block: the line is cut at
 * the NUL, whose column the warning gives; CR CR LF is two lines. */
static void nul_after_controls(void **state)
{
    (void)state;
    for (size_t at = 0; at < 40; at++) {
        struct u16buf b;
        start(&b);
        put(&b, "\"s\"=\"");
        for (size_t k = 0; k < at; k++)
            put_unit(&b, k % 5 == 4 ? 0x09 : 'a');
        put(&b, "\"");
        put_unit(&b, 0);
        put(&b, "junk\r\r\n\"t\"=dword:2\r\n");
        struct tl_ops o;
        parse_all_ways(&o, &b);
        assert_int_equal(o.st, DCS_OK);
        const struct tl_op *w = tl_nth_kind(&o, DCS_REG_OP_WARNING, 0);
        assert_non_null(w);
        assert_int_equal(w->line, 3);
        assert_int_equal(w->column, 5 + at + 2);
        assert_int_equal(tl_count_kind(&o, DCS_REG_OP_SET_VALUE), 2);
        assert_int_equal(tl_nth_kind(&o, DCS_REG_OP_SET_VALUE, 0)->len, 2 * at + 2);
        assert_int_equal(tl_nth_kind(&o, DCS_REG_OP_SET_VALUE, 1)->line, 5);
        tl_ops_free(&o);
        free(b.p);
    }
}

/* A multi-line string keeps each line break as written: CR LF taken in one
 * step must still put both units in the data, a lone CR or LF one. */
static void multiline_breaks_kept(void **state)
{
    (void)state;
    struct u16buf b;
    start(&b);
    put(&b, "\"m\"=\"a\r\nb\nc\rd\r\n\r\ne\"\r\n\"t\"=dword:2\r\n");
    struct tl_ops o;
    parse_all_ways(&o, &b);
    assert_int_equal(o.st, DCS_OK);
    const struct tl_op *v = tl_nth_kind(&o, DCS_REG_OP_SET_VALUE, 0);
    assert_non_null(v);
    const char *want = "a\r\nb\nc\rd\r\n\r\ne";
    assert_int_equal(v->len, 2 * strlen(want) + 2);
    for (size_t k = 0; k <= strlen(want); k++) {
        assert_int_equal(v->data[2 * k], (uint8_t)want[k]);
        assert_int_equal(v->data[2 * k + 1], 0);
    }
    assert_int_equal(tl_nth_kind(&o, DCS_REG_OP_SET_VALUE, 1)->line, 9);
    tl_ops_free(&o);
    free(b.p);
}

/* The value limit reached by the LF of a CR LF inside a multi-line
 * string: the failure is the same whether the LF is taken in one step
 * with its CR or not (the chunked reads split the pair). */
static void multiline_limit_at_lf(void **state)
{
    (void)state;
    struct u16buf b;
    start(&b);
    put(&b, "\"m\"=\"abcdefg\r\nh\"\r\n");
    /* 7 units (14 bytes + 2 for the NUL) and CR fit in 16 + 2; the LF does not */
    size_t lf = 0;
    for (size_t i = 2; i + 5 < b.len; i += 2)
        if (memcmp(b.p + i, "g\0\r\0\n\0", 6) == 0)
            lf = i + 4;
    /* the LF's step reports the failure where the next line starts */
    struct dcs_reg_reader_options opt = {.max_value = 16};
    for (size_t chunk = 0; chunk < 16; chunk++) {
        struct tl_ops o;
        tl_parse(&o, b.p, b.len, chunk, &opt);
        assert_int_equal(o.st, DCS_ERR_LIMIT);
        assert_int_equal(o.err.line, 3);
        assert_int_equal(o.err.column, 1);
        assert_int_equal(o.err.offset, lf + 2);
        tl_ops_free(&o);
    }
    free(b.p);
}

/* An odd number of bytes: the last line ends inside a unit. */
static void odd_byte_count(void **state)
{
    (void)state;
    for (size_t len = 0; len < 20; len++) {
        struct u16buf b;
        start(&b);
        put(&b, "\"v\"=hex:");
        for (size_t k = 0; k < len; k++)
            put(&b, k + 1 < len ? "5a," : "5a");
        uint8_t odd = 'x';
        put_bytes(&b, &odd, 1);
        struct tl_ops o;
        parse_all_ways(&o, &b);
        assert_int_equal(o.st, DCS_OK);
        const struct tl_op *w = tl_nth_kind(&o, DCS_REG_OP_WARNING, 0);
        assert_non_null(w);
        assert_int_equal(w->wcode, DCS_ERR_REG_ENCODING);
        assert_int_equal(w->line, 3);
        assert_int_equal(w->column, 9 + (len ? 3 * len - 1 : 0));
        const struct tl_op *v = tl_nth_kind(&o, DCS_REG_OP_SET_VALUE, 0);
        assert_non_null(v);
        assert_int_equal(v->len, len);
        tl_ops_free(&o);
        free(b.p);
    }
}

/* ---- quoted text ---- */

/* Names and data with a quote or backslash escape at every place around
 * the 8-unit blocks, and non-BMP characters next to them. */
static void escapes_at_every_place(void **state)
{
    (void)state;
    for (size_t at = 0; at < 24; at++) {
        struct u16buf b;
        start(&b);
        char name[64], data[64], want[64];
        size_t w = 0;
        for (size_t k = 0; k < 20; k++) {
            if (k == at)
                want[w++] = '"';
            want[w++] = (char)('A' + k);
        }
        want[w] = 0;
        /* the same text escaped: \" at `at`, and \\ three further on */
        size_t d = 0;
        for (size_t k = 0; want[k]; k++) {
            if (want[k] == '"' || k == at + 3)
                data[d++] = '\\';
            data[d++] = k == at + 3 ? '\\' : want[k];
            if (k == at + 3)
                want[k] = '\\';
        }
        data[d] = 0;
        snprintf(name, sizeof name, "%s", data);
        put(&b, "\"");
        put(&b, name);
        put(&b, "\xF0\x9F\x98\x80\"=\"");
        put(&b, data);
        put(&b, "\xF0\x9F\x98\x80\"\r\n");
        struct tl_ops o;
        parse_all_ways(&o, &b);
        assert_int_equal(o.st, DCS_OK);
        assert_int_equal(o.warnings, 0);
        const struct tl_op *v = tl_nth_kind(&o, DCS_REG_OP_SET_VALUE, 0);
        assert_non_null(v);
        char wname[80];
        snprintf(wname, sizeof wname, "%s\xF0\x9F\x98\x80", want);
        assert_string_equal(v->name, wname);
        size_t n = strlen(want);
        assert_int_equal(v->len, 2 * n + 6);
        for (size_t k = 0; k < n; k++)
            assert_int_equal(v->data[2 * k] | v->data[2 * k + 1] << 8, (uint8_t)want[k]);
        assert_int_equal(v->data[2 * n] | v->data[2 * n + 1] << 8, 0xD83D);
        assert_int_equal(v->data[2 * n + 2] | v->data[2 * n + 3] << 8, 0xDE00);
        tl_ops_free(&o);
        free(b.p);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(hex_runs_decode),        cmocka_unit_test(hex_runs_reject),
        cmocka_unit_test(hex_runs_irregular),     cmocka_unit_test(line_ends_and_controls),
        cmocka_unit_test(nul_after_controls),     cmocka_unit_test(multiline_breaks_kept),
        cmocka_unit_test(odd_byte_count),         cmocka_unit_test(escapes_at_every_place),
        cmocka_unit_test(multiline_limit_at_lf),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
