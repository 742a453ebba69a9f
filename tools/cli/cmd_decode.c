/* dcs decode: one blob (binary or hex text) to a readable table or JSON. */
#include <stdlib.h>
#include <string.h>

#include "blobview.h"
#include "cli.h"
#include "cmd.h"
#include "apply_render.h"
#include "json.h"
#include "reg_blob.h"

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
            "a REG_BINARY value (one number per line); the kind is detected.\n"
            "\n"
            "  --json      print one JSON object (schema in README)\n"
            "  --compact   with --json: on one line\n"
            "  --strict    reject anything Windows would not write\n"
            "  --wininet   require the WinINET layout (versions >= 0x3c)\n"
            "  --winhttp   require the WinHttpSettings layout (0x18, 0x28)\n"
            "  --hive HIVE read the value from an offline hive file; --key (default\n"
            "              Software\\Microsoft\\Windows\\CurrentVersion\\Internet Settings\\\n"
            "              Connections) and --value (default DefaultConnectionSettings)\n"
            "\n"
            "exit status: 0 decoded; 1 bad input (message names the byte offset); 2 usage.\n");
}

int cmd_decode(int argc, char **argv)
{
    int json = 0, compact = 0;
    unsigned options = DCS_DECODE_LENIENT | DCS_DECODE_CHECK_TEXT;
    const char *path = NULL;
    struct {
        const char *hive, *key, *value;
    } hive = {0};
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (cli_is(a, "--help", "-h")) {
            usage(stdout);
            return EXIT_OK;
        } else if (strcmp(a, "--json") == 0) {
            json = 1;
        } else if (strcmp(a, "--compact") == 0) {
            compact = 1;
        } else if (strcmp(a, "--strict") == 0) {
            options |= DCS_DECODE_STRICT;
        } else if (strcmp(a, "--wininet") == 0) {
            options |= DCS_DECODE_WININET;
        } else if (strcmp(a, "--winhttp") == 0) {
            options |= DCS_DECODE_WINHTTP;
        } else if ((strcmp(a, "--hive") == 0 || strcmp(a, "--key") == 0 ||
                    strcmp(a, "--value") == 0) && i + 1 < argc) {
            *(a[2] == 'h' ? &hive.hive : a[2] == 'k' ? &hive.key : &hive.value) = argv[++i];
        } else if (a[0] == '-' && a[1] != '\0') {
            cli_errorf("decode: unknown option '%s'", a);
            usage(stderr);
            return EXIT_USAGE;
        } else if (path) {
            cli_errorf("decode: more than one input");
            return EXIT_USAGE;
        } else {
            path = a;
        }
    }
    if ((options & DCS_DECODE_WININET) && (options & DCS_DECODE_WINHTTP)) {
        cli_errorf("decode: --wininet and --winhttp exclude each other");
        return EXIT_USAGE;
    }
    if ((hive.key || hive.value) && !hive.hive) {
        cli_errorf("decode: --key and --value go with --hive");
        return EXIT_USAGE;
    }
    if (hive.hive && path) {
        cli_errorf("decode: --hive and an input file exclude each other");
        return EXIT_USAGE;
    }
    if (hive.hive)
        path = hive.hive;
    if (!path)
        path = "-";

    /* -- reg room: .reg files (any size, plain or gzip) hold several blobs */
    if (reg_sniff_file(path))
        return reg_decode_file(path, json, compact, options);

    uint8_t *data = NULL;
    size_t len = 0;
    struct dcs_error err;
    dcs_error_clear(&err);
    enum cli_input_kind kind = CLI_INPUT_BINARY;
    dcs_status st = hive.hive ? dcs_apply_read_blob(hive.hive, hive.key, hive.value,
                                                      render_warning, NULL, &data, &len, &err)
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
