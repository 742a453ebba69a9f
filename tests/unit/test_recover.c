/* Transaction-log replay (dcs/recover.h) on Windows' own dirty hives and
 * their recovered results, and on damaged copies of their logs. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include <dcs/dcs.h>
#include "hive_testutil.h"
#include "recover_testlib.h"

static uint32_t get32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* Recover s; on success the output is returned (caller frees). */
static uint8_t *run(const struct rset *s, dcs_status want, size_t *len,
                    struct dcs_recover_report *rep, struct dcs_error *err)
{
    struct dcs_recover_input in = rset_input(s);
    uint8_t *out = NULL;
    dcs_status st = dcs_recover_buffers_alloc(&in, &out, len, rep, err);
    if (st != want)
        fprintf(stderr, "status %d: %s\n", st, err->message);
    assert_int_equal(st, want);
    return out;
}

/* Expect a refusal by `rule` whose message holds `text`. */
static void expect_refused(const struct rset *s, enum dcs_recover_rule rule, const char *text)
{
    struct dcs_recover_report rep;
    struct dcs_error err;
    size_t len;
    uint8_t *out = run(s, DCS_ERR_HIVE_REFUSED, &len, &rep, &err);
    assert_null(out);
    assert_int_equal(len, 0);
    assert_int_equal(rep.state, DCS_RECOVER_REFUSED);
    if (rep.rule != rule)
        fprintf(stderr, "rule %s: %s\n", dcs_recover_rule_name(rep.rule), err.message);
    assert_int_equal(rep.rule, rule);
    assert_non_null(strstr(err.message, dcs_recover_rule_name(rule)));
    if (!strstr(err.message, text))
        fprintf(stderr, "message: %s\n", err.message);
    assert_non_null(strstr(err.message, text));
}

/* A recovered image recovered again is clean and the same bytes. */
static void assert_stable(const uint8_t *img, size_t len)
{
    struct dcs_recover_input in = {img, len, {NULL}, {0}};
    struct dcs_recover_report rep;
    struct dcs_error err;
    uint8_t *again;
    size_t alen;
    assert_int_equal(dcs_recover_buffers_alloc(&in, &again, &alen, &rep, &err), DCS_OK);
    assert_int_equal(rep.state, DCS_RECOVER_CLEAN);
    assert_int_equal(alen, len);
    assert_memory_equal(again, img, len);
    free(again);
}

/* ---- Windows' own results ------------------------------------------------- */

static void new_dirty_equals_windows10(void **state)
{
    struct rset s;
    rset_new_dirty(&s);
    struct dcs_recover_report rep;
    struct dcs_error err;
    size_t len, wlen;
    uint8_t *out = run(&s, DCS_OK, &len, &rep, &err);
    uint8_t *win = rt_load("yarp-NewDirtyHive1/RecoveredHive_Windows10", &wlen);
    assert_int_equal(len, wlen);
    assert_memory_equal(out, win, wlen);
    assert_int_equal(rep.state, DCS_RECOVER_RECOVERED);
    assert_int_equal(rep.format, DCS_RECOVER_FORMAT_NEW);
    assert_int_equal(rep.entries_applied, 4);
    assert_int_equal(rep.seq_before[0], 3);
    assert_int_equal(rep.seq_before[1], 2);
    assert_int_equal(rep.seq_after[0], 6);
    assert_int_equal(rep.seq_after[1], 6);
    assert_int_equal(rep.logs[1].entries_applied, 1);
    assert_int_equal(rep.logs[1].first_seq, 2);
    assert_int_equal(rep.logs[2].entries_applied, 3);
    assert_int_equal(rep.logs[2].first_seq, 3);
    assert_int_equal(rep.logs[2].last_seq, 5);
    assert_false(rep.logs[0].present);
    assert_false(rep.base_block_from_log);
    assert_stable(out, len);
    free(out);
    free(win);
    rset_free(&s);
}

static void old_dirty_equals_windows7(void **state)
{
    struct rset s;
    rset_old_dirty(&s);
    struct dcs_recover_report rep;
    struct dcs_error err;
    size_t len, wlen;
    uint8_t *out = run(&s, DCS_OK, &len, &rep, &err);
    uint8_t *win = rt_load("yarp-OldDirtyHive/RecoveredHive_Windows7", &wlen);
    assert_int_equal(rep.format, DCS_RECOVER_FORMAT_OLD);
    assert_int_equal(rep.logs[1].entries_applied, 64); /* 512-byte pages */
    assert_int_equal(rep.seq_after[0], 6);             /* the log's 5, + 1 */
    assert_int_equal(len, wlen);
    /* keys, values and timestamps as Windows 7 left them ... */
    assert_int_equal(rt_hive_tree_diff(out, len, win, wlen), 0);
    /* ... and the bytes too, but for Windows' later flushes (hive-logs.md
     * §9: 28 in the base block, 5 in the first bin's timestamp, 1 nk field) */
    size_t differ = 0, outside = 0;
    for (size_t i = 0; i < len; i++) {
        differ += out[i] != win[i];
        outside += out[i] != win[i] && i >= 4096 + 32 && i != 0x6bdc8;
    }
    assert_int_equal(differ, 34);
    assert_int_equal(outside, 0);
    /* and unlike the dirty primary, which libhivex reads stale */
    assert_true(rt_hive_tree_diff(s.primary, s.primary_len, win, wlen) > 0);
    assert_stable(out, len);
    free(out);
    free(win);
    rset_free(&s);
}

static void regipy_gains_what_its_logs_hold(void **state)
{
    struct rset s;
    rset_regipy(&s);
    struct dcs_recover_report rep;
    struct dcs_error err;
    size_t len;
    uint8_t *out = run(&s, DCS_OK, &len, &rep, &err);
    assert_int_equal(rep.entries_applied, 23); /* 566..588 from .LOG1 */
    assert_int_equal(rep.logs[1].first_seq, 566);
    assert_int_equal(rep.logs[1].last_seq, 588);
    assert_true(rep.logs[2].stale); /* .LOG2 holds 562 only */
    assert_int_equal(rep.logs[2].entries_applied, 0);
    assert_int_equal(rep.hbins_before, 0xbe000);
    assert_int_equal(rep.hbins_after, 0xe2000);
    assert_int_equal(len, s.primary_len); /* 1 MiB already holds the growth */
    assert_int_equal(get32(out + 4), 589);
    struct rt_regipy_count c;
    rt_regipy_compare(s.primary, s.primary_len, out, len, &c);
    assert_int_equal(c.new_subkeys, 527);
    assert_int_equal(c.new_values, 60);
    assert_int_equal(c.size_changes, 1);
    assert_stable(out, len);
    free(out);
    rset_free(&s);
}

static void clean_hive_is_copied_and_logs_ignored(void **state)
{
    struct rset s = {0};
    s.primary = rt_load("dfwinreg-NTUSER.DAT", &s.primary_len);
    s.log[0] = rt_load("dfwinreg-NTUSER.DAT.LOG", &s.log_len[0]);
    struct dcs_recover_report rep;
    struct dcs_error err;
    size_t len;
    uint8_t *out = run(&s, DCS_OK, &len, &rep, &err);
    assert_int_equal(rep.state, DCS_RECOVER_CLEAN);
    assert_int_equal(rep.entries_applied, 0);
    assert_int_equal(len, s.primary_len);
    assert_memory_equal(out, s.primary, len);
    free(out);
    rset_free(&s);
}

/* ---- what the logs may do ---------------------------------------------- */

static void torn_last_entry_stops_before_it(void **state)
{
    struct rset s;
    rset_new_dirty(&s);
    s.log_len[2] = 0x8000 + 0x1000; /* entry 5 (0x8000, 0x2000 bytes) cut */
    struct dcs_recover_report rep;
    struct dcs_error err;
    size_t len;
    uint8_t *out = run(&s, DCS_OK, &len, &rep, &err);
    assert_int_equal(rep.entries_applied, 3);
    assert_int_equal(rep.logs[2].last_seq, 4);
    assert_int_equal(get32(out + 4), 5);
    assert_stable(out, len);
    free(out);
    /* a flipped byte in its page data (hash-1) is the same torn write */
    s.log_len[2] = 0x10000;
    s.log[2][0x8000 + 0x100] ^= 1;
    out = run(&s, DCS_OK, &len, &rep, &err);
    assert_int_equal(rep.entries_applied, 3);
    free(out);
    rset_free(&s);
}

static void damaged_middle_entry_is_refused(void **state)
{
    struct rset s;
    rset_new_dirty(&s);
    s.log[2][0x2000 + 0x800] ^= 0x40; /* entry 4; entry 5 behind it is intact */
    expect_refused(&s, DCS_RECOVER_RULE_UNREACHED_ENTRY, "entry 5 at offset 0x8000");
    rset_free(&s);
}

static void missing_first_log_is_a_gap(void **state)
{
    struct rset s;
    rset_new_dirty(&s);
    s.log_len[1] = 511; /* shorter than a header: absent */
    expect_refused(&s, DCS_RECOVER_RULE_GAP, ".LOG2 starts at entry 3 but the primary's next is 2");
    rset_free(&s);
}

static void bad_log_header_leaves_entries_unreached(void **state)
{
    struct rset s;
    rset_new_dirty(&s);
    s.log[2][0x30] ^= 1; /* file name: checksum now wrong */
    expect_refused(&s, DCS_RECOVER_RULE_UNREACHED_ENTRY, ".LOG2 holds a valid entry 3");
    rset_free(&s);
}

static void second_log_not_continuing_is_refused(void **state)
{
    struct rset s;
    rset_new_dirty(&s);
    put32(s.log[2] + 4, 4); /* header says 4: does not continue at 3 */
    put32(s.log[2] + 8, 4);
    rt_fix_checksum(s.log[2]);
    expect_refused(&s, DCS_RECOVER_RULE_UNREACHED_ENTRY, "newer than the last one the replay "
                                                         "reaches (2)");
    rset_free(&s);
}

static void stale_logs_are_refused(void **state)
{
    struct rset s;
    rset_new_dirty(&s);
    put32(s.primary + 4, 8);
    put32(s.primary + 8, 7);
    rt_fix_checksum(s.primary);
    expect_refused(&s, DCS_RECOVER_RULE_STALE_LOGS, "its next entry is 7");
    rset_free(&s);
}

static void no_log_or_no_valid_log(void **state)
{
    struct rset s;
    rset_new_dirty(&s);
    s.log_len[1] = s.log_len[2] = 0;
    expect_refused(&s, DCS_RECOVER_RULE_NO_LOG, "no transaction log holds anything");
    s.log_len[1] = 4096;
    memset(s.log[1], 0, 512); /* all-zero header: absent */
    expect_refused(&s, DCS_RECOVER_RULE_NO_LOG, "no transaction log");
    s.log[1][0] = 'x';
    expect_refused(&s, DCS_RECOVER_RULE_LOG_HEADER, "no transaction log has a valid header");
    rset_free(&s);
}

static void sealed_impossible_entry_is_refused(void **state)
{
    struct rset s;
    rset_new_dirty(&s);
    put32(s.log[2] + 0x200 + 40, 0x5000); /* entry 3's page at 0x5000, past its hive bins */
    rt_reseal_entry(s.log[2], 0x200);
    expect_refused(&s, DCS_RECOVER_RULE_ENTRY_LAYOUT, "entry 3 of .LOG2 (offset 0x200)");
    rset_free(&s);
}

static void huge_size_claim_is_refused(void **state)
{
    struct rset s;
    rset_new_dirty(&s);
    put32(s.log[2] + 0x8000 + 16, 0xFFFFF000u); /* entry 5: a 4 GiB hive */
    rt_reseal_entry(s.log[2], 0x8000);
    expect_refused(&s, DCS_RECOVER_RULE_SIZE, "the logs claim a hive of 4294967296 bytes");
    rset_free(&s);
}

static void invalid_bin_after_replay_is_refused(void **state)
{
    struct rset s;
    rset_new_dirty(&s);
    /* entry 5's page is hive-bins offset 0: break its "hbin" and reseal */
    s.log[2][0x8000 + 48] = 'X';
    rt_reseal_entry(s.log[2], 0x8000);
    expect_refused(&s, DCS_RECOVER_RULE_BINS, "hive bin at 0x0 is invalid");
    rset_free(&s);
}

static void bad_base_block_rebuilt_from_latest_log(void **state)
{
    struct rset s;
    rset_new_dirty(&s);
    s.primary[0x40] ^= 0x20; /* file name: the checksum no longer matches */
    struct dcs_recover_report rep;
    struct dcs_error err;
    size_t len, wlen;
    uint8_t *out = run(&s, DCS_OK, &len, &rep, &err);
    uint8_t *win = rt_load("yarp-NewDirtyHive1/RecoveredHive_Windows10", &wlen);
    assert_true(rep.base_block_from_log);
    assert_int_equal(rep.logs[1].entries_applied, 0); /* only the latest log */
    assert_int_equal(rep.logs[2].entries_applied, 3);
    assert_int_equal(len, wlen);
    assert_memory_equal(out, win, wlen);
    free(out);
    free(win);
    /* no valid log at all: nothing can rebuild it */
    s.log[1][0x30] ^= 1;
    s.log[2][0x30] ^= 1;
    expect_refused(&s, DCS_RECOVER_RULE_LOG_HEADER, "valid header");
    rset_free(&s);
}

static void old_format_refusals(void **state)
{
    struct rset s;
    rset_old_dirty(&s);
    s.log[1][0x0C] ^= 1; /* timestamp of another write */
    rt_fix_checksum(s.log[1]);
    expect_refused(&s, DCS_RECOVER_RULE_OLD_TIMESTAMP, "timestamp of .LOG1 differs");
    /* the same log as .LOG2 beside it: Windows' choice depends on its version */
    s.log[2] = malloc(s.log_len[1]);
    memcpy(s.log[2], s.log[1], s.log_len[1]);
    s.log_len[2] = s.log_len[1];
    expect_refused(&s, DCS_RECOVER_RULE_OLD_LOG2, "only .LOG2 could");
    free(s.log[2]);
    s.log[2] = NULL;
    s.log_len[2] = 0;
    s.log[1][0x0C] ^= 1;
    rt_fix_checksum(s.log[1]);
    s.log_len[1] -= 512; /* the last dirty page cut off */
    expect_refused(&s, DCS_RECOVER_RULE_OLD_VECTOR, "ends before its 64 dirty pages");
    s.log_len[1] += 512;
    memcpy(s.log[1] + 512, "DIRX", 4);
    expect_refused(&s, DCS_RECOVER_RULE_OLD_VECTOR, "no \"DIRT\"");
    memcpy(s.log[1] + 512, "DIRT", 4);
    /* a bad base block: the first bin's timestamp lags (§2), unknown case */
    s.primary[0x40] ^= 1;
    expect_refused(&s, DCS_RECOVER_RULE_BASE_BLOCK, "differs from the first hive bin's");
    rset_free(&s);
}

static void not_a_hive(void **state)
{
    uint8_t junk[8192];
    memset(junk, 'A', sizeof junk);
    struct dcs_recover_input in = {junk, sizeof junk, {NULL}, {0}};
    struct dcs_recover_report rep;
    struct dcs_error err;
    size_t len;
    assert_int_equal(dcs_recover_buffers(&in, NULL, 0, &len, &rep, &err),
                     DCS_ERR_HIVE_SIGNATURE);
    struct rset s;
    rset_new_dirty(&s);
    in.primary = s.log[2]; /* a log handed over as the primary */
    in.primary_len = s.log_len[2];
    assert_int_equal(dcs_recover_buffers(&in, NULL, 0, &len, &rep, &err), DCS_ERR_HIVE_TYPE);
    in.primary = s.primary;
    in.primary_len = 4000;
    assert_int_equal(dcs_recover_buffers(&in, NULL, 0, &len, &rep, &err), DCS_ERR_HIVE_REFUSED);
    assert_int_equal(rep.rule, DCS_RECOVER_RULE_PRIMARY_TRUNCATED);
    rset_free(&s);
}

static void size_query_and_small_buffer(void **state)
{
    struct rset s;
    rset_new_dirty(&s);
    struct dcs_recover_input in = rset_input(&s);
    struct dcs_recover_report rep;
    struct dcs_error err;
    size_t need, len;
    assert_int_equal(dcs_recover_buffers(&in, NULL, 0, &need, &rep, &err), DCS_OK);
    assert_int_equal(need, 262144);
    uint8_t *buf = malloc(need);
    assert_int_equal(dcs_recover_buffers(&in, buf, need - 1, &len, &rep, &err),
                     DCS_ERR_BUFFER_TOO_SMALL);
    assert_int_equal(len, need);
    assert_int_equal(dcs_recover_buffers(&in, buf, need, &len, &rep, &err), DCS_OK);
    assert_int_equal(get32(buf + 4), 6);
    free(buf);
    rset_free(&s);
}

/* ---- files beside the hive ---------------------------------------------- */

static void file_level_any_letter_case(void **state)
{
    struct rset s;
    rset_new_dirty(&s);
    char dir[512], hive[600];
    make_tmpdir(dir, sizeof dir);
    rt_write(dir, "NewDirtyHive", s.primary, s.primary_len);
    rt_write(dir, "newdirtyhive.log1", s.log[1], s.log_len[1]);
    rt_write(dir, "NEWDIRTYHIVE.Log2", s.log[2], s.log_len[2]);
    rt_write(dir, "NewDirtyHive.LOG3", s.log[2], 600); /* not a log name */
    snprintf(hive, sizeof hive, "%s/NewDirtyHive", dir);
    struct dcs_recover_report rep;
    struct dcs_error err;
    uint8_t *out;
    size_t len, wlen;
    assert_int_equal(dcs_recover_file(hive, &out, &len, &rep, &err), DCS_OK);
    uint8_t *win = rt_load("yarp-NewDirtyHive1/RecoveredHive_Windows10", &wlen);
    assert_memory_equal(out, win, wlen);
    assert_non_null(strstr(rep.logs[1].path, "/newdirtyhive.log1"));
    assert_non_null(strstr(rep.logs[2].path, "/NEWDIRTYHIVE.Log2"));
    assert_string_equal(rep.logs[0].path, "");
    free(out);
    /* two spellings of one log: which one Windows reads is unknown */
    rt_write(dir, "NewDirtyHive.LOG1", s.log[1], s.log_len[1]);
    assert_int_equal(dcs_recover_file(hive, &out, &len, &rep, &err), DCS_ERR_HIVE_REFUSED);
    assert_int_equal(rep.rule, DCS_RECOVER_RULE_AMBIGUOUS_LOGS);
    assert_null(out);
    rm_tree(dir);
    free(win);
    rset_free(&s);
}

/* dcs_hive_open with DCS_HIVE_RECOVER reads what Windows would load */
static void hive_open_reads_recovered_state(void **state)
{
    struct rset s;
    rset_new_dirty(&s);
    char dir[512], hive[600];
    make_tmpdir(dir, sizeof dir);
    rt_write(dir, "NewDirtyHive", s.primary, s.primary_len);
    rt_write(dir, "NewDirtyHive.LOG1", s.log[1], s.log_len[1]);
    rt_write(dir, "NewDirtyHive.LOG2", s.log[2], s.log_len[2]);
    snprintf(hive, sizeof hive, "%s/NewDirtyHive", dir);
    dcs_hive *h;
    dcs_hive_key k;
    struct dcs_error err;
    assert_int_equal(dcs_hive_open(hive, DCS_HIVE_READ, &h, &err), DCS_OK);
    assert_false(dcs_hive_state_recovered(dcs_hive_get_state(h))); /* without the flag: stale */
    assert_int_equal(dcs_hive_find_key(h, 0, "Key3\\Key3_1", &k, &err), DCS_ERR_NOT_FOUND);
    dcs_hive_close(h);
    assert_int_equal(dcs_hive_open(hive, DCS_HIVE_READ | DCS_HIVE_RECOVER, &h, &err), DCS_OK);
    assert_true(dcs_hive_state_dirty(dcs_hive_get_state(h)));
    assert_true(dcs_hive_state_recovered(dcs_hive_get_state(h)));
    assert_int_equal(dcs_hive_state_recovered_entries(dcs_hive_get_state(h)), 4);
    assert_int_equal(dcs_hive_find_key(h, 0, "Key3\\Key3_1", &k, &err), DCS_OK);
    dcs_hive_close(h);
    /* logs that cannot be replayed: the stale primary, and the reason */
    char log1[700];
    snprintf(log1, sizeof log1, "%s/NewDirtyHive.LOG1", dir);
    assert_int_equal(unlink(log1), 0);
    assert_int_equal(dcs_hive_open(hive, DCS_HIVE_READ | DCS_HIVE_RECOVER, &h, &err), DCS_OK);
    assert_false(dcs_hive_state_recovered(dcs_hive_get_state(h)));
    assert_non_null(strstr(dcs_hive_state_reason(dcs_hive_get_state(h)), "its logs cannot be replayed: refused (gap)"));
    dcs_hive_close(h);
    /* writing never goes through the replay */
    assert_int_equal(dcs_hive_open(hive, DCS_HIVE_WRITE | DCS_HIVE_RECOVER, &h, &err),
                     DCS_ERR_HIVE_DIRTY);
    rm_tree(dir);
    rset_free(&s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(new_dirty_equals_windows10),
        cmocka_unit_test(old_dirty_equals_windows7),
        cmocka_unit_test(regipy_gains_what_its_logs_hold),
        cmocka_unit_test(clean_hive_is_copied_and_logs_ignored),
        cmocka_unit_test(torn_last_entry_stops_before_it),
        cmocka_unit_test(damaged_middle_entry_is_refused),
        cmocka_unit_test(missing_first_log_is_a_gap),
        cmocka_unit_test(bad_log_header_leaves_entries_unreached),
        cmocka_unit_test(second_log_not_continuing_is_refused),
        cmocka_unit_test(stale_logs_are_refused),
        cmocka_unit_test(no_log_or_no_valid_log),
        cmocka_unit_test(sealed_impossible_entry_is_refused),
        cmocka_unit_test(huge_size_claim_is_refused),
        cmocka_unit_test(invalid_bin_after_replay_is_refused),
        cmocka_unit_test(bad_base_block_rebuilt_from_latest_log),
        cmocka_unit_test(old_format_refusals),
        cmocka_unit_test(not_a_hive),
        cmocka_unit_test(size_query_and_small_buffer),
        cmocka_unit_test(file_level_any_letter_case),
        cmocka_unit_test(hive_open_reads_recovered_state),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
