/* JSON <-> blob model for the CLI, through jansson (see README for why).
 *
 * Schema (decode --json): format, version, counter, flags, flag_names, proxy,
 * bypass, autoconfig_url, autodiscovery_flags, last_detect_url,
 * last_detect_time, last_detect_time_utc, ipv4, secondary_url,
 * reload_delay_mins, sockaddrs, trailer, warnings, size; plus
 * "<string>_hex" when a string is not valid UTF-8 and "missing_from" when a
 * lenient decode stopped early.  WinHTTP blobs omit the WinINET-only keys.
 */
#ifndef DCS_TOOLS_JSON_H
#define DCS_TOOLS_JSON_H

#include <jansson.h>

#include <dcs/dcs.h>

/* How `dcs encode --json` loads text: duplicate keys are an error, and
 * \u0000 is allowed because decode prints a string's NUL bytes that way. */
#define DCS_JSON_LOAD_FLAGS (JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL)

/* A JSON object describing blob (size = encoded bytes). NULL on no memory. */
json_t *json_from_blob(const struct dcs_blob *blob, size_t size);

/* Memory that backs the views of a model built from JSON. */
struct json_store {
    uint8_t *chunks[16];
    unsigned n;
};
void json_store_free(struct json_store *store);

/* Build a model from a decode-schema object.  Views point into store.
 * Errors name the offending key. */
dcs_status json_to_blob(json_t *obj, struct json_store *store, struct dcs_blob *out,
                        struct dcs_error *err);

/* The keys of obj that a WinHTTP blob cannot hold (the WinINET-only
 * fields) and that carry something (not null, "", 0 or []), written
 * ", "-separated into out (cap bytes, cut if longer).  Returns how many:
 * json_to_blob leaves them out of a "format":"winhttp" blob. */
size_t json_winhttp_dropped(json_t *obj, char *out, size_t cap);

/* Dump with the project's formatting (2-space indent, key order kept) and a
 * final newline to f. Returns 0 on success. */
int json_print(json_t *value, FILE *f, int compact);

#endif
