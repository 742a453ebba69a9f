/* dcs reg dump | convert: read .reg files the way reg.exe does, write them
 * the way regedit does. */
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cmd.h"
#include "opts.h"
#include "reg_out.h"
#include <dcs/regconv.h>
#include <dcs/regio.h>
#include <dcs/regread.h>

static void usage(FILE *out)
{
    fprintf(out,
            "usage: dcs reg dump [--json] [--strict] [--count] [--quiet]\n"
            "                    [--codepage cp1252|utf8] FILE\n"
            "       dcs reg convert IN -o OUT [--format regedit5|regedit4]\n"
            "                    [--encoding utf16le|utf8|ansi] [--strict]\n"
            "                    [--codepage cp1252|utf8] [--quiet]\n"
            "       dcs reg import --hive FILE --prefix PREFIX [OPTIONS] IN.reg\n"
            "       dcs reg export --hive FILE --prefix PREFIX [KEY] -o OUT.reg\n"
            "\n"
            "dump     list the operations a .reg file performs, in file order, as\n"
            "         reg.exe import would (--json: one JSON object per line;\n"
            "         --count: only the totals).  Skipped lines are reported on\n"
            "         stderr as FILE:LINE:COL: warning: ...\n"
            "convert  import IN and export the same keys the way regedit does;\n"
            "         an untouched regedit export converts to itself.  OUT ending\n"
            "         in .gz is gzip-compressed; an existing OUT is kept as OUT.bak.\n"
            "import   apply IN to an offline hive mounted at PREFIX (e.g.\n"
            "         'HKEY_USERS\\S-1-5-19'): creates missing keys, applies\n"
            "         deletions, refuses keys outside PREFIX with nothing written\n"
            "export   write KEY (default: the whole hive) of an offline hive as\n"
            "         regedit would, with PREFIX as the root\n"
            "         ('dcs reg import --help' / 'dcs reg export --help')\n"
            "\n"
            "Input may be gzip-compressed.  8-bit files are read as Windows-1252\n"
            "unless --codepage utf8.  --strict makes every line Windows would skip\n"
            "an error.  --quiet silences warnings and the progress line.\n"
            "\n"
            "exit status: 0 Windows accepts the file (even with skipped lines);\n"
            "1 Windows rejects it, or an error; 2 usage error.\n");
}

struct reg_args {
    const char *in, *out;
    bool json, strict, count, quiet;
    int codepage, format, encoding; /* enum dcs_reg_codepage, _format, _out_encoding */
    struct dcs_reg_reader_options ropt;
    struct dcs_reg_writer_options wopt;
};

/* The code pages, formats and encodings every reg command takes. */
const struct cli_choice reg_codepages[] = {
    {"cp1252", DCS_REG_CP1252}, {"1252", DCS_REG_CP1252},
    {"utf8", DCS_REG_CP_UTF8},  {"utf-8", DCS_REG_CP_UTF8},
    {NULL, 0},
};
const struct cli_choice reg_formats[] = {
    {"regedit5", DCS_REG_FORMAT_REGEDIT5},
    {"regedit4", DCS_REG_FORMAT_REGEDIT4},
    {NULL, 0},
};
const struct cli_choice reg_encodings[] = {
    {"utf16le", DCS_REG_OUT_UTF16LE}, {"utf-16le", DCS_REG_OUT_UTF16LE},
    {"utf8", DCS_REG_OUT_UTF8},       {"utf-8", DCS_REG_OUT_UTF8},
    {"ansi", DCS_REG_OUT_ANSI},       {"cp1252", DCS_REG_OUT_ANSI},
    {NULL, 0},
};

#define T struct reg_args
#define STRICT CLI_FLAG("strict", 0, T, strict, "a line Windows would skip is an error")
#define QUIET CLI_FLAG("quiet", 'q', T, quiet, "no warnings for skipped lines, no progress line")
#define CODEPAGE                                                                          \
    CLI_CHOICE("codepage", 0, "CP", T, codepage, reg_codepages, "code page",             \
               "cp1252 (default) or utf8, for 8-bit files")
static const struct cli_opt dump_table[] = {
    CLI_FLAG("json", 0, T, json, "one JSON object per operation, one per line"),
    CLI_FLAG("count", 0, T, count, "only the totals"),
    STRICT,
    QUIET,
    CODEPAGE,
};
static const struct cli_opt convert_table[] = {
    CLI_STRING("output", 'o', "OUT", T, out,
               "the file to write (required; .gz: gzip; an\nexisting OUT is kept as OUT.bak)"),
    CLI_CHOICE("format", 0, "F", T, format, reg_formats, "format",
               "regedit5 (default) or regedit4"),
    CLI_CHOICE("encoding", 0, "E", T, encoding, reg_encodings, "encoding",
               "utf16le, utf8 or ansi (default: utf16le for\nregedit5, ansi for regedit4)"),
    STRICT,
    QUIET,
    CODEPAGE,
};
#undef CODEPAGE
#undef QUIET
#undef STRICT
#undef T

/* `dcs reg dump --help`, `dcs reg convert --help`. */
static void usage_sub(FILE *out, bool convert)
{
    fprintf(out, "%s", convert ? "usage: dcs reg convert IN -o OUT [OPTIONS]\n\n"
                                 "Import IN and export the same keys the way regedit does.\n\n"
                               : "usage: dcs reg dump [OPTIONS] FILE\n\n"
                                 "List the operations a .reg file performs, in file order.\n\n");
    if (convert)
        cli_opts_help(out, convert_table, CLI_NOPTS(convert_table));
    else
        cli_opts_help(out, dump_table, CLI_NOPTS(dump_table));
    fprintf(out, "\n"
                 "exit status: 0 Windows accepts the file (even with skipped lines);\n"
                 "1 Windows rejects it, or an error; 2 usage error.\n");
}

static int parse_args(int argc, char **argv, bool convert, struct reg_args *a)
{
    memset(a, 0, sizeof *a);
    struct cli_opts p;
    cli_opts_init(&p, convert ? "reg convert" : "reg dump", convert ? convert_table : dump_table,
                  convert ? CLI_NOPTS(convert_table) : CLI_NOPTS(dump_table), a, argc - 1,
                  argv + 1);
    const char *v;
    for (int id; (id = cli_opts_next(&p, &v)) != CLI_OPT_END;) {
        if (id == CLI_OPT_HELP) {
            usage_sub(stdout, convert);
            return -1;
        }
        if (id == CLI_OPT_ERROR)
            return EXIT_USAGE;
        if (id != CLI_OPT_ARG)
            continue;
        if (a->in) {
            cli_errorf("reg: unexpected argument '%s'", v);
            return EXIT_USAGE;
        }
        a->in = v;
    }
    if (!a->in || (convert && !a->out)) {
        usage(stderr);
        return EXIT_USAGE;
    }
    a->ropt.strict = a->strict;
    a->ropt.codepage = (enum dcs_reg_codepage)a->codepage;
    a->wopt.format = (enum dcs_reg_format)a->format;
    a->wopt.encoding = (enum dcs_reg_out_encoding)a->encoding;
    return 0;
}

/* Exit status for a failure: reading errors name the file and place. */
static int fail(const char *file, const struct dcs_error *e)
{
    if (e->line)
        reg_diag(file, e, true);
    else
        cli_report(file, e);
    return EXIT_BAD_INPUT;
}

static int reg_dump(int argc, char **argv)
{
    struct reg_args a;
    int rc = parse_args(argc, argv, false, &a);
    if (rc)
        return rc < 0 ? EXIT_OK : rc;
    struct dcs_error err;
    dcs_error_clear(&err);
    struct dcs_reg_source *src = NULL;
    struct dcs_reg_reader *r = NULL;
    dcs_status st = dcs_reg_source_open(a.in, 0, &src, &err);
    if (!st)
        st = dcs_reg_reader_new(&a.ropt, &r, &err);
    if (st) {
        dcs_reg_source_close(src);
        return fail(a.in, &err);
    }
    static char obuf[1 << 20];
    setvbuf(stdout, obuf, _IOFBF, sizeof obuf);
    struct reg_progress prog;
    reg_progress_init(&prog, a.in, dcs_reg_source_size(src), a.quiet);
    uint64_t shown = 0;
    for (;;) {
        struct dcs_reg_op op;
        st = dcs_reg_source_next(src, r, &op, &err);
        if (st)
            break;
        if (dcs_reg_source_pos(src) != shown) { /* a chunk was read */
            shown = dcs_reg_source_pos(src);
            reg_progress_update(&prog, shown, dcs_reg_source_size(src));
        }
        if (op.kind == DCS_REG_OP_END)
            break;
        switch (op.kind) {
        case DCS_REG_OP_WARNING:
            if (!a.quiet) {
                reg_progress_done(&prog);
                fflush(stdout);
                reg_diag(a.in, op.warning, false);
            }
            break;
        default:
            if (a.count)
                break;
            if (a.json)
                reg_op_json(stdout, &op);
            else
                reg_op_text(stdout, &op);
        }
    }
    reg_progress_done(&prog);
    const struct dcs_reg_reader_stats *rs = dcs_reg_reader_stats(r);
    if (!st && a.count) {
        printf("keys_created %llu\nkeys_deleted %llu\nvalues_set %llu\nvalues_deleted %llu\n"
               "warnings %llu\nlines %llu\nbytes %llu\n",
               (unsigned long long)rs->keys_created, (unsigned long long)rs->keys_deleted,
               (unsigned long long)rs->values_set, (unsigned long long)rs->values_deleted,
               (unsigned long long)rs->warnings, (unsigned long long)rs->lines,
               (unsigned long long)rs->bytes);
    }
    if (fflush(stdout) != 0 && !st)
        st = dcs_error_set(&err, DCS_ERR_IO, DCS_NO_OFFSET, "write to stdout failed");
    dcs_reg_reader_free(r);
    dcs_reg_source_close(src);
    return st ? fail(a.in, &err) : EXIT_OK;
}

static void warn_cb(void *ctx, const struct dcs_error *w)
{
    reg_diag(ctx, w, false);
}

static bool ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), k = strlen(suffix);
    return n >= k && strcmp(s + n - k, suffix) == 0;
}

static int reg_convert(int argc, char **argv)
{
    struct reg_args a;
    int rc = parse_args(argc, argv, true, &a);
    if (rc)
        return rc < 0 ? EXIT_OK : rc;
    struct dcs_error err;
    dcs_error_clear(&err);
    struct dcs_reg_source *src = NULL;
    struct dcs_reg_sink *sink = NULL;
    dcs_status st = dcs_reg_source_open(a.in, 0, &src, &err);
    if (st)
        return fail(a.in, &err);
    st = dcs_reg_sink_open(a.out, ends_with(a.out, ".gz"), &sink, &err);
    if (st) {
        dcs_reg_source_close(src);
        cli_report(a.out, &err);
        return EXIT_BAD_INPUT;
    }
    struct reg_progress prog;
    reg_progress_init(&prog, a.in, dcs_reg_source_size(src), a.quiet);
    struct dcs_reg_convert_options opt = {
        .reader = a.ropt,
        .writer = a.wopt,
        .on_warning = a.quiet ? NULL : warn_cb,
        .warning_ctx = (void *)a.in,
        .on_progress = reg_progress_update,
        .progress_ctx = &prog,
    };
    struct dcs_reg_output out = {dcs_reg_sink_write,
                                 dcs_reg_sink_can_rewind(sink) ? dcs_reg_sink_rewind : NULL, sink};
    struct dcs_reg_convert_stats cs;
    st = dcs_reg_convert(src, &out, &opt, &cs, &err);
    reg_progress_done(&prog);
    dcs_reg_source_close(src);
    if (st) {
        dcs_reg_sink_close(sink);
        return fail(a.in, &err);
    }
    st = dcs_reg_sink_commit(sink, true, &err);
    if (st) {
        cli_report(a.out, &err);
        return EXIT_BAD_INPUT;
    }
    if (cs.lossy && !a.quiet)
        cli_warnf("%s: %llu character(s) have no equivalent in the output code page and were "
                  "written as '?'",
                  a.out, (unsigned long long)cs.lossy);
    return EXIT_OK;
}

int cmd_reg(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return EXIT_USAGE;
    }
    if (cli_is(argv[1], "--help", "-h") || strcmp(argv[1], "help") == 0) {
        usage(stdout);
        return EXIT_OK;
    }
    if (strcmp(argv[1], "dump") == 0)
        return reg_dump(argc, argv);
    if (strcmp(argv[1], "convert") == 0)
        return reg_convert(argc, argv);
    /* -- hive room */
    if (strcmp(argv[1], "import") == 0)
        return cmd_reg_hive_import(argc - 1, argv + 1);
    if (strcmp(argv[1], "export") == 0)
        return cmd_reg_hive_export(argc - 1, argv + 1);
    cli_errorf("reg: unknown subcommand '%s' (dump or convert)", argv[1]);
    return EXIT_USAGE;
}
