/* The applier with every allocation of its run refused in turn: each
 * refusal gives DCS_ERR_NOMEM with nothing changed (the hives are
 * byte-identical), and nothing leaks (run it under ASan/valgrind).  The
 * image report, whose lookups treat a refused allocation as "not there",
 * must only end cleanly. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include <dcs/dcs.h>
#include "failalloc.h"
#include "hive_testutil.h"

struct scratch {
    char dir[512];
    char hive[3][1100], orig[3][1100], reg[1100], bk[1100], img[1100];
};

static const char *const fixtures[3] = {"hivex-minimal", "yarp-EmptyHive", "mini-SOFTWARE"};

static void reset(struct scratch *s)
{
    char src[1024];
    for (size_t i = 0; i < 3; i++) {
        fixture(src, sizeof src, fixtures[i]);
        assert_int_equal(copy_to(src, s->hive[i]), 0);
    }
    char cmd[1300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", s->bk);
    assert_int_equal(system(cmd), 0);
}

static void setup_scratch(struct scratch *s)
{
    make_tmpdir(s->dir, sizeof s->dir);
    assert_true(s->dir[0] != '\0');
    static const char *const names[3] = {"DEFAULT", "NTUSER.DAT", "SOFTWARE"};
    for (size_t i = 0; i < 3; i++) {
        snprintf(s->hive[i], sizeof s->hive[i], "%s/%s", s->dir, names[i]);
        fixture(s->orig[i], sizeof s->orig[i], fixtures[i]);
    }
    snprintf(s->reg, sizeof s->reg, "%s/user.reg", s->dir);
    snprintf(s->bk, sizeof s->bk, "%s/bk", s->dir);
    const char *text =
        "Windows Registry Editor Version 5.00\r\n\r\n"
        "[HKEY_CURRENT_USER\\Software\\Microsoft\\Windows\\CurrentVersion\\Internet "
        "Settings\\Connections]\r\n"
        "\"DefaultConnectionSettings\"=hex:46,00,00,00,05,00,00,00,03,00,00,00,03,00,00,00,"
        "70,3a,31,00,00,00,00,00,00,00,00,00,00,00,00,00,00,00,00,00,00,00,00,00,00,00,00,"
        "00,00,00,00,00,00,00,00,00\r\n\"SavedLegacySettings\"=hex:46,00,00,00,04,00,00,00,"
        "01,00,00,00,00,00,00,00,00,00,00,00,00,00,00,00,00,00,00,00,00,00,00,00,00,00,00,"
        "00,00,00,00,00,00,00,00,00,00,00,00,00\r\n\r\n";
    assert_int_equal(spit(s->reg, text, strlen(text)), 0);
}

/* The whole of `dcs apply --from-reg --hive ... --winhttp --connection`. */
static dcs_status run(struct scratch *s, struct dcs_error *err)
{
    static const char *const conns[] = {"VPN"};
    struct dcs_apply_options opt = {.connections = conns, .nconnections = 1};
    dcs_applier *a;
    dcs_status st = dcs_applier_new(0, &a, err);
    if (st != DCS_OK)
        return st;
    st = dcs_applier_set_options(a, &opt, err);
    if (st == DCS_OK)
        st = dcs_applier_set_backup_dir(a, s->bk, err);
    if (st == DCS_OK)
        st = dcs_applier_source_reg(a, s->reg, NULL, err);
    if (st == DCS_OK)
        st = dcs_applier_set_hive(a, "S-1-5-18", s->hive[0], err);
    if (st == DCS_OK)
        st = dcs_applier_set_hive(a, "S-1-5-19", s->hive[1], err);
    if (st == DCS_OK)
        st = dcs_applier_add_account(a, "S-1-5-18", err);
    if (st == DCS_OK)
        st = dcs_applier_add_account(a, "S-1-5-19", err);
    if (st == DCS_OK)
        st = dcs_applier_add_machine(a, s->hive[2], err);
    if (st == DCS_OK)
        st = dcs_applier_plan(a, err);
    if (st == DCS_OK)
        st = dcs_applier_commit(a, err);
    dcs_applier_free(a);
    return st;
}

static void each_allocation_of_a_run(void **state)
{
    (void)state;
    struct scratch s;
    setup_scratch(&s);
    size_t n;
    for (n = 1;; n++) {
        struct dcs_error err;
        dcs_error_clear(&err);
        reset(&s);
        failalloc_arm(n);
        dcs_status rc = run(&s, &err);
        bool hit = failalloc_fired();
        failalloc_disarm();
        if (!hit) {
            assert_int_equal(rc, DCS_OK);
            break;
        }
        if (rc == DCS_OK)
            continue; /* a best-effort allocation (the reg sink's directory fsync) */
        if (rc != DCS_ERR_NOMEM)
            fail_msg("allocation %zu refused: got %s (%s)", n, dcs_strerror(rc), err.message);
        assert_true(err.message[0] != '\0');
        for (size_t i = 0; i < 3; i++)
            if (!files_equal(s.hive[i], s.orig[i]))
                fail_msg("allocation %zu refused: %s changed", n, s.hive[i]);
    }
    assert_true(n > 40);
    for (size_t i = 0; i < 3; i++)
        assert_false(files_equal(s.hive[i], s.orig[i]));
    rm_tree(s.dir);
}

static void image_report_ends_cleanly(void **state)
{
    (void)state;
    struct scratch s;
    setup_scratch(&s);
    char p[2600], src[1024];
    snprintf(s.img, sizeof s.img, "%s/img", s.dir);
    snprintf(p, sizeof p, "mkdir -p '%s/Windows/System32/config' '%s/Users/Default'", s.img,
             s.img);
    assert_int_equal(system(p), 0);
    fixture(src, sizeof src, "hivex-minimal");
    snprintf(p, sizeof p, "%s/Windows/System32/config/DEFAULT", s.img);
    assert_int_equal(copy_to(src, p), 0);
    snprintf(p, sizeof p, "%s/Users/Default/NTUSER.DAT", s.img);
    assert_int_equal(copy_to(src, p), 0);
    fixture(src, sizeof src, "mini-SOFTWARE");
    snprintf(p, sizeof p, "%s/Windows/System32/config/SOFTWARE", s.img);
    assert_int_equal(copy_to(src, p), 0);
    for (size_t n = 1;; n++) {
        dcs_image_report *r = NULL;
        failalloc_arm(n);
        dcs_status rc = dcs_image_report_new(s.img, &r, NULL);
        bool hit = failalloc_fired();
        failalloc_disarm();
        assert_true(rc == DCS_OK || rc == DCS_ERR_NOMEM);
        assert_true((rc == DCS_OK) == (r != NULL));
        if (r && !hit)
            assert_int_equal(dcs_image_report_count(r), 5);
        dcs_image_report_free(r);
        if (!hit)
            break;
    }
    rm_tree(s.dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(each_allocation_of_a_run),
        cmocka_unit_test(image_report_ends_cleanly),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
