/* Sources and the reader's input side: where chunks end in plain and gzip
 * input, reading after the end, bytes after a gzip member, a FIFO as
 * input, and chunks handed to the reader that are empty or missing. */
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <zlib.h>

#include "gz_testlib.h"
#include "reg_testlib.h"
#include <dcs/regconv.h>
#include <dcs/regio.h>

#define ZIN 65536 /* regio's compressed input buffer */

static size_t gzip_into(const uint8_t *data, size_t len, uint8_t *out, size_t cap)
{
    size_t n = tl_gzip_into(data, len, out, cap);
    assert_true(n > 0);
    return n;
}

static void fill_pattern(uint8_t *p, size_t n, unsigned seed)
{
    for (size_t i = 0; i < n; i++)
        p[i] = (uint8_t)((i * 31 + seed) ^ (i >> 8));
}

struct chunk {
    size_t len;
    bool last;
};

/* Read s to the end; the sizes of the chunks go to c (at most n). */
static size_t read_chunks(struct dcs_reg_source *s, struct chunk *c, size_t n, uint8_t *out)
{
    size_t k = 0, pos = 0;
    struct dcs_error err;
    for (;;) {
        const uint8_t *d;
        bool last;
        assert_true(k < n);
        assert_int_equal(dcs_reg_source_read(s, &d, &c[k].len, &last, &err), DCS_OK);
        c[k].last = last;
        memcpy(out + pos, d, c[k].len);
        pos += c[k].len;
        k++;
        if (last)
            return k;
    }
}

/* Output that fills the last chunk exactly: the end is known only on the
 * next read, which gives an empty last chunk; reading again after that
 * keeps giving one.  The same for plain and gzip input. */
static void exact_chunks(void **state)
{
    (void)state;
    static uint8_t data[3000], gz[4000], out[4000];
    fill_pattern(data, sizeof data, 1);
    size_t glen = gzip_into(data, sizeof data, gz, sizeof gz);
    for (int compressed = 0; compressed < 2; compressed++) {
        struct dcs_reg_source *s;
        struct dcs_error err;
        assert_int_equal(dcs_reg_source_open_mem(compressed ? gz : data, compressed ? glen : sizeof data,
                                                 1000, &s, &err),
                         DCS_OK);
        struct chunk c[8];
        size_t k = read_chunks(s, c, 8, out);
        assert_int_equal(dcs_reg_source_is_gzip(s), compressed);
        assert_int_equal(k, 4);
        for (size_t i = 0; i < 3; i++) {
            assert_int_equal(c[i].len, 1000);
            assert_false(c[i].last);
        }
        assert_int_equal(c[3].len, 0);
        assert_true(c[3].last);
        assert_memory_equal(out, data, sizeof data);
        const uint8_t *d;
        size_t n = 99;
        bool last = false;
        assert_int_equal(dcs_reg_source_read(s, &d, &n, &last, &err), DCS_OK);
        assert_int_equal(n, 0);
        assert_true(last);
        dcs_reg_source_close(s);
    }
}

/* A chunk that ends where a gzip member ends, with the next member still to
 * come; and plain input read in chunks larger than the input buffer. */
static void chunk_ends_with_member(void **state)
{
    (void)state;
    static uint8_t a[1000], b[500], gz[4000], out[2000];
    fill_pattern(a, sizeof a, 2);
    fill_pattern(b, sizeof b, 3);
    size_t glen = gzip_into(a, sizeof a, gz, sizeof gz);
    glen += gzip_into(b, sizeof b, gz + glen, sizeof gz - glen);
    struct dcs_reg_source *s;
    struct dcs_error err;
    assert_int_equal(dcs_reg_source_open_mem(gz, glen, sizeof a, &s, &err), DCS_OK);
    struct chunk c[4];
    assert_int_equal(read_chunks(s, c, 4, out), 2);
    assert_int_equal(c[0].len, sizeof a);
    assert_false(c[0].last);
    assert_int_equal(c[1].len, sizeof b);
    assert_true(c[1].last);
    assert_memory_equal(out, a, sizeof a);
    assert_memory_equal(out + sizeof a, b, sizeof b);
    dcs_reg_source_close(s);

    static uint8_t big[3 * ZIN], bout[3 * ZIN];
    fill_pattern(big, sizeof big, 4);
    assert_int_equal(dcs_reg_source_open_mem(big, sizeof big, 2 * ZIN, &s, &err), DCS_OK);
    assert_int_equal(read_chunks(s, c, 4, bout), 2);
    assert_int_equal(c[0].len, 2 * ZIN);
    assert_false(c[0].last);
    assert_int_equal(c[1].len, ZIN);
    assert_true(c[1].last);
    assert_memory_equal(bout, big, sizeof big);
    dcs_reg_source_close(s);
}

/* Two bytes after a member that start like a gzip magic but are not one. */
static void not_a_second_member(void **state)
{
    (void)state;
    static const uint8_t text[] = "REGEDIT4\r\n";
    uint8_t gz[200];
    size_t glen = gzip_into(text, sizeof text - 1, gz, sizeof gz);
    gz[glen] = 0x1F;
    gz[glen + 1] = 0x00;
    struct dcs_reg_source *s;
    struct dcs_error err;
    assert_int_equal(dcs_reg_source_open_mem(gz, glen + 2, 0, &s, &err), DCS_OK);
    const uint8_t *d;
    size_t n;
    bool last;
    assert_int_equal(dcs_reg_source_read(s, &d, &n, &last, &err), DCS_ERR_REG_GZIP);
    assert_non_null(strstr(err.message, "data after the end of the gzip stream"));
    assert_int_equal(err.offset, glen);
    dcs_reg_source_close(s);
}

/* A FIFO named as input, with an output that cannot be rewound: read to
 * its end like stdin, converted on the model from the start (not spooled:
 * it is not read twice). */
static void fifo_input(void **state)
{
    (void)state;
    static const char text[] = "REGEDIT4\r\n[HKEY_USERS\\S\\b]\r\n\"v\"=\"1\"\r\n"
                               "[HKEY_USERS\\S\\a]\r\n";
    static const char want[] = "REGEDIT4\r\n\r\n[HKEY_USERS\\S\\a]\r\n\r\n"
                               "[HKEY_USERS\\S\\b]\r\n\"v\"=\"1\"\r\n\r\n";
    char dir[256], path[300];
    const char *t = getenv("TMPDIR");
    snprintf(dir, sizeof dir, "%s/dcs-regsrc-XXXXXX", t ? t : "/tmp");
    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/fifo", dir);
    assert_int_equal(mkfifo(path, 0600), 0);
    int wr = open(path, O_RDWR); /* a writer, so that opening to read does not wait */
    assert_true(wr >= 0);
    struct dcs_reg_source *s;
    struct dcs_error err;
    assert_int_equal(dcs_reg_source_open(path, 0, &s, &err), DCS_OK);
    assert_int_equal(write(wr, text, sizeof text - 1), (ssize_t)(sizeof text - 1));
    close(wr);
    assert_false(dcs_reg_source_can_rewind(s));
    assert_int_equal(dcs_reg_source_size(s), 0);
    struct dcs_reg_membuf mb = {.grow = true};
    struct dcs_reg_output out = {dcs_reg_membuf_write, NULL, &mb};
    struct dcs_reg_convert_options opt = {.writer = {DCS_REG_FORMAT_REGEDIT4,
                                                     DCS_REG_OUT_DEFAULT}};
    struct dcs_reg_convert_stats cs;
    assert_int_equal(dcs_reg_convert(s, &out, &opt, &cs, &err), DCS_OK);
    assert_false(cs.streamed);
    assert_int_equal(mb.len, sizeof want - 1);
    assert_memory_equal(mb.buf, want, mb.len);
    assert_int_equal(dcs_reg_source_pos(s), sizeof text - 1);
    assert_int_equal(dcs_reg_source_rewind(s, &err), DCS_ERR_IO);
    dcs_reg_source_close(s);
    free(mb.buf);
    unlink(path);
    rmdir(dir);
}

static dcs_status mb_rewind(void *ctx, struct dcs_error *err)
{
    (void)err;
    ((struct dcs_reg_membuf *)ctx)->len = 0;
    return DCS_OK;
}

/* Convert data written into a FIFO (a pipe, like stdin) with an output that
 * can be rewound: the pipe is spooled to an unlinked file in $TMPDIR, so
 * input that walks the key tree streams, and input that scatters a key is
 * read again for the model.  Nothing is left in $TMPDIR. */
static void fifo_convert(const char *dir, const void *data, size_t len, bool streamed,
                         const char *want)
{
    char path[300];
    snprintf(path, sizeof path, "%s/fifo", dir);
    assert_int_equal(mkfifo(path, 0600), 0);
    int wr = open(path, O_RDWR);
    assert_true(wr >= 0);
    struct dcs_reg_source *s;
    struct dcs_error err;
    assert_int_equal(dcs_reg_source_open(path, 7, &s, &err), DCS_OK);
    assert_int_equal(write(wr, data, len), (ssize_t)len);
    close(wr);
    struct dcs_reg_membuf mb = {.grow = true};
    struct dcs_reg_output out = {dcs_reg_membuf_write, mb_rewind, &mb};
    struct dcs_reg_convert_options opt = {.writer = {DCS_REG_FORMAT_REGEDIT4,
                                                     DCS_REG_OUT_DEFAULT}};
    struct dcs_reg_convert_stats cs;
    assert_int_equal(dcs_reg_convert(s, &out, &opt, &cs, &err), DCS_OK);
    assert_true(dcs_reg_source_can_rewind(s));
    assert_int_equal(cs.streamed, streamed);
    assert_int_equal(mb.len, strlen(want));
    assert_memory_equal(mb.buf, want, mb.len);
    /* the spooled copy reads back whole once more */
    assert_int_equal(dcs_reg_source_rewind(s, &err), DCS_OK);
    const uint8_t *d;
    size_t n, total = 0;
    bool last = false;
    while (!last) {
        assert_int_equal(dcs_reg_source_read(s, &d, &n, &last, &err), DCS_OK);
        total += n;
    }
    assert_true(total >= len || dcs_reg_source_is_gzip(s));
    dcs_reg_source_close(s);
    free(mb.buf);
    unlink(path);
}

static void fifo_input_spooled(void **state)
{
    (void)state;
    static const char walk[] = "REGEDIT4\r\n[HKEY_USERS\\S\\b]\r\n\"v\"=\"1\"\r\n"
                               "[HKEY_USERS\\S\\a]\r\n";
    static const char walk_want[] = "REGEDIT4\r\n\r\n[HKEY_USERS\\S\\b]\r\n\"v\"=\"1\"\r\n\r\n"
                                    "[HKEY_USERS\\S\\a]\r\n\r\n";
    static const char scattered[] = "REGEDIT4\r\n[HKEY_USERS\\S\\b]\r\n\"v\"=\"1\"\r\n"
                                    "[HKEY_USERS\\S\\a]\r\n[HKEY_USERS\\S\\b\\c]\r\n";
    static const char scattered_want[] = "REGEDIT4\r\n\r\n[HKEY_USERS\\S\\a]\r\n\r\n"
                                         "[HKEY_USERS\\S\\b]\r\n\"v\"=\"1\"\r\n\r\n"
                                         "[HKEY_USERS\\S\\b\\c]\r\n\r\n";
    char dir[256];
    const char *t = getenv("TMPDIR");
    char *old = t ? strdup(t) : NULL;
    snprintf(dir, sizeof dir, "%s/dcs-regspool-XXXXXX", t ? t : "/tmp");
    assert_non_null(mkdtemp(dir));
    setenv("TMPDIR", dir, 1);
    fifo_convert(dir, walk, sizeof walk - 1, true, walk_want);
    fifo_convert(dir, scattered, sizeof scattered - 1, false, scattered_want);
    size_t glen;
    uint8_t *gz = tl_gzip(scattered, sizeof scattered - 1, &glen);
    assert_non_null(gz);
    fifo_convert(dir, gz, glen, false, scattered_want);
    free(gz);
    if (old)
        setenv("TMPDIR", old, 1);
    else
        unsetenv("TMPDIR");
    free(old);
    assert_int_equal(rmdir(dir), 0); /* empty: the spool files were never named */
    /* spooling is asked for before the first read; a regular file needs none */
    struct dcs_reg_source *s;
    struct dcs_error err;
    int p[2];
    assert_int_equal(pipe(p), 0);
    assert_int_equal(write(p[1], walk, sizeof walk - 1), (ssize_t)(sizeof walk - 1));
    close(p[1]);
    char fdpath[64];
    snprintf(fdpath, sizeof fdpath, "/dev/fd/%d", p[0]);
    assert_int_equal(dcs_reg_source_open(fdpath, 0, &s, &err), DCS_OK);
    close(p[0]);
    const uint8_t *d;
    size_t n;
    bool last;
    assert_int_equal(dcs_reg_source_read(s, &d, &n, &last, &err), DCS_OK);
    assert_int_equal(dcs_reg_source_spool(s, &err), DCS_ERR_INVALID_ARG);
    assert_string_equal(err.message, "spooling must start before the first read");
    assert_false(dcs_reg_source_can_rewind(s));
    dcs_reg_source_close(s);
    assert_int_equal(dcs_reg_source_open_mem(walk, sizeof walk - 1, 0, &s, &err), DCS_OK);
    assert_int_equal(dcs_reg_source_spool(s, &err), DCS_OK);
    dcs_reg_source_close(s);
}


/* DCS_REG_SOURCE_MAP: a plain file is handed out as views of its mapping
 * (nothing copied; the chunks as a read() would cut them), read again after
 * a rewind; a gzip file is inflated from the mapping; an empty file and a
 * FIFO are read as without the flag. */
static void mapped_file(void **state)
{
    (void)state;
    static uint8_t data[2500], gz[4000], out[4000];
    fill_pattern(data, sizeof data, 7);
    data[0] = 'R'; /* not the gzip magic */
    size_t glen = gzip_into(data, sizeof data, gz, sizeof gz);
    char dir[256], path[300];
    const char *t = getenv("TMPDIR");
    snprintf(dir, sizeof dir, "%s/dcs-regmap-XXXXXX", t ? t : "/tmp");
    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/in", dir);
    for (int compressed = 0; compressed < 2; compressed++) {
        FILE *f = fopen(path, "wb");
        assert_non_null(f);
        assert_int_equal(fwrite(compressed ? gz : data, 1, compressed ? glen : sizeof data, f),
                         compressed ? glen : sizeof data);
        assert_int_equal(fclose(f), 0);
        struct dcs_reg_source *s;
        struct dcs_error err;
        assert_int_equal(dcs_reg_source_open_flags(path, 1000, DCS_REG_SOURCE_MAP, &s, &err),
                         DCS_OK);
        const void *map;
        size_t maplen;
        assert_true(dcs_reg_source_mapping(s, &map, &maplen));
        assert_int_equal(maplen, compressed ? glen : sizeof data);
        for (int pass = 0; pass < 2; pass++) {
            const uint8_t *d;
            size_t n, pos = 0;
            bool last = false;
            size_t chunks = 0;
            while (!last) {
                assert_int_equal(dcs_reg_source_read(s, &d, &n, &last, &err), DCS_OK);
                if (!compressed) /* a view: inside the mapping, where the bytes are */
                    assert_ptr_equal(d, (const uint8_t *)map + pos);
                memcpy(out + pos, d, n);
                pos += n;
                chunks++;
            }
            assert_int_equal(pos, sizeof data);
            assert_memory_equal(out, data, sizeof data);
            assert_int_equal(chunks, 3); /* 1000, 1000, 500 (last) */
            assert_int_equal(dcs_reg_source_is_gzip(s), compressed);
            assert_int_equal(dcs_reg_source_rewind(s, &err), DCS_OK);
        }
        dcs_reg_source_close(s);
    }
    /* past 8 MiB the pages read are let go of: a rewind reads them again,
     * unchanged */
    {
        size_t big = (size_t)17 << 20;
        uint8_t *b = malloc(big);
        assert_non_null(b);
        fill_pattern(b, big, 3);
        b[0] = 'R';
        FILE *bf = fopen(path, "wb");
        assert_non_null(bf);
        assert_int_equal(fwrite(b, 1, big, bf), big);
        assert_int_equal(fclose(bf), 0);
        struct dcs_reg_source *s;
        struct dcs_error err;
        assert_int_equal(dcs_reg_source_open_flags(path, 0, DCS_REG_SOURCE_MAP, &s, &err), DCS_OK);
        for (int pass = 0; pass < 2; pass++) {
            size_t pos = 0;
            bool last = false;
            while (!last) {
                const uint8_t *d;
                size_t n;
                assert_int_equal(dcs_reg_source_read(s, &d, &n, &last, &err), DCS_OK);
                assert_true(pos + n <= big);
                assert_memory_equal(d, b + pos, n);
                pos += n;
            }
            assert_int_equal(pos, big);
            assert_int_equal(dcs_reg_source_rewind(s, &err), DCS_OK);
        }
        dcs_reg_source_close(s);
        free(b);
    }
    /* an empty file: nothing to map, read as without the flag */
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fclose(f), 0);
    struct dcs_reg_source *s;
    struct dcs_error err;
    assert_int_equal(dcs_reg_source_open_flags(path, 0, DCS_REG_SOURCE_MAP, &s, &err), DCS_OK);
    const void *map = &map;
    size_t maplen = 1;
    assert_false(dcs_reg_source_mapping(s, &map, &maplen));
    assert_null(map);
    assert_int_equal(maplen, 0);
    const uint8_t *d;
    size_t n = 1;
    bool last = false;
    assert_int_equal(dcs_reg_source_read(s, &d, &n, &last, &err), DCS_OK);
    assert_int_equal(n, 0);
    assert_true(last);
    dcs_reg_source_close(s);
    /* a FIFO cannot be mapped */
    unlink(path);
    assert_int_equal(mkfifo(path, 0600), 0);
    int wr = open(path, O_RDWR);
    assert_true(wr >= 0);
    assert_int_equal(dcs_reg_source_open_flags(path, 0, DCS_REG_SOURCE_MAP, &s, &err), DCS_OK);
    assert_false(dcs_reg_source_mapping(s, &map, &maplen));
    assert_int_equal(write(wr, "REGEDIT4\r\n", 10), 10);
    close(wr);
    assert_int_equal(dcs_reg_source_read(s, &d, &n, &last, &err), DCS_OK);
    assert_int_equal(n, 10);
    assert_memory_equal(d, "REGEDIT4\r\n", 10);
    dcs_reg_source_close(s);
    unlink(path);
    rmdir(dir);
}

/* The reader: a first chunk that is empty changes nothing; a chunk with a
 * length but no data is refused. */
static void reader_odd_chunks(void **state)
{
    (void)state;
    static const char text[] = "REGEDIT4\r\n[HKEY_USERS\\S]\r\n\"v\"=\"1\"\r\n";
    struct tl_ops whole;
    tl_parse(&whole, text, sizeof text - 1, 0, NULL);
    assert_int_equal(whole.st, DCS_OK);
    struct dcs_reg_reader *r;
    struct dcs_error err;
    assert_int_equal(dcs_reg_reader_new(NULL, &r, &err), DCS_OK);
    struct dcs_reg_op op;
    assert_int_equal(dcs_reg_reader_next(r, &op, &err), DCS_OK);
    assert_int_equal(op.kind, DCS_REG_OP_NEED_INPUT);
    assert_int_equal(dcs_reg_reader_feed(r, NULL, 5, false, &err), DCS_ERR_INVALID_ARG);
    assert_string_equal(err.message, "NULL chunk");
    assert_int_equal(dcs_reg_reader_feed(r, "", 0, false, &err), DCS_OK);
    assert_int_equal(dcs_reg_reader_next(r, &op, &err), DCS_OK);
    assert_int_equal(op.kind, DCS_REG_OP_NEED_INPUT);
    assert_int_equal(dcs_reg_reader_feed(r, text, sizeof text - 1, true, &err), DCS_OK);
    size_t i = 0;
    for (;;) {
        assert_int_equal(dcs_reg_reader_next(r, &op, &err), DCS_OK);
        if (op.kind == DCS_REG_OP_END)
            break;
        assert_true(i < whole.n);
        assert_int_equal(op.kind, whole.v[i].kind);
        assert_string_equal(op.key, whole.v[i].key);
        assert_int_equal(op.line, whole.v[i].line);
        i++;
    }
    assert_int_equal(i, whole.n);
    dcs_reg_reader_free(r);
    tl_ops_free(&whole);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(exact_chunks),
        cmocka_unit_test(chunk_ends_with_member),
        cmocka_unit_test(not_a_second_member),
        cmocka_unit_test(fifo_input),
        cmocka_unit_test(fifo_input_spooled),
        cmocka_unit_test(reader_odd_chunks),
        cmocka_unit_test(mapped_file),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
