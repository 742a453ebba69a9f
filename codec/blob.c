/* Proxy blobs: decode, encode, build, compare.  Layout: spec/blob-format.md.
 *
 * The decoder walks the fields in wire order.  Each field is either a DWORD
 * (or the 8-byte FILETIME) or a "counted" field: a DWORD length or count
 * followed by that many bytes (or records).  All reads are bounds-checked
 * against the caller's size with 64-bit arithmetic, so no declared length can
 * make us read past the buffer.  Nothing here allocates.
 */
#include "blob.h"

#include <stdio.h>
#include <string.h>

#include "blob_bytes.h"

/* What each field looks like on the wire. */
enum kind { K_DWORD, K_QWORD, K_STRING, K_IPV4, K_SOCKADDRS };

static const uint8_t field_kind[DCS_FIELD_COUNT_] = {
    [DCS_FIELD_VERSION] = K_DWORD,
    [DCS_FIELD_COUNTER] = K_DWORD,
    [DCS_FIELD_FLAGS] = K_DWORD,
    [DCS_FIELD_PROXY] = K_STRING,
    [DCS_FIELD_BYPASS] = K_STRING,
    [DCS_FIELD_AUTOCONFIG_URL] = K_STRING,
    [DCS_FIELD_AUTODISCOVERY_FLAGS] = K_DWORD,
    [DCS_FIELD_LAST_DETECT_URL] = K_STRING,
    [DCS_FIELD_LAST_DETECT_TIME] = K_QWORD,
    [DCS_FIELD_IPV4] = K_IPV4,
    [DCS_FIELD_SECONDARY_URL] = K_STRING,
    [DCS_FIELD_RELOAD_DELAY] = K_DWORD,
    [DCS_FIELD_SOCKADDRS] = K_SOCKADDRS,
};

uint32_t dcs_blob_field_count(enum dcs_blob_format format, uint32_t version)
{
    if (format == DCS_FORMAT_WINHTTP)
        return DCS_FIELD_BYPASS + 1;
    if (format != DCS_FORMAT_WININET)
        return 0;
    return version == DCS_VERSION_IE5 ? DCS_FIELD_RELOAD_DELAY + 1 : DCS_FIELD_COUNT_;
}

void dcs_blob_init(struct dcs_blob *blob, enum dcs_blob_format format, uint32_t version)
{
    memset(blob, 0, sizeof *blob);
    blob->format = format;
    if (version == 0)
        version = format == DCS_FORMAT_WINHTTP ? DCS_VERSION_WINHTTP : DCS_VERSION_IE7;
    blob->version = version;
    blob->nfields = dcs_blob_field_count(format, version);
}

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

static int blank(dcs_bytes s)
{
    for (uint32_t i = 0; i < s.len; i++)
        if (s.ptr[i] != ' ' && s.ptr[i] != '\t')
            return 0;
    return 1;
}

static dcs_status truncated(struct dcs_error *err, int field, size_t at, size_t size,
                            const char *what)
{
    return dcs_error_set(err, DCS_ERR_BLOB_TRUNCATED, at,
                         "%s at offset %zu: %s (blob is %zu bytes)",
                         dcs_blob_field_name((enum dcs_blob_field)field), at, what, size);
}

/* Where each field's first member sits in struct dcs_blob; the members are
 * in wire order, so the fields from f on are [model_offset[f], trailer). */
static const uint16_t model_offset[DCS_FIELD_COUNT_] = {
    offsetof(struct dcs_blob, version),
    offsetof(struct dcs_blob, counter),
    offsetof(struct dcs_blob, flags),
    offsetof(struct dcs_blob, proxy),
    offsetof(struct dcs_blob, bypass),
    offsetof(struct dcs_blob, autoconfig_url),
    offsetof(struct dcs_blob, autodiscovery_flags),
    offsetof(struct dcs_blob, last_detect_url),
    offsetof(struct dcs_blob, last_detect_time),
    offsetof(struct dcs_blob, ipv4_count),
    offsetof(struct dcs_blob, secondary_url),
    offsetof(struct dcs_blob, reload_delay_mins),
    offsetof(struct dcs_blob, sockaddr_count),
};
_Static_assert(offsetof(struct dcs_blob, ipv4_count) < offsetof(struct dcs_blob, ipv4) &&
                   offsetof(struct dcs_blob, ipv4) < offsetof(struct dcs_blob, secondary_url) &&
                   offsetof(struct dcs_blob, sockaddr_count) < offsetof(struct dcs_blob, sockaddrs) &&
                   offsetof(struct dcs_blob, sockaddrs) < offsetof(struct dcs_blob, trailer),
               "struct dcs_blob members must stay in wire order");

/* The field walk.  Fields are taken in wire order by straight-line code (no
 * per-field dispatch).  The helpers only look: they report whether the field
 * fits and advance the offset, which stays in a register; what happens when
 * a field does not fit is decided out of line by field_stop(). */
enum take { TAKEN, SHORT, OVERRUN };

/* A DWORD (head 4) or the FILETIME (head 8) at *at. */
static inline enum take take_fixed(size_t size, size_t *at, size_t head)
{
    if (size - *at < head)
        return SHORT;
    *at += head;
    return TAKEN;
}

/* A count DWORD followed by count * elem bytes. */
static inline enum take take_counted(const uint8_t *p, size_t size, size_t *at, uint32_t elem,
                                     uint32_t *count, const uint8_t **body)
{
    size_t left = size - *at;
    if (left < 4)
        return SHORT;
    uint32_t v = rd32(p + *at);
    if ((uint64_t)v * elem > left - 4)
        return OVERRUN;
    *count = v;
    *body = p + *at + 4;
    *at += 4 + (size_t)v * elem;
    return TAKEN;
}

/* Field f at offset at did not fit.  DCS_OK means "lenient: stop the walk
 * here, the partial bytes become the trailer"; anything else is the error. */
static dcs_status field_stop(enum take t, uint32_t f, int strict, const uint8_t *p, size_t at,
                             size_t size, struct dcs_error *err)
{
    size_t left = size - at;
    if (t == OVERRUN) {
        char what[128];
        uint32_t v = rd32(p + at);
        int string = f != DCS_FIELD_IPV4 && f != DCS_FIELD_SOCKADDRS;
        snprintf(what, sizeof what, "declares %s%lu%s but only %zu bytes follow",
                 string ? "" : "a count of ", (unsigned long)v, string ? " bytes" : " records",
                 left - 4);
        return truncated(err, (int)f, at, size, what);
    }
    if (strict || f < DCS_FIELD_PROXY)
        return truncated(err, (int)f, at, size,
                         left ? "the field is cut short" : "the data ends before it");
    return DCS_OK;
}

/* Take field f with expr, or leave the walk: return the error, or (lenient,
 * data ends in a head) go on with nfields = f. */
#define TAKE(f, expr)                                                                      \
    do {                                                                                   \
        enum take t_ = (expr);                                                             \
        if (t_ != TAKEN) {                                                                 \
            dcs_status st_ = field_stop(t_, (f), strict, p, at, size, err);                \
            if (st_ != DCS_OK)                                                             \
                return st_;                                                                \
            nfields = (f);                                                                 \
            goto walked;                                                                   \
        }                                                                                  \
    } while (0)

/* String number k (0..4 in wire order) of field f into view s. */
#define TAKE_STRING(f, k, s)                                                               \
    do {                                                                                   \
        str_at[k] = (uint32_t)at;                                                          \
        TAKE(f, take_counted(p, size, &at, 1, &(s).len, &(s).ptr));                        \
        if ((s).len)                                                                       \
            strflags |= scan_string((s).ptr, (s).len) << (2 * (k));                        \
    } while (0)

dcs_status dcs_blob_decode(const void *data, size_t size, unsigned options, struct dcs_blob *out,
                           struct dcs_error *err)
{
    const uint8_t *p = data;
    const int strict = (options & DCS_DECODE_STRICT) != 0;

    if (!out || (!data && size))
        return dcs_error_set(err, DCS_ERR_INVALID_ARG, DCS_NO_OFFSET, "no blob or no output");
    if ((options & DCS_DECODE_WININET) && (options & DCS_DECODE_WINHTTP))
        return dcs_error_set(err, DCS_ERR_INVALID_ARG, DCS_NO_OFFSET,
                             "cannot require both WinINET and WinHTTP layouts");

    if (size > UINT32_MAX)
        return dcs_error_set(err, DCS_ERR_LIMIT, DCS_NO_OFFSET,
                             "blob of %zu bytes is larger than a registry value can be", size);
    if (size < 4)
        return truncated(err, DCS_FIELD_VERSION, 0, size, "the version DWORD is incomplete");

    /* The version DWORD tells the layout. */
    uint32_t version = rd32(p);
    int winhttp = version == DCS_VERSION_WINHTTP || version == DCS_VERSION_WINHTTP28;
    int unknown_version = 0;
    if (options & DCS_DECODE_WINHTTP) {
        if (!winhttp) {
            if (strict)
                return dcs_error_set(err, DCS_ERR_BLOB_VERSION, 0,
                                     "version 0x%x is not a WinHttpSettings version (0x18, 0x28)",
                                     version);
            unknown_version = 1;
            winhttp = 1;
        }
    } else if (winhttp) {
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
        unknown_version = 1;
    }
    out->format = winhttp ? DCS_FORMAT_WINHTTP : DCS_FORMAT_WININET;
    out->version = version;
    const uint32_t full = winhttp ? DCS_FIELD_BYPASS + 1
                        : version == DCS_VERSION_IE5 ? DCS_FIELD_RELOAD_DELAY + 1
                                                     : DCS_FIELD_COUNT_;

    /* Walk the fields. */
    size_t at = 4;
    uint32_t nfields = full, adflags_at = 0, str_at[5] = {0};
    unsigned strflags = 0; /* scan_string() bits, two per string */
    TAKE(DCS_FIELD_COUNTER, take_fixed(size, &at, 4));
    out->counter = rd32(p + 4);
    TAKE(DCS_FIELD_FLAGS, take_fixed(size, &at, 4));
    out->flags = rd32(p + 8);
    TAKE_STRING(DCS_FIELD_PROXY, 0, out->proxy);
    TAKE_STRING(DCS_FIELD_BYPASS, 1, out->bypass);
    if (!winhttp) {
        TAKE_STRING(DCS_FIELD_AUTOCONFIG_URL, 2, out->autoconfig_url);
        adflags_at = (uint32_t)at;
        TAKE(DCS_FIELD_AUTODISCOVERY_FLAGS, take_fixed(size, &at, 4));
        out->autodiscovery_flags = rd32(p + adflags_at);
        TAKE_STRING(DCS_FIELD_LAST_DETECT_URL, 3, out->last_detect_url);
        TAKE(DCS_FIELD_LAST_DETECT_TIME, take_fixed(size, &at, 8));
        out->last_detect_time = (uint64_t)rd32(p + at - 8) | (uint64_t)rd32(p + at - 4) << 32;
        TAKE(DCS_FIELD_IPV4, take_counted(p, size, &at, 4, &out->ipv4_count, &out->ipv4));
        TAKE_STRING(DCS_FIELD_SECONDARY_URL, 4, out->secondary_url);
        TAKE(DCS_FIELD_RELOAD_DELAY, take_fixed(size, &at, 4));
        out->reload_delay_mins = rd32(p + at - 4);
        if (full == DCS_FIELD_COUNT_)
            TAKE(DCS_FIELD_SOCKADDRS, take_counted(p, size, &at, DCS_SOCKADDR_RECORD_SIZE,
                                                   &out->sockaddr_count, &out->sockaddrs));
    }
walked:;
    const uint32_t f = nfields;
    const size_t i = at;
    out->nfields = f;
    /* Zero the fields the walk did not reach (the model lays them out in
     * wire order); cheaper than clearing the whole model up front. */
    if (f < DCS_FIELD_COUNT_)
        memset((char *)out + model_offset[f], 0,
               offsetof(struct dcs_blob, trailer) - model_offset[f]);
    out->trailer = (dcs_bytes){i < size ? p + i : NULL, (uint32_t)(size - i)};
    if (f == full && i < size && strict)
        return dcs_error_set(err, DCS_ERR_BLOB_TRAILING, i,
                             "%zu bytes after the last field (%s ends at offset %zu)", size - i,
                             dcs_blob_field_name((enum dcs_blob_field)(full - 1)), i);

    /* Strict rejections of values Windows never writes. */
    const uint32_t known = winhttp ? 0x03u : DCS_PROXY_TYPE_KNOWN;
    if (strict && (out->flags & ~known))
        return dcs_error_set(err, DCS_ERR_BLOB_FLAGS, 8,
                             "flags 0x%x have bits outside 0x%x", out->flags, known);
    if (strict && !winhttp && !(out->flags & DCS_PROXY_TYPE_DIRECT))
        return dcs_error_set(err, DCS_ERR_BLOB_FLAGS, 8,
                             "flags 0x%x lack PROXY_TYPE_DIRECT (0x01), which Windows always sets",
                             out->flags);

    /* Warnings: both modes report them; they never change the bytes. */
    out->nwarnings = 0;
    if (unknown_version)
        warn(out, DCS_WARN_UNKNOWN_VERSION, 0);
    if (f < full)
        warn(out, DCS_WARN_TRUNCATED, i);
    else if (i < size)
        warn(out, DCS_WARN_TRAILING, i);
    if (out->flags & ~known)
        warn(out, DCS_WARN_UNKNOWN_FLAGS, 8);
    if (!winhttp && !(out->flags & DCS_PROXY_TYPE_DIRECT))
        warn(out, DCS_WARN_NO_DIRECT_BIT, 8);
    if (winhttp && out->counter != 0)
        warn(out, DCS_WARN_WINHTTP_COUNTER, 4);
    if (f > DCS_FIELD_PROXY && (out->flags & DCS_PROXY_TYPE_PROXY) && out->proxy.len == 0)
        warn(out, DCS_WARN_PROXY_FLAG_EMPTY, 12);
    if (f > DCS_FIELD_AUTOCONFIG_URL && (out->flags & DCS_PROXY_TYPE_AUTO_PROXY_URL) &&
        blank(out->autoconfig_url))
        warn(out, DCS_WARN_PAC_FLAG_EMPTY, str_at[2]);
    if (f > DCS_FIELD_AUTODISCOVERY_FLAGS &&
        (out->autodiscovery_flags & ~DCS_AUTO_PROXY_FLAG_KNOWN))
        warn(out, DCS_WARN_UNKNOWN_ADFLAGS, adflags_at);
    if (strflags) {
        const dcs_bytes *views[] = {&out->proxy, &out->bypass, &out->autoconfig_url,
                                    &out->last_detect_url, &out->secondary_url};
        for (unsigned k = 0; k < 5; k++) {
            unsigned sf = strflags >> (2 * k) & 3u;
            if (sf & 1)
                warn(out, DCS_WARN_NUL_IN_STRING, str_at[k]);
            if ((sf & 2) && !valid_utf8(views[k]->ptr, views[k]->len))
                warn(out, DCS_WARN_NOT_UTF8, str_at[k]);
        }
    }
    for (uint32_t r = 0; r < out->sockaddr_count; r++) {
        const uint8_t *rec = out->sockaddrs + (size_t)r * DCS_SOCKADDR_RECORD_SIZE;
        uint16_t fam = (uint16_t)(rec[0] | rec[1] << 8);
        if (fam != DCS_AF_INET && fam != DCS_AF_INET6) {
            warn(out, DCS_WARN_SOCKADDR_FAMILY, (size_t)(rec - p));
            break;
        }
    }
    return DCS_OK;
}

#undef TAKE_STRING
#undef TAKE

/* ---- encoding ------------------------------------------------------------ */

static size_t body_size(const struct dcs_blob *b, uint32_t f)
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

static const void *body_ptr(const struct dcs_blob *b, uint32_t f)
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

static dcs_status check_model(const struct dcs_blob *b, size_t *total, struct dcs_error *err)
{
    uint32_t full = dcs_blob_field_count(b->format, b->version);
    if (full == 0)
        return dcs_error_set(err, DCS_ERR_BLOB_MODEL, DCS_NO_OFFSET, "unknown blob format %d",
                             (int)b->format);
    if (b->nfields < DCS_FIELD_PROXY || b->nfields > full)
        return dcs_error_set(err, DCS_ERR_BLOB_MODEL, DCS_NO_OFFSET,
                             "%u fields present; this layout has %u to %u", b->nfields,
                             (unsigned)DCS_FIELD_PROXY, full);
    uint64_t n = 0;
    for (uint32_t f = 0; f < b->nfields; f++) {
        unsigned kind = field_kind[f];
        n += kind == K_QWORD ? 8 : 4;
        if (kind == K_STRING || kind == K_IPV4 || kind == K_SOCKADDRS) {
            size_t bs = body_size(b, f);
            if (bs && !body_ptr(b, f))
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
        size_t head = field_kind[b->nfields] == K_QWORD ? 8 : 4;
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

static uint32_t dword_of(const struct dcs_blob *b, uint32_t f)
{
    switch (f) {
    case DCS_FIELD_VERSION: return b->version;
    case DCS_FIELD_COUNTER: return b->counter;
    case DCS_FIELD_FLAGS: return b->flags;
    case DCS_FIELD_AUTODISCOVERY_FLAGS: return b->autodiscovery_flags;
    case DCS_FIELD_IPV4: return b->ipv4_count;
    case DCS_FIELD_RELOAD_DELAY: return b->reload_delay_mins;
    case DCS_FIELD_SOCKADDRS: return b->sockaddr_count;
    default: return (uint32_t)body_size(b, f); /* string lengths */
    }
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
    for (uint32_t f = 0; f < blob->nfields; f++) {
        unsigned kind = field_kind[f];
        if (kind == K_QWORD) {
            wr32(o, (uint32_t)blob->last_detect_time);
            wr32(o + 4, (uint32_t)(blob->last_detect_time >> 32));
            o += 8;
            continue;
        }
        wr32(o, dword_of(blob, f));
        o += 4;
        if (kind != K_DWORD) {
            size_t bs = body_size(blob, f);
            if (bs)
                memcpy(o, body_ptr(blob, f), bs);
            o += bs;
        }
    }
    if (blob->trailer.len)
        memcpy(o, blob->trailer.ptr, blob->trailer.len);
    return DCS_OK;
}

/* ---- building ------------------------------------------------------------ */

void dcs_blob_build(struct dcs_blob *out, const struct dcs_settings *s,
                    const struct dcs_blob *previous)
{
    dcs_blob_init(out, DCS_FORMAT_WININET, DCS_VERSION_IE7);
    int prev_ie = previous && previous->format == DCS_FORMAT_WININET;
    out->counter = prev_ie && previous->nfields > DCS_FIELD_COUNTER ? previous->counter + 1u : 1u;
    out->flags = s->flags | DCS_PROXY_TYPE_DIRECT;
    out->proxy = s->proxy;
    out->bypass = s->bypass;
    out->autoconfig_url = s->autoconfig_url;
    if (prev_ie && previous->nfields > DCS_FIELD_AUTODISCOVERY_FLAGS)
        out->autodiscovery_flags = previous->autodiscovery_flags;
    else
        out->autodiscovery_flags = DCS_AUTO_PROXY_FLAG_USER_SET;
}

dcs_status dcs_blob_to_winhttp(const struct dcs_blob *ie, uint32_t version, struct dcs_blob *out,
                               struct dcs_error *err)
{
    if (!ie || !out)
        return dcs_error_set(err, DCS_ERR_INVALID_ARG, DCS_NO_OFFSET, "no blob");
    if (ie->format != DCS_FORMAT_WININET)
        return dcs_error_set(err, DCS_ERR_INVALID_ARG, DCS_NO_OFFSET,
                             "source is already a WinHttpSettings blob");
    if (version == 0)
        version = DCS_VERSION_WINHTTP28;
    if (version != DCS_VERSION_WINHTTP && version != DCS_VERSION_WINHTTP28)
        return dcs_error_set(err, DCS_ERR_BLOB_VERSION, DCS_NO_OFFSET,
                             "version 0x%x is not a WinHttpSettings version", version);
    dcs_blob_init(out, DCS_FORMAT_WINHTTP, version);
    if (dcs_blob_uses_proxy(ie)) {
        out->flags = DCS_PROXY_TYPE_DIRECT | DCS_PROXY_TYPE_PROXY;
        out->proxy = ie->proxy;
        out->bypass = ie->nfields > DCS_FIELD_BYPASS ? ie->bypass : (dcs_bytes){NULL, 0};
    } else {
        out->flags = DCS_PROXY_TYPE_DIRECT;
    }
    return DCS_OK;
}

/* ---- comparing ----------------------------------------------------------- */

static int bytes_eq(dcs_bytes a, dcs_bytes b)
{
    return a.len == b.len && (a.len == 0 || memcmp(a.ptr, b.ptr, a.len) == 0);
}

bool dcs_blob_uses_proxy(const struct dcs_blob *b)
{
    return (b->flags & DCS_PROXY_TYPE_PROXY) && b->nfields > DCS_FIELD_PROXY && b->proxy.len > 0;
}

bool dcs_blob_uses_autoconfig(const struct dcs_blob *b)
{
    return b->format == DCS_FORMAT_WININET && (b->flags & DCS_PROXY_TYPE_AUTO_PROXY_URL) &&
           b->nfields > DCS_FIELD_AUTOCONFIG_URL && !blank(b->autoconfig_url);
}

bool dcs_blob_uses_autodetect(const struct dcs_blob *b)
{
    return b->format == DCS_FORMAT_WININET && (b->flags & DCS_PROXY_TYPE_AUTO_DETECT);
}

bool dcs_blob_equal(const struct dcs_blob *a, const struct dcs_blob *b, unsigned how)
{
    if (a->format != b->format)
        return false;
    if (how & DCS_EQUAL_EFFECTIVE) {
        bool pa = dcs_blob_uses_proxy(a), pb = dcs_blob_uses_proxy(b);
        if (pa != pb || (pa && (!bytes_eq(a->proxy, b->proxy) || !bytes_eq(a->bypass, b->bypass))))
            return false;
        bool ca = dcs_blob_uses_autoconfig(a), cb = dcs_blob_uses_autoconfig(b);
        if (ca != cb || (ca && !bytes_eq(a->autoconfig_url, b->autoconfig_url)))
            return false;
        return dcs_blob_uses_autodetect(a) == dcs_blob_uses_autodetect(b);
    }
    if (a->nfields != b->nfields || a->version != b->version || a->flags != b->flags)
        return false;
    if (!(how & DCS_EQUAL_IGNORE_COUNTER) && a->counter != b->counter)
        return false;
    for (uint32_t f = DCS_FIELD_PROXY; f < a->nfields; f++) {
        unsigned kind = field_kind[f];
        if (kind == K_QWORD) {
            if (a->last_detect_time != b->last_detect_time)
                return false;
        } else if (kind == K_DWORD) {
            if (dword_of(a, f) != dword_of(b, f))
                return false;
        } else {
            size_t n = body_size(a, f);
            if (n != body_size(b, f) || (n && memcmp(body_ptr(a, f), body_ptr(b, f), n) != 0))
                return false;
        }
    }
    return bytes_eq(a->trailer, b->trailer);
}
