/* dcs — internal text conversions for the .reg reader and writer.
 *
 * Not installed.  UTF-16 text is always handled as little-endian byte arrays
 * ("units" of two bytes, any alignment), because that is how .reg files and
 * registry data hold it and because file buffers are not 2-byte aligned.
 *
 * Lone surrogates: a UTF-16 unit in D800..DFFF that is not part of a valid
 * pair is legal in registry names and data.  Conversions to UTF-8 keep it
 * losslessly as its generalized 3-byte form (ED A0 80 .. ED BF BF, as in
 * WTF-8), and conversions from UTF-8 accept that form back, so names survive
 * UTF-16 -> UTF-8 -> UTF-16 unchanged.
 *
 * Windows-1252: 0x80..0x9F map to the typographic characters of the code
 * page; the five bytes that code page 1252 leaves undefined (81 8D 8F 90 9D)
 * map to the C1 controls U+0081 etc., which is what MultiByteToWideChar does.
 * In the other direction a character the code page cannot hold becomes '?',
 * the default character of WideCharToMultiByte (its "best fit" substitutions
 * such as A-macron -> A are not reproduced); a surrogate pair gives one '?'.
 */
#ifndef DCS_TEXT_H
#define DCS_TEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

static inline uint16_t dcs_ld16le(const uint8_t *p)
{
    return (uint16_t)(p[0] | (p[1] << 8));
}

static inline void dcs_st16le(uint8_t *p, uint16_t u)
{
    p[0] = (uint8_t)u;
    p[1] = (uint8_t)(u >> 8);
}

/* UTF-16LE (n units) -> UTF-8.  dst must hold 3 * n bytes.  Returns the
 * number of bytes written.  Lone surrogates become their 3-byte form. */
size_t dcsi_utf16le_to_utf8(const uint8_t *src, size_t n, char *dst);

/* UTF-8 -> UTF-16LE.  dst must hold 2 * len bytes.  Accepts the 3-byte
 * surrogate forms (see above).  Returns the number of units written, or
 * SIZE_MAX when src is not valid UTF-8; then *bad (if non-NULL) is the byte
 * offset of the first invalid sequence. */
size_t dcsi_utf8_to_utf16le(const char *src, size_t len, uint8_t *dst, size_t *bad);

/* As above, but every invalid byte becomes U+FFFD.  *replaced (if non-NULL)
 * receives the number of replacements.  Never fails. */
size_t dcsi_utf8_to_utf16le_lossy(const char *src, size_t len, uint8_t *dst, size_t *replaced);

/* True when s is valid UTF-8 (surrogate code points are invalid here).
 * Otherwise *bad (if non-NULL) is the offset of the first bad byte. */
bool dcsi_utf8_valid(const char *s, size_t len, size_t *bad);

/* Windows-1252 -> UTF-16LE.  dst must hold 2 * n bytes.  Returns n. */
size_t dcsi_cp1252_to_utf16le(const uint8_t *src, size_t n, uint8_t *dst);

/* UTF-16LE (n units) -> Windows-1252.  dst must hold n bytes.  Returns the
 * bytes written; *unmappable (if non-NULL) is incremented once per
 * character that became '?'. */
size_t dcsi_utf16le_to_cp1252(const uint8_t *src, size_t n, uint8_t *dst, size_t *unmappable);

/* Decode one code point from UTF-8 (surrogate forms accepted).  Returns the
 * number of bytes used (1..4), or 0 for an invalid sequence. */
size_t dcsi_utf8_decode(const char *s, size_t len, uint32_t *cp);

/* Simple upper-case mapping used for registry name comparisons (ASCII,
 * Latin-1, Latin Extended-A, Greek and Cyrillic; other code points map to
 * themselves). */
uint32_t dcsi_text_upcase(uint32_t cp);

/* Compare two UTF-8 names the way the registry orders and matches them:
 * upper-cased, then by UTF-16 code units.  Returns <0, 0 or >0. */
int dcsi_text_name_cmp(const char *a, size_t alen, const char *b, size_t blen);

/* Hash of the upper-cased form of a UTF-8 name (equal for names that
 * dcsi_text_name_cmp calls equal). */
uint64_t dcsi_text_name_hash(const char *s, size_t len);

#endif
