/* .reg benchmark, run as `dcs-bench reg FILE` (see bench_reg.c). */
#ifndef DCS_BENCH_REG_H
#define DCS_BENCH_REG_H

/* argv[0] is the subcommand name ("reg"), argv[1..] its arguments. */
int bench_reg(int argc, char **argv);

#endif
