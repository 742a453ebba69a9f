/* dcs decode: one blob (binary or hex text) to a readable table or JSON. */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "blobview.h"
#include "cli.h"
#include "core/fileio.h"
#include "cmd.h"
#include "apply_render.h"
#include "json.h"
#include "opts.h"
#include "reg_blob.h"
#include "ship_decode.h"

struct decode_args {
    bool json, compact;
    unsigned options;
    const char *path;
    struct {
        const char *hive, *key, *value;
    } hive;
};

#define T struct decode_args
static const struct cli_opt decode_opts[] = {
    CLI_FLAG("json", 0, T, json, "print one JSON object (schema in README)"),
    CLI_FLAG("compact", 0, T, compact, "with --json: on one line"),
    CLI_BITS("strict", 0, T, options, DCS_DECODE_STRICT, "reject anything Windows would not write"),
    CLI_BITS("wininet", 0, T, options, DCS_DECODE_WININET,
             "require the WinINET layout (versions >= 0x3c)"),
    CLI_BITS("winhttp", 0, T, options, DCS_DECODE_WINHTTP,
             "require the WinHttpSettings layout (0x18, 0x28)"),
    CLI_STRING("hive", 0, "HIVE", T, hive.hive, "read the value from an offline hive file"),
    CLI_STRING("key", 0, "KEY", T, hive.key,
               "with --hive: the key (default Software\\Microsoft\\Windows\\\n"
               "CurrentVersion\\Internet Settings\\Connections)"),
    CLI_STRING("value", 0, "NAME", T, hive.value,
               "with --hive: the value (default DefaultConnectionSettings)"),
};
#undef T

static void usage(FILE *out)
{
    fprintf(out,
            "usage: dcs decode [--json] [--compact] [--strict] [--wininet|--winhttp] [FILE|-]\n"
            "       dcs decode [OPTIONS] --hive HIVE [--key KEY] [--value NAME]\n"
            "\n"
            "Decode a DefaultConnectionSettings / SavedLegacySettings / connectoid /\n"
            "WinHttpSettings blob.  FILE (default: standard input) may be raw binary or\n"
            "hex text: spaces, commas, a hex: prefix, \"Name\"=hex: and \\ continuations as\n"
            "in .reg files are accepted; or the decimal byte list PowerShell prints for\n"
            "a REG_BINARY value (one number per line); or a Group Policy Preferences\n"
            "Registry.xml or a batch file of `reg add` commands (every value they set,\n"
            "with --json its bytes as data_hex); the kind is detected.\n"
            "\n");
    cli_opts_help(out, decode_opts, sizeof decode_opts / sizeof decode_opts[0]);
    fprintf(out, "\n"
                 "exit status: 0 decoded; 1 bad input (message names the byte offset); 2 usage.\n");
}


/* The command line into a; -1 to go on, else the exit code. */
static int parse(int argc, char **argv, struct decode_args *a)
{
    struct cli_opts p;
    cli_opts_init(&p, "decode", decode_opts, CLI_NOPTS(decode_opts), a, argc, argv);
    const char *v;
    for (int id; (id = cli_opts_next(&p, &v)) != CLI_OPT_END;) {
        switch (id) {
        case CLI_OPT_HELP: usage(stdout); return EXIT_OK;
        case CLI_OPT_ERROR: return EXIT_USAGE;
        case CLI_OPT_STORED: break;
        default: /* CLI_OPT_ARG */
            if (a->path) {
                cli_errorf("decode: more than one input");
                return EXIT_USAGE;
            }
            a->path = v;
        }
    }
    if ((a->options & DCS_DECODE_WININET) && (a->options & DCS_DECODE_WINHTTP)) {
        cli_errorf("decode: --wininet and --winhttp exclude each other");
        return EXIT_USAGE;
    }
    if ((a->hive.key || a->hive.value) && !a->hive.hive) {
        cli_errorf("decode: --key and --value go with --hive");
        return EXIT_USAGE;
    }
    if (a->hive.hive && a->path) {
        cli_errorf("decode: --hive and an input file exclude each other");
        return EXIT_USAGE;
    }
    if (a->hive.hive)
        a->path = a->hive.hive;
    if (!a->path)
        a->path = "-";
    return -1;
}

int cmd_decode(int argc, char **argv)
{
    struct decode_args a = {false, false, DCS_DECODE_LENIENT | DCS_DECODE_CHECK_TEXT, NULL, {0}};
    int done = parse(argc, argv, &a);
    if (done >= 0)
        return done;
    int json = a.json, compact = a.compact;
    unsigned options = a.options;
    const char *path = a.path;

    /* -- reg room: .reg files (any size, plain or gzip) hold several blobs */
    if (reg_sniff_file(path))
        return reg_decode_file(path, json, compact, options);
    /* -- ship room: a Registry.xml or a batch file of reg add commands */
    int shipped = a.hive.hive ? -1 : ship_decode_file(path, json, compact, options);
    if (shipped >= 0)
        return shipped;

    uint8_t *data = NULL;
    size_t len = 0;
    struct dcs_error err;
    dcs_error_clear(&err);
    enum cli_input_kind kind = CLI_INPUT_BINARY;
    dcs_status st = DCS_OK;
    int fd = -1;
    struct stat sb;
    /* a FIFO or device would hang the hive reader: refuse it by its kind
     * (a missing file is left to the hive reader's own message) */
    if (a.hive.hive && stat(a.hive.hive, &sb) == 0 && !S_ISREG(sb.st_mode) &&
        (st = dcsi_open_input(a.hive.hive, 0, &fd, &err)) == DCS_OK)
        close(fd);
    if (st == DCS_OK)
        st = a.hive.hive ? dcs_apply_read_blob(a.hive.hive, a.hive.key, a.hive.value, render_warning,
                                             NULL, &data, &len, &err)
                       : cli_load_blob(path, &data, &len, &kind, &err);
    if (st == DCS_ERR_UNSUPPORTED && (kind == CLI_INPUT_REG || kind == CLI_INPUT_GZIP)) {
        int rc = reg_decode_buffer(path, data, len, json, compact, options); /* -- reg room */
        free(data);
        return rc;
    }
    if (st != DCS_OK) {
        cli_report(strcmp(path, "-") ? path : "<stdin>", &err);
        free(data);
        return EXIT_BAD_INPUT;
    }
    struct dcs_blob blob;
    st = dcs_blob_decode(data, len, options, &blob, &err);
    if (st != DCS_OK) {
        cli_report(strcmp(path, "-") ? path : "<stdin>", &err);
        free(data);
        return EXIT_BAD_INPUT;
    }
    int rc = EXIT_OK;
    if (json) {
        json_t *o = json_from_blob(&blob, len);
        if (!o || json_print(o, stdout, compact) != 0)
            rc = EXIT_BAD_INPUT;
        json_decref(o);
    } else {
        blobview_print(stdout, &blob, len);
    }
    for (uint32_t k = 0; k < blob.nwarnings; k++)
        cli_warnf("%s: offset %u: %s", strcmp(path, "-") ? path : "<stdin>",
                  blob.warnings[k].offset,
                  dcs_blob_warning_str((enum dcs_blob_warning_code)blob.warnings[k].code));
    free(data);
    if (fflush(stdout) != 0)
        rc = EXIT_BAD_INPUT;
    return rc;
}
