/* The applier object and the image report on real hive files: sources,
 * targets, the safety rules (unsafe hives, one file named twice, forced
 * dirty hives and their logs), backups and the undo .reg, the .reg for a
 * live machine, the report of an image; and dcs_hive_commit_all refusing a
 * hard-linked pair by itself. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include <dcs/dcs.h>
#include "hive_testutil.h"

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

/* dir/name, a copy of fixture `from` (NULL: just the path). */
static void place(char *path, size_t size, const char *name, const char *from)
{
    snprintf(path, size, "%s/%s", dir, name);
    if (from) {
        char src[1024];
        fixture(src, sizeof src, from);
        char cmd[2300];
        snprintf(cmd, sizeof cmd, "mkdir -p \"$(dirname '%s')\"", path);
        assert_int_equal(system(cmd), 0);
        assert_int_equal(copy_to(src, path), 0);
    }
}

/* Warnings collected by the callback. */
struct warnings {
    int n;
    char last[DCS_ERROR_MESSAGE_MAX];
    uint32_t line;
};

static void collect(void *ctx, const struct dcs_error *w)
{
    struct warnings *ws = ctx;
    ws->n++;
    ws->line = w->line;
    snprintf(ws->last, sizeof ws->last, "%s", w->message);
}

static dcs_applier *new_applier(unsigned flags, struct warnings *ws)
{
    dcs_applier *a;
    assert_int_equal(dcs_applier_new(flags, &a, NULL), DCS_OK);
    if (ws)
        dcs_applier_set_warn(a, collect, ws);
    return a;
}

static void mode_proxy(dcs_applier *a, const char *proxy)
{
    assert_int_equal(dcs_applier_source_mode(a, DCS_MODE_MANUAL_PROXY, proxy, NULL, NULL, NULL),
                     DCS_OK);
}

/* ---- sources ------------------------------------------------------------ */

static void sources(void **state)
{
    (void)state;
    dcs_applier *a = new_applier(0, NULL);
    struct dcs_error err;
    assert_null(dcs_applier_source(a));
    assert_int_equal(dcs_applier_source_mode(a, DCS_MODE_MANUAL_PROXY, NULL, NULL, NULL, &err),
                     DCS_ERR_INVALID_ARG);
    assert_string_equal(err.message, "manual_proxy needs a proxy list");
    assert_null(dcs_applier_source(a));
    assert_int_equal(dcs_applier_source_mode(a, DCS_MODE_COPY, NULL, NULL, NULL, &err),
                     DCS_ERR_INVALID_ARG);
    static const uint8_t bad[] = {0x46, 0, 0};
    assert_int_equal(dcs_applier_source_blob(a, (dcs_bytes){bad, 3}, (dcs_bytes){0}, "x", &err),
                     DCS_ERR_BLOB_TRUNCATED);
    mode_proxy(a, "p:1");
    assert_string_equal(dcs_applier_origin(a), "mode manual_proxy");
    assert_int_equal(dcs_applier_source(a)->proxy.len, 3);
    /* a plan without targets is empty; a commit needs a plan */
    assert_int_equal(dcs_applier_commit(a, &err), DCS_ERR_INVALID_ARG);
    assert_int_equal(dcs_applier_plan(a, &err), DCS_OK);
    assert_int_equal(dcs_applier_count(a), 0);
    dcs_applier_free(a);
}

static void write_text(const char *path, const char *text)
{
    assert_int_equal(spit(path, text, strlen(text)), 0);
}

#define CONN_KEY "\\Software\\Microsoft\\Windows\\CurrentVersion\\Internet Settings\\Connections]\n"
#define BLOB_HEX "hex:46,00,00,00,05,00,00,00,03,00,00,00,03,00,00,00,70,3a,31,00,00,00,00,00,00,00,00,00,00,00,00,00,00,00,00,00,00,00,00,00,00,00,00,00,00,00,00,00,00,00,00,00\n"

static void source_reg(void **state)
{
    (void)state;
    char path[1024];
    place(path, sizeof path, "two.reg", NULL);
    write_text(path, "REGEDIT4\n\n[HKEY_USERS\\A" CONN_KEY "\"DefaultConnectionSettings\"=" BLOB_HEX
                     "\n[HKEY_USERS\\B" CONN_KEY "\"DefaultConnectionSettings\"=" BLOB_HEX
                     "bogus line\n");
    struct warnings ws = {0};
    dcs_applier *a = new_applier(0, &ws);
    struct dcs_error err;
    assert_int_equal(dcs_applier_source_reg(a, path, NULL, &err), DCS_ERR_APPLY_AMBIGUOUS);
    assert_string_equal(err.message,
                        "2 candidate keys, name the one to use: "
                        "[HKEY_USERS\\A\\Software\\Microsoft\\Windows\\CurrentVersion\\Internet "
                        "Settings\\Connections], [HKEY_USERS\\B\\Software\\Microsoft\\Windows\\"
                        "CurrentVersion\\Internet Settings\\Connections]");
    assert_int_equal(ws.n, 1); /* the bogus line, with where it is */
    assert_int_equal(ws.line, 8);
    const char *key = "HKEY_USERS\\B\\Software\\Microsoft\\Windows\\CurrentVersion\\Internet "
                      "Settings\\Connections";
    assert_int_equal(dcs_applier_source_reg(a, path, key, &err), DCS_OK);
    assert_int_equal(dcs_applier_source(a)->blob.len, 52);
    assert_int_equal(dcs_applier_source(a)->saved_legacy.len, 0);
    char want[1200];
    snprintf(want, sizeof want, "%s [%s]", path, key);
    assert_string_equal(dcs_applier_origin(a), want);
    assert_int_equal(dcs_applier_source_reg(a, path, "HKEY_USERS\\C", &err),
                     DCS_ERR_APPLY_NO_SOURCE);
    dcs_applier_free(a);
}

static void source_hive_and_read_blob(void **state)
{
    (void)state;
    char empty[1024];
    place(empty, sizeof empty, "src/empty", "hivex-minimal");
    dcs_applier *a = new_applier(0, NULL);
    struct dcs_error err;
    assert_int_equal(dcs_applier_source_hive(a, empty, &err), DCS_ERR_APPLY_NO_SOURCE);
    char want[1200];
    snprintf(want, sizeof want,
             "%s has no " DCS_KEY_CONNECTIONS "\\DefaultConnectionSettings", empty);
    assert_string_equal(err.message, want);
    uint8_t *data;
    size_t len;
    assert_int_equal(dcs_apply_read_blob(empty, NULL, NULL, NULL, NULL, &data, &len, &err),
                     DCS_ERR_NOT_FOUND);
    assert_null(data);
    /* give it a blob through the applier itself, then read it back */
    assert_int_equal(dcs_applier_set_hive(a, "S-1-5-18", empty, NULL), DCS_OK);
    assert_int_equal(dcs_applier_add_account(a, "S-1-5-18", NULL), DCS_OK);
    mode_proxy(a, "p:2");
    assert_int_equal(dcs_applier_set_options(a, &(struct dcs_apply_options){0}, NULL), DCS_OK);
    assert_int_equal(dcs_applier_plan(a, &err), DCS_OK);
    assert_int_equal(dcs_applier_changes(a), 1);
    assert_int_equal(dcs_applier_commit(a, &err), DCS_OK);
    dcs_applier_free(a);
    a = new_applier(0, NULL);
    assert_int_equal(dcs_applier_source_hive(a, empty, &err), DCS_OK);
    assert_int_equal(dcs_apply_read_blob(empty, NULL, NULL, NULL, NULL, &data, &len, &err), DCS_OK);
    assert_int_equal(len, dcs_applier_source(a)->blob.len);
    assert_memory_equal(data, dcs_applier_source(a)->blob.ptr, len);
    assert_int_equal(dcs_applier_source(a)->saved_legacy.len, len);
    free(data);
    assert_int_equal(dcs_apply_read_blob(empty, DCS_KEY_INTERNET_SETTINGS, "ProxyServer", NULL,
                                         NULL, &data, &len, &err),
                     DCS_ERR_INVALID_ARG);
    assert_string_equal(err.message, "value ProxyServer has type 1, not REG_BINARY");
    dcs_applier_free(a);
}

/* ---- targets and the safety rules --------------------------------------- */

static void targets_without_hives(void **state)
{
    (void)state;
    dcs_applier *a = new_applier(DCS_APPLY_READ_ONLY, NULL);
    struct dcs_error err;
    assert_int_equal(dcs_applier_add_account(a, "S-x", &err), DCS_ERR_INVALID_ARG);
    assert_string_equal(err.message, "'S-x' is not a SID (S-1-5-18, ...)");
    assert_int_equal(dcs_applier_add_account(a, "S-1-5-19", &err), DCS_OK);
    assert_int_equal(dcs_applier_add_account(a, "s-1-5-19", &err), DCS_OK); /* once */
    assert_int_equal(dcs_applier_add_machine(a, NULL, &err), DCS_OK);
    assert_int_equal(dcs_applier_count(a), 2);
    const dcs_apply_target *t = dcs_applier_target(a, 0);
    assert_int_equal(dcs_apply_target_state(t), DCS_APPLY_TARGET_ERROR);
    assert_string_equal(dcs_apply_target_label(t), "LocalService (S-1-5-19) (no hive)");
    assert_string_equal(dcs_apply_target_error(t)->message,
                        "no hive for S-1-5-19: no Windows image and no hive file given for it");
    assert_null(dcs_apply_target_path(t));
    t = dcs_applier_target(a, 1);
    assert_true(dcs_apply_target_machine(t));
    assert_null(dcs_apply_target_sid(t));
    mode_proxy(a, "p:1");
    assert_int_equal(dcs_applier_plan(a, &err), DCS_ERR_APPLY_TARGET);
    assert_null(dcs_apply_target_plan(t));
    assert_int_equal(dcs_applier_commit(a, &err), DCS_ERR_INVALID_ARG);
    dcs_applier_free(a);
}

/* One file as two accounts' hives: the same path spelled twice, a hard link
 * and a symbolic link are each refused before any backup. */
static void one_file_twice(void **state)
{
    (void)state;
    char h[1024], second[3][1100], bk[1024];
    place(h, sizeof h, "same/H", "hivex-minimal");
    snprintf(second[0], sizeof second[0], "%s/same/./H", dir);
    snprintf(second[1], sizeof second[1], "%s/same/H2", dir);
    snprintf(second[2], sizeof second[2], "%s/same/L", dir);
    assert_int_equal(link(h, second[1]), 0);
    assert_int_equal(symlink(h, second[2]), 0);
    place(bk, sizeof bk, "same-bk", NULL);
    for (size_t i = 0; i < 3; i++) {
        dcs_applier *a = new_applier(0, NULL);
        struct dcs_error err;
        mode_proxy(a, "p:20");
        assert_int_equal(dcs_applier_set_backup_dir(a, bk, NULL), DCS_OK);
        assert_int_equal(dcs_applier_set_hive(a, "S-1-5-18", h, NULL), DCS_OK);
        assert_int_equal(dcs_applier_set_hive(a, "S-1-5-19", second[i], NULL), DCS_OK);
        assert_int_equal(dcs_applier_add_account(a, "S-1-5-18", NULL), DCS_OK);
        assert_int_equal(dcs_applier_add_account(a, "S-1-5-19", NULL), DCS_OK);
        assert_int_equal(dcs_applier_plan(a, &err), DCS_ERR_INVALID_ARG);
        char want[8192];
        snprintf(want, sizeof want,
                 "%s is the same file as the hive of S-1-5-18 (%s): give each account its own "
                 "hive",
                 second[i], h);
        assert_string_equal(err.message, want);
        assert_int_equal(dcs_apply_target_state(dcs_applier_target(a, 0)), DCS_APPLY_TARGET_OK);
        assert_int_equal(dcs_applier_commit(a, &err), DCS_ERR_INVALID_ARG);
        dcs_applier_free(a);
        struct stat st;
        assert_int_not_equal(stat(bk, &st), 0); /* no backup was written */
    }
    char orig[1024];
    fixture(orig, sizeof orig, "hivex-minimal");
    assert_true(files_equal(h, orig));
}

/* dcs_hive_commit_all on its own refuses a hard-linked pair. */
static void commit_all_hard_link(void **state)
{
    (void)state;
    char a[1024], b[1024];
    place(a, sizeof a, "link/A", "hivex-minimal");
    snprintf(b, sizeof b, "%s/link/B", dir);
    assert_int_equal(link(a, b), 0);
    dcs_hive *h[2];
    assert_int_equal(dcs_hive_open(a, DCS_HIVE_WRITE, &h[0], NULL), DCS_OK);
    assert_int_equal(dcs_hive_open(b, DCS_HIVE_WRITE, &h[1], NULL), DCS_OK);
    for (size_t i = 0; i < 2; i++) {
        dcs_hive_key k;
        assert_int_equal(dcs_hive_ensure_key(h[i], 0, i ? "B" : "A", &k, NULL), DCS_OK);
    }
    struct dcs_error err;
    assert_int_equal(dcs_hive_commit_all(h, 2, &err), DCS_ERR_INVALID_ARG);
    char want[2200];
    snprintf(want, sizeof want, "%s given twice in one commit as %s", b, a);
    assert_string_equal(err.message, want);
    dcs_hive_close(h[0]);
    dcs_hive_close(h[1]);
    char orig[1024];
    fixture(orig, sizeof orig, "hivex-minimal");
    assert_true(files_equal(a, orig));
}

static void unsafe_statuses(void **state)
{
    (void)state;
    assert_true(dcs_apply_status_unsafe(DCS_ERR_HIVE_DIRTY));
    assert_true(dcs_apply_status_unsafe(DCS_ERR_HIVE_CHECKSUM));
    assert_false(dcs_apply_status_unsafe(DCS_ERR_IO));
    assert_false(dcs_apply_status_unsafe(DCS_ERR_HIVE_LIB));
}

/* A dirty hive: refused (also in a dry run), or forced: written, its logs
 * kept with the backup and removed beside the hive, with warnings. */
static void dirty_hive(void **state)
{
    (void)state;
    char hive[1024], log1[1024], log2[1024], bk[1024];
    place(hive, sizeof hive, "dirty/NewDirtyHive", "yarp-NewDirtyHive1/NewDirtyHive");
    place(log1, sizeof log1, "dirty/NewDirtyHive.LOG1", "yarp-NewDirtyHive1/NewDirtyHive.LOG1");
    place(log2, sizeof log2, "dirty/NewDirtyHive.LOG2", "yarp-NewDirtyHive1/NewDirtyHive.LOG2");
    place(bk, sizeof bk, "dirty-bk", NULL);
    const unsigned modes[3] = {0, DCS_APPLY_READ_ONLY, DCS_APPLY_FORCE};
    for (size_t i = 0; i < 3; i++) {
        struct warnings ws = {0};
        dcs_applier *a = new_applier(modes[i], &ws);
        struct dcs_error err;
        mode_proxy(a, "p:7");
        assert_int_equal(dcs_applier_set_backup_dir(a, bk, NULL), DCS_OK);
        assert_int_equal(dcs_applier_set_hive(a, "S-1-5-18", hive, NULL), DCS_OK);
        assert_int_equal(dcs_applier_add_account(a, "S-1-5-18", NULL), DCS_OK);
        const dcs_apply_target *t = dcs_applier_target(a, 0);
        if (modes[i] != DCS_APPLY_FORCE) {
            assert_int_equal(dcs_applier_plan(a, &err), DCS_ERR_HIVE_DIRTY);
            assert_int_equal(dcs_apply_target_state(t), DCS_APPLY_TARGET_REFUSED);
            assert_non_null(strstr(err.message, modes[i] ? "is dirty and would be refused "
                                                           "(recovery replays its logs, "
                                                           "forced mode discards"
                                                         : "dirty"));
            assert_int_equal(ws.n, 0);
            dcs_applier_free(a);
            continue;
        }
        assert_int_equal(dcs_applier_plan(a, &err), DCS_OK);
        assert_int_equal(ws.n, 1);
        assert_non_null(strstr(ws.last, "is dirty; forced: the changes pending in its "
                                        "transaction logs will be lost ("));
        assert_int_equal(dcs_applier_commit(a, &err), DCS_OK);
        assert_int_equal(ws.n, 3); /* one per removed log */
        assert_non_null(strstr(ws.last, "removed the transaction log NewDirtyHive.LOG"));
        assert_true(dcs_applier_backed_up(a));
        dcs_applier_free(a);
    }
    assert_int_not_equal(access(log1, F_OK), 0);
    assert_int_not_equal(access(log2, F_OK), 0);
    char kept[1100], orig[1024];
    snprintf(kept, sizeof kept, "%s/S-1-5-18-NewDirtyHive.LOG2", bk);
    fixture(orig, sizeof orig, "yarp-NewDirtyHive1/NewDirtyHive.LOG2");
    assert_true(files_equal(kept, orig));
    dcs_hive_state *hs = NULL;
    assert_int_equal(dcs_hive_inspect(hive, &hs, NULL), DCS_OK);
    assert_false(dcs_hive_state_dirty(hs));
    dcs_hive_state_free(hs);
}

/* Plan, commit with backups, undo: two targets, the backup of each is the
 * old file, a second plan is unchanged. */
static void commit_and_backups(void **state)
{
    (void)state;
    char h18[1024], h19[1024], bk[1024], orig[1024];
    place(h18, sizeof h18, "c/DEFAULT", "hivex-minimal");
    place(h19, sizeof h19, "c/NTUSER.DAT", "yarp-EmptyHive");
    place(bk, sizeof bk, "c-bk/deeper", NULL);
    dcs_applier *a = new_applier(0, NULL);
    struct dcs_error err;
    assert_int_equal(dcs_applier_source_mode(a, DCS_MODE_MANUAL_PROXY, "p:3", "<local>", NULL,
                                             NULL),
                     DCS_OK);
    assert_int_equal(dcs_applier_set_backup_dir(a, bk, NULL), DCS_OK);
    assert_int_equal(dcs_applier_set_hive(a, "S-1-5-18", h18, NULL), DCS_OK);
    assert_int_equal(dcs_applier_set_hive(a, "S-1-5-19", h19, NULL), DCS_OK);
    assert_int_equal(dcs_applier_add_account(a, "S-1-5-18", NULL), DCS_OK);
    assert_int_equal(dcs_applier_add_account(a, "S-1-5-19", NULL), DCS_OK);
    assert_int_equal(dcs_applier_plan(a, &err), DCS_OK);
    assert_int_equal(dcs_applier_plan(a, &err), DCS_ERR_INVALID_ARG); /* once */
    const dcs_apply_target *t = dcs_applier_target(a, 1);
    assert_int_equal(dcs_apply_target_plan(t)->action, DCS_APPLY_CREATE);
    assert_int_equal(dcs_apply_target_plan(t)->nsteps, 5);
    assert_non_null(dcs_apply_target_current(t));
    assert_null(dcs_apply_target_backup(t, DCS_APPLY_BACKUP_HIVE));
    assert_int_equal(dcs_applier_commit(a, &err), DCS_OK);
    char want[1200];
    snprintf(want, sizeof want, "%s/S-1-5-19-NTUSER.DAT", bk);
    assert_string_equal(dcs_apply_target_backup(t, DCS_APPLY_BACKUP_HIVE), want);
    fixture(orig, sizeof orig, "yarp-EmptyHive");
    assert_true(files_equal(want, orig));
    assert_false(files_equal(h19, orig));
    snprintf(want, sizeof want, "%s/S-1-5-19-NTUSER.DAT.undo.reg", bk);
    assert_string_equal(dcs_apply_target_backup(t, DCS_APPLY_BACKUP_UNDO), want);
    assert_null(dcs_apply_target_backup(t, DCS_APPLY_BACKUP_CONNECTIONS)); /* no key before */
    dcs_applier_free(a);

    a = new_applier(DCS_APPLY_READ_ONLY, NULL);
    assert_int_equal(dcs_applier_source_mode(a, DCS_MODE_MANUAL_PROXY, "p:3", "<local>", NULL,
                                             NULL),
                     DCS_OK);
    assert_int_equal(dcs_applier_set_hive(a, "S-1-5-19", h19, NULL), DCS_OK);
    assert_int_equal(dcs_applier_add_account(a, "S-1-5-19", NULL), DCS_OK);
    assert_int_equal(dcs_applier_plan(a, &err), DCS_OK);
    assert_int_equal(dcs_applier_changes(a), 0);
    assert_int_equal(dcs_applier_commit(a, &err), DCS_ERR_INVALID_ARG);
    assert_string_equal(err.message, "a read-only applier does not commit");
    dcs_applier_free(a);
}

/* A backup directory that earlier runs filled: SID-NAME and SID-NAME.2 to
 * .1500 are taken, so this run's backup is SID-NAME.1501 (once capped at
 * 1000, which made every later run fail); with .7 taken after a gap at .6,
 * the gap is found (any free name will do, and finding it takes a handful
 * of lookups, not one per earlier run). */
static void backup_names_after_many_runs(void **state)
{
    (void)state;
    const unsigned long used[2] = {1500, 5};
    for (int c = 0; c < 2; c++) {
        char h18[1024], bk[1024], name[1200], want[1200];
        place(h18, sizeof h18, c ? "names-gap/DEFAULT" : "names/DEFAULT", "hivex-minimal");
        place(bk, sizeof bk, c ? "names-gap-bk" : "names-bk", NULL);
        assert_int_equal(mkdir(bk, 0755), 0);
        for (unsigned long k = 1; k <= used[c] + (c ? 2 : 0); k++) {
            if (c && k == 6)
                continue;
            if (k == 1)
                snprintf(name, sizeof name, "%s/S-1-5-18-DEFAULT", bk);
            else
                snprintf(name, sizeof name, "%s/S-1-5-18-DEFAULT.%lu", bk, k);
            write_text(name, "x");
        }
        dcs_applier *a = new_applier(0, NULL);
        struct dcs_error err;
        assert_int_equal(dcs_applier_source_mode(a, DCS_MODE_MANUAL_PROXY, "p:3", "<local>",
                                                 NULL, NULL),
                         DCS_OK);
        assert_int_equal(dcs_applier_set_backup_dir(a, bk, NULL), DCS_OK);
        assert_int_equal(dcs_applier_set_hive(a, "S-1-5-18", h18, NULL), DCS_OK);
        assert_int_equal(dcs_applier_add_account(a, "S-1-5-18", NULL), DCS_OK);
        assert_int_equal(dcs_applier_plan(a, &err), DCS_OK);
        assert_int_equal(dcs_applier_commit(a, &err), DCS_OK);
        snprintf(want, sizeof want, "%s/S-1-5-18-DEFAULT.%lu", bk, c ? 6UL : used[c] + 1);
        assert_string_equal(dcs_apply_target_backup(dcs_applier_target(a, 0),
                                                     DCS_APPLY_BACKUP_HIVE),
                            want);
        dcs_applier_free(a);
    }
}

/* Another writer's commit of path: a value the applier's plan does not
 * touch (as a `reg import` between the plan and the commit would). */
static void commit_marker(const char *path)
{
    struct dcs_error err;
    dcs_hive *h;
    dcs_hive_key k;
    static const uint8_t one[4] = {1, 0, 0, 0};
    assert_int_equal(dcs_hive_open(path, DCS_HIVE_WRITE, &h, &err), DCS_OK);
    assert_int_equal(dcs_hive_ensure_key(h, 0, "Software\\Marker", &k, &err), DCS_OK);
    assert_int_equal(dcs_hive_set_value(h, k, "kept", DCS_REG_DWORD, one, 4, &err), DCS_OK);
    dcs_hive *hs[1] = {h};
    assert_int_equal(dcs_hive_commit_all(hs, 1, &err), DCS_OK);
    dcs_hive_close(h);
}

static dcs_applier *planned(const char *hive, const char *proxy, unsigned flags)
{
    dcs_applier *a = new_applier(flags, NULL);
    struct dcs_error err;
    mode_proxy(a, proxy);
    assert_int_equal(dcs_applier_set_hive(a, "S-1-5-19", hive, NULL), DCS_OK);
    assert_int_equal(dcs_applier_add_account(a, "S-1-5-19", NULL), DCS_OK);
    assert_int_equal(dcs_applier_plan(a, &err), DCS_OK);
    return a;
}

/* The plan is made without locks; the commit locks, reads the hive again
 * and plans again: what another writer committed in between is kept (its
 * value, and the backup and undo .reg are of its content), and a plan that
 * no longer changes anything writes nothing. */
static void replanned_under_locks(void **state)
{
    (void)state;
    char h[1024], bk[1024], after[1200];
    struct dcs_error err;
    place(h, sizeof h, "r/NTUSER.DAT", "yarp-EmptyHive");
    place(bk, sizeof bk, "r-bk", NULL);
    dcs_applier *a = planned(h, "p:1", 0);
    assert_int_equal(dcs_applier_set_backup_dir(a, bk, NULL), DCS_OK);
    assert_int_equal(dcs_applier_changes(a), 1);
    commit_marker(h); /* between a's plan and its commit */
    snprintf(after, sizeof after, "%s/r/marked", dir);
    assert_int_equal(copy_to(h, after), 0);
    assert_int_equal(dcs_applier_commit(a, &err), DCS_OK);
    assert_int_equal(dcs_applier_changes(a), 1);
    const char *kept = dcs_apply_target_backup(dcs_applier_target(a, 0), DCS_APPLY_BACKUP_HIVE);
    assert_non_null(kept);
    assert_true(files_equal(kept, after)); /* the backup is what the other writer left */
    dcs_applier_free(a);
    dcs_hive *rh;
    dcs_hive_key k;
    assert_int_equal(dcs_hive_open(h, DCS_HIVE_READ, &rh, &err), DCS_OK);
    assert_int_equal(dcs_hive_find_key(rh, 0, "Software\\Marker", &k, &err), DCS_OK);
    dcs_hive_close(rh);
    a = planned(h, "p:1", DCS_APPLY_READ_ONLY);
    assert_int_equal(dcs_applier_changes(a), 0); /* and a's settings are there */
    dcs_applier_free(a);

    /* planned to change, but another run made the same change meanwhile */
    a = planned(h, "p:2", 0);
    dcs_applier *b = planned(h, "p:2", 0);
    assert_int_equal(dcs_applier_commit(b, &err), DCS_OK);
    dcs_applier_free(b);
    assert_int_equal(copy_to(h, after), 0);
    assert_int_equal(dcs_applier_changes(a), 1);
    assert_int_equal(dcs_applier_commit(a, &err), DCS_OK);
    assert_int_equal(dcs_applier_changes(a), 0);
    assert_null(dcs_apply_target_backup(dcs_applier_target(a, 0), DCS_APPLY_BACKUP_HIVE));
    assert_true(files_equal(h, after)); /* not written again */
    dcs_applier_free(a);
}

/* The .reg for a live machine, in regedit's layout (UTF-16LE): the text
 * `dcs apply --reg-out` wrote before the applier moved into the library. */
static void live_reg(void **state)
{
    (void)state;
    char path[1024];
    place(path, sizeof path, "live.reg", NULL);
    dcs_applier *a = new_applier(0, NULL);
    mode_proxy(a, "p:8");
    struct dcs_apply_options opt = {.only_default = true, .no_plain_values = true};
    assert_int_equal(dcs_applier_set_options(a, &opt, NULL), DCS_OK);
    assert_int_equal(dcs_applier_add_machine(a, NULL, NULL), DCS_OK);
    assert_int_equal(dcs_applier_add_account(a, "S-1-5-20", NULL), DCS_OK);
    assert_int_equal(dcs_applier_write_reg(a, path, NULL), DCS_OK);
    dcs_applier_free(a);
    size_t len;
    uint8_t *d = slurp(path, &len);
    assert_non_null(d);
    char text[4096];
    size_t n = 0;
    for (size_t i = 2; i + 1 < len && n + 1 < sizeof text; i += 2)
        text[n++] = (char)d[i]; /* ASCII content: the low bytes */
    text[n] = '\0';
    free(d);
    const char *want =
        "Windows Registry Editor Version 5.00\r\n\r\n"
        "[HKEY_USERS\\S-1-5-20\\Software\\Microsoft\\Windows\\CurrentVersion\\Internet "
        "Settings\\Connections]\r\n"
        "\"DefaultConnectionSettings\"=hex:46,00,00,00,01,00,00,00,03,00,00,00,03,00,00,\\\r\n"
        "  00,70,3a,38,00,00,00,00,00,00,00,00,01,00,00,00,00,00,00,00,00,00,00,00,00,\\\r\n"
        "  00,00,00,00,00,00,00,00,00,00,00,00,00,00,00,00,00,00,00\r\n\r\n"
        "[HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Internet "
        "Settings\\Connections]\r\n"
        "\"WinHttpSettings\"=hex:28,00,00,00,00,00,00,00,03,00,00,00,03,00,00,00,70,3a,38,\\\r\n"
        "  00,00,00,00\r\n\r\n"
        "[HKEY_LOCAL_MACHINE\\SOFTWARE\\WOW6432Node\\Microsoft\\Windows\\CurrentVersion\\"
        "Internet Settings\\Connections]\r\n"
        "\"WinHttpSettings\"=hex:28,00,00,00,00,00,00,00,03,00,00,00,03,00,00,00,70,3a,38,\\\r\n"
        "  00,00,00,00\r\n\r\n";
    assert_string_equal(text, want);
}

/* ---- the image report --------------------------------------------------- */

static void image_report(void **state)
{
    (void)state;
    char p[1024], root[1024];
    snprintf(root, sizeof root, "%s/img", dir);
    place(p, sizeof p, "img/Windows/system32/config/DEFAULT", "hivex-minimal");
    place(p, sizeof p, "img/Windows/ServiceProfiles/LocalService/NTUSER.DAT", "yarp-EmptyHive");
    place(p, sizeof p, "img/Users/Default/NTUSER.DAT", "dfwinreg-NTUSER.DAT");
    place(p, sizeof p, "img/Users/bob/NTUSER.DAT", "dfwinreg-NTUSER.DAT");
    place(p, sizeof p, "img/Users/eve/NTUSER.DAT", "yarp-EmptyHive");
    uint8_t junk[4096] = "regf";
    assert_int_equal(spit(p, junk, sizeof junk), 0); /* eve's hive is damaged */
    dcs_image_report *r;
    assert_int_equal(dcs_image_report_new(root, &r, NULL), DCS_OK);
    assert_string_equal(dcs_image_report_root(r), root);
    assert_false(dcs_image_report_complete(r));
    assert_int_equal(dcs_image_report_count(r), 6);
    static const struct {
        enum dcs_image_kind kind;
        const char *label;
    } want[] = {
        {DCS_IMAGE_SERVICE, "LocalSystem (S-1-5-18, .DEFAULT) Windows/system32/config/DEFAULT"},
        {DCS_IMAGE_SERVICE,
         "LocalService (S-1-5-19) Windows/ServiceProfiles/LocalService/NTUSER.DAT"},
        {DCS_IMAGE_SERVICE, "NetworkService"},
        {DCS_IMAGE_DEFAULT_PROFILE,
         "Default user profile (template for new users; not .DEFAULT) Users/Default/NTUSER.DAT"},
        {DCS_IMAGE_USER, "user bob (SID unknown: no SOFTWARE hive) Users/bob/NTUSER.DAT"},
        {DCS_IMAGE_USER, "user eve (SID unknown: no SOFTWARE hive) Users/eve/NTUSER.DAT"},
    };
    size_t bob = 4, eve = 5;
    if (strcmp(dcs_image_hive_label(dcs_image_report_hive(r, 4)), want[4].label) != 0)
        bob = 5, eve = 4; /* readdir order */
    for (size_t i = 0; i < 6; i++) {
        const dcs_image_hive *h = dcs_image_report_hive(r, i == 4 ? bob : i == 5 ? eve : i);
        assert_int_equal(dcs_image_hive_kind(h), want[i].kind);
        assert_string_equal(dcs_image_hive_label(h), want[i].label);
    }
    const dcs_image_hive *ns = dcs_image_report_hive(r, 2);
    assert_null(dcs_image_hive_path(ns));
    assert_string_equal(dcs_image_hive_sid(ns), "S-1-5-20");
    assert_int_equal(dcs_image_hive_error(ns)->code, DCS_ERR_APPLY_TARGET);
    assert_int_equal(dcs_image_hive_error(dcs_image_report_hive(r, eve))->code,
                     DCS_ERR_HIVE_CHECKSUM);
    const dcs_image_hive *b = dcs_image_report_hive(r, bob);
    assert_null(dcs_image_hive_error(b));
    assert_null(dcs_image_hive_dirty(b));
    assert_non_null(dcs_image_hive_value(b, DCS_KEY_CONNECTIONS, DCS_VALUE_DEFAULT));
    assert_int_equal(dcs_image_hive_plain_count(b), 4);
    assert_string_equal(dcs_image_hive_plain(b, 0)->name, "ProxyEnable");
    assert_int_equal(dcs_image_hive_plain(b, 0)->kind, DCS_IMAGE_PLAIN_NUMBER);
    assert_string_equal(dcs_image_kind_name(DCS_IMAGE_DEFAULT_PROFILE), "default-profile");
    dcs_image_report_free(r);
}

static void image_locate(void **state)
{
    (void)state;
    char p[1024], root[1024];
    snprintf(root, sizeof root, "%s/img2", dir);
    place(p, sizeof p, "img2/Windows/System32/config/DEFAULT", "hivex-minimal");
    dcs_image *img;
    assert_int_equal(dcs_image_open(root, &img, NULL), DCS_OK);
    assert_null(dcs_image_software(img));
    char *path, *note;
    assert_int_equal(dcs_image_locate(img, "S-1-5-18", &path, &note, NULL), DCS_OK);
    assert_string_equal(dcs_image_shown(img, path), "Windows/System32/config/DEFAULT");
    assert_null(note);
    free(path);
    struct dcs_error err;
    assert_int_equal(dcs_image_locate(img, "S-1-5-21-1-2", &path, &note, &err),
                     DCS_ERR_APPLY_TARGET);
    assert_null(path);
    assert_true(dcs_sid_valid("s-1-5-21-1-2"));
    assert_false(dcs_sid_valid("S-1"));
    assert_string_equal(dcs_sid_account_name("S-1-5-20"), "NetworkService");
    assert_null(dcs_sid_account_name("S-1-5-21"));
    dcs_image_free(img);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(sources),
        cmocka_unit_test(source_reg),
        cmocka_unit_test(source_hive_and_read_blob),
        cmocka_unit_test(targets_without_hives),
        cmocka_unit_test(one_file_twice),
        cmocka_unit_test(commit_all_hard_link),
        cmocka_unit_test(unsafe_statuses),
        cmocka_unit_test(dirty_hive),
        cmocka_unit_test(commit_and_backups),
        cmocka_unit_test(backup_names_after_many_runs),
        cmocka_unit_test(replanned_under_locks),
        cmocka_unit_test(live_reg),
        cmocka_unit_test(image_report),
        cmocka_unit_test(image_locate),
    };
    return cmocka_run_group_tests(tests, make_dir, remove_dir);
}
