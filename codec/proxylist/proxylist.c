/* Proxy-server and bypass-list parsing: zero-copy iterators over the list
 * text.  Grammar and sources: codec/proxylist/FORMAT.md §1 and §2. */
#include <dcs/proxylist.h>
#include "proxylist/proxylist_int.h"

#include <string.h>

#include "core/text.h"

/* ---- character classes --------------------------------------------------- */

static const char *const known_schemes[] = {
    "http", "https", "ftp", "socks", "socks4", "socks4a", "socks5", "socks5h",
};

static bool known_scheme(const char *s, size_t n)
{
    for (size_t i = 0; i < sizeof known_schemes / sizeof known_schemes[0]; i++)
        if (dcsi_list_ieq(s, n, known_schemes[i]))
            return true;
    return false;
}

/* ---- diagnostics ---------------------------------------------------------- */

static dcs_status fail(struct dcs_list_iter *it, struct dcs_error *err, uint32_t offset,
                       const char *what)
{
    it->failed = it->syntax_code;
    it->pos = offset;
    return dcs_error_set(err, it->syntax_code, offset, "%s", what);
}

static dcs_status fail_char(struct dcs_list_iter *it, struct dcs_error *err, uint32_t offset,
                            const char *where)
{
    unsigned char c = (unsigned char)it->text[offset];
    it->failed = it->syntax_code;
    it->pos = offset;
    if (c > 0x20 && c < 0x7f)
        return dcs_error_set(err, it->syntax_code, offset, "invalid character '%c' in %s", c,
                             where);
    return dcs_error_set(err, it->syntax_code, offset, "invalid byte 0x%02x in %s", c, where);
}

/* Record a warning, or fail when strict. */
static dcs_status warn(struct dcs_list_iter *it, struct dcs_error *err, uint32_t *bits,
                       enum dcs_list_warning_code code, uint32_t offset)
{
    if (it->options & DCS_LIST_STRICT) {
        it->failed = it->syntax_code;
        it->pos = offset;
        return dcs_error_set(err, it->syntax_code, offset, "strict: %s",
                             dcs_list_warning_str(code));
    }
    if (it->nwarnings < DCS_LIST_MAX_WARNINGS) {
        it->warnings[it->nwarnings].code = (uint16_t)code;
        it->warnings[it->nwarnings].offset = offset;
    }
    it->nwarnings++; /* at most one warning per byte: cannot wrap below DCS_LIST_MAX_LEN */
    if (bits)
        *bits |= 1u << code;
    return DCS_OK;
}

/* ---- iterator ------------------------------------------------------------- */

static void iter_init(struct dcs_list_iter *it, const char *text, size_t len, unsigned options,
                      dcs_status code)
{
    memset(it, 0, sizeof *it);
    it->text = text;
    it->options = options;
    it->syntax_code = code;
    if (len > DCS_LIST_MAX_LEN || (len > 0 && !text)) {
        it->failed = len > DCS_LIST_MAX_LEN ? DCS_ERR_LIMIT : DCS_ERR_INVALID_ARG;
        it->len = 0;
    } else {
        it->len = (uint32_t)len;
    }
}

void dcs_proxy_iter_init(struct dcs_list_iter *it, const char *text, size_t len,
                         unsigned options)
{
    iter_init(it, text, len, options, DCS_ERR_PROXY_SYNTAX);
}

void dcs_bypass_iter_init(struct dcs_list_iter *it, const char *text, size_t len,
                          unsigned options)
{
    iter_init(it, text, len, options, DCS_ERR_BYPASS_SYNTAX);
}

/* Skip separators (noting empty entries) and find the next entry's bytes. */
static dcs_status next_span(struct dcs_list_iter *it, uint32_t *start, uint32_t *end, bool *got,
                            struct dcs_error *err)
{
    *got = false;
    if (it->failed == DCS_ERR_LIMIT)
        return dcs_error_set(err, DCS_ERR_LIMIT, DCS_NO_OFFSET,
                             "list longer than %u bytes", (unsigned)DCS_LIST_MAX_LEN);
    if (it->failed == DCS_ERR_INVALID_ARG)
        return dcs_error_set(err, DCS_ERR_INVALID_ARG, DCS_NO_OFFSET, "list text is NULL");
    if (it->failed)
        return dcs_error_set(err, it->failed, it->pos, "list iteration stopped at an error");

    while (it->pos < it->len) {
        unsigned char c = (unsigned char)it->text[it->pos];
        if (c == ';' || (c == ',' && (it->options & DCS_LIST_COMMAS))) {
            it->last_sep_warned = !it->entry_since_sep;
            if (!it->entry_since_sep) {
                dcs_status st = warn(it, err, NULL, DCS_LIST_WARN_EMPTY_ENTRY, it->pos);
                if (st)
                    return st;
            }
            it->entry_since_sep = false;
            it->seen_sep = true;
            it->last_sep = it->pos++;
        } else if (is_space(c)) {
            it->pos++;
        } else {
            break;
        }
    }
    if (it->pos >= it->len) {
        if (it->seen_sep && !it->entry_since_sep && !it->last_sep_warned) {
            it->last_sep_warned = true;
            return warn(it, err, NULL, DCS_LIST_WARN_EMPTY_ENTRY, it->last_sep);
        }
        return DCS_OK;
    }
    *start = it->pos;
    while (it->pos < it->len && !is_sep(it, (unsigned char)it->text[it->pos]))
        it->pos++;
    *end = it->pos;
    it->entry_since_sep = true;
    *got = true;
    return DCS_OK;
}

static dcs_status check_controls(struct dcs_list_iter *it, uint32_t s, uint32_t e,
                                 struct dcs_error *err)
{
    for (uint32_t i = s; i < e; i++) {
        unsigned char c = (unsigned char)it->text[i];
        if (is_control(c)) {
            it->failed = it->syntax_code;
            it->pos = i;
            return dcs_error_set(err, it->syntax_code, i, "control character 0x%02x", c);
        }
    }
    return DCS_OK;
}

static dcs_list_str view(const struct dcs_list_iter *it, uint32_t s, uint32_t e)
{
    dcs_list_str v = { it->text + s, e - s };
    return v;
}

/* DCS_LIST_SYNTAX: the bytes of an entry a blob can hold.  The strings are
 * read as UTF-8 by most readers (codec/blob/FORMAT.md §8.1), and no URL
 * longer than WinINET's INTERNET_MAX_URL_LENGTH is used by it. */
static dcs_status check_bytes(struct dcs_list_iter *it, uint32_t s, uint32_t e,
                              struct dcs_error *err)
{
    size_t bad = 0;
    if (!(it->options & DCS_LIST_SYNTAX))
        return DCS_OK;
    if (!dcsi_utf8_valid(it->text + s, e - s, &bad)) {
        uint32_t at = s + (uint32_t)bad;
        it->failed = it->syntax_code;
        it->pos = at;
        return dcs_error_set(err, it->syntax_code, at, "byte 0x%02x is not UTF-8",
                             (unsigned char)it->text[at]);
    }
    if (e - s > DCS_LIST_ENTRY_MAX) {
        it->failed = it->syntax_code;
        it->pos = s + DCS_LIST_ENTRY_MAX;
        return dcs_error_set(err, it->syntax_code, it->pos,
                             "entry of %u bytes: WinINET takes at most %u", (unsigned)(e - s),
                             DCS_LIST_ENTRY_MAX);
    }
    return DCS_OK;
}

/* DCS_LIST_SYNTAX (not strict): the grammar fault st in [s, e) becomes a
 * warning at its offset and the entry is kept whole as *text, as WinINET
 * keeps it.  Any other status is returned as it is. */
static dcs_status keep_as_text(struct dcs_list_iter *it, uint32_t s, uint32_t e, dcs_status st,
                               dcs_list_str *text, uint32_t *bits, struct dcs_error *err)
{
    if (st != it->syntax_code || !(it->options & DCS_LIST_SYNTAX) ||
        (it->options & DCS_LIST_STRICT))
        return st;
    uint32_t at = it->pos; /* fail() left the fault's offset there */
    it->failed = DCS_OK;
    it->pos = e;
    dcs_error_clear(err);
    *text = view(it, s, e);
    return warn(it, err, bits, DCS_LIST_WARN_NOT_GRAMMAR, at);
}

/* Characters of an IPv6 literal (bracketed or bare) in [s, e).  A zone id
 * follows '%'.  Bypass patterns may hold '*'. */
static dcs_status check_ipv6(struct dcs_list_iter *it, uint32_t s, uint32_t e, bool bypass,
                             struct dcs_error *err)
{
    uint32_t colons = 0;
    bool zone = false;
    for (uint32_t i = s; i < e; i++) {
        unsigned char c = (unsigned char)it->text[i];
        if (zone) {
            if (!is_alpha(c) && !is_digit(c) && c != '-' && c != '_' && c != '.')
                return fail_char(it, err, i, "IPv6 zone id");
        } else if (c == '%') {
            if (i + 1 == e)
                return fail(it, err, i, "empty IPv6 zone id after '%'");
            zone = true;
        } else if (c == ':') {
            colons++;
        } else if (!is_hex(c) && c != '.' && !(bypass && c == '*')) {
            return fail_char(it, err, i, "IPv6 address");
        }
    }
    if (colons < 2)
        return fail(it, err, s, "not an IPv6 address (fewer than two ':')");
    return DCS_OK;
}

static dcs_status parse_port(struct dcs_list_iter *it, uint32_t s, uint32_t e,
                             struct dcs_list_addr *a, uint32_t *bits, struct dcs_error *err)
{
    uint32_t value = 0;
    if (s == e)
        return fail(it, err, s, "missing port number after ':'");
    for (uint32_t i = s; i < e; i++) {
        unsigned char c = (unsigned char)it->text[i];
        if (!is_digit(c))
            return fail_char(it, err, i, "port");
        value = value * 10 + (uint32_t)(c - '0');
        if (value > 65535)
            return fail(it, err, s, "port out of range (1..65535)");
    }
    if (value == 0)
        return fail(it, err, s, "port out of range (1..65535)");
    if (it->text[s] == '0') {
        dcs_status st = warn(it, err, bits, DCS_LIST_WARN_PORT_LEADING_ZERO, s);
        if (st)
            return st;
    }
    a->port = (uint16_t)value;
    a->has_port = true;
    return DCS_OK;
}

static dcs_status check_host_name(struct dcs_list_iter *it, uint32_t s, uint32_t e, bool bypass,
                                  uint32_t *bits, struct dcs_error *err)
{
    bool non_ascii = false;
    for (uint32_t i = s; i < e; i++) {
        unsigned char c = (unsigned char)it->text[i];
        if (c >= 0x80) {
            if (!non_ascii) {
                dcs_status st = warn(it, err, bits, DCS_LIST_WARN_NON_ASCII, i);
                if (st)
                    return st;
                non_ascii = true;
            }
        } else if (c == '[' || c == ']') {
            return fail(it, err, i, c == '[' ? "unbalanced '['" : "unbalanced ']'");
        } else if (!is_host_char(c, bypass)) {
            return fail_char(it, err, i, "host name");
        }
    }
    if (e - s > DCS_LIST_HOST_MAX)
        return warn(it, err, bits, DCS_LIST_WARN_HOST_TOO_LONG, s);
    return DCS_OK;
}

/* An optional "scheme://" at s: sets a->scheme and *h to the host's start
 * (s when there is no scheme). */
static dcs_status parse_scheme(struct dcs_list_iter *it, uint32_t s, uint32_t e,
                               struct dcs_list_addr *a, uint32_t *h, uint32_t *bits,
                               struct dcs_error *err)
{
    const char *t = it->text;
    *h = s;
    for (uint32_t i = s; i + 3 <= e; i++) {
        if (t[i] != ':' || t[i + 1] != '/' || t[i + 2] != '/')
            continue;
        if (i == s)
            return fail(it, err, s, "empty scheme before '://'");
        if (!is_alpha((unsigned char)t[s]))
            return fail_char(it, err, s, "scheme");
        for (uint32_t j = s + 1; j < i; j++) {
            unsigned char c = (unsigned char)t[j];
            if (!is_alpha(c) && !is_digit(c) && c != '+' && c != '-' && c != '.')
                return fail_char(it, err, j, "scheme");
        }
        a->scheme = view(it, s, i);
        *h = i + 3;
        if (!known_scheme(t + s, i - s))
            return warn(it, err, bits, DCS_LIST_WARN_UNKNOWN_SCHEME, s);
        return DCS_OK;
    }
    return DCS_OK;
}

/* [scheme://]host[:port][/] in [s, e). */
static dcs_status parse_addr(struct dcs_list_iter *it, uint32_t s, uint32_t e, bool bypass,
                             struct dcs_list_addr *a, uint32_t *bits, struct dcs_error *err)
{
    const char *t = it->text;
    uint32_t h;

    memset(a, 0, sizeof *a);
    dcs_status st = parse_scheme(it, s, e, a, &h, bits, err);
    if (st)
        return st;
    if (e > h && t[e - 1] == '/') {
        st = warn(it, err, bits, DCS_LIST_WARN_TRAILING_SLASH, e - 1);
        if (st)
            return st;
        e--;
    }
    if (h == e)
        return fail(it, err, h, "empty host");

    if (t[h] == '[') {
        uint32_t r = h + 1;
        while (r < e && t[r] != ']')
            r++;
        if (r == e)
            return fail(it, err, h, "unbalanced '['");
        if (r == h + 1)
            return fail(it, err, h, "empty IPv6 address in brackets");
        st = check_ipv6(it, h + 1, r, bypass, err);
        if (st)
            return st;
        a->host = view(it, h + 1, r);
        a->ipv6 = true;
        if (r + 1 == e)
            return DCS_OK;
        if (t[r + 1] != ':')
            return fail_char(it, err, r + 1, "address after ']'");
        return parse_port(it, r + 2, e, a, bits, err);
    }

    uint32_t colons = 0, colon = e;
    for (uint32_t i = h; i < e; i++) {
        if (t[i] == ':') {
            if (colons++ == 0)
                colon = i;
        }
    }
    if (colons >= 2) {
        st = check_ipv6(it, h, e, bypass, err);
        if (st)
            return st;
        st = warn(it, err, bits, DCS_LIST_WARN_BARE_IPV6, h);
        if (st)
            return st;
        a->host = view(it, h, e);
        a->ipv6 = true;
        return DCS_OK;
    }
    if (colon == h)
        return fail(it, err, h, "empty host");
    st = check_host_name(it, h, colon, bypass, bits, err);
    if (st)
        return st;
    a->host = view(it, h, colon);
    if (colon < e)
        return parse_port(it, colon + 1, e, a, bits, err);
    return DCS_OK;
}

/* ---- proxy entries --------------------------------------------------------- */

static enum dcs_proxy_key classify_key(const char *s, size_t n)
{
    if (dcsi_list_ieq(s, n, "http"))
        return DCS_PROXY_KEY_HTTP;
    if (dcsi_list_ieq(s, n, "https"))
        return DCS_PROXY_KEY_HTTPS;
    if (dcsi_list_ieq(s, n, "ftp"))
        return DCS_PROXY_KEY_FTP;
    if (dcsi_list_ieq(s, n, "socks"))
        return DCS_PROXY_KEY_SOCKS;
    return DCS_PROXY_KEY_UNKNOWN;
}

static dcs_status parse_proxy(struct dcs_list_iter *it, uint32_t s, uint32_t e,
                              struct dcs_proxy_entry *out, struct dcs_error *err);

dcs_status dcs_proxy_next(struct dcs_list_iter *it, struct dcs_proxy_entry *out, bool *got,
                          struct dcs_error *err)
{
    uint32_t s = 0, e = 0;
    dcs_status st;

    if (!it || !out || !got)
        return dcs_error_set(err, DCS_ERR_INVALID_ARG, DCS_NO_OFFSET, "NULL argument");
    st = next_span(it, &s, &e, got, err);
    if (st || !*got)
        return st;
    *got = false;
    memset(out, 0, sizeof *out);
    out->offset = s;
    out->length = e - s;
    st = check_controls(it, s, e, err);
    if (!st)
        st = check_bytes(it, s, e, err);
    if (st)
        return st;
    st = parse_proxy(it, s, e, out, err);
    if (st) {
        memset(&out->addr, 0, sizeof out->addr);
        out->key = DCS_PROXY_KEY_DEFAULT;
        out->key_text = view(it, s, s);
        st = keep_as_text(it, s, e, st, &out->addr.host, &out->warnings, err);
        if (st)
            return st;
    }
    it->nentries++;
    *got = true;
    return DCS_OK;
}

/* [key=][scheme://]host[:port] in [s, e). */
static dcs_status parse_proxy(struct dcs_list_iter *it, uint32_t s, uint32_t e,
                              struct dcs_proxy_entry *out, struct dcs_error *err)
{
    dcs_status st;
    /* "key=" when an '=' comes before any "://" */
    uint32_t v = s;
    for (uint32_t i = s; i < e; i++) {
        if (it->text[i] == '=') {
            if (i == s)
                return fail(it, err, s, "empty key before '='");
            for (uint32_t j = s; j < i; j++) {
                unsigned char c = (unsigned char)it->text[j];
                if (!is_alpha(c) && !is_digit(c) && c != '-' && c != '_')
                    return fail_char(it, err, j, "proxy key");
            }
            out->key_text = view(it, s, i);
            out->key = classify_key(it->text + s, i - s);
            if (out->key == DCS_PROXY_KEY_UNKNOWN) {
                st = warn(it, err, &out->warnings, DCS_LIST_WARN_UNKNOWN_KEY, s);
                if (st)
                    return st;
            }
            v = i + 1;
            if (v == e)
                return fail(it, err, v, "empty proxy address after '='");
            break;
        }
        if (it->text[i] == ':' && i + 2 < e && it->text[i + 1] == '/' && it->text[i + 2] == '/')
            break;
    }
    return parse_addr(it, v, e, false, &out->addr, &out->warnings, err);
}

/* ---- bypass entries --------------------------------------------------------- */

static dcs_status parse_macro(struct dcs_list_iter *it, uint32_t s, uint32_t e,
                              struct dcs_bypass_entry *out, struct dcs_error *err)
{
    const char *t = it->text;
    for (uint32_t i = s + 1; i < e; i++) {
        if (t[i] == '<')
            return fail_char(it, err, i, "macro");
        if (t[i] == '>') {
            if (i + 1 != e)
                return fail_char(it, err, i + 1, "entry after '>'");
            out->addr.host = view(it, s, e);
            if (dcsi_list_ieq(t + s, e - s, "<local>")) {
                out->kind = DCS_BYPASS_LOCAL;
            } else if (dcsi_list_ieq(t + s, e - s, "<-loopback>")) {
                out->kind = DCS_BYPASS_NO_LOOPBACK;
            } else {
                if (i == s + 1)
                    return fail(it, err, s, "empty macro '<>'");
                for (uint32_t j = s + 1; j < i; j++)
                    if ((unsigned char)t[j] >= 0x80)
                        return fail_char(it, err, j, "macro");
                out->kind = DCS_BYPASS_UNKNOWN_MACRO;
                return warn(it, err, &out->warnings, DCS_LIST_WARN_UNKNOWN_MACRO, s);
            }
            return DCS_OK;
        }
    }
    return fail(it, err, s, "unterminated '<' macro (no '>')");
}

/* WinHTTP accepts only "*" or a leading "*." and no other '*'. */
static dcs_status check_winhttp_wildcard(struct dcs_list_iter *it, const dcs_list_str *host,
                                         uint32_t *bits, struct dcs_error *err)
{
    uint32_t base = (uint32_t)(host->ptr - it->text);
    for (uint32_t i = 0; i < host->len; i++) {
        if (host->ptr[i] != '*')
            continue;
        if (i == 0 && (host->len == 1 || host->ptr[1] == '.'))
            continue;
        return warn(it, err, bits, DCS_LIST_WARN_WILDCARD_INSIDE, base + i);
    }
    return DCS_OK;
}

static dcs_status parse_bypass(struct dcs_list_iter *it, uint32_t s, uint32_t e,
                               struct dcs_bypass_entry *out, struct dcs_error *err);

dcs_status dcs_bypass_next(struct dcs_list_iter *it, struct dcs_bypass_entry *out, bool *got,
                           struct dcs_error *err)
{
    uint32_t s = 0, e = 0;
    dcs_status st;

    if (!it || !out || !got)
        return dcs_error_set(err, DCS_ERR_INVALID_ARG, DCS_NO_OFFSET, "NULL argument");
    st = next_span(it, &s, &e, got, err);
    if (st || !*got)
        return st;
    *got = false;
    memset(out, 0, sizeof *out);
    out->offset = s;
    out->length = e - s;
    st = check_controls(it, s, e, err);
    if (!st)
        st = check_bytes(it, s, e, err);
    if (st)
        return st;
    st = parse_bypass(it, s, e, out, err);
    if (st) {
        memset(&out->addr, 0, sizeof out->addr);
        out->kind = DCS_BYPASS_HOST;
        st = keep_as_text(it, s, e, st, &out->addr.host, &out->warnings, err);
        if (st)
            return st;
        out->wildcard = memchr(out->addr.host.ptr, '*', out->addr.host.len) != NULL;
    }
    it->nentries++;
    *got = true;
    return DCS_OK;
}

/* A macro or [scheme://]host-pattern[:port] in [s, e). */
static dcs_status parse_bypass(struct dcs_list_iter *it, uint32_t s, uint32_t e,
                               struct dcs_bypass_entry *out, struct dcs_error *err)
{
    dcs_status st;
    if (it->text[s] == '<') {
        st = parse_macro(it, s, e, out, err);
    } else {
        for (uint32_t i = s; i < e; i++)
            if (it->text[i] == '<' || it->text[i] == '>')
                return fail_char(it, err, i, "bypass entry");
        st = parse_addr(it, s, e, true, &out->addr, &out->warnings, err);
        if (!st)
            out->wildcard = memchr(out->addr.host.ptr, '*', out->addr.host.len) != NULL;
        if (!st && out->wildcard && (it->options & DCS_LIST_WINHTTP))
            st = check_winhttp_wildcard(it, &out->addr.host, &out->warnings, err);
    }
    return st;
}

/* ---- validating caller-built entries (for the writers) ----------------------- */

static dcs_status entry_fault(dcs_status code, size_t index, const char *field,
                              struct dcs_error *err, const struct dcs_error *inner)
{
    return dcs_error_set(err, code, DCS_NO_OFFSET, "entry %zu: %s: %s", index, field,
                         inner->message);
}

static dcs_status check_fields(const struct dcs_list_addr *a, bool bypass, dcs_status code,
                               size_t index, struct dcs_error *err)
{
    struct dcs_list_iter tmp;
    struct dcs_error inner;
    dcs_status st;

    dcs_error_clear(&inner);
    if (a->scheme.len) {
        iter_init(&tmp, a->scheme.ptr, a->scheme.len, DCS_LIST_LENIENT, code);
        if (!a->scheme.ptr || !is_alpha((unsigned char)a->scheme.ptr[0]))
            return dcs_error_set(err, code, DCS_NO_OFFSET,
                                 "entry %zu: scheme must start with a letter", index);
        for (uint32_t j = 1; j < a->scheme.len; j++) {
            unsigned char c = (unsigned char)a->scheme.ptr[j];
            if (!is_alpha(c) && !is_digit(c) && c != '+' && c != '-' && c != '.') {
                fail_char(&tmp, &inner, j, "scheme");
                return entry_fault(code, index, "scheme", err, &inner);
            }
        }
    }
    if (a->host.len == 0 || !a->host.ptr)
        return dcs_error_set(err, code, DCS_NO_OFFSET, "entry %zu: empty host", index);
    iter_init(&tmp, a->host.ptr, a->host.len, DCS_LIST_LENIENT, code);
    st = check_controls(&tmp, 0, tmp.len, &inner);
    if (!st)
        st = a->ipv6 ? check_ipv6(&tmp, 0, tmp.len, bypass, &inner)
                     : check_host_name(&tmp, 0, tmp.len, bypass, NULL, &inner);
    if (st)
        return entry_fault(code, index, "host", err, &inner);
    if (a->has_port && a->port == 0)
        return dcs_error_set(err, code, DCS_NO_OFFSET, "entry %zu: port 0", index);
    return DCS_OK;
}

dcs_status dcsi_list_check_proxy_entry(const struct dcs_proxy_entry *e, size_t index,
                                      struct dcs_error *err)
{
    if (e->key == DCS_PROXY_KEY_UNKNOWN) {
        if (e->key_text.len == 0 || !e->key_text.ptr)
            return dcs_error_set(err, DCS_ERR_PROXY_SYNTAX, DCS_NO_OFFSET,
                                 "entry %zu: unknown key without a name", index);
        for (uint32_t j = 0; j < e->key_text.len; j++) {
            unsigned char c = (unsigned char)e->key_text.ptr[j];
            if (!is_alpha(c) && !is_digit(c) && c != '-' && c != '_')
                return dcs_error_set(err, DCS_ERR_PROXY_SYNTAX, DCS_NO_OFFSET,
                                     "entry %zu: invalid byte 0x%02x in key", index, c);
        }
    } else if (e->key > DCS_PROXY_KEY_UNKNOWN) {
        return dcs_error_set(err, DCS_ERR_PROXY_SYNTAX, DCS_NO_OFFSET,
                             "entry %zu: key value %d out of range", index, (int)e->key);
    }
    return check_fields(&e->addr, false, DCS_ERR_PROXY_SYNTAX, index, err);
}

dcs_status dcsi_list_check_bypass_entry(const struct dcs_bypass_entry *e, size_t index,
                                       struct dcs_error *err)
{
    struct dcs_list_iter tmp;
    struct dcs_bypass_entry parsed;
    struct dcs_error inner;
    bool got;

    switch (e->kind) {
    case DCS_BYPASS_LOCAL:
    case DCS_BYPASS_NO_LOOPBACK:
        return DCS_OK;
    case DCS_BYPASS_UNKNOWN_MACRO:
        /* must read back as exactly one macro entry */
        dcs_error_clear(&inner);
        dcs_bypass_iter_init(&tmp, e->addr.host.ptr, e->addr.host.len, DCS_LIST_LENIENT);
        if (!e->addr.host.len || e->addr.host.ptr[0] != '<')
            return dcs_error_set(err, DCS_ERR_BYPASS_SYNTAX, DCS_NO_OFFSET,
                                 "entry %zu: macro does not start with '<'", index);
        if (dcs_bypass_next(&tmp, &parsed, &got, &inner))
            return entry_fault(DCS_ERR_BYPASS_SYNTAX, index, "macro", err, &inner);
        if (!got || parsed.length != e->addr.host.len || tmp.nwarnings != 1)
            return dcs_error_set(err, DCS_ERR_BYPASS_SYNTAX, DCS_NO_OFFSET,
                                 "entry %zu: not a single unknown macro", index);
        return DCS_OK;
    case DCS_BYPASS_HOST:
        return check_fields(&e->addr, true, DCS_ERR_BYPASS_SYNTAX, index, err);
    }
    return dcs_error_set(err, DCS_ERR_BYPASS_SYNTAX, DCS_NO_OFFSET,
                         "entry %zu: kind value %d out of range", index, (int)e->kind);
}
