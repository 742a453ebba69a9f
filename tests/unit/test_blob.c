/* Blob codec over every fixture in a directory: tests/data/blobs by default,
 * plus $DCS_SHARED/fixtures/blobs when that exists (kept-back fixtures are
 * dropped there), or the directories given as arguments.
 *
 * For each fixture: lenient decode matches the "Decoded here" block of its
 * .source file; strict decode agrees with the warnings; encode is
 * byte-identical with an exact size query; every proper prefix and every
 * corrupted length is rejected (or, for prefixes, accepted losslessly) at the
 * right offset.  All decodes read from exactly-sized heap copies so that ASan
 * and valgrind see any over-read. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <dcs/blob.h>
#include "blob_testlib.h"
#include <dcs/hex.h>

static int has_warning(const struct dcs_blob *b, enum dcs_blob_warning_code code)
{
    for (uint32_t i = 0; i < b->nwarnings; i++)
        if (b->warnings[i].code == code)
            return 1;
    return 0;
}

static int view_inside(dcs_bytes v, const uint8_t *base, size_t size)
{
    return v.len == 0 || (v.ptr >= base && v.ptr + v.len <= base + size);
}

/* ---- the .source block ------------------------------------------------------ */

static void want_uint(const struct blob_fixture *fx, const struct blob_source_line *l,
                        uint64_t actual)
{
    uint64_t want;
    if (!blob_parse_uint(l->value, l->value_len, &want))
        fail_msg("%s: %s: cannot read '%.*s'", fx->name, l->key, (int)l->value_len, l->value);
    if (want != actual)
        fail_msg("%s: %s is %llu, .source says %.*s", fx->name, l->key,
                 (unsigned long long)actual, (int)l->value_len, l->value);
}

static void want_string(const struct blob_fixture *fx, const struct blob_source_line *l,
                          dcs_bytes actual)
{
    if (!blob_pyrepr_equals(l->value, l->value_len, actual))
        fail_msg("%s: %s is \"%.*s\" (%u bytes), .source says %.*s", fx->name, l->key,
                 (int)actual.len, actual.ptr ? (const char *)actual.ptr : "", actual.len,
                 (int)l->value_len, l->value);
}

static void want_time(const struct blob_fixture *fx, const struct blob_source_line *l,
                        uint64_t filetime)
{
    uint64_t us;
    if (l->value_len == 1 && l->value[0] == '0') {
        if (filetime != 0)
            fail_msg("%s: detect_time is %llu, .source says 0", fx->name,
                     (unsigned long long)filetime);
        return;
    }
    if (!blob_parse_datetime_us(l->value, l->value_len, &us))
        fail_msg("%s: detect_time: cannot read '%.*s'", fx->name, (int)l->value_len, l->value);
    /* Python's datetime holds microseconds; a FILETIME holds 100 ns ticks. */
    if (filetime / 10 != us && (filetime + 5) / 10 != us)
        fail_msg("%s: detect_time is %llu ticks, .source says %.*s (%llu us)", fx->name,
                 (unsigned long long)filetime, (int)l->value_len, l->value,
                 (unsigned long long)us);
}

static void want_bytes_text(const struct blob_fixture *fx, const struct blob_source_line *l,
                              dcs_bytes actual)
{
    if (l->value_len && (l->value[0] == '\'' || l->value[0] == '"' || l->value[0] == 'b')) {
        want_string(fx, l, actual);
        return;
    }
    uint8_t *buf = malloc(l->value_len + 1);
    size_t n = 0;
    struct dcs_error err;
    assert_non_null(buf);
    if (dcs_hex_text_decode(l->value, l->value_len, buf, l->value_len + 1, &n, &err) != DCS_OK)
        fail_msg("%s: %s: %s", fx->name, l->key, err.message);
    int eq = n == actual.len && (n == 0 || memcmp(buf, actual.ptr, n) == 0);
    free(buf);
    if (!eq)
        fail_msg("%s: %s: %u bytes left over, .source says %.*s", fx->name, l->key, actual.len,
                 (int)l->value_len, l->value);
}

/* "['141.168.78.158', ...]" against the model's IPv4 list. */
static void want_ipv4s(const struct blob_fixture *fx, const struct blob_source_line *l,
                         const struct dcs_blob *b)
{
    const char *s = l->value, *e = l->value + l->value_len;
    uint32_t k = 0;
    if (s == e || *s++ != '[')
        fail_msg("%s: ipv4s: expected a list", fx->name);
    while (s < e && *s != ']') {
        uint8_t l1[64], u8[64];
        size_t n1, n2, used;
        char dotted[20];
        if (!blob_pyrepr_parse(s, (size_t)(e - s), l1, &n1, u8, &n2, sizeof l1, &used))
            fail_msg("%s: ipv4s: cannot read '%.*s'", fx->name, (int)l->value_len, l->value);
        if (k >= b->ipv4_count)
            fail_msg("%s: ipv4s: .source lists more than %u", fx->name, b->ipv4_count);
        const uint8_t *q = b->ipv4 + 4u * k++;
        int dl = snprintf(dotted, sizeof dotted, "%u.%u.%u.%u", q[0], q[1], q[2], q[3]);
        if ((size_t)dl != n1 || memcmp(dotted, l1, n1) != 0)
            fail_msg("%s: ipv4s[%u] is %s, .source says %.*s", fx->name, k - 1, dotted,
                     (int)used, s);
        s += used;
        while (s < e && (*s == ',' || *s == ' '))
            s++;
    }
    if (k != b->ipv4_count)
        fail_msg("%s: ipv4s: model has %u, .source lists %u", fx->name, b->ipv4_count, k);
}

/* "[('AF_INET6', 'fe80::1', 'scope', 11), ('AF_INET', '192.168.1.101')]" */
static void want_sockaddrs(const struct blob_fixture *fx, const struct blob_source_line *l,
                             const struct dcs_blob *b)
{
    const char *s = l->value, *e = l->value + l->value_len;
    uint32_t k = 0;
    if (s == e || *s++ != '[')
        fail_msg("%s: sockaddrs: expected a list", fx->name);
    while (s < e && *s != ']') {
        if (*s++ != '(')
            fail_msg("%s: sockaddrs: expected a tuple at '%.*s'", fx->name, (int)(e - s), s);
        if (k >= b->sockaddr_count)
            fail_msg("%s: sockaddrs: .source lists more than %u", fx->name, b->sockaddr_count);
        struct dcs_sockaddr sa;
        dcs_sockaddr_decode(b->sockaddrs + (size_t)k * DCS_SOCKADDR_RECORD_SIZE, &sa);
        char addr[64];
        dcs_sockaddr_format(&sa, addr, sizeof addr);
        int item = 0, after_scope = 0;
        while (s < e && *s != ')') {
            uint8_t l1[128], u8[128];
            size_t n1 = 0, n2, used = 0;
            if (*s == '\'' || *s == '"') {
                if (!blob_pyrepr_parse(s, (size_t)(e - s), l1, &n1, u8, &n2, sizeof l1, &used))
                    fail_msg("%s: sockaddrs: bad string", fx->name);
                l1[n1] = '\0';
                if (item == 0) {
                    uint16_t fam = strcmp((char *)l1, "AF_INET") == 0    ? DCS_AF_INET
                                   : strcmp((char *)l1, "AF_INET6") == 0 ? DCS_AF_INET6
                                                                         : 0xFFFF;
                    if (fam != sa.family)
                        fail_msg("%s: sockaddrs[%u]: family %u, .source says %s", fx->name, k,
                                 sa.family, (char *)l1);
                } else if (item == 1) {
                    if (strcmp((char *)l1, addr) != 0)
                        fail_msg("%s: sockaddrs[%u]: address %s, .source says %s", fx->name, k,
                                 addr, (char *)l1);
                }
                after_scope = strcmp((char *)l1, "scope") == 0;
            } else {
                const char *ne = s;
                uint64_t v;
                while (ne < e && *ne >= '0' && *ne <= '9')
                    ne++;
                if (!blob_parse_uint(s, (size_t)(ne - s), &v))
                    fail_msg("%s: sockaddrs: cannot read '%.*s'", fx->name, (int)(e - s), s);
                if (after_scope && v != sa.scope_id)
                    fail_msg("%s: sockaddrs[%u]: scope %u, .source says %llu", fx->name, k,
                             sa.scope_id, (unsigned long long)v);
                used = (size_t)(ne - s);
                after_scope = 0;
            }
            s += used;
            item++;
            while (s < e && (*s == ',' || *s == ' '))
                s++;
        }
        if (s == e)
            fail_msg("%s: sockaddrs: unterminated tuple", fx->name);
        s++;
        k++;
        while (s < e && (*s == ',' || *s == ' '))
            s++;
    }
    if (k != b->sockaddr_count)
        fail_msg("%s: sockaddrs: model has %u, .source lists %u", fx->name, b->sockaddr_count, k);
}

static void check_against_source(const struct blob_fixture *fx, const struct dcs_blob *b)
{
    struct blob_source src;
    if (!fx->source)
        fail_msg("%s: no .source file beside the fixture", fx->name);
    if (!blob_source_parse(fx->source, &src))
        fail_msg("%s: .source has no \"Decoded here\" block", fx->name);
    if (src.declared_length >= 0 && (size_t)src.declared_length != fx->size)
        fail_msg("%s: %zu bytes, .source says Length: %ld", fx->name, fx->size,
                 src.declared_length);
    static const char *const required[] = {"version", "counter", "flags", "proxy", "bypass"};
    for (unsigned i = 0; i < sizeof required / sizeof required[0]; i++)
        if (!blob_source_get(&src, required[i]))
            fail_msg("%s: .source lacks '%s'", fx->name, required[i]);

    for (unsigned i = 0; i < src.n; i++) {
        const struct blob_source_line *l = &src.lines[i];
        const char *k = l->key;
        if (strcmp(k, "version") == 0)
            want_uint(fx, l, b->version);
        else if (strcmp(k, "counter") == 0)
            want_uint(fx, l, b->counter);
        else if (strcmp(k, "flags") == 0)
            want_uint(fx, l, b->flags);
        else if (strcmp(k, "proxy") == 0)
            want_string(fx, l, b->proxy);
        else if (strcmp(k, "bypass") == 0)
            want_string(fx, l, b->bypass);
        else if (strcmp(k, "pac") == 0)
            want_string(fx, l, b->autoconfig_url);
        else if (strcmp(k, "autodetect_flags") == 0)
            want_uint(fx, l, b->autodiscovery_flags);
        else if (strcmp(k, "lkg_url") == 0)
            want_string(fx, l, b->last_detect_url);
        else if (strcmp(k, "detect_time") == 0)
            want_time(fx, l, b->last_detect_time);
        else if (strcmp(k, "ipv4_count") == 0)
            want_uint(fx, l, b->ipv4_count);
        else if (strcmp(k, "ipv4s") == 0)
            want_ipv4s(fx, l, b);
        else if (strcmp(k, "secondary_url") == 0)
            want_string(fx, l, b->secondary_url);
        else if (strcmp(k, "reload_delay_mins") == 0)
            want_uint(fx, l, b->reload_delay_mins);
        else if (strcmp(k, "sockaddr_count") == 0)
            want_uint(fx, l, b->sockaddr_count);
        else if (strcmp(k, "sockaddrs") == 0)
            want_sockaddrs(fx, l, b);
        else if (strcmp(k, "consumed") == 0)
            want_uint(fx, l, fx->size - b->trailer.len);
        else if (strcmp(k, "total") == 0)
            want_uint(fx, l, fx->size);
        else if (strcmp(k, "leftover") == 0 || strcmp(k, "rest") == 0)
            want_bytes_text(fx, l, b->trailer);
        else
            print_message("%s: .source key '%s' not checked\n", fx->name, k);
    }
    /* A WinHTTP source lists no PAC URL; a WinINET one does. */
    int has_pac = blob_source_get(&src, "pac") != NULL;
    if (has_pac != (b->format == DCS_FORMAT_WININET))
        fail_msg("%s: decoded as %s but the .source %s a PAC URL", fx->name,
                 b->format == DCS_FORMAT_WININET ? "WinINET" : "WinHTTP",
                 has_pac ? "lists" : "lists no");
}

/* ---- per-fixture tests ------------------------------------------------------ */

/* What strict mode must say about a blob that lenient mode accepted. */
static void want_strict(const struct blob_fixture *fx, const uint8_t *data,
                          const struct dcs_blob *lenient)
{
    struct dcs_blob sb;
    struct dcs_error err;
    dcs_status want = DCS_OK;
    uint64_t at = 0;
    int winhttp = lenient->format == DCS_FORMAT_WINHTTP;
    if (has_warning(lenient, DCS_WARN_UNKNOWN_VERSION)) {
        want = DCS_ERR_BLOB_VERSION;
    } else if (has_warning(lenient, DCS_WARN_TRUNCATED)) {
        want = DCS_ERR_BLOB_TRUNCATED;
        at = fx->size - lenient->trailer.len;
    } else if (has_warning(lenient, DCS_WARN_TRAILING)) {
        want = DCS_ERR_BLOB_TRAILING;
        at = fx->size - lenient->trailer.len;
    } else if (has_warning(lenient, DCS_WARN_UNKNOWN_FLAGS) ||
               (!winhttp && has_warning(lenient, DCS_WARN_NO_DIRECT_BIT))) {
        want = DCS_ERR_BLOB_FLAGS;
        at = 8;
    }
    dcs_status st = dcs_blob_decode(data, fx->size, DCS_DECODE_STRICT, &sb, &err);
    if (st != want)
        fail_msg("%s: strict decode gives %d (%s), expected %d", fx->name, st,
                 st ? err.message : "ok", want);
    if (st != DCS_OK) {
        assert_int_equal(err.offset, at);
        return;
    }
    assert_true(dcs_blob_equal(&sb, lenient, DCS_EQUAL_EXACT));
    assert_int_equal(sb.nwarnings, lenient->nwarnings);
}

static void test_fixture_fields(void **state)
{
    const struct blob_fixture *fx = *state;
    uint8_t *data = blob_exact_copy(fx->data, fx->size);
    struct dcs_blob b;
    struct dcs_error err;
    dcs_status st = dcs_blob_decode(data, fx->size, DCS_DECODE_LENIENT, &b, &err);
    if (st != DCS_OK)
        fail_msg("%s: lenient decode failed: %s", fx->name, err.message);

    check_against_source(fx, &b);

    /* The independent layout walk agrees on where the known fields end. */
    struct blob_layout lay;
    assert_true(blob_layout_walk(data, fx->size, &lay));
    assert_int_equal(b.nfields, lay.complete);
    assert_int_equal(fx->size - b.trailer.len, lay.end);
    assert_int_equal(b.format, lay.winhttp ? DCS_FORMAT_WINHTTP : DCS_FORMAT_WININET);

    /* Zero-copy: every view points into the caller's buffer. */
    assert_true(view_inside(b.proxy, data, fx->size));
    assert_true(view_inside(b.bypass, data, fx->size));
    assert_true(view_inside(b.autoconfig_url, data, fx->size));
    assert_true(view_inside(b.last_detect_url, data, fx->size));
    assert_true(view_inside(b.secondary_url, data, fx->size));
    assert_true(view_inside(b.trailer, data, fx->size));
    assert_true(view_inside((dcs_bytes){b.ipv4, b.ipv4_count * 4u}, data, fx->size));
    assert_true(view_inside((dcs_bytes){b.sockaddrs, b.sockaddr_count * DCS_SOCKADDR_RECORD_SIZE},
                            data, fx->size));

    /* Forcing the layout the version already names changes nothing. */
    struct dcs_blob forced;
    unsigned opt = b.format == DCS_FORMAT_WINHTTP ? DCS_DECODE_WINHTTP : DCS_DECODE_WININET;
    assert_int_equal(dcs_blob_decode(data, fx->size, opt, &forced, &err), DCS_OK);
    assert_true(dcs_blob_equal(&forced, &b, DCS_EQUAL_EXACT));

    want_strict(fx, data, &b);
    free(data);
}

static void test_fixture_roundtrip(void **state)
{
    const struct blob_fixture *fx = *state;
    uint8_t *data = blob_exact_copy(fx->data, fx->size);
    struct dcs_blob b, again;
    struct dcs_error err;
    size_t written = 12345;
    assert_int_equal(dcs_blob_decode(data, fx->size, DCS_DECODE_LENIENT, &b, &err), DCS_OK);

    assert_int_equal(dcs_blob_encode(&b, NULL, 0, &written, &err), DCS_OK);
    assert_int_equal(written, fx->size);
    assert_int_equal(dcs_blob_encoded_size(&b), fx->size);

    uint8_t *out = blob_exact_alloc(fx->size);
    assert_int_equal(dcs_blob_encode(&b, out, fx->size, &written, &err), DCS_OK);
    assert_int_equal(written, fx->size);
    if (memcmp(out, fx->data, fx->size) != 0)
        fail_msg("%s: re-encoding differs from the fixture", fx->name);

    /* One byte short: nothing written, the needed size reported. */
    uint8_t *small = blob_exact_alloc(fx->size - 1);
    memset(small, 0xA5, fx->size - 1);
    written = 0;
    assert_int_equal(dcs_blob_encode(&b, small, fx->size - 1, &written, &err),
                     DCS_ERR_BUFFER_TOO_SMALL);
    assert_int_equal(err.code, DCS_ERR_BUFFER_TOO_SMALL);
    assert_int_equal(written, fx->size);
    for (size_t i = 0; i + 1 < fx->size; i++)
        assert_int_equal(small[i], 0xA5);
    free(small);

    /* decode(encode(decode(b))) is the same model. */
    assert_int_equal(dcs_blob_decode(out, fx->size, DCS_DECODE_LENIENT, &again, &err), DCS_OK);
    assert_true(dcs_blob_equal(&again, &b, DCS_EQUAL_EXACT));
    assert_true(dcs_blob_equal(&again, &b, DCS_EQUAL_IGNORE_COUNTER));
    assert_true(dcs_blob_equal(&again, &b, DCS_EQUAL_EFFECTIVE));
    assert_int_equal(again.nwarnings, b.nwarnings);
    for (uint32_t i = 0; i < b.nwarnings; i++) {
        assert_int_equal(again.warnings[i].code, b.warnings[i].code);
        assert_int_equal(again.warnings[i].offset, b.warnings[i].offset);
    }
    free(out);
    free(data);
}

static void test_fixture_prefixes(void **state)
{
    const struct blob_fixture *fx = *state;
    struct blob_layout lay;
    struct dcs_blob b;
    struct dcs_error err;
    assert_true(blob_layout_walk(fx->data, fx->size, &lay));
    assert_int_equal(lay.complete, lay.nfields);
    /* Strict mode checks the version before it walks the fields. */
    int strict_version = dcs_blob_decode(fx->data, fx->size, DCS_DECODE_STRICT, &b, &err) ==
                         DCS_ERR_BLOB_VERSION;
    unsigned accepted = 0;

    for (size_t k = 0; k < fx->size; k++) {
        uint32_t f = 0;
        while (f < lay.nfields && lay.f[f].start + lay.f[f].head + lay.f[f].body <= k)
            f++;
        assert_true(f < lay.nfields);
        const uint32_t cut = lay.f[f].start; /* first byte of the incomplete field */
        uint8_t *p = blob_exact_copy(fx->data, k);

        dcs_status st = dcs_blob_decode(p, k, DCS_DECODE_STRICT, &b, &err);
        if (strict_version && k >= 4) {
            assert_int_equal(st, DCS_ERR_BLOB_VERSION);
        } else {
            if (st != DCS_ERR_BLOB_TRUNCATED || err.offset != cut)
                fail_msg("%s: strict, prefix %zu: status %d offset %lld, expected %d at %u",
                         fx->name, k, st, (long long)err.offset, DCS_ERR_BLOB_TRUNCATED, cut);
            assert_int_equal(err.code, DCS_ERR_BLOB_TRUNCATED);
        }

        st = dcs_blob_decode(p, k, DCS_DECODE_LENIENT, &b, &err);
        if (st == DCS_OK) {
            /* Accepted: stops before the cut field and keeps the partial
             * bytes, so that encoding gives back exactly the prefix. */
            accepted++;
            if (b.nfields != f || b.trailer.len != k - cut)
                fail_msg("%s: lenient, prefix %zu: %u fields + %u trailer bytes, expected "
                         "%u + %zu", fx->name, k, b.nfields, b.trailer.len, f, k - cut);
            assert_true(f >= DCS_FIELD_PROXY);
            assert_true(has_warning(&b, DCS_WARN_TRUNCATED));
            for (uint32_t w = 0; w < b.nwarnings; w++)
                if (b.warnings[w].code == DCS_WARN_TRUNCATED)
                    assert_int_equal(b.warnings[w].offset, cut);
            size_t n = 0;
            uint8_t *out = blob_exact_alloc(k);
            assert_int_equal(dcs_blob_encode(&b, out, k, &n, &err), DCS_OK);
            assert_int_equal(n, k);
            if (k && memcmp(out, p, k) != 0)
                fail_msg("%s: lenient, prefix %zu: re-encoding differs", fx->name, k);
            free(out);
        } else if (st != DCS_ERR_BLOB_TRUNCATED || err.offset != cut) {
            fail_msg("%s: lenient, prefix %zu: status %d offset %lld, expected ok or %d at %u",
                     fx->name, k, st, (long long)err.offset, DCS_ERR_BLOB_TRUNCATED, cut);
        }
        free(p);
    }
    /* Every WinINET/WinHTTP layout has a DWORD boundary after the flags at
     * which a prefix ends cleanly (before the proxy length). */
    assert_true(accepted > 0);
}

static void test_fixture_corrupt_lengths(void **state)
{
    const struct blob_fixture *fx = *state;
    struct blob_layout lay;
    struct dcs_blob b;
    struct dcs_error err;
    assert_true(blob_layout_walk(fx->data, fx->size, &lay));
    int strict_version = dcs_blob_decode(fx->data, fx->size, DCS_DECODE_STRICT, &b, &err) ==
                         DCS_ERR_BLOB_VERSION;
    unsigned tried = 0;
    for (uint32_t f = 0; f < lay.nfields; f++) {
        const struct blob_span *s = &lay.f[f];
        if (!s->elem)
            continue;
        const uint64_t remaining = fx->size - s->start - 4; /* bytes after the DWORD */
        const uint64_t values[] = {0xFFFFFFFFu, remaining + 1, 0x7FFFFFFFu,
                                   remaining / s->elem + 1};
        for (unsigned v = 0; v < sizeof values / sizeof values[0]; v++) {
            if (values[v] > 0xFFFFFFFFu)
                continue;
            uint8_t *p = blob_exact_copy(fx->data, fx->size);
            uint32_t x = (uint32_t)values[v];
            p[s->start] = (uint8_t)x;
            p[s->start + 1] = (uint8_t)(x >> 8);
            p[s->start + 2] = (uint8_t)(x >> 16);
            p[s->start + 3] = (uint8_t)(x >> 24);
            for (int mode = 0; mode < 2; mode++) {
                unsigned opt = mode ? DCS_DECODE_STRICT : DCS_DECODE_LENIENT;
                dcs_status st = dcs_blob_decode(p, fx->size, opt, &b, &err);
                if (mode && strict_version) {
                    assert_int_equal(st, DCS_ERR_BLOB_VERSION);
                    continue;
                }
                if (st != DCS_ERR_BLOB_TRUNCATED || err.offset != s->start)
                    fail_msg("%s: %s %s = 0x%x: status %d offset %lld, expected %d at %u",
                             fx->name, mode ? "strict" : "lenient",
                             dcs_blob_field_name((enum dcs_blob_field)f), x, st,
                             (long long)err.offset, DCS_ERR_BLOB_TRUNCATED, s->start);
                assert_non_null(strstr(err.message, dcs_blob_field_name((enum dcs_blob_field)f)));
            }
            free(p);
            tried++;
        }
    }
    assert_true(tried >= 8); /* at least proxy and bypass, four values each */
}

/* ---- registration ----------------------------------------------------------- */

static struct blob_fixture_set fixtures;

static int dir_exists(const char *path)
{
    DIR *d = opendir(path);
    if (!d)
        return 0;
    closedir(d);
    return 1;
}

int main(int argc, char **argv)
{
    char path[4096];
    int rc = 0;
    if (argc > 1) {
        for (int i = 1; i < argc && rc >= 0; i++)
            rc = blob_fixtures_load_dir(&fixtures, argv[i]);
    } else {
        const char *root = getenv("DCS_SOURCE_ROOT");
        if (root)
            snprintf(path, sizeof path, "%s/tests/data/blobs", root);
        else
            snprintf(path, sizeof path, "%s/blobs", DCS_TEST_DATA_DIR);
        rc = blob_fixtures_load_dir(&fixtures, path);
        if (rc == 0) {
            fprintf(stderr, "%s: no fixtures\n", path);
            rc = -1;
        }
        const char *shared = getenv("DCS_SHARED");
        if (rc >= 0 && shared) {
            snprintf(path, sizeof path, "%s/fixtures/blobs", shared);
            if (dir_exists(path)) {
                int added = blob_fixtures_load_dir(&fixtures, path);
                if (added > 0)
                    print_message("%d more fixture(s) from %s\n", added, path);
                rc = added < 0 ? -1 : rc;
            }
        }
    }
    if (rc < 0 || fixtures.n == 0) {
        blob_fixtures_free(&fixtures);
        return 1;
    }

    static const struct {
        const char *what;
        CMUnitTestFunction fn;
    } kinds[] = {
        {"fields", test_fixture_fields},
        {"roundtrip", test_fixture_roundtrip},
        {"prefixes", test_fixture_prefixes},
        {"corrupt-lengths", test_fixture_corrupt_lengths},
    };
    const size_t nk = sizeof kinds / sizeof kinds[0], nt = fixtures.n * nk;
    struct CMUnitTest *tests = calloc(nt, sizeof *tests);
    char **names = calloc(nt, sizeof *names);
    assert_non_null(tests);
    assert_non_null(names);
    for (size_t i = 0; i < fixtures.n; i++) {
        for (size_t k = 0; k < nk; k++) {
            size_t t = i * nk + k;
            size_t len = strlen(kinds[k].what) + strlen(fixtures.items[i].name) + 2;
            names[t] = malloc(len);
            assert_non_null(names[t]);
            snprintf(names[t], len, "%s %s", kinds[k].what, fixtures.items[i].name);
            tests[t].name = names[t];
            tests[t].test_func = kinds[k].fn;
            tests[t].initial_state = &fixtures.items[i];
        }
    }
    /* The array is built at run time, so call what cmocka_run_group_tests()
     * expands to with the count. */
    int failed = _cmocka_run_group_tests("blob fixtures", tests, nt, NULL, NULL);
    for (size_t t = 0; t < nt; t++)
        free(names[t]);
    free(names);
    free(tests);
    blob_fixtures_free(&fixtures);
    return failed;
}
