/* Blob decoder: strict and lenient decode (the first input byte picks the
 * options), the fast path's verdict against the full check, lossless
 * re-encode, decode -> encode -> decode identity, and the helpers that read
 * a decoded model. */
#include <stdbool.h>
#include <string.h>

#include <dcs/blob.h>
#include "fuzz_common.h"

static unsigned options_from(uint8_t mode)
{
    static const unsigned layout[4] = { 0, DCS_DECODE_WININET, DCS_DECODE_WINHTTP, 0 };
    unsigned o = (mode & 1) ? DCS_DECODE_STRICT : DCS_DECODE_LENIENT;
    if (mode & 2)
        o |= DCS_DECODE_CHECK_TEXT;
    return o | layout[(mode >> 2) & 3];
}

/* Read every part of the model the way the CLI's text view does. */
static void exercise_model(const struct dcs_blob *b)
{
    char buf[128];
    struct dcs_blob w;
    struct dcs_error err;

    FUZZ_CHECK(b->nfields <= DCS_FIELD_COUNT_);
    FUZZ_CHECK(b->nwarnings <= DCS_BLOB_MAX_WARNINGS);
    for (uint32_t i = 0; i < b->nwarnings; i++)
        FUZZ_CHECK(dcs_blob_warning_str(b->warnings[i].code) != NULL);
    for (uint32_t f = 0; f < b->nfields; f++)
        FUZZ_CHECK(dcs_blob_field_name((enum dcs_blob_field)f) != NULL);
    FUZZ_CHECK(dcs_blob_flag_names(b->flags, buf, sizeof buf) < sizeof buf);
    if (b->nfields > DCS_FIELD_LAST_DETECT_TIME)
        FUZZ_CHECK(dcs_filetime_format(b->last_detect_time, buf, sizeof buf) < sizeof buf);
    if (b->nfields > DCS_FIELD_SOCKADDRS) {
        for (uint32_t i = 0; i < b->sockaddr_count; i++) {
            struct dcs_sockaddr sa;
            dcs_sockaddr_decode(b->sockaddrs + (size_t)i * DCS_SOCKADDR_RECORD_SIZE, &sa);
            FUZZ_CHECK(dcs_sockaddr_format(&sa, buf, sizeof buf) < sizeof buf);
        }
    }
    (void)dcs_blob_uses_proxy(b);
    (void)dcs_blob_uses_autoconfig(b);
    (void)dcs_blob_uses_autodetect(b);
    if (b->format == DCS_FORMAT_WININET &&
        dcs_blob_to_winhttp(b, DCS_VERSION_WINHTTP28, &w, &err) == DCS_OK) {
        size_t need = dcs_blob_encoded_size(&w), got = 0;
        uint8_t *out = malloc(need ? need : 1);
        FUZZ_CHECK(out != NULL);
        FUZZ_CHECK(dcs_blob_encode(&w, out, need, &got, &err) == DCS_OK && got == need);
        free(out);
    }
}

/* The decoder decides in its fast path, as it reads, whether a blob has
 * anything to warn about, and skips the full check when not; with
 * DCS_DECODE_CHECK_TEXT it always makes the full check.  So the two must
 * agree on the status, the model and every warning but the text ones (when
 * none was dropped for want of room). */
static void same_without_text(const uint8_t *data, size_t size, unsigned options)
{
    struct dcs_blob plain, text;
    struct dcs_error err;
    dcs_status a = dcs_blob_decode(data, size, options & ~DCS_DECODE_CHECK_TEXT, &plain, &err);
    dcs_status b = dcs_blob_decode(data, size, options | DCS_DECODE_CHECK_TEXT, &text, &err);
    FUZZ_CHECK(a == b);
    if (a != DCS_OK)
        return;
    FUZZ_CHECK(dcs_blob_equal(&plain, &text, DCS_EQUAL_EXACT));
    if (text.nwarnings == DCS_BLOB_MAX_WARNINGS)
        return;
    uint32_t k = 0;
    for (uint32_t i = 0; i < text.nwarnings; i++) {
        const uint16_t code = text.warnings[i].code;
        if (code == DCS_WARN_NUL_IN_STRING || code == DCS_WARN_NOT_UTF8)
            continue;
        FUZZ_CHECK(k < plain.nwarnings);
        FUZZ_CHECK(plain.warnings[k].code == code);
        FUZZ_CHECK(plain.warnings[k].offset == text.warnings[i].offset);
        k++;
    }
    FUZZ_CHECK(k == plain.nwarnings);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct dcs_blob blob, again;
    struct dcs_error err;
    unsigned options;
    dcs_status st;

    if (size < 1)
        return 0;
    options = options_from(data[0]);
    data++;
    size--;

    same_without_text(data, size, options);
    dcs_error_clear(&err);
    st = dcs_blob_decode(data, size, options, &blob, &err);
    if (st != DCS_OK) {
        fuzz_check_error(&err, st, size);
        return 0;
    }
    exercise_model(&blob);

    /* lossless: the model re-encodes to exactly the input */
    size_t need = dcs_blob_encoded_size(&blob), written = 0;
    FUZZ_CHECK(need == size);
    uint8_t *out = malloc(size ? size : 1);
    FUZZ_CHECK(out != NULL);
    FUZZ_CHECK(dcs_blob_encode(&blob, NULL, 0, &written, &err) == DCS_OK && written == size);
    if (size > 0)
        FUZZ_CHECK(dcs_blob_encode(&blob, out, size - 1, &written, &err) ==
                   DCS_ERR_BUFFER_TOO_SMALL);
    st = dcs_blob_encode(&blob, out, size, &written, &err);
    FUZZ_CHECK(st == DCS_OK);
    FUZZ_CHECK(written == size);
    FUZZ_CHECK(size == 0 || memcmp(out, data, size) == 0);

    /* decode -> encode -> decode is the identity on the model */
    st = dcs_blob_decode(out, size, options, &again, &err);
    FUZZ_CHECK(st == DCS_OK);
    FUZZ_CHECK(dcs_blob_equal(&blob, &again, DCS_EQUAL_EXACT));
    FUZZ_CHECK(again.nwarnings == blob.nwarnings);

    /* what strict accepts, lenient accepts the same way */
    if (options & DCS_DECODE_STRICT) {
        st = dcs_blob_decode(out, size, options & ~DCS_DECODE_STRICT, &again, &err);
        FUZZ_CHECK(st == DCS_OK);
        FUZZ_CHECK(dcs_blob_equal(&blob, &again, DCS_EQUAL_EXACT));
    }
    free(out);
    return 0;
}
