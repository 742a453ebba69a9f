/* WIM images through wimlib: open with and without an image index, extract
 * the hives with their logs (any letter case, any SystemRoot folder name),
 * replace one and read it back byte for byte, leave the others untouched;
 * mount read-write and commit where FUSE works. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <wimlib.h>

#include <dcs/wim.h>

#include "scratch.h"

static char hive[8192];

static void put(const char *rel, const void *d, size_t n)
{
    char p[512], dir[600];
    snprintf(p, sizeof p, "%s/tree/%s", scratch_dir, rel);
    snprintf(dir, sizeof dir, "mkdir -p \"$(dirname '%s')\"", p);
    assert_int_equal(system(dir), 0);
    scratch_write(p, d, n);
}

/* A tree as an image holds it: Windows under another name, mixed case,
 * logs, and a file that is not a hive. */
static void make_wim(const char *name, int images)
{
    for (size_t i = 0; i < sizeof hive; i++)
        hive[i] = (char)(i * 7);
    memcpy(hive, "regf", 4);
    put("WINNT/system32/Config/default", hive, sizeof hive);
    put("WINNT/system32/Config/DEFAULT.LOG1", "log1", 4);
    put("WINNT/system32/Config/SOFTWARE", "software", 8);
    put("WINNT/ServiceProfiles/LocalService/ntuser.dat", "ls", 2);
    put("Users/alice/NTUSER.DAT", "alice", 5);
    put("Users/alice/Documents/notes.txt", "no", 2);
    char tree[512], out[512];
    snprintf(tree, sizeof tree, "%s/tree", scratch_dir);
    snprintf(out, sizeof out, "%s/%s", scratch_dir, name);
    WIMStruct *w;
    assert_int_equal(wimlib_create_new_wim(WIMLIB_COMPRESSION_TYPE_LZX, &w), 0);
    for (int i = 0; i < images; i++) {
        char label[16];
        snprintf(label, sizeof label, "img%d", i + 1);
        assert_int_equal(wimlib_add_image(w, tree, label, NULL, 0), 0);
    }
    assert_int_equal(wimlib_write(w, out, WIMLIB_ALL_IMAGES, 0, 0), 0);
    wimlib_free(w);
}

static void expect_file(const char *dir, const char *rel, const void *d, size_t n)
{
    char p[512];
    snprintf(p, sizeof p, "%s/%s/%s", scratch_dir, dir, rel);
    scratch_assert_file(p, d, n);
}

static void expect_absent(const char *dir, const char *rel)
{
    char p[512];
    struct stat st;
    snprintf(p, sizeof p, "%s/%s/%s", scratch_dir, dir, rel);
    assert_int_not_equal(stat(p, &st), 0);
}

static const char *path(const char *name)
{
    static char p[4][512];
    static int k;
    k = (k + 1) % 4;
    snprintf(p[k], sizeof p[k], "%s/%s", scratch_dir, name);
    return p[k];
}

static void open_by_index(void **state)
{
    (void)state;
    make_wim("two.wim", 2);
    struct dcs_error err;
    dcs_wim *w = NULL;
    assert_int_equal(dcs_wim_open(path("two.wim"), false, &w, &err), DCS_ERR_INVALID_ARG);
    char want[700];
    snprintf(want, sizeof want, "%s holds 2 images: name one as %s:INDEX (1 to 2)",
             path("two.wim"), path("two.wim"));
    assert_string_equal(err.message, want);
    char spec[600];
    snprintf(spec, sizeof spec, "%s:3", path("two.wim"));
    assert_int_equal(dcs_wim_open(spec, false, &w, &err), DCS_ERR_INVALID_ARG);
    snprintf(spec, sizeof spec, "%s:2", path("two.wim"));
    assert_int_equal(dcs_wim_open(spec, false, &w, &err), DCS_OK);
    assert_int_equal(dcs_wim_image(w), 2);
    assert_string_equal(dcs_wim_path(w), path("two.wim"));
    dcs_wim_free(w);
    assert_int_equal(dcs_wim_open(path("none.wim"), false, &w, &err), DCS_ERR_IO);
    assert_non_null(strstr(err.message, "cannot open"));
}

static void extract_replace_read_back(void **state)
{
    (void)state;
    make_wim("one.wim", 1);
    struct dcs_error err;
    dcs_wim *w;
    assert_int_equal(dcs_wim_open(path("one.wim"), true, &w, &err), DCS_OK);
    assert_int_equal(mkdir(path("x1"), 0700), 0);
    assert_int_equal(dcs_wim_extract_hives(w, path("x1"), &err), DCS_OK);
    expect_file("x1", "WINNT/system32/Config/default", hive, sizeof hive);
    expect_file("x1", "WINNT/system32/Config/DEFAULT.LOG1", "log1", 4);
    expect_file("x1", "WINNT/system32/Config/SOFTWARE", "software", 8);
    expect_file("x1", "WINNT/ServiceProfiles/LocalService/ntuser.dat", "ls", 2);
    expect_file("x1", "Users/alice/NTUSER.DAT", "alice", 5);
    expect_absent("x1", "Users/alice/Documents/notes.txt");
    char p[512];
    snprintf(p, sizeof p, "%s/x1/WINNT/system32/Config/default", scratch_dir);
    scratch_write(p, "regf-new", 8);
    const char *paths[] = {"WINNT/system32/Config/default"};
    assert_int_equal(dcs_wim_replace(w, path("x1"), paths, 1, &err), DCS_OK);
    dcs_wim_free(w);
    assert_int_equal(dcs_wim_open(path("one.wim"), false, &w, &err), DCS_OK);
    assert_int_equal(mkdir(path("x2"), 0700), 0);
    assert_int_equal(dcs_wim_extract_hives(w, path("x2"), &err), DCS_OK);
    expect_file("x2", "WINNT/system32/Config/default", "regf-new", 8);
    expect_file("x2", "WINNT/system32/Config/SOFTWARE", "software", 8);
    expect_file("x2", "Users/alice/NTUSER.DAT", "alice", 5);
    dcs_wim_free(w);
}

static void mount_commit(void **state)
{
    (void)state;
    if (geteuid() != 0 || access("/dev/fuse", R_OK | W_OK) != 0)
        skip();
    make_wim("m.wim", 1);
    struct dcs_error err;
    dcs_wim *w;
    assert_int_equal(dcs_wim_open(path("m.wim"), true, &w, &err), DCS_OK);
    assert_int_equal(mkdir(path("mnt"), 0700), 0);
    assert_int_equal(dcs_wim_mount(w, path("mnt"), &err), DCS_OK);
    assert_int_equal(dcs_wim_extract_hives(w, path("mnt"), &err), DCS_ERR_INVALID_ARG);
    char p[512];
    snprintf(p, sizeof p, "%s/mnt/Users/alice/NTUSER.DAT", scratch_dir);
    FILE *f = fopen(p, "r+b");
    assert_non_null(f);
    assert_int_equal(fwrite("ALICE", 1, 5, f), 5);
    assert_int_equal(fclose(f), 0);
    assert_int_equal(dcs_wim_unmount(w, true, &err), DCS_OK);
    dcs_wim_free(w);
    assert_int_equal(dcs_wim_open(path("m.wim"), false, &w, &err), DCS_OK);
    assert_int_equal(mkdir(path("x3"), 0700), 0);
    assert_int_equal(dcs_wim_extract_hives(w, path("x3"), &err), DCS_OK);
    expect_file("x3", "Users/alice/NTUSER.DAT", "ALICE", 5);
    dcs_wim_free(w);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(open_by_index),
        cmocka_unit_test(extract_replace_read_back),
        cmocka_unit_test(mount_commit),
    };
    return cmocka_run_group_tests(tests, scratch_setup, scratch_teardown);
}
