/* .reg reader, writer and text codec: unit tests and bad input. */
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
#include <dcs/regwrite.h>
#include "core/text.h"

/* ---- helpers ---- */

/* UTF-8 text -> FF FE + UTF-16LE */
static uint8_t *utf16_file(const char *text, size_t *len)
{
    size_t n = strlen(text);
    uint8_t *b = malloc(2 * n + 4);
    b[0] = 0xFF;
    b[1] = 0xFE;
    size_t u = dcsi_utf8_to_utf16le(text, n, b + 2, NULL);
    assert_int_not_equal(u, SIZE_MAX);
    *len = 2 + 2 * u;
    return b;
}

static void parse_text(struct tl_ops *o, const char *text, const struct dcs_reg_reader_options *opt)
{
    tl_parse(o, text, strlen(text), 0, opt);
}

static void assert_data(const struct tl_op *op, const char *hex)
{
    size_t n;
    uint8_t *want = tl_unhex(hex, &n);
    assert_non_null(op);
    assert_int_equal(op->len, n);
    assert_memory_equal(op->data, want, n);
    free(want);
}

#define HDR "Windows Registry Editor Version 5.00\r\n\r\n[HKEY_CURRENT_USER\\T]\r\n"

/* ---- text codec ---- */

static void text_utf16_utf8(void **state)
{
    (void)state;
    /* "aé€😀" + lone high + lone low surrogate */
    const uint8_t u16[] = {'a', 0, 0xE9, 0, 0xAC, 0x20, 0x3D, 0xD8, 0x00, 0xDE,
                           0x00, 0xD8, 'x', 0, 0x00, 0xDC};
    char out[64];
    size_t n = dcsi_utf16le_to_utf8(u16, 8, out);
    const char want[] = "a\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80\xED\xA0\x80x\xED\xB0\x80";
    assert_int_equal(n, sizeof want - 1);
    assert_memory_equal(out, want, n);
    uint8_t back[64];
    assert_int_equal(dcsi_utf8_to_utf16le(out, n, back, NULL), 8);
    assert_memory_equal(back, u16, sizeof u16);
    /* strict validation refuses the surrogate forms and bad sequences */
    size_t bad = 99;
    assert_false(dcsi_utf8_valid(out, n, &bad));
    assert_int_equal(bad, 10);
    assert_false(dcsi_utf8_valid("ab\xC0\x80", 4, &bad)); /* overlong */
    assert_int_equal(bad, 2);
    assert_false(dcsi_utf8_valid("\xE2\x82", 2, &bad)); /* truncated */
    assert_true(dcsi_utf8_valid("plain ascii text, long enough", 29, NULL));
    assert_int_equal(dcsi_utf8_to_utf16le("a\xFF", 2, back, &bad), SIZE_MAX);
    assert_int_equal(bad, 1);
    size_t rep = 0;
    assert_int_equal(dcsi_utf8_to_utf16le_lossy("a\xFF" "b", 3, back, &rep), 3);
    assert_int_equal(rep, 1);
    assert_int_equal(dcs_ld16le(back + 2), 0xFFFD);
}

static void text_cp1252(void **state)
{
    (void)state;
    const uint8_t in[] = {'A', 0x80, 0x81, 0x9F, 0xE9, 0xFF};
    uint8_t u[12];
    assert_int_equal(dcsi_cp1252_to_utf16le(in, 6, u), 6);
    assert_int_equal(dcs_ld16le(u + 2), 0x20AC);
    assert_int_equal(dcs_ld16le(u + 4), 0x0081);
    assert_int_equal(dcs_ld16le(u + 6), 0x0178);
    assert_int_equal(dcs_ld16le(u + 8), 0x00E9);
    uint8_t back[8];
    size_t lossy = 0;
    assert_int_equal(dcsi_utf16le_to_cp1252(u, 6, back, &lossy), 6);
    assert_memory_equal(back, in, 6);
    assert_int_equal(lossy, 0);
    /* U+4E2D and a surrogate pair each become one '?' */
    const uint8_t cjk[] = {0x2D, 0x4E, 0x3D, 0xD8, 0x00, 0xDE, 'z', 0};
    assert_int_equal(dcsi_utf16le_to_cp1252(cjk, 4, back, &lossy), 3);
    assert_memory_equal(back, "??z", 3);
    assert_int_equal(lossy, 2);
}

static void text_name_order(void **state)
{
    (void)state;
    assert_int_equal(dcsi_text_name_cmp("Software", 8, "SOFTWARE", 8), 0);
    assert_int_equal(dcsi_text_name_cmp("\xC3\xA9t\xC3\xA9", 5, "\xC3\x89T\xC3\x89", 5), 0);
    assert_true(dcsi_text_name_cmp("Subkey1", 7, "Subkey2", 7) < 0);
    assert_true(dcsi_text_name_cmp("a", 1, "a_b", 3) < 0);
    /* '_' (5F) sorts after upper-case letters, as in the registry */
    assert_true(dcsi_text_name_cmp("a_", 2, "aZ", 2) > 0);
    /* U+1F600 (D83D DE00 in UTF-16) sorts before U+E000 */
    assert_true(dcsi_text_name_cmp("\xF0\x9F\x98\x80", 4, "\xEE\x80\x80", 3) < 0);
    assert_int_equal(dcsi_text_name_hash("abc", 3), dcsi_text_name_hash("ABC", 3));
}

/* ---- reader ---- */

static void reader_all_value_forms(void **state)
{
    (void)state;
    size_t len;
    uint8_t *f = utf16_file(HDR "\"s\"=\"a\\\\b\\\"c\"\r\n@=\"\"\r\n\"d\"=dword:1\r\n"
                                "\"h\"=hex:00,ff\r\n\"q\"=hex(b):01,00,00,00,00,00,00,00\r\n"
                                "\"e\"=hex(2):41,00\r\n\"z\"=hex(7):\r\n\"d\"=-\r\n"
                                "\"t\"=hex(ffffffff):01\r\n\"\\u00e9\\n\"=\"x\"\r\n",
                           &len);
    struct tl_ops o;
    tl_parse(&o, f, len, 0, NULL);
    assert_int_equal(o.st, DCS_OK);
    assert_int_equal(o.warnings, 1); /* the unknown escape \u */
    assert_string_equal(tl_nth_kind(&o, DCS_REG_OP_CREATE_KEY, 0)->key, "HKEY_CURRENT_USER\\T");
    const struct tl_op *v = tl_nth_kind(&o, DCS_REG_OP_SET_VALUE, 0);
    assert_string_equal(v->name, "s");
    assert_data(v, "61005c00620022006300" "0000");
    v = tl_nth_kind(&o, DCS_REG_OP_SET_VALUE, 1);
    assert_string_equal(v->name, "");
    assert_data(v, "0000");
    v = tl_nth_kind(&o, DCS_REG_OP_SET_VALUE, 2);
    assert_int_equal(v->type, DCS_REG_DWORD);
    assert_data(v, "01000000");
    assert_data(tl_nth_kind(&o, DCS_REG_OP_SET_VALUE, 3), "00ff");
    assert_int_equal(tl_nth_kind(&o, DCS_REG_OP_SET_VALUE, 4)->type, 11);
    assert_data(tl_nth_kind(&o, DCS_REG_OP_SET_VALUE, 5), "41000000");
    assert_data(tl_nth_kind(&o, DCS_REG_OP_SET_VALUE, 6), "");
    assert_string_equal(tl_nth_kind(&o, DCS_REG_OP_DELETE_VALUE, 0)->name, "d");
    assert_int_equal(tl_nth_kind(&o, DCS_REG_OP_SET_VALUE, 7)->type, 0xFFFFFFFFu);
    v = tl_nth_kind(&o, DCS_REG_OP_SET_VALUE, 8);
    assert_string_equal(v->name, "u00e9\n");
    assert_int_equal(v->line, 13);
    tl_ops_free(&o);
    free(f);
}

static void reader_chunking(void **state)
{
    (void)state;
    /* CR-only, LF and CR LF line ends, a continuation, non-BMP names */
    size_t len;
    uint8_t *f = utf16_file("Windows Registry Editor Version 5.00\r\r\n[HKEY_CURRENT_USER\\\xF0\x9F\x98\x80]\r"
                            "\"a\"=hex:01,02,\\\n  03,04\r\n\r\"\xE4\xB8\xAD\"=\"v\"\n;c\r\n",
                            &len);
    struct tl_ops whole;
    tl_parse(&whole, f, len, 0, NULL);
    assert_int_equal(whole.st, DCS_OK);
    assert_int_equal(whole.warnings, 0);
    assert_int_equal(tl_count_kind(&whole, DCS_REG_OP_SET_VALUE), 2);
    assert_data(tl_nth_kind(&whole, DCS_REG_OP_SET_VALUE, 0), "01020304");
    assert_int_equal(tl_nth_kind(&whole, DCS_REG_OP_SET_VALUE, 1)->line, 7);
    for (size_t chunk = 1; chunk < 12; chunk++) {
        struct tl_ops part;
        tl_parse(&part, f, len, chunk, NULL);
        assert_true(tl_ops_equal(&whole, &part));
        tl_ops_free(&part);
    }
    tl_ops_free(&whole);
    free(f);
}

static void reader_headers(void **state)
{
    (void)state;
    struct tl_ops o;
    /* trailing blanks after the header are accepted (see regread.h) */
    parse_text(&o, "Windows Registry Editor Version 5.00 \t\r\n[HKEY_USERS\\x]\r\n", NULL);
    assert_int_equal(o.st, DCS_OK);
    assert_int_equal(tl_count_kind(&o, DCS_REG_OP_CREATE_KEY), 1);
    tl_ops_free(&o);
    /* UTF-8 BOM: lenient mode reads the file as UTF-8 with a warning on line
     * 1 (whatever the code page; the name below is UTF-8 "é"); strict mode
     * refuses it unless reading UTF-8, which skips it silently */
    const char *bom = "\xEF\xBB\xBFREGEDIT4\r\n[HKEY_USERS\\x\xC3\xA9]\r\n";
    for (size_t chunk = 0; chunk <= 4; chunk++) {
        tl_parse(&o, bom, strlen(bom), chunk, NULL);
        assert_int_equal(o.st, DCS_OK);
        assert_int_equal(o.warnings, 1);
        const struct tl_op *w = tl_nth_kind(&o, DCS_REG_OP_WARNING, 0);
        assert_non_null(w);
        assert_int_equal(w->wcode, DCS_ERR_REG_ENCODING);
        assert_int_equal(w->line, 1);
        const struct tl_op *k = tl_nth_kind(&o, DCS_REG_OP_CREATE_KEY, 0);
        assert_non_null(k);
        assert_string_equal(k->key, "HKEY_USERS\\x\xC3\xA9");
        tl_ops_free(&o);
    }
    struct dcs_reg_reader_options strict = {.strict = true};
    parse_text(&o, bom, &strict);
    assert_int_equal(o.st, DCS_ERR_REG_HEADER);
    assert_non_null(strstr(o.err.message, "UTF-8 byte order mark"));
    tl_ops_free(&o);
    struct dcs_reg_reader_options u8 = {.codepage = DCS_REG_CP_UTF8, .strict = true};
    parse_text(&o, bom, &u8);
    assert_int_equal(o.st, DCS_OK);
    assert_int_equal(o.warnings, 0);
    tl_ops_free(&o);
    /* two bytes of the mark are not one: EF BB then text stays Windows-1252 */
    parse_text(&o, "\xEF\xBBREGEDIT4\r\n", NULL);
    assert_int_equal(o.st, DCS_ERR_REG_HEADER);
    tl_ops_free(&o);
    /* empty file, and UTF-16 without BOM */
    tl_parse(&o, "", 0, 0, NULL);
    assert_int_equal(o.st, DCS_ERR_REG_HEADER);
    tl_ops_free(&o);
    size_t len;
    uint8_t *f = utf16_file("REGEDIT4\r\n", &len);
    tl_parse(&o, f + 2, len - 2, 0, NULL);
    assert_int_equal(o.st, DCS_ERR_REG_HEADER);
    assert_non_null(strstr(o.err.message, "byte order mark"));
    assert_int_equal(o.err.line, 1);
    tl_ops_free(&o);
    free(f);
    /* fuzzy header: accepted, nothing imported, one warning */
    parse_text(&o, "REGEDIT4 FOO\n[HKEY_USERS\\x]\n\"a\"=\"b\"\n", NULL);
    assert_int_equal(o.st, DCS_OK);
    assert_int_equal(o.n, 1);
    assert_int_equal(o.v[0].kind, DCS_REG_OP_WARNING);
    tl_ops_free(&o);
}

static void reader_regedit4_ansi(void **state)
{
    (void)state;
    const char *t = "REGEDIT4\r\n[HKEY_CURRENT_USER\\caf\xE9]\r\n\"n\xE9\"=\"\x80\"\r\n"
                    "\"x\"=hex(2):e9,00\r\n\"m\"=hex(7):41,00,42\r\n";
    struct tl_ops o;
    parse_text(&o, t, NULL);
    assert_int_equal(o.st, DCS_OK);
    assert_string_equal(tl_nth_kind(&o, DCS_REG_OP_CREATE_KEY, 0)->key,
                        "HKEY_CURRENT_USER\\caf\xC3\xA9");
    const struct tl_op *v = tl_nth_kind(&o, DCS_REG_OP_SET_VALUE, 0);
    assert_string_equal(v->name, "n\xC3\xA9");
    assert_data(v, "ac200000");
    assert_data(tl_nth_kind(&o, DCS_REG_OP_SET_VALUE, 1), "e9000000");
    assert_data(tl_nth_kind(&o, DCS_REG_OP_SET_VALUE, 2), "4100000042000000");
    tl_ops_free(&o);
}

static void reader_regedit4_ansi_multi(void **state)
{
    (void)state;
    struct tl_ops o;
    parse_text(&o, "REGEDIT4\r\n[HKEY_USERS\\k]\r\n\"m\"=hex(7):41,00,42\r\n", NULL);
    assert_data(tl_nth_kind(&o, DCS_REG_OP_SET_VALUE, 0), "410000004200" "0000");
    tl_ops_free(&o);
    /* with UTF-8 as the code page */
    struct dcs_reg_reader_options u8 = {.codepage = DCS_REG_CP_UTF8};
    parse_text(&o, "REGEDIT4\r\n[HKEY_USERS\\k]\r\n\"x\"=hex(2):c3,a9\r\n\"y\"=\"\xE2\x82\xAC\"\r\n",
               &u8);
    assert_data(tl_nth_kind(&o, DCS_REG_OP_SET_VALUE, 0), "e9000000");
    assert_data(tl_nth_kind(&o, DCS_REG_OP_SET_VALUE, 1), "ac200000");
    tl_ops_free(&o);
}

static void reader_win31(void **state)
{
    (void)state;
    struct tl_ops o;
    parse_text(&o, "REGEDIT\nHKEY_CLASSES_ROOT\\.txt = txtfile \n hkey_x\n", NULL);
    assert_int_equal(o.st, DCS_OK);
    assert_string_equal(tl_nth_kind(&o, DCS_REG_OP_CREATE_KEY, 0)->key, "HKEY_CLASSES_ROOT\\.txt");
    assert_data(tl_nth_kind(&o, DCS_REG_OP_SET_VALUE, 0), "740078007400660069006c00650020000000");
    assert_int_equal(o.warnings, 1);
    tl_ops_free(&o);
}

static void reader_keys(void **state)
{
    (void)state;
    struct tl_ops o;
    parse_text(&o,
               "REGEDIT4\n[hkey_local_machine\\A\\\\]\n[HKCU\\x]\n\"v\"=\"dropped\"\n"
               "[-HKEY_USERS]\n[-HKEY_USERS\\gone]\n[HKEY_USERS\\a\\\\b]\n[HKEY_USERS\\a]b]\n",
               NULL);
    assert_int_equal(o.st, DCS_OK);
    assert_string_equal(tl_nth_kind(&o, DCS_REG_OP_CREATE_KEY, 0)->key, "HKEY_LOCAL_MACHINE\\A");
    assert_string_equal(tl_nth_kind(&o, DCS_REG_OP_DELETE_KEY, 0)->key, "HKEY_USERS\\gone");
    assert_string_equal(tl_nth_kind(&o, DCS_REG_OP_CREATE_KEY, 1)->key, "HKEY_USERS\\a]b");
    assert_null(tl_nth_kind(&o, DCS_REG_OP_SET_VALUE, 0));
    /* HKCU, the value after it, [-HKEY_USERS], the empty component */
    assert_int_equal(o.warnings, 4);
    tl_ops_free(&o);
}

static void reader_deep_and_long_names(void **state)
{
    (void)state;
    size_t cap = 8 * 1024;
    char *t = malloc(cap);
    strcpy(t, "REGEDIT4\n[HKEY_USERS");
    for (int i = 0; i < 513; i++)
        strcat(t, "\\k");
    strcat(t, "]\n\"v\"=\"x\"\n[HKEY_USERS");
    for (int i = 0; i < 512; i++)
        strcat(t, "\\k");
    strcat(t, "]\n");
    struct tl_ops o;
    parse_text(&o, t, NULL);
    assert_int_equal(o.st, DCS_OK);
    assert_int_equal(tl_count_kind(&o, DCS_REG_OP_CREATE_KEY), 1); /* 512 levels are fine */
    assert_int_equal(tl_count_kind(&o, DCS_REG_OP_SET_VALUE), 0);
    assert_int_equal(o.v[0].kind, DCS_REG_OP_WARNING);
    assert_int_equal(o.v[0].line, 2);
    tl_ops_free(&o);
    /* a 256-character component */
    snprintf(t, cap, "REGEDIT4\n[HKEY_USERS\\%0256d]\n", 0);
    parse_text(&o, t, NULL);
    assert_int_equal(tl_count_kind(&o, DCS_REG_OP_CREATE_KEY), 0);
    assert_int_equal(o.warnings, 1);
    tl_ops_free(&o);
    free(t);
}

static void reader_bad_input(void **state)
{
    (void)state;
    struct tl_ops o;
    /* unterminated string (it runs on into the next line, whose quote ends
     * it with text after it: a is dropped and that line read again);
     * hex(100000000); NUL inside a line (a string cut there does not run
     * on); \0 escape */
    const char t[] = "REGEDIT4\n[HKEY_USERS\\k]\n\"a\"=\"abc\n\"b\"=hex(100000000):01\n"
                     "\"c\"=\"x\0y\"\n\"d\"=\"x\\0\"\n\"e\"=\"ok\"\n";
    tl_parse(&o, t, sizeof t - 1, 0, NULL);
    assert_int_equal(o.st, DCS_OK);
    assert_int_equal(o.warnings, 6); /* a and c get two each */
    assert_int_equal(tl_count_kind(&o, DCS_REG_OP_SET_VALUE), 1);
    const struct tl_op *w = tl_nth_kind(&o, DCS_REG_OP_WARNING, 0);
    assert_int_equal(w->line, 3);
    assert_int_equal(w->column, 5);
    w = tl_nth_kind(&o, DCS_REG_OP_WARNING, 1);
    assert_int_equal(w->line, 4);
    assert_int_equal(w->column, 2);
    assert_string_equal(w->wmsg, "text after the closing quote of the multi-line string of value "
                                 "'a' (only ';' comments may follow): value not set, this line "
                                 "read again");
    w = tl_nth_kind(&o, DCS_REG_OP_WARNING, 2);
    assert_int_equal(w->line, 4);
    assert_int_equal(w->column, 18);
    assert_int_equal(tl_nth_kind(&o, DCS_REG_OP_WARNING, 3)->wcode, DCS_ERR_REG_ENCODING);
    assert_string_equal(tl_nth_kind(&o, DCS_REG_OP_WARNING, 4)->wmsg,
                        "invalid string data (missing closing quote): value not set");
    tl_ops_free(&o);
    /* odd byte count in a UTF-16 file: last byte ignored with a warning */
    size_t len;
    uint8_t *f = utf16_file(HDR "\"a\"=dword:2\r\n", &len);
    f[len] = 'X';
    tl_parse(&o, f, len + 1, 0, NULL);
    assert_int_equal(o.st, DCS_OK);
    assert_int_equal(tl_count_kind(&o, DCS_REG_OP_SET_VALUE), 1);
    assert_int_equal(tl_nth_kind(&o, DCS_REG_OP_WARNING, 0)->wcode, DCS_ERR_REG_ENCODING);
    tl_ops_free(&o);
    free(f);
}

static void reader_limits(void **state)
{
    (void)state;
    /* a 1 MB hex line is fine with the default limit */
    size_t n = 1 << 20;
    char *t = malloc(n + 64);
    size_t k = (size_t)sprintf(t, "REGEDIT4\n[HKEY_USERS\\k]\n\"b\"=hex:"), bytes = 1;
    while (k + 3 < n) {
        memcpy(t + k, "ab,", 3);
        k += 3;
        bytes++;
    }
    memcpy(t + k, "ab\n", 3);
    k += 3;
    struct tl_ops o;
    tl_parse(&o, t, k, 65536, NULL);
    assert_int_equal(o.st, DCS_OK);
    const struct tl_op *v = tl_nth_kind(&o, DCS_REG_OP_SET_VALUE, 0);
    assert_non_null(v);
    assert_int_equal(v->len, bytes);
    assert_int_equal(v->data[bytes - 1], 0xAB);
    tl_ops_free(&o);
    /* over the configured limits: a clear error naming the line */
    struct dcs_reg_reader_options small = {.max_line = 4096};
    tl_parse(&o, t, k, 1000, &small);
    assert_int_equal(o.st, DCS_ERR_LIMIT);
    assert_int_equal(o.err.line, 3);
    tl_ops_free(&o);
    /* a value spread over many short lines hits max_value */
    struct dcs_reg_reader_options vsmall = {.max_value = 1000};
    size_t m = (size_t)sprintf(t, "REGEDIT4\n[HKEY_USERS\\k]\n\"b\"=hex:\\\n");
    for (int i = 0; i < 200; i++)
        m += (size_t)sprintf(t + m, "  01,02,03,04,05,06,07,08,\\\n");
    tl_parse(&o, t, m, 0, &vsmall);
    assert_int_equal(o.st, DCS_ERR_LIMIT);
    tl_ops_free(&o);
    free(t);
}

static void reader_strict(void **state)
{
    (void)state;
    struct dcs_reg_reader_options strict = {.strict = true};
    struct tl_ops o;
    parse_text(&o, "REGEDIT4\n[HKEY_USERS\\k]\n\"a\"=\"x\"\n\"b\"=dword:123456789\n", &strict);
    assert_int_equal(o.st, DCS_ERR_REG_SYNTAX);
    assert_int_equal(o.err.line, 4);
    assert_int_equal(o.err.column, 19);
    assert_int_equal(tl_count_kind(&o, DCS_REG_OP_SET_VALUE), 1);
    tl_ops_free(&o);
    /* comments and blank lines are not skips */
    parse_text(&o, "REGEDIT4\n\n; c\n# c\n[HKEY_USERS\\k]\n", &strict);
    assert_int_equal(o.st, DCS_OK);
    tl_ops_free(&o);
}

static void reader_feed_misuse(void **state)
{
    (void)state;
    struct dcs_reg_reader *r;
    struct dcs_error err;
    assert_int_equal(dcs_reg_reader_new(NULL, &r, &err), DCS_OK);
    assert_int_equal(dcs_reg_reader_feed(r, "REGEDIT4\n", 9, false, &err), DCS_OK);
    assert_int_equal(dcs_reg_reader_feed(r, "x", 1, false, &err), DCS_ERR_INVALID_ARG);
    struct dcs_reg_op op;
    assert_int_equal(dcs_reg_reader_next(r, &op, &err), DCS_OK);
    assert_int_equal(op.kind, DCS_REG_OP_NEED_INPUT);
    assert_int_equal(dcs_reg_reader_feed(r, NULL, 0, true, &err), DCS_OK);
    assert_int_equal(dcs_reg_reader_next(r, &op, &err), DCS_OK);
    assert_int_equal(op.kind, DCS_REG_OP_END);
    assert_int_equal(dcs_reg_reader_feed(r, "x", 1, true, &err), DCS_ERR_INVALID_ARG);
    assert_int_equal(dcs_reg_reader_stats(r)->version, DCS_REG_VERSION_4);
    dcs_reg_reader_free(r);
}

/* ---- writer ---- */

static char *write_one(const struct dcs_reg_writer_options *opt, const char *name, uint32_t type,
                       const void *data, size_t len, uint64_t *lossy)
{
    struct dcs_reg_membuf mb = {.grow = true};
    struct dcs_reg_writer *w;
    struct dcs_error err;
    assert_int_equal(dcs_reg_writer_new(opt, dcs_reg_membuf_write, &mb, &w, &err), DCS_OK);
    assert_int_equal(dcs_reg_writer_key(w, "HKEY_USERS\\k", 12, &err), DCS_OK);
    assert_int_equal(dcs_reg_writer_value(w, name, strlen(name), type, data, len, &err), DCS_OK);
    assert_int_equal(dcs_reg_writer_finish(w, &err), DCS_OK);
    if (lossy)
        *lossy = dcs_reg_writer_lossy(w);
    dcs_reg_writer_free(w);
    /* return the value line(s) as UTF-8 text */
    char *txt = malloc(3 * mb.len + 1);
    size_t n;
    if (mb.len >= 2 && mb.buf[0] == 0xFF && mb.buf[1] == 0xFE)
        n = dcsi_utf16le_to_utf8(mb.buf + 2, (mb.len - 2) / 2, txt);
    else
        memcpy(txt, mb.buf, n = mb.len);
    txt[n] = 0;
    free(mb.buf);
    char *body = strstr(txt, "]\r\n");
    assert_non_null(body);
    memmove(txt, body + 3, strlen(body + 3) + 1);
    return txt;
}

static void writer_forms(void **state)
{
    (void)state;
    char *s;
    /* a line break in REG_SZ data is written raw, as regedit does */
    s = write_one(NULL, "", DCS_REG_SZ, "a\0\"\0\\\0\r\0\0\0z\0\0\0", 14, NULL);
    assert_string_equal(s, "@=\"a\\\"\\\\\r\"\r\n\r\n");
    free(s);
    s = write_one(NULL, "n", DCS_REG_SZ, "", 0, NULL);
    assert_string_equal(s, "\"n\"=\"\"\r\n\r\n");
    free(s);
    s = write_one(NULL, "d", DCS_REG_DWORD, "\x78\x56\x34\x12", 4, NULL);
    assert_string_equal(s, "\"d\"=dword:12345678\r\n\r\n");
    free(s);
    s = write_one(NULL, "d", DCS_REG_DWORD, "\1\0\0\0\0\0\0\0", 8, NULL);
    assert_string_equal(s, "\"d\"=hex(4):01,00,00,00,00,00,00,00\r\n\r\n");
    free(s);
    s = write_one(NULL, "q", 11, "", 0, NULL);
    assert_string_equal(s, "\"q\"=hex(b):\r\n\r\n");
    free(s);
    s = write_one(NULL, "a\"b\\", 0xABCD, "\x01", 1, NULL);
    assert_string_equal(s, "\"a\\\"b\\\\\"=hex(abcd):01\r\n\r\n");
    free(s);
}

static void writer_wrap(void **state)
{
    (void)state;
    uint8_t d[60];
    for (int i = 0; i < 60; i++)
        d[i] = (uint8_t)i;
    /* '"b"=hex:' is 8 columns: 23 bytes reach column 77, then 25 per line */
    char *s = write_one(NULL, "b", DCS_REG_BINARY, d, 60, NULL);
    char *l1 = s, *l2 = strstr(l1, "\r\n") + 2, *l3 = strstr(l2, "\r\n") + 2;
    assert_int_equal(strstr(l1, "\r\n") - l1, 78);
    assert_int_equal(strstr(l2, "\r\n") - l2, 78);
    assert_memory_equal(l2, "  17,18,", 8);
    assert_string_equal(l3, "  30,31,32,33,34,35,36,37,38,39,3a,3b\r\n\r\n");
    free(s);
    /* a name so long that the first line wraps after one byte */
    char name[80];
    memset(name, 'n', 74);
    name[74] = 0;
    s = write_one(NULL, name, DCS_REG_BINARY, d, 3, NULL);
    assert_non_null(strstr(s, "=hex:00,\\\r\n  01,02\r\n"));
    free(s);
    /* exactly full continuation line: no wrap after the last byte */
    s = write_one(NULL, "b", DCS_REG_BINARY, d, 23, NULL);
    assert_null(strchr(s, '\\'));
    free(s);
    s = write_one(NULL, "b", DCS_REG_BINARY, d, 24, NULL);
    assert_non_null(strstr(s, ",\\\r\n  17\r\n"));
    free(s);
}

static void writer_regedit4(void **state)
{
    (void)state;
    struct dcs_reg_writer_options o4 = {DCS_REG_FORMAT_REGEDIT4, DCS_REG_OUT_DEFAULT};
    uint64_t lossy;
    /* hex(2) becomes ANSI bytes: "%é€中" -> 25 e9 80 3f 00 */
    const uint8_t exp[] = {0x25, 0, 0xE9, 0, 0xAC, 0x20, 0x2D, 0x4E, 0, 0};
    char *s = write_one(&o4, "\xC3\xA9", DCS_REG_EXPAND_SZ, exp, sizeof exp, &lossy);
    assert_string_equal(s, "\"\xE9\"=hex(2):25,e9,80,3f,00\r\n\r\n");
    assert_int_equal(lossy, 1);
    free(s);
    struct dcs_reg_membuf mb = {.grow = true};
    struct dcs_reg_writer *w;
    struct dcs_error err;
    assert_int_equal(dcs_reg_writer_new(&o4, dcs_reg_membuf_write, &mb, &w, &err), DCS_OK);
    assert_int_equal(dcs_reg_writer_finish(w, &err), DCS_OK);
    assert_int_equal(mb.len, 12);
    assert_memory_equal(mb.buf, "REGEDIT4\r\n\r\n", 12);
    dcs_reg_writer_free(w);
    free(mb.buf);
    /* UTF-8 output of a regedit5 file: no BOM */
    struct dcs_reg_writer_options o8 = {DCS_REG_FORMAT_REGEDIT5, DCS_REG_OUT_UTF8};
    s = write_one(&o8, "\xF0\x9F\x98\x80", DCS_REG_SZ, "\x3D\xD8\x00\xDE\0\0", 6, NULL);
    assert_string_equal(s, "\"\xF0\x9F\x98\x80\"=\"\xF0\x9F\x98\x80\"\r\n\r\n");
    free(s);
}

static void writer_small_buffer(void **state)
{
    (void)state;
    uint8_t buf[16];
    struct dcs_reg_membuf mb = {.buf = buf, .cap = sizeof buf};
    struct dcs_reg_writer *w;
    struct dcs_error err;
    assert_int_equal(dcs_reg_writer_new(NULL, dcs_reg_membuf_write, &mb, &w, &err), DCS_OK);
    assert_int_equal(dcs_reg_writer_key(w, "HKEY_USERS\\k", 12, &err), DCS_OK);
    assert_int_equal(dcs_reg_writer_finish(w, &err), DCS_ERR_BUFFER_TOO_SMALL);
    dcs_reg_writer_free(w);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(text_utf16_utf8),
        cmocka_unit_test(text_cp1252),
        cmocka_unit_test(text_name_order),
        cmocka_unit_test(reader_all_value_forms),
        cmocka_unit_test(reader_chunking),
        cmocka_unit_test(reader_headers),
        cmocka_unit_test(reader_regedit4_ansi),
        cmocka_unit_test(reader_regedit4_ansi_multi),
        cmocka_unit_test(reader_win31),
        cmocka_unit_test(reader_keys),
        cmocka_unit_test(reader_deep_and_long_names),
        cmocka_unit_test(reader_bad_input),
        cmocka_unit_test(reader_limits),
        cmocka_unit_test(reader_strict),
        cmocka_unit_test(reader_feed_misuse),
        cmocka_unit_test(writer_forms),
        cmocka_unit_test(writer_wrap),
        cmocka_unit_test(writer_regedit4),
        cmocka_unit_test(writer_small_buffer),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
