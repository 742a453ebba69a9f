/* dcs reg dump | convert: read .reg files the way reg.exe does, write them
 * the way regedit does. */
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cmd.h"
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
    struct dcs_reg_reader_options ropt;
    struct dcs_reg_writer_options wopt;
};

static int parse_args(int argc, char **argv, bool convert, struct reg_args *a)
{
    memset(a, 0, sizeof *a);
    for (int i = 2; i < argc; i++) {
        const char *s = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (cli_is(s, "--help", "-h")) {
            usage(stdout);
            return -1;
        } else if (!convert && strcmp(s, "--json") == 0) {
            a->json = true;
        } else if (!convert && strcmp(s, "--count") == 0) {
            a->count = true;
        } else if (strcmp(s, "--strict") == 0) {
            a->strict = true;
        } else if (cli_is(s, "--quiet", "-q")) {
            a->quiet = true;
        } else if (strcmp(s, "--codepage") == 0 && v) {
            i++;
            if (strcmp(v, "cp1252") == 0 || strcmp(v, "1252") == 0)
                a->ropt.codepage = DCS_REG_CP1252;
            else if (strcmp(v, "utf8") == 0 || strcmp(v, "utf-8") == 0)
                a->ropt.codepage = DCS_REG_CP_UTF8;
            else {
                cli_errorf("reg: unknown code page '%s' (cp1252 or utf8)", v);
                return EXIT_USAGE;
            }
        } else if (convert && cli_is(s, "-o", "--output") && v) {
            a->out = argv[++i];
        } else if (convert && strcmp(s, "--format") == 0 && v) {
            i++;
            if (strcmp(v, "regedit5") == 0)
                a->wopt.format = DCS_REG_FORMAT_REGEDIT5;
            else if (strcmp(v, "regedit4") == 0)
                a->wopt.format = DCS_REG_FORMAT_REGEDIT4;
            else {
                cli_errorf("reg: unknown format '%s' (regedit5 or regedit4)", v);
                return EXIT_USAGE;
            }
        } else if (convert && strcmp(s, "--encoding") == 0 && v) {
            i++;
            if (strcmp(v, "utf16le") == 0 || strcmp(v, "utf-16le") == 0)
                a->wopt.encoding = DCS_REG_OUT_UTF16LE;
            else if (strcmp(v, "utf8") == 0 || strcmp(v, "utf-8") == 0)
                a->wopt.encoding = DCS_REG_OUT_UTF8;
            else if (strcmp(v, "ansi") == 0 || strcmp(v, "cp1252") == 0)
                a->wopt.encoding = DCS_REG_OUT_ANSI;
            else {
                cli_errorf("reg: unknown encoding '%s' (utf16le, utf8 or ansi)", v);
                return EXIT_USAGE;
            }
        } else if (s[0] == '-' && s[1]) {
            cli_errorf("reg: unknown or incomplete option '%s'", s);
            return EXIT_USAGE;
        } else if (!a->in) {
            a->in = s;
        } else {
            cli_errorf("reg: unexpected argument '%s'", s);
            return EXIT_USAGE;
        }
    }
    if (!a->in || (convert && !a->out)) {
        usage(stderr);
        return EXIT_USAGE;
    }
    a->ropt.strict = a->strict;
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
