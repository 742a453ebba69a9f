/* Routing one URL with compiled settings (ROUTING.md §1): automatic settings,
 * the manual flag, implicit loopback, the bypass list, the proxy for the
 * scheme.  Allocation-free; the per-client differences come from the
 * behaviour table (route_compile.c). */
#include "route/route_internal.h"

#include <string.h>

/* ---- wildcard match ------------------------------------------------------------- */

/* Whole-string match of pat (lower case) against s (lower case): '*' is any
 * run, the empty one included (B3); with qmark, '?' is one byte (only used
 * to tell the user that '?' would have matched, B7).  Greedy with one
 * backtrack point: O(len(pat) * len(s)) at worst, no recursion. */
bool dcsi_route_glob(const char *pat, size_t plen, const char *s, size_t slen, bool qmark)
{
    size_t p = 0, i = 0, star = (size_t)-1, mark = 0;
    while (i < slen) {
        if (p < plen && (pat[p] == s[i] || (qmark && pat[p] == '?'))) {
            p++;
            i++;
        } else if (p < plen && pat[p] == '*') {
            star = p++;
            mark = i;
        } else if (star != (size_t)-1) {
            p = star + 1;
            i = ++mark;
        } else {
            return false;
        }
    }
    while (p < plen && pat[p] == '*')
        p++;
    return p == plen;
}

enum route_class dcsi_route_class(enum dcs_url_scheme s)
{
    switch (s) {
    case DCS_URL_HTTP: return CLASS_HTTP;
    case DCS_URL_HTTPS: return CLASS_HTTPS;
    case DCS_URL_FTP: return CLASS_FTP;
    case DCS_URL_WS: return CLASS_WS;
    case DCS_URL_WSS: return CLASS_WSS;
    default: return CLASS_OTHER;
    }
}

/* ---- implicit loopback (B11-B13; Chromium [R10]) ----------------------------------- */

static bool host_is(const struct dcs_url *u, const char *name)
{
    size_t n = strlen(name); /* a constant once inlined */
    return u->host_len == n && memcmp(u->host, name, n) == 0;
}

static bool ends_with(const struct dcs_url *u, const char *suffix)
{
    size_t n = strlen(suffix);
    return u->host_len > n && memcmp(u->host + u->host_len - n, suffix, n) == 0;
}

static bool v6_prefix(const struct dcs_url *u, const uint8_t *p, unsigned bits)
{
    for (unsigned b = 0; b < bits; b++)
        if (((u->addr[b / 8] ^ p[b / 8]) >> (7 - b % 8)) & 1)
            return false;
    return true;
}

static const uint8_t v6_loop[16] = {[15] = 1};
static const uint8_t v6_link[16] = {0xfe, 0x80};
static const uint8_t v6_mapped127[16] = {[10] = 0xff, [11] = 0xff, [12] = 127};

/* The four names Microsoft documents [R1][R2]. */
static bool wininet_loopback(const struct dcs_url *u)
{
    if (u->host_kind == DCS_URL_IPV4)
        return memcmp(u->addr, "\x7f\0\0\x01", 4) == 0;
    if (u->host_kind == DCS_URL_IPV6)
        return v6_prefix(u, v6_loop, 128);
    return host_is(u, "localhost") || host_is(u, "loopback");
}

/* B13: what other stacks bypass and WinINET is not documented to. */
static bool loopback_like(const struct dcs_url *u)
{
    if (u->host_kind == DCS_URL_IPV4)
        return u->addr[0] == 127 || (u->addr[0] == 169 && u->addr[1] == 254);
    if (u->host_kind == DCS_URL_IPV6)
        return v6_prefix(u, v6_link, 10) || v6_prefix(u, v6_mapped127, 104);
    return host_is(u, "localhost.") || ends_with(u, ".localhost") ||
           (u->host_len > 4 && memcmp(u->host, "127.", 4) == 0 &&
            strspn(u->host, "0123456789.") == u->host_len);
}

static bool chromium_loopback(const struct dcs_url *u)
{
    if (u->host_kind == DCS_URL_NAME)
        return host_is(u, "localhost") || host_is(u, "loopback") || ends_with(u, ".localhost");
    if (u->host_kind == DCS_URL_IPV6)
        return v6_prefix(u, v6_loop, 128) || v6_prefix(u, v6_link, 10) ||
               v6_prefix(u, v6_mapped127, 104);
    return loopback_like(u);
}

static bool implicit_bypass(const struct dcs_route *r, const struct dcs_url *u)
{
    switch (r->b->loopback) {
    case LOOP_WININET:
    case LOOP_UNKNOWN: return wininet_loopback(u);
    case LOOP_CHROMIUM: return chromium_loopback(u);
    default: return false;
    }
}

/* ---- bypass entries ---------------------------------------------------------------- */

static bool glob_entry(const struct dcs_route *r, const struct route_bypass *bp, const char *h,
                       size_t hlen);

/* bp's scheme (lower case) against the URL's, case-insensitively (B2). */
static bool scheme_differs(const struct dcs_route *r, const struct route_bypass *bp,
                           const struct dcs_url *u)
{
    if (bp->scheme_len != u->scheme.len)
        return true;
    for (uint32_t i = 0; i < bp->scheme_len; i++)
        if (r->text[bp->scheme_off + i] != route_lower(u->scheme.ptr[i]))
            return true;
    return false;
}

static bool in_cidr(const struct route_bypass *bp, const struct dcs_url *u)
{
    if ((bp->cidr_family == 4) != (u->host_kind == DCS_URL_IPV4) ||
        (bp->cidr_family == 6) != (u->host_kind == DCS_URL_IPV6))
        return false;
    for (unsigned b = 0; b < bp->cidr_bits; b++)
        if (((u->addr[b / 8] ^ bp->cidr_addr[b / 8]) >> (7 - b % 8)) & 1)
            return false;
    return true;
}

/* curl NO_PROXY [R16]: exact or dot-suffix, one leading/trailing '.' ignored. */
static bool suffix_match(const char *pat, size_t plen, const char *h, size_t hlen)
{
    if (plen && pat[0] == '.')
        pat++, plen--;
    if (plen && pat[plen - 1] == '.')
        plen--;
    if (hlen && h[hlen - 1] == '.')
        hlen--;
    if (plen == 0 || plen > hlen)
        return false;
    if (memcmp(pat, h + hlen - plen, plen) != 0)
        return false;
    return plen == hlen || h[hlen - plen - 1] == '.';
}

static bool host_match(const struct dcs_route *r, const struct route_bypass *bp, const char *pat,
                       const char *h, size_t hlen)
{
    if (r->b->host_match == HOST_SUFFIX)
        return suffix_match(pat, bp->pat_len, h, hlen);
    if (r->b->leading_dot_star && bp->pat_len && pat[0] == '.') {
        for (size_t i = 0; i <= hlen; i++) /* ".x" = "*.x" */
            if (dcsi_route_glob(pat, bp->pat_len, h + i, hlen - i, false))
                return true;
        return false;
    }
    return glob_entry(r, bp, h, hlen);
}

/* Anchored wildcard match of bp's pattern against h, rejecting on the
 * literal prefix and suffix first (most entries fail there). */
static bool glob_entry(const struct dcs_route *r, const struct route_bypass *bp, const char *h,
                       size_t hlen)
{
    const char *pat = r->text + bp->pat_off;
    if (!bp->has_star)
        return hlen == bp->pat_len && memcmp(pat, h, hlen) == 0;
    if (hlen < (size_t)bp->pre_len + bp->suf_len || memcmp(pat, h, bp->pre_len) != 0 ||
        memcmp(pat + bp->pat_len - bp->suf_len, h + hlen - bp->suf_len, bp->suf_len) != 0)
        return false;
    return dcsi_route_glob(pat + bp->pre_len, bp->pat_len - bp->pre_len - bp->suf_len,
                           h + bp->pre_len, hlen - bp->pre_len - bp->suf_len, false);
}

/* WinINET's reading of one host entry: scheme, port, whole-host wildcard. */
static bool wininet_hit(const struct dcs_route *r, const struct route_bypass *bp,
                        const struct dcs_url *u)
{
    if (bp->scheme_len && scheme_differs(r, bp, u))
        return false;
    if (bp->has_port && bp->port != u->port)
        return false;
    return glob_entry(r, bp, u->host, u->host_len);
}

/* The client's reading; *skip says why an entry WinINET would use is not. */
static bool client_hit(const struct dcs_route *r, const struct route_bypass *bp,
                       const struct dcs_url *u, uint8_t *skip)
{
    const struct route_behaviour *b = r->b;
    const char *h = b->match_ace ? u->ace : u->host;
    size_t hlen = b->match_ace ? u->ace_len : u->host_len;
    *skip = SKIP_NONE;
    if (bp->scheme_len && !b->scheme_filter) {
        *skip = SKIP_SCHEME;
        return false;
    }
    if (bp->scheme_len && scheme_differs(r, bp, u))
        return false;
    if (bp->has_port && b->port_never) {
        *skip = SKIP_PORT;
        return false;
    }
    if (bp->has_port && b->port_filter && bp->port != u->port)
        return false;
    if (bp->cidr && b->cidr)
        return in_cidr(bp, u);
    if (b->host_match == HOST_SUFFIX && u->host_kind != DCS_URL_NAME) /* curl: IPs whole */
        return bp->pat_len == hlen && memcmp(r->text + bp->pat_off, h, hlen) == 0;
    if (bp->has_star && b->wildcard == WILD_LEFTMOST && bp->star_inside) {
        *skip = SKIP_WILDCARD;
        return false;
    }
    if (bp->has_star && b->wildcard == WILD_LONE_STAR) {
        *skip = SKIP_STAR;
        return false;
    }
    return host_match(r, bp, r->text + bp->pat_off, h, hlen);
}

static bool local_hit(const struct dcs_route *r, const struct dcs_url *u, uint8_t *skip)
{
    bool dot = memchr(u->host, '.', u->host_len) != NULL;
    *skip = SKIP_NONE;
    switch (r->b->local) {
    case LOCAL_NO_PERIOD: return !dot;
    case LOCAL_DOTNET:
        return wininet_loopback(u) || (u->host_kind == DCS_URL_IPV4 && u->addr[0] == 127) ||
               (u->host_kind != DCS_URL_IPV6 && !dot);
    case LOCAL_NOT_IP: return !dot && u->host_kind == DCS_URL_NAME;
    default: *skip = SKIP_LOCAL; return false;
    }
}

/* After a miss: remarks about entries that came close (B7, B14, B15) or
 * that this client does not honour although WinINET would. */
static void near_misses(const struct dcs_route *r, const struct dcs_url *u,
                        struct dcs_route_answer *a)
{
    for (uint32_t i = 0; i < r->nbypass && !a->note_entry; i++) {
        const struct route_bypass *bp = &r->bypass[i];
        uint32_t note = 0;
        uint8_t skip = SKIP_NONE;
        if (bp->kind == BP_LOCAL) {
            if (r->b->local == LOCAL_NEVER && !memchr(u->host, '.', u->host_len))
                note = DCS_NOTE_CLIENT_SKIP, skip = SKIP_LOCAL; /* WinINET: B8 */
        } else if (bp->kind != BP_HOST) {
            continue;
        } else if (bp->has_qmark && (!bp->scheme_len || !scheme_differs(r, bp, u)) &&
                   dcsi_route_glob(r->text + bp->pat_off, bp->pat_len, u->host, u->host_len, true)) {
            note = DCS_NOTE_QMARK;
        } else if (bp->cidr && !r->b->cidr && in_cidr(bp, u)) {
            note = DCS_NOTE_CIDR;
        } else if (r->client != DCS_ROUTE_WININET) {
            uint8_t why;
            if (!client_hit(r, bp, u, &why) && why != SKIP_NONE && wininet_hit(r, bp, u))
                note = DCS_NOTE_CLIENT_SKIP, skip = why;
        }
        if (note) {
            a->notes |= note;
            a->skip_reason = skip;
            a->note_entry = bp->index;
            a->note_text = (dcs_list_str){r->text + bp->text_off, bp->text_len};
        }
    }
    if (!a->note_entry && r->any_ip_pattern && u->host_kind == DCS_URL_NAME) {
        for (uint32_t i = 0; i < r->nbypass; i++)
            if (r->bypass[i].kind == BP_HOST && r->bypass[i].ip_pattern) {
                a->notes |= DCS_NOTE_NO_DNS;
                a->note_entry = r->bypass[i].index;
                a->note_text = (dcs_list_str){r->text + r->bypass[i].text_off, r->bypass[i].text_len};
                break;
            }
    }
}

/* Remarks about the host itself when the proxy is used (B8, B9, B12, B13, B16). */
static uint32_t host_notes(const struct dcs_route *r, const struct dcs_url *u)
{
    uint32_t n = 0;
    bool wininet_like = r->b->loopback == LOOP_WININET || r->b->loopback == LOOP_UNKNOWN;
    if (r->local_entry && r->b->local == LOCAL_NO_PERIOD && u->host_kind == DCS_URL_NAME) {
        const char *dot = memchr(u->host, '.', u->host_len);
        if (dot)
            n |= dot == u->host + u->host_len - 1 ? DCS_NOTE_LOCAL_TRAILING_DOT : DCS_NOTE_LOCAL_DOT;
    }
    if (r->no_loopback && (wininet_like ? wininet_loopback(u) : chromium_loopback(u)))
        n |= DCS_NOTE_NO_LOOPBACK;
    else if (wininet_like && loopback_like(u) && !wininet_loopback(u))
        n |= DCS_NOTE_NOT_IMPLICIT;
    if (u->non_ascii && !r->b->match_ace && r->nbypass)
        n |= DCS_NOTE_IDN;
    return n;
}

static void use_proxy(const struct dcs_route *r, const struct dcs_url *u, struct dcs_route_answer *a)
{
    const struct route_pick *pk = &r->pick[dcsi_route_class(u->scheme_id)];
    a->rule = (enum dcs_route_rule)pk->rule;
    a->notes |= pk->notes | host_notes(r, u);
    near_misses(r, u, a);
    if (!pk->entry) {
        a->decision = DCS_ROUTE_DIRECT;
        return;
    }
    const struct route_proxy *p = &r->proxy[pk->entry - 1];
    a->decision = p->kind == VALUE_SOCKS ? DCS_ROUTE_SOCKS : DCS_ROUTE_PROXY;
    a->proxy_host = (dcs_list_str){r->text + p->host_off, p->host_len};
    a->proxy_port = p->port;
    a->proxy_ipv6 = p->ipv6;
    a->entry = p->index;
    a->entry_text = (dcs_list_str){r->text + p->text_off, p->text_len};
    a->notes |= p->notes;
}

static bool bypass_list(const struct dcs_route *r, const struct dcs_url *u, struct dcs_route_answer *a)
{
    for (uint32_t i = 0; i < r->nbypass; i++) {
        const struct route_bypass *bp = &r->bypass[i];
        uint8_t skip;
        bool hit;
        if (bp->kind == BP_HOST)
            hit = client_hit(r, bp, u, &skip);
        else if (bp->kind == BP_LOCAL)
            hit = local_hit(r, u, &skip);
        else
            hit = bp->kind == BP_STAR_ALL;
        if (!hit)
            continue;
        a->rule = bp->kind == BP_LOCAL ? DCS_RULE_LOCAL : DCS_RULE_BYPASS;
        a->entry = bp->index;
        a->entry_text = (dcs_list_str){r->text + bp->text_off, bp->text_len};
        if (bp->has_port && !u->has_port && r->b->port_filter)
            a->notes |= DCS_NOTE_DEFAULT_PORT_MATCH;
        if (bp->kind == BP_LOCAL && u->host_kind == DCS_URL_IPV6)
            a->notes |= DCS_NOTE_LOCAL_IPV6;
        if (bp->kind == BP_HOST && u->non_ascii && !r->b->match_ace)
            a->notes |= DCS_NOTE_IDN;
        return true;
    }
    return false;
}

/* The static (manual) settings: ROUTING.md §1, steps 2-3. */
static void route_static(const struct dcs_route *r, const struct dcs_url *u,
                         struct dcs_route_answer *a)
{
    memset(a, 0, sizeof *a);
    a->decision = DCS_ROUTE_DIRECT;
    if (!r->proxy_flag) {
        a->rule = DCS_RULE_FLAG_OFF;
    } else if (!r->proxy_on) {
        a->rule = DCS_RULE_EMPTY_PROXY;
    } else if (!r->no_loopback && implicit_bypass(r, u)) {
        a->rule = DCS_RULE_LOOPBACK;
    } else if (!bypass_list(r, u, a)) {
        use_proxy(r, u, a);
    }
}

void dcs_route_url(const dcs_route *route, const struct dcs_url *url, struct dcs_route_result *out)
{
    route_static(route, url, &out->fixed);
    out->auto_how = route->auto_how;
    out->decision = route->auto_how ? DCS_ROUTE_AUTO : out->fixed.decision;
}

enum dcs_route_decision dcs_route_effective(const struct dcs_route_result *res)
{
    return res->decision == DCS_ROUTE_AUTO ? res->fixed.decision : res->decision;
}

const char *dcs_route_decision_name(enum dcs_route_decision d)
{
    static const char *const names[] = {"direct", "proxy", "socks", "auto"};
    return (unsigned)d < 4 ? names[d] : "?";
}
