/* dcs-bench-hive: the hive-room benchmark on its own. */
#include "bench_hive.h"

int main(int argc, char **argv)
{
    return bench_hive(argc, argv);
}
