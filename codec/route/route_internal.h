/* dcs — route room internals: the per-client behaviour table and the
 * compiled settings (not installed). */
#ifndef DCS_ROUTE_INTERNAL_H
#define DCS_ROUTE_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <dcs/route.h>

/* ---- the behaviour table (ROUTING.md §4): one row per client ------------------ */

enum route_bypass_split { SPLIT_WININET, SPLIT_CHROMIUM, SPLIT_DOTNET };
enum route_wildcard { WILD_ANYWHERE, WILD_LEFTMOST, WILD_LONE_STAR };
enum route_host_match { HOST_ANCHORED, HOST_SUFFIX };
enum route_local { LOCAL_NO_PERIOD, LOCAL_DOTNET, LOCAL_NOT_IP, LOCAL_NEVER };
enum route_loopback { LOOP_WININET, LOOP_UNKNOWN, LOOP_NONE, LOOP_CHROMIUM };
enum route_proxy_pick { PICK_SPECIFIC_FIRST, PICK_FIRST_APPLICABLE, PICK_CHROMIUM };

struct route_behaviour {
    const char *name;
    const char *label;           /* "WinHTTP", used in rule texts */
    /* proxy string */
    enum route_proxy_pick pick;
    unsigned keys;               /* 1 << enum dcs_proxy_key recognised */
    bool keys_case_sensitive;    /* only the lower-case spelling counts */
    bool socks_fallback;         /* socks= serves schemes without an entry */
    bool chromium_values;        /* https:// = TLS proxy, socks*:// = SOCKS */
    bool secure_insecure;        /* https/wss take https=, all else http= */
    /* bypass list */
    enum route_bypass_split split;
    enum route_wildcard wildcard;
    enum route_host_match host_match;
    bool scheme_filter;          /* [scheme://] restricts the entry */
    bool port_filter;            /* :port restricts the entry (effective port) */
    bool port_never;             /* an entry with :port never matches */
    bool leading_dot_star;       /* ".x" means "*.x" */
    bool cidr;                   /* a/len entries cover IP literals */
    enum route_local local;
    enum route_loopback loopback;
    bool match_ace;              /* compare the IDNA (punycode) host */
    /* automatic settings */
    bool auto_reported;          /* 0x04/0x08 reported as "auto" */
    bool auto_no_fallback;       /* the client itself never falls back */
};

const struct route_behaviour *dcsi_route_behaviour(enum dcs_route_client client);

/* ---- compiled settings ------------------------------------------------------- */

enum route_value_kind { VALUE_HTTP = 0, VALUE_TLS, VALUE_SOCKS, VALUE_INVALID };
enum route_prefix { PREFIX_NONE = 0, PREFIX_HTTP, PREFIX_HTTPS, PREFIX_FTP, PREFIX_SOCKS,
                    PREFIX_OTHER };

struct route_proxy {
    uint32_t index;          /* 1-based among the entries */
    uint8_t key;             /* enum dcs_proxy_key as the client reads it */
    uint8_t prefix;          /* enum route_prefix of the value */
    uint8_t kind;            /* enum route_value_kind */
    bool ipv6;
    bool has_port;
    uint16_t port;           /* effective port (P9 defaults applied) */
    uint32_t notes;          /* DCS_NOTE_* about this entry's port/prefix */
    uint32_t text_off, text_len, host_off, host_len; /* into route->text */
};

enum route_bypass_kind { BP_HOST = 0, BP_LOCAL, BP_NO_LOOPBACK, BP_MACRO, BP_STAR_ALL };

/* skip reasons for DCS_NOTE_CLIENT_SKIP */
enum route_skip { SKIP_NONE = 0, SKIP_WILDCARD, SKIP_PORT, SKIP_LOCAL, SKIP_SCHEME,
                  SKIP_STAR };

struct route_bypass {
    uint32_t index;          /* 1-based among the non-empty entries */
    uint8_t kind;            /* enum route_bypass_kind */
    bool has_port;
    bool has_star;
    bool star_inside;        /* a '*' other than the first byte */
    bool has_qmark;
    bool cidr;               /* pattern/len with an IP address */
    bool ip_pattern;         /* digits, dots and '*' only, or an IPv6 pattern */
    bool v6;                 /* pattern came from "[...]" or holds two ':' */
    uint8_t cidr_bits;
    uint8_t cidr_family;     /* 4 or 6 */
    uint8_t cidr_addr[16];
    uint16_t port;
    uint32_t scheme_off, scheme_len; /* lower case, into route->text; len 0: any */
    uint32_t pat_off, pat_len;       /* lower-case host pattern, into route->text */
    uint32_t pre_len, suf_len;       /* literal bytes before the first '*' and after the
                                        last one (the whole pattern when there is none):
                                        a quick reject before the wildcard match */
    uint32_t text_off, text_len;     /* the entry as written */
};

/* URL scheme classes for the precomputed proxy choice */
enum route_class { CLASS_HTTP = 0, CLASS_HTTPS, CLASS_FTP, CLASS_WS, CLASS_WSS, CLASS_OTHER,
                   CLASS_COUNT };

struct route_pick {
    uint32_t entry;          /* 1-based into route->proxy, 0: none */
    uint8_t rule;            /* enum dcs_route_rule */
    uint32_t notes;
};

struct dcs_route {
    const struct route_behaviour *b;
    enum dcs_route_client client;
    uint32_t flags;
    unsigned auto_how;
    bool proxy_flag;         /* 0x02 */
    bool proxy_on;           /* 0x02 and a non-empty proxy string */
    bool no_loopback;        /* <-loopback> listed */
    bool any_ip_pattern;     /* some entry is an IP pattern (B14 note) */
    uint32_t local_entry;    /* first <local>, 0 none */
    struct route_pick pick[CLASS_COUNT];
    uint32_t nproxy, nbypass;
    struct route_proxy *proxy;
    struct route_bypass *bypass;
    char *text;              /* copies: proxy string, then the bypass list lower-cased */
    uint32_t text_len;
    uint32_t bypass_base;    /* offset of the original bypass text in text */
};

/* compile helpers (route_compile.c, route_bypass.c) */
dcs_status dcsi_route_compile_proxy(struct dcs_route *r, const char *text, uint32_t len,
                                    struct dcs_error *err);
void dcsi_route_compile_bypass(struct dcs_route *r, const char *orig, uint32_t len);
void dcsi_route_pick(struct dcs_route *r);

/* matching (route_match.c) */
bool dcsi_route_glob(const char *pat, size_t plen, const char *s, size_t slen, bool qmark);
bool dcsi_route_parse_ipv4(const char *s, size_t n, uint8_t out[4]);
bool dcsi_route_parse_ipv6(const char *s, size_t n, uint8_t out[16]);
enum route_class dcsi_route_class(enum dcs_url_scheme s);

static inline char route_lower(char c)
{
    return (c >= 'A' && c <= 'Z') ? (char)(c + 32) : c;
}

static inline bool route_digit(unsigned char c)
{
    return c >= '0' && c <= '9';
}

static inline bool route_alpha(unsigned char c)
{
    return (c | 0x20) >= 'a' && (c | 0x20) <= 'z';
}

#endif
