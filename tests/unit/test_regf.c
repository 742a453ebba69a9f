/* Hive room: the regf engine against libhivex as an independent reader.
 *
 * Every fixture hive (tests/data/hives and ../shared/fixtures/hives) passes
 * the full check and reads key by key, value by value the same through dcs
 * and through libhivex.  Hives written by dcs (thousands of subkeys under
 * one key, big data, UTF-16 names, deletions) pass the check with Windows
 * order enforced, read back the same through both, reuse freed space and
 * keep security reference counts and untouched cells exact. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>
#include <dirent.h>
#include <hivex.h>

#include <dcs/dcs.h>
#include "hive/regf.h"
#include "hive_testutil.h"

/* ---- one tree through both readers ----------------------------------------- */

struct cmp {
    dcs_hive *h;
    hive_h *x;
    size_t keys, values;
};

struct names {
    char **v;
    dcs_hive_key *k;
    size_t n;
};

static int collect_kid(void *ctx, const char *name, dcs_hive_key k)
{
    struct names *ns = ctx;
    ns->v = realloc(ns->v, (ns->n + 1) * sizeof *ns->v);
    ns->k = realloc(ns->k, (ns->n + 1) * sizeof *ns->k);
    ns->v[ns->n] = strdup(name);
    ns->k[ns->n++] = k;
    return 0;
}

struct vals {
    struct dcs_hive_value *v;
    size_t n;
};

static int collect_val(void *ctx, const struct dcs_hive_value *v)
{
    struct vals *vs = ctx;
    vs->v = realloc(vs->v, (vs->n + 1) * sizeof *vs->v);
    struct dcs_hive_value *c = &vs->v[vs->n++];
    c->name = strdup(v->name);
    c->type = v->type;
    c->len = v->len;
    c->data = malloc(v->len + 1);
    memcpy(c->data, v->data, v->len);
    return 0;
}

static void compare_values(struct cmp *c, dcs_hive_key k, hive_node_h xn)
{
    struct vals vs = {0};
    assert_int_equal(dcs_hive_each_value(c->h, k, collect_val, &vs, NULL, NULL), DCS_OK);
    hive_value_h *xv = hivex_node_values(c->x, xn);
    assert_non_null(xv);
    size_t i = 0;
    for (; xv[i]; i++) {
        assert_true(i < vs.n);
        char *name = hivex_value_key(c->x, xv[i]);
        assert_non_null(name);
        assert_string_equal(vs.v[i].name, name);
        free(name);
        hive_type t;
        size_t len;
        char *data = hivex_value_value(c->x, xv[i], &t, &len);
        assert_non_null(data);
        assert_int_equal(vs.v[i].type, (uint32_t)t);
        assert_int_equal(vs.v[i].len, len);
        assert_memory_equal(vs.v[i].data, data, len);
        free(data);
    }
    assert_int_equal(i, vs.n);
    c->values += vs.n;
    for (i = 0; i < vs.n; i++)
        dcs_hive_value_free(&vs.v[i]);
    free(vs.v);
    free(xv);
}

/* Iterative walk: both readers list the same subkeys in the same order. */
static void compare_trees(dcs_hive *h, const char *path)
{
    struct cmp c = {h, hivex_open(path, 0), 0, 0};
    assert_non_null(c.x);
    size_t cap = 1024, n = 0;
    dcs_hive_key *ks = malloc(cap * sizeof *ks);
    hive_node_h *xs = malloc(cap * sizeof *xs);
    ks[n] = dcs_hive_root(h);
    xs[n++] = hivex_root(c.x);
    while (n) {
        dcs_hive_key k = ks[--n];
        hive_node_h xn = xs[n];
        c.keys++;
        compare_values(&c, k, xn);
        struct names ns = {0};
        assert_int_equal(dcs_hive_each_subkey(h, k, collect_kid, &ns, NULL, NULL), DCS_OK);
        hive_node_h *xk = hivex_node_children(c.x, xn);
        assert_non_null(xk);
        size_t i = 0;
        for (; xk[i]; i++) {
            assert_true(i < ns.n);
            char *name = hivex_node_name(c.x, xk[i]);
            assert_string_equal(ns.v[i], name);
            free(name);
            if (n == cap) {
                cap *= 2;
                ks = realloc(ks, cap * sizeof *ks);
                xs = realloc(xs, cap * sizeof *xs);
            }
            ks[n] = ns.k[i];
            xs[n++] = xk[i];
        }
        assert_int_equal(i, ns.n);
        for (i = 0; i < ns.n; i++)
            free(ns.v[i]);
        free(ns.v);
        free(ns.k);
        free(xk);
    }
    free(ks);
    free(xs);
    hivex_close(c.x);
}

static void check_file(const char *path, unsigned how)
{
    struct dcsi_regf r;
    struct dcs_error err;
    dcs_status rc = dcsi_regf_load_file(&r, path, &err);
    if (rc == DCS_OK)
        rc = dcsi_regf_check(&r, how, &err);
    if (rc != DCS_OK)
        fail_msg("%s: %s", path, err.message);
    dcsi_regf_free(&r);
}

static void fixtures_read_like_hivex(void **state)
{
    (void)state;
    const char *root = getenv("DCS_SOURCE_ROOT");
    char dirs[2][1024];
    snprintf(dirs[0], sizeof dirs[0], "%s/tests/data/hives", root ? root : ".");
    snprintf(dirs[1], sizeof dirs[1], "%s/../shared/fixtures/hives", root ? root : ".");
    size_t seen = 0;
    for (int d = 0; d < 2; d++) {
        DIR *dir = opendir(dirs[d]);
        if (!dir)
            continue;
        struct dirent *de;
        while ((de = readdir(dir)) != NULL) {
            char path[2400];
            snprintf(path, sizeof path, "%s/%s", dirs[d], de->d_name);
            struct stat st;
            /* primary hives only: no sources, logs, compressed copies */
            if (stat(path, &st) != 0 || !S_ISREG(st.st_mode) || strchr(de->d_name, '.') ||
                strstr(de->d_name, "hivexsh"))
                continue;
            dcs_hive *h;
            struct dcs_error err;
            if (dcs_hive_open(path, DCS_HIVE_READ, &h, &err) != DCS_OK)
                fail_msg("%s: %s", path, err.message);
            check_file(path, 0);
            compare_trees(h, path);
            dcs_hive_close(h);
            seen++;
        }
        closedir(dir);
    }
    assert_true(seen >= 5);
}

/* ---- hives written by dcs --------------------------------------------------- */

static char dir[512], work[1100];

static int fresh(void **state)
{
    char src[1024];
    make_tmpdir(dir, sizeof dir);
    fixture(src, sizeof src, "hivex-minimal");
    snprintf(work, sizeof work, "%s/DEFAULT", dir);
    return copy_to(src, work);
}

static int cleanup(void **state)
{
    rm_tree(dir);
    return 0;
}

static dcs_hive *open_rw(void)
{
    dcs_hive *h;
    assert_int_equal(dcs_hive_open(work, DCS_HIVE_WRITE, &h, NULL), DCS_OK);
    return h;
}

static void commit_close(dcs_hive *h)
{
    struct dcs_error err;
    if (dcs_hive_commit_all(&h, 1, &err) != DCS_OK)
        fail_msg("commit: %s", err.message);
    dcs_hive_close(h);
}

/* 3000 subkeys added in scrambled order: one ri over leaves of at most 507
 * lh elements, in Windows order, equal through both readers. */
static void many_subkeys_make_ri_lists(void **state)
{
    dcs_hive *h = open_rw();
    dcs_hive_key parent, k;
    assert_int_equal(dcs_hive_ensure_key(h, 0, "Many", &parent, NULL), DCS_OK);
    for (unsigned i = 0; i < 3000; i++) {
        char name[32];
        unsigned j = (i * 1237u) % 3000u; /* a permutation */
        snprintf(name, sizeof name, "%s%04u", j % 2 ? "key" : "KEY_", j);
        assert_int_equal(dcs_hive_add_child(h, parent, name, &k, NULL), DCS_OK);
    }
    /* a lookup sees pending keys, whatever their case */
    assert_int_equal(dcs_hive_find_key(h, 0, "many\\KEY0017", &k, NULL), DCS_OK);
    assert_int_equal(dcs_hive_add_child(h, parent, "Key0017", &k, NULL), DCS_ERR_INVALID_ARG);
    commit_close(h);
    check_file(work, DCSI_REGF_CHECK_ORDER);
    struct dcsi_regf r;
    assert_int_equal(dcsi_regf_load_file(&r, work, NULL), DCS_OK);
    uint16_t up[4] = {'M', 'A', 'N', 'Y'};
    uint32_t many;
    assert_int_equal(dcsi_regf_find_kid(&r, r.root, up, 4, &many, NULL), DCS_OK);
    struct dcsi_regf_nk nk;
    assert_int_equal(dcsi_regf_nk(&r, many, &nk, NULL), DCS_OK);
    assert_int_equal(nk.nsub, 3000);
    uint32_t len;
    const uint8_t *ri = dcsi_regf_cell(&r, nk.sublist, &len);
    assert_memory_equal(ri, "ri", 2);
    assert_int_equal(dcsi_rd16(ri + 2), 6); /* ceil(3000 / 507) */
    const uint8_t *leaf = dcsi_regf_cell(&r, dcsi_rd32(ri + 4), &len);
    assert_memory_equal(leaf, "lh", 2);
    assert_int_equal(dcsi_rd16(leaf + 2), 507);
    /* every key is found by the binary search through the ri */
    for (unsigned j = 0; j < 3000; j += 7) {
        char name[32];
        uint16_t q[16];
        int n = snprintf(name, sizeof name, "%s%04u", j % 2 ? "KEY" : "KEY_", j);
        for (int i = 0; i < n; i++)
            q[i] = (uint16_t)name[i];
        uint32_t off;
        assert_int_equal(dcsi_regf_find_kid(&r, many, q, (size_t)n, &off, NULL), DCS_OK);
        assert_int_not_equal(off, 0);
    }
    dcsi_regf_free(&r);
    assert_int_equal(dcs_hive_open(work, DCS_HIVE_READ, &h, NULL), DCS_OK);
    compare_trees(h, work);
    dcs_hive_close(h);
}

/* Subkeys named by a UTF-16 copy of an ASCII name (for the lookups). */
static uint32_t find_kid_ascii(struct dcsi_regf *r, uint32_t parent, const char *name)
{
    uint16_t q[64];
    size_t n = strlen(name);
    for (size_t i = 0; i < n; i++)
        q[i] = (uint16_t)(name[i] >= 'a' && name[i] <= 'z' ? name[i] - 32 : name[i]);
    uint32_t off = 0;
    assert_int_equal(dcsi_regf_find_kid(r, parent, q, n, &off, NULL), DCS_OK);
    return off;
}

/* The engine notices subkeys added in Windows order instead of sorting at
 * commit: one added out of order, and a list a foreign writer left
 * mis-sorted on disk, must still come out sorted. */
static void subkey_order_tracked(void **state)
{
    dcs_hive *h = open_rw();
    dcs_hive_key parent, k;
    char name[32];
    assert_int_equal(dcs_hive_ensure_key(h, 0, "Ord", &parent, NULL), DCS_OK);
    for (unsigned i = 0; i < 600; i++) { /* in order, over two leaves */
        snprintf(name, sizeof name, "K%04u", 2 * i);
        assert_int_equal(dcs_hive_add_child(h, parent, name, &k, NULL), DCS_OK);
    }
    assert_int_equal(dcs_hive_add_child(h, parent, "K0001", &k, NULL), DCS_OK);
    commit_close(h);
    check_file(work, DCSI_REGF_CHECK_ORDER);

    /* swap the first two entries of the first leaf (an lh element is the
     * offset and the hash of one key: still a valid list, out of order) */
    struct dcsi_regf r;
    assert_int_equal(dcsi_regf_load_file(&r, work, NULL), DCS_OK);
    struct dcsi_regf_nk nk;
    assert_int_equal(dcsi_regf_nk(&r, find_kid_ascii(&r, r.root, "Ord"), &nk, NULL), DCS_OK);
    assert_int_equal(nk.nsub, 601);
    uint32_t len;
    const uint8_t *ri = dcsi_regf_cell(&r, nk.sublist, &len);
    assert_memory_equal(ri, "ri", 2);
    uint8_t *leaf = dcsi_regf_cell(&r, dcsi_rd32(ri + 4), &len);
    assert_memory_equal(leaf, "lh", 2);
    uint8_t e0[8];
    memcpy(e0, leaf + 4, 8);
    memmove(leaf + 4, leaf + 12, 8);
    memcpy(leaf + 12, e0, 8);
    assert_int_equal(spit(work, r.data, DCSI_REGF_BASE + (size_t)r.bins), 0);
    dcsi_regf_free(&r);
    assert_int_equal(dcsi_regf_load_file(&r, work, NULL), DCS_OK);
    assert_int_equal(dcsi_regf_check(&r, DCSI_REGF_CHECK_ORDER, NULL), DCS_ERR_HIVE_CORRUPT);
    dcsi_regf_free(&r);

    /* an add after the last key keeps the order of what was loaded */
    h = open_rw();
    assert_int_equal(dcs_hive_find_key(h, 0, "Ord", &parent, NULL), DCS_OK);
    assert_int_equal(dcs_hive_add_child(h, parent, "K9999", &k, NULL), DCS_OK);
    commit_close(h);
    check_file(work, DCSI_REGF_CHECK_ORDER);
    assert_int_equal(dcsi_regf_load_file(&r, work, NULL), DCS_OK);
    assert_int_equal(dcsi_regf_nk(&r, find_kid_ascii(&r, r.root, "Ord"), &nk, NULL), DCS_OK);
    assert_int_equal(nk.nsub, 602);
    assert_int_not_equal(find_kid_ascii(&r, nk.off, "K0000"), 0);
    assert_int_not_equal(find_kid_ascii(&r, nk.off, "K0001"), 0);
    dcsi_regf_free(&r);
}

/* Sizes around the inline limit and the big-data segment size. */
static void values_of_every_size(void **state)
{
    static const size_t sizes[] = {0, 1, 4, 5, 100, 16344, 16345, 40000, 200000};
    static uint8_t data[200000];
    for (size_t i = 0; i < sizeof data; i++)
        data[i] = (uint8_t)(i * 31 + i / 977);
    dcs_hive *h = open_rw();
    dcs_hive_key k;
    assert_int_equal(dcs_hive_ensure_key(h, 0, "Sizes", &k, NULL), DCS_OK);
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        char name[32];
        snprintf(name, sizeof name, "v%zu", sizes[i]);
        assert_int_equal(dcs_hive_set_value(h, k, name, DCS_REG_BINARY, data, sizes[i], NULL),
                         DCS_OK);
    }
    /* replace one big value by a small one and back */
    assert_int_equal(dcs_hive_set_value(h, k, "V40000", DCS_REG_DWORD, data, 4, NULL), DCS_OK);
    assert_int_equal(dcs_hive_set_value(h, k, "v40000", DCS_REG_BINARY, data, 40000, NULL),
                     DCS_OK);
    commit_close(h);
    check_file(work, DCSI_REGF_CHECK_ORDER);
    assert_int_equal(dcs_hive_open(work, DCS_HIVE_READ, &h, NULL), DCS_OK);
    compare_trees(h, work);
    struct dcs_hive_value v;
    assert_int_equal(dcs_hive_find_key(h, 0, "Sizes", &k, NULL), DCS_OK);
    assert_int_equal(dcs_hive_get_value(h, k, "v200000", &v, NULL), DCS_OK);
    assert_int_equal(v.len, 200000);
    assert_memory_equal(v.data, data, 200000);
    dcs_hive_value_free(&v);
    dcs_hive_close(h);
}

/* Names beyond Latin-1 are stored as UTF-16 and match case-insensitively
 * with Windows' upper-case mapping; Latin-1 names are stored compressed. */
static void unicode_names(void **state)
{
    dcs_hive *h = open_rw();
    dcs_hive_key k, k2;
    uint32_t one = 1;
    assert_int_equal(dcs_hive_ensure_key(h, 0, "\xce\xb1\xce\xb2\xce\xb3\\\xc3\xa9t\xc3\xa9", &k,
                                         NULL),
                     DCS_OK);
    assert_int_equal(dcs_hive_set_value(h, k, "\xd0\xb6\xd0\xb8", DCS_REG_DWORD, &one, 4, NULL),
                     DCS_OK);
    commit_close(h);
    check_file(work, DCSI_REGF_CHECK_ORDER);
    assert_int_equal(dcs_hive_open(work, DCS_HIVE_READ, &h, NULL), DCS_OK);
    /* upper-case Greek, Latin-1 and Cyrillic find the lower-case names */
    assert_int_equal(dcs_hive_find_key(h, 0, "\xce\x91\xce\x92\xce\x93\\\xc3\x89T\xc3\x89", &k2,
                                       NULL),
                     DCS_OK);
    assert_int_equal(k2, k);
    struct dcs_hive_value v;
    assert_int_equal(dcs_hive_get_value(h, k, "\xd0\x96\xd0\x98", &v, NULL), DCS_OK);
    assert_string_equal(v.name, "\xd0\xb6\xd0\xb8");
    dcs_hive_value_free(&v);
    compare_trees(h, work);
    dcs_hive_close(h);
    size_t len;
    uint8_t *d = slurp(work, &len);
    /* "été" compressed: 3 bytes of Latin-1 in an nk with the flag 0x20 */
    assert_non_null(d);
    size_t at = find_nk(d, len, "\xe9t\xe9");
    assert_int_equal(d[at + 2] & 0x20, 0x20);
    free(d);
}

/* Deleting and re-adding reuses the freed cells: the file does not grow. */
static void freed_space_reused(void **state)
{
    static uint8_t data[600];
    for (int round = 0; round < 4; round++) {
        dcs_hive *h = open_rw();
        dcs_hive_key k;
        if (round) {
            assert_int_equal(dcs_hive_find_key(h, 0, "Churn", &k, NULL), DCS_OK);
            assert_int_equal(dcs_hive_delete_key(h, k, NULL), DCS_OK);
        }
        assert_int_equal(dcs_hive_ensure_key(h, 0, "Churn\\Sub", &k, NULL), DCS_OK);
        for (int i = 0; i < 300; i++) {
            char name[16];
            snprintf(name, sizeof name, "v%d", i);
            data[0] = (uint8_t)round;
            assert_int_equal(dcs_hive_set_value(h, k, name, DCS_REG_BINARY, data, sizeof data,
                                                NULL),
                             DCS_OK);
        }
        commit_close(h);
        check_file(work, DCSI_REGF_CHECK_ORDER);
        struct stat st;
        assert_int_equal(stat(work, &st), 0);
        static off_t first;
        if (round == 0)
            first = st.st_size;
        else
            assert_true(st.st_size <= first + 8192);
    }
}

static uint32_t sk_refs(const char *path, const char *key)
{
    struct dcsi_regf r;
    assert_int_equal(dcsi_regf_load_file(&r, path, NULL), DCS_OK);
    uint32_t off = r.root, len;
    if (key) {
        uint16_t q[64];
        size_t n = strlen(key);
        for (size_t i = 0; i < n; i++)
            q[i] = (uint16_t)(key[i] >= 'a' && key[i] <= 'z' ? key[i] - 32 : key[i]);
        assert_int_equal(dcsi_regf_find_kid(&r, r.root, q, n, &off, NULL), DCS_OK);
    }
    struct dcsi_regf_nk nk;
    assert_int_equal(dcsi_regf_nk(&r, off, &nk, NULL), DCS_OK);
    const uint8_t *sk = dcsi_regf_cell(&r, nk.sk, &len);
    uint32_t refs = dcsi_rd32(sk + 12);
    dcsi_regf_free(&r);
    return refs;
}

/* New keys share their parent's security cell; its count follows them. */
static void security_shared_and_counted(void **state)
{
    uint32_t before = sk_refs(work, NULL);
    dcs_hive *h = open_rw();
    dcs_hive_key k;
    assert_int_equal(dcs_hive_ensure_key(h, 0, "S\\a\\b", &k, NULL), DCS_OK);
    assert_int_equal(dcs_hive_ensure_key(h, 0, "S\\c", &k, NULL), DCS_OK);
    commit_close(h);
    assert_int_equal(sk_refs(work, NULL), before + 4);
    assert_int_equal(sk_refs(work, "S"), before + 4);
    h = open_rw();
    assert_int_equal(dcs_hive_find_key(h, 0, "S\\a", &k, NULL), DCS_OK);
    assert_int_equal(dcs_hive_delete_key(h, k, NULL), DCS_OK);
    commit_close(h);
    assert_int_equal(sk_refs(work, NULL), before + 2);
    check_file(work, DCSI_REGF_CHECK_ORDER);
}

/* One value changed in a real NTUSER.DAT: every cell but the edited key's
 * node, its new and freed lists and the new value's cells is unchanged. */
static void untouched_cells_kept(void **state)
{
    char src[1024], path[1100];
    fixture(src, sizeof src, "ez-NTUSER1.DAT");
    snprintf(path, sizeof path, "%s/NTUSER.DAT", dir);
    assert_int_equal(copy_to(src, path), 0);
    size_t olen, nlen;
    uint8_t *old = slurp(path, &olen);
    dcs_hive *h;
    assert_int_equal(dcs_hive_open(path, DCS_HIVE_WRITE, &h, NULL), DCS_OK);
    dcs_hive_key k;
    assert_int_equal(dcs_hive_find_key(h, 0, DCS_KEY_INTERNET_SETTINGS, &k, NULL), DCS_OK);
    uint32_t one = 1;
    assert_int_equal(dcs_hive_set_value(h, k, "ProxyEnable", DCS_REG_DWORD, &one, 4, NULL),
                     DCS_OK);
    commit_close(h);
    uint8_t *nw = slurp(path, &nlen);
    assert_true(nlen >= olen);
    size_t changed = 0;
    for (size_t p = 4096 + 32; p + 4 <= olen;) {
        int32_t s = (int32_t)dcsi_rd32(old + p);
        uint32_t abs = s < 0 ? (uint32_t)-s : (uint32_t)s;
        if (abs < 8 || p + abs > olen) { /* bin header: skip to the next 4 KiB */
            p = (p / 4096 + 1) * 4096 + 32;
            continue;
        }
        if (s < 0 && memcmp(old + p, nw + p, abs) != 0)
            changed++;
        p += abs;
    }
    /* the key's node; its old value list (now free); the replaced value */
    assert_true(changed <= 3);
    free(old);
    free(nw);
    check_file(path, 0);
}

/* A hive file of 128 KiB or more is read into an anonymous mapping
 * (DCSI_REGF_MAP_MIN): an edit that grows it below 1 MiB must grow the
 * mapping (mremap), never realloc it, and the value reads back whole. */
static void large_hive_read_mapped_grows(void **state)
{
    (void)state;
    char src[1024], path[1100];
    fixture(src, sizeof src, "ez-NTUSER1.DAT");
    snprintf(path, sizeof path, "%s/NTUSER-grow.DAT", dir);
    assert_int_equal(copy_to(src, path), 0);
    size_t olen;
    free(slurp(path, &olen));
    assert_true(olen >= DCSI_REGF_MAP_MIN);
    size_t vlen = 300 * 1024;
    uint8_t *v = malloc(vlen);
    assert_non_null(v);
    for (size_t i = 0; i < vlen; i++)
        v[i] = (uint8_t)(i * 7 + 3);
    dcs_hive *h;
    assert_int_equal(dcs_hive_open(path, DCS_HIVE_WRITE, &h, NULL), DCS_OK);
    dcs_hive_key k;
    assert_int_equal(dcs_hive_find_key(h, 0, DCS_KEY_INTERNET_SETTINGS, &k, NULL), DCS_OK);
    assert_int_equal(dcs_hive_set_value(h, k, "Big", DCS_REG_BINARY, v, vlen, NULL), DCS_OK);
    commit_close(h);
    size_t nlen;
    free(slurp(path, &nlen));
    assert_true(nlen > olen + vlen && nlen < ((size_t)1 << 20));
    assert_int_equal(dcs_hive_open(path, 0, &h, NULL), DCS_OK);
    assert_int_equal(dcs_hive_find_key(h, 0, DCS_KEY_INTERNET_SETTINGS, &k, NULL), DCS_OK);
    struct dcs_hive_value got;
    assert_int_equal(dcs_hive_get_value(h, k, "Big", &got, NULL), DCS_OK);
    assert_int_equal(got.len, vlen);
    assert_memory_equal(got.data, v, vlen);
    dcs_hive_value_free(&got);
    dcs_hive_close(h);
    free(v);
    check_file(path, 0);
}

/* Allocated cells of the hive bins of file d starting with sig. */
static size_t cells_signed(const uint8_t *d, size_t len, const char *sig)
{
    size_t n = 0, end = 4096 + (size_t)dcsi_rd32(d + 0x28);
    for (size_t bin = 4096; bin + 32 <= end && bin + 32 <= len;) {
        size_t bsize = dcsi_rd32(d + bin + 8);
        for (size_t p = bin + 32; p + 6 <= bin + bsize && p + 6 <= len;) {
            int32_t s = (int32_t)dcsi_rd32(d + p);
            n += s < 0 && memcmp(d + p + 4, sig, 2) == 0;
            p += s < 0 ? (uint32_t)0 - (uint32_t)s : (uint32_t)s;
        }
        bin += bsize;
    }
    return n;
}

/* Edits of a hive of version 1.minor, as that version's Windows writes:
 * the version stays, subkey lists are lf leaves (lh came with 1.5), under
 * an ri past 507; the data of a value over 16,344 bytes is one cell before
 * 1.4 (big data came with 1.4). */
static void edit_keeping_version(const char *src, uint32_t minor)
{
    assert_int_equal(copy_to(src, work), 0);
    size_t len;
    uint8_t *d = slurp(work, &len);
    if (dcsi_rd32(d + 0x18) != minor) { /* made from a 1.5 hive: only the field differs */
        dcsi_wr32(d + 0x18, minor);
        dcsi_wr32(d + DCS_HIVE_CHECKSUM_OFFSET, dcs_hive_checksum(d));
        FILE *f = fopen(work, "wb");
        assert_non_null(f);
        assert_int_equal(fwrite(d, 1, len, f), len);
        assert_int_equal(fclose(f), 0);
    }
    free(d);
    static uint8_t big[20000];
    memset(big, 0x5A, sizeof big);
    dcs_hive *h = open_rw();
    dcs_hive_key parent, k;
    assert_int_equal(dcs_hive_ensure_key(h, 0, "Old\\Many", &parent, NULL), DCS_OK);
    for (unsigned i = 0; i < 600; i++) {
        char name[32];
        snprintf(name, sizeof name, "k%03u\xc3\xa9", (i * 7u) % 600u); /* k000é */
        assert_int_equal(dcs_hive_add_child(h, parent, name, &k, NULL), DCS_OK);
    }
    assert_int_equal(dcs_hive_set_value(h, parent, "Big", DCS_REG_BINARY, big, sizeof big, NULL),
                     DCS_OK);
    commit_close(h);
    check_file(work, DCSI_REGF_CHECK_ORDER);
    d = slurp(work, &len);
    assert_int_equal(dcsi_rd32(d + 0x18), minor);
    assert_int_equal(cells_signed(d, len, "lh"), 0);
    assert_int_equal(cells_signed(d, len, "db"), minor < 4 ? 0 : 1);
    free(d);
    struct dcsi_regf r;
    assert_int_equal(dcsi_regf_load_file(&r, work, NULL), DCS_OK);
    uint16_t up[4] = {'M', 'A', 'N', 'Y'}, old[3] = {'O', 'L', 'D'};
    uint32_t off, many;
    assert_int_equal(dcsi_regf_find_kid(&r, r.root, old, 3, &off, NULL), DCS_OK);
    assert_int_equal(dcsi_regf_find_kid(&r, off, up, 4, &many, NULL), DCS_OK);
    struct dcsi_regf_nk nk;
    assert_int_equal(dcsi_regf_nk(&r, many, &nk, NULL), DCS_OK);
    assert_int_equal(nk.nsub, 600);
    uint32_t clen;
    const uint8_t *ri = dcsi_regf_cell(&r, nk.sublist, &clen);
    assert_memory_equal(ri, "ri", 2);
    assert_int_equal(dcsi_rd16(ri + 2), 2); /* 507 + 93 */
    const uint8_t *leaf = dcsi_regf_cell(&r, dcsi_rd32(ri + 4), &clen);
    assert_memory_equal(leaf, "lf", 2);
    assert_int_equal(dcsi_rd16(leaf + 2), 507);
    /* the name hint: the first four characters (here all one byte) */
    assert_memory_equal(leaf + 8, "k000", 4);
    uint16_t big_up[3] = {'B', 'I', 'G'};
    uint32_t voff;
    assert_int_equal(dcsi_regf_find_val(&r, many, big_up, 3, &voff, NULL), DCS_OK);
    struct dcsi_regf_vk vk;
    assert_int_equal(dcsi_regf_vk(&r, voff, &vk, NULL), DCS_OK);
    const uint8_t *data = dcsi_regf_cell(&r, vk.data, &clen);
    assert_non_null(data);
    if (minor < 4) {
        assert_true(clen >= sizeof big);
        assert_memory_equal(data, big, sizeof big);
    } else {
        assert_memory_equal(data, "db", 2);
    }
    dcsi_regf_free(&r);
    assert_int_equal(dcs_hive_open(work, DCS_HIVE_READ, &h, NULL), DCS_OK);
    compare_trees(h, work);
    dcs_hive_close(h);
}

/* A real Windows XP-era hive (ez-NTUSER1.DAT is version 1.3). */
static void version_1_3_edited_as_1_3(void **state)
{
    char src[1024];
    fixture(src, sizeof src, "ez-NTUSER1.DAT");
    edit_keeping_version(src, 3);
}

/* No 1.4 hive is among the fixtures: hivex-minimal (1.5) with 4 as its
 * minor version is one (the format differs only in what is written). */
static void version_1_4_edited_as_1_4(void **state)
{
    char src[1024];
    fixture(src, sizeof src, "hivex-minimal");
    edit_keeping_version(src, 4);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(fixtures_read_like_hivex),
        cmocka_unit_test_setup_teardown(many_subkeys_make_ri_lists, fresh, cleanup),
        cmocka_unit_test_setup_teardown(subkey_order_tracked, fresh, cleanup),
        cmocka_unit_test_setup_teardown(values_of_every_size, fresh, cleanup),
        cmocka_unit_test_setup_teardown(unicode_names, fresh, cleanup),
        cmocka_unit_test_setup_teardown(freed_space_reused, fresh, cleanup),
        cmocka_unit_test_setup_teardown(security_shared_and_counted, fresh, cleanup),
        cmocka_unit_test_setup_teardown(untouched_cells_kept, fresh, cleanup),
        cmocka_unit_test_setup_teardown(large_hive_read_mapped_grows, fresh, cleanup),
        cmocka_unit_test_setup_teardown(version_1_3_edited_as_1_3, fresh, cleanup),
        cmocka_unit_test_setup_teardown(version_1_4_edited_as_1_4, fresh, cleanup),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
