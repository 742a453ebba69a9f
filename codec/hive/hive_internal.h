/* Internal to the hive room: the handle behind dcs_hive. */
#ifndef DCS_HIVE_INTERNAL_H
#define DCS_HIVE_INTERNAL_H

#include "dcs_config.h"
#include <dcs/hive.h>

#include "hive/regf.h"

/* The directory part of path: "." without a slash, "/" for "/name";
 * malloc'd, NULL when out of memory. */
char *dcsi_hive_dir_of(const char *path);

struct dcs_hive {
    struct dcsi_regf r;
    char *path;
    unsigned flags;
    bool modified;
    struct dcs_hive_state state;
    uint16_t *units;  /* a name being looked up, as given */
    uint16_t *up;     /* ... upper-cased */
    uint8_t *conv;    /* UTF-8 -> UTF-16LE conversion buffer */
};

/* err <- "... was opened read-only" unless h is writable. */
dcs_status dcsi_hive_need_write(dcs_hive *h, struct dcs_error *err);
/* name[0..len) (UTF-8) as UTF-16 units in h->units, upper-cased in h->up;
 * at most max units. */
dcs_status dcsi_hive_to_units(dcs_hive *h, const char *name, size_t len, size_t max, size_t *n,
                              struct dcs_error *err);
/* The key cell behind handle k (checked to be a key node). */
dcs_status dcsi_hive_key_cell(dcs_hive *h, dcs_hive_key k, uint32_t *off, struct dcs_error *err);

/* Room for the UTF-8 form of name in *buf (realloc'd as needed). */
bool dcsi_hive_name_room(char **buf, size_t *cap, const struct dcsi_regf_name *name);

/* Write the hive's bytes, with every pending edit, to a new file at path
 * (which must exist and is truncated). */
dcs_status dcsi_hive_write_path(dcs_hive *h, const char *path, struct dcs_error *err);

#endif
