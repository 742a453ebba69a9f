/* dcs-bench reg FILE [--repeat N] [--out DIR]: .reg parse and convert speed.
 *
 * Prints NAME VALUE lines:
 *   reg.parse.MBps      reader over the file's bytes in memory (256 KiB chunks)
 *   reg.scan.MBps       a plain scan of the same bytes (counting LF) in the same run
 *   reg.parse.vs_scan   parse speed / scan speed
 *   reg.convert.MBps    `dcs reg convert FILE -o DIR/out.reg` end to end (read
 *                       the file, parse, model or stream, write, fsync, rename)
 *   reg.peak_rss_MB     peak resident memory of that conversion (own process)
 * plus the same speeds from wall-clock time as *.wall_MBps.  The speeds use
 * the best of N runs of CPU time (user + system) of the work being timed, so
 * that other processes on a shared machine do not distort them; on an idle
 * machine wall and CPU time agree.  MB = 10^6 bytes. */
#include "bench_reg.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <dcs/regconv.h>
#include <dcs/regio.h>
#include <dcs/regread.h>

struct clock2 {
    double wall, cpu;
};

static struct clock2 now2(void)
{
    struct timespec w, c;
    clock_gettime(CLOCK_MONOTONIC, &w);
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &c);
    return (struct clock2){(double)w.tv_sec + w.tv_nsec / 1e9, (double)c.tv_sec + c.tv_nsec / 1e9};
}

static int parse_mem(const uint8_t *data, size_t len, uint64_t *ops)
{
    struct dcs_reg_reader *r;
    struct dcs_reg_source *src;
    struct dcs_error err;
    if (dcs_reg_source_open_mem(data, len, 256 * 1024, &src, &err))
        return -1;
    if (dcs_reg_reader_new(NULL, &r, &err)) {
        dcs_reg_source_close(src);
        return -1;
    }
    *ops = 0;
    dcs_status st;
    for (;;) {
        struct dcs_reg_op op;
        st = dcs_reg_source_next(src, r, &op, &err);
        if (st || op.kind == DCS_REG_OP_END)
            break;
        (*ops)++;
    }
    dcs_reg_reader_free(r);
    dcs_reg_source_close(src);
    if (st)
        fprintf(stderr, "bench reg: parse failed: %s\n", err.message);
    return st ? -1 : 0;
}

static size_t scan_mem(const uint8_t *data, size_t len)
{
    size_t n = 0;
    for (size_t i = 0; i < len; i++)
        n += data[i] == '\n';
    return n;
}

static int convert_file(const char *in, const char *out)
{
    struct dcs_error err;
    struct dcs_reg_source *src;
    struct dcs_reg_sink *sink;
    if (dcs_reg_source_open(in, 0, &src, &err))
        goto fail;
    if (dcs_reg_sink_open(out, false, &sink, &err)) {
        dcs_reg_source_close(src);
        goto fail;
    }
    struct dcs_reg_output o = {dcs_reg_sink_write, dcs_reg_sink_rewind, sink};
    dcs_status st = dcs_reg_convert(src, &o, NULL, NULL, &err);
    dcs_reg_source_close(src);
    if (st) {
        dcs_reg_sink_close(sink);
        goto fail;
    }
    if (dcs_reg_sink_commit(sink, false, &err))
        goto fail;
    return 0;
fail:
    fprintf(stderr, "bench reg: convert failed: %s\n", err.message);
    return -1;
}

/* Convert in a child process: its own CPU time and peak RSS. */
static int convert_child(const char *in, const char *out, double *cpu, double *wall, double *rss_mb)
{
    struct clock2 t0 = now2();
    pid_t pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0)
        _exit(convert_file(in, out) ? 1 : 0);
    int status;
    struct rusage ru;
    if (wait4(pid, &status, 0, &ru) != pid || !WIFEXITED(status) || WEXITSTATUS(status))
        return -1;
    *wall = now2().wall - t0.wall;
    *cpu = (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 + (double)ru.ru_stime.tv_sec +
           ru.ru_stime.tv_usec / 1e6;
    *rss_mb = (double)ru.ru_maxrss / 1024.0;
    return 0;
}

/* The whole of `file` in memory (the benchmark times parsing, not reading). */
static uint8_t *read_input(const char *file, long *size)
{
    FILE *f = fopen(file, "rb");
    if (!f || fseek(f, 0, SEEK_END) != 0) {
        perror(file);
        if (f)
            fclose(f);
        return NULL;
    }
    long sz = ftell(f);
    rewind(f);
    uint8_t *data = malloc(sz > 0 ? (size_t)sz : 1);
    if (!data || sz < 0 || fread(data, 1, (size_t)sz, f) != (size_t)sz) {
        fprintf(stderr, "bench reg: cannot read %s\n", file);
        fclose(f);
        free(data);
        return NULL;
    }
    fclose(f);
    *size = sz;
    return data;
}

int bench_reg(int argc, char **argv)
{
    const char *file = NULL, *dir = getenv("TMPDIR");
    int repeat = 3;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--repeat") == 0 && i + 1 < argc)
            repeat = atoi(argv[++i]);
        else if (strcmp(argv[i], "--out") == 0 && i + 1 < argc)
            dir = argv[++i];
        else if (!file)
            file = argv[i];
        else {
            fprintf(stderr, "usage: dcs-bench reg FILE [--repeat N] [--out DIR]\n");
            return 2;
        }
    }
    if (!file || repeat < 1) {
        fprintf(stderr, "usage: dcs-bench reg FILE [--repeat N] [--out DIR]\n");
        return 2;
    }
    long sz;
    uint8_t *data = read_input(file, &sz);
    if (!data)
        return 1;
    double mb = (double)sz / 1e6;
    double parse_cpu = 1e30, parse_wall = 1e30, scan_cpu = 1e30, scan_wall = 1e30;
    double conv_cpu = 1e30, conv_wall = 1e30, rss = 0;
    uint64_t ops = 0;
    volatile size_t sink_lines = 0;
    for (int k = 0; k < repeat; k++) {
        struct clock2 a = now2();
        sink_lines = scan_mem(data, (size_t)sz);
        struct clock2 b = now2();
        if (parse_mem(data, (size_t)sz, &ops)) {
            free(data);
            return 1;
        }
        struct clock2 c = now2();
        scan_cpu = b.cpu - a.cpu < scan_cpu ? b.cpu - a.cpu : scan_cpu;
        scan_wall = b.wall - a.wall < scan_wall ? b.wall - a.wall : scan_wall;
        parse_cpu = c.cpu - b.cpu < parse_cpu ? c.cpu - b.cpu : parse_cpu;
        parse_wall = c.wall - b.wall < parse_wall ? c.wall - b.wall : parse_wall;
    }
    (void)sink_lines;
    free(data);
    char out[4096];
    snprintf(out, sizeof out, "%s/dcs-bench-reg-%ld.reg", dir ? dir : "/tmp", (long)getpid());
    for (int k = 0; k < repeat; k++) {
        double cpu, wall, r;
        if (convert_child(file, out, &cpu, &wall, &r)) {
            fprintf(stderr, "bench reg: convert run failed\n");
            unlink(out);
            return 1;
        }
        conv_cpu = cpu < conv_cpu ? cpu : conv_cpu;
        conv_wall = wall < conv_wall ? wall : conv_wall;
        rss = r > rss ? r : rss;
    }
    unlink(out);
    printf("reg.file.MB %.1f\n", mb);
    printf("reg.parse.ops %llu\n", (unsigned long long)ops);
    printf("reg.parse.MBps %.0f\n", mb / parse_cpu);
    printf("reg.scan.MBps %.0f\n", mb / scan_cpu);
    printf("reg.parse.vs_scan %.3f\n", (mb / parse_cpu) / (mb / scan_cpu));
    printf("reg.convert.MBps %.0f\n", mb / conv_cpu);
    printf("reg.peak_rss_MB %.1f\n", rss);
    printf("reg.parse.wall_MBps %.0f\n", mb / parse_wall);
    printf("reg.scan.wall_MBps %.0f\n", mb / scan_wall);
    printf("reg.convert.wall_MBps %.0f\n", mb / conv_wall);
    return 0;
}
