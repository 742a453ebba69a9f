#include "cli.h"
#include "cmd.h"
int cmd_encode(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    cli_errorf("encode: coming in the codec-core commit");
    return EXIT_USAGE;
}
