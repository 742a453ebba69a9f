/* Hive-room benchmark, callable from dcs-bench: `dcs reg import` against
 * hivexregedit and reged, and `dcs apply` on a three-hive image. */
#ifndef DCS_TOOLS_BENCH_HIVE_H
#define DCS_TOOLS_BENCH_HIVE_H

/* argv: [--dcs PATH] [--shared DIR] [--keys N] [--reged-keys N] [--runs N]
 *       [--skip-import] [--skip-apply] [--skip-scale] [--scale-values N]
 *       [--scale-keys N].  Returns an exit code. */
int bench_hive(int argc, char **argv);

#endif
