/* Applier planning at its edges: names, bad sources, odd current values,
 * the step limit, string conversion and the connection options.  Pure: every
 * input is built here (tests/test_apply.c has the main cases). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "blob_testlib.h"
#include <dcs/dcs.h>

#define CONN DCS_KEY_CONNECTIONS
#define IS DCS_KEY_INTERNET_SETTINGS

/* a 0x46 blob: counter, flags, proxy, bypass, pac, then the 0x46 tail */
static size_t make_blob(uint8_t *out, uint32_t counter, uint32_t flags, const char *proxy,
                        const char *bypass, const char *pac)
{
    size_t n = blob_make_46(out, 512, counter, flags, proxy, bypass, pac);
    assert_true(n > 0);
    return n;
}

static struct dcs_blob decode(const struct dcs_apply_step *s)
{
    struct dcs_blob b;
    assert_non_null(s);
    assert_int_equal(dcs_blob_decode(s->wanted, s->wanted_len, DCS_DECODE_WININET, &b, NULL),
                     DCS_OK);
    return b;
}

static const struct dcs_apply_step *step(const struct dcs_apply_plan *p, const char *key,
                                         const char *name)
{
    const struct dcs_apply_step *s = dcs_apply_plan_find(p, key, name);
    if (!s)
        fail_msg("no step for %s", name);
    return s;
}

/* ---- names ---------------------------------------------------------------- */

static void mode_and_action_names(void **state)
{
    (void)state;
    static const char *const names[] = {"copy", "no_proxy", "autodetect", "manual_proxy",
                                        "autoscript", "reset"};
    for (int m = DCS_MODE_COPY; m <= DCS_MODE_RESET; m++) {
        assert_string_equal(dcs_apply_mode_name((enum dcs_apply_mode)m), names[m]);
        enum dcs_apply_mode back = DCS_MODE_COPY;
        /* "copy" is what no mode is given means, not a mode one can name */
        assert_int_equal(dcs_apply_mode_parse(names[m], &back), m != DCS_MODE_COPY);
        assert_int_equal(back, m);
    }
    assert_string_equal(dcs_apply_mode_name((enum dcs_apply_mode)42), "?");
    assert_string_equal(dcs_apply_action_name(DCS_APPLY_UNCHANGED), "unchanged");
    assert_string_equal(dcs_apply_action_name(DCS_APPLY_CREATE), "create");
    assert_string_equal(dcs_apply_action_name(DCS_APPLY_UPDATE), "update");
    assert_string_equal(dcs_apply_action_name(DCS_APPLY_DELETE), "delete");
    assert_string_equal(dcs_apply_action_name((enum dcs_apply_action)42), "?");
}

/* ---- sources -------------------------------------------------------------- */

static void source_checks(void **state)
{
    (void)state;
    struct dcs_error err;
    struct dcs_apply_source s = {.mode = (enum dcs_apply_mode)42};
    assert_int_equal(dcs_apply_source_check(&s, &err), DCS_ERR_INVALID_ARG);
    assert_string_equal(err.message, "unknown mode 42");
    /* tabs and spaces only: blank */
    s = (struct dcs_apply_source){.mode = DCS_MODE_AUTOSCRIPT,
                                  .pac = {(const uint8_t *)" \t \t", 4}};
    assert_int_equal(dcs_apply_source_check(&s, &err), DCS_ERR_INVALID_ARG);
    assert_string_equal(err.message, "autoscript needs a PAC URL");
    /* a control character (a tab, a line break) is refused, offset given */
    s.pac = (dcs_bytes){(const uint8_t *)" x\ty", 4};
    assert_int_equal(dcs_apply_source_check(&s, &err), DCS_ERR_INVALID_ARG);
    assert_string_equal(err.message, "the PAC URL: control character 0x09");
    assert_int_equal(err.offset, 2);
    s.pac = (dcs_bytes){(const uint8_t *)" x", 2};
    assert_int_equal(dcs_apply_source_check(&s, &err), DCS_OK);
    /* WinINET's INTERNET_MAX_URL_LENGTH: 2083 fits, 2084 does not */
    static uint8_t url[2084];
    memset(url, 'a', sizeof url);
    s.pac = (dcs_bytes){url, 2083};
    assert_int_equal(dcs_apply_source_check(&s, &err), DCS_OK);
    s.pac = (dcs_bytes){url, 2084};
    assert_int_equal(dcs_apply_source_check(&s, &err), DCS_ERR_INVALID_ARG);
    assert_string_equal(err.message, "the PAC URL: 2084 bytes long: WinINET takes at most 2083");
    assert_int_equal(err.offset, 2083);
    s.pac = (dcs_bytes){(const uint8_t *)"http://x/\xff", 10};
    assert_int_equal(dcs_apply_source_check(&s, &err), DCS_ERR_INVALID_ARG);
    assert_string_equal(err.message, "the PAC URL: byte 0xff is not UTF-8");
    assert_int_equal(err.offset, 9);
    s = (struct dcs_apply_source){.mode = DCS_MODE_MANUAL_PROXY,
                                  .proxy = {(const uint8_t *)"\tp:1", 4}};
    assert_int_equal(dcs_apply_source_check(&s, &err), DCS_OK);
    /* the lists as a blob holds them (DCS_LIST_SYNTAX), offsets given */
    s.bypass = (dcs_bytes){(const uint8_t *)"a\x01" "b", 3};
    assert_int_equal(dcs_apply_source_check(&s, &err), DCS_ERR_BYPASS_SYNTAX);
    assert_string_equal(err.message, "the bypass list: control character 0x01");
    assert_int_equal(err.offset, 1);
    s.bypass = (dcs_bytes){(const uint8_t *)"\xff\xfe", 2};
    assert_int_equal(dcs_apply_source_check(&s, &err), DCS_ERR_BYPASS_SYNTAX);
    assert_string_equal(err.message, "the bypass list: byte 0xff is not UTF-8");
    assert_int_equal(err.offset, 0);
    s.bypass = (dcs_bytes){url, 2084};
    assert_int_equal(dcs_apply_source_check(&s, &err), DCS_ERR_BYPASS_SYNTAX);
    assert_string_equal(err.message, "the bypass list: entry of 2084 bytes: WinINET takes at most 2083");
    assert_int_equal(err.offset, 2083);
    /* odd but stored as WinINET reads it: CIDR, empty entries, no entry */
    s.bypass = (dcs_bytes){(const uint8_t *)"10.0.0.0/8;;<local>", 19};
    assert_int_equal(dcs_apply_source_check(&s, &err), DCS_OK);
    s.bypass = (dcs_bytes){(const uint8_t *)";", 1};
    assert_int_equal(dcs_apply_source_check(&s, &err), DCS_OK);
    s.proxy = (dcs_bytes){(const uint8_t *)"p\xc0:1", 4};
    assert_int_equal(dcs_apply_source_check(&s, &err), DCS_ERR_PROXY_SYNTAX);
    assert_string_equal(err.message, "the proxy list: byte 0xc0 is not UTF-8");
    assert_int_equal(err.offset, 1);
    s.proxy = (dcs_bytes){(const uint8_t *)";;;", 3};
    assert_int_equal(dcs_apply_source_check(&s, &err), DCS_ERR_INVALID_ARG);
    assert_string_equal(err.message, "manual_proxy needs a proxy list");
}

/* The status of a refused copied blob is the decoder's, with or without a
 * struct dcs_error to fill; the planners pass it on. */
static void refused_copy_sources(void **state)
{
    (void)state;
    uint8_t good[512];
    size_t n = make_blob(good, 1, 0x01, "", "", "");
    static const uint8_t winhttp[] = {0x18, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0,
                                      0,    0, 0, 0, 0, 0, 0, 0};
    static const uint8_t shortb[] = {0x46, 0, 0, 0, 1};
    const struct {
        dcs_bytes blob, saved;
    } cases[] = {
        {{winhttp, sizeof winhttp}, {NULL, 0}},
        {{shortb, sizeof shortb}, {NULL, 0}},
        {{good, (uint32_t)n}, {winhttp, sizeof winhttp}},
        {{good, (uint32_t)n}, {shortb, sizeof shortb}},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct dcs_apply_source s = {.mode = DCS_MODE_COPY, .blob = cases[i].blob,
                                     .saved_legacy = cases[i].saved};
        const dcs_bytes bad = cases[i].saved.len ? cases[i].saved : cases[i].blob;
        struct dcs_blob b;
        dcs_status want = dcs_blob_decode(bad.ptr, bad.len, DCS_DECODE_WININET, &b, NULL);
        assert_int_not_equal(want, DCS_OK);
        struct dcs_error err;
        assert_int_equal(dcs_apply_source_check(&s, &err), want);
        assert_int_equal(err.code, want);
        assert_int_equal(dcs_apply_source_check(&s, NULL), want);
        struct dcs_apply_plan p;
        assert_int_equal(dcs_apply_plan_user(&s, NULL, NULL, &p, NULL), want);
        assert_int_equal(p.nsteps, 0);
        assert_int_equal(dcs_apply_plan_machine(&s, NULL, &p, &err), want);
        assert_int_equal(p.nsteps, 0);
    }
}

/* A mode's string given with a length but no bytes is refused by the blob
 * encoder, not read. */
static void mode_string_without_data(void **state)
{
    (void)state;
    struct dcs_apply_source s = {.mode = DCS_MODE_MANUAL_PROXY,
                                 .proxy = {(const uint8_t *)"p:1", 3},
                                 .bypass = {NULL, 5}};
    struct dcs_apply_plan p;
    struct dcs_error err;
    assert_int_equal(dcs_apply_plan_user(&s, NULL, NULL, &p, &err), DCS_ERR_BLOB_MODEL);
    assert_string_equal(err.message, "bypass has a length but no data");
    assert_int_equal(p.nsteps, 0);
    assert_int_equal(dcs_apply_plan_machine(&s, NULL, &p, &err), DCS_ERR_BLOB_MODEL);
    assert_int_equal(p.nsteps, 0);
}

/* ---- current values that are not what they should be ---------------------- */

static void current_blob_unusable(void **state)
{
    (void)state;
    static const uint8_t sz[] = {'x', 0, 0, 0};
    static const uint8_t junk[] = {1, 2, 3};
    const struct dcs_apply_value vals[] = {
        {CONN, DCS_VALUE_DEFAULT, DCS_REG_SZ, {sz, sizeof sz}},
        {CONN, DCS_VALUE_SAVED_LEGACY, DCS_REG_BINARY, {junk, sizeof junk}},
    };
    struct dcs_apply_current cur = {vals, 2, false};
    struct dcs_apply_source src = {.mode = DCS_MODE_AUTODETECT};
    struct dcs_apply_options opt = {.no_plain_values = true};
    struct dcs_apply_plan p;
    assert_int_equal(dcs_apply_plan_user(&src, &opt, &cur, &p, NULL), DCS_OK);
    /* neither is a blob to build on: a fresh one, counter 1; both replaced */
    for (size_t i = 0; i < 2; i++) {
        struct dcs_blob b = decode(&p.steps[i]);
        assert_int_equal(b.counter, 1);
        assert_int_equal(b.flags, 0x09);
        assert_int_equal(p.steps[i].action, DCS_APPLY_UPDATE);
        assert_true(p.steps[i].had);
    }
    assert_int_equal(p.steps[0].old_type, DCS_REG_SZ);
    assert_int_equal(p.action, DCS_APPLY_UPDATE);
    dcs_apply_plan_free(&p);
}

/* A current blob cut short after its flags or its proxy still gives its
 * counter and the strings it has. */
static void current_blob_short(void **state)
{
    (void)state;
    uint8_t full[512];
    size_t n = make_blob(full, 7, 0x03, "old:1", "byp", "");
    assert_true(n > 16 + 5);
    const struct dcs_apply_value vals[] = {
        {CONN, DCS_VALUE_DEFAULT, DCS_REG_BINARY, {full, 12}},     /* up to the flags */
        {CONN, DCS_VALUE_SAVED_LEGACY, DCS_REG_BINARY, {full, 21}}, /* up to the proxy */
    };
    struct dcs_apply_current cur = {vals, 2, false};
    struct dcs_apply_source src = {.mode = DCS_MODE_NO_PROXY};
    struct dcs_apply_options opt = {.no_plain_values = true};
    struct dcs_apply_plan p;
    assert_int_equal(dcs_apply_plan_user(&src, &opt, &cur, &p, NULL), DCS_OK);
    struct dcs_blob d = decode(&p.steps[0]), s = decode(&p.steps[1]);
    assert_int_equal(d.counter, 8);
    assert_int_equal(d.flags, 0x01);
    assert_int_equal(d.proxy.len, 0);
    assert_int_equal(s.counter, 8);
    assert_int_equal(s.proxy.len, 5);
    assert_memory_equal(s.proxy.ptr, "old:1", 5);
    assert_int_equal(s.bypass.len, 0);
    dcs_apply_plan_free(&p);
}

/* A copied blob that ends after its flags: proxy bit set but no proxy. */
static void copied_blob_short(void **state)
{
    (void)state;
    static const uint8_t b[] = {0x46, 0, 0, 0, 5, 0, 0, 0, 0x03, 0, 0, 0};
    static const uint8_t srv[] = {'p', 0, 0, 0};
    const struct dcs_apply_value vals[] = {{IS, "ProxyServer", DCS_REG_SZ, {srv, sizeof srv}}};
    struct dcs_apply_current cur = {vals, 1, false};
    struct dcs_apply_source src = {.mode = DCS_MODE_COPY, .blob = {b, sizeof b}};
    struct dcs_apply_plan p;
    assert_int_equal(dcs_apply_plan_user(&src, NULL, &cur, &p, NULL), DCS_OK);
    assert_int_equal(p.nsteps, 4);
    assert_int_equal(step(&p, IS, "ProxyEnable")->wanted[0], 0);
    assert_int_equal(step(&p, IS, "ProxyServer")->action, DCS_APPLY_DELETE);
    assert_null(dcs_apply_plan_find(&p, IS, "ProxyOverride"));
    dcs_apply_plan_free(&p);
}

/* ---- plain values --------------------------------------------------------- */

static void plain_values_compared_by_type_and_text(void **state)
{
    (void)state;
    uint8_t blob[512];
    size_t n = make_blob(blob, 1, 0x0f, "ab", "cd", "http://p/x");
    static const uint8_t ab[] = {'a', 0, 'b', 0, 0, 0, 0, 0, 0}; /* odd length, NULs */
    static const uint8_t cd_other[] = {'c', 0, 'e', 0};
    static const uint8_t dw8[8] = {1};
    static const uint8_t url[] = {'h', 0};
    struct dcs_apply_value vals[] = {
        {IS, "ProxyServer", DCS_REG_SZ, {ab, sizeof ab}},
        {IS, "ProxyOverride", DCS_REG_SZ, {cd_other, sizeof cd_other}},
        {IS, "ProxyEnable", DCS_REG_DWORD, {dw8, sizeof dw8}},
        {IS, "AutoConfigURL", DCS_REG_SZ, {url, sizeof url}},
    };
    struct dcs_apply_current cur = {vals, 4, false};
    struct dcs_apply_source src = {.mode = DCS_MODE_COPY, .blob = {blob, (uint32_t)n}};
    struct dcs_apply_options opt = {.only_default = true};
    struct dcs_apply_plan p;
    assert_int_equal(dcs_apply_plan_user(&src, &opt, &cur, &p, NULL), DCS_OK);
    assert_int_equal(step(&p, IS, "ProxyServer")->action, DCS_APPLY_UNCHANGED);
    assert_int_equal(step(&p, IS, "ProxyOverride")->action, DCS_APPLY_UPDATE); /* same size */
    assert_int_equal(step(&p, IS, "ProxyEnable")->action, DCS_APPLY_UPDATE);   /* 8 bytes */
    const struct dcs_apply_step *pac = step(&p, IS, "AutoConfigURL");
    assert_int_equal(pac->action, DCS_APPLY_UPDATE);
    assert_int_equal(pac->wanted_len, 22);
    assert_memory_equal(pac->wanted, "h\0t\0t\0p\0:\0/\0/\0p\0/\0x\0\0\0", 22);
    dcs_apply_plan_free(&p);

    /* same text, other string type; a 4-byte REG_BINARY 1 is no DWORD */
    static const uint8_t one[4] = {1, 0, 0, 0};
    static const uint8_t ab_z[] = {'a', 0, 'b', 0, 0, 0};
    vals[0].type = DCS_REG_EXPAND_SZ;
    vals[1] = (struct dcs_apply_value){IS, "ProxyOverride", DCS_REG_SZ, {ab_z, sizeof ab_z}};
    vals[2] = (struct dcs_apply_value){IS, "ProxyEnable", DCS_REG_BINARY, {one, 4}};
    assert_int_equal(dcs_apply_plan_user(&src, &opt, &cur, &p, NULL), DCS_OK);
    assert_int_equal(step(&p, IS, "ProxyServer")->action, DCS_APPLY_UPDATE);
    assert_int_equal(step(&p, IS, "ProxyOverride")->action, DCS_APPLY_UPDATE); /* ab != cd */
    assert_int_equal(step(&p, IS, "ProxyEnable")->action, DCS_APPLY_UPDATE);
    dcs_apply_plan_free(&p);
}

/* UTF-8 becomes UTF-16LE (with surrogate pairs); anything that is not valid
 * UTF-8 is taken as Latin-1, byte for byte. */
static void proxy_strings_to_utf16(void **state)
{
    (void)state;
    static const struct {
        const char *in;
        size_t out_len;
        const char *out; /* without the terminating NUL pair */
    } cases[] = {
        {"\xe2\x82\xac", 2, "\xac\x20"},                      /* U+20AC */
        {"\xf0\x9f\x98\x80", 4, "\x3d\xd8\x00\xde"},          /* U+1F600 */
        {"\xc3\xa9\xe2\x82\xac", 4, "\xe9\x00\xac\x20"},
        {"a\x80", 4, "a\0\x80\0"},                            /* stray continuation */
        {"\xe2\x82", 4, "\xe2\0\x82\0"},                      /* cut short */
        {"\xc0\xaf", 4, "\xc0\0\xaf\0"},                      /* overlong */
        {"\xe2(\xa1", 6, "\xe2\0(\0\xa1\0"},                  /* bad continuation */
        {"\xf8\x88\x80\x80\x80", 10, "\xf8\0\x88\0\x80\0\x80\0\x80\0"}, /* no such lead */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        uint8_t blob[512];
        size_t n = make_blob(blob, 1, 0x03, cases[i].in, "", "");
        struct dcs_apply_source src = {.mode = DCS_MODE_COPY, .blob = {blob, (uint32_t)n}};
        struct dcs_apply_options opt = {.only_default = true};
        struct dcs_apply_plan p;
        assert_int_equal(dcs_apply_plan_user(&src, &opt, NULL, &p, NULL), DCS_OK);
        const struct dcs_apply_step *s = step(&p, IS, "ProxyServer");
        if (s->wanted_len != cases[i].out_len + 2)
            fail_msg("case %zu: %zu bytes", i, s->wanted_len);
        assert_memory_equal(s->wanted, cases[i].out, cases[i].out_len);
        assert_memory_equal(s->wanted + cases[i].out_len, "\0\0", 2);
        dcs_apply_plan_free(&p);
    }
}

/* ---- connections and the step limit --------------------------------------- */

static void connection_options(void **state)
{
    (void)state;
    uint8_t blob[512], vpn[512];
    size_t n = make_blob(blob, 2, 0x09, "", "", "");
    size_t m = make_blob(vpn, 9, 0x01, "", "", "");
    const struct dcs_apply_value vals[] = {
        {CONN, "VPN", DCS_REG_BINARY, {vpn, (uint32_t)m}},
        {CONN, "winhttpsettings", DCS_REG_BINARY, {vpn, (uint32_t)m}},
        {CONN, "savedlegacysettings", DCS_REG_BINARY, {vpn, (uint32_t)m}},
        {IS, "NotAConnection", DCS_REG_BINARY, {vpn, (uint32_t)m}},
        {CONN, "Dialup", DCS_REG_BINARY, {vpn, (uint32_t)m}},
    };
    struct dcs_apply_current cur = {vals, 5, false};
    struct dcs_apply_source src = {.mode = DCS_MODE_COPY, .blob = {blob, (uint32_t)n}};
    const char *names[] = {"vpn", "VPN"};
    struct dcs_apply_options opt = {.no_plain_values = true, .connections = names,
                                    .nconnections = 2, .all_connections = true};
    struct dcs_apply_plan p;
    assert_int_equal(dcs_apply_plan_user(&src, &opt, &cur, &p, NULL), DCS_OK);
    /* Default, SavedLegacy, vpn (once), Dialup; reserved names and values of
     * other keys are no connections */
    assert_int_equal(p.nsteps, 4);
    assert_string_equal(p.steps[2].name, "vpn");
    assert_int_equal(p.steps[2].action, DCS_APPLY_UPDATE);
    assert_string_equal(p.steps[3].name, "Dialup");
    dcs_apply_plan_free(&p);

    /* all_connections without current values: nothing to add */
    opt.nconnections = 0;
    assert_int_equal(dcs_apply_plan_user(&src, &opt, NULL, &p, NULL), DCS_OK);
    assert_int_equal(p.nsteps, 2);
    assert_int_equal(p.action, DCS_APPLY_CREATE);
    dcs_apply_plan_free(&p);

    const char *bad[] = {"WinHttpSettings"};
    opt = (struct dcs_apply_options){.connections = bad, .nconnections = 1};
    struct dcs_error err;
    assert_int_equal(dcs_apply_plan_user(&src, &opt, &cur, &p, &err), DCS_ERR_INVALID_ARG);
    assert_string_equal(err.message, "\"WinHttpSettings\" is not a connection name");
    assert_int_equal(p.nsteps, 0);
}

/* Each kind of step can be the one past DCS_APPLY_MAX_STEPS; the plan is
 * then empty and the error says so. */
static void step_limit(void **state)
{
    (void)state;
    uint8_t blob[512];
    size_t n = make_blob(blob, 2, 0x03, "p:1", "", "");
    static char names[DCS_APPLY_MAX_STEPS][8];
    const char *list[DCS_APPLY_MAX_STEPS];
    for (size_t i = 0; i < DCS_APPLY_MAX_STEPS; i++) {
        snprintf(names[i], sizeof names[i], "C%02zu", i);
        list[i] = names[i];
    }
    struct dcs_apply_source src = {.mode = DCS_MODE_COPY, .blob = {blob, (uint32_t)n}};
    /* Default + SavedLegacy + k connections, then ProxyEnable, ProxyServer */
    const struct {
        size_t k;
        bool plain;
        dcs_status want;
    } cases[] = {
        {DCS_APPLY_MAX_STEPS - 1, false, DCS_ERR_LIMIT}, /* a connection */
        {DCS_APPLY_MAX_STEPS - 2, false, DCS_OK},
        {DCS_APPLY_MAX_STEPS - 2, true, DCS_ERR_LIMIT},  /* ProxyEnable */
        {DCS_APPLY_MAX_STEPS - 3, true, DCS_ERR_LIMIT},  /* ProxyServer */
        {DCS_APPLY_MAX_STEPS - 4, true, DCS_OK},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct dcs_apply_options opt = {.no_plain_values = !cases[i].plain,
                                        .connections = list,
                                        .nconnections = cases[i].k};
        struct dcs_apply_plan p;
        struct dcs_error err;
        assert_int_equal(dcs_apply_plan_user(&src, &opt, NULL, &p, &err), cases[i].want);
        if (cases[i].want == DCS_OK) {
            assert_int_equal(p.nsteps, DCS_APPLY_MAX_STEPS);
            dcs_apply_plan_free(&p);
        } else {
            assert_int_equal(p.nsteps, 0);
            assert_string_equal(err.message, "more than 64 values to plan in one hive");
        }
    }
}

static void machine_without_current_values(void **state)
{
    (void)state;
    struct dcs_apply_source src = {.mode = DCS_MODE_MANUAL_PROXY,
                                   .proxy = {(const uint8_t *)"p:1", 3}};
    struct dcs_apply_plan p;
    assert_int_equal(dcs_apply_plan_machine(&src, NULL, &p, NULL), DCS_OK);
    assert_int_equal(p.nsteps, 1); /* no WOW6432Node known */
    assert_int_equal(p.action, DCS_APPLY_CREATE);
    struct dcs_blob b;
    assert_int_equal(dcs_blob_decode(p.steps[0].wanted, p.steps[0].wanted_len,
                                     DCS_DECODE_WINHTTP, &b, NULL),
                     DCS_OK);
    assert_int_equal(b.proxy.len, 3);
    dcs_apply_plan_free(&p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(mode_and_action_names),
        cmocka_unit_test(source_checks),
        cmocka_unit_test(refused_copy_sources),
        cmocka_unit_test(mode_string_without_data),
        cmocka_unit_test(current_blob_unusable),
        cmocka_unit_test(current_blob_short),
        cmocka_unit_test(copied_blob_short),
        cmocka_unit_test(plain_values_compared_by_type_and_text),
        cmocka_unit_test(proxy_strings_to_utf16),
        cmocka_unit_test(connection_options),
        cmocka_unit_test(step_limit),
        cmocka_unit_test(machine_without_current_values),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
