/* The ship room: Registry.xml and reg add batch files, written byte for byte
 * and read back to the same values. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <dcs/dcs.h>

#define CONN "Software\\Microsoft\\Windows\\CurrentVersion\\Internet Settings\\Connections"

static const uint8_t blob[] = {0x46, 0, 0, 0, 5, 0, 0, 0, 3, 0, 0, 0, 4, 0, 0, 0, 'p', ':', '8', '0'};
static const uint8_t zero[4] = {0, 0, 0, 0};
/* "a&b<\"c\"> 50%\\" as UTF-16LE with its NUL */
static uint8_t text[64];
static size_t text_len;

static struct dcs_ship_value V(const char *root, const char *key, const char *name, uint32_t type,
                               const uint8_t *d, size_t n)
{
    struct dcs_ship_value v = {root,         strlen(root), key, strlen(key), name,
                               strlen(name), type,         d,   n,           DCS_SHIP_SET};
    return v;
}

static void make_text(const char *s)
{
    text_len = 0;
    for (; *s; s++) {
        text[text_len++] = (uint8_t)*s;
        text[text_len++] = 0;
    }
    text[text_len++] = 0;
    text[text_len++] = 0;
}

struct got {
    size_t n;
    struct {
        char root[32], key[256], name[64];
        uint32_t type;
        enum dcs_ship_action action;
        uint8_t data[128];
        size_t len;
    } v[8];
};

static dcs_status collect(void *ctx, const struct dcs_ship_value *v, struct dcs_error *err)
{
    (void)err;
    struct got *g = ctx;
    assert_true(g->n < 8);
    assert_true(v->key_len < 256 && v->name_len < 64 && v->len <= 128);
    snprintf(g->v[g->n].root, 32, "%.*s", (int)v->root_len, v->root);
    snprintf(g->v[g->n].key, 256, "%.*s", (int)v->key_len, v->key);
    snprintf(g->v[g->n].name, 64, "%.*s", (int)v->name_len, v->name);
    g->v[g->n].type = v->type;
    g->v[g->n].action = v->action;
    assert_non_null(v->data);
    memcpy(g->v[g->n].data, v->data, v->len);
    g->v[g->n].len = v->len;
    g->n++;
    return DCS_OK;
}

static char *write_all(bool gpp, const struct dcs_ship_value *v, size_t n, dcs_status want)
{
    struct dcs_reg_membuf mb = {NULL, 0, 0, true};
    struct dcs_ship_options opt = {"2026-12-02 07:00:00", NULL};
    struct dcs_error err;
    dcs_status st = gpp ? dcs_ship_write_gpp(v, n, &opt, dcs_reg_membuf_write, &mb, &err)
                        : dcs_ship_write_cmd(v, n, &opt, dcs_reg_membuf_write, &mb, &err);
    assert_int_equal(st, want);
    char *s = malloc(mb.len + 1);
    memcpy(s, mb.buf ? (char *)mb.buf : "", mb.len);
    s[mb.len] = 0;
    free(mb.buf);
    return s;
}

static void assert_same(const struct got *g, const struct dcs_ship_value *v, size_t n)
{
    assert_int_equal(g->n, n);
    for (size_t i = 0; i < n; i++) {
        assert_string_equal(g->v[i].root, v[i].root);
        assert_string_equal(g->v[i].key, v[i].key);
        assert_string_equal(g->v[i].name, v[i].name);
        assert_int_equal(g->v[i].type, v[i].type);
        assert_int_equal(g->v[i].action, v[i].action);
        assert_int_equal(g->v[i].len, v[i].len);
        assert_memory_equal(g->v[i].data, v[i].data, v[i].len);
    }
}

static void gpp_golden_and_back(void **state)
{
    (void)state;
    make_text("a&b<\"c\"> 50%\t\\");
    struct dcs_ship_value v[3] = {
        V("HKEY_USERS", "S-1-5-18\\" CONN, "DefaultConnectionSettings", DCS_REG_BINARY, blob,
          sizeof blob),
        V("HKEY_LOCAL_MACHINE", "SOFTWARE\\Policies\\Microsoft\\Windows\\CurrentVersion\\Internet Settings",
          "ProxySettingsPerUser", DCS_REG_DWORD, zero, 4),
        V("HKEY_USERS", "S-1-5-19\\Software\\Test", "", DCS_REG_SZ, text, text_len),
    };
    char *x = write_all(true, v, 3, DCS_OK);
    const char *want =
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\r\n"
        "<RegistrySettings clsid=\"{A3CCFC41-DFDB-43a5-8D26-0FE8B954DA51}\">\r\n"
        "\t<Registry clsid=\"{9CD4B2F4-923D-47f5-A062-E897DD1DAD50}\" name=\"DefaultConnectionSettings\" "
        "status=\"DefaultConnectionSettings\" image=\"17\" changed=\"2026-12-02 07:00:00\" uid=\"";
    assert_memory_equal(x, want, strlen(want));
    const char *props1 = "<Properties action=\"U\" displayDecimal=\"0\" default=\"0\" hive=\"HKEY_USERS\" "
                         "key=\"S-1-5-18\\" CONN "\" name=\"DefaultConnectionSettings\" "
                         "type=\"REG_BINARY\" value=\"4600000005000000030000000400000070"
                         "3A3830\"/></Registry>\r\n";
    assert_non_null(strstr(x, props1));
    assert_non_null(strstr(x, "name=\"ProxySettingsPerUser\" type=\"REG_DWORD\" value=\"00000000\""));
    assert_non_null(strstr(x, "name=\"(Default)\" status=\"(Default)\" image=\"7\""));
    assert_non_null(strstr(x, "default=\"1\" hive=\"HKEY_USERS\" key=\"S-1-5-19\\Software\\Test\" "
                              "name=\"\" type=\"REG_SZ\" value=\"a&amp;b&lt;&quot;c&quot;&gt; 50%&#9;\\\"/>"));
    assert_string_equal(x + strlen(x) - 21, "</RegistrySettings>\r\n");
    /* the same input gives the same file (uid derived from the value's place) */
    char *y = write_all(true, v, 3, DCS_OK);
    assert_string_equal(x, y);
    struct got g = {0};
    struct dcs_error err;
    assert_int_equal(dcs_ship_read_gpp(x, strlen(x), collect, &g, &err), DCS_OK);
    assert_same(&g, v, 3);
    assert_int_equal(dcs_ship_detect(x, strlen(x)), 1);
    free(x);
    free(y);
}

static void cmd_golden_and_back(void **state)
{
    (void)state;
    make_text("C:\\p 50%\\");
    struct dcs_ship_value v[3] = {
        V("HKEY_USERS", "S-1-5-18\\" CONN, "DefaultConnectionSettings", DCS_REG_BINARY, blob,
          sizeof blob),
        V("HKEY_LOCAL_MACHINE", "SOFTWARE\\x", "PerUser", DCS_REG_DWORD, zero, 4),
        V("HKEY_USERS", "S-1-5-20\\Software\\100%", "", DCS_REG_EXPAND_SZ, text, text_len),
    };
    char *x = write_all(false, v, 3, DCS_OK);
    assert_string_equal(x,
        "@echo off\r\n"
        "reg add \"HKU\\S-1-5-18\\" CONN "\" /v \"DefaultConnectionSettings\" /t REG_BINARY "
        "/d 46000000050000000300000004000000703A3830 /f\r\n"
        "if errorlevel 1 exit /b 1\r\n"
        "reg add \"HKLM\\SOFTWARE\\x\" /v \"PerUser\" /t REG_DWORD /d 0 /f\r\n"
        "if errorlevel 1 exit /b 1\r\n"
        "reg add \"HKU\\S-1-5-20\\Software\\100%%\" /ve /t REG_EXPAND_SZ /d \"C:\\p 50%%\\\\\" /f\r\n"
        "if errorlevel 1 exit /b 1\r\n"
        "exit /b 0\r\n");
    struct got g = {0};
    struct dcs_error err;
    assert_int_equal(dcs_ship_read_cmd(x, strlen(x), collect, &g, &err), DCS_OK);
    assert_same(&g, v, 3);
    assert_int_equal(dcs_ship_detect(x, strlen(x)), 2);
    free(x);
}

/* A value the settings do not use is deleted, as the .reg's "NAME"=-
 * deletes it: GPMC's D item, and for a batch file a reg delete whose
 * "not found" is silenced, checked by a query that fails the script only
 * when the value is still there. */
static void delete_items(void **state)
{
    (void)state;
    struct dcs_ship_value v[2] = {
        V("HKEY_USERS", "S-1-5-18\\Software\\x", "ProxyServer", DCS_REG_NONE, NULL, 0),
        V("HKEY_USERS", "S-1-5-19\\k", "", DCS_REG_NONE, NULL, 0),
    };
    v[0].action = v[1].action = DCS_SHIP_DELETE;
    char *x = write_all(false, v, 2, DCS_OK);
    assert_string_equal(x, "@echo off\r\n"
                           "reg delete \"HKU\\S-1-5-18\\Software\\x\" /v \"ProxyServer\" /f >nul 2>&1\r\n"
                           "reg query \"HKU\\S-1-5-18\\Software\\x\" /v \"ProxyServer\" >nul 2>&1\r\n"
                           "if not errorlevel 1 exit /b 1\r\n"
                           "reg delete \"HKU\\S-1-5-19\\k\" /ve /f >nul 2>&1\r\n"
                           "reg query \"HKU\\S-1-5-19\\k\" /ve >nul 2>&1\r\n"
                           "if not errorlevel 1 exit /b 1\r\n"
                           "exit /b 0\r\n");
    struct got g = {0};
    struct dcs_error err;
    assert_int_equal(dcs_ship_read_cmd(x, strlen(x), collect, &g, &err), DCS_OK);
    assert_same(&g, v, 2);
    free(x);
    x = write_all(true, v, 2, DCS_OK);
    assert_non_null(strstr(x, "name=\"ProxyServer\" status=\"ProxyServer\" image=\"8\""));
    assert_non_null(strstr(x, "<Properties action=\"D\" displayDecimal=\"0\" default=\"0\" "
                              "hive=\"HKEY_USERS\" key=\"S-1-5-18\\Software\\x\" "
                              "name=\"ProxyServer\" type=\"REG_SZ\" value=\"\"/></Registry>"));
    memset(&g, 0, sizeof g);
    assert_int_equal(dcs_ship_read_gpp(x, strlen(x), collect, &g, &err), DCS_OK);
    assert_same(&g, v, 2);
    free(x);
    /* reg delete of a whole key, or with /t: refused by name */
    const char *whole = "reg delete \"HKU\\S-1-5-18\\k\" /f\n";
    assert_int_equal(dcs_ship_read_cmd(whole, strlen(whole), collect, &g, &err),
                     DCS_ERR_SHIP_SYNTAX);
    assert_string_equal(err.message, "batch file, line 1: neither /v NAME nor /ve: reg delete "
                                     "would delete the whole key, which dcs does not read");
    const char *typed = "reg delete HKU\\k /v n /t REG_SZ\n";
    assert_int_equal(dcs_ship_read_cmd(typed, strlen(typed), collect, &g, &err),
                     DCS_ERR_SHIP_SYNTAX);
    assert_int_equal(err.column, 23);
    assert_string_equal(err.message, "batch file, line 1: an option reg delete does not take");
}

static void cmd_reader_rules(void **state)
{
    (void)state;
    const char *f = "rem a comment\n"
                    "echo reg add HKU\\x /v n /d 1\n"
                    "  @REG.EXE ADD hkey_users\\S-1-5-18\\k /reg:64 /t reg_dword /v \"a b\" /d 0x10 /f\r\n"
                    "reg add HKLM\\k /v q /t REG_QWORD /d 18446744073709551615\n"
                    "reg add \"HKCU\\k\" /v \"x\\\"y\" /d \"\"\"q\"\"\"\n";
    struct got g = {0};
    struct dcs_error err;
    assert_int_equal(dcs_ship_read_cmd(f, strlen(f), collect, &g, &err), DCS_OK);
    assert_int_equal(g.n, 3);
    assert_string_equal(g.v[0].root, "HKEY_USERS");
    assert_string_equal(g.v[0].key, "S-1-5-18\\k");
    assert_string_equal(g.v[0].name, "a b");
    assert_int_equal(g.v[0].type, DCS_REG_DWORD);
    assert_memory_equal(g.v[0].data, "\x10\0\0\0", 4);
    assert_int_equal(g.v[1].type, DCS_REG_QWORD);
    assert_memory_equal(g.v[1].data, "\xff\xff\xff\xff\xff\xff\xff\xff", 8);
    assert_string_equal(g.v[2].name, "x\"y");
    assert_int_equal(g.v[2].type, DCS_REG_SZ);
    assert_int_equal(g.v[2].len, 8);
    assert_memory_equal(g.v[2].data, "\"\0q\0\"\0\0\0", 8);
}

static void expect_cmd_error(const char *f, dcs_status code, unsigned line, unsigned col,
                             const char *msg)
{
    struct got g = {0};
    struct dcs_error err;
    assert_int_equal(dcs_ship_read_cmd(f, strlen(f), collect, &g, &err), code);
    assert_int_equal(err.line, line);
    assert_int_equal(err.column, col);
    assert_string_equal(err.message, msg);
}

static void cmd_reader_errors(void **state)
{
    (void)state;
    expect_cmd_error("\nreg add HKX\\k /v a /d 1\n", DCS_ERR_SHIP_SYNTAX, 2, 9,
                     "batch file, line 2: the key is not ROOT\\PATH with a registry root");
    expect_cmd_error("reg add HKU\\k /d 1\n", DCS_ERR_SHIP_SYNTAX, 1, 9,
                     "batch file, line 1: neither /v NAME nor /ve: reg add would only create the key");
    expect_cmd_error("reg add HKU\\k /v a /t REG_MULTI_SZ /d 1\n", DCS_ERR_SHIP_SYNTAX, 1, 23,
                     "batch file, line 1: a type dcs does not read (REG_SZ, REG_EXPAND_SZ, "
                     "REG_BINARY, REG_DWORD, REG_QWORD)");
    expect_cmd_error("reg add HKU\\k /v a /t REG_BINARY /d 4G\n", DCS_ERR_SHIP_SYNTAX, 1, 37,
                     "batch file, line 1: binary data is not pairs of hex digits");
    expect_cmd_error("reg add HKU\\k /v a /t REG_DWORD /d 4294967296\n", DCS_ERR_SHIP_SYNTAX, 1, 36,
                     "batch file, line 1: a number is too large for its type");
    expect_cmd_error("reg add HKU\\k /v a /x\n", DCS_ERR_SHIP_SYNTAX, 1, 20,
                     "batch file, line 1: an option reg add does not take here");
    expect_cmd_error("reg add HKU\\k /v\n", DCS_ERR_SHIP_SYNTAX, 1, 15,
                     "batch file, line 1: an option lacks its argument");
}

static void gpp_reader_rules(void **state)
{
    (void)state;
    const char *f = "\xEF\xBB\xBF<?xml version='1.0'?><!-- <Properties hive='x'/> -->"
                    "<RegistrySettings><Collection name='c'><![CDATA[<Properties>]]>"
                    "<Registry><Properties value='6869' type='REG_BINARY' name='n&#x41;&#66;'\n"
                    " key='k&apos;s' hive='HKLM'/></Registry>"
                    "<Registry><Properties action='D' hive='HKLM' key='k' name='gone' type='REG_SZ'/></Registry>"
                    "<Registry><Properties action=\"R\" hive=\"HKEY_USERS\" key=\"a\nb\" name=\"q\" "
                    "type=\"REG_DWORD\" value=\"0000000A\"></Properties></Registry>"
                    "</Collection></RegistrySettings>";
    struct got g = {0};
    struct dcs_error err;
    assert_int_equal(dcs_ship_read_gpp(f, strlen(f), collect, &g, &err), DCS_OK);
    assert_int_equal(g.n, 3);
    assert_string_equal(g.v[0].root, "HKEY_LOCAL_MACHINE");
    assert_string_equal(g.v[0].key, "k's");
    assert_string_equal(g.v[0].name, "nAB");
    assert_int_equal(g.v[0].len, 2);
    assert_memory_equal(g.v[0].data, "hi", 2);
    assert_int_equal(g.v[0].action, DCS_SHIP_SET);
    /* the D item: a delete with no data */
    assert_int_equal(g.v[1].action, DCS_SHIP_DELETE);
    assert_string_equal(g.v[1].name, "gone");
    assert_int_equal(g.v[1].type, DCS_REG_NONE);
    assert_int_equal(g.v[1].len, 0);
    assert_int_equal(g.v[2].action, DCS_SHIP_SET); /* R: set */
    assert_string_equal(g.v[2].key, "a b"); /* attribute-value normalisation */
    assert_memory_equal(g.v[2].data, "\x0a\0\0\0", 4);
}

static void expect_gpp_error(const char *f, dcs_status code, uint64_t off, const char *msg)
{
    struct got g = {0};
    struct dcs_error err;
    assert_int_equal(dcs_ship_read_gpp(f, strlen(f), collect, &g, &err), code);
    assert_int_equal(err.offset, off);
    assert_string_equal(err.message, msg);
}

static void gpp_reader_errors(void **state)
{
    (void)state;
    expect_gpp_error("<a><!-- x", DCS_ERR_SHIP_SYNTAX, 3, "Registry.xml, offset 3: markup is not closed");
    expect_gpp_error("<Properties hive='HKU' key='k' type='REG_SZ' value='&bogus;'/>",
                     DCS_ERR_SHIP_SYNTAX, 52,
                     "Registry.xml, offset 52: an entity this reader does not know");
    expect_gpp_error("<Properties hive='HKU' key='k' type='REG_MULTI_SZ' value=''/>",
                     DCS_ERR_UNSUPPORTED, 0,
                     "Registry.xml, offset 0: type REG_MULTI_SZ is not one dcs reads");
    expect_gpp_error("<Properties hive='HKU' type='REG_SZ'/>", DCS_ERR_SHIP_SYNTAX, 0,
                     "Registry.xml, offset 0: a <Properties> element lacks hive, key or type");
    expect_gpp_error("<Properties hive='HKU' hive='HKU'/>", DCS_ERR_SHIP_SYNTAX, 29,
                     "Registry.xml, offset 29: an attribute appears twice");
    expect_gpp_error("<Properties hive=HKU/>", DCS_ERR_SHIP_SYNTAX, 17,
                     "Registry.xml, offset 17: an attribute value must be quoted");
    expect_gpp_error("<Properties hive='HKU' key='k' type='REG_BINARY' value='ABC'/>",
                     DCS_ERR_SHIP_SYNTAX, 0,
                     "Registry.xml, offset 0: binary data is not pairs of hex digits");
    expect_gpp_error("<Properties hive='HKU", DCS_ERR_SHIP_SYNTAX, 17,
                     "Registry.xml, offset 17: an attribute value is not closed");
}

static void writers_refuse(void **state)
{
    (void)state;
    struct dcs_error err;
    struct dcs_ship_value bad_root = V("HKEY_X", "k", "n", DCS_REG_DWORD, zero, 4);
    free(write_all(true, &bad_root, 1, DCS_ERR_INVALID_ARG));
    struct dcs_ship_value short_dw = V("HKEY_USERS", "k", "n", DCS_REG_DWORD, zero, 3);
    free(write_all(false, &short_dw, 1, DCS_ERR_INVALID_ARG));
    struct dcs_ship_value multi = V("HKEY_USERS", "k", "n", DCS_REG_MULTI_SZ, zero, 4);
    free(write_all(true, &multi, 1, DCS_ERR_UNSUPPORTED));
    static const uint8_t nul_inside[] = {'a', 0, 0, 0, 'b', 0, 0, 0};
    struct dcs_ship_value nul = V("HKEY_USERS", "k", "n", DCS_REG_SZ, nul_inside, 8);
    free(write_all(true, &nul, 1, DCS_ERR_INVALID_ARG));
    struct dcs_ship_value uml = V("HKEY_USERS", "k\xc3\xa4", "n", DCS_REG_DWORD, zero, 4);
    free(write_all(false, &uml, 1, DCS_ERR_UNSUPPORTED));
    char *ok = write_all(true, &uml, 1, DCS_OK); /* XML carries it */
    struct got g = {0};
    assert_int_equal(dcs_ship_read_gpp(ok, strlen(ok), collect, &g, &err), DCS_OK);
    assert_same(&g, &uml, 1);
    free(ok);
    struct dcs_ship_value ctl = V("HKEY_USERS", "k\x01", "n", DCS_REG_DWORD, zero, 4);
    free(write_all(true, &ctl, 1, DCS_ERR_INVALID_ARG));
    struct dcs_ship_value trail = V("HKEY_USERS", "k\\", "n", DCS_REG_DWORD, zero, 4);
    free(write_all(false, &trail, 1, DCS_ERR_UNSUPPORTED));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(gpp_golden_and_back), cmocka_unit_test(cmd_golden_and_back),
        cmocka_unit_test(delete_items),
        cmocka_unit_test(cmd_reader_rules),    cmocka_unit_test(cmd_reader_errors),
        cmocka_unit_test(gpp_reader_rules),    cmocka_unit_test(gpp_reader_errors),
        cmocka_unit_test(writers_refuse),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
