/* .reg reader: API, chunk handling and line splitting.  What a line means
 * is decided in regparse.c. */
#include "reg/regread_int.h"

#include <assert.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#if defined(__BYTE_ORDER__) && defined(__ORDER_LITTLE_ENDIAN__) && \
    __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define REG_SWAR 1
#else
#define REG_SWAR 0
#endif

#if defined(__SSE2__)
#include <emmintrin.h>
#define REG_SSE2 1
#else
#define REG_SSE2 0
#endif

enum { GL_LINE, GL_NEED, GL_EOF, GL_FAIL };

/* get_line's *term for a CR LF pair taken in one step */
#define TERM_CRLF 0x0D0Au

/* ---- small helpers shared with regparse.c ---- */

bool dcsi_reg_grow(struct dcs_reg_reader *r, struct growbuf *b, size_t need, size_t limit)
{
    if (need <= b->cap)
        return true;
    if (need > limit) {
        dcsi_reg_fatal(r, DCS_ERR_LIMIT, 0, "more than %zu bytes in one line or value", limit);
        return false;
    }
    size_t cap = b->cap ? b->cap : 256;
    while (cap < need)
        cap = cap > SIZE_MAX / 2 ? need : cap * 2;
    if (cap > limit + 16)
        cap = limit + 16;
    uint8_t *p = realloc(b->p, cap);
    if (!p) {
        dcsi_reg_fatal(r, DCS_ERR_NOMEM, 0, "out of memory (%zu bytes)", cap);
        return false;
    }
    b->p = p;
    b->cap = cap;
    return true;
}

/* A free slot; a diagnostic gets one only while REG_LINE_OPS slots stay
 * free for the operations of the line. */
static struct reg_queued *queue_slot(struct dcs_reg_reader *r, bool diag)
{
    if (r->fatal || r->q_count == (diag ? REG_QUEUE - REG_LINE_OPS : REG_QUEUE))
        return NULL;
    struct reg_queued *q = &r->q[(r->q_head + r->q_count) % REG_QUEUE];
    r->q_count++;
    return q;
}

static void locate(struct dcs_reg_reader *r, struct reg_queued *q, uint32_t col)
{
    q->line = r->lineno;
    q->column = col ? col : 1;
    q->offset = r->line_off + (uint64_t)(q->column - 1) * r->us;
}

/* Queue an operation; NULL after a failure.  The slots kept free of
 * diagnostics hold every operation one line makes. */
static struct reg_queued *queue_op(struct dcs_reg_reader *r, enum dcs_reg_op_kind kind,
                                   uint32_t col)
{
    struct reg_queued *q = queue_slot(r, false);
    if (!q) {
        assert(r->fatal);
        return NULL;
    }
    q->kind = kind;
    locate(r, q, col);
    switch (kind) {
    case DCS_REG_OP_CREATE_KEY: r->st.keys_created++; break;
    case DCS_REG_OP_DELETE_KEY: r->st.keys_deleted++; break;
    case DCS_REG_OP_SET_VALUE: r->st.values_set++; break;
    case DCS_REG_OP_DELETE_VALUE: r->st.values_deleted++; break;
    default: break;
    }
    return q;
}

void dcsi_reg_queue(struct dcs_reg_reader *r, enum dcs_reg_op_kind kind, uint32_t col)
{
    (void)queue_op(r, kind, col);
}

/* A value operation located at the value's first line. */
void dcsi_reg_queue_value(struct dcs_reg_reader *r, enum dcs_reg_op_kind kind)
{
    struct reg_queued *q = queue_op(r, kind, 1);
    if (!q)
        return;
    q->line = r->val_line;
    q->column = r->val_col;
    q->offset = r->val_off;
}

#if defined(__GNUC__)
__attribute__((format(printf, 6, 0)))
#endif
static void vset(struct dcs_error *e, dcs_status code, uint64_t off, uint32_t line,
                 uint32_t col, const char *fmt, va_list ap)
{
    e->code = code;
    e->offset = off;
    e->line = line;
    e->column = col;
    vsnprintf(e->message, sizeof e->message, fmt, ap);
}

void dcsi_reg_fatal(struct dcs_reg_reader *r, dcs_status code, uint32_t col, const char *fmt, ...)
{
    if (r->fatal)
        return;
    va_list ap;
    va_start(ap, fmt);
    col = col ? col : 1;
    vset(&r->fatal_err, code, r->line_off + (uint64_t)(col - 1) * (r->us ? r->us : 1),
         r->lineno ? r->lineno : 1, col, fmt, ap);
    va_end(ap);
    r->fatal = code;
}

void dcsi_reg_warn(struct dcs_reg_reader *r, dcs_status code, uint32_t col, const char *fmt, ...)
{
    va_list ap;
    r->st.warnings++;
    if (r->opt.strict) {
        if (r->fatal)
            return;
        va_start(ap, fmt);
        col = col ? col : 1;
        vset(&r->fatal_err, code, r->line_off + (uint64_t)(col - 1) * r->us, r->lineno, col,
             fmt, ap);
        va_end(ap);
        r->fatal = code;
        return;
    }
    struct reg_queued *q = queue_slot(r, true);
    if (!q)
        return; /* more diagnostics than free slots for one line: keep the first */
    q->kind = DCS_REG_OP_WARNING;
    locate(r, q, col);
    va_start(ap, fmt);
    vset(&q->diag, code, q->offset, q->line, q->column, fmt, ap);
    va_end(ap);
}

/* ---- API ---- */

dcs_status dcs_reg_reader_new(const struct dcs_reg_reader_options *opt,
                              struct dcs_reg_reader **out, struct dcs_error *err)
{
    *out = NULL;
    struct dcs_reg_reader *r = calloc(1, sizeof *r);
    if (!r)
        return dcs_error_set(err, DCS_ERR_NOMEM, DCS_NO_OFFSET, "out of memory");
    if (opt)
        r->opt = *opt;
    if (r->opt.codepage != DCS_REG_CP1252 && r->opt.codepage != DCS_REG_CP_UTF8) {
        free(r);
        return dcs_error_set(err, DCS_ERR_INVALID_ARG, DCS_NO_OFFSET, "unknown code page");
    }
    if (!r->opt.max_line)
        r->opt.max_line = DCS_REG_DEFAULT_LIMIT;
    if (!r->opt.max_value)
        r->opt.max_value = DCS_REG_DEFAULT_LIMIT;
    dcs_reg_reader_reset(r);
    *out = r;
    return DCS_OK;
}

void dcs_reg_reader_free(struct dcs_reg_reader *r)
{
    if (!r)
        return;
    free(r->carry.p);
    free(r->conv.p);
    free(r->tmp.p);
    free(r->key.p);
    free(r->name.p);
    free(r->val.p);
    free(r);
}

void dcs_reg_reader_reset(struct dcs_reg_reader *r)
{
    memset(&r->st, 0, sizeof r->st);
    r->in = NULL;
    r->in_len = r->in_pos = 0;
    r->in_last = r->fed = false;
    r->carry.len = 0;
    r->carry_done = r->cr_pending = r->eof_seen = r->carry_unscanned = false;
    r->line_nul = r->utf8_bom_warn = false;
    r->cp = r->opt.codepage;
    r->carry_used = 0;
    r->phase = PH_START;
    r->us = 1;
    r->line_off = 0;
    r->lineno = 0;
    r->key.len = 0;
    r->key_open = false;
    r->name.len = 0;
    r->val.len = 0;
    r->q_head = r->q_count = 0;
    r->fatal = DCS_OK;
    dcs_error_clear(&r->fatal_err);
}

dcs_status dcs_reg_reader_feed(struct dcs_reg_reader *r, const void *data, size_t len,
                               bool is_last, struct dcs_error *err)
{
    if (r->in_last)
        return dcs_error_set(err, DCS_ERR_INVALID_ARG, DCS_NO_OFFSET,
                             "feed after the last chunk");
    if (r->in_pos != r->in_len)
        return dcs_error_set(err, DCS_ERR_INVALID_ARG, DCS_NO_OFFSET,
                             "feed before the previous chunk was consumed");
    if (len && !data)
        return dcs_error_set(err, DCS_ERR_INVALID_ARG, DCS_NO_OFFSET, "NULL chunk");
    r->in = data;
    r->in_len = len;
    r->in_pos = 0;
    r->in_last = is_last;
    r->fed = true;
    r->st.bytes += len;
    return DCS_OK;
}

const struct dcs_reg_reader_stats *dcs_reg_reader_stats(const struct dcs_reg_reader *r)
{
    return &r->st;
}

const char *dcs_reg_type_name(uint32_t type)
{
    static const char *const names[] = {
        "REG_NONE", "REG_SZ", "REG_EXPAND_SZ", "REG_BINARY", "REG_DWORD",
        "REG_DWORD_BIG_ENDIAN", "REG_LINK", "REG_MULTI_SZ", "REG_RESOURCE_LIST",
        "REG_FULL_RESOURCE_DESCRIPTOR", "REG_RESOURCE_REQUIREMENTS_LIST", "REG_QWORD"};
    return type < sizeof names / sizeof names[0] ? names[type] : NULL;
}

/* ---- line splitting ---- */

#if !REG_SSE2 && REG_SWAR
static inline uint64_t ld64(const uint8_t *p)
{
    uint64_t v;
    memcpy(&v, p, sizeof v);
    return v;
}
#endif

/* The unit at p[i] (us bytes). */
static inline unsigned unit_at(const uint8_t *p, size_t i, unsigned us)
{
    return us == 2 ? dcs_ld16le(p + 2 * i) : p[i];
}

/* Index of the first CR or LF unit in p[0..n), or n.  *nul: index of the
 * first NUL unit before it, or SIZE_MAX.  A block is flagged by any unit
 * below 0x0E (CR, LF, NUL, but also TAB and other controls, which are rare
 * enough that one saturating subtract per vector beats three compares);
 * the flagged units are then visited through the mask, not unit by unit. */
#if defined(__GNUC__)
#define REG_ALWAYS_INLINE inline __attribute__((always_inline))
#else
#define REG_ALWAYS_INLINE inline
#endif
static REG_ALWAYS_INLINE size_t find_eol_us(const uint8_t *p, size_t n, unsigned us,
                                            size_t *nul)
{
    size_t i = 0;
    *nul = SIZE_MAX;
#if REG_SSE2
    const __m128i zero = _mm_setzero_si128();
    const size_t per = 32 / us;
    for (; i + per <= n; i += per) {
        __m128i a = _mm_loadu_si128((const __m128i *)(const void *)(p + i * us));
        __m128i b = _mm_loadu_si128((const __m128i *)(const void *)(p + i * us + 16));
        __m128i ha, hb;
        if (us == 2) {
            const __m128i c = _mm_set1_epi16(0x0D);
            ha = _mm_cmpeq_epi16(_mm_subs_epu16(a, c), zero);
            hb = _mm_cmpeq_epi16(_mm_subs_epu16(b, c), zero);
        } else {
            const __m128i c = _mm_set1_epi8(0x0D);
            ha = _mm_cmpeq_epi8(_mm_subs_epu8(a, c), zero);
            hb = _mm_cmpeq_epi8(_mm_subs_epu8(b, c), zero);
        }
        uint32_t m = (uint32_t)_mm_movemask_epi8(ha) | (uint32_t)_mm_movemask_epi8(hb) << 16;
        while (m) {
            /* one mask bit per byte: a UTF-16 unit sets two */
            size_t k = (size_t)__builtin_ctz(m) / us;
            unsigned u = unit_at(p, i + k, us);
            if (u == 0x0A || u == 0x0D)
                return i + k;
            if (u == 0 && *nul == SIZE_MAX)
                *nul = i + k;
            m &= us == 2 ? ~(3u << (2 * k)) : ~(1u << k);
        }
    }
#elif REG_SWAR
    const uint64_t ones = us == 2 ? 0x0001000100010001ull : 0x0101010101010101ull;
    const uint64_t high = ones << (8 * us - 1);
    const uint64_t sub = ones * 0x0E;
    const size_t per = 16 / us; /* units in two words */
    for (;;) {
        while (i + per <= n) {
            uint64_t a = ld64(p + i * us), b = ld64(p + i * us + 8);
            if ((((a - sub) & ~a) | ((b - sub) & ~b)) & high)
                break;
            i += per;
        }
        size_t stop = i + per < n ? i + per : n;
        for (; i < stop; i++) {
            unsigned u = unit_at(p, i, us);
            if (u <= 0x0D) {
                if (u == 0x0A || u == 0x0D)
                    return i;
                if (u == 0 && *nul == SIZE_MAX)
                    *nul = i;
            }
        }
        if (i >= n)
            return n;
    }
#endif
    for (; i < n; i++) {
        unsigned u = unit_at(p, i, us);
        if (u == 0x0A || u == 0x0D)
            return i;
        if (u == 0 && *nul == SIZE_MAX)
            *nul = i;
    }
    return n;
}

/* find_eol_us compiled for each unit size: with us a constant the block
 * and mask arithmetic has no division. */
static size_t find_eol(const uint8_t *p, size_t n, unsigned us, size_t *nul)
{
    return us == 2 ? find_eol_us(p, n, 2, nul) : find_eol_us(p, n, 1, nul);
}

/* Whole units in len bytes (us is 1 or 2: a shift, not a division). */
static inline size_t whole_units(size_t len, unsigned us)
{
    return us == 2 ? len >> 1 : len;
}

/* The line being assembled is over the limit: report it by its number. */
static void line_too_long(struct dcs_reg_reader *r)
{
    r->lineno++;
    dcsi_reg_fatal(r, DCS_ERR_LIMIT, 1, "line longer than %zu bytes", r->opt.max_line);
}

/* Append to the line being assembled.  The limit counts whole units only: a
 * UTF-16 chunk may end inside the unit that turns out to end the line (or
 * inside the odd last byte, which is ignored).  Before the encoding is known
 * (at most 2 bytes kept while looking for a byte order mark) nothing is
 * counted. */
static bool carry_append(struct dcs_reg_reader *r, const uint8_t *p, size_t len)
{
    size_t total = r->carry.len + len;
    if (r->phase != PH_START && total - total % r->us > r->opt.max_line) {
        line_too_long(r);
        return false;
    }
    if (!dcsi_reg_grow(r, &r->carry, r->carry.len + len, r->opt.max_line + 16))
        return false;
    memcpy(r->carry.p + r->carry.len, p, len);
    r->carry.len += len;
    return true;
}

/* Before a line is looked for: drop the carry of the line handed out last,
 * or what of it was used.  Then the few bytes kept while looking for a
 * byte order mark (8-bit) may hold a whole line: true when they do and it
 * was handed out. */
static bool carry_settle(struct dcs_reg_reader *r, const uint8_t **lp, size_t *ln, unsigned *term,
                        size_t *nul, uint64_t *used)
{
    if (r->carry_done) {
        r->carry.len = 0;
        r->carry_done = false;
    }
    if (r->carry_used) {
        memmove(r->carry.p, r->carry.p + r->carry_used, r->carry.len - r->carry_used);
        r->carry.len -= r->carry_used;
        r->carry_used = 0;
    }
    if (r->carry_unscanned) {
        size_t e = find_eol(r->carry.p, r->carry.len, 1, nul);
        if (e < r->carry.len) {
            *lp = r->carry.p;
            *ln = e;
            *term = r->carry.p[e];
            *used = e + 1;
            r->carry_used = e + 1;
            return true;
        }
        r->carry_unscanned = false;
    }
    return false;
}

/* No carry: the line is in the chunk (the common case, no copy), or its
 * start is kept in the carry until more input comes. */
static int line_in_chunk(struct dcs_reg_reader *r, const uint8_t *in, size_t avail,
                         const uint8_t **lp, size_t *ln, unsigned *term, size_t *nul,
                         uint64_t *used)
{
    const unsigned us = r->us;
    size_t nu = whole_units(avail, us);
    size_t e = find_eol(in, nu, us, nul);
    if (e < nu) {
        if (e * us > r->opt.max_line) {
            line_too_long(r);
            return GL_FAIL;
        }
        *lp = in;
        *ln = e;
        *term = unit_at(in, e, us);
        size_t end = e + 1;
        if (*term == 0x0D && end < nu && unit_at(in, end, us) == 0x0A) {
            /* CR LF in the chunk: one line, not a line and an empty LF
             * line (a CR LF split between chunks still takes two steps) */
            *term = TERM_CRLF;
            end++;
        }
        *used = end * us;
        r->in_pos += end * us;
        return GL_LINE;
    }
    if (!r->in_last) {
        if (avail && !carry_append(r, in, avail))
            return GL_FAIL;
        r->in_pos = r->in_len;
        return GL_NEED;
    }
    if (avail == 0)
        return GL_EOF;
    if (nu * us > r->opt.max_line) {
        line_too_long(r);
        return GL_FAIL;
    }
    *lp = in;
    *ln = nu;
    *term = 0;
    *used = avail;
    r->in_pos = r->in_len;
    return GL_LINE;
}

/* Hand out the line gathered in the carry (its NUL looked for again: the
 * chunks it came from were scanned apart). */
static int carry_line(struct dcs_reg_reader *r, const uint8_t **lp, size_t *ln, size_t *nul)
{
    const unsigned us = r->us;
    *lp = r->carry.p;
    *ln = whole_units(r->carry.len, us);
    r->carry_done = true;
    *nul = SIZE_MAX;
    for (size_t i = 0; i < *ln; i++) {
        if ((us == 2 ? dcs_ld16le(r->carry.p + 2 * i) : r->carry.p[i]) == 0) {
            *nul = i;
            break;
        }
    }
    return GL_LINE;
}

/* A line continued from earlier chunks: append up to its end. */
static int line_continued(struct dcs_reg_reader *r, const uint8_t *in, size_t avail,
                          const uint8_t **lp, size_t *ln, unsigned *term, size_t *nul,
                          uint64_t *used)
{
    const unsigned us = r->us;
    if (us == 2 && (r->carry.len & 1) && avail) {
        /* the carry ends inside a unit: complete it */
        unsigned u = r->carry.p[r->carry.len - 1] | (unsigned)in[0] << 8;
        if (u == 0x0A || u == 0x0D) {
            r->carry.len -= 1;
            r->in_pos++;
            *term = u;
            *used = r->carry.len + 2;
            return carry_line(r, lp, ln, nul);
        }
        if (!carry_append(r, in, 1))
            return GL_FAIL;
        in++;
        avail--;
        r->in_pos++;
    }
    size_t nu = whole_units(avail, us);
    size_t e = find_eol(in, nu, us, nul);
    if (e < nu) {
        if (!carry_append(r, in, e * us))
            return GL_FAIL;
        r->in_pos += (e + 1) * us;
        *term = us == 2 ? dcs_ld16le(in + 2 * e) : in[e];
        *used = r->carry.len + us;
        return carry_line(r, lp, ln, nul);
    }
    if (!carry_append(r, in, avail))
        return GL_FAIL;
    r->in_pos = r->in_len;
    if (!r->in_last)
        return GL_NEED;
    *term = 0;
    *used = r->carry.len;
    return carry_line(r, lp, ln, nul);
}

/* Hand out the next physical line: *lp and *ln (units), *term (CR, LF or 0 at
 * end of file), *used (bytes consumed including the terminator). */
static int get_line(struct dcs_reg_reader *r, const uint8_t **lp, size_t *ln, unsigned *term,
                    size_t *nul, uint64_t *used)
{
    if ((r->carry_done || r->carry_used || r->carry_unscanned) &&
        carry_settle(r, lp, ln, term, nul, used))
        return GL_LINE;
    const uint8_t *in = r->in + r->in_pos;
    size_t avail = r->in_len - r->in_pos;
    *nul = SIZE_MAX;
    if (r->carry.len == 0)
        return line_in_chunk(r, in, avail, lp, ln, term, nul, used);
    return line_continued(r, in, avail, lp, ln, term, nul, used);
}

/* Decide the encoding from the first bytes: FF FE, or (reading UTF-8) the
 * UTF-8 byte order mark to skip.  Bytes of a chunk too short to decide are
 * kept in the carry, which then may hold a line end: get_line looks. */
static int detect_bom(struct dcs_reg_reader *r)
{
    static const uint8_t utf8_bom[3] = {0xEF, 0xBB, 0xBF};
    /* a UTF-8 byte order mark is looked for when reading UTF-8, and in
     * lenient mode whatever the code page (regread.h) */
    const bool utf8 = r->opt.codepage == DCS_REG_CP_UTF8 || !r->opt.strict;
    uint8_t b[3];
    size_t have = 0;
    for (size_t i = 0; have < 3 && i < r->carry.len; i++)
        b[have++] = r->carry.p[i];
    for (size_t i = r->in_pos; have < 3 && i < r->in_len; i++)
        b[have++] = r->in[i];
    size_t need = utf8 && have >= 2 && b[0] == 0xEF && b[1] == 0xBB ? 3 : 2;
    if (have < need && !r->in_last) {
        if (r->in_pos < r->in_len && !carry_append(r, r->in + r->in_pos, r->in_len - r->in_pos))
            return GL_FAIL;
        r->in_pos = r->in_len;
        return GL_NEED;
    }
    size_t skip = 0;
    if (have >= 2 && b[0] == 0xFF && b[1] == 0xFE) {
        r->us = 2;
        r->st.encoding = DCS_REG_ENC_UTF16LE;
        skip = 2;
    } else {
        r->us = 1;
        r->st.encoding = DCS_REG_ENC_8BIT;
        if (utf8 && have == 3 && memcmp(b, utf8_bom, 3) == 0) {
            skip = 3;
            /* the mark says what the bytes are: read them as UTF-8 */
            r->utf8_bom_warn = r->cp != DCS_REG_CP_UTF8;
            r->cp = DCS_REG_CP_UTF8;
        }
    }
    size_t from_carry = skip < r->carry.len ? skip : r->carry.len;
    if (from_carry) {
        memmove(r->carry.p, r->carry.p + from_carry, r->carry.len - from_carry);
        r->carry.len -= from_carry;
    }
    r->in_pos += skip - from_carry;
    r->line_off = skip;
    r->carry_unscanned = r->carry.len != 0;
    r->phase = PH_HEADER;
    return GL_LINE;
}

/* Widen an 8-bit line to UTF-16LE in r->conv. */
static bool widen(struct dcs_reg_reader *r, const uint8_t **p, size_t *n)
{
    if (!dcsi_reg_grow(r, &r->conv, 2 * *n + 2, 2 * r->opt.max_line + 16))
        return false;
    if (r->cp == DCS_REG_CP1252) {
        dcsi_cp1252_to_utf16le(*p, *n, r->conv.p);
    } else {
        size_t bad = 0;
        *n = dcsi_utf8_to_utf16le_lossy((const char *)*p, *n, r->conv.p, &bad);
        if (bad)
            dcsi_reg_warn(r, DCS_ERR_REG_ENCODING, 1,
                     "%zu invalid UTF-8 byte(s) in this line replaced by U+FFFD", bad);
    }
    *p = r->conv.p;
    return true;
}

/* The oldest queued operation into op (views into the reader). */
static void pop_queued(struct dcs_reg_reader *r, struct dcs_reg_op *op)
{
    struct reg_queued *q = &r->q[r->q_head];
    r->q_head = (r->q_head + 1) % REG_QUEUE;
    r->q_count--;
    op->kind = q->kind;
    op->offset = q->offset;
    op->line = q->line;
    op->column = q->column;
    if (q->kind == DCS_REG_OP_WARNING) {
        op->warning = &q->diag;
    } else {
        op->key = r->key.len ? (const char *)r->key.p : "";
        op->key_len = r->key.len ? r->key.len - 1 : 0;
    }
    if (q->kind == DCS_REG_OP_SET_VALUE || q->kind == DCS_REG_OP_DELETE_VALUE) {
        op->name = r->name.len ? (const char *)r->name.p : "";
        op->name_len = r->name.len ? r->name.len - 1 : 0;
    }
    if (q->kind == DCS_REG_OP_SET_VALUE) {
        op->type = r->val_type;
        op->data = r->val.p;
        op->data_len = r->val.len;
    }
}

/* One physical line from get_line: count it, report what is wrong with its
 * bytes, and parse it (which may queue operations). */
static void take_line(struct dcs_reg_reader *r, const uint8_t *p, size_t n, unsigned term,
                      size_t nul, uint64_t used)
{
    if (r->cr_pending && n == 0 && term == 0x0A) {
        /* the LF of a CR LF pair (inside a multi-line string: data) */
        r->cr_pending = false;
        r->line_off += used;
        if (r->phase == PH_STRCONT && !r->fatal)
            dcsi_reg_string_break(r, term);
        return;
    }
    const bool crlf = term == TERM_CRLF;
    if (crlf)
        term = 0x0D;
    r->cr_pending = term == 0x0D && !crlf;
    r->lineno++;
    r->st.lines = r->lineno;
    /* the odd last byte of a UTF-16 file; on the header line it is
     * reported after the header was accepted, so that a file that is not
     * a registry script fails the same way in strict and lenient mode */
    const bool odd = term == 0 && r->us == 2 && (used & 1);
    const bool header = r->phase == PH_HEADER;
    const uint32_t odd_col = (uint32_t)n + 1;
    if (odd && !header)
        dcsi_reg_warn(r, DCS_ERR_REG_ENCODING, odd_col,
                 "UTF-16 file has an odd number of bytes: last byte ignored");
    r->line_nul = nul != SIZE_MAX;
    if (nul != SIZE_MAX && r->phase != PH_HEADER) {
        dcsi_reg_warn(r, DCS_ERR_REG_ENCODING, (uint32_t)nul + 1,
                 "NUL character in a line: the rest of the line is ignored");
    }
    if (nul != SIZE_MAX)
        n = nul;
    if (r->us == 1 && !widen(r, &p, &n))
        return;
    if (!r->fatal)
        dcsi_reg_parse_line(r, p, n);
    if (r->phase == PH_STRCONT && term && !r->fatal)
        dcsi_reg_string_break(r, term); /* the line break is part of the string */
    if (odd && header && !r->fatal)
        dcsi_reg_warn(r, DCS_ERR_REG_ENCODING, odd_col,
                 "UTF-16 file has an odd number of bytes: last byte ignored");
    if (r->utf8_bom_warn && header && !r->fatal) {
        r->utf8_bom_warn = false;
        dcsi_reg_warn(r, DCS_ERR_REG_ENCODING, 1,
                 "UTF-8 byte order mark: the file is read as UTF-8 (whether Windows "
                 "regedit imports such a file is unknown; strict mode refuses it)");
    }
    r->line_off += used;
    /* what the separate LF step at the top does, after the offset moved
     * past the LF (a limit it hits is reported there) */
    if (crlf && r->phase == PH_STRCONT && !r->fatal)
        dcsi_reg_string_break(r, 0x0A);
}

dcs_status dcs_reg_reader_next(struct dcs_reg_reader *r, struct dcs_reg_op *op,
                               struct dcs_error *err)
{
    memset(op, 0, sizeof *op);
    for (;;) {
        /* operations queued before a failure come first, then the failure */
        if (r->fatal && !r->q_count) {
            if (err)
                *err = r->fatal_err;
            return r->fatal;
        }
        if (r->q_count) {
            pop_queued(r, op);
            return DCS_OK;
        }
        if (r->phase == PH_DONE) {
            op->kind = DCS_REG_OP_END;
            return DCS_OK;
        }
        if (!r->fed) {
            op->kind = DCS_REG_OP_NEED_INPUT;
            return DCS_OK;
        }
        if (r->phase == PH_START) {
            int g = detect_bom(r);
            if (g == GL_NEED) {
                op->kind = DCS_REG_OP_NEED_INPUT;
                return DCS_OK;
            }
            continue;
        }
        const uint8_t *p;
        size_t n, nul;
        unsigned term;
        uint64_t used;
        int g = get_line(r, &p, &n, &term, &nul, &used);
        if (g == GL_NEED) {
            op->kind = DCS_REG_OP_NEED_INPUT;
            return DCS_OK;
        }
        if (g == GL_FAIL)
            continue;
        if (g == GL_EOF) {
            dcsi_reg_parse_eof(r);
            r->phase = r->fatal ? r->phase : PH_DONE;
            continue;
        }
        take_line(r, p, n, term, nul, used);
    }
}
