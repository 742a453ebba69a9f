/* Hive room: .reg import into a hive (dcs_hive_import_reg) — many fresh
 * keys, the prefix, key deletion, warnings, limits and bad cells.  What was
 * imported is read back through the adapter. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include <dcs/dcs.h>
#include "hive_testutil.h"

#define PREFIX "HKEY_USERS\\S-1-5-19"
#define HEAD "Windows Registry Editor Version 5.00\r\n\r\n"

static char dir[512], path[1100];

/* a fresh copy of hivex-minimal for each test */
static int fresh_hive(void **state)
{
    (void)state;
    char src[1024];
    make_tmpdir(dir, sizeof dir);
    fixture(src, sizeof src, "hivex-minimal");
    snprintf(path, sizeof path, "%s/DEFAULT", dir);
    return copy_to(src, path);
}

static int remove_hive(void **state)
{
    (void)state;
    rm_tree(dir);
    return 0;
}

static dcs_hive *open_rw(void)
{
    dcs_hive *h;
    assert_int_equal(dcs_hive_open(path, DCS_HIVE_WRITE, &h, NULL), DCS_OK);
    return h;
}

struct warnings {
    int n;
    char first[DCS_ERROR_MESSAGE_MAX + 32];
};

static void on_warning(void *ctx, const struct dcs_error *w)
{
    struct warnings *ws = ctx;
    if (ws->n++ == 0)
        snprintf(ws->first, sizeof ws->first, "%u:%u %s", w->line, w->column, w->message);
}

static dcs_status import(dcs_hive *h, const char *prefix, const char *text,
                         struct dcs_hive_import_stats *st, struct warnings *ws,
                         struct dcs_error *err)
{
    struct dcs_reg_source *src;
    assert_int_equal(dcs_reg_source_open_mem(text, strlen(text), 0, &src, NULL), DCS_OK);
    dcs_status rc = dcs_hive_import_reg(h, prefix, NULL, src, ws ? on_warning : NULL, ws, st, err);
    dcs_reg_source_close(src);
    return rc;
}

static uint32_t dword_at(dcs_hive *h, const char *key, const char *name)
{
    dcs_hive_key k;
    assert_int_equal(dcs_hive_find_key(h, 0, key, &k, NULL), DCS_OK);
    struct dcs_hive_value v;
    assert_int_equal(dcs_hive_get_value(h, k, name, &v, NULL), DCS_OK);
    assert_int_equal(v.type, DCS_REG_DWORD);
    assert_int_equal(v.len, 4);
    uint32_t x = (uint32_t)v.data[0] | (uint32_t)v.data[1] << 8 | (uint32_t)v.data[2] << 16 |
                 (uint32_t)v.data[3] << 24;
    dcs_hive_value_free(&v);
    return x;
}

static int count_subkey(void *ctx, const char *name, dcs_hive_key k)
{
    (void)name;
    (void)k;
    ++*(size_t *)ctx;
    return 0;
}

/* ---- many keys ------------------------------------------------------------ */

#define NKEYS 600

/* More new keys than half the importer's first table (so it grows), each
 * found again (in other case too) to put a subkey below it; a key section
 * that is a parent of the one before. */
static void many_fresh_keys(void **state)
{
    (void)state;
    size_t cap = 80 * 1024, n = 0;
    char *t = malloc(cap);
    assert_non_null(t);
    n += (size_t)snprintf(t + n, cap - n, HEAD);
    for (int i = 0; i < NKEYS; i++)
        n += (size_t)snprintf(t + n, cap - n, "[" PREFIX "\\P\\K%04d]\r\n", i);
    for (int i = 0; i < NKEYS; i += 7)
        n += (size_t)snprintf(t + n, cap - n,
                              "[" PREFIX "\\p\\k%04d\\Sub]\r\n\"v\"=dword:%08x\r\n"
                              "[" PREFIX "\\P\\K%04d]\r\n\"w\"=dword:%08x\r\n",
                              i, i, i, i + 1);
    assert_true(n < cap);
    dcs_hive *h = open_rw();
    struct dcs_hive_import_stats st;
    struct dcs_error err;
    assert_int_equal(import(h, PREFIX, t, &st, NULL, &err), DCS_OK);
    free(t);
    size_t subs = (NKEYS + 6) / 7;
    assert_int_equal(st.keys_created, 1 + NKEYS + subs);
    assert_int_equal(st.values_set, 2 * subs);
    dcs_hive_key p;
    assert_int_equal(dcs_hive_find_key(h, 0, "P", &p, NULL), DCS_OK);
    size_t kids = 0;
    assert_int_equal(dcs_hive_each_subkey(h, p, count_subkey, &kids, NULL, NULL), DCS_OK);
    assert_int_equal(kids, NKEYS);
    assert_int_equal(dword_at(h, "P\\K0595\\Sub", "v"), 595);
    assert_int_equal(dword_at(h, "P\\K0595", "w"), 596);
    assert_int_equal(dword_at(h, "P\\K0000\\SUB", "v"), 0);
    dcs_hive_close(h);
}

/* ---- the prefix ----------------------------------------------------------- */

static void prefix_key_and_outside(void **state)
{
    (void)state;
    dcs_hive *h = open_rw();
    struct dcs_hive_import_stats st;
    struct dcs_error err;
    /* trailing backslashes of the prefix do not matter; the prefix key itself
     * is the hive root; an empty binary value is a value */
    assert_int_equal(import(h, PREFIX "\\\\", HEAD "[" PREFIX "]\r\n\"e\"=hex:\r\n"
                                             "\"d\"=dword:00000007\r\n",
                            &st, NULL, &err),
                     DCS_OK);
    assert_int_equal(st.keys_created, 0);
    assert_int_equal(st.values_set, 2);
    struct dcs_hive_value v;
    assert_int_equal(dcs_hive_get_value(h, dcs_hive_root(h), "e", &v, NULL), DCS_OK);
    assert_int_equal(v.type, DCS_REG_BINARY);
    assert_int_equal(v.len, 0);
    dcs_hive_value_free(&v);
    assert_int_equal(dword_at(h, "", "d"), 7);
    /* a key that only starts like the prefix is outside it */
    assert_int_equal(import(h, PREFIX, HEAD "[" PREFIX "\\A]\r\n\r\n[" PREFIX "0\\X]\r\n", &st,
                            NULL, &err),
                     DCS_ERR_APPLY_PREFIX);
    assert_int_equal(err.line, 5);
    assert_int_equal(err.column, 1);
    assert_string_equal(err.message, "key \"" PREFIX "0\\X\" is outside the prefix \"" PREFIX
                                     "\"");
    dcs_hive_close(h);
}

/* ---- deleting keys and values --------------------------------------------- */

static void deletions(void **state)
{
    (void)state;
    dcs_hive *h = open_rw();
    struct dcs_hive_import_stats st;
    struct dcs_error err;
    assert_int_equal(import(h, PREFIX, HEAD "[" PREFIX "\\A\\B]\r\n\"x\"=dword:00000001\r\n",
                            &st, NULL, &err),
                     DCS_OK);
    assert_int_equal(dcs_hive_commit_all(&h, 1, &err), DCS_OK);
    /* an absent value or key: nothing to do, the hive stays unmodified */
    assert_int_equal(import(h, PREFIX, HEAD "[" PREFIX "\\A\\B]\r\n\"nope\"=-\r\n\r\n"
                                          "[-" PREFIX "\\A\\Absent]\r\n",
                            &st, NULL, &err),
                     DCS_OK);
    assert_int_equal(st.values_deleted, 0);
    assert_int_equal(st.keys_deleted, 0);
    assert_false(dcs_hive_modified(h));
    /* delete a key made in this very import, then make it again */
    assert_int_equal(import(h, PREFIX, HEAD "[" PREFIX "\\A\\C\\D]\r\n"
                                          "[-" PREFIX "\\A\\C]\r\n"
                                          "[" PREFIX "\\A\\C\\E]\r\n\"y\"=dword:00000002\r\n",
                            &st, NULL, &err),
                     DCS_OK);
    assert_int_equal(st.keys_deleted, 1);
    assert_int_equal(st.keys_created, 4);
    dcs_hive_key k;
    assert_int_equal(dcs_hive_find_key(h, 0, "A\\C\\D", &k, NULL), DCS_ERR_NOT_FOUND);
    assert_int_equal(dword_at(h, "A\\C\\E", "y"), 2);
    assert_int_equal(dword_at(h, "A\\B", "x"), 1);
    /* the prefix key itself, or a key outside it, cannot be deleted */
    assert_int_equal(import(h, PREFIX, HEAD "\r\n[-" PREFIX "]\r\n", &st, NULL, &err),
                     DCS_ERR_INVALID_ARG);
    assert_int_equal(err.line, 4);
    assert_string_equal(err.message, "[-" PREFIX "] would delete the hive's root key");
    assert_int_equal(import(h, PREFIX, HEAD "[-HKEY_USERS\\Other]\r\n", &st, NULL, &err),
                     DCS_ERR_APPLY_PREFIX);
    assert_int_equal(err.line, 3);
    dcs_hive_close(h);
}

/* ---- warnings and limits -------------------------------------------------- */

static void warnings_passed_on(void **state)
{
    (void)state;
    dcs_hive *h = open_rw();
    struct dcs_hive_import_stats st;
    struct dcs_error err;
    const char *text = HEAD "[" PREFIX "\\W]\r\n\"a\"=\r\n\"b\"=dword:00000003\r\n";
    struct warnings ws = {0};
    assert_int_equal(import(h, PREFIX, text, &st, &ws, &err), DCS_OK);
    assert_int_equal(st.warnings, 1);
    assert_int_equal(ws.n, 1);
    assert_string_equal(ws.first, "4:5 no data after '=': value not set");
    assert_int_equal(dword_at(h, "W", "b"), 3);
    /* without a callback they are only counted */
    assert_int_equal(import(h, PREFIX, text, &st, NULL, &err), DCS_OK);
    assert_int_equal(st.warnings, 1);
    dcs_hive_close(h);
}

/* The reader takes key paths up to 512 levels below HKEY_USERS, the SID
 * included: 511 new keys below the prefix; one more and the section is
 * dropped with a warning. */
static void deepest_keys(void **state)
{
    (void)state;
    for (int levels = 511; levels <= 512; levels++) {
        size_t cap = 4096, n = 0;
        char *t = malloc(cap);
        assert_non_null(t);
        n += (size_t)snprintf(t + n, cap - n, HEAD "[" PREFIX);
        for (int i = 0; i < levels; i++)
            n += (size_t)snprintf(t + n, cap - n, "\\k");
        n += (size_t)snprintf(t + n, cap - n, "]\r\n\"v\"=dword:00000001\r\n");
        assert_true(n < cap);
        dcs_hive *h = open_rw();
        struct dcs_hive_import_stats st;
        struct warnings ws = {0};
        assert_int_equal(import(h, PREFIX, t, &st, &ws, NULL), DCS_OK);
        free(t);
        if (levels == 511) {
            assert_int_equal(st.keys_created, 511);
            assert_int_equal(st.values_set, 1);
            assert_int_equal(ws.n, 0);
        } else {
            assert_int_equal(st.keys_created, 0);
            assert_int_equal(st.values_set, 0);
            assert_non_null(strstr(ws.first, "key path deeper than 512 levels"));
            assert_false(dcs_hive_modified(h));
        }
        dcs_hive_close(h);
    }
}

/* ---- bad cells ------------------------------------------------------------ */

/* BadKids: a subkey count of 20000 for one subkey; BadVals: a value count
 * of 5000 for one value.  Every import that edits the hive fails, on reading
 * the bad key's list or in the full check the engine runs before its first
 * edit, which names the first bad key it meets. */
static void bad_cells(void **state)
{
    (void)state;
    dcs_hive *h = open_rw();
    dcs_hive_key k;
    uint32_t one = 1;
    assert_int_equal(dcs_hive_ensure_key(h, 0, "BadKids\\Child", &k, NULL), DCS_OK);
    assert_int_equal(dcs_hive_ensure_key(h, 0, "BadVals", &k, NULL), DCS_OK);
    assert_int_equal(dcs_hive_set_value(h, k, "x", DCS_REG_DWORD, &one, 4, NULL), DCS_OK);
    assert_int_equal(dcs_hive_commit_all(&h, 1, NULL), DCS_OK);
    dcs_hive_close(h);
    size_t len;
    uint8_t *d = slurp(path, &len);
    assert_non_null(d);
    put32(d + find_nk(d, len, "BadKids") + 20, 20000);
    put32(d + find_nk(d, len, "BadVals") + 36, 5000);
    assert_int_equal(spit(path, d, len), 0);
    free(d);
    static const struct {
        const char *text, *what;
    } cases[] = {
        {HEAD "[" PREFIX "\\BadKids\\New]\r\n", "says 20000 subkeys, its list holds 1"},
        /* the edit of BadVals runs the full check, which meets BadKids
         * first (subkeys are walked in list order) */
        {HEAD "[" PREFIX "\\BadVals]\r\n\"y\"=dword:00000002\r\n",
         "says 20000 subkeys, its list holds 1"},
        {HEAD "[-" PREFIX "\\BadKids\\Child]\r\n", "says 20000 subkeys, its list holds 1"},
        /* the check reports the first bad key it meets (in list order:
         * BadKids sorts before BadVals) */
        {HEAD "[-" PREFIX "\\BadKids]\r\n", "says 20000 subkeys, its list holds 1"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        h = open_rw();
        struct dcs_hive_import_stats st;
        struct dcs_error err;
        assert_int_equal(import(h, PREFIX, cases[i].text, &st, NULL, &err),
                         DCS_ERR_HIVE_CORRUPT);
        assert_int_not_equal(err.offset, DCS_NO_OFFSET);
        assert_false(dcs_hive_modified(h));
        if (!strstr(err.message, cases[i].what))
            fail_msg("case %zu: \"%s\" does not say \"%s\"", i, err.message, cases[i].what);
        dcs_hive_close(h);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(many_fresh_keys, fresh_hive, remove_hive),
        cmocka_unit_test_setup_teardown(prefix_key_and_outside, fresh_hive, remove_hive),
        cmocka_unit_test_setup_teardown(deletions, fresh_hive, remove_hive),
        cmocka_unit_test_setup_teardown(warnings_passed_on, fresh_hive, remove_hive),
        cmocka_unit_test_setup_teardown(deepest_keys, fresh_hive, remove_hive),
        cmocka_unit_test_setup_teardown(bad_cells, fresh_hive, remove_hive),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
