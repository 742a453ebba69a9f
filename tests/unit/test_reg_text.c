/* Text edge cases of the .reg room: the registry's upper-case mapping,
 * invalid and truncated UTF-8, surrogates in Windows-1252 and in the
 * writer's 8-bit output, and names with bytes that are not UTF-8. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <dcs/regread.h>
#include <dcs/regwrite.h>
#include "core/text.h"

static void upcase_table(void **state)
{
    (void)state;
    static const uint32_t pairs[][2] = {
        {'a', 'A'},     {'z', 'Z'},     {'A', 'A'},     {'_', '_'},     {0xE9, 0xC9},
        {0xF7, 0xF7},   {0xFF, 0x178},  {0x101, 0x100}, {0x100, 0x100}, {0x13A, 0x139},
        {0x139, 0x139}, {0x148, 0x147}, {0x149, 0x149}, {0x14B, 0x14A}, {0x17A, 0x179},
        {0x17E, 0x17D}, {0x17F, 0x17F}, {0x3B1, 0x391}, {0x3C2, 0x3A3}, {0x3C3, 0x3A3},
        {0x3AC, 0x386}, {0x3AD, 0x388}, {0x3AF, 0x38A}, {0x3CC, 0x38C}, {0x3CD, 0x38E},
        {0x3CE, 0x38F}, {0x430, 0x410}, {0x44F, 0x42F}, {0x450, 0x400}, {0x45F, 0x40F},
        {0xFF41, 0xFF21}, {0xFF5A, 0xFF3A}, {0x4E2D, 0x4E2D}, {0x1F600, 0x1F600},
    };
    for (size_t i = 0; i < sizeof pairs / sizeof pairs[0]; i++) {
        if (dcsi_text_upcase(pairs[i][0]) != pairs[i][1])
            fail_msg("upcase(U+%04X) = U+%04X, expected U+%04X", pairs[i][0],
                     dcsi_text_upcase(pairs[i][0]), pairs[i][1]);
    }
    /* final and medial sigma name the same key; so do tonos forms */
    assert_int_equal(dcsi_text_name_cmp("\xCF\x82", 2, "\xCE\xA3", 2), 0);
    assert_int_equal(dcsi_text_name_cmp("\xCF\x82", 2, "\xCF\x83", 2), 0);
    assert_int_equal(dcsi_text_name_hash("\xCF\x82", 2), dcsi_text_name_hash("\xCE\xA3", 2));
    assert_int_equal(dcsi_text_name_cmp("\xCE\xAD", 2, "\xCE\x88", 2), 0);
}

/* A byte that is not UTF-8 in a name stands for the Latin-1 character of
 * that value, upper-cased like it: 0xFF (y with diaeresis) matches U+0178. */
static void name_with_invalid_utf8(void **state)
{
    (void)state;
    assert_int_equal(dcsi_text_name_cmp("a\xFF", 2, "A\xC5\xB8", 3), 0);
    assert_int_equal(dcsi_text_name_hash("a\xFF", 2), dcsi_text_name_hash("A\xC5\xB8", 3));
    /* 0xFE: thorn, upper-cased to U+00DE, sorts before sharp s (U+00DF) */
    assert_true(dcsi_text_name_cmp("\xFE", 1, "\xC3\x9F", 2) < 0);
}

static void utf8_edges(void **state)
{
    (void)state;
    uint32_t cp = 7;
    assert_int_equal(dcsi_utf8_decode("", 0, &cp), 0);
    assert_int_equal(cp, 7);
    /* exactly 8 and 16 ASCII bytes: the word-at-a-time loop ends the text */
    assert_true(dcsi_utf8_valid("12345678", 8, NULL));
    assert_true(dcsi_utf8_valid("0123456789abcdef", 16, NULL));
    uint8_t u[32];
    assert_int_equal(dcsi_utf8_to_utf16le("0123456789abcdef", 16, u, NULL), 16);
    assert_int_equal(dcs_ld16le(u + 30), 'f');
    /* without a place for the offset, a failure is still reported */
    assert_false(dcsi_utf8_valid("abc\x80", 4, NULL));
    assert_int_equal(dcsi_utf8_to_utf16le("abc\xC3", 4, u, NULL), SIZE_MAX);
    assert_int_equal(dcsi_utf8_to_utf16le_lossy("abc\xC3", 4, u, NULL), 4);
    assert_int_equal(dcs_ld16le(u + 6), 0xFFFD);
}

/* Surrogates that do not form a pair each become one '?'; without a
 * counter the conversion is the same. */
static void cp1252_surrogates(void **state)
{
    (void)state;
    const uint8_t in[] = {0x00, 0xD8, 'a', 0, 0x00, 0xD8, 0x00, 0xE0, 0x00, 0xDC, 0x3D, 0xD8};
    uint8_t out[8];
    size_t bad = 0;
    assert_int_equal(dcsi_utf16le_to_cp1252(in, 6, out, &bad), 6);
    assert_memory_equal(out, "?a????", 6);
    assert_int_equal(bad, 5);
    memset(out, 0, sizeof out);
    assert_int_equal(dcsi_utf16le_to_cp1252(in, 6, out, NULL), 6);
    assert_memory_equal(out, "?a????", 6);
}

static void type_names(void **state)
{
    (void)state;
    assert_string_equal(dcs_reg_type_name(DCS_REG_SZ), "REG_SZ");
    assert_string_equal(dcs_reg_type_name(DCS_REG_QWORD), "REG_QWORD");
    assert_null(dcs_reg_type_name(12));
    assert_null(dcs_reg_type_name(0xFFFFFFFFu));
}

/* ---- the writer's text ---- */

static uint8_t *write_one(const struct dcs_reg_writer_options *wo, const char *key,
                          const char *name, uint32_t type, const uint8_t *data, size_t len,
                          size_t *out_len, uint64_t *lossy)
{
    struct dcs_reg_membuf mb = {.grow = true};
    struct dcs_reg_writer *w;
    struct dcs_error err;
    assert_int_equal(dcs_reg_writer_new(wo, dcs_reg_membuf_write, &mb, &w, &err), DCS_OK);
    assert_int_equal(dcs_reg_writer_key(w, key, strlen(key), &err), DCS_OK);
    assert_int_equal(dcs_reg_writer_value(w, name, strlen(name), type, data, len, &err), DCS_OK);
    assert_int_equal(dcs_reg_writer_finish(w, &err), DCS_OK);
    *lossy = dcs_reg_writer_lossy(w);
    dcs_reg_writer_free(w);
    *out_len = mb.len;
    return mb.buf;
}

static void assert_text(const uint8_t *got, size_t len, const char *want)
{
    if (len != strlen(want) || memcmp(got, want, len) != 0)
        fail_msg("got:\n%.*s\nwant:\n%s", (int)len, (const char *)got, want);
}

/* Bytes that are not UTF-8 in a key or value name cannot be written as
 * they are: each becomes U+FFFD (counted as lossy). */
static void writer_invalid_utf8_names(void **state)
{
    (void)state;
    struct dcs_reg_writer_options wo = {DCS_REG_FORMAT_REGEDIT5, DCS_REG_OUT_UTF8};
    size_t len;
    uint64_t lossy;
    const uint8_t sz[] = {'x', 0, 0, 0};
    uint8_t *out = write_one(&wo, "HKEY_USERS\\a\xFF" "b", "n\xC3", DCS_REG_SZ, sz, sizeof sz,
                             &len, &lossy);
    assert_text(out, len, "Windows Registry Editor Version 5.00\r\n\r\n"
                          "[HKEY_USERS\\a\xEF\xBF\xBD" "b]\r\n\"n\xEF\xBF\xBD\"=\"x\"\r\n\r\n");
    assert_int_equal(lossy, 2);
    free(out);
}

/* A string whose data end in the high half of a pair (no NUL): UTF-16
 * output keeps it, UTF-8 output writes U+FFFD. */
static void writer_string_ends_in_high_surrogate(void **state)
{
    (void)state;
    const uint8_t sz[] = {'a', 0, 0x3D, 0xD8};
    size_t len;
    uint64_t lossy;
    struct dcs_reg_writer_options w8 = {DCS_REG_FORMAT_REGEDIT5, DCS_REG_OUT_UTF8};
    uint8_t *out = write_one(&w8, "HKEY_USERS\\k", "s", DCS_REG_SZ, sz, sizeof sz, &len, &lossy);
    assert_text(out, len, "Windows Registry Editor Version 5.00\r\n\r\n[HKEY_USERS\\k]\r\n"
                          "\"s\"=\"a\xEF\xBF\xBD\"\r\n\r\n");
    assert_int_equal(lossy, 1);
    free(out);
    struct dcs_reg_writer_options w16 = {DCS_REG_FORMAT_REGEDIT5, DCS_REG_OUT_UTF16LE};
    out = write_one(&w16, "HKEY_USERS\\k", "s", DCS_REG_SZ, sz, sizeof sz, &len, &lossy);
    /* ..."s"="a<D83D>"\r\n\r\n */
    const uint8_t tail[] = {'"', 0, 's', 0, '"', 0, '=', 0, '"', 0, 'a', 0, 0x3D, 0xD8,
                            '"', 0, '\r', 0, '\n', 0, '\r', 0, '\n', 0};
    assert_true(len > sizeof tail);
    assert_memory_equal(out + len - sizeof tail, tail, sizeof tail);
    assert_int_equal(lossy, 0);
    free(out);
}

/* regedit4 with UTF-8 as its code page: hex(2)/hex(7) data are converted
 * to UTF-8 bytes; a pair becomes one 4-byte character, every surrogate
 * without its other half becomes U+FFFD. */
static void writer_regedit4_utf8_surrogates(void **state)
{
    (void)state;
    /* U+1F600, lone high before 'b', lone low, lone high at the end */
    const uint8_t data[] = {0x3D, 0xD8, 0x00, 0xDE, 0x00, 0xD8, 'b', 0,
                            0x00, 0xDC, 0x00, 0xD8};
    struct dcs_reg_writer_options wo = {DCS_REG_FORMAT_REGEDIT4, DCS_REG_OUT_UTF8};
    size_t len;
    uint64_t lossy;
    uint8_t *out = write_one(&wo, "HKEY_USERS\\k", "e", DCS_REG_EXPAND_SZ, data, sizeof data,
                             &len, &lossy);
    assert_text(out, len, "REGEDIT4\r\n\r\n[HKEY_USERS\\k]\r\n"
                          "\"e\"=hex(2):f0,9f,98,80,ef,bf,bd,62,ef,bf,bd,ef,bf,bd\r\n\r\n");
    assert_int_equal(lossy, 3);
    free(out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(upcase_table),
        cmocka_unit_test(name_with_invalid_utf8),
        cmocka_unit_test(utf8_edges),
        cmocka_unit_test(cp1252_surrogates),
        cmocka_unit_test(type_names),
        cmocka_unit_test(writer_invalid_utf8_names),
        cmocka_unit_test(writer_string_ends_in_high_surrogate),
        cmocka_unit_test(writer_regedit4_utf8_surrogates),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
