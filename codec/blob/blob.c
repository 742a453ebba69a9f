/* Proxy blobs: decode and encode.  Layout: codec/blob/FORMAT.md §2-§5.
 *
 * Decoding has two paths.  The fast path reads the common case — every field
 * present and in bounds — in straight-line code.  Anything else (a blob that
 * ends early, a length past the end) goes to the general walker, which visits
 * the fields in wire order, stops where lenient mode allows it, and explains
 * errors with the field and byte offset.  Both read only inside
 * [data, data+size): every length is compared with the bytes that remain
 * before it is used, so no declared length can cause an over-read.  Nothing
 * here allocates.
 */
#include <stdio.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "blob/blob_internal.h"
#include "core/text.h"

const uint8_t dcsi_blob_field_kind[DCS_FIELD_COUNT_] = {
    [DCS_FIELD_VERSION] = DCS_K_DWORD,
    [DCS_FIELD_COUNTER] = DCS_K_DWORD,
    [DCS_FIELD_FLAGS] = DCS_K_DWORD,
    [DCS_FIELD_PROXY] = DCS_K_STRING,
    [DCS_FIELD_BYPASS] = DCS_K_STRING,
    [DCS_FIELD_AUTOCONFIG_URL] = DCS_K_STRING,
    [DCS_FIELD_AUTODISCOVERY_FLAGS] = DCS_K_DWORD,
    [DCS_FIELD_LAST_DETECT_URL] = DCS_K_STRING,
    [DCS_FIELD_LAST_DETECT_TIME] = DCS_K_QWORD,
    [DCS_FIELD_IPV4] = DCS_K_IPV4,
    [DCS_FIELD_SECONDARY_URL] = DCS_K_STRING,
    [DCS_FIELD_RELOAD_DELAY] = DCS_K_DWORD,
    [DCS_FIELD_SOCKADDRS] = DCS_K_SOCKADDRS,
};

static void warn(struct dcs_blob *b, enum dcs_blob_warning_code code, size_t offset)
{
    if (b->nwarnings < DCS_BLOB_MAX_WARNINGS) {
        b->warnings[b->nwarnings].code = (uint16_t)code;
        b->warnings[b->nwarnings].offset = (uint32_t)offset;
        b->nwarnings++;
    } else {
        b->warnings[DCS_BLOB_MAX_WARNINGS - 1].code = DCS_WARN_WARNINGS_DROPPED;
    }
}

/* Bit 1: the string has a NUL byte; bit 2: it has a byte >= 0x80.  Found
 * 16 bytes at a time with SSE2 where there is SSE2, else a word at a time;
 * the last chunk overlaps the one before, so only strings under 4 bytes take
 * a byte loop. */
static inline unsigned scan_string(const uint8_t *p, uint32_t n)
{
    const uint64_t lo = 0x0101010101010101ull, hi = 0x8080808080808080ull;
    uint64_t nul = 0, acc = 0, v;
    if (n == 0)
        return 0;
#if defined(__SSE2__)
    if (n >= 16) {
        __m128i mn = _mm_set1_epi8((char)0xFF), or = _mm_setzero_si128(), x;
        for (uint32_t i = 0; i + 16 < n; i += 16) {
            x = _mm_loadu_si128((const __m128i *)(const void *)(p + i));
            mn = _mm_min_epu8(mn, x);
            or = _mm_or_si128(or, x);
        }
        x = _mm_loadu_si128((const __m128i *)(const void *)(p + n - 16));
        mn = _mm_min_epu8(mn, x);
        or = _mm_or_si128(or, x);
        const int zero = _mm_movemask_epi8(_mm_cmpeq_epi8(mn, _mm_setzero_si128()));
        const int high = _mm_movemask_epi8(or);
        return (zero ? 1u : 0u) | (high ? 2u : 0u);
    }
#endif
    if (n >= 8) {
        for (uint32_t i = 0; i + 8 < n; i += 8) {
            memcpy(&v, p + i, 8);
            nul |= (v - lo) & ~v;
            acc |= v;
        }
        memcpy(&v, p + n - 8, 8);
        nul |= (v - lo) & ~v;
        acc |= v;
    } else if (n >= 4) {
        uint32_t a, b;
        memcpy(&a, p, 4);
        memcpy(&b, p + n - 4, 4);
        nul = ((a - 0x01010101u) & ~a) | ((b - 0x01010101u) & ~b);
        acc = a | b;
    } else {
        for (uint32_t i = 0; i < n; i++) {
            nul |= p[i] == 0 ? 0x80u : 0u;
            acc |= p[i];
        }
    }
    return ((nul & hi) ? 1u : 0u) | ((acc & hi) ? 2u : 0u);
}

/* A string field's offset is that of its length DWORD, just before the bytes. */
static void check_string(struct dcs_blob *b, const uint8_t *base, dcs_bytes s)
{
    unsigned f = scan_string(s.ptr, s.len);
    if (f & 1)
        warn(b, DCS_WARN_NUL_IN_STRING, (size_t)(s.ptr - base) - 4);
    if ((f & 2) && !dcsi_utf8_valid((const char *)s.ptr, s.len, NULL))
        warn(b, DCS_WARN_NOT_UTF8, (size_t)(s.ptr - base) - 4);
}

static dcs_status truncated(struct dcs_error *err, uint32_t field, size_t at, size_t size,
                            const char *what)
{
    return dcs_error_set(err, DCS_ERR_BLOB_TRUNCATED, at, "%s at offset %zu: %s (blob is %zu bytes)",
                         dcs_blob_field_name((enum dcs_blob_field)field), at, what, size);
}

/* A WinHTTP blob in straight-line code.  Returns the offset after the last
 * field, or 0 when the blob is not complete and in bounds. */
static size_t decode_winhttp(const uint8_t *p, size_t size, struct dcs_blob *o)
{
    uint32_t n;
    size_t i;
    if (size < 20)
        return 0;
    n = dcs_rd32(p + 12);
    if (n > size - 20)
        return 0;
    o->proxy = (dcs_bytes){p + 16, n};
    i = 20 + (size_t)n;
    n = dcs_rd32(p + i - 4);
    if (n > size - i)
        return 0;
    o->bypass = (dcs_bytes){p + i, n};
    memset(&o->autoconfig_url, 0,
           offsetof(struct dcs_blob, trailer) - offsetof(struct dcs_blob, autoconfig_url));
    return i + n;
}

/* For the fast path's pieces: clang will not inline decode_wininet() into
 * its four callers on its own, and a call costs a frame and every argument
 * saved across it. */
#if defined(__GNUC__)
#define DCS_HOT_INLINE inline __attribute__((always_inline))
#else
#define DCS_HOT_INLINE inline
#endif

/* Pins a value in a register where it is computed: without it gcc gathers
 * the terms of *odd below to the end of decode_wininet(), each then live in
 * a register of its own, and saves and restores callee-saved registers on
 * every call. */
#if defined(__GNUC__)
#define DCS_PIN(x) __asm__("" : "+r"(x))
#else
#define DCS_PIN(x) ((void)0)
#endif

/* The part of decode_wininet()'s *odd that comes from the head: DIRECT
 * set, no bit outside the known ones, and PROXY (0x02) only with a proxy
 * (len - 1 >> 62 is 3 for an empty one, else 0).  The head is read again
 * rather than kept in registers all the way. */
static inline uint64_t flags_odd(const uint8_t *p)
{
    const uint64_t fl = dcs_rd32(p + 8), proxy_len = dcs_rd32(p + 12);
    return (fl ^ DCS_PROXY_TYPE_DIRECT) &
           (((proxy_len - 1) >> 62) | ~(uint64_t)(DCS_PROXY_TYPE_KNOWN & ~DCS_PROXY_TYPE_DIRECT));
}

/* The fields after the autodiscovery flags of decode_wininet(), from e on,
 * each placed by the length before it. */
static inline size_t wininet_rest(const uint8_t *p, size_t size, uint32_t tail,
                                  struct dcs_blob *o, uint64_t e, uint64_t bad, uint64_t *odd)
{
    const uint64_t sz = size;
    uint32_t n = dcs_rd32(p + (e - 24 - tail)); /* the last detected URL */
    o->last_detect_url = (dcs_bytes){p + (e - 20 - tail), n};
    if ((e += n) > sz)
        return 0;
    const uint64_t when = dcs_rd64(p + (e - 20 - tail));
    n = dcs_rd32(p + (e - 12 - tail)); /* IPv4 addresses */
    o->last_detect_time = when;
    o->ipv4_count = n;
    o->ipv4 = p + (e - 8 - tail);
    if ((e += (uint64_t)n * 4) > sz)
        return 0;
    n = dcs_rd32(p + (e - 8 - tail)); /* the secondary URL */
    o->secondary_url = (dcs_bytes){p + (e - 4 - tail), n};
    if ((e += n) > sz)
        return 0;
    const uint32_t delay = dcs_rd32(p + (e - 4 - tail));
    o->reload_delay_mins = delay;
    if (!tail) {
        o->sockaddr_count = 0;
        o->sockaddrs = NULL;
    } else {
        n = dcs_rd32(p + (e - 4));
        o->sockaddr_count = n;
        o->sockaddrs = p + e;
        if (n) { /* rare; the records' families are checked by finish() */
            if ((e += (uint64_t)n * DCS_SOCKADDR_RECORD_SIZE) > sz)
                return 0;
            bad |= 1;
        }
    }
    *odd = bad;
    return (size_t)e;
}

/* A WinINET blob (0x3C layout, or 0x46 when tail is 4: the socket-address
 * count) in straight-line code, head included.  e is the size the blob must
 * have for the lengths read so far: the fixed-size fields (52 bytes + tail)
 * plus every counted body seen.  Each field sits at a constant distance
 * before e, and one comparison of e with size after each counted field keeps
 * every read in bounds (the first also covers size >= 52 + tail, as e starts
 * there; the empty fields of the common case below need none); the blob is
 * taken here exactly when every field is complete (else 0, and the general
 * walker explains it).  e is 64-bit, so adding 128 *
 * count cannot wrap wherever size_t is 32 bits.
 *
 * *odd is nonzero when finish() may have something to say about the fields
 * (for a known version), worked out as the fields go by so that no view is
 * read again.  It may be nonzero for a blob that turns out quiet (a PAC URL
 * that starts with a control byte): finish() then finds nothing, which only
 * costs time; it is never zero when finish() would warn.  It is an OR of
 * terms each zero for a quiet blob, kept in one register (DCS_PIN) so that
 * the function needs no callee-saved one; the flags are read again from the
 * input where they are tested rather than kept in a register, for the same
 * reason (the stores before may, for all the compiler knows, have changed
 * them, so the load is not merged with the first). */
static DCS_HOT_INLINE size_t decode_wininet(const uint8_t *p, size_t size, uint32_t tail,
                                            struct dcs_blob *o, uint64_t *odd)
{
    const uint64_t sz = size;
    const uint64_t head = dcs_rd64(p + 4); /* the counter, then the flags */
    const uint32_t flags = (uint32_t)(head >> 32);
    uint32_t n = dcs_rd32(p + 12); /* the proxy string */
    uint64_t e = 52u + tail + (uint64_t)n, bad;
    o->counter = (uint32_t)head;
    o->flags = flags;
    o->proxy = (dcs_bytes){p + 16, n};
    if (e > sz)
        return 0;
    n = dcs_rd32(p + (e - 36 - tail)); /* the bypass list */
    o->bypass = (dcs_bytes){p + (e - 32 - tail), n};
    if ((e += n) > sz)
        return 0;
    n = dcs_rd32(p + (e - 32 - tail)); /* the PAC URL */
    o->autoconfig_url = (dcs_bytes){p + (e - 28 - tail), n};
    {
        /* AUTO_PROXY_URL (0x04) with an empty URL or one that starts with
         * a byte up to a space (a blank one starts with a space or a tab):
         * bit 63 of c - 0x21 and of len - 1 is set for those alone.  An
         * empty URL's first "byte" is the next field's, in bounds. */
        const uint64_t c = p[e - 28 - tail];
        bad = (((c - 0x21) | ((uint64_t)n - 1)) >> 63) & (p[8] >> 2);
        DCS_PIN(bad);
    }
    if ((e += n) > sz)
        return 0;
    const uint32_t adflags = dcs_rd32(p + (e - 28 - tail));
    o->autodiscovery_flags = adflags;
    bad |= adflags & ~(uint64_t)DCS_AUTO_PROXY_FLAG_KNOWN;
    DCS_PIN(bad);
    bad |= flags_odd(p);
    DCS_PIN(bad);
    /* The counted fields after the PAC URL are nearly always empty: read
     * as if they were, every field is at a constant distance before e, in
     * bounds, and no load waits for the one before (the chain of loads,
     * each placed by the length before it, is what bounds the time of a
     * decode).  Otherwise wininet_rest() reads them again, each in turn. */
    uint32_t z = dcs_rd32(p + (e - 24 - tail)) | dcs_rd32(p + (e - 12 - tail)) |
                 dcs_rd32(p + (e - 8 - tail)) | (tail ? dcs_rd32(p + (e - 4)) : 0);
    if (z)
        return wininet_rest(p, size, tail, o, e, bad, odd);
    o->last_detect_url = (dcs_bytes){p + (e - 20 - tail), 0};
    o->last_detect_time = dcs_rd64(p + (e - 20 - tail));
    o->ipv4_count = 0;
    o->ipv4 = p + (e - 8 - tail);
    o->secondary_url = (dcs_bytes){p + (e - 4 - tail), 0};
    o->reload_delay_mins = dcs_rd32(p + (e - 4 - tail));
    o->sockaddr_count = 0;
    o->sockaddrs = tail ? p + e : NULL;
    *odd = bad;
    return (size_t)e;
}

/* The general walker: any blob, explaining where it stops.  Returns the
 * number of fields read in *nfields and the end offset in *end. */
static dcs_status decode_walk(const uint8_t *p, size_t size, int strict, uint32_t full,
                              struct dcs_blob *o, uint32_t *nfields, size_t *end,
                              struct dcs_error *err)
{
    size_t i = 0;
    uint32_t f;
    memset(&o->counter, 0, offsetof(struct dcs_blob, nwarnings) - offsetof(struct dcs_blob, counter));
    for (f = 0; f < full; f++) {
        const size_t left = size - i;
        const unsigned kind = dcsi_blob_field_kind[f];
        const size_t head = kind == DCS_K_QWORD ? 8 : 4;
        const size_t at = i;
        if (left < head) {
            if (strict || f < DCS_FIELD_PROXY)
                return truncated(err, f, i, size,
                                 left ? "the field is cut short" : "the data ends before it");
            break; /* lenient: stop here; the partial bytes become the trailer */
        }
        const uint32_t v = dcs_rd32(p + i);
        if (kind == DCS_K_DWORD || kind == DCS_K_QWORD) {
            i += head;
        } else {
            const uint64_t body = kind == DCS_K_STRING ? v
                                : kind == DCS_K_IPV4   ? (uint64_t)v * 4u
                                                       : (uint64_t)v * DCS_SOCKADDR_RECORD_SIZE;
            if (body > left - 4) {
                char what[128];
                snprintf(what, sizeof what, "declares %s%u%s but only %zu bytes follow",
                         kind == DCS_K_STRING ? "" : "a count of ", v,
                         kind == DCS_K_STRING ? " bytes" : " records", left - 4);
                return truncated(err, f, at, size, what);
            }
            i += 4 + (size_t)body;
        }
        const dcs_bytes s = {p + at + 4, v};
        switch (f) {
        case DCS_FIELD_COUNTER: o->counter = v; break;
        case DCS_FIELD_FLAGS: o->flags = v; break;
        case DCS_FIELD_PROXY: o->proxy = s; break;
        case DCS_FIELD_BYPASS: o->bypass = s; break;
        case DCS_FIELD_AUTOCONFIG_URL: o->autoconfig_url = s; break;
        case DCS_FIELD_AUTODISCOVERY_FLAGS: o->autodiscovery_flags = v; break;
        case DCS_FIELD_LAST_DETECT_URL: o->last_detect_url = s; break;
        case DCS_FIELD_LAST_DETECT_TIME:
            o->last_detect_time = (uint64_t)v | (uint64_t)dcs_rd32(p + at + 4) << 32;
            break;
        case DCS_FIELD_IPV4: o->ipv4_count = v, o->ipv4 = s.ptr; break;
        case DCS_FIELD_SECONDARY_URL: o->secondary_url = s; break;
        case DCS_FIELD_RELOAD_DELAY: o->reload_delay_mins = v; break;
        case DCS_FIELD_SOCKADDRS: o->sockaddr_count = v, o->sockaddrs = s.ptr; break;
        default: break;
        }
    }
    *nfields = f;
    *end = i;
    return DCS_OK;
}

/* Text checks: one pass over all strings; only when something is found
 * (rare) do we look again to name the string. */
static void check_text(struct dcs_blob *o, const uint8_t *p)
{
    const uint32_t nf = o->nfields;
    unsigned any = 0;
    if (nf > DCS_FIELD_BYPASS)
        any = scan_string(o->proxy.ptr, o->proxy.len) | scan_string(o->bypass.ptr, o->bypass.len);
    if (nf > DCS_FIELD_SECONDARY_URL)
        any |= scan_string(o->autoconfig_url.ptr, o->autoconfig_url.len) |
               scan_string(o->last_detect_url.ptr, o->last_detect_url.len) |
               scan_string(o->secondary_url.ptr, o->secondary_url.len);
    if (any || nf <= DCS_FIELD_SECONDARY_URL) {
        const dcs_bytes *strs[5] = {&o->proxy, &o->bypass, &o->autoconfig_url,
                                    &o->last_detect_url, &o->secondary_url};
        static const uint8_t str_field[5] = {DCS_FIELD_PROXY, DCS_FIELD_BYPASS,
                                             DCS_FIELD_AUTOCONFIG_URL, DCS_FIELD_LAST_DETECT_URL,
                                             DCS_FIELD_SECONDARY_URL};
        for (unsigned k = 0; k < 5 && nf > str_field[k]; k++)
            if (strs[k]->len)
                check_string(o, p, *strs[k]);
    }
}

/* True for a complete blob with nothing to say about it, for the blobs
 * decode_any() takes (the fast path works this out as it reads). */
static inline int quiet(size_t size, size_t end, unsigned options, int unknown_version,
                        uint32_t full, const struct dcs_blob *o)
{
    const int winhttp = o->format == DCS_FORMAT_WINHTTP;
    const uint32_t known = winhttp ? 0x03u : DCS_PROXY_TYPE_KNOWN;
    const uint32_t flags = o->flags;
    const int odd = unknown_version | (o->nfields != full) | (end != size) |
                    ((flags & ~known) != 0) | (!winhttp & !(flags & DCS_PROXY_TYPE_DIRECT)) |
                    (winhttp & (o->counter != 0)) |
                    ((flags & DCS_PROXY_TYPE_PROXY) && o->proxy.len == 0) |
                    ((flags & DCS_PROXY_TYPE_AUTO_PROXY_URL) &&
                     (o->autoconfig_url.len == 0 || o->autoconfig_url.ptr[0] == ' ' ||
                      o->autoconfig_url.ptr[0] == '\t')) |
                    ((o->autodiscovery_flags & ~DCS_AUTO_PROXY_FLAG_KNOWN) != 0) |
                    (o->sockaddr_count != 0) | ((options & DCS_DECODE_CHECK_TEXT) != 0);
    return !odd;
}

/* Strict rejections and the warnings both modes report.  Offsets come from
 * the views, which point into p. */
#if defined(__GNUC__)
__attribute__((noinline))
#endif
static dcs_status finish(const uint8_t *p, size_t size, size_t end, unsigned options,
                         struct dcs_blob *o, struct dcs_error *err)
{
    const uint32_t full = dcs_field_count(o->format, o->version);
    const uint32_t nf = o->nfields;
    const int winhttp = o->format == DCS_FORMAT_WINHTTP;
    /* what classify() found, told again by the model: an argument fewer
     * lets the fast path tail-call this with every argument in a register */
    const int unknown_version =
        winhttp ? o->version != DCS_VERSION_WINHTTP && o->version != DCS_VERSION_WINHTTP28
                : o->version != DCS_VERSION_IE5 && o->version != DCS_VERSION_IE7;
    const uint32_t known = winhttp ? 0x03u : DCS_PROXY_TYPE_KNOWN;
    const int strict = (options & DCS_DECODE_STRICT) != 0;

    if (nf == full && end < size && strict)
        return dcs_error_set(err, DCS_ERR_BLOB_TRAILING, end,
                             "%zu bytes after the last field (%s ends at offset %zu)", size - end,
                             dcs_blob_field_name((enum dcs_blob_field)(full - 1)), end);
    if (strict && (o->flags & ~known))
        return dcs_error_set(err, DCS_ERR_BLOB_FLAGS, 8, "flags 0x%x have bits outside 0x%x",
                             o->flags, known);
    if (strict && !winhttp && !(o->flags & DCS_PROXY_TYPE_DIRECT))
        return dcs_error_set(err, DCS_ERR_BLOB_FLAGS, 8,
                             "flags 0x%x lack PROXY_TYPE_DIRECT (0x01), which Windows always sets",
                             o->flags);

    if (unknown_version)
        warn(o, DCS_WARN_UNKNOWN_VERSION, 0);
    if (nf < full)
        warn(o, DCS_WARN_TRUNCATED, end);
    else if (end < size)
        warn(o, DCS_WARN_TRAILING, end);
    if (o->flags & ~known)
        warn(o, DCS_WARN_UNKNOWN_FLAGS, 8);
    if (!winhttp && !(o->flags & DCS_PROXY_TYPE_DIRECT))
        warn(o, DCS_WARN_NO_DIRECT_BIT, 8);
    if (winhttp && o->counter != 0)
        warn(o, DCS_WARN_WINHTTP_COUNTER, 4);
    if (nf > DCS_FIELD_PROXY && (o->flags & DCS_PROXY_TYPE_PROXY) && o->proxy.len == 0)
        warn(o, DCS_WARN_PROXY_FLAG_EMPTY, 12);
    if (nf > DCS_FIELD_AUTOCONFIG_URL && (o->flags & DCS_PROXY_TYPE_AUTO_PROXY_URL) &&
        dcs_bytes_blank(o->autoconfig_url))
        warn(o, DCS_WARN_PAC_FLAG_EMPTY, (size_t)(o->autoconfig_url.ptr - p) - 4);
    if (nf > DCS_FIELD_AUTODISCOVERY_FLAGS && (o->autodiscovery_flags & ~DCS_AUTO_PROXY_FLAG_KNOWN))
        warn(o, DCS_WARN_UNKNOWN_ADFLAGS,
             (size_t)(o->autoconfig_url.ptr + o->autoconfig_url.len - p));
    /* Text checks: one pass over all strings; only when something is found
     * (rare) do we look again to name the string. */
    if (options & DCS_DECODE_CHECK_TEXT)
        check_text(o, p);
    for (uint32_t r = 0; r < o->sockaddr_count; r++) {
        const uint8_t *rec = o->sockaddrs + (size_t)r * DCS_SOCKADDR_RECORD_SIZE;
        const unsigned fam = (unsigned)rec[0] | (unsigned)rec[1] << 8;
        if (fam != DCS_AF_INET && fam != DCS_AF_INET6) {
            warn(o, DCS_WARN_SOCKADDR_FAMILY, (size_t)(rec - p));
            break;
        }
    }
    return DCS_OK;
}
/* The argument checks of dcs_blob_decode, in the order it reports them;
 * called only when one of them fails. */
static dcs_status bad_call(const void *data, size_t size, unsigned options, struct dcs_blob *out,
                           struct dcs_error *err)
{
    if (!out || (!data && size))
        return dcs_error_set(err, DCS_ERR_INVALID_ARG, DCS_NO_OFFSET, "no blob or no output");
    out->nwarnings = 0;
    out->nfields = 0;
    if ((options & DCS_DECODE_WININET) && (options & DCS_DECODE_WINHTTP))
        return dcs_error_set(err, DCS_ERR_INVALID_ARG, DCS_NO_OFFSET,
                             "cannot require both WinINET and WinHTTP layouts");
    if (size > UINT32_MAX)
        return dcs_error_set(err, DCS_ERR_LIMIT, DCS_NO_OFFSET,
                             "blob of %zu bytes is larger than a registry value can be", size);
    return truncated(err, DCS_FIELD_VERSION, 0, size,
                     size ? "the field is cut short" : "the data ends before it");
}

/* The layout of any version but the two WinINET ones read as such: WinHTTP,
 * forced layouts, unknown versions (lenient) and refusals. */
static dcs_status classify(uint32_t version, unsigned options, int *winhttp,
                           int *unknown_version, struct dcs_error *err)
{
    const int strict = (options & DCS_DECODE_STRICT) != 0;
    *winhttp = version == DCS_VERSION_WINHTTP || version == DCS_VERSION_WINHTTP28;
    *unknown_version = 0;
    if (options & DCS_DECODE_WINHTTP) {
        if (!*winhttp) {
            if (strict)
                return dcs_error_set(err, DCS_ERR_BLOB_VERSION, 0,
                                     "version 0x%x is not a WinHttpSettings version (0x18, 0x28)",
                                     version);
            *unknown_version = 1;
            *winhttp = 1;
        }
    } else if (*winhttp) {
        if (options & DCS_DECODE_WININET)
            return dcs_error_set(err, DCS_ERR_BLOB_VERSION, 0,
                                 "version 0x%x is a WinHttpSettings layout, not a WinINET one",
                                 version);
    } else if (version < DCS_VERSION_IE5) {
        return dcs_error_set(err, DCS_ERR_BLOB_VERSION, 0,
                             "version 0x%x is below 0x3c, the oldest WinINET layout", version);
    } else if (version != DCS_VERSION_IE5 && version != DCS_VERSION_IE7) {
        if (strict)
            return dcs_error_set(err, DCS_ERR_BLOB_VERSION, 0,
                                 "version 0x%x is neither 0x3c nor 0x46", version);
        *unknown_version = 1;
    }
    return DCS_OK;
}

/* Any blob, any options: the argument checks, the layout, the fast paths
 * and the general walker. */
#if defined(__GNUC__)
__attribute__((noinline))
#endif
static dcs_status decode_any(const void *data, size_t size, unsigned options,
                             struct dcs_blob *out, struct dcs_error *err)
{
    const uint8_t *p = data;
    const unsigned both = DCS_DECODE_WININET | DCS_DECODE_WINHTTP;
    /* one test for every bad call: size - 4 wraps below 4 bytes */
    if (!out || !p || (options & both) == both || size - 4 > (size_t)UINT32_MAX - 4)
        return bad_call(data, size, options, out, err);
    out->nwarnings = 0;

    /* The version DWORD tells the layout. */
    const uint32_t version = dcs_rd32(p);
    int winhttp = 0, unknown_version = 0;
    if ((options & DCS_DECODE_WINHTTP) ||
        (version != DCS_VERSION_IE7 && version != DCS_VERSION_IE5)) {
        out->nfields = 0;
        dcs_status st = classify(version, options, &winhttp, &unknown_version, err);
        if (st != DCS_OK)
            return st;
    }
    out->format = winhttp ? DCS_FORMAT_WINHTTP : DCS_FORMAT_WININET;
    out->version = version;
    const uint32_t full = dcs_field_count(out->format, version);

    size_t end = 0;
    if (winhttp && size >= 12) {
        out->counter = dcs_rd32(p + 4);
        out->flags = dcs_rd32(p + 8);
        end = decode_winhttp(p, size, out);
    } else if (!winhttp && size >= 52) {
        uint64_t odd_fields; /* quiet() below looks at the whole model */
        end = decode_wininet(p, size, version == DCS_VERSION_IE5 ? 0 : 4, out, &odd_fields);
    }
    if (end) {
        out->nfields = full;
    } else {
        uint32_t nf = 0;
        dcs_status st = decode_walk(p, size, (options & DCS_DECODE_STRICT) != 0, full, out, &nf,
                                    &end, err);
        if (st != DCS_OK) {
            out->nfields = 0;
            return st;
        }
        out->nfields = nf;
    }
    out->trailer = (dcs_bytes){p + end, (uint32_t)(size - end)};
    if (quiet(size, end, options, unknown_version, full, out))
        return DCS_OK;
    return finish(p, size, end, options, out, err);
}

/* The common case first: a WinINET blob of a known version, at least as
 * long as its fixed-size fields (52 bytes: the IE5 layout), and an option
 * set that does not force WinHTTP.  It needs no call but the tail call to
 * finish() when there may be something to report (always, with text checks);
 * anything else, and a blob that turns out incomplete, goes to decode_any(),
 * which starts over. */
static DCS_HOT_INLINE dcs_status decode_known(const uint8_t *p, size_t size, unsigned options,
                                              struct dcs_blob *out, struct dcs_error *err,
                                              int ie7, int text)
{
    uint64_t odd;
    out->format = DCS_FORMAT_WININET;
    out->nfields = ie7 ? DCS_FIELD_COUNT_ : DCS_FIELD_RELOAD_DELAY + 1;
    out->version = ie7 ? DCS_VERSION_IE7 : DCS_VERSION_IE5;
    out->nwarnings = 0;
    const size_t end = decode_wininet(p, size, ie7 ? 4 : 0, out, &odd);
    if (!end)
        return decode_any(p, size, options, out, err);
    const size_t left = size - end;
    out->trailer = (dcs_bytes){p + end, (uint32_t)left};
    if (!text && !(odd | left))
        return DCS_OK;
    return finish(p, size, end, options, out, err);
}

/* With DCS_DECODE_CHECK_TEXT every blob goes on to finish(), so one copy of
 * the decoder, the layout a variable, serves both layouts. */
#if defined(__GNUC__)
__attribute__((noinline))
#endif
static dcs_status decode_known_text(const uint8_t *p, size_t size, unsigned options,
                                    struct dcs_blob *out, struct dcs_error *err, int ie7)
{
    return decode_known(p, size, options, out, err, ie7, 1);
}

dcs_status dcs_blob_decode(const void *data, size_t size, unsigned options, struct dcs_blob *out,
                           struct dcs_error *err)
{
    const uint8_t *p = data;
    /* 52 bytes to 2 GiB: one comparison with a 32-bit immediate (larger
     * blobs go the general way, which also refuses those over 4 GiB) */
    if (out && p && size - 52 < (size_t)INT32_MAX - 52) {
        const uint32_t version = dcs_rd32(p);
        /* one copy per layout, each with its tail a constant */
        if (!(options & (DCS_DECODE_WINHTTP | DCS_DECODE_CHECK_TEXT))) {
            if (version == DCS_VERSION_IE7)
                return decode_known(p, size, options, out, err, 1, 0);
            if (version == DCS_VERSION_IE5)
                return decode_known(p, size, options, out, err, 0, 0);
        } else if (!(options & DCS_DECODE_WINHTTP) &&
                   (version == DCS_VERSION_IE7 || version == DCS_VERSION_IE5)) {
            return decode_known_text(p, size, options, out, err, version == DCS_VERSION_IE7);
        }
    }
    return decode_any(data, size, options, out, err);
}

/* ---- encoding ------------------------------------------------------------ */

size_t dcsi_blob_body_size(const struct dcs_blob *b, uint32_t f)
{
    switch (f) {
    case DCS_FIELD_PROXY: return b->proxy.len;
    case DCS_FIELD_BYPASS: return b->bypass.len;
    case DCS_FIELD_AUTOCONFIG_URL: return b->autoconfig_url.len;
    case DCS_FIELD_LAST_DETECT_URL: return b->last_detect_url.len;
    case DCS_FIELD_IPV4: return (size_t)b->ipv4_count * 4u;
    case DCS_FIELD_SECONDARY_URL: return b->secondary_url.len;
    case DCS_FIELD_SOCKADDRS: return (size_t)b->sockaddr_count * DCS_SOCKADDR_RECORD_SIZE;
    default: return 0;
    }
}

const void *dcsi_blob_body_ptr(const struct dcs_blob *b, uint32_t f)
{
    switch (f) {
    case DCS_FIELD_PROXY: return b->proxy.ptr;
    case DCS_FIELD_BYPASS: return b->bypass.ptr;
    case DCS_FIELD_AUTOCONFIG_URL: return b->autoconfig_url.ptr;
    case DCS_FIELD_LAST_DETECT_URL: return b->last_detect_url.ptr;
    case DCS_FIELD_IPV4: return b->ipv4;
    case DCS_FIELD_SECONDARY_URL: return b->secondary_url.ptr;
    case DCS_FIELD_SOCKADDRS: return b->sockaddrs;
    default: return NULL;
    }
}

uint32_t dcsi_blob_dword(const struct dcs_blob *b, uint32_t f)
{
    switch (f) {
    case DCS_FIELD_VERSION: return b->version;
    case DCS_FIELD_COUNTER: return b->counter;
    case DCS_FIELD_FLAGS: return b->flags;
    case DCS_FIELD_AUTODISCOVERY_FLAGS: return b->autodiscovery_flags;
    case DCS_FIELD_IPV4: return b->ipv4_count;
    case DCS_FIELD_RELOAD_DELAY: return b->reload_delay_mins;
    case DCS_FIELD_SOCKADDRS: return b->sockaddr_count;
    default: return (uint32_t)dcsi_blob_body_size(b, f); /* string lengths */
    }
}

/* Size of a model with every field present, or 0 when a view has a length
 * but no data (then the general check explains it). */
static size_t full_size(const struct dcs_blob *b)
{
    uint64_t n = 20 + (uint64_t)b->proxy.len + b->bypass.len + b->trailer.len;
    int bad = (b->proxy.len && !b->proxy.ptr) | (b->bypass.len && !b->bypass.ptr) |
              (b->trailer.len && !b->trailer.ptr);
    if (b->format == DCS_FORMAT_WININET) {
        n += 32 + (uint64_t)b->autoconfig_url.len + b->last_detect_url.len +
             b->secondary_url.len + (uint64_t)b->ipv4_count * 4;
        bad |= (b->autoconfig_url.len && !b->autoconfig_url.ptr) |
               (b->last_detect_url.len && !b->last_detect_url.ptr) |
               (b->secondary_url.len && !b->secondary_url.ptr) | (b->ipv4_count && !b->ipv4);
        if (b->version != DCS_VERSION_IE5) {
            n += 4 + (uint64_t)b->sockaddr_count * DCS_SOCKADDR_RECORD_SIZE;
            bad |= b->sockaddr_count && !b->sockaddrs;
        }
    }
    return bad || n > UINT32_MAX ? 0 : (size_t)n;
}

static dcs_status check_model(const struct dcs_blob *b, size_t *total, struct dcs_error *err)
{
    const uint32_t full = dcs_field_count(b->format, b->version);
    /* A WinINET version the decoder would refuse or read as WinHTTP cannot
     * round-trip, so it is not a model we encode. */
    if (b->format == DCS_FORMAT_WININET && b->version < DCS_VERSION_IE5)
        return dcs_error_set(err, DCS_ERR_BLOB_MODEL, DCS_NO_OFFSET,
                             "version 0x%x is below 0x3c, the oldest WinINET layout",
                             b->version);
    if (full && b->nfields == full && (*total = full_size(b)) != 0)
        return DCS_OK;
    if (full == 0)
        return dcs_error_set(err, DCS_ERR_BLOB_MODEL, DCS_NO_OFFSET, "unknown blob format %d",
                             (int)b->format);
    if (b->nfields < DCS_FIELD_PROXY || b->nfields > full)
        return dcs_error_set(err, DCS_ERR_BLOB_MODEL, DCS_NO_OFFSET,
                             "%u fields present; this layout has %u to %u", b->nfields,
                             (unsigned)DCS_FIELD_PROXY, full);
    uint64_t n = 0;
    for (uint32_t f = 0; f < b->nfields; f++) {
        const unsigned kind = dcsi_blob_field_kind[f];
        n += kind == DCS_K_QWORD ? 8 : 4;
        if (kind != DCS_K_DWORD && kind != DCS_K_QWORD) {
            const size_t bs = dcsi_blob_body_size(b, f);
            if (bs && !dcsi_blob_body_ptr(b, f))
                return dcs_error_set(err, DCS_ERR_BLOB_MODEL, DCS_NO_OFFSET,
                                     "%s has a length but no data",
                                     dcs_blob_field_name((enum dcs_blob_field)f));
            n += bs;
        }
    }
    if (b->trailer.len && !b->trailer.ptr)
        return dcs_error_set(err, DCS_ERR_BLOB_MODEL, DCS_NO_OFFSET, "trailer has no data");
    if (b->nfields < full) {
        /* A truncated model: the partial bytes must be shorter than the next
         * field's head, or decoding would read them as that field. */
        const size_t head = dcsi_blob_field_kind[b->nfields] == DCS_K_QWORD ? 8 : 4;
        if (b->trailer.len >= head)
            return dcs_error_set(err, DCS_ERR_BLOB_MODEL, DCS_NO_OFFSET,
                                 "truncated before %s but %u trailer bytes would form it",
                                 dcs_blob_field_name((enum dcs_blob_field)b->nfields),
                                 b->trailer.len);
    }
    n += b->trailer.len;
    if (n > UINT32_MAX)
        return dcs_error_set(err, DCS_ERR_LIMIT, DCS_NO_OFFSET, "blob would exceed 4 GiB");
    *total = (size_t)n;
    return DCS_OK;
}

size_t dcs_blob_encoded_size(const struct dcs_blob *blob)
{
    size_t n = 0;
    if (!blob || check_model(blob, &n, NULL) != DCS_OK)
        return 0;
    return n;
}

static inline uint8_t *put_bytes(uint8_t *o, const void *src, size_t n)
{
    dcs_wr32(o, (uint32_t)n);
    if (n)
        memcpy(o + 4, src, n);
    return o + 4 + n;
}

dcs_status dcs_blob_encode(const struct dcs_blob *blob, void *out, size_t cap, size_t *written,
                           struct dcs_error *err)
{
    size_t total = 0;
    if (written)
        *written = 0;
    if (!blob)
        return dcs_error_set(err, DCS_ERR_INVALID_ARG, DCS_NO_OFFSET, "no blob");
    dcs_status st = check_model(blob, &total, err);
    if (st != DCS_OK)
        return st;
    if (written)
        *written = total;
    if (!out) {
        if (cap == 0)
            return DCS_OK;
        return dcs_error_set(err, DCS_ERR_INVALID_ARG, DCS_NO_OFFSET, "no output buffer");
    }
    if (cap < total)
        return dcs_error_set(err, DCS_ERR_BUFFER_TOO_SMALL, DCS_NO_OFFSET,
                             "blob needs %zu bytes, buffer has %zu", total, cap);
    uint8_t *o = out;
    const uint32_t nf = blob->nfields;
    dcs_wr32(o, blob->version);
    dcs_wr32(o + 4, blob->counter);
    dcs_wr32(o + 8, blob->flags);
    o += 12;
    /* Straight-line for every field present; a truncated model stops early. */
    if (nf > DCS_FIELD_PROXY)
        o = put_bytes(o, blob->proxy.ptr, blob->proxy.len);
    if (nf > DCS_FIELD_BYPASS)
        o = put_bytes(o, blob->bypass.ptr, blob->bypass.len);
    if (nf > DCS_FIELD_AUTOCONFIG_URL)
        o = put_bytes(o, blob->autoconfig_url.ptr, blob->autoconfig_url.len);
    if (nf > DCS_FIELD_AUTODISCOVERY_FLAGS)
        dcs_wr32(o, blob->autodiscovery_flags), o += 4;
    if (nf > DCS_FIELD_LAST_DETECT_URL)
        o = put_bytes(o, blob->last_detect_url.ptr, blob->last_detect_url.len);
    if (nf > DCS_FIELD_LAST_DETECT_TIME) {
        dcs_wr32(o, (uint32_t)blob->last_detect_time);
        dcs_wr32(o + 4, (uint32_t)(blob->last_detect_time >> 32));
        o += 8;
    }
    if (nf > DCS_FIELD_IPV4) {
        dcs_wr32(o, blob->ipv4_count);
        if (blob->ipv4_count)
            memcpy(o + 4, blob->ipv4, (size_t)blob->ipv4_count * 4);
        o += 4 + (size_t)blob->ipv4_count * 4;
    }
    if (nf > DCS_FIELD_SECONDARY_URL)
        o = put_bytes(o, blob->secondary_url.ptr, blob->secondary_url.len);
    if (nf > DCS_FIELD_RELOAD_DELAY)
        dcs_wr32(o, blob->reload_delay_mins), o += 4;
    if (nf > DCS_FIELD_SOCKADDRS) {
        const size_t n = (size_t)blob->sockaddr_count * DCS_SOCKADDR_RECORD_SIZE;
        dcs_wr32(o, blob->sockaddr_count);
        if (n)
            memcpy(o + 4, blob->sockaddrs, n);
        o += 4 + n;
    }
    if (blob->trailer.len)
        memcpy(o, blob->trailer.ptr, blob->trailer.len);
    return DCS_OK;
}
