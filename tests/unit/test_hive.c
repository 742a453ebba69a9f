/* Hive room: base-block checks and dirty detection (no libhivex needed). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include <dcs/dcs.h>
#include "hive_testutil.h"

/* ---- checksum and header ------------------------------------------------ */

static void fix_checksum(uint8_t *block)
{
    put32(block + DCS_HIVE_CHECKSUM_OFFSET, dcs_hive_checksum(block));
}

static void checksum_special_cases(void **state)
{
    uint8_t b[512] = {0};
    assert_int_equal(dcs_hive_checksum(b), 1); /* XOR 0 is stored as 1 */
    put32(b, 0xFFFFFFFFu);
    assert_int_equal(dcs_hive_checksum(b), 0xFFFFFFFEu);
    put32(b + 4, 0x0000FFFFu);
    assert_int_equal(dcs_hive_checksum(b), 0xFFFF0000u);
    put32(b + DCS_HIVE_CHECKSUM_OFFSET, 0x12345678u); /* not part of the sum */
    assert_int_equal(dcs_hive_checksum(b), 0xFFFF0000u);
}

static uint8_t *load_fixture(const char *name, size_t *len)
{
    char path[1024];
    fixture(path, sizeof path, name);
    uint8_t *d = slurp(path, len);
    assert_non_null(d);
    return d;
}

static void header_of_real_hive(void **state)
{
    size_t len;
    uint8_t *d = load_fixture("ez-NTUSER1.DAT", &len);
    struct dcs_hive_header h;
    struct dcs_error err;
    assert_int_equal(dcs_hive_parse_header(d, len, len, &h, &err), DCS_OK);
    assert_int_equal(h.seq1, 973);
    assert_int_equal(h.seq2, 973);
    assert_int_equal(h.major, 1);
    assert_int_equal(h.minor, 3);
    assert_int_equal(h.type, 0);
    assert_int_equal(h.checksum, h.checksum_calc);
    assert_int_equal(h.hbins_size + 4096u, len);
    free(d);
}

static void expect_header_error(uint8_t *d, size_t len, uint64_t file_size, dcs_status code,
                                uint64_t offset)
{
    struct dcs_hive_header h;
    struct dcs_error err;
    dcs_error_clear(&err);
    assert_int_equal(dcs_hive_parse_header(d, len, file_size, &h, &err), code);
    assert_int_equal(err.code, code);
    assert_int_equal(err.offset, offset);
    assert_true(err.message[0] != '\0');
}

static void header_errors(void **state)
{
    size_t len;
    uint8_t *d = load_fixture("hivex-minimal", &len);
    uint8_t *c = malloc(len);
    assert_non_null(c);

    memcpy(c, d, len);
    c[0] = 'R';
    expect_header_error(c, len, len, DCS_ERR_HIVE_SIGNATURE, 0);

    memcpy(c, d, len);
    c[0x30] ^= 0x01; /* inside the checksummed area */
    expect_header_error(c, len, len, DCS_ERR_HIVE_CHECKSUM, DCS_HIVE_CHECKSUM_OFFSET);

    memcpy(c, d, len);
    expect_header_error(c, 2000, 2000, DCS_ERR_HIVE_TRUNCATED, 2000);
    expect_header_error(c, len, len - 4096, DCS_ERR_HIVE_TRUNCATED, len - 4096);

    memcpy(c, d, len);
    put32(c + 0x18, 7);
    fix_checksum(c);
    expect_header_error(c, len, len, DCS_ERR_HIVE_VERSION, 0x18);
    put32(c + 0x18, 1);
    fix_checksum(c);
    expect_header_error(c, len, len, DCS_ERR_HIVE_VERSION, 0x18);
    put32(c + 0x14, 2);
    fix_checksum(c);
    expect_header_error(c, len, len, DCS_ERR_HIVE_VERSION, 0x14);

    memcpy(c, d, len);
    put32(c + 0x1C, 6);
    fix_checksum(c);
    expect_header_error(c, len, len, DCS_ERR_HIVE_TYPE, 0x1C);

    memcpy(c, d, len);
    put32(c + 0x20, 2);
    fix_checksum(c);
    expect_header_error(c, len, len, DCS_ERR_HIVE_CORRUPT, 0x20);

    memcpy(c, d, len);
    put32(c + 0x28, 0x1001);
    fix_checksum(c);
    expect_header_error(c, len, len, DCS_ERR_HIVE_CORRUPT, 0x28);
    free(c);
    free(d);
}

/* ---- transaction logs ----------------------------------------------------- */

static void judge_real_logs(void **state)
{
    size_t plen, llen;
    struct dcs_hive_header h;
    uint32_t type, seq;
    uint8_t *p = load_fixture("dfwinreg-NTUSER.DAT", &plen);
    uint8_t *l = load_fixture("dfwinreg-NTUSER.DAT.LOG", &llen);
    assert_int_equal(dcs_hive_parse_header(p, plen, plen, &h, NULL), DCS_OK);
    /* entries of sequence 0x83 against a primary at 0x84: already applied */
    assert_int_equal(dcs_hive_judge_log(l, llen, &h, &type, &seq), DCS_HIVE_LOG_APPLIED);
    assert_int_equal(type, 6);
    assert_int_equal(seq, 0x83);
    free(p);
    free(l);

    p = load_fixture("yarp-NewDirtyHive1/NewDirtyHive", &plen);
    l = load_fixture("yarp-NewDirtyHive1/NewDirtyHive.LOG1", &llen);
    assert_int_equal(dcs_hive_parse_header(p, plen, plen, &h, NULL), DCS_OK);
    assert_int_equal(dcs_hive_judge_log(l, llen, &h, &type, &seq), DCS_HIVE_LOG_PENDING);
    assert_int_equal(seq, 2);
    free(p);
    free(l);
}

/* A synthetic log: base block of `type` and sequence `seq`, then either one
 * HvLE entry of sequence `eseq` (type 6) or a DIRT vector (types 1/2). */
static size_t make_log(uint8_t *buf, uint32_t type, uint32_t seq, uint32_t eseq, int bits)
{
    memset(buf, 0, 2048);
    memcpy(buf, "regf", 4);
    put32(buf + 4, seq);
    put32(buf + 8, seq);
    put32(buf + 0x14, 1);
    put32(buf + 0x18, 3);
    put32(buf + 0x1C, type);
    put32(buf + 0x20, 1);
    put32(buf + 0x28, 0x1000);
    fix_checksum(buf);
    if (type == 6) {
        memcpy(buf + 512, "HvLE", 4);
        put32(buf + 516, 512);
        put32(buf + 524, eseq);
    } else {
        memcpy(buf + 512, "DIRT", 4);
        buf[516] = (uint8_t)bits;
    }
    return 2048;
}

static void judge_synthetic_logs(void **state)
{
    struct dcs_hive_header h = {.seq1 = 10, .seq2 = 10, .hbins_size = 0x1000};
    uint8_t log[2048];
    uint32_t type, seq;
    size_t n = make_log(log, 6, 10, 10, 0);
    assert_int_equal(dcs_hive_judge_log(log, n, &h, &type, &seq), DCS_HIVE_LOG_PENDING);
    n = make_log(log, 6, 9, 9, 0);
    assert_int_equal(dcs_hive_judge_log(log, n, &h, &type, &seq), DCS_HIVE_LOG_APPLIED);
    n = make_log(log, 6, 9, 9, 0);
    memset(log + 512, 0, 4); /* header only, no entry */
    assert_int_equal(dcs_hive_judge_log(log, n, &h, &type, &seq), DCS_HIVE_LOG_EMPTY);
    n = make_log(log, 6, 10, 12, 0);
    put32(log + 516, 4096); /* entry runs past the end: not an entry */
    assert_int_equal(dcs_hive_judge_log(log, n, &h, &type, &seq), DCS_HIVE_LOG_EMPTY);

    n = make_log(log, 1, 11, 0, 0x01);
    assert_int_equal(dcs_hive_judge_log(log, n, &h, &type, &seq), DCS_HIVE_LOG_PENDING);
    n = make_log(log, 2, 10, 0, 0x01);
    assert_int_equal(dcs_hive_judge_log(log, n, &h, &type, &seq), DCS_HIVE_LOG_APPLIED);
    n = make_log(log, 1, 11, 0, 0x00);
    assert_int_equal(dcs_hive_judge_log(log, n, &h, &type, &seq), DCS_HIVE_LOG_EMPTY);

    n = make_log(log, 6, 10, 10, 0);
    log[0x40] ^= 1; /* header checksum now wrong */
    assert_int_equal(dcs_hive_judge_log(log, n, &h, &type, &seq), DCS_HIVE_LOG_UNREADABLE);
    n = make_log(log, 3, 10, 10, 0);
    assert_int_equal(dcs_hive_judge_log(log, n, &h, &type, &seq), DCS_HIVE_LOG_UNREADABLE);

    memset(log, 0, sizeof log); /* preallocated, never written */
    assert_int_equal(dcs_hive_judge_log(log, sizeof log, &h, &type, &seq), DCS_HIVE_LOG_EMPTY);
    assert_int_equal(dcs_hive_judge_log(log, 0, &h, &type, &seq), DCS_HIVE_LOG_EMPTY);
}

static void inspect_fixtures(void **state)
{
    char path[1024];
    dcs_hive_state *s = NULL;
    struct dcs_error err;
    fixture(path, sizeof path, "ez-NTUSER1.DAT");
    assert_int_equal(dcs_hive_inspect(path, &s, &err), DCS_OK);
    assert_false(dcs_hive_state_dirty(s));
    assert_int_equal(dcs_hive_state_log_count(s), 0);

    fixture(path, sizeof path, "dfwinreg-NTUSER.DAT");
    dcs_hive_state_free(s);
    assert_int_equal(dcs_hive_inspect(path, &s, &err), DCS_OK);
    assert_false(dcs_hive_state_dirty(s));
    assert_int_equal(dcs_hive_state_log_count(s), 1);
    assert_string_equal(dcs_hive_state_log(s, 0).name, "dfwinreg-NTUSER.DAT.LOG");
    assert_int_equal(dcs_hive_state_log(s, 0).state, DCS_HIVE_LOG_APPLIED);

    fixture(path, sizeof path, "yarp-NewDirtyHive1/NewDirtyHive");
    dcs_hive_state_free(s);
    assert_int_equal(dcs_hive_inspect(path, &s, &err), DCS_OK);
    assert_true(dcs_hive_state_dirty(s));
    assert_int_equal(dcs_hive_state_log_count(s), 2);
    assert_non_null(strstr(dcs_hive_state_reason(s), "sequence numbers differ (3 != 2)"));
    assert_non_null(strstr(dcs_hive_state_reason(s), "NewDirtyHive.LOG1"));

    fixture(path, sizeof path, "no-such-hive");
    dcs_hive_state_free(s);
    assert_int_equal(dcs_hive_inspect(path, &s, &err), DCS_ERR_NOT_FOUND);
    dcs_hive_state_free(s);
}

/* A clean primary with a pending log whose name differs in case is dirty. */
static void inspect_log_any_case(void **state)
{
    char dir[512], src[1024], hive[1100], logp[1100];
    make_tmpdir(dir, sizeof dir);
    assert_true(dir[0]);
    fixture(src, sizeof src, "ez-NTUSER1.DAT");
    snprintf(hive, sizeof hive, "%s/NTUSER.DAT", dir);
    assert_int_equal(copy_to(src, hive), 0);
    dcs_hive_state *s = NULL;
    assert_int_equal(dcs_hive_inspect(hive, &s, NULL), DCS_OK);
    assert_false(dcs_hive_state_dirty(s));
    uint8_t log[2048];
    make_log(log, 6, 973, 973, 0);
    snprintf(logp, sizeof logp, "%s/ntuser.dat.log2", dir);
    assert_int_equal(spit(logp, log, sizeof log), 0);
    dcs_hive_state_free(s);
    assert_int_equal(dcs_hive_inspect(hive, &s, NULL), DCS_OK);
    assert_true(dcs_hive_state_dirty(s));
    assert_string_equal(dcs_hive_state_log(s, 0).name, "ntuser.dat.log2");
    assert_non_null(strstr(dcs_hive_state_reason(s), "ntuser.dat.log2"));
    /* an older log is already applied */
    make_log(log, 6, 972, 972, 0);
    assert_int_equal(spit(logp, log, sizeof log), 0);
    dcs_hive_state_free(s);
    assert_int_equal(dcs_hive_inspect(hive, &s, NULL), DCS_OK);
    assert_false(dcs_hive_state_dirty(s));
    rm_tree(dir);
    dcs_hive_state_free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(checksum_special_cases),
        cmocka_unit_test(header_of_real_hive),
        cmocka_unit_test(header_errors),
        cmocka_unit_test(judge_real_logs),
        cmocka_unit_test(judge_synthetic_logs),
        cmocka_unit_test(inspect_fixtures),
        cmocka_unit_test(inspect_log_any_case),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
