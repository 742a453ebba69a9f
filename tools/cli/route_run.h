/* The flow of `dcs route` once its options are parsed (route_run.c). */
#ifndef DCS_TOOLS_ROUTE_RUN_H
#define DCS_TOOLS_ROUTE_RUN_H

#include <stdbool.h>
#include <stddef.h>

#include <dcs/dcs.h>

#include "apply_run.h"

struct route_cmd {
    struct apply_opts src;   /* --from-*, --mode, --proxy, --bypass, --pac, --key */
    int nsources;
    const char *windows, *sid;
    bool all_accounts, json;
    int expect;              /* -1 none, else DCS_ROUTE_DIRECT / DCS_ROUTE_PROXY */
    enum dcs_route_client client;
    const char **urls;
    size_t nurls;
    struct dcs_url *parsed;
};

/* Every URL parsed before anything is printed (a bad one prints nothing);
 * the exit code. */
int route_parse_urls(struct route_cmd *c);
/* The settings of the one source for every URL; the exit code. */
int route_one(struct route_cmd *c);
/* --all-accounts: every service account and user of the image, per URL. */
int route_all(struct route_cmd *c);

#endif
