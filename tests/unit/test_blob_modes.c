/* Blob decoding: strict vs lenient, every warning with its offset, forced
 * layouts, bad arguments, and the hex-text reader used on pasted blobs. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include <dcs/blob.h>
#include "blob_testlib.h"
#include <dcs/hex.h>

/* Decodes read from an exactly-sized heap copy that lives until the test
 * ends (the model's views point into it). */
#define MAX_HELD 64
static uint8_t *held[MAX_HELD];
static unsigned nheld;

static int release_held(void **state)
{
    (void)state;
    for (unsigned i = 0; i < nheld; i++)
        free(held[i]);
    nheld = 0;
    return 0;
}

static const uint8_t *hold(const struct blob_writer *w)
{
    assert_true(nheld < MAX_HELD);
    held[nheld] = blob_exact_copy(w->buf, w->n);
    return held[nheld++];
}

static void decode_ok(const struct blob_writer *w, unsigned opt, struct dcs_blob *b)
{
    struct dcs_error err;
    dcs_status st = dcs_blob_decode(hold(w), w->n, opt, b, &err);
    if (st != DCS_OK)
        fail_msg("decode (options 0x%x) failed: %s", opt, err.message);
    /* whatever decodes must re-encode to the same bytes */
    uint8_t *out = blob_exact_alloc(w->n);
    size_t n = 0;
    assert_int_equal(dcs_blob_encode(b, out, w->n, &n, &err), DCS_OK);
    assert_int_equal(n, w->n);
    assert_memory_equal(out, w->buf, w->n);
    free(out);
}

static void decode_fails(const struct blob_writer *w, unsigned opt, dcs_status code,
                         uint64_t offset)
{
    struct dcs_blob b;
    struct dcs_error err;
    dcs_status st = dcs_blob_decode(hold(w), w->n, opt, &b, &err);
    if (st != code || err.offset != offset)
        fail_msg("decode (options 0x%x): status %d at %lld (%s), expected %d at %llu", opt, st,
                 (long long)err.offset, st ? err.message : "ok", code,
                 (unsigned long long)offset);
    assert_int_equal(err.code, code);
    assert_true(err.message[0] != '\0');
}

/* Offset of the first warning with this code, or -1. */
static long warning_at(const struct dcs_blob *b, enum dcs_blob_warning_code code)
{
    for (uint32_t i = 0; i < b->nwarnings; i++)
        if (b->warnings[i].code == code)
            return (long)b->warnings[i].offset;
    return -1;
}

/* ---- versions ---------------------------------------------------------------- */

static void test_unknown_version(void **state)
{
    struct blob_writer w;
    struct dcs_blob b;
    bw_ie(&w, 0x47, 2, 0x03, "p:1", "", "", 0);
    decode_ok(&w, DCS_DECODE_LENIENT, &b);
    assert_int_equal(b.format, DCS_FORMAT_WININET);
    assert_int_equal(b.version, 0x47);
    assert_int_equal(b.nfields, DCS_FIELD_COUNT_); /* laid out as 0x46 */
    assert_int_equal(b.trailer.len, 0);
    assert_int_equal(warning_at(&b, DCS_WARN_UNKNOWN_VERSION), 0);
    assert_int_equal(b.nwarnings, 1);
    decode_fails(&w, DCS_DECODE_STRICT, DCS_ERR_BLOB_VERSION, 0);
}

static void test_versions_below_0x3c(void **state)
{
    static const uint32_t bad[] = {0x00, 0x17, 0x19, 0x20, 0x27, 0x29, 0x3B};
    struct blob_writer w;
    for (unsigned i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        bw_ie(&w, bad[i], 1, 1, "", "", "", 0);
        decode_fails(&w, DCS_DECODE_LENIENT, DCS_ERR_BLOB_VERSION, 0);
        decode_fails(&w, DCS_DECODE_STRICT, DCS_ERR_BLOB_VERSION, 0);
        release_held(NULL);
    }
}

static void test_ie5_layout(void **state)
{
    struct blob_writer w;
    struct dcs_blob b;
    bw_ie(&w, 0x3C, 1, 0x09, "", "", "", 1);
    assert_int_equal(w.n, 52);
    decode_ok(&w, DCS_DECODE_STRICT, &b);
    assert_int_equal(b.nfields, DCS_FIELD_RELOAD_DELAY + 1);
    assert_int_equal(b.nwarnings, 0);
    /* A 0x46-sized tail on a 0x3C blob is four trailing bytes. */
    bw_u32(&w, 0);
    decode_fails(&w, DCS_DECODE_STRICT, DCS_ERR_BLOB_TRAILING, 52);
    decode_ok(&w, DCS_DECODE_LENIENT, &b);
    assert_int_equal(warning_at(&b, DCS_WARN_TRAILING), 52);
    assert_int_equal(b.trailer.len, 4);
}

/* ---- trailing bytes ---------------------------------------------------------- */

static void test_trailing_bytes(void **state)
{
    struct blob_writer w;
    struct dcs_blob b;
    bw_ie(&w, 0x46, 5, 0x01, "", "", "", 0);
    assert_int_equal(w.n, 56);
    bw_raw(&w, "\x01\x02\x03", 3);
    decode_fails(&w, DCS_DECODE_STRICT, DCS_ERR_BLOB_TRAILING, 56);
    decode_ok(&w, DCS_DECODE_LENIENT, &b);
    assert_int_equal(b.nfields, DCS_FIELD_COUNT_);
    assert_int_equal(b.trailer.len, 3);
    assert_memory_equal(b.trailer.ptr, "\x01\x02\x03", 3);
    assert_int_equal(warning_at(&b, DCS_WARN_TRAILING), 56);
    assert_int_equal(warning_at(&b, DCS_WARN_TRUNCATED), -1);

    /* WinHTTP has no tail: anything after the bypass list is trailing. */
    bw_head(&w, 0x28, 0, 0x03, "a:42", "*.42");
    bw_raw(&w, "\0\0\0\0", 4);
    decode_fails(&w, DCS_DECODE_STRICT, DCS_ERR_BLOB_TRAILING, 28);
    decode_ok(&w, DCS_DECODE_LENIENT, &b);
    assert_int_equal(b.format, DCS_FORMAT_WINHTTP);
    assert_int_equal(b.trailer.len, 4);
    assert_int_equal(warning_at(&b, DCS_WARN_TRAILING), 28);
}

/* ---- flags ------------------------------------------------------------------- */

static void test_flags_without_direct_bit(void **state)
{
    struct blob_writer w;
    struct dcs_blob b;
    /* What SetProxy.exe wrote (codec/blob/FORMAT.md §6.1): 0x02 without 0x01. */
    bw_ie(&w, 0x46, 0x10, 0x02, "proxy:8080", "", "", 0);
    decode_fails(&w, DCS_DECODE_STRICT, DCS_ERR_BLOB_FLAGS, 8);
    decode_ok(&w, DCS_DECODE_LENIENT, &b);
    assert_int_equal(warning_at(&b, DCS_WARN_NO_DIRECT_BIT), 8);
    assert_int_equal(b.nwarnings, 1);
    assert_true(dcs_blob_uses_proxy(&b));

    /* Wine writes WinHttpSettings flags 2 for a named proxy: fine there. */
    bw_head(&w, 0x18, 0, 0x02, "wine:3128", "");
    decode_ok(&w, DCS_DECODE_STRICT, &b);
    assert_int_equal(b.nwarnings, 0);
    assert_true(dcs_blob_uses_proxy(&b));
}

static void test_unknown_flag_bits(void **state)
{
    struct blob_writer w;
    struct dcs_blob b;
    bw_ie(&w, 0x46, 1, 0x11, "", "", "", 0);
    decode_fails(&w, DCS_DECODE_STRICT, DCS_ERR_BLOB_FLAGS, 8);
    decode_ok(&w, DCS_DECODE_LENIENT, &b);
    assert_int_equal(b.flags, 0x11);
    assert_int_equal(warning_at(&b, DCS_WARN_UNKNOWN_FLAGS), 8);
    assert_int_equal(warning_at(&b, DCS_WARN_NO_DIRECT_BIT), -1);

    bw_ie(&w, 0x46, 1, 0x80000001u, "", "", "", 0);
    decode_fails(&w, DCS_DECODE_STRICT, DCS_ERR_BLOB_FLAGS, 8);

    /* WinHTTP knows only 0x01 and 0x02. */
    bw_head(&w, 0x28, 0, 0x05, "", "");
    decode_fails(&w, DCS_DECODE_STRICT, DCS_ERR_BLOB_FLAGS, 8);
    decode_ok(&w, DCS_DECODE_LENIENT, &b);
    assert_int_equal(warning_at(&b, DCS_WARN_UNKNOWN_FLAGS), 8);
}

static void test_flag_with_empty_string(void **state)
{
    struct blob_writer w;
    struct dcs_blob b;
    /* PROXY bit, empty proxy: Windows wrote this (#004), so strict keeps it. */
    bw_ie(&w, 0x46, 8, 0x03, "", "<local>", "", 1);
    decode_ok(&w, DCS_DECODE_STRICT, &b);
    assert_int_equal(warning_at(&b, DCS_WARN_PROXY_FLAG_EMPTY), 12);
    assert_false(dcs_blob_uses_proxy(&b));

    /* PAC bit with an empty, a blank and a tab-and-space URL (#010). */
    static const char *const blanks[] = {"", " ", " \t "};
    for (unsigned i = 0; i < 3; i++) {
        bw_ie(&w, 0x46, 15, 0x05, "", "b", blanks[i], 1);
        decode_ok(&w, DCS_DECODE_STRICT, &b);
        assert_int_equal(warning_at(&b, DCS_WARN_PAC_FLAG_EMPTY), 12 + 4 + 4 + 1);
        assert_false(dcs_blob_uses_autoconfig(&b));
    }
    /* A real URL, or no PAC bit: no warning. */
    bw_ie(&w, 0x46, 15, 0x05, "", "", " x", 1);
    decode_ok(&w, DCS_DECODE_STRICT, &b);
    assert_int_equal(b.nwarnings, 0);
    assert_true(dcs_blob_uses_autoconfig(&b));
    bw_ie(&w, 0x46, 15, 0x01, "", "", " ", 1);
    decode_ok(&w, DCS_DECODE_STRICT, &b);
    assert_int_equal(b.nwarnings, 0);

    /* WinHTTP flags 3 with an empty proxy (#038). */
    bw_head(&w, 0x28, 0, 0x03, "", "");
    decode_ok(&w, DCS_DECODE_STRICT, &b);
    assert_int_equal(warning_at(&b, DCS_WARN_PROXY_FLAG_EMPTY), 12);
}

/* The decoder settles a complete 0x3C/0x46 blob in a fast path that works
 * out whether there is anything to warn about as it reads: every mix of the
 * inputs of those decisions (flag bits, empty or blank proxy and PAC URL,
 * autodetect bits, socket records) gives exactly the warnings the rules
 * say, at their offsets, in both modes. */
static void check_grid_case(uint32_t version, uint32_t flags, const char *proxy, const char *pac,
                            uint32_t adflags)
{
    struct blob_writer w;
    struct dcs_blob b;
    bw_ie(&w, version, 7, flags, proxy, "<local>", pac, adflags);
    const size_t pac_at = 12 + 4 + strlen(proxy) + 4 + 7;
    long want[DCS_WARN_WARNINGS_DROPPED + 1];
    for (unsigned k = 0; k <= DCS_WARN_WARNINGS_DROPPED; k++)
        want[k] = -1;
    if (!(flags & DCS_PROXY_TYPE_DIRECT))
        want[DCS_WARN_NO_DIRECT_BIT] = 8;
    if (flags & ~DCS_PROXY_TYPE_KNOWN)
        want[DCS_WARN_UNKNOWN_FLAGS] = 8;
    if ((flags & DCS_PROXY_TYPE_PROXY) && !*proxy)
        want[DCS_WARN_PROXY_FLAG_EMPTY] = 12;
    if ((flags & DCS_PROXY_TYPE_AUTO_PROXY_URL) && strspn(pac, " \t") == strlen(pac))
        want[DCS_WARN_PAC_FLAG_EMPTY] = (long)pac_at;
    if (adflags & ~DCS_AUTO_PROXY_FLAG_KNOWN)
        want[DCS_WARN_UNKNOWN_ADFLAGS] = (long)(pac_at + 4 + strlen(pac));
    unsigned nwant = 0;
    for (unsigned k = 0; k <= DCS_WARN_WARNINGS_DROPPED; k++)
        nwant += want[k] >= 0;
    decode_ok(&w, DCS_DECODE_LENIENT, &b);
    assert_int_equal(b.nfields, version == 0x3C ? DCS_FIELD_RELOAD_DELAY + 1 : DCS_FIELD_COUNT_);
    if (b.nwarnings != nwant)
        fail_msg("version 0x%x flags 0x%x proxy '%s' PAC '%s' adflags 0x%x: %u warnings, "
                 "expected %u",
                 version, flags, proxy, pac, adflags, b.nwarnings, nwant);
    for (unsigned k = 1; k <= DCS_WARN_WARNINGS_DROPPED; k++)
        assert_int_equal(warning_at(&b, (enum dcs_blob_warning_code)k), want[k]);
    /* strict refuses exactly the flag findings, the rest stays warnings */
    struct dcs_error err;
    dcs_status st = dcs_blob_decode(hold(&w), w.n, DCS_DECODE_STRICT, &b, &err);
    assert_int_equal(st, (flags & ~DCS_PROXY_TYPE_KNOWN) || !(flags & DCS_PROXY_TYPE_DIRECT)
                             ? DCS_ERR_BLOB_FLAGS : DCS_OK);
    release_held(NULL);
}

static void test_fast_path_warning_grid(void **state)
{
    static const char *const proxies[] = {"", "p:1"};
    static const char *const pacs[] = {"", " ", "\t", "x", "\tx", " \t "};
    static const uint32_t adflags[] = {0x00, 0x40, 0x7F, 0x80, 0x101};
    static const uint32_t versions[] = {0x3C, 0x46};
    for (unsigned v = 0; v < 2; v++)
        for (uint32_t flags = 0; flags < 0x20; flags++)
            for (unsigned p = 0; p < 2; p++)
                for (unsigned u = 0; u < 6; u++)
                    for (unsigned a = 0; a < 5; a++)
                        check_grid_case(versions[v], flags, proxies[p], pacs[u], adflags[a]);
}

/* The counted fields after the PAC URL (last detected URL, IPv4 addresses,
 * secondary URL, socket records) are nearly always empty, and the fast path
 * reads them as if they were before it checks; each of them present, alone
 * or with others, in both layouts, must still give the right views, the
 * warnings of the head (a PROXY flag without a proxy), and, one byte short,
 * the error at the last field. */
static void check_tail_case(uint32_t version, uint32_t flags, unsigned present)
{
    static const char ldu[] = "http://wpad/wpad.dat";
    /* 0.0.0.0 first, so that a length read as if there were no addresses
     * reads 0 and cannot send the blob the careful way by chance */
    static const uint8_t ips[8] = {0, 0, 0, 0, 192, 168, 1, 1};
    uint8_t rec[DCS_SOCKADDR_RECORD_SIZE] = {2, 0, 0, 80, 10, 0, 0, 2};
    const int ie7 = version == 0x46;
    struct blob_writer w;
    struct dcs_blob b;
    bw_head(&w, version, 1, flags, "", "<local>");
    bw_str(&w, "");
    bw_u32(&w, 1);
    bw_str(&w, present & 1 ? ldu : "");
    bw_u64(&w, 0x0102030405060708ull);
    bw_u32(&w, present & 2 ? 2 : 0);
    if (present & 2)
        bw_raw(&w, ips, sizeof ips);
    bw_str(&w, present & 4 ? "s:1" : "");
    bw_u32(&w, 30);
    if (ie7) {
        bw_u32(&w, present & 8 ? 1 : 0);
        if (present & 8)
            bw_raw(&w, rec, sizeof rec);
    }
    decode_ok(&w, DCS_DECODE_LENIENT, &b);
    assert_int_equal(b.nfields, ie7 ? DCS_FIELD_COUNT_ : DCS_FIELD_RELOAD_DELAY + 1);
    assert_int_equal(b.last_detect_url.len, present & 1 ? strlen(ldu) : 0);
    if (present & 1)
        assert_memory_equal(b.last_detect_url.ptr, ldu, strlen(ldu));
    assert_true(b.last_detect_time == 0x0102030405060708ull);
    assert_int_equal(b.ipv4_count, present & 2 ? 2 : 0);
    if (present & 2)
        assert_memory_equal(b.ipv4, ips, sizeof ips);
    assert_int_equal(b.secondary_url.len, present & 4 ? 3 : 0);
    if (present & 4)
        assert_memory_equal(b.secondary_url.ptr, "s:1", 3);
    assert_int_equal(b.reload_delay_mins, 30);
    assert_int_equal(b.sockaddr_count, ie7 && (present & 8) ? 1 : 0);
    if (ie7 && (present & 8))
        assert_memory_equal(b.sockaddrs, rec, sizeof rec);
    assert_int_equal(b.trailer.len, 0);
    assert_int_equal(b.nwarnings, flags & DCS_PROXY_TYPE_PROXY ? 1 : 0);
    assert_int_equal(warning_at(&b, DCS_WARN_PROXY_FLAG_EMPTY),
                     flags & DCS_PROXY_TYPE_PROXY ? 12 : -1);
    const size_t records = ie7 && (present & 8) ? DCS_SOCKADDR_RECORD_SIZE : 0;
    w.n--;
    decode_fails(&w, DCS_DECODE_STRICT, DCS_ERR_BLOB_TRUNCATED, w.n + 1 - 4 - records);
    release_held(NULL);
}

static void test_tail_fields_present(void **state)
{
    for (unsigned present = 0; present < 16; present++) {
        for (uint32_t flags = 0x01; flags <= 0x03; flags += 2) {
            check_tail_case(0x46, flags, present);
            if (!(present & 8))
                check_tail_case(0x3C, flags, present);
        }
    }
}

static void test_winhttp_counter(void **state)
{
    struct blob_writer w;
    struct dcs_blob b;
    bw_head(&w, 0x18, 7, 0x03, "p:1", "");
    decode_ok(&w, DCS_DECODE_LENIENT, &b);
    assert_int_equal(b.counter, 7);
    assert_int_equal(warning_at(&b, DCS_WARN_WINHTTP_COUNTER), 4);
    decode_ok(&w, DCS_DECODE_STRICT, &b);
    assert_int_equal(warning_at(&b, DCS_WARN_WINHTTP_COUNTER), 4);
    /* a WinINET counter is never checked */
    bw_ie(&w, 0x46, 0xFFFFFFFFu, 0x01, "", "", "", 0);
    decode_ok(&w, DCS_DECODE_STRICT, &b);
    assert_int_equal(b.nwarnings, 0);
}

static void test_autodiscovery_and_sockaddr_warnings(void **state)
{
    struct blob_writer w;
    struct dcs_blob b;
    bw_ie(&w, 0x46, 1, 0x09, "", "", "", 0x80);
    decode_ok(&w, DCS_DECODE_STRICT, &b);
    assert_int_equal(warning_at(&b, DCS_WARN_UNKNOWN_ADFLAGS), 24);

    /* one AF_INET record, then one of family 0x0099 */
    uint8_t rec[2][DCS_SOCKADDR_RECORD_SIZE];
    memset(rec, 0, sizeof rec);
    rec[0][0] = 2, rec[0][4] = 10, rec[0][7] = 1;
    rec[1][0] = 0x99;
    bw_head(&w, 0x46, 1, 0x09, "", "");
    bw_str(&w, "");
    bw_u32(&w, 4);
    bw_str(&w, "");
    bw_u64(&w, 0);
    bw_u32(&w, 0);
    bw_str(&w, "");
    bw_u32(&w, 0);
    bw_u32(&w, 2);
    bw_raw(&w, rec, sizeof rec);
    decode_ok(&w, DCS_DECODE_STRICT, &b);
    assert_int_equal(b.sockaddr_count, 2);
    assert_int_equal(warning_at(&b, DCS_WARN_SOCKADDR_FAMILY), 56 + 128);
}

/* ---- strings ------------------------------------------------------------------- */

static void string_case(const void *s, size_t n, long nul, long utf8)
{
    struct blob_writer w;
    struct dcs_blob b;
    bw_head(&w, 0x46, 1, 0x03, "p:1", "");
    w.n -= 4; /* replace the empty bypass */
    bw_strn(&w, s, n);
    bw_str(&w, "");
    bw_u32(&w, 0);
    bw_str(&w, "");
    bw_u64(&w, 0);
    bw_u32(&w, 0);
    bw_str(&w, "");
    bw_u32(&w, 0);
    bw_u32(&w, 0);
    /* Text checks are opt-in: without DCS_DECODE_CHECK_TEXT nothing is said. */
    decode_ok(&w, DCS_DECODE_STRICT, &b);
    assert_int_equal(warning_at(&b, DCS_WARN_NUL_IN_STRING), -1);
    assert_int_equal(warning_at(&b, DCS_WARN_NOT_UTF8), -1);
    decode_ok(&w, DCS_DECODE_STRICT | DCS_DECODE_CHECK_TEXT, &b);
    assert_int_equal(b.bypass.len, n);
    if (warning_at(&b, DCS_WARN_NUL_IN_STRING) != nul ||
        warning_at(&b, DCS_WARN_NOT_UTF8) != utf8)
        fail_msg("bypass of %zu bytes: NUL warning %ld, UTF-8 warning %ld; expected %ld, %ld", n,
                 warning_at(&b, DCS_WARN_NUL_IN_STRING), warning_at(&b, DCS_WARN_NOT_UTF8), nul,
                 utf8);
}

static void test_string_contents(void **state)
{
    const long at = 12 + 4 + 3; /* bypass length DWORD */
    string_case("plain;<local>", 13, -1, -1);
    /* NUL in the short tail and in the word-at-a-time part */
    string_case("a\0b", 3, at, -1);
    string_case("0123456\0" "89abcdef", 16, at, -1);
    string_case("\0" "123456789", 10, at, -1);
    string_case("01234567" "89abcde\0", 16, at, -1);
    /* valid UTF-8: 2, 3 and 4-byte sequences, also past the first word */
    string_case("caf\xc3\xa9", 5, -1, -1);
    string_case("0123456789\xe2\x82\xac\xf0\x9d\x84\x9e", 17, -1, -1);
    /* not UTF-8: Latin-1, overlong, surrogate, above U+10FFFF, cut short */
    string_case("caf\xe9", 4, -1, at);
    string_case("\xc0\x80", 2, -1, at);
    string_case("\xed\xa0\x80", 3, -1, at);
    string_case("\xf4\x90\x80\x80", 4, -1, at);
    string_case("abcdefgh\xe2\x82", 10, -1, at);
    string_case("\x80", 1, -1, at);
    /* both at once */
    string_case("\0\xff", 2, at, at);
}

static void test_too_many_warnings(void **state)
{
    struct blob_writer w;
    struct dcs_blob b;
    /* unknown version, unknown flag bits, no DIRECT bit, PROXY flag empty,
     * PAC flag empty, unknown adflags, NUL, not UTF-8, trailing: 9 > 8 */
    bw_reset(&w);
    bw_u32(&w, 0x50);
    bw_u32(&w, 0);
    bw_u32(&w, 0x16);
    bw_str(&w, "");
    bw_strn(&w, "", 1); /* bypass: one NUL byte */
    bw_str(&w, "");
    bw_u32(&w, 0xFF);
    bw_str(&w, "\xff");
    bw_u64(&w, 0);
    bw_u32(&w, 0);
    bw_str(&w, "");
    bw_u32(&w, 0);
    bw_u32(&w, 0);
    bw_raw(&w, "x", 1);
    decode_ok(&w, DCS_DECODE_LENIENT | DCS_DECODE_CHECK_TEXT, &b);
    assert_int_equal(b.bypass.len, 1);
    assert_int_equal(b.nwarnings, DCS_BLOB_MAX_WARNINGS);
    assert_int_equal(b.warnings[DCS_BLOB_MAX_WARNINGS - 1].code, DCS_WARN_WARNINGS_DROPPED);
    assert_int_equal(b.warnings[0].code, DCS_WARN_UNKNOWN_VERSION);
}

/* ---- forced layouts and bad arguments ---------------------------------------- */

static void test_forced_layout(void **state)
{
    struct blob_writer w;
    struct dcs_blob b;
    bw_head(&w, 0x28, 0, 0x03, "a:42", "*.42");
    decode_fails(&w, DCS_DECODE_WININET, DCS_ERR_BLOB_VERSION, 0);
    decode_fails(&w, DCS_DECODE_WININET | DCS_DECODE_STRICT, DCS_ERR_BLOB_VERSION, 0);
    decode_ok(&w, DCS_DECODE_WINHTTP | DCS_DECODE_STRICT, &b);

    /* A WinINET blob read as WinHttpSettings: strict refuses; lenient reads
     * the header and two strings and keeps the rest as the trailer. */
    bw_ie(&w, 0x46, 3, 0x03, "p:80", "<local>", "", 1);
    decode_fails(&w, DCS_DECODE_WINHTTP | DCS_DECODE_STRICT, DCS_ERR_BLOB_VERSION, 0);
    decode_ok(&w, DCS_DECODE_WINHTTP, &b);
    assert_int_equal(b.format, DCS_FORMAT_WINHTTP);
    assert_int_equal(b.nfields, DCS_FIELD_BYPASS + 1);
    assert_int_equal(b.trailer.len, w.n - (12 + 8 + 4 + 7));
    assert_int_equal(warning_at(&b, DCS_WARN_UNKNOWN_VERSION), 0);
    assert_int_equal(warning_at(&b, DCS_WARN_TRAILING), 12 + 8 + 4 + 7);
    decode_ok(&w, DCS_DECODE_WININET | DCS_DECODE_STRICT, &b);

    struct dcs_error err;
    assert_int_equal(dcs_blob_decode(w.buf, w.n, DCS_DECODE_WININET | DCS_DECODE_WINHTTP, &b,
                                     &err),
                     DCS_ERR_INVALID_ARG);
}

static void test_bad_arguments(void **state)
{
    struct dcs_blob b;
    struct dcs_error err;
    uint8_t one[4] = {0x46, 0, 0, 0};
    assert_int_equal(dcs_blob_decode(NULL, 4, 0, &b, &err), DCS_ERR_INVALID_ARG);
    assert_int_equal(dcs_blob_decode(one, 4, 0, NULL, &err), DCS_ERR_INVALID_ARG);
    /* NULL with size 0 is an empty blob: truncated at the version */
    assert_int_equal(dcs_blob_decode(NULL, 0, 0, &b, &err), DCS_ERR_BLOB_TRUNCATED);
    assert_int_equal(err.offset, 0);
    /* the size is checked before any byte is read */
    assert_int_equal(dcs_blob_decode(one, (size_t)UINT32_MAX + 1u, 0, &b, &err), DCS_ERR_LIMIT);
    /* err may be NULL */
    assert_int_equal(dcs_blob_decode(one, 3, 0, &b, NULL), DCS_ERR_BLOB_TRUNCATED);
}

static void test_error_message_names_field(void **state)
{
    struct blob_writer w;
    struct dcs_blob b;
    struct dcs_error err;
    bw_ie(&w, 0x46, 1, 0x03, "proxy:1", "", "", 0);
    w.buf[12] = 200; /* proxy length past the end */
    const uint8_t *p = hold(&w);
    assert_int_equal(dcs_blob_decode(p, w.n, 0, &b, &err), DCS_ERR_BLOB_TRUNCATED);
    assert_int_equal(err.offset, 12);
    assert_non_null(strstr(err.message, "proxy"));
    assert_non_null(strstr(err.message, "12"));
    assert_non_null(strstr(err.message, "200"));
    char line[300];
    dcs_error_format(&err, line, sizeof line);
    assert_non_null(strstr(line, "offset 12"));
}

/* ---- hex text ------------------------------------------------------------------ */

static void hex_ok(const char *text, const void *want, size_t n)
{
    uint8_t out[256];
    size_t got = 0;
    struct dcs_error err;
    dcs_status st = dcs_hex_text_decode(text, strlen(text), out, sizeof out, &got, &err);
    if (st != DCS_OK)
        fail_msg("hex '%s': %s", text, err.message);
    assert_int_equal(got, n);
    assert_memory_equal(out, want, n);
    /* size query */
    got = 0;
    assert_int_equal(dcs_hex_text_decode(text, strlen(text), NULL, 0, &got, &err), DCS_OK);
    assert_int_equal(got, n);
}

static void hex_fails(const char *text, uint64_t offset, uint32_t line, uint32_t col)
{
    uint8_t out[256];
    size_t got = 0;
    struct dcs_error err;
    assert_int_equal(dcs_hex_text_decode(text, strlen(text), out, sizeof out, &got, &err),
                     DCS_ERR_HEX_SYNTAX);
    if (err.offset != offset || err.line != line || err.column != col)
        fail_msg("hex '%s': error at %llu %u:%u, expected %llu %u:%u (%s)", text,
                 (unsigned long long)err.offset, err.line, err.column,
                 (unsigned long long)offset, line, col, err.message);
    assert_int_equal(got, 0);
}

static void test_hex_text(void **state)
{
    hex_ok("46 00 00 00", "\x46\0\0\0", 4);
    hex_ok("4600ABcd", "\x46\x00\xab\xcd", 4);
    hex_ok("0x46, 0x00,0x01", "\x46\x00\x01", 3);
    hex_ok("46:00-01\t02\r\n03", "\x46\x00\x01\x02\x03", 5);
    hex_ok("hex:46,00", "\x46\x00", 2);
    hex_ok("HEX(3):46,00", "\x46\x00", 2);
    hex_ok("\"DefaultConnectionSettings\"=hex:46,00,00,00,\\\n  03,00,00,00\n",
           "\x46\0\0\0\x03\0\0\0", 8);
    hex_ok("\"Some \\\"quoted\\\" name\" = hex:0f", "\x0f", 1);
    hex_ok("@=hex(3):ff,\\\r\n  fe", "\xff\xfe", 2);
    hex_ok("; a comment with 12 34\n46 # another 56\n00", "\x46\x00", 2);
    hex_ok("", "", 0);
    hex_ok("  \n\t", "", 0);

    hex_fails("46 00\n  abc\n", 8, 2, 3);              /* odd digit count */
    hex_fails("46 zz", 3, 1, 4);                       /* not a digit */
    hex_fails("46 0g", 4, 1, 5);                       /* digit run ends badly */
    hex_fails("46\n\"name=hex:00", 3, 2, 1);            /* unterminated name */
    hex_fails("hex(:00", 0, 1, 1);                     /* bad hex(N) tag */
    hex_fails("\"n\" hex:00", 0, 1, 1);                 /* name without '=' */

    /* too small a buffer: the full count comes back */
    uint8_t two[2];
    size_t got = 0;
    struct dcs_error err;
    assert_int_equal(dcs_hex_text_decode("01 02 03", 8, two, 2, &got, &err),
                     DCS_ERR_BUFFER_TOO_SMALL);
    assert_int_equal(got, 3);
    assert_int_equal(two[0], 1);
    assert_int_equal(two[1], 2);
    /* a capacity without a buffer is a caller bug, not a crash */
    assert_int_equal(dcs_hex_text_decode("01", 2, NULL, 4, &got, &err), DCS_ERR_INVALID_ARG);
    assert_int_equal(dcs_hex_text_decode(NULL, 2, two, 2, &got, &err), DCS_ERR_INVALID_ARG);
}

static void test_hex_detect_and_encode(void **state)
{
    assert_int_equal(dcs_hex_text_detect("46 00 00 00", 11), 1);
    assert_int_equal(dcs_hex_text_detect("hex:46,00", 9), 1);
    assert_int_equal(dcs_hex_text_detect("\x46\0\0\0", 4), 0);
    assert_int_equal(dcs_hex_text_detect("", 0), 0);
    assert_int_equal(dcs_hex_text_detect("  ; only a comment\n", 19), 0);
    assert_int_equal(dcs_hex_text_detect("hello", 5), 0);
    assert_int_equal(dcs_hex_text_detect("46 \xc3\xa9", 5), 0);

    char out[9];
    assert_int_equal(dcs_hex_encode("\x00\x7f\xa5\xff", 4, out), 8);
    assert_memory_equal(out, "007fa5ff", 8);
    assert_int_equal(dcs_hex_digit('F'), 15);
    assert_int_equal(dcs_hex_digit('a'), 10);
    assert_int_equal(dcs_hex_digit('9'), 9);
    assert_int_equal(dcs_hex_digit('g'), -1);
    assert_int_equal(dcs_hex_digit('@'), -1);
}

#define T(fn) cmocka_unit_test_teardown(fn, release_held)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_unknown_version),
        T(test_versions_below_0x3c),
        T(test_ie5_layout),
        T(test_trailing_bytes),
        T(test_flags_without_direct_bit),
        T(test_unknown_flag_bits),
        T(test_flag_with_empty_string),
        T(test_fast_path_warning_grid),
        T(test_tail_fields_present),
        T(test_winhttp_counter),
        T(test_autodiscovery_and_sockaddr_warnings),
        T(test_string_contents),
        T(test_too_many_warnings),
        T(test_forced_layout),
        T(test_bad_arguments),
        T(test_error_message_names_field),
        T(test_hex_text),
        T(test_hex_detect_and_encode),
    };
    return cmocka_run_group_tests_name("blob modes", tests, NULL, NULL);
}
