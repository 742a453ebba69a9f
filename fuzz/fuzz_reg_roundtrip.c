/* .reg write -> read identity.  The input is a .reg file (either encoding),
 * read leniently (a hash of the input picks the 8-bit code page).  Its key
 * and value operations are written with dcs_reg_writer in each of the four
 * layouts (regedit5 UTF-16LE, regedit5 UTF-8, regedit4 ANSI, regedit4
 * UTF-8) into memory, and that output, read back in lenient mode, must give
 * exactly the operations written (kind, key, name, type, data) and no
 * warning except one per REG_SZ whose data hold a line break (written raw,
 * as regedit does, so the string spans lines: "... is not closed on its
 * line").  What the writer cannot represent, and so is compared as the
 * reader would see it:
 *  - REG_SZ is written as a quoted string: its data are cut after the first
 *    NUL unit (a trailing odd byte is dropped);
 *  - when the writer counts a lossy character (a character the regedit4
 *    code page lacks, a lone surrogate written as UTF-8), names and data may
 *    differ: then only the kinds of the operations are compared.
 * Then dcs_reg_convert over the input in memory: when it succeeds, its
 * output reads back without warnings and converts to itself byte for byte. */
#include "fuzz_regops.h"
#include <dcs/regconv.h>
#include <dcs/regio.h>
#include <dcs/regwrite.h>

/* One operation as written, comparable with what is read back. */
static void put_op(struct fuzz_buf *b, enum dcs_reg_op_kind kind, const char *key,
                   size_t key_len, const char *name, size_t name_len, uint32_t type,
                   const uint8_t *data, size_t len, bool kinds_only)
{
    fuzz_buf_u64(b, kind);
    if (kinds_only)
        return;
    fuzz_buf_str(b, key, key_len);
    if (kind == DCS_REG_OP_SET_VALUE || kind == DCS_REG_OP_DELETE_VALUE)
        fuzz_buf_str(b, name, name_len);
    if (kind == DCS_REG_OP_SET_VALUE) {
        fuzz_buf_u64(b, type);
        fuzz_buf_str(b, data, len);
    }
}

/* REG_SZ as the quoted string the writer produces reads back; *brk says
 * whether the text holds a line break (it is written over several lines). */
static size_t sz_read_back(const uint8_t *data, size_t len, uint8_t **out, bool *brk)
{
    size_t units = len / 2, n = 0;
    *brk = false;
    while (n < units && (data[2 * n] | data[2 * n + 1])) {
        if (data[2 * n + 1] == 0 && (data[2 * n] == 0x0D || data[2 * n] == 0x0A))
            *brk = true;
        n++;
    }
    *out = malloc(2 * n + 2);
    FUZZ_CHECK(*out != NULL);
    if (n)
        memcpy(*out, data, 2 * n);
    (*out)[2 * n] = (*out)[2 * n + 1] = 0;
    return 2 * n + 2;
}

struct variant {
    struct dcs_reg_writer_options w;
    enum dcs_reg_codepage read_cp;
};

/* Write the operations of the input with one writer layout; expect gets what
 * reading the output must give when nothing was lossy. */
static void write_ops(const uint8_t *data, size_t size, const struct dcs_reg_reader_options *ropt,
                      struct dcs_reg_writer *w, struct fuzz_buf *expect, bool kinds_only,
                      uint64_t *multiline)
{
    struct dcs_reg_reader *r;
    struct dcs_reg_op op;
    struct dcs_error err;
    dcs_status st;

    FUZZ_CHECK(dcs_reg_reader_new(ropt, &r, &err) == DCS_OK);
    FUZZ_CHECK(dcs_reg_reader_feed(r, data, size, true, &err) == DCS_OK);
    while ((st = dcs_reg_reader_next(r, &op, &err)) == DCS_OK && op.kind != DCS_REG_OP_END) {
        FUZZ_CHECK(op.kind != DCS_REG_OP_NEED_INPUT);
        fuzz_check_op(&op, size, ropt);
        switch (op.kind) {
        case DCS_REG_OP_CREATE_KEY:
            st = dcs_reg_writer_key(w, op.key, op.key_len, &err);
            break;
        case DCS_REG_OP_DELETE_KEY:
            st = dcs_reg_writer_delete_key(w, op.key, op.key_len, &err);
            break;
        case DCS_REG_OP_SET_VALUE:
            st = dcs_reg_writer_value(w, op.name, op.name_len, op.type, op.data, op.data_len,
                                      &err);
            break;
        case DCS_REG_OP_DELETE_VALUE:
            st = dcs_reg_writer_delete_value(w, op.name, op.name_len, &err);
            break;
        default:
            continue; /* warnings */
        }
        FUZZ_CHECK(st == DCS_OK);
        if (op.kind == DCS_REG_OP_SET_VALUE && op.type == DCS_REG_SZ) {
            uint8_t *sz;
            bool brk;
            size_t n = sz_read_back(op.data, op.data_len, &sz, &brk);
            *multiline += brk;
            put_op(expect, op.kind, op.key, op.key_len, op.name, op.name_len, op.type, sz, n,
                   kinds_only);
            free(sz);
        } else {
            put_op(expect, op.kind, op.key, op.key_len, op.name, op.name_len, op.type, op.data,
                   op.data_len, kinds_only);
        }
    }
    /* the writer is only fed what a successful lenient read gave */
    FUZZ_CHECK(st == DCS_OK || st == DCS_ERR_REG_HEADER || st == DCS_ERR_LIMIT);
    FUZZ_CHECK(dcs_reg_writer_finish(w, &err) == DCS_OK);
    dcs_reg_reader_free(r);
}

/* Read the writer's output: every operation; the only warnings are for
 * strings over several lines, *multiline counts them. */
static void read_back(const uint8_t *data, size_t size, enum dcs_reg_codepage cp,
                      struct fuzz_buf *got, bool kinds_only, uint64_t *multiline)
{
    struct dcs_reg_reader_options opt = {.codepage = cp};
    struct dcs_reg_reader *r;
    struct dcs_reg_op op;
    struct dcs_error err;
    dcs_status st;

    FUZZ_CHECK(dcs_reg_reader_new(&opt, &r, &err) == DCS_OK);
    FUZZ_CHECK(dcs_reg_reader_feed(r, data, size, true, &err) == DCS_OK);
    while ((st = dcs_reg_reader_next(r, &op, &err)) == DCS_OK && op.kind != DCS_REG_OP_END) {
        fuzz_check_op(&op, size, &opt);
        if (op.kind == DCS_REG_OP_WARNING) {
            if (!fuzz_is_multiline_warning(op.warning->message))
                fprintf(stderr, "read back: %u:%u: %s\n", op.line, op.column,
                        op.warning->message);
            FUZZ_CHECK(fuzz_is_multiline_warning(op.warning->message));
            (*multiline)++;
            continue;
        }
        put_op(got, op.kind, op.key, op.key_len, op.name, op.name_len, op.type, op.data,
               op.data_len, kinds_only);
    }
    if (st != DCS_OK)
        fprintf(stderr, "read back: %u:%u: %s\n", err.line, err.column, err.message);
    FUZZ_CHECK(st == DCS_OK);
    dcs_reg_reader_free(r);
}

static void check_variant(const uint8_t *data, size_t size, const struct dcs_reg_reader_options *ropt,
                          const struct variant *v)
{
    struct dcs_reg_membuf out = {.grow = true};
    struct dcs_reg_writer *w;
    struct dcs_error err;
    struct fuzz_buf expect = {0}, got = {0};

    uint64_t written = 0, read = 0;
    FUZZ_CHECK(dcs_reg_writer_new(&v->w, dcs_reg_membuf_write, &out, &w, &err) == DCS_OK);
    write_ops(data, size, ropt, w, &expect, false, &written);
    bool lossy = dcs_reg_writer_lossy(w) != 0;
    dcs_reg_writer_free(w);
    if (lossy) {
        /* compare the operation kinds only */
        fuzz_buf_free(&expect);
        FUZZ_CHECK(dcs_reg_writer_new(&v->w, dcs_reg_membuf_write, &out, &w, &err) == DCS_OK);
        out.len = 0;
        written = 0;
        write_ops(data, size, ropt, w, &expect, true, &written);
        dcs_reg_writer_free(w);
    }
    read_back(out.buf, out.len, v->read_cp, &got, lossy, &read);
    FUZZ_CHECK(fuzz_buf_eq(&expect, &got));
    FUZZ_CHECK(read == written);
    fuzz_buf_free(&expect);
    fuzz_buf_free(&got);
    free(out.buf);
}

static dcs_status membuf_rewind(void *ctx, struct dcs_error *err)
{
    (void)err;
    ((struct dcs_reg_membuf *)ctx)->len = 0;
    return DCS_OK;
}

/* Convert data (a .reg, plain or gzip) in memory. */
static dcs_status convert(const uint8_t *data, size_t size, size_t chunk,
                          const struct dcs_reg_convert_options *opt, struct dcs_reg_membuf *out,
                          struct dcs_error *err)
{
    struct dcs_reg_source *src;
    struct dcs_reg_output o = {dcs_reg_membuf_write, membuf_rewind, out};
    struct dcs_reg_convert_stats stats;
    dcs_status st = dcs_reg_source_open_mem(data, size, chunk, &src, err);
    FUZZ_CHECK(st == DCS_OK);
    out->len = 0;
    st = dcs_reg_convert(src, &o, opt, &stats, err);
    dcs_reg_source_close(src);
    return st;
}

static void check_convert(const uint8_t *data, size_t size, const struct dcs_reg_reader_options *ropt,
                          uint64_t seed)
{
    struct dcs_reg_convert_options opt = {.reader = *ropt};
    struct dcs_reg_membuf once = {.grow = true}, twice = {.grow = true};
    struct dcs_error err;
    size_t chunk = 1 + (size_t)((seed >> 8) % 512);

    dcs_error_clear(&err);
    dcs_status st = convert(data, size, chunk, &opt, &once, &err);
    if (st != DCS_OK) {
        FUZZ_CHECK(err.code == st && err.message[0] != '\0');
        free(once.buf);
        return;
    }
    struct fuzz_buf ops = {0};
    uint64_t multiline = 0;
    read_back(once.buf, once.len, DCS_REG_CP1252, &ops, true, &multiline);
    fuzz_buf_free(&ops);
    opt.reader.codepage = DCS_REG_CP1252;
    FUZZ_CHECK(convert(once.buf, once.len, chunk, &opt, &twice, &err) == DCS_OK);
    FUZZ_CHECK(once.len == twice.len && memcmp(once.buf, twice.buf, once.len) == 0);
    free(once.buf);
    free(twice.buf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const struct variant variants[4] = {
        {{DCS_REG_FORMAT_REGEDIT5, DCS_REG_OUT_UTF16LE}, DCS_REG_CP1252},
        {{DCS_REG_FORMAT_REGEDIT5, DCS_REG_OUT_UTF8}, DCS_REG_CP_UTF8},
        {{DCS_REG_FORMAT_REGEDIT4, DCS_REG_OUT_ANSI}, DCS_REG_CP1252},
        {{DCS_REG_FORMAT_REGEDIT4, DCS_REG_OUT_UTF8}, DCS_REG_CP_UTF8},
    };
    uint64_t seed = fuzz_hash(data, size);
    /* the default limits: nothing in this input can exceed them */
    struct dcs_reg_reader_options ropt = {
        .codepage = (seed & 1) ? DCS_REG_CP_UTF8 : DCS_REG_CP1252,
    };

    for (size_t i = 0; i < 4; i++)
        check_variant(data, size, &ropt, &variants[i]);
    check_convert(data, size, &ropt, seed);
    return 0;
}
