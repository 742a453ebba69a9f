/* dcs — which proxy a URL takes with one set of proxy settings, for WinINET
 * and for the other clients that read the same strings (codec/route/ROUTING.md).
 *
 * Three steps:
 *   1. dcs_route_compile(): the settings (flags, proxy-server string, bypass
 *      list, PAC URL; from a decoded blob with dcs_route_settings_from_blob)
 *      are parsed once, for one client, into a compiled form the caller owns
 *      and frees with dcs_route_free().  The compiled form copies what it
 *      needs: the settings' strings may go away afterwards.
 *   2. dcs_url_parse(): one URL into a struct dcs_url the caller provides
 *      (scheme, userinfo, host incl. IPv6 literals, port; an IDN host is
 *      also converted to its ASCII (punycode) form).  No allocation.
 *   3. dcs_route_url(): the decision for that URL.  No allocation, no
 *      formatting: the result names the rule by id, entry and notes;
 *      dcs_route_rule_format() and dcs_route_proxy_format() write the texts
 *      of `dcs route --json` into caller buffers.
 *
 * Rule ids (P1-P13, B1-B18, §1) are those of codec/route/ROUTING.md.  Where it marks a
 * rule INFERRED or UNKNOWN, the formatted rule text says so.  Nothing here
 * was checked against a real Windows (see its confidence marks).
 */
#ifndef DCS_ROUTE_H
#define DCS_ROUTE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <dcs/blob.h>
#include <dcs/error.h>
#include <dcs/proxylist.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- clients (ROUTING.md §4) ------------------------------------------------- */

enum dcs_route_client {
    DCS_ROUTE_WININET = 0, /* WinINET (IE settings): ROUTING.md §1-§3 */
    DCS_ROUTE_WINHTTP,     /* WinHTTP with these settings as a named proxy */
    DCS_ROUTE_DOTNET,      /* .NET 9+ HttpClient on Windows (HttpWindowsProxy) */
    DCS_ROUTE_CHROMIUM,    /* Chrome/Edge on Windows reading the IE settings */
    DCS_ROUTE_CURL,        /* curl given http(s)_proxy/NO_PROXY made from them */
    DCS_ROUTE_CLIENT_COUNT
};

/* "wininet", "winhttp", "dotnet", "chromium", "curl" (case-insensitive). */
DCS_API bool dcs_route_client_parse(const char *name, enum dcs_route_client *out);
DCS_API const char *dcs_route_client_name(enum dcs_route_client client);

/* ---- settings ------------------------------------------------------------ */

struct dcs_route_settings {
    uint32_t flags;           /* PROXY_TYPE_* (0x02 manual, 0x04 PAC, 0x08 auto-detect) */
    dcs_bytes proxy;          /* proxy-server string */
    dcs_bytes bypass;         /* bypass list */
    dcs_bytes autoconfig_url; /* PAC URL (none in a WinHttpSettings blob) */
};

/* Views into *blob (which must outlive *out). */
DCS_API void dcs_route_settings_from_blob(const struct dcs_blob *blob,
                                          struct dcs_route_settings *out);

typedef struct dcs_route dcs_route;

/* Compile settings for one client.  The proxy string is parsed with the
 * lenient proxy-list grammar (proxylist.h) when the manual proxy is on
 * (flag 0x02, non-empty string); an entry that grammar rejects is
 * DCS_ERR_PROXY_SYNTAX with its byte offset in the proxy string.  The bypass
 * list never fails: an entry WinINET cannot use (CIDR, '?', unknown macro,
 * odd characters) is kept and matched literally, as WinINET does.
 * DCS_ERR_LIMIT for strings over DCS_LIST_MAX_LEN; DCS_ERR_NOMEM. */
DCS_API dcs_status dcs_route_compile(const struct dcs_route_settings *s,
                                     enum dcs_route_client client, dcs_route **out,
                                     struct dcs_error *err);
DCS_API void dcs_route_free(dcs_route *route);
DCS_API enum dcs_route_client dcs_route_get_client(const dcs_route *route);

/* ---- URLs ------------------------------------------------------------------ */

#define DCS_URL_HOST_MAX 255u

enum dcs_url_scheme {
    DCS_URL_OTHER = 0,
    DCS_URL_HTTP,  /* default port 80 */
    DCS_URL_HTTPS, /* 443 */
    DCS_URL_FTP,   /* 21 */
    DCS_URL_WS,    /* 80 */
    DCS_URL_WSS    /* 443 */
};

enum dcs_url_host_kind { DCS_URL_NAME = 0, DCS_URL_IPV4, DCS_URL_IPV6 };

struct dcs_url {
    dcs_list_str scheme;     /* views into the URL text, as written */
    dcs_list_str userinfo;   /* empty when absent */
    dcs_list_str host_text;  /* without the brackets of an IPv6 literal */
    enum dcs_url_scheme scheme_id;
    enum dcs_url_host_kind host_kind;
    uint16_t port;           /* explicit port, else the scheme's default (0: none known) */
    bool has_port;           /* the URL names a port */
    bool non_ascii;          /* host holds non-ASCII characters (IDN) */
    uint8_t addr[16];        /* IPv4 (first 4 bytes) or IPv6 address, network order */
    uint32_t host_len;
    uint32_t ace_len;
    char host[DCS_URL_HOST_MAX + 1]; /* host bytes, ASCII letters in lower case, NUL-ended */
    char ace[DCS_URL_HOST_MAX + 1];  /* IDNA ASCII form: non-ASCII labels as "xn--"
                                        punycode (RFC 3492); equals host for ASCII */
};

/* Parse scheme://[userinfo@]host[:port][/path?query#fragment].  Fails with
 * DCS_ERR_INVALID_ARG naming the byte offset of the fault: no "scheme://",
 * an empty or invalid host, a bad port, an unbalanced or invalid IPv6
 * literal, invalid UTF-8, control characters or spaces, a host over
 * DCS_URL_HOST_MAX bytes (also after IDN conversion).  The IDN conversion
 * is punycode of the code points as written: no Unicode case mapping or
 * normalisation (UTS #46) is applied; the dots U+3002, U+FF0E and U+FF61
 * separate labels as in IDNA. */
DCS_API dcs_status dcs_url_parse(const char *text, size_t len, struct dcs_url *out,
                                 struct dcs_error *err);

/* RFC 3492 punycode of one label's code points (no "xn--" prefix) into
 * out[0..cap); returns the length, or 0 when it does not fit or a code
 * point is invalid. */
DCS_API size_t dcs_punycode_encode(const uint32_t *cp, size_t n, char *out, size_t cap);

/* ---- routing ----------------------------------------------------------------- */

enum dcs_route_decision {
    DCS_ROUTE_DIRECT = 0,
    DCS_ROUTE_PROXY,  /* an HTTP (CERN) proxy; a TLS proxy for Chromium's https:// */
    DCS_ROUTE_SOCKS,
    DCS_ROUTE_AUTO    /* WPAD and/or a PAC script decide: not evaluated */
};
/* "direct", "proxy", "socks", "auto" */
DCS_API const char *dcs_route_decision_name(enum dcs_route_decision d);

/* Which rule decided (ROUTING.md ids; the text names the entry). */
enum dcs_route_rule {
    DCS_RULE_FLAG_OFF = 1,   /* §1 flag 0x02 (PROXY) off */
    DCS_RULE_EMPTY_PROXY,    /* P11 flag 0x02 with an empty proxy string */
    DCS_RULE_LOOPBACK,       /* B11 implicit loopback bypass (Chromium: its wider set) */
    DCS_RULE_BYPASS,         /* B3-B6, B14 a bypass entry matched */
    DCS_RULE_LOCAL,          /* B8/B10 <local> */
    DCS_RULE_KEYED,          /* P1/P2 a scheme= entry */
    DCS_RULE_DEFAULT,        /* P3 the entry without scheme= */
    DCS_RULE_SOCKS,          /* P5 socks= for a scheme without its own entry */
    DCS_RULE_NO_ENTRY        /* P4 no entry for the scheme, no default: DIRECT */
};

/* Remarks that change the confidence of an answer or explain a near miss. */
enum dcs_route_note {
    DCS_NOTE_PREFIX_STRIPPED = 1u << 0,  /* P7 scheme prefix in the proxy value stripped */
    DCS_NOTE_HTTPS_PREFIX = 1u << 1,     /* P8 "https://" in an http= value: still plain HTTP */
    DCS_NOTE_PORT_DEFAULT = 1u << 2,     /* P9 proxy port filled in (80/21/1080/443) */
    DCS_NOTE_PORT_INFERRED = 1u << 3,    /* P9 https=host -> 80: INFERRED */
    DCS_NOTE_PORT_UNKNOWN = 1u << 4,     /* P9 ftp=host -> 80: UNKNOWN */
    DCS_NOTE_DUPLICATE_KEY = 1u << 5,    /* P12 duplicate scheme= entries: first taken */
    DCS_NOTE_OVER_SOCKS = 1u << 6,       /* P6 default entry preferred to socks= */
    DCS_NOTE_POSITION = 1u << 7,         /* P3 a default entry comes before the keyed one */
    DCS_NOTE_WS_SCHEME = 1u << 8,        /* P13 ws/wss have no WinINET mapping */
    DCS_NOTE_TLS_PROXY = 1u << 9,        /* Chromium: https:// value = TLS to the proxy */
    DCS_NOTE_DEFAULT_PORT_MATCH = 1u << 10, /* B6 entry port compared with the scheme default */
    DCS_NOTE_QMARK = 1u << 11,           /* B7 an entry would match if '?' were a wildcard */
    DCS_NOTE_CIDR = 1u << 12,            /* B15 a CIDR entry would cover this address */
    DCS_NOTE_NO_DNS = 1u << 13,          /* B14 IP entries are not matched against names */
    DCS_NOTE_LOCAL_DOT = 1u << 14,       /* B8 <local> skipped: the host has a period */
    DCS_NOTE_LOCAL_TRAILING_DOT = 1u << 15, /* B9 ... only a trailing one */
    DCS_NOTE_NO_LOOPBACK = 1u << 16,     /* B12 <-loopback> removed the implicit bypass */
    DCS_NOTE_NOT_IMPLICIT = 1u << 17,    /* B13 loopback-like host not implicitly bypassed */
    DCS_NOTE_IDN = 1u << 18,             /* B16 non-ASCII host compared as bytes */
    DCS_NOTE_CLIENT_SKIP = 1u << 19,     /* an entry WinINET would honour, this client not */
    DCS_NOTE_LOCAL_IPV6 = 1u << 20       /* B10 <local> with an IPv6 literal */
};

/* One answer of the static (manual) settings. */
struct dcs_route_answer {
    enum dcs_route_decision decision; /* never DCS_ROUTE_AUTO */
    enum dcs_route_rule rule;
    dcs_list_str proxy_host;  /* PROXY/SOCKS: view into the compiled settings */
    uint16_t proxy_port;      /* always set for PROXY/SOCKS (defaults per P9) */
    bool proxy_ipv6;
    uint32_t entry;           /* 1-based proxy or bypass entry the rule names, 0 none */
    dcs_list_str entry_text;  /* that entry as written */
    uint32_t notes;           /* enum dcs_route_note bits */
    uint32_t note_entry;      /* the bypass entry a near-miss note is about, 0 none */
    dcs_list_str note_text;
    uint8_t skip_reason;      /* DCS_NOTE_CLIENT_SKIP: why (internal code) */
};

#define DCS_ROUTE_AUTO_WPAD 0x1u /* flag 0x08 */
#define DCS_ROUTE_AUTO_PAC 0x2u  /* flag 0x04 with a non-blank PAC URL */

struct dcs_route_result {
    enum dcs_route_decision decision; /* DCS_ROUTE_AUTO, or static.decision */
    unsigned auto_how;                /* DCS_ROUTE_AUTO_* when AUTO */
    struct dcs_route_answer fixed;    /* the static settings: the answer, or
                                         the fallback when decision is AUTO */
};

/* Route one parsed URL.  Allocation-free; url must stay unchanged while the
 * result is formatted. */
DCS_API void dcs_route_url(const dcs_route *route, const struct dcs_url *url,
                           struct dcs_route_result *out);

/* The decision that takes effect when no PAC is found: decision, or
 * fixed.decision when decision is AUTO. */
DCS_API enum dcs_route_decision dcs_route_effective(const struct dcs_route_result *res);

/* The rule text of `dcs route --json` ("P3 default entry (no scheme=) proxy:8080"):
 * fallback false for the answer ("§1 auto-detect (WPAD) first, not
 * evaluated" when AUTO), true for the static settings' rule.  Bytes of the
 * settings that are not printable UTF-8 are written as \xNN.  Writes at most
 * cap - 1 bytes and a NUL (cap > 0); returns the full length. */
DCS_API size_t dcs_route_rule_format(const dcs_route *route, const struct dcs_url *url,
                                     const struct dcs_route_result *res, bool fallback,
                                     char *buf, size_t cap);

/* "host:port" of a PROXY/SOCKS answer, an IPv6 host in brackets; "" for
 * DIRECT.  Same buffer rules as dcs_route_rule_format. */
DCS_API size_t dcs_route_proxy_format(const struct dcs_route_answer *a, char *buf, size_t cap);

/* ---- lints (ROUTING.md §5) --------------------------------------------------- */

enum dcs_route_lint_code {
    DCS_LINT_HTTP_ONLY = 1,        /* P4: http= without https= or a default entry */
    DCS_LINT_CIDR,                 /* B15: CIDR bypass entry, matches nothing */
    DCS_LINT_QMARK,                /* B7: '?' in a bypass entry is not a wildcard */
    DCS_LINT_WINHTTP_WILDCARD,     /* '*' not left-most: WinHTTP ignores the entry */
    DCS_LINT_LOCAL_DOTTED,         /* B8: <local> does not cover names with dots */
    DCS_LINT_EXPECT_PROXY_BYPASSED /* a URL expected to use the proxy goes DIRECT */
};

struct dcs_route_lint {
    enum dcs_route_lint_code code;
    const char *id;      /* "P4", "B15", ... */
    uint32_t entry;      /* 1-based proxy/bypass entry, 0 when none */
    uint32_t offset;     /* byte offset of the entry in its string, or UINT32_MAX */
    uint32_t url;        /* DCS_LINT_EXPECT_PROXY_BYPASSED: index into expect_proxy */
    char message[320];   /* one line, printable UTF-8 */
};

/* The traps of ROUTING.md §5 in settings s (checked whatever the flags, since the
 * strings are what gets written), and each URL of expect_proxy (may be
 * NULL when n_expect is 0) that the settings send DIRECT with WinINET,
 * also as the fallback of auto-detect/PAC.  Fills out[0..cap) and sets
 * *count to the number of lints found (which may exceed cap).  Fails only
 * for a proxy string the grammar rejects, an unparsable URL (the message
 * names it) or DCS_ERR_NOMEM. */
DCS_API dcs_status dcs_route_lint(const struct dcs_route_settings *s,
                                  const char *const *expect_proxy, size_t n_expect,
                                  struct dcs_route_lint *out, size_t cap, size_t *count,
                                  struct dcs_error *err);

#ifdef __cplusplus
}
#endif
#endif
