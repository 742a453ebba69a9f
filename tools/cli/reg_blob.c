/* Proxy blobs in .reg files: decode them all, or write one as a .reg. */
#include "reg_blob.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "blobview.h"
#include "cli.h"
#include "core/text.h"
#include "json.h"
#include "reg_out.h"
#include <dcs/regio.h>
#include <dcs/regread.h>
#include <dcs/regwrite.h>

#define CONNECTIONS "\\Internet Settings\\Connections"

static bool is_proxy_value(const struct dcs_reg_op *op)
{
    static const char *const names[] = {"DefaultConnectionSettings", "SavedLegacySettings",
                                        "WinHttpSettings"};
    bool text = op->type == DCS_REG_SZ || op->type == DCS_REG_EXPAND_SZ ||
                op->type == DCS_REG_MULTI_SZ;
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (!text && strcasecmp(op->name, names[i]) == 0)
            return true;
    size_t k = strlen(CONNECTIONS);
    return op->type == DCS_REG_BINARY && op->key_len >= k &&
           strcasecmp(op->key + op->key_len - k, CONNECTIONS) == 0;
}

/* One blob: print it (text) or append it to arr (json); false on error. */
static bool decode_one(const char *path, const struct dcs_reg_op *op, unsigned options,
                       json_t *arr)
{
    struct dcs_blob blob;
    struct dcs_error err;
    dcs_error_clear(&err);
    if (dcs_blob_decode(op->data, op->data_len, options, &blob, &err) != DCS_OK) {
        fprintf(stderr, "%s:%lu:%lu: error: value '%s': byte %llu: %s\n", path,
                (unsigned long)op->line, (unsigned long)op->column, op->name,
                (unsigned long long)err.offset, err.message);
        return false;
    }
    if (arr) {
        /* JSON strings are Unicode: a name holding a lone UTF-16 surrogate
         * (legal in the registry, kept as its 3-byte form) has no spelling */
        const char *what = !dcsi_utf8_valid(op->key, op->key_len, NULL) ? "key name"
                         : !dcsi_utf8_valid(op->name, op->name_len, NULL) ? "value name"
                                                                           : NULL;
        if (what) {
            fprintf(stderr,
                    "%s:%lu:%lu: error: the %s holds a lone UTF-16 surrogate, which JSON "
                    "cannot carry: this blob is left out (decode without --json shows it)\n",
                    path, (unsigned long)op->line, (unsigned long)op->column, what);
            return false;
        }
        json_t *o = json_from_blob(&blob, op->data_len);
        if (!o || json_object_set_new(o, "key", json_stringn(op->key, op->key_len)) ||
            json_object_set_new(o, "value", json_stringn(op->name, op->name_len)) ||
            json_array_append(arr, o)) {
            json_decref(o);
            fprintf(stderr, "%s: out of memory\n", path);
            return false;
        }
        json_decref(o);
    } else {
        printf("%s : %s\n", op->key, op->name[0] ? op->name : "@");
        blobview_print(stdout, &blob, op->data_len);
        putchar('\n');
    }
    for (uint32_t k = 0; k < blob.nwarnings; k++)
        fprintf(stderr, "%s:%lu:%lu: warning: value '%s': byte %u: %s\n", path,
                (unsigned long)op->line, (unsigned long)op->column, op->name,
                blob.warnings[k].offset,
                dcs_blob_warning_str((enum dcs_blob_warning_code)blob.warnings[k].code));
    return true;
}

static int decode_source(const char *path, const uint8_t *data, size_t len, int json,
                         int compact, unsigned options)
{
    const char *name = strcmp(path, "-") ? path : "<stdin>";
    struct dcs_error err;
    dcs_error_clear(&err);
    struct dcs_reg_source *src = NULL;
    struct dcs_reg_reader *r = NULL;
    dcs_status st = data ? dcs_reg_source_open_mem(data, len, 0, &src, &err)
                         : dcs_reg_source_open(path, 0, &src, &err);
    if (!st)
        st = dcs_reg_reader_new(NULL, &r, &err);
    json_t *arr = json ? json_array() : NULL;
    size_t found = 0, bad = 0;
    while (!st) {
        struct dcs_reg_op op;
        st = dcs_reg_source_next(src, r, &op, &err);
        if (st || op.kind == DCS_REG_OP_END)
            break;
        if (op.kind == DCS_REG_OP_WARNING)
            reg_diag(name, op.warning, false);
        else if (op.kind == DCS_REG_OP_SET_VALUE && is_proxy_value(&op)) {
            found++;
            bad += !decode_one(name, &op, options, arr);
        }
    }
    dcs_reg_reader_free(r);
    dcs_reg_source_close(src);
    int rc = EXIT_OK;
    if (st) {
        if (err.line)
            reg_diag(name, &err, true);
        else
            cli_report(name, &err);
        rc = EXIT_BAD_INPUT;
    } else if (!found) {
        cli_errorf("%s: no proxy blob (DefaultConnectionSettings, SavedLegacySettings, "
                   "WinHttpSettings or a connectoid) in this file",
                   name);
        rc = EXIT_BAD_INPUT;
    } else if (bad) {
        rc = EXIT_BAD_INPUT;
    }
    if (arr) {
        /* print what decoded; nothing at all when no blob did */
        if (!st && json_array_size(arr) && json_print(arr, stdout, compact) != 0)
            rc = EXIT_BAD_INPUT;
        json_decref(arr);
    }
    if (fflush(stdout) != 0)
        rc = EXIT_BAD_INPUT;
    return rc;
}

int reg_decode_file(const char *path, int json, int compact, unsigned options)
{
    return decode_source(path, NULL, 0, json, compact, options);
}

int reg_decode_buffer(const char *path, const uint8_t *data, size_t len, int json, int compact,
                      unsigned options)
{
    return decode_source(path, data, len, json, compact, options);
}

int reg_sniff_file(const char *path)
{
    if (strcmp(path, "-") == 0)
        return 0;
    /* non-blocking, and only a regular file: a FIFO named as input must
     * neither hang here nor lose the bytes this peek would take */
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
    if (fd < 0)
        return 0;
    struct stat st;
    uint8_t head[256];
    ssize_t n = fstat(fd, &st) == 0 && S_ISREG(st.st_mode) ? read(fd, head, sizeof head) : -1;
    close(fd);
    if (n < 0)
        return 0;
    enum cli_input_kind k = cli_classify(head, (size_t)n);
    return k == CLI_INPUT_REG || k == CLI_INPUT_GZIP;
}

int reg_emit_blob(const char *out_path, const char *key, const char *value, const uint8_t *p,
                  size_t n)
{
    bool winhttp = n >= 4 && (p[0] == DCS_VERSION_WINHTTP || p[0] == DCS_VERSION_WINHTTP28) &&
                   !p[1] && !p[2] && !p[3];
    if (!key)
        key = winhttp ? "HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\"
                        "Internet Settings\\Connections"
                      : "HKEY_CURRENT_USER\\Software\\Microsoft\\Windows\\CurrentVersion\\"
                        "Internet Settings\\Connections";
    if (!value)
        value = winhttp ? "WinHttpSettings" : "DefaultConnectionSettings";
    if (strncmp(key, "HKEY_", 5) != 0) {
        cli_errorf("encode: --key needs the full root name (HKEY_CURRENT_USER\\..., ...)");
        return EXIT_USAGE;
    }
    if (!out_path)
        out_path = "-";
    size_t ol = strlen(out_path);
    bool gz = ol > 3 && strcmp(out_path + ol - 3, ".gz") == 0;
    struct dcs_error err;
    struct dcs_reg_sink *sink;
    struct dcs_reg_writer *w = NULL;
    dcs_status st = dcs_reg_sink_open(out_path, gz, &sink, &err);
    if (st) {
        cli_errorf("%s", err.message);
        return EXIT_BAD_INPUT;
    }
    st = dcs_reg_writer_new(NULL, dcs_reg_sink_write, sink, &w, &err);
    if (!st)
        st = dcs_reg_writer_key(w, key, strlen(key), &err);
    if (!st)
        st = dcs_reg_writer_value(w, value, strlen(value), DCS_REG_BINARY, p, n, &err);
    if (!st)
        st = dcs_reg_writer_finish(w, &err);
    dcs_reg_writer_free(w);
    if (st) {
        dcs_reg_sink_close(sink);
        cli_report(out_path, &err);
        return EXIT_BAD_INPUT;
    }
    if (dcs_reg_sink_commit(sink, true, &err)) {
        cli_errorf("%s", err.message);
        return EXIT_BAD_INPUT;
    }
    return EXIT_OK;
}
