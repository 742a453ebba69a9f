/* Compiling the bypass list for one client.  Unlike the proxy-list grammar
 * this never fails: WinINET matches what it cannot make sense of literally
 * (CIDR, '?', unknown macros are never errors), so every entry is
 * kept with flags that say what it is. */
#include "route/route_internal.h"

#include <string.h>
#include <strings.h>

static bool is_ws(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* ---- entry anatomy ------------------------------------------------------------ */

static bool all_digits(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!route_digit((unsigned char)s[i]))
            return false;
    return n > 0;
}

static bool parse_port(const char *s, size_t n, uint16_t *port)
{
    uint32_t v = 0;
    if (n == 0 || n > 5 || !all_digits(s, n))
        return false;
    for (size_t i = 0; i < n; i++)
        v = v * 10 + (uint32_t)(s[i] - '0');
    if (v == 0 || v > 65535)
        return false;
    *port = (uint16_t)v;
    return true;
}

/* "a.b.c.d/len" or "v6/len": a CIDR block (B15). */
static void classify_cidr(struct route_bypass *bp, const char *pat)
{
    const char *slash = memchr(pat, '/', bp->pat_len);
    if (!slash)
        return;
    size_t alen = (size_t)(slash - pat), blen = bp->pat_len - alen - 1;
    if (blen == 0 || blen > 3 || !all_digits(slash + 1, blen))
        return;
    unsigned bits = 0;
    for (size_t i = 0; i < blen; i++)
        bits = bits * 10 + (unsigned)(slash[1 + i] - '0');
    if (dcsi_route_parse_ipv4(pat, alen, bp->cidr_addr) && bits <= 32)
        bp->cidr_family = 4;
    else if (dcsi_route_parse_ipv6(pat, alen, bp->cidr_addr) && bits <= 128)
        bp->cidr_family = 6;
    else
        return;
    bp->cidr = true;
    bp->cidr_bits = (uint8_t)bits;
}

static void classify_pattern(struct route_bypass *bp, const char *pat)
{
    bool digit = false, ip = true;
    for (uint32_t i = 0; i < bp->pat_len; i++) {
        char c = pat[i];
        if (c == '*') {
            bp->has_star = true;
            bp->star_inside |= i > 0;
        } else if (c == '?') {
            bp->has_qmark = true;
        }
        digit |= route_digit((unsigned char)c);
        if (!route_digit((unsigned char)c) && c != '.' && c != '*')
            ip = false;
    }
    bp->ip_pattern = (ip && digit) || bp->v6;
    const char *first = memchr(pat, '*', bp->pat_len);
    bp->pre_len = first ? (uint32_t)(first - pat) : bp->pat_len;
    bp->suf_len = bp->pat_len;
    for (uint32_t i = bp->pat_len; first && i-- > 0;)
        if (pat[i] == '*') {
            bp->suf_len = bp->pat_len - i - 1;
            break;
        }
    classify_cidr(bp, pat);
}

/* [scheme://]host-pattern[:port], IPv6 in brackets or bare (two ':' or more).
 * s, e: offsets into the lower-cased copy. */
static void parse_host_entry(struct dcs_route *r, struct route_bypass *bp, uint32_t s, uint32_t e,
                             bool scheme_ok)
{
    const char *t = r->text;
    uint32_t h = s;
    for (uint32_t i = s; scheme_ok && i + 3 <= e; i++) {
        char c = t[i];
        if (c == ':' && t[i + 1] == '/' && t[i + 2] == '/' && i > s) {
            bp->scheme_off = s;
            bp->scheme_len = i - s;
            h = i + 3;
            break;
        }
        if (!route_alpha((unsigned char)c) && !(i > s && (route_digit((unsigned char)c) ||
                                                          c == '+' || c == '-' || c == '.')))
            break;
    }
    uint32_t pe = e;
    if (h < e && t[h] == '[') {
        const char *rb = memchr(t + h, ']', e - h);
        if (rb) {
            uint32_t r_ = (uint32_t)(rb - t);
            bp->v6 = true;
            if (r_ + 1 < e && t[r_ + 1] == ':' && parse_port(t + r_ + 2, e - r_ - 2, &bp->port))
                bp->has_port = true;
            h++;
            pe = r_;
        }
    } else {
        uint32_t colons = 0, colon = e;
        for (uint32_t i = h; i < e; i++)
            if (t[i] == ':' && colons++ == 0)
                colon = i;
        if (colons >= 2)
            bp->v6 = true;
        else if (colons == 1 && parse_port(t + colon + 1, e - colon - 1, &bp->port)) {
            bp->has_port = true;
            pe = colon;
        }
    }
    bp->pat_off = h;
    bp->pat_len = pe > h ? pe - h : 0;
    classify_pattern(bp, t + h);
}

/* One entry [s, e) of the original list (offsets relative to the list). */
static void add_entry(struct dcs_route *r, uint32_t s, uint32_t e, bool scheme_ok)
{
    const uint32_t lower = r->bypass_base + (r->text_len - r->bypass_base) / 2;
    const char *orig = r->text + r->bypass_base + s;
    struct route_bypass *bp = &r->bypass[r->nbypass++];
    memset(bp, 0, sizeof *bp);
    bp->index = r->nbypass;
    bp->text_off = r->bypass_base + s;
    bp->text_len = e - s;
    if (orig[0] == '<') {
        bool dotnet = r->b->split == SPLIT_DOTNET; /* .NET: "<local>" as a prefix */
        if ((dotnet ? e - s >= 7 : e - s == 7) && strncasecmp(orig, "<local>", 7) == 0) {
            bp->kind = BP_LOCAL;
            if (!r->local_entry)
                r->local_entry = bp->index;
        } else if (!dotnet && e - s == 11 && strncasecmp(orig, "<-loopback>", 11) == 0) {
            bp->kind = BP_NO_LOOPBACK;
            r->no_loopback = r->b->loopback != LOOP_NONE;
        } else {
            bp->kind = BP_MACRO;
        }
        return;
    }
    if (r->b->wildcard == WILD_LONE_STAR && e - s == 1 && orig[0] == '*') {
        bp->kind = BP_STAR_ALL;
        return;
    }
    parse_host_entry(r, bp, lower + s, lower + e, scheme_ok);
    r->any_ip_pattern |= bp->ip_pattern;
}

/* ---- splitting ------------------------------------------------------------------ */

static bool is_sep(enum route_bypass_split split, char c)
{
    return c == ';' || is_ws(c) || (split == SPLIT_CHROMIUM && c == ',');
}

/* WinINET (B1, B17) and Chromium [R11]: separators, empty entries ignored. */
static void split_plain(struct dcs_route *r, const char *t, uint32_t len)
{
    uint32_t i = 0;
    while (i < len) {
        while (i < len && is_sep(r->b->split, t[i]))
            i++;
        uint32_t s = i;
        while (i < len && !is_sep(r->b->split, t[i]))
            i++;
        if (i > s)
            add_entry(r, s, i, true);
    }
}

static bool starts_ci(const char *s, size_t n, const char *prefix)
{
    size_t k = strlen(prefix);
    return n >= k && strncasecmp(s, prefix, k) == 0;
}

/* .NET HttpWindowsProxy [R15]: ';' separates; leading spaces, "http://" or
 * "https://" and '[' are stripped; the entry ends at a space, ';' or ']' and
 * whatever follows up to the next ';' is dropped. */
static void split_dotnet(struct dcs_route *r, const char *t, uint32_t len)
{
    uint32_t i = 0;
    while (i < len) {
        while (i < len && t[i] == ' ')
            i++;
        i += starts_ci(t + i, len - i, "http://") ? 7 : starts_ci(t + i, len - i, "https://") ? 8 : 0;
        if (i < len && t[i] == '[')
            i++;
        uint32_t s = i;
        while (i < len && t[i] != ' ' && t[i] != ';' && t[i] != ']')
            i++;
        if (i > s)
            add_entry(r, s, i, false);
        while (i < len && t[i] != ';')
            i++;
        if (i < len)
            i++;
    }
}

void dcsi_route_compile_bypass(struct dcs_route *r, const char *orig, uint32_t len)
{
    r->bypass_base = r->text_len;
    if (len == 0)
        return;
    char *copy = r->text + r->bypass_base, *lower = copy + len;
    memcpy(copy, orig, len);
    for (uint32_t i = 0; i < len; i++)
        lower[i] = route_lower(orig[i]);
    r->text_len += 2 * len;
    if (r->b->split == SPLIT_DOTNET)
        split_dotnet(r, copy, len);
    else
        split_plain(r, copy, len);
}
