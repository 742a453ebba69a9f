/* dcs — command table and dispatch only; every command is in cmd_*.c. */
#include <stdio.h>
#include <stdlib.h>
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
    {"hive", cmd_hive, "offline hives: 'hive recover' replays a dirty hive's transaction logs"},
    {"route", cmd_route, "which proxy each URL takes with given settings, per client, and why"},
};

static void usage(FILE *out)
{
    fprintf(out,
            "usage: dcs [--version] [--help] [--lock-wait SECONDS] COMMAND [ARGS]\n"
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
            "--lock-wait SECONDS: how long to wait for another dcs process that holds a\n"
            "hive (default 10).\n"
            "\n"
            "exit status: 0 success; 1 bad input (the message names the byte offset or\n"
            "line:column), or 'different' for diff; 2 usage error; 3 apply refused an\n"
            "unsafe hive, or hive recover cannot replay its logs safely; 4 apply --check\n"
            "found a target out of step; 5 a failed commit could not put every hive back\n"
            "(the message names each hive's state).\n");
}

/* Library warnings (an interrupted commit finished when a hive was opened,
 * leftovers that could not be removed) reach stderr like the CLI's own. */
static void print_warning(void *ctx, const struct dcs_error *w)
{
    (void)ctx;
    cli_warnf("%s", w->message);
}

/* --lock-wait SECONDS before the command; false on a bad value. */
static bool lock_wait_option(int *argc, char ***argv)
{
    if (*argc < 3 || strcmp((*argv)[1], "--lock-wait") != 0)
        return true;
    char *end;
    double s = strtod((*argv)[2], &end);
    if (end == (*argv)[2] || *end || !(s >= 0 && s <= 86400))
        return false;
    dcs_lock_set_wait((unsigned)(s * 1000 + 0.5));
    /* a view past the option; the array itself is left as it came
     * (cli_argv), and nothing reads the view's [0] */
    *argc -= 2;
    *argv += 2;
    return true;
}

int main(int argc, char **argv)
{
    dcs_set_warning_handler(print_warning, NULL);
    cli_argv = argv;
    if (!lock_wait_option(&argc, &argv)) {
        cli_errorf("--lock-wait needs a number of seconds (0 to 86400)");
        return EXIT_USAGE;
    }
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
