/* Reading proxy blobs out of hive files for the CLI. */
#include "hive_source.h"

#include <stdlib.h>
#include <string.h>

#include "cli.h"

dcs_status hive_source_read(const char *path, const char *key, const char *name,
                            uint32_t *type, uint8_t **data, size_t *len,
                            struct dcs_error *err)
{
    dcs_hive *h;
    *data = NULL;
    *len = 0;
    if (!key)
        key = DCS_KEY_CONNECTIONS;
    if (!name)
        name = DCS_VALUE_DEFAULT;
    dcs_status rc = dcs_hive_open(path, DCS_HIVE_READ | DCS_HIVE_RECOVER, &h, err);
    if (rc != DCS_OK)
        return rc;
    if (dcs_hive_get_state(h)->dirty && dcs_hive_get_state(h)->recovered)
        cli_warnf("%s is dirty: read with its transaction logs replayed in memory (%u "
                  "entries), as Windows would load it; the file is unchanged",
                  path, dcs_hive_get_state(h)->recovered_entries);
    else if (dcs_hive_get_state(h)->dirty)
        cli_warnf("%s is dirty (%s): its transaction logs are not replayed, what is read may "
                  "be stale",
                  path, dcs_hive_get_state(h)->reason);
    dcs_hive_key k;
    struct dcs_hive_value v;
    rc = dcs_hive_find_key(h, 0, key, &k, err);
    if (rc == DCS_OK)
        rc = dcs_hive_get_value(h, k, name, &v, err);
    if (rc == DCS_OK) {
        *type = v.type;
        *data = v.data;
        *len = v.len;
        v.data = NULL;
        dcs_hive_value_free(&v);
    }
    dcs_hive_close(h);
    return rc;
}

dcs_status hive_source_load_blob(const struct hive_source_args *a, uint8_t **data, size_t *len,
                                 struct dcs_error *err)
{
    uint32_t type;
    dcs_status rc = hive_source_read(a->hive, a->key, a->value, &type, data, len, err);
    if (rc == DCS_OK && type != DCS_REG_BINARY) {
        free(*data);
        *data = NULL;
        rc = dcs_error_set(err, DCS_ERR_INVALID_ARG, DCS_NO_OFFSET,
                           "value %s has type %u, not REG_BINARY",
                           a->value ? a->value : DCS_VALUE_DEFAULT, type);
    }
    return rc;
}
