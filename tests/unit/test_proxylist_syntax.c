/* DCS_LIST_SYNTAX and dcs_pac_url_check: what a stored list or PAC URL may
 * hold (third part of the proxylist test program). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include <dcs/proxylist.h>

int test_proxylist_syntax_group(void);

static void assert_fault(dcs_status st, const struct dcs_error *err, dcs_status code,
                         uint64_t offset, const char *msg)
{
    assert_int_equal(st, code);
    assert_int_equal(err->code, code);
    assert_int_equal(err->offset, offset);
    assert_string_equal(err->message, msg);
}

/* Byte faults are errors with their offset, in a proxy and a bypass list. */
static void test_syntax_byte_faults(void **state)
{
    (void)state;
    struct dcs_error err;
    struct dcs_list_report rep;
    assert_fault(dcs_bypass_check("a;b\x01" "c", 5, DCS_LIST_SYNTAX, &rep, &err), &err,
                 DCS_ERR_BYPASS_SYNTAX, 3, "control character 0x01");
    assert_fault(dcs_bypass_check("ok;x\xff\xfe", 6, DCS_LIST_SYNTAX, &rep, &err), &err,
                 DCS_ERR_BYPASS_SYNTAX, 4, "byte 0xff is not UTF-8");
    /* a surrogate encoded in UTF-8 (ED A0 80) and an overlong '/' are not UTF-8 */
    assert_fault(dcs_proxy_check("p:1 \xed\xa0\x80", 7, DCS_LIST_SYNTAX, &rep, &err), &err,
                 DCS_ERR_PROXY_SYNTAX, 4, "byte 0xed is not UTF-8");
    assert_fault(dcs_bypass_check("\xc0\xaf", 2, DCS_LIST_SYNTAX, &rep, &err), &err,
                 DCS_ERR_BYPASS_SYNTAX, 0, "byte 0xc0 is not UTF-8");
    /* UTF-8 host names pass, with the non-ASCII warning of every mode */
    assert_int_equal(dcs_bypass_check("b\xc3\xbc" "cher.example", 14, DCS_LIST_SYNTAX, &rep,
                                      &err), DCS_OK);
    assert_int_equal(rep.nwarnings, 1);
    assert_int_equal(rep.warnings[0].code, DCS_LIST_WARN_NON_ASCII);
    /* without DCS_LIST_SYNTAX bad UTF-8 stays the old warning */
    assert_int_equal(dcs_bypass_check("x\xff", 2, DCS_LIST_LENIENT, &rep, &err), DCS_OK);
    assert_int_equal(rep.warnings[0].code, DCS_LIST_WARN_NON_ASCII);
}

/* An entry of 2083 bytes fits, 2084 does not: the offset is the first byte
 * past the limit, in the entry's own list. */
static void test_syntax_entry_length(void **state)
{
    (void)state;
    static char list[2 + 2084 + 1];
    struct dcs_error err;
    struct dcs_list_report rep;
    memcpy(list, "a;", 2);
    memset(list + 2, 'b', 2084);
    assert_int_equal(dcs_bypass_check(list, 2 + 2083, DCS_LIST_SYNTAX, &rep, &err), DCS_OK);
    assert_int_equal(rep.count, 2);
    assert_fault(dcs_bypass_check(list, 2 + 2084, DCS_LIST_SYNTAX, &rep, &err), &err,
                 DCS_ERR_BYPASS_SYNTAX, 2 + 2083, "entry of 2084 bytes: WinINET takes at most 2083");
    assert_fault(dcs_proxy_check(list, 2 + 2084, DCS_LIST_SYNTAX, &rep, &err), &err,
                 DCS_ERR_PROXY_SYNTAX, 2 + 2083, "entry of 2084 bytes: WinINET takes at most 2083");
    /* the grammar alone does not limit an entry (a long host is a warning) */
    assert_int_equal(dcs_bypass_check(list, 2 + 2084, DCS_LIST_LENIENT, &rep, &err), DCS_OK);
}

/* Entries outside the grammar are kept whole, with a warning at the fault;
 * empty entries stay warnings; strict keeps the grammar error. */
static void test_syntax_keeps_odd_entries(void **state)
{
    (void)state;
    const char *text = "10.0.0.0/8;;a<b;<local>";
    struct dcs_list_iter it;
    struct dcs_bypass_entry e;
    struct dcs_error err;
    bool got;
    dcs_bypass_iter_init(&it, text, strlen(text), DCS_LIST_SYNTAX);
    assert_int_equal(dcs_bypass_next(&it, &e, &got, &err), DCS_OK);
    assert_true(got);
    assert_int_equal(e.kind, DCS_BYPASS_HOST);
    assert_int_equal(e.addr.host.len, 10);
    assert_memory_equal(e.addr.host.ptr, "10.0.0.0/8", 10);
    assert_false(e.addr.has_port);
    assert_int_equal(e.warnings, 1u << DCS_LIST_WARN_NOT_GRAMMAR);
    assert_int_equal(dcs_bypass_next(&it, &e, &got, &err), DCS_OK);
    assert_true(got);
    assert_int_equal(e.offset, 12);
    assert_int_equal(e.addr.host.len, 3);
    assert_int_equal(dcs_bypass_next(&it, &e, &got, &err), DCS_OK);
    assert_int_equal(e.kind, DCS_BYPASS_LOCAL);
    assert_int_equal(dcs_bypass_next(&it, &e, &got, &err), DCS_OK);
    assert_false(got);
    assert_int_equal(it.nentries, 3);
    assert_int_equal(it.nwarnings, 3);
    assert_int_equal(it.warnings[0].code, DCS_LIST_WARN_NOT_GRAMMAR);
    assert_int_equal(it.warnings[0].offset, 8); /* the '/' */
    assert_int_equal(it.warnings[1].code, DCS_LIST_WARN_EMPTY_ENTRY);
    assert_int_equal(it.warnings[1].offset, 11);
    assert_int_equal(it.warnings[2].code, DCS_LIST_WARN_NOT_GRAMMAR);
    assert_int_equal(it.warnings[2].offset, 13); /* the '<' */
    assert_string_equal(dcs_list_warning_str(DCS_LIST_WARN_NOT_GRAMMAR),
                        "entry outside the list grammar: written as given");

    /* a proxy entry outside the grammar is a default entry, whole */
    struct dcs_proxy_entry pe;
    dcs_proxy_iter_init(&it, "http=;p:1", 9, DCS_LIST_SYNTAX);
    assert_int_equal(dcs_proxy_next(&it, &pe, &got, &err), DCS_OK);
    assert_int_equal(pe.key, DCS_PROXY_KEY_DEFAULT);
    assert_int_equal(pe.key_text.len, 0);
    assert_memory_equal(pe.addr.host.ptr, "http=", 5);
    assert_int_equal(it.warnings[0].offset, 5);
    assert_int_equal(dcs_proxy_next(&it, &pe, &got, &err), DCS_OK);
    assert_int_equal(pe.addr.port, 1);

    /* a separators-only bypass list names nothing, with a warning */
    struct dcs_list_report rep;
    assert_int_equal(dcs_bypass_check(";", 1, DCS_LIST_SYNTAX, &rep, &err), DCS_OK);
    assert_int_equal(rep.count, 0);
    assert_int_equal(rep.nwarnings, 1);
    assert_int_equal(rep.warnings[0].code, DCS_LIST_WARN_EMPTY_ENTRY);

    /* strict: the grammar error stands */
    assert_fault(dcs_bypass_check(text, strlen(text), DCS_LIST_SYNTAX | DCS_LIST_STRICT, &rep,
                                  &err),
                 &err, DCS_ERR_BYPASS_SYNTAX, 8, "invalid character '/' in host name");
}

static void test_pac_url_check(void **state)
{
    (void)state;
    static char url[2085];
    struct dcs_error err;
    assert_int_equal(dcs_pac_url_check("http://wpad/wpad.dat", 20, &err), DCS_OK);
    assert_int_equal(dcs_pac_url_check("", 0, &err), DCS_OK);
    assert_int_equal(dcs_pac_url_check("http://b\xc3\xbc/", 11, &err), DCS_OK);
    assert_fault(dcs_pac_url_check("http://x/\xff", 10, &err), &err, DCS_ERR_INVALID_ARG, 9,
                 "byte 0xff is not UTF-8");
    assert_fault(dcs_pac_url_check("http://x/\n", 10, &err), &err, DCS_ERR_INVALID_ARG, 9,
                 "control character 0x0a");
    assert_fault(dcs_pac_url_check("http://x/\x7f", 10, &err), &err, DCS_ERR_INVALID_ARG, 9,
                 "control character 0x7f");
    memset(url, 'a', sizeof url);
    assert_int_equal(dcs_pac_url_check(url, 2083, &err), DCS_OK);
    assert_fault(dcs_pac_url_check(url, 2084, &err), &err, DCS_ERR_INVALID_ARG, 2083,
                 "2084 bytes long: WinINET takes at most 2083");
    assert_fault(dcs_pac_url_check(NULL, 1, &err), &err, DCS_ERR_INVALID_ARG, DCS_NO_OFFSET,
                 "URL text is NULL");
}

int test_proxylist_syntax_group(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_syntax_byte_faults),
        cmocka_unit_test(test_syntax_entry_length),
        cmocka_unit_test(test_syntax_keeps_odd_entries),
        cmocka_unit_test(test_pac_url_check),
    };
    return cmocka_run_group_tests_name("proxylist syntax mode", tests, NULL, NULL);
}
