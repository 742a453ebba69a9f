/* dcs — command table and dispatch only; every command is in cmd_*.c. */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "cmd.h"
#include "dcs_config.h"

struct command {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *summary;
};

static const struct command commands[] = {
    {"decode", cmd_decode, "decode a proxy blob (binary, hex text, .reg or hive) to text or JSON"},
    {"encode", cmd_encode, "build a proxy blob from JSON or from flags"},
    {"diff", cmd_diff, "compare two blobs semantically (exit 0 equal, 1 different)"},
    /* -- reg room */
    {"reg", cmd_reg, "read (dump) and convert .reg files exactly as Windows does"},
    /* -- hive room */
    {"apply", cmd_apply, "give the service accounts proxy settings (offline image, hives or .reg)"},
    {"show", cmd_show, "show the proxy settings of every account in an offline Windows image"},
    {"route", cmd_route, "which proxy each URL takes with given settings, per client, and why"},
};

static void usage(FILE *out)
{
    fprintf(out,
            "usage: dcs [--version] [--help] COMMAND [ARGS]\n"
            "\n"
            "Decode, encode and apply the Windows WinINET proxy blob\n"
            "DefaultConnectionSettings (and SavedLegacySettings, WinHttpSettings).\n"
            "\n"
            "commands:\n");
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        fprintf(out, "  %-8s %s\n", commands[i].name, commands[i].summary);
    fprintf(out,
            "\n"
            "Run 'dcs COMMAND --help' for a command's options.\n"
            "\n"
            "exit status: 0 success; 1 bad input (the message names the byte offset or\n"
            "line:column), or 'different' for diff; 2 usage error; 3 apply refused an\n"
            "unsafe hive; 4 apply --check found a target out of step.\n");
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return EXIT_USAGE;
    }
    const char *name = argv[1];
    if (cli_is(name, "--help", "-h") || strcmp(name, "help") == 0) {
        usage(stdout);
        return EXIT_OK;
    }
    if (cli_is(name, "--version", "-V")) {
        printf("dcs %s\n", DCS_VERSION);
        return EXIT_OK;
    }
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (strcmp(name, commands[i].name) == 0)
            return commands[i].run(argc - 1, argv + 1);
    cli_errorf("unknown command '%s' (try 'dcs --help')", name);
    return EXIT_USAGE;
}
