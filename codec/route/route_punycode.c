/* Punycode (RFC 3492): the encoder IDNA uses for non-ASCII host labels.
 * Written from the RFC's description (§3.4 bias adaptation, §6.3 encoding);
 * overflow is checked as §6.4 asks. */
#include "route/route_internal.h"

enum { BASE = 36, TMIN = 1, TMAX = 26, SKEW = 38, DAMP = 700, INITIAL_BIAS = 72,
       INITIAL_N = 128 };

static uint32_t adapt(uint32_t delta, uint32_t numpoints, bool first)
{
    uint32_t k = 0;
    delta = first ? delta / DAMP : delta / 2;
    delta += delta / numpoints;
    while (delta > ((BASE - TMIN) * TMAX) / 2) {
        delta /= BASE - TMIN;
        k += BASE;
    }
    return k + (BASE - TMIN + 1) * delta / (delta + SKEW);
}

static char digit(uint32_t d)
{
    return (char)(d < 26 ? 'a' + d : '0' + (d - 26));
}

/* Emit delta as a generalised variable-length integer (RFC 3492 §3.3). */
static bool emit_delta(uint32_t q, uint32_t bias, char *out, size_t cap, size_t *w)
{
    for (uint32_t k = BASE;; k += BASE) {
        uint32_t t = k <= bias ? TMIN : k >= bias + TMAX ? TMAX : k - bias;
        if (q < t)
            break;
        if (*w >= cap)
            return false;
        out[(*w)++] = digit(t + (q - t) % (BASE - t));
        q = (q - t) / (BASE - t);
    }
    if (*w >= cap)
        return false;
    out[(*w)++] = digit(q);
    return true;
}

size_t dcs_punycode_encode(const uint32_t *cp, size_t n, char *out, size_t cap)
{
    size_t w = 0, b = 0;
    if (!cp || !out || n > UINT32_MAX / 2)
        return 0;
    for (size_t j = 0; j < n; j++) {
        if (cp[j] > 0x10FFFF || (cp[j] >= 0xD800 && cp[j] <= 0xDFFF))
            return 0;
        if (cp[j] < 0x80) {
            if (w >= cap)
                return 0;
            out[w++] = (char)cp[j];
            b++;
        }
    }
    if (b > 0) {
        if (w >= cap)
            return 0;
        out[w++] = '-';
    }
    uint32_t nn = INITIAL_N, delta = 0, bias = INITIAL_BIAS, h = (uint32_t)b;
    while (h < n) {
        uint32_t m = UINT32_MAX;
        for (size_t j = 0; j < n; j++)
            if (cp[j] >= nn && cp[j] < m)
                m = cp[j];
        if (m - nn > (UINT32_MAX - delta) / (h + 1))
            return 0;
        delta += (m - nn) * (h + 1);
        nn = m;
        for (size_t j = 0; j < n; j++) {
            if (cp[j] < nn) {
                if (delta == UINT32_MAX)
                    return 0;
                delta++;
            }
            if (cp[j] != nn)
                continue;
            if (!emit_delta(delta, bias, out, cap, &w))
                return 0;
            bias = adapt(delta, h + 1, h == b);
            delta = 0;
            h++;
        }
        delta++;
        nn++;
    }
    return w;
}
