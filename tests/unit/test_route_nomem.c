/* dcs route and allocation: compiling and linting fail cleanly with
 * DCS_ERR_NOMEM at every allocation (tests/support/failalloc.h); parsing,
 * routing and formatting a URL allocate nothing at all. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include <dcs/route.h>

#include "failalloc.h"

static const struct dcs_route_settings settings = {
    0x0b, {(const uint8_t *)"http=hp:3128;https=sp:3129;socks=sk", 35},
    {(const uint8_t *)"<local>;*.contoso.com;10.0.0.0/8;a?c;contoso-corp*.atp.azure.com:443", 68},
    {NULL, 0}};

static const char *const urls[] = {
    "https://contoso-corpsensorapi.atp.azure.com/", "http://intranet/", "http://10.1.2.3/",
    "http://[fe80::1%25eth0]:8080/", "ftp://user:pw@b\303\274cher.example/", "wss://x.example/",
    "http://localhost/", "http://abc/"};

static void test_compile_nomem(void **state)
{
    (void)state;
    for (size_t n = 1;; n++) {
        dcs_route *r = NULL;
        struct dcs_error err;
        failalloc_arm(n);
        dcs_status st = dcs_route_compile(&settings, DCS_ROUTE_CHROMIUM, &r, &err);
        bool hit = failalloc_fired();
        failalloc_disarm();
        if (!hit) {
            assert_int_equal(st, DCS_OK);
            dcs_route_free(r);
            break;
        }
        assert_int_equal(st, DCS_ERR_NOMEM);
        assert_int_equal(err.code, DCS_ERR_NOMEM);
        assert_null(r);
    }
}

static void test_lint_nomem(void **state)
{
    (void)state;
    for (size_t n = 1;; n++) {
        struct dcs_route_lint l[8];
        struct dcs_error err;
        size_t count = 99;
        failalloc_arm(n);
        dcs_status st = dcs_route_lint(&settings, urls, 2, l, 8, &count, &err);
        bool hit = failalloc_fired();
        failalloc_disarm();
        if (!hit) {
            assert_int_equal(st, DCS_OK);
            assert_int_equal(count, 5); /* CIDR, ?, inner *, two URLs DIRECT */
            break;
        }
        assert_int_equal(st, DCS_ERR_NOMEM);
    }
}

/* The per-URL path: no allocation, not even one that could fail. */
static void test_route_allocates_nothing(void **state)
{
    (void)state;
    for (int c = 0; c < DCS_ROUTE_CLIENT_COUNT; c++) {
        dcs_route *r;
        struct dcs_error err;
        assert_int_equal(dcs_route_compile(&settings, (enum dcs_route_client)c, &r, &err), DCS_OK);
        failalloc_arm(1);
        for (size_t i = 0; i < sizeof urls / sizeof urls[0]; i++) {
            struct dcs_url u;
            struct dcs_route_result res;
            char buf[1200];
            assert_int_equal(dcs_url_parse(urls[i], strlen(urls[i]), &u, &err), DCS_OK);
            dcs_route_url(r, &u, &res);
            dcs_route_rule_format(r, &u, &res, false, buf, sizeof buf);
            dcs_route_rule_format(r, &u, &res, true, buf, sizeof buf);
            dcs_route_proxy_format(&res.fixed, buf, sizeof buf);
        }
        assert_int_equal(failalloc_count(), 0);
        assert_false(failalloc_fired());
        failalloc_disarm();
        dcs_route_free(r);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_compile_nomem),
        cmocka_unit_test(test_lint_nomem),
        cmocka_unit_test(test_route_allocates_nothing),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
