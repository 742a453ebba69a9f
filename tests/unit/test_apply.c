/* Applier: planning is pure, so every case is built by hand here. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
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

static struct dcs_blob decode(const uint8_t *p, size_t n)
{
    struct dcs_blob b;
    assert_int_equal(dcs_blob_decode(p, n, DCS_DECODE_WININET, &b, NULL), DCS_OK);
    return b;
}

static const struct dcs_apply_step *step(const struct dcs_apply_plan *p, const char *key,
                                         const char *name)
{
    return dcs_apply_plan_find(p, key, name);
}

static void assert_utf16(const struct dcs_apply_step *s, const char *ascii)
{
    assert_non_null(s);
    assert_int_equal(s->type, DCS_REG_SZ);
    size_t n = strlen(ascii);
    assert_int_equal(s->wanted_len, 2 * n + 2);
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(s->wanted[2 * i], (uint8_t)ascii[i]);
        assert_int_equal(s->wanted[2 * i + 1], 0);
    }
    assert_int_equal(s->wanted[2 * n], 0);
}

static void copy_into_empty_hive(void **state)
{
    uint8_t blob[512];
    size_t n = make_blob(blob, 5, 0x03, "proxy:8080", "<local>", "");
    struct dcs_apply_source src = {.mode = DCS_MODE_COPY, .blob = {blob, (uint32_t)n}};
    struct dcs_apply_current cur = {0};
    struct dcs_apply_plan p;
    assert_int_equal(dcs_apply_plan_user(&src, NULL, &cur, &p, NULL), DCS_OK);
    assert_int_equal(p.action, DCS_APPLY_CREATE);
    assert_int_equal(p.nsteps, 5);
    const struct dcs_apply_step *d = &p.steps[0];
    assert_string_equal(d->name, DCS_VALUE_DEFAULT);
    assert_int_equal(d->action, DCS_APPLY_CREATE);
    assert_int_equal(d->wanted_len, n);
    assert_memory_equal(d->wanted, blob, n); /* byte for byte, counter 5 kept */
    const struct dcs_apply_step *s = step(&p, CONN, DCS_VALUE_SAVED_LEGACY);
    assert_non_null(s);
    assert_memory_equal(s->wanted, blob, n);
    s = step(&p, IS, "ProxyEnable");
    assert_int_equal(s->type, DCS_REG_DWORD);
    assert_int_equal(s->wanted_len, 4);
    assert_int_equal(s->wanted[0], 1);
    assert_utf16(step(&p, IS, "ProxyServer"), "proxy:8080");
    assert_utf16(step(&p, IS, "ProxyOverride"), "<local>");
    assert_null(step(&p, IS, "AutoConfigURL")); /* absent and not wanted: no step */
    dcs_apply_plan_free(&p);
}

static void copy_is_idempotent_ignoring_counter(void **state)
{
    uint8_t blob[512], cur_blob[512];
    size_t n = make_blob(blob, 5, 0x0b, "p:1", "", "");
    size_t m = make_blob(cur_blob, 99, 0x0b, "p:1", "", "");
    static const uint8_t one[4] = {1, 0, 0, 0};
    static const uint8_t ps[] = {'p', 0, ':', 0, '1', 0, 0, 0};
    struct dcs_apply_value vals[] = {
        {CONN, "defaultconnectionsettings", DCS_REG_BINARY, {cur_blob, (uint32_t)m}},
        {CONN, "SavedLegacySettings", DCS_REG_BINARY, {cur_blob, (uint32_t)m}},
        {IS, "ProxyEnable", DCS_REG_DWORD, {one, 4}},
        {IS, "ProxyServer", DCS_REG_SZ, {ps, 6}}, /* no terminating NUL: still equal */
    };
    struct dcs_apply_current cur = {vals, 4, false};
    struct dcs_apply_source src = {.mode = DCS_MODE_COPY, .blob = {blob, (uint32_t)n}};
    struct dcs_apply_plan p;
    assert_int_equal(dcs_apply_plan_user(&src, NULL, &cur, &p, NULL), DCS_OK);
    assert_int_equal(p.action, DCS_APPLY_UNCHANGED);
    assert_false(dcs_apply_plan_changes(&p));
    dcs_apply_plan_free(&p);

    /* a different proxy makes every related value change */
    n = make_blob(blob, 5, 0x0b, "p:2", "", "");
    src.blob.len = (uint32_t)n;
    assert_int_equal(dcs_apply_plan_user(&src, NULL, &cur, &p, NULL), DCS_OK);
    assert_int_equal(p.action, DCS_APPLY_UPDATE);
    assert_int_equal(step(&p, CONN, DCS_VALUE_DEFAULT)->action, DCS_APPLY_UPDATE);
    assert_int_equal(step(&p, IS, "ProxyEnable")->action, DCS_APPLY_UNCHANGED);
    assert_int_equal(step(&p, IS, "ProxyServer")->action, DCS_APPLY_UPDATE);
    dcs_apply_plan_free(&p);
}

static void copy_with_saved_legacy_and_stale_plain_values(void **state)
{
    uint8_t blob[512], saved[512];
    size_t n = make_blob(blob, 3, 0x09, "", "", "");
    size_t m = make_blob(saved, 7, 0x05, "", "", "http://wpad/x.pac");
    static const uint8_t pac[] = {'o', 0, 'l', 0, 'd', 0, 0, 0};
    static const uint8_t srv[] = {'s', 0, 0, 0};
    static const uint8_t one[4] = {1, 0, 0, 0};
    struct dcs_apply_value vals[] = {
        {IS, "AutoConfigURL", DCS_REG_SZ, {pac, sizeof pac}},
        {IS, "ProxyServer", DCS_REG_EXPAND_SZ, {srv, sizeof srv}},
        {IS, "ProxyEnable", DCS_REG_DWORD, {one, 4}},
    };
    struct dcs_apply_current cur = {vals, 3, false};
    struct dcs_apply_source src = {.mode = DCS_MODE_COPY,
                                   .blob = {blob, (uint32_t)n},
                                   .saved_legacy = {saved, (uint32_t)m}};
    struct dcs_apply_plan p;
    assert_int_equal(dcs_apply_plan_user(&src, NULL, &cur, &p, NULL), DCS_OK);
    assert_memory_equal(step(&p, CONN, DCS_VALUE_SAVED_LEGACY)->wanted, saved, m);
    /* the blob says auto-detect only: the stale plain values go */
    assert_int_equal(step(&p, IS, "AutoConfigURL")->action, DCS_APPLY_DELETE);
    assert_int_equal(step(&p, IS, "ProxyServer")->action, DCS_APPLY_DELETE);
    assert_int_equal(step(&p, IS, "ProxyEnable")->action, DCS_APPLY_UPDATE);
    assert_int_equal(step(&p, IS, "ProxyEnable")->wanted[0], 0);
    dcs_apply_plan_free(&p);
}

static void modes_follow_windows_conventions(void **state)
{
    uint8_t cur_blob[512];
    size_t m = make_blob(cur_blob, 41, 0x0b, "old:1", "old-bypass", "http://old/pac");
    struct dcs_apply_value vals[] = {
        {CONN, DCS_VALUE_DEFAULT, DCS_REG_BINARY, {cur_blob, (uint32_t)m}},
    };
    struct dcs_apply_current cur = {vals, 1, false};
    struct dcs_apply_options opt = {.only_default = true, .no_plain_values = true};
    static const struct {
        enum dcs_apply_mode mode;
        uint32_t flags;
        const char *proxy, *bypass, *pac;
    } cases[] = {
        {DCS_MODE_NO_PROXY, 0x01, "old:1", "old-bypass", "http://old/pac"},
        {DCS_MODE_AUTODETECT, 0x09, "old:1", "old-bypass", "http://old/pac"},
        {DCS_MODE_MANUAL_PROXY, 0x03, "new:8080", "<local>", "http://old/pac"},
        {DCS_MODE_AUTOSCRIPT, 0x0d, "old:1", "old-bypass", "http://new/p.pac"},
        {DCS_MODE_RESET, 0x01, "", "old-bypass", "http://old/pac"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct dcs_apply_source src = {.mode = cases[i].mode,
                                       .proxy = {(const uint8_t *)"new:8080", 8},
                                       .bypass = {(const uint8_t *)"<local>", 7},
                                       .pac = {(const uint8_t *)"http://new/p.pac", 16}};
        struct dcs_apply_plan p;
        assert_int_equal(dcs_apply_plan_user(&src, &opt, &cur, &p, NULL), DCS_OK);
        assert_int_equal(p.nsteps, 1);
        struct dcs_blob b = decode(p.steps[0].wanted, p.steps[0].wanted_len);
        assert_int_equal(b.version, 0x46);
        assert_int_equal(b.counter, 42); /* one above the target's */
        assert_int_equal(b.flags, cases[i].flags);
        assert_int_equal(b.proxy.len, strlen(cases[i].proxy));
        assert_memory_equal(b.proxy.ptr, cases[i].proxy, b.proxy.len);
        assert_int_equal(b.bypass.len, strlen(cases[i].bypass));
        assert_memory_equal(b.autoconfig_url.ptr, cases[i].pac, b.autoconfig_url.len);
        assert_int_equal(p.action, DCS_APPLY_UPDATE);
        dcs_apply_plan_free(&p);
    }
}

/* A mode applied twice: the second plan (against the first's result) is unchanged. */
static void mode_is_idempotent(void **state)
{
    struct dcs_apply_source src = {.mode = DCS_MODE_MANUAL_PROXY,
                                   .proxy = {(const uint8_t *)"p:3128", 6}};
    struct dcs_apply_current cur = {0};
    struct dcs_apply_plan p1, p2;
    assert_int_equal(dcs_apply_plan_user(&src, NULL, &cur, &p1, NULL), DCS_OK);
    assert_int_equal(p1.action, DCS_APPLY_CREATE);
    struct dcs_blob b = decode(p1.steps[0].wanted, p1.steps[0].wanted_len);
    assert_int_equal(b.counter, 1);
    assert_int_equal(b.autodiscovery_flags, DCS_AUTO_PROXY_FLAG_USER_SET); /* none before */
    struct dcs_apply_value vals[DCS_APPLY_MAX_STEPS];
    for (size_t i = 0; i < p1.nsteps; i++)
        vals[i] = (struct dcs_apply_value){p1.steps[i].key, p1.steps[i].name, p1.steps[i].type,
                                           {p1.steps[i].wanted,
                                            (uint32_t)p1.steps[i].wanted_len}};
    struct dcs_apply_current after = {vals, p1.nsteps, false};
    assert_int_equal(dcs_apply_plan_user(&src, NULL, &after, &p2, NULL), DCS_OK);
    assert_int_equal(p2.action, DCS_APPLY_UNCHANGED);
    dcs_apply_plan_free(&p1);
    dcs_apply_plan_free(&p2);
}

static void connections_and_options(void **state)
{
    uint8_t blob[512], vpn[512];
    size_t n = make_blob(blob, 2, 0x03, "p:1", "", "");
    size_t m = make_blob(vpn, 9, 0x01, "", "", "");
    struct dcs_apply_value vals[] = {
        {CONN, "Office VPN", DCS_REG_BINARY, {vpn, (uint32_t)m}},
        {CONN, "Dialup", DCS_REG_BINARY, {vpn, (uint32_t)m}},
    };
    struct dcs_apply_current cur = {vals, 2, false};
    struct dcs_apply_source src = {.mode = DCS_MODE_COPY, .blob = {blob, (uint32_t)n}};
    const char *names[] = {"office vpn", "New One"};
    struct dcs_apply_options opt = {.only_default = true,
                                    .no_plain_values = true,
                                    .connections = names,
                                    .nconnections = 2};
    struct dcs_apply_plan p;
    assert_int_equal(dcs_apply_plan_user(&src, &opt, &cur, &p, NULL), DCS_OK);
    assert_int_equal(p.nsteps, 3);
    assert_int_equal(step(&p, CONN, "Office VPN")->action, DCS_APPLY_UPDATE);
    assert_int_equal(step(&p, CONN, "New One")->action, DCS_APPLY_CREATE);
    assert_null(step(&p, CONN, "Dialup"));
    dcs_apply_plan_free(&p);

    opt.nconnections = 0;
    opt.all_connections = true;
    assert_int_equal(dcs_apply_plan_user(&src, &opt, &cur, &p, NULL), DCS_OK);
    assert_int_equal(p.nsteps, 3);
    assert_non_null(step(&p, CONN, "Dialup"));
    assert_memory_equal(step(&p, CONN, "Dialup")->wanted, blob, n);
    dcs_apply_plan_free(&p);

    const char *bad[] = {"SavedLegacySettings"};
    opt.all_connections = false;
    opt.connections = bad;
    opt.nconnections = 1;
    struct dcs_error err;
    assert_int_equal(dcs_apply_plan_user(&src, &opt, &cur, &p, &err), DCS_ERR_INVALID_ARG);
}

static void winhttp_like_netsh_import(void **state)
{
    uint8_t blob[512];
    size_t n = make_blob(blob, 2, 0x0f, "p:8080", "<local>", "http://x/pac");
    struct dcs_apply_source src = {.mode = DCS_MODE_COPY, .blob = {blob, (uint32_t)n}};
    struct dcs_apply_current cur = {NULL, 0, true};
    struct dcs_apply_plan p;
    assert_int_equal(dcs_apply_plan_machine(&src, &cur, &p, NULL), DCS_OK);
    assert_int_equal(p.nsteps, 2); /* native and WOW6432Node */
    assert_string_equal(p.steps[1].key, DCS_KEY_MACHINE_CONNECTIONS_WOW64);
    static const uint8_t want[] = {0x28, 0, 0, 0, 0, 0, 0, 0, 3, 0, 0, 0, 6, 0, 0, 0, 'p', ':',
                                   '8', '0', '8', '0', 7, 0, 0, 0, '<', 'l', 'o', 'c', 'a', 'l',
                                   '>'};
    assert_int_equal(p.steps[0].wanted_len, sizeof want);
    assert_memory_equal(p.steps[0].wanted, want, sizeof want);
    assert_int_equal(p.action, DCS_APPLY_CREATE);
    struct dcs_apply_value vals[] = {
        {DCS_KEY_MACHINE_CONNECTIONS, DCS_VALUE_WINHTTP, DCS_REG_BINARY, {want, sizeof want}}};
    struct dcs_apply_current now = {vals, 1, false};
    dcs_apply_plan_free(&p);
    assert_int_equal(dcs_apply_plan_machine(&src, &now, &p, NULL), DCS_OK);
    assert_int_equal(p.action, DCS_APPLY_UNCHANGED);
    dcs_apply_plan_free(&p);
    /* auto-detect only: netsh would make WinHTTP direct */
    struct dcs_apply_source ad = {.mode = DCS_MODE_AUTODETECT};
    assert_int_equal(dcs_apply_plan_machine(&ad, &now, &p, NULL), DCS_OK);
    struct dcs_blob b;
    assert_int_equal(
        dcs_blob_decode(p.steps[0].wanted, p.steps[0].wanted_len, DCS_DECODE_WINHTTP, &b, NULL),
        DCS_OK);
    assert_int_equal(b.flags, 0x01);
    assert_int_equal(p.action, DCS_APPLY_UPDATE);
    dcs_apply_plan_free(&p);
}

/* --machine: HKLM's Connections blobs, then ProxySettingsPerUser = DWORD 0
 * (a 1 becomes 0; an existing 0 is unchanged), and with WinHttpSettings in
 * the same plan after them. */
static void machine_wide_and_policy(void **state)
{
    (void)state;
    uint8_t blob[512];
    size_t n = make_blob(blob, 2, 0x03, "p:8080", "", "");
    struct dcs_apply_source src = {.mode = DCS_MODE_COPY, .blob = {blob, (uint32_t)n}};
    static const uint8_t one[4] = {1, 0, 0, 0}, zero[4] = {0, 0, 0, 0};
    struct dcs_apply_value vals[] = {
        {DCS_KEY_POLICY_INTERNET_SETTINGS, DCS_VALUE_PER_USER, DCS_REG_DWORD, {one, 4}}};
    struct dcs_apply_current cur = {vals, 1, false};
    struct dcs_apply_plan p;
    assert_int_equal(dcs_apply_plan_software(&src, NULL, &cur, DCS_PLAN_MACHINE_WIDE, &p, NULL),
                     DCS_OK);
    assert_int_equal(p.nsteps, 3);
    assert_string_equal(p.steps[0].key, DCS_KEY_MACHINE_CONNECTIONS);
    assert_string_equal(p.steps[0].name, DCS_VALUE_DEFAULT);
    assert_memory_equal(p.steps[0].wanted, blob, n);
    assert_string_equal(p.steps[1].name, DCS_VALUE_SAVED_LEGACY);
    assert_string_equal(p.steps[2].key, DCS_KEY_POLICY_INTERNET_SETTINGS);
    assert_string_equal(p.steps[2].name, DCS_VALUE_PER_USER);
    assert_int_equal(p.steps[2].type, DCS_REG_DWORD);
    assert_int_equal(p.steps[2].wanted_len, 4);
    assert_memory_equal(p.steps[2].wanted, zero, 4);
    assert_int_equal(p.steps[2].action, DCS_APPLY_UPDATE);
    assert_int_equal(p.action, DCS_APPLY_CREATE);
    dcs_apply_plan_free(&p);

    struct dcs_apply_value now[] = {
        {DCS_KEY_MACHINE_CONNECTIONS, DCS_VALUE_DEFAULT, DCS_REG_BINARY, {blob, (uint32_t)n}},
        {DCS_KEY_POLICY_INTERNET_SETTINGS, DCS_VALUE_PER_USER, DCS_REG_DWORD, {zero, 4}}};
    struct dcs_apply_current cur2 = {now, 2, false};
    struct dcs_apply_options only = {.only_default = true};
    assert_int_equal(dcs_apply_plan_software(&src, &only, &cur2, DCS_PLAN_MACHINE_WIDE, &p, NULL),
                     DCS_OK);
    assert_int_equal(p.nsteps, 2);
    assert_int_equal(p.action, DCS_APPLY_UNCHANGED);
    dcs_apply_plan_free(&p);

    assert_int_equal(dcs_apply_plan_software(&src, &only, &cur2,
                                             DCS_PLAN_MACHINE_WIDE | DCS_PLAN_WINHTTP, &p, NULL),
                     DCS_OK);
    assert_int_equal(p.nsteps, 3);
    assert_string_equal(p.steps[2].name, DCS_VALUE_WINHTTP);
    assert_int_equal(p.action, DCS_APPLY_UPDATE);
    dcs_apply_plan_free(&p);

    struct dcs_error err;
    assert_int_equal(dcs_apply_plan_software(&src, NULL, &cur, 0, &p, &err), DCS_ERR_INVALID_ARG);
    assert_int_equal(dcs_apply_plan_software(&src, NULL, &cur, 4, &p, &err), DCS_ERR_INVALID_ARG);
}

static void bad_sources_rejected(void **state)
{
    struct dcs_error err;
    struct dcs_apply_source s = {.mode = DCS_MODE_MANUAL_PROXY};
    assert_int_equal(dcs_apply_source_check(&s, &err), DCS_ERR_INVALID_ARG);
    s.mode = DCS_MODE_AUTOSCRIPT;
    s.pac = (dcs_bytes){(const uint8_t *)"  ", 2};
    assert_int_equal(dcs_apply_source_check(&s, &err), DCS_ERR_INVALID_ARG);
    s.mode = DCS_MODE_COPY;
    assert_int_equal(dcs_apply_source_check(&s, &err), DCS_ERR_APPLY_NO_SOURCE);
    static const uint8_t shortb[] = {0x46, 0, 0, 0, 1};
    s.blob = (dcs_bytes){shortb, sizeof shortb};
    dcs_status rc = dcs_apply_source_check(&s, &err);
    assert_int_not_equal(rc, DCS_OK);
    assert_int_equal(err.code, rc);
    static const uint8_t winhttp[] = {0x18, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0,
                                      0,    0, 0, 0, 0, 0, 0, 0};
    s.blob = (dcs_bytes){winhttp, sizeof winhttp};
    assert_int_not_equal(dcs_apply_source_check(&s, &err), DCS_OK);
    enum dcs_apply_mode m;
    assert_true(dcs_apply_mode_parse("Manual_Proxy", &m));
    assert_int_equal(m, DCS_MODE_MANUAL_PROXY);
    assert_false(dcs_apply_mode_parse("copy", &m));
    assert_false(dcs_apply_mode_parse("proxy", &m));
}

static void utf8_strings_become_utf16(void **state)
{
    uint8_t blob[512];
    size_t n = make_blob(blob, 1, 0x03, "pr\xc3\xbc" "fung:1", "", "");
    struct dcs_apply_source src = {.mode = DCS_MODE_COPY, .blob = {blob, (uint32_t)n}};
    struct dcs_apply_plan p;
    assert_int_equal(dcs_apply_plan_user(&src, NULL, NULL, &p, NULL), DCS_OK);
    const struct dcs_apply_step *s = step(&p, IS, "ProxyServer");
    static const uint8_t want[] = {'p', 0, 'r', 0, 0xfc, 0, 'f', 0, 'u', 0, 'n', 0,
                                   'g', 0, ':', 0, '1',  0, 0,   0};
    assert_int_equal(s->wanted_len, sizeof want);
    assert_memory_equal(s->wanted, want, sizeof want);
    dcs_apply_plan_free(&p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(copy_into_empty_hive),
        cmocka_unit_test(copy_is_idempotent_ignoring_counter),
        cmocka_unit_test(copy_with_saved_legacy_and_stale_plain_values),
        cmocka_unit_test(modes_follow_windows_conventions),
        cmocka_unit_test(mode_is_idempotent),
        cmocka_unit_test(connections_and_options),
        cmocka_unit_test(winhttp_like_netsh_import),
        cmocka_unit_test(machine_wide_and_policy),
        cmocka_unit_test(bad_sources_rejected),
        cmocka_unit_test(utf8_strings_become_utf16),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
