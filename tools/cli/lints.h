/* The routing traps of proxy settings (codec/route/ROUTING.md §5, through
 * dcs_route_lint), as the commands that write or show settings report them:
 * dcs apply (plan, dry run, and --expect-proxy URLs the new settings would
 * send DIRECT), dcs show, dcs route. */
#ifndef DCS_TOOLS_LINTS_H
#define DCS_TOOLS_LINTS_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include <dcs/dcs.h>

/* At most this many lints are reported for one blob. */
#define LINTS_MAX 16

/* The lints of a decoded WinINET blob into out (cap LINTS_MAX); returns how
 * many, 0 when the blob uses no manual proxy.  A bad expect URL is a lint of
 * its own kind (the message names it). */
size_t lints_of_blob(const struct dcs_blob *blob, const char *const *expect, size_t n_expect,
                     struct dcs_route_lint *out);

/* Each lint as "dcs: warning: WHO: ID message" on stderr; returns how many. */
size_t lints_warn(const char *who, const struct dcs_blob *blob, const char *const *expect,
                  size_t n_expect);

/* The lints as a JSON array of {"id", "message"} (empty when none). */
json_t *lints_json(const struct dcs_blob *blob);

#endif
