/* Benchmark of the transaction-log replay (dcs/recover.h; not a test).
 *
 *   dcs-bench recover [--mb N] [--runs N] [--hive FILE] [--write DIR]
 *
 * Builds in memory a dirty hive of N MiB of hive bins (default 100) and a
 * full log for it: a new-format .LOG1 whose entries rewrite every 4 KiB
 * page (1 MiB of pages per entry, one reference per page, as Windows
 * writes scattered pages), and an old-format .LOG1 whose dirty vector marks
 * every page.  Times the replay into a ready buffer and through the
 * allocating call, median of --runs, against the same-run baseline of
 * copying the primary and the log once (memcpy).  --hive FILE times
 * dcs_recover_file on a real hive and the logs beside it instead; --write
 * DIR saves the generated hive as DIR/BIG with its new-format DIR/BIG.LOG1
 * (for timing `dcs hive recover DIR/BIG -o OUT` end to end). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include <dcs/hive.h>
#include <dcs/recover.h>

#include "bench.h"

uint64_t dcsi_marvin32_hive(const uint8_t *data, size_t len); /* libdcs internal */

#define PAGE 4096u
#define BIN (1024u * 1024u)
#define PAGES_PER_ENTRY 256u

static void put32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static void put64(uint8_t *p, uint64_t v)
{
    put32(p, (uint32_t)v);
    put32(p + 4, (uint32_t)(v >> 32));
}

/* A dirty primary (seq 11/10) of `bins` 1 MiB hive bins, each one free cell. */
static uint8_t *make_primary(uint32_t bins, size_t *len)
{
    *len = 4096 + (size_t)bins * BIN;
    uint8_t *p = calloc(1, *len);
    if (!p)
        return NULL;
    memcpy(p, "regf", 4);
    put32(p + 4, 11);
    put32(p + 8, 10);
    put32(p + 0x14, 1);
    put32(p + 0x18, 5);
    put32(p + 0x20, 1);
    put32(p + 0x24, 0x20);
    put32(p + 0x28, bins * BIN);
    put32(p + 0x2C, 1);
    put32(p + DCS_HIVE_CHECKSUM_OFFSET, dcs_hive_checksum(p));
    for (uint32_t b = 0; b < bins; b++) {
        uint8_t *h = p + 4096 + (size_t)b * BIN;
        memcpy(h, "hbin", 4);
        put32(h + 4, b * BIN);
        put32(h + 8, BIN);
        put32(h + 32, BIN - 32); /* one free cell */
    }
    return p;
}

/* New-format log: header (seq 10) + entries 10, 11, ... rewriting every page. */
static uint8_t *make_new_log(const uint8_t *primary, uint32_t bins, size_t *len)
{
    uint32_t pages = bins * (BIN / PAGE), entries = pages / PAGES_PER_ENTRY;
    size_t esize = (40 + 8 * PAGES_PER_ENTRY + (size_t)PAGES_PER_ENTRY * PAGE + 4095) / 4096 * 4096;
    *len = 512 + (size_t)entries * esize;
    uint8_t *l = calloc(1, *len);
    if (!l)
        return NULL;
    memcpy(l, primary, 512);
    put32(l + 4, 10);
    put32(l + 8, 10);
    put32(l + 0x1C, DCS_HIVE_TYPE_LOG_NEW);
    put32(l + DCS_HIVE_CHECKSUM_OFFSET, dcs_hive_checksum(l));
    for (uint32_t e = 0; e < entries; e++) {
        uint8_t *d = l + 512 + (size_t)e * esize;
        memcpy(d, "HvLE", 4);
        put32(d + 4, (uint32_t)esize);
        put32(d + 12, 10 + e);
        put32(d + 16, bins * BIN);
        put32(d + 20, PAGES_PER_ENTRY);
        uint8_t *data = d + 40 + 8 * PAGES_PER_ENTRY;
        for (uint32_t i = 0; i < PAGES_PER_ENTRY; i++) {
            uint32_t off = (e * PAGES_PER_ENTRY + i) * PAGE;
            put32(d + 40 + 8 * i, off);
            put32(d + 44 + 8 * i, PAGE);
            memcpy(data + (size_t)i * PAGE, primary + 4096 + off, PAGE);
        }
        put64(d + 24, dcsi_marvin32_hive(d + 40, esize - 40));
        put64(d + 32, dcsi_marvin32_hive(d, 32));
    }
    return l;
}

/* Old-format log: header (seq 11, the primary's timestamp), DIRT, all set. */
static uint8_t *make_old_log(const uint8_t *primary, uint32_t bins, size_t *len)
{
    size_t hbins = (size_t)bins * BIN, bitmap = hbins / 4096;
    size_t pages_at = (516 + bitmap + 511) / 512 * 512;
    *len = pages_at + hbins;
    uint8_t *l = calloc(1, *len);
    if (!l)
        return NULL;
    memcpy(l, primary, 512);
    put32(l + 4, 11);
    put32(l + 8, 11);
    put32(l + 0x1C, DCS_HIVE_TYPE_LOG_OLD1);
    put32(l + DCS_HIVE_CHECKSUM_OFFSET, dcs_hive_checksum(l));
    memcpy(l + 512, "DIRT", 4);
    memset(l + 516, 0xFF, bitmap);
    memcpy(l + pages_at, primary + 4096, hbins);
    return l;
}

static int save(const char *dir, const char *name, const uint8_t *d, size_t len)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    int ok = f && fwrite(d, 1, len, f) == len;
    if (f && fclose(f) != 0)
        ok = 0;
    if (!ok)
        fprintf(stderr, "bench recover: cannot write %s\n", path);
    return ok ? 0 : 1;
}

/* CPU time (user + system) of this process so far, in ms: on a shared
 * machine it says what the work costs when wall time includes waiting. */
static double cpu_ms(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1e3 +
           (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e3;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* Median milliseconds of `runs` replays (buffer given, or allocated). */
static double time_replay(const struct dcs_recover_input *in, uint8_t *buf, size_t cap,
                          int runs, uint32_t *entries, double *cpu)
{
    double ms[64], cms[64];
    runs = runs < 1 ? 1 : runs > 64 ? 64 : runs;
    for (int r = 0; r < runs; r++) {
        struct dcs_recover_report rep;
        struct dcs_error err;
        uint8_t *out = buf;
        size_t len;
        double c0 = cpu_ms();
        uint64_t t0 = bench_now_ns();
        dcs_status st = buf ? dcs_recover_buffers(in, buf, cap, &len, &rep, &err)
                            : dcs_recover_buffers_alloc(in, &out, &len, &rep, &err);
        uint64_t t1 = bench_now_ns();
        cms[r] = cpu_ms() - c0;
        if (st != DCS_OK || rep.state != DCS_RECOVER_RECOVERED) {
            fprintf(stderr, "bench recover: replay failed: %s\n", err.message);
            return -1;
        }
        bench_use(out);
        *entries = rep.entries_applied;
        if (!buf)
            free(out);
        ms[r] = (double)(t1 - t0) / 1e6;
    }
    qsort(ms, (size_t)runs, sizeof ms[0], cmp_double);
    qsort(cms, (size_t)runs, sizeof cms[0], cmp_double);
    *cpu = cms[runs / 2];
    return ms[runs / 2];
}

static int bench_file(const char *path, int runs)
{
    double best = -1, best_cpu = -1;
    for (int r = 0; r < runs; r++) {
        struct dcs_recover_report *rep = malloc(sizeof *rep);
        struct dcs_error err;
        uint8_t *out;
        size_t len;
        if (!rep)
            return 1;
        double c0 = cpu_ms();
        uint64_t t0 = bench_now_ns();
        dcs_status st = dcs_recover_file(path, &out, &len, rep, &err);
        double ms = (double)(bench_now_ns() - t0) / 1e6, cpu = cpu_ms() - c0;
        if (st != DCS_OK) {
            fprintf(stderr, "bench recover: %s: %s\n", path, err.message);
            free(rep);
            return 1;
        }
        fprintf(stderr, "recover: %s: %s, %u entries, %zu bytes\n", path,
                dcs_recover_state_name(rep->state), rep->entries_applied, len);
        free(out);
        free(rep);
        best = best < 0 || ms < best ? ms : best;
        best_cpu = best_cpu < 0 || cpu < best_cpu ? cpu : best_cpu;
    }
    bench_print("recover.file_ms", best);
    bench_print("recover.file_cpu_ms", best_cpu);
    return 0;
}

static int bench_format(const char *name, const struct dcs_recover_input *in, uint8_t *buf,
                        size_t cap, int runs)
{
    uint32_t entries = 0;
    char label[64];
    double into_cpu, alloc_cpu;
    double into = time_replay(in, buf, cap, runs, &entries, &into_cpu);
    double alloc = time_replay(in, NULL, 0, runs, &entries, &alloc_cpu);
    /* baseline: copying the primary and the log once, in this run */
    uint64_t t0 = bench_now_ns();
    memcpy(buf, in->primary, in->primary_len);
    bench_use(buf);
    for (size_t off = 0; off < in->log_len[1]; off += cap) {
        size_t n = in->log_len[1] - off < cap ? in->log_len[1] - off : cap;
        memcpy(buf, in->log[1] + off, n);
        bench_use(buf);
    }
    double base = (double)(bench_now_ns() - t0) / 1e6;
    if (into < 0 || alloc < 0)
        return 1;
    snprintf(label, sizeof label, "recover.%s_ms", name);
    bench_print(label, into);
    snprintf(label, sizeof label, "recover.%s_alloc_ms", name);
    bench_print(label, alloc);
    snprintf(label, sizeof label, "recover.%s_cpu_ms", name);
    bench_print(label, into_cpu);
    snprintf(label, sizeof label, "recover.%s_alloc_cpu_ms", name);
    bench_print(label, alloc_cpu);
    snprintf(label, sizeof label, "recover.%s_memcpy_ms", name);
    bench_print(label, base);
    snprintf(label, sizeof label, "recover.%s_vs_memcpy", name);
    bench_print(label, base > 0 ? into / base : 0);
    fprintf(stderr, "recover: %s format, %u %s, %.1f MiB primary + %.1f MiB log\n", name,
            entries, *name == 'n' ? "entries" : "pages", in->primary_len / 1048576.0,
            in->log_len[1] / 1048576.0);
    return 0;
}

int bench_recover(int argc, char **argv)
{
    uint32_t mb = 100;
    int runs = 5;
    const char *hive = NULL, *write_dir = NULL;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--mb") == 0 && i + 1 < argc)
            mb = (uint32_t)strtoul(argv[++i], NULL, 10);
        else if (strcmp(argv[i], "--runs") == 0 && i + 1 < argc)
            runs = atoi(argv[++i]);
        else if (strcmp(argv[i], "--hive") == 0 && i + 1 < argc)
            hive = argv[++i];
        else if (strcmp(argv[i], "--write") == 0 && i + 1 < argc)
            write_dir = argv[++i];
        else {
            fprintf(stderr, "usage: dcs-bench recover [--mb N] [--runs N] [--hive FILE] "
                            "[--write DIR]\n");
            return 2;
        }
    }
    if (hive)
        return bench_file(hive, runs);
    if (mb < 1 || mb > 1024) {
        fprintf(stderr, "bench recover: --mb from 1 to 1024\n");
        return 2;
    }
    size_t plen, nlen, olen;
    uint8_t *primary = make_primary(mb, &plen);
    uint8_t *newlog = primary ? make_new_log(primary, mb, &nlen) : NULL;
    uint8_t *oldlog = primary ? make_old_log(primary, mb, &olen) : NULL;
    uint8_t *buf = malloc(plen);
    int rc = 1;
    if (write_dir && primary && newlog && oldlog && buf) {
        rc = save(write_dir, "BIG", primary, plen) | save(write_dir, "BIG.LOG1", newlog, nlen);
    } else if (primary && newlog && oldlog && buf) {
        struct dcs_recover_input in = {primary, plen, {NULL, newlog, NULL}, {0, nlen, 0}};
        rc = bench_format("new", &in, buf, plen, runs);
        in.log[1] = oldlog;
        in.log_len[1] = olen;
        rc |= bench_format("old", &in, buf, plen, runs);
    }
    free(primary);
    free(newlog);
    free(oldlog);
    free(buf);
    return rc;
}
