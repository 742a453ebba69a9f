/* Proxy-server and bypass lists: whole-list and PAC URL checks, canonical
 * writers, the bitsadmin-list builder, protocol lookup, entry comparison
 * and names. */
#include <dcs/proxylist.h>
#include "proxylist/proxylist_int.h"

#include <stdio.h>
#include <string.h>

#include "core/text.h"

bool dcsi_list_ieq(const char *a, size_t alen, const char *b)
{
    size_t blen = strlen(b);
    if (alen != blen)
        return false;
    for (size_t i = 0; i < alen; i++) {
        unsigned char x = (unsigned char)a[i], y = (unsigned char)b[i];
        if (x >= 'A' && x <= 'Z')
            x = (unsigned char)(x + 32);
        if (y >= 'A' && y <= 'Z')
            y = (unsigned char)(y + 32);
        if (x != y)
            return false;
    }
    return true;
}

/* ---- whole-list checks ------------------------------------------------------- */

static void fill_report(const struct dcs_list_iter *it, struct dcs_list_report *report)
{
    if (!report)
        return;
    report->count = it->nentries;
    report->nwarnings = it->nwarnings;
    memcpy(report->warnings, it->warnings, sizeof report->warnings);
}

dcs_status dcs_proxy_check(const char *text, size_t len, unsigned options,
                           struct dcs_list_report *report, struct dcs_error *err)
{
    struct dcs_list_iter it;
    struct dcs_proxy_entry e;
    bool got = true;
    dcs_status st = DCS_OK;

    dcs_proxy_iter_init(&it, text, len, options);
    while (!st && got)
        st = dcs_proxy_next(&it, &e, &got, err);
    fill_report(&it, report);
    return st;
}

dcs_status dcs_bypass_check(const char *text, size_t len, unsigned options,
                            struct dcs_list_report *report, struct dcs_error *err)
{
    struct dcs_list_iter it;
    struct dcs_bypass_entry e;
    bool got = true;
    dcs_status st = DCS_OK;

    dcs_bypass_iter_init(&it, text, len, options);
    while (!st && got)
        st = dcs_bypass_next(&it, &e, &got, err);
    fill_report(&it, report);
    return st;
}

dcs_status dcs_pac_url_check(const char *text, size_t len, struct dcs_error *err)
{
    size_t bad = 0;
    if (len > 0 && !text)
        return dcs_error_set(err, DCS_ERR_INVALID_ARG, DCS_NO_OFFSET, "URL text is NULL");
    for (size_t i = 0; i < len; i++)
        if (is_control((unsigned char)text[i]))
            return dcs_error_set(err, DCS_ERR_INVALID_ARG, i, "control character 0x%02x",
                                 (unsigned char)text[i]);
    if (!dcsi_utf8_valid(text, len, &bad))
        return dcs_error_set(err, DCS_ERR_INVALID_ARG, bad, "byte 0x%02x is not UTF-8",
                             (unsigned char)text[bad]);
    if (len > DCS_LIST_ENTRY_MAX)
        return dcs_error_set(err, DCS_ERR_INVALID_ARG, DCS_LIST_ENTRY_MAX,
                             "%zu bytes long: WinINET takes at most %u", len, DCS_LIST_ENTRY_MAX);
    return DCS_OK;
}

/* ---- output buffer that counts past its end -------------------------------- */

struct sink {
    char *out;
    size_t cap;
    size_t n;
};

static void put(struct sink *s, const char *p, size_t n)
{
    if (s->out && s->n < s->cap) {
        size_t room = s->cap - s->n;
        memcpy(s->out + s->n, p, n < room ? n : room);
    }
    s->n += n;
}

static void put_lower(struct sink *s, const char *p, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        char c = p[i];
        if (c >= 'A' && c <= 'Z')
            c = (char)(c + 32);
        put(s, &c, 1);
    }
}

static void put_str(struct sink *s, const char *z)
{
    put(s, z, strlen(z));
}

static dcs_status finish(const struct sink *s, size_t *written, struct dcs_error *err)
{
    if (written)
        *written = s->n;
    if (!s->out && s->cap == 0)
        return DCS_OK;
    if (!s->out || s->n > s->cap)
        return dcs_error_set(err, DCS_ERR_BUFFER_TOO_SMALL, DCS_NO_OFFSET,
                             "list needs %zu bytes, buffer holds %zu", s->n, s->cap);
    return DCS_OK;
}

/* ---- formatting one entry ------------------------------------------------------ */

static void put_addr(struct sink *s, const struct dcs_list_addr *a)
{
    if (a->scheme.len) {
        put_lower(s, a->scheme.ptr, a->scheme.len);
        put_str(s, "://");
    }
    if (a->ipv6)
        put_str(s, "[");
    if (a->host.len)
        put(s, a->host.ptr, a->host.len);
    if (a->ipv6)
        put_str(s, "]");
    if (a->has_port) {
        char num[8];
        int k = snprintf(num, sizeof num, ":%u", (unsigned)a->port);
        put(s, num, (size_t)k);
    }
}

static void put_proxy_entry(struct sink *s, const struct dcs_proxy_entry *e)
{
    if (e->key == DCS_PROXY_KEY_UNKNOWN) {
        put_lower(s, e->key_text.ptr, e->key_text.len);
        put_str(s, "=");
    } else if (e->key != DCS_PROXY_KEY_DEFAULT) {
        put_str(s, dcs_proxy_key_name(e->key));
        put_str(s, "=");
    }
    put_addr(s, &e->addr);
}

static void put_bypass_entry(struct sink *s, const struct dcs_bypass_entry *e)
{
    switch (e->kind) {
    case DCS_BYPASS_LOCAL:
        put_str(s, "<local>");
        break;
    case DCS_BYPASS_NO_LOOPBACK:
        put_str(s, "<-loopback>");
        break;
    case DCS_BYPASS_UNKNOWN_MACRO:
        put(s, e->addr.host.ptr, e->addr.host.len);
        break;
    case DCS_BYPASS_HOST:
        put_addr(s, &e->addr);
        break;
    }
}

size_t dcs_proxy_entry_format(const struct dcs_proxy_entry *e, char *out, size_t cap)
{
    struct sink s = { out, cap, 0 };
    put_proxy_entry(&s, e);
    return s.n;
}

size_t dcs_bypass_entry_format(const struct dcs_bypass_entry *e, char *out, size_t cap)
{
    struct sink s = { out, cap, 0 };
    put_bypass_entry(&s, e);
    return s.n;
}

/* ---- writing arrays of entries ------------------------------------------------- */

dcs_status dcs_proxy_write(const struct dcs_proxy_entry *entries, size_t n, char *out,
                           size_t cap, size_t *written, struct dcs_error *err)
{
    struct sink s = { out, cap, 0 };
    if (n && !entries)
        return dcs_error_set(err, DCS_ERR_INVALID_ARG, DCS_NO_OFFSET, "entries is NULL");
    for (size_t i = 0; i < n; i++) {
        dcs_status st = dcsi_list_check_proxy_entry(&entries[i], i, err);
        if (st)
            return st;
        if (i)
            put_str(&s, ";");
        put_proxy_entry(&s, &entries[i]);
    }
    return finish(&s, written, err);
}

dcs_status dcs_bypass_write(const struct dcs_bypass_entry *entries, size_t n, char *out,
                            size_t cap, size_t *written, struct dcs_error *err)
{
    struct sink s = { out, cap, 0 };
    if (n && !entries)
        return dcs_error_set(err, DCS_ERR_INVALID_ARG, DCS_NO_OFFSET, "entries is NULL");
    for (size_t i = 0; i < n; i++) {
        dcs_status st = dcsi_list_check_bypass_entry(&entries[i], i, err);
        if (st)
            return st;
        if (i)
            put_str(&s, ";");
        put_bypass_entry(&s, &entries[i]);
    }
    return finish(&s, written, err);
}

/* ---- parse and write in one pass ----------------------------------------------- */

dcs_status dcs_proxy_canonical(const char *text, size_t len, unsigned options, char *out,
                               size_t cap, size_t *written, struct dcs_error *err)
{
    struct dcs_list_iter it;
    struct dcs_proxy_entry e;
    struct sink s = { out, cap, 0 };
    bool got;
    dcs_status st;

    dcs_proxy_iter_init(&it, text, len, options);
    while ((st = dcs_proxy_next(&it, &e, &got, err)) == DCS_OK && got) {
        if (it.nentries > 1)
            put_str(&s, ";");
        put_proxy_entry(&s, &e);
    }
    if (st)
        return st;
    return finish(&s, written, err);
}

dcs_status dcs_bypass_canonical(const char *text, size_t len, unsigned options, char *out,
                                size_t cap, size_t *written, struct dcs_error *err)
{
    struct dcs_list_iter it;
    struct dcs_bypass_entry e;
    struct sink s = { out, cap, 0 };
    bool got;
    dcs_status st;

    dcs_bypass_iter_init(&it, text, len, options);
    while ((st = dcs_bypass_next(&it, &e, &got, err)) == DCS_OK && got) {
        if (it.nentries > 1)
            put_str(&s, ";");
        put_bypass_entry(&s, &e);
    }
    if (st)
        return st;
    return finish(&s, written, err);
}

/* ---- bitsadmin lists -------------------------------------------------------------- */

/* bitsadmin's spellings of "no list": NULL or "" (after trimming blanks). */
static bool bitsadmin_empty(const char *text, size_t len)
{
    while (len && (text[0] == ' ' || text[0] == '\t')) {
        text++;
        len--;
    }
    while (len && (text[len - 1] == ' ' || text[len - 1] == '\t'))
        len--;
    return dcsi_list_ieq(text, len, "NULL") || (len == 2 && text[0] == '"' && text[1] == '"');
}

dcs_status dcs_proxy_from_bitsadmin(const char *text, size_t len, unsigned options, char *out,
                                    size_t cap, size_t *written, struct dcs_error *err)
{
    if (len && text && bitsadmin_empty(text, len))
        len = 0;
    return dcs_proxy_canonical(text, len, options | DCS_LIST_COMMAS, out, cap, written, err);
}

dcs_status dcs_bypass_from_bitsadmin(const char *text, size_t len, unsigned options, char *out,
                                     size_t cap, size_t *written, struct dcs_error *err)
{
    if (len && text && bitsadmin_empty(text, len))
        len = 0;
    return dcs_bypass_canonical(text, len, options | DCS_LIST_COMMAS, out, cap, written, err);
}

/* ---- lookup ------------------------------------------------------------------------ */

dcs_status dcs_proxy_lookup(const char *text, size_t len, unsigned options, const char *protocol,
                            struct dcs_proxy_entry *out, enum dcs_proxy_match *how,
                            struct dcs_error *err)
{
    struct dcs_list_iter it;
    struct dcs_proxy_entry e, by_key, by_default, by_socks;
    bool have_key = false, have_default = false, have_socks = false, got;
    bool protocol_is_socks;
    dcs_status st;

    if (!protocol || !out || !how)
        return dcs_error_set(err, DCS_ERR_INVALID_ARG, DCS_NO_OFFSET, "NULL argument");
    *how = DCS_PROXY_MATCH_NONE;
    protocol_is_socks = dcsi_list_ieq(protocol, strlen(protocol), "socks");
    memset(&by_key, 0, sizeof by_key);
    memset(&by_default, 0, sizeof by_default);
    memset(&by_socks, 0, sizeof by_socks);

    dcs_proxy_iter_init(&it, text, len, options);
    while ((st = dcs_proxy_next(&it, &e, &got, err)) == DCS_OK && got) {
        if (e.key == DCS_PROXY_KEY_DEFAULT) {
            if (!have_default)
                by_default = e;
            have_default = true;
            continue;
        }
        if (!have_key && dcsi_list_ieq(e.key_text.ptr, e.key_text.len, protocol)) {
            by_key = e;
            have_key = true;
        }
        if (!have_socks && e.key == DCS_PROXY_KEY_SOCKS) {
            by_socks = e;
            have_socks = true;
        }
    }
    if (st)
        return st;
    if (have_key) {
        *out = by_key;
        *how = DCS_PROXY_MATCH_KEY;
    } else if (have_default) {
        *out = by_default;
        *how = DCS_PROXY_MATCH_DEFAULT;
    } else if (have_socks && !protocol_is_socks) {
        *out = by_socks;
        *how = DCS_PROXY_MATCH_SOCKS;
    }
    return DCS_OK;
}

/* ---- comparing and naming ---------------------------------------------------------- */

static bool str_ieq(dcs_list_str a, dcs_list_str b)
{
    if (a.len != b.len)
        return false;
    for (uint32_t i = 0; i < a.len; i++) {
        unsigned char x = (unsigned char)a.ptr[i], y = (unsigned char)b.ptr[i];
        if (x >= 'A' && x <= 'Z')
            x = (unsigned char)(x + 32);
        if (y >= 'A' && y <= 'Z')
            y = (unsigned char)(y + 32);
        if (x != y)
            return false;
    }
    return true;
}

static bool str_eq(dcs_list_str a, dcs_list_str b)
{
    return a.len == b.len && (a.len == 0 || memcmp(a.ptr, b.ptr, a.len) == 0);
}

static bool addr_equal(const struct dcs_list_addr *a, const struct dcs_list_addr *b)
{
    return str_ieq(a->scheme, b->scheme) && str_eq(a->host, b->host) &&
           a->has_port == b->has_port && (!a->has_port || a->port == b->port) &&
           a->ipv6 == b->ipv6;
}

bool dcs_proxy_entry_equal(const struct dcs_proxy_entry *a, const struct dcs_proxy_entry *b)
{
    if (a->key != b->key)
        return false;
    if (a->key == DCS_PROXY_KEY_UNKNOWN && !str_ieq(a->key_text, b->key_text))
        return false;
    return addr_equal(&a->addr, &b->addr);
}

bool dcs_bypass_entry_equal(const struct dcs_bypass_entry *a, const struct dcs_bypass_entry *b)
{
    if (a->kind != b->kind)
        return false;
    switch (a->kind) {
    case DCS_BYPASS_LOCAL:
    case DCS_BYPASS_NO_LOOPBACK:
        return true;
    case DCS_BYPASS_UNKNOWN_MACRO:
        return str_eq(a->addr.host, b->addr.host);
    case DCS_BYPASS_HOST:
        return a->wildcard == b->wildcard && addr_equal(&a->addr, &b->addr);
    }
    return false;
}

const char *dcs_proxy_key_name(enum dcs_proxy_key key)
{
    switch (key) {
    case DCS_PROXY_KEY_DEFAULT: return "";
    case DCS_PROXY_KEY_HTTP: return "http";
    case DCS_PROXY_KEY_HTTPS: return "https";
    case DCS_PROXY_KEY_FTP: return "ftp";
    case DCS_PROXY_KEY_SOCKS: return "socks";
    case DCS_PROXY_KEY_UNKNOWN: return "?";
    }
    return "?";
}

const char *dcs_list_warning_str(enum dcs_list_warning_code code)
{
    switch (code) {
    case DCS_LIST_WARN_EMPTY_ENTRY: return "empty entry";
    case DCS_LIST_WARN_UNKNOWN_KEY: return "unknown proxy key (not http, https, ftp or socks)";
    case DCS_LIST_WARN_UNKNOWN_SCHEME: return "unknown scheme";
    case DCS_LIST_WARN_NON_ASCII: return "non-ASCII byte in host name";
    case DCS_LIST_WARN_PORT_LEADING_ZERO: return "port number with a leading zero";
    case DCS_LIST_WARN_BARE_IPV6: return "IPv6 address without brackets";
    case DCS_LIST_WARN_TRAILING_SLASH: return "trailing '/' after the address";
    case DCS_LIST_WARN_HOST_TOO_LONG: return "host name longer than 255 bytes";
    case DCS_LIST_WARN_UNKNOWN_MACRO: return "unknown bypass macro (not <local> or <-loopback>)";
    case DCS_LIST_WARN_WILDCARD_INSIDE: return "'*' not leading (WinHTTP only matches a leading \"*.\")";
    case DCS_LIST_WARN_NOT_GRAMMAR: return "entry outside the list grammar: written as given";
    case DCS_LIST_WARN_COUNT_: break;
    }
    return "unknown warning";
}
