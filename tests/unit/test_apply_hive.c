/* Applier execution on real hives: reading the current values (many of
 * them, empty ones, bad cells on the way), editing and executing plans.
 * Bad cells must come back as the adapter's error with nothing half-read;
 * a failed execute leaves every file as it was. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include <dcs/dcs.h>
#include "hive_testutil.h"

#define CONN DCS_KEY_CONNECTIONS
#define IS DCS_KEY_INTERNET_SETTINGS

static char dir[512];

static int make_dir(void **state)
{
    (void)state;
    make_tmpdir(dir, sizeof dir);
    return dir[0] ? 0 : -1;
}

static int remove_dir(void **state)
{
    (void)state;
    rm_tree(dir);
    return 0;
}

/* dir/name: a copy of hivex-minimal with `fill` applied and committed. */
static void build(char *path, size_t size, const char *name, void (*fill)(dcs_hive *))
{
    char src[1024];
    fixture(src, sizeof src, "hivex-minimal");
    snprintf(path, size, "%s/%s", dir, name);
    assert_int_equal(copy_to(src, path), 0);
    dcs_hive *h;
    assert_int_equal(dcs_hive_open(path, DCS_HIVE_WRITE, &h, NULL), DCS_OK);
    fill(h);
    assert_int_equal(dcs_hive_commit_all(&h, 1, NULL), DCS_OK);
    dcs_hive_close(h);
}

static void set(dcs_hive *h, const char *key, const char *name, uint32_t type, const void *d,
                size_t len)
{
    dcs_hive_key k;
    assert_int_equal(dcs_hive_ensure_key(h, 0, key, &k, NULL), DCS_OK);
    assert_int_equal(dcs_hive_set_value(h, k, name, type, d, len, NULL), DCS_OK);
}

/* ---- reading -------------------------------------------------------------- */

#define NCONN 20

static void fill_user(dcs_hive *h)
{
    uint8_t data[NCONN];
    for (size_t i = 0; i < NCONN; i++) {
        char name[8];
        snprintf(name, sizeof name, "C%02zu", i);
        data[i] = (uint8_t)(0xA0 + i);
        set(h, CONN, name, DCS_REG_BINARY, data, i + 1);
    }
    set(h, CONN, "Empty", DCS_REG_BINARY, NULL, 0);
    uint32_t one = 1;
    set(h, IS, "ProxyEnable", DCS_REG_DWORD, &one, 4);
    set(h, IS, "ProxyServer", DCS_REG_SZ, "p\0:\0" "1\0\0", 8);
}

/* More connectoids than the snapshot's first allocation, and an empty one. */
static void snapshot_of_many_values(void **state)
{
    (void)state;
    char path[1100];
    build(path, sizeof path, "many", fill_user);
    dcs_hive *h;
    assert_int_equal(dcs_hive_open(path, DCS_HIVE_READ, &h, NULL), DCS_OK);
    struct dcs_apply_snapshot s;
    assert_int_equal(dcs_apply_snapshot_read(h, false, &s, NULL), DCS_OK);
    assert_true(s.connections_key);
    assert_int_equal(s.cur.nvalues, NCONN + 3);
    assert_false(s.cur.has_wow64);
    size_t seen = 0;
    for (size_t i = 0; i < s.cur.nvalues; i++) {
        const struct dcs_apply_value *v = &s.cur.values[i];
        unsigned c;
        if (sscanf(v->name, "C%u", &c) == 1) {
            assert_string_equal(v->key, CONN);
            assert_int_equal(v->type, DCS_REG_BINARY);
            assert_int_equal(v->data.len, c + 1);
            for (unsigned j = 0; j <= c; j++)
                assert_int_equal(v->data.ptr[j], 0xA0 + j);
            seen++;
        } else if (strcmp(v->name, "Empty") == 0) {
            assert_int_equal(v->data.len, 0);
            assert_non_null(v->data.ptr);
            seen++;
        } else if (strcmp(v->name, "ProxyServer") == 0) {
            assert_string_equal(v->key, IS);
            assert_int_equal(v->data.len, 8);
            assert_memory_equal(v->data.ptr, "p\0:\0" "1\0\0", 8);
            seen++;
        } else {
            assert_string_equal(v->name, "ProxyEnable");
            assert_int_equal(v->type, DCS_REG_DWORD);
            seen++;
        }
    }
    assert_int_equal(seen, NCONN + 3);
    dcs_apply_snapshot_free(&s);
    assert_null(s.values);
    dcs_hive_close(h);
}

static void fill_machine(dcs_hive *h)
{
    static const uint8_t wh[] = {0x28, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0,
                                 0,    0, 0, 0, 0, 0, 0, 0};
    set(h, DCS_KEY_MACHINE_CONNECTIONS, DCS_VALUE_WINHTTP, DCS_REG_BINARY, wh, sizeof wh);
    set(h, DCS_KEY_MACHINE_CONNECTIONS_WOW64, DCS_VALUE_WINHTTP, DCS_REG_BINARY, wh, sizeof wh);
}

/* fields of an nk cell, from its "nk" id */
enum { NK_SUBKEYS = 20, NK_VALUES = 36, NK_NAME_LEN = 72 };

/* A copy of `clean` with one field of one cell changed, read with
 * dcs_apply_snapshot_read: the reader's corruption error, naming the cell
 * and what is wrong with it, and an empty snapshot. */
static void snapshot_of_bad_cell(const char *clean, bool machine, const char *nk, size_t field,
                                 uint32_t value, const char *what)
{
    size_t len;
    uint8_t *d = slurp(clean, &len);
    assert_non_null(d);
    size_t at = find_nk(d, len, nk) + field;
    if (field == NK_NAME_LEN)
        d[at + 1] = (uint8_t)value; /* the name length's high byte */
    else
        put32(d + at, value);
    char bad[1100];
    snprintf(bad, sizeof bad, "%s/bad", dir);
    assert_int_equal(spit(bad, d, len), 0);
    free(d);
    dcs_hive *h;
    assert_int_equal(dcs_hive_open(bad, DCS_HIVE_READ, &h, NULL), DCS_OK);
    struct dcs_apply_snapshot s;
    struct dcs_error err;
    assert_int_equal(dcs_apply_snapshot_read(h, machine, &s, &err), DCS_ERR_HIVE_CORRUPT);
    assert_int_equal(err.code, DCS_ERR_HIVE_CORRUPT);
    assert_int_not_equal(err.offset, DCS_NO_OFFSET);
    if (!strstr(err.message, what))
        fail_msg("\"%s\" does not say \"%s\"", err.message, what);
    assert_int_equal(s.cur.nvalues, 0);
    assert_null(s.values);
    dcs_hive_close(h);
}

static void snapshot_of_bad_cells(void **state)
{
    (void)state;
    char user[1100], machine[1100];
    build(user, sizeof user, "user", fill_user);
    build(machine, sizeof machine, "machine", fill_machine);
    /* user hive: the way to Connections, its values, the plain values */
    snapshot_of_bad_cell(user, false, "Internet Settings", NK_SUBKEYS, 20000,
                         "says 20000 subkeys, its list holds 1");
    snapshot_of_bad_cell(user, false, "Connections", NK_VALUES, 5000,
                         ": 5000 values but no list of that size at");
    snapshot_of_bad_cell(user, false, "Internet Settings", NK_VALUES, 5000,
                         ": 5000 values but no list of that size at");
    /* SOFTWARE hive: the way to Connections, WinHttpSettings, WOW6432Node */
    snapshot_of_bad_cell(machine, true, "Microsoft", NK_SUBKEYS, 20000,
                         "says 20000 subkeys, its list holds 1");
    snapshot_of_bad_cell(machine, true, "Connections", NK_VALUES, 5000,
                         ": 5000 values but no list of that size at");
    snapshot_of_bad_cell(machine, true, "WOW6432Node", NK_NAME_LEN, 0x7f,
                         "bytes runs past its cell");
}

/* ---- editing and executing ------------------------------------------------ */

static void plan_for(dcs_hive *h, const struct dcs_apply_source *src, struct dcs_apply_plan *p)
{
    struct dcs_apply_snapshot s;
    assert_int_equal(dcs_apply_snapshot_read(h, false, &s, NULL), DCS_OK);
    assert_int_equal(dcs_apply_plan_user(src, NULL, &s.cur, p, NULL), DCS_OK);
    dcs_apply_snapshot_free(&s);
}

static void fill_nothing(dcs_hive *h)
{
    dcs_hive_key k;
    assert_int_equal(dcs_hive_ensure_key(h, 0, "Software", &k, NULL), DCS_OK);
}

/* A hive already as wanted is not rewritten; the other one is, and then
 * plans unchanged too.  A plan that cannot be performed (read-only handle)
 * stops everything before any file is written. */
static void execute_skips_unchanged_and_stops_on_edit_errors(void **state)
{
    (void)state;
    char a[1100], b[1100], a_orig[1100], b_orig[1100];
    build(a, sizeof a, "A", fill_nothing);
    build(b, sizeof b, "B", fill_nothing);
    snprintf(a_orig, sizeof a_orig, "%s/A.orig", dir);
    snprintf(b_orig, sizeof b_orig, "%s/B.orig", dir);
    struct dcs_apply_source src = {.mode = DCS_MODE_MANUAL_PROXY,
                                   .proxy = {(const uint8_t *)"proxy:3128", 10}};
    dcs_hive *h[2];
    struct dcs_apply_plan p[2];
    const struct dcs_apply_plan *pp[2] = {&p[0], &p[1]};
    struct dcs_error err;
    /* bring A to the wanted state first */
    assert_int_equal(dcs_hive_open(a, DCS_HIVE_WRITE, &h[0], NULL), DCS_OK);
    plan_for(h[0], &src, &p[0]);
    assert_int_equal(dcs_apply_execute(h, pp, 1, &err), DCS_OK);
    dcs_apply_plan_free(&p[0]);
    dcs_hive_close(h[0]);
    assert_int_equal(copy_to(a, a_orig), 0);
    assert_int_equal(copy_to(b, b_orig), 0);

    /* B read-only: its edit fails, nothing is committed */
    assert_int_equal(dcs_hive_open(a, DCS_HIVE_WRITE, &h[0], NULL), DCS_OK);
    assert_int_equal(dcs_hive_open(b, DCS_HIVE_READ, &h[1], NULL), DCS_OK);
    plan_for(h[0], &src, &p[0]);
    plan_for(h[1], &src, &p[1]);
    assert_false(dcs_apply_plan_changes(&p[0]));
    assert_int_equal(p[1].action, DCS_APPLY_CREATE);
    assert_int_equal(dcs_apply_execute(h, pp, 2, &err), DCS_ERR_INVALID_ARG);
    assert_string_equal(err.message, "hive opened read-only");
    assert_true(files_equal(a, a_orig));
    assert_true(files_equal(b, b_orig));
    dcs_hive_close(h[1]);

    /* B writable: only B is written */
    struct stat before, after;
    assert_int_equal(stat(a, &before), 0);
    assert_int_equal(dcs_hive_open(b, DCS_HIVE_WRITE, &h[1], NULL), DCS_OK);
    assert_int_equal(dcs_apply_execute(h, pp, 2, &err), DCS_OK);
    assert_int_equal(stat(a, &after), 0);
    assert_int_equal(before.st_ino, after.st_ino);
    assert_true(files_equal(a, a_orig));
    assert_false(files_equal(b, b_orig));
    for (int i = 0; i < 2; i++) {
        dcs_apply_plan_free(&p[i]);
        dcs_hive_close(h[i]);
    }
    assert_int_equal(dcs_hive_open(b, DCS_HIVE_READ, &h[1], NULL), DCS_OK);
    plan_for(h[1], &src, &p[1]);
    assert_int_equal(p[1].action, DCS_APPLY_UNCHANGED);
    dcs_apply_plan_free(&p[1]);
    dcs_hive_close(h[1]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(snapshot_of_many_values),
        cmocka_unit_test(snapshot_of_bad_cells),
        cmocka_unit_test(execute_skips_unchanged_and_stops_on_edit_errors),
    };
    return cmocka_run_group_tests(tests, make_dir, remove_dir);
}
