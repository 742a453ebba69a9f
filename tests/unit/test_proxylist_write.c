/* Bypass lists, writers from entry arrays, bitsadmin lists and lookup
 * (second half of the proxylist test program). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include <dcs/proxylist.h>

#define MAXE 128

int test_proxylist_bypass_group(void);

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

static bool view_is(dcs_list_str v, const char *want)
{
    return v.len == strlen(want) && memcmp(v.ptr, want, v.len) == 0;
}

static void assert_bypass_canonical(const char *text, unsigned options, const char *want)
{
    char out[4096], again[4096];
    size_t w = 0, w2 = 0;
    struct dcs_error err;
    assert_int_equal(dcs_bypass_canonical(text, strlen(text), options, out, sizeof out, &w, &err),
                     DCS_OK);
    out[w] = '\0';
    assert_string_equal(out, want);
    assert_int_equal(dcs_bypass_canonical(out, w, options, again, sizeof again, &w2, &err), DCS_OK);
    assert_int_equal(w2, w);
    assert_memory_equal(again, out, w);
}

/* ---- bypass lists ------------------------------------------------------------------ */

static void test_bypass_macros(void **state)
{
    (void)state;
    struct dcs_bypass_entry e[MAXE];
    struct dcs_list_iter it;
    struct dcs_error err;
    size_t n;

    assert_int_equal(parse_bypass("<-LOOPBACK> <Local>", DCS_LIST_STRICT, e, &n, &it, &err),
                     DCS_OK);
    assert_int_equal(n, 2);
    assert_int_equal(e[0].kind, DCS_BYPASS_NO_LOOPBACK);
    assert_int_equal(e[1].kind, DCS_BYPASS_LOCAL);
    assert_int_equal(e[1].offset, 12);
    assert_int_equal(e[1].length, 7);
    assert_true(view_is(e[1].addr.host, "<Local>"));
    assert_bypass_canonical("<-LOOPBACK> <Local>", DCS_LIST_STRICT, "<-loopback>;<local>");
}

static void test_bypass_wildcards_anywhere(void **state)
{
    (void)state;
    struct dcs_bypass_entry e[MAXE];
    struct dcs_list_iter it;
    struct dcs_error err;
    size_t n;
    /* forms seen in real WinINET data (codec/proxylist/FORMAT.md §2, sample #023) */
    const char *s = "10.*.*.*;192.168.*.*;172.28.121.*;*.*carnival.com;*.42;*";

    assert_int_equal(parse_bypass(s, DCS_LIST_STRICT, e, &n, &it, &err), DCS_OK);
    assert_int_equal(n, 6);
    for (size_t i = 0; i < n; i++)
        assert_true(e[i].wildcard);
    assert_true(view_is(e[3].addr.host, "*.*carnival.com"));
    assert_bypass_canonical(s, DCS_LIST_STRICT, s);

    /* WinHTTP's rule: only "*" or a leading "*." */
    assert_int_equal(parse_bypass(s, DCS_LIST_WINHTTP, e, &n, &it, &err), DCS_OK);
    assert_int_equal(it.nwarnings, 4);
    assert_int_equal(it.warnings[0].code, DCS_LIST_WARN_WILDCARD_INSIDE);
    assert_int_equal(it.warnings[0].offset, 3);
    assert_int_equal(it.warnings[3].offset, 36);
    assert_true(e[0].warnings & (1u << DCS_LIST_WARN_WILDCARD_INSIDE));
    assert_false(e[4].warnings & (1u << DCS_LIST_WARN_WILDCARD_INSIDE));
    assert_int_equal(parse_bypass(s, DCS_LIST_WINHTTP | DCS_LIST_STRICT, e, &n, &it, &err),
                     DCS_ERR_BYPASS_SYNTAX);
    assert_int_equal(err.offset, 3);
    assert_int_equal(parse_bypass("*.42 *", DCS_LIST_WINHTTP | DCS_LIST_STRICT, e, &n, &it,
                                  &err),
                     DCS_OK);
}

static void test_bypass_scheme_port_ipv6(void **state)
{
    (void)state;
    struct dcs_bypass_entry e[MAXE];
    struct dcs_list_iter it;
    struct dcs_error err;
    size_t n;

    assert_int_equal(parse_bypass("HTTPS://*.Example.com:8443 [::1];[fe80::*]:443 intranet",
                                  DCS_LIST_STRICT, e, &n, &it, &err),
                     DCS_OK);
    assert_int_equal(n, 4);
    assert_int_equal(e[0].kind, DCS_BYPASS_HOST);
    assert_true(view_is(e[0].addr.scheme, "HTTPS"));
    assert_true(view_is(e[0].addr.host, "*.Example.com"));
    assert_int_equal(e[0].addr.port, 8443);
    assert_true(e[1].addr.ipv6);
    assert_false(e[1].addr.has_port);
    assert_true(e[2].addr.ipv6 && e[2].wildcard);
    assert_int_equal(e[2].addr.port, 443);
    assert_int_equal(e[3].offset, 47);
    assert_bypass_canonical("HTTPS://*.Example.com:8443 [::1];[fe80::*]:443 intranet", 0,
                            "https://*.Example.com:8443;[::1];[fe80::*]:443;intranet");
}

static void test_bypass_long_list(void **state)
{
    (void)state;
    char s[4096];
    size_t len = 0;
    struct dcs_list_report rep;
    struct dcs_error err;

    /* a bypass list well past 256 bytes, like sample #023's 1049 bytes */
    for (int i = 0; i < 120; i++)
        len += (size_t)snprintf(s + len, sizeof s - len, "%s10.%d.*.*", i ? ";" : "", i);
    assert_true(len > 1000);
    assert_int_equal(dcs_bypass_check(s, len, DCS_LIST_STRICT, &rep, &err), DCS_OK);
    assert_int_equal(rep.count, 120);
    assert_bypass_canonical(s, DCS_LIST_STRICT, s);
}

struct error_case {
    const char *text;
    uint64_t offset;
    const char *message_part;
};

static const struct error_case bypass_errors[] = {
    { "<local", 0, "unterminated" },
    { "a <local>x", 9, "'x' in entry after '>'" },
    { "<>", 0, "empty macro" },
    { "a<b", 1, "'<' in bypass entry" },
    { "b>", 1, "'>' in bypass entry" },
    { "<lo<cal>", 3, "'<' in macro" },
    { "<local>:80", 7, "':' in entry after '>'" },
    { "<\xff>", 1, "0xff in macro" },
    { "host:0", 5, "out of range" },
    { "[::1", 0, "unbalanced '['" },
    { "a b\001", 3, "control character" },
    { "10.0.0.0/8", 8, "'/' in host" },
    { "*://x", 0, "'*' in scheme" },
    { ";x:", 3, "missing port" },
};

static void test_bypass_errors(void **state)
{
    (void)state;
    struct dcs_bypass_entry e[MAXE];
    struct dcs_list_iter it;
    struct dcs_error err;
    size_t n;

    for (size_t i = 0; i < sizeof bypass_errors / sizeof bypass_errors[0]; i++) {
        const struct error_case *c = &bypass_errors[i];
        dcs_status st = parse_bypass(c->text, 0, e, &n, &it, &err);
        if (st != DCS_ERR_BYPASS_SYNTAX || err.offset != c->offset ||
            !strstr(err.message, c->message_part))
            fail_msg("case %zu \"%s\": status %d offset %llu message \"%s\"", i, c->text,
                     (int)st, (unsigned long long)err.offset, err.message);
    }
}

/* ---- writers from entry arrays ---------------------------------------------------------- */

static void test_proxy_write_entries(void **state)
{
    (void)state;
    struct dcs_proxy_entry e[3];
    struct dcs_error err;
    char out[64];
    size_t w = 0;
    const char *want = "http=h:80;gopher=g;socks5://[::1]:8080";

    memset(e, 0, sizeof e);
    e[0].key = DCS_PROXY_KEY_HTTP;
    e[0].addr.host = (dcs_list_str){ "h", 1 };
    e[0].addr.has_port = true;
    e[0].addr.port = 80;
    e[1].key = DCS_PROXY_KEY_UNKNOWN;
    e[1].key_text = (dcs_list_str){ "Gopher", 6 };
    e[1].addr.host = (dcs_list_str){ "g", 1 };
    e[2].addr.scheme = (dcs_list_str){ "SOCKS5", 6 };
    e[2].addr.host = (dcs_list_str){ "::1", 3 };
    e[2].addr.ipv6 = true;
    e[2].addr.has_port = true;
    e[2].addr.port = 8080;

    /* size query, then a buffer one byte short, then the real write */
    assert_int_equal(dcs_proxy_write(e, 3, NULL, 0, &w, &err), DCS_OK);
    assert_int_equal(w, strlen(want));
    memset(out, '#', sizeof out);
    assert_int_equal(dcs_proxy_write(e, 3, out, strlen(want) - 1, &w, &err),
                     DCS_ERR_BUFFER_TOO_SMALL);
    assert_int_equal(w, strlen(want));
    assert_int_equal(out[strlen(want) - 1], '#');
    assert_memory_equal(out, want, strlen(want) - 1);
    assert_int_equal(dcs_proxy_write(e, 3, out, sizeof out, &w, &err), DCS_OK);
    assert_int_equal(w, strlen(want));
    assert_memory_equal(out, want, w);
    assert_int_equal(dcs_proxy_entry_format(&e[2], out, sizeof out), 19);
    assert_int_equal(dcs_proxy_write(NULL, 0, out, sizeof out, &w, &err), DCS_OK);
    assert_int_equal(w, 0);

    /* entries that would not read back */
    e[1].addr.host = (dcs_list_str){ "g;x", 3 };
    assert_int_equal(dcs_proxy_write(e, 3, out, sizeof out, &w, &err), DCS_ERR_PROXY_SYNTAX);
    assert_non_null(strstr(err.message, "entry 1"));
    assert_int_equal(err.offset, DCS_NO_OFFSET);
    e[1].addr.host = (dcs_list_str){ "", 0 };
    assert_int_equal(dcs_proxy_write(e, 3, out, sizeof out, &w, &err), DCS_ERR_PROXY_SYNTAX);
    e[1].addr.host = (dcs_list_str){ "g", 1 };
    e[1].key_text = (dcs_list_str){ "go pher", 7 };
    assert_int_equal(dcs_proxy_write(e, 3, out, sizeof out, &w, &err), DCS_ERR_PROXY_SYNTAX);
    e[1].key_text = (dcs_list_str){ "gopher", 6 };
    e[2].addr.host = (dcs_list_str){ "1.2.3.4", 7 };
    assert_int_equal(dcs_proxy_write(e, 3, out, sizeof out, &w, &err), DCS_ERR_PROXY_SYNTAX);
    assert_non_null(strstr(err.message, "entry 2: host"));
    e[2].addr.ipv6 = false;
    e[2].addr.port = 0;
    assert_int_equal(dcs_proxy_write(e, 3, out, sizeof out, &w, &err), DCS_ERR_PROXY_SYNTAX);
    e[2].addr.has_port = false;
    e[2].addr.scheme = (dcs_list_str){ "5ocks", 5 };
    assert_int_equal(dcs_proxy_write(e, 3, out, sizeof out, &w, &err), DCS_ERR_PROXY_SYNTAX);
    e[2].addr.scheme = (dcs_list_str){ "so cks", 6 };
    assert_int_equal(dcs_proxy_write(e, 3, out, sizeof out, &w, &err), DCS_ERR_PROXY_SYNTAX);
    e[2].addr.scheme = (dcs_list_str){ NULL, 0 };
    assert_int_equal(dcs_proxy_write(e, 3, out, sizeof out, &w, &err), DCS_OK);
    out[w] = '\0';
    assert_string_equal(out, "http=h:80;gopher=g;1.2.3.4");
    assert_int_equal(dcs_proxy_write(NULL, 1, out, sizeof out, &w, &err), DCS_ERR_INVALID_ARG);
}

static void test_bypass_write_entries(void **state)
{
    (void)state;
    struct dcs_bypass_entry e[3];
    struct dcs_error err;
    char out[64];
    size_t w = 0;

    memset(e, 0, sizeof e);
    e[0].addr.host = (dcs_list_str){ "*.corp", 6 };
    e[1].kind = DCS_BYPASS_UNKNOWN_MACRO;
    e[1].addr.host = (dcs_list_str){ "<intranet>", 10 };
    e[2].kind = DCS_BYPASS_LOCAL;
    assert_int_equal(dcs_bypass_write(e, 3, out, sizeof out, &w, &err), DCS_OK);
    out[w] = '\0';
    assert_string_equal(out, "*.corp;<intranet>;<local>");
    assert_int_equal(dcs_bypass_entry_format(&e[2], NULL, 0), 7);

    e[1].addr.host = (dcs_list_str){ "<a;b>", 5 };
    assert_int_equal(dcs_bypass_write(e, 3, out, sizeof out, &w, &err), DCS_ERR_BYPASS_SYNTAX);
    e[1].addr.host = (dcs_list_str){ "<local>", 7 }; /* that is not an unknown macro */
    assert_int_equal(dcs_bypass_write(e, 3, out, sizeof out, &w, &err), DCS_ERR_BYPASS_SYNTAX);
    e[1].addr.host = (dcs_list_str){ "intranet>", 9 };
    assert_int_equal(dcs_bypass_write(e, 3, out, sizeof out, &w, &err), DCS_ERR_BYPASS_SYNTAX);
    e[1].kind = (enum dcs_bypass_kind)9;
    assert_int_equal(dcs_bypass_write(e, 3, out, sizeof out, &w, &err), DCS_ERR_BYPASS_SYNTAX);
    e[1].kind = DCS_BYPASS_HOST;
    e[1].addr.host = (dcs_list_str){ "a\tb", 3 };
    assert_int_equal(dcs_bypass_write(e, 3, out, sizeof out, &w, &err), DCS_ERR_BYPASS_SYNTAX);
    assert_non_null(strstr(err.message, "entry 1: host: control character 0x09"));
}

static void test_equality(void **state)
{
    (void)state;
    struct dcs_list_iter it;
    struct dcs_proxy_entry a, b;
    struct dcs_bypass_entry x, y;
    struct dcs_error err;
    bool got;

    dcs_proxy_iter_init(&it, "HTTP=HTTP://Host:80", 19, 0);
    assert_int_equal(dcs_proxy_next(&it, &a, &got, &err), DCS_OK);
    dcs_proxy_iter_init(&it, "http=http://Host:80", 19, 0);
    assert_int_equal(dcs_proxy_next(&it, &b, &got, &err), DCS_OK);
    assert_true(dcs_proxy_entry_equal(&a, &b));
    dcs_proxy_iter_init(&it, "http=http://host:80", 19, 0);
    assert_int_equal(dcs_proxy_next(&it, &b, &got, &err), DCS_OK);
    assert_false(dcs_proxy_entry_equal(&a, &b)); /* host bytes differ */
    dcs_proxy_iter_init(&it, "http=http://Host:81", 19, 0);
    assert_int_equal(dcs_proxy_next(&it, &b, &got, &err), DCS_OK);
    assert_false(dcs_proxy_entry_equal(&a, &b));
    dcs_proxy_iter_init(&it, "gopher=a ftp=a", 14, 0);
    assert_int_equal(dcs_proxy_next(&it, &a, &got, &err), DCS_OK);
    assert_int_equal(dcs_proxy_next(&it, &b, &got, &err), DCS_OK);
    assert_false(dcs_proxy_entry_equal(&a, &b));

    dcs_bypass_iter_init(&it, "<local> <LOCAL> <x> <y>", 23, 0);
    assert_int_equal(dcs_bypass_next(&it, &x, &got, &err), DCS_OK);
    assert_int_equal(dcs_bypass_next(&it, &y, &got, &err), DCS_OK);
    assert_true(dcs_bypass_entry_equal(&x, &y));
    assert_int_equal(dcs_bypass_next(&it, &x, &got, &err), DCS_OK);
    assert_int_equal(dcs_bypass_next(&it, &y, &got, &err), DCS_OK);
    assert_false(dcs_bypass_entry_equal(&x, &y));
    assert_string_equal(dcs_proxy_key_name(DCS_PROXY_KEY_HTTPS), "https");
    assert_string_equal(dcs_proxy_key_name(DCS_PROXY_KEY_DEFAULT), "");
}

/* ---- bitsadmin lists ---------------------------------------------------------------------- */

static void assert_bits(bool proxy, const char *in, const char *want)
{
    char out[256];
    size_t w = 99;
    struct dcs_error err;
    dcs_status st = proxy ? dcs_proxy_from_bitsadmin(in, strlen(in), 0, out, sizeof out, &w, &err)
                          : dcs_bypass_from_bitsadmin(in, strlen(in), 0, out, sizeof out, &w, &err);
    assert_int_equal(st, DCS_OK);
    out[w] = '\0';
    assert_string_equal(out, want);
}

static void test_bitsadmin_lists(void **state)
{
    (void)state;
    struct dcs_error err;
    size_t w;

    assert_bits(true, "proxy1:80,proxy2:8080", "proxy1:80;proxy2:8080");
    assert_bits(true, "http=a:80, https=b:443", "http=a:80;https=b:443");
    assert_bits(true, "NULL", "");
    assert_bits(true, " null ", "");
    assert_bits(true, "\"\"", "");
    assert_bits(false, "*.corp.com <local> 10.*", "*.corp.com;<local>;10.*");
    assert_bits(false, "NULL", "");
    assert_bits(false, "", "");
    assert_int_equal(dcs_proxy_from_bitsadmin("a:80,,b", 7, DCS_LIST_STRICT, NULL, 0, &w, &err),
                     DCS_ERR_PROXY_SYNTAX);
    assert_int_equal(err.offset, 5);
    assert_int_equal(dcs_bypass_from_bitsadmin("a,<x", 4, 0, NULL, 0, &w, &err),
                     DCS_ERR_BYPASS_SYNTAX);
    assert_int_equal(err.offset, 2);
    /* without the bitsadmin builder a comma is not a separator */
    assert_int_equal(dcs_proxy_check("a:80,b", 6, 0, NULL, &err), DCS_ERR_PROXY_SYNTAX);
    assert_int_equal(err.offset, 4);
}

/* ---- lookup ---------------------------------------------------------------------------------- */

static void assert_lookup(const char *list, unsigned options, const char *protocol,
                          enum dcs_proxy_match want_how, const char *want_host)
{
    struct dcs_proxy_entry e;
    enum dcs_proxy_match how;
    struct dcs_error err;
    assert_int_equal(dcs_proxy_lookup(list, strlen(list), options, protocol, &e, &how, &err),
                     DCS_OK);
    if (how != want_how)
        fail_msg("lookup %s in \"%s\": match %d, want %d", protocol, list, (int)how,
                 (int)want_how);
    if (want_host)
        assert_true(view_is(e.addr.host, want_host));
}

static void test_lookup(void **state)
{
    (void)state;
    const char *keyed = "http=h:80;https=s:443;other:3128;other2";
    struct dcs_proxy_entry e;
    enum dcs_proxy_match how;
    struct dcs_error err;

    assert_lookup(keyed, 0, "http", DCS_PROXY_MATCH_KEY, "h");
    assert_lookup(keyed, 0, "HTTPS", DCS_PROXY_MATCH_KEY, "s");
    assert_lookup(keyed, 0, "ftp", DCS_PROXY_MATCH_DEFAULT, "other");
    assert_lookup(keyed, 0, "socks", DCS_PROXY_MATCH_DEFAULT, "other");
    assert_lookup("10.120.0.148:3128", DCS_LIST_STRICT, "https", DCS_PROXY_MATCH_DEFAULT,
                  "10.120.0.148");
    assert_lookup("ftp=f socks=s:1080", 0, "http", DCS_PROXY_MATCH_SOCKS, "s");
    assert_lookup("ftp=f socks=s:1080", 0, "socks", DCS_PROXY_MATCH_KEY, "s");
    assert_lookup("ftp=f socks=s:1080 socks=t", 0, "ftp", DCS_PROXY_MATCH_KEY, "f");
    assert_lookup("http=h", 0, "ftp", DCS_PROXY_MATCH_NONE, NULL);
    assert_lookup("http=h", 0, "socks", DCS_PROXY_MATCH_NONE, NULL);
    assert_lookup("", 0, "http", DCS_PROXY_MATCH_NONE, NULL);
    assert_lookup("http=a http=b", 0, "http", DCS_PROXY_MATCH_KEY, "a");
    assert_lookup("gopher=g:70", 0, "Gopher", DCS_PROXY_MATCH_KEY, "g");
    assert_int_equal(dcs_proxy_lookup("gopher=g:70", 11, DCS_LIST_STRICT, "gopher", &e, &how,
                                      &err),
                     DCS_ERR_PROXY_SYNTAX);
    assert_int_equal(dcs_proxy_lookup("http=h:80;x:0", 13, 0, "http", &e, &how, &err),
                     DCS_ERR_PROXY_SYNTAX);
    assert_int_equal(err.offset, 12);
    assert_int_equal(dcs_proxy_lookup("a", 1, 0, NULL, &e, &how, &err), DCS_ERR_INVALID_ARG);
}

/* ---- API edges: bad arguments, limits, names ------------------------------------------------ */

static void test_api_edges(void **state)
{
    (void)state;
    struct dcs_list_iter it;
    struct dcs_proxy_entry pe, pa[2];
    struct dcs_bypass_entry be, ba[2];
    struct dcs_error err;
    char out[64];
    size_t w = 7;
    bool got;

    /* over DCS_LIST_MAX_LEN: refused before any byte is read */
    dcs_proxy_iter_init(&it, "x", (size_t)UINT32_MAX + 5u, 0);
    assert_int_equal(dcs_proxy_next(&it, &pe, &got, &err), DCS_ERR_LIMIT);
    assert_int_equal(err.offset, DCS_NO_OFFSET);
    dcs_bypass_iter_init(&it, NULL, 2, 0);
    assert_int_equal(dcs_bypass_next(&it, &be, &got, &err), DCS_ERR_INVALID_ARG);
    assert_int_equal(dcs_proxy_next(NULL, &pe, &got, &err), DCS_ERR_INVALID_ARG);
    assert_int_equal(dcs_bypass_next(&it, NULL, &got, &err), DCS_ERR_INVALID_ARG);
    assert_int_equal(dcs_bypass_next(&it, &be, NULL, &err), DCS_ERR_INVALID_ARG);
    assert_int_equal(dcs_bypass_write(NULL, 1, out, sizeof out, &w, &err), DCS_ERR_INVALID_ARG);

    /* buffer rules of the one-pass writers: too small, and no buffer but a size */
    assert_int_equal(dcs_bypass_canonical("a;b", 3, 0, out, 2, &w, &err),
                     DCS_ERR_BUFFER_TOO_SMALL);
    assert_int_equal(w, 3);
    assert_int_equal(dcs_proxy_canonical("a", 1, 0, NULL, 5, &w, &err), DCS_ERR_BUFFER_TOO_SMALL);
    assert_int_equal(dcs_proxy_canonical("a", 1, 0, out, sizeof out, NULL, &err), DCS_OK);
    assert_int_equal(dcs_proxy_from_bitsadmin(NULL, 0, 0, NULL, 0, &w, &err), DCS_OK);
    assert_int_equal(w, 0);

    /* writer checks of caller-built fields */
    memset(pa, 0, sizeof pa);
    pa[0].addr.host = (dcs_list_str){ "h", 1 };
    pa[0].key = DCS_PROXY_KEY_UNKNOWN;
    assert_int_equal(dcs_proxy_write(pa, 1, out, sizeof out, &w, &err), DCS_ERR_PROXY_SYNTAX);
    assert_non_null(strstr(err.message, "unknown key without a name"));
    pa[0].key = (enum dcs_proxy_key)42;
    assert_int_equal(dcs_proxy_write(pa, 1, out, sizeof out, &w, &err), DCS_ERR_PROXY_SYNTAX);
    assert_non_null(strstr(err.message, "out of range"));
    pa[0].key = DCS_PROXY_KEY_FTP;
    pa[0].addr.scheme = (dcs_list_str){ NULL, 3 };
    assert_int_equal(dcs_proxy_write(pa, 1, out, sizeof out, &w, &err), DCS_ERR_PROXY_SYNTAX);
    pa[0].addr.scheme = (dcs_list_str){ NULL, 0 };
    pa[0].addr.host = (dcs_list_str){ NULL, 4 };
    assert_int_equal(dcs_proxy_write(pa, 1, out, sizeof out, &w, &err), DCS_ERR_PROXY_SYNTAX);
    memset(ba, 0, sizeof ba);
    ba[0].kind = DCS_BYPASS_UNKNOWN_MACRO;
    assert_int_equal(dcs_bypass_write(ba, 1, out, sizeof out, &w, &err), DCS_ERR_BYPASS_SYNTAX);
    ba[0].addr.host = (dcs_list_str){ "<x", 2 };
    assert_int_equal(dcs_bypass_write(ba, 1, out, sizeof out, &w, &err), DCS_ERR_BYPASS_SYNTAX);
    assert_non_null(strstr(err.message, "unterminated"));

    /* equality looks at every field */
    memset(pa, 0, sizeof pa);
    pa[0].addr.host = pa[1].addr.host = (dcs_list_str){ "h", 1 };
    assert_true(dcs_proxy_entry_equal(&pa[0], &pa[1]));
    pa[1].addr.scheme = (dcs_list_str){ "http", 4 };
    assert_false(dcs_proxy_entry_equal(&pa[0], &pa[1]));
    pa[0].addr.scheme = (dcs_list_str){ "HTTQ", 4 };
    assert_false(dcs_proxy_entry_equal(&pa[0], &pa[1]));
    pa[0].addr.scheme = (dcs_list_str){ "HTTP", 4 };
    assert_true(dcs_proxy_entry_equal(&pa[0], &pa[1]));
    pa[0].addr.has_port = true;
    assert_false(dcs_proxy_entry_equal(&pa[0], &pa[1]));
    pa[1].addr.has_port = true;
    pa[1].addr.port = 1;
    assert_false(dcs_proxy_entry_equal(&pa[0], &pa[1]));
    pa[0].addr.port = 1;
    pa[0].addr.ipv6 = true;
    assert_false(dcs_proxy_entry_equal(&pa[0], &pa[1]));
    pa[0].addr.ipv6 = false;
    pa[0].key = pa[1].key = DCS_PROXY_KEY_UNKNOWN;
    pa[0].key_text = (dcs_list_str){ "Gopher", 6 };
    pa[1].key_text = (dcs_list_str){ "gopher", 6 };
    assert_true(dcs_proxy_entry_equal(&pa[0], &pa[1]));
    pa[1].key_text = (dcs_list_str){ "go", 2 };
    assert_false(dcs_proxy_entry_equal(&pa[0], &pa[1]));
    memset(ba, 0, sizeof ba);
    ba[0].kind = DCS_BYPASS_NO_LOOPBACK;
    ba[1].kind = DCS_BYPASS_LOCAL;
    assert_false(dcs_bypass_entry_equal(&ba[0], &ba[1]));
    ba[0].kind = ba[1].kind = DCS_BYPASS_HOST;
    ba[0].addr.host = ba[1].addr.host = (dcs_list_str){ "*", 1 };
    ba[0].wildcard = true;
    assert_false(dcs_bypass_entry_equal(&ba[0], &ba[1]));
    ba[1].wildcard = true;
    assert_true(dcs_bypass_entry_equal(&ba[0], &ba[1]));
    ba[0].kind = ba[1].kind = (enum dcs_bypass_kind)9;
    assert_false(dcs_bypass_entry_equal(&ba[0], &ba[1]));

    /* names */
    assert_string_equal(dcs_proxy_key_name(DCS_PROXY_KEY_HTTP), "http");
    assert_string_equal(dcs_proxy_key_name(DCS_PROXY_KEY_FTP), "ftp");
    assert_string_equal(dcs_proxy_key_name(DCS_PROXY_KEY_SOCKS), "socks");
    assert_string_equal(dcs_proxy_key_name(DCS_PROXY_KEY_UNKNOWN), "?");
    assert_string_equal(dcs_proxy_key_name((enum dcs_proxy_key)42), "?");
    for (int c = DCS_LIST_WARN_EMPTY_ENTRY; c < DCS_LIST_WARN_COUNT_; c++)
        assert_string_not_equal(dcs_list_warning_str((enum dcs_list_warning_code)c),
                                "unknown warning");
    assert_string_equal(dcs_list_warning_str(DCS_LIST_WARN_COUNT_), "unknown warning");
    assert_string_equal(dcs_list_warning_str((enum dcs_list_warning_code)0), "unknown warning");
}

int test_proxylist_bypass_group(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bypass_macros),
        cmocka_unit_test(test_bypass_wildcards_anywhere),
        cmocka_unit_test(test_bypass_scheme_port_ipv6),
        cmocka_unit_test(test_bypass_long_list),
        cmocka_unit_test(test_bypass_errors),
        cmocka_unit_test(test_proxy_write_entries),
        cmocka_unit_test(test_bypass_write_entries),
        cmocka_unit_test(test_equality),
        cmocka_unit_test(test_bitsadmin_lists),
        cmocka_unit_test(test_lookup),
        cmocka_unit_test(test_api_edges),
    };
    return cmocka_run_group_tests_name("proxylist writers and bypass", tests, NULL, NULL);
}
