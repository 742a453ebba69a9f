/* dcs — helpers shared by proxylist.c and proxylist_write.c (not installed). */
#ifndef DCS_PROXYLIST_INT_H
#define DCS_PROXYLIST_INT_H

#include <stdbool.h>
#include <stddef.h>

#include <dcs/proxylist.h>

/* character classes of the grammar */
static inline bool is_space(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static inline bool is_sep(const struct dcs_list_iter *it, unsigned char c)
{
    return c == ';' || is_space(c) || (c == ',' && (it->options & DCS_LIST_COMMAS));
}

static inline bool is_control(unsigned char c)
{
    return c < 0x20 || c == 0x7f;
}

static inline bool is_alpha(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static inline bool is_digit(unsigned char c)
{
    return c >= '0' && c <= '9';
}

static inline bool is_hex(unsigned char c)
{
    return is_digit(c) || ((c | 0x20) >= 'a' && (c | 0x20) <= 'f');
}

static inline bool is_host_char(unsigned char c, bool bypass)
{
    return is_alpha(c) || is_digit(c) || c == '-' || c == '.' || c == '_' || (bypass && c == '*');
}

/* ASCII case-insensitive comparison of a[0..alen) with the C string b. */
bool dcsi_list_ieq(const char *a, size_t alen, const char *b);

/* Check that an entry built by a caller can be written and parsed back:
 * key (proxy), scheme, host and port follow the grammar.  Fails with code
 * and "entry <index>: ..." (no offset). */
dcs_status dcsi_list_check_proxy_entry(const struct dcs_proxy_entry *e, size_t index,
                                      struct dcs_error *err);
dcs_status dcsi_list_check_bypass_entry(const struct dcs_bypass_entry *e, size_t index,
                                       struct dcs_error *err);

#endif
