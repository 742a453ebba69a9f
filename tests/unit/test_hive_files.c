/* Hive room: dcs_hive_inspect against real files that go wrong (no libhivex
 * needed): directories, unreadable and oversized logs, too many logs, paths
 * without a directory part, directories that cannot be listed. */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include <dcs/dcs.h>
#include "hive/hive_internal.h"
#include "hive_testutil.h"

/* tmpdir with a clean copy of ez-NTUSER1.DAT (sequence 973) as NTUSER.DAT */
static void clean_hive(char *dir, size_t dsize, char *hive, size_t hsize)
{
    char src[1024];
    make_tmpdir(dir, dsize);
    assert_true(dir[0] != '\0');
    fixture(src, sizeof src, "ez-NTUSER1.DAT");
    snprintf(hive, hsize, "%s/NTUSER.DAT", dir);
    assert_int_equal(copy_to(src, hive), 0);
}

static void not_a_regular_file(void **state)
{
    char dir[512], hive[1100];
    clean_hive(dir, sizeof dir, hive, sizeof hive);
    dcs_hive_state *s = NULL;
    struct dcs_error err;
    assert_int_equal(dcs_hive_inspect(dir, &s, &err), DCS_ERR_IO);
    assert_non_null(strstr(err.message, "is a directory, not a file to read"));
    assert_non_null(strstr(err.message, dir));
    /* a file that reports zero bytes but fails when read */
    if (access("/proc/self/mem", R_OK) == 0) {
        dcs_hive_state_free(s);
        assert_int_equal(dcs_hive_inspect("/proc/self/mem", &s, &err), DCS_ERR_IO);
        assert_non_null(strstr(err.message, "cannot read /proc/self/mem"));
    }
    /* a path below a regular file */
    char below[1200];
    snprintf(below, sizeof below, "%s/x", hive);
    dcs_hive_state_free(s);
    assert_int_equal(dcs_hive_inspect(below, &s, &err), DCS_ERR_IO);
    assert_non_null(strstr(err.message, "Not a directory"));
    rm_tree(dir);
    dcs_hive_state_free(s);
}

/* A root cell offset past the hive bins is corrupt; checked last. */
static void root_cell_outside_bins(void **state)
{
    size_t len;
    char src[1024];
    fixture(src, sizeof src, "hivex-minimal");
    uint8_t *d = slurp(src, &len);
    assert_non_null(d);
    put32(d + 0x24, 0x1000); /* hive bins are 0x1000 bytes */
    put32(d + DCS_HIVE_CHECKSUM_OFFSET, dcs_hive_checksum(d));
    struct dcs_hive_header h;
    struct dcs_error err;
    assert_int_equal(dcs_hive_parse_header(d, len, len, &h, &err), DCS_ERR_HIVE_CORRUPT);
    assert_int_equal(err.offset, 0x24);
    assert_non_null(strstr(err.message, "root cell offset 0x1000"));
    free(d);
}

/* Logs that cannot be read count as pending: a dangling link, a directory,
 * a file larger than we read (sparse, 300 MiB). */
static void unreadable_logs_make_it_dirty(void **state)
{
    char dir[512], hive[1100], p[1200];
    clean_hive(dir, sizeof dir, hive, sizeof hive);
    dcs_hive_state *s = NULL;
    struct dcs_error err;

    snprintf(p, sizeof p, "%s/NTUSER.DAT.LOG", dir);
    assert_int_equal(symlink("no-such-file", p), 0);
    snprintf(p, sizeof p, "%s/NTUSER.DAT.LOG1", dir);
    assert_int_equal(mkdir(p, 0755), 0);
    snprintf(p, sizeof p, "%s/NTUSER.DAT.LOG2", dir);
    int fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    assert_true(fd >= 0);
    assert_int_equal(ftruncate(fd, (off_t)300 * 1024 * 1024), 0);
    close(fd);

    assert_int_equal(dcs_hive_inspect(hive, &s, &err), DCS_OK);
    assert_true(dcs_hive_state_dirty(s));
    assert_int_equal(dcs_hive_state_log_count(s), 3);
    for (size_t i = 0; i < 3; i++)
        assert_int_equal(dcs_hive_state_log(s, i).state, DCS_HIVE_LOG_UNREADABLE);
    assert_string_equal(dcs_hive_state_log(s, 0).name, "NTUSER.DAT.LOG");
    assert_int_equal(dcs_hive_state_log(s, 2).size, (uint64_t)300 * 1024 * 1024);
    assert_non_null(strstr(dcs_hive_state_reason(s), "log NTUSER.DAT.LOG cannot be judged"));
    assert_non_null(strstr(dcs_hive_state_reason(s), "; log NTUSER.DAT.LOG2 cannot be judged"));
    rm_tree(dir);
    dcs_hive_state_free(s);
}

/* Old-format log whose DIRT vector is cut short by the end of the file: the
 * bits that are there still count. */
static void dirty_vector_cut_short(void **state)
{
    struct dcs_hive_header h = {.seq1 = 5, .seq2 = 5, .hbins_size = 0x100000}; /* 256 bytes of bits */
    uint8_t log[520] = {0};
    memcpy(log, "regf", 4);
    put32(log + 4, 6);
    put32(log + 0x1C, 1);
    put32(log + DCS_HIVE_CHECKSUM_OFFSET, dcs_hive_checksum(log));
    memcpy(log + 512, "DIRT", 4);
    uint32_t type, seq;
    assert_int_equal(dcs_hive_judge_log(log, sizeof log, &h, &type, &seq), DCS_HIVE_LOG_EMPTY);
    log[519] = 0x80; /* last bit present in the file */
    assert_int_equal(dcs_hive_judge_log(log, sizeof log, &h, &type, &seq), DCS_HIVE_LOG_PENDING);
    assert_int_equal(type, 1);
    assert_int_equal(seq, 6);
}

/* New-format entries: the walk stops at the first malformed entry; the
 * highest sequence number seen is reported. */
static void log_entries_walk(void **state)
{
    struct dcs_hive_header h = {.seq1 = 20, .seq2 = 20, .hbins_size = 0x1000};
    uint8_t log[2048] = {0};
    memcpy(log, "regf", 4);
    put32(log + 4, 7);
    put32(log + 0x1C, 6);
    put32(log + DCS_HIVE_CHECKSUM_OFFSET, dcs_hive_checksum(log));
    static const uint32_t seqs[3] = {12, 15, 9};
    for (int i = 0; i < 3; i++) {
        memcpy(log + 512 + 512 * i, "HvLE", 4);
        put32(log + 512 + 512 * i + 4, 512);
        put32(log + 512 + 512 * i + 12, seqs[i]);
    }
    uint32_t type, seq;
    assert_int_equal(dcs_hive_judge_log(log, sizeof log, &h, &type, &seq), DCS_HIVE_LOG_APPLIED);
    assert_int_equal(seq, 15);
    put32(log + 1024 + 12, 20); /* second entry not yet in the primary */
    assert_int_equal(dcs_hive_judge_log(log, sizeof log, &h, &type, &seq), DCS_HIVE_LOG_PENDING);
    assert_int_equal(seq, 20);
    put32(log + 512 + 4, 16); /* first entry smaller than its own header */
    assert_int_equal(dcs_hive_judge_log(log, sizeof log, &h, &type, &seq), DCS_HIVE_LOG_EMPTY);
    put32(log + 512 + 4, 600); /* not a multiple of 512 */
    assert_int_equal(dcs_hive_judge_log(log, sizeof log, &h, &type, &seq), DCS_HIVE_LOG_EMPTY);
}

/* Names of about 250 characters: six logs that cannot be judged overflow
 * the reason, which is cut cleanly; a seventh log cannot be recorded and
 * makes the hive dirty even when every log is empty. */
static void many_logs(void **state)
{
    char dir[512], hive[1100], p[1400], base[251];
    make_tmpdir(dir, sizeof dir);
    memset(base, 'h', 240);
    memcpy(base + 240, ".DAT", 5);
    snprintf(hive, sizeof hive, "%s/%s", dir, base);
    char src[1024];
    fixture(src, sizeof src, "ez-NTUSER1.DAT");
    assert_int_equal(copy_to(src, hive), 0);
    static const char *const suffix[] = {".LOG", ".log", ".Log", ".LOG1", ".log1", ".LOG2"};
    uint8_t log[1024] = {0}; /* regf with a bad checksum: cannot be judged */
    memcpy(log, "regf", 4);
    for (int i = 0; i < 6; i++) {
        snprintf(p, sizeof p, "%s/%s%s", dir, base, suffix[i]);
        assert_int_equal(spit(p, log, sizeof log), 0);
    }
    dcs_hive_state *s = NULL;
    assert_int_equal(dcs_hive_inspect(hive, &s, NULL), DCS_OK);
    assert_true(dcs_hive_state_dirty(s));
    assert_int_equal(dcs_hive_state_log_count(s), 6);
    assert_int_equal(strlen(dcs_hive_state_reason(s)), 511 /* the reason is cut at 511 bytes */);
    assert_memory_equal(dcs_hive_state_reason(s), "log hhhh", 8);

    rm_tree(dir);

    /* seven empty logs: none holds anything, but the seventh is not judged */
    clean_hive(dir, sizeof dir, hive, sizeof hive);
    static const char *const seven[] = {"LOG", "log", "Log", "LOG1", "log1", "LOG2", "log2"};
    for (int i = 0; i < 7; i++) {
        snprintf(p, sizeof p, "%s/NTUSER.DAT.%s", dir, seven[i]);
        assert_int_equal(spit(p, "", 0), 0);
    }
    dcs_hive_state_free(s);
    assert_int_equal(dcs_hive_inspect(hive, &s, NULL), DCS_OK);
    assert_true(dcs_hive_state_dirty(s));
    assert_int_equal(dcs_hive_state_log_count(s), 6);
    assert_non_null(strstr(dcs_hive_state_reason(s), "more than 6 transaction logs"));
    rm_tree(dir);
    dcs_hive_state_free(s);
}

/* A path without a directory part looks for its logs in ".". */
static void relative_path(void **state)
{
    char dir[512], hive[1100], p[1200], cwd[1024];
    clean_hive(dir, sizeof dir, hive, sizeof hive);
    uint8_t log[1024] = {0};
    memcpy(log, "regf", 4);
    snprintf(p, sizeof p, "%s/ntuser.dat.LOG1", dir);
    assert_int_equal(spit(p, log, sizeof log), 0);
    assert_non_null(getcwd(cwd, sizeof cwd));
    assert_int_equal(chdir(dir), 0);
    dcs_hive_state *s = NULL;
    dcs_status rc = dcs_hive_inspect("NTUSER.DAT", &s, NULL);
    assert_int_equal(chdir(cwd), 0);
    assert_int_equal(rc, DCS_OK);
    assert_int_equal(dcs_hive_state_log_count(s), 1);
    assert_string_equal(dcs_hive_state_log(s, 0).name, "ntuser.dat.LOG1");
    assert_true(dcs_hive_state_dirty(s));
    rm_tree(dir);
    dcs_hive_state_free(s);
}

/* Root bypasses permission bits; run the check as "nobody" instead. */
static bool become_nobody(void)
{
    if (geteuid() != 0)
        return true;
    return seteuid(65534) == 0;
}

static int back_to_root(void **state)
{
    if (getuid() == 0 && geteuid() != 0 && seteuid(0) != 0)
        return -1;
    return 0;
}

/* The hive can be opened (search permission) but its directory not listed. */
static void directory_not_listable(void **state)
{
    char dir[512], hive[1100];
    clean_hive(dir, sizeof dir, hive, sizeof hive);
    assert_int_equal(chmod(hive, 0644), 0);
    assert_int_equal(chmod(dir, 0311), 0);
    if (!become_nobody()) {
        rm_tree(dir);
        skip();
    }
    dcs_hive_state *s = NULL;
    struct dcs_error err;
    dcs_status rc = dcs_hive_inspect(hive, &s, &err);
    assert_int_equal(back_to_root(NULL), 0);
    assert_int_equal(rc, DCS_ERR_IO);
    assert_non_null(strstr(err.message, "cannot list"));
    assert_non_null(strstr(err.message, "Permission denied"));
    assert_int_equal(chmod(dir, 0700), 0);
    rm_tree(dir);
    dcs_hive_state_free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(not_a_regular_file),
        cmocka_unit_test(root_cell_outside_bins),
        cmocka_unit_test(unreadable_logs_make_it_dirty),
        cmocka_unit_test(dirty_vector_cut_short),
        cmocka_unit_test(log_entries_walk),
        cmocka_unit_test(many_logs),
        cmocka_unit_test(relative_path),
        cmocka_unit_test_teardown(directory_not_listable, back_to_root),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
