/* Hive room: the libhivex adapter on hives with bad cells, on libhivex's
 * own limits and on misuse (read-only handles, the root key).  Every
 * libhivex failure must come back as a dcs_status naming what failed. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include <dcs/dcs.h>
#include "hive_testutil.h"

static char dir[512], clean[1100], bad[1100], bad_orig[1100];
/* handles in the clean hive; the corrupt copy has the same cell offsets */
static dcs_hive_key key_holder, key_bad_name;

static dcs_hive *open_rw(const char *path)
{
    dcs_hive *h;
    assert_int_equal(dcs_hive_open(path, DCS_HIVE_WRITE, &h, NULL), DCS_OK);
    return h;
}

static dcs_hive_key key(dcs_hive *h, const char *path)
{
    dcs_hive_key k;
    assert_int_equal(dcs_hive_find_key(h, 0, path, &k, NULL), DCS_OK);
    return k;
}

/* Build DEFAULT with the keys below, commit it, copy it and break the copy:
 *   BadKids   one subkey, its count raised to 20000
 *   BadVals   two values, their count raised past the 1000 limit
 *   BadData   value "v" (100 bytes) whose data cell points outside the file
 *   BadVName  value "v" whose name length runs past its cell
 *   Holder\BadKeyName  a key whose name length runs past its cell */
static int make_hives(void **state)
{
    char src[1024];
    make_tmpdir(dir, sizeof dir);
    fixture(src, sizeof src, "hivex-minimal");
    snprintf(clean, sizeof clean, "%s/DEFAULT", dir);
    snprintf(bad, sizeof bad, "%s/BAD", dir);
    snprintf(bad_orig, sizeof bad_orig, "%s/BAD.orig", dir);
    if (copy_to(src, clean) != 0)
        return -1;
    dcs_hive *h = open_rw(clean);
    dcs_hive_key k;
    uint8_t data[100] = {1, 2, 3};
    uint32_t one = 1;
    assert_int_equal(dcs_hive_ensure_key(h, 0, "Good", &k, NULL), DCS_OK);
    assert_int_equal(dcs_hive_set_value(h, k, "a", DCS_REG_DWORD, &one, 4, NULL), DCS_OK);
    assert_int_equal(dcs_hive_ensure_key(h, 0, "BadKids\\Child", &k, NULL), DCS_OK);
    assert_int_equal(dcs_hive_ensure_key(h, 0, "BadVals", &k, NULL), DCS_OK);
    assert_int_equal(dcs_hive_set_value(h, k, "x", DCS_REG_DWORD, &one, 4, NULL), DCS_OK);
    assert_int_equal(dcs_hive_set_value(h, k, "y", DCS_REG_DWORD, &one, 4, NULL), DCS_OK);
    assert_int_equal(dcs_hive_ensure_key(h, 0, "BadData", &k, NULL), DCS_OK);
    assert_int_equal(dcs_hive_set_value(h, k, "v", DCS_REG_BINARY, data, 100, NULL), DCS_OK);
    assert_int_equal(dcs_hive_ensure_key(h, 0, "BadVName", &k, NULL), DCS_OK);
    assert_int_equal(dcs_hive_set_value(h, k, "w", DCS_REG_DWORD, &one, 4, NULL), DCS_OK);
    assert_int_equal(dcs_hive_ensure_key(h, 0, "Holder\\BadKeyName", &key_bad_name, NULL),
                     DCS_OK);
    key_holder = key(h, "Holder");
    assert_int_equal(dcs_hive_commit_all(&h, 1, NULL), DCS_OK);
    dcs_hive_close(h);

    size_t len;
    uint8_t *d = slurp(clean, &len);
    assert_non_null(d);
    put32(d + find_nk(d, len, "BadKids") + 20, 20000);
    put32(d + find_nk(d, len, "BadVals") + 36, 5000);
    put32(d + find_vk(d, len, find_nk(d, len, "BadData"), "v") + 8, 0x7ffffff0);
    d[find_vk(d, len, 4096, "w") + 2] = 0xff;
    d[find_nk(d, len, "BadKeyName") + 73] = 0x7f;
    int rc = spit(bad, d, len) | spit(bad_orig, d, len);
    free(d);
    return rc;
}

static int remove_hives(void **state)
{
    rm_tree(dir);
    return 0;
}

static void expect_lib_error(dcs_status rc, const struct dcs_error *err, const char *what)
{
    assert_int_equal(rc, DCS_ERR_HIVE_LIB);
    assert_int_equal(err->code, DCS_ERR_HIVE_LIB);
    if (!strstr(err->message, what) || !strstr(err->message, "libhivex: "))
        fail_msg("message \"%s\" does not say \"%s\"", err->message, what);
}

static int count(void *ctx, const struct dcs_hive_value *v)
{
    (*(int *)ctx)++;
    return 0;
}

static int count_key(void *ctx, const char *name, dcs_hive_key k)
{
    (*(int *)ctx)++;
    return 0;
}

static void reading_bad_cells(void **state)
{
    dcs_hive *h;
    struct dcs_error err;
    assert_int_equal(dcs_hive_open(bad, DCS_HIVE_READ, &h, &err), DCS_OK);
    dcs_hive_key k;
    struct dcs_hive_value v;
    int n = 0;

    /* the subkey list cannot be read */
    expect_lib_error(dcs_hive_find_key(h, 0, "BadKids\\Child", &k, &err), &err,
                     "cannot look up key Child");
    dcs_hive_key kids = key(h, "BadKids");
    expect_lib_error(dcs_hive_child(h, kids, "Child", false, &k, NULL, &err), &err,
                     "cannot look up key Child");
    expect_lib_error(dcs_hive_each_subkey(h, kids, count_key, &n, NULL, &err), &err,
                     "cannot list subkeys in");
    /* the value list cannot be read */
    dcs_hive_key vals = key(h, "BadVals");
    expect_lib_error(dcs_hive_each_value(h, vals, count, &n, NULL, &err), &err,
                     "cannot list values in");
    expect_lib_error(dcs_hive_get_value(h, vals, "x", &v, &err), &err, "cannot look up value x");
    /* one value's data cannot be read */
    expect_lib_error(dcs_hive_get_value(h, key(h, "BadData"), "v", &v, &err), &err,
                     "cannot read value v");
    assert_null(v.name);
    assert_null(v.data);
    /* one value's name cannot be read */
    expect_lib_error(dcs_hive_each_value(h, key(h, "BadVName"), count, &n, NULL, &err), &err,
                     "cannot read a value name in");
    /* one key's name cannot be read */
    expect_lib_error(dcs_hive_each_subkey(h, key_holder, count_key, &n, NULL, &err), &err,
                     "cannot read a key name in");
    dcs_error_clear(&err);
    assert_null(dcs_hive_key_name(h, key_bad_name, &err));
    expect_lib_error(err.code, &err, "cannot read a key name in");
    assert_int_equal(n, 0);
    /* the rest of the hive reads fine */
    assert_int_equal(dcs_hive_get_value(h, key(h, "Good"), "A", &v, &err), DCS_OK);
    dcs_hive_value_free(&v);
    dcs_hive_close(h);
}

static void editing_bad_cells(void **state)
{
    dcs_hive *h = open_rw(bad);
    struct dcs_error err;
    dcs_hive_key k;
    bool deleted = true;
    expect_lib_error(dcs_hive_delete_value(h, key(h, "BadVals"), "x", &deleted, &err), &err,
                     "cannot look up value x");
    assert_false(deleted);
    expect_lib_error(dcs_hive_set_values(h, key(h, "BadVals"), NULL, 0, &err), &err,
                     "cannot set the values of a key in");
    expect_lib_error(dcs_hive_delete_key(h, key(h, "BadKids"), &err), &err,
                     "cannot delete a key in");
    expect_lib_error(dcs_hive_add_child(h, key(h, "BadKids"), "New", &k, &err), &err,
                     "cannot create key New");
    assert_int_equal(k, 0);
    assert_false(dcs_hive_modified(h));
    dcs_hive_close(h);
    assert_true(files_equal(bad, bad_orig)); /* nothing was committed */
}

/* libhivex's own refusals on a sound hive: duplicate and malformed names,
 * values larger than it allocates. */
static void libhivex_refusals(void **state)
{
    dcs_hive *h = open_rw(clean);
    struct dcs_error err;
    dcs_hive_key k, root = dcs_hive_root(h);
    bool created = true;
    expect_lib_error(dcs_hive_add_child(h, root, "good", &k, &err), &err,
                     "cannot create key good");
    assert_non_null(strstr(err.message, strerror(EEXIST)));
    expect_lib_error(dcs_hive_add_child(h, root, "bad\xff", &k, &err), &err, "cannot create key");
    expect_lib_error(dcs_hive_child(h, root, "bad\xff", true, &k, &created, &err), &err,
                     "cannot create key");
    assert_false(created);
    expect_lib_error(dcs_hive_ensure_key(h, 0, "Good\\bad\xff\\deeper", &k, &err), &err,
                     "cannot create key bad");
    static uint8_t huge[2 * 1024 * 1024];
    expect_lib_error(dcs_hive_set_value(h, root, "big", DCS_REG_BINARY, huge, sizeof huge, &err),
                     &err, "cannot set value big");
    struct dcs_hive_set one = {"big", DCS_REG_BINARY, huge, sizeof huge};
    expect_lib_error(dcs_hive_set_values(h, key(h, "Good"), &one, 1, &err), &err,
                     "cannot set the values of a key in");
    dcs_hive_close(h);
}

static void misuse_refused(void **state)
{
    dcs_hive *h;
    struct dcs_error err;
    assert_int_equal(dcs_hive_open(clean, DCS_HIVE_READ, &h, &err), DCS_OK);
    assert_string_equal(dcs_hive_path(h), clean);
    dcs_hive_key k, root = dcs_hive_root(h), good = key(h, "Good");
    bool flag = true;
    uint32_t one = 1;
    struct {
        dcs_status rc;
    } calls[] = {
        {dcs_hive_add_child(h, root, "New", &k, &err)},
        {dcs_hive_child(h, root, "New", true, &k, NULL, &err)},
        {dcs_hive_set_value(h, good, "a", DCS_REG_DWORD, &one, 4, &err)},
        {dcs_hive_set_values(h, good, NULL, 0, &err)},
        {dcs_hive_delete_value(h, good, "a", &flag, &err)},
        {dcs_hive_delete_key(h, good, &err)},
    };
    for (size_t i = 0; i < sizeof calls / sizeof calls[0]; i++)
        assert_int_equal(calls[i].rc, DCS_ERR_INVALID_ARG);
    assert_non_null(strstr(err.message, "was opened read-only"));
    assert_false(flag);
    assert_false(dcs_hive_modified(h));
    /* absent without create */
    assert_int_equal(dcs_hive_child(h, root, "Absent", false, &k, NULL, &err),
                     DCS_ERR_NOT_FOUND);
    assert_non_null(strstr(err.message, "\"Absent\""));
    /* a component longer than a key name can be */
    char longp[300];
    memset(longp, 'k', 257);
    longp[257] = '\0';
    assert_int_equal(dcs_hive_find_key(h, 0, longp, &k, &err), DCS_ERR_LIMIT);
    /* no path: the starting key itself */
    assert_int_equal(dcs_hive_find_key(h, good, NULL, &k, &err), DCS_OK);
    assert_int_equal(k, good);
    dcs_hive_close(h);
    dcs_hive_close(NULL);
    dcs_hive_value_free(NULL);

    h = open_rw(clean);
    assert_int_equal(dcs_hive_delete_key(h, dcs_hive_root(h), &err), DCS_ERR_INVALID_ARG);
    assert_non_null(strstr(err.message, "root key"));
    dcs_hive_close(h);
}

struct stop {
    int seen;
    char names[256];
};

static int stop_at_second_value(void *ctx, const struct dcs_hive_value *v)
{
    struct stop *s = ctx;
    strcat(s->names, v->name);
    return ++s->seen == 2 ? 7 : 0;
}

static int stop_at_first_key(void *ctx, const char *name, dcs_hive_key k)
{
    struct stop *s = ctx;
    strcat(s->names, name);
    s->seen++;
    return -1;
}

static void walks_stop_on_request(void **state)
{
    dcs_hive *h;
    assert_int_equal(dcs_hive_open(clean, DCS_HIVE_READ, &h, NULL), DCS_OK);
    struct stop s = {0};
    int stopped = 0;
    assert_int_equal(dcs_hive_each_value(h, key(h, "BadVals"), stop_at_second_value, &s,
                                         &stopped, NULL),
                     DCS_OK);
    assert_int_equal(stopped, 7);
    assert_string_equal(s.names, "xy");
    memset(&s, 0, sizeof s);
    assert_int_equal(dcs_hive_each_value(h, key(h, "BadVals"), stop_at_second_value, &s, NULL,
                                         NULL),
                     DCS_OK);
    assert_int_equal(s.seen, 2);
    memset(&s, 0, sizeof s);
    assert_int_equal(dcs_hive_each_subkey(h, dcs_hive_root(h), stop_at_first_key, &s, &stopped,
                                          NULL),
                     DCS_OK);
    assert_int_equal(stopped, -1);
    assert_int_equal(s.seen, 1);
    assert_string_equal(s.names, "BadData"); /* stored order is sorted */
    memset(&s, 0, sizeof s);
    assert_int_equal(dcs_hive_each_subkey(h, dcs_hive_root(h), stop_at_first_key, &s, NULL,
                                          NULL),
                     DCS_OK);
    assert_int_equal(s.seen, 1);

    char *name = dcs_hive_key_name(h, dcs_hive_root(h), NULL);
    assert_string_equal(name, "");
    free(name);
    name = dcs_hive_key_name(h, key_bad_name, NULL);
    assert_string_equal(name, "BadKeyName");
    free(name);
    dcs_hive_close(h);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(reading_bad_cells),
        cmocka_unit_test(editing_bad_cells),
        cmocka_unit_test(libhivex_refusals),
        cmocka_unit_test(misuse_refused),
        cmocka_unit_test(walks_stop_on_request),
    };
    return cmocka_run_group_tests(tests, make_hives, remove_hives);
}
