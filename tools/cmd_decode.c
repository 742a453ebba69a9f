#include "cli.h"
#include "cmd.h"
int cmd_decode(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    cli_errorf("decode: coming in the codec-core commit");
    return EXIT_USAGE;
}
