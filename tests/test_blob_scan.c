/* The decoder's string scan (codec/blob_bytes.h) against a byte-at-a-time
 * reference, for every length up to 80 and every position of a NUL or a
 * high byte.  Built twice: as is (SSE2 on x86-64) and with -U__SSE2__ so
 * that the portable word-at-a-time path is checked too.  Buffers are
 * exactly sized, so ASan/valgrind catch any read past a string. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>

#include "blob_bytes.h"

static unsigned reference(const uint8_t *p, uint32_t n)
{
    unsigned r = 0;
    for (uint32_t i = 0; i < n; i++) {
        if (p[i] == 0)
            r |= 1;
        if (p[i] & 0x80)
            r |= 2;
    }
    return r;
}

static void check(const uint8_t *p, uint32_t n)
{
    unsigned got = scan_string(p, n), want = reference(p, n);
    if (got != want)
        fail_msg("length %u: scan gives %u, expected %u", n, got, want);
}

static void test_scan_every_position(void **state)
{
    static const uint8_t special[] = {0x00, 0x80, 0xFF, 0xC3, 0x01, 0x7F};
    for (uint32_t n = 0; n <= 80; n++) {
        uint8_t *p = malloc(n ? n : 1);
        assert_non_null(p);
        for (uint32_t i = 0; i < n; i++)
            p[i] = (uint8_t)('a' + i % 26);
        check(p, n);
        for (uint32_t pos = 0; pos < n; pos++) {
            for (unsigned s = 0; s < sizeof special; s++) {
                uint8_t keep = p[pos];
                p[pos] = special[s];
                check(p, n);
                /* and a second special byte elsewhere */
                uint32_t other = (pos * 7 + 3) % n;
                uint8_t keep2 = p[other];
                p[other] = special[(s + 1) % sizeof special];
                check(p, n);
                p[other] = keep2;
                p[pos] = keep;
            }
        }
        free(p);
    }
}

static void test_scan_long_runs(void **state)
{
    /* all bytes the same value, for every value, at a few lengths */
    static const uint32_t lens[] = {1, 2, 3, 7, 8, 9, 15, 16, 17, 31, 32, 33, 100};
    for (unsigned l = 0; l < sizeof lens / sizeof lens[0]; l++) {
        uint8_t *p = malloc(lens[l]);
        assert_non_null(p);
        for (unsigned v = 0; v < 256; v++) {
            for (uint32_t i = 0; i < lens[l]; i++)
                p[i] = (uint8_t)v;
            check(p, lens[l]);
        }
        free(p);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_scan_every_position),
        cmocka_unit_test(test_scan_long_runs),
    };
    return cmocka_run_group_tests_name(SCAN_VARIANT, tests, NULL, NULL);
}
