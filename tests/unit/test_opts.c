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
    {"flag", 0, NULL, O_FLAG, "a flag"},
    {"name", 0, "NAME", O_NAME, "a value\nover two lines"},
    {"output", 'o', "FILE", O_OUT, "where"},
    {"hidden", 0, NULL, 9, NULL},
};
#define N (sizeof table / sizeof table[0])

/* Run the parser over argv; the ids and values as "id=value ..." text. */
static void parse(char **argv, int argc, char *out, size_t cap)
{
    struct cli_opts p;
    cli_opts_init(&p, "cmd", table, N, argc, argv);
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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(spellings),
        cmocka_unit_test(usage_errors),
        cmocka_unit_test(help_lines),
    };
    return cmocka_run_group_tests_name("opts", tests, NULL, NULL);
}
