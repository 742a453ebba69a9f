/* Stand-alone entry point for the .reg benchmark: dcs-bench-reg FILE. */
#include "bench_reg.h"

int main(int argc, char **argv)
{
    return bench_reg(argc, argv);
}
