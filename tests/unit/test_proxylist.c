/* Proxy-server and bypass-list grammar: entries, errors with offsets,
 * warnings, canonical write-back, bitsadmin lists and lookup. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <dirent.h>

#include <dcs/proxylist.h>

#define MAXE 32

static dcs_status parse_proxy(const char *text, unsigned options, struct dcs_proxy_entry *e,
                              size_t *n, struct dcs_list_iter *it, struct dcs_error *err)
{
    bool got;
    dcs_status st;
    *n = 0;
    dcs_proxy_iter_init(it, text, strlen(text), options);
    while ((st = dcs_proxy_next(it, &e[*n], &got, err)) == DCS_OK && got)
        if (++*n == MAXE)
            break;
    return st;
}

static dcs_status parse_bypass(const char *text, unsigned options, struct dcs_bypass_entry *e,
                               size_t *n, struct dcs_list_iter *it, struct dcs_error *err)
{
    bool got;
    dcs_status st;
    *n = 0;
    dcs_bypass_iter_init(it, text, strlen(text), options);
    while ((st = dcs_bypass_next(it, &e[*n], &got, err)) == DCS_OK && got)
        if (++*n == MAXE)
            break;
    return st;
}

static void assert_view(dcs_list_str v, const char *want)
{
    char buf[512];
    assert_true(v.len < sizeof buf);
    memcpy(buf, v.ptr ? v.ptr : "", v.len);
    buf[v.len] = '\0';
    assert_string_equal(buf, want);
}

/* parse -> canonical -> parse: equal entries, canonical text a fixed point. */
static void check_proxy_round_trip(const char *text, unsigned options, const char *canonical)
{
    struct dcs_proxy_entry a[MAXE], b[MAXE];
    struct dcs_list_iter it;
    struct dcs_error err;
    size_t na, nb, need = 0, w = 0, w2 = 0;
    char out[1024], out2[1024];

    assert_int_equal(parse_proxy(text, options, a, &na, &it, &err), DCS_OK);
    assert_int_equal(dcs_proxy_canonical(text, strlen(text), options, NULL, 0, &need, &err),
                     DCS_OK);
    assert_int_equal(dcs_proxy_canonical(text, strlen(text), options, out, sizeof out, &w, &err),
                     DCS_OK);
    assert_int_equal(need, w);
    out[w] = '\0';
    if (canonical)
        assert_string_equal(out, canonical);
    assert_int_equal(dcs_proxy_write(a, na, out2, sizeof out2, &w2, &err), DCS_OK);
    assert_int_equal(w2, w);
    assert_memory_equal(out2, out, w);
    assert_int_equal(parse_proxy(out, options & ~DCS_LIST_COMMAS, b, &nb, &it, &err), DCS_OK);
    assert_int_equal(nb, na);
    for (size_t i = 0; i < na; i++)
        assert_true(dcs_proxy_entry_equal(&a[i], &b[i]));
    assert_int_equal(dcs_proxy_canonical(out, w, options, out2, sizeof out2, &w2, &err), DCS_OK);
    assert_int_equal(w2, w);
    assert_memory_equal(out2, out, w);
}

static void check_bypass_round_trip(const char *text, unsigned options, const char *canonical)
{
    struct dcs_bypass_entry a[MAXE], b[MAXE];
    struct dcs_list_iter it;
    struct dcs_error err;
    size_t na, nb, w = 0, w2 = 0;
    char out[2048], out2[2048];

    assert_int_equal(parse_bypass(text, options, a, &na, &it, &err), DCS_OK);
    assert_int_equal(dcs_bypass_canonical(text, strlen(text), options, out, sizeof out, &w, &err),
                     DCS_OK);
    out[w] = '\0';
    if (canonical)
        assert_string_equal(out, canonical);
    assert_int_equal(dcs_bypass_write(a, na, out2, sizeof out2, &w2, &err), DCS_OK);
    assert_int_equal(w2, w);
    assert_memory_equal(out2, out, w);
    assert_int_equal(parse_bypass(out, options & ~DCS_LIST_COMMAS, b, &nb, &it, &err), DCS_OK);
    assert_int_equal(nb, na);
    for (size_t i = 0; i < na; i++)
        assert_true(dcs_bypass_entry_equal(&a[i], &b[i]));
    assert_int_equal(dcs_bypass_canonical(out, w, options, out2, sizeof out2, &w2, &err), DCS_OK);
    assert_int_equal(w2, w);
    assert_memory_equal(out2, out, w);
}

/* ---- every proxy / bypass string of the blob fixtures (codec/blob/FORMAT.md §13) -- */

static const char *const fixture_proxies[] = {
    "", "10.120.0.148:3128", "127.0.0.1:80", "192.168.1.1:80", "a:42", "google.com:42",
    "http://127.20.20.20:3128",
};
static const char *const fixture_bypasses[] = {
    "", "*.42", "<local>", "Lol;<local>", "home.crash.co.nz;fh.local",
    "home.crash.co.nz;fh.local;<local>", "ogb.internal.oxfam.net;<local>",
};

static void test_fixture_strings_strict_and_canonical(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof fixture_proxies / sizeof fixture_proxies[0]; i++)
        check_proxy_round_trip(fixture_proxies[i], DCS_LIST_STRICT, fixture_proxies[i]);
    for (size_t i = 0; i < sizeof fixture_bypasses / sizeof fixture_bypasses[0]; i++)
        check_bypass_round_trip(fixture_bypasses[i], DCS_LIST_STRICT, fixture_bypasses[i]);
}

/* With the shared fixtures present, every "proxy: '...'" / "bypass: '...'"
 * line of every .source must be in the tables above (so they stay complete). */
static bool in_table(const char *s, const char *const *tab, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(s, tab[i]) == 0)
            return true;
    return false;
}

static void test_fixture_tables_cover_shared_sources(void **state)
{
    (void)state;
    const char *shared = getenv("DCS_SHARED");
    char dir[1024], path[2048], line[4096];
    size_t seen = 0;
    DIR *d;
    struct dirent *de;

    /* the shared fixtures when present (they hold more cases), else the
     * copies bundled in tests/data/blobs */
    d = NULL;
    if (shared) {
        snprintf(dir, sizeof dir, "%s/fixtures/blobs", shared);
        d = opendir(dir);
    }
    if (!d) {
        const char *root = getenv("DCS_SOURCE_ROOT");
        snprintf(dir, sizeof dir, "%s/tests/data/blobs", root ? root : ".");
        d = opendir(dir);
    }
    assert_non_null(d);
    while ((de = readdir(d)) != NULL) {
        size_t nl = strlen(de->d_name);
        if (nl < 7 || strcmp(de->d_name + nl - 7, ".source") != 0)
            continue;
        snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
        FILE *f = fopen(path, "r");
        assert_non_null(f);
        while (fgets(line, sizeof line, f)) {
            const char *p = line;
            bool proxy;
            while (*p == ' ')
                p++;
            if (strncmp(p, "proxy: '", 8) == 0)
                proxy = true;
            else if (strncmp(p, "bypass: '", 9) == 0)
                proxy = false;
            else
                continue;
            p = strchr(p, '\'') + 1;
            char *q = strrchr(line, '\'');
            assert_true(q >= p);
            *q = '\0';
            if (proxy)
                assert_true(in_table(p, fixture_proxies, 7));
            else
                assert_true(in_table(p, fixture_bypasses, 7));
            seen++;
        }
        fclose(f);
    }
    closedir(d);
    assert_true(seen >= 40);
}

/* ---- proxy entries ------------------------------------------------------------ */

static void test_proxy_plain_host_port(void **state)
{
    (void)state;
    struct dcs_proxy_entry e[MAXE];
    struct dcs_list_iter it;
    struct dcs_error err;
    size_t n;

    assert_int_equal(parse_proxy("proxy.carnival.com:8080", DCS_LIST_STRICT, e, &n, &it, &err),
                     DCS_OK);
    assert_int_equal(n, 1);
    assert_int_equal(e[0].key, DCS_PROXY_KEY_DEFAULT);
    assert_int_equal(e[0].key_text.len, 0);
    assert_int_equal(e[0].addr.scheme.len, 0);
    assert_view(e[0].addr.host, "proxy.carnival.com");
    assert_true(e[0].addr.has_port);
    assert_int_equal(e[0].addr.port, 8080);
    assert_int_equal(e[0].offset, 0);
    assert_int_equal(e[0].length, 23);
    assert_false(e[0].addr.ipv6);
}

static void test_proxy_per_protocol(void **state)
{
    (void)state;
    struct dcs_proxy_entry e[MAXE];
    struct dcs_list_iter it;
    struct dcs_error err;
    size_t n;
    const char *s = "HTTP=h1:80; https=https://h2:443 ftp=h3;socks=[fe80::1%eth0]:1080\tother";

    assert_int_equal(parse_proxy(s, DCS_LIST_STRICT, e, &n, &it, &err), DCS_OK);
    assert_int_equal(n, 5);
    assert_int_equal(e[0].key, DCS_PROXY_KEY_HTTP);
    assert_view(e[0].key_text, "HTTP");
    assert_view(e[0].addr.host, "h1");
    assert_int_equal(e[1].key, DCS_PROXY_KEY_HTTPS);
    assert_int_equal(e[1].offset, 12);
    assert_view(e[1].addr.scheme, "https");
    assert_view(e[1].addr.host, "h2");
    assert_int_equal(e[1].addr.port, 443);
    assert_int_equal(e[2].key, DCS_PROXY_KEY_FTP);
    assert_false(e[2].addr.has_port);
    assert_int_equal(e[2].addr.port, 0);
    assert_int_equal(e[3].key, DCS_PROXY_KEY_SOCKS);
    assert_true(e[3].addr.ipv6);
    assert_view(e[3].addr.host, "fe80::1%eth0");
    assert_int_equal(e[3].addr.port, 1080);
    assert_int_equal(e[4].key, DCS_PROXY_KEY_DEFAULT);
    assert_view(e[4].addr.host, "other");
    assert_int_equal(e[4].offset, (uint32_t)(strlen(s) - 5));
    assert_int_equal(it.nwarnings, 0);
    check_proxy_round_trip(s, DCS_LIST_STRICT,
                           "http=h1:80;https=https://h2:443;ftp=h3;socks=[fe80::1%eth0]:1080;other");
}

static void test_proxy_not_nul_terminated(void **state)
{
    (void)state;
    const char buf[] = { 'a', ':', '8', '0', '8', '0', '9', 'x' };
    struct dcs_list_iter it;
    struct dcs_proxy_entry e;
    struct dcs_error err;
    bool got;

    dcs_proxy_iter_init(&it, buf, 6, DCS_LIST_STRICT);
    assert_int_equal(dcs_proxy_next(&it, &e, &got, &err), DCS_OK);
    assert_true(got);
    assert_int_equal(e.addr.port, 8080);
    assert_int_equal(dcs_proxy_next(&it, &e, &got, &err), DCS_OK);
    assert_false(got);
    /* end is sticky */
    assert_int_equal(dcs_proxy_next(&it, &e, &got, &err), DCS_OK);
    assert_false(got);
    dcs_proxy_iter_init(&it, NULL, 0, DCS_LIST_STRICT);
    assert_int_equal(dcs_proxy_next(&it, &e, &got, &err), DCS_OK);
    assert_false(got);
    dcs_proxy_iter_init(&it, NULL, 3, DCS_LIST_STRICT);
    assert_int_equal(dcs_proxy_next(&it, &e, &got, &err), DCS_ERR_INVALID_ARG);
}

static void test_proxy_bare_and_bracketed_ipv6(void **state)
{
    (void)state;
    struct dcs_proxy_entry e[MAXE];
    struct dcs_list_iter it;
    struct dcs_error err;
    size_t n;

    assert_int_equal(parse_proxy("[::1]", DCS_LIST_STRICT, e, &n, &it, &err), DCS_OK);
    assert_true(e[0].addr.ipv6);
    assert_false(e[0].addr.has_port);
    assert_view(e[0].addr.host, "::1");

    assert_int_equal(parse_proxy("http=fe80::1", 0, e, &n, &it, &err), DCS_OK);
    assert_true(e[0].addr.ipv6);
    assert_view(e[0].addr.host, "fe80::1");
    assert_int_equal(it.nwarnings, 1);
    assert_int_equal(it.warnings[0].code, DCS_LIST_WARN_BARE_IPV6);
    assert_int_equal(it.warnings[0].offset, 5);
    assert_true(e[0].warnings & (1u << DCS_LIST_WARN_BARE_IPV6));
    check_proxy_round_trip("http=fe80::1", 0, "http=[fe80::1]");

    assert_int_equal(parse_proxy("http=fe80::1", DCS_LIST_STRICT, e, &n, &it, &err),
                     DCS_ERR_PROXY_SYNTAX);
    assert_int_equal(err.offset, 5);
}

/* ---- errors with offsets --------------------------------------------------------- */

struct error_case {
    const char *text;
    unsigned options;
    uint64_t offset;
    const char *message_part;
};

static const struct error_case proxy_errors[] = {
    { "host:", 0, 5, "missing port" },
    { "host:0", 0, 5, "out of range" },
    { "host:65536", 0, 5, "out of range" },
    { "host:99999999999999999999", 0, 5, "out of range" },
    { "host:8o", 0, 6, "'o' in port" },
    { "a:1 host:-1", 0, 9, "'-' in port" },
    { ":8080", 0, 0, "empty host" },
    { "http=", 0, 5, "empty proxy address" },
    { "=host", 0, 0, "empty key" },
    { "a =h", 0, 2, "empty key" },
    { "h*t=h", 0, 1, "'*' in proxy key" },
    { "http://", 0, 7, "empty host" },
    { "://h", 0, 0, "empty scheme" },
    { "1ttp://h", 0, 0, "'1' in scheme" },
    { "[fe80::1:8080", 0, 0, "unbalanced '['" },
    { "x;fe80::1]:80", 0, 9, "invalid character ']'" },
    { "host]:80", 0, 4, "unbalanced ']'" },
    { "[]:80", 0, 0, "empty IPv6" },
    { "[1.2.3.4]:80", 0, 1, "fewer than two" },
    { "[::1]x", 0, 5, "'x' in address after ']'" },
    { "[::1]:", 0, 6, "missing port" },
    { "[::g]", 0, 3, "'g' in IPv6" },
    { "[fe80::1%]", 0, 8, "empty IPv6 zone" },
    { "h\001st", 0, 1, "control character 0x01" },
    { "a:80;\177", 0, 5, "control character 0x7f" },
    { "a:80\v", 0, 4, "control character 0x0b" },
    { "user@host:80", 0, 4, "'@' in host" },
    { "host/path", 0, 4, "'/' in host" },
    { "ho*st:80", 0, 2, "'*' in host" },
    { "a:80;;b", DCS_LIST_STRICT, 5, "strict: empty entry" },
    { "a:80;", DCS_LIST_STRICT, 4, "strict: empty entry" },
    { "gopher=g:70", DCS_LIST_STRICT, 0, "strict: unknown proxy key" },
    { "socks=socks6://s", DCS_LIST_STRICT, 6, "strict: unknown scheme" },
    { "h\xc3\xa9:80", DCS_LIST_STRICT, 1, "strict: non-ASCII" },
    { "h:080", DCS_LIST_STRICT, 2, "strict: port number with a leading zero" },
    { "http://h:80/", DCS_LIST_STRICT, 11, "strict: trailing '/'" },
};

static void test_proxy_errors(void **state)
{
    (void)state;
    struct dcs_proxy_entry e[MAXE];
    struct dcs_list_iter it;
    struct dcs_error err;
    size_t n;

    for (size_t i = 0; i < sizeof proxy_errors / sizeof proxy_errors[0]; i++) {
        const struct error_case *c = &proxy_errors[i];
        dcs_error_clear(&err);
        dcs_status st = parse_proxy(c->text, c->options, e, &n, &it, &err);
        if (st != DCS_ERR_PROXY_SYNTAX || err.offset != c->offset ||
            !strstr(err.message, c->message_part))
            fail_msg("case %zu \"%s\": status %d offset %llu message \"%s\"", i, c->text,
                     (int)st, (unsigned long long)err.offset, err.message);
        assert_int_equal(err.code, DCS_ERR_PROXY_SYNTAX);
        /* the iterator stays failed */
        bool got = true;
        assert_int_equal(dcs_proxy_next(&it, e, &got, &err), DCS_ERR_PROXY_SYNTAX);
        assert_false(got);
        /* whole-list checks and canonical writers agree */
        assert_int_equal(dcs_proxy_check(c->text, strlen(c->text), c->options, NULL, &err),
                         DCS_ERR_PROXY_SYNTAX);
        assert_int_equal(err.offset, c->offset);
        assert_int_equal(dcs_proxy_canonical(c->text, strlen(c->text), c->options, NULL, 0,
                                             NULL, &err),
                         DCS_ERR_PROXY_SYNTAX);
    }
}

static void test_proxy_host_too_long(void **state)
{
    (void)state;
    char s[300];
    struct dcs_list_report rep;
    struct dcs_error err;

    memset(s, 'a', 256);
    memcpy(s + 256, ":80", 4);
    assert_int_equal(dcs_proxy_check(s, strlen(s), 0, &rep, &err), DCS_OK);
    assert_int_equal(rep.count, 1);
    assert_int_equal(rep.nwarnings, 1);
    assert_int_equal(rep.warnings[0].code, DCS_LIST_WARN_HOST_TOO_LONG);
    assert_int_equal(dcs_proxy_check(s, strlen(s), DCS_LIST_STRICT, NULL, &err),
                     DCS_ERR_PROXY_SYNTAX);
    /* 255 bytes of host: fine */
    memcpy(s + 255, ":80", 4);
    assert_int_equal(dcs_proxy_check(s, strlen(s), DCS_LIST_STRICT, &rep, &err), DCS_OK);
    assert_int_equal(rep.nwarnings, 0);
}

/* ---- lenient warnings ------------------------------------------------------------- */

struct warn_case {
    const char *text;
    bool bypass;
    uint16_t code;
    uint32_t offset;
    uint32_t count;   /* entries */
    const char *canonical;
};

static const struct warn_case warn_cases[] = {
    { ";a:80", false, DCS_LIST_WARN_EMPTY_ENTRY, 0, 1, "a:80" },
    { "a:80;", false, DCS_LIST_WARN_EMPTY_ENTRY, 4, 1, "a:80" },
    { "a:80 ; ;b", false, DCS_LIST_WARN_EMPTY_ENTRY, 7, 2, "a:80;b" },
    { ";", false, DCS_LIST_WARN_EMPTY_ENTRY, 0, 0, "" },
    { "Gopher=g:70", false, DCS_LIST_WARN_UNKNOWN_KEY, 0, 1, "gopher=g:70" },
    { "http=SOCKS6://s", false, DCS_LIST_WARN_UNKNOWN_SCHEME, 5, 1, "http=socks6://s" },
    { "x;h\xc3\xa9:80", false, DCS_LIST_WARN_NON_ASCII, 3, 2, "x;h\xc3\xa9:80" },
    { "h:00080", false, DCS_LIST_WARN_PORT_LEADING_ZERO, 2, 1, "h:80" },
    { "http://h:80/", false, DCS_LIST_WARN_TRAILING_SLASH, 11, 1, "http://h:80" },
    { "a;;", true, DCS_LIST_WARN_EMPTY_ENTRY, 2, 1, "a" },
    { "<LoCal>;<foo-bar>", true, DCS_LIST_WARN_UNKNOWN_MACRO, 8, 2, "<local>;<foo-bar>" },
    { "fe80::*", true, DCS_LIST_WARN_BARE_IPV6, 0, 1, "[fe80::*]" },
    { "x.com/", true, DCS_LIST_WARN_TRAILING_SLASH, 5, 1, "x.com" },
};

static void test_lenient_warnings(void **state)
{
    (void)state;
    struct dcs_list_report rep;
    struct dcs_error err;

    for (size_t i = 0; i < sizeof warn_cases / sizeof warn_cases[0]; i++) {
        const struct warn_case *c = &warn_cases[i];
        size_t len = strlen(c->text);
        dcs_status st = c->bypass ? dcs_bypass_check(c->text, len, 0, &rep, &err)
                                  : dcs_proxy_check(c->text, len, 0, &rep, &err);
        if (st || rep.nwarnings != 1 || rep.warnings[0].code != c->code ||
            rep.warnings[0].offset != c->offset || rep.count != c->count)
            fail_msg("case %zu \"%s\": st %d nwarn %u code %u offset %u count %u", i, c->text,
                     (int)st, rep.nwarnings, rep.warnings[0].code, rep.warnings[0].offset,
                     rep.count);
        if (c->bypass)
            check_bypass_round_trip(c->text, 0, c->canonical);
        else
            check_proxy_round_trip(c->text, 0, c->canonical);
        /* strict turns the same warning into an error at the same offset */
        st = c->bypass ? dcs_bypass_check(c->text, len, DCS_LIST_STRICT, NULL, &err)
                       : dcs_proxy_check(c->text, len, DCS_LIST_STRICT, NULL, &err);
        assert_int_equal(st, c->bypass ? DCS_ERR_BYPASS_SYNTAX : DCS_ERR_PROXY_SYNTAX);
        assert_int_equal(err.offset, c->offset);
        assert_non_null(strstr(err.message, dcs_list_warning_str(c->code)));
    }
}

static void test_warning_record_overflow(void **state)
{
    (void)state;
    struct dcs_list_report rep;
    struct dcs_error err;
    const char *s = ";;;;;;;;;;;;a";

    assert_int_equal(dcs_bypass_check(s, strlen(s), 0, &rep, &err), DCS_OK);
    assert_int_equal(rep.count, 1);
    assert_int_equal(rep.nwarnings, 12);
    for (uint32_t i = 0; i < DCS_LIST_MAX_WARNINGS; i++) {
        assert_int_equal(rep.warnings[i].code, DCS_LIST_WARN_EMPTY_ENTRY);
        assert_int_equal(rep.warnings[i].offset, i);
    }
    /* whitespace is a separator, never an empty entry */
    assert_int_equal(dcs_bypass_check(" \t\r\n a \n b  ", 12, DCS_LIST_STRICT, &rep, &err),
                     DCS_OK);
    assert_int_equal(rep.count, 2);
}

int test_proxylist_bypass_group(void);
int test_proxylist_syntax_group(void);

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fixture_strings_strict_and_canonical),
        cmocka_unit_test(test_fixture_tables_cover_shared_sources),
        cmocka_unit_test(test_proxy_plain_host_port),
        cmocka_unit_test(test_proxy_per_protocol),
        cmocka_unit_test(test_proxy_not_nul_terminated),
        cmocka_unit_test(test_proxy_bare_and_bracketed_ipv6),
        cmocka_unit_test(test_proxy_errors),
        cmocka_unit_test(test_proxy_host_too_long),
        cmocka_unit_test(test_lenient_warnings),
        cmocka_unit_test(test_warning_record_overflow),
    };
    int failed = cmocka_run_group_tests_name("proxylist", tests, NULL, NULL);
    return failed + test_proxylist_bypass_group() + test_proxylist_syntax_group();
}
