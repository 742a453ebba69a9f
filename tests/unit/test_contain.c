/* core/contain: paths resolved beneath an image root never leave it.
 * Every case runs twice: with openat2(RESOLVE_IN_ROOT) where the kernel has
 * it, and with the portable walk forced (DCSI_BENEATH_NO_OPENAT2); both
 * must give the same file, the same path and the same error. */
#define _XOPEN_SOURCE 700 /* nftw */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include <dcs/dcs.h>

#include "apply/apply_internal.h"
#include "core/contain.h"
#include "reg_testlib.h"
#include "scratch.h"

static char root[512], outside[512];
static int rootfd = -1;
static const unsigned with_openat2 = 0, with_walk = DCSI_BENEATH_NO_OPENAT2;

static void put(const char *rel, const char *text)
{
    char p[1024];
    snprintf(p, sizeof p, "%s/%s", root, rel);
    scratch_write(p, text, strlen(text));
}

static void mk(const char *rel)
{
    char p[1024];
    snprintf(p, sizeof p, "%s/%s", root, rel);
    assert_int_equal(mkdir(p, 0755), 0);
}

static void lnk(const char *target, const char *rel)
{
    char p[1024];
    snprintf(p, sizeof p, "%s/%s", root, rel);
    assert_int_equal(symlink(target, p), 0);
}

/* An image: Windows/System32/config/{DEFAULT,SOFTWARE}, links inside and
 * out, a loop; and a directory outside with a secret file. */
static int setup(void **state)
{
    if (scratch_setup(state))
        return -1;
    scratch_path(root, sizeof root, "img");
    scratch_path(outside, sizeof outside, "outside");
    if (mkdir(root, 0755) || mkdir(outside, 0755))
        return -1;
    char p[1024], t[1024];
    snprintf(p, sizeof p, "%s/secret", outside);
    scratch_write(p, "secret", 6);
    mk("Windows");
    mk("Windows/System32");
    mk("Windows/System32/config");
    put("Windows/System32/config/DEFAULT", "default");
    put("Windows/System32/config/SOFTWARE", "software");
    mk("clamped");
    put("clamped/secret", "in the image");
    lnk("Windows/System32", "inside");                     /* relative, inside */
    lnk("/Windows/System32/config/DEFAULT", "abs_inside"); /* a junction's form */
    lnk(p, "esc_abs");                                     /* host path of the secret */
    lnk("../../../clamped/secret", "Windows/esc_rel");     /* .. past the root */
    lnk(outside, "Windows/ServiceProfiles");               /* a directory outside */
    lnk("../outside", "dirlink");
    lnk("loop2", "loop1");
    lnk("loop1", "loop2");
    lnk("missing/file", "dangling");
    snprintf(t, sizeof t, "%s/Windows/System32/config/DEFAULT", root);
    (void)t;
    return dcsi_root_open(root, &rootfd, NULL) == DCS_OK ? 0 : -1;
}

static int teardown(void **state)
{
    close(rootfd);
    return scratch_teardown(state);
}

static unsigned mode_of(void **state)
{
    return *(const unsigned *)*state;
}

/* Read the file rel resolves to; its path beneath the root in *path. */
static dcs_status read_beneath(const char *rel, unsigned opts, char *buf, size_t n, char *path,
                               struct dcs_error *err)
{
    int fd;
    struct dcsi_beneath w;
    dcs_status s = dcsi_open_beneath(rootfd, rel, O_RDONLY, 0, opts, &fd, &w, err);
    if (s)
        return s;
    ssize_t got = read(fd, buf, n - 1);
    assert_true(got >= 0);
    buf[got] = '\0';
    snprintf(path, 512, "%s", w.path);
    close(fd);
    dcsi_beneath_free(&w);
    return DCS_OK;
}

static void assert_reads(const char *rel, unsigned opts, const char *want, const char *want_path)
{
    char buf[64], path[512];
    struct dcs_error err;
    dcs_status s = read_beneath(rel, opts, buf, sizeof buf, path, &err);
    if (s)
        fail_msg("%s: %s", rel, err.message);
    assert_string_equal(buf, want);
    assert_string_equal(path, want_path);
}

static void assert_fails(const char *rel, unsigned opts, dcs_status want, const char *msg)
{
    char buf[64], path[512];
    struct dcs_error err;
    dcs_status got = read_beneath(rel, opts, buf, sizeof buf, path, &err);
    if (got != want)
        fail_msg("%s: status %d, wanted %d: %s", rel, (int)got, (int)want, err.message);
    assert_string_equal(err.message, msg);
}

static void plain_and_inside(void **state)
{
    unsigned m = mode_of(state);
    assert_reads("Windows/System32/config/DEFAULT", m, "default",
                 "Windows/System32/config/DEFAULT");
    assert_reads("/Windows//System32/./config/SOFTWARE", m, "software",
                 "Windows/System32/config/SOFTWARE");
    /* a relative link to a directory inside, an absolute one to a file:
     * both followed, the path says where they led */
    assert_reads("inside/config/DEFAULT", m, "default", "Windows/System32/config/DEFAULT");
    assert_reads("abs_inside", m, "default", "Windows/System32/config/DEFAULT");
    /* ".." at the root stays at the root */
    assert_reads("../../Windows/System32/config/DEFAULT", m, "default",
                 "Windows/System32/config/DEFAULT");
    assert_reads("inside/../System32/config/SOFTWARE", m, "software",
                 "Windows/System32/config/SOFTWARE");
}

static void links_out_stay_in(void **state)
{
    unsigned m = mode_of(state);
    /* the host path of the secret is looked up inside the image */
    char msg[1024];
    snprintf(msg, sizeof msg, "cannot resolve esc_abs beneath the root: %s", strerror(ENOENT));
    assert_fails("esc_abs", m, DCS_ERR_NOT_FOUND, msg);
    /* ".." past the root is clamped: the image's own clamped/secret */
    assert_reads("Windows/esc_rel", m, "in the image", "clamped/secret");
    snprintf(msg, sizeof msg,
             "cannot resolve Windows/ServiceProfiles/secret beneath the root: %s",
             strerror(ENOENT));
    assert_fails("Windows/ServiceProfiles/secret", m, DCS_ERR_NOT_FOUND, msg);
    snprintf(msg, sizeof msg, "cannot resolve dirlink/secret beneath the root: %s",
             strerror(ENOENT));
    assert_fails("dirlink/secret", m, DCS_ERR_NOT_FOUND, msg);
    snprintf(msg, sizeof msg, "cannot resolve loop1 beneath the root: %s", strerror(ELOOP));
    assert_fails("loop1", m, DCS_ERR_IO, msg);
    snprintf(msg, sizeof msg, "cannot resolve loop1/x beneath the root: %s", strerror(ELOOP));
    assert_fails("loop1/x", m, DCS_ERR_IO, msg);
    snprintf(msg, sizeof msg,
             "cannot resolve Windows/System32/config/DEFAULT/x beneath the root: %s",
             strerror(ENOTDIR));
    assert_fails("Windows/System32/config/DEFAULT/x", m, DCS_ERR_IO, msg);
}

/* Creating through links outside: the file appears inside the image, the
 * outside stays as it was. */
static void create_stays_in(void **state)
{
    unsigned m = mode_of(state);
    struct dcs_error err;
    struct dcsi_beneath w;
    int fd;
    char p[1024];
    assert_int_equal(dcsi_open_beneath(rootfd, "esc_abs", O_WRONLY | O_CREAT | O_TRUNC, 0644, m,
                                       &fd, &w, &err),
                     DCS_ERR_NOT_FOUND); /* its directories do not exist inside */
    assert_int_equal(dcsi_open_beneath(rootfd, "dangling", O_WRONLY | O_CREAT, 0644, m, &fd, &w,
                                       &err),
                     DCS_ERR_NOT_FOUND);
    assert_int_equal(dcsi_open_beneath(rootfd, "Windows/ServiceProfiles/new", O_WRONLY | O_CREAT,
                                       0644, m | DCSI_BENEATH_MKDIRS, &fd, &w, &err),
                     DCS_OK);
    assert_int_equal(write(fd, "x", 1), 1);
    close(fd);
    /* outside's host path, recreated inside the image */
    size_t skip = 0;
    while (outside[skip] == '/')
        skip++;
    snprintf(p, sizeof p, "%s/new", outside + skip);
    assert_string_equal(w.path, p);
    dcsi_beneath_free(&w);
    snprintf(p, sizeof p, "%s/new", outside);
    assert_int_equal(access(p, F_OK), -1);
    scratch_assert_file(scratch_path(p, sizeof p, "outside/secret"), "secret", 6);
    /* the top directory of that host path, made inside the image */
    char top[256];
    snprintf(top, sizeof top, "%.*s", (int)strcspn(outside + skip, "/"), outside + skip);
    char cmd[2048];
    snprintf(cmd, sizeof cmd, "rm -rf '%s/%s'", root, top);
    assert_int_equal(system(cmd), 0);
}

static void case_insensitive(void **state)
{
    unsigned m = mode_of(state);
    char msg[1024];
    snprintf(msg, sizeof msg, "cannot resolve windows/SYSTEM32/Config/default beneath the root: %s",
             strerror(ENOENT));
    assert_fails("windows/SYSTEM32/Config/default", m, DCS_ERR_NOT_FOUND, msg);
    m |= DCSI_BENEATH_CASE_INSENSITIVE;
    assert_reads("windows/SYSTEM32/Config/default", m, "default",
                 "Windows/System32/config/DEFAULT");
    assert_reads("INSIDE/CONFIG/software", m, "software", "Windows/System32/config/SOFTWARE");
    /* two spellings on a case-sensitive disk: the exact one, else the
     * smallest */
    put("Windows/System32/config/Default", "second");
    assert_reads("Windows/System32/config/Default", m, "second", "Windows/System32/config/Default");
    assert_reads("Windows/System32/config/default", m, "default",
                 "Windows/System32/config/DEFAULT");
    char p[1024];
    snprintf(p, sizeof p, "%s/Windows/System32/config/Default", root);
    unlink(p);
}

static void resolve_forms(void **state)
{
    unsigned m = mode_of(state);
    struct dcs_error err;
    struct dcsi_beneath w;
    /* a missing last component: where it would be created */
    assert_int_equal(dcsi_resolve_beneath(rootfd, "Windows/System32/config/DEFAULT.tmp", m, &w,
                                          &err),
                     DCS_OK);
    assert_string_equal(w.name, "DEFAULT.tmp");
    assert_string_equal(w.path, "Windows/System32/config/DEFAULT.tmp");
    struct stat st;
    assert_int_equal(fstatat(w.dirfd, "DEFAULT", &st, 0), 0);
    assert_int_equal(fsync(w.dirfd), 0); /* readable: the commit fsyncs it */
    dcsi_beneath_free(&w);
    /* NOFOLLOW: the link itself */
    assert_int_equal(dcsi_resolve_beneath(rootfd, "abs_inside", m | DCSI_BENEATH_NOFOLLOW, &w,
                                          &err),
                     DCS_OK);
    assert_string_equal(w.path, "abs_inside");
    dcsi_beneath_free(&w);
    /* the root and a directory as a whole */
    assert_int_equal(dcsi_resolve_beneath(rootfd, "", m, &w, &err), DCS_OK);
    assert_string_equal(w.path, ".");
    assert_string_equal(w.name, ".");
    dcsi_beneath_free(&w);
    assert_int_equal(dcsi_resolve_beneath(rootfd, "inside/config/..", m, &w, &err), DCS_OK);
    assert_string_equal(w.path, "Windows/System32");
    dcsi_beneath_free(&w);
    /* MKDIRS makes the directories, not the file */
    assert_int_equal(dcsi_resolve_beneath(rootfd, "backup/a/b/hive", m | DCSI_BENEATH_MKDIRS, &w,
                                          &err),
                     DCS_OK);
    assert_string_equal(w.path, "backup/a/b/hive");
    assert_int_equal(fstatat(w.dirfd, "hive", &st, 0), -1);
    dcsi_beneath_free(&w);
    char p[1024];
    snprintf(p, sizeof p, "rm -rf '%s/backup'", root);
    assert_int_equal(system(p), 0);
}

/* DCSI_BENEATH_IMAGE: a link naming the root's own path stays inside; a
 * link leading out is named, and nothing is made past it. */
static void image_links(void **state)
{
    unsigned m = mode_of(state) | DCSI_BENEATH_IMAGE;
    char real[PATH_MAX], t[PATH_MAX + 64], msg[3 * PATH_MAX];
    assert_non_null(realpath(root, real));
    snprintf(t, sizeof t, "%s/Windows/System32", real);
    lnk(t, "mounted");
    assert_reads("mounted/config/DEFAULT", m, "default", "Windows/System32/config/DEFAULT");
    assert_reads("abs_inside", m, "default", "Windows/System32/config/DEFAULT");
    assert_reads("Windows/esc_rel", m, "in the image", "clamped/secret"); /* clamped, there */
    char secret[1024];
    snprintf(secret, sizeof secret, "%s/secret", outside);
    snprintf(msg, sizeof msg, "esc_abs: the symbolic link esc_abs leads outside %s (to %s)", real,
             secret);
    assert_fails("esc_abs", m, DCS_ERR_IO, msg);
    snprintf(msg, sizeof msg,
             "Windows/ServiceProfiles/secret: the symbolic link Windows/ServiceProfiles leads "
             "outside %s (to %s)",
             real, outside);
    assert_fails("Windows/ServiceProfiles/secret", m, DCS_ERR_IO, msg);
    snprintf(msg, sizeof msg, "dirlink/x: the symbolic link dirlink leads outside %s (to ../outside)",
             real);
    assert_fails("dirlink/x", m, DCS_ERR_IO, msg);
    snprintf(msg, sizeof msg, "../nothing: \"..\" leads above the root %s", real);
    assert_fails("../nothing", m, DCS_ERR_IO, msg);
    /* past a way out nothing is made, not even a missing last component */
    struct dcsi_beneath w;
    struct dcs_error err;
    assert_int_equal(dcsi_resolve_beneath(rootfd, "Windows/ServiceProfiles/new/x",
                                          m | DCSI_BENEATH_MKDIRS, &w, &err),
                     DCS_ERR_IO);
    assert_int_equal(dcsi_resolve_beneath(rootfd, "esc_abs", m, &w, &err), DCS_ERR_IO);
    size_t skip = 0;
    while (outside[skip] == '/')
        skip++;
    char top[1024];
    snprintf(top, sizeof top, "%s/%.*s", root, (int)strcspn(outside + skip, "/"), outside + skip);
    assert_int_equal(access(top, F_OK), -1);
    snprintf(t, sizeof t, "%s/mounted", root);
    assert_int_equal(unlink(t), 0);
}

static void kernel_has_openat2(void **state)
{
    (void)state;
    if (!dcsi_have_openat2())
        skip(); /* the walk alone: covered by every other case */
    assert_true(dcsi_have_openat2());
}

#define BOTH(f)                                                                            \
    cmocka_unit_test_prestate(f, (void *)&with_openat2),                                   \
        cmocka_unit_test_prestate(f, (void *)&with_walk)

/* ---- pinned directories: no path is followed twice ---------------------- */

static void pin_fails(const char *rel, dcs_status want, const char *msg)
{
    struct dcsi_pin pin;
    struct dcs_error err;
    dcs_status got = dcsi_dir_open_nofollow(rootfd, rel, &pin, &err);
    if (got != want)
        fail_msg("%s: status %d, wanted %d: %s", rel, (int)got, (int)want,
                 got ? err.message : "");
    assert_string_equal(err.message, msg);
    assert_int_equal(pin.dirfd, -1);
    assert_null(pin.name);
    dcsi_pin_free(&pin);
}

static void pin_walks_without_links(void **state)
{
    (void)state;
    struct dcsi_pin pin;
    struct dcs_error err;
    char msg[512], want[PATH_MAX + 64];
    assert_int_equal(dcsi_dir_open_nofollow(rootfd, "Windows/System32/../System32/config/DEFAULT",
                                            &pin, &err), DCS_OK);
    assert_string_equal(pin.name, "DEFAULT");
    struct stat st;
    assert_int_equal(fstatat(pin.dirfd, "SOFTWARE", &st, 0), 0); /* config itself */
    char *path = dcsi_pin_path(&pin);
    assert_non_null(path);
    char real[PATH_MAX];
    assert_non_null(realpath(root, real));
    snprintf(want, sizeof want, "%s/Windows/System32/config/DEFAULT", real);
    assert_string_equal(path, want);
    free(path);
    dcsi_pin_free(&pin);
    /* the last component is named, not opened: a link there is the caller's
     * to refuse (O_NOFOLLOW) */
    assert_int_equal(dcsi_dir_open_nofollow(rootfd, "esc_abs", &pin, &err), DCS_OK);
    assert_string_equal(pin.name, "esc_abs");
    dcsi_pin_free(&pin);
    pin_fails("inside/config/DEFAULT", DCS_ERR_APPLY_OUTSIDE,
              "inside/config/DEFAULT: the symbolic link inside is not followed (the path "
              "changed after it was resolved)");
    pin_fails("Windows/ServiceProfiles/secret", DCS_ERR_APPLY_OUTSIDE,
              "Windows/ServiceProfiles/secret: the symbolic link Windows/ServiceProfiles is "
              "not followed (the path changed after it was resolved)");
    snprintf(msg, sizeof msg, "cannot open the directory of nope/x: %s", strerror(ENOENT));
    pin_fails("nope/x", DCS_ERR_NOT_FOUND, msg);
    snprintf(msg, sizeof msg,
             "cannot open the directory of Windows/System32/config/DEFAULT/x: %s",
             strerror(ENOTDIR));
    pin_fails("Windows/System32/config/DEFAULT/x", DCS_ERR_IO, msg);
    pin_fails("Windows/..", DCS_ERR_INVALID_ARG, "Windows/.. does not name a file");
    pin_fails("", DCS_ERR_INVALID_ARG, " does not name a file");
}

/* An image IMG/Windows/System32/config/DEFAULT (a hive) and a directory
 * OUT beside it with a DEFAULT hive of its own, for a swap to lead to. */
static void hive_image(const char *tag, char *img, char *out, char *cfg, char *fixture_path,
                       size_t n)
{
    char name[64];
    const char *src = getenv("DCS_SOURCE_ROOT");
    snprintf(fixture_path, n, "%s/tests/data/hives/hivex-minimal", src ? src : ".");
    size_t len;
    uint8_t *hive = tl_read_file(fixture_path, &len);
    assert_non_null(hive);
    char p[1200];
    snprintf(name, sizeof name, "img-%s", tag);
    scratch_path(img, n, name);
    snprintf(name, sizeof name, "out-%s", tag);
    scratch_path(out, n, name);
    snprintf(cfg, n, "%s/Windows/System32/config", img);
    snprintf(p, sizeof p, "%s/Windows", img);
    assert_int_equal(mkdir(img, 0755), 0);
    assert_int_equal(mkdir(p, 0755), 0);
    snprintf(p, sizeof p, "%s/Windows/System32", img);
    assert_int_equal(mkdir(p, 0755), 0);
    assert_int_equal(mkdir(cfg, 0755), 0);
    assert_int_equal(mkdir(out, 0755), 0);
    snprintf(p, sizeof p, "%s/DEFAULT", cfg);
    scratch_write(p, hive, len);
    snprintf(p, sizeof p, "%s/DEFAULT", out);
    scratch_write(p, hive, len);
    free(hive);
}

/* Only out/DEFAULT, byte for byte the fixture: nothing written outside. */
static void assert_outside_untouched(const char *out, const char *fixture_path)
{
    char p[1200];
    size_t len;
    uint8_t *want = tl_read_file(fixture_path, &len);
    assert_non_null(want);
    snprintf(p, sizeof p, "%s/DEFAULT", out);
    scratch_assert_file(p, want, len);
    free(want);
    int dfd = open(out, O_RDONLY | O_DIRECTORY);
    assert_true(dfd >= 0);
    DIR *d = fdopendir(dfd);
    int n = 0;
    for (struct dirent *de; (de = readdir(d)) != NULL;)
        n += de->d_name[0] != '.';
    closedir(d);
    assert_int_equal(n, 1);
}

/* The config directory swapped for a link to out, the real one kept as
 * config.real. */
static void swap_for_link(const char *cfg, const char *out)
{
    char moved[1200];
    snprintf(moved, sizeof moved, "%s.real", cfg);
    assert_int_equal(rename(cfg, moved), 0);
    assert_int_equal(symlink(out, cfg), 0);
}

/* Looked up inside the image, then a directory of the path swapped for a
 * link out of it before the hive is opened: the open refuses. */
static void swapped_between_lookup_and_open(void **state)
{
    (void)state;
    char img[1024], out[1024], cfg[1024], fixture_path[1024];
    hive_image("open", img, out, cfg, fixture_path, sizeof img);
    dcs_image *im;
    struct dcs_error err;
    assert_int_equal(dcs_image_open(img, &im, &err), DCS_OK);
    char *path = NULL;
    assert_int_equal(dcsi_image_path(im, "Windows/System32/config/DEFAULT", DCSI_IMAGE_FILE,
                                     &path, &err), DCS_OK);
    swap_for_link(cfg, out);
    for (int k = 0; k < 2; k++) { /* to write, and to read */
        dcs_hive *h = NULL;
        assert_int_equal(dcsi_image_hive_open(im, path, k ? DCS_HIVE_READ : DCS_HIVE_WRITE, &h,
                                              &err), DCS_ERR_APPLY_OUTSIDE);
        assert_null(h);
        assert_string_equal(err.message,
                            "Windows/System32/config/DEFAULT: the symbolic link "
                            "Windows/System32/config is not followed (the path changed after "
                            "it was resolved)");
    }
    assert_outside_untouched(out, fixture_path);
    free(path);
    dcs_image_free(im);
}

/* A hive of an image is named by its absolute path as the kernel knows its
 * directory: the image given through a symbolic link to it, a path with
 * ".." in it, all name the real one. */
static void hive_path_is_real(void **state)
{
    (void)state;
    char img[1024], out[1024], cfg[1024], fixture_path[1024], link[1100], p[1300];
    char real[PATH_MAX], want[PATH_MAX + 64];
    hive_image("named", img, out, cfg, fixture_path, sizeof img);
    snprintf(link, sizeof link, "%s-link", img);
    assert_int_equal(symlink(img, link), 0);
    assert_non_null(realpath(img, real));
    snprintf(want, sizeof want, "%s/Windows/System32/config/DEFAULT", real);
    dcs_image *im;
    struct dcs_error err;
    assert_int_equal(dcs_image_open(link, &im, &err), DCS_OK);
    const char *rels[] = {"Windows/System32/config/DEFAULT",
                          "Windows/System32/../System32/config/DEFAULT",
                          "Windows/./System32/config//DEFAULT"};
    for (size_t i = 0; i < sizeof rels / sizeof *rels; i++) {
        snprintf(p, sizeof p, "%s/%s", link, rels[i]);
        dcs_hive *h = NULL;
        assert_int_equal(dcsi_image_hive_open(im, p, DCS_HIVE_READ, &h, &err), DCS_OK);
        assert_string_equal(dcs_hive_path(h), want);
        dcs_hive_close(h);
    }
    dcs_image_free(im);
}

/* Opened for writing, then the directory swapped for a link out of the
 * image: the lock, journal, temporary file, renames and the kept old
 * version all stay in the directory the hive was opened in. */
static void swapped_between_open_and_commit(void **state)
{
    (void)state;
    char img[1024], out[1024], cfg[1024], fixture_path[1024], p[1200];
    hive_image("commit", img, out, cfg, fixture_path, sizeof img);
    dcs_image *im;
    struct dcs_error err;
    assert_int_equal(dcs_image_open(img, &im, &err), DCS_OK);
    char *path = NULL;
    assert_int_equal(dcsi_image_path(im, "Windows/System32/config/DEFAULT", DCSI_IMAGE_FILE,
                                     &path, &err), DCS_OK);
    dcs_hive *h = NULL;
    assert_int_equal(dcsi_image_hive_open(im, path, DCS_HIVE_WRITE, &h, &err), DCS_OK);
    dcs_hive_key k;
    assert_int_equal(dcs_hive_ensure_key(h, 0, DCS_KEY_CONNECTIONS, &k, &err), DCS_OK);
    uint8_t v = 0x42;
    assert_int_equal(dcs_hive_set_value(h, k, "V", DCS_REG_BINARY, &v, 1, &err), DCS_OK);
    swap_for_link(cfg, out);
    assert_int_equal(dcs_hive_commit_all(&h, 1, &err), DCS_OK);
    dcs_hive_close(h);
    assert_outside_untouched(out, fixture_path);
    /* the new version is in the real directory, alone (no leftovers) */
    snprintf(p, sizeof p, "%s.real/DEFAULT", cfg);
    assert_int_equal(dcs_hive_open(p, DCS_HIVE_READ, &h, &err), DCS_OK);
    assert_int_equal(dcs_hive_find_key(h, 0, DCS_KEY_CONNECTIONS, &k, &err), DCS_OK);
    struct dcs_hive_value val;
    assert_int_equal(dcs_hive_get_value(h, k, "V", &val, &err), DCS_OK);
    assert_int_equal(val.len, 1);
    assert_int_equal(val.data[0], 0x42);
    dcs_hive_value_free(&val);
    dcs_hive_close(h);
    snprintf(p, sizeof p, "%s.real", cfg);
    int dfd = open(p, O_RDONLY | O_DIRECTORY);
    DIR *d = fdopendir(dfd);
    int n = 0;
    for (struct dirent *de; (de = readdir(d)) != NULL;)
        n += de->d_name[0] != '.';
    closedir(d);
    assert_int_equal(n, 1);
    free(path);
    dcs_image_free(im);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        BOTH(plain_and_inside), BOTH(links_out_stay_in), BOTH(create_stays_in),
        BOTH(case_insensitive), BOTH(resolve_forms),     BOTH(image_links),
        cmocka_unit_test(kernel_has_openat2),
        cmocka_unit_test(pin_walks_without_links),
        cmocka_unit_test(swapped_between_lookup_and_open),
        cmocka_unit_test(hive_path_is_real),
        cmocka_unit_test(swapped_between_open_and_commit),
    };
    return cmocka_run_group_tests_name("contain", tests, setup, teardown);
}
