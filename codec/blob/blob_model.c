/* Proxy blob models: building them the way Windows does, converting IE
 * settings to WinHTTP, comparing. */
#include "blob/blob_internal.h"

void dcs_blob_init(struct dcs_blob *blob, enum dcs_blob_format format, uint32_t version)
{
    memset(blob, 0, sizeof *blob);
    blob->format = format;
    if (version == 0)
        version = format == DCS_FORMAT_WINHTTP ? DCS_VERSION_WINHTTP : DCS_VERSION_IE7;
    blob->version = version;
    blob->nfields = dcs_blob_field_count(format, version);
}

uint32_t dcs_blob_field_count(enum dcs_blob_format format, uint32_t version)
{
    return dcs_field_count(format, version);
}

/* ---- building ------------------------------------------------------------ */

void dcs_blob_build(const struct dcs_settings *s, const struct dcs_blob *previous,
                    struct dcs_blob *out)
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

bool dcs_blob_uses_proxy(const struct dcs_blob *b)
{
    return (b->flags & DCS_PROXY_TYPE_PROXY) && b->nfields > DCS_FIELD_PROXY && b->proxy.len > 0;
}

bool dcs_blob_uses_autoconfig(const struct dcs_blob *b)
{
    return b->format == DCS_FORMAT_WININET && (b->flags & DCS_PROXY_TYPE_AUTO_PROXY_URL) &&
           b->nfields > DCS_FIELD_AUTOCONFIG_URL && !dcs_bytes_blank(b->autoconfig_url);
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
        if (pa != pb || (pa && (!dcs_bytes_eq(a->proxy, b->proxy) || !dcs_bytes_eq(a->bypass, b->bypass))))
            return false;
        bool ca = dcs_blob_uses_autoconfig(a), cb = dcs_blob_uses_autoconfig(b);
        if (ca != cb || (ca && !dcs_bytes_eq(a->autoconfig_url, b->autoconfig_url)))
            return false;
        return dcs_blob_uses_autodetect(a) == dcs_blob_uses_autodetect(b);
    }
    if (a->nfields != b->nfields || a->version != b->version || a->flags != b->flags)
        return false;
    if (!(how & DCS_EQUAL_IGNORE_COUNTER) && a->counter != b->counter)
        return false;
    for (uint32_t f = DCS_FIELD_PROXY; f < a->nfields; f++) {
        unsigned kind = dcsi_blob_field_kind[f];
        if (kind == DCS_K_QWORD) {
            if (a->last_detect_time != b->last_detect_time)
                return false;
        } else if (kind == DCS_K_DWORD) {
            if (dcsi_blob_dword(a, f) != dcsi_blob_dword(b, f))
                return false;
        } else {
            size_t n = dcsi_blob_body_size(a, f);
            if (n != dcsi_blob_body_size(b, f) || (n && memcmp(dcsi_blob_body_ptr(a, f), dcsi_blob_body_ptr(b, f), n) != 0))
                return false;
        }
    }
    return dcs_bytes_eq(a->trailer, b->trailer);
}

