/* dcs-bench: shared timing helpers and the benchmark groups.
 *
 * Each group is one function `int bench_<group>(int argc, char **argv)` in
 * tools/bench*.c; argv[0] is the group name.  A group prints one figure per
 * line as "NAME VALUE" on stdout (names start with the group: "blob.",
 * "reg.", "hive.") so that scripts can read them; notes go to stderr.
 * Speed is measured here, never by timed tests. */
#ifndef DCS_TOOLS_BENCH_H
#define DCS_TOOLS_BENCH_H

#include <stdint.h>
#include <stdio.h>
#include <time.h>

/* The groups.  To wire one in: define it in its own file, add that file to
 * dcs_bench in tools/meson.build and add one line to the table in bench.c. */
int bench_blob(int argc, char **argv);  /* bench.c */
int bench_reg(int argc, char **argv);   /* tools/bench_reg.c (reg room) */
int bench_hive(int argc, char **argv);  /* tools/bench_hive.c (hive room) */
int bench_recover(int argc, char **argv); /* tools/bench/bench_recover.c (log replay) */
int bench_route(int argc, char **argv); /* tools/bench/bench_route.c (route room) */
int bench_apply(int argc, char **argv); /* tools/bench/bench_apply.c (dcs apply, 3 hives) */

static inline uint64_t bench_now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Make the compiler believe *p is read and may have changed, so that work
 * whose result lands in *p is not optimised away or hoisted out of a loop. */
static inline void bench_use(const void *p)
{
#if defined(__GNUC__) || defined(__clang__)
    __asm__ __volatile__("" : : "r"(p) : "memory");
#else
    static const void *volatile sink;
    sink = p;
#endif
}

/* "NAME VALUE" on stdout. */
static inline void bench_print(const char *name, double value)
{
    printf("%s %.2f\n", name, value);
}

#endif
