/* dcs-bench route: routing a list of URLs against one setting (spec
 * routing.md; issue 12 asks for >= 1 million URLs/s).  Each round parses
 * every URL (dcs_url_parse: scheme, host, port, IDN) and routes it
 * (dcs_route_url); the same-run baseline walks the same URLs with strlen
 * and two memchr calls, the least any router must do to find the host.
 * Figures: best round of --rounds. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <dcs/route.h>

#include "bench.h"

#define DEFAULT_PROXY "http=hp.contoso.com:3128;https=sp.contoso.com:3129;proxy.contoso.com:8080"
#define DEFAULT_BYPASS "<local>;*.contoso.com;10.*;192.168.*;contoso-corp*.atp.azure.com;" \
                       "*.internal.example:8443;https://*.login.example;172.16.*;intranet"

static void route_usage(FILE *out)
{
    fprintf(out, "usage: dcs-bench route [--urls N] [--rounds R] [--as CLIENT]\n"
                 "                       [--proxy LIST] [--bypass LIST]\n\n"
                 "Route N generated URLs (default 100000: names, IPv4/IPv6 literals, ports,\n"
                 "IDN hosts; http, https, ftp) against one manual setting (default proxy\n"
                 "\"" DEFAULT_PROXY "\",\n bypass \"" DEFAULT_BYPASS "\")\n"
                 "and print route.* figures: URLs per second, and the same-run baseline\n"
                 "(strlen + memchr over the same URLs).\n");
}

/* template with '#' -> a, then c */
static void fill(char *out, size_t cap, const char *tpl, unsigned a, unsigned c)
{
    size_t w = 0;
    int k = 0;
    for (; *tpl && w + 4 < cap; tpl++) {
        if (*tpl == '#')
            w += (size_t)snprintf(out + w, cap - w, "%u", k++ ? c : a);
        else
            out[w++] = *tpl;
    }
    out[w] = '\0';
}

/* Deterministic URL mix (xorshift), one malloc'd block of NUL-ended strings. */
static char **make_urls(size_t n, char **block)
{
    static const char *const schemes[] = {"http", "https", "https", "ftp"};
    static const char *const hosts[] = {
        "www.contoso.com", "contoso-corpsensorapi.atp.azure.com", "contoso-corp.atp.azure.com",
        "intranet", "fileserver.corp", "10.1.#.#", "192.168.#.#", "[fe80::#:#]",
        "b\303\274cher#.example", "api#.internal.example", "cdn#.example.net",
        "login#.login.example", "localhost", "127.0.0.#", "svc#.service.example.org"};
    char **urls = malloc(n * sizeof *urls);
    char *b = malloc(n * 96);
    uint64_t x = 0x9E3779B97F4A7C15u;
    if (!urls || !b) {
        free(urls);
        free(b);
        return NULL;
    }
    for (size_t i = 0; i < n; i++) {
        char host[64];
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        unsigned h = (unsigned)(x % (sizeof hosts / sizeof hosts[0])), a = (unsigned)(x >> 20) & 255,
                 c = (unsigned)(x >> 28) & 255;
        fill(host, sizeof host, hosts[h], a, c);
        urls[i] = b + i * 96;
        if ((x >> 40) % 5 == 0)
            snprintf(urls[i], 96, "%s://%s:%u/path?q=%u", schemes[(x >> 8) & 3], host,
                     1024u + (unsigned)((x >> 44) % 60000), a);
        else
            snprintf(urls[i], 96, "%s://%s/index.html", schemes[(x >> 8) & 3], host);
    }
    *block = b;
    return urls;
}

static double route_round(const dcs_route *r, char **urls, size_t n, size_t *direct)
{
    struct dcs_url u;
    struct dcs_route_result res;
    struct dcs_error err;
    size_t d = 0;
    uint64_t t0 = bench_now_ns();
    for (size_t i = 0; i < n; i++) {
        if (dcs_url_parse(urls[i], strlen(urls[i]), &u, &err) != DCS_OK)
            continue;
        dcs_route_url(r, &u, &res);
        d += res.decision == DCS_ROUTE_DIRECT;
        bench_use(&res);
    }
    uint64_t t1 = bench_now_ns();
    *direct = d;
    return (double)(t1 - t0) / 1e9;
}

static double baseline_round(char **urls, size_t n)
{
    size_t sum = 0;
    uint64_t t0 = bench_now_ns();
    for (size_t i = 0; i < n; i++) {
        size_t len = strlen(urls[i]);
        const char *p = memchr(urls[i], ':', len);
        const char *q = p ? memchr(p + 3, '/', len - (size_t)(p + 3 - urls[i])) : NULL;
        sum += len + (q ? (size_t)(q - p) : 0);
        bench_use(&sum);
    }
    return (double)(bench_now_ns() - t0) / 1e9;
}

static int parse_args(int argc, char **argv, size_t *n, unsigned *rounds,
                      enum dcs_route_client *client, const char **proxy, const char **bypass)
{
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            route_usage(stdout);
            return 0;
        }
        if (i + 1 >= argc) {
            route_usage(stderr);
            return 2;
        }
        const char *v = argv[++i];
        char *end;
        unsigned long x = strtoul(v, &end, 10);
        if (strcmp(a, "--urls") == 0 && !*end && x > 0 && x <= 10000000)
            *n = x;
        else if (strcmp(a, "--rounds") == 0 && !*end && x > 0 && x <= 1000)
            *rounds = (unsigned)x;
        else if (strcmp(a, "--as") == 0 && dcs_route_client_parse(v, client))
            ;
        else if (strcmp(a, "--proxy") == 0)
            *proxy = v;
        else if (strcmp(a, "--bypass") == 0)
            *bypass = v;
        else {
            route_usage(stderr);
            return 2;
        }
    }
    return -1;
}

int bench_route(int argc, char **argv)
{
    size_t n = 100000, direct = 0;
    unsigned rounds = 7;
    enum dcs_route_client client = DCS_ROUTE_WININET;
    const char *proxy = DEFAULT_PROXY, *bypass = DEFAULT_BYPASS;
    int rc = parse_args(argc, argv, &n, &rounds, &client, &proxy, &bypass);
    if (rc >= 0)
        return rc;
    struct dcs_route_settings s = {DCS_PROXY_TYPE_DIRECT | DCS_PROXY_TYPE_PROXY,
                                   {(const uint8_t *)proxy, (uint32_t)strlen(proxy)},
                                   {(const uint8_t *)bypass, (uint32_t)strlen(bypass)},
                                   {NULL, 0}};
    struct dcs_error err;
    dcs_route *r;
    char *block = NULL;
    char **urls = make_urls(n, &block);
    if (!urls || dcs_route_compile(&s, client, &r, &err) != DCS_OK) {
        fprintf(stderr, "dcs-bench route: %s\n", urls ? err.message : "out of memory");
        free(urls);
        free(block);
        return 1;
    }
    double best = 1e30, base = 1e30;
    for (unsigned k = 0; k < rounds; k++) {
        double t = route_round(r, urls, n, &direct), b = baseline_round(urls, n);
        best = t < best ? t : best;
        base = b < base ? b : base;
    }
    fprintf(stderr, "dcs-bench route: %zu URLs as %s, best of %u rounds; %zu go DIRECT\n", n,
            dcs_route_client_name(client), rounds, direct);
    bench_print("route.urls_per_s", (double)n / best);
    bench_print("route.ns_per_url", best * 1e9 / (double)n);
    bench_print("route.baseline_urls_per_s", (double)n / base);
    bench_print("route.ratio_to_baseline", base / best);
    dcs_route_free(r);
    free(urls);
    free(block);
    return 0;
}
