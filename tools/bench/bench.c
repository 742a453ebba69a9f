/* dcs-bench: benchmarks, one group per concern (see bench.h).
 *
 *   dcs-bench blob [--rounds N] [--ms N] [DIR]
 *
 * The blob group times, per blob of a corpus, lenient dcs_blob_decode()
 * (every bounds check, flag and field warning decode does; "decode_text" also
 * with DCS_DECODE_CHECK_TEXT, the NUL/UTF-8 pass the CLI asks for),
 * dcs_blob_encode() of the decoded model, and memcpy() of the same bytes, in
 * the same run, and prints
 *   blob.decode.ns_per_op, blob.encode.ns_per_op, blob.memcpy.ns_per_op,
 *   blob.decode.vs_memcpy, blob.encode.vs_memcpy,
 *   blob.decode.ns_per_op.typical (blobs of 100..200 bytes) and friends.
 * Each figure is the best of N rounds (CLOCK_MONOTONIC), each round long
 * enough (--ms) to swamp the clock's resolution.  DIR defaults to the
 * source tree's corpus/blob; without it, built-in copies of five fixtures
 * are used so that the benchmark runs anywhere. */
#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "bench.h"
#include <dcs/dcs.h>

/* ---- corpus ------------------------------------------------------------------ */

static const uint8_t builtin_002[] = { /* 002-dcs46-all-flags-proxy-with-scheme-bypass-local-pac, 179 bytes */
    0x46, 0x00, 0x00, 0x00, 0x05, 0x00, 0x00, 0x00, 0x0f, 0x00, 0x00, 0x00, 0x18, 0x00, 0x00, 0x00,
    0x68, 0x74, 0x74, 0x70, 0x3a, 0x2f, 0x2f, 0x31, 0x32, 0x37, 0x2e, 0x32, 0x30, 0x2e, 0x32, 0x30,
    0x2e, 0x32, 0x30, 0x3a, 0x33, 0x31, 0x32, 0x38, 0x21, 0x00, 0x00, 0x00, 0x68, 0x6f, 0x6d, 0x65,
    0x2e, 0x63, 0x72, 0x61, 0x73, 0x68, 0x2e, 0x63, 0x6f, 0x2e, 0x6e, 0x7a, 0x3b, 0x66, 0x68, 0x2e,
    0x6c, 0x6f, 0x63, 0x61, 0x6c, 0x3b, 0x3c, 0x6c, 0x6f, 0x63, 0x61, 0x6c, 0x3e, 0x42, 0x00, 0x00,
    0x00, 0x68, 0x74, 0x74, 0x70, 0x3a, 0x2f, 0x2f, 0x77, 0x65, 0x62, 0x64, 0x65, 0x66, 0x65, 0x6e,
    0x63, 0x65, 0x2e, 0x67, 0x6c, 0x6f, 0x62, 0x61, 0x6c, 0x2e, 0x62, 0x6c, 0x61, 0x63, 0x6b, 0x73,
    0x70, 0x69, 0x64, 0x65, 0x72, 0x2e, 0x63, 0x6f, 0x6d, 0x3a, 0x38, 0x30, 0x38, 0x32, 0x2f, 0x70,
    0x72, 0x6f, 0x78, 0x79, 0x2e, 0x70, 0x61, 0x63, 0x3f, 0x70, 0x3d, 0x62, 0x39, 0x67, 0x77, 0x67,
    0x76, 0x68, 0x73, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00,
};
static const uint8_t builtin_013[] = { /* 013-dcs46-proxy-and-pac-cn-blog, 103 bytes */
    0x46, 0x00, 0x00, 0x00, 0x03, 0x00, 0x00, 0x00, 0x07, 0x00, 0x00, 0x00, 0x0e, 0x00, 0x00, 0x00,
    0x31, 0x39, 0x32, 0x2e, 0x31, 0x36, 0x38, 0x2e, 0x31, 0x2e, 0x31, 0x3a, 0x38, 0x30, 0x00, 0x00,
    0x00, 0x00, 0x21, 0x00, 0x00, 0x00, 0x68, 0x74, 0x74, 0x70, 0x3a, 0x2f, 0x2f, 0x78, 0x64, 0x75,
    0x6f, 0x74, 0x61, 0x69, 0x2e, 0x63, 0x6f, 0x6d, 0x2f, 0x70, 0x52, 0x73, 0x4f, 0x33, 0x4e, 0x47,
    0x52, 0x33, 0x2d, 0x2e, 0x70, 0x61, 0x63, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
};
static const uint8_t builtin_016[] = { /* 016-sls46-proxy-autodetect-local-cn-blog2, 75 bytes */
    0x46, 0x00, 0x00, 0x00, 0x51, 0x00, 0x00, 0x00, 0x0b, 0x00, 0x00, 0x00, 0x0c, 0x00, 0x00, 0x00,
    0x31, 0x32, 0x37, 0x2e, 0x30, 0x2e, 0x30, 0x2e, 0x31, 0x3a, 0x38, 0x30, 0x07, 0x00, 0x00, 0x00,
    0x3c, 0x6c, 0x6f, 0x63, 0x61, 0x6c, 0x3e, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
};
static const uint8_t builtin_031[] = { /* 031-winhttp18-default-direct, 20 bytes */
    0x18, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00,
};
static const uint8_t builtin_035[] = { /* 035-dcs46-direct-minimal-proxyconf-test, 56 bytes */
    0x46, 0x00, 0x00, 0x00, 0x3a, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
};

static const struct {
    const uint8_t *data;
    size_t size;
} builtin[] = {
    {builtin_002, sizeof builtin_002}, {builtin_013, sizeof builtin_013},
    {builtin_016, sizeof builtin_016}, {builtin_031, sizeof builtin_031},
    {builtin_035, sizeof builtin_035},
};

#define CORPUS_MAX_BLOBS 100000u
#define CORPUS_MAX_BLOB_SIZE (1u << 20)
#define CORPUS_ALIGN 64u

struct corpus {
    uint8_t *arena; /* every blob at a 64-byte aligned offset */
    size_t arena_len, arena_cap;
    size_t *off, *len;
    size_t n, cap;
    size_t max_len;
    const uint8_t **ptr; /* filled once loading is done */
};

static int corpus_add(struct corpus *c, const void *data, size_t size)
{
    if (c->n == c->cap) {
        size_t nc = c->cap ? c->cap * 2 : 64;
        size_t *o = realloc(c->off, nc * sizeof *o);
        if (!o)
            return -1;
        c->off = o;
        size_t *l = realloc(c->len, nc * sizeof *l);
        if (!l)
            return -1;
        c->len = l;
        c->cap = nc;
    }
    size_t at = (c->arena_len + CORPUS_ALIGN - 1) / CORPUS_ALIGN * CORPUS_ALIGN;
    if (at + size > c->arena_cap) {
        size_t nc = c->arena_cap ? c->arena_cap : 65536;
        while (nc < at + size)
            nc *= 2;
        uint8_t *a = realloc(c->arena, nc);
        if (!a)
            return -1;
        c->arena = a;
        c->arena_cap = nc;
    }
    if (size)
        memcpy(c->arena + at, data, size);
    c->off[c->n] = at;
    c->len[c->n] = size;
    c->n++;
    c->arena_len = at + size;
    if (size > c->max_len)
        c->max_len = size;
    return 0;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every DIR/(*.bin) in name order.  Returns the number of blobs or -1. */
static long corpus_load_dir(struct corpus *c, const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        return -1;
    char **names = NULL;
    size_t nn = 0, cap = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL && nn < CORPUS_MAX_BLOBS) {
        size_t l = strlen(e->d_name);
        if (l <= 4 || strcmp(e->d_name + l - 4, ".bin") != 0)
            continue;
        if (nn == cap) {
            cap = cap ? cap * 2 : 64;
            char **nb = realloc(names, cap * sizeof *nb);
            if (!nb)
                break;
            names = nb;
        }
        if ((names[nn] = strdup(e->d_name)) != NULL)
            nn++;
    }
    closedir(d);
    if (nn)
        qsort(names, nn, sizeof *names, cmp_str);
    long added = 0;
    uint8_t *buf = malloc(CORPUS_MAX_BLOB_SIZE);
    for (size_t i = 0; i < nn && buf; i++) {
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        FILE *f = fopen(path, "rb");
        if (!f)
            continue;
        size_t got = fread(buf, 1, CORPUS_MAX_BLOB_SIZE, f);
        int more = fgetc(f) != EOF;
        fclose(f);
        if (more) {
            fprintf(stderr, "dcs-bench: %s: larger than %u bytes, skipped\n", path,
                    CORPUS_MAX_BLOB_SIZE);
            continue;
        }
        if (corpus_add(c, buf, got) == 0)
            added++;
    }
    free(buf);
    for (size_t i = 0; i < nn; i++)
        free(names[i]);
    free(names);
    return added;
}

static void corpus_free(struct corpus *c)
{
    free(c->arena);
    free(c->off);
    free(c->len);
    free(c->ptr);
    memset(c, 0, sizeof *c);
}

/* ---- kernels -------------------------------------------------------------------- */

enum kernel { K_DECODE, K_DECODE_TEXT, K_ENCODE, K_MEMCPY, K_COUNT_ };
static const char *const kernel_names[K_COUNT_] = {"decode", "decode_text", "encode", "memcpy"};

struct job {
    const struct corpus *c;
    const size_t *idx;      /* which blobs */
    size_t m;               /* how many */
    const struct dcs_blob *models; /* decoded, per blob of the corpus */
    uint8_t *out;           /* c->max_len bytes */
};

/* One pass of iters x m operations; returns the elapsed nanoseconds. */
static uint64_t run_kernel(enum kernel k, const struct job *j, uint64_t iters)
{
    const struct corpus *c = j->c;
    struct dcs_blob b;
    struct dcs_error err;
    size_t written;
    unsigned bad = 0;
    uint64_t t0 = bench_now_ns();
    for (uint64_t it = 0; it < iters; it++) {
        for (size_t x = 0; x < j->m; x++) {
            size_t i = j->idx[x];
            switch (k) {
            case K_DECODE:
                bad |= dcs_blob_decode(c->ptr[i], c->len[i], DCS_DECODE_LENIENT, &b, &err);
                bench_use(&b);
                break;
            case K_DECODE_TEXT:
                bad |= dcs_blob_decode(c->ptr[i], c->len[i],
                                       DCS_DECODE_LENIENT | DCS_DECODE_CHECK_TEXT, &b, &err);
                bench_use(&b);
                break;
            case K_ENCODE:
                bad |= dcs_blob_encode(&j->models[i], j->out, c->max_len, &written, &err);
                bench_use(j->out);
                break;
            default:
                memcpy(j->out, c->ptr[i], c->len[i]);
                bench_use(j->out);
                break;
            }
        }
    }
    uint64_t t = bench_now_ns() - t0;
    if (bad)
        fprintf(stderr, "dcs-bench: %s failed during timing\n", kernel_names[k]);
    return t ? t : 1;
}

/* Iterations that make one pass last about target_ns. */
static uint64_t calibrate(enum kernel k, const struct job *j, uint64_t target_ns)
{
    uint64_t iters = 1, t;
    while ((t = run_kernel(k, j, iters)) < target_ns / 8 && iters < (UINT64_C(1) << 40))
        iters *= 2;
    uint64_t scaled = (uint64_t)((double)iters * (double)target_ns / (double)t);
    return scaled ? scaled : 1;
}

/* Best-of-rounds ns per operation for every kernel, rounds interleaved so
 * that clock-frequency drift hits all three alike. */
static void measure(const struct job *j, unsigned rounds, uint64_t target_ns,
                    double ns_per_op[K_COUNT_])
{
    uint64_t iters[K_COUNT_];
    double best[K_COUNT_];
    for (int k = 0; k < K_COUNT_; k++) {
        iters[k] = calibrate((enum kernel)k, j, target_ns);
        best[k] = -1;
    }
    for (unsigned r = 0; r < rounds; r++) {
        for (int k = 0; k < K_COUNT_; k++) {
            double per = (double)run_kernel((enum kernel)k, j, iters[k]) /
                         ((double)iters[k] * (double)j->m);
            if (best[k] < 0 || per < best[k])
                best[k] = per;
        }
    }
    for (int k = 0; k < K_COUNT_; k++)
        ns_per_op[k] = best[k];
}

/* ---- the blob group --------------------------------------------------------------- */

static void blob_usage(FILE *out)
{
    fprintf(out,
            "usage: dcs-bench blob [--rounds N] [--ms N] [DIR]\n"
            "\n"
            "Time lenient decode, encode and memcpy per blob over DIR/*.bin (default:\n"
            "%s; built-in fixtures when that is missing).\n"
            "Prints NAME VALUE lines; each time is the best of N rounds (default 15)\n"
            "of about --ms milliseconds (default 10).\n",
#ifdef DCS_BENCH_CORPUS_DIR
            DCS_BENCH_CORPUS_DIR
#else
            "none built in"
#endif
    );
}

/* Options of `dcs-bench blob`: 0 to go on, else the exit code (+1). */
static int blob_args(int argc, char **argv, unsigned *rounds, unsigned *ms, const char **dir)
{
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            blob_usage(stdout);
            return 1;
        } else if ((strcmp(a, "--rounds") == 0 || strcmp(a, "--ms") == 0) && i + 1 < argc) {
            char *end;
            unsigned long v = strtoul(argv[++i], &end, 10);
            if (*end || v == 0 || v > 10000) {
                fprintf(stderr, "dcs-bench: %s wants a number from 1 to 10000\n", a);
                return 3;
            }
            *(a[2] == 'r' ? rounds : ms) = (unsigned)v;
        } else if (a[0] == '-' || *dir) {
            blob_usage(stderr);
            return 3;
        } else {
            *dir = a;
        }
    }
    return 0;
}

/* Fill c from dir (or the built-in corpus); *from names where it came from.
 * Returns -1 when a directory the user named cannot be read. */
static int blob_corpus(struct corpus *c, const char *dir, const char **from)
{
    memset(c, 0, sizeof *c);
    *from = dir;
#ifdef DCS_BENCH_CORPUS_DIR
    if (!*from)
        *from = DCS_BENCH_CORPUS_DIR;
#endif
    long got = *from ? corpus_load_dir(c, *from) : -1;
    if (got < 0 && dir) {
        fprintf(stderr, "dcs-bench: %s: cannot read the directory\n", dir);
        return -1;
    }
    if (got <= 0) {
        fprintf(stderr, "dcs-bench: no corpus%s%s; using %zu built-in fixtures\n",
                *from ? " in " : "", *from ? *from : "", sizeof builtin / sizeof builtin[0]);
        *from = "built-in";
        for (size_t i = 0; i < sizeof builtin / sizeof builtin[0]; i++)
            if (corpus_add(c, builtin[i].data, builtin[i].size) != 0)
                break;
    }
    return 0;
}

static void blob_report(struct job *j, size_t bytes, size_t *typical, size_t ntyp,
                        unsigned rounds, uint64_t target, const char *from)
{
    double t[K_COUNT_], tt[K_COUNT_];
    measure(j, rounds, target, t);
    bench_print("blob.corpus.blobs", (double)j->m);
    bench_print("blob.corpus.bytes_per_blob", (double)bytes / (double)j->m);
    bench_print("blob.decode.ns_per_op", t[K_DECODE]);
    bench_print("blob.encode.ns_per_op", t[K_ENCODE]);
    bench_print("blob.memcpy.ns_per_op", t[K_MEMCPY]);
    bench_print("blob.decode_text.ns_per_op", t[K_DECODE_TEXT]);
    bench_print("blob.decode.vs_memcpy", t[K_DECODE] / t[K_MEMCPY]);
    bench_print("blob.decode_text.vs_memcpy", t[K_DECODE_TEXT] / t[K_MEMCPY]);
    bench_print("blob.encode.vs_memcpy", t[K_ENCODE] / t[K_MEMCPY]);
    if (!ntyp) {
        fprintf(stderr, "dcs-bench: no 100..200-byte blob in %s: no .typical figures\n", from);
        return;
    }
    j->idx = typical;
    j->m = ntyp;
    measure(j, rounds, target, tt);
    bench_print("blob.typical.blobs", (double)ntyp);
    bench_print("blob.decode.ns_per_op.typical", tt[K_DECODE]);
    bench_print("blob.decode_text.ns_per_op.typical", tt[K_DECODE_TEXT]);
    bench_print("blob.encode.ns_per_op.typical", tt[K_ENCODE]);
    bench_print("blob.memcpy.ns_per_op.typical", tt[K_MEMCPY]);
    bench_print("blob.decode.vs_memcpy.typical", tt[K_DECODE] / tt[K_MEMCPY]);
}

int bench_blob(int argc, char **argv)
{
    unsigned rounds = 15, ms = 10;
    const char *dir = NULL, *from;
    int arc = blob_args(argc, argv, &rounds, &ms, &dir);
    if (arc)
        return arc - 1;
    struct corpus c;
    if (blob_corpus(&c, dir, &from) != 0)
        return 1;

    /* Decode everything once; time only what decodes (encode needs a model). */
    c.ptr = calloc(c.n ? c.n : 1, sizeof *c.ptr);
    struct dcs_blob *models = calloc(c.n ? c.n : 1, sizeof *models);
    size_t *all = calloc(c.n ? c.n : 1, sizeof *all), *typical = calloc(c.n ? c.n : 1, sizeof *all);
    uint8_t *out = malloc(c.max_len ? c.max_len : 1);
    if (!c.ptr || !models || !all || !typical || !out) {
        fprintf(stderr, "dcs-bench: out of memory\n");
        return 1;
    }
    size_t nall = 0, ntyp = 0, bytes = 0, rejected = 0;
    for (size_t i = 0; i < c.n; i++) {
        struct dcs_error err;
        c.ptr[i] = c.arena + c.off[i];
        if (dcs_blob_decode(c.ptr[i], c.len[i], DCS_DECODE_LENIENT, &models[i], &err) != DCS_OK) {
            rejected++;
            continue;
        }
        all[nall++] = i;
        bytes += c.len[i];
        if (c.len[i] >= 100 && c.len[i] <= 200)
            typical[ntyp++] = i;
    }
    if (rejected)
        fprintf(stderr, "dcs-bench: %zu blob(s) in %s do not decode; left out\n", rejected, from);
    int rc = 0;
    if (nall == 0) {
        fprintf(stderr, "dcs-bench: no decodable blob in %s\n", from);
        rc = 1;
    } else {
        struct job j = {&c, all, nall, models, out};
        blob_report(&j, bytes, typical, ntyp, rounds, (uint64_t)ms * 1000000u, from);
    }
    free(out);
    free(typical);
    free(all);
    free(models);
    corpus_free(&c);
    return rc;
}

/* ---- groups -------------------------------------------------------------------------- */

static const struct group {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *summary;
} groups[] = {
    {"blob", bench_blob, "decode/encode of proxy blobs against memcpy"},
    {"reg", bench_reg, "parse and convert a large .reg against a plain read-and-scan (FILE)"},
    {"hive", bench_hive, "dcs reg import vs hivexregedit/reged, dcs apply on a 3-hive image"},
    {"recover", bench_recover, "replay a full log over a 100 MiB dirty hive (both formats)"},
    {"route", bench_route, "route 100,000 URLs against one setting, against strlen+memchr"},
    {"apply", bench_apply, "dcs apply on a 3-hive image, changing and in step, against read/fsync"},
};
#define NGROUPS (sizeof groups / sizeof groups[0])

static void usage(FILE *out)
{
    fprintf(out, "usage: dcs-bench [GROUP [ARGS]]\n\n"
                 "Run one benchmark group (all of them when none is named) and print\n"
                 "NAME VALUE lines.  'dcs-bench GROUP --help' shows a group's options.\n\n"
                 "groups:\n");
    for (size_t i = 0; i < NGROUPS; i++)
        fprintf(out, "  %-6s %s\n", groups[i].name, groups[i].summary);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        int rc = 0;
        for (size_t i = 0; i < NGROUPS; i++) {
            char *args[] = {(char *)groups[i].name, NULL};
            int r = groups[i].run(1, args);
            if (r > rc)
                rc = r;
        }
        return rc;
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        usage(stdout);
        return 0;
    }
    for (size_t i = 0; i < NGROUPS; i++)
        if (strcmp(argv[1], groups[i].name) == 0)
            return groups[i].run(argc - 1, argv + 1);
    fprintf(stderr, "dcs-bench: unknown group '%s'\n", argv[1]);
    usage(stderr);
    return 2;
}
