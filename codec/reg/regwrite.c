/* .reg writer: regedit's export layout in UTF-16LE, UTF-8 or Windows-1252. */
#include <dcs/regwrite.h>

#include <stdlib.h>
#include <string.h>

#include <dcs/regread.h>
#include "core/text.h"

#define BUF_SIZE ((size_t)64 * 1024)
#define WRAP_COL 77

enum out_enc { ENC_UTF16, ENC_UTF8, ENC_ANSI };

struct dcs_reg_writer {
    dcs_reg_write_fn fn;
    void *ctx;
    enum dcs_reg_format format;
    enum out_enc enc;
    bool started;
    uint8_t *buf;
    size_t pos;
    uint8_t *scratch; /* regedit4: hex(2)/hex(7) converted to 8-bit */
    size_t scratch_cap;
    uint64_t lossy;
    uint64_t flushed; /* bytes handed to the callback */
    dcs_warn_fn on_warning;
    void *warning_ctx;
    uint64_t hex16[256]; /* "x\0x\0,\0" + 2 spare bytes */
    uint32_t hex8[256];  /* "xx," + 1 spare byte */
};

dcs_status dcs_reg_membuf_write(void *ctx, const void *data, size_t len, struct dcs_error *err)
{
    struct dcs_reg_membuf *m = ctx;
    if (len > m->cap - m->len) {
        if (!m->grow)
            return dcs_error_set(err, DCS_ERR_BUFFER_TOO_SMALL, m->len,
                                 "output buffer of %zu bytes is full", m->cap);
        size_t cap = m->cap ? m->cap : 4096;
        while (cap - m->len < len)
            cap *= 2;
        uint8_t *p = realloc(m->buf, cap);
        if (!p)
            return dcs_error_set(err, DCS_ERR_NOMEM, DCS_NO_OFFSET, "out of memory");
        m->buf = p;
        m->cap = cap;
    }
    memcpy(m->buf + m->len, data, len);
    m->len += len;
    return DCS_OK;
}

dcs_status dcs_reg_writer_new(const struct dcs_reg_writer_options *opt, dcs_reg_write_fn fn,
                              void *ctx, struct dcs_reg_writer **out, struct dcs_error *err)
{
    *out = NULL;
    struct dcs_reg_writer_options o = {DCS_REG_FORMAT_REGEDIT5, DCS_REG_OUT_DEFAULT};
    if (opt)
        o = *opt;
    if ((o.format != DCS_REG_FORMAT_REGEDIT5 && o.format != DCS_REG_FORMAT_REGEDIT4) ||
        o.encoding > DCS_REG_OUT_ANSI || !fn)
        return dcs_error_set(err, DCS_ERR_INVALID_ARG, DCS_NO_OFFSET, "bad writer options");
    struct dcs_reg_writer *w = calloc(1, sizeof *w);
    if (!w || !(w->buf = malloc(BUF_SIZE))) {
        free(w);
        return dcs_error_set(err, DCS_ERR_NOMEM, DCS_NO_OFFSET, "out of memory");
    }
    w->fn = fn;
    w->ctx = ctx;
    w->format = o.format;
    switch (o.encoding) {
    case DCS_REG_OUT_UTF16LE: w->enc = ENC_UTF16; break;
    case DCS_REG_OUT_UTF8: w->enc = ENC_UTF8; break;
    case DCS_REG_OUT_ANSI: w->enc = ENC_ANSI; break;
    default: w->enc = o.format == DCS_REG_FORMAT_REGEDIT4 ? ENC_ANSI : ENC_UTF16;
    }
    static const char digits[] = "0123456789abcdef";
    for (int b = 0; b < 256; b++) {
        uint8_t s[8] = {(uint8_t)digits[b >> 4], 0, (uint8_t)digits[b & 15], 0, ',', 0, 0, 0};
        memcpy(&w->hex16[b], s, 8);
        uint8_t t[4] = {(uint8_t)digits[b >> 4], (uint8_t)digits[b & 15], ',', 0};
        memcpy(&w->hex8[b], t, 4);
    }
    *out = w;
    return DCS_OK;
}

void dcs_reg_writer_free(struct dcs_reg_writer *w)
{
    if (!w)
        return;
    free(w->buf);
    free(w->scratch);
    free(w);
}

void dcs_reg_writer_set_warn(struct dcs_reg_writer *w, dcs_warn_fn fn, void *ctx)
{
    w->on_warning = fn;
    w->warning_ctx = ctx;
}

void dcs_reg_writer_reset(struct dcs_reg_writer *w)
{
    w->pos = 0;
    w->flushed = 0;
    w->started = false;
    w->lossy = 0;
}

uint64_t dcs_reg_writer_lossy(const struct dcs_reg_writer *w)
{
    return w->lossy;
}

/* Hand the buffer to the output callback.  Never called with an empty
 * buffer: room() flushes only for a request that does not fit (all are far
 * below BUF_SIZE) and finish() writes its CRLF first. */
static dcs_status flush(struct dcs_reg_writer *w, struct dcs_error *err)
{
    dcs_status st = w->fn(w->ctx, w->buf, w->pos, err);
    w->flushed += w->pos;
    w->pos = 0;
    return st;
}

/* Make room for n more bytes (n <= BUF_SIZE). */
static inline dcs_status room(struct dcs_reg_writer *w, size_t n, struct dcs_error *err)
{
    return BUF_SIZE - w->pos >= n ? DCS_OK : flush(w, err);
}

static dcs_status put_ascii(struct dcs_reg_writer *w, const char *s, size_t n,
                            struct dcs_error *err)
{
    dcs_status st = room(w, 2 * n, err);
    if (st)
        return st;
    uint8_t *d = w->buf + w->pos;
    if (w->enc == ENC_UTF16) {
        for (size_t i = 0; i < n; i++) {
            d[2 * i] = (uint8_t)s[i];
            d[2 * i + 1] = 0;
        }
        w->pos += 2 * n;
    } else {
        memcpy(d, s, n);
        w->pos += n;
    }
    return DCS_OK;
}

#define PUT_LIT(w, s, err) put_ascii((w), (s), sizeof(s) - 1, (err))

/* One code point in the output encoding (room for 4 bytes checked by the
 * caller).  Lone surrogates survive in UTF-16 only. */
static void put_cp(struct dcs_reg_writer *w, uint32_t cp)
{
    uint8_t *d = w->buf + w->pos;
    bool lone = cp >= 0xD800 && cp <= 0xDFFF;
    switch (w->enc) {
    case ENC_UTF16:
        if (cp < 0x10000) {
            dcs_st16le(d, (uint16_t)cp);
            w->pos += 2;
        } else {
            cp -= 0x10000;
            dcs_st16le(d, (uint16_t)(0xD800 + (cp >> 10)));
            dcs_st16le(d + 2, (uint16_t)(0xDC00 + (cp & 0x3FF)));
            w->pos += 4;
        }
        return;
    case ENC_UTF8:
        if (lone) {
            w->lossy++;
            cp = 0xFFFD;
        }
        if (cp < 0x80) {
            d[0] = (uint8_t)cp;
            w->pos += 1;
        } else if (cp < 0x800) {
            d[0] = (uint8_t)(0xC0 | (cp >> 6));
            d[1] = (uint8_t)(0x80 | (cp & 0x3F));
            w->pos += 2;
        } else if (cp < 0x10000) {
            d[0] = (uint8_t)(0xE0 | (cp >> 12));
            d[1] = (uint8_t)(0x80 | ((cp >> 6) & 0x3F));
            d[2] = (uint8_t)(0x80 | (cp & 0x3F));
            w->pos += 3;
        } else {
            d[0] = (uint8_t)(0xF0 | (cp >> 18));
            d[1] = (uint8_t)(0x80 | ((cp >> 12) & 0x3F));
            d[2] = (uint8_t)(0x80 | ((cp >> 6) & 0x3F));
            d[3] = (uint8_t)(0x80 | (cp & 0x3F));
            w->pos += 4;
        }
        return;
    case ENC_ANSI: {
        uint8_t u[2];
        dcs_st16le(u, (uint16_t)(cp < 0x10000 ? cp : 0xFFFF));
        size_t bad = 0;
        dcsi_utf16le_to_cp1252(u, 1, d, &bad);
        w->lossy += bad;
        w->pos += 1;
        return;
    }
    }
}

/* How quoted text is escaped.  regedit writes `\\` and `\"`; the line
 * breaks of REG_SZ data go out raw, as regedit exports them (a real export
 * holds `"State"="{<CR><LF>  \"a\":1<CR><LF>}"`), while those of value names
 * are written `\r` and `\n` so that a name stays on its line. */
enum esc { ESC_NONE, ESC_DATA, ESC_NAME };

static inline bool needs_escape(uint32_t c, enum esc escape)
{
    return escape != ESC_NONE &&
           (c == '\\' || c == '"' || (escape == ESC_NAME && (c == '\r' || c == '\n')));
}

/* Put one character, escaped if asked; returns the UTF-16 units it took. */
static size_t put_char(struct dcs_reg_writer *w, uint32_t cp, enum esc escape)
{
    if (needs_escape(cp, escape)) {
        put_cp(w, '\\');
        put_cp(w, cp == '\r' ? 'r' : cp == '\n' ? 'n' : cp);
        return 2;
    }
    put_cp(w, cp);
    return cp >= 0x10000 ? 2 : 1;
}

/* UTF-8 text; *units (if non-NULL) gets its length in UTF-16 units. */
static dcs_status put_utf8(struct dcs_reg_writer *w, const char *s, size_t n, enum esc escape,
                           size_t *units, struct dcs_error *err)
{
    size_t u = 0;
    for (size_t i = 0; i < n;) {
        dcs_status st = room(w, 8, err);
        if (st)
            return st;
        /* run of plain ASCII */
        size_t j = i, lim = n - i < 256 ? n : i + 256;
        while (j < lim) {
            unsigned char c = (unsigned char)s[j];
            if (c >= 0x80 || needs_escape(c, escape))
                break;
            j++;
        }
        if (j > i) {
            st = put_ascii(w, s + i, j - i, err);
            if (st)
                return st;
            u += j - i;
            i = j;
            continue;
        }
        uint32_t cp;
        size_t k = dcsi_utf8_decode(s + i, n - i, &cp);
        if (!k) {
            cp = 0xFFFD;
            k = 1;
            w->lossy++;
        }
        u += put_char(w, cp, escape);
        i += k;
    }
    if (units)
        *units = u;
    return DCS_OK;
}

/* UTF-16LE REG_SZ data of n units, stopping at the first NUL. */
static dcs_status put_utf16(struct dcs_reg_writer *w, const uint8_t *p, size_t n,
                            struct dcs_error *err)
{
    for (size_t i = 0; i < n;) {
        /* plain run straight into the buffer when the output is UTF-16 */
        if (w->enc == ENC_UTF16) {
            size_t j = i;
            while (j < n) {
                uint16_t c = dcs_ld16le(p + 2 * j);
                if (c == 0 || c == '\\' || c == '"')
                    break;
                j++;
            }
            while (i < j) {
                dcs_status st = room(w, 256, err);
                if (st)
                    return st;
                size_t k = j - i < 128 ? j - i : 128;
                memcpy(w->buf + w->pos, p + 2 * i, 2 * k);
                w->pos += 2 * k;
                i += k;
            }
            if (i >= n)
                break;
        }
        dcs_status st = room(w, 8, err);
        if (st)
            return st;
        uint32_t c = dcs_ld16le(p + 2 * i++);
        if (c == 0)
            break;
        if (c >= 0xD800 && c <= 0xDBFF && i < n) {
            uint32_t lo = dcs_ld16le(p + 2 * i);
            if (lo >= 0xDC00 && lo <= 0xDFFF) {
                c = 0x10000 + ((c - 0xD800) << 10) + (lo - 0xDC00);
                i++;
            }
        }
        put_char(w, c, ESC_DATA);
    }
    return DCS_OK;
}

static dcs_status start(struct dcs_reg_writer *w, struct dcs_error *err)
{
    if (w->started)
        return DCS_OK;
    w->started = true;
    if (w->enc == ENC_UTF16) {
        dcs_status st = room(w, 2, err);
        if (st)
            return st;
        w->buf[w->pos++] = 0xFF;
        w->buf[w->pos++] = 0xFE;
    }
    if (w->format == DCS_REG_FORMAT_REGEDIT4)
        return PUT_LIT(w, "REGEDIT4\r\n", err);
    return PUT_LIT(w, "Windows Registry Editor Version 5.00\r\n", err);
}

/* A key name regedit cannot import back: say so, showing the characters
 * as \0, \r and \n (the key is written verbatim all the same). */
static void warn_key(struct dcs_reg_writer *w, const char *key, size_t len)
{
    const char *what = NULL;
    for (size_t i = 0; i < len && !what; i++)
        what = key[i] == 0 ? "a NUL character" : key[i] == '\r' || key[i] == '\n' ? "a line break" : NULL;
    if (!what || !w->on_warning)
        return;
    char shown[116]; /* with the text around it, within a dcs_error message */
    size_t o = 0, i = 0;
    /* up to 100 bytes, cut between UTF-8 characters */
    for (; i < len && (o < 100 || ((unsigned char)key[i] & 0xC0) == 0x80); i++) {
        char c = key[i];
        if (c == 0 || c == '\r' || c == '\n') {
            shown[o++] = '\\';
            const char *esc = c == 0 ? "0" : c == '\r' ? "r" : "n";
            shown[o++] = esc[0];
        } else {
            shown[o++] = c;
        }
    }
    shown[o] = 0;
    struct dcs_error e;
    /* the key line starts after the empty line written before it */
    dcs_error_set(&e, DCS_ERR_REG_SYNTAX, w->flushed + w->pos + (w->enc == ENC_UTF16 ? 4 : 2),
                  "key name holds %s, written as it is: regedit cannot import this key back "
                  "(its key line is cut there): %s%s",
                  what, shown, i < len ? "..." : "");
    w->on_warning(w->warning_ctx, &e);
}

static dcs_status key_line(struct dcs_reg_writer *w, const char *key, size_t len, bool del,
                           struct dcs_error *err)
{
    dcs_status st = start(w, err);
    if (!st) {
        warn_key(w, key, len);
        st = del ? PUT_LIT(w, "\r\n[-", err) : PUT_LIT(w, "\r\n[", err);
    }
    if (!st)
        st = put_utf8(w, key, len, ESC_NONE, NULL, err);
    if (!st)
        st = PUT_LIT(w, "]\r\n", err);
    return st;
}

dcs_status dcs_reg_writer_key(struct dcs_reg_writer *w, const char *key, size_t len,
                              struct dcs_error *err)
{
    return key_line(w, key, len, false, err);
}

dcs_status dcs_reg_writer_delete_key(struct dcs_reg_writer *w, const char *key, size_t len,
                                     struct dcs_error *err)
{
    return key_line(w, key, len, true, err);
}

/* `@=` or `"name"=`; *col gets the columns used (UTF-16 units). */
static dcs_status put_name(struct dcs_reg_writer *w, const char *name, size_t len, size_t *col,
                           struct dcs_error *err)
{
    dcs_status st = start(w, err);
    if (st)
        return st;
    if (len == 0) {
        *col = 2;
        return PUT_LIT(w, "@=", err);
    }
    size_t units = 0;
    st = PUT_LIT(w, "\"", err);
    if (!st)
        st = put_utf8(w, name, len, ESC_NAME, &units, err);
    if (!st)
        st = PUT_LIT(w, "\"=", err);
    *col = units + 3;
    return st;
}

dcs_status dcs_reg_writer_delete_value(struct dcs_reg_writer *w, const char *name,
                                       size_t name_len, struct dcs_error *err)
{
    size_t c;
    dcs_status st = put_name(w, name, name_len, &c, err);
    return st ? st : PUT_LIT(w, "-\r\n", err);
}

/* Hex bytes wrapped regedit's way, starting at column col. */
static dcs_status put_hex(struct dcs_reg_writer *w, const uint8_t *d, size_t n, size_t col,
                          struct dcs_error *err)
{
    if (n == 0)
        return DCS_OK;
    /* bytes written with their comma before the first wrap */
    size_t per = col >= WRAP_COL ? 1 : (WRAP_COL - col + 2) / 3;
    size_t left = n - 1; /* bytes followed by a comma */
    const bool u16 = w->enc == ENC_UTF16;
    while (left) {
        size_t k = per < left ? per : left;
        dcs_status st = room(w, k * 6 + 32, err);
        if (st)
            return st;
        uint8_t *o = w->buf + w->pos;
        if (u16) {
            for (size_t j = 0; j < k; j++, o += 6)
                memcpy(o, &w->hex16[d[j]], 8);
        } else {
            for (size_t j = 0; j < k; j++, o += 3)
                memcpy(o, &w->hex8[d[j]], 4);
        }
        w->pos = (size_t)(o - w->buf);
        d += k;
        left -= k;
        if (k == per) {
            static const char wrap[] = "\\\r\n  ";
            if (u16) {
                static const uint8_t wrap16[10] = {'\\', 0, '\r', 0, '\n', 0, ' ', 0, ' ', 0};
                memcpy(w->buf + w->pos, wrap16, 10);
                w->pos += 10;
            } else {
                memcpy(w->buf + w->pos, wrap, 5);
                w->pos += 5;
            }
            per = (WRAP_COL - 2) / 3;
        }
    }
    dcs_status st = room(w, 8, err);
    if (st)
        return st;
    if (u16) {
        memcpy(w->buf + w->pos, &w->hex16[d[0]], 4);
        w->pos += 4;
    } else {
        memcpy(w->buf + w->pos, &w->hex8[d[0]], 2);
        w->pos += 2;
    }
    return DCS_OK;
}

/* regedit4: UTF-16LE string data as 8-bit bytes in w->scratch. */
static dcs_status to_8bit(struct dcs_reg_writer *w, const uint8_t *data, size_t len,
                          size_t *outlen, struct dcs_error *err)
{
    size_t units = len / 2;
    size_t need = 3 * units + 4;
    if (need > w->scratch_cap) {
        uint8_t *p = realloc(w->scratch, need);
        if (!p)
            return dcs_error_set(err, DCS_ERR_NOMEM, DCS_NO_OFFSET, "out of memory");
        w->scratch = p;
        w->scratch_cap = need;
    }
    if (w->enc == ENC_UTF8) {
        /* UTF-8 as the 8-bit code page; lone surrogates become U+FFFD */
        size_t o = 0;
        for (size_t i = 0; i < units; i++) {
            uint32_t c = dcs_ld16le(data + 2 * i);
            if (c >= 0xD800 && c <= 0xDBFF && i + 1 < units) {
                uint32_t lo = dcs_ld16le(data + 2 * i + 2);
                if (lo >= 0xDC00 && lo <= 0xDFFF) {
                    uint8_t pair[4];
                    memcpy(pair, data + 2 * i, 4);
                    o += dcsi_utf16le_to_utf8(pair, 2, (char *)w->scratch + o);
                    i++;
                    continue;
                }
            }
            if (c >= 0xD800 && c <= 0xDFFF) {
                c = 0xFFFD;
                w->lossy++;
            }
            uint8_t one[2];
            dcs_st16le(one, (uint16_t)c);
            o += dcsi_utf16le_to_utf8(one, 1, (char *)w->scratch + o);
        }
        *outlen = o;
    } else {
        size_t bad = 0;
        *outlen = dcsi_utf16le_to_cp1252(data, units, w->scratch, &bad);
        w->lossy += bad;
    }
    return DCS_OK;
}

dcs_status dcs_reg_writer_value(struct dcs_reg_writer *w, const char *name, size_t name_len,
                                uint32_t type, const void *data, size_t len,
                                struct dcs_error *err)
{
    const uint8_t *d = data;
    size_t col;
    dcs_status st = put_name(w, name, name_len, &col, err);
    if (st)
        return st;
    if (type == DCS_REG_SZ) {
        st = PUT_LIT(w, "\"", err);
        if (!st)
            st = put_utf16(w, d, len / 2, err);
        if (!st)
            st = PUT_LIT(w, "\"\r\n", err);
        return st;
    }
    if (type == DCS_REG_DWORD && len == 4) {
        static const char digits[] = "0123456789abcdef";
        uint32_t v = (uint32_t)d[0] | (uint32_t)d[1] << 8 | (uint32_t)d[2] << 16 |
                     (uint32_t)d[3] << 24;
        char txt[16] = "dword:";
        for (int k = 0; k < 8; k++)
            txt[6 + k] = digits[(v >> (28 - 4 * k)) & 15];
        txt[14] = '\r';
        txt[15] = '\n';
        return put_ascii(w, txt, 16, err);
    }
    char tag[24];
    size_t tl;
    if (type == DCS_REG_BINARY) {
        tag[0] = 'h', tag[1] = 'e', tag[2] = 'x', tag[3] = ':';
        tl = 4;
    } else {
        static const char digits[] = "0123456789abcdef";
        char num[8];
        size_t nl = 0;
        uint32_t t = type;
        do {
            num[nl++] = digits[t & 15];
            t >>= 4;
        } while (t);
        tag[0] = 'h', tag[1] = 'e', tag[2] = 'x', tag[3] = '(';
        tl = 4;
        while (nl)
            tag[tl++] = num[--nl];
        tag[tl++] = ')';
        tag[tl++] = ':';
    }
    st = put_ascii(w, tag, tl, err);
    if (st)
        return st;
    if (w->format == DCS_REG_FORMAT_REGEDIT4 &&
        (type == DCS_REG_EXPAND_SZ || type == DCS_REG_MULTI_SZ)) {
        st = to_8bit(w, d, len, &len, err);
        if (st)
            return st;
        d = w->scratch;
    }
    st = put_hex(w, d, len, col + tl, err);
    if (!st)
        st = PUT_LIT(w, "\r\n", err);
    return st;
}

dcs_status dcs_reg_writer_finish(struct dcs_reg_writer *w, struct dcs_error *err)
{
    dcs_status st = start(w, err);
    if (!st)
        st = PUT_LIT(w, "\r\n", err);
    if (!st)
        st = flush(w, err);
    return st;
}
