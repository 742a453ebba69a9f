/* dcs-bench apply: `dcs apply` on the three-hive sample image (the hives of
 * tests/data/hives laid out as LocalSystem's DEFAULT and the NTUSER.DAT of
 * LocalService and NetworkService, as test_cli_commit.sh builds it).
 *
 *   dcs-bench apply [--runs N] [--dir DIR] [--hives DIR] [--dcs PATH]
 *
 * Times, N runs each, median and minimum of the wall time and the CPU time
 * (user + system) of:
 *   apply.lib.change    dcs_applier in this process: plan + commit (backups
 *                       included) of a manual proxy that differs from the
 *                       one in the hives (two proxies taken in turn, so
 *                       every run changes all three hives);
 *   apply.lib.same      the same settings again: plan, nothing to commit;
 *   apply.cli.change / apply.cli.same   the same through the dcs program;
 * and the same-run baselines:
 *   apply.base.read     open + read + close of the three hives;
 *   apply.base.copy     a crash-safe copy of the three hives (write a new
 *                       file, fsync it, rename it over, fsync the directory);
 *   apply.base.fsync    one 4 KiB write + fsync of a file in DIR;
 *   apply.base.exec     `dcs --version`: process start-up.
 * DIR (default $TMPDIR or /tmp) decides the file system and so what an fsync
 * costs. */
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench.h"
#include <dcs/dcs.h>

extern char **environ;

#define APPLY_MAX_RUNS 1000

static const char *const hive_src[3] = {"hivex-minimal", "yarp-EmptyHive", "ez-NTUSER1.DAT"};
static const char *const hive_dst[3] = {"img/Windows/System32/config/DEFAULT",
                                        "img/Windows/ServiceProfiles/LocalService/NTUSER.DAT",
                                        "img/Windows/ServiceProfiles/NetworkService/NTUSER.DAT"};
static const char *const sids[3] = {"S-1-5-18", "S-1-5-19", "S-1-5-20"};

struct apply_bench {
    const char *dcs, *hives;
    char work[512], img[600], backups[600], hive[3][700];
    int runs;
    int cur; /* which of the two proxies the hives have now */
};

static const char *const proxies[2] = {"proxy-a.example:3128", "proxy-b.example:3128"};

/* One sample: wall and CPU seconds. */
struct sample {
    double wall, cpu;
};

static double cpu_now(int who)
{
    struct rusage ru;
    getrusage(who, &ru);
    return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
           (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* NAME.ms.median, NAME.ms.min, NAME.cpu_ms.median, NAME.cpu_ms.min. */
static void report(const char *name, struct sample *s, int n)
{
    double wall[APPLY_MAX_RUNS], cpu[APPLY_MAX_RUNS];
    char key[128];
    for (int i = 0; i < n; i++)
        wall[i] = s[i].wall * 1e3, cpu[i] = s[i].cpu * 1e3;
    qsort(wall, (size_t)n, sizeof *wall, cmp_double);
    qsort(cpu, (size_t)n, sizeof *cpu, cmp_double);
    snprintf(key, sizeof key, "%s.ms.median", name);
    bench_print(key, wall[n / 2]);
    snprintf(key, sizeof key, "%s.ms.min", name);
    bench_print(key, wall[0]);
    snprintf(key, sizeof key, "%s.cpu_ms.median", name);
    bench_print(key, cpu[n / 2]);
    snprintf(key, sizeof key, "%s.cpu_ms.min", name);
    bench_print(key, cpu[0]);
}

static int copy_file(const char *src, const char *dst)
{
    int in = open(src, O_RDONLY | O_CLOEXEC);
    int out = open(dst, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    char buf[65536];
    ssize_t r = 0;
    while (in >= 0 && out >= 0 && (r = read(in, buf, sizeof buf)) > 0)
        if (write(out, buf, (size_t)r) != r)
            r = -1;
    int rc = in < 0 || out < 0 || r < 0 ? -1 : 0;
    if (in >= 0)
        close(in);
    if (out >= 0 && close(out) != 0)
        rc = -1;
    return rc;
}

/* mkdir -p of the parent of path (inside b->work). */
static int make_parents(char *path)
{
    for (char *s = strchr(path + 1, '/'); s; s = strchr(s + 1, '/')) {
        *s = '\0';
        int rc = mkdir(path, 0755);
        *s = '/';
        if (rc != 0 && errno != EEXIST)
            return -1;
    }
    return 0;
}

static int make_image(struct apply_bench *b)
{
    snprintf(b->img, sizeof b->img, "%s/img", b->work);
    snprintf(b->backups, sizeof b->backups, "%s/backups", b->work);
    for (int i = 0; i < 3; i++) {
        char src[700];
        snprintf(src, sizeof src, "%s/%s", b->hives, hive_src[i]);
        snprintf(b->hive[i], sizeof b->hive[i], "%s/%s", b->work, hive_dst[i]);
        if (make_parents(b->hive[i]) != 0 || copy_file(src, b->hive[i]) != 0) {
            fprintf(stderr, "dcs-bench: cannot copy %s to %s: %s\n", src, b->hive[i],
                    strerror(errno));
            return -1;
        }
    }
    return 0;
}

/* One apply through the library; *changed: hives that changed. */
static int lib_apply(const struct apply_bench *b, const char *proxy, size_t *changed)
{
    dcs_applier *a = NULL;
    struct dcs_error err;
    dcs_error_clear(&err);
    dcs_status st = dcs_applier_new(0, &a, &err);
    if (st == DCS_OK)
        st = dcs_applier_set_backup_dir(a, b->backups, &err);
    if (st == DCS_OK)
        st = dcs_applier_set_image(a, b->img, &err);
    if (st == DCS_OK)
        st = dcs_applier_source_mode(a, DCS_MODE_MANUAL_PROXY, proxy, "<local>", NULL, &err);
    for (int i = 0; st == DCS_OK && i < 3; i++)
        st = dcs_applier_add_account(a, sids[i], &err);
    if (st == DCS_OK)
        st = dcs_applier_plan(a, &err);
    *changed = st == DCS_OK ? dcs_applier_changes(a) : 0;
    if (st == DCS_OK && *changed)
        st = dcs_applier_commit(a, &err);
    dcs_applier_free(a);
    if (st != DCS_OK)
        fprintf(stderr, "dcs-bench: apply: %s\n", err.message);
    return st == DCS_OK ? 0 : -1;
}

/* Run argv, output to /dev/null; the child's CPU time in *cpu. */
static int spawn(char *const argv[], double *cpu)
{
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
    pid_t pid;
    int rc = posix_spawn(&pid, argv[0], &fa, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    if (rc != 0) {
        fprintf(stderr, "dcs-bench: cannot run %s: %s\n", argv[0], strerror(rc));
        return -1;
    }
    int status;
    struct rusage ru;
    if (wait4(pid, &status, 0, &ru) < 0)
        return -1;
    *cpu = (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
           (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
    return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
}

static int cli_apply(const struct apply_bench *b, const char *proxy, double *cpu)
{
    char *argv[] = {(char *)b->dcs, "apply", "--mode", "manual_proxy", "--proxy", (char *)proxy,
                    "--bypass", "<local>", "--windows", (char *)b->img, "--all-services",
                    "--backup-dir", (char *)b->backups, NULL};
    return spawn(argv, cpu);
}

enum job { J_LIB_CHANGE, J_LIB_SAME, J_CLI_CHANGE, J_CLI_SAME, J_READ, J_COPY, J_FSYNC, J_EXEC,
           J_COUNT_ };
static const char *const job_names[J_COUNT_] = {
    "apply.lib.change", "apply.lib.same", "apply.cli.change", "apply.cli.same",
    "apply.base.read",  "apply.base.copy", "apply.base.fsync", "apply.base.exec"};

static int base_read(const struct apply_bench *b)
{
    char buf[65536];
    for (int i = 0; i < 3; i++) {
        int fd = open(b->hive[i], O_RDONLY | O_CLOEXEC);
        if (fd < 0)
            return -1;
        while (read(fd, buf, sizeof buf) > 0)
            ;
        close(fd);
    }
    return 0;
}

/* What replacing a file crash-safely costs at the least. */
static int base_copy(const struct apply_bench *b)
{
    for (int i = 0; i < 3; i++) {
        char tmp[800], dir[700];
        snprintf(tmp, sizeof tmp, "%s.bench-tmp", b->hive[i]);
        snprintf(dir, sizeof dir, "%s", b->hive[i]);
        *strrchr(dir, '/') = '\0';
        if (copy_file(b->hive[i], tmp) != 0)
            return -1;
        int fd = open(tmp, O_RDONLY | O_CLOEXEC), dfd = open(dir, O_RDONLY | O_CLOEXEC);
        int rc = fd < 0 || dfd < 0 || fsync(fd) != 0 || rename(tmp, b->hive[i]) != 0 ||
                 fsync(dfd) != 0;
        if (fd >= 0)
            close(fd);
        if (dfd >= 0)
            close(dfd);
        if (rc)
            return -1;
    }
    return 0;
}

static int base_fsync(const struct apply_bench *b)
{
    char f[600], page[4096];
    memset(page, 'x', sizeof page);
    snprintf(f, sizeof f, "%s/fsync-probe", b->work);
    int fd = open(f, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    int rc = fd < 0 || write(fd, page, sizeof page) != (ssize_t)sizeof page || fsync(fd) != 0;
    if (fd >= 0)
        close(fd);
    return rc ? -1 : 0;
}

/* One run of job j; its times in *s. */
static int run_job(struct apply_bench *b, enum job j, struct sample *s)
{
    /* change: the proxy the hives do not have; same: the one they have */
    if (j == J_LIB_CHANGE || j == J_CLI_CHANGE)
        b->cur = !b->cur;
    const char *proxy = proxies[b->cur];
    char *version[] = {(char *)b->dcs, "--version", NULL};
    size_t changed = 0;
    double child = 0;
    uint64_t t0 = bench_now_ns();
    double c0 = cpu_now(RUSAGE_SELF);
    int rc;
    switch (j) {
    case J_LIB_CHANGE:
    case J_LIB_SAME:
        rc = lib_apply(b, proxy, &changed);
        if (rc == 0 && (changed != 0) != (j == J_LIB_CHANGE)) {
            fprintf(stderr, "dcs-bench: %s changed %zu hives\n", job_names[j], changed);
            rc = -1;
        }
        break;
    case J_CLI_CHANGE:
    case J_CLI_SAME: rc = cli_apply(b, proxy, &child); break;
    case J_READ: rc = base_read(b); break;
    case J_COPY: rc = base_copy(b); break;
    case J_FSYNC: rc = base_fsync(b); break;
    default: rc = spawn(version, &child); break;
    }
    s->wall = (double)(bench_now_ns() - t0) / 1e9;
    s->cpu = cpu_now(RUSAGE_SELF) - c0 + child;
    return rc;
}

static void apply_usage(FILE *out)
{
    fprintf(out, "usage: dcs-bench apply [--runs N] [--dir DIR] [--hives DIR] [--dcs PATH]\n"
                 "\n"
                 "Time dcs apply on a three-hive image (library and program), changing and\n"
                 "in step, against reading, crash-safely copying and fsyncing the same files.\n"
                 "Prints NAME VALUE lines: median and minimum of N runs (default 21) of wall\n"
                 "and CPU milliseconds.  DIR: where the image is made (default $TMPDIR or /tmp).\n");
}

/* Options: 0 to go on, else the exit code + 1. */
static int apply_args(int argc, char **argv, struct apply_bench *b, const char **dir)
{
    for (int i = 1; i < argc; i += 2) { /* every option but --help takes a value */
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            apply_usage(stdout);
            return 1;
        } else if (strcmp(a, "--runs") == 0 && v) {
            char *end;
            long n = strtol(v, &end, 10);
            if (*end || n < 1 || n > APPLY_MAX_RUNS) {
                fprintf(stderr, "dcs-bench: --runs wants a number from 1 to %d\n",
                        APPLY_MAX_RUNS);
                return 3;
            }
            b->runs = (int)n;
        } else if (strcmp(a, "--dir") == 0 && v) {
            *dir = v;
        } else if (strcmp(a, "--hives") == 0 && v) {
            b->hives = v;
        } else if (strcmp(a, "--dcs") == 0 && v) {
            b->dcs = v;
        } else {
            apply_usage(stderr);
            return 3;
        }
    }
    return 0;
}

/* Every job once untimed (warm caches, first backups), then rounds of
 * every job in turn, so that changes in the machine's load hit all alike. */
static int apply_measure(struct apply_bench *b, struct sample (*s)[APPLY_MAX_RUNS])
{
    struct sample warm;
    for (int j = 0; j < J_COUNT_; j++)
        if (run_job(b, (enum job)j, &warm) != 0) {
            fprintf(stderr, "dcs-bench: %s failed\n", job_names[j]);
            return -1;
        }
    for (int r = 0; r < b->runs; r++)
        for (int j = 0; j < J_COUNT_; j++)
            if (run_job(b, (enum job)j, &s[j][r]) != 0) {
                fprintf(stderr, "dcs-bench: %s failed\n", job_names[j]);
                return -1;
            }
    return 0;
}

int bench_apply(int argc, char **argv)
{
    struct apply_bench b = {.runs = 21,
#ifdef DCS_BENCH_DCS_EXE
                            .dcs = DCS_BENCH_DCS_EXE,
#else
                            .dcs = "build/tools/cli/dcs",
#endif
#ifdef DCS_BENCH_HIVES_DIR
                            .hives = DCS_BENCH_HIVES_DIR,
#else
                            .hives = "tests/data/hives",
#endif
                            .cur = 0};
    const char *dir = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
    int arc = apply_args(argc, argv, &b, &dir);
    if (arc)
        return arc - 1;
    snprintf(b.work, sizeof b.work, "%s/dcs-bench-apply.XXXXXX", dir);
    if (!mkdtemp(b.work)) {
        fprintf(stderr, "dcs-bench: mkdtemp %s: %s\n", b.work, strerror(errno));
        return 1;
    }
    static struct sample s[J_COUNT_][APPLY_MAX_RUNS];
    int rc = make_image(&b) == 0 && apply_measure(&b, s) == 0 ? 0 : 1;
    if (rc == 0) {
        bench_print("apply.runs", b.runs);
        for (int j = 0; j < J_COUNT_; j++)
            report(job_names[j], s[j], b.runs);
    }
    char *rm[] = {"/bin/rm", "-rf", b.work, NULL};
    double cpu;
    (void)spawn(rm, &cpu);
    return rc;
}
