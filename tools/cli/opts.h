/* Table-driven option parsing for the dcs commands: one table per command
 * of {long name, short letter, value name, id, help}, read one argument at
 * a time, and the option part of --help generated from the same table.
 *
 *   --name value, --name=value, -n value, -nvalue; "--" ends the options
 *   ("-" alone is an argument: standard input or output); --help and -h
 *   are recognised in every command.  Unknown options, a missing value and
 *   a value given to an option that takes none are usage errors: the
 *   parser prints "dcs: CMD: ..." and the command exits with 2. */
#ifndef DCS_CLI_OPTS_H
#define DCS_CLI_OPTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

struct cli_opt {
    const char *name; /* long name without "--" */
    char short_name;  /* 'o' for -o; 0: none */
    const char *arg;  /* the value's name in --help ("FILE"); NULL: a flag */
    int id;           /* what cli_opts_next returns for it; > 0 */
    const char *help; /* lines separated by '\n'; NULL: not listed */
};

enum {
    CLI_OPT_END = 0,     /* no more arguments */
    CLI_OPT_ARG = -1,    /* a positional argument (in *value) */
    CLI_OPT_HELP = -2,   /* --help or -h */
    CLI_OPT_ERROR = -3   /* usage error, already reported: exit 2 */
};

struct cli_opts {
    const char *cmd; /* "decode": messages say "dcs: decode: ..." */
    const struct cli_opt *table;
    size_t n;
    int argc;
    char **argv;
    int i;
    bool only_args; /* after "--" */
};

/* argv[0] is the command's name and is skipped. */
void cli_opts_init(struct cli_opts *p, const char *cmd, const struct cli_opt *table, size_t n,
                   int argc, char **argv);
/* The next option's id (its value, if it takes one, in *value), or one of
 * the CLI_OPT_* codes. */
int cli_opts_next(struct cli_opts *p, const char **value);
/* The options of table, one per line: "  -o, --output FILE   help". */
void cli_opts_help(FILE *out, const struct cli_opt *table, size_t n);

#endif
