/* Hive room: the regf engine on hives with bad cells, on its own limits and
 * on misuse (read-only handles, the root key).  Every bad cell must come
 * back as DCS_ERR_HIVE_CORRUPT with its file offset and a message naming
 * the cell and what is wrong with it. */
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

static void expect_corrupt(dcs_status rc, const struct dcs_error *err, const char *what)
{
    assert_int_equal(rc, DCS_ERR_HIVE_CORRUPT);
    assert_int_equal(err->code, DCS_ERR_HIVE_CORRUPT);
    assert_int_not_equal(err->offset, DCS_NO_OFFSET);
    if (!strstr(err->message, what))
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

    /* the subkey list does not hold what the key says */
    expect_corrupt(dcs_hive_find_key(h, 0, "BadKids\\Child", &k, &err), &err,
                   "says 20000 subkeys, its list holds 1");
    dcs_hive_key kids = key(h, "BadKids");
    expect_corrupt(dcs_hive_child(h, kids, "Child", false, &k, NULL, &err), &err,
                   "says 20000 subkeys, its list holds 1");
    expect_corrupt(dcs_hive_each_subkey(h, kids, count_key, &n, NULL, &err), &err,
                   "says 20000 subkeys, its list holds 1");
    /* the value list is smaller than the key says */
    dcs_hive_key vals = key(h, "BadVals");
    expect_corrupt(dcs_hive_each_value(h, vals, count, &n, NULL, &err), &err,
                   ": 5000 values but no list of that size at 0x");
    expect_corrupt(dcs_hive_get_value(h, vals, "x", &v, &err), &err,
                   ": 5000 values but no list of that size at 0x");
    /* one value's data cell is outside the hive */
    expect_corrupt(dcs_hive_get_value(h, key(h, "BadData"), "v", &v, &err), &err,
                   ": its data cell 0x7ffffff0 is not allocated");
    assert_null(v.name);
    assert_null(v.data);
    /* one value's name runs past its cell */
    expect_corrupt(dcs_hive_each_value(h, key(h, "BadVName"), count, &n, NULL, &err), &err,
                   "name of 255 bytes runs past its cell");
    /* one key's name runs past its cell */
    expect_corrupt(dcs_hive_each_subkey(h, key_holder, count_key, &n, NULL, &err), &err,
                   "bytes runs past its cell");
    dcs_error_clear(&err);
    assert_null(dcs_hive_key_name(h, key_bad_name, &err));
    expect_corrupt(err.code, &err, "bytes runs past its cell");
    assert_int_equal(n, 0);
    /* the rest of the hive reads fine */
    assert_int_equal(dcs_hive_get_value(h, key(h, "Good"), "A", &v, &err), DCS_OK);
    dcs_hive_value_free(&v);
    dcs_hive_close(h);
}

/* The first edit runs the full check: any bad cell refuses every edit and
 * nothing is written. */
static void editing_bad_cells(void **state)
{
    dcs_hive *h = open_rw(bad);
    struct dcs_error err;
    dcs_hive_key k;
    bool deleted = true;
    uint32_t one = 1;
    /* the first bad cell the walk meets: it takes subkeys in list order,
     * and BadData sorts first */
    const char *first = "value data at 0x7ffffff0: not an allocated cell";
    expect_corrupt(dcs_hive_delete_value(h, key(h, "Good"), "a", &deleted, &err), &err, first);
    assert_false(deleted);
    expect_corrupt(dcs_hive_set_values(h, key(h, "Good"), NULL, 0, &err), &err, first);
    expect_corrupt(dcs_hive_set_value(h, key(h, "Good"), "b", DCS_REG_DWORD, &one, 4, &err),
                   &err, first);
    expect_corrupt(dcs_hive_delete_key(h, key(h, "Good"), &err), &err, first);
    expect_corrupt(dcs_hive_add_child(h, key(h, "Good"), "New", &k, &err), &err, first);
    assert_int_equal(k, 0);
    assert_false(dcs_hive_modified(h));
    dcs_hive_close(h);
    assert_true(files_equal(bad, bad_orig)); /* nothing was committed */
}

/* The engine's own refusals on a sound hive: duplicate and malformed names,
 * names and values larger than a hive holds; a 2 MiB value is big data. */
static void engine_refusals(void **state)
{
    dcs_hive *h = open_rw(clean);
    struct dcs_error err;
    dcs_hive_key k, root = dcs_hive_root(h);
    bool created = true;
    assert_int_equal(dcs_hive_add_child(h, root, "good", &k, &err), DCS_ERR_INVALID_ARG);
    assert_string_equal(err.message, "key \"good\" already exists");
    assert_int_equal(dcs_hive_add_child(h, root, "bad\xff", &k, &err), DCS_ERR_INVALID_ARG);
    assert_string_equal(err.message, "name \"bad\xff\" is not valid UTF-8 (byte 3)");
    assert_int_equal(dcs_hive_child(h, root, "bad\xff", true, &k, &created, &err),
                     DCS_ERR_INVALID_ARG);
    assert_false(created);
    assert_int_equal(dcs_hive_ensure_key(h, 0, "Good\\bad\xff\\deeper", &k, &err),
                     DCS_ERR_INVALID_ARG);
    char longname[300];
    memset(longname, 'n', 256);
    longname[256] = '\0';
    assert_int_equal(dcs_hive_add_child(h, root, longname, &k, &err), DCS_ERR_LIMIT);
    assert_false(dcs_hive_modified(h));
    static uint8_t huge[2 * 1024 * 1024];
    for (size_t i = 0; i < sizeof huge; i++)
        huge[i] = (uint8_t)(i * 7 + i / 251);
    /* the size is refused before the data is read */
    assert_int_equal(dcs_hive_set_value(h, root, "big", DCS_REG_BINARY, huge,
                                        (size_t)16344 * 65535 + 1, &err),
                     DCS_ERR_LIMIT);
    assert_int_equal(dcs_hive_set_value(h, root, "big", DCS_REG_BINARY, huge, sizeof huge, &err),
                     DCS_OK);
    assert_int_equal(dcs_hive_commit_all(&h, 1, &err), DCS_OK);
    dcs_hive_close(h);
    assert_int_equal(dcs_hive_open(clean, DCS_HIVE_READ, &h, &err), DCS_OK);
    struct dcs_hive_value v;
    assert_int_equal(dcs_hive_get_value(h, dcs_hive_root(h), "BIG", &v, &err), DCS_OK);
    assert_int_equal(v.len, sizeof huge);
    assert_memory_equal(v.data, huge, sizeof huge);
    dcs_hive_value_free(&v);
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
        cmocka_unit_test(engine_refusals),
        cmocka_unit_test(misuse_refused),
        cmocka_unit_test(walks_stop_on_request),
    };
    return cmocka_run_group_tests(tests, make_hives, remove_hives);
}
