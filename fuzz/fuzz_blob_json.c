/* The encoder's input path: JSON (the schema `dcs decode --json` prints and
 * `dcs encode` reads) -> model -> blob -> model -> JSON -> model -> blob.
 * Properties: whatever model the JSON reader accepts and the encoder writes
 * decodes again (in the model's own layout) to an equal model, and the JSON
 * printed for it, as text, reads back to the same bytes. */
#include <stdbool.h>
#include <string.h>

#include <jansson.h>

#include <dcs/blob.h>
#include "fuzz_common.h"
#include "json.h"

/* Encode into a malloc'd buffer; NULL when the encoder refuses the model. */
static uint8_t *encode(const struct dcs_blob *b, size_t *len)
{
    struct dcs_error err;
    size_t need = 0, got = 0;
    dcs_status st = dcs_blob_encode(b, NULL, 0, &need, &err);
    if (st != DCS_OK) {
        fuzz_check_error(&err, st, SIZE_MAX);
        return NULL;
    }
    FUZZ_CHECK(need == dcs_blob_encoded_size(b));
    uint8_t *out = malloc(need ? need : 1);
    FUZZ_CHECK(out != NULL);
    st = dcs_blob_encode(b, out, need, &got, &err);
    FUZZ_CHECK(st == DCS_OK && got == need);
    *len = need;
    return out;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct json_store store = { { NULL }, 0 }, store2 = { { NULL }, 0 };
    struct dcs_blob model, decoded, model2;
    struct dcs_error err;
    json_error_t jerr;
    uint8_t *bytes = NULL, *bytes2 = NULL;
    size_t len = 0, len2 = 0;
    json_t *in, *out = NULL;

    in = json_loadb((const char *)data, size, DCS_JSON_LOAD_FLAGS, &jerr);
    if (!in)
        return 0;
    if (json_to_blob(in, &store, &model, &err) != DCS_OK)
        goto done;
    bytes = encode(&model, &len);
    if (!bytes)
        goto done;

    unsigned layout = model.format == DCS_FORMAT_WINHTTP ? DCS_DECODE_WINHTTP : DCS_DECODE_WININET;
    dcs_status st = dcs_blob_decode(bytes, len, DCS_DECODE_LENIENT | layout, &decoded, &err);
    if (st != DCS_OK)
        fprintf(stderr, "encoder wrote %zu bytes the decoder refuses: %s\n", len, err.message);
    FUZZ_CHECK(st == DCS_OK);
    FUZZ_CHECK(dcs_blob_equal(&model, &decoded, DCS_EQUAL_EXACT));

    /* through text, as `dcs decode --json | dcs encode --json` does */
    json_t *printed = json_from_blob(&decoded, len);
    FUZZ_CHECK(printed != NULL);
    char *text = json_dumps(printed, JSON_PRESERVE_ORDER);
    json_decref(printed);
    FUZZ_CHECK(text != NULL);
    out = json_loads(text, DCS_JSON_LOAD_FLAGS, &jerr);
    free(text);
    FUZZ_CHECK(out != NULL);
    st = json_to_blob(out, &store2, &model2, &err);
    if (st != DCS_OK)
        fprintf(stderr, "JSON printed for a decoded blob does not read back: %s\n", err.message);
    FUZZ_CHECK(st == DCS_OK);
    bytes2 = encode(&model2, &len2);
    FUZZ_CHECK(bytes2 != NULL);
    FUZZ_CHECK(len2 == len && memcmp(bytes2, bytes, len) == 0);

done:
    free(bytes);
    free(bytes2);
    json_decref(out);
    json_decref(in);
    json_store_free(&store);
    json_store_free(&store2);
    return 0;
}
