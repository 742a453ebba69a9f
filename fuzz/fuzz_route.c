/* dcs route: settings + URL.  Input: one byte of flags (low 4 bits), then
 * proxy '\n' bypass '\n' PAC URL '\n' URL.  Properties: nothing crashes
 * and every text is NUL-ended and as long as reported; WinINET's answer is
 * the same for the settings, for the blob that carries them and for that
 * blob's re-encoding; the clients differ from WinINET only where the
 * behaviour table lets them (checked on "plain" settings, where no row of
 * the table applies); decisions are consistent with the flags. */
#include <stdbool.h>
#include <string.h>

#include "fuzz_common.h"
#include <dcs/blob.h>
#include <dcs/route.h>

struct answer {
    enum dcs_route_decision decision, effective;
    char proxy[300];
    char rule[1500];
};

static void answer(const dcs_route *r, const struct dcs_url *u, struct answer *a)
{
    struct dcs_route_result res;
    dcs_route_url(r, u, &res);
    a->decision = res.decision;
    a->effective = dcs_route_effective(&res);
    FUZZ_CHECK(res.fixed.decision != DCS_ROUTE_AUTO);
    size_t n = dcs_route_proxy_format(&res.fixed, a->proxy, sizeof a->proxy);
    FUZZ_CHECK(n >= sizeof a->proxy || strlen(a->proxy) == n);
    FUZZ_CHECK((n == 0) == (res.fixed.decision == DCS_ROUTE_DIRECT));
    n = dcs_route_rule_format(r, u, &res, false, a->rule, sizeof a->rule);
    FUZZ_CHECK(n >= sizeof a->rule || strlen(a->rule) == n);
    FUZZ_CHECK(a->rule[0] == 'P' || a->rule[0] == 'B' || strncmp(a->rule, "§1", 3) == 0);
    char fb[1500];
    n = dcs_route_rule_format(r, u, &res, true, fb, sizeof fb);
    FUZZ_CHECK(n >= sizeof fb || strlen(fb) == n);
}

static bool same(const struct answer *a, const struct answer *b)
{
    return a->decision == b->decision && strcmp(a->proxy, b->proxy) == 0 &&
           strcmp(a->rule, b->rule) == 0;
}

/* Settings where no row of the behaviour table differs from WinINET: one
 * key-less proxy, bypass names with at most a leading "*.", an ASCII host
 * name with a period that is not a loopback name. */
static bool plain(const struct dcs_route_settings *s, const struct dcs_url *u)
{
    for (uint32_t i = 0; i < s->proxy.len; i++)
        if (strchr("=;:/ \t\r\n[]", s->proxy.ptr[i]) && s->proxy.ptr[i] != ':')
            return false;
    for (uint32_t i = 0; i < s->bypass.len; i++) {
        uint8_t c = s->bypass.ptr[i];
        bool alnum = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
        if (!alnum && c != '.' && c != '-' && c != ';' && c != '*')
            return false;
        if (c == '*' && !((i == 0 || s->bypass.ptr[i - 1] == ';') && i + 1 < s->bypass.len &&
                          s->bypass.ptr[i + 1] == '.'))
            return false;
        if (c == '.' && (i == 0 || s->bypass.ptr[i - 1] == ';'))
            return false;
    }
    return u->host_kind == DCS_URL_NAME && !u->non_ascii && memchr(u->host, '.', u->host_len) &&
           !strstr(u->host, "localhost") && strcmp(u->host, "loopback") != 0 &&
           (u->scheme_id == DCS_URL_HTTP || u->scheme_id == DCS_URL_HTTPS);
}

/* WinINET's answer through a 0x46 blob, its decoding and its re-encoding. */
static void via_blob(const struct dcs_route_settings *s, const struct dcs_url *u,
                     const struct answer *direct)
{
    struct dcs_blob m, d1, d2;
    struct dcs_error err;
    struct dcs_route_settings s1;
    dcs_route *r;
    size_t need = 0, w = 0;
    dcs_blob_init(&m, DCS_FORMAT_WININET, DCS_VERSION_IE7);
    m.flags = s->flags;
    m.proxy = s->proxy;
    m.bypass = s->bypass;
    m.autoconfig_url = s->autoconfig_url;
    FUZZ_CHECK(dcs_blob_encode(&m, NULL, 0, &need, &err) == DCS_OK);
    uint8_t *b1 = malloc(need), *b2 = malloc(need);
    FUZZ_CHECK(b1 && b2);
    FUZZ_CHECK(dcs_blob_encode(&m, b1, need, &w, &err) == DCS_OK && w == need);
    FUZZ_CHECK(dcs_blob_decode(b1, need, DCS_DECODE_LENIENT, &d1, &err) == DCS_OK);
    FUZZ_CHECK(dcs_blob_encode(&d1, b2, need, &w, &err) == DCS_OK && w == need);
    FUZZ_CHECK(memcmp(b1, b2, need) == 0);
    FUZZ_CHECK(dcs_blob_decode(b2, need, DCS_DECODE_LENIENT, &d2, &err) == DCS_OK);
    const struct dcs_blob *models[] = {&d1, &d2};
    for (int k = 0; k < 2; k++) {
        struct answer a;
        dcs_route_settings_from_blob(models[k], &s1);
        FUZZ_CHECK(dcs_route_compile(&s1, DCS_ROUTE_WININET, &r, &err) == DCS_OK);
        answer(r, u, &a);
        FUZZ_CHECK(same(&a, direct));
        dcs_route_free(r);
    }
    free(b1);
    free(b2);
}

static void split(const uint8_t *p, size_t n, dcs_bytes *out, int count)
{
    for (int k = 0; k < count; k++) {
        const uint8_t *nl = k + 1 < count ? memchr(p, '\n', n) : NULL;
        size_t len = nl ? (size_t)(nl - p) : n;
        out[k] = (dcs_bytes){len ? p : NULL, (uint32_t)len};
        p += nl ? len + 1 : len;
        n -= nl ? len + 1 : len;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    dcs_bytes f[4];
    struct dcs_url u;
    struct dcs_error err;
    struct answer a[DCS_ROUTE_CLIENT_COUNT];
    if (size < 1 || size > 4096)
        return 0;
    split(data + 1, size - 1, f, 4);
    struct dcs_route_settings s = {data[0] & 0x0F, f[0], f[1], f[2]};
    dcs_status st = dcs_url_parse((const char *)f[3].ptr, f[3].len, &u, &err);
    if (st != DCS_OK) {
        fuzz_check_error(&err, st, f[3].len);
        return 0;
    }
    FUZZ_CHECK(u.host_len <= DCS_URL_HOST_MAX && strlen(u.host) == u.host_len);
    FUZZ_CHECK(u.ace_len <= DCS_URL_HOST_MAX && strlen(u.ace) == u.ace_len);
    for (int c = 0; c < DCS_ROUTE_CLIENT_COUNT; c++) {
        dcs_route *r;
        st = dcs_route_compile(&s, (enum dcs_route_client)c, &r, &err);
        if (st != DCS_OK) { /* only the proxy string can be refused, by every client */
            fuzz_check_error(&err, st, s.proxy.len);
            FUZZ_CHECK(st == DCS_ERR_PROXY_SYNTAX && c == 0 && (s.flags & DCS_PROXY_TYPE_PROXY));
            return 0;
        }
        answer(r, &u, &a[c]);
        dcs_route_free(r);
        if (!(s.flags & DCS_PROXY_TYPE_PROXY))
            FUZZ_CHECK(a[c].effective == DCS_ROUTE_DIRECT);
        if (a[c].decision == DCS_ROUTE_AUTO)
            FUZZ_CHECK(c != DCS_ROUTE_CURL && (s.flags & 0x0C));
    }
    via_blob(&s, &u, &a[DCS_ROUTE_WININET]);
    if (plain(&s, &u) && !(s.flags & 0x0C)) {
        for (int c = 1; c < DCS_ROUTE_CURL; c++)
            FUZZ_CHECK(a[c].effective == a[0].effective && strcmp(a[c].proxy, a[0].proxy) == 0);
        if (s.bypass.len == 0)
            FUZZ_CHECK(a[DCS_ROUTE_CURL].effective == a[0].effective);
    }
    return 0;
}
