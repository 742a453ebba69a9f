/* Proxy-server and bypass lists.  The first input byte picks the list kind
 * and the options; the rest is the list.  Properties: parse -> write ->
 * parse gives equal entries and the same canonical text; the writers agree
 * with the one-pass canonicaliser; strict acceptance implies lenient
 * acceptance; DCS_LIST_SYNTAX takes what the grammar takes, ASCII and
 * short; lookup only ever returns an entry that applies. */
#include <stdbool.h>
#include <string.h>

#include "fuzz_common.h"
#include <dcs/proxylist.h>

struct list_ops {
    bool bypass;
    unsigned options;
};

/* Canonical text of text[0..len) into a malloc'd buffer (NULL on a syntax error). */
static char *canonical(const struct list_ops *k, const char *text, size_t len, unsigned options,
                       size_t *outlen, struct dcs_error *err)
{
    size_t need = 0, got = 0;
    dcs_status st = k->bypass ? dcs_bypass_canonical(text, len, options, NULL, 0, &need, err)
                              : dcs_proxy_canonical(text, len, options, NULL, 0, &need, err);
    if (st != DCS_OK) {
        fuzz_check_error(err, st, len);
        return NULL;
    }
    char *out = malloc(need ? need : 1);
    FUZZ_CHECK(out != NULL);
    if (need > 0) {
        st = k->bypass ? dcs_bypass_canonical(text, len, options, out, need - 1, &got, err)
                       : dcs_proxy_canonical(text, len, options, out, need - 1, &got, err);
        FUZZ_CHECK(st == DCS_ERR_BUFFER_TOO_SMALL && got == need);
    }
    st = k->bypass ? dcs_bypass_canonical(text, len, options, out, need, &got, err)
                   : dcs_proxy_canonical(text, len, options, out, need, &got, err);
    FUZZ_CHECK(st == DCS_OK && got == need);
    *outlen = need;
    return out;
}

/* Walk two lists in lockstep: same number of entries, equal entries; the
 * entries of a, written with dcs_*_write in batches, give b's text. */
static void compare_lists(const struct list_ops *k, const char *a, size_t alen, const char *b,
                          size_t blen)
{
    enum { BATCH = 8 };
    struct dcs_list_iter ia, ib;
    struct dcs_error err;
    bool ga, gb;
    size_t done = 0, n = 0;
    char *chunk = malloc(blen + 1);
    FUZZ_CHECK(chunk != NULL);

    if (k->bypass) {
        struct dcs_bypass_entry ea[BATCH], eb;
        dcs_bypass_iter_init(&ia, a, alen, k->options);
        dcs_bypass_iter_init(&ib, b, blen, k->options & ~DCS_LIST_COMMAS);
        for (;;) {
            FUZZ_CHECK(dcs_bypass_next(&ia, &ea[n], &ga, &err) == DCS_OK);
            FUZZ_CHECK(dcs_bypass_next(&ib, &eb, &gb, &err) == DCS_OK);
            FUZZ_CHECK(ga == gb);
            if (ga) {
                FUZZ_CHECK(dcs_bypass_entry_equal(&ea[n], &eb));
                FUZZ_CHECK((eb.warnings & ((1u << DCS_LIST_WARN_PORT_LEADING_ZERO) |
                                           (1u << DCS_LIST_WARN_BARE_IPV6) |
                                           (1u << DCS_LIST_WARN_TRAILING_SLASH))) == 0);
                n++;
            }
            if (n == BATCH || (!ga && n)) {
                size_t w = 0;
                FUZZ_CHECK(dcs_bypass_write(ea, n, chunk, blen + 1, &w, &err) == DCS_OK);
                FUZZ_CHECK(done + w <= blen && memcmp(chunk, b + done, w) == 0);
                done += w + 1; /* and the ';' after it */
                n = 0;
            }
            if (!ga)
                break;
        }
    } else {
        struct dcs_proxy_entry ea[BATCH], eb;
        dcs_proxy_iter_init(&ia, a, alen, k->options);
        dcs_proxy_iter_init(&ib, b, blen, k->options & ~DCS_LIST_COMMAS);
        for (;;) {
            FUZZ_CHECK(dcs_proxy_next(&ia, &ea[n], &ga, &err) == DCS_OK);
            FUZZ_CHECK(dcs_proxy_next(&ib, &eb, &gb, &err) == DCS_OK);
            FUZZ_CHECK(ga == gb);
            if (ga) {
                FUZZ_CHECK(dcs_proxy_entry_equal(&ea[n], &eb));
                FUZZ_CHECK((eb.warnings & ((1u << DCS_LIST_WARN_PORT_LEADING_ZERO) |
                                           (1u << DCS_LIST_WARN_BARE_IPV6) |
                                           (1u << DCS_LIST_WARN_TRAILING_SLASH))) == 0);
                n++;
            }
            if (n == BATCH || (!ga && n)) {
                size_t w = 0;
                FUZZ_CHECK(dcs_proxy_write(ea, n, chunk, blen + 1, &w, &err) == DCS_OK);
                FUZZ_CHECK(done + w <= blen && memcmp(chunk, b + done, w) == 0);
                done += w + 1;
                n = 0;
            }
            if (!ga)
                break;
        }
    }
    FUZZ_CHECK(ia.nentries == ib.nentries);
    FUZZ_CHECK(done == (blen ? blen + 1 : 0));
    free(chunk);
}

static void check_lookup(const char *text, size_t len, unsigned options)
{
    static const char *const protocols[] = { "http", "https", "ftp", "socks", "gopher" };
    for (size_t i = 0; i < sizeof protocols / sizeof protocols[0]; i++) {
        struct dcs_proxy_entry e;
        enum dcs_proxy_match how;
        struct dcs_error err;
        dcs_status st = dcs_proxy_lookup(text, len, options, protocols[i], &e, &how, &err);
        FUZZ_CHECK(st == DCS_OK);
        if (how == DCS_PROXY_MATCH_KEY)
            FUZZ_CHECK(e.key_text.len == strlen(protocols[i]));
        else if (how == DCS_PROXY_MATCH_DEFAULT)
            FUZZ_CHECK(e.key == DCS_PROXY_KEY_DEFAULT);
        else if (how == DCS_PROXY_MATCH_SOCKS)
            FUZZ_CHECK(e.key == DCS_PROXY_KEY_SOCKS && i != 3);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct dcs_error err;
    struct dcs_list_report rep;
    struct list_ops k;
    dcs_status st;

    if (size < 1)
        return 0;
    k.bypass = data[0] & 1;
    k.options = ((data[0] & 2) ? DCS_LIST_STRICT : 0) | ((data[0] & 4) ? DCS_LIST_WINHTTP : 0) |
                ((data[0] & 8) ? DCS_LIST_COMMAS : 0);
    const char *text = (const char *)data + 1;
    size_t len = size - 1;

    st = k.bypass ? dcs_bypass_check(text, len, k.options, &rep, &err)
                  : dcs_proxy_check(text, len, k.options, &rep, &err);
    if (st != DCS_OK) {
        fuzz_check_error(&err, st, len);
        FUZZ_CHECK(st == (k.bypass ? DCS_ERR_BYPASS_SYNTAX : DCS_ERR_PROXY_SYNTAX));
    } else if (k.options & DCS_LIST_STRICT) {
        FUZZ_CHECK(rep.nwarnings == 0);
        st = k.bypass ? dcs_bypass_check(text, len, k.options & ~DCS_LIST_STRICT, &rep, &err)
                      : dcs_proxy_check(text, len, k.options & ~DCS_LIST_STRICT, &rep, &err);
        FUZZ_CHECK(st == DCS_OK && rep.nwarnings == 0);
    }

    /* DCS_LIST_SYNTAX refuses only for bytes (a control character, bad
     * UTF-8, an entry over DCS_LIST_ENTRY_MAX): a list the grammar takes,
     * ASCII and short, passes it too */
    if (!(k.options & DCS_LIST_STRICT)) {
        dcs_status syn = k.bypass ? dcs_bypass_check(text, len, k.options | DCS_LIST_SYNTAX, NULL, &err)
                                  : dcs_proxy_check(text, len, k.options | DCS_LIST_SYNTAX, NULL, &err);
        bool ascii = true;
        for (size_t i = 0; i < len; i++)
            ascii = ascii && data[1 + i] < 0x80;
        if (syn != DCS_OK) {
            fuzz_check_error(&err, syn, len);
            FUZZ_CHECK(syn == (k.bypass ? DCS_ERR_BYPASS_SYNTAX : DCS_ERR_PROXY_SYNTAX));
        }
        if (st == DCS_OK && ascii && len <= DCS_LIST_ENTRY_MAX)
            FUZZ_CHECK(syn == DCS_OK);
    }

    size_t clen = 0, c2len = 0;
    char *c = canonical(&k, text, len, k.options, &clen, &err);
    FUZZ_CHECK((c != NULL) == (st == DCS_OK));
    if (c) {
        compare_lists(&k, text, len, c, clen);
        /* the canonical text is a fixed point and keeps strict acceptance */
        char *c2 = canonical(&k, c, clen, k.options & ~DCS_LIST_COMMAS, &c2len, &err);
        FUZZ_CHECK(c2 != NULL);
        FUZZ_CHECK(c2len == clen && (clen == 0 || memcmp(c, c2, clen) == 0));
        free(c2);
        if (!k.bypass)
            check_lookup(c, clen, k.options & ~DCS_LIST_STRICT);
        free(c);
    }

    /* the bitsadmin builder: whatever it writes reads back strictly-equal */
    size_t need = 0;
    st = k.bypass ? dcs_bypass_from_bitsadmin(text, len, k.options, NULL, 0, &need, &err)
                  : dcs_proxy_from_bitsadmin(text, len, k.options, NULL, 0, &need, &err);
    if (st == DCS_OK) {
        char *b = malloc(need ? need : 1);
        size_t got = 0;
        FUZZ_CHECK(b != NULL);
        st = k.bypass ? dcs_bypass_from_bitsadmin(text, len, k.options, b, need, &got, &err)
                      : dcs_proxy_from_bitsadmin(text, len, k.options, b, need, &got, &err);
        FUZZ_CHECK(st == DCS_OK && got == need);
        st = k.bypass ? dcs_bypass_check(b, got, k.options & ~DCS_LIST_COMMAS, NULL, &err)
                      : dcs_proxy_check(b, got, k.options & ~DCS_LIST_COMMAS, NULL, &err);
        FUZZ_CHECK(st == DCS_OK);
        free(b);
    } else {
        fuzz_check_error(&err, st, len);
    }
    return 0;
}
