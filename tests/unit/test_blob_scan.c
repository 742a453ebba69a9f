/* The decoder's text checks (DCS_DECODE_CHECK_TEXT) against a byte-at-a-time
 * reference, for every string length up to 80 and every position of a NUL or
 * a high byte, through the public decode API.  Built twice: against libdcs
 * as built (SSE2 on x86-64) and with the blob sources compiled -U__SSE2__, so
 * that the portable word-at-a-time scan is checked too.  The string is the
 * last field of an exactly-sized heap copy, so ASan/valgrind catch any read
 * past its end. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include <dcs/blob.h>

static int has_nul(const uint8_t *p, uint32_t n)
{
    for (uint32_t i = 0; i < n; i++)
        if (p[i] == 0)
            return 1;
    return 0;
}

/* Plain UTF-8 check: shortest forms, no surrogates, up to U+10FFFF. */
static int utf8_ok(const uint8_t *p, uint32_t n)
{
    for (uint32_t i = 0; i < n;) {
        uint32_t c = p[i], len, cp, min;
        if (c < 0x80) {
            i++;
            continue;
        }
        if ((c & 0xE0) == 0xC0)
            len = 2, cp = c & 0x1F, min = 0x80;
        else if ((c & 0xF0) == 0xE0)
            len = 3, cp = c & 0x0F, min = 0x800;
        else if ((c & 0xF8) == 0xF0)
            len = 4, cp = c & 0x07, min = 0x10000;
        else
            return 0;
        if (n - i < len)
            return 0;
        for (uint32_t k = 1; k < len; k++) {
            if ((p[i + k] & 0xC0) != 0x80)
                return 0;
            cp = cp << 6 | (p[i + k] & 0x3F);
        }
        if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
            return 0;
        i += len;
    }
    return 1;
}

static int warned(const struct dcs_blob *b, enum dcs_blob_warning_code code)
{
    for (uint32_t i = 0; i < b->nwarnings; i++)
        if (b->warnings[i].code == code)
            return 1;
    return 0;
}

/* WinHttpSettings 0x28, flags 3, proxy "p:1", bypass = s[0..n). */
static void check(const uint8_t *s, uint32_t n)
{
    size_t size = 12 + 4 + 3 + 4 + n;
    uint8_t *blob = malloc(size);
    assert_non_null(blob);
    static const uint8_t head[] = {0x28, 0, 0, 0, 0, 0, 0, 0, 3, 0, 0, 0, 3, 0, 0, 0, 'p', ':', '1'};
    memcpy(blob, head, sizeof head);
    blob[19] = (uint8_t)n, blob[20] = (uint8_t)(n >> 8), blob[21] = 0, blob[22] = 0;
    if (n)
        memcpy(blob + 23, s, n);
    struct dcs_blob b;
    struct dcs_error err;
    assert_int_equal(dcs_blob_decode(blob, size, DCS_DECODE_LENIENT | DCS_DECODE_CHECK_TEXT, &b,
                                     &err),
                     DCS_OK);
    int nul = has_nul(s, n), bad = !utf8_ok(s, n);
    if (warned(&b, DCS_WARN_NUL_IN_STRING) != nul || warned(&b, DCS_WARN_NOT_UTF8) != bad)
        fail_msg("length %u: NUL warning %d, UTF-8 warning %d; expected %d, %d", n,
                 warned(&b, DCS_WARN_NUL_IN_STRING), warned(&b, DCS_WARN_NOT_UTF8), nul, bad);
    free(blob);
}

static void test_scan_every_position(void **state)
{
    static const uint8_t special[] = {0x00, 0x80, 0xFF, 0xC3, 0x01, 0x7F, 0xE2};
    uint8_t s[80] = {0};
    for (uint32_t n = 0; n <= sizeof s; n++) {
        for (uint32_t i = 0; i < n; i++)
            s[i] = (uint8_t)('a' + i % 26);
        check(s, n);
        for (uint32_t pos = 0; pos < n; pos++) {
            for (unsigned k = 0; k < sizeof special; k++) {
                uint8_t keep = s[pos];
                s[pos] = special[k];
                check(s, n);
                /* and a second special byte elsewhere (may form valid UTF-8) */
                uint32_t other = (pos * 7 + 3) % n;
                uint8_t keep2 = s[other];
                s[other] = special[(k + 1) % sizeof special];
                check(s, n);
                s[other] = keep2;
                s[pos] = keep;
            }
        }
    }
}

static void test_scan_uniform_strings(void **state)
{
    static const uint32_t lens[] = {1, 2, 3, 4, 7, 8, 9, 15, 16, 17, 31, 32, 33, 100};
    uint8_t s[100] = {0};
    for (unsigned l = 0; l < sizeof lens / sizeof lens[0]; l++) {
        for (unsigned v = 0; v < 256; v++) {
            memset(s, (int)v, lens[l]);
            check(s, lens[l]);
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_scan_every_position),
        cmocka_unit_test(test_scan_uniform_strings),
    };
    return cmocka_run_group_tests_name(SCAN_VARIANT, tests, NULL, NULL);
}
