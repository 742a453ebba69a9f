/* Hive room under allocation failure: every allocation of each call is made
 * to fail in turn (tests/failalloc.c).  Each failure must give
 * DCS_ERR_NOMEM, leak nothing (valgrind and ASan runs of this suite check
 * that) and leave the files on disk byte-identical; the loop ends when the
 * call runs through with no allocation refused, and that run must succeed. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include <dcs/dcs.h>
#include "failalloc.h"
#include <dcs/hive_reg.h>
#include "hive_testutil.h"

#define PREFIX "HKEY_USERS\\S-1-5-19"

/* Run `call` with allocation n failing, for n = 1, 2, ... until it runs
 * without a refused allocation.  `fail` checks the state after each failed
 * run.  Returns the number of failing runs (every allocation of the call). */
typedef dcs_status (*call_fn)(void *ctx, struct dcs_error *err);
typedef void (*check_fn)(void *ctx);

static size_t each_allocation_fails(call_fn setup, call_fn call, check_fn after_failure,
                                    check_fn teardown, void *ctx)
{
    for (size_t n = 1;; n++) {
        struct dcs_error err;
        dcs_error_clear(&err);
        if (setup)
            assert_int_equal(setup(ctx, &err), DCS_OK);
        failalloc_arm(n);
        dcs_status rc = call(ctx, &err);
        bool hit = failalloc_fired();
        failalloc_disarm();
        if (!hit) {
            if (rc != DCS_OK)
                fail_msg("run without a refused allocation failed: %s", err.message);
            if (teardown)
                teardown(ctx);
            return n - 1;
        }
        if (rc != DCS_ERR_NOMEM)
            fail_msg("allocation %zu refused: got %s (%s), expected DCS_ERR_NOMEM", n,
                     dcs_strerror(rc), err.message);
        assert_int_equal(err.code, DCS_ERR_NOMEM);
        assert_true(err.message[0] != '\0');
        if (after_failure)
            after_failure(ctx);
        if (teardown)
            teardown(ctx);
    }
}

/* ---- a scratch directory with hives ------------------------------------- */

struct scratch {
    char dir[512];
    char hive[3][1100]; /* working copies */
    char orig[3][1100]; /* pristine copies to compare with */
    dcs_hive *h[3];
    size_t nh;
};

static void scratch_add(struct scratch *s, const char *fixture_name, const char *as)
{
    char src[1024];
    fixture(src, sizeof src, fixture_name);
    size_t i = s->nh++;
    char dir[sizeof s->dir];
    memcpy(dir, s->dir, sizeof dir);
    snprintf(s->hive[i], sizeof s->hive[i], "%s/%s", dir, as);
    snprintf(s->orig[i], sizeof s->orig[i], "%s/%s.orig", dir, as);
    assert_int_equal(copy_to(src, s->hive[i]), 0);
    assert_int_equal(copy_to(src, s->orig[i]), 0);
}

static void scratch_init(struct scratch *s)
{
    memset(s, 0, sizeof *s);
    make_tmpdir(s->dir, sizeof s->dir);
    assert_true(s->dir[0] != '\0');
}

static void close_all(struct scratch *s)
{
    for (size_t i = 0; i < s->nh; i++) {
        dcs_hive_close(s->h[i]);
        s->h[i] = NULL;
    }
}

static void files_untouched(void *ctx)
{
    struct scratch *s = ctx;
    for (size_t i = 0; i < s->nh; i++)
        assert_true(files_equal(s->hive[i], s->orig[i]));
}

/* ---- inspect and open ------------------------------------------------------- */

static dcs_status inspect_call(void *ctx, struct dcs_error *err)
{
    struct scratch *s = ctx;
    dcs_hive_state *st = NULL;
    dcs_status rc = dcs_hive_inspect(s->hive[0], &st, err);
    if (rc == DCS_OK && (dcs_hive_state_log_count(st) != 1 || dcs_hive_state_dirty(st)))
        fail_msg("inspect gave %zu logs, dirty %d", dcs_hive_state_log_count(st),
                 dcs_hive_state_dirty(st));
    dcs_hive_state_free(st);
    return rc;
}

static dcs_status open_call(void *ctx, struct dcs_error *err)
{
    struct scratch *s = ctx;
    dcs_status rc = dcs_hive_open(s->hive[0], DCS_HIVE_WRITE, &s->h[0], err);
    if (rc != DCS_OK)
        assert_null(s->h[0]);
    return rc;
}

static void close_first(void *ctx)
{
    close_all(ctx);
}

static void inspect_and_open(void **state)
{
    struct scratch s;
    scratch_init(&s);
    scratch_add(&s, "dfwinreg-NTUSER.DAT", "NTUSER.DAT");
    char src[1024], log[1100];
    fixture(src, sizeof src, "dfwinreg-NTUSER.DAT.LOG");
    snprintf(log, sizeof log, "%s/NTUSER.DAT.LOG", s.dir);
    assert_int_equal(copy_to(src, log), 0);
    /* two buffers for the directory walk, one for the log */
    assert_true(each_allocation_fails(NULL, inspect_call, NULL, NULL, &s) >= 3);
    assert_true(each_allocation_fails(NULL, open_call, files_untouched, close_first, &s) >= 5);
    rm_tree(s.dir);
}

/* ---- edits ------------------------------------------------------------------- */

static dcs_status open_minimal(void *ctx, struct dcs_error *err)
{
    struct scratch *s = ctx;
    return dcs_hive_open(s->hive[0], DCS_HIVE_WRITE, &s->h[0], err);
}

static dcs_status key_name_call(void *ctx, struct dcs_error *err)
{
    struct scratch *s = ctx;
    char *name = dcs_hive_key_name(s->h[0], dcs_hive_root(s->h[0]), err);
    if (!name)
        return err->code;
    assert_string_equal(name, "");
    free(name);
    return DCS_OK;
}

/* Ten values on a new key (the first edit runs the full check and loads
 * the key's lists), then delete the fifth. */
static dcs_status ten_values(void *ctx, struct dcs_error *err)
{
    struct scratch *s = ctx;
    dcs_status rc = open_minimal(ctx, err);
    dcs_hive_key k;
    if (rc == DCS_OK)
        rc = dcs_hive_ensure_key(s->h[0], 0, "Software\\Values", &k, err);
    for (int i = 0; rc == DCS_OK && i < 10; i++) {
        char name[8];
        snprintf(name, sizeof name, "v%d", i);
        uint32_t d = (uint32_t)i;
        rc = dcs_hive_set_value(s->h[0], k, name, DCS_REG_DWORD, &d, 4, err);
    }
    return rc;
}

static dcs_status delete_value_call(void *ctx, struct dcs_error *err)
{
    struct scratch *s = ctx;
    dcs_hive_key k;
    assert_int_equal(dcs_hive_find_key(s->h[0], 0, "Software\\Values", &k, err), DCS_OK);
    bool deleted = true;
    dcs_status rc = dcs_hive_delete_value(s->h[0], k, "V4", &deleted, err);
    assert_int_equal(deleted, rc == DCS_OK);
    return rc;
}

static dcs_status edit_sequence(void *ctx, struct dcs_error *err)
{
    struct scratch *s = ctx;
    dcs_hive_key k;
    dcs_status rc = dcs_hive_ensure_key(s->h[0], 0, "Software\\Values", &k, err);
    for (int i = 0; rc == DCS_OK && i < 10; i++) {
        char name[8];
        snprintf(name, sizeof name, "v%d", i);
        uint32_t d = (uint32_t)i;
        rc = dcs_hive_set_value(s->h[0], k, name, DCS_REG_DWORD, &d, 4, err);
    }
    bool deleted = false;
    if (rc == DCS_OK)
        rc = dcs_hive_delete_value(s->h[0], k, "V4", &deleted, err);
    assert_int_equal(deleted, rc == DCS_OK);
    return rc;
}

static void values_intact(void *ctx)
{
    struct scratch *s = ctx;
    dcs_hive_key k;
    assert_int_equal(dcs_hive_find_key(s->h[0], 0, "Software\\Values", &k, NULL), DCS_OK);
    struct dcs_hive_value v;
    for (int i = 0; i < 10; i++) {
        char name[8];
        snprintf(name, sizeof name, "v%d", i);
        assert_int_equal(dcs_hive_get_value(s->h[0], k, name, &v, NULL), DCS_OK);
        assert_int_equal(v.len, 4);
        assert_int_equal(v.data[0], i);
        dcs_hive_value_free(&v);
    }
}

static dcs_status set_values_call(void *ctx, struct dcs_error *err)
{
    struct scratch *s = ctx;
    static const struct dcs_hive_set v[] = {{"a", DCS_REG_SZ, "a\0\0", 4}, {"b", DCS_REG_NONE, "", 0}};
    return dcs_hive_set_values(s->h[0], dcs_hive_root(s->h[0]), v, 2, err);
}

static void edits(void **state)
{
    struct scratch s;
    scratch_init(&s);
    scratch_add(&s, "hivex-minimal", "DEFAULT");
    assert_int_equal(each_allocation_fails(open_minimal, key_name_call, NULL, close_first, &s),
                     1);
    assert_true(each_allocation_fails(open_minimal, edit_sequence, NULL, close_first, &s) >= 10);
    /* freeing cells never allocates: deleting a value cannot run out of memory */
    assert_int_equal(each_allocation_fails(ten_values, delete_value_call, values_intact,
                                           close_first, &s),
                     0);
    assert_true(each_allocation_fails(open_minimal, set_values_call, NULL, close_first, &s) >=
                5);
    files_untouched(&s);
    rm_tree(s.dir);
}

/* ---- all-or-nothing commit ------------------------------------------------- */

static dcs_status open_and_edit_three(void *ctx, struct dcs_error *err)
{
    struct scratch *s = ctx;
    for (size_t i = 0; i < s->nh; i++) {
        dcs_status rc = dcs_hive_open(s->hive[i], DCS_HIVE_WRITE, &s->h[i], err);
        dcs_hive_key k;
        if (rc == DCS_OK)
            rc = dcs_hive_ensure_key(s->h[i], 0, "Software\\Test", &k, err);
        if (rc != DCS_OK)
            return rc;
    }
    return DCS_OK;
}

static dcs_status commit_call(void *ctx, struct dcs_error *err)
{
    struct scratch *s = ctx;
    dcs_status rc = dcs_hive_commit_all(s->h, s->nh, err);
    for (size_t i = 0; i < s->nh; i++)
        assert_int_equal(dcs_hive_modified(s->h[i]), rc != DCS_OK);
    return rc;
}

static void commit_left_nothing(void *ctx)
{
    struct scratch *s = ctx;
    files_untouched(ctx);
    assert_int_equal(count_entries(s->dir), (int)(2 * s->nh));
}

static void commit(void **state)
{
    struct scratch s;
    scratch_init(&s);
    scratch_add(&s, "hivex-minimal", "DEFAULT");
    scratch_add(&s, "yarp-EmptyHive", "NTUSER.DAT");
    /* slots, 2 x (dir, temp name, inspection of the temp file, kept name) */
    assert_true(each_allocation_fails(open_and_edit_three, commit_call, commit_left_nothing,
                                      close_first, &s) >= 9);
    for (size_t i = 0; i < s.nh; i++) {
        assert_false(files_equal(s.hive[i], s.orig[i]));
        dcs_hive_state *st = NULL;
        assert_int_equal(dcs_hive_inspect(s.hive[i], &st, NULL), DCS_OK);
        dcs_hive_state_free(st);
    }
    assert_int_equal(count_entries(s.dir), 4);
    rm_tree(s.dir);
}

/* ---- .reg import and export --------------------------------------------------- */

struct regcase {
    struct scratch s;
    const char *text;
    size_t len;
    struct dcs_hive_import_stats stats;
    struct dcs_reg_membuf out;
};

static dcs_status import_text(dcs_hive *h, const char *text, size_t len,
                              struct dcs_hive_import_stats *stats, struct dcs_error *err)
{
    struct dcs_reg_source *src;
    dcs_status rc = dcs_reg_source_open_mem(text, len, 0, &src, err);
    if (rc != DCS_OK)
        return rc;
    rc = dcs_hive_import_reg(h, PREFIX, NULL, src, NULL, NULL, stats, err);
    dcs_reg_source_close(src);
    return rc;
}

static dcs_status import_call(void *ctx, struct dcs_error *err)
{
    struct regcase *c = ctx;
    return import_text(c->s.h[0], c->text, c->len, &c->stats, err);
}

/* Sets 40 values (one of 5000 bytes), merges with existing values, deletes a
 * value and a key, creates keys below fresh keys. */
static char *big_reg(size_t *len)
{
    size_t cap = 64 * 1024, n = 0;
    char *t = malloc(cap);
    assert_non_null(t);
    n += (size_t)snprintf(t + n, cap - n,
                          "Windows Registry Editor Version 5.00\r\n\r\n"
                          "[" PREFIX "\\Software\\Old]\r\n"
                          "\"keep\"=dword:00000001\r\n"
                          "\"gone\"=-\r\n"
                          "\"new\"=\"x\"\r\n\r\n"
                          "[" PREFIX "\\Software\\Fresh\\A]\r\n"
                          "[" PREFIX "\\Software\\Fresh\\B]\r\n"
                          "[" PREFIX "\\Software\\Fresh\\A\\C]\r\n");
    for (int i = 0; i < 40; i++)
        n += (size_t)snprintf(t + n, cap - n, "\"v%d\"=dword:%08x\r\n", i, i);
    n += (size_t)snprintf(t + n, cap - n, "\"big\"=hex:");
    for (int i = 0; i < 5000; i++)
        n += (size_t)snprintf(t + n, cap - n, "%02x%s", i & 0xff, i < 4999 ? "," : "\r\n");
    n += (size_t)snprintf(t + n, cap - n, "\r\n[-" PREFIX "\\Software\\Doomed]\r\n");
    *len = n;
    return t;
}

static dcs_status open_prepared(void *ctx, struct dcs_error *err)
{
    struct regcase *c = ctx;
    return dcs_hive_open(c->s.hive[0], DCS_HIVE_WRITE, &c->s.h[0], err);
}

static void prepare_reg_hive(struct regcase *c)
{
    static const char setup[] = "Windows Registry Editor Version 5.00\r\n\r\n"
                                "[" PREFIX "\\Software\\Old]\r\n"
                                "\"keep\"=dword:00000000\r\n"
                                "\"gone\"=\"bye\"\r\n"
                                "\"other\"=hex:01,02\r\n\r\n"
                                "[" PREFIX "\\Software\\Doomed\\Child]\r\n"
                                "\"x\"=\"y\"\r\n";
    scratch_init(&c->s);
    scratch_add(&c->s, "hivex-minimal", "DEFAULT");
    struct dcs_error err;
    assert_int_equal(open_prepared(c, &err), DCS_OK);
    assert_int_equal(import_text(c->s.h[0], setup, sizeof setup - 1, &c->stats, &err), DCS_OK);
    assert_int_equal(dcs_hive_commit_all(c->s.h, 1, &err), DCS_OK);
    close_all(&c->s);
    assert_int_equal(copy_to(c->s.hive[0], c->s.orig[0]), 0);
}

static void import_reg(void **state)
{
    struct regcase c;
    prepare_reg_hive(&c);
    c.text = big_reg(&c.len);
    assert_true(each_allocation_fails(open_prepared, import_call, NULL, close_first, &c) >= 10);
    assert_int_equal(c.stats.values_set, 2 + 40 + 1);
    assert_int_equal(c.stats.values_deleted, 1);
    assert_int_equal(c.stats.keys_deleted, 1);
    assert_int_equal(c.stats.keys_created, 4);
    free((void *)c.text);
    files_untouched(&c.s);
    rm_tree(c.s.dir);
}

static dcs_status export_call(void *ctx, struct dcs_error *err)
{
    struct regcase *c = ctx;
    struct dcs_reg_writer *w;
    free(c->out.buf);
    c->out = (struct dcs_reg_membuf){.grow = true};
    dcs_status rc = dcs_reg_writer_new(NULL, dcs_reg_membuf_write, &c->out, &w, err);
    if (rc != DCS_OK)
        return rc;
    rc = dcs_hive_export_reg(c->s.h[0], PREFIX "\\", "\\Software\\", w, err);
    if (rc == DCS_OK)
        rc = dcs_reg_writer_finish(w, err);
    dcs_reg_writer_free(w);
    return rc;
}

static void export_reg(void **state)
{
    struct regcase c;
    prepare_reg_hive(&c);
    c.out = (struct dcs_reg_membuf){.grow = true};
    assert_int_equal(open_prepared(&c, NULL), DCS_OK);
    /* 20 subkeys: the child list grows past its first 16 slots */
    for (int i = 0; i < 20; i++) {
        char name[64];
        dcs_hive_key k;
        snprintf(name, sizeof name, "Software\\Many\\Key%02d", i);
        assert_int_equal(dcs_hive_ensure_key(c.s.h[0], 0, name, &k, NULL), DCS_OK);
    }
    assert_true(each_allocation_fails(NULL, export_call, NULL, NULL, &c) >= 25);
    close_all(&c.s);
    /* the run that succeeded: UTF-16LE text naming the last key */
    static const char want[] = "H\0K\0E\0Y\0_\0U\0S\0E\0R\0S\0\\\0S\0-\0001\0-\0005\0-\0001\0"
                               "9\0\\\0S\0o\0f\0t\0w\0a\0r\0e\0\\\0O\0l\0d\0]\0";
    bool found = false;
    for (size_t i = 0; !found && i + sizeof want - 1 <= c.out.len; i++)
        found = memcmp(c.out.buf + i, want, sizeof want - 1) == 0;
    assert_true(found);
    free(c.out.buf);
    rm_tree(c.s.dir);
}

/* ---- applier ------------------------------------------------------------------ */

struct applycase {
    struct scratch s;
    struct dcs_apply_source src;
    struct dcs_apply_plan plan;
    uint8_t blob[600];
};

static dcs_status plan_user_call(void *ctx, struct dcs_error *err)
{
    struct applycase *a = ctx;
    static const char *const conns[] = {"VPN"};
    struct dcs_apply_options opt = {.connections = conns, .nconnections = 1};
    dcs_status rc = dcs_apply_plan_user(&a->src, &opt, NULL, &a->plan, err);
    if (rc != DCS_OK) {
        assert_int_equal(a->plan.nsteps, 0);
        return rc;
    }
    assert_int_equal(a->plan.action, DCS_APPLY_CREATE);
    dcs_apply_plan_free(&a->plan);
    return rc;
}

static dcs_status plan_machine_call(void *ctx, struct dcs_error *err)
{
    struct applycase *a = ctx;
    struct dcs_apply_current cur = {.has_wow64 = true};
    dcs_status rc = dcs_apply_plan_machine(&a->src, &cur, &a->plan, err);
    if (rc != DCS_OK) {
        assert_int_equal(a->plan.nsteps, 0);
        return rc;
    }
    assert_int_equal(a->plan.nsteps, 2);
    dcs_apply_plan_free(&a->plan);
    return rc;
}

static dcs_status open_software(void *ctx, struct dcs_error *err)
{
    struct applycase *a = ctx;
    return dcs_hive_open(a->s.hive[0], DCS_HIVE_WRITE, &a->s.h[0], err);
}

static dcs_status snapshot_call(void *ctx, struct dcs_error *err)
{
    struct applycase *a = ctx;
    struct dcs_apply_snapshot snap;
    dcs_status rc = dcs_apply_snapshot_read(a->s.h[0], true, &snap, err);
    if (rc != DCS_OK) {
        assert_int_equal(snap.cur.nvalues, 0);
        assert_null(snap.values);
        return rc;
    }
    assert_int_equal(snap.cur.nvalues, 2);
    assert_true(snap.cur.has_wow64);
    dcs_apply_snapshot_free(&snap);
    return rc;
}

/* Setup: open SOFTWARE, read what is there and plan; the call executes. */
static dcs_status open_and_plan(void *ctx, struct dcs_error *err)
{
    struct applycase *a = ctx;
    struct dcs_apply_snapshot snap;
    dcs_status rc = open_software(ctx, err);
    if (rc == DCS_OK)
        rc = dcs_apply_snapshot_read(a->s.h[0], true, &snap, err);
    if (rc != DCS_OK)
        return rc;
    rc = dcs_apply_plan_machine(&a->src, &snap.cur, &a->plan, err);
    dcs_apply_snapshot_free(&snap);
    return rc;
}

static dcs_status execute_call(void *ctx, struct dcs_error *err)
{
    struct applycase *a = ctx;
    const struct dcs_apply_plan *plans[] = {&a->plan};
    return dcs_apply_execute(a->s.h, plans, 1, err);
}

static void free_plan_and_close(void *ctx)
{
    struct applycase *a = ctx;
    dcs_apply_plan_free(&a->plan);
    close_all(&a->s);
}

static void applier(void **state)
{
    struct applycase a;
    memset(&a, 0, sizeof a);
    /* a proxy list long enough that the WinHTTP blob does not fit the
     * planner's stack buffer */
    char proxy[200];
    memset(proxy, 'p', sizeof proxy - 3);
    memcpy(proxy + sizeof proxy - 3, ":1", 3);
    struct dcs_blob b;
    struct dcs_settings st = {0x03, {(const uint8_t *)proxy, (uint32_t)strlen(proxy)},
                              {(const uint8_t *)"<local>", 7}, {NULL, 0}};
    dcs_blob_build(&st, NULL, &b);
    size_t n;
    assert_int_equal(dcs_blob_encode(&b, a.blob, sizeof a.blob, &n, NULL), DCS_OK);
    a.src = (struct dcs_apply_source){.mode = DCS_MODE_COPY, .blob = {a.blob, (uint32_t)n}};
    assert_true(each_allocation_fails(NULL, plan_user_call, NULL, NULL, &a) >= 6);
    assert_true(each_allocation_fails(NULL, plan_machine_call, NULL, NULL, &a) >= 3);
    a.src = (struct dcs_apply_source){.mode = DCS_MODE_MANUAL_PROXY,
                                      .proxy = {(const uint8_t *)"p:1", 3}};
    assert_true(each_allocation_fails(NULL, plan_user_call, NULL, NULL, &a) >= 5);

    scratch_init(&a.s);
    scratch_add(&a.s, "mini-SOFTWARE", "SOFTWARE");
    /* give both WinHttpSettings values a current content */
    assert_int_equal(open_and_plan(&a, NULL), DCS_OK);
    assert_int_equal(execute_call(&a, NULL), DCS_OK);
    free_plan_and_close(&a);
    assert_int_equal(copy_to(a.s.hive[0], a.s.orig[0]), 0);
    a.src = (struct dcs_apply_source){.mode = DCS_MODE_NO_PROXY};
    assert_true(each_allocation_fails(open_software, snapshot_call, NULL, close_first, &a) >= 4);
    assert_true(each_allocation_fails(open_and_plan, execute_call, files_untouched,
                                      free_plan_and_close, &a) >= 4);
    rm_tree(a.s.dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(inspect_and_open),
        cmocka_unit_test(edits),
        cmocka_unit_test(commit),
        cmocka_unit_test(import_reg),
        cmocka_unit_test(export_reg),
        cmocka_unit_test(applier),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
