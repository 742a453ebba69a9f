/* Reading a Registry.xml back: a small XML scanner that knows elements,
 * attributes, comments, processing instructions, CDATA and the predefined and
 * numeric entities, enough for the files GPMC and dcs write.  No DTD is read
 * and no entity other than the five predefined ones is expanded (an unknown
 * one is an error), so input size bounds all work and memory. */
#include <stdlib.h>
#include <string.h>

#include "core/text.h"
#include "ship/ship_internal.h"

struct xr {
    const char *s;
    size_t n, i;
    char *scratch; /* decoded attribute values, then value data */
    size_t used, cap;
    struct dcs_error *err;
};

struct attr {
    const char *p; /* decoded, in scratch */
    size_t n;
    bool set;
};

enum { A_ACTION, A_HIVE, A_KEY, A_NAME, A_TYPE, A_VALUE, A_DEFAULT, A_COUNT };
static const char *const attr_names[A_COUNT] = {"action", "hive",  "key",    "name",
                                                "type",   "value", "default"};

static dcs_status fail(struct xr *x, size_t at, const char *what)
{
    return dcs_error_set(x->err, DCS_ERR_SHIP_SYNTAX, at, "Registry.xml, offset %zu: %s", at,
                         what);
}

static bool is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static bool is_name_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           c == '_' || c == ':' || c == '.' || c == '-';
}

/* Skip past `end` starting at x->i; false when it never comes. */
static bool skip_past(struct xr *x, const char *end)
{
    size_t k = strlen(end);
    for (; x->i + k <= x->n; x->i++) {
        if (memcmp(x->s + x->i, end, k) == 0) {
            x->i += k;
            return true;
        }
    }
    return false;
}

static size_t put_utf8(char *d, unsigned long cp)
{
    if (cp < 0x80) {
        d[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        d[0] = (char)(0xC0 | cp >> 6);
        d[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        d[0] = (char)(0xE0 | cp >> 12);
        d[1] = (char)(0x80 | (cp >> 6 & 0x3F));
        d[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    d[0] = (char)(0xF0 | cp >> 18);
    d[1] = (char)(0x80 | (cp >> 12 & 0x3F));
    d[2] = (char)(0x80 | (cp >> 6 & 0x3F));
    d[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

/* &...; at s[0..n): the decoded UTF-8 into d, its length into *out; returns
 * the entity's length, 0 when it is not one this reader knows. */
static size_t entity(const char *s, size_t n, char *d, size_t *out)
{
    static const struct {
        const char *name;
        char c;
    } named[] = {{"&amp;", '&'}, {"&lt;", '<'}, {"&gt;", '>'}, {"&quot;", '"'}, {"&apos;", '\''}};
    for (size_t k = 0; k < sizeof named / sizeof named[0]; k++) {
        size_t l = strlen(named[k].name);
        if (n >= l && memcmp(s, named[k].name, l) == 0) {
            d[0] = named[k].c;
            *out = 1;
            return l;
        }
    }
    if (n < 4 || s[1] != '#')
        return 0;
    bool hex = s[2] == 'x';
    unsigned long cp = 0;
    size_t i = hex ? 3 : 2, start = i;
    for (; i < n && i < start + 8 && s[i] != ';'; i++) {
        char c = s[i];
        int v = c >= '0' && c <= '9' ? c - '0'
                : hex && c >= 'a' && c <= 'f' ? c - 'a' + 10
                : hex && c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
        if (v < 0)
            return 0;
        cp = cp * (hex ? 16 : 10) + (unsigned long)v;
    }
    if (i == start || i >= n || s[i] != ';' || cp == 0 || cp > 0x10FFFF ||
        (cp >= 0xD800 && cp <= 0xDFFF))
        return 0;
    *out = put_utf8(d, cp);
    return i + 1;
}

/* Decode the raw attribute text [a, b) into scratch, with XML's attribute
 * value normalisation (CR LF, CR, LF and TAB read as one space). */
static dcs_status decode_attr(struct xr *x, size_t a, size_t b, struct attr *out)
{
    char *d = x->scratch + x->used;
    size_t k = 0;
    for (size_t i = a; i < b;) {
        char c = x->s[i];
        if (c == '<')
            return fail(x, i, "'<' inside an attribute value");
        if (c == '&') {
            size_t got, len = entity(x->s + i, b - i, d + k, &got);
            if (!len)
                return fail(x, i, "an entity this reader does not know");
            k += got;
            i += len;
            continue;
        }
        if (c == '\r' && i + 1 < b && x->s[i + 1] == '\n')
            i++;
        if (c == '\r' || c == '\n' || c == '\t')
            c = ' ';
        d[k++] = c;
        i++;
    }
    out->p = d;
    out->n = k;
    out->set = true;
    x->used += k;
    return DCS_OK;
}

/* One attribute at x->i: name="value".  *slot is its index in attr_names,
 * or A_COUNT for one the reader ignores; [*a, *b) its raw value. */
static dcs_status read_attr(struct xr *x, int *slot, size_t *a, size_t *b)
{
    size_t name = x->i;
    while (x->i < x->n && is_name_char(x->s[x->i]))
        x->i++;
    size_t name_len = x->i - name;
    if (!name_len)
        return fail(x, x->i, "an attribute name was expected");
    while (x->i < x->n && is_space(x->s[x->i]))
        x->i++;
    if (x->i >= x->n || x->s[x->i] != '=')
        return fail(x, x->i, "'=' was expected after an attribute name");
    x->i++;
    while (x->i < x->n && is_space(x->s[x->i]))
        x->i++;
    if (x->i >= x->n || (x->s[x->i] != '"' && x->s[x->i] != '\''))
        return fail(x, x->i, "an attribute value must be quoted");
    char q = x->s[x->i++];
    *a = x->i;
    const char *end = memchr(x->s + x->i, q, x->n - x->i);
    if (!end)
        return fail(x, *a - 1, "an attribute value is not closed");
    *b = (size_t)(end - x->s);
    x->i = *b + 1;
    *slot = A_COUNT;
    for (int k = 0; k < A_COUNT; k++)
        if (strlen(attr_names[k]) == name_len && memcmp(attr_names[k], x->s + name, name_len) == 0)
            *slot = k;
    return DCS_OK;
}

/* The attributes of an element up to its '>' ; keep: decode the known ones. */
static dcs_status read_attrs(struct xr *x, bool keep, struct attr at[A_COUNT])
{
    memset(at, 0, A_COUNT * sizeof *at);
    x->used = 0;
    for (;;) {
        while (x->i < x->n && is_space(x->s[x->i]))
            x->i++;
        if (x->i >= x->n)
            return fail(x, x->n, "the file ends inside an element");
        if (x->s[x->i] == '>' || (x->s[x->i] == '/' && x->i + 1 < x->n && x->s[x->i + 1] == '>')) {
            x->i += x->s[x->i] == '>' ? 1 : 2;
            return DCS_OK;
        }
        int slot = A_COUNT;
        size_t a = 0, b = 0;
        dcs_status st = read_attr(x, &slot, &a, &b);
        if (st == DCS_OK && keep && slot < A_COUNT) {
            if (at[slot].set)
                return fail(x, a, "an attribute appears twice");
            st = decode_attr(x, a, b, &at[slot]);
        }
        if (st != DCS_OK)
            return st;
    }
}

static dcs_status emit(struct xr *x, size_t at_off, struct attr at[A_COUNT], dcs_ship_value_fn fn,
                       void *ctx)
{
    struct dcs_ship_value v = {0};
    if (at[A_ACTION].set && at[A_ACTION].n == 1 && at[A_ACTION].p[0] == 'D')
        v.action = DCS_SHIP_DELETE; /* type and value, if any, are not used */
    if (!at[A_HIVE].set || !at[A_KEY].set || (!at[A_TYPE].set && v.action == DCS_SHIP_SET))
        return fail(x, at_off, "a <Properties> element lacks hive, key or type");
    v.root = dcsi_ship_root_long(at[A_HIVE].p, at[A_HIVE].n);
    if (!v.root)
        return fail(x, at_off, "hive is not a registry root");
    v.root_len = strlen(v.root);
    bool deflt = at[A_DEFAULT].set && at[A_DEFAULT].n == 1 && at[A_DEFAULT].p[0] == '1';
    v.key = at[A_KEY].p;
    v.key_len = at[A_KEY].n;
    v.name = deflt || !at[A_NAME].set ? "" : at[A_NAME].p;
    v.name_len = deflt || !at[A_NAME].set ? 0 : at[A_NAME].n;
    if (v.action == DCS_SHIP_DELETE) {
        v.type = DCS_REG_NONE;
        v.data = (const uint8_t *)""; /* no data, but never a NULL pointer */
        return fn(ctx, &v, x->err);
    }
    if (!dcsi_ship_type_parse(at[A_TYPE].p, at[A_TYPE].n, &v.type))
        return dcs_error_set(x->err, DCS_ERR_UNSUPPORTED, at_off,
                             "Registry.xml, offset %zu: type %.*s is not one dcs reads", at_off,
                             (int)at[A_TYPE].n, at[A_TYPE].p);
    uint8_t *data = (uint8_t *)x->scratch + x->used;
    const char *why;
    if (!dcsi_ship_data_parse(v.type, at[A_VALUE].set ? at[A_VALUE].p : "",
                              at[A_VALUE].set ? at[A_VALUE].n : 0, true, data, &v.len, &why))
        return fail(x, at_off, why);
    v.data = data;
    return fn(ctx, &v, x->err);
}

/* What follows a '<' at x->i - 1. */
static dcs_status markup(struct xr *x, dcs_ship_value_fn fn, void *ctx)
{
    static const struct {
        const char *open, *close;
    } skips[] = {{"!--", "-->"}, {"![CDATA[", "]]>"}, {"?", "?>"}, {"!", ">"}, {"/", ">"}};
    size_t at = x->i - 1;
    for (size_t k = 0; k < sizeof skips / sizeof skips[0]; k++) {
        size_t l = strlen(skips[k].open);
        if (x->i + l <= x->n && memcmp(x->s + x->i, skips[k].open, l) == 0) {
            x->i += l;
            return skip_past(x, skips[k].close) ? DCS_OK : fail(x, at, "markup is not closed");
        }
    }
    size_t name = x->i;
    while (x->i < x->n && is_name_char(x->s[x->i]))
        x->i++;
    if (x->i == name)
        return fail(x, at, "an element name was expected after '<'");
    bool props = x->i - name == 10 && memcmp(x->s + name, "Properties", 10) == 0;
    struct attr attrs[A_COUNT];
    dcs_status st = read_attrs(x, props, attrs);
    if (st != DCS_OK || !props)
        return st;
    return emit(x, at, attrs, fn, ctx);
}

dcs_status dcs_ship_read_gpp(const void *text, size_t len, dcs_ship_value_fn fn, void *ctx,
                             struct dcs_error *err)
{
    if ((!text && len) || !fn)
        return dcs_error_set(err, DCS_ERR_INVALID_ARG, DCS_NO_OFFSET, "no text or no callback");
    struct xr x = {.s = text, .n = len, .err = err};
    if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0)
        x.i = 3;
    x.cap = 4 * len + 64; /* decoded attributes, then UTF-16 data: both bounded by len */
    x.scratch = malloc(x.cap);
    if (!x.scratch)
        return dcs_error_set(err, DCS_ERR_NOMEM, DCS_NO_OFFSET, "out of memory");
    dcs_status st = DCS_OK;
    while (st == DCS_OK && x.i < x.n) {
        const char *lt = memchr(x.s + x.i, '<', x.n - x.i);
        if (!lt)
            break;
        x.i = (size_t)(lt - x.s) + 1;
        st = markup(&x, fn, ctx);
    }
    free(x.scratch);
    return st;
}
