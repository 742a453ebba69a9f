/* Helpers for the hive-room tests: fixture paths, temp dirs, file bytes. */
#ifndef DCS_TESTS_HIVE_TESTUTIL_H
#define DCS_TESTS_HIVE_TESTUTIL_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* tests/data/hives/<name> (DCS_SOURCE_ROOT from the meson test env). */
static inline void fixture(char *buf, size_t size, const char *name)
{
    const char *root = getenv("DCS_SOURCE_ROOT");
    snprintf(buf, size, "%s/tests/data/hives/%s", root ? root : ".", name);
}

static inline uint8_t *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    *len = 0;
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    uint8_t *buf = malloc(n > 0 ? (size_t)n : 1);
    if (buf && n > 0 && fread(buf, 1, (size_t)n, f) != (size_t)n) {
        free(buf);
        buf = NULL;
    }
    fclose(f);
    *len = (size_t)(n > 0 ? n : 0);
    return buf;
}

static inline int spit(const char *path, const void *data, size_t len)
{
    FILE *f = fopen(path, "wb");
    if (!f)
        return -1;
    int rc = fwrite(data, 1, len, f) == len ? 0 : -1;
    return fclose(f) == 0 ? rc : -1;
}

static inline int copy_to(const char *src, const char *dst)
{
    size_t len;
    uint8_t *d = slurp(src, &len);
    if (!d)
        return -1;
    int rc = spit(dst, d, len);
    free(d);
    return rc;
}

static inline void make_tmpdir(char *buf, size_t size)
{
    const char *t = getenv("TMPDIR");
    snprintf(buf, size, "%s/dcs-hive-test.XXXXXX", t ? t : "/tmp");
    if (!mkdtemp(buf))
        buf[0] = '\0';
}

static inline void rm_tree(const char *dir)
{
    char cmd[1200];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", dir);
}

static inline int count_entries(const char *dir)
{
    char cmd[1200];
    snprintf(cmd, sizeof cmd, "ls -A '%s' | wc -l", dir);
    FILE *p = popen(cmd, "r");
    int n = -1;
    if (p) {
        if (fscanf(p, "%d", &n) != 1)
            n = -1;
        pclose(p);
    }
    return n;
}

static inline int files_equal(const char *a, const char *b)
{
    size_t la = 0, lb = 0;
    uint8_t *da = slurp(a, &la), *db = slurp(b, &lb);
    int eq = da && db && la == lb && memcmp(da, db, la) == 0;
    free(da);
    free(db);
    return eq;
}

static inline void put32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    p[3] = (uint8_t)(v >> 24);
}

/* The cell of key `name`: offset of its "nk" id in the file. */
static inline size_t find_nk(const uint8_t *d, size_t len, const char *name)
{
    size_t n = strlen(name);
    for (size_t p = 4096; p + 76 + n <= len; p += 8) {
        /* cells are 8-aligned, the id follows the 4-byte size */
        size_t id = p + 4;
        if (memcmp(d + id, "nk", 2) == 0 && d[id + 72] == n && d[id + 73] == 0 &&
            memcmp(d + id + 76, name, n) == 0)
            return id;
    }
    fprintf(stderr, "no nk cell named %s\n", name);
    abort();
}

/* The first "vk" cell whose name is `name` after file offset `from`. */
static inline size_t find_vk(const uint8_t *d, size_t len, size_t from, const char *name)
{
    size_t n = strlen(name);
    for (size_t p = from & ~(size_t)7; p + 24 + n <= len; p += 8) {
        size_t id = p + 4;
        if (memcmp(d + id, "vk", 2) == 0 && d[id + 2] == n && d[id + 3] == 0 &&
            memcmp(d + id + 20, name, n) == 0)
            return id;
    }
    fprintf(stderr, "no vk cell named %s\n", name);
    abort();
}

#endif
