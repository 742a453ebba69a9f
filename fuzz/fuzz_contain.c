/* Paths resolved beneath an image root (core/contain).  The first input
 * byte picks the options (bit 0 case-insensitive, bit 1 the last component
 * not followed); the rest is the path.  A fixed tree is made once in a
 * temporary directory: an image with links inside, links out (absolute and
 * with ".."), a loop, a chain, case variants, and a directory outside.
 * Properties: whatever resolves does so to a directory inside the root
 * (checked through /proc with the kernel's own idea of the path) and a
 * name without '/'; the portable walk and openat2 (where the kernel has it)
 * agree on success, on the path and on the file. */
#define _XOPEN_SOURCE 700 /* nftw */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/contain.h"
#include "fuzz_common.h"

static char root_real[PATH_MAX], tree[1024];
static int rootfd = -1;

static int rm_one(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb;
    (void)flag;
    (void)ftw;
    return remove(path);
}

/* the tree goes when the process ends (replay, or a libFuzzer run) */
static void cleanup(void)
{
    if (rootfd >= 0)
        close(rootfd);
    (void)nftw(tree, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

static void make(const char *base, const char *rel, const char *link_to, bool dir)
{
    char p[PATH_MAX];
    snprintf(p, sizeof p, "%s/%s", base, rel);
    if (link_to)
        FUZZ_CHECK(symlink(link_to, p) == 0);
    else if (dir)
        FUZZ_CHECK(mkdir(p, 0755) == 0);
    else
        FUZZ_CHECK(close(open(p, O_WRONLY | O_CREAT, 0644)) == 0);
}

static void setup(void)
{
    const char *t = getenv("TMPDIR");
    char img[PATH_MAX], out[PATH_MAX];
    snprintf(tree, sizeof tree, "%s/dcs-fuzz-contain-XXXXXX", t ? t : "/tmp");
    FUZZ_CHECK(mkdtemp(tree) != NULL);
    atexit(cleanup);
    snprintf(img, sizeof img, "%s/img", tree);
    snprintf(out, sizeof out, "%s/out", tree);
    FUZZ_CHECK(mkdir(img, 0755) == 0 && mkdir(out, 0755) == 0);
    make(out, "secret", NULL, false);
    static const char *const dirs[] = {"W", "W/S", "W/S/c", "a", "a/b", "A"};
    for (size_t i = 0; i < sizeof dirs / sizeof dirs[0]; i++)
        make(img, dirs[i], NULL, true);
    make(img, "W/S/c/D", NULL, false);
    make(img, "W/S/c/d", NULL, false);
    make(img, "a/b/f", NULL, false);
    make(img, "in", "W/S", false);
    make(img, "ab", "/W/S/c/D", false);
    make(img, "o1", out, false);
    make(img, "o2", "../out", false);
    make(img, "a/o3", "../../../out/secret", false);
    make(img, "a/up", "..", false);
    make(img, "l1", "l2", false);
    make(img, "l2", "l1", false);
    make(img, "ch", "in/c/../c/D", false);
    make(img, "dot", ".", false);
    FUZZ_CHECK(realpath(img, root_real) != NULL);
    FUZZ_CHECK(dcsi_root_open(img, &rootfd, NULL) == DCS_OK);
}

/* The resolved directory must be the root or below it. */
static void check_inside(const struct dcsi_beneath *w)
{
    char link[64], real[PATH_MAX];
    snprintf(link, sizeof link, "/proc/self/fd/%d", w->dirfd);
    ssize_t n = readlink(link, real, sizeof real - 1);
    if (n < 0)
        return; /* no /proc: nothing to compare with */
    real[n] = '\0';
    size_t rl = strlen(root_real);
    FUZZ_CHECK(strncmp(real, root_real, rl) == 0 && (real[rl] == '\0' || real[rl] == '/'));
    FUZZ_CHECK(strchr(w->name, '/') == NULL && w->name[0] != '\0');
    FUZZ_CHECK(w->path[0] != '/');
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (rootfd < 0)
        setup();
    if (size < 1 || size > 512)
        return 0;
    unsigned opts = (data[0] & 1 ? DCSI_BENEATH_CASE_INSENSITIVE : 0) |
                    (data[0] & 2 ? DCSI_BENEATH_NOFOLLOW : 0) |
                    (data[0] & 4 ? DCSI_BENEATH_IMAGE : 0);
    char path[520];
    memcpy(path, data + 1, size - 1);
    path[size - 1] = '\0';
    struct dcsi_beneath a, b;
    struct dcs_error ea, eb;
    dcs_status sa = dcsi_resolve_beneath(rootfd, path, opts, &a, &ea);
    dcs_status sb = dcsi_resolve_beneath(rootfd, path, opts | DCSI_BENEATH_NO_OPENAT2, &b, &eb);
    FUZZ_CHECK((sa == DCS_OK) == (sb == DCS_OK));
    if (sa == DCS_OK) {
        check_inside(&a);
        check_inside(&b);
        FUZZ_CHECK(strcmp(a.path, b.path) == 0);
        FUZZ_CHECK(strcmp(a.name, b.name) == 0);
        struct stat x, y;
        FUZZ_CHECK(fstat(a.dirfd, &x) == 0 && fstat(b.dirfd, &y) == 0);
        FUZZ_CHECK(x.st_ino == y.st_ino && x.st_dev == y.st_dev);
    } else {
        fuzz_check_error(&ea, sa, size);
        fuzz_check_error(&eb, sb, size);
    }
    dcsi_beneath_free(&a);
    dcsi_beneath_free(&b);
    return 0;
}
