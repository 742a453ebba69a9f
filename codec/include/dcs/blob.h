/* dcs — WinINET / WinHTTP proxy blobs: DefaultConnectionSettings,
 * SavedLegacySettings, connectoid values (versions 0x3C and 0x46) and
 * WinHttpSettings (versions 0x18 and 0x28).  Layout: codec/blob/FORMAT.md.
 *
 * Decoding is zero-copy and allocation-free: every string in struct dcs_blob
 * is a view into the caller's buffer, which must outlive the model.
 * Encoding writes into a caller buffer and can report the size first.
 *
 * Lossless: for every buffer b that dcs_blob_decode() accepts,
 * dcs_blob_encode(decode(b)) == b byte for byte.  Anything the decoder does
 * not understand is kept: bytes after the last known field go to `trailer`;
 * in lenient mode a blob that stops at a DWORD boundary (or inside a DWORD)
 * keeps `nfields` < the full count and the partial bytes in `trailer`.
 */
#ifndef DCS_BLOB_H
#define DCS_BLOB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <dcs/error.h>

#ifdef __cplusplus
extern "C" {
#endif

enum dcs_blob_format {
    DCS_FORMAT_WININET = 1, /* DefaultConnectionSettings & co. */
    DCS_FORMAT_WINHTTP = 2  /* WinHttpSettings */
};

/* Versions Windows writes. */
#define DCS_VERSION_IE5 0x3Cu      /* IE5/IE6: no socket-address section */
#define DCS_VERSION_IE7 0x46u      /* IE7 .. Windows 11 */
#define DCS_VERSION_WINHTTP 0x18u  /* WinHttpSettings (Wine, "default") */
#define DCS_VERSION_WINHTTP28 0x28u /* WinHttpSettings as netsh writes it */

/* flags at offset 8 (PROXY_TYPE_*) */
#define DCS_PROXY_TYPE_DIRECT 0x01u
#define DCS_PROXY_TYPE_PROXY 0x02u
#define DCS_PROXY_TYPE_AUTO_PROXY_URL 0x04u
#define DCS_PROXY_TYPE_AUTO_DETECT 0x08u
#define DCS_PROXY_TYPE_KNOWN 0x0Fu

/* autodiscovery flags (AUTO_PROXY_FLAG_*) */
#define DCS_AUTO_PROXY_FLAG_USER_SET 0x01u
#define DCS_AUTO_PROXY_FLAG_ALWAYS_DETECT 0x02u
#define DCS_AUTO_PROXY_FLAG_DETECTION_RUN 0x04u
#define DCS_AUTO_PROXY_FLAG_MIGRATED 0x08u
#define DCS_AUTO_PROXY_FLAG_DONT_CACHE_PROXY_RESULT 0x10u
#define DCS_AUTO_PROXY_FLAG_CACHE_INIT_RUN 0x20u
#define DCS_AUTO_PROXY_FLAG_DETECTION_SUSPECT 0x40u
#define DCS_AUTO_PROXY_FLAG_KNOWN 0x7Fu

#define DCS_SOCKADDR_RECORD_SIZE 128u

/* Fields in wire order.  nfields in the model counts how many of these are
 * present; WinHTTP blobs have the first five, 0x3C blobs the first twelve,
 * 0x46 (and later) blobs all thirteen. */
enum dcs_blob_field {
    DCS_FIELD_VERSION = 0,
    DCS_FIELD_COUNTER,
    DCS_FIELD_FLAGS,
    DCS_FIELD_PROXY,
    DCS_FIELD_BYPASS,
    DCS_FIELD_AUTOCONFIG_URL,
    DCS_FIELD_AUTODISCOVERY_FLAGS,
    DCS_FIELD_LAST_DETECT_URL,
    DCS_FIELD_LAST_DETECT_TIME,
    DCS_FIELD_IPV4,
    DCS_FIELD_SECONDARY_URL,
    DCS_FIELD_RELOAD_DELAY,
    DCS_FIELD_SOCKADDRS,
    DCS_FIELD_COUNT_
};

/* Warnings the decoder reports (both modes).  Each carries the byte offset of
 * the field it is about. */
enum dcs_blob_warning_code {
    DCS_WARN_TRUNCATED = 1,       /* lenient: data stops before the last field */
    DCS_WARN_TRAILING,            /* lenient: bytes after the last known field */
    DCS_WARN_UNKNOWN_VERSION,     /* lenient: version laid out as 0x46 */
    DCS_WARN_NO_DIRECT_BIT,       /* flags lack 0x01, which Windows always sets */
    DCS_WARN_UNKNOWN_FLAGS,       /* lenient: flag bits above 0x08 */
    DCS_WARN_PROXY_FLAG_EMPTY,    /* PROXY bit set, proxy string empty */
    DCS_WARN_PAC_FLAG_EMPTY,      /* AUTO_PROXY_URL bit set, URL empty/blank */
    DCS_WARN_NUL_IN_STRING,       /* a string contains a NUL byte (CHECK_TEXT) */
    DCS_WARN_NOT_UTF8,            /* a string is not valid UTF-8 (CHECK_TEXT) */
    DCS_WARN_WINHTTP_COUNTER,     /* WinHTTP counter != 0 (Wine ignores it) */
    DCS_WARN_SOCKADDR_FAMILY,     /* socket record family not AF_INET/AF_INET6 */
    DCS_WARN_UNKNOWN_ADFLAGS,     /* autodiscovery bits above 0x40 */
    DCS_WARN_WARNINGS_DROPPED     /* more warnings than fit in the model */
};

struct dcs_blob_warning {
    uint16_t code;   /* enum dcs_blob_warning_code */
    uint32_t offset; /* byte offset of the field concerned */
};

#define DCS_BLOB_MAX_WARNINGS 8

struct dcs_blob {
    enum dcs_blob_format format;
    uint32_t nfields; /* fields present, in wire order (enum dcs_blob_field) */

    uint32_t version;
    uint32_t counter;
    uint32_t flags;
    dcs_bytes proxy;
    dcs_bytes bypass;
    /* WinINET only from here on */
    dcs_bytes autoconfig_url;
    uint32_t autodiscovery_flags;
    dcs_bytes last_detect_url;
    uint64_t last_detect_time; /* FILETIME: 100 ns ticks since 1601-01-01 UTC */
    uint32_t ipv4_count;
    const uint8_t *ipv4;       /* ipv4_count * 4 bytes, network order */
    dcs_bytes secondary_url;
    uint32_t reload_delay_mins;
    uint32_t sockaddr_count;   /* 0x46 layout only */
    const uint8_t *sockaddrs;  /* sockaddr_count * 128 bytes */
    dcs_bytes trailer;         /* bytes the layout does not explain */

    uint32_t nwarnings;
    struct dcs_blob_warning warnings[DCS_BLOB_MAX_WARNINGS];
};

/* ---- decoding ---------------------------------------------------------- */

/* Decode options (bit set). */
#define DCS_DECODE_LENIENT 0x0u  /* default: accept what Windows' readers accept */
#define DCS_DECODE_STRICT 0x1u   /* reject anything Windows would not write */
#define DCS_DECODE_WININET 0x2u  /* require a WinINET blob (by value name) */
#define DCS_DECODE_WINHTTP 0x4u  /* require a WinHttpSettings blob */
#define DCS_DECODE_CHECK_TEXT 0x8u /* also warn about NUL bytes and invalid
                                      UTF-8 in strings (a pass over every
                                      string byte; the CLI always asks) */

/* Decode size bytes at data into *out.  The format is told by the version
 * DWORD (0x18/0x28: WinHTTP, >= 0x3C: WinINET) unless a DCS_DECODE_WIN*
 * option forces it.  On error *out is left in an unspecified state and err
 * names the byte offset.  Never reads outside [data, data+size). */
DCS_API dcs_status dcs_blob_decode(const void *data, size_t size, unsigned options,
                           struct dcs_blob *out, struct dcs_error *err);

/* ---- encoding ---------------------------------------------------------- */

/* Number of bytes dcs_blob_encode() writes for this model (0 if invalid). */
DCS_API size_t dcs_blob_encoded_size(const struct dcs_blob *blob);

/* Encode into out[0..cap).  *written (may be NULL) receives the size.
 * out == NULL && cap == 0 is a size query: DCS_OK with the size in *written.
 * When cap is too small, nothing is written, *written receives the size
 * needed and DCS_ERR_BUFFER_TOO_SMALL is returned; out == NULL with cap > 0
 * is DCS_ERR_INVALID_ARG.  An inconsistent model is DCS_ERR_BLOB_MODEL
 * (*written 0). */
DCS_API dcs_status dcs_blob_encode(const struct dcs_blob *blob, void *out, size_t cap,
                           size_t *written, struct dcs_error *err);

/* ---- building models ---------------------------------------------------- */

/* An empty model with every field of the format present: all strings empty,
 * counts zero.  version: DCS_VERSION_IE5/IE7 for WinINET (0 = IE7),
 * DCS_VERSION_WINHTTP/WINHTTP28 for WinHTTP (0 = 0x18). */
DCS_API void dcs_blob_init(struct dcs_blob *blob, enum dcs_blob_format format, uint32_t version);

/* Full field count for a format/version (5, 12 or 13). */
DCS_API uint32_t dcs_blob_field_count(enum dcs_blob_format format, uint32_t version);

/* What a user chooses in Internet Options → LAN settings. */
struct dcs_settings {
    uint32_t flags;          /* PROXY_TYPE_* bits; 0x01 is added when building */
    dcs_bytes proxy;
    dcs_bytes bypass;
    dcs_bytes autoconfig_url;
};

/* Build a 0x46 blob the way the Windows UI saves one: bit 0x01 always set,
 * counter = previous->counter + 1 (1 when previous is NULL or not WinINET),
 * autodiscovery flags kept from previous (AUTO_PROXY_FLAG_USER_SET when there
 * is none), everything after the PAC URL otherwise zeroed.  Views in *out
 * point into *s. */
DCS_API void dcs_blob_build(const struct dcs_settings *s, const struct dcs_blob *previous,
                    struct dcs_blob *out);

/* What `netsh winhttp import proxy source=ie` makes of an IE blob: proxy and
 * bypass only, copied when the PROXY bit is set and the proxy is non-empty;
 * flags 0x03 then, else 0x01 (direct) with empty strings; counter 0.
 * version: DCS_VERSION_WINHTTP28 (what netsh writes) or DCS_VERSION_WINHTTP. */
DCS_API dcs_status dcs_blob_to_winhttp(const struct dcs_blob *ie, uint32_t version,
                               struct dcs_blob *out, struct dcs_error *err);

/* ---- comparing ------------------------------------------------------------ */

#define DCS_EQUAL_EXACT 0x0u          /* every field, counter included */
#define DCS_EQUAL_IGNORE_COUNTER 0x1u /* every field but the counter */
#define DCS_EQUAL_EFFECTIVE 0x2u      /* only what takes effect: the type bits
                                         and the strings those bits enable */

DCS_API bool dcs_blob_equal(const struct dcs_blob *a, const struct dcs_blob *b, unsigned how);

/* ---- helpers ------------------------------------------------------------ */

/* Effective view: proxy is in use only when the PROXY bit is set and the
 * string is non-empty (and likewise for the PAC URL), as .NET and Wine read. */
DCS_API bool dcs_blob_uses_proxy(const struct dcs_blob *blob);
DCS_API bool dcs_blob_uses_autoconfig(const struct dcs_blob *blob);
DCS_API bool dcs_blob_uses_autodetect(const struct dcs_blob *blob);

/* One 128-byte SOCKADDR_STORAGE record, decoded. */
struct dcs_sockaddr {
    uint16_t family;   /* 2 = AF_INET, 23 = AF_INET6 (Windows numbering) */
    uint16_t port;     /* host order */
    uint32_t flowinfo; /* AF_INET6 */
    uint32_t scope_id; /* AF_INET6 */
    uint8_t addr[16];  /* AF_INET: first 4 bytes */
};
#define DCS_AF_INET 2u
#define DCS_AF_INET6 23u

DCS_API void dcs_sockaddr_decode(const uint8_t rec[DCS_SOCKADDR_RECORD_SIZE], struct dcs_sockaddr *out);
/* Fill a zeroed 128-byte record from *sa (the inverse of decode for records
 * whose unused bytes are zero). */
DCS_API void dcs_sockaddr_encode(const struct dcs_sockaddr *sa, uint8_t rec[DCS_SOCKADDR_RECORD_SIZE]);
/* "192.168.1.101" / "fe80::d104:cd64:e45d:3365" into buf (>= 46 bytes). */
DCS_API size_t dcs_sockaddr_format(const struct dcs_sockaddr *sa, char *buf, size_t size);

/* Name of a field ("autoconfig_url") or warning ("proxy flag set, proxy empty"). */
DCS_API const char *dcs_blob_field_name(enum dcs_blob_field field);
DCS_API const char *dcs_blob_warning_str(enum dcs_blob_warning_code code);

/* Names of set PROXY_TYPE_* bits, e.g. "DIRECT|PROXY", into buf. */
DCS_API size_t dcs_blob_flag_names(uint32_t flags, char *buf, size_t size);

/* FILETIME → "2011-04-11T04:55:58.391Z" (0, or a time after the year 9999,
 * → ""); returns length. */
DCS_API size_t dcs_filetime_format(uint64_t filetime, char *buf, size_t size);

#ifdef __cplusplus
}
#endif
#endif
