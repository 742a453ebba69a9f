/* The rule texts of `dcs route`: the rule id first, then what decided, then
 * the remarks that lower its confidence ("INFERRED", "UNKNOWN" spelled out
 * where ROUTING.md marks the rule so).  Formatting only; routing never
 * formats. */
#include "route/route_internal.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* Append a string literal. */
#define PUTS(b, lit) put((b), "" lit, sizeof(lit) - 1) /* "" lit: literals only */

struct sbuf {
    char *buf;
    size_t cap, len;
};

static void put(struct sbuf *b, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++, b->len++)
        if (b->len + 1 < b->cap)
            b->buf[b->len] = s[i];
}

static void putf(struct sbuf *b, const char *fmt, ...) DCS_PRINTF(2, 3);
static void putf(struct sbuf *b, const char *fmt, ...)
{
    char tmp[160];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    if (n > 0)
        put(b, tmp, (size_t)n < sizeof tmp ? (size_t)n : sizeof tmp - 1);
}

/* Length of a valid UTF-8 sequence of printable characters at s, else 0. */
static size_t utf8_ok(const unsigned char *s, size_t n)
{
    size_t len = s[0] >= 0xF0 ? 4 : s[0] >= 0xE0 ? 3 : s[0] >= 0xC2 ? 2 : 0;
    if (len == 0 || s[0] > 0xF4 || len > n)
        return 0;
    for (size_t i = 1; i < len; i++)
        if ((s[i] & 0xC0) != 0x80)
            return 0;
    if ((s[0] == 0xE0 && s[1] < 0xA0) || (s[0] == 0xED && s[1] >= 0xA0) ||
        (s[0] == 0xF0 && s[1] < 0x90) || (s[0] == 0xF4 && s[1] >= 0x90))
        return 0;
    return len;
}

/* Settings text: printable ASCII and valid UTF-8 as is, anything else \xNN. */
static void put_text(struct sbuf *b, dcs_list_str s)
{
    const unsigned char *p = (const unsigned char *)s.ptr;
    for (size_t i = 0; i < s.len;) {
        size_t l = p[i] >= 0x80 ? utf8_ok(p + i, s.len - i) : (p[i] >= 0x20 && p[i] < 0x7f);
        if (l) {
            put(b, (const char *)p + i, l);
            i += l;
        } else {
            putf(b, "\\x%02x", p[i++]);
        }
    }
}

static void put_proxy(struct sbuf *b, const struct dcs_route_answer *a)
{
    if (a->proxy_ipv6)
        PUTS(b, "[");
    put_text(b, a->proxy_host);
    if (a->proxy_ipv6)
        PUTS(b, "]");
    putf(b, ":%u", (unsigned)a->proxy_port);
}

size_t dcs_route_proxy_format(const struct dcs_route_answer *a, char *buf, size_t cap)
{
    struct sbuf b = {buf, cap, 0};
    if (a->decision == DCS_ROUTE_PROXY || a->decision == DCS_ROUTE_SOCKS)
        put_proxy(&b, a);
    if (cap)
        buf[b.len < cap ? b.len : cap - 1] = '\0';
    return b.len;
}

/* ---- the rule ------------------------------------------------------------------ */

static const char *scheme_key(const struct dcs_url *u)
{
    static const char *const k[] = {"", "http", "https", "ftp", "ws", "wss"};
    return (unsigned)u->scheme_id < 6 ? k[u->scheme_id] : "";
}

static void put_scheme(struct sbuf *b, const struct dcs_url *u)
{
    if (u->scheme_id != DCS_URL_OTHER) {
        put(b, scheme_key(u), strlen(scheme_key(u)));
        return;
    }
    for (uint32_t i = 0; i < u->scheme.len; i++) {
        char c = route_lower(u->scheme.ptr[i]);
        put(b, &c, 1);
    }
}

/* An entry as written; a very long one is cut (a rule stays one short line). */
static void put_entry(struct sbuf *b, const char *what, uint32_t index, dcs_list_str text)
{
    enum { ENTRY_MAX = 200 };
    putf(b, "%s %u ", what, (unsigned)index);
    if (text.len <= ENTRY_MAX) {
        put_text(b, text);
        return;
    }
    uint32_t cut = ENTRY_MAX;
    while (cut > 0 && ((unsigned char)text.ptr[cut] & 0xC0) == 0x80)
        cut--; /* not inside a UTF-8 sequence */
    put_text(b, (dcs_list_str){text.ptr, cut});
    PUTS(b, "...");
}

static void bypass_rule(struct sbuf *b, const struct route_behaviour *be,
                        const struct dcs_route *r, const struct dcs_route_answer *a)
{
    const struct route_bypass *bp = &r->bypass[a->entry - 1];
    const char *id = bp->kind == BP_STAR_ALL ? "B3"
                   : bp->cidr && be->cidr ? "B15"
                   : bp->has_port ? "B6"
                   : bp->scheme_len ? "B5"
                   : bp->has_star ? "B3"
                   : bp->ip_pattern ? "B14" : "B4";
    putf(b, "%s ", id);
    put_entry(b, "bypass entry", a->entry, a->entry_text);
    if (bp->kind == BP_STAR_ALL)
        PUTS(b, " (curl: a lone * matches every host)");
    else if (bp->cidr && be->cidr)
        putf(b, " (CIDR block: %s)", be->label);
    else if (be->host_match == HOST_SUFFIX)
        PUTS(b, " (curl NO_PROXY: the name or a domain it ends)");
    else if (be->leading_dot_star && bp->pat_len && r->text[bp->pat_off] == '.')
        PUTS(b, " (Chromium: a leading . is *.)");
}

static void local_rule(struct sbuf *b, const struct route_behaviour *be,
                       const struct dcs_route_answer *a)
{
    bool v6 = (a->notes & DCS_NOTE_LOCAL_IPV6) != 0;
    putf(b, "%s <local> (bypass entry %u): ", v6 && be->local == LOCAL_NO_PERIOD ? "B10" : "B8",
         (unsigned)a->entry);
    if (be->local == LOCAL_DOTNET)
        PUTS(b, "loopback or a host without a period (.NET; the machine's own addresses "
               "are not known offline)");
    else if (be->local == LOCAL_NOT_IP)
        PUTS(b, "a host without a period that is not an IP literal (Chromium)");
    else if (v6)
        PUTS(b, "IPv6 literal, no period (UNKNOWN for WinINET; dcs bypasses)");
    else
        PUTS(b, "host without a period");
}

static void proxy_rule(struct sbuf *b, const struct route_behaviour *be, const struct dcs_url *u,
                       const struct dcs_route_answer *a)
{
    if (a->rule == DCS_RULE_KEYED) {
        bool lower = true;
        dcs_list_str t = a->entry_text;
        for (uint32_t i = 0; i < t.len && t.ptr[i] != '='; i++)
            lower &= !(t.ptr[i] >= 'A' && t.ptr[i] <= 'Z');
        put(b, lower ? "P1 " : "P2 ", 3);
        for (uint32_t i = 0; i < t.len && t.ptr[i] != '='; i++)
            put(b, &t.ptr[i], 1);
        PUTS(b, "= entry ");
        put_proxy(b, a);
        if (!lower)
            PUTS(b, " (scheme keys are case-insensitive)");
    } else if (a->rule == DCS_RULE_DEFAULT) {
        if (be->pick == PICK_CHROMIUM) {
            PUTS(b, "P3 first entry without scheme= ");
            put_proxy(b, a);
            PUTS(b, " serves every scheme, the rest is ignored (Chromium)");
        } else {
            PUTS(b, "P3 default entry (no scheme=) ");
            put_proxy(b, a);
        }
    } else if (be->pick == PICK_CHROMIUM) {
        PUTS(b, "P5 socks= entry: fallback for schemes without an entry (Chromium, SOCKS4) ");
        put_proxy(b, a);
    } else {
        PUTS(b, "P5 socks= entry (no ");
        put_scheme(b, u);
        PUTS(b, "= entry, no default entry; INFERRED)");
    }
}

static void static_rule(struct sbuf *b, const struct dcs_route *r, const struct dcs_url *u,
                        const struct dcs_route_answer *a)
{
    const struct route_behaviour *be = r->b;
    switch (a->rule) {
    case DCS_RULE_FLAG_OFF: PUTS(b, "§1 flag 0x02 (PROXY) off"); break;
    case DCS_RULE_EMPTY_PROXY:
        PUTS(b, "P11 flag 0x02 (PROXY) on, proxy string empty: no proxy (INFERRED)");
        break;
    case DCS_RULE_LOOPBACK:
        PUTS(b, "B11 implicit loopback bypass");
        if (be->loopback == LOOP_UNKNOWN)
            PUTS(b, " (WinHTTP: UNKNOWN, dcs applies WinINET's)");
        else if (be->loopback == LOOP_CHROMIUM)
            PUTS(b, " (Chromium: localhost, *.localhost, loopback, 127/8, [::1], 169.254/16, "
                   "fe80::/10)");
        break;
    case DCS_RULE_BYPASS: bypass_rule(b, be, r, a); break;
    case DCS_RULE_LOCAL: local_rule(b, be, a); break;
    case DCS_RULE_NO_ENTRY:
        PUTS(b, "P4 no ");
        put_scheme(b, u);
        PUTS(b, "= entry and no default entry");
        if (be->pick != PICK_SPECIFIC_FIRST)
            putf(b, " (%s)", be->label);
        break;
    default: proxy_rule(b, be, u, a); break;
    }
}

/* ---- remarks ---------------------------------------------------------------------- */

static void note_sep(struct sbuf *b)
{
    PUTS(b, "; ");
}

static void skip_note(struct sbuf *b, const struct route_behaviour *be,
                      const struct dcs_route_answer *a)
{
    note_sep(b);
    put_entry(b, "bypass entry", a->note_entry, a->note_text);
    switch (a->skip_reason) {
    case SKIP_WILDCARD:
        PUTS(b, " not honoured by WinHTTP: '*' not left-most (INFERRED from \"not supported\")");
        break;
    case SKIP_PORT: PUTS(b, " never matches in .NET: entries with a port"); break;
    case SKIP_LOCAL: putf(b, " not understood by %s", be->label); break;
    case SKIP_SCHEME: PUTS(b, " is not a NO_PROXY name for curl (scheme://)"); break;
    default: PUTS(b, " not a curl wildcard: only a lone * is"); break;
    }
}

static void entry_note(struct sbuf *b, const struct dcs_route_answer *a, const char *what)
{
    note_sep(b);
    put_entry(b, "bypass entry", a->note_entry, a->note_text);
    put(b, what, strlen(what));
}

static void proxy_notes(struct sbuf *b, const struct route_behaviour *be, const struct dcs_url *u,
                        const struct dcs_route_answer *a)
{
    uint32_t n = a->notes;
    if (n & DCS_NOTE_HTTPS_PREFIX)
        PUTS(b, "; the https:// prefix does not make it a TLS proxy: plain HTTP (P8)");
    else if ((n & DCS_NOTE_PREFIX_STRIPPED) && a->decision == DCS_ROUTE_SOCKS)
        PUTS(b, "; scheme prefix stripped (P7)");
    else if (n & DCS_NOTE_PREFIX_STRIPPED)
        PUTS(b, "; scheme prefix stripped, still a plain HTTP proxy (P7)");
    if (n & DCS_NOTE_TLS_PROXY)
        PUTS(b, "; https:// value: TLS to the proxy (Chromium)");
    if (n & DCS_NOTE_PORT_UNKNOWN)
        PUTS(b, "; port 80 by default for ftp= without ftp:// (P9; UNKNOWN)");
    else if (n & DCS_NOTE_PORT_INFERRED)
        PUTS(b, "; port 80 by default for https= (P9; INFERRED)");
    else if (n & DCS_NOTE_PORT_DEFAULT)
        putf(b, "; port %u by default (P9)", (unsigned)a->proxy_port);
    if (n & DCS_NOTE_DUPLICATE_KEY) {
        PUTS(b, "; duplicate ");
        put_scheme(b, u);
        PUTS(b, "= entries: the first is taken (P12; UNKNOWN)");
    }
    if (n & DCS_NOTE_OVER_SOCKS)
        PUTS(b, "; default entry preferred to socks= (P6; INFERRED)");
    if ((n & DCS_NOTE_POSITION) && be->pick == PICK_FIRST_APPLICABLE)
        PUTS(b, "; .NET takes the first entry that applies, a later keyed one is not used (INFERRED)");
    else if (n & DCS_NOTE_POSITION)
        PUTS(b, "; a default entry comes earlier in the list (P3 position; INFERRED)");
    if (n & DCS_NOTE_WS_SCHEME) {
        PUTS(b, "; ");
        put_scheme(b, u);
        PUTS(b, " has no WinINET proxy key (P13; UNKNOWN)");
    }
}

static void host_notes_text(struct sbuf *b, const struct route_behaviour *be,
                            const struct dcs_route_answer *a)
{
    uint32_t n = a->notes;
    if (n & DCS_NOTE_DEFAULT_PORT_MATCH)
        PUTS(b, "; the entry's port compared with the scheme's default port (B6; INFERRED)");
    if (n & DCS_NOTE_LOCAL_DOT)
        PUTS(b, "; <local> does not cover names with a period (B8)");
    if (n & DCS_NOTE_LOCAL_TRAILING_DOT)
        PUTS(b, "; <local>: the trailing period counts (B9; INFERRED)");
    if (n & DCS_NOTE_NO_LOOPBACK) {
        PUTS(b, "; <-loopback> removes the implicit loopback bypass (B12");
        if (be->loopback == LOOP_UNKNOWN)
            PUTS(b, "; WinHTTP: UNKNOWN");
        PUTS(b, ")");
    }
    if (n & DCS_NOTE_NOT_IMPLICIT)
        PUTS(b, "; not one of the four implicit loopback names (B13; UNKNOWN for WinINET, "
                "dcs: not bypassed, INFERRED)");
    if (n & DCS_NOTE_IDN)
        PUTS(b, "; non-ASCII host compared as bytes, not as punycode (B16; UNKNOWN)");
    if (n & DCS_NOTE_QMARK)
        entry_note(b, a, ": '?' is not a wildcard (B7; INFERRED)");
    if (n & DCS_NOTE_CIDR)
        entry_note(b, a, ": CIDR is not supported, matched as text (B15; INFERRED)");
    if (n & DCS_NOTE_NO_DNS)
        entry_note(b, a, ": IP entries are matched as text, never against the address a name "
                         "resolves to (B14; INFERRED)");
    if (n & DCS_NOTE_CLIENT_SKIP)
        skip_note(b, be, a);
}

static void auto_rule(struct sbuf *b, const struct dcs_route *r, unsigned how)
{
    if (how == DCS_ROUTE_AUTO_WPAD)
        PUTS(b, "§1 auto-detect (WPAD) first, not evaluated");
    else if (how == DCS_ROUTE_AUTO_PAC)
        PUTS(b, "§1 PAC script (flag 0x04) first, not evaluated");
    else
        PUTS(b, "§1 auto-detect (WPAD), then the PAC script (flag 0x04), not evaluated");
    if (r->b->auto_no_fallback)
        PUTS(b, "; WinHTTP itself does not fall back to the static settings, the application "
                "must");
}

size_t dcs_route_rule_format(const dcs_route *route, const struct dcs_url *url,
                             const struct dcs_route_result *res, bool fallback, char *buf,
                             size_t cap)
{
    struct sbuf b = {buf, cap, 0};
    if (res->decision == DCS_ROUTE_AUTO && !fallback) {
        auto_rule(&b, route, res->auto_how);
    } else {
        const struct dcs_route_answer *a = &res->fixed;
        static_rule(&b, route, url, a);
        if (a->decision != DCS_ROUTE_DIRECT || a->rule == DCS_RULE_NO_ENTRY)
            proxy_notes(&b, route->b, url, a);
        host_notes_text(&b, route->b, a);
    }
    if (cap)
        buf[b.len < cap ? b.len : cap - 1] = '\0';
    return b.len;
}
