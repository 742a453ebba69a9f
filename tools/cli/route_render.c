/* Rendering for `dcs route`: each URL's answer as a text line or a JSON
 * line, from the library's route result (the one model both are made of). */
#include "route_render.h"

#include <string.h>

/* One URL's answer as the JSON line of dcs route (README), keys in order. */
json_t *route_answer_json(const dcs_route *r, const struct dcs_url *u, const char *url,
                           const struct dcs_route_result *res)
{
    char proxy[600], rule[1200];
    json_t *o = json_object();
    json_object_set_new(o, "url", json_string(url));
    json_object_set_new(o, "client", json_string(dcs_route_client_name(dcs_route_get_client(r))));
    json_object_set_new(o, "decision", json_string(dcs_route_decision_name(res->decision)));
    dcs_route_proxy_format(&res->fixed, proxy, sizeof proxy);
    json_object_set_new(o, "proxy", res->decision == DCS_ROUTE_PROXY || res->decision == DCS_ROUTE_SOCKS
                                        ? json_string(proxy) : json_null());
    dcs_route_rule_format(r, u, res, false, rule, sizeof rule);
    json_object_set_new(o, "rule", json_string(rule));
    if (res->decision != DCS_ROUTE_AUTO) {
        json_object_set_new(o, "fallback", json_null());
        return o;
    }
    json_t *f = json_object();
    json_object_set_new(f, "decision", json_string(dcs_route_decision_name(res->fixed.decision)));
    json_object_set_new(f, "proxy", res->fixed.decision == DCS_ROUTE_DIRECT ? json_null()
                                                                            : json_string(proxy));
    dcs_route_rule_format(r, u, res, true, rule, sizeof rule);
    json_object_set_new(f, "rule", json_string(rule));
    json_object_set_new(o, "fallback", f);
    return o;
}

void route_print_json(json_t *o)
{
    json_dumpf(o, stdout, JSON_PRESERVE_ORDER);
    fputc('\n', stdout);
    json_decref(o);
}

static void text_decision(const struct dcs_route_answer *a)
{
    char proxy[600];
    dcs_route_proxy_format(a, proxy, sizeof proxy);
    printf("%s%s%s", a->decision == DCS_ROUTE_PROXY ? "PROXY" : a->decision == DCS_ROUTE_SOCKS
                                                                   ? "SOCKS" : "DIRECT",
           proxy[0] ? " " : "", proxy);
}

/* URL  DECISION [host:port]  -- rule [; if no PAC: DECISION -- rule; B18] */
void route_print_text(const dcs_route *r, const struct dcs_url *u, const char *prefix,
                       const struct dcs_route_result *res)
{
    char rule[1200];
    fputs(prefix, stdout);
    dcs_route_rule_format(r, u, res, false, rule, sizeof rule);
    if (res->decision == DCS_ROUTE_AUTO) {
        printf("AUTO (WPAD/PAC decide)  -- %s; if no PAC is found: ", rule);
        text_decision(&res->fixed);
        dcs_route_rule_format(r, u, res, true, rule, sizeof rule);
        printf("  -- %s; the bypass list does not apply to PAC results (B18)\n", rule);
        return;
    }
    text_decision(&res->fixed);
    printf("  -- %s\n", rule);
}

void route_print_account(const struct route_account *a, enum dcs_route_client client, bool json,
                         const struct dcs_url *u, const char *url)
{
    if (json) {
        json_t *o;
        if (a->route) {
            struct dcs_route_result res;
            dcs_route_url(a->route, u, &res);
            o = route_answer_json(a->route, u, url, &res);
        } else {
            o = json_object();
            json_object_set_new(o, "url", json_string(url));
            json_object_set_new(o, "client", json_string(dcs_route_client_name(client)));
            json_object_set_new(o, "decision", json_null());
            json_object_set_new(o, "proxy", json_null());
            json_object_set_new(o, "rule", json_null());
            json_object_set_new(o, "fallback", json_null());
        }
        json_object_set_new(o, "sid", json_string(a->sid));
        json_object_set_new(o, "account", json_string(a->label));
        if (!a->route)
            json_object_set_new(o, "error", json_string(a->error));
        route_print_json(o);
        return;
    }
    char prefix[340];
    snprintf(prefix, sizeof prefix, "  %-32s ", a->label);
    if (!a->route) {
        printf("%s(%s)\n", prefix, a->error);
        return;
    }
    struct dcs_route_result res;
    dcs_route_url(a->route, u, &res);
    route_print_text(a->route, u, prefix, &res);
}
