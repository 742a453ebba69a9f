#include "cli.h"
#include "cmd.h"
int cmd_diff(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    cli_errorf("diff: coming in the codec-core commit");
    return EXIT_USAGE;
}
