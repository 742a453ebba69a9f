/* Proxy blobs: decode, encode, build, compare.  Layout: spec/blob-format.md.
 *
 * The decoder walks the fields in wire order.  Each field is either a DWORD
 * (or the 8-byte FILETIME) or a "counted" field: a DWORD length or count
 * followed by that many bytes (or records).  All reads are bounds-checked
 * against the caller's size with 64-bit arithmetic, so no declared length can
 * make us read past the buffer.  Nothing here allocates.
 */
#include "blob.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

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

static const char *const field_names[DCS_FIELD_COUNT_] = {
    "version", "counter", "flags", "proxy", "bypass", "autoconfig_url",
    "autodiscovery_flags", "last_detect_url", "last_detect_time", "ipv4",
    "secondary_url", "reload_delay_mins", "sockaddrs",
};

const char *dcs_blob_field_name(enum dcs_blob_field field)
{
    return (unsigned)field < DCS_FIELD_COUNT_ ? field_names[field] : "?";
}

const char *dcs_blob_warning_str(enum dcs_blob_warning_code code)
{
    switch (code) {
    case DCS_WARN_TRUNCATED: return "data ends before the last field (kept as read)";
    case DCS_WARN_TRAILING: return "bytes after the last known field (kept as trailer)";
    case DCS_WARN_UNKNOWN_VERSION: return "unknown version, read with the 0x46 layout";
    case DCS_WARN_NO_DIRECT_BIT: return "flags lack PROXY_TYPE_DIRECT (0x01), which Windows always sets";
    case DCS_WARN_UNKNOWN_FLAGS: return "flag bits above 0x08 that Windows never writes";
    case DCS_WARN_PROXY_FLAG_EMPTY: return "PROXY flag set but the proxy string is empty (no proxy is used)";
    case DCS_WARN_PAC_FLAG_EMPTY: return "AUTO_PROXY_URL flag set but the URL is empty or blank";
    case DCS_WARN_NUL_IN_STRING: return "string contains a NUL byte";
    case DCS_WARN_NOT_UTF8: return "string is not valid UTF-8";
    case DCS_WARN_WINHTTP_COUNTER: return "WinHttpSettings counter is not 0 (Wine ignores such a value)";
    case DCS_WARN_SOCKADDR_FAMILY: return "socket-address record with a family other than AF_INET/AF_INET6";
    case DCS_WARN_UNKNOWN_ADFLAGS: return "autodiscovery flag bits above 0x40";
    case DCS_WARN_WARNINGS_DROPPED: return "more warnings than the model holds";
    }
    return "unknown warning";
}

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

/* Flags for string checks, found a word at a time: any NUL, any high bit. */
static unsigned scan_string(const uint8_t *p, uint32_t n)
{
    const uint64_t lo = 0x0101010101010101ull, hi = 0x8080808080808080ull;
    uint64_t nul = 0, high = 0;
    uint32_t i = 0;
    for (; i + 8 <= n; i += 8) {
        uint64_t v;
        memcpy(&v, p + i, 8);
        nul |= (v - lo) & ~v & hi;
        high |= v & hi;
    }
    for (; i < n; i++) {
        nul |= p[i] == 0;
        high |= p[i] & 0x80;
    }
    return (nul ? 1u : 0u) | (high ? 2u : 0u);
}

static int valid_utf8(const uint8_t *s, uint32_t n)
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

static void check_string(struct dcs_blob *b, dcs_bytes s, size_t offset)
{
    if (s.len == 0)
        return;
    unsigned f = scan_string(s.ptr, s.len);
    if (f & 1)
        warn(b, DCS_WARN_NUL_IN_STRING, offset);
    if ((f & 2) && !valid_utf8(s.ptr, s.len))
        warn(b, DCS_WARN_NOT_UTF8, offset);
}

static int blank(dcs_bytes s)
{
    for (uint32_t i = 0; i < s.len; i++)
        if (s.ptr[i] != ' ' && s.ptr[i] != '\t')
            return 0;
    return 1;
}

/* Where each present field starts, for warnings after the walk. */
struct offsets {
    uint32_t at[DCS_FIELD_COUNT_];
};

static dcs_status truncated(struct dcs_error *err, int field, size_t at, size_t size,
                            const char *what)
{
    return dcs_error_set(err, DCS_ERR_BLOB_TRUNCATED, at,
                         "%s at offset %zu: %s (blob is %zu bytes)",
                         dcs_blob_field_name((enum dcs_blob_field)field), at, what, size);
}

dcs_status dcs_blob_decode(const void *data, size_t size, unsigned options, struct dcs_blob *out,
                           struct dcs_error *err)
{
    const uint8_t *p = data;
    const int strict = (options & DCS_DECODE_STRICT) != 0;
    struct offsets off;
    size_t i = 0;

    if (!out || (!data && size))
        return dcs_error_set(err, DCS_ERR_INVALID_ARG, DCS_NO_OFFSET, "no blob or no output");
    if ((options & DCS_DECODE_WININET) && (options & DCS_DECODE_WINHTTP))
        return dcs_error_set(err, DCS_ERR_INVALID_ARG, DCS_NO_OFFSET,
                             "cannot require both WinINET and WinHTTP layouts");
    memset(out, 0, offsetof(struct dcs_blob, warnings));

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
    const uint32_t full = dcs_blob_field_count(out->format, version);

    /* Walk the fields. */
    uint32_t f;
    for (f = 0; f < full; f++) {
        size_t left = size - i;
        unsigned kind = field_kind[f];
        size_t head = kind == K_QWORD ? 8 : 4;
        off.at[f] = (uint32_t)i;
        if (left < head) {
            if (strict || f < DCS_FIELD_PROXY)
                return truncated(err, (int)f, i, size,
                                 left ? "the field is cut short" : "the data ends before it");
            break; /* lenient: stop here, partial bytes become the trailer */
        }
        uint32_t v = rd32(p + i);
        if (kind == K_DWORD || kind == K_QWORD) {
            i += head;
        } else {
            uint64_t body = kind == K_STRING ? v
                          : kind == K_IPV4 ? (uint64_t)v * 4u
                                           : (uint64_t)v * DCS_SOCKADDR_RECORD_SIZE;
            if (body > left - 4) {
                char what[128];
                snprintf(what, sizeof what, "declares %s%llu%s but only %zu bytes follow",
                         kind == K_STRING ? "" : "a count of ", (unsigned long long)v,
                         kind == K_STRING ? " bytes" : " records", left - 4);
                return truncated(err, (int)f, i, size, what);
            }
            i += 4 + (size_t)body;
        }
        const uint8_t *q = p + off.at[f];
        switch (f) {
        case DCS_FIELD_VERSION: break;
        case DCS_FIELD_COUNTER: out->counter = v; break;
        case DCS_FIELD_FLAGS: out->flags = v; break;
        case DCS_FIELD_PROXY: out->proxy = (dcs_bytes){q + 4, v}; break;
        case DCS_FIELD_BYPASS: out->bypass = (dcs_bytes){q + 4, v}; break;
        case DCS_FIELD_AUTOCONFIG_URL: out->autoconfig_url = (dcs_bytes){q + 4, v}; break;
        case DCS_FIELD_AUTODISCOVERY_FLAGS: out->autodiscovery_flags = v; break;
        case DCS_FIELD_LAST_DETECT_URL: out->last_detect_url = (dcs_bytes){q + 4, v}; break;
        case DCS_FIELD_LAST_DETECT_TIME:
            out->last_detect_time = (uint64_t)v | (uint64_t)rd32(q + 4) << 32;
            break;
        case DCS_FIELD_IPV4: out->ipv4_count = v; out->ipv4 = q + 4; break;
        case DCS_FIELD_SECONDARY_URL: out->secondary_url = (dcs_bytes){q + 4, v}; break;
        case DCS_FIELD_RELOAD_DELAY: out->reload_delay_mins = v; break;
        case DCS_FIELD_SOCKADDRS: out->sockaddr_count = v; out->sockaddrs = q + 4; break;
        default: break;
        }
    }
    out->nfields = f;
    if (i < size)
        out->trailer = (dcs_bytes){p + i, (uint32_t)(size - i)};
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
        warn(out, DCS_WARN_TRUNCATED, i < size ? i : size);
    else if (i < size)
        warn(out, DCS_WARN_TRAILING, i);
    if (out->flags & ~known)
        warn(out, DCS_WARN_UNKNOWN_FLAGS, 8);
    if (!winhttp && !(out->flags & DCS_PROXY_TYPE_DIRECT))
        warn(out, DCS_WARN_NO_DIRECT_BIT, 8);
    if (winhttp && out->counter != 0)
        warn(out, DCS_WARN_WINHTTP_COUNTER, 4);
    if (f > DCS_FIELD_PROXY && (out->flags & DCS_PROXY_TYPE_PROXY) && out->proxy.len == 0)
        warn(out, DCS_WARN_PROXY_FLAG_EMPTY, off.at[DCS_FIELD_PROXY]);
    if (f > DCS_FIELD_AUTOCONFIG_URL && (out->flags & DCS_PROXY_TYPE_AUTO_PROXY_URL) &&
        blank(out->autoconfig_url))
        warn(out, DCS_WARN_PAC_FLAG_EMPTY, off.at[DCS_FIELD_AUTOCONFIG_URL]);
    if (f > DCS_FIELD_AUTODISCOVERY_FLAGS &&
        (out->autodiscovery_flags & ~DCS_AUTO_PROXY_FLAG_KNOWN))
        warn(out, DCS_WARN_UNKNOWN_ADFLAGS, off.at[DCS_FIELD_AUTODISCOVERY_FLAGS]);
    static const uint8_t strings[] = {DCS_FIELD_PROXY, DCS_FIELD_BYPASS, DCS_FIELD_AUTOCONFIG_URL,
                                      DCS_FIELD_LAST_DETECT_URL, DCS_FIELD_SECONDARY_URL};
    const dcs_bytes *views[] = {&out->proxy, &out->bypass, &out->autoconfig_url,
                                &out->last_detect_url, &out->secondary_url};
    for (unsigned k = 0; k < sizeof strings; k++)
        if (f > strings[k])
            check_string(out, *views[k], off.at[strings[k]]);
    for (uint32_t r = 0; r < out->sockaddr_count; r++) {
        const uint8_t *rec = out->sockaddrs + (size_t)r * DCS_SOCKADDR_RECORD_SIZE;
        uint16_t fam = (uint16_t)(rec[0] | rec[1] << 8);
        if (fam != DCS_AF_INET && fam != DCS_AF_INET6) {
            warn(out, DCS_WARN_SOCKADDR_FAMILY,
                 (size_t)(rec - p));
            break;
        }
    }
    return DCS_OK;
}

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

/* ---- socket addresses, names, times -------------------------------------- */

void dcs_sockaddr_decode(const uint8_t rec[DCS_SOCKADDR_RECORD_SIZE], struct dcs_sockaddr *out)
{
    memset(out, 0, sizeof *out);
    out->family = (uint16_t)(rec[0] | rec[1] << 8);
    out->port = (uint16_t)(rec[2] << 8 | rec[3]); /* network order on the wire */
    if (out->family == DCS_AF_INET6) {
        out->flowinfo = rd32(rec + 4);
        memcpy(out->addr, rec + 8, 16);
        out->scope_id = rd32(rec + 24);
    } else {
        memcpy(out->addr, rec + 4, 4);
    }
}

void dcs_sockaddr_encode(const struct dcs_sockaddr *sa, uint8_t rec[DCS_SOCKADDR_RECORD_SIZE])
{
    memset(rec, 0, DCS_SOCKADDR_RECORD_SIZE);
    rec[0] = (uint8_t)sa->family;
    rec[1] = (uint8_t)(sa->family >> 8);
    rec[2] = (uint8_t)(sa->port >> 8);
    rec[3] = (uint8_t)sa->port;
    if (sa->family == DCS_AF_INET6) {
        wr32(rec + 4, sa->flowinfo);
        memcpy(rec + 8, sa->addr, 16);
        wr32(rec + 24, sa->scope_id);
    } else {
        memcpy(rec + 4, sa->addr, 4);
    }
}

size_t dcs_sockaddr_format(const struct dcs_sockaddr *sa, char *buf, size_t size)
{
    char tmp[INET6_ADDRSTRLEN];
    const char *r = NULL;
    if (sa->family == DCS_AF_INET)
        r = inet_ntop(AF_INET, sa->addr, tmp, sizeof tmp);
    else if (sa->family == DCS_AF_INET6)
        r = inet_ntop(AF_INET6, sa->addr, tmp, sizeof tmp);
    if (!r)
        tmp[0] = '\0';
    int n = snprintf(buf, size, "%s", tmp);
    return n < 0 ? 0 : (size_t)n;
}

size_t dcs_blob_flag_names(uint32_t flags, char *buf, size_t size)
{
    static const char *const names[] = {"DIRECT", "PROXY", "AUTO_PROXY_URL", "AUTO_DETECT"};
    size_t n = 0;
    if (size)
        buf[0] = '\0';
    for (unsigned bit = 0; bit < 4; bit++)
        if (flags & (1u << bit))
            n += (size_t)snprintf(buf + (n < size ? n : size), n < size ? size - n : 0, "%s%s",
                                  n ? "|" : "", names[bit]);
    if (flags & ~0xFu)
        n += (size_t)snprintf(buf + (n < size ? n : size), n < size ? size - n : 0, "%s0x%x",
                              n ? "|" : "", flags & ~0xFu);
    return n;
}

size_t dcs_filetime_format(uint64_t ft, char *buf, size_t size)
{
    if (size)
        buf[0] = '\0';
    if (ft == 0)
        return 0;
    /* 11644473600 s between 1601-01-01 and 1970-01-01 */
    int64_t secs = (int64_t)(ft / 10000000u) - INT64_C(11644473600);
    uint32_t frac = (uint32_t)(ft % 10000000u);
    time_t t = (time_t)secs;
    struct tm tm;
    if (!gmtime_r(&t, &tm))
        return 0;
    int n;
    if (frac % 10000u == 0)
        n = snprintf(buf, size, "%04d-%02d-%02dT%02d:%02d:%02d.%03uZ", tm.tm_year + 1900,
                     tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, frac / 10000u);
    else
        n = snprintf(buf, size, "%04d-%02d-%02dT%02d:%02d:%02d.%07uZ", tm.tm_year + 1900,
                     tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, frac);
    return n < 0 ? 0 : (size_t)n;
}
