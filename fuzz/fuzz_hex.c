/* Hex text decoder (what people paste: hexdumps, .reg fragments, 0x lists).
 * Properties: the size query and the real decode agree; the decoded bytes,
 * written back as plain hex (contiguous and space-separated), decode to the
 * same bytes; detection never claims text that does not decode. */
#include <string.h>

#include "fuzz_common.h"
#include <dcs/hex.h>

static void check_hex_round_trip(const uint8_t *bytes, size_t n, int spaced)
{
    struct dcs_error err;
    size_t tlen = spaced ? (n ? 3 * n - 1 : 0) : 2 * n, got = 0;
    char *text = malloc(tlen + 1);
    uint8_t *back = malloc(n ? n : 1);
    FUZZ_CHECK(text != NULL && back != NULL);
    if (spaced) {
        for (size_t i = 0; i < n; i++) {
            dcs_hex_encode(bytes + i, 1, text + 3 * i);
            if (i + 1 < n)
                text[3 * i + 2] = ' ';
        }
    } else {
        FUZZ_CHECK(dcs_hex_encode(bytes, n, text) == 2 * n);
    }
    FUZZ_CHECK(dcs_hex_text_decode(text, tlen, back, n, &got, &err) == DCS_OK);
    FUZZ_CHECK(got == n);
    FUZZ_CHECK(n == 0 || memcmp(back, bytes, n) == 0);
    free(text);
    free(back);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *text = (const char *)data;
    struct dcs_error err;
    size_t n = 0, got = 0;
    dcs_status st;

    dcs_error_clear(&err);
    st = dcs_hex_text_decode(text, size, NULL, 0, &n, &err);
    if (st != DCS_OK) {
        fuzz_check_error(&err, st, size);
        FUZZ_CHECK(st == DCS_ERR_HEX_SYNTAX);
        FUZZ_CHECK(err.line >= 1 && err.column >= 1);
        FUZZ_CHECK(!dcs_hex_text_detect(data, size));
        return 0;
    }
    FUZZ_CHECK(n <= size);
    uint8_t *out = malloc(n ? n : 1);
    FUZZ_CHECK(out != NULL);
    if (n > 0) {
        FUZZ_CHECK(dcs_hex_text_decode(text, size, out, n - 1, &got, &err) ==
                   DCS_ERR_BUFFER_TOO_SMALL);
        FUZZ_CHECK(got == n);
    }
    FUZZ_CHECK(dcs_hex_text_decode(text, size, out, n, &got, &err) == DCS_OK);
    FUZZ_CHECK(got == n);
    check_hex_round_trip(out, n, 0);
    check_hex_round_trip(out, n, 1);
    if (dcs_hex_text_detect(data, size))
        FUZZ_CHECK(n > 0);
    free(out);
    return 0;
}
