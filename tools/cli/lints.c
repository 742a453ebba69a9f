/* Routing lints for the commands that write or show proxy settings. */
#include "lints.h"

#include <stdio.h>
#include <string.h>

#include "cli.h"

size_t lints_of_blob(const struct dcs_blob *blob, const char *const *expect, size_t n_expect,
                     struct dcs_route_lint *out)
{
    struct dcs_route_settings s;
    struct dcs_error err;
    size_t n = 0;
    dcs_route_settings_from_blob(blob, &s);
    if (!(s.flags & DCS_PROXY_TYPE_PROXY))
        return 0;
    if (dcs_route_lint(&s, expect, n_expect, out, LINTS_MAX, &n, &err) != DCS_OK) {
        memset(&out[0], 0, sizeof out[0]);
        out[0].id = "lint";
        snprintf(out[0].message, sizeof out[0].message, "%.300s", err.message);
        return 1;
    }
    return n < LINTS_MAX ? n : LINTS_MAX;
}

size_t lints_warn(const char *who, const struct dcs_blob *blob, const char *const *expect,
                  size_t n_expect)
{
    struct dcs_route_lint l[LINTS_MAX];
    size_t n = lints_of_blob(blob, expect, n_expect, l);
    for (size_t i = 0; i < n; i++)
        cli_warnf("%s%s%s %s", who ? who : "", who ? ": " : "", l[i].id, l[i].message);
    return n;
}

json_t *lints_json(const struct dcs_blob *blob)
{
    struct dcs_route_lint l[LINTS_MAX];
    size_t n = lints_of_blob(blob, NULL, 0, l);
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(a, json_pack("{s:s, s:s}", "id", l[i].id, "message", l[i].message));
    return a;
}
