/* Helpers shared by the blob tests; see blob_testlib.h. */
#include "blob_testlib.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <dcs/hex.h>

char *blob_read_text_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 4096, n = 0;
    char *buf = malloc(cap);
    while (buf) {
        if (n + 1 >= cap) {
            char *nb = realloc(buf, cap * 2);
            if (!nb) {
                free(buf);
                buf = NULL;
                break;
            }
            buf = nb;
            cap *= 2;
        }
        size_t got = fread(buf + n, 1, cap - n - 1, f);
        n += got;
        if (got == 0)
            break;
    }
    if (buf && ferror(f)) {
        free(buf);
        buf = NULL;
    }
    fclose(f);
    if (buf) {
        buf[n] = '\0';
        if (len)
            *len = n;
    }
    return buf;
}

uint8_t *blob_exact_alloc(size_t size)
{
    uint8_t *p = malloc(size ? size : 1);
    if (!p) {
        fprintf(stderr, "out of memory\n");
        abort();
    }
    return p;
}

uint8_t *blob_exact_copy(const void *data, size_t size)
{
    uint8_t *p = blob_exact_alloc(size);
    if (size)
        memcpy(p, data, size);
    return p;
}

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int load_one(struct blob_fixture *fx, const char *dir, const char *file)
{
    size_t dl = strlen(dir), fl = strlen(file);
    memset(fx, 0, sizeof *fx);
    fx->path = malloc(dl + fl + 2);
    fx->name = malloc(fl - 3);
    if (!fx->path || !fx->name)
        return -1;
    snprintf(fx->path, dl + fl + 2, "%s/%s", dir, file);
    memcpy(fx->name, file, fl - 4);
    fx->name[fl - 4] = '\0';

    size_t tlen = 0, n = 0;
    char *text = blob_read_text_file(fx->path, &tlen);
    if (!text) {
        fprintf(stderr, "%s: cannot read\n", fx->path);
        return -1;
    }
    struct dcs_error err;
    dcs_status st = dcs_hex_text_decode(text, tlen, NULL, 0, &n, &err);
    if (st == DCS_OK && n) {
        fx->data = malloc(n);
        if (!fx->data)
            st = DCS_ERR_NOMEM;
        else
            st = dcs_hex_text_decode(text, tlen, fx->data, n, &n, &err);
    }
    free(text);
    if (st != DCS_OK) {
        fprintf(stderr, "%s: %s\n", fx->path, err.message);
        return -1;
    }
    fx->size = n;

    char *src = malloc(dl + fl + 6);
    if (!src)
        return -1;
    snprintf(src, dl + fl + 6, "%s/%s.source", dir, fx->name);
    fx->source = blob_read_text_file(src, NULL);
    free(src);
    return 0;
}

static void free_one(struct blob_fixture *fx)
{
    free(fx->name);
    free(fx->path);
    free(fx->data);
    free(fx->source);
}

int blob_fixtures_load_dir(struct blob_fixture_set *set, const char *dir)
{
    DIR *d = opendir(dir);
    if (!d) {
        fprintf(stderr, "%s: cannot open fixture directory\n", dir);
        return -1;
    }
    char **names = NULL;
    size_t nn = 0, cap = 0;
    int rc = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        size_t l = strlen(e->d_name);
        if (l <= 4 || strcmp(e->d_name + l - 4, ".hex") != 0)
            continue;
        if (nn == cap) {
            cap = cap ? cap * 2 : 64;
            char **nb = realloc(names, cap * sizeof *names);
            if (!nb) {
                rc = -1;
                break;
            }
            names = nb;
        }
        names[nn] = strdup(e->d_name);
        if (!names[nn]) {
            rc = -1;
            break;
        }
        nn++;
    }
    closedir(d);
    if (nn)
        qsort(names, nn, sizeof *names, cmp_names);

    int added = 0;
    for (size_t i = 0; i < nn && rc == 0; i++) {
        struct blob_fixture fx;
        if (load_one(&fx, dir, names[i]) != 0) {
            free_one(&fx);
            rc = -1;
            break;
        }
        int dup = 0;
        for (size_t k = 0; k < set->n && !dup; k++)
            dup = strcmp(set->items[k].name, fx.name) == 0 && set->items[k].size == fx.size &&
                  (fx.size == 0 || memcmp(set->items[k].data, fx.data, fx.size) == 0);
        if (dup) {
            free_one(&fx);
            continue;
        }
        struct blob_fixture *ni = realloc(set->items, (set->n + 1) * sizeof *ni);
        if (!ni) {
            free_one(&fx);
            rc = -1;
            break;
        }
        set->items = ni;
        set->items[set->n++] = fx;
        added++;
    }
    for (size_t i = 0; i < nn; i++)
        free(names[i]);
    free(names);
    return rc ? -1 : added;
}

void blob_fixtures_free(struct blob_fixture_set *set)
{
    for (size_t i = 0; i < set->n; i++)
        free_one(&set->items[i]);
    free(set->items);
    set->items = NULL;
    set->n = 0;
}

/* ---- .source parsing ------------------------------------------------------- */

int blob_source_parse(const char *text, struct blob_source *out)
{
    memset(out, 0, sizeof *out);
    out->declared_length = -1;
    if (!text)
        return 0;
    const char *len = strstr(text, "\nLength: ");
    if (len)
        out->declared_length = strtol(len + 9, NULL, 10);
    const char *p = strstr(text, "\nDecoded here");
    if (!p)
        return 0;
    p = strchr(p + 1, '\n');
    while (p && *p) {
        const char *line = p + 1;
        const char *eol = strchr(line, '\n');
        if (!eol)
            eol = line + strlen(line);
        p = *eol ? eol : NULL;
        if (line[0] != ' ' || line[1] != ' ')
            continue; /* prose lines of the heading */
        const char *k = line + 2, *colon = k;
        while (colon < eol && (*colon == '_' || (*colon >= 'a' && *colon <= 'z') ||
                               (*colon >= '0' && *colon <= '9')))
            colon++;
        if (colon == k || colon >= eol || *colon != ':' ||
            (size_t)(colon - k) >= sizeof out->lines[0].key || out->n == BLOB_SOURCE_MAX_KEYS)
            continue;
        struct blob_source_line *l = &out->lines[out->n++];
        memcpy(l->key, k, (size_t)(colon - k));
        l->key[colon - k] = '\0';
        const char *v = colon + 1;
        while (v < eol && *v == ' ')
            v++;
        const char *ve = eol;
        while (ve > v && (ve[-1] == ' ' || ve[-1] == '\r'))
            ve--;
        l->value = v;
        l->value_len = (size_t)(ve - v);
    }
    return out->n > 0;
}

const struct blob_source_line *blob_source_get(const struct blob_source *s, const char *key)
{
    for (unsigned i = 0; i < s->n; i++)
        if (strcmp(s->lines[i].key, key) == 0)
            return &s->lines[i];
    return NULL;
}

static size_t put_utf8(uint8_t *o, uint32_t cp)
{
    if (cp < 0x80) {
        o[0] = (uint8_t)cp;
        return 1;
    }
    if (cp < 0x800) {
        o[0] = (uint8_t)(0xC0 | cp >> 6);
        o[1] = (uint8_t)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        o[0] = (uint8_t)(0xE0 | cp >> 12);
        o[1] = (uint8_t)(0x80 | ((cp >> 6) & 0x3F));
        o[2] = (uint8_t)(0x80 | (cp & 0x3F));
        return 3;
    }
    o[0] = (uint8_t)(0xF0 | cp >> 18);
    o[1] = (uint8_t)(0x80 | ((cp >> 12) & 0x3F));
    o[2] = (uint8_t)(0x80 | ((cp >> 6) & 0x3F));
    o[3] = (uint8_t)(0x80 | (cp & 0x3F));
    return 4;
}

static int hexval(const char *s, size_t n, uint32_t *out)
{
    uint32_t v = 0;
    for (size_t i = 0; i < n; i++) {
        int d = dcs_hex_digit((unsigned char)s[i]);
        if (d < 0)
            return 0;
        v = v << 4 | (uint32_t)d;
    }
    *out = v;
    return 1;
}

int blob_pyrepr_parse(const char *s, size_t len, uint8_t *latin1, size_t *n1, uint8_t *utf8,
                      size_t *n2, size_t cap, size_t *used)
{
    size_t i = 0, a = 0, b = 0;
    int is_bytes = 0;
    if (i < len && s[i] == 'b') {
        is_bytes = 1;
        i++;
    }
    if (i >= len || (s[i] != '\'' && s[i] != '"'))
        return 0;
    char q = s[i++];
    for (;;) {
        if (i >= len)
            return 0;
        unsigned char c = (unsigned char)s[i];
        if (c == (unsigned char)q) {
            i++;
            break;
        }
        uint32_t cp;
        int raw_byte = 0;
        if (c == '\\') {
            if (i + 1 >= len)
                return 0;
            char e = s[i + 1];
            i += 2;
            switch (e) {
            case '\\': cp = '\\'; break;
            case '\'': cp = '\''; break;
            case '"': cp = '"'; break;
            case 'n': cp = '\n'; break;
            case 'r': cp = '\r'; break;
            case 't': cp = '\t'; break;
            case '0': cp = 0; break;
            case 'x':
            case 'u':
            case 'U': {
                size_t w = e == 'x' ? 2 : e == 'u' ? 4 : 8;
                if (i + w > len || !hexval(s + i, w, &cp))
                    return 0;
                i += w;
                raw_byte = is_bytes;
                break;
            }
            default: return 0;
            }
        } else if (c >= 0x80) {
            /* a literal UTF-8 sequence in the .source file: keep as is */
            size_t k = 1;
            while (i + k < len && ((unsigned char)s[i + k] & 0xC0) == 0x80)
                k++;
            if (a + k > cap || b + k > cap)
                return 0;
            memcpy(latin1 + a, s + i, k);
            memcpy(utf8 + b, s + i, k);
            a += k;
            b += k;
            i += k;
            continue;
        } else {
            cp = c;
            i++;
        }
        if (a + 1 > cap || b + 4 > cap)
            return 0;
        if (raw_byte || cp < 0x100)
            latin1[a++] = (uint8_t)cp;
        else
            a += put_utf8(latin1 + a, cp);
        if (raw_byte)
            utf8[b++] = (uint8_t)cp;
        else
            b += put_utf8(utf8 + b, cp);
    }
    *n1 = a;
    *n2 = b;
    if (used)
        *used = i;
    return 1;
}

int blob_pyrepr_equals(const char *s, size_t len, dcs_bytes v)
{
    size_t cap = len * 4 + 4, n1 = 0, n2 = 0, used = 0;
    uint8_t *l1 = malloc(cap), *u8 = malloc(cap);
    int eq = 0;
    if (l1 && u8 && blob_pyrepr_parse(s, len, l1, &n1, u8, &n2, cap, &used) && used == len)
        eq = (n1 == v.len && (v.len == 0 || memcmp(l1, v.ptr, n1) == 0)) ||
             (n2 == v.len && (v.len == 0 || memcmp(u8, v.ptr, n2) == 0));
    free(l1);
    free(u8);
    return eq;
}

int blob_parse_uint(const char *s, size_t len, uint64_t *out)
{
    uint64_t v = 0;
    size_t i = 0;
    unsigned base = 10;
    if (len > 2 && s[0] == '0' && (s[1] | 0x20) == 'x')
        base = 16, i = 2;
    if (i == len)
        return 0;
    for (; i < len; i++) {
        int d = base == 16 ? dcs_hex_digit((unsigned char)s[i])
                           : (s[i] >= '0' && s[i] <= '9' ? s[i] - '0' : -1);
        if (d < 0 || v > (UINT64_MAX - (uint64_t)d) / base)
            return 0;
        v = v * base + (uint64_t)d;
    }
    *out = v;
    return 1;
}

/* Days from 1601-01-01 to y-m-d in the proleptic Gregorian calendar. */
static int64_t days_since_1601(int64_t y, int64_t m, int64_t d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    int64_t days_1970 = era * 146097 + doe - 719468;
    return days_1970 + 134774; /* 1601-01-01 .. 1970-01-01 */
}

static int digits(const char *s, size_t n, int64_t *out)
{
    int64_t v = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return 0;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return 1;
}

int blob_parse_datetime_us(const char *s, size_t len, uint64_t *out)
{
    int64_t y, mo, d, h, mi, sec, us = 0;
    if (len < 19 || s[4] != '-' || s[7] != '-' || (s[10] != ' ' && s[10] != 'T') ||
        s[13] != ':' || s[16] != ':' || !digits(s, 4, &y) || !digits(s + 5, 2, &mo) ||
        !digits(s + 8, 2, &d) || !digits(s + 11, 2, &h) || !digits(s + 14, 2, &mi) ||
        !digits(s + 17, 2, &sec))
        return 0;
    if (len > 19) {
        if (s[19] != '.' || len == 20 || len > 26 || !digits(s + 20, len - 20, &us))
            return 0;
        for (size_t k = len - 20; k < 6; k++)
            us *= 10;
    }
    if (y < 1601 || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 60)
        return 0;
    int64_t days = days_since_1601(y, mo, d);
    *out = (uint64_t)(((days * 24 + h) * 60 + mi) * 60 + sec) * 1000000u + (uint64_t)us;
    return 1;
}

/* ---- reference layout ------------------------------------------------------ */

static uint32_t le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

int blob_layout_walk(const uint8_t *data, size_t size, struct blob_layout *out)
{
    /* elem per field: 0 fixed, 1 string, 4 IPv4 list, 128 socket records */
    static const uint32_t elem[DCS_FIELD_COUNT_] = {0, 0, 0, 1, 1, 1, 0, 1, 0, 4, 1, 0, 128};
    memset(out, 0, sizeof *out);
    if (size < 4)
        return 0;
    uint32_t v = le32(data);
    if (v == 0x18 || v == 0x28) {
        out->winhttp = 1;
        out->nfields = 5;
    } else if (v >= 0x3C) {
        out->nfields = v == 0x3C ? 12 : 13;
    } else {
        return 0;
    }
    size_t at = 0;
    uint32_t f;
    for (f = 0; f < out->nfields; f++) {
        struct blob_span *s = &out->f[f];
        s->start = (uint32_t)at;
        s->head = f == DCS_FIELD_LAST_DETECT_TIME ? 8 : 4;
        s->elem = elem[f];
        if (size - at < s->head)
            break;
        if (s->elem)
            s->body = (uint64_t)le32(data + at) * s->elem;
        if ((uint64_t)(size - at - s->head) < s->body)
            break;
        at += s->head + (size_t)s->body;
    }
    out->complete = f;
    out->end = at;
    return 1;
}

/* ---- building test blobs by hand ------------------------------------------- */

void bw_reset(struct blob_writer *w)
{
    w->n = 0;
}

void bw_raw(struct blob_writer *w, const void *p, size_t n)
{
    if (w->n + n > sizeof w->buf) {
        fprintf(stderr, "blob_writer overflow\n");
        abort();
    }
    if (n)
        memcpy(w->buf + w->n, p, n);
    w->n += n;
}

void bw_u32(struct blob_writer *w, uint32_t v)
{
    const uint8_t b[4] = {(uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24)};
    bw_raw(w, b, 4);
}

void bw_u64(struct blob_writer *w, uint64_t v)
{
    bw_u32(w, (uint32_t)v);
    bw_u32(w, (uint32_t)(v >> 32));
}

void bw_strn(struct blob_writer *w, const void *s, size_t n)
{
    bw_u32(w, (uint32_t)n);
    bw_raw(w, s, n);
}

void bw_str(struct blob_writer *w, const char *s)
{
    bw_strn(w, s, strlen(s));
}

void bw_head(struct blob_writer *w, uint32_t version, uint32_t counter, uint32_t flags,
             const char *proxy, const char *bypass)
{
    bw_reset(w);
    bw_u32(w, version);
    bw_u32(w, counter);
    bw_u32(w, flags);
    bw_str(w, proxy);
    bw_str(w, bypass);
}

void bw_ie(struct blob_writer *w, uint32_t version, uint32_t counter, uint32_t flags,
           const char *proxy, const char *bypass, const char *pac, uint32_t adflags)
{
    bw_head(w, version, counter, flags, proxy, bypass);
    bw_str(w, pac);
    bw_u32(w, adflags);
    bw_u32(w, 0); /* last-detect URL length */
    bw_u64(w, 0); /* detect time */
    bw_u32(w, 0); /* IPv4 count */
    bw_u32(w, 0); /* secondary URL length */
    bw_u32(w, 0); /* reload delay */
    if (version != 0x3C)
        bw_u32(w, 0); /* socket-address count */
}

size_t blob_make_46(uint8_t *out, size_t cap, uint32_t counter, uint32_t flags,
                    const char *proxy, const char *bypass, const char *pac)
{
    struct dcs_blob b;
    struct dcs_settings st = {flags,
                              {(const uint8_t *)proxy, (uint32_t)strlen(proxy)},
                              {(const uint8_t *)bypass, (uint32_t)strlen(bypass)},
                              {(const uint8_t *)pac, (uint32_t)strlen(pac)}};
    dcs_blob_build(&st, NULL, &b);
    b.counter = counter;
    b.flags = flags;
    size_t n = 0;
    return dcs_blob_encode(&b, out, cap, &n, NULL) == DCS_OK ? n : 0;
}
