/* Table-driven option parsing for every dcs command: one table per command
 * of {long name, short letter, value name, id, help, storage}, read one
 * argument at a time, and the option part of --help generated from the
 * same table, so that the two cannot drift apart.
 *
 *   --name value, --name=value, -n value, -nvalue; "--" ends the options
 *   ("-" alone is an argument: standard input or output); --help and -h
 *   are recognised in every command.  Unknown options, a missing value and
 *   a value given to an option that takes none are usage errors: the
 *   parser prints "dcs: CMD: ..." and the command exits with 2.
 *
 * An option either hands its id back to the command (CLI_STORE_NONE) or is
 * stored by the parser into a field of the command's options struct (the
 * dest given to cli_opts_init): a string (the last one given wins), a
 * repeatable list (every value, in order), a bool flag, bits or-ed into
 * an unsigned, or one of a list of named values into an int.  A stored option still returns its id when it has one, so
 * that a command can count or check it; else CLI_OPT_STORED. */
#ifndef DCS_CLI_OPTS_H
#define DCS_CLI_OPTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

enum cli_store {
    CLI_STORE_NONE = 0, /* nothing stored: the command acts on the id */
    CLI_STORE_STRING,   /* const char * at field */
    CLI_STORE_LIST,     /* const char ** at field, its size_t count at aux */
    CLI_STORE_FLAG,     /* bool at field set to true */
    CLI_STORE_BITS,     /* unsigned at field |= aux */
    CLI_STORE_CHOICE    /* int at field: the value of the name given (choices) */
};

/* One name a CLI_STORE_CHOICE option takes.  A list ends with {NULL, 0};
 * an entry with the value of the one before it is an alias (accepted, not
 * named in the message that lists the choices). */
struct cli_choice {
    const char *name;
    int value;
};

struct cli_opt {
    const char *name; /* long name without "--"; NULL: a heading in --help */
    char short_name;  /* 'o' for -o; 0: none */
    const char *arg;  /* the value's name in --help ("FILE"); NULL: a flag */
    int id;           /* what cli_opts_next returns for it; > 0, or 0 when stored */
    const char *help; /* lines separated by '\n'; NULL: not listed */
    enum cli_store store;
    size_t field; /* offsetof the field in dest */
    size_t aux;   /* CLI_STORE_LIST: offsetof the count; CLI_STORE_BITS: the bits */
    const struct cli_choice *choices; /* CLI_STORE_CHOICE: the names */
    const char *what; /* CLI_STORE_CHOICE: "code page" in "unknown code page 'x' (...)" */
};

/* Table rows.  T is the options struct, F and C its fields. */
#define CLI_HEADING(text) {.name = NULL, .help = (text)}
#define CLI_OPT(name_, short_, arg_, id_, help_)                                          \
    {.name = (name_), .short_name = (short_), .arg = (arg_), .id = (id_), .help = (help_)}
#define CLI_STRING(name_, short_, arg_, T, F, help_)                                      \
    {.name = (name_), .short_name = (short_), .arg = (arg_), .help = (help_),              \
     .store = CLI_STORE_STRING, .field = offsetof(T, F)}
#define CLI_LIST(name_, short_, arg_, T, F, C, help_)                                     \
    {.name = (name_), .short_name = (short_), .arg = (arg_), .help = (help_),              \
     .store = CLI_STORE_LIST, .field = offsetof(T, F), .aux = offsetof(T, C)}
#define CLI_FLAG(name_, short_, T, F, help_)                                              \
    {.name = (name_), .short_name = (short_), .help = (help_), .store = CLI_STORE_FLAG,    \
     .field = offsetof(T, F)}
#define CLI_BITS(name_, short_, T, F, bits_, help_)                                       \
    {.name = (name_), .short_name = (short_), .help = (help_), .store = CLI_STORE_BITS,    \
     .field = offsetof(T, F), .aux = (bits_)}
#define CLI_CHOICE(name_, short_, arg_, T, F, choices_, what_, help_)                    \
    {.name = (name_), .short_name = (short_), .arg = (arg_), .help = (help_),              \
     .store = CLI_STORE_CHOICE, .field = offsetof(T, F), .choices = (choices_),            \
     .what = (what_)}
#define CLI_NOPTS(table) (sizeof(table) / sizeof((table)[0]))

enum {
    CLI_OPT_END = 0,     /* no more arguments */
    CLI_OPT_ARG = -1,    /* a positional argument (in *value) */
    CLI_OPT_HELP = -2,   /* --help or -h */
    CLI_OPT_ERROR = -3,  /* usage error, already reported: exit 2 */
    CLI_OPT_STORED = -4  /* an option without an id, stored in dest */
};

struct cli_opts {
    const char *cmd; /* "decode": messages say "dcs: decode: ..." */
    const struct cli_opt *table;
    size_t n;
    void *dest; /* where stored options go; NULL when the table stores none */
    int argc;
    char **argv;
    int i;
    bool only_args; /* after "--" */
};

/* argv[0] is the command's name and is skipped.  dest must start zeroed
 * (or with defaults) and outlive the parse; lists point into argv. */
void cli_opts_init(struct cli_opts *p, const char *cmd, const struct cli_opt *table, size_t n,
                   void *dest, int argc, char **argv);
/* The next option's id (its value, if it takes one, in *value), or one of
 * the CLI_OPT_* codes.  A name a CLI_STORE_CHOICE option does not know is a
 * usage error: "dcs: CMD: unknown WHAT 'NAME' (a, b or c)".  Running out of
 * memory for a list is reported and gives CLI_OPT_ERROR. */
int cli_opts_next(struct cli_opts *p, const char **value);
/* Free the lists stored in dest (and set them to NULL, count 0). */
void cli_opts_free(const struct cli_opts *p);
/* The options of table, one per line: "  -o, --output FILE   help";
 * a heading row prints its text alone. */
void cli_opts_help(FILE *out, const struct cli_opt *table, size_t n);

#endif
