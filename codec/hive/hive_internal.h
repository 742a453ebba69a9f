/* Internal to the hive room: the handle behind dcs_hive. */
#ifndef DCS_HIVE_INTERNAL_H
#define DCS_HIVE_INTERNAL_H

#include "dcs_config.h"
#include <dcs/hive.h>

/* The directory part of path: "." without a slash, "/" for "/name";
 * malloc'd, NULL when out of memory. */
char *dcsi_hive_dir_of(const char *path);

#if DCS_HAVE_HIVEX
#include <hivex.h>

struct dcs_hive {
    hive_h *h;
    char *path;
    unsigned flags;
    bool modified;
    struct dcs_hive_state state;
};

/* DCS_HIVE_RECOVER (recover_file.c): replay h's logs into an unlinked
 * temporary file; *fd (-1 when nothing was recovered) is to be opened as
 * "/proc/self/fd/N" and closed after.  A refusal is not an error: h's
 * reason says why and the primary is read as it is. */
dcs_status dcsi_hive_recover_open(struct dcs_hive *h, int *fd, struct dcs_error *err);

/* err <- DCS_ERR_HIVE_LIB (or NOMEM) "what path: libhivex: strerror(errno)". */
dcs_status dcsi_hive_lib_error(struct dcs_error *err, const char *what, const char *path);
#endif

#endif
