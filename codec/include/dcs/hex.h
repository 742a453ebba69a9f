/* dcs — hex helpers shared by the CLI, the .reg reader/writer and tests. */
#ifndef DCS_HEX_H
#define DCS_HEX_H

#include <stddef.h>
#include <stdint.h>

#include <dcs/error.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Lower-case hex of n bytes into out (2n chars, no NUL).  Returns 2n. */
DCS_API size_t dcs_hex_encode(const void *data, size_t n, char *out);

/* Value of one hex digit, or -1. */
static inline int dcs_hex_digit(unsigned char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    c |= 0x20;
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    return -1;
}

/* Parse human hex text into bytes: pairs of hex digits separated or not by
 * spaces, tabs, newlines, commas, colons or dashes; an optional "0x" before a
 * pair; the .reg forms "hex:" / "hex(N):" prefixes, `"Name"=hex:` / `@=hex:`
 * assignment prefixes and `\` line continuations; `;` and `#` comments to end
 * of line.  Writes at most cap bytes to out and sets *outlen to the number of
 * bytes the text holds (even when larger than cap: then DCS_ERR_BUFFER_TOO_SMALL).
 * Errors name the byte offset and line:column. */
DCS_API dcs_status dcs_hex_text_decode(const char *text, size_t len, uint8_t *out, size_t cap,
                               size_t *outlen, struct dcs_error *err);

/* 1 when the buffer looks like hex text (only hex digits, separators, the
 * forms above, and at least one digit), 0 when it should be taken as binary. */
DCS_API int dcs_hex_text_detect(const void *data, size_t len);

#ifdef __cplusplus
}
#endif
#endif
