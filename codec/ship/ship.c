/* The ship room's shared pieces: output buffer, type and root names, value
 * checks and the text <-> data conversions both file kinds use. */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "core/text.h"
#include "ship/ship_internal.h"

void dcsi_ship_out_init(struct dcsi_ship_out *o, dcs_reg_write_fn fn, void *ctx,
                        struct dcs_error *err)
{
    o->fn = fn;
    o->ctx = ctx;
    o->err = err;
    o->st = DCS_OK;
    o->n = 0;
}

dcs_status dcsi_ship_flush(struct dcsi_ship_out *o)
{
    if (o->st == DCS_OK && o->n)
        o->st = o->fn(o->ctx, o->buf, o->n, o->err);
    o->n = 0;
    return o->st;
}

void dcsi_ship_put(struct dcsi_ship_out *o, const char *s, size_t n)
{
    while (n && o->st == DCS_OK) {
        if (o->n == sizeof o->buf)
            dcsi_ship_flush(o);
        size_t k = sizeof o->buf - o->n < n ? sizeof o->buf - o->n : n;
        memcpy(o->buf + o->n, s, k);
        o->n += k;
        s += k;
        n -= k;
    }
}

void dcsi_ship_puts(struct dcsi_ship_out *o, const char *s)
{
    dcsi_ship_put(o, s, strlen(s));
}

static const struct {
    uint32_t type;
    const char *name;
} types[] = {
    {DCS_REG_SZ, "REG_SZ"},       {DCS_REG_EXPAND_SZ, "REG_EXPAND_SZ"},
    {DCS_REG_BINARY, "REG_BINARY"}, {DCS_REG_DWORD, "REG_DWORD"},
    {DCS_REG_QWORD, "REG_QWORD"},
};

const char *dcsi_ship_type_name(uint32_t type)
{
    for (size_t i = 0; i < sizeof types / sizeof types[0]; i++)
        if (types[i].type == type)
            return types[i].name;
    return NULL;
}

bool dcsi_ship_type_parse(const char *s, size_t n, uint32_t *type)
{
    for (size_t i = 0; i < sizeof types / sizeof types[0]; i++) {
        if (strlen(types[i].name) == n && strncasecmp(types[i].name, s, n) == 0) {
            *type = types[i].type;
            return true;
        }
    }
    return false;
}

static const struct {
    const char *lng, *shrt;
} roots[] = {
    {"HKEY_USERS", "HKU"},
    {"HKEY_LOCAL_MACHINE", "HKLM"},
    {"HKEY_CURRENT_USER", "HKCU"},
    {"HKEY_CLASSES_ROOT", "HKCR"},
    {"HKEY_CURRENT_CONFIG", "HKCC"},
};

static bool ieq(const char *s, size_t n, const char *lit)
{
    return strlen(lit) == n && strncasecmp(s, lit, n) == 0;
}

const char *dcsi_ship_root_long(const char *s, size_t n)
{
    for (size_t i = 0; i < sizeof roots / sizeof roots[0]; i++)
        if (ieq(s, n, roots[i].lng) || ieq(s, n, roots[i].shrt))
            return roots[i].lng;
    return NULL;
}

const char *dcsi_ship_root_short(const char *s, size_t n)
{
    for (size_t i = 0; i < sizeof roots / sizeof roots[0]; i++)
        if (ieq(s, n, roots[i].lng))
            return roots[i].shrt;
    return NULL;
}

static bool is_text(uint32_t type)
{
    return type == DCS_REG_SZ || type == DCS_REG_EXPAND_SZ;
}

/* UTF-16LE that ends in its only NUL unit. */
static bool text_data_ok(const uint8_t *d, size_t len)
{
    if (len < 2 || len % 2 || d[len - 2] || d[len - 1])
        return false;
    for (size_t i = 0; i + 2 < len; i += 2)
        if (!d[i] && !d[i + 1])
            return false;
    return true;
}

dcs_status dcsi_ship_check(const struct dcs_ship_value *v, size_t index, const char *what,
                           struct dcs_error *err)
{
    if (!v->root || !dcsi_ship_root_short(v->root, v->root_len))
        return dcs_error_set(err, DCS_ERR_INVALID_ARG, DCS_NO_OFFSET,
                             "value %zu: root %.*s is not a registry root a %s can name", index,
                             (int)(v->root ? v->root_len : 0), v->root ? v->root : "", what);
    if (!v->key || v->key_len == 0 || (!v->name && v->name_len))
        return dcs_error_set(err, DCS_ERR_INVALID_ARG, DCS_NO_OFFSET,
                             "value %zu: no key path", index);
    if (v->action == DCS_SHIP_DELETE)
        return DCS_OK; /* type and data unused */
    if (v->action != DCS_SHIP_SET)
        return dcs_error_set(err, DCS_ERR_INVALID_ARG, DCS_NO_OFFSET,
                             "value %zu: unknown action %d", index, (int)v->action);
    if (!dcsi_ship_type_name(v->type))
        return dcs_error_set(err, DCS_ERR_UNSUPPORTED, DCS_NO_OFFSET,
                             "value %zu: a %s carries REG_SZ, REG_EXPAND_SZ, REG_BINARY, "
                             "REG_DWORD and REG_QWORD values here, not type %u", index, what,
                             (unsigned)v->type);
    bool ok = is_text(v->type)              ? text_data_ok(v->data, v->len)
              : v->type == DCS_REG_DWORD    ? v->len == 4
              : v->type == DCS_REG_QWORD    ? v->len == 8
                                            : (v->data != NULL || v->len == 0);
    if (!ok)
        return dcs_error_set(err, DCS_ERR_INVALID_ARG, DCS_NO_OFFSET,
                             "value %zu (%.*s): %zu bytes of data cannot be written as %s in "
                             "a %s without changing them", index, (int)v->name_len,
                             v->name ? v->name : "", v->len, dcsi_ship_type_name(v->type), what);
    return DCS_OK;
}

size_t dcsi_ship_text_utf8(const struct dcs_ship_value *v, char *dst)
{
    return dcsi_utf16le_to_utf8(v->data, v->len / 2 - 1, dst);
}

uint64_t dcsi_ship_number(const struct dcs_ship_value *v)
{
    uint64_t x = 0;
    for (size_t i = v->len; i-- > 0;)
        x = x << 8 | v->data[i];
    return x;
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

static bool parse_binary(const char *s, size_t n, uint8_t *dst, size_t *len, const char **why)
{
    size_t k = 0;
    for (size_t i = 0; i < n;) {
        if (s[i] == ' ') {
            i++;
            continue;
        }
        if (i + 1 >= n || hexval(s[i]) < 0 || hexval(s[i + 1]) < 0) {
            *why = "binary data is not pairs of hex digits";
            return false;
        }
        dst[k++] = (uint8_t)(hexval(s[i]) << 4 | hexval(s[i + 1]));
        i += 2;
    }
    *len = k;
    return true;
}

static bool parse_number(const char *s, size_t n, bool hex, unsigned bytes, uint8_t *dst,
                         const char **why)
{
    uint64_t x = 0, max = bytes == 4 ? UINT32_MAX : UINT64_MAX;
    unsigned base = 10;
    if (hex || (n > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))) {
        base = 16;
        if (!hex)
            s += 2, n -= 2;
    }
    if (n == 0) {
        *why = "a number has no digits";
        return false;
    }
    for (size_t i = 0; i < n; i++) {
        int d = hexval(s[i]);
        if (d < 0 || (unsigned)d >= base || x > (max - (unsigned)d) / base) {
            *why = d < 0 || (unsigned)d >= base ? "a number has a character that is not a digit"
                                                : "a number is too large for its type";
            return false;
        }
        x = x * base + (unsigned)d;
    }
    for (unsigned i = 0; i < bytes; i++)
        dst[i] = (uint8_t)(x >> (8 * i));
    return true;
}

bool dcsi_ship_data_parse(uint32_t type, const char *s, size_t n, bool hex_numbers,
                          uint8_t *dst, size_t *len, const char **why)
{
    if (is_text(type)) {
        size_t bad, units = dcsi_utf8_to_utf16le(s, n, dst, &bad);
        if (units == SIZE_MAX) {
            *why = "text is not valid UTF-8";
            return false;
        }
        for (size_t i = 0; i < units; i++) {
            if (!dst[2 * i] && !dst[2 * i + 1]) {
                *why = "text holds a NUL character";
                return false;
            }
        }
        dst[2 * units] = dst[2 * units + 1] = 0;
        *len = 2 * units + 2;
        return true;
    }
    if (type == DCS_REG_BINARY)
        return parse_binary(s, n, dst, len, why);
    *len = type == DCS_REG_DWORD ? 4 : 8;
    return parse_number(s, n, hex_numbers, (unsigned)*len, dst, why);
}
