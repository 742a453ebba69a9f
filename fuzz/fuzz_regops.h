/* Shared by the .reg harnesses: a growable byte buffer, a seed from the
 * input bytes, the invariants every reader operation must satisfy, and a
 * loop that reads a whole buffer (or a sequence of chunks) into a trace. */
#ifndef DCS_FUZZ_REGOPS_H
#define DCS_FUZZ_REGOPS_H

#include <stdbool.h>
#include <string.h>

#include "fuzz_common.h"
#include <dcs/regread.h>

struct fuzz_buf {
    uint8_t *p;
    size_t len, cap;
};

static inline void fuzz_buf_put(struct fuzz_buf *b, const void *d, size_t n)
{
    if (b->len + n > b->cap) {
        size_t cap = b->cap ? b->cap : 256;
        while (cap < b->len + n)
            cap *= 2;
        uint8_t *p = realloc(b->p, cap);
        FUZZ_CHECK(p != NULL);
        b->p = p;
        b->cap = cap;
    }
    if (n)
        memcpy(b->p + b->len, d, n);
    b->len += n;
}

static inline void fuzz_buf_u64(struct fuzz_buf *b, uint64_t v)
{
    fuzz_buf_put(b, &v, sizeof v);
}

/* length-prefixed, so that a byte prefix ending at an operation boundary is
 * an operation prefix */
static inline void fuzz_buf_str(struct fuzz_buf *b, const void *d, size_t n)
{
    fuzz_buf_u64(b, n);
    fuzz_buf_put(b, d, n);
}

static inline void fuzz_buf_free(struct fuzz_buf *b)
{
    free(b->p);
    b->p = NULL;
    b->len = b->cap = 0;
}

static inline bool fuzz_buf_eq(const struct fuzz_buf *a, const struct fuzz_buf *b)
{
    return a->len == b->len && (a->len == 0 || memcmp(a->p, b->p, a->len) == 0);
}

/* FNV-1a over the input, then splitmix64 steps: reproducible choices that
 * every mutation of the input reshuffles. */
static inline uint64_t fuzz_hash(const uint8_t *data, size_t size)
{
    uint64_t h = 0xcbf29ce484222325ull;
    for (size_t i = 0; i < size; i++)
        h = (h ^ data[i]) * 0x100000001b3ull;
    return h;
}

static inline uint64_t fuzz_rand(uint64_t *state)
{
    uint64_t z = (*state += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

/* A string view from the reader: NUL-terminated at len, no NUL inside. */
static inline void fuzz_check_view(const char *s, size_t len)
{
    FUZZ_CHECK(s != NULL);
    FUZZ_CHECK(s[len] == '\0');
    FUZZ_CHECK(strlen(s) == len);
}

/* What every operation next() hands out must satisfy. */
static inline void fuzz_check_op(const struct dcs_reg_op *op, size_t size,
                                 const struct dcs_reg_reader_options *opt)
{
    FUZZ_CHECK(op->kind >= DCS_REG_OP_CREATE_KEY && op->kind <= DCS_REG_OP_WARNING);
    FUZZ_CHECK(op->line >= 1 && op->column >= 1);
    FUZZ_CHECK(op->offset <= size);
    if (op->kind == DCS_REG_OP_WARNING) {
        const struct dcs_error *w = op->warning;
        FUZZ_CHECK(w != NULL);
        FUZZ_CHECK(w->code == DCS_ERR_REG_SYNTAX || w->code == DCS_ERR_REG_ENCODING);
        FUZZ_CHECK(w->message[0] != '\0');
        FUZZ_CHECK(w->line == op->line && w->column == op->column && w->offset == op->offset);
        return;
    }
    FUZZ_CHECK(op->warning == NULL);
    fuzz_check_view(op->key, op->key_len);
    FUZZ_CHECK(op->key_len >= 5 && memcmp(op->key, "HKEY_", 5) == 0);
    if (op->kind == DCS_REG_OP_SET_VALUE || op->kind == DCS_REG_OP_DELETE_VALUE)
        fuzz_check_view(op->name, op->name_len);
    if (op->kind == DCS_REG_OP_SET_VALUE) {
        FUZZ_CHECK(op->data_len == 0 || op->data != NULL);
        /* the limit applies to the data as written; a terminator is added
         * and REGEDIT4 text widens to UTF-16LE */
        size_t max = opt->max_value ? opt->max_value : DCS_REG_DEFAULT_LIMIT;
        FUZZ_CHECK(op->data_len <= 2 * max + 64);
        /* string types hold UTF-16LE ending in a NUL unit, or nothing */
        if (op->type == DCS_REG_SZ || op->type == DCS_REG_EXPAND_SZ ||
            op->type == DCS_REG_MULTI_SZ)
            FUZZ_CHECK(op->data_len == 0 ||
                       (op->data_len % 2 == 0 && op->data[op->data_len - 1] == 0 &&
                        op->data[op->data_len - 2] == 0));
    }
}

/* The reader's warning for REG_SZ data not closed on its line (the value
 * name inside it may hold any text, so only the start is compared). */
static inline bool fuzz_is_multiline_warning(const char *msg)
{
    static const char start[] = "the string data of value '";
    return strncmp(msg, start, sizeof start - 1) == 0;
}

#endif
