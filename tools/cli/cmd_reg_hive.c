/* dcs reg import / dcs reg export: .reg files into and out of an offline
 * hive file, under a mount-point prefix (`HKEY_USERS\S-1-5-19`). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cli.h"
#include "cmd.h"
#include "mapguard.h"
#include "opts.h"
#include "reg_out.h"

struct import_opts {
    const char *prefix;
    bool force, quiet;
    struct dcs_reg_reader_options reader;
    const char *hive; /* --hive */
    int codepage;     /* enum dcs_reg_codepage */
    uint64_t filetime; /* SOURCE_DATE_EPOCH; 0: the clock */
};

static const struct cli_opt import_table[] = {
    CLI_STRING("hive", 0, "HIVE", struct import_opts, hive, "the hive file (required)"),
    CLI_STRING("prefix", 0, "PREFIX", struct import_opts, prefix,
               "where the hive is mounted (required)"),
    CLI_FLAG("force", 0, struct import_opts, force,
             "write a dirty hive (its pending log changes are\nlost)"),
    CLI_FLAG("strict", 0, struct import_opts, reader.strict,
             "a line Windows would skip is an error"),
    CLI_CHOICE("codepage", 0, "CP", struct import_opts, codepage, reg_codepages, "code page",
               "cp1252 (default) or utf8, for 8-bit files"),
    CLI_FLAG("quiet", 'q', struct import_opts, quiet,
             "no warnings for skipped lines, no summary line\n"
             "(errors, and what --force loses, are still said)"),
};

struct export_opts {
    const char *hive, *prefix, *key, *out;
    bool quiet;
    int format, encoding; /* enum dcs_reg_format, dcs_reg_out_encoding */
};

static const struct cli_opt export_table[] = {
    CLI_STRING("hive", 0, "HIVE", struct export_opts, hive, "the hive file (required)"),
    CLI_STRING("prefix", 0, "PREFIX", struct export_opts, prefix,
               "the root the keys are named under (required)"),
    CLI_STRING("output", 'o', "OUT", struct export_opts, out,
               "the file to write (default: standard output)"),
    CLI_CHOICE("format", 0, "F", struct export_opts, format, reg_formats, "format",
               "regedit5 (default) or regedit4"),
    CLI_CHOICE("encoding", 0, "E", struct export_opts, encoding, reg_encodings, "encoding",
               "utf16le, utf8 or ansi (default: utf16le for\nregedit5, ansi for regedit4)"),
    CLI_FLAG("quiet", 'q', struct export_opts, quiet, "no warnings"),
};

static void usage_import(FILE *out)
{
    fprintf(out,
            "usage: dcs reg import --hive HIVE --prefix PREFIX [OPTIONS] IN.reg\n"
            "\n"
            "Apply a .reg file (regedit 5.00 UTF-16LE or REGEDIT4) to an offline hive\n"
            "mounted at PREFIX (for example 'HKEY_USERS\\S-1-5-19'; long root names):\n"
            "creates missing parent keys, applies [-key] and \"value\"=- deletions.  Any\n"
            "key outside PREFIX is an error and nothing is written.  The hive is replaced\n"
            "atomically (temporary file, fsync, rename).\n"
            "\n");
    cli_opts_help(out, import_table, CLI_NOPTS(import_table));
    fprintf(out,
            "\n"
            "exit status: 0 imported (even with skipped lines); 1 bad input or error,\n"
            "nothing written; 2 usage error; 3 refused an unsafe (dirty or damaged) hive,\n"
            "nothing written.\n");
}

static void usage_export(FILE *out)
{
    fprintf(out,
            "usage: dcs reg export --hive HIVE --prefix PREFIX [KEY] [-o OUT.reg]\n"
            "                      [--format regedit5|regedit4] [--encoding utf16le|utf8|ansi]\n"
            "                      [--quiet]\n"
            "\n"
            "Export KEY (a path inside the hive, or PREFIX\\path; default: the whole hive)\n"
            "and its subtree in regedit's layout, keys named PREFIX\\KEY.  Default output:\n"
            "standard output, regedit 5.00 in UTF-16LE as regedit.exe writes.  OUT is\n"
            "written atomically (temporary file, fsync, rename).  A key name holding a\n"
            "NUL or a line break is written as it is, with a warning: regedit cannot\n"
            "import such a key back.\n"
            "\n");
    cli_opts_help(out, export_table, CLI_NOPTS(export_table));
    fprintf(out,
            "\n"
            "exit status: 0 exported (even with warnings); 1 bad input or error (KEY\n"
            "not found, output not writable), OUT not written; 2 usage error; 3 refused\n"
            "a damaged hive, OUT not written.\n");
}

static int exit_for(dcs_status st)
{
    switch (st) {
    case DCS_ERR_HIVE_SIGNATURE:
    case DCS_ERR_HIVE_CHECKSUM:
    case DCS_ERR_HIVE_VERSION:
    case DCS_ERR_HIVE_TYPE:
    case DCS_ERR_HIVE_DIRTY:
    case DCS_ERR_HIVE_TRUNCATED:
    case DCS_ERR_HIVE_CORRUPT:
        return EXIT_UNSAFE;
    case DCS_ERR_HIVE_ROLLBACK:
        return EXIT_HIVES_CHANGED;
    default:
        return EXIT_BAD_INPUT;
    }
}

static void warn_line(void *ctx, const struct dcs_error *w)
{
    cli_report((const char *)ctx, w);
}

/* A key regedit cannot import back: "OUT: warning: ..." (stdout: "-"). */
static void warn_key(void *ctx, const struct dcs_error *w)
{
    cli_warnf("%s: %s", (const char *)ctx, w->message);
}

static dcs_status import_file(const char *hive, const char *in, const struct import_opts *o,
                              struct dcs_hive_import_stats *stats, struct dcs_error *err)
{
    dcs_hive *h;
    unsigned flags = DCS_HIVE_WRITE | (o->force ? DCS_HIVE_FORCE : 0);
    dcs_status st = dcs_hive_open(hive, flags, &h, err);
    if (st != DCS_OK)
        return st;
    if (o->filetime)
        dcs_hive_set_time(h, o->filetime);
    if (dcs_hive_state_dirty(dcs_hive_get_state(h)))
        cli_warnf("%s is dirty (%s); --force: its pending log changes will be lost", hive,
                  dcs_hive_state_reason(dcs_hive_get_state(h)));
    struct dcs_reg_source *src;
    /* mapped, not read: a third less CPU on a large file; the file is read
     * whole before the commit writes anything, so the guard's exit (the
     * file shrank meanwhile) leaves every file as it was */
    st = dcs_reg_source_open_flags(in, 0, DCS_REG_SOURCE_MAP, &src, err);
    if (st == DCS_OK) {
        const void *map;
        size_t maplen;
        if (dcs_reg_source_mapping(src, &map, &maplen))
            cli_mapguard_set(in, map, maplen);
        st = dcs_hive_import_reg(h, o->prefix, &o->reader, src, o->quiet ? NULL : warn_line,
                                 (void *)in, stats, err);
        cli_mapguard_clear();
        dcs_reg_source_close(src);
    }
    if (st == DCS_OK)
        st = dcs_hive_commit_all(&h, 1, err);
    dcs_hive_close(h);
    return st;
}

/* The command line into *o; -1 to go on, else the exit code. */
static int parse_import(int argc, char **argv, struct import_opts *o, const char **in)
{
    struct cli_opts p;
    cli_opts_init(&p, "reg import", import_table, CLI_NOPTS(import_table), o, argc, argv);
    const char *v;
    for (int id; (id = cli_opts_next(&p, &v)) != CLI_OPT_END;) {
        if (id == CLI_OPT_HELP) {
            usage_import(stdout);
            return EXIT_OK;
        }
        if (id == CLI_OPT_ERROR)
            return EXIT_USAGE;
        if (id == CLI_OPT_ARG && *in) {
            cli_errorf("reg import: unexpected argument '%s'", v);
            usage_import(stderr);
            return EXIT_USAGE;
        }
        if (id == CLI_OPT_ARG)
            *in = v;
    }
    if (!o->hive || !o->prefix || !*in) {
        cli_errorf("reg import: --hive, --prefix and an input file are required");
        usage_import(stderr);
        return EXIT_USAGE;
    }
    o->reader.codepage = (enum dcs_reg_codepage)o->codepage;
    return -1;
}

int cmd_reg_hive_import(int argc, char **argv)
{
    const char *hive = NULL, *in = NULL;
    struct import_opts o = {0};
    int done = parse_import(argc, argv, &o, &in);
    if (done >= 0)
        return done;
    hive = o.hive;
    if (!cli_source_date("reg import", &o.filetime))
        return EXIT_USAGE;
    struct dcs_hive_import_stats stats;
    struct dcs_error err;
    dcs_error_clear(&err);
    dcs_status st = import_file(hive, in, &o, &stats, &err);
    if (st != DCS_OK) {
        cli_report(err.line ? in : hive, &err);
        if (st != DCS_ERR_HIVE_ROLLBACK) /* else the message says what the hive holds */
            cli_errorf("reg import: nothing was written to %s", hive);
        return exit_for(st);
    }
    if (!o.quiet)
        fprintf(stderr,
            "%s: %llu keys created, %llu values set, %llu keys and %llu values deleted%s\n",
            hive, (unsigned long long)stats.keys_created, (unsigned long long)stats.values_set,
            (unsigned long long)stats.keys_deleted, (unsigned long long)stats.values_deleted,
            stats.warnings ? " (with warnings)" : "");
    return EXIT_OK;
}

static dcs_status export_file(const char *hive, const char *prefix, const char *key,
                              const struct dcs_reg_writer_options *wo, const char *out,
                              bool quiet, struct dcs_error *err)
{
    dcs_hive *h;
    dcs_status st = dcs_hive_open(hive, DCS_HIVE_READ | DCS_HIVE_RECOVER, &h, err);
    if (st != DCS_OK)
        return st;
    const dcs_hive_state *hs = dcs_hive_get_state(h);
    if (dcs_hive_state_dirty(hs) && dcs_hive_state_recovered(hs) && !quiet)
        cli_warnf("%s is dirty: exported with its transaction logs replayed in memory (%u "
                  "entries); the file is unchanged",
                  hive, dcs_hive_state_recovered_entries(hs));
    else if (dcs_hive_state_dirty(hs) && !quiet)
        cli_warnf("%s is dirty (%s): exported without its transaction logs", hive,
                  dcs_hive_state_reason(hs));
    struct dcs_reg_sink *sink = NULL;
    struct dcs_reg_writer *w = NULL;
    st = dcs_reg_sink_open(out, false, &sink, err);
    if (st == DCS_OK)
        st = dcs_reg_writer_new(wo, dcs_reg_sink_write, sink, &w, err);
    if (st == DCS_OK && !quiet)
        dcs_reg_writer_set_warn(w, warn_key, (void *)out);
    if (st == DCS_OK)
        st = dcs_hive_export_reg(h, prefix, key, w, err);
    if (st == DCS_OK)
        st = dcs_reg_writer_finish(w, err);
    dcs_reg_writer_free(w);
    if (sink) {
        if (st == DCS_OK)
            st = dcs_reg_sink_commit(sink, false, err);
        else
            dcs_reg_sink_close(sink);
    }
    dcs_hive_close(h);
    return st;
}

/* The command line into *o; -1 to go on, else the exit code. */
static int parse_export(int argc, char **argv, struct export_opts *o)
{
    struct cli_opts p;
    cli_opts_init(&p, "reg export", export_table, CLI_NOPTS(export_table), o, argc, argv);
    const char *v;
    for (int id; (id = cli_opts_next(&p, &v)) != CLI_OPT_END;) {
        if (id == CLI_OPT_HELP) {
            usage_export(stdout);
            return EXIT_OK;
        }
        if (id == CLI_OPT_ERROR)
            return EXIT_USAGE;
        if (id == CLI_OPT_ARG && o->key) {
            cli_errorf("reg export: unexpected argument '%s'", v);
            usage_export(stderr);
            return EXIT_USAGE;
        }
        if (id == CLI_OPT_ARG)
            o->key = v;
    }
    if (!o->hive || !o->prefix) {
        cli_errorf("reg export: --hive and --prefix are required");
        usage_export(stderr);
        return EXIT_USAGE;
    }
    return -1;
}

int cmd_reg_hive_export(int argc, char **argv)
{
    struct export_opts o = {.out = "-"};
    int done = parse_export(argc, argv, &o);
    if (done >= 0)
        return done;
    const char *hive = o.hive, *prefix = o.prefix, *key = o.key, *out = o.out;
    bool quiet = o.quiet;
    struct dcs_reg_writer_options wo = {(enum dcs_reg_format)o.format,
                                        (enum dcs_reg_out_encoding)o.encoding};
    /* KEY may repeat the prefix */
    size_t plen = strlen(prefix);
    if (key && strncasecmp(key, prefix, plen) == 0 && (key[plen] == '\\' || !key[plen]))
        key += plen;
    struct dcs_error err;
    dcs_error_clear(&err);
    dcs_status st = export_file(hive, prefix, key ? key : "", &wo, out, quiet, &err);
    if (st != DCS_OK) {
        cli_report(hive, &err);
        return exit_for(st);
    }
    return EXIT_OK;
}
