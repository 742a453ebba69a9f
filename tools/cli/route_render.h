/* Rendering for `dcs route`: the library's answer for a URL (struct
 * dcs_route_result) as text or as a JSON line (README). */
#ifndef DCS_TOOLS_ROUTE_RENDER_H
#define DCS_TOOLS_ROUTE_RENDER_H

#include <jansson.h>
#include <stdbool.h>

#include <dcs/dcs.h>

/* One account of an image, as --all-accounts shows it: its compiled
 * settings, or why it has none. */
struct route_account {
    char sid[200];
    char label[300];
    uint8_t *data;
    struct dcs_blob blob;
    dcs_route *route;
    char error[DCS_ERROR_MESSAGE_MAX]; /* why there is no route */
};

/* One URL's answer as the JSON object of dcs route, keys in order. */
json_t *route_answer_json(const dcs_route *r, const struct dcs_url *u, const char *url,
                          const struct dcs_route_result *res);
/* o on one line of standard output; o is released. */
void route_print_json(json_t *o);
/* prefix, then "DECISION [host:port]  -- rule [; if no PAC: ...]". */
void route_print_text(const dcs_route *r, const struct dcs_url *u, const char *prefix,
                      const struct dcs_route_result *res);
/* The line of one account for the URL u (spelt url), text or JSON. */
void route_print_account(const struct route_account *a, enum dcs_route_client client, bool json,
                         const struct dcs_url *u, const char *url);

#endif
