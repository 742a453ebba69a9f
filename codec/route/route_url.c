/* URL parsing for dcs route: scheme://[userinfo@]host[:port][/...] with
 * IPv6 literals and IDN hosts (codec/route/ROUTING.md).  No allocation: the
 * lower-cased host and its IDNA ASCII form go into the caller's struct. */
#include "route/route_internal.h"

#include <string.h>

/* ---- UTF-8 ------------------------------------------------------------------ */

/* Decode one UTF-8 sequence at s[0..n); returns its length (0 when invalid:
 * overlong, surrogate, beyond U+10FFFF, truncated). */
static size_t utf8_next(const unsigned char *s, size_t n, uint32_t *cp)
{
    unsigned char c = s[0];
    size_t len;
    uint32_t v, min;
    if (c < 0x80) {
        *cp = c;
        return 1;
    }
    if ((c & 0xE0) == 0xC0) {
        len = 2, v = c & 0x1F, min = 0x80;
    } else if ((c & 0xF0) == 0xE0) {
        len = 3, v = c & 0x0F, min = 0x800;
    } else if ((c & 0xF8) == 0xF0) {
        len = 4, v = c & 0x07, min = 0x10000;
    } else {
        return 0;
    }
    if (len > n)
        return 0;
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        v = (v << 6) | (s[i] & 0x3F);
    }
    if (v < min || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF))
        return 0;
    *cp = v;
    return len;
}

/* The ideographic and full-width full stops separate labels as '.' does (IDNA). */
static bool is_dot_cp(uint32_t cp)
{
    return cp == '.' || cp == 0x3002 || cp == 0xFF0E || cp == 0xFF61;
}

/* ---- IP literals ------------------------------------------------------------ */

bool dcsi_route_parse_ipv4(const char *s, size_t n, uint8_t out[4])
{
    size_t i = 0;
    for (int part = 0; part < 4; part++) {
        unsigned v = 0, digits = 0;
        while (i < n && route_digit((unsigned char)s[i]) && digits < 4) {
            v = v * 10 + (unsigned)(s[i++] - '0');
            digits++;
        }
        if (digits == 0 || digits > 3 || v > 255)
            return false;
        out[part] = (uint8_t)v;
        if (part < 3) {
            if (i >= n || s[i] != '.')
                return false;
            i++;
        }
    }
    return i == n;
}

static int hexval(unsigned char c)
{
    if (route_digit(c))
        return c - '0';
    c |= 0x20;
    return (c >= 'a' && c <= 'f') ? c - 'a' + 10 : -1;
}

/* RFC 4291 text form: up to eight groups, one "::", an optional trailing
 * dotted quad.  No zone id (the caller splits it off). */
bool dcsi_route_parse_ipv6(const char *s, size_t n, uint8_t out[16])
{
    uint16_t g[8];
    int ng = 0, gap = -1;
    size_t i = 0;
    if (n >= 2 && s[0] == ':' && s[1] == ':') {
        gap = 0;
        i = 2;
    } else if (n && s[0] == ':') {
        return false;
    }
    while (i < n) {
        size_t start = i;
        unsigned v = 0;
        while (i < n && hexval((unsigned char)s[i]) >= 0 && i - start < 5)
            v = v * 16 + (unsigned)hexval((unsigned char)s[i++]);
        if (i < n && s[i] == '.') { /* embedded IPv4 ends the address */
            uint8_t v4[4];
            if (ng > 6 || !dcsi_route_parse_ipv4(s + start, n - start, v4))
                return false;
            g[ng++] = (uint16_t)(v4[0] << 8 | v4[1]);
            g[ng++] = (uint16_t)(v4[2] << 8 | v4[3]);
            break;
        }
        if (i == start || i - start > 4 || ng == 8)
            return false;
        g[ng++] = (uint16_t)v;
        if (i == n)
            break;
        if (s[i] != ':')
            return false;
        i++;
        if (i < n && s[i] == ':') {
            if (gap >= 0)
                return false;
            gap = ng;
            i++;
        } else if (i == n) {
            return false; /* trailing single ':' */
        }
    }
    if ((gap < 0 && ng != 8) || (gap >= 0 && ng > 7))
        return false;
    memset(out, 0, 16);
    int tail = gap < 0 ? 0 : ng - gap;
    for (int k = 0; k < ng; k++) {
        size_t pos = (size_t)((gap >= 0 && k >= gap) ? 8 - tail + (k - gap) : k);
        out[2 * pos] = (uint8_t)(g[k] >> 8);
        out[2 * pos + 1] = (uint8_t)g[k];
    }
    return true;
}

/* ---- schemes ------------------------------------------------------------------- */

static const struct {
    const char *name;
    enum dcs_url_scheme id;
    uint16_t port;
} schemes[] = {
    {"http", DCS_URL_HTTP, 80}, {"https", DCS_URL_HTTPS, 443}, {"ftp", DCS_URL_FTP, 21},
    {"ws", DCS_URL_WS, 80},     {"wss", DCS_URL_WSS, 443},
};

static void classify_scheme(struct dcs_url *u)
{
    u->scheme_id = DCS_URL_OTHER;
    for (size_t i = 0; i < sizeof schemes / sizeof schemes[0]; i++) {
        size_t n = strlen(schemes[i].name);
        if (u->scheme.len != n)
            continue;
        size_t k = 0;
        while (k < n && route_lower(u->scheme.ptr[k]) == schemes[i].name[k])
            k++;
        if (k == n) {
            u->scheme_id = schemes[i].id;
            if (!u->has_port)
                u->port = schemes[i].port;
            return;
        }
    }
}

/* ---- host ------------------------------------------------------------------ */

static dcs_status bad(struct dcs_error *err, size_t off, const char *what)
{
    return dcs_error_set(err, DCS_ERR_INVALID_ARG, off, "URL: %s", what);
}

static dcs_status bad_char(struct dcs_error *err, const char *t, size_t off, const char *where)
{
    unsigned char c = (unsigned char)t[off];
    if (c > 0x20 && c < 0x7f)
        return dcs_error_set(err, DCS_ERR_INVALID_ARG, off, "URL: invalid character '%c' in %s",
                             c, where);
    return dcs_error_set(err, DCS_ERR_INVALID_ARG, off, "URL: invalid byte 0x%02x in %s", c,
                         where);
}

/* Byte classes of a URL, one table lookup per byte on the hot path. */
enum { C_BAD = 1, C_HIGH = 2, C_END = 4, C_HOST = 8, C_AT = 16 };
static const uint8_t url_class[256] = {
     1,  1,  1,  1,  1,  1,  1,  1,  1,  1,  1,  1,  1,  1,  1,  1,
     1,  1,  1,  1,  1,  1,  1,  1,  1,  1,  1,  1,  1,  1,  1,  1,
     1,  0,  0,  4,  0,  0,  0,  0,  0,  0,  0,  0,  0,  8,  8,  4,
     8,  8,  8,  8,  8,  8,  8,  8,  8,  8,  0,  0,  0,  0,  0,  4,
    16,  8,  8,  8,  8,  8,  8,  8,  8,  8,  8,  8,  8,  8,  8,  8,
     8,  8,  8,  8,  8,  8,  8,  8,  8,  8,  8,  0,  4,  0,  0,  8,
     0,  8,  8,  8,  8,  8,  8,  8,  8,  8,  8,  8,  8,  8,  8,  8,
     8,  8,  8,  8,  8,  8,  8,  8,  8,  8,  8,  0,  0,  0,  0,  1,
     2,  2,  2,  2,  2,  2,  2,  2,  2,  2,  2,  2,  2,  2,  2,  2,
     2,  2,  2,  2,  2,  2,  2,  2,  2,  2,  2,  2,  2,  2,  2,  2,
     2,  2,  2,  2,  2,  2,  2,  2,  2,  2,  2,  2,  2,  2,  2,  2,
     2,  2,  2,  2,  2,  2,  2,  2,  2,  2,  2,  2,  2,  2,  2,  2,
     2,  2,  2,  2,  2,  2,  2,  2,  2,  2,  2,  2,  2,  2,  2,  2,
     2,  2,  2,  2,  2,  2,  2,  2,  2,  2,  2,  2,  2,  2,  2,  2,
     2,  2,  2,  2,  2,  2,  2,  2,  2,  2,  2,  2,  2,  2,  2,  2,
     2,  2,  2,  2,  2,  2,  2,  2,  2,  2,  2,  2,  2,  2,  2,  2,
};

static dcs_status bad_byte(const char *t, size_t i, struct dcs_error *err)
{
    unsigned char c = (unsigned char)t[i];
    return dcs_error_set(err, DCS_ERR_INVALID_ARG, i,
                         c == ' ' ? "URL: space (write it as %%20)" : "URL: control character 0x%02x",
                         c);
}

/* No space or control byte; non-ASCII bytes form valid UTF-8. */
static dcs_status check_bytes(const char *t, size_t s, size_t len, struct dcs_error *err)
{
    for (size_t i = s; i < len;) {
        uint8_t k = url_class[(unsigned char)t[i]];
        uint32_t cp;
        if (!(k & (C_BAD | C_HIGH))) {
            i++;
            continue;
        }
        if (k & C_BAD)
            return bad_byte(t, i, err);
        size_t l = utf8_next((const unsigned char *)t + i, len - i, &cp);
        if (l == 0)
            return bad(err, i, "invalid UTF-8");
        i += l;
    }
    return DCS_OK;
}

/* One label's IDNA ASCII form appended to u->ace. */
static dcs_status ace_label(struct dcs_url *u, const char *t, size_t s, size_t e,
                            struct dcs_error *err)
{
    uint32_t cps[DCS_URL_HOST_MAX];
    size_t n = 0;
    bool ascii = true;
    for (size_t i = s; i < e;) {
        uint32_t cp;
        size_t l = utf8_next((const unsigned char *)t + i, e - i, &cp);
        if (l == 0 || n == DCS_URL_HOST_MAX)
            return bad(err, i, "invalid UTF-8 in host");
        cps[n++] = cp < 0x80 ? (uint32_t)(unsigned char)route_lower((char)cp) : cp;
        ascii &= cp < 0x80;
        i += l;
    }
    char *o = u->ace + u->ace_len;
    size_t room = DCS_URL_HOST_MAX - u->ace_len, w;
    if (ascii) {
        if (n > room)
            return bad(err, s, "host longer than 255 bytes");
        for (size_t k = 0; k < n; k++)
            o[k] = (char)cps[k];
        w = n;
    } else {
        if (room < 5)
            return bad(err, s, "host longer than 255 bytes after IDN conversion");
        o[0] = 'x', o[1] = 'n', o[2] = '-', o[3] = '-'; /* the ACE prefix, not a string */
        w = dcs_punycode_encode(cps, n, o + 4, room - 4);
        if (w == 0)
            return bad(err, s, "host longer than 255 bytes after IDN conversion");
        w += 4;
        if (w > 63)
            return bad(err, s, "IDN label longer than 63 bytes after conversion");
    }
    u->ace_len += (uint32_t)w;
    return DCS_OK;
}

/* Non-ASCII host: label by label into u->ace. */
static dcs_status to_ace(struct dcs_url *u, const char *t, size_t s, size_t e,
                         struct dcs_error *err)
{
    size_t label = s;
    u->ace_len = 0;
    for (size_t i = s; i <= e;) {
        uint32_t cp = '.';
        size_t l = 1;
        if (i < e) {
            l = utf8_next((const unsigned char *)t + i, e - i, &cp);
            if (l == 0)
                return bad(err, i, "invalid UTF-8 in host");
        }
        if (is_dot_cp(cp)) {
            dcs_status st = ace_label(u, t, label, i, err);
            if (st)
                return st;
            if (i < e) {
                if (u->ace_len >= DCS_URL_HOST_MAX)
                    return bad(err, s, "host longer than 255 bytes after IDN conversion");
                u->ace[u->ace_len++] = '.';
            }
            label = i + l;
        }
        i += l;
    }
    u->ace[u->ace_len] = '\0';
    return DCS_OK;
}

static dcs_status parse_name(struct dcs_url *u, const char *t, size_t s, size_t e,
                             struct dcs_error *err)
{
    for (size_t i = s; i < e; i++) {
        unsigned char c = (unsigned char)t[i];
        uint8_t k = url_class[c];
        if (k & C_HIGH)
            u->non_ascii = true;
        else if (!(k & C_HOST))
            return bad_char(err, t, i, "host");
        u->host[i - s] = route_lower((char)c);
    }
    u->host_len = (uint32_t)(e - s);
    u->host[u->host_len] = '\0';
    if (route_digit((unsigned char)u->host[0]) && dcsi_route_parse_ipv4(u->host, u->host_len, u->addr))
        u->host_kind = DCS_URL_IPV4;
    if (u->non_ascii)
        return to_ace(u, t, s, e, err);
    memcpy(u->ace, u->host, u->host_len + 1);
    u->ace_len = u->host_len;
    return DCS_OK;
}

static dcs_status parse_ipv6(struct dcs_url *u, const char *t, size_t s, size_t e,
                             struct dcs_error *err)
{
    size_t zone = s;
    while (zone < e && t[zone] != '%')
        zone++;
    if (!dcsi_route_parse_ipv6(t + s, zone - s, u->addr))
        return bad(err, s, "invalid IPv6 address in brackets");
    for (size_t i = zone + 1; i < e; i++) {
        unsigned char c = (unsigned char)t[i];
        if (!route_alpha(c) && !route_digit(c) && c != '-' && c != '_' && c != '.' && c != '%')
            return bad_char(err, t, i, "IPv6 zone id");
    }
    if (zone + 1 == e)
        return bad(err, zone, "empty IPv6 zone id after '%'");
    for (size_t i = s; i < e; i++)
        u->host[i - s] = route_lower(t[i]);
    u->host_len = (uint32_t)(e - s);
    u->host[u->host_len] = '\0';
    memcpy(u->ace, u->host, u->host_len + 1);
    u->ace_len = u->host_len;
    u->host_kind = DCS_URL_IPV6;
    return DCS_OK;
}

static dcs_status parse_port(struct dcs_url *u, const char *t, size_t s, size_t e,
                             struct dcs_error *err)
{
    uint32_t v = 0;
    if (s == e)
        return DCS_OK; /* "host:" means the default port (RFC 3986 §3.2.3) */
    for (size_t i = s; i < e; i++) {
        if (!route_digit((unsigned char)t[i]))
            return bad_char(err, t, i, "port");
        v = v * 10 + (uint32_t)(t[i] - '0');
        if (v > 65535)
            return bad(err, s, "port out of range (1..65535)");
    }
    if (v == 0)
        return bad(err, s, "port out of range (1..65535)");
    u->port = (uint16_t)v;
    u->has_port = true;
    return DCS_OK;
}

/* ---- the URL ------------------------------------------------------------------ */

static dcs_status parse_scheme(struct dcs_url *u, const char *t, size_t len, size_t *after,
                               struct dcs_error *err)
{
    size_t i = 0;
    while (i < len && (route_alpha((unsigned char)t[i]) ||
                       (i > 0 && (route_digit((unsigned char)t[i]) || t[i] == '+' ||
                                  t[i] == '-' || t[i] == '.'))))
        i++;
    if (i == 0 || i + 3 > len || t[i] != ':' || t[i + 1] != '/' || t[i + 2] != '/')
        return dcs_error_set(err, DCS_ERR_INVALID_ARG, i,
                             "URL: no scheme (write scheme://host, e.g. https://%s)",
                             i == 0 ? "host" : "...");
    u->scheme = (dcs_list_str){t, (uint32_t)i};
    *after = i + 3;
    return DCS_OK;
}

dcs_status dcs_url_parse(const char *text, size_t len, struct dcs_url *u, struct dcs_error *err)
{
    size_t a = 0, e, h;
    dcs_status st;
    if (!u || (!text && len))
        return dcs_error_set(err, DCS_ERR_INVALID_ARG, DCS_NO_OFFSET, "NULL argument");
    memset(u, 0, offsetof(struct dcs_url, host));
    u->host[0] = u->ace[0] = '\0';
    if (len > UINT32_MAX)
        return dcs_error_set(err, DCS_ERR_LIMIT, DCS_NO_OFFSET, "URL longer than 4 GiB");
    if ((st = parse_scheme(u, text, len, &a, err)))
        return st;
    /* the authority in one pass: its end, the last '@', plain bytes only */
    uint8_t seen = 0;
    h = a;
    for (e = a; e < len; e++) {
        uint8_t k = url_class[(unsigned char)text[e]];
        if (k & (C_END | C_AT)) {
            if (k & C_END)
                break;
            h = e + 1;
        }
        seen |= k;
    }
    if ((seen & (C_BAD | C_HIGH)) && (st = check_bytes(text, a, e, err)))
        return st;
    if ((st = check_bytes(text, e, len, err)))
        return st;
    if (h > a)
        u->userinfo = (dcs_list_str){text + a, (uint32_t)(h - 1 - a)};
    if (h == e)
        return bad(err, h, "empty host");
    size_t hs = h, he, port;
    if (text[h] == '[') {
        he = h + 1;
        while (he < e && text[he] != ']')
            he++;
        if (he == e)
            return bad(err, h, "unbalanced '['");
        hs = h + 1;
        if (he + 1 < e && text[he + 1] != ':')
            return bad_char(err, text, he + 1, "host after ']'");
        port = he + 1 < e ? he + 2 : e;
    } else {
        he = h;
        while (he < e && text[he] != ':')
            he++;
        port = he < e ? he + 1 : e;
        if (he == h)
            return bad(err, h, "empty host");
    }
    if (he - hs > DCS_URL_HOST_MAX)
        return bad(err, hs, "host longer than 255 bytes");
    st = text[h] == '[' ? parse_ipv6(u, text, hs, he, err) : parse_name(u, text, hs, he, err);
    if (st == DCS_OK)
        st = parse_port(u, text, port, e, err);
    if (st)
        return st;
    u->host_text = (dcs_list_str){text + hs, (uint32_t)(he - hs)};
    classify_scheme(u);
    return DCS_OK;
}
