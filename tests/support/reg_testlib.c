/* Helpers for the .reg tests. */
#include "reg_testlib.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static char *dupn(const char *s, size_t n)
{
    char *p = malloc(n + 1);
    if (!p)
        abort();
    memcpy(p, s, n);
    p[n] = 0;
    return p;
}

uint8_t *tl_read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 65536, n = 0;
    uint8_t *buf = malloc(cap);
    for (;;) {
        if (n == cap) {
            cap *= 2;
            buf = realloc(buf, cap);
            if (!buf)
                abort();
        }
        size_t k = fread(buf + n, 1, cap - n, f);
        if (!k)
            break;
        n += k;
    }
    fclose(f);
    *len = n;
    return buf;
}

uint8_t *tl_base64(const char *s, size_t *len)
{
    size_t n = strlen(s);
    uint8_t *out = malloc(n / 4 * 3 + 4);
    uint32_t acc = 0;
    int bits = 0;
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        int c = (unsigned char)s[i], v;
        if (c >= 'A' && c <= 'Z')
            v = c - 'A';
        else if (c >= 'a' && c <= 'z')
            v = c - 'a' + 26;
        else if (c >= '0' && c <= '9')
            v = c - '0' + 52;
        else if (c == '+')
            v = 62;
        else if (c == '/')
            v = 63;
        else if (c == '=')
            break;
        else {
            free(out);
            return NULL;
        }
        acc = acc << 6 | (uint32_t)v;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out[o++] = (uint8_t)(acc >> bits);
        }
    }
    *len = o;
    return out;
}

uint8_t *tl_unhex(const char *s, size_t *len)
{
    size_t n = strlen(s);
    if (n % 2)
        return NULL;
    uint8_t *out = malloc(n / 2 + 1);
    for (size_t i = 0; i < n / 2; i++) {
        unsigned v;
        if (sscanf(s + 2 * i, "%2x", &v) != 1) {
            free(out);
            return NULL;
        }
        out[i] = (uint8_t)v;
    }
    *len = n / 2;
    return out;
}

static void push(struct tl_ops *o, const struct dcs_reg_op *op)
{
    if (o->n == o->cap) {
        o->cap = o->cap ? o->cap * 2 : 64;
        o->v = realloc(o->v, o->cap * sizeof *o->v);
        if (!o->v)
            abort();
    }
    struct tl_op *t = &o->v[o->n++];
    memset(t, 0, sizeof *t);
    t->kind = op->kind;
    t->line = op->line;
    t->column = op->column;
    if (op->kind == DCS_REG_OP_WARNING) {
        t->wcode = op->warning->code;
        t->wmsg = dupn(op->warning->message, strlen(op->warning->message));
        o->warnings++;
        return;
    }
    t->key = dupn(op->key, op->key_len);
    if (op->name)
        t->name = dupn(op->name, op->name_len);
    t->type = op->type;
    t->len = op->data_len;
    t->data = malloc(op->data_len + 1);
    if (op->data_len)
        memcpy(t->data, op->data, op->data_len);
}

void tl_parse(struct tl_ops *out, const void *data, size_t len, size_t chunk,
              const struct dcs_reg_reader_options *opt)
{
    memset(out, 0, sizeof *out);
    struct dcs_reg_reader *r;
    out->st = dcs_reg_reader_new(opt, &r, &out->err);
    if (out->st)
        return;
    const uint8_t *p = data;
    size_t pos = 0;
    if (!chunk)
        chunk = len ? len : 1;
    for (;;) {
        struct dcs_reg_op op;
        out->st = dcs_reg_reader_next(r, &op, &out->err);
        if (out->st || op.kind == DCS_REG_OP_END)
            break;
        if (op.kind == DCS_REG_OP_NEED_INPUT) {
            size_t k = len - pos < chunk ? len - pos : chunk;
            out->st = dcs_reg_reader_feed(r, p + pos, k, pos + k == len, &out->err);
            pos += k;
            if (out->st)
                break;
            continue;
        }
        push(out, &op);
    }
    dcs_reg_reader_free(r);
}

void tl_ops_free(struct tl_ops *o)
{
    for (size_t i = 0; i < o->n; i++) {
        free(o->v[i].key);
        free(o->v[i].name);
        free(o->v[i].data);
        free(o->v[i].wmsg);
    }
    free(o->v);
    memset(o, 0, sizeof *o);
}

static bool streq(const char *a, const char *b)
{
    return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

bool tl_ops_equal(const struct tl_ops *a, const struct tl_ops *b)
{
    if (a->n != b->n || a->st != b->st)
        return false;
    for (size_t i = 0; i < a->n; i++) {
        const struct tl_op *x = &a->v[i], *y = &b->v[i];
        if (x->kind != y->kind || x->line != y->line || x->column != y->column ||
            x->wcode != y->wcode || !streq(x->key, y->key) || !streq(x->name, y->name) ||
            x->type != y->type || x->len != y->len || (x->len && memcmp(x->data, y->data, x->len)))
            return false;
    }
    return true;
}

/* ---- model ---- */

struct tl_key *tl_model_key(struct tl_model *m, const char *key)
{
    for (size_t i = 0; i < m->n; i++)
        if (strcasecmp(m->keys[i].name, key) == 0)
            return &m->keys[i];
    return NULL;
}

void tl_model_create(struct tl_model *m, const char *key)
{
    size_t n = strlen(key);
    for (size_t i = 0; i <= n; i++) {
        if (i < n && key[i] != '\\')
            continue;
        char *prefix = dupn(key, i);
        if (!tl_model_key(m, prefix)) {
            m->keys = realloc(m->keys, (m->n + 1) * sizeof *m->keys);
            memset(&m->keys[m->n], 0, sizeof m->keys[0]);
            m->keys[m->n++].name = prefix;
        } else {
            free(prefix);
        }
    }
}

static void free_key(struct tl_key *k)
{
    for (size_t j = 0; j < k->nv; j++) {
        free(k->vals[j].name);
        free(k->vals[j].data);
    }
    free(k->vals);
    free(k->name);
}

void tl_model_delete(struct tl_model *m, const char *key)
{
    size_t n = strlen(key);
    for (size_t i = 0; i < m->n;) {
        const char *k = m->keys[i].name;
        if (strncasecmp(k, key, n) == 0 && (k[n] == 0 || k[n] == '\\')) {
            free_key(&m->keys[i]);
            m->keys[i] = m->keys[--m->n];
        } else {
            i++;
        }
    }
}

struct tl_val *tl_model_value(struct tl_model *m, const char *key, const char *name)
{
    struct tl_key *k = tl_model_key(m, key);
    if (!k)
        return NULL;
    for (size_t j = 0; j < k->nv; j++)
        if (strcasecmp(k->vals[j].name, name) == 0)
            return &k->vals[j];
    return NULL;
}

void tl_model_set(struct tl_model *m, const char *key, const char *name, uint32_t type,
                  const uint8_t *data, size_t len)
{
    tl_model_create(m, key);
    struct tl_val *v = tl_model_value(m, key, name);
    if (!v) {
        struct tl_key *k = tl_model_key(m, key);
        k->vals = realloc(k->vals, (k->nv + 1) * sizeof *k->vals);
        v = &k->vals[k->nv++];
        v->name = dupn(name, strlen(name));
    } else {
        free(v->data);
    }
    v->type = type;
    v->len = len;
    v->data = malloc(len + 1);
    if (len)
        memcpy(v->data, data, len);
}

void tl_model_delete_value(struct tl_model *m, const char *key, const char *name)
{
    struct tl_key *k = tl_model_key(m, key);
    struct tl_val *v = tl_model_value(m, key, name);
    if (!v)
        return;
    free(v->name);
    free(v->data);
    *v = k->vals[--k->nv];
}

void tl_model_apply(struct tl_model *m, const struct tl_ops *ops)
{
    for (size_t i = 0; i < ops->n; i++) {
        const struct tl_op *o = &ops->v[i];
        switch (o->kind) {
        case DCS_REG_OP_CREATE_KEY: tl_model_create(m, o->key); break;
        case DCS_REG_OP_DELETE_KEY: tl_model_delete(m, o->key); break;
        case DCS_REG_OP_SET_VALUE: tl_model_set(m, o->key, o->name, o->type, o->data, o->len); break;
        case DCS_REG_OP_DELETE_VALUE: tl_model_delete_value(m, o->key, o->name); break;
        default: break;
        }
    }
}

void tl_model_free(struct tl_model *m)
{
    for (size_t i = 0; i < m->n; i++)
        free_key(&m->keys[i]);
    free(m->keys);
    memset(m, 0, sizeof *m);
}

const struct tl_op *tl_nth_kind(const struct tl_ops *o, enum dcs_reg_op_kind k, size_t n)
{
    for (size_t i = 0; i < o->n; i++)
        if (o->v[i].kind == k && n-- == 0)
            return &o->v[i];
    return NULL;
}

size_t tl_count_kind(const struct tl_ops *o, enum dcs_reg_op_kind k)
{
    size_t c = 0;
    for (size_t i = 0; i < o->n; i++)
        c += o->v[i].kind == k;
    return c;
}
