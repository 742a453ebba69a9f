/* Hex helpers: fast lower-case encoding and a forgiving hex-text reader for
 * what people paste (hexdumps, .reg fragments, 0x-prefixed lists). */
#include <dcs/hex.h>

#include <string.h>

size_t dcs_hex_encode(const void *data, size_t n, char *out)
{
    static const char digits[] = "0123456789abcdef";
    const uint8_t *p = data;
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = digits[p[i] >> 4];
        out[2 * i + 1] = digits[p[i] & 15];
    }
    return 2 * n;
}

struct cursor {
    const char *s;
    size_t len, i;
    uint32_t line;
    size_t line_start;
};

static dcs_status fail(struct cursor *c, struct dcs_error *err, const char *what)
{
    return dcs_error_set_at(err, DCS_ERR_HEX_SYNTAX, c->i, c->line,
                            (uint32_t)(c->i - c->line_start + 1), "%s", what);
}

static int at(const struct cursor *c, size_t k)
{
    return c->i + k < c->len ? (unsigned char)c->s[c->i + k] : -1;
}

/* Skip a .reg value-name prefix: "name"= or @= (with blanks around '='). */
static int skip_assignment(struct cursor *c)
{
    size_t j = c->i;
    if (c->s[j] == '@') {
        j++;
    } else {
        j++; /* opening quote */
        while (j < c->len && c->s[j] != '"' && c->s[j] != '\n') {
            if (c->s[j] == '\\' && j + 1 < c->len)
                j++;
            j++;
        }
        if (j >= c->len || c->s[j] != '"')
            return 0;
        j++;
    }
    while (j < c->len && (c->s[j] == ' ' || c->s[j] == '\t'))
        j++;
    if (j >= c->len || c->s[j] != '=')
        return 0;
    c->i = j + 1;
    return 1;
}

/* Skip "hex:" or "hex(N):" (case-insensitive). */
static int skip_hex_tag(struct cursor *c)
{
    size_t j = c->i;
    if (j + 3 > c->len || (c->s[j] | 0x20) != 'h' || (c->s[j + 1] | 0x20) != 'e' ||
        (c->s[j + 2] | 0x20) != 'x')
        return 0;
    j += 3;
    if (j < c->len && c->s[j] == '(') {
        j++;
        size_t d = 0;
        while (j < c->len && dcs_hex_digit((unsigned char)c->s[j]) >= 0)
            j++, d++;
        if (d == 0 || j >= c->len || c->s[j] != ')')
            return 0;
        j++;
    }
    if (j >= c->len || c->s[j] != ':')
        return 0;
    c->i = j + 1;
    return 1;
}

dcs_status dcs_hex_text_decode(const char *text, size_t len, uint8_t *out, size_t cap,
                               size_t *outlen, struct dcs_error *err)
{
    struct cursor c = {text, len, 0, 1, 0};
    size_t n = 0;
    if (outlen)
        *outlen = 0;
    if ((!text && len) || (!out && cap))
        return dcs_error_set(err, DCS_ERR_INVALID_ARG, DCS_NO_OFFSET,
                             text || !len ? "no output buffer" : "no input");
    while (c.i < c.len) {
        int ch = at(&c, 0);
        if (ch == '\n') {
            c.i++;
            c.line++;
            c.line_start = c.i;
            continue;
        }
        if (ch == ' ' || ch == '\t' || ch == '\r' || ch == ',' || ch == ':' || ch == '-' ||
            ch == '\\') {
            c.i++;
            continue;
        }
        if (ch == ';' || ch == '#') {
            while (c.i < c.len && c.s[c.i] != '\n')
                c.i++;
            continue;
        }
        if (ch == '"' || ch == '@') {
            if (!skip_assignment(&c))
                return fail(&c, err, "expected \"name\"= or @= before hex data");
            continue;
        }
        if ((ch | 0x20) == 'h') {
            if (!skip_hex_tag(&c))
                return fail(&c, err, "expected hex: or hex(N):");
            continue;
        }
        if (ch == '0' && (at(&c, 1) | 0x20) == 'x' && at(&c, 2) >= 0 &&
            dcs_hex_digit((unsigned char)at(&c, 2)) >= 0) {
            c.i += 2;
            continue;
        }
        if (dcs_hex_digit((unsigned char)ch) < 0)
            return fail(&c, err, "not a hex digit");
        size_t start = c.i, run = 0;
        while (c.i < c.len && dcs_hex_digit((unsigned char)c.s[c.i]) >= 0)
            c.i++, run++;
        if (c.i < c.len) {
            int nx = (unsigned char)c.s[c.i];
            if (!(nx == ' ' || nx == '\t' || nx == '\r' || nx == '\n' || nx == ',' ||
                  nx == ':' || nx == '-' || nx == '\\' || nx == ';' || nx == '#')) {
                return fail(&c, err, "not a hex digit");
            }
        }
        if (run == 1) {
            if (n < cap)
                out[n] = (uint8_t)dcs_hex_digit((unsigned char)c.s[start]);
            n++;
        } else if (run % 2) {
            c.i = start;
            return fail(&c, err, "odd number of hex digits");
        } else {
            for (size_t k = 0; k < run; k += 2, n++) {
                if (n < cap)
                    out[n] = (uint8_t)(dcs_hex_digit((unsigned char)c.s[start + k]) << 4 |
                                       dcs_hex_digit((unsigned char)c.s[start + k + 1]));
            }
        }
    }
    if (outlen)
        *outlen = n;
    if (n > cap && (out || cap))
        return dcs_error_set(err, DCS_ERR_BUFFER_TOO_SMALL, DCS_NO_OFFSET,
                             "hex text holds %zu bytes, buffer has room for %zu", n, cap);
    return DCS_OK;
}

int dcs_hex_text_detect(const void *data, size_t len)
{
    const uint8_t *p = data;
    size_t n = 0;
    if (len == 0)
        return 0;
    for (size_t i = 0; i < len; i++)
        if (p[i] == 0 || p[i] >= 0x80 || (p[i] < 0x20 && p[i] != '\n' && p[i] != '\r' &&
                                           p[i] != '\t'))
            return 0;
    if (dcs_hex_text_decode(data, len, NULL, 0, &n, NULL) != DCS_OK)
        return 0;
    return n > 0;
}
