/* Compiling settings for one client: the behaviour table (ROUTING.md §4), the
 * proxy-server string (parsed with the proxy-list grammar) and the proxy
 * each URL scheme takes, chosen once here so that routing a URL is a lookup. */
#include "route/route_internal.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define KEY(k) (1u << (k))
#define KEYS_ALL (KEY(DCS_PROXY_KEY_HTTP) | KEY(DCS_PROXY_KEY_HTTPS) | KEY(DCS_PROXY_KEY_FTP) | \
                  KEY(DCS_PROXY_KEY_SOCKS))
#define KEYS_WEB (KEY(DCS_PROXY_KEY_HTTP) | KEY(DCS_PROXY_KEY_HTTPS))

/* The per-client differences of ROUTING.md §4 as data; route_match.c and the
 * pick below read these flags and hold no per-client copies of the logic.
 * Fields in struct order; see route_internal.h. */
static const struct route_behaviour behaviours[DCS_ROUTE_CLIENT_COUNT] = {
    [DCS_ROUTE_WININET] = {"wininet", "WinINET", PICK_SPECIFIC_FIRST, KEYS_ALL, false, true, false,
                           false, SPLIT_WININET, WILD_ANYWHERE, HOST_ANCHORED, true, true, false,
                           false, false, LOCAL_NO_PERIOD, LOOP_WININET, false, true, false},
    /* [R4][R5]: http/https keys only, wildcards left-most only; no static fallback [R6] */
    [DCS_ROUTE_WINHTTP] = {"winhttp", "WinHTTP", PICK_SPECIFIC_FIRST, KEYS_WEB, false, false, false,
                           false, SPLIT_WININET, WILD_LEFTMOST, HOST_ANCHORED, true, true, false,
                           false, false, LOCAL_NO_PERIOD, LOOP_UNKNOWN, false, true, true},
    /* [R15] HttpWindowsProxy / MultiProxy, .NET 9+ */
    [DCS_ROUTE_DOTNET] = {"dotnet", ".NET", PICK_FIRST_APPLICABLE, KEYS_WEB, true, false, false,
                          true, SPLIT_DOTNET, WILD_ANYWHERE, HOST_ANCHORED, false, false, true,
                          false, false, LOCAL_DOTNET, LOOP_NONE, true, true, false},
    /* [R9][R10][R11] */
    [DCS_ROUTE_CHROMIUM] = {"chromium", "Chromium", PICK_CHROMIUM, KEYS_ALL, true, true, true,
                            false, SPLIT_CHROMIUM, WILD_ANYWHERE, HOST_ANCHORED, true, true, false,
                            true, true, LOCAL_NOT_IP, LOOP_CHROMIUM, true, true, false},
    /* [R16] NO_PROXY; the proxy is the one WinINET picks */
    [DCS_ROUTE_CURL] = {"curl", "curl", PICK_SPECIFIC_FIRST, KEYS_ALL, false, true, false, false,
                        SPLIT_WININET, WILD_LONE_STAR, HOST_SUFFIX, false, false, true, false, true,
                        LOCAL_NEVER, LOOP_NONE, true, false, false},
};

const struct route_behaviour *dcsi_route_behaviour(enum dcs_route_client client)
{
    return (unsigned)client < DCS_ROUTE_CLIENT_COUNT ? &behaviours[client] : NULL;
}

bool dcs_route_client_parse(const char *name, enum dcs_route_client *out)
{
    for (unsigned i = 0; name && i < DCS_ROUTE_CLIENT_COUNT; i++)
        if (strcasecmp(name, behaviours[i].name) == 0) {
            if (out)
                *out = (enum dcs_route_client)i;
            return true;
        }
    return false;
}

const char *dcs_route_client_name(enum dcs_route_client client)
{
    return (unsigned)client < DCS_ROUTE_CLIENT_COUNT ? behaviours[client].name : "?";
}

enum dcs_route_client dcs_route_get_client(const dcs_route *route)
{
    return route->client;
}

void dcs_route_settings_from_blob(const struct dcs_blob *blob, struct dcs_route_settings *out)
{
    memset(out, 0, sizeof *out);
    out->flags = blob->flags;
    out->proxy = blob->proxy;
    out->bypass = blob->bypass;
    if (blob->format == DCS_FORMAT_WININET && blob->nfields > DCS_FIELD_AUTOCONFIG_URL)
        out->autoconfig_url = blob->autoconfig_url;
}

/* ---- proxy entries ------------------------------------------------------------ */

static enum route_prefix classify_prefix(dcs_list_str s)
{
    static const struct {
        const char *name;
        enum route_prefix p;
    } t[] = {{"http", PREFIX_HTTP},     {"https", PREFIX_HTTPS},   {"ftp", PREFIX_FTP},
             {"socks", PREFIX_SOCKS},   {"socks4", PREFIX_SOCKS},  {"socks4a", PREFIX_SOCKS},
             {"socks5", PREFIX_SOCKS},  {"socks5h", PREFIX_SOCKS}};
    if (s.len == 0)
        return PREFIX_NONE;
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++)
        if (strlen(t[i].name) == s.len && strncasecmp(s.ptr, t[i].name, s.len) == 0)
            return t[i].p;
    return PREFIX_OTHER;
}

/* The key as the client reads it: unrecognised keys become UNKNOWN. */
static uint8_t client_key(const struct route_behaviour *b, const struct dcs_proxy_entry *e)
{
    if (e->key == DCS_PROXY_KEY_DEFAULT)
        return DCS_PROXY_KEY_DEFAULT;
    if (e->key == DCS_PROXY_KEY_UNKNOWN || !(b->keys & KEY(e->key)))
        return DCS_PROXY_KEY_UNKNOWN;
    if (b->keys_case_sensitive) {
        const char *want = dcs_proxy_key_name(e->key);
        if (strlen(want) != e->key_text.len || memcmp(want, e->key_text.ptr, e->key_text.len) != 0)
            return DCS_PROXY_KEY_UNKNOWN;
    }
    return (uint8_t)e->key;
}

/* Kind of proxy and its port when the entry names none (P7-P9; Chromium's
 * proxy URI schemes [R9]; .NET puts "http://" in front [R15]). */
static void value_kind(const struct route_behaviour *b, struct route_proxy *p)
{
    if (b->chromium_values) {
        if (p->prefix == PREFIX_HTTPS)
            p->kind = VALUE_TLS;
        else if (p->prefix == PREFIX_SOCKS || (p->prefix == PREFIX_NONE && p->key == DCS_PROXY_KEY_SOCKS))
            p->kind = VALUE_SOCKS;
        else if (p->prefix == PREFIX_NONE || p->prefix == PREFIX_HTTP)
            p->kind = VALUE_HTTP;
        else
            p->kind = VALUE_INVALID;
        if (p->prefix == PREFIX_HTTPS)
            p->notes |= DCS_NOTE_TLS_PROXY;
    } else {
        p->kind = (p->key == DCS_PROXY_KEY_SOCKS && !b->secure_insecure) ? VALUE_SOCKS : VALUE_HTTP;
        if (p->prefix == PREFIX_HTTPS)
            p->notes |= DCS_NOTE_HTTPS_PREFIX;
        else if (p->prefix != PREFIX_NONE)
            p->notes |= DCS_NOTE_PREFIX_STRIPPED;
    }
    if (p->has_port)
        return;
    p->notes |= DCS_NOTE_PORT_DEFAULT;
    if (p->kind == VALUE_SOCKS)
        p->port = 1080;
    else if (p->kind == VALUE_TLS)
        p->port = 443;
    else if (!b->secure_insecure && p->prefix == PREFIX_FTP)
        p->port = 21;
    else {
        p->port = 80;
        if (!b->secure_insecure && p->key == DCS_PROXY_KEY_HTTPS)
            p->notes |= DCS_NOTE_PORT_INFERRED;
        if (!b->secure_insecure && p->key == DCS_PROXY_KEY_FTP)
            p->notes |= DCS_NOTE_PORT_UNKNOWN;
    }
}

dcs_status dcsi_route_compile_proxy(struct dcs_route *r, const char *text, uint32_t len,
                                    struct dcs_error *err)
{
    struct dcs_list_iter it;
    struct dcs_proxy_entry e;
    bool got;
    dcs_proxy_iter_init(&it, text, len, DCS_LIST_LENIENT);
    for (;;) {
        dcs_status st = dcs_proxy_next(&it, &e, &got, err);
        if (st != DCS_OK)
            return st;
        if (!got)
            return DCS_OK;
        struct route_proxy *p = &r->proxy[r->nproxy++];
        memset(p, 0, sizeof *p);
        p->index = r->nproxy;
        p->key = client_key(r->b, &e);
        p->prefix = (uint8_t)classify_prefix(e.addr.scheme);
        p->ipv6 = e.addr.ipv6;
        p->has_port = e.addr.has_port;
        p->port = e.addr.port;
        p->text_off = e.offset;
        p->text_len = e.length;
        p->host_off = (uint32_t)(e.addr.host.ptr - text);
        p->host_len = e.addr.host.len;
        value_kind(r->b, p);
    }
}

/* ---- choosing the proxy for each scheme class ---------------------------------- */

static int class_key(const struct route_behaviour *b, enum route_class c)
{
    int k = c == CLASS_HTTP ? DCS_PROXY_KEY_HTTP
          : c == CLASS_HTTPS ? DCS_PROXY_KEY_HTTPS
          : c == CLASS_FTP ? DCS_PROXY_KEY_FTP : -1;
    return (k >= 0 && (b->keys & KEY(k))) ? k : -1;
}

static bool usable(const struct route_proxy *p)
{
    return p->kind != VALUE_INVALID && p->key != DCS_PROXY_KEY_UNKNOWN;
}

/* WinINET (P1-P6, P12, P13), WinHTTP and curl: the scheme's entry, else
 * the default entry, else socks=. */
static struct route_pick pick_specific(const struct dcs_route *r, enum route_class c)
{
    struct route_pick pk = {0, DCS_RULE_NO_ENTRY, 0};
    uint32_t keyed = 0, dflt = 0, socks = 0, dups = 0;
    int k = class_key(r->b, c);
    for (uint32_t i = 0; i < r->nproxy; i++) {
        const struct route_proxy *p = &r->proxy[i];
        if (!usable(p))
            continue;
        if (k >= 0 && p->key == k)
            dups += keyed ? 1 : (keyed = i + 1, 0);
        else if (p->key == DCS_PROXY_KEY_DEFAULT && !dflt)
            dflt = i + 1;
        else if (p->key == DCS_PROXY_KEY_SOCKS && r->b->socks_fallback && !socks)
            socks = i + 1;
    }
    if (keyed) {
        pk = (struct route_pick){keyed, DCS_RULE_KEYED, 0};
        if (dups)
            pk.notes |= DCS_NOTE_DUPLICATE_KEY;
        if (dflt && dflt < keyed)
            pk.notes |= DCS_NOTE_POSITION;
        return pk;
    }
    if (dflt)
        pk = (struct route_pick){dflt, DCS_RULE_DEFAULT, socks ? DCS_NOTE_OVER_SOCKS : 0};
    else if (socks)
        pk = (struct route_pick){socks, DCS_RULE_SOCKS, 0};
    if ((c == CLASS_WS || c == CLASS_WSS) && r->client != DCS_ROUTE_WINHTTP)
        pk.notes |= DCS_NOTE_WS_SCHEME;
    return pk;
}

/* .NET: the first entry, in order, that serves the URL's side (https/wss
 * or everything else): a key-less entry serves both [R15]. */
static struct route_pick pick_first(const struct dcs_route *r, enum route_class c)
{
    bool secure = c == CLASS_HTTPS || c == CLASS_WSS;
    uint8_t want = secure ? DCS_PROXY_KEY_HTTPS : DCS_PROXY_KEY_HTTP;
    for (uint32_t i = 0; i < r->nproxy; i++) {
        const struct route_proxy *p = &r->proxy[i];
        if (!usable(p) || (p->key != DCS_PROXY_KEY_DEFAULT && p->key != want))
            continue;
        struct route_pick pk = {i + 1, p->key == want ? DCS_RULE_KEYED : DCS_RULE_DEFAULT, 0};
        for (uint32_t j = i + 1; pk.rule == DCS_RULE_DEFAULT && j < r->nproxy; j++)
            if (usable(&r->proxy[j]) && r->proxy[j].key == want)
                pk.notes |= DCS_NOTE_POSITION;
        return pk;
    }
    return (struct route_pick){0, DCS_RULE_NO_ENTRY, 0};
}

/* Chromium's ProxyRules::ParseFromString and MapUrlSchemeToProxyList [R9]:
 * a key-less entry before any keyed one serves everything and ends the
 * parse; after a keyed one it is ignored. */
static void pick_chromium(struct dcs_route *r)
{
    uint32_t list[4] = {0}; /* indexed by dcs_proxy_key: HTTP, HTTPS, FTP, SOCKS */
    bool per_scheme = false;
    for (uint32_t i = 0; i < r->nproxy; i++) {
        const struct route_proxy *p = &r->proxy[i];
        if (p->key == DCS_PROXY_KEY_DEFAULT && !per_scheme) {
            for (int c = 0; c < CLASS_COUNT; c++)
                r->pick[c] = (struct route_pick){usable(p) ? i + 1 : 0,
                                                 usable(p) ? DCS_RULE_DEFAULT : DCS_RULE_NO_ENTRY, 0};
            return;
        }
        if (p->key == DCS_PROXY_KEY_DEFAULT)
            continue;
        per_scheme = true;
        if (usable(p) && p->key <= DCS_PROXY_KEY_SOCKS && !list[p->key - 1])
            list[p->key - 1] = i + 1;
    }
    for (int c = 0; c < CLASS_COUNT; c++) {
        int k = class_key(r->b, (enum route_class)c);
        uint32_t e = k > 0 ? list[k - 1] : 0; /* keys HTTP..FTP are 1..3 */
        uint8_t rule = DCS_RULE_KEYED;
        if (!e && (c == CLASS_WS || c == CLASS_WSS)) {
            e = list[DCS_PROXY_KEY_SOCKS - 1] ? list[DCS_PROXY_KEY_SOCKS - 1]
              : list[DCS_PROXY_KEY_HTTPS - 1] ? list[DCS_PROXY_KEY_HTTPS - 1]
                                              : list[DCS_PROXY_KEY_HTTP - 1];
            rule = e == list[DCS_PROXY_KEY_SOCKS - 1] ? DCS_RULE_SOCKS : DCS_RULE_KEYED;
        } else if (!e && list[DCS_PROXY_KEY_SOCKS - 1]) {
            e = list[DCS_PROXY_KEY_SOCKS - 1];
            rule = DCS_RULE_SOCKS;
        }
        r->pick[c] = (struct route_pick){e, e ? rule : DCS_RULE_NO_ENTRY, 0};
    }
}

void dcsi_route_pick(struct dcs_route *r)
{
    if (r->b->pick == PICK_CHROMIUM) {
        pick_chromium(r);
        return;
    }
    for (int c = 0; c < CLASS_COUNT; c++)
        r->pick[c] = r->b->pick == PICK_FIRST_APPLICABLE ? pick_first(r, (enum route_class)c)
                                                         : pick_specific(r, (enum route_class)c);
}

/* ---- compile ------------------------------------------------------------------ */

static bool blank(dcs_bytes s)
{
    for (uint32_t i = 0; i < s.len; i++)
        if (s.ptr[i] != ' ' && s.ptr[i] != '\t' && s.ptr[i] != '\r' && s.ptr[i] != '\n')
            return false;
    return true;
}

static dcs_status alloc_route(const struct dcs_route_settings *s, struct dcs_route **out,
                              struct dcs_error *err)
{
    /* entries are at most (len + 1) / 2: each needs a byte and a separator */
    size_t np = s->proxy.len / 2 + 1, nb = s->bypass.len / 2 + 1;
    size_t text = (size_t)s->proxy.len + 2 * (size_t)s->bypass.len + 1;
    size_t size = sizeof(struct dcs_route) + np * sizeof(struct route_proxy) +
                  nb * sizeof(struct route_bypass) + text;
    /* where size_t is 32 bits, the sum can wrap: then it cannot be allocated */
    if (np > SIZE_MAX / 4 / sizeof(struct route_proxy) ||
        nb > SIZE_MAX / 4 / sizeof(struct route_bypass) || text > SIZE_MAX / 4) {
        dcs_error_set(err, DCS_ERR_NOMEM, DCS_NO_OFFSET, "out of memory");
        return DCS_ERR_NOMEM;
    }
    struct dcs_route *r = calloc(1, size);
    if (!r) {
        dcs_error_set(err, DCS_ERR_NOMEM, DCS_NO_OFFSET, "out of memory (%zu bytes)", size);
        return DCS_ERR_NOMEM;
    }
    r->proxy = (struct route_proxy *)(r + 1);
    r->bypass = (struct route_bypass *)(r->proxy + np);
    r->text = (char *)(r->bypass + nb);
    *out = r;
    return DCS_OK;
}

dcs_status dcs_route_compile(const struct dcs_route_settings *s, enum dcs_route_client client,
                             dcs_route **out, struct dcs_error *err)
{
    struct dcs_route *r = NULL;
    if (!s || !out || (unsigned)client >= DCS_ROUTE_CLIENT_COUNT ||
        (s->proxy.len && !s->proxy.ptr) || (s->bypass.len && !s->bypass.ptr) ||
        (s->autoconfig_url.len && !s->autoconfig_url.ptr))
        return dcs_error_set(err, DCS_ERR_INVALID_ARG, DCS_NO_OFFSET, "invalid argument");
    *out = NULL;
    if (s->proxy.len > DCS_LIST_MAX_LEN || s->bypass.len > DCS_LIST_MAX_LEN)
        return dcs_error_set(err, DCS_ERR_LIMIT, DCS_NO_OFFSET, "proxy or bypass string longer "
                             "than %u bytes", (unsigned)DCS_LIST_MAX_LEN);
    bool manual = (s->flags & DCS_PROXY_TYPE_PROXY) != 0;
    struct dcs_route_settings used = *s;
    if (!manual) /* the strings stay stored but are ignored (§1 Flags) */
        used.proxy.len = used.bypass.len = 0;
    dcs_status st = alloc_route(&used, &r, err);
    if (st)
        return st;
    r->b = &behaviours[client];
    r->client = client;
    r->flags = s->flags;
    r->proxy_flag = manual;
    r->proxy_on = manual && used.proxy.len > 0;
    if (s->flags & DCS_PROXY_TYPE_AUTO_DETECT)
        r->auto_how |= DCS_ROUTE_AUTO_WPAD;
    if ((s->flags & DCS_PROXY_TYPE_AUTO_PROXY_URL) && !blank(s->autoconfig_url))
        r->auto_how |= DCS_ROUTE_AUTO_PAC;
    if (!r->b->auto_reported)
        r->auto_how = 0;
    if (used.proxy.len)
        memcpy(r->text, used.proxy.ptr, used.proxy.len);
    r->text_len = used.proxy.len;
    st = dcsi_route_compile_proxy(r, r->text, used.proxy.len, err);
    if (st) {
        free(r);
        if (!err)
            return st;
        char inner[DCS_ERROR_MESSAGE_MAX];
        memcpy(inner, err->message, sizeof inner);
        return dcs_error_set(err, st, err->offset, "proxy string: %s", inner);
    }
    dcsi_route_compile_bypass(r, (const char *)used.bypass.ptr, used.bypass.len);
    dcsi_route_pick(r);
    *out = r;
    return DCS_OK;
}

void dcs_route_free(dcs_route *route)
{
    free(route);
}
