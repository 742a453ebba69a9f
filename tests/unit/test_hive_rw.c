/* Hive room: the libhivex adapter and the all-or-nothing commit, checked
 * with an independent reader (hivexget) where it matters. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include <dcs/dcs.h>
#include "hive_testutil.h"

static const char *const conn_key = DCS_KEY_CONNECTIONS;

static void read_values_case_insensitively(void **state)
{
    char path[1024];
    fixture(path, sizeof path, "dfwinreg-NTUSER.DAT");
    dcs_hive *h;
    struct dcs_error err;
    assert_int_equal(dcs_hive_open(path, DCS_HIVE_READ, &h, &err), DCS_OK);
    dcs_hive_key k;
    assert_int_equal(dcs_hive_find_key(h, 0,
                                       "\\software\\MICROSOFT\\windows\\CurrentVersion\\"
                                       "internet settings\\connections",
                                       &k, &err),
                     DCS_OK);
    struct dcs_hive_value v;
    assert_int_equal(dcs_hive_get_value(h, k, "defaultconnectionsettings", &v, &err), DCS_OK);
    assert_int_equal(v.type, DCS_REG_BINARY);
    assert_int_equal(v.len, 56);
    assert_int_equal(v.data[0], 0x46);
    assert_string_equal(v.name, "DefaultConnectionSettings");
    dcs_hive_value_free(&v);
    assert_int_equal(dcs_hive_get_value(h, k, "NoSuchValue", &v, &err), DCS_ERR_NOT_FOUND);
    assert_int_equal(dcs_hive_find_key(h, 0, "Software\\NoSuchKey", &k, &err),
                     DCS_ERR_NOT_FOUND);
    assert_non_null(strstr(err.message, "NoSuchKey"));
    /* writing through a read-only handle is refused */
    assert_int_equal(dcs_hive_ensure_key(h, 0, "Software\\New", &k, &err),
                     DCS_ERR_INVALID_ARG);
    dcs_hive_close(h);
}

struct names {
    char list[1024];
};

static int add_name(void *ctx, const char *name)
{
    struct names *n = ctx;
    strncat(n->list, name, sizeof n->list - strlen(n->list) - 2);
    strcat(n->list, ";");
    return 0;
}

static int value_name(void *ctx, const struct dcs_hive_value *v)
{
    return add_name(ctx, v->name);
}

static int subkey_name(void *ctx, const char *name, dcs_hive_key key)
{
    return add_name(ctx, name);
}

static void list_values_and_subkeys(void **state)
{
    char path[1024];
    fixture(path, sizeof path, "dfwinreg-NTUSER.DAT");
    dcs_hive *h;
    assert_int_equal(dcs_hive_open(path, DCS_HIVE_READ, &h, NULL), DCS_OK);
    dcs_hive_key k;
    assert_int_equal(dcs_hive_find_key(h, 0, conn_key, &k, NULL), DCS_OK);
    struct names n = {""};
    assert_int_equal(dcs_hive_each_value(h, k, value_name, &n, NULL, NULL), DCS_OK);
    assert_string_equal(n.list, "DefaultConnectionSettings;SavedLegacySettings;");
    struct names r = {""};
    int stopped = 0;
    assert_int_equal(dcs_hive_each_subkey(h, dcs_hive_root(h), subkey_name, &r, &stopped, NULL),
                     DCS_OK);
    assert_non_null(strstr(r.list, "Software;"));
    assert_int_equal(stopped, 0);
    dcs_hive_close(h);
}

static void run_cmd(const char *cmd, char *out, size_t size)
{
    FILE *p = popen(cmd, "r");
    assert_non_null(p);
    size_t n = fread(out, 1, size - 1, p);
    out[n] = '\0';
    pclose(p);
}

/* Edit a copy of hivex-minimal and read it back with hivexget. */
static void write_and_check_with_hivexget(void **state)
{
    char dir[512], src[1024], hive[1100], cmd[2400], out[4096];
    make_tmpdir(dir, sizeof dir);
    fixture(src, sizeof src, "hivex-minimal");
    snprintf(hive, sizeof hive, "%s/DEFAULT", dir);
    assert_int_equal(copy_to(src, hive), 0);
    dcs_hive *h;
    struct dcs_error err;
    assert_int_equal(dcs_hive_open(hive, DCS_HIVE_WRITE, &h, &err), DCS_OK);
    dcs_hive_key k, k2;
    assert_int_equal(dcs_hive_ensure_key(h, 0, conn_key, &k, &err), DCS_OK);
    assert_true(dcs_hive_modified(h));
    assert_int_equal(dcs_hive_ensure_key(h, 0, "SOFTWARE\\microsoft", &k2, &err), DCS_OK);
    static const uint8_t blob[] = {0x46, 0, 0, 0, 2, 0, 0, 0, 1, 0, 0, 0};
    static const uint8_t sz[] = {'h', 0, 'i', 0, 0, 0};
    assert_int_equal(dcs_hive_set_value(h, k, "DefaultConnectionSettings", DCS_REG_BINARY, blob,
                                        sizeof blob, &err),
                     DCS_OK);
    assert_int_equal(dcs_hive_set_value(h, k, "Other", DCS_REG_SZ, sz, sizeof sz, &err), DCS_OK);
    bool deleted;
    assert_int_equal(dcs_hive_delete_value(h, k, "other", &deleted, &err), DCS_OK);
    assert_true(deleted);
    assert_int_equal(dcs_hive_delete_value(h, k, "other", &deleted, &err), DCS_OK);
    assert_false(deleted);
    assert_int_equal(dcs_hive_commit_all(&h, 1, &err), DCS_OK);
    dcs_hive_close(h);
    assert_int_equal(count_entries(dir), 1); /* no temporary file left */

    snprintf(cmd, sizeof cmd,
             "hivexget '%s' '\\Software\\Microsoft\\Windows\\CurrentVersion\\Internet "
             "Settings\\Connections' DefaultConnectionSettings | od -An -v -tx1 | tr -d ' \\n'",
             hive);
    run_cmd(cmd, out, sizeof out);
    assert_string_equal(out, "460000000200000001000000");
    snprintf(cmd, sizeof cmd,
             "hivexget '%s' '\\Software\\Microsoft\\Windows\\CurrentVersion\\Internet "
             "Settings\\Connections'",
             hive);
    run_cmd(cmd, out, sizeof out);
    assert_null(strstr(out, "Other"));
    /* libhivex's commit leaves the hive clean by our own rule too */
    dcs_hive_state *s = NULL;
    assert_int_equal(dcs_hive_inspect(hive, &s, &err), DCS_OK);
    assert_false(dcs_hive_state_dirty(s));
    assert_int_equal(dcs_hive_state_header(s)->seq1, 257);
    rm_tree(dir);
    dcs_hive_state_free(s);
}

static void dirty_refused_unless_forced(void **state)
{
    char dir[512], src[1024], dst[1100];
    make_tmpdir(dir, sizeof dir);
    static const char *const files[] = {"NewDirtyHive", "NewDirtyHive.LOG1", "NewDirtyHive.LOG2"};
    for (size_t i = 0; i < 3; i++) {
        char name[200];
        snprintf(name, sizeof name, "yarp-NewDirtyHive1/%s", files[i]);
        fixture(src, sizeof src, name);
        snprintf(dst, sizeof dst, "%s/%s", dir, files[i]);
        assert_int_equal(copy_to(src, dst), 0);
    }
    snprintf(dst, sizeof dst, "%s/NewDirtyHive", dir);
    dcs_hive *h = NULL;
    struct dcs_error err;
    assert_int_equal(dcs_hive_open(dst, DCS_HIVE_WRITE, &h, &err), DCS_ERR_HIVE_DIRTY);
    assert_null(h);
    assert_non_null(strstr(err.message, "sequence numbers differ"));
    /* reading is allowed; the state says it is dirty */
    assert_int_equal(dcs_hive_open(dst, DCS_HIVE_READ, &h, &err), DCS_OK);
    assert_true(dcs_hive_state_dirty(dcs_hive_get_state(h)));
    dcs_hive_close(h);
    assert_int_equal(dcs_hive_open(dst, DCS_HIVE_WRITE | DCS_HIVE_FORCE, &h, &err), DCS_OK);
    dcs_hive_key k;
    assert_int_equal(dcs_hive_ensure_key(h, 0, "Added", &k, &err), DCS_OK);
    assert_int_equal(dcs_hive_commit_all(&h, 1, &err), DCS_OK);
    dcs_hive_close(h);
    dcs_hive_state *s = NULL;
    assert_int_equal(dcs_hive_inspect(dst, &s, &err), DCS_OK);
    assert_int_equal(dcs_hive_state_header(s)->seq1, dcs_hive_state_header(s)->seq2);
    rm_tree(dir);
    dcs_hive_state_free(s);
}

static void corrupt_hives_refused(void **state)
{
    char dir[512], src[1024], dst[1100];
    make_tmpdir(dir, sizeof dir);
    fixture(src, sizeof src, "ez-NTUSER1.DAT");
    size_t len;
    uint8_t *d = slurp(src, &len);
    assert_non_null(d);
    snprintf(dst, sizeof dst, "%s/NTUSER.DAT", dir);
    dcs_hive *h = NULL;
    struct dcs_error err;

    d[0x100] ^= 0xFF; /* bad checksum */
    assert_int_equal(spit(dst, d, len), 0);
    assert_int_equal(dcs_hive_open(dst, DCS_HIVE_READ, &h, &err), DCS_ERR_HIVE_CHECKSUM);
    d[0x100] ^= 0xFF;

    assert_int_equal(spit(dst, d, len - 8192), 0); /* truncated */
    assert_int_equal(dcs_hive_open(dst, DCS_HIVE_WRITE, &h, &err), DCS_ERR_HIVE_TRUNCATED);

    memcpy(d, "nope", 4); /* wrong signature */
    assert_int_equal(spit(dst, d, len), 0);
    assert_int_equal(dcs_hive_open(dst, DCS_HIVE_WRITE, &h, &err), DCS_ERR_HIVE_SIGNATURE);
    assert_null(h);
    free(d);
    rm_tree(dir);
}

/* ---- all-or-nothing commit of three hives ----------------------------------- */

/* The injected failures are in test_hive_commit.c (link-time wrapped
 * system calls). */
static void commit_three(void)
{
    char dir[512], src[1024], paths[3][1100], orig[3][1100];
    static const char *const names[] = {"hivex-minimal", "ez-NTUSER1.DAT", "yarp-EmptyHive"};
    make_tmpdir(dir, sizeof dir);
    dcs_hive *h[3];
    struct dcs_error err;
    for (int i = 0; i < 3; i++) {
        fixture(src, sizeof src, names[i]);
        snprintf(paths[i], sizeof paths[i], "%s/hive%d", dir, i);
        snprintf(orig[i], sizeof orig[i], "%s/orig%d", dir, i);
        assert_int_equal(copy_to(src, paths[i]), 0);
        assert_int_equal(copy_to(src, orig[i]), 0);
        assert_int_equal(dcs_hive_open(paths[i], DCS_HIVE_WRITE, &h[i], &err), DCS_OK);
        dcs_hive_key k;
        assert_int_equal(dcs_hive_ensure_key(h[i], 0, conn_key, &k, &err), DCS_OK);
        uint8_t one = (uint8_t)i;
        assert_int_equal(dcs_hive_set_value(h[i], k, "V", DCS_REG_BINARY, &one, 1, &err),
                         DCS_OK);
    }
    dcs_status rc = dcs_hive_commit_all(h, 3, &err);
    for (int i = 0; i < 3; i++)
        dcs_hive_close(h[i]);
    assert_int_equal(rc, DCS_OK);
    for (int i = 0; i < 3; i++)
        assert_false(files_equal(paths[i], orig[i]));
    assert_int_equal(count_entries(dir), 6); /* no temporary or kept file left */
    rm_tree(dir);
}

static void commit_all_succeeds(void **state)
{
    commit_three();
}

static void commit_same_path_twice_refused(void **state)
{
    char dir[512], src[1024], p[1100];
    make_tmpdir(dir, sizeof dir);
    fixture(src, sizeof src, "hivex-minimal");
    snprintf(p, sizeof p, "%s/h", dir);
    assert_int_equal(copy_to(src, p), 0);
    dcs_hive *h[2];
    assert_int_equal(dcs_hive_open(p, DCS_HIVE_WRITE, &h[0], NULL), DCS_OK);
    assert_int_equal(dcs_hive_open(p, DCS_HIVE_WRITE, &h[1], NULL), DCS_OK);
    struct dcs_error err;
    assert_int_equal(dcs_hive_commit_all(h, 2, &err), DCS_ERR_INVALID_ARG);
    dcs_hive_close(h[0]);
    dcs_hive_close(h[1]);
    rm_tree(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(read_values_case_insensitively),
        cmocka_unit_test(list_values_and_subkeys),
        cmocka_unit_test(write_and_check_with_hivexget),
        cmocka_unit_test(dirty_refused_unless_forced),
        cmocka_unit_test(corrupt_hives_refused),
        cmocka_unit_test(commit_all_succeeds),
        cmocka_unit_test(commit_same_path_twice_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
