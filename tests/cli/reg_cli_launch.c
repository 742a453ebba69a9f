/* Runs tests/test_reg_cli.sh with the dcs path: a C entry point so that
 * `meson test --wrap=valgrind` checks this launcher rather than the shell.
 * Set DCS_WRAP (e.g. "valgrind -q --error-exitcode=1") to run every dcs
 * invocation of the script under a tool. */
#include <stdio.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: reg_cli_launch SCRIPT DCS\n");
        return 2;
    }
    execl("/bin/sh", "sh", argv[1], argv[2], (char *)NULL);
    perror("exec /bin/sh");
    return 1;
}
