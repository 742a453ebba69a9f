/* Scratch directory for tests (see scratch.h). */
#define _XOPEN_SOURCE 700 /* nftw */
#include <dirent.h>
#include <ftw.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cmocka.h>

#include "reg_testlib.h"
#include "scratch.h"

char scratch_dir[256];

int scratch_setup(void **state)
{
    (void)state;
    const char *t = getenv("TMPDIR");
    snprintf(scratch_dir, sizeof scratch_dir, "%s/dcs-test-XXXXXX", t ? t : "/tmp");
    return mkdtemp(scratch_dir) ? 0 : -1;
}

static int rm_one(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb;
    (void)flag;
    (void)ftw;
    return remove(path);
}

int scratch_teardown(void **state)
{
    (void)state;
    return nftw(scratch_dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

const char *scratch_path(char *buf, size_t n, const char *name)
{
    snprintf(buf, n, "%s/%s", scratch_dir, name);
    return buf;
}

void scratch_write(const char *path, const void *data, size_t len)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(data, 1, len, f), len);
    assert_int_equal(fclose(f), 0);
}

void scratch_assert_file(const char *path, const void *want, size_t len)
{
    size_t n;
    uint8_t *d = tl_read_file(path, &n);
    if (!d)
        fail_msg("%s: cannot read it", path);
    if (n != len || memcmp(d, want, len) != 0)
        fail_msg("%s: %zu bytes, expected %zu (%.*s)", path, n, len, (int)(n < 80 ? n : 80), d);
    free(d);
}

void scratch_list(char *out, size_t n)
{
    struct dirent **v;
    int k = scandir(scratch_dir, &v, NULL, alphasort);
    assert_true(k >= 0);
    out[0] = '\0';
    for (int i = 0; i < k; i++) {
        if (strcmp(v[i]->d_name, ".") && strcmp(v[i]->d_name, "..")) {
            if (out[0])
                strncat(out, " ", n - strlen(out) - 1);
            strncat(out, v[i]->d_name, n - strlen(out) - 1);
        }
        free(v[i]);
    }
    free(v);
}
