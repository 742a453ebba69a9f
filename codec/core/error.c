/* Status codes and the error record. */
#include <dcs/error.h>

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

const char *dcs_strerror(dcs_status code)
{
    switch (code) {
    case DCS_OK: return "success";
    case DCS_ERR_INVALID_ARG: return "invalid argument";
    case DCS_ERR_NOMEM: return "out of memory";
    case DCS_ERR_BUFFER_TOO_SMALL: return "output buffer too small";
    case DCS_ERR_IO: return "input/output error";
    case DCS_ERR_LIMIT: return "input exceeds a hard limit";
    case DCS_ERR_UNSUPPORTED: return "not supported by this build";
    case DCS_ERR_NOT_FOUND: return "not found";
    case DCS_ERR_JSON: return "invalid JSON input";
    case DCS_ERR_BLOB_TRUNCATED: return "blob data ends inside a field";
    case DCS_ERR_BLOB_VERSION: return "unknown blob version";
    case DCS_ERR_BLOB_TRAILING: return "bytes after the last known field";
    case DCS_ERR_BLOB_FLAGS: return "flag bits Windows never writes";
    case DCS_ERR_BLOB_MODEL: return "inconsistent blob model";
    case DCS_ERR_BLOB_FIELD: return "field value Windows never writes";
    case DCS_ERR_PROXY_SYNTAX: return "invalid proxy-server list";
    case DCS_ERR_BYPASS_SYNTAX: return "invalid bypass list";
    case DCS_ERR_HEX_SYNTAX: return "invalid hex text";
    case DCS_ERR_ENCODING: return "invalid character encoding";
    case DCS_ERR_REG_HEADER: return "not a registry script";
    case DCS_ERR_REG_ENCODING: return "invalid .reg file encoding";
    case DCS_ERR_REG_SYNTAX: return "invalid .reg line";
    case DCS_ERR_REG_GZIP: return "corrupt gzip data";
    case DCS_ERR_HIVE_SIGNATURE: return "not a registry hive (no regf signature)";
    case DCS_ERR_HIVE_CHECKSUM: return "hive base block checksum mismatch";
    case DCS_ERR_HIVE_VERSION: return "unsupported hive version";
    case DCS_ERR_HIVE_TYPE: return "not a primary hive file";
    case DCS_ERR_HIVE_DIRTY: return "hive is dirty (pending transaction logs)";
    case DCS_ERR_HIVE_TRUNCATED: return "hive file is truncated";
    case DCS_ERR_HIVE_CORRUPT: return "hive structure is corrupt";
    case DCS_ERR_HIVE_LIB: return "libhivex error";
    case DCS_ERR_HIVE_ROLLBACK: return "a failed commit left hives changed";
    case DCS_ERR_HIVE_LOCKED: return "hive locked by another process";
    case DCS_ERR_HIVE_JOURNAL: return "unusable commit journal";
    case DCS_ERR_HIVE_REFUSED: return "hive cannot be recovered safely";
    case DCS_ERR_APPLY_AMBIGUOUS: return "several candidate source values";
    case DCS_ERR_APPLY_NO_SOURCE: return "no source settings found";
    case DCS_ERR_APPLY_PREFIX: return "key outside the allowed prefix";
    case DCS_ERR_APPLY_TARGET: return "target hive not found";
    case DCS_ERR_APPLY_OUTSIDE: return "path leads outside the image";
    case DCS_ERR_APPLY_HIVE_KIND: return "hive of the wrong kind";
    case DCS_ERR_SHIP_SYNTAX: return "invalid Registry.xml or batch file";
    }
    return "unknown status code";
}

void dcs_error_clear(struct dcs_error *err)
{
    if (!err)
        return;
    err->code = DCS_OK;
    err->offset = DCS_NO_OFFSET;
    err->line = 0;
    err->column = 0;
    err->message[0] = '\0';
}

DCS_PRINTF(6, 0)
static void fill(struct dcs_error *err, dcs_status code, uint64_t offset, uint32_t line,
                 uint32_t column, const char *fmt, va_list ap)
{
    err->code = code;
    err->offset = offset;
    err->line = line;
    err->column = column;
    int n;
    if (fmt)
        n = vsnprintf(err->message, sizeof err->message, fmt, ap);
    else
        n = snprintf(err->message, sizeof err->message, "%s", dcs_strerror(code));
    /* a cut message must say so rather than end mid-word */
    static const char mark[] = " [...]";
    if (n >= (int)sizeof err->message)
        memcpy(err->message + sizeof err->message - sizeof mark, mark, sizeof mark);
}

static dcs_warn_fn warning_fn;
static void *warning_ctx;

void dcs_set_warning_handler(dcs_warn_fn fn, void *ctx)
{
    warning_fn = fn;
    warning_ctx = ctx;
}

void dcs_warn(dcs_status code, const char *fmt, ...)
{
    if (!warning_fn)
        return;
    /* the record is large: keep it off the stack of deep callers */
    static _Thread_local struct dcs_error w;
    va_list ap;
    va_start(ap, fmt);
    fill(&w, code, DCS_NO_OFFSET, 0, 0, fmt, ap);
    va_end(ap);
    warning_fn(warning_ctx, &w);
}

dcs_status dcs_error_set(struct dcs_error *err, dcs_status code, uint64_t offset,
                         const char *fmt, ...)
{
    if (err) {
        va_list ap;
        va_start(ap, fmt);
        fill(err, code, offset, 0, 0, fmt, ap);
        va_end(ap);
    }
    return code;
}

dcs_status dcs_error_set_at(struct dcs_error *err, dcs_status code, uint64_t offset,
                            uint32_t line, uint32_t column, const char *fmt, ...)
{
    if (err) {
        va_list ap;
        va_start(ap, fmt);
        fill(err, code, offset, line, column, fmt, ap);
        va_end(ap);
    }
    return code;
}

size_t dcs_error_format(const struct dcs_error *err, char *buf, size_t size)
{
    int n;
    if (!err || !buf || size == 0)
        return 0;
    if (err->line)
        n = snprintf(buf, size, "%u:%u: %s", err->line, err->column, err->message);
    else if (err->offset != DCS_NO_OFFSET)
        n = snprintf(buf, size, "offset %llu: %s", (unsigned long long)err->offset,
                     err->message);
    else
        n = snprintf(buf, size, "%s", err->message);
    return n < 0 ? 0 : (size_t)n;
}
