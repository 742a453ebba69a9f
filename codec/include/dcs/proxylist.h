/* dcs — the proxy-server and bypass-list grammar of WinINET / WinHTTP
 * (codec/proxylist/FORMAT.md §1 and §2).
 *
 * Proxy-server list: entries `[<key>=][<scheme>://]<server>[:<port>]`
 * separated by ';' and/or whitespace, e.g. "http=h:80;https=h:443;s:3128".
 * An entry without `key=` is the proxy for every protocol not listed.
 *
 * Bypass list: entries `[<scheme>://]<host-pattern>[:<port>]`, the macros
 * `<local>` and `<-loopback>`, separated by ';' and/or whitespace.  `*` may
 * stand anywhere in a host pattern (WinINET accepts "10.*.*.*",
 * "*.*carnival.com"; WinHTTP only a leading "*.", see DCS_LIST_WINHTTP).
 *
 * Both parsers are zero-copy and allocation-free iterators over a byte
 * string that need not be NUL-terminated.  Every view in an entry points into
 * the caller's text, which must outlive the entries.  Offsets are byte
 * offsets from the start of the list.
 *
 * Modes: lenient (default) accepts what Windows' readers accept and records
 * warnings for oddities (empty entries, unknown keys or schemes, non-ASCII
 * host names, ...); strict rejects every one of those with an error naming
 * the byte offset.  Some faults are errors in both modes: a bad or missing
 * port, an empty host, an unbalanced '[', a control character, a character
 * that cannot be part of a host name.
 */
#ifndef DCS_PROXYLIST_H
#define DCS_PROXYLIST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <dcs/error.h>

#ifdef __cplusplus
extern "C" {
#endif

/* A view into the list text.  Not NUL-terminated; ptr may be NULL when len == 0. */
typedef struct dcs_list_str {
    const char *ptr;
    uint32_t len;
} dcs_list_str;

/* Options (bit set). */
#define DCS_LIST_LENIENT 0x0u /* default: accept, record warnings */
#define DCS_LIST_STRICT 0x1u  /* every warning becomes an error */
#define DCS_LIST_WINHTTP 0x2u /* bypass: a '*' other than a leading "*." is
                                 a warning (error when strict): WinHTTP's rule */
#define DCS_LIST_COMMAS 0x4u  /* ',' separates entries too (bitsadmin lists) */
/* What a list written into a blob may hold, not its grammar (the applier's
 * source takes lists this way): a control character, bytes that are not
 * UTF-8 and an entry over DCS_LIST_ENTRY_MAX bytes are errors naming the
 * offset; an entry outside the grammar (a CIDR block "10.0.0.0/8", a stray
 * '<') is a warning, DCS_LIST_WARN_NOT_GRAMMAR, since WinINET stores it and
 * matches it as text.  The entry is then returned whole as addr.host (a
 * proxy entry as the default key, a bypass entry as DCS_BYPASS_HOST).  With
 * DCS_LIST_STRICT the grammar error stands. */
#define DCS_LIST_SYNTAX 0x8u

/* Longest list the parsers take (offsets are 32-bit). */
#define DCS_LIST_MAX_LEN (UINT32_MAX - 1u)
/* Longest entry DCS_LIST_SYNTAX takes, and the longest PAC URL: WinINET's
 * INTERNET_MAX_URL_LENGTH (a URL it cannot hold it does not use). */
#define DCS_LIST_ENTRY_MAX 2083u
/* Longest host name without a warning (DNS names are at most 253). */
#define DCS_LIST_HOST_MAX 255u

enum dcs_list_warning_code {
    DCS_LIST_WARN_EMPTY_ENTRY = 1,  /* ';' with no entry before it, or a trailing ';' */
    DCS_LIST_WARN_UNKNOWN_KEY,      /* proxy: key other than http/https/ftp/socks */
    DCS_LIST_WARN_UNKNOWN_SCHEME,   /* scheme other than http(s)/ftp/socks[4|4a|5|5h] */
    DCS_LIST_WARN_NON_ASCII,        /* host holds bytes >= 0x80 (IDN: codec/blob/FORMAT.md §8.1) */
    DCS_LIST_WARN_PORT_LEADING_ZERO,/* ":080" */
    DCS_LIST_WARN_BARE_IPV6,        /* IPv6 literal without brackets (no port possible) */
    DCS_LIST_WARN_TRAILING_SLASH,   /* "http://host:80/" */
    DCS_LIST_WARN_HOST_TOO_LONG,    /* host longer than DCS_LIST_HOST_MAX */
    DCS_LIST_WARN_UNKNOWN_MACRO,    /* bypass: "<...>" other than <local>/<-loopback> */
    DCS_LIST_WARN_WILDCARD_INSIDE,  /* bypass with DCS_LIST_WINHTTP: '*' not leading */
    DCS_LIST_WARN_NOT_GRAMMAR,      /* DCS_LIST_SYNTAX: entry outside the grammar, kept as text */
    DCS_LIST_WARN_COUNT_
};

struct dcs_list_warning {
    uint16_t code;   /* enum dcs_list_warning_code */
    uint32_t offset; /* byte offset of the fault */
};

#define DCS_LIST_MAX_WARNINGS 8

/* Where an entry goes: scheme, host and port of one proxy or bypass pattern. */
struct dcs_list_addr {
    dcs_list_str scheme; /* before "://", empty when absent */
    dcs_list_str host;   /* IPv6 literals without their brackets */
    uint16_t port;       /* 0 when has_port is false */
    bool has_port;
    bool ipv6;           /* host is an IPv6 literal (bracketed or bare) */
};

enum dcs_proxy_key {
    DCS_PROXY_KEY_DEFAULT = 0, /* no "key=": protocols not listed elsewhere */
    DCS_PROXY_KEY_HTTP,
    DCS_PROXY_KEY_HTTPS,
    DCS_PROXY_KEY_FTP,
    DCS_PROXY_KEY_SOCKS,
    DCS_PROXY_KEY_UNKNOWN      /* lenient only; key_text tells which */
};

struct dcs_proxy_entry {
    uint32_t offset;         /* first byte of the entry */
    uint32_t length;         /* bytes of entry text */
    enum dcs_proxy_key key;
    dcs_list_str key_text;   /* text before '=', empty for the default entry */
    struct dcs_list_addr addr;
    uint32_t warnings;       /* bit (1u << code) per dcs_list_warning_code raised here */
};

enum dcs_bypass_kind {
    DCS_BYPASS_HOST = 0,        /* a host name, address or wildcard pattern */
    DCS_BYPASS_LOCAL,           /* <local>: host names without a period */
    DCS_BYPASS_NO_LOOPBACK,     /* <-loopback>: do not bypass loopback implicitly */
    DCS_BYPASS_UNKNOWN_MACRO    /* lenient only: another "<...>" (addr.host holds it) */
};

struct dcs_bypass_entry {
    uint32_t offset;
    uint32_t length;
    enum dcs_bypass_kind kind;
    struct dcs_list_addr addr; /* macros: host is the whole "<...>" text */
    bool wildcard;             /* host pattern contains '*' */
    uint32_t warnings;
};

/* Iterator state for either list.  Initialise with dcs_proxy_iter_init() or
 * dcs_bypass_iter_init(); the fields are readable after each step. */
struct dcs_list_iter {
    const char *text;
    uint32_t len;
    uint32_t pos;
    unsigned options;
    dcs_status syntax_code;  /* DCS_ERR_PROXY_SYNTAX or DCS_ERR_BYPASS_SYNTAX */
    dcs_status failed;       /* sticky: the error that stopped the iterator */
    bool entry_since_sep;    /* an entry followed the last ';' */
    bool last_sep_warned;
    bool seen_sep;
    uint32_t last_sep;       /* offset of the last ';' seen */
    uint32_t nentries;       /* entries returned so far */
    uint32_t nwarnings;      /* warnings raised so far (all of them) */
    struct dcs_list_warning warnings[DCS_LIST_MAX_WARNINGS]; /* the first ones */
};

/* ---- iterating ---------------------------------------------------------- */

/* Start iterating text[0..len).  text may be NULL when len == 0. */
DCS_API void dcs_proxy_iter_init(struct dcs_list_iter *it, const char *text, size_t len,
                         unsigned options);
DCS_API void dcs_bypass_iter_init(struct dcs_list_iter *it, const char *text, size_t len,
                          unsigned options);

/* Next entry.  Returns DCS_OK and sets *got: true with *out filled, false at
 * the end of the list.  On a syntax error returns DCS_ERR_PROXY_SYNTAX /
 * DCS_ERR_BYPASS_SYNTAX (DCS_ERR_LIMIT for a list over DCS_LIST_MAX_LEN) with
 * err naming the byte offset; the iterator stays failed and returns the
 * same code again. */
DCS_API dcs_status dcs_proxy_next(struct dcs_list_iter *it, struct dcs_proxy_entry *out, bool *got,
                          struct dcs_error *err);
DCS_API dcs_status dcs_bypass_next(struct dcs_list_iter *it, struct dcs_bypass_entry *out, bool *got,
                           struct dcs_error *err);

/* Validate a whole list.  *count (may be NULL) receives the number of
 * entries; warnings (may be NULL) receives a copy of the iterator's warning
 * record (nwarnings and the first DCS_LIST_MAX_WARNINGS) so callers can
 * report them. */
struct dcs_list_report {
    uint32_t count;
    uint32_t nwarnings;
    struct dcs_list_warning warnings[DCS_LIST_MAX_WARNINGS];
};
DCS_API dcs_status dcs_proxy_check(const char *text, size_t len, unsigned options,
                           struct dcs_list_report *report, struct dcs_error *err);
DCS_API dcs_status dcs_bypass_check(const char *text, size_t len, unsigned options,
                            struct dcs_list_report *report, struct dcs_error *err);

/* A PAC URL as a blob can hold it: no control character, UTF-8, at most
 * DCS_LIST_ENTRY_MAX bytes.  DCS_ERR_INVALID_ARG with the offset of the
 * fault otherwise (for a long one, the first byte past the limit).  Whether
 * it is blank is the caller's matter. */
DCS_API dcs_status dcs_pac_url_check(const char *text, size_t len, struct dcs_error *err);

/* ---- looking up ---------------------------------------------------------- */

enum dcs_proxy_match {
    DCS_PROXY_MATCH_NONE = 0, /* no proxy applies: direct connection */
    DCS_PROXY_MATCH_KEY,      /* an entry "protocol=..." */
    DCS_PROXY_MATCH_DEFAULT,  /* the first entry without a key */
    DCS_PROXY_MATCH_SOCKS     /* no entry for the protocol nor a default, but a
                                 "socks=" entry, which WinINET then uses */
};

/* Which proxy applies to protocol ("http", "https", "ftp", "socks", or any
 * other key name; case-insensitive): the first entry keyed with it, else the
 * first entry without a key, else (for protocols other than socks) the first
 * "socks=" entry.  *how receives the kind of match; *out is filled unless
 * *how is DCS_PROXY_MATCH_NONE.  The whole list is validated first. */
DCS_API dcs_status dcs_proxy_lookup(const char *text, size_t len, unsigned options, const char *protocol,
                            struct dcs_proxy_entry *out, enum dcs_proxy_match *how,
                            struct dcs_error *err);

/* ---- writing ------------------------------------------------------------- */

/* Canonical text of one entry: lower-case key and scheme, IPv6 literals in
 * brackets, decimal port without leading zeros, no trailing '/', macros in
 * lower case.  Writes at most cap bytes (no NUL); returns the full length. */
DCS_API size_t dcs_proxy_entry_format(const struct dcs_proxy_entry *e, char *out, size_t cap);
DCS_API size_t dcs_bypass_entry_format(const struct dcs_bypass_entry *e, char *out, size_t cap);

/* Entries -> canonical list: the entries' canonical texts joined with ';' as
 * the Windows UI writes them.  No NUL is written.  *written (may be NULL)
 * receives the length; when out is NULL or cap is too small it receives the
 * length needed and DCS_ERR_BUFFER_TOO_SMALL is returned (DCS_OK for
 * out == NULL && cap == 0: a size query). */
DCS_API dcs_status dcs_proxy_write(const struct dcs_proxy_entry *entries, size_t n, char *out,
                           size_t cap, size_t *written, struct dcs_error *err);
DCS_API dcs_status dcs_bypass_write(const struct dcs_bypass_entry *entries, size_t n, char *out,
                            size_t cap, size_t *written, struct dcs_error *err);

/* Parse text and write its canonical form in one pass (same buffer rules as
 * dcs_proxy_write).  Parsing the output again yields equal entries
 * (dcs_*_entry_equal) and the same canonical text. */
DCS_API dcs_status dcs_proxy_canonical(const char *text, size_t len, unsigned options, char *out,
                               size_t cap, size_t *written, struct dcs_error *err);
DCS_API dcs_status dcs_bypass_canonical(const char *text, size_t len, unsigned options, char *out,
                                size_t cap, size_t *written, struct dcs_error *err);

/* bitsadmin /util /setieproxy MANUAL_PROXY takes a comma-delimited proxy list
 * and a space-delimited bypass list, with "NULL" or "" for an empty one
 * (codec/proxylist/FORMAT.md §3).  These turn such an argument into the ';'-joined canonical
 * form that is stored (same buffer rules as dcs_proxy_write): commas,
 * semicolons and whitespace all separate entries. */
DCS_API dcs_status dcs_proxy_from_bitsadmin(const char *text, size_t len, unsigned options, char *out,
                                    size_t cap, size_t *written, struct dcs_error *err);
DCS_API dcs_status dcs_bypass_from_bitsadmin(const char *text, size_t len, unsigned options, char *out,
                                     size_t cap, size_t *written, struct dcs_error *err);

/* ---- comparing and naming ------------------------------------------------ */

/* Same meaning: key (unknown keys by name, case-insensitive), scheme
 * (case-insensitive), host (byte-exact), port and whether given, IPv6-ness.
 * Offsets, lengths and warnings are not compared. */
DCS_API bool dcs_proxy_entry_equal(const struct dcs_proxy_entry *a, const struct dcs_proxy_entry *b);
DCS_API bool dcs_bypass_entry_equal(const struct dcs_bypass_entry *a, const struct dcs_bypass_entry *b);

/* "http", "https", "ftp", "socks", "" for the default, "?" for unknown. */
DCS_API const char *dcs_proxy_key_name(enum dcs_proxy_key key);
/* "empty entry", "unknown proxy key", ... */
DCS_API const char *dcs_list_warning_str(enum dcs_list_warning_code code);

#ifdef __cplusplus
}
#endif
#endif
