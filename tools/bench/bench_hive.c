/* Benchmark of the hive room (not a test):
 *  1. `dcs reg import` of a gen-reg.py file (100,000 keys by default) into an
 *     empty hive, against `hivexregedit --merge` on the same input and
 *     `reged -I` on a smaller one (reged is quadratic: ~10 min at 100k keys,
 *     spec/peers.md section 5), with wall time, peak RSS and hive size;
 *  2. `dcs apply` on a three-hive image (LocalSystem, LocalService,
 *     NetworkService): a run that rewrites all three hives and a run that
 *     finds them unchanged, median of several;
 *  3. scale: one key with N and 4N values, one key with N and 4N subkeys
 *     (defaults 250,000 / 50,000), imported into an empty hive: time, the
 *     4N / N time ratio (goal <= 5) and the hive's size against the bytes
 *     its allocated cells need (goal <= 1.25).
 * Every tool runs as a child process, timed with CLOCK_MONOTONIC; peak RSS
 * from wait4(). */
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bench_hive.h"

extern char **environ;

struct run_result {
    double seconds;
    double cpu; /* user + system */
    long max_rss_kib;
    int status; /* exit code, or 128 + signal */
};

/* Run argv with stdout/stderr sent to out_path (NULL: /dev/null). */
static int run(char *const argv[], const char *out_path, struct run_result *r)
{
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    const char *out = out_path ? out_path : "/dev/null";
    posix_spawn_file_actions_addopen(&fa, 1, out, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
    struct timespec a, b;
    clock_gettime(CLOCK_MONOTONIC, &a);
    pid_t pid;
    int rc = posix_spawnp(&pid, argv[0], &fa, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    if (rc != 0) {
        fprintf(stderr, "bench_hive: cannot run %s: %s\n", argv[0], strerror(rc));
        return -1;
    }
    int st;
    struct rusage ru;
    if (wait4(pid, &st, 0, &ru) < 0)
        return -1;
    clock_gettime(CLOCK_MONOTONIC, &b);
    r->seconds = (double)(b.tv_sec - a.tv_sec) + (double)(b.tv_nsec - a.tv_nsec) / 1e9;
    r->max_rss_kib = ru.ru_maxrss;
    r->cpu = (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
             (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
    r->status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
    return 0;
}

static int have(const char *prog)
{
    char *argv[] = {"sh", "-c", NULL, NULL};
    char cmd[300];
    snprintf(cmd, sizeof cmd, "command -v %s >/dev/null 2>&1", prog);
    argv[2] = cmd;
    struct run_result r;
    return run(argv, NULL, &r) == 0 && r.status == 0;
}

static long long file_size(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 ? (long long)st.st_size : -1;
}

static int copy(const char *src, const char *dst)
{
    char *argv[] = {"cp", (char *)src, (char *)dst, NULL};
    struct run_result r;
    if (run(argv, NULL, &r) != 0 || r.status != 0)
        return -1;
    return chmod(dst, 0644);
}

static void path(char *buf, size_t size, const char *dir, const char *name)
{
    int n = snprintf(buf, size, "%s/%s", dir, name);
    if (n < 0 || (size_t)n >= size) {
        fprintf(stderr, "bench_hive: path too long: %s/%s\n", dir, name);
        exit(1);
    }
}

static void report(const char *what, const struct run_result *r, long long size)
{
    printf("  %-34s %8.2f s (cpu %6.2f s) %8.1f MiB RSS", what, r->seconds, r->cpu,
           r->max_rss_kib / 1024.0);
    if (size >= 0)
        printf(" %8.1f MiB hive", size / 1048576.0);
    if (r->status)
        printf("  (exit %d)", r->status);
    putchar('\n');
}

struct opts {
    const char *dcs, *shared, *data, *work;
    long keys, reged_keys, scale_values, scale_keys;
    int skip_import, skip_apply, skip_scale, runs;
};

/* gen-reg.py --keys N --encoding ENC -o out */
static int gen_reg(const struct opts *o, long keys, const char *enc, const char *out)
{
    char script[1024], nkeys[32];
    path(script, sizeof script, o->shared, "tools/gen-reg.py");
    snprintf(nkeys, sizeof nkeys, "%ld", keys);
    char *argv[] = {"python3", script, "--keys", nkeys, "--encoding", (char *)enc,
                    "-o", (char *)out, NULL};
    struct run_result r;
    if (run(argv, NULL, &r) != 0 || r.status != 0) {
        fprintf(stderr, "bench_hive: %s failed\n", script);
        return -1;
    }
    return 0;
}

static int bench_import(const struct opts *o)
{
    char minimal[1024], big16[1024], big8[1024], small16[1024], hive[1024];
    path(minimal, sizeof minimal, o->data, "hivex-minimal");
    path(big16, sizeof big16, o->work, "big16.reg");
    path(big8, sizeof big8, o->work, "big8.reg");
    path(small16, sizeof small16, o->work, "small16.reg");
    printf("import of a gen-reg.py file into an empty hive (hivex-minimal):\n");
    if (gen_reg(o, o->keys, "utf16le", big16) != 0 || gen_reg(o, o->keys, "ascii", big8) != 0)
        return -1;
    printf("  input: %ld keys (+ %ld group keys), UTF-16LE %.1f MiB / ASCII %.1f MiB\n", o->keys,
           o->keys / 100, file_size(big16) / 1048576.0, file_size(big8) / 1048576.0);
    struct run_result r;
    char label[160];

    path(hive, sizeof hive, o->work, "dcs.hive");
    if (copy(minimal, hive) != 0)
        return -1;
    char *dcs_argv[] = {(char *)o->dcs, "reg", "import", "--hive", hive, "--prefix",
                        "HKEY_USERS\\.DEFAULT", big16, NULL};
    if (run(dcs_argv, NULL, &r) != 0)
        return -1;
    double dcs_s = r.seconds, dcs_cpu = r.cpu;
    long long dcs_size = file_size(hive);
    snprintf(label, sizeof label, "dcs reg import (UTF-16 input)");
    report(label, &r, dcs_size);

    double hx_s = 0, hx_cpu = 0;
    long long hx_size = -1;
    if (have("hivexregedit")) {
        path(hive, sizeof hive, o->work, "hivexregedit.hive");
        if (copy(minimal, hive) != 0)
            return -1;
        char *hx_argv[] = {"hivexregedit", "--merge", "--prefix", "HKEY_USERS\\.DEFAULT", hive,
                           big8, NULL};
        if (run(hx_argv, NULL, &r) != 0)
            return -1;
        hx_s = r.seconds;
        hx_cpu = r.cpu;
        hx_size = file_size(hive);
        report("hivexregedit --merge (ASCII input)", &r, hx_size);
    } else {
        printf("  hivexregedit: not installed (Debian libwin-hivex-perl)\n");
    }
    if (have("reged")) {
        if (gen_reg(o, o->reged_keys, "utf16le", small16) != 0)
            return -1;
        path(hive, sizeof hive, o->work, "reged.hive");
        if (copy(minimal, hive) != 0)
            return -1;
        char *rg_argv[] = {"reged", "-I", "-C", hive, "HKEY_USERS\\.DEFAULT", small16, NULL};
        if (run(rg_argv, NULL, &r) != 0)
            return -1;
        if (r.status == 2) /* reged: 2 = hive written */
            r.status = 0;
        snprintf(label, sizeof label, "reged -I (%ld keys only)", o->reged_keys);
        report(label, &r, file_size(hive));
        path(hive, sizeof hive, o->work, "dcs-small.hive");
        if (copy(minimal, hive) != 0)
            return -1;
        char *ds_argv[] = {(char *)o->dcs, "reg", "import", "--hive", hive, "--prefix",
                           "HKEY_USERS\\.DEFAULT", small16, NULL};
        if (run(ds_argv, NULL, &r) != 0)
            return -1;
        snprintf(label, sizeof label, "dcs reg import (%ld keys)", o->reged_keys);
        report(label, &r, file_size(hive));
    } else {
        printf("  reged: not installed (Debian chntpw)\n");
    }
    if (hx_s > 0)
        printf("  dcs vs hivexregedit: %.1fx faster wall, %.1fx cpu (goal >= 50x); hive %lld vs "
               "%lld bytes, %.3fx (goal <= 1)\n",
               hx_s / dcs_s, hx_cpu / dcs_cpu, dcs_size, hx_size,
               (double)dcs_size / (double)hx_size);
    return 0;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static int bench_apply(const struct opts *o)
{
    static const char *const dirs[] = {"img/Windows/System32/config",
                                       "img/Windows/ServiceProfiles/LocalService",
                                       "img/Windows/ServiceProfiles/NetworkService"};
    static const char *const files[][2] = {
        {"hivex-minimal", "img/Windows/System32/config/DEFAULT"},
        {"yarp-EmptyHive", "img/Windows/ServiceProfiles/LocalService/NTUSER.DAT"},
        {"ez-NTUSER1.DAT", "img/Windows/ServiceProfiles/NetworkService/NTUSER.DAT"},
    };
    char buf[1024], img[1024], backups[1024];
    for (size_t i = 0; i < 3; i++) {
        path(buf, sizeof buf, o->work, dirs[i]);
        char *argv[] = {"mkdir", "-p", buf, NULL};
        struct run_result r;
        if (run(argv, NULL, &r) != 0 || r.status)
            return -1;
    }
    for (size_t i = 0; i < 3; i++) {
        char src[1024];
        path(src, sizeof src, o->data, files[i][0]);
        path(buf, sizeof buf, o->work, files[i][1]);
        if (copy(src, buf) != 0)
            return -1;
    }
    path(img, sizeof img, o->work, "img");
    path(backups, sizeof backups, o->work, "backups");
    printf("dcs apply --all-services on a three-hive image (%d runs each, median):\n", o->runs);
    double *changed = calloc((size_t)o->runs, sizeof *changed);
    double *same = calloc((size_t)o->runs, sizeof *same);
    if (!changed || !same) {
        free(changed);
        free(same);
        return -1;
    }
    int bad = 0;
    for (int i = 0; i < o->runs && !bad; i++) {
        char proxy[64];
        snprintf(proxy, sizeof proxy, "proxy%d.example:3128", i);
        char *argv[] = {(char *)o->dcs, "apply", "--mode", "manual_proxy", "--proxy", proxy,
                        "--bypass", "<local>", "--windows", img, "--all-services",
                        "--backup-dir", backups, NULL};
        struct run_result r;
        bad |= run(argv, NULL, &r) != 0 || r.status != 0;
        changed[i] = r.seconds;
        bad |= run(argv, NULL, &r) != 0 || r.status != 0;
        same[i] = r.seconds;
    }
    if (!bad) {
        qsort(changed, (size_t)o->runs, sizeof *changed, cmp_double);
        qsort(same, (size_t)o->runs, sizeof *same, cmp_double);
        printf("  3 hives rewritten (backups included)   %7.1f ms  (min %.1f, max %.1f; goal < "
               "100 ms)\n",
               changed[o->runs / 2] * 1e3, changed[0] * 1e3, changed[o->runs - 1] * 1e3);
        printf("  3 hives already in step (no write)     %7.1f ms  (min %.1f, max %.1f)\n",
               same[o->runs / 2] * 1e3, same[0] * 1e3, same[o->runs - 1] * 1e3);
    } else {
        fprintf(stderr, "bench_hive: dcs apply failed\n");
    }
    free(changed);
    free(same);
    return bad ? -1 : 0;
}

/* Bytes of the allocated cells of a hive file (base block included): what
 * its content needs, against which the file size is judged. */
static long long cells_needed(const char *file)
{
    FILE *f = fopen(file, "rb");
    if (!f)
        return -1;
    long long need = 4096;
    unsigned char hdr[32];
    if (fseek(f, 4096, SEEK_SET) != 0) {
        fclose(f);
        return -1;
    }
    while (fread(hdr, 1, 32, f) == 32 && memcmp(hdr, "hbin", 4) == 0) {
        unsigned long size = hdr[8] | hdr[9] << 8 | (unsigned long)hdr[10] << 16 |
                             (unsigned long)hdr[11] << 24;
        unsigned char *bin = malloc(size);
        if (!bin || size < 32 || fread(bin, 1, size - 32, f) != size - 32) {
            free(bin);
            break;
        }
        for (unsigned long p = 0; p + 4 <= size - 32;) {
            int32_t c = (int32_t)((uint32_t)bin[p] | (uint32_t)bin[p + 1] << 8 |
                                  (uint32_t)bin[p + 2] << 16 | (uint32_t)bin[p + 3] << 24);
            uint32_t abs = c < 0 ? (uint32_t)-c : (uint32_t)c;
            if (abs < 8)
                break;
            if (c < 0)
                need += abs;
            p += abs;
        }
        need += 32; /* the bin header */
        free(bin);
    }
    fclose(f);
    return need;
}

/* One key with n values, or (subkeys) one key with n subkeys in a
 * scrambled order, as an ASCII .reg file. */
static int gen_scale(const char *out, long n, int subkeys)
{
    FILE *f = fopen(out, "w");
    if (!f)
        return -1;
    fprintf(f, "Windows Registry Editor Version 5.00\n\n[HKEY_USERS\\.DEFAULT\\Big]\n");
    for (long i = 0; i < n; i++) {
        if (subkeys)
            fprintf(f, "\n[HKEY_USERS\\.DEFAULT\\Big\\key%08ld]\n", (i * 7919) % n);
        else
            fprintf(f, "\"value%08ld\"=dword:%08lx\n", i, (unsigned long)i);
    }
    return fclose(f) == 0 ? 0 : -1;
}

static int scale_one(const struct opts *o, long n, int subkeys, struct run_result *r,
                     long long *size, long long *need)
{
    char reg[1024], hive[1024], minimal[1024];
    path(reg, sizeof reg, o->work, "scale.reg");
    path(hive, sizeof hive, o->work, "scale.hive");
    path(minimal, sizeof minimal, o->data, "hivex-minimal");
    if (gen_scale(reg, n, subkeys) != 0 || copy(minimal, hive) != 0)
        return -1;
    char *argv[] = {(char *)o->dcs, "reg", "import", "--hive", hive, "--prefix",
                    "HKEY_USERS\\.DEFAULT", reg, NULL};
    if (run(argv, NULL, r) != 0 || r->status != 0)
        return -1;
    *size = file_size(hive);
    *need = cells_needed(hive);
    return 0;
}

static int bench_scale(const struct opts *o)
{
    printf("one key with many values / subkeys, imported into an empty hive:\n");
    for (int subkeys = 0; subkeys < 2; subkeys++) {
        long n = subkeys ? o->scale_keys : o->scale_values;
        struct run_result r1, r4;
        long long s1, s4, n1, n4;
        if (scale_one(o, n, subkeys, &r1, &s1, &n1) != 0 ||
            scale_one(o, 4 * n, subkeys, &r4, &s4, &n4) != 0)
            return -1;
        const char *what = subkeys ? "subkeys" : "values";
        char label[160];
        snprintf(label, sizeof label, "%ld %s", n, what);
        report(label, &r1, s1);
        snprintf(label, sizeof label, "%ld %s", 4 * n, what);
        report(label, &r4, s4);
        printf("  4x the %s: %.2fx the time wall, %.2fx cpu (goal <= 5x, < 10 s); hive %.3fx "
               "the bytes its cells need (goal <= 1.25)\n",
               what, r4.seconds / r1.seconds, r4.cpu / r1.cpu, (double)s4 / (double)n4);
    }
    return 0;
}

int bench_hive(int argc, char **argv)
{
#ifdef DCS_BENCH_DCS_EXE
    struct opts o = {.dcs = DCS_BENCH_DCS_EXE, .keys = 100000, .reged_keys = 10000, .runs = 11,
                     .scale_values = 250000, .scale_keys = 50000};
#else
    struct opts o = {.dcs = "build/tools/dcs", .keys = 100000, .reged_keys = 10000, .runs = 11,
                     .scale_values = 250000, .scale_keys = 50000};
#endif
    const char *src_root = getenv("DCS_SOURCE_ROOT");
    o.shared = getenv("DCS_SHARED") ? getenv("DCS_SHARED") : "../shared";
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(a, "--dcs") == 0 && v) {
            o.dcs = v;
            i++;
        } else if (strcmp(a, "--shared") == 0 && v) {
            o.shared = v;
            i++;
        } else if (strcmp(a, "--keys") == 0 && v) {
            o.keys = atol(v);
            i++;
        } else if (strcmp(a, "--reged-keys") == 0 && v) {
            o.reged_keys = atol(v);
            i++;
        } else if (strcmp(a, "--runs") == 0 && v) {
            o.runs = atoi(v) > 0 ? atoi(v) : 1;
            i++;
        } else if (strcmp(a, "--skip-import") == 0) {
            o.skip_import = 1;
        } else if (strcmp(a, "--skip-apply") == 0) {
            o.skip_apply = 1;
        } else if (strcmp(a, "--skip-scale") == 0) {
            o.skip_scale = 1;
        } else if (strcmp(a, "--scale-values") == 0 && v) {
            o.scale_values = atol(v);
            i++;
        } else if (strcmp(a, "--scale-keys") == 0 && v) {
            o.scale_keys = atol(v);
            i++;
        } else {
            fprintf(stderr,
                    "usage: bench_hive [--dcs PATH] [--shared DIR] [--keys N] [--reged-keys N]\n"
                    "                  [--runs N] [--skip-import] [--skip-apply] [--skip-scale]\n"
                    "                  [--scale-values N] [--scale-keys N]\n");
            return 2;
        }
    }
    char data[1024], work[1024];
    snprintf(data, sizeof data, "%s/tests/data/hives", src_root ? src_root : ".");
    o.data = data;
    const char *tmp = getenv("TMPDIR");
    snprintf(work, sizeof work, "%s/dcs-bench-hive.XXXXXX", tmp ? tmp : "/tmp");
    if (!mkdtemp(work)) {
        fprintf(stderr, "bench_hive: mkdtemp: %s\n", strerror(errno));
        return 1;
    }
    o.work = work;
    int rc = 0;
    if (!o.skip_apply && bench_apply(&o) != 0)
        rc = 1;
    if (!o.skip_scale && bench_scale(&o) != 0)
        rc = 1;
    if (!o.skip_import && bench_import(&o) != 0)
        rc = 1;
    char *rm[] = {"rm", "-rf", work, NULL};
    struct run_result r;
    run(rm, NULL, &r);
    return rc;
}
