/* Internal to libdcs: little-endian access and the string scans the blob
 * decoder runs on every string (not installed). */
#ifndef DCS_BLOB_BYTES_H
#define DCS_BLOB_BYTES_H

#include <stdint.h>
#include <string.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

static inline uint32_t rd32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static inline void wr32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    p[3] = (uint8_t)(v >> 24);
}

static inline uint64_t ld64(const uint8_t *p)
{
    uint64_t v;
    memcpy(&v, p, 8);
    return v;
}

static inline uint32_t ld32(const uint8_t *p)
{
    uint32_t v;
    memcpy(&v, p, 4);
    return v;
}

static inline uint32_t ld16(const uint8_t *p)
{
    uint16_t v;
    memcpy(&v, p, 2);
    return v;
}

/* Any NUL byte (bit 0) and any byte >= 0x80 (bit 1) in p[0..n), a word at a
 * time.  Short strings and the tail are read with overlapping loads that stay
 * inside [p, p+n), so no byte loop and no read past the string. */

/* Strings of up to 16 bytes (most of them), with 64-bit words. */
static inline unsigned scan_short(const uint8_t *p, uint32_t n)
{
    const uint64_t lo = 0x0101010101010101ull, hi = 0x8080808080808080ull;
    uint64_t v, nul;
    if (n >= 8) {
        uint64_t a = ld64(p), b = ld64(p + n - 8);
        nul = ((a - lo) & ~a) | ((b - lo) & ~b);
        v = a | b;
    } else {
        if (n >= 4) {
            v = ld32(p) | (uint64_t)ld32(p + n - 4) << 32;
        } else if (n >= 2) {
            uint64_t x = ld16(p) | ld16(p + n - 2) << 16;
            v = x | x << 32;
        } else if (n == 1) {
            v = p[0] * lo;
        } else {
            return 0;
        }
        nul = (v - lo) & ~v;
    }
    return ((nul & hi) ? 1u : 0u) | ((v & hi) ? 2u : 0u);
}

static inline unsigned scan_string(const uint8_t *p, uint32_t n)
{
    if (n <= 16)
        return scan_short(p, n);
#if defined(__SSE2__)
    /* 16 bytes a step; the last step overlaps so that it ends at p + n */
    const __m128i zero = _mm_setzero_si128();
    __m128i nul = zero, any = zero, v;
    uint32_t i = 0;
    for (; i + 16 < n; i += 16) {
        v = _mm_loadu_si128((const __m128i *)(const void *)(p + i));
        nul = _mm_or_si128(nul, _mm_cmpeq_epi8(v, zero));
        any = _mm_or_si128(any, v);
    }
    v = _mm_loadu_si128((const __m128i *)(const void *)(p + n - 16));
    nul = _mm_or_si128(nul, _mm_cmpeq_epi8(v, zero));
    any = _mm_or_si128(any, v);
    return (_mm_movemask_epi8(nul) ? 1u : 0u) | (_mm_movemask_epi8(any) ? 2u : 0u);
#else
    unsigned r = 0;
    uint32_t i = 0;
    for (; i + 16 < n; i += 16)
        r |= scan_short(p + i, 16);
    return r | scan_short(p + n - 16, 16);
#endif
}

static inline int valid_utf8(const uint8_t *s, uint32_t n)
{
    uint32_t i = 0;
    while (i < n) {
        uint8_t c = s[i];
        if (c < 0x80) {
            i++;
            continue;
        }
        uint32_t len, cp;
        if (c >= 0xC2 && c <= 0xDF)
            len = 2, cp = c & 0x1F;
        else if (c >= 0xE0 && c <= 0xEF)
            len = 3, cp = c & 0x0F;
        else if (c >= 0xF0 && c <= 0xF4)
            len = 4, cp = c & 0x07;
        else
            return 0;
        if (n - i < len)
            return 0;
        for (uint32_t k = 1; k < len; k++) {
            if ((s[i + k] & 0xC0) != 0x80)
                return 0;
            cp = cp << 6 | (s[i + k] & 0x3F);
        }
        if ((len == 3 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) ||
            (len == 4 && (cp < 0x10000 || cp > 0x10FFFF)))
            return 0;
        i += len;
    }
    return 1;
}

#endif
