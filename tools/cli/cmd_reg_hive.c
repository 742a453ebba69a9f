/* dcs reg import / dcs reg export: .reg files into and out of an offline
 * hive file, under a mount-point prefix (`HKEY_USERS\S-1-5-19`). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cli.h"
#include "cmd.h"

struct import_opts {
    const char *prefix;
    bool force, quiet;
    struct dcs_reg_reader_options reader;
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
            "\n"
            "  --force            write a dirty hive (its pending log changes are lost)\n"
            "  --strict           a line Windows would skip is an error\n"
            "  --codepage CP      cp1252 (default) or utf8, for 8-bit files\n"
            "  --quiet, -q        no warnings for skipped lines, no summary line\n"
            "                     (errors, and what --force loses, are still said)\n"
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
            "import such a key back (--quiet, -q: no warnings).\n"
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
    if (dcs_hive_state_dirty(dcs_hive_get_state(h)))
        cli_warnf("%s is dirty (%s); --force: its pending log changes will be lost", hive,
                  dcs_hive_state_reason(dcs_hive_get_state(h)));
    struct dcs_reg_source *src;
    st = dcs_reg_source_open(in, 0, &src, err);
    if (st == DCS_OK) {
        st = dcs_hive_import_reg(h, o->prefix, &o->reader, src, o->quiet ? NULL : warn_line,
                                 (void *)in, stats, err);
        dcs_reg_source_close(src);
    }
    if (st == DCS_OK)
        st = dcs_hive_commit_all(&h, 1, err);
    dcs_hive_close(h);
    return st;
}

int cmd_reg_hive_import(int argc, char **argv)
{
    const char *hive = NULL, *in = NULL;
    struct import_opts o = {0};
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (cli_is(a, "--help", "-h")) {
            usage_import(stdout);
            return EXIT_OK;
        } else if (strcmp(a, "--hive") == 0 && v) {
            hive = v;
            i++;
        } else if (strcmp(a, "--prefix") == 0 && v) {
            o.prefix = v;
            i++;
        } else if (strcmp(a, "--force") == 0) {
            o.force = true;
        } else if (strcmp(a, "--strict") == 0) {
            o.reader.strict = true;
        } else if (cli_is(a, "--quiet", "-q")) {
            o.quiet = true;
        } else if (strcmp(a, "--codepage") == 0 && v) {
            if (strcmp(v, "cp1252") == 0 || strcmp(v, "1252") == 0)
                o.reader.codepage = DCS_REG_CP1252;
            else if (strcmp(v, "utf8") == 0 || strcmp(v, "utf-8") == 0)
                o.reader.codepage = DCS_REG_CP_UTF8;
            else {
                cli_errorf("reg import: unknown code page '%s' (cp1252, utf8)", v);
                return EXIT_USAGE;
            }
            i++;
        } else if ((a[0] != '-' || strcmp(a, "-") == 0) && !in) {
            in = a;
        } else {
            cli_errorf("reg import: unexpected argument '%s'", a);
            usage_import(stderr);
            return EXIT_USAGE;
        }
    }
    if (!hive || !o.prefix || !in) {
        cli_errorf("reg import: --hive, --prefix and an input file are required");
        usage_import(stderr);
        return EXIT_USAGE;
    }
    if (!dcs_hive_supported()) {
        cli_errorf("reg import: this dcs was built without libhivex");
        return EXIT_BAD_INPUT;
    }
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

int cmd_reg_hive_export(int argc, char **argv)
{
    const char *hive = NULL, *prefix = NULL, *key = NULL, *out = "-";
    bool quiet = false;
    struct dcs_reg_writer_options wo = {DCS_REG_FORMAT_REGEDIT5, DCS_REG_OUT_DEFAULT};
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (cli_is(a, "--help", "-h")) {
            usage_export(stdout);
            return EXIT_OK;
        } else if (strcmp(a, "--hive") == 0 && v) {
            hive = v;
            i++;
        } else if (strcmp(a, "--prefix") == 0 && v) {
            prefix = v;
            i++;
        } else if (cli_is(a, "-o", "--output") && v) {
            out = v;
            i++;
        } else if (cli_is(a, "--quiet", "-q")) {
            quiet = true;
        } else if (strcmp(a, "--format") == 0 && v) {
            if (strcmp(v, "regedit5") == 0)
                wo.format = DCS_REG_FORMAT_REGEDIT5;
            else if (strcmp(v, "regedit4") == 0)
                wo.format = DCS_REG_FORMAT_REGEDIT4;
            else {
                cli_errorf("reg export: unknown format '%s' (regedit5, regedit4)", v);
                return EXIT_USAGE;
            }
            i++;
        } else if (strcmp(a, "--encoding") == 0 && v) {
            if (strcmp(v, "utf16le") == 0 || strcmp(v, "utf-16le") == 0)
                wo.encoding = DCS_REG_OUT_UTF16LE;
            else if (strcmp(v, "utf8") == 0 || strcmp(v, "utf-8") == 0)
                wo.encoding = DCS_REG_OUT_UTF8;
            else if (strcmp(v, "ansi") == 0 || strcmp(v, "cp1252") == 0)
                wo.encoding = DCS_REG_OUT_ANSI;
            else {
                cli_errorf("reg export: unknown encoding '%s' (utf16le, utf8, ansi)", v);
                return EXIT_USAGE;
            }
            i++;
        } else if (a[0] != '-' && !key) {
            key = a;
        } else {
            cli_errorf("reg export: unexpected argument '%s'", a);
            usage_export(stderr);
            return EXIT_USAGE;
        }
    }
    if (!hive || !prefix) {
        cli_errorf("reg export: --hive and --prefix are required");
        usage_export(stderr);
        return EXIT_USAGE;
    }
    if (!dcs_hive_supported()) {
        cli_errorf("reg export: this dcs was built without libhivex");
        return EXIT_BAD_INPUT;
    }
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
