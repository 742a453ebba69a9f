/* Internal helpers shared by the blob files (not installed). */
#ifndef DCS_BLOB_INTERNAL_H
#define DCS_BLOB_INTERNAL_H

#include <string.h>

#include <dcs/blob.h>

static inline uint32_t dcs_rd32(const uint8_t *p)
{
    uint32_t v;
    memcpy(&v, p, 4);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    v = __builtin_bswap32(v);
#endif
    return v;
}

/* A little-endian QWORD (FILETIME). */
static inline uint64_t dcs_rd64(const uint8_t *p)
{
    uint64_t v;
    memcpy(&v, p, 8);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    v = __builtin_bswap64(v);
#endif
    return v;
}

static inline void dcs_wr32(uint8_t *p, uint32_t v)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    v = __builtin_bswap32(v);
#endif
    memcpy(p, &v, 4);
}

/* What each field looks like on the wire. */
enum dcs_field_kind { DCS_K_DWORD, DCS_K_QWORD, DCS_K_STRING, DCS_K_IPV4, DCS_K_SOCKADDRS };
extern const uint8_t dcsi_blob_field_kind[DCS_FIELD_COUNT_];

/* True when every byte of s is a space or a tab (or s is empty). */
static inline int dcs_bytes_blank(dcs_bytes s)
{
    for (uint32_t i = 0; i < s.len; i++)
        if (s.ptr[i] != ' ' && s.ptr[i] != '\t')
            return 0;
    return 1;
}

static inline int dcs_bytes_eq(dcs_bytes a, dcs_bytes b)
{
    return a.len == b.len && (a.len == 0 || memcmp(a.ptr, b.ptr, a.len) == 0);
}

/* dcs_blob_field_count() for the hot paths. */
static inline uint32_t dcs_field_count(enum dcs_blob_format format, uint32_t version)
{
    if (format == DCS_FORMAT_WINHTTP)
        return DCS_FIELD_BYPASS + 1;
    if (format != DCS_FORMAT_WININET)
        return 0;
    return version == DCS_VERSION_IE5 ? DCS_FIELD_RELOAD_DELAY + 1 : DCS_FIELD_COUNT_;
}

/* Size and data of a counted field's body (string bytes, addresses, records). */
size_t dcsi_blob_body_size(const struct dcs_blob *b, uint32_t field);
const void *dcsi_blob_body_ptr(const struct dcs_blob *b, uint32_t field);
/* The DWORD written for a field (value, string length or count). */
uint32_t dcsi_blob_dword(const struct dcs_blob *b, uint32_t field);

#endif
