/* Lints for settings being written or shown (ROUTING.md §5): the traps that make
 * WinINET, or WinHTTP after `netsh winhttp import proxy source=ie`, do
 * something else than the admin meant. */
#include "route/route_internal.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

struct lints {
    struct dcs_route_lint *out;
    size_t cap, count;
};

static struct dcs_route_lint *add(struct lints *l, enum dcs_route_lint_code code, const char *id,
                                  uint32_t entry, uint32_t offset)
{
    size_t i = l->count++;
    if (i >= l->cap)
        return NULL;
    struct dcs_route_lint *x = &l->out[i];
    memset(x, 0, sizeof *x);
    x->code = code;
    x->id = id;
    x->entry = entry;
    x->offset = offset;
    return x;
}

/* The entry's text, \xNN for what is not printable ASCII, cut at 100 bytes. */
static void quote(char *dst, size_t cap, const char *s, uint32_t n)
{
    size_t w = 0;
    for (uint32_t i = 0; i < n && w + 5 < cap && i < 100; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x20 && c < 0x7f)
            dst[w++] = (char)c;
        else
            w += (size_t)snprintf(dst + w, cap - w, "\\x%02x", c);
    }
    dst[w] = '\0';
}

static void msg(struct dcs_route_lint *x, const char *fmt, ...) DCS_PRINTF(2, 3);
static void msg(struct dcs_route_lint *x, const char *fmt, ...)
{
    va_list ap;
    if (!x)
        return;
    va_start(ap, fmt);
    vsnprintf(x->message, sizeof x->message, fmt, ap);
    va_end(ap);
}

/* P4: http= but neither https= nor a default entry. */
static void lint_proxy(struct lints *l, const struct dcs_route *r)
{
    uint32_t http = 0, https = 0, dflt = 0, socks = 0;
    for (uint32_t i = 0; i < r->nproxy; i++) {
        const struct route_proxy *p = &r->proxy[i];
        uint32_t *slot = p->key == DCS_PROXY_KEY_HTTP ? &http
                       : p->key == DCS_PROXY_KEY_HTTPS ? &https
                       : p->key == DCS_PROXY_KEY_DEFAULT ? &dflt
                       : p->key == DCS_PROXY_KEY_SOCKS ? &socks : NULL;
        if (slot && !*slot)
            *slot = i + 1;
    }
    if (!http || https || dflt)
        return;
    const struct route_proxy *p = &r->proxy[http - 1];
    char q[512];
    quote(q, sizeof q, r->text + p->text_off, p->text_len);
    msg(add(l, DCS_LINT_HTTP_ONLY, "P4", p->index, p->text_off),
        "proxy entry %u '%s': no https= entry and no default entry, so HTTPS requests go %s; "
        "add https=... or a proxy without scheme=",
        (unsigned)p->index, q, socks ? "to the socks= proxy (P5; INFERRED)" : "DIRECT");
}

/* "10.0.0.0/8" -> "10.*" for the octet-aligned IPv4 blocks. */
static void cidr_hint(const struct route_bypass *bp, char *out, size_t cap)
{
    out[0] = '\0';
    if (bp->cidr_family != 4 || bp->cidr_bits % 8 || bp->cidr_bits == 0 || bp->cidr_bits == 32)
        return;
    size_t w = 0;
    for (unsigned o = 0; o < bp->cidr_bits / 8u; o++)
        w += (size_t)snprintf(out + w, cap - w, "%u.", bp->cidr_addr[o]);
    snprintf(out + w, cap - w, "*");
}

static void lint_entry(struct lints *l, const struct dcs_route *r, const struct route_bypass *bp)
{
    char q[512];
    uint32_t off = bp->text_off - r->bypass_base;
    quote(q, sizeof q, r->text + bp->text_off, bp->text_len);
    if (bp->cidr) {
        char hint[32];
        cidr_hint(bp, hint, sizeof hint);
        msg(add(l, DCS_LINT_CIDR, "B15", bp->index, off),
            "bypass entry %u '%s': WinINET has no CIDR, the entry matches nothing%s%s%s",
            (unsigned)bp->index, q, hint[0] ? " (write '" : "", hint, hint[0] ? "')" : "");
    }
    if (bp->has_qmark)
        msg(add(l, DCS_LINT_QMARK, "B7", bp->index, off),
            "bypass entry %u '%s': '?' is not a wildcard in WinINET (only '*'), it matches "
            "a literal '?' (INFERRED)", (unsigned)bp->index, q);
    if (bp->star_inside)
        msg(add(l, DCS_LINT_WINHTTP_WILDCARD, "B3", bp->index, off),
            "bypass entry %u '%s': '*' not left-most; WinINET honours it, WinHTTP does not "
            "after `netsh winhttp import proxy source=ie` (wildcards must be left-most)",
            (unsigned)bp->index, q);
}

/* B8: <local> with nothing for dotted intranet names. */
static void lint_local(struct lints *l, const struct dcs_route *r)
{
    if (!r->local_entry)
        return;
    for (uint32_t i = 0; i < r->nbypass; i++) {
        const struct route_bypass *bp = &r->bypass[i];
        const char *pat = r->text + bp->pat_off;
        if (bp->kind == BP_HOST && bp->pat_len > 1 && (pat[0] == '.' || (pat[0] == '*' && pat[1] == '.')))
            return; /* a domain entry covers the dotted names */
    }
    const struct route_bypass *bp = &r->bypass[r->local_entry - 1];
    msg(add(l, DCS_LINT_LOCAL_DOTTED, "B8", bp->index, bp->text_off - r->bypass_base),
        "bypass entry %u '<local>' covers only names without a period: "
        "http://intranet.corp.example/ still goes through the proxy; add '*.corp.example' "
        "for such names", (unsigned)bp->index);
}

static dcs_status lint_expect(struct lints *l, const struct dcs_route_settings *s,
                              const char *const *urls, size_t n, struct dcs_error *err)
{
    dcs_route *r;
    dcs_status st = dcs_route_compile(s, DCS_ROUTE_WININET, &r, err);
    if (st)
        return st;
    for (size_t i = 0; i < n; i++) {
        struct dcs_url u;
        struct dcs_route_result res;
        char rule[400];
        if (!urls[i] || (st = dcs_url_parse(urls[i], strlen(urls[i]), &u, err)) != DCS_OK) {
            if (urls[i] && err) {
                char inner[DCS_ERROR_MESSAGE_MAX];
                memcpy(inner, err->message, sizeof inner);
                dcs_error_set(err, st, err->offset, "%.100s: %s", urls[i], inner);
            }
            dcs_route_free(r);
            return urls[i] ? st : dcs_error_set(err, DCS_ERR_INVALID_ARG, DCS_NO_OFFSET, "NULL URL");
        }
        dcs_route_url(r, &u, &res);
        if (dcs_route_effective(&res) != DCS_ROUTE_DIRECT)
            continue;
        dcs_route_rule_format(r, &u, &res, true, rule, sizeof rule);
        struct dcs_route_lint *x = add(l, DCS_LINT_EXPECT_PROXY_BYPASSED, "§7",
                                       res.fixed.entry, UINT32_MAX);
        if (x)
            x->url = (uint32_t)i;
        msg(x, "%.120s is expected to use the proxy but goes DIRECT%s: %s", urls[i],
            res.decision == DCS_ROUTE_AUTO ? " when no PAC is found" : "", rule);
    }
    dcs_route_free(r);
    return DCS_OK;
}

dcs_status dcs_route_lint(const struct dcs_route_settings *s, const char *const *expect_proxy,
                          size_t n_expect, struct dcs_route_lint *out, size_t cap, size_t *count,
                          struct dcs_error *err)
{
    struct lints l = {out, out ? cap : 0, 0};
    dcs_route *r;
    if (!s || !count || (n_expect && !expect_proxy))
        return dcs_error_set(err, DCS_ERR_INVALID_ARG, DCS_NO_OFFSET, "NULL argument");
    *count = 0;
    /* the strings as written, whatever the flags say */
    struct dcs_route_settings all = *s;
    all.flags |= DCS_PROXY_TYPE_PROXY;
    dcs_status st = dcs_route_compile(&all, DCS_ROUTE_WININET, &r, err);
    if (st)
        return st;
    lint_proxy(&l, r);
    for (uint32_t i = 0; i < r->nbypass; i++)
        if (r->bypass[i].kind == BP_HOST)
            lint_entry(&l, r, &r->bypass[i]);
    lint_local(&l, r);
    dcs_route_free(r);
    st = lint_expect(&l, s, expect_proxy, n_expect, err);
    *count = l.count;
    return st;
}
