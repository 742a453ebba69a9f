/* Reading proxy blobs out of hive files for the CLI (decode --hive,
 * apply --from-hive). */
#ifndef DCS_TOOLS_HIVE_SOURCE_H
#define DCS_TOOLS_HIVE_SOURCE_H

#include <stddef.h>
#include <stdint.h>

#include <dcs/dcs.h>

/* Read value `name` (NULL: DefaultConnectionSettings) of key `key` (NULL: the
 * user hive's ...\Internet Settings\Connections) from the hive file at path,
 * opened read-only.  *data is malloc'd.  A dirty hive is read with a warning
 * on stderr (its logs are not replayed, so the content may be stale). */
dcs_status hive_source_read(const char *path, const char *key, const char *name,
                            uint32_t *type, uint8_t **data, size_t *len,
                            struct dcs_error *err);

/* decode --hive: the options of cmd_decode that select the value. */
struct hive_source_args {
    const char *hive;
    const char *key;
    const char *value;
};

/* Load the blob that `dcs decode --hive FILE [--key K] [--value N]` names
 * (must be REG_BINARY). */
dcs_status hive_source_load_blob(const struct hive_source_args *a, uint8_t **data, size_t *len,
                                 struct dcs_error *err);

#endif
