/* Proxy blobs: names, socket-address records and FILETIMEs as text. */
#include <arpa/inet.h>
#include <stdio.h>
#include <time.h>

#include "blob/blob_internal.h"

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

/* ---- socket addresses, names, times -------------------------------------- */

void dcs_sockaddr_decode(const uint8_t rec[DCS_SOCKADDR_RECORD_SIZE], struct dcs_sockaddr *out)
{
    memset(out, 0, sizeof *out);
    out->family = (uint16_t)(rec[0] | rec[1] << 8);
    out->port = (uint16_t)(rec[2] << 8 | rec[3]); /* network order on the wire */
    if (out->family == DCS_AF_INET6) {
        out->flowinfo = dcs_rd32(rec + 4);
        memcpy(out->addr, rec + 8, 16);
        out->scope_id = dcs_rd32(rec + 24);
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
        dcs_wr32(rec + 4, sa->flowinfo);
        memcpy(rec + 8, sa->addr, 16);
        dcs_wr32(rec + 24, sa->scope_id);
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
    /* ISO 8601 has four-digit years; later times (up to the year 60056 a
     * FILETIME can hold) get no text rather than a five-digit year. */
    if (!gmtime_r(&t, &tm) || tm.tm_year > 9999 - 1900)
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
