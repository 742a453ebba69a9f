/* The blob model: building blobs the way Windows does, IE -> WinHTTP,
 * equality modes, encoder validation, socket addresses, FILETIME and flag
 * formatting. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <dcs/blob.h>
#include "blob_testlib.h"

static struct blob_fixture_set fixtures;

static int load_fixtures(void **state)
{
    char path[4096];
    const char *root = getenv("DCS_SOURCE_ROOT");
    if (root)
        snprintf(path, sizeof path, "%s/tests/data/blobs", root);
    else
        snprintf(path, sizeof path, "%s/blobs", DCS_TEST_DATA_DIR);
    return blob_fixtures_load_dir(&fixtures, path) > 0 ? 0 : -1;
}

static int free_fixtures(void **state)
{
    blob_fixtures_free(&fixtures);
    return 0;
}

/* Decode the fixture whose name starts with prefix ("022-"). */
static const struct blob_fixture *fixture(const char *prefix, struct dcs_blob *b)
{
    for (size_t i = 0; i < fixtures.n; i++) {
        const struct blob_fixture *fx = &fixtures.items[i];
        if (strncmp(fx->name, prefix, strlen(prefix)) == 0) {
            struct dcs_error err;
            if (dcs_blob_decode(fx->data, fx->size, DCS_DECODE_LENIENT, b, &err) != DCS_OK)
                fail_msg("%s: %s", fx->name, err.message);
            return fx;
        }
    }
    fail_msg("no fixture %s*", prefix);
    return NULL;
}

/* Encode b and compare with want[0..n). */
static void encodes_to(const struct dcs_blob *b, const void *want, size_t n)
{
    struct dcs_error err;
    size_t got = 0;
    assert_int_equal(dcs_blob_encoded_size(b), n);
    uint8_t *out = blob_exact_alloc(n);
    dcs_status st = dcs_blob_encode(b, out, n, &got, &err);
    if (st != DCS_OK)
        fail_msg("encode: %s", err.message);
    assert_int_equal(got, n);
    assert_memory_equal(out, want, n);
    free(out);
}

static dcs_bytes view(const char *s)
{
    return (dcs_bytes){(const uint8_t *)s, (uint32_t)strlen(s)};
}

/* ---- init, field counts ------------------------------------------------------ */

static void test_init_and_field_count(void **state)
{
    struct dcs_blob b;
    struct blob_writer w;
    assert_int_equal(dcs_blob_field_count(DCS_FORMAT_WINHTTP, 0x28), 5);
    assert_int_equal(dcs_blob_field_count(DCS_FORMAT_WININET, 0x3C), 12);
    assert_int_equal(dcs_blob_field_count(DCS_FORMAT_WININET, 0x46), 13);
    assert_int_equal(dcs_blob_field_count(DCS_FORMAT_WININET, 0x47), 13);
    assert_int_equal(dcs_blob_field_count((enum dcs_blob_format)0, 0x46), 0);

    dcs_blob_init(&b, DCS_FORMAT_WININET, 0);
    assert_int_equal(b.version, 0x46);
    bw_ie(&w, 0x46, 0, 0, "", "", "", 0);
    encodes_to(&b, w.buf, 56);
    dcs_blob_init(&b, DCS_FORMAT_WININET, DCS_VERSION_IE5);
    bw_ie(&w, 0x3C, 0, 0, "", "", "", 0);
    encodes_to(&b, w.buf, 52);
    dcs_blob_init(&b, DCS_FORMAT_WINHTTP, 0);
    assert_int_equal(b.version, 0x18);
    bw_head(&w, 0x18, 0, 0, "", "");
    encodes_to(&b, w.buf, 20);
}

/* A 0x3C blob assembled field by field equals fixture 021 byte for byte. */
static void test_encode_hand_built_model(void **state)
{
    struct dcs_blob ref, b;
    const struct blob_fixture *fx = fixture("021-", &ref);
    static const uint8_t ip[4] = {141, 168, 78, 158};
    dcs_blob_init(&b, DCS_FORMAT_WININET, DCS_VERSION_IE5);
    b.counter = 31;
    b.flags = 0x05;
    b.autodiscovery_flags = DCS_AUTO_PROXY_FLAG_USER_SET;
    b.last_detect_url = view("http://144.131.222.167/wpad.dat");
    b.last_detect_time = UINT64_C(0x01c588d3661e0e90);
    b.ipv4_count = 1;
    b.ipv4 = ip;
    encodes_to(&b, fx->data, fx->size);
    assert_true(dcs_blob_equal(&b, &ref, DCS_EQUAL_EXACT));
}

/* ---- building the way the Windows UI does -------------------------------------- */

static void test_build_fresh(void **state)
{
    struct dcs_settings s = {DCS_PROXY_TYPE_PROXY, view("p:3128"), view("<local>"), view("")};
    struct dcs_blob b;
    struct blob_writer w;
    dcs_blob_build(&s, NULL, &b);
    assert_int_equal(b.format, DCS_FORMAT_WININET);
    assert_int_equal(b.version, 0x46);
    assert_int_equal(b.nfields, DCS_FIELD_COUNT_);
    assert_int_equal(b.counter, 1);
    assert_int_equal(b.flags, 0x03);
    assert_int_equal(b.autodiscovery_flags, DCS_AUTO_PROXY_FLAG_USER_SET);
    assert_ptr_equal(b.proxy.ptr, s.proxy.ptr); /* views into *s */
    assert_ptr_equal(b.bypass.ptr, s.bypass.ptr);
    bw_ie(&w, 0x46, 1, 0x03, "p:3128", "<local>", "", DCS_AUTO_PROXY_FLAG_USER_SET);
    encodes_to(&b, w.buf, w.n);

    /* the result is a blob Windows would write: strict, no warnings */
    struct dcs_blob d;
    struct dcs_error err;
    assert_int_equal(dcs_blob_decode(w.buf, w.n, DCS_DECODE_STRICT, &d, &err), DCS_OK);
    assert_int_equal(d.nwarnings, 0);

    /* nothing ticked: DIRECT only */
    struct dcs_settings none = {0, view(""), view(""), view("")};
    dcs_blob_build(&none, NULL, &b);
    assert_int_equal(b.flags, DCS_PROXY_TYPE_DIRECT);
    struct dcs_settings all = {0x0F, view("p:1"), view(""), view("http://x/p.pac")};
    dcs_blob_build(&all, NULL, &b);
    assert_int_equal(b.flags, 0x0F);
}

static void test_build_from_previous(void **state)
{
    struct dcs_blob prev, b;
    fixture("022-", &prev); /* counter 7, adflags 4, lkg URL, time, 5 records */
    struct dcs_settings s = {DCS_PROXY_TYPE_AUTO_PROXY_URL, view(""), view(""),
                             view("http://wpad/wpad.dat")};
    dcs_blob_build(&s, &prev, &b);
    assert_int_equal(b.counter, 8);
    assert_int_equal(b.flags, 0x05);
    assert_int_equal(b.autodiscovery_flags, 4);
    /* everything after the PAC URL but the adflags is zeroed */
    assert_int_equal(b.last_detect_url.len, 0);
    assert_int_equal(b.last_detect_time, 0);
    assert_int_equal(b.ipv4_count, 0);
    assert_int_equal(b.secondary_url.len, 0);
    assert_int_equal(b.reload_delay_mins, 0);
    assert_int_equal(b.sockaddr_count, 0);
    assert_int_equal(b.trailer.len, 0);
    struct blob_writer w;
    bw_ie(&w, 0x46, 8, 0x05, "", "", "http://wpad/wpad.dat", 4);
    encodes_to(&b, w.buf, w.n);

    /* a 0x3C previous still gives a 0x46 blob */
    fixture("034-", &prev);
    dcs_blob_build(&s, &prev, &b);
    assert_int_equal(b.version, 0x46);
    assert_int_equal(b.counter, prev.counter + 1);

    /* the counter is a DWORD: it wraps */
    prev.counter = 0xFFFFFFFFu;
    dcs_blob_build(&s, &prev, &b);
    assert_int_equal(b.counter, 0);

    /* a WinHTTP previous does not count */
    fixture("033-", &prev);
    dcs_blob_build(&s, &prev, &b);
    assert_int_equal(b.counter, 1);
    assert_int_equal(b.autodiscovery_flags, DCS_AUTO_PROXY_FLAG_USER_SET);
}

/* ---- IE -> WinHTTP -------------------------------------------------------------- */

static void test_to_winhttp(void **state)
{
    struct dcs_blob ie, wh;
    struct dcs_error err;
    struct blob_writer w;

    fixture("016-", &ie); /* flags 0x0b, proxy 127.0.0.1:80, bypass <local> */
    assert_int_equal(dcs_blob_to_winhttp(&ie, 0, &wh, &err), DCS_OK);
    assert_int_equal(wh.format, DCS_FORMAT_WINHTTP);
    assert_int_equal(wh.version, 0x28);
    assert_int_equal(wh.nfields, 5);
    bw_head(&w, 0x28, 0, 0x03, "127.0.0.1:80", "<local>");
    encodes_to(&wh, w.buf, w.n);

    assert_int_equal(dcs_blob_to_winhttp(&ie, DCS_VERSION_WINHTTP, &wh, &err), DCS_OK);
    bw_head(&w, 0x18, 0, 0x03, "127.0.0.1:80", "<local>");
    encodes_to(&wh, w.buf, w.n);

    /* only proxy and bypass: the PAC URL of 013 is dropped */
    fixture("013-", &ie);
    assert_int_equal(dcs_blob_to_winhttp(&ie, 0, &wh, &err), DCS_OK);
    bw_head(&w, 0x28, 0, 0x03, "192.168.1.1:80", "");
    encodes_to(&wh, w.buf, w.n);

    /* PROXY bit with an empty proxy (004): direct, bypass not copied */
    fixture("004-", &ie);
    assert_int_equal(dcs_blob_to_winhttp(&ie, 0, &wh, &err), DCS_OK);
    bw_head(&w, 0x28, 0, 0x01, "", "");
    encodes_to(&wh, w.buf, w.n);

    /* a stale proxy string with the bit off is not copied either */
    bw_ie(&w, 0x46, 9, 0x01, "stale:80", "<local>", "", 1);
    assert_int_equal(dcs_blob_decode(w.buf, w.n, 0, &ie, &err), DCS_OK);
    assert_int_equal(dcs_blob_to_winhttp(&ie, 0, &wh, &err), DCS_OK);
    bw_head(&w, 0x28, 0, 0x01, "", "");
    encodes_to(&wh, w.buf, w.n);

    /* wrong inputs */
    assert_int_equal(dcs_blob_to_winhttp(&ie, 0x46, &wh, &err), DCS_ERR_BLOB_VERSION);
    fixture("033-", &ie);
    assert_int_equal(dcs_blob_to_winhttp(&ie, 0, &wh, &err), DCS_ERR_INVALID_ARG);
    assert_int_equal(dcs_blob_to_winhttp(NULL, 0, &wh, &err), DCS_ERR_INVALID_ARG);
    assert_int_equal(dcs_blob_to_winhttp(&ie, 0, NULL, &err), DCS_ERR_INVALID_ARG);
}

/* ---- equality -------------------------------------------------------------------- */

static void test_equal_modes(void **state)
{
    struct dcs_blob a, b;
    struct blob_writer wa, wb;
    struct dcs_error err;

    /* counter only: 013 and its twin 014 (counter 0x0cc1) */
    fixture("013-", &a);
    const struct blob_fixture *fx = fixture("013-", &b);
    uint8_t *twin = blob_exact_copy(fx->data, fx->size);
    twin[4] = 0xc1, twin[5] = 0x0c;
    assert_int_equal(dcs_blob_decode(twin, fx->size, 0, &b, &err), DCS_OK);
    assert_false(dcs_blob_equal(&a, &b, DCS_EQUAL_EXACT));
    assert_true(dcs_blob_equal(&a, &b, DCS_EQUAL_IGNORE_COUNTER));
    assert_true(dcs_blob_equal(&a, &b, DCS_EQUAL_EFFECTIVE));
    free(twin);

    /* stale strings: 011 (direct, stale bypass and PAC) vs 012 (direct) */
    fixture("011-", &a);
    fixture("012-", &b);
    assert_false(dcs_blob_equal(&a, &b, DCS_EQUAL_EXACT));
    assert_false(dcs_blob_equal(&a, &b, DCS_EQUAL_IGNORE_COUNTER));
    assert_true(dcs_blob_equal(&a, &b, DCS_EQUAL_EFFECTIVE));

    /* PROXY bit with empty proxy == no proxy; PAC bit with " " == no PAC */
    bw_ie(&wa, 0x46, 1, 0x07, "", "x", " ", 0);
    bw_ie(&wb, 0x46, 2, 0x01, "", "", "", 1);
    assert_int_equal(dcs_blob_decode(wa.buf, wa.n, 0, &a, &err), DCS_OK);
    assert_int_equal(dcs_blob_decode(wb.buf, wb.n, 0, &b, &err), DCS_OK);
    assert_true(dcs_blob_equal(&a, &b, DCS_EQUAL_EFFECTIVE));
    assert_false(dcs_blob_equal(&a, &b, DCS_EQUAL_IGNORE_COUNTER));

    /* effective differences: bypass of a used proxy, PAC URL, auto-detect */
    bw_ie(&wa, 0x46, 1, 0x03, "p:1", "a", "", 0);
    bw_ie(&wb, 0x46, 1, 0x03, "p:1", "b", "", 0);
    assert_int_equal(dcs_blob_decode(wa.buf, wa.n, 0, &a, &err), DCS_OK);
    assert_int_equal(dcs_blob_decode(wb.buf, wb.n, 0, &b, &err), DCS_OK);
    assert_false(dcs_blob_equal(&a, &b, DCS_EQUAL_EFFECTIVE));
    bw_ie(&wa, 0x46, 1, 0x05, "", "", "http://a/", 0);
    bw_ie(&wb, 0x46, 1, 0x05, "", "", "http://b/", 0);
    assert_int_equal(dcs_blob_decode(wa.buf, wa.n, 0, &a, &err), DCS_OK);
    assert_int_equal(dcs_blob_decode(wb.buf, wb.n, 0, &b, &err), DCS_OK);
    assert_false(dcs_blob_equal(&a, &b, DCS_EQUAL_EFFECTIVE));
    bw_ie(&wa, 0x46, 1, 0x01, "", "", "", 0);
    bw_ie(&wb, 0x46, 1, 0x09, "", "", "", 0);
    assert_int_equal(dcs_blob_decode(wa.buf, wa.n, 0, &a, &err), DCS_OK);
    assert_int_equal(dcs_blob_decode(wb.buf, wb.n, 0, &b, &err), DCS_OK);
    assert_false(dcs_blob_equal(&a, &b, DCS_EQUAL_EFFECTIVE));
    assert_false(dcs_blob_equal(&a, &b, DCS_EQUAL_IGNORE_COUNTER));

    /* the tail counts for EXACT/IGNORE_COUNTER but not EFFECTIVE */
    fixture("022-", &a);
    b = a;
    b.last_detect_time++;
    assert_false(dcs_blob_equal(&a, &b, DCS_EQUAL_IGNORE_COUNTER));
    assert_true(dcs_blob_equal(&a, &b, DCS_EQUAL_EFFECTIVE));
    b = a;
    b.sockaddr_count--;
    assert_false(dcs_blob_equal(&a, &b, DCS_EQUAL_IGNORE_COUNTER));
    b = a;
    b.autodiscovery_flags ^= 1;
    assert_false(dcs_blob_equal(&a, &b, DCS_EQUAL_IGNORE_COUNTER));
    b = a;
    b.trailer = view("x");
    assert_false(dcs_blob_equal(&a, &b, DCS_EQUAL_EXACT));
    b = a;
    b.nfields--;
    assert_false(dcs_blob_equal(&a, &b, DCS_EQUAL_EXACT));
    b = a;
    b.version = 0x47;
    assert_false(dcs_blob_equal(&a, &b, DCS_EQUAL_IGNORE_COUNTER));

    /* different formats are never equal */
    fixture("032-", &a); /* WinHTTP direct */
    fixture("035-", &b); /* WinINET direct */
    assert_false(dcs_blob_equal(&a, &b, DCS_EQUAL_EFFECTIVE));
}

/* ---- encoder validation ----------------------------------------------------------- */

static void model_fails(const struct dcs_blob *b, dcs_status code, const char *needle)
{
    struct dcs_error err;
    uint8_t buf[256];
    size_t n = 99;
    dcs_status st = dcs_blob_encode(b, buf, sizeof buf, &n, &err);
    if (st != code)
        fail_msg("encode gives %d (%s), expected %d", st, st ? err.message : "ok", code);
    assert_int_equal(n, 0);
    assert_int_equal(dcs_blob_encoded_size(b), 0);
    if (needle && !strstr(err.message, needle))
        fail_msg("message '%s' lacks '%s'", err.message, needle);
}

static void test_encode_validation(void **state)
{
    struct dcs_blob b;
    struct dcs_error err;
    static const uint8_t bytes[8] = {1, 2, 3, 4, 5, 6, 7, 8};

    dcs_blob_init(&b, DCS_FORMAT_WININET, 0x46);
    b.nfields = DCS_FIELD_PROXY - 1;
    model_fails(&b, DCS_ERR_BLOB_MODEL, "fields");
    b.nfields = DCS_FIELD_COUNT_ + 1;
    model_fails(&b, DCS_ERR_BLOB_MODEL, "fields");
    dcs_blob_init(&b, DCS_FORMAT_WININET, 0x3C);
    b.nfields = DCS_FIELD_COUNT_; /* 0x3C has no socket-address count */
    model_fails(&b, DCS_ERR_BLOB_MODEL, NULL);
    dcs_blob_init(&b, DCS_FORMAT_WINHTTP, 0x28);
    b.nfields = 6;
    model_fails(&b, DCS_ERR_BLOB_MODEL, NULL);
    dcs_blob_init(&b, DCS_FORMAT_WININET, 0x46);
    b.format = (enum dcs_blob_format)7;
    model_fails(&b, DCS_ERR_BLOB_MODEL, "format");

    /* a length without data */
    dcs_blob_init(&b, DCS_FORMAT_WININET, 0x46);
    b.proxy = (dcs_bytes){NULL, 5};
    model_fails(&b, DCS_ERR_BLOB_MODEL, "proxy");
    dcs_blob_init(&b, DCS_FORMAT_WININET, 0x46);
    b.ipv4_count = 1;
    model_fails(&b, DCS_ERR_BLOB_MODEL, "ipv4");
    dcs_blob_init(&b, DCS_FORMAT_WININET, 0x46);
    b.sockaddr_count = 1;
    model_fails(&b, DCS_ERR_BLOB_MODEL, "sockaddrs");
    dcs_blob_init(&b, DCS_FORMAT_WININET, 0x46);
    b.trailer = (dcs_bytes){NULL, 3};
    model_fails(&b, DCS_ERR_BLOB_MODEL, "trailer");

    /* a truncated model whose trailer would form the next field's head */
    dcs_blob_init(&b, DCS_FORMAT_WININET, 0x46);
    b.nfields = DCS_FIELD_AUTODISCOVERY_FLAGS;
    b.trailer = (dcs_bytes){bytes, 4};
    model_fails(&b, DCS_ERR_BLOB_MODEL, "autodiscovery_flags");
    b.trailer.len = 3; /* fine: 24 bytes of fields + 3 partial */
    uint8_t out[27];
    size_t n = 0;
    assert_int_equal(dcs_blob_encode(&b, out, sizeof out, &n, &err), DCS_OK);
    assert_int_equal(n, 27);
    struct dcs_blob d;
    assert_int_equal(dcs_blob_decode(out, n, DCS_DECODE_LENIENT, &d, &err), DCS_OK);
    assert_true(dcs_blob_equal(&d, &b, DCS_EQUAL_EXACT));
    /* before the 8-byte FILETIME up to 7 partial bytes fit */
    dcs_blob_init(&b, DCS_FORMAT_WININET, 0x46);
    b.nfields = DCS_FIELD_LAST_DETECT_TIME;
    b.trailer = (dcs_bytes){bytes, 7};
    assert_int_equal(dcs_blob_encoded_size(&b), 32 + 7);
    b.trailer.len = 8;
    model_fails(&b, DCS_ERR_BLOB_MODEL, "last_detect_time");

    /* larger than a registry value can be: refused before any byte is read */
    dcs_blob_init(&b, DCS_FORMAT_WININET, 0x46);
    b.proxy = (dcs_bytes){bytes, 0xFFFFFFF0u};
    model_fails(&b, DCS_ERR_LIMIT, NULL);

    /* arguments */
    assert_int_equal(dcs_blob_encode(NULL, out, sizeof out, &n, &err), DCS_ERR_INVALID_ARG);
    assert_int_equal(dcs_blob_encoded_size(NULL), 0);
    dcs_blob_init(&b, DCS_FORMAT_WINHTTP, 0);
    n = 0;
    assert_int_equal(dcs_blob_encode(&b, NULL, 0, &n, &err), DCS_OK);
    assert_int_equal(n, 20);
    assert_int_equal(dcs_blob_encode(&b, NULL, 0, NULL, &err), DCS_OK);
    assert_int_equal(dcs_blob_encode(&b, NULL, 20, &n, &err), DCS_ERR_INVALID_ARG);
    assert_int_equal(dcs_blob_encode(&b, out, 0, &n, &err), DCS_ERR_BUFFER_TOO_SMALL);
    assert_int_equal(n, 20);
    assert_int_equal(dcs_blob_encode(&b, out, 20, NULL, NULL), DCS_OK);
}

/* ---- socket addresses --------------------------------------------------------------- */

static void test_sockaddrs(void **state)
{
    struct dcs_blob b;
    fixture("022-", &b);
    assert_int_equal(b.sockaddr_count, 5);
    static const struct {
        uint16_t family;
        const char *text;
        uint32_t scope;
    } want[5] = {
        {DCS_AF_INET6, "fe80::d104:cd64:e45d:3365", 11},
        {DCS_AF_INET6, "fe80::5efe:c0a8:165", 12},
        {DCS_AF_INET6, "fe80::c18:55b:3f57:fe9a", 13},
        {DCS_AF_INET, "192.168.1.101", 0},
        {DCS_AF_INET6, "2001:0:4137:9e76:c18:55b:3f57:fe9a", 0},
    };
    for (unsigned i = 0; i < 5; i++) {
        const uint8_t *rec = b.sockaddrs + (size_t)i * DCS_SOCKADDR_RECORD_SIZE;
        struct dcs_sockaddr sa;
        char text[64];
        uint8_t again[DCS_SOCKADDR_RECORD_SIZE];
        dcs_sockaddr_decode(rec, &sa);
        assert_int_equal(sa.family, want[i].family);
        assert_int_equal(sa.port, 0);
        assert_int_equal(sa.flowinfo, 0);
        assert_int_equal(sa.scope_id, want[i].scope);
        assert_int_equal(dcs_sockaddr_format(&sa, text, sizeof text), strlen(want[i].text));
        assert_string_equal(text, want[i].text);
        /* encode is the inverse of decode for the fields; unused bytes come
         * back zero (record 3 has non-zero padding at +48, which the blob
         * itself keeps since the records are a view) */
        dcs_sockaddr_encode(&sa, again);
        size_t used = sa.family == DCS_AF_INET6 ? 28 : 8;
        assert_memory_equal(again, rec, used);
        int padding = 0;
        for (size_t k = used; k < DCS_SOCKADDR_RECORD_SIZE; k++) {
            assert_int_equal(again[k], 0);
            padding |= rec[k];
        }
        assert_int_equal(padding != 0, i == 3);
    }

    /* port and flowinfo byte order: port in network order, rest LE */
    uint8_t rec[DCS_SOCKADDR_RECORD_SIZE] = {0x17, 0x00, 0x1f, 0x90, 0x78, 0x56, 0x34, 0x12};
    rec[8] = 0x20, rec[9] = 0x01, rec[10] = 0x0d, rec[11] = 0xb8, rec[23] = 1;
    rec[24] = 3;
    struct dcs_sockaddr sa;
    uint8_t again[DCS_SOCKADDR_RECORD_SIZE];
    char text[64];
    dcs_sockaddr_decode(rec, &sa);
    assert_int_equal(sa.port, 8080);
    assert_int_equal(sa.flowinfo, 0x12345678);
    assert_int_equal(sa.scope_id, 3);
    dcs_sockaddr_format(&sa, text, sizeof text);
    assert_string_equal(text, "2001:db8::1");
    dcs_sockaddr_encode(&sa, again);
    assert_memory_equal(again, rec, sizeof rec);

    /* an unknown family formats as "" */
    memset(rec, 0, sizeof rec);
    rec[0] = 0x99;
    dcs_sockaddr_decode(rec, &sa);
    assert_int_equal(sa.family, 0x99);
    assert_int_equal(dcs_sockaddr_format(&sa, text, sizeof text), 0);
    assert_string_equal(text, "");
}

/* ---- times, flags, names ------------------------------------------------------------ */

static void test_filetime_format(void **state)
{
    char buf[64];
    assert_int_equal(dcs_filetime_format(0, buf, sizeof buf), 0);
    assert_string_equal(buf, "");
    assert_int_equal(dcs_filetime_format(UINT64_C(129469713583910000), buf, sizeof buf), 24);
    assert_string_equal(buf, "2011-04-11T04:55:58.391Z"); /* #022 */
    dcs_filetime_format(UINT64_C(0x01c588d3661e0e90), buf, sizeof buf);
    assert_string_equal(buf, "2005-07-15T00:23:18.265Z"); /* #021 */
    dcs_filetime_format(UINT64_C(116444736000000000), buf, sizeof buf);
    assert_string_equal(buf, "1970-01-01T00:00:00.000Z");
    dcs_filetime_format(1, buf, sizeof buf);
    assert_string_equal(buf, "1601-01-01T00:00:00.0000001Z");
    dcs_filetime_format(UINT64_C(129469713583910001), buf, sizeof buf);
    assert_string_equal(buf, "2011-04-11T04:55:58.3910001Z");
    /* leap day */
    dcs_filetime_format(UINT64_C(116444736000000000) + UINT64_C(951782400) * 10000000u, buf,
                        sizeof buf);
    assert_string_equal(buf, "2000-02-29T00:00:00.000Z");
    /* the last instant ISO 8601's four-digit year can show; after it no text
     * (JSON then prints null), rather than a five-digit year */
    assert_int_equal(dcs_filetime_format(UINT64_C(2650467743999999999), buf, sizeof buf), 28);
    assert_string_equal(buf, "9999-12-31T23:59:59.9999999Z");
    assert_int_equal(dcs_filetime_format(UINT64_C(2650467744000000000), buf, sizeof buf), 0);
    assert_string_equal(buf, "");
    assert_int_equal(dcs_filetime_format(UINT64_MAX, buf, sizeof buf), 0);
    assert_string_equal(buf, "");
    /* a short buffer is cut, the full length comes back */
    char small[8];
    assert_int_equal(dcs_filetime_format(UINT64_C(129469713583910000), small, sizeof small), 24);
    assert_string_equal(small, "2011-04");
}

static void test_flag_names(void **state)
{
    char buf[80];
    assert_int_equal(dcs_blob_flag_names(0, buf, sizeof buf), 0);
    assert_string_equal(buf, "");
    dcs_blob_flag_names(0x01, buf, sizeof buf);
    assert_string_equal(buf, "DIRECT");
    dcs_blob_flag_names(0x0F, buf, sizeof buf);
    assert_string_equal(buf, "DIRECT|PROXY|AUTO_PROXY_URL|AUTO_DETECT");
    dcs_blob_flag_names(0x0A, buf, sizeof buf);
    assert_string_equal(buf, "PROXY|AUTO_DETECT");
    assert_int_equal(dcs_blob_flag_names(0x12, buf, sizeof buf), strlen("PROXY|0x10"));
    assert_string_equal(buf, "PROXY|0x10");
    dcs_blob_flag_names(0x100, buf, sizeof buf);
    assert_string_equal(buf, "0x100");
    char small[5];
    assert_int_equal(dcs_blob_flag_names(0x03, small, sizeof small), strlen("DIRECT|PROXY"));
    assert_string_equal(small, "DIRE");
}

static void test_names(void **state)
{
    assert_string_equal(dcs_blob_field_name(DCS_FIELD_VERSION), "version");
    assert_string_equal(dcs_blob_field_name(DCS_FIELD_AUTOCONFIG_URL), "autoconfig_url");
    assert_string_equal(dcs_blob_field_name(DCS_FIELD_SOCKADDRS), "sockaddrs");
    assert_string_equal(dcs_blob_field_name(DCS_FIELD_COUNT_), "?");
    const char *fallback = dcs_blob_warning_str((enum dcs_blob_warning_code)999);
    for (int c = DCS_WARN_TRUNCATED; c <= DCS_WARN_WARNINGS_DROPPED; c++) {
        const char *s = dcs_blob_warning_str((enum dcs_blob_warning_code)c);
        assert_non_null(s);
        assert_string_not_equal(s, fallback);
        for (int d = DCS_WARN_TRUNCATED; d < c; d++)
            assert_string_not_equal(s, dcs_blob_warning_str((enum dcs_blob_warning_code)d));
    }
    for (int c = DCS_ERR_BLOB_TRUNCATED; c <= DCS_ERR_BLOB_FIELD; c++)
        assert_string_not_equal(dcs_strerror((dcs_status)c), dcs_strerror((dcs_status)199));
}

/* A WinINET model with a version the decoder would refuse (or read as
 * WinHttpSettings) is not encoded: found by fuzz_blob_json. */
static void test_encode_refuses_wininet_version_below_3c(void **state)
{
    static const uint32_t bad[] = {0, 0x18, 0x23, 0x28, 0x3b};
    (void)state;
    for (unsigned k = 0; k < sizeof bad / sizeof bad[0]; k++) {
        struct dcs_blob b;
        struct dcs_error err;
        size_t n = 99;
        dcs_blob_init(&b, DCS_FORMAT_WININET, DCS_VERSION_IE7);
        b.version = bad[k];
        assert_int_equal(dcs_blob_encode(&b, NULL, 0, &n, &err), DCS_ERR_BLOB_MODEL);
        assert_int_equal(err.code, DCS_ERR_BLOB_MODEL);
        assert_int_equal(n, 0);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_init_and_field_count),
        cmocka_unit_test(test_encode_hand_built_model),
        cmocka_unit_test(test_build_fresh),
        cmocka_unit_test(test_build_from_previous),
        cmocka_unit_test(test_to_winhttp),
        cmocka_unit_test(test_equal_modes),
        cmocka_unit_test(test_encode_validation),
        cmocka_unit_test(test_sockaddrs),
        cmocka_unit_test(test_filetime_format),
        cmocka_unit_test(test_flag_names),
        cmocka_unit_test(test_names),
        cmocka_unit_test(test_encode_refuses_wininet_version_below_3c),
    };
    return cmocka_run_group_tests_name("blob model", tests, load_fixtures, free_fixtures);
}
