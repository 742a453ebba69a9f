/* tools/cli/opts: the table-driven option parser every simple command uses:
 * spellings (--x v, --x=v, -o v, -ov), "--", "-" as an argument, --help,
 * and the usage errors with their exact messages; and the --help lines
 * generated from a table. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "opts.h"

enum { O_FLAG = 1, O_NAME, O_OUT };
static const struct cli_opt table[] = {
    CLI_OPT("flag", 0, NULL, O_FLAG, "a flag"),
    CLI_OPT("name", 0, "NAME", O_NAME, "a value\nover two lines"),
    CLI_OPT("output", 'o', "FILE", O_OUT, "where"),
    CLI_OPT("hidden", 0, NULL, 9, NULL),
};
#define N (sizeof table / sizeof table[0])

/* Run the parser over argv; the ids and values as "id=value ..." text. */
static void parse(char **argv, int argc, char *out, size_t cap)
{
    struct cli_opts p;
    cli_opts_init(&p, "cmd", table, N, NULL, argc, argv);
    size_t used = 0;
    out[0] = '\0';
    for (;;) {
        const char *v;
        int id = cli_opts_next(&p, &v);
        used += (size_t)snprintf(out + used, cap - used, "%s%d=%s", used ? " " : "", id,
                                 v ? v : "-");
        if (id == CLI_OPT_END || id == CLI_OPT_ERROR || id == CLI_OPT_HELP)
            return;
    }
}

/* stderr of f into buf */
static void capture(char *buf, size_t cap, char **argv, int argc, char *res, size_t rcap)
{
    fflush(stderr);
    FILE *tmp = tmpfile();
    assert_non_null(tmp);
    int saved = dup(2);
    dup2(fileno(tmp), 2);
    parse(argv, argc, res, rcap);
    fflush(stderr);
    dup2(saved, 2);
    close(saved);
    rewind(tmp);
    size_t n = fread(buf, 1, cap - 1, tmp);
    buf[n] = '\0';
    fclose(tmp);
}

static void spellings(void **state)
{
    (void)state;
    char res[512], err[512];
    char *a[] = {"cmd", "--flag", "--name", "x", "--name=y=z", "-o", "f", "-og", "in", "-",
                 "--", "--flag", "-o"};
    capture(err, sizeof err, a, 13, res, sizeof res);
    assert_string_equal(res, "1=- 2=x 2=y=z 3=f 3=g -1=in -1=- -1=--flag -1=-o 0=-");
    assert_string_equal(err, "");
    char *h[] = {"cmd", "x", "-h"};
    capture(err, sizeof err, h, 3, res, sizeof res);
    assert_string_equal(res, "-1=x -2=-");
    char *empty[] = {"cmd", "--name", ""};
    capture(err, sizeof err, empty, 3, res, sizeof res);
    assert_string_equal(res, "2= 0=-");
}

static void usage_errors(void **state)
{
    (void)state;
    static const struct {
        int argc;
        char *argv[3];
        const char *res, *err;
    } cases[] = {
        {2, {"cmd", "--bogus"}, "-3=-", "dcs: cmd: unknown option '--bogus' (try 'dcs cmd --help')\n"},
        {2, {"cmd", "-x"}, "-3=-", "dcs: cmd: unknown option '-x' (try 'dcs cmd --help')\n"},
        {2, {"cmd", "--fla"}, "-3=-", "dcs: cmd: unknown option '--fla' (try 'dcs cmd --help')\n"},
        {2, {"cmd", "--name"}, "-3=-", "dcs: cmd: --name needs a value (NAME)\n"},
        {2, {"cmd", "-o"}, "-3=-", "dcs: cmd: -o needs a value (FILE)\n"},
        {2, {"cmd", "--flag=1"}, "-3=-", "dcs: cmd: option '--flag' takes no value\n"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char res[256], err[512];
        char *argv[3] = {cases[i].argv[0], cases[i].argv[1], cases[i].argv[2]};
        capture(err, sizeof err, argv, cases[i].argc, res, sizeof res);
        assert_string_equal(res, cases[i].res);
        assert_string_equal(err, cases[i].err);
    }
}

static void help_lines(void **state)
{
    (void)state;
    char buf[1024];
    FILE *f = fmemopen(buf, sizeof buf, "w");
    assert_non_null(f);
    cli_opts_help(f, table, N);
    fclose(f);
    assert_string_equal(buf, "      --flag                  a flag\n"
                             "      --name NAME             a value\n"
                             "                              over two lines\n"
                             "  -o, --output FILE           where\n");
}

/* ---- options stored by the parser into a struct ---- */

struct dest {
    const char *out;
    const char **inputs;
    size_t ninputs;
    bool verbose;
    unsigned bits;
    int colour;
};

static const struct cli_choice colours[] = {
    {"red", 1}, {"rouge", 1}, {"green", 2}, {"blue", 3}, {"bleu", 3}, {NULL, 0},
};

enum { S_MODE = 1 };
static const struct cli_opt stored[] = {
    CLI_HEADING("STORED:"),
    CLI_STRING("out", 'o', "FILE", struct dest, out, "the output"),
    CLI_LIST("in", 'i', "FILE", struct dest, inputs, ninputs, "an input (repeatable)"),
    CLI_FLAG("verbose", 'v', struct dest, verbose, "say more"),
    CLI_BITS("strict", 0, struct dest, bits, 0x4, "strict"),
    CLI_BITS("lax", 0, struct dest, bits, 0x10, NULL),
    CLI_OPT("mode", 0, "M", S_MODE, "handed back"),
    CLI_CHOICE("colour", 'c', "C", struct dest, colour, colours, "colour", "red, green or blue"),
};

/* Parse argv into *d; the returned ids as text, stderr in err. */
static void parse_stored(char **argv, int argc, struct dest *d, struct cli_opts *p, char *res,
                         size_t rcap, char *err, size_t ecap)
{
    fflush(stderr);
    FILE *tmp = tmpfile();
    assert_non_null(tmp);
    int saved = dup(2);
    dup2(fileno(tmp), 2);
    cli_opts_init(p, "cmd", stored, CLI_NOPTS(stored), d, argc, argv);
    size_t used = 0;
    res[0] = '\0';
    for (;;) {
        const char *v;
        int id = cli_opts_next(p, &v);
        used += (size_t)snprintf(res + used, rcap - used, "%s%d=%s", used ? " " : "", id,
                                 v ? v : "-");
        if (id == CLI_OPT_END || id == CLI_OPT_ERROR || id == CLI_OPT_HELP)
            break;
    }
    fflush(stderr);
    dup2(saved, 2);
    close(saved);
    rewind(tmp);
    size_t n = fread(err, 1, ecap - 1, tmp);
    err[n] = '\0';
    fclose(tmp);
}

/* Strings (last wins), repeatable lists in order, flags and bits land in
 * their fields in every spelling; positional arguments and "--" still come
 * back; cli_opts_free releases the lists. */
static void store_fields(void **state)
{
    (void)state;
    char *a[] = {"cmd", "--in", "a", "-o", "x", "--in=b=c", "-ic", "arg", "--verbose",
                 "--out=y", "--strict", "--lax", "--mode", "m", "--", "--in", "d"};
    struct dest d;
    memset(&d, 0, sizeof d);
    struct cli_opts p;
    char res[512], err[256];
    parse_stored(a, 17, &d, &p, res, sizeof res, err, sizeof err);
    assert_string_equal(res, "-4=a -4=x -4=b=c -4=c -1=arg -4=- -4=y -4=- -4=- 1=m -1=--in "
                             "-1=d 0=-");
    assert_string_equal(err, "");
    assert_string_equal(d.out, "y");
    assert_int_equal(d.ninputs, 3);
    assert_string_equal(d.inputs[0], "a");
    assert_string_equal(d.inputs[1], "b=c");
    assert_string_equal(d.inputs[2], "c");
    assert_true(d.verbose);
    assert_int_equal(d.bits, 0x14);
    cli_opts_free(&p);
    assert_null(d.inputs);
    assert_int_equal(d.ninputs, 0);
    cli_opts_free(&p); /* twice: nothing left to free */
}

/* A choice stores the value of its name; an alias the value of the name
 * before it; the last one given wins. */
static void store_choice(void **state)
{
    (void)state;
    static const struct {
        int argc;
        char *argv[4];
        int colour;
    } cases[] = {
        {3, {"cmd", "--colour", "green"}, 2},
        {2, {"cmd", "--colour=bleu"}, 3},
        {2, {"cmd", "-crouge"}, 1},
        {4, {"cmd", "-c", "red", "--colour=blue"}, 3},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct dest d;
        memset(&d, 0, sizeof d);
        struct cli_opts p;
        char res[256], err[256];
        char *argv[4] = {cases[i].argv[0], cases[i].argv[1], cases[i].argv[2], cases[i].argv[3]};
        parse_stored(argv, cases[i].argc, &d, &p, res, sizeof res, err, sizeof err);
        assert_string_equal(err, "");
        assert_int_equal(d.colour, cases[i].colour);
    }
}

/* A usage error stops the parse with its message and stores nothing more;
 * what was stored before it is freed as usual. */
static void store_errors(void **state)
{
    (void)state;
    static const struct {
        int argc;
        char *argv[4];
        const char *res, *err;
        size_t ninputs;
    } cases[] = {
        {4, {"cmd", "--in", "a", "--in"}, "-4=a -3=-", "dcs: cmd: --in needs a value (FILE)\n", 1},
        {3, {"cmd", "-i", "a", NULL}, "-4=a 0=-", "", 1},
        {2, {"cmd", "--verbose=yes"}, "-3=-", "dcs: cmd: option '--verbose' takes no value\n", 0},
        {3, {"cmd", "--in", "a", NULL}, "-4=a 0=-", "", 1},
        {2, {"cmd", "--inn"}, "-3=-", "dcs: cmd: unknown option '--inn' (try 'dcs cmd --help')\n",
         0},
        {2, {"cmd", "-vi"}, "-3=-", "dcs: cmd: unknown option '-vi' (try 'dcs cmd --help')\n", 0},
        {2, {"cmd", "-o"}, "-3=-", "dcs: cmd: -o needs a value (FILE)\n", 0},
        {3, {"cmd", "--colour", "Red"}, "-3=-",
         "dcs: cmd: unknown colour 'Red' (red, green or blue)\n", 0},
        {2, {"cmd", "--colour="}, "-3=-", "dcs: cmd: unknown colour '' (red, green or blue)\n", 0},
        {2, {"cmd", "--colour"}, "-3=-", "dcs: cmd: --colour needs a value (C)\n", 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct dest d;
        memset(&d, 0, sizeof d);
        struct cli_opts p;
        char res[256], err[256];
        char *argv[4] = {cases[i].argv[0], cases[i].argv[1], cases[i].argv[2], cases[i].argv[3]};
        parse_stored(argv, cases[i].argc, &d, &p, res, sizeof res, err, sizeof err);
        assert_string_equal(res, cases[i].res);
        assert_string_equal(err, cases[i].err);
        assert_int_equal(d.ninputs, cases[i].ninputs);
        assert_int_equal(d.colour, 0);
        assert_null(d.out);
        assert_false(d.verbose);
        cli_opts_free(&p);
    }
}

/* A heading row prints alone; a row without help is not listed; a stored
 * option is listed like any other. */
static void help_headings(void **state)
{
    (void)state;
    char buf[1024];
    FILE *f = fmemopen(buf, sizeof buf, "w");
    assert_non_null(f);
    cli_opts_help(f, stored, CLI_NOPTS(stored));
    fclose(f);
    assert_string_equal(buf, "STORED:\n"
                             "  -o, --out FILE              the output\n"
                             "  -i, --in FILE               an input (repeatable)\n"
                             "  -v, --verbose               say more\n"
                             "      --strict                strict\n"
                             "      --mode M                handed back\n"
                             "  -c, --colour C              red, green or blue\n");
}

/* The heading row has no name: it is never matched as an option. */
static void heading_not_an_option(void **state)
{
    (void)state;
    struct dest d;
    memset(&d, 0, sizeof d);
    struct cli_opts p;
    char res[256], err[256];
    char *a[] = {"cmd", "--STORED:", "--"};
    parse_stored(a, 2, &d, &p, res, sizeof res, err, sizeof err);
    assert_string_equal(res, "-3=-");
    assert_string_equal(err, "dcs: cmd: unknown option '--STORED:' (try 'dcs cmd --help')\n");
    parse_stored(a + 1, 2, &d, &p, res, sizeof res, err, sizeof err);
    assert_string_equal(res, "0=-");
    assert_string_equal(err, "");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(spellings),
        cmocka_unit_test(usage_errors),
        cmocka_unit_test(help_lines),
        cmocka_unit_test(store_fields),
        cmocka_unit_test(store_errors),
        cmocka_unit_test(store_choice),
        cmocka_unit_test(help_headings),
        cmocka_unit_test(heading_not_an_option),
    };
    return cmocka_run_group_tests_name("opts", tests, NULL, NULL);
}
