/* .reg conversion: stream input that walks the key tree (in any sibling
 * order) in its own order; model anything else and write it in Windows'
 * order. */
#include <dcs/regconv.h>

#include <stdlib.h>
#include <string.h>

#include "reg/regpath.h"
#include "reg/regtree.h"

#define MAX_DEPTH 512

struct strbuf {
    char *p;
    size_t len, cap;
};

struct conv {
    struct dcs_reg_source *src;
    const struct dcs_reg_output *out;
    const struct dcs_reg_convert_options *opt;
    struct dcs_reg_reader *r;
    struct dcs_reg_writer *w;
    struct regtree t;
    uint32_t cur_node;
    /* streaming */
    struct regpath walk; /* is the input still a tree walk? */
    struct strbuf cur, last, path;
    bool have_cur, have_last;
    bool written[MAX_DEPTH + 2];
    uint64_t reported_lines; /* warnings up to this line were reported */
    uint64_t shown;          /* source position last given to on_progress */
    uint64_t keys, values;
};

static bool sb_set(struct strbuf *b, const char *s, size_t len)
{
    if (len + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 256;
        while (cap < len + 1)
            cap *= 2;
        char *p = realloc(b->p, cap);
        if (!p)
            return false;
        b->p = p;
        b->cap = cap;
    }
    memcpy(b->p, s, len);
    b->p[len] = 0;
    b->len = len;
    return true;
}

static size_t root_len(const char *k, size_t len)
{
    size_t e = 0;
    while (e < len && k[e] != '\\')
        e++;
    return e;
}

static bool same_root(const char *a, size_t alen, const char *b, size_t blen)
{
    size_t x = root_len(a, alen), y = root_len(b, blen);
    return x == y && memcmp(a, b, x) == 0;
}

/* End of component d (0 = root) in key k. */
static size_t comp_end(const char *k, size_t len, size_t d)
{
    size_t i = 0;
    for (;;) {
        while (i < len && k[i] != '\\')
            i++;
        if (d-- == 0 || i >= len)
            return i;
        i++;
    }
}

static dcs_status nomem(struct dcs_error *err)
{
    return dcs_error_set(err, DCS_ERR_NOMEM, DCS_NO_OFFSET, "out of memory");
}

/* Write the current key, preceded by the keys between it and the exported
 * key above it that the import creates (see regconv.h). */
static dcs_status stream_write(struct conv *c, struct dcs_error *err)
{
    const char *k = c->cur.p;
    size_t klen = c->cur.len, depth = 0;
    for (size_t i = 0; i < klen; i++)
        depth += k[i] == '\\';
    dcs_status st;
    if (c->have_last && same_root(k, klen, c->last.p, c->last.len)) {
        size_t common;
        dcsi_rt_key_cmp(k, klen, c->last.p, c->last.len, &common);
        size_t L = common - 1, split = comp_end(c->last.p, c->last.len, L);
        /* the common part keeps the spelling it was first written with */
        size_t kcut = comp_end(k, klen, L);
        struct strbuf *p = &c->path;
        if (!sb_set(p, c->last.p, split))
            return nomem(err);
        size_t rest = klen - kcut;
        if (!sb_set(&c->last, k + kcut, rest)) /* reuse as scratch */
            return nomem(err);
        if (p->len + rest + 1 > p->cap) {
            char *q = realloc(p->p, p->len + rest + 1);
            if (!q)
                return nomem(err);
            p->p = q;
            p->cap = p->len + rest + 1;
        }
        memcpy(p->p + p->len, c->last.p, rest);
        p->len += rest;
        p->p[p->len] = 0;
        bool under = false;
        for (size_t d = 0; d <= L && !under; d++)
            under = c->written[d];
        for (size_t d = L + 1; d < depth; d++) {
            c->written[d] = under;
            if (!under)
                continue;
            st = dcs_reg_writer_key(c->w, p->p, comp_end(p->p, p->len, d), err);
            if (st)
                return st;
            c->keys++;
        }
    } else {
        if (!sb_set(&c->path, k, klen))
            return nomem(err);
        for (size_t d = 0; d < depth; d++)
            c->written[d] = false;
    }
    st = dcsi_rt_write_key(&c->t, c->cur_node, c->path.p, c->path.len, c->w, &c->values, err);
    if (st)
        return st;
    c->keys++;
    c->written[depth] = true;
    c->have_last = true;
    return sb_set(&c->last, c->path.p, c->path.len) ? DCS_OK : nomem(err);
}

/* on_progress once per chunk the source handed to the reader. */
static void progress(struct conv *c)
{
    uint64_t pos = dcs_reg_source_pos(c->src);
    if (pos != c->shown) {
        c->shown = pos;
        c->opt->on_progress(c->opt->progress_ctx, pos, dcs_reg_source_size(c->src));
    }
}

static dcs_status run(struct conv *c, bool stream, bool *violation, struct dcs_error *err)
{
    dcs_status st;
    dcs_reg_reader_reset(c->r);
    dcs_reg_writer_reset(c->w);
    dcsi_rt_clear(&c->t);
    c->cur_node = 0;
    c->have_cur = c->have_last = false;
    dcsi_rp_clear(&c->walk);
    c->keys = c->values = 0;
    c->shown = 0;
    *violation = false;
    for (;;) {
        struct dcs_reg_op op;
        st = dcs_reg_source_next(c->src, c->r, &op, err);
        if (st)
            return st;
        if (c->opt->on_progress)
            progress(c);
        switch (op.kind) {
        case DCS_REG_OP_NEED_INPUT: /* dcs_reg_source_next fed the reader */
            break;
        case DCS_REG_OP_END:
            if (!stream)
                st = dcsi_rt_write_all(&c->t, c->w, &c->keys, &c->values, err);
            else if (c->have_cur)
                st = stream_write(c, err);
            return st ? st : dcs_reg_writer_finish(c->w, err);
        case DCS_REG_OP_WARNING:
            if (op.line > c->reported_lines && c->opt->on_warning)
                c->opt->on_warning(c->opt->warning_ctx, op.warning);
            break;
        case DCS_REG_OP_CREATE_KEY:
            if (stream) {
                int in = dcsi_rp_enter(&c->walk, op.key, op.key_len);
                if (in == RP_NOMEM)
                    return nomem(err);
                if (in == RP_OUT_OF_ORDER)
                    goto violate;
                if (c->have_cur) {
                    st = stream_write(c, err);
                    if (st)
                        return st;
                    dcsi_rt_clear(&c->t);
                }
                if (!sb_set(&c->cur, op.key, op.key_len))
                    return nomem(err);
                c->have_cur = true;
            }
            c->cur_node = stream ? dcsi_rt_scratch_node(&c->t) : dcsi_rt_key(&c->t, op.key, op.key_len, true);
            if (!c->cur_node)
                return nomem(err);
            break;
        case DCS_REG_OP_DELETE_KEY:
            if (stream) {
                /* harmless only when it cannot touch a key already seen */
                if (!dcsi_rp_delete_harmless(&c->walk, op.key, op.key_len))
                    goto violate;
            } else {
                dcsi_rt_delete_key(&c->t, op.key, op.key_len);
            }
            break;
        case DCS_REG_OP_SET_VALUE:
            if (!dcsi_rt_set_value(&c->t, c->cur_node, op.name, op.name_len, op.type, op.data,
                              op.data_len))
                return nomem(err);
            break;
        case DCS_REG_OP_DELETE_VALUE:
            dcsi_rt_delete_value(&c->t, c->cur_node, op.name, op.name_len);
            break;
        }
    }
violate:
    *violation = true;
    c->reported_lines = dcs_reg_reader_stats(c->r)->lines;
    return DCS_OK;
}

dcs_status dcs_reg_convert(struct dcs_reg_source *src, const struct dcs_reg_output *out,
                           const struct dcs_reg_convert_options *opt,
                           struct dcs_reg_convert_stats *stats, struct dcs_error *err)
{
    struct dcs_reg_convert_options defaults;
    if (!opt) {
        memset(&defaults, 0, sizeof defaults);
        opt = &defaults;
    }
    struct conv *c = calloc(1, sizeof *c);
    if (!c)
        return nomem(err);
    c->src = src;
    c->out = out;
    c->opt = opt;
    dcsi_rt_init(&c->t);
    dcsi_rp_init(&c->walk);
    dcs_status st = dcs_reg_reader_new(&opt->reader, &c->r, err);
    if (!st)
        st = dcs_reg_writer_new(&opt->writer, out->write, out->ctx, &c->w, err);
    /* a pipe is spooled to a temporary file so that it can be read again
     * if it turns out not to be a tree walk; without one, the model */
    bool stream = out->rewind != NULL;
    if (stream && !st && !dcs_reg_source_can_rewind(src)) {
        struct dcs_error ignored;
        stream = dcs_reg_source_spool(src, &ignored) == DCS_OK;
    }
    bool violation = false;
    if (!st)
        st = run(c, stream, &violation, err);
    if (!st && violation) {
        stream = false;
        st = dcs_reg_source_rewind(src, err);
        if (!st)
            st = out->rewind(out->ctx, err);
        if (!st)
            st = run(c, false, &violation, err);
    }
    if (stats) {
        memset(stats, 0, sizeof *stats);
        stats->keys = c->keys;
        stats->values = c->values;
        stats->streamed = stream;
        if (c->r) {
            const struct dcs_reg_reader_stats *rs = dcs_reg_reader_stats(c->r);
            stats->warnings = rs->warnings;
            stats->encoding = rs->encoding;
            stats->version = rs->version;
        }
        if (c->w)
            stats->lossy = dcs_reg_writer_lossy(c->w);
    }
    dcs_reg_reader_free(c->r);
    dcs_reg_writer_free(c->w);
    dcsi_rt_free(&c->t);
    free(c->cur.p);
    free(c->last.p);
    free(c->path.p);
    dcsi_rp_free(&c->walk);
    free(c);
    return st;
}
