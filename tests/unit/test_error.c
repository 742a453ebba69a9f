/* error.c: status strings, the error record and its formatting. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include <dcs/error.h>

/* every code error.h defines */
static const dcs_status all_codes[] = {
    DCS_OK, DCS_ERR_INVALID_ARG, DCS_ERR_NOMEM, DCS_ERR_BUFFER_TOO_SMALL, DCS_ERR_IO,
    DCS_ERR_LIMIT, DCS_ERR_UNSUPPORTED, DCS_ERR_NOT_FOUND, DCS_ERR_JSON,
    DCS_ERR_BLOB_TRUNCATED, DCS_ERR_BLOB_VERSION, DCS_ERR_BLOB_TRAILING, DCS_ERR_BLOB_FLAGS,
    DCS_ERR_BLOB_MODEL, DCS_ERR_BLOB_FIELD, DCS_ERR_PROXY_SYNTAX, DCS_ERR_BYPASS_SYNTAX,
    DCS_ERR_HEX_SYNTAX, DCS_ERR_ENCODING, DCS_ERR_REG_HEADER, DCS_ERR_REG_ENCODING,
    DCS_ERR_REG_SYNTAX, DCS_ERR_REG_GZIP, DCS_ERR_HIVE_SIGNATURE, DCS_ERR_HIVE_CHECKSUM,
    DCS_ERR_HIVE_VERSION, DCS_ERR_HIVE_TYPE, DCS_ERR_HIVE_DIRTY, DCS_ERR_HIVE_TRUNCATED,
    DCS_ERR_HIVE_CORRUPT, DCS_ERR_HIVE_LIB, DCS_ERR_HIVE_ROLLBACK, DCS_ERR_HIVE_LOCKED,
    DCS_ERR_HIVE_JOURNAL, DCS_ERR_APPLY_AMBIGUOUS, DCS_ERR_APPLY_NO_SOURCE,
    DCS_ERR_APPLY_PREFIX, DCS_ERR_APPLY_TARGET, DCS_ERR_APPLY_HIVE_KIND,
};
#define N_CODES (sizeof all_codes / sizeof all_codes[0])

/* Each code has its own non-empty description; unknown numbers get one
 * fixed text. */
static void strerror_distinct(void **state)
{
    (void)state;
    const char *unknown = dcs_strerror((dcs_status)99);
    assert_string_equal(unknown, "unknown status code");
    assert_string_equal(dcs_strerror((dcs_status)-1), unknown);
    assert_string_equal(dcs_strerror((dcs_status)698), unknown);
    for (size_t i = 0; i < N_CODES; i++) {
        const char *s = dcs_strerror(all_codes[i]);
        assert_non_null(s);
        assert_true(strlen(s) > 3);
        assert_string_not_equal(s, unknown);
        for (size_t j = 0; j < i; j++)
            assert_string_not_equal(s, dcs_strerror(all_codes[j]));
    }
    assert_string_equal(dcs_strerror(DCS_OK), "success");
    assert_string_equal(dcs_strerror(DCS_ERR_NOMEM), "out of memory");
    assert_string_equal(dcs_strerror(DCS_ERR_IO), "input/output error");
    assert_string_equal(dcs_strerror(DCS_ERR_REG_GZIP), "corrupt gzip data");
    assert_string_equal(dcs_strerror(DCS_ERR_APPLY_TARGET), "target hive not found");
    assert_string_equal(dcs_strerror(DCS_ERR_APPLY_HIVE_KIND), "hive of the wrong kind");
    assert_string_equal(dcs_strerror(DCS_ERR_HIVE_ROLLBACK), "a failed commit left hives changed");
    assert_string_equal(dcs_strerror(DCS_ERR_HIVE_LOCKED), "hive locked by another process");
    assert_string_equal(dcs_strerror(DCS_ERR_HIVE_JOURNAL), "unusable commit journal");
}

static void set_and_clear(void **state)
{
    (void)state;
    struct dcs_error e;
    assert_int_equal(dcs_error_set_at(&e, DCS_ERR_REG_SYNTAX, 42, 3, 14, "bad %s", "line"),
                     DCS_ERR_REG_SYNTAX);
    assert_int_equal(e.code, DCS_ERR_REG_SYNTAX);
    assert_int_equal(e.offset, 42);
    assert_int_equal(e.line, 3);
    assert_int_equal(e.column, 14);
    assert_string_equal(e.message, "bad line");
    /* set without a location resets line:column */
    assert_int_equal(dcs_error_set(&e, DCS_ERR_IO, 7, "x=%d", 5), DCS_ERR_IO);
    assert_int_equal(e.offset, 7);
    assert_int_equal(e.line, 0);
    assert_int_equal(e.column, 0);
    assert_string_equal(e.message, "x=5");
    /* a message naming two paths of PATH_MAX (4096 bytes with the NUL) fits
     * whole; one that does not fit is cut visibly: it ends with " [...]" */
    static char big[DCS_ERROR_MESSAGE_MAX + 100];
    memset(big, 'm', 4095);
    big[4095] = '\0';
    dcs_error_set(&e, DCS_ERR_LIMIT, DCS_NO_OFFSET, "%s and %s", big, big);
    assert_int_equal(strlen(e.message), 2 * 4095 + 5);
    assert_memory_equal(e.message + 4095, " and m", 6);
    memset(big, 'm', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    dcs_error_set(&e, DCS_ERR_LIMIT, DCS_NO_OFFSET, "%s", big);
    assert_int_equal(strlen(e.message), DCS_ERROR_MESSAGE_MAX - 1);
    assert_string_equal(e.message + DCS_ERROR_MESSAGE_MAX - 7, " [...]");
    assert_int_equal(e.message[DCS_ERROR_MESSAGE_MAX - 8], 'm');
    dcs_error_clear(&e);
    assert_int_equal(e.code, DCS_OK);
    assert_true(e.offset == DCS_NO_OFFSET);
    assert_int_equal(e.line, 0);
    assert_int_equal(e.column, 0);
    assert_string_equal(e.message, "");
    /* NULL records are allowed everywhere: the code still comes back */
    dcs_error_clear(NULL);
    assert_int_equal(dcs_error_set(NULL, DCS_ERR_NOMEM, 0, "x"), DCS_ERR_NOMEM);
    assert_int_equal(dcs_error_set_at(NULL, DCS_ERR_HEX_SYNTAX, 0, 1, 1, "x"), DCS_ERR_HEX_SYNTAX);
}

/* A NULL format takes the code's description as the message. */
static void null_format(void **state)
{
    (void)state;
    struct dcs_error e;
    assert_int_equal(dcs_error_set(&e, DCS_ERR_BLOB_VERSION, 0, NULL), DCS_ERR_BLOB_VERSION);
    assert_string_equal(e.message, "unknown blob version");
    assert_int_equal(dcs_error_set_at(&e, DCS_ERR_REG_HEADER, 0, 1, 1, NULL), DCS_ERR_REG_HEADER);
    assert_string_equal(e.message, "not a registry script");
    assert_int_equal(e.line, 1);
}

static void format(void **state)
{
    (void)state;
    struct dcs_error e;
    char buf[64];
    dcs_error_set_at(&e, DCS_ERR_REG_SYNTAX, 9, 3, 14, "bad");
    assert_int_equal(dcs_error_format(&e, buf, sizeof buf), strlen("3:14: bad"));
    assert_string_equal(buf, "3:14: bad");
    dcs_error_set(&e, DCS_ERR_BLOB_TRUNCATED, 17, "short");
    assert_int_equal(dcs_error_format(&e, buf, sizeof buf), strlen("offset 17: short"));
    assert_string_equal(buf, "offset 17: short");
    dcs_error_set(&e, DCS_ERR_IO, DCS_NO_OFFSET, "cannot open x");
    assert_int_equal(dcs_error_format(&e, buf, sizeof buf), strlen("cannot open x"));
    assert_string_equal(buf, "cannot open x");
    /* truncation: the full length comes back, the buffer holds a prefix */
    memset(buf, 'Z', sizeof buf);
    assert_int_equal(dcs_error_format(&e, buf, 7), strlen("cannot open x"));
    assert_string_equal(buf, "cannot");
    assert_int_equal(buf[7], 'Z');
    /* nothing to format into */
    buf[0] = 'Z';
    assert_int_equal(dcs_error_format(&e, buf, 0), 0);
    assert_int_equal(buf[0], 'Z');
    assert_int_equal(dcs_error_format(&e, NULL, 10), 0);
    assert_int_equal(dcs_error_format(NULL, buf, sizeof buf), 0);
    assert_int_equal(buf[0], 'Z');
}

/* Warnings go to the one handler, formatted; without one they vanish. */
static int warnings_seen;
static char last_warning[DCS_ERROR_MESSAGE_MAX];
static void record_warning(void *ctx, const struct dcs_error *w)
{
    assert_ptr_equal(ctx, &warnings_seen);
    assert_int_equal(w->code, DCS_ERR_IO);
    assert_true(w->offset == DCS_NO_OFFSET);
    warnings_seen++;
    memcpy(last_warning, w->message, sizeof last_warning);
}

static void warning_handler(void **state)
{
    (void)state;
    dcs_warn(DCS_ERR_IO, "dropped %d", 1);
    dcs_set_warning_handler(record_warning, &warnings_seen);
    dcs_warn(DCS_ERR_IO, "kept %d and %s", 2, "more");
    assert_int_equal(warnings_seen, 1);
    assert_string_equal(last_warning, "kept 2 and more");
    dcs_set_warning_handler(NULL, NULL);
    dcs_warn(DCS_ERR_IO, "dropped %d", 3);
    assert_int_equal(warnings_seen, 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(strerror_distinct),
        cmocka_unit_test(set_and_clear),
        cmocka_unit_test(null_format),
        cmocka_unit_test(format),
        cmocka_unit_test(warning_handler),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
