/* dcs route: every example of the routing research (codec/route/ROUTING.md) and one case per rule,
 * asserted exactly (decision, proxy, rule text, fallback), per client where
 * the spec gives another client's answer; the URL parser (errors with
 * offsets, IPv6, userinfo, ports, IDN/punycode); the lints of §7. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <dcs/route.h>

#define PX "proxy.contoso.com:8080"
#define SENSOR "https://contoso-corpsensorapi.atp.azure.com/"
#define CONSOLE "https://contoso-corp.atp.azure.com/"
#define CONSOLE_HTTP "http://contoso-corp.atp.azure.com/"
#define P3 "P3 default entry (no scheme=) " PX
#define PAC "http://pac.contoso.com/proxy.pac"

struct rcase {
    const char *name;         /* spec example number or rule id */
    enum dcs_route_client client;
    uint32_t flags;
    const char *proxy, *bypass, *pac, *url;
    const char *decision, *proxy_out, *rule;
    const char *fb_decision, *fb_proxy, *fb_rule; /* NULL: no fallback */
};

static struct dcs_bytes bytes(const char *s)
{
    return (struct dcs_bytes){(const uint8_t *)s, s ? (uint32_t)strlen(s) : 0};
}

static void run_case(const struct rcase *c)
{
    struct dcs_route_settings s = {c->flags, bytes(c->proxy), bytes(c->bypass), bytes(c->pac)};
    struct dcs_error err;
    struct dcs_url u;
    struct dcs_route_result res;
    dcs_route *r = NULL;
    char rule[1200], proxy[300];

    print_message("case %s (%s)\n", c->name, dcs_route_client_name(c->client));
    assert_int_equal(dcs_route_compile(&s, c->client, &r, &err), DCS_OK);
    assert_int_equal(dcs_url_parse(c->url, strlen(c->url), &u, &err), DCS_OK);
    dcs_route_url(r, &u, &res);
    assert_string_equal(dcs_route_decision_name(res.decision), c->decision);
    dcs_route_proxy_format(&res.fixed, proxy, sizeof proxy);
    assert_string_equal(res.decision == DCS_ROUTE_AUTO ? "" : proxy, c->proxy_out ? c->proxy_out : "");
    dcs_route_rule_format(r, &u, &res, false, rule, sizeof rule);
    assert_string_equal(rule, c->rule);
    if (c->fb_decision) {
        assert_int_equal(res.decision, DCS_ROUTE_AUTO);
        assert_string_equal(dcs_route_decision_name(res.fixed.decision), c->fb_decision);
        assert_string_equal(proxy, c->fb_proxy ? c->fb_proxy : "");
        dcs_route_rule_format(r, &u, &res, true, rule, sizeof rule);
        assert_string_equal(rule, c->fb_rule);
    } else {
        assert_int_not_equal(res.decision, DCS_ROUTE_AUTO);
    }
    dcs_route_free(r);
}

#define W DCS_ROUTE_WININET
#define WH DCS_ROUTE_WINHTTP
#define NET DCS_ROUTE_DOTNET
#define CR DCS_ROUTE_CHROMIUM
#define CURL DCS_ROUTE_CURL

/* spec §6, in its order; "expected (WinINET)" and the other clients' column */
static const struct rcase examples[] = {
    {"1", W, 3, PX, "", "", SENSOR, "proxy", PX, P3, 0, 0, 0},
    {"2", W, 3, PX, "", "", CONSOLE, "proxy", PX, P3, 0, 0, 0},
    {"3", W, 3, PX, "<local>", "", SENSOR, "proxy", PX,
     P3 "; <local> does not cover names with a period (B8)", 0, 0, 0},
    {"4", W, 3, PX, "*.atp.azure.com", "", SENSOR, "direct", 0, "B3 bypass entry 1 *.atp.azure.com", 0, 0, 0},
    {"4 winhttp", WH, 3, PX, "*.atp.azure.com", "", SENSOR, "direct", 0, "B3 bypass entry 1 *.atp.azure.com", 0, 0, 0},
    {"4 dotnet", NET, 3, PX, "*.atp.azure.com", "", SENSOR, "direct", 0, "B3 bypass entry 1 *.atp.azure.com", 0, 0, 0},
    {"4 chromium", CR, 3, PX, "*.atp.azure.com", "", SENSOR, "direct", 0, "B3 bypass entry 1 *.atp.azure.com", 0, 0, 0},
    {"5", W, 3, PX, "*.atp.azure.com", "", CONSOLE, "direct", 0, "B3 bypass entry 1 *.atp.azure.com", 0, 0, 0},
    {"6", W, 3, PX, "*.contoso-corp.atp.azure.com", "", SENSOR, "proxy", PX, P3, 0, 0, 0},
    {"7", W, 3, PX, "contoso-corp*.atp.azure.com", "", SENSOR, "direct", 0,
     "B3 bypass entry 1 contoso-corp*.atp.azure.com", 0, 0, 0},
    {"7 winhttp", WH, 3, PX, "contoso-corp*.atp.azure.com", "", SENSOR, "proxy", PX,
     P3 "; bypass entry 1 contoso-corp*.atp.azure.com not honoured by WinHTTP: '*' not left-most "
        "(INFERRED from \"not supported\")", 0, 0, 0},
    {"8", W, 3, PX, "contoso-corp*.atp.azure.com", "", CONSOLE, "direct", 0,
     "B3 bypass entry 1 contoso-corp*.atp.azure.com", 0, 0, 0},
    {"10", W, 3, PX, "*sensorapi.atp.azure.com", "", CONSOLE, "proxy", PX, P3, 0, 0, 0},
    {"11", W, 3, PX, "https://*.atp.azure.com", "", SENSOR, "direct", 0,
     "B5 bypass entry 1 https://*.atp.azure.com", 0, 0, 0},
    {"11 dotnet", NET, 3, PX, "https://*.atp.azure.com", "", SENSOR, "direct", 0,
     "B3 bypass entry 1 *.atp.azure.com", 0, 0, 0},
    {"14", W, 3, PX, "*.azure.com:443", "", CONSOLE_HTTP, "proxy", PX, P3, 0, 0, 0},
    {"16", W, 3, "http=hp.contoso.com:3128", "", "", CONSOLE_HTTP, "proxy", "hp.contoso.com:3128",
     "P1 http= entry hp.contoso.com:3128", 0, 0, 0},
    {"17", W, 3, "http=hp:3128;https=sp:3129;ftp=fp:2121;socks=sk:1080", "", "", SENSOR, "proxy",
     "sp:3129", "P1 https= entry sp:3129", 0, 0, 0},
    {"20", W, 3, "defp:8080;https=sp:3129", "", "", SENSOR, "proxy", "sp:3129",
     "P1 https= entry sp:3129; a default entry comes earlier in the list (P3 position; INFERRED)", 0, 0, 0},
    {"20 chromium", CR, 3, "defp:8080;https=sp:3129", "", "", SENSOR, "proxy", "defp:8080",
     "P3 first entry without scheme= defp:8080 serves every scheme, the rest is ignored (Chromium)", 0, 0, 0},
    {"21", W, 3, "HTTPS=sp:3129", "", "", SENSOR, "proxy", "sp:3129",
     "P2 HTTPS= entry sp:3129 (scheme keys are case-insensitive)", 0, 0, 0},
    {"21 chromium", CR, 3, "HTTPS=sp:3129", "", "", SENSOR, "direct", 0,
     "P4 no https= entry and no default entry (Chromium)", 0, 0, 0},
    {"21 dotnet", NET, 3, "HTTPS=sp:3129", "", "", SENSOR, "direct", 0,
     "P4 no https= entry and no default entry (.NET)", 0, 0, 0},
    {"23", W, 3, "http=hp:3128;socks=sk:1080", "", "", SENSOR, "socks", "sk:1080",
     "P5 socks= entry (no https= entry, no default entry; INFERRED)", 0, 0, 0},
    {"24", W, 3, "hp", "", "", CONSOLE_HTTP, "proxy", "hp:80",
     "P3 default entry (no scheme=) hp:80; port 80 by default (P9)", 0, 0, 0},
    {"27", W, 3, "http=https://jericho:99", "", "", CONSOLE_HTTP, "proxy", "jericho:99",
     "P1 http= entry jericho:99; the https:// prefix does not make it a TLS proxy: plain HTTP (P8)", 0, 0, 0},
    {"27 chromium", CR, 3, "http=https://jericho:99", "", "", CONSOLE_HTTP, "proxy", "jericho:99",
     "P1 http= entry jericho:99; https:// value: TLS to the proxy (Chromium)", 0, 0, 0},
    {"30", W, 0x0b, PX, "", "", SENSOR, "auto", 0, "§1 auto-detect (WPAD) first, not evaluated",
     "proxy", PX, P3},
    {"31", W, 0x05, "", "", PAC, SENSOR, "auto", 0, "§1 PAC script (flag 0x04) first, not evaluated",
     "direct", 0, "§1 flag 0x02 (PROXY) off"},
    {"34", W, 3, PX, "", "", "http://localhost:8444/", "direct", 0, "B11 implicit loopback bypass", 0, 0, 0},
    {"35", W, 3, PX, "", "", "http://127.0.0.1/", "direct", 0, "B11 implicit loopback bypass", 0, 0, 0},
    {"38", W, 3, PX, "", "", "http://127.0.0.2/", "proxy", PX,
     P3 "; not one of the four implicit loopback names (B13; UNKNOWN for WinINET, dcs: not bypassed, "
        "INFERRED)", 0, 0, 0},
    {"38 chromium", CR, 3, PX, "", "", "http://127.0.0.2/", "direct", 0,
     "B11 implicit loopback bypass (Chromium: localhost, *.localhost, loopback, 127/8, [::1], "
     "169.254/16, fe80::/10)", 0, 0, 0},
    {"40", W, 3, PX, "<local>", "", "http://intranet/", "direct", 0,
     "B8 <local> (bypass entry 1): host without a period", 0, 0, 0},
    {"41", W, 3, PX, "<local>", "", "http://intranet.corp.contoso.com/", "proxy", PX,
     P3 "; <local> does not cover names with a period (B8)", 0, 0, 0},
    {"44", W, 3, PX, "contoso.com", "", "https://www.contoso.com/", "proxy", PX, P3, 0, 0, 0},
    {"44 curl", CURL, 3, PX, "contoso.com", "", "https://www.contoso.com/", "direct", 0,
     "B4 bypass entry 1 contoso.com (curl NO_PROXY: the name or a domain it ends)", 0, 0, 0},
    {"46", W, 3, PX, "*.contoso.com", "", "https://a.b.contoso.com/", "direct", 0,
     "B3 bypass entry 1 *.contoso.com", 0, 0, 0},
    {"48", W, 3, PX, "*int*", "", "http://painter.example/", "direct", 0, "B3 bypass entry 1 *int*", 0, 0, 0},
    {"49", W, 3, PX, "10.*;192.168.*", "", "http://10.1.2.3/", "direct", 0, "B3 bypass entry 1 10.*", 0, 0, 0},
    {"50", W, 3, PX, "10.*", "", "http://fileserver.corp/", "proxy", PX,
     P3 "; bypass entry 1 10.*: IP entries are matched as text, never against the address a name "
        "resolves to (B14; INFERRED)", 0, 0, 0},
};

static void test_examples(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof examples / sizeof examples[0]; i++)
        run_case(&examples[i]);
}

/* one case (at least) per rule of spec §1-§4 beyond the examples */
static const struct rcase rules[] = {
    {"§1 flag off", W, 1, PX, "", "", SENSOR, "direct", 0, "§1 flag 0x02 (PROXY) off", 0, 0, 0},
    {"P11", W, 3, "", "", "", SENSOR, "direct", 0,
     "P11 flag 0x02 (PROXY) on, proxy string empty: no proxy (INFERRED)", 0, 0, 0},
    {"P4", W, 3, "http=hp:3128", "", "", SENSOR, "direct", 0, "P4 no https= entry and no default entry", 0, 0, 0},
    {"P1 whitespace", W, 3, "http=hp:3128 https=sp:3129", "", "", SENSOR, "proxy", "sp:3129",
     "P1 https= entry sp:3129", 0, 0, 0},
    {"P6", W, 3, "socks=sk:1080;defp:80", "", "", SENSOR, "proxy", "defp:80",
     "P3 default entry (no scheme=) defp:80; default entry preferred to socks= (P6; INFERRED)", 0, 0, 0},
    {"P7", W, 3, "http://127.20.20.20:3128", "", "", SENSOR, "proxy", "127.20.20.20:3128",
     "P3 default entry (no scheme=) 127.20.20.20:3128; scheme prefix stripped, still a plain HTTP "
     "proxy (P7)", 0, 0, 0},
    {"P9 ftp://", W, 3, "ftp=ftp://gw", "", "", "ftp://files.example/", "proxy", "gw:21",
     "P1 ftp= entry gw:21; scheme prefix stripped, still a plain HTTP proxy (P7); port 21 by "
     "default (P9)", 0, 0, 0},
    {"P9 ftp=", W, 3, "ftp=gw", "", "", "ftp://files.example/", "proxy", "gw:80",
     "P1 ftp= entry gw:80; port 80 by default for ftp= without ftp:// (P9; UNKNOWN)", 0, 0, 0},
    {"P9 https=", W, 3, "https=sp", "", "", SENSOR, "proxy", "sp:80",
     "P1 https= entry sp:80; port 80 by default for https= (P9; INFERRED)", 0, 0, 0},
    {"P9 socks", W, 3, "socks=sk", "", "", SENSOR, "socks", "sk:1080",
     "P5 socks= entry (no https= entry, no default entry; INFERRED); port 1080 by default (P9)", 0, 0, 0},
    {"P10", W, 3, PX, "", "", "ftp://files.example/", "proxy", PX, P3, 0, 0, 0},
    {"P12", W, 3, "http=a:1;http=b:2", "", "", CONSOLE_HTTP, "proxy", "a:1",
     "P1 http= entry a:1; duplicate http= entries: the first is taken (P12; UNKNOWN)", 0, 0, 0},
    {"P13", W, 3, PX, "", "", "wss://contoso-corp.atp.azure.com/", "proxy", PX,
     P3 "; wss has no WinINET proxy key (P13; UNKNOWN)", 0, 0, 0},
    {"P13 chromium", CR, 3, "http=hp:1;https=sp:2", "", "", "wss://x.example/", "proxy", "sp:2",
     "P1 https= entry sp:2", 0, 0, 0},
    {"IPv6 proxy", W, 3, "[fe80::1]:8080", "", "", SENSOR, "proxy", "[fe80::1]:8080",
     "P3 default entry (no scheme=) [fe80::1]:8080", 0, 0, 0},
    {"B1", W, 3, PX, "a.example  *.b.example", "", "http://x.b.example/", "direct", 0,
     "B3 bypass entry 2 *.b.example", 0, 0, 0},
    {"B2", W, 3, PX, "*.ATP.Azure.COM", "", "HTTPS://Contoso-Corp.ATP.azure.com/", "direct", 0,
     "B3 bypass entry 1 *.ATP.Azure.COM", 0, 0, 0},
    {"B3 middle", W, 3, PX, "www.*.com", "", "http://www.contoso.com/", "direct", 0,
     "B3 bypass entry 1 www.*.com", 0, 0, 0},
    {"B3 several", W, 3, PX, "123.1*.66.*", "", "http://123.15.66.7/", "direct", 0,
     "B3 bypass entry 1 123.1*.66.*", 0, 0, 0},
    {"B3 trailing", W, 3, PX, "ms*", "", "http://msdn/", "direct", 0, "B3 bypass entry 1 ms*", 0, 0, 0},
    {"B4", W, 3, PX, "*.contoso.com", "", "https://contoso.com/", "proxy", PX, P3, 0, 0, 0},
    {"B5 other scheme", W, 3, PX, "http://*.atp.azure.com", "", SENSOR, "proxy", PX, P3, 0, 0, 0},
    {"B6 explicit", W, 3, PX, "*.azure.com:8443", "", "https://x.azure.com:8443/", "direct", 0,
     "B6 bypass entry 1 *.azure.com:8443", 0, 0, 0},
    {"B6 default", W, 3, PX, "*.azure.com:443", "", CONSOLE, "direct", 0,
     "B6 bypass entry 1 *.azure.com:443; the entry's port compared with the scheme's default port "
     "(B6; INFERRED)", 0, 0, 0},
    {"B6 dotnet", NET, 3, PX, "*.azure.com:443", "", CONSOLE, "proxy", PX,
     P3 "; bypass entry 1 *.azure.com:443 never matches in .NET: entries with a port", 0, 0, 0},
    {"B7", W, 3, PX, "a?c", "", "http://abc/", "proxy", PX,
     P3 "; bypass entry 1 a?c: '?' is not a wildcard (B7; INFERRED)", 0, 0, 0},
    {"B9", W, 3, PX, "<local>", "", "http://intranet./", "proxy", PX,
     P3 "; <local>: the trailing period counts (B9; INFERRED)", 0, 0, 0},
    {"B10", W, 3, PX, "<local>", "", "http://[fe80::1]/", "direct", 0,
     "B10 <local> (bypass entry 1): IPv6 literal, no period (UNKNOWN for WinINET; dcs bypasses)", 0, 0, 0},
    {"B10 chromium", CR, 3, PX, "<local>", "", "http://[2001:db8::1]/", "proxy", PX,
     "P3 first entry without scheme= " PX " serves every scheme, the rest is ignored (Chromium)", 0, 0, 0},
    {"B11 [::1]", W, 3, PX, "", "", "http://[::1]:8080/", "direct", 0, "B11 implicit loopback bypass", 0, 0, 0},
    {"B11 loopback", W, 3, PX, "", "", "http://loopback/", "direct", 0, "B11 implicit loopback bypass", 0, 0, 0},
    {"B11 winhttp", WH, 3, PX, "", "", "http://localhost/", "direct", 0,
     "B11 implicit loopback bypass (WinHTTP: UNKNOWN, dcs applies WinINET's)", 0, 0, 0},
    {"B11 dotnet", NET, 3, PX, "", "", "http://localhost/", "proxy", PX, P3, 0, 0, 0},
    {"B12", W, 3, "127.0.0.1:8888", "<-loopback>", "", "http://localhost/", "proxy", "127.0.0.1:8888",
     "P3 default entry (no scheme=) 127.0.0.1:8888; <-loopback> removes the implicit loopback bypass "
     "(B12)", 0, 0, 0},
    {"B12 winhttp", WH, 3, "127.0.0.1:8888", "<-loopback>", "", "http://localhost/", "proxy",
     "127.0.0.1:8888", "P3 default entry (no scheme=) 127.0.0.1:8888; <-loopback> removes the "
     "implicit loopback bypass (B12; WinHTTP: UNKNOWN)", 0, 0, 0},
    {"B13", W, 3, PX, "", "", "http://sub.localhost/", "proxy", PX,
     P3 "; not one of the four implicit loopback names (B13; UNKNOWN for WinINET, dcs: not bypassed, "
        "INFERRED)", 0, 0, 0},
    {"B15", W, 3, PX, "10.0.0.0/8", "", "http://10.1.2.3/", "proxy", PX,
     P3 "; bypass entry 1 10.0.0.0/8: CIDR is not supported, matched as text (B15; INFERRED)", 0, 0, 0},
    {"B15 chromium", CR, 3, PX, "10.0.0.0/8", "", "http://10.1.2.3/", "direct", 0,
     "B15 bypass entry 1 10.0.0.0/8 (CIDR block: Chromium)", 0, 0, 0},
    {"B15 curl", CURL, 3, PX, "10.0.0.0/8", "", "http://10.1.2.3/", "direct", 0,
     "B15 bypass entry 1 10.0.0.0/8 (CIDR block: curl)", 0, 0, 0},
    {"B16", W, 3, PX, "b\xc3\xbc" "cher.example", "", "http://b\xc3\xbc" "cher.example/", "direct", 0,
     "B4 bypass entry 1 b\xc3\xbc" "cher.example; non-ASCII host compared as bytes, not as punycode "
     "(B16; UNKNOWN)", 0, 0, 0},
    {"B16 chromium", CR, 3, PX, "xn--bcher-kva.example", "", "http://B\xc3\xbc" "cher.example/", "direct", 0,
     "B4 bypass entry 1 xn--bcher-kva.example", 0, 0, 0},
    {"B17", W, 3, PX, ";;*.example.com;", "", "http://a.example.com/", "direct", 0,
     "B3 bypass entry 1 *.example.com", 0, 0, 0},
    {"B18", W, 0x0b, PX, "*.atp.azure.com", "", SENSOR, "auto", 0,
     "§1 auto-detect (WPAD) first, not evaluated", "direct", 0, "B3 bypass entry 1 *.atp.azure.com"},
    {"§1 both", W, 0x0f, PX, "", PAC, SENSOR, "auto", 0,
     "§1 auto-detect (WPAD), then the PAC script (flag 0x04), not evaluated", "proxy", PX, P3},
    {"§1 blank PAC", W, 0x07, PX, "", "  ", SENSOR, "proxy", PX, P3, 0, 0, 0},
    {"§1 winhttp", WH, 0x09, PX, "", "", SENSOR, "auto", 0,
     "§1 auto-detect (WPAD) first, not evaluated; WinHTTP itself does not fall back to the static "
     "settings, the application must", "direct", 0, "§1 flag 0x02 (PROXY) off"},
    {"§1 curl", CURL, 0x0b, PX, "", "", SENSOR, "proxy", PX, P3, 0, 0, 0},
    {"winhttp keys", WH, 3, "socks=sk:1080", "", "", SENSOR, "direct", 0,
     "P4 no https= entry and no default entry", 0, 0, 0},
    {"dotnet order", NET, 3, "defp:8080;https=sp:3129", "", "", SENSOR, "proxy", "defp:8080",
     "P3 default entry (no scheme=) defp:8080; .NET takes the first entry that applies, a later keyed "
     "one is not used (INFERRED)", 0, 0, 0},
    {"dotnet local", NET, 3, PX, "<local>", "", "http://127.0.0.5/", "direct", 0,
     "B8 <local> (bypass entry 1): loopback or a host without a period (.NET; the machine's own "
     "addresses are not known offline)", 0, 0, 0},
    {"chromium dot", CR, 3, PX, ".contoso.com", "", "http://a.contoso.com/", "direct", 0,
     "B4 bypass entry 1 .contoso.com (Chromium: a leading . is *.)", 0, 0, 0},
    {"chromium socks", CR, 3, "http=hp:1;socks=sk", "", "", SENSOR, "socks", "sk:1080",
     "P5 socks= entry: fallback for schemes without an entry (Chromium, SOCKS4) sk:1080; port 1080 by "
     "default (P9)", 0, 0, 0},
    {"curl star", CURL, 3, PX, "*", "", SENSOR, "direct", 0,
     "B3 bypass entry 1 * (curl: a lone * matches every host)", 0, 0, 0},
    {"curl ip", CURL, 3, PX, "2.3;10.1.2.3", "", "http://10.1.2.3/", "direct", 0,
     "B14 bypass entry 2 10.1.2.3 (curl NO_PROXY: the name or a domain it ends)", 0, 0, 0},
    {"P7 socks", W, 3, "socks=socks://sk", "", "", SENSOR, "socks", "sk:1080",
     "P5 socks= entry (no https= entry, no default entry; INFERRED); scheme prefix stripped (P7); port "
     "1080 by default (P9)", 0, 0, 0},
    {"chromium keyless after keyed", CR, 3, "http=hp:1;defp:2", "", "", SENSOR, "direct", 0,
     "P4 no https= entry and no default entry (Chromium)", 0, 0, 0},
    {"dotnet ftp", NET, 3, "http=hp:1;https=sp:2", "", "", "ftp://f.example/", "proxy", "hp:1",
     "P1 http= entry hp:1", 0, 0, 0},
    {"winhttp ftp=", WH, 3, "ftp=fp:21", "", "", "ftp://f.example/", "direct", 0,
     "P4 no ftp= entry and no default entry", 0, 0, 0},
    {"curl local", CURL, 3, PX, "<local>", "", "http://intranet/", "proxy", PX,
     P3 "; bypass entry 1 <local> not understood by curl", 0, 0, 0},
    {"curl wildcard", CURL, 3, PX, "*.example.com", "", "http://a.example.com/", "proxy", PX,
     P3 "; bypass entry 1 *.example.com not a curl wildcard: only a lone * is", 0, 0, 0},
};

static void test_rules(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof rules / sizeof rules[0]; i++)
        run_case(&rules[i]);
}

/* A rule names a very long entry by its first 200 bytes and "...". */
static void test_long_entry(void **state)
{
    char pat[205], url[220], rule[260];
    (void)state;
    memcpy(pat, "*.", 2);
    memset(pat + 2, 'a', 200);
    memcpy(pat + 202, ".b", 3);
    snprintf(url, sizeof url, "http://x.%s/", pat + 2);
    snprintf(rule, sizeof rule, "B3 bypass entry 1 %.200s...", pat);
    struct rcase c = {"long entry", W, 3, PX, pat, "", url, "direct", 0, rule, 0, 0, 0};
    run_case(&c);
}

/* ---- URLs ---------------------------------------------------------------------------- */

static void url_ok(const char *text, const char *host, const char *ace, uint16_t port,
                   bool has_port, enum dcs_url_host_kind kind)
{
    struct dcs_url u;
    struct dcs_error err;
    assert_int_equal(dcs_url_parse(text, strlen(text), &u, &err), DCS_OK);
    assert_string_equal(u.host, host);
    assert_string_equal(u.ace, ace);
    assert_int_equal(u.port, port);
    assert_int_equal(u.has_port, has_port);
    assert_int_equal(u.host_kind, kind);
}

static void url_bad(const char *text, uint64_t offset, const char *message)
{
    struct dcs_url u;
    struct dcs_error err;
    assert_int_equal(dcs_url_parse(text, strlen(text), &u, &err), DCS_ERR_INVALID_ARG);
    assert_int_equal(err.offset, offset);
    assert_string_equal(err.message, message);
}

static void test_url(void **state)
{
    struct dcs_url u;
    struct dcs_error err;
    (void)state;
    url_ok("http://Example.COM/", "example.com", "example.com", 80, false, DCS_URL_NAME);
    url_ok("https://h", "h", "h", 443, false, DCS_URL_NAME);
    url_ok("ftp://h/x", "h", "h", 21, false, DCS_URL_NAME);
    url_ok("ws://h", "h", "h", 80, false, DCS_URL_NAME);
    url_ok("wss://h", "h", "h", 443, false, DCS_URL_NAME);
    url_ok("gopher://h", "h", "h", 0, false, DCS_URL_NAME);
    url_ok("http://h:8080/", "h", "h", 8080, true, DCS_URL_NAME);
    url_ok("http://h:/", "h", "h", 80, false, DCS_URL_NAME);
    url_ok("http://user:p%40ss@h:81?q#f", "h", "h", 81, true, DCS_URL_NAME);
    url_ok("http://10.1.2.3/", "10.1.2.3", "10.1.2.3", 80, false, DCS_URL_IPV4);
    url_ok("http://[FE80::1%25eth0]:8080/", "fe80::1%25eth0", "fe80::1%25eth0", 8080, true, DCS_URL_IPV6);
    url_ok("http://[::ffff:1.2.3.4]/", "::ffff:1.2.3.4", "::ffff:1.2.3.4", 80, false, DCS_URL_IPV6);
    url_ok("http://b\xc3\xbc" "cher.example/", "b\xc3\xbc" "cher.example", "xn--bcher-kva.example", 80,
           false, DCS_URL_NAME);
    url_ok("http://M\xc3\xbc" "nchen.de/", "m\xc3\xbc" "nchen.de", "xn--mnchen-3ya.de", 80, false,
           DCS_URL_NAME);
    url_ok("http://\xe4\xb8\xad\xe5\x9b\xbd\xe3\x80\x82" "cn/", "\xe4\xb8\xad\xe5\x9b\xbd\xe3\x80\x82" "cn",
           "xn--fiqs8s.cn", 80, false, DCS_URL_NAME);
    url_ok("http://\xd1\x80\xd1\x84/", "\xd1\x80\xd1\x84", "xn--p1ai", 80, false, DCS_URL_NAME);

    assert_int_equal(dcs_url_parse("http://user@h/", 14, &u, &err), DCS_OK);
    assert_int_equal(u.userinfo.len, 4);
    assert_memory_equal(u.scheme.ptr, "http", 4);
    assert_int_equal(u.addr[0], 0);

    url_bad("contoso.com", 11, "URL: no scheme (write scheme://host, e.g. https://...)");
    url_bad("://h", 0, "URL: no scheme (write scheme://host, e.g. https://host)");
    url_bad("http:///x", 7, "URL: empty host");
    url_bad("http://h:0/", 9, "URL: port out of range (1..65535)");
    url_bad("http://h:65536/", 9, "URL: port out of range (1..65535)");
    url_bad("http://h:8a/", 10, "URL: invalid character 'a' in port");
    url_bad("http://[::1/", 7, "URL: unbalanced '['");
    url_bad("http://[::g]/", 8, "URL: invalid IPv6 address in brackets");
    url_bad("http://[1:2:3:4:5:6:7:8:9]/", 8, "URL: invalid IPv6 address in brackets");
    url_bad("http://[::1]x/", 12, "URL: invalid character 'x' in host after ']'");
    url_bad("http://a*b/", 8, "URL: invalid character '*' in host");
    url_bad("http://a b/", 8, "URL: space (write it as %20)");
    url_bad("http://a\x01/", 8, "URL: control character 0x01");
    url_bad("http://\xff/", 7, "URL: invalid UTF-8");
    url_bad("http://\xed\xa0\x80/", 7, "URL: invalid UTF-8");
    char longhost[300] = "http://";
    memset(longhost + 7, 'a', 256);
    longhost[263] = '\0';
    url_bad(longhost, 7, "URL: host longer than 255 bytes");
    assert_int_equal(dcs_url_parse(NULL, 3, &u, &err), DCS_ERR_INVALID_ARG);
}

/* RFC 3492 §7.1 samples (A) Arabic and (L) Japanese; IDNA "bücher". */
static void test_punycode(void **state)
{
    static const uint32_t arabic[] = {0x0644, 0x064A, 0x0647, 0x0645, 0x0627, 0x0628, 0x062A, 0x0643,
                                      0x0644, 0x0645, 0x0648, 0x0634, 0x0639, 0x0631, 0x0628, 0x064A,
                                      0x061F};
    static const uint32_t japanese[] = {0x0033, 0x5E74, 0x0042, 0x7D44, 0x91D1, 0x516B, 0x5148, 0x751F};
    static const uint32_t buecher[] = {'b', 0xFC, 'c', 'h', 'e', 'r'};
    char out[64];
    size_t n;
    (void)state;
    n = dcs_punycode_encode(arabic, 17, out, sizeof out);
    assert_int_equal(n, strlen("egbpdaj6bu4bxfgehfvwxn"));
    assert_memory_equal(out, "egbpdaj6bu4bxfgehfvwxn", n);
    n = dcs_punycode_encode(japanese, 8, out, sizeof out);
    assert_memory_equal(out, "3B-ww4c5e180e575a65lsy2b", n);
    assert_int_equal(n, 24);
    n = dcs_punycode_encode(buecher, 6, out, sizeof out);
    assert_memory_equal(out, "bcher-kva", n);
    assert_int_equal(dcs_punycode_encode(buecher, 6, out, 5), 0); /* does not fit */
    static const uint32_t surrogate[] = {0xD800};
    assert_int_equal(dcs_punycode_encode(surrogate, 1, out, sizeof out), 0);
}

/* ---- compile errors, clients ----------------------------------------------------------- */

static void test_compile(void **state)
{
    struct dcs_route_settings s = {3, bytes("p:99999"), bytes(""), bytes("")};
    struct dcs_error err;
    dcs_route *r = (dcs_route *)&s;
    enum dcs_route_client c;
    (void)state;
    assert_int_equal(dcs_route_compile(&s, W, &r, &err), DCS_ERR_PROXY_SYNTAX);
    assert_null(r);
    assert_int_equal(err.offset, 2);
    assert_string_equal(err.message, "proxy string: port out of range (1..65535)");
    s.flags = 1; /* the string is ignored when the bit is off */
    assert_int_equal(dcs_route_compile(&s, W, &r, &err), DCS_OK);
    dcs_route_free(r);
    /* what the list grammar rejects in a bypass list is matched literally */
    s = (struct dcs_route_settings){3, bytes(PX), bytes("a/b;<x;[;\x01;::;*:;http://"), bytes("")};
    assert_int_equal(dcs_route_compile(&s, W, &r, &err), DCS_OK);
    dcs_route_free(r);
    assert_true(dcs_route_client_parse("WinHTTP", &c));
    assert_int_equal(c, WH);
    assert_false(dcs_route_client_parse("ie", &c));
    assert_string_equal(dcs_route_client_name(CURL), "curl");
    assert_int_equal(dcs_route_compile(NULL, W, &r, &err), DCS_ERR_INVALID_ARG);
}

/* ---- lints (spec §7) --------------------------------------------------------------------- */

static void test_lint(void **state)
{
    struct dcs_route_settings s = {3, bytes("http=hp:3128"),
                                   bytes("<local>;10.0.0.0/8;a?c;contoso-corp*.atp.azure.com"), bytes("")};
    struct dcs_route_lint l[8];
    struct dcs_error err;
    size_t n = 0;
    const char *urls[] = {SENSOR, "http://intranet/"};
    (void)state;
    assert_int_equal(dcs_route_lint(&s, urls, 2, l, 8, &n, &err), DCS_OK);
    assert_int_equal(n, 7);
    assert_int_equal(l[0].code, DCS_LINT_HTTP_ONLY);
    assert_string_equal(l[0].id, "P4");
    assert_string_equal(l[0].message, "proxy entry 1 'http=hp:3128': no https= entry and no default "
                                      "entry, so HTTPS requests go DIRECT; add https=... or a proxy "
                                      "without scheme=");
    assert_int_equal(l[1].code, DCS_LINT_CIDR);
    assert_int_equal(l[1].entry, 2);
    assert_int_equal(l[1].offset, 8);
    assert_string_equal(l[1].message, "bypass entry 2 '10.0.0.0/8': WinINET has no CIDR, the entry "
                                      "matches nothing (write '10.*')");
    assert_int_equal(l[2].code, DCS_LINT_QMARK);
    assert_int_equal(l[2].offset, 19);
    assert_int_equal(l[3].code, DCS_LINT_WINHTTP_WILDCARD);
    assert_string_equal(l[3].message, "bypass entry 4 'contoso-corp*.atp.azure.com': '*' not left-most; "
                                      "WinINET honours it, WinHTTP does not after `netsh winhttp import "
                                      "proxy source=ie` (wildcards must be left-most)");
    assert_int_equal(l[4].code, DCS_LINT_LOCAL_DOTTED);
    assert_int_equal(l[4].offset, 0);
    assert_int_equal(l[5].code, DCS_LINT_EXPECT_PROXY_BYPASSED);
    assert_int_equal(l[5].url, 0);
    assert_string_equal(l[5].message, SENSOR " is expected to use the proxy but goes DIRECT: "
                                             "B3 bypass entry 4 contoso-corp*.atp.azure.com");
    assert_int_equal(l[6].url, 1);
    assert_string_equal(l[6].message, "http://intranet/ is expected to use the proxy but goes "
                                      "DIRECT: B8 <local> (bypass entry 1): host without a period");
    /* clean settings: nothing; count only */
    s = (struct dcs_route_settings){3, bytes(PX), bytes("*.contoso.com;<local>"), bytes("")};
    assert_int_equal(dcs_route_lint(&s, urls, 1, NULL, 0, &n, &err), DCS_OK);
    assert_int_equal(n, 0);
    /* a bad URL is an error naming it */
    const char *bad[] = {"nourl"};
    assert_int_equal(dcs_route_lint(&s, bad, 1, l, 8, &n, &err), DCS_ERR_INVALID_ARG);
    assert_string_equal(err.message, "nourl: URL: no scheme (write scheme://host, e.g. https://...)");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_examples), cmocka_unit_test(test_rules), cmocka_unit_test(test_long_entry),
        cmocka_unit_test(test_url),
        cmocka_unit_test(test_punycode), cmocka_unit_test(test_compile), cmocka_unit_test(test_lint),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
