/* Streaming .reg reader over both encodings.  The whole input is the file:
 * FF FE (the BOM) in the data picks UTF-16LE, anything else is 8-bit text.
 * A hash of the input picks the 8-bit code page, the line and value limits
 * (small, so that no input can use much memory) and the chunk sizes.
 *
 * For strict and for lenient reading:
 *  - every operation satisfies the invariants of fuzz_check_op;
 *  - feeding the input in random-sized chunks (1..256 bytes, sometimes an
 *    empty last chunk) gives exactly the operations of one whole-buffer feed
 *    (kind, key, name, type, data, warning code and message, line:column,
 *    offset) and the same final status and error;
 *  - a reader reset after use reads the input the same as a new one;
 *  - after END or an error, next() keeps returning the same.
 *  - a REG_SZ read over several lines (its value announced by the warning
 *    "... is not closed on its line", on the value's first line) holds a
 *    line break in its data, and only a REG_SZ can be such a value.
 * Between the modes: strict reading yields a prefix of the lenient
 * operations, ends exactly where lenient warns first (same code and place),
 * and succeeds only when lenient reading has no warning. */
#include "fuzz_regops.h"

/* a debugging build may define this to print each operation */
#ifndef FUZZ_REG_TRACE
#define FUZZ_REG_TRACE(op) ((void)0)
#define FUZZ_REG_TRACE_END(st, err) ((void)0)
#endif

struct reg_run {
    uint32_t multiline_line; /* line of the last multi-line string warning */
    struct fuzz_buf all; /* every operation, warnings too, then the end */
    struct fuzz_buf ops; /* operations other than warnings */
    size_t ops_at_warning; /* ops.len at the first warning */
    bool warned;
    struct dcs_error first_warning;
    dcs_status status;
    struct dcs_error err;
};

static void record(struct reg_run *run, const struct dcs_reg_op *op)
{
    struct fuzz_buf *b = op->kind == DCS_REG_OP_WARNING ? &run->all : &run->ops;
    FUZZ_REG_TRACE(op);
    if (op->kind == DCS_REG_OP_WARNING && !run->warned) {
        run->warned = true;
        run->first_warning = *op->warning;
        run->ops_at_warning = run->ops.len;
    }
    size_t start = b->len;
    fuzz_buf_u64(b, op->kind);
    fuzz_buf_u64(b, op->line);
    fuzz_buf_u64(b, op->column);
    fuzz_buf_u64(b, op->offset);
    if (op->kind == DCS_REG_OP_WARNING) {
        fuzz_buf_u64(b, (uint64_t)op->warning->code);
        fuzz_buf_str(b, op->warning->message, strlen(op->warning->message));
    } else {
        fuzz_buf_str(b, op->key, op->key_len);
        if (op->kind == DCS_REG_OP_SET_VALUE || op->kind == DCS_REG_OP_DELETE_VALUE)
            fuzz_buf_str(b, op->name, op->name_len);
        if (op->kind == DCS_REG_OP_SET_VALUE) {
            fuzz_buf_u64(b, op->type);
            fuzz_buf_str(b, op->data, op->data_len);
        }
        /* the full trace holds every operation in order */
        fuzz_buf_put(&run->all, b->p + start, b->len - start);
    }
}

static void record_end(struct reg_run *run, dcs_status st, const struct dcs_error *err)
{
    run->status = st;
    FUZZ_REG_TRACE_END(st, err);
    fuzz_buf_u64(&run->all, 0xE0Du);
    fuzz_buf_u64(&run->all, (uint64_t)st);
    if (st != DCS_OK) {
        run->err = *err;
        fuzz_buf_u64(&run->all, (uint64_t)err->code);
        fuzz_buf_u64(&run->all, err->offset);
        fuzz_buf_u64(&run->all, err->line);
        fuzz_buf_u64(&run->all, err->column);
        fuzz_buf_str(&run->all, err->message, strlen(err->message));
    }
}

/* A string not closed on its line: the value set from that line (if any)
 * is a REG_SZ holding a CR or LF unit before its terminating NUL. */
static void check_multiline(struct reg_run *run, const struct dcs_reg_op *op)
{
    if (op->kind == DCS_REG_OP_WARNING) {
        if (fuzz_is_multiline_warning(op->warning->message))
            run->multiline_line = op->line;
        return;
    }
    if (op->kind != DCS_REG_OP_SET_VALUE || op->line != run->multiline_line)
        return;
    FUZZ_CHECK(op->type == DCS_REG_SZ && op->data_len >= 2 && op->data_len % 2 == 0);
    bool brk = false;
    for (size_t i = 0; i + 2 < op->data_len && !brk; i += 2)
        brk = op->data[i + 1] == 0 && (op->data[i] == 0x0D || op->data[i] == 0x0A);
    FUZZ_CHECK(brk);
}

/* Read data[0..size) with r; seed 0 feeds it whole, otherwise in chunks. */
static void read_all(struct dcs_reg_reader *r, const uint8_t *data, size_t size,
                     const struct dcs_reg_reader_options *opt, uint64_t seed,
                     struct reg_run *run)
{
    struct dcs_reg_op op;
    struct dcs_error err;
    size_t pos = 0;
    bool fed_last = false;
    uint64_t nops = 0, state = seed;
    dcs_status st;

    memset(run, 0, sizeof *run);
    for (;;) {
        dcs_error_clear(&err);
        st = dcs_reg_reader_next(r, &op, &err);
        if (st != DCS_OK) {
            fuzz_check_error(&err, st, size);
            FUZZ_CHECK(st == DCS_ERR_REG_HEADER || st == DCS_ERR_REG_SYNTAX ||
                       st == DCS_ERR_REG_ENCODING || st == DCS_ERR_LIMIT);
            FUZZ_CHECK(err.line >= 1 && err.column >= 1);
            break;
        }
        if (op.kind == DCS_REG_OP_END)
            break; /* may come early: a "fuzzy" header imports nothing */
        if (op.kind == DCS_REG_OP_NEED_INPUT) {
            FUZZ_CHECK(!fed_last);
            size_t n = size - pos;
            bool last = true;
            if (seed) {
                uint64_t x = fuzz_rand(&state);
                size_t max = (size_t)1 << (x % 9);
                size_t want = 1 + (size_t)((x >> 8) % max);
                if (want < n)
                    n = want, last = false;
                else if (n && ((x >> 40) & 7) == 0)
                    last = false; /* the end comes as an empty chunk */
            }
            FUZZ_CHECK(dcs_reg_reader_feed(r, data + pos, n, last, &err) == DCS_OK);
            pos += n;
            fed_last = last;
            continue;
        }
        fuzz_check_op(&op, size, opt);
        check_multiline(run, &op);
        record(run, &op);
        /* at most a few operations per line */
        FUZZ_CHECK(++nops <= 4 * (uint64_t)size + 8);
    }
    record_end(run, st, &err);

    /* the end (or the error) sticks */
    struct dcs_error again;
    dcs_error_clear(&again);
    dcs_status st2 = dcs_reg_reader_next(r, &op, &again);
    FUZZ_CHECK(st2 == st);
    if (st == DCS_OK) {
        FUZZ_CHECK(op.kind == DCS_REG_OP_END);
        const struct dcs_reg_reader_stats *s = dcs_reg_reader_stats(r);
        FUZZ_CHECK(s->bytes == (fed_last ? size : pos));
        FUZZ_CHECK(s->encoding != DCS_REG_ENC_UNKNOWN);
        FUZZ_CHECK(s->version != DCS_REG_VERSION_UNKNOWN);
    } else {
        FUZZ_CHECK(again.code == err.code && again.offset == err.offset &&
                   again.line == err.line && again.column == err.column);
    }
}

static void free_run(struct reg_run *run)
{
    fuzz_buf_free(&run->all);
    fuzz_buf_free(&run->ops);
}

/* Whole, chunked and reset-and-whole reads agree; *whole keeps the first. */
static void check_mode(const uint8_t *data, size_t size, const struct dcs_reg_reader_options *opt,
                       uint64_t seed, struct reg_run *whole)
{
    struct dcs_reg_reader *r;
    struct dcs_error err;
    struct reg_run other;

    FUZZ_CHECK(dcs_reg_reader_new(opt, &r, &err) == DCS_OK);
    read_all(r, data, size, opt, 0, whole);
    dcs_reg_reader_free(r);

    FUZZ_CHECK(dcs_reg_reader_new(opt, &r, &err) == DCS_OK);
    read_all(r, data, size, opt, seed | 1, &other);
    FUZZ_CHECK(fuzz_buf_eq(&whole->all, &other.all));
    free_run(&other);

    dcs_reg_reader_reset(r);
    read_all(r, data, size, opt, 0, &other);
    FUZZ_CHECK(fuzz_buf_eq(&whole->all, &other.all));
    free_run(&other);
    dcs_reg_reader_free(r);
}

static void check_strict_vs_lenient(const struct reg_run *s, const struct reg_run *l)
{
    FUZZ_CHECK(!s->warned);
    size_t before = l->warned ? l->ops_at_warning : l->ops.len;
    FUZZ_CHECK(s->ops.len <= before);
    FUZZ_CHECK(s->ops.len == 0 || memcmp(s->ops.p, l->ops.p, s->ops.len) == 0);
    if (s->status == DCS_OK) {
        FUZZ_CHECK(l->status == DCS_OK && !l->warned);
        FUZZ_CHECK(fuzz_buf_eq(&s->ops, &l->ops));
    } else if (s->status == DCS_ERR_REG_SYNTAX || s->status == DCS_ERR_REG_ENCODING) {
        /* strict stops at the line lenient skips first */
        FUZZ_CHECK(l->warned);
        const struct dcs_error *w = &l->first_warning;
        FUZZ_CHECK(w->code == s->err.code && w->line == s->err.line &&
                   w->column == s->err.column && w->offset == s->err.offset);
        FUZZ_CHECK(strcmp(w->message, s->err.message) == 0);
    } else if (!l->warned) {
        /* header or limit errors do not depend on the mode */
        FUZZ_CHECK(l->status == s->status);
        FUZZ_CHECK(l->err.line == s->err.line && l->err.column == s->err.column &&
                   l->err.offset == s->err.offset);
        FUZZ_CHECK(fuzz_buf_eq(&s->ops, &l->ops));
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const size_t line_limits[4] = {64, 512, 4096, 1u << 16};
    static const size_t value_limits[4] = {16, 256, 4096, 1u << 16};
    uint64_t seed = fuzz_hash(data, size);
    struct dcs_reg_reader_options opt = {
        .codepage = (seed & 1) ? DCS_REG_CP_UTF8 : DCS_REG_CP1252,
        .max_line = line_limits[(seed >> 1) & 3],
        .max_value = value_limits[(seed >> 3) & 3],
    };
    struct reg_run strict, lenient;

    opt.strict = false;
    check_mode(data, size, &opt, seed, &lenient);
    opt.strict = true;
    check_mode(data, size, &opt, seed, &strict);
    if (opt.codepage == DCS_REG_CP1252 && size >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0) {
        /* a UTF-8 byte order mark: lenient mode read the file as UTF-8
         * (regread.h), strict mode refused the header (or the line's length) */
        struct reg_run u8;
        opt.strict = false;
        opt.codepage = DCS_REG_CP_UTF8;
        check_mode(data, size, &opt, seed, &u8);
        FUZZ_CHECK(strict.status == DCS_ERR_REG_HEADER || strict.status == DCS_ERR_LIMIT);
        FUZZ_CHECK(lenient.status == u8.status && fuzz_buf_eq(&lenient.ops, &u8.ops));
        FUZZ_CHECK(lenient.status == DCS_OK || (lenient.err.offset == u8.err.offset &&
                                                lenient.err.line == u8.err.line &&
                                                lenient.err.column == u8.err.column));
        free_run(&u8);
    } else {
        check_strict_vs_lenient(&strict, &lenient);
    }
    free_run(&strict);
    free_run(&lenient);
    return 0;
}
