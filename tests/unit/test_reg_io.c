/* .reg: write -> read round trips on generated trees, the real exports in
 * tests/data/reg-real, gzip input, and convert (streaming and model). */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <zlib.h>

#include "gz_testlib.h"
#include "reg_testlib.h"
#include "scratch.h"
#include <dcs/regconv.h>
#include <dcs/regio.h>
#include <dcs/regread.h>
#include <dcs/regwrite.h>
#include "core/text.h"

static const char *data_dir(const char *sub, char *buf, size_t n)
{
    const char *root = getenv("DCS_SOURCE_ROOT");
    snprintf(buf, n, "%s/tests/data/%s", root ? root : ".", sub);
    return buf;
}

/* ---- generated trees ---- */

static uint64_t rng = 0x9E3779B97F4A7C15ull;

static uint32_t rnd(uint32_t n)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (uint32_t)(rng % n);
}

/* characters for names and text; ansi: only Windows-1252 ones */
static uint32_t rnd_char(bool ansi, bool lone_ok)
{
    static const uint32_t pool[] = {'a', 'Z', '0', ' ', '"', '[', ']', '/', '=', ';', '#', '@',
                                    '-', ',', '\\', 0xE9, 0x20AC, 0xFF, 0x4E2D, 0x1F600, 0xD800,
                                    '\r', '\n', '\t'};
    for (;;) {
        uint32_t c = pool[rnd(sizeof pool / sizeof pool[0])];
        if (ansi && (c == 0x4E2D || c == 0x1F600 || c == 0xD800))
            continue;
        if (c == 0xD800 && !lone_ok)
            continue;
        return c;
    }
}

static size_t put16(uint8_t *d, uint32_t c)
{
    if (c < 0x10000) {
        dcs_st16le(d, (uint16_t)c);
        return 2;
    }
    c -= 0x10000;
    dcs_st16le(d, (uint16_t)(0xD800 + (c >> 10)));
    dcs_st16le(d + 2, (uint16_t)(0xDC00 + (c & 0x3FF)));
    return 4;
}

/* A name as UTF-8 (via UTF-16 so lone surrogates take their 3-byte form).
 * Key components: no backslash, no CR/LF/TAB. */
static size_t rnd_name(char *out, size_t max, bool key, bool ansi, bool lone_ok)
{
    uint8_t u[600];
    size_t n = 0, want = 1 + rnd((uint32_t)max);
    while (n / 2 < want) {
        uint32_t c = rnd_char(ansi, lone_ok);
        if (key && (c == '\\' || c == '\r' || c == '\n' || c == '\t'))
            continue;
        n += put16(u + n, c);
    }
    return dcsi_utf16le_to_utf8(u, n / 2, out);
}

struct gen_value {
    char name[200];
    size_t name_len;
    uint32_t type;
    uint8_t *data;
    size_t len;
};

static void rnd_value(struct gen_value *v, bool ansi, bool lone_ok, bool huge)
{
    v->name_len = rnd(6) ? rnd_name(v->name, 20, false, ansi, lone_ok) : 0;
    static const uint32_t types[] = {0, 1, 2, 3, 4, 7, 11, 0x100, 0xFFFFFFFFu};
    v->type = types[rnd(9)];
    size_t n = huge ? (1u << 20) : rnd(4) ? rnd(120) : 0;
    v->data = malloc(4 * n + 8);
    if (v->type == 1 || v->type == 2 || v->type == 7) {
        /* UTF-16 text ending in NUL (REG_SZ: no inner NUL) */
        size_t o = 0;
        for (size_t i = 0; i < n / 4; i++) {
            uint32_t c = rnd_char(ansi, lone_ok && v->type != 1);
            if (v->type == 7 && rnd(8) == 0)
                c = 0;
            o += put16(v->data + o, c);
        }
        if (v->type == 1 || o) {
            dcs_st16le(v->data + o, 0);
            o += 2;
        }
        v->len = o;
    } else if (v->type == 4 && rnd(3)) {
        v->len = 4;
        for (int i = 0; i < 4; i++)
            v->data[i] = (uint8_t)rnd(256);
    } else {
        v->len = n;
        for (size_t i = 0; i < n; i++)
            v->data[i] = (uint8_t)rnd(256);
    }
}

static void roundtrip(enum dcs_reg_format fmt, enum dcs_reg_out_encoding enc,
                      enum dcs_reg_codepage cp, bool ansi, bool lone_ok)
{
    struct dcs_reg_membuf mb = {.grow = true};
    struct dcs_reg_writer *w;
    struct dcs_error err;
    struct dcs_reg_writer_options wo = {fmt, enc};
    assert_int_equal(dcs_reg_writer_new(&wo, dcs_reg_membuf_write, &mb, &w, &err), DCS_OK);
    struct tl_ops want = {0};
    char key[2048];
    const char *roots[] = {"HKEY_CURRENT_USER", "HKEY_LOCAL_MACHINE", "HKEY_USERS"};
    for (int k = 0; k < 30; k++) {
        size_t kl = (size_t)sprintf(key, "%s", roots[rnd(3)]);
        for (uint32_t d = 1 + rnd(4); d > 0; d--) {
            key[kl++] = '\\';
            kl += rnd_name(key + kl, 12, true, ansi, lone_ok);
        }
        key[kl] = 0;
        assert_int_equal(dcs_reg_writer_key(w, key, kl, &err), DCS_OK);
        /* record the expected operations */
        want.v = realloc(want.v, (want.n + 20) * sizeof *want.v);
        memset(&want.v[want.n], 0, sizeof want.v[0]);
        want.v[want.n].kind = DCS_REG_OP_CREATE_KEY;
        want.v[want.n].key = strdup(key);
        want.v[want.n].data = malloc(1);
        want.n++;
        for (uint32_t i = rnd(5); i > 0; i--) {
            struct gen_value v;
            rnd_value(&v, ansi, lone_ok, k == 7 && i == 1);
            assert_int_equal(dcs_reg_writer_value(w, v.name, v.name_len, v.type, v.data, v.len,
                                                  &err),
                             DCS_OK);
            struct tl_op *t = &want.v[want.n++];
            memset(t, 0, sizeof *t);
            t->kind = DCS_REG_OP_SET_VALUE;
            t->key = strdup(key);
            t->name = malloc(v.name_len + 1);
            memcpy(t->name, v.name, v.name_len);
            t->name[v.name_len] = 0;
            t->type = v.type;
            t->data = v.data;
            t->len = v.len;
        }
    }
    assert_int_equal(dcs_reg_writer_finish(w, &err), DCS_OK);
    assert_int_equal(dcs_reg_writer_lossy(w), 0);
    dcs_reg_writer_free(w);

    /* lenient: REG_SZ data with line breaks are written raw over several
     * lines, which strict mode refuses; the only warnings allowed say so */
    struct dcs_reg_reader_options ro = {.codepage = cp};
    struct tl_ops got;
    tl_parse(&got, mb.buf, mb.len, 4093, &ro);
    if (got.st)
        fail_msg("read back: %u:%u: %s", got.err.line, got.err.column, got.err.message);
    size_t kept = 0;
    for (size_t i = 0; i < got.n; i++) {
        if (got.v[i].kind != DCS_REG_OP_WARNING) {
            got.v[kept++] = got.v[i];
            continue;
        }
        if (strncmp(got.v[i].wmsg, "the string data of value '", 26) != 0)
            fail_msg("read back: %u:%u: %s", got.v[i].line, got.v[i].column, got.v[i].wmsg);
        free(got.v[i].wmsg);
    }
    got.n = kept;
    assert_int_equal(got.n, want.n);
    for (size_t i = 0; i < got.n; i++) {
        /* lines and columns are not known in advance */
        got.v[i].line = got.v[i].column = 0;
        const struct tl_op *a = &got.v[i], *b = &want.v[i];
        assert_int_equal(a->kind, b->kind);
        assert_string_equal(a->key, b->key);
        if (a->kind == DCS_REG_OP_SET_VALUE) {
            assert_string_equal(a->name, b->name);
            assert_int_equal(a->type, b->type);
            assert_int_equal(a->len, b->len);
            assert_memory_equal(a->data, b->data, a->len);
        }
    }
    tl_ops_free(&got);
    tl_ops_free(&want);
    free(mb.buf);
}

static void roundtrip_regedit5_utf16(void **state)
{
    (void)state;
    for (int i = 0; i < 8; i++)
        roundtrip(DCS_REG_FORMAT_REGEDIT5, DCS_REG_OUT_UTF16LE, DCS_REG_CP1252, false, true);
}

static void roundtrip_regedit5_utf8(void **state)
{
    (void)state;
    for (int i = 0; i < 8; i++)
        roundtrip(DCS_REG_FORMAT_REGEDIT5, DCS_REG_OUT_UTF8, DCS_REG_CP_UTF8, false, false);
}

static void roundtrip_regedit4_ansi(void **state)
{
    (void)state;
    for (int i = 0; i < 8; i++)
        roundtrip(DCS_REG_FORMAT_REGEDIT4, DCS_REG_OUT_ANSI, DCS_REG_CP1252, true, false);
}

static void roundtrip_regedit4_utf8(void **state)
{
    (void)state;
    for (int i = 0; i < 4; i++)
        roundtrip(DCS_REG_FORMAT_REGEDIT4, DCS_REG_OUT_UTF8, DCS_REG_CP_UTF8, false, false);
}

/* ---- convert ---- */

static dcs_status mb_rewind(void *ctx, struct dcs_error *err)
{
    (void)err;
    ((struct dcs_reg_membuf *)ctx)->len = 0;
    return DCS_OK;
}

/* Convert a file into a malloc'd buffer. */
static uint8_t *convert(const char *path, bool can_rewind, const struct dcs_reg_writer_options *wo,
                        size_t *len, struct dcs_reg_convert_stats *cs)
{
    struct dcs_reg_source *src;
    struct dcs_error err;
    assert_int_equal(dcs_reg_source_open(path, 4096, &src, &err), DCS_OK);
    struct dcs_reg_membuf mb = {.grow = true};
    struct dcs_reg_output out = {dcs_reg_membuf_write, can_rewind ? mb_rewind : NULL, &mb};
    struct dcs_reg_convert_options opt = {0};
    if (wo)
        opt.writer = *wo;
    dcs_status st = dcs_reg_convert(src, &out, &opt, cs, &err);
    if (st)
        fail_msg("convert %s: %s", path, err.message);
    dcs_reg_source_close(src);
    *len = mb.len;
    return mb.buf;
}

static void real_files(void **state)
{
    (void)state;
    char dir[1024];
    data_dir("reg-real", dir, sizeof dir);
    DIR *d = opendir(dir);
    assert_non_null(d);
    struct dirent *e;
    int files = 0, untouched = 0;
    while ((e = readdir(d))) {
        size_t l = strlen(e->d_name);
        if (l < 5 || strcmp(e->d_name + l - 4, ".reg") != 0)
            continue;
        char path[2048], srcpath[2048];
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        snprintf(srcpath, sizeof srcpath, "%s/%.*s.source", dir, (int)(l - 4), e->d_name);
        size_t len, slen;
        uint8_t *data = tl_read_file(path, &len), *source = tl_read_file(srcpath, &slen);
        assert_non_null(data);
        assert_non_null(source);
        source = realloc(source, slen + 1);
        source[slen] = 0;
        struct tl_ops o;
        tl_parse(&o, data, len, 0, NULL);
        if (o.st)
            fail_msg("%s: %s", e->d_name, o.err.message);
        assert_true(o.n > 0);
        tl_ops_free(&o);
        files++;
        if (strstr((char *)source, "classification: untouched")) {
            size_t olen;
            struct dcs_reg_convert_stats cs;
            uint8_t *out = convert(path, true, NULL, &olen, &cs);
            if (olen != len || memcmp(out, data, len) != 0)
                fail_msg("%s does not convert to itself", e->d_name);
            assert_true(cs.streamed);
            free(out);
            /* the model gives the same bytes */
            out = convert(path, false, NULL, &olen, &cs);
            assert_false(cs.streamed);
            assert_int_equal(olen, len);
            assert_memory_equal(out, data, len);
            free(out);
            untouched++;
        }
        free(data);
        free(source);
    }
    closedir(d);
    assert_true(files >= 10);
    assert_true(untouched >= 8);
}

static void convert_model(void **state)
{
    (void)state;
    /* out of order keys, a repeated key, value replaced in place, value and
     * key deletions, an intermediate key, two roots */
    const char *in = "REGEDIT4\r\n[HKEY_USERS\\S\\b]\r\n\"x\"=\"1\"\r\n\"y\"=\"2\"\r\n"
                     "[HKEY_USERS\\S\\a\\deep\\er]\r\n@=dword:1\r\n[HKEY_USERS\\S\\a]\r\n"
                     "[HKEY_LOCAL_MACHINE\\M]\r\n[HKEY_USERS\\S\\B]\r\n\"X\"=\"3\"\r\n\"y\"=-\r\n"
                     "\"z\"=\"4\"\r\n[HKEY_USERS\\S\\c]\r\n[-HKEY_USERS\\S\\C]\r\n";
    const char *want = "REGEDIT4\r\n\r\n[HKEY_USERS\\S\\a]\r\n\r\n[HKEY_USERS\\S\\a\\deep]\r\n\r\n"
                       "[HKEY_USERS\\S\\a\\deep\\er]\r\n@=dword:00000001\r\n\r\n"
                       "[HKEY_USERS\\S\\b]\r\n\"x\"=\"3\"\r\n\"z\"=\"4\"\r\n\r\n"
                       "[HKEY_LOCAL_MACHINE\\M]\r\n\r\n";
    char path[512];
    snprintf(path, sizeof path, "%s/model.reg", scratch_dir);
    scratch_write(path, in, strlen(in));
    struct dcs_reg_writer_options wo = {DCS_REG_FORMAT_REGEDIT4, DCS_REG_OUT_DEFAULT};
    for (int rew = 0; rew < 2; rew++) {
        size_t len;
        struct dcs_reg_convert_stats cs;
        uint8_t *out = convert(path, rew, &wo, &len, &cs);
        assert_false(cs.streamed);
        assert_int_equal(cs.keys, 5);
        assert_int_equal(cs.values, 3);
        if (len != strlen(want) || memcmp(out, want, len) != 0)
            fail_msg("got:\n%.*s", (int)len, out);
        free(out);
    }
    /* export-shaped input with an intermediate key streams */
    const char *shaped = "REGEDIT4\r\n[HKEY_USERS\\S]\r\n[HKEY_USERS\\S\\a\\b]\r\n\"v\"=\"1\"\r\n"
                         "\"v\"=\"2\"\r\n[HKEY_USERS\\S\\c]\r\n[-HKEY_USERS\\S\\d]\r\n";
    const char *swant = "REGEDIT4\r\n\r\n[HKEY_USERS\\S]\r\n\r\n[HKEY_USERS\\S\\a]\r\n\r\n"
                        "[HKEY_USERS\\S\\a\\b]\r\n\"v\"=\"2\"\r\n\r\n[HKEY_USERS\\S\\c]\r\n\r\n";
    scratch_write(path, shaped, strlen(shaped));
    size_t len;
    struct dcs_reg_convert_stats cs;
    uint8_t *out = convert(path, true, &wo, &len, &cs);
    assert_true(cs.streamed);
    if (len != strlen(swant) || memcmp(out, swant, len) != 0)
        fail_msg("got:\n%.*s", (int)len, out);
    free(out);
    /* keys differing only in case: the same key, named twice: modelled,
     * first spelling kept */
    const char *cased = "REGEDIT4\r\n[HKEY_USERS\\S\\ab]\r\n\"v\"=\"1\"\r\n[HKEY_USERS\\s\\AB]\r\n"
                        "\"w\"=\"2\"\r\n[HKEY_USERS\\s\\AB\\c\\d]\r\n[HKEY_USERS\\S\\abc]\r\n";
    const char *cwant = "REGEDIT4\r\n\r\n[HKEY_USERS\\S\\ab]\r\n\"v\"=\"1\"\r\n\"w\"=\"2\"\r\n\r\n"
                        "[HKEY_USERS\\S\\ab\\c]\r\n\r\n[HKEY_USERS\\S\\ab\\c\\d]\r\n\r\n"
                        "[HKEY_USERS\\S\\abc]\r\n\r\n";
    scratch_write(path, cased, strlen(cased));
    out = convert(path, true, &wo, &len, &cs);
    assert_false(cs.streamed);
    if (len != strlen(cwant) || memcmp(out, cwant, len) != 0)
        fail_msg("got:\n%.*s", (int)len, out);
    free(out);
    unlink(path);
}

/* ---- gzip ---- */

static uint8_t *gzip_bytes(const uint8_t *data, size_t len, size_t *outlen)
{
    uint8_t *g = tl_gzip(data, len, outlen);
    assert_non_null(g);
    return g;
}

static dcs_status read_all_ops(const char *path, size_t *n_ops, struct dcs_error *err)
{
    struct dcs_reg_source *src;
    struct dcs_reg_reader *r;
    dcs_status st = dcs_reg_source_open(path, 1000, &src, err);
    if (st)
        return st;
    assert_int_equal(dcs_reg_reader_new(NULL, &r, err), DCS_OK);
    *n_ops = 0;
    for (;;) {
        struct dcs_reg_op op;
        st = dcs_reg_reader_next(r, &op, err);
        if (st || op.kind == DCS_REG_OP_END)
            break;
        if (op.kind == DCS_REG_OP_NEED_INPUT)
            st = dcs_reg_source_feed(src, r, err);
        else
            (*n_ops)++;
        if (st)
            break;
    }
    dcs_reg_reader_free(r);
    dcs_reg_source_close(src);
    return st;
}

static void gzip_input(void **state)
{
    (void)state;
    char dir[1024], path[2048], gz[512];
    data_dir("reg-real", dir, sizeof dir);
    snprintf(path, sizeof path, "%s/neiltucker-55066A--ie.reg", dir);
    size_t len, glen, plain_ops, gz_ops;
    uint8_t *data = tl_read_file(path, &len);
    assert_non_null(data);
    struct dcs_error err;
    assert_int_equal(read_all_ops(path, &plain_ops, &err), DCS_OK);
    /* two concatenated gzip members are one stream */
    uint8_t *g1 = gzip_bytes(data, len / 2, &glen);
    size_t glen2;
    uint8_t *g2 = gzip_bytes(data + len / 2, len - len / 2, &glen2);
    uint8_t *g = malloc(glen + glen2);
    memcpy(g, g1, glen);
    memcpy(g + glen, g2, glen2);
    snprintf(gz, sizeof gz, "%s/in.reg.gz", scratch_dir);
    scratch_write(gz, g, glen + glen2);
    assert_int_equal(read_all_ops(gz, &gz_ops, &err), DCS_OK);
    assert_int_equal(gz_ops, plain_ops);
    /* truncated */
    scratch_write(gz, g, glen + glen2 - 9);
    assert_int_equal(read_all_ops(gz, &gz_ops, &err), DCS_ERR_REG_GZIP);
    assert_non_null(strstr(err.message, "truncated"));
    /* corrupt deflate data */
    memcpy(g, g1, glen);
    for (size_t i = 20; i < 40 && i < glen; i++)
        g[i] ^= 0x5A;
    scratch_write(gz, g, glen);
    assert_int_equal(read_all_ops(gz, &gz_ops, &err), DCS_ERR_REG_GZIP);
    assert_int_not_equal(err.offset, DCS_NO_OFFSET);
    /* garbage after the stream */
    memcpy(g, g1, glen);
    memcpy(g + glen, "junk", 4);
    scratch_write(gz, g, glen + 4);
    assert_int_equal(read_all_ops(gz, &gz_ops, &err), DCS_ERR_REG_GZIP);
    unlink(gz);
    free(g);
    free(g1);
    free(g2);
    free(data);
}

static void gzip_output(void **state)
{
    (void)state;
    char out[512];
    snprintf(out, sizeof out, "%s/out.reg.gz", scratch_dir);
    struct dcs_reg_sink *s;
    struct dcs_error err;
    assert_int_equal(dcs_reg_sink_open(out, true, &s, &err), DCS_OK);
    assert_int_equal(dcs_reg_sink_write(s, "junk", 4, &err), DCS_OK);
    assert_int_equal(dcs_reg_sink_rewind(s, &err), DCS_OK);
    assert_int_equal(dcs_reg_sink_write(s, "REGEDIT4\r\n", 10, &err), DCS_OK);
    assert_int_equal(dcs_reg_sink_commit(s, true, &err), DCS_OK);
    gzFile f = gzopen(out, "rb");
    char buf[64];
    int n = gzread(f, buf, sizeof buf);
    gzclose(f);
    assert_int_equal(n, 10);
    assert_memory_equal(buf, "REGEDIT4\r\n", 10);
    /* overwriting keeps a backup; abort leaves the target alone */
    assert_int_equal(dcs_reg_sink_open(out, false, &s, &err), DCS_OK);
    assert_int_equal(dcs_reg_sink_write(s, "x", 1, &err), DCS_OK);
    assert_int_equal(dcs_reg_sink_commit(s, true, &err), DCS_OK);
    char bak[600];
    snprintf(bak, sizeof bak, "%s.bak", out);
    assert_int_equal(access(bak, F_OK), 0);
    assert_int_equal(dcs_reg_sink_open(out, false, &s, &err), DCS_OK);
    assert_int_equal(dcs_reg_sink_write(s, "yy", 2, &err), DCS_OK);
    dcs_reg_sink_close(s);
    size_t len;
    uint8_t *d = tl_read_file(out, &len);
    assert_int_equal(len, 1);
    free(d);
    unlink(out);
    unlink(bak);
}

/* every test removes its files: the directory must be empty by now */
static int teardown(void **state)
{
    (void)state;
    return rmdir(scratch_dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(roundtrip_regedit5_utf16),
        cmocka_unit_test(roundtrip_regedit5_utf8),
        cmocka_unit_test(roundtrip_regedit4_ansi),
        cmocka_unit_test(roundtrip_regedit4_utf8),
        cmocka_unit_test(real_files),
        cmocka_unit_test(convert_model),
        cmocka_unit_test(gzip_input),
        cmocka_unit_test(gzip_output),
    };
    return cmocka_run_group_tests(tests, scratch_setup, teardown);
}
