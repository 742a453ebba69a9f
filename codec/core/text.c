/* Text conversions: UTF-16LE <-> UTF-8, Windows-1252 <-> UTF-16LE. */
#include "core/text.h"

#include <string.h>

/* Code points of Windows-1252 bytes 0x80..0x9F. */
static const uint16_t cp1252_high[32] = {
    0x20AC, 0x0081, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021,
    0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0x008D, 0x017D, 0x008F,
    0x0090, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
    0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x009D, 0x017E, 0x0178,
};

/* Byte mask {80 FF 80 FF ...}: set bits mean "not ASCII" in a UTF-16LE
 * run.  Loaded with the same memcpy as the data, so byte order cancels. */
static const uint8_t ascii16_mask[8] = {0x80, 0xFF, 0x80, 0xFF, 0x80, 0xFF, 0x80, 0xFF};

static inline uint64_t ld64(const void *p)
{
    uint64_t v;
    memcpy(&v, p, sizeof v);
    return v;
}

size_t dcsi_utf16le_to_utf8(const uint8_t *src, size_t n, char *dst)
{
    char *d = dst;
    size_t i = 0;
    while (i < n) {
        /* ASCII fast path: four units at a time */
        const uint64_t mask = ld64(ascii16_mask);
        while (i + 4 <= n && (ld64(src + 2 * i) & mask) == 0) {
            const uint8_t *s = src + 2 * i;
            d[0] = (char)s[0];
            d[1] = (char)s[2];
            d[2] = (char)s[4];
            d[3] = (char)s[6];
            d += 4;
            i += 4;
        }
        if (i >= n)
            break;
        uint32_t u = dcs_ld16le(src + 2 * i++);
        if (u < 0x80) {
            *d++ = (char)u;
        } else if (u < 0x800) {
            *d++ = (char)(0xC0 | (u >> 6));
            *d++ = (char)(0x80 | (u & 0x3F));
        } else if (u >= 0xD800 && u <= 0xDBFF && i < n) {
            uint32_t lo = dcs_ld16le(src + 2 * i);
            if (lo >= 0xDC00 && lo <= 0xDFFF) {
                i++;
                uint32_t cp = 0x10000 + ((u - 0xD800) << 10) + (lo - 0xDC00);
                *d++ = (char)(0xF0 | (cp >> 18));
                *d++ = (char)(0x80 | ((cp >> 12) & 0x3F));
                *d++ = (char)(0x80 | ((cp >> 6) & 0x3F));
                *d++ = (char)(0x80 | (cp & 0x3F));
                continue;
            }
            goto three;
        } else {
three:      /* BMP character, or a lone surrogate kept in its 3-byte form */
            *d++ = (char)(0xE0 | (u >> 12));
            *d++ = (char)(0x80 | ((u >> 6) & 0x3F));
            *d++ = (char)(0x80 | (u & 0x3F));
        }
    }
    return (size_t)(d - dst);
}

size_t dcsi_utf8_decode(const char *str, size_t len, uint32_t *cp)
{
    const uint8_t *s = (const uint8_t *)str;
    if (len == 0)
        return 0;
    uint32_t c = s[0];
    if (c < 0x80) {
        *cp = c;
        return 1;
    }
    if (c < 0xC2)
        return 0;
    if (c < 0xE0) {
        if (len < 2 || (s[1] & 0xC0) != 0x80)
            return 0;
        *cp = ((c & 0x1F) << 6) | (s[1] & 0x3F);
        return 2;
    }
    if (c < 0xF0) {
        if (len < 3 || (s[1] & 0xC0) != 0x80 || (s[2] & 0xC0) != 0x80)
            return 0;
        uint32_t v = ((c & 0x0F) << 12) | ((uint32_t)(s[1] & 0x3F) << 6) | (s[2] & 0x3F);
        if (v < 0x800)
            return 0;
        *cp = v;
        return 3;
    }
    if (c < 0xF5) {
        if (len < 4 || (s[1] & 0xC0) != 0x80 || (s[2] & 0xC0) != 0x80 ||
            (s[3] & 0xC0) != 0x80)
            return 0;
        uint32_t v = ((c & 0x07) << 18) | ((uint32_t)(s[1] & 0x3F) << 12) |
                     ((uint32_t)(s[2] & 0x3F) << 6) | (s[3] & 0x3F);
        if (v < 0x10000 || v > 0x10FFFF)
            return 0;
        *cp = v;
        return 4;
    }
    return 0;
}

static uint8_t *put_cp16(uint8_t *d, uint32_t cp)
{
    if (cp < 0x10000) {
        dcs_st16le(d, (uint16_t)cp);
        return d + 2;
    }
    cp -= 0x10000;
    dcs_st16le(d, (uint16_t)(0xD800 + (cp >> 10)));
    dcs_st16le(d + 2, (uint16_t)(0xDC00 + (cp & 0x3FF)));
    return d + 4;
}

static size_t utf8_to_16(const char *src, size_t len, uint8_t *dst, bool lossy, size_t *bad)
{
    uint8_t *d = dst;
    size_t i = 0, replaced = 0;
    while (i < len) {
        while (i + 8 <= len && (ld64(src + i) & 0x8080808080808080ull) == 0) {
            for (size_t k = 0; k < 8; k++) {
                d[2 * k] = (uint8_t)src[i + k];
                d[2 * k + 1] = 0;
            }
            d += 16;
            i += 8;
        }
        if (i >= len)
            break;
        uint32_t cp;
        size_t k = dcsi_utf8_decode(src + i, len - i, &cp);
        if (k == 0) {
            if (!lossy) {
                if (bad)
                    *bad = i;
                return SIZE_MAX;
            }
            replaced++;
            cp = 0xFFFD;
            k = 1;
        }
        d = put_cp16(d, cp);
        i += k;
    }
    if (lossy && bad)
        *bad = replaced;
    return (size_t)(d - dst) / 2;
}

size_t dcsi_utf8_to_utf16le(const char *src, size_t len, uint8_t *dst, size_t *bad)
{
    return utf8_to_16(src, len, dst, false, bad);
}

size_t dcsi_utf8_to_utf16le_lossy(const char *src, size_t len, uint8_t *dst, size_t *replaced)
{
    size_t r = 0;
    size_t n = utf8_to_16(src, len, dst, true, &r);
    if (replaced)
        *replaced = r;
    return n;
}

bool dcsi_utf8_valid(const char *s, size_t len, size_t *bad)
{
    size_t i = 0;
    while (i < len) {
        while (i + 8 <= len && (ld64(s + i) & 0x8080808080808080ull) == 0)
            i += 8;
        if (i >= len)
            break;
        uint32_t cp;
        size_t k = dcsi_utf8_decode(s + i, len - i, &cp);
        if (k == 0 || (cp >= 0xD800 && cp <= 0xDFFF)) {
            if (bad)
                *bad = i;
            return false;
        }
        i += k;
    }
    return true;
}

size_t dcsi_cp1252_to_utf16le(const uint8_t *src, size_t n, uint8_t *dst)
{
    for (size_t i = 0; i < n; i++) {
        uint16_t u = src[i];
        if (u >= 0x80 && u < 0xA0)
            u = cp1252_high[u - 0x80];
        dst[2 * i] = (uint8_t)u;
        dst[2 * i + 1] = (uint8_t)(u >> 8);
    }
    return n;
}

static int cp1252_encode(uint32_t u)
{
    if (u < 0x80 || (u >= 0xA0 && u <= 0xFF))
        return (int)u;
    for (int k = 0; k < 32; k++)
        if (cp1252_high[k] == u)
            return 0x80 + k;
    return -1;
}

size_t dcsi_utf16le_to_cp1252(const uint8_t *src, size_t n, uint8_t *dst, size_t *unmappable)
{
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        uint16_t u = dcs_ld16le(src + 2 * i);
        int b = cp1252_encode(u);
        if (b < 0) {
            if (u >= 0xD800 && u <= 0xDBFF && i + 1 < n) {
                uint16_t lo = dcs_ld16le(src + 2 * i + 2);
                if (lo >= 0xDC00 && lo <= 0xDFFF)
                    i++;
            }
            if (unmappable)
                (*unmappable)++;
            b = '?';
        }
        dst[o++] = (uint8_t)b;
    }
    return o;
}

uint32_t dcsi_text_upcase(uint32_t c)
{
    if (c < 0x80)
        return (c >= 'a' && c <= 'z') ? c - 0x20 : c;
    if (c < 0x100) {
        if (c >= 0xE0 && c <= 0xFE && c != 0xF7)
            return c - 0x20;
        if (c == 0xFF)
            return 0x178;
        return c;
    }
    if (c < 0x180) {
        if (c <= 0x137 || (c >= 0x14A && c <= 0x177))
            return c & ~1u;
        if ((c >= 0x139 && c <= 0x148) || (c >= 0x179 && c <= 0x17E))
            return (c & 1u) ? c : c - 1;
        return c;
    }
    if (c >= 0x3B1 && c <= 0x3CB && c != 0x3C2)
        return c - 0x20;
    if (c == 0x3C2)
        return 0x3A3;
    if (c == 0x3AC)
        return 0x386;
    if (c >= 0x3AD && c <= 0x3AF)
        return c - 0x25;
    if (c == 0x3CC)
        return 0x38C;
    if (c == 0x3CD || c == 0x3CE)
        return c - 0x3F;
    if (c >= 0x430 && c <= 0x44F)
        return c - 0x20;
    if (c >= 0x450 && c <= 0x45F)
        return c - 0x50;
    if (c >= 0xFF41 && c <= 0xFF5A)
        return c - 0x20;
    return c;
}

/* Next upper-cased UTF-16 unit of a UTF-8 name; pending holds the low half
 * of a pair.  Returns -1 at the end. */
static int32_t next_unit(const char *s, size_t len, size_t *i, int32_t *pending)
{
    if (*pending >= 0) {
        int32_t u = *pending;
        *pending = -1;
        return u;
    }
    if (*i >= len)
        return -1;
    uint32_t cp;
    unsigned char c = (unsigned char)s[*i];
    if (c < 0x80) {
        (*i)++;
        return (int32_t)((c >= 'a' && c <= 'z') ? c - 0x20 : c);
    }
    size_t k = dcsi_utf8_decode(s + *i, len - *i, &cp);
    if (k == 0) {
        cp = c;
        k = 1;
    }
    *i += k;
    cp = dcsi_text_upcase(cp);
    if (cp >= 0x10000) {
        cp -= 0x10000;
        *pending = (int32_t)(0xDC00 + (cp & 0x3FF));
        return (int32_t)(0xD800 + (cp >> 10));
    }
    return (int32_t)cp;
}

static inline unsigned ascii_up(unsigned c)
{
    return c - ((c - 'a' < 26u) << 5);
}

int dcsi_text_name_cmp(const char *a, size_t alen, const char *b, size_t blen)
{
    size_t i = 0, j = 0;
    /* ASCII fast path */
    size_t n = alen < blen ? alen : blen;
    while (i < n) {
        unsigned x = (unsigned char)a[i], y = (unsigned char)b[i];
        if ((x | y) >= 0x80)
            break;
        if (x != y) {
            x = ascii_up(x);
            y = ascii_up(y);
            if (x != y)
                return x < y ? -1 : 1;
        }
        i++;
    }
    if (i == n && (i == alen || i == blen))
        return alen == blen ? 0 : alen < blen ? -1 : 1;
    j = i;
    int32_t pa = -1, pb = -1;
    for (;;) {
        int32_t x = next_unit(a, alen, &i, &pa);
        int32_t y = next_unit(b, blen, &j, &pb);
        if (x != y)
            return x < y ? -1 : 1;
        if (x < 0)
            return 0;
    }
}

uint64_t dcsi_text_name_hash(const char *s, size_t len)
{
    uint64_t h = 0xcbf29ce484222325ull;
    size_t i = 0;
    while (i < len && (unsigned char)s[i] < 0x80)
        h = (h ^ ascii_up((unsigned char)s[i++])) * 0x100000001b3ull;
    int32_t p = -1;
    for (;;) {
        int32_t u = next_unit(s, len, &i, &p);
        if (u < 0)
            return h;
        h = (h ^ (uint32_t)u) * 0x100000001b3ull;
    }
}
