/* Shared plumbing for the dcs commands. */
#include "cli.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/fileio.h"
#include "core/text.h"

const char *cli_prog = "dcs";
char **cli_argv;

/* "PROG: PREFIXMESSAGE\n" on stderr in one write when it fits a line of
 * 2 KiB (stderr is unbuffered: three writes otherwise, and a line another
 * process's output could split). */
static void vline(const char *prefix, const char *fmt, va_list ap) DCS_PRINTF(2, 0);
static void vline(const char *prefix, const char *fmt, va_list ap)
{
    char line[2048];
    va_list again;
    va_copy(again, ap);
    int head = snprintf(line, sizeof line, "%s: %s", cli_prog, prefix);
    int body = head >= 0 && (size_t)head < sizeof line
                   ? vsnprintf(line + head, sizeof line - (size_t)head, fmt, ap)
                   : -1;
    if (body >= 0 && (size_t)head + (size_t)body + 1 < sizeof line) {
        line[head + body] = '\n';
        fwrite(line, 1, (size_t)head + (size_t)body + 1, stderr);
    } else {
        fprintf(stderr, "%s: %s", cli_prog, prefix);
        vfprintf(stderr, fmt, again);
        fputc('\n', stderr);
    }
    va_end(again);
}

void cli_errorf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vline("", fmt, ap);
    va_end(ap);
}

void cli_warnf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vline("warning: ", fmt, ap);
    va_end(ap);
}

void cli_report(const char *name, const struct dcs_error *err)
{
    if (err->line)
        fprintf(stderr, "%s: %s:%u:%u: %s\n", cli_prog, name, err->line, err->column,
                err->message);
    else if (err->offset != DCS_NO_OFFSET)
        fprintf(stderr, "%s: %s: offset %llu: %s\n", cli_prog, name,
                (unsigned long long)err->offset, err->message);
    else
        fprintf(stderr, "%s: %s: %s\n", cli_prog, name, err->message);
}

dcs_status cli_read_file(const char *path, size_t max, uint8_t **data, size_t *len,
                         struct dcs_error *err)
{
    /* a FIFO or /dev/stdin is fine as input (process substitution); one
     * nobody writes to reads as empty instead of hanging */
    return dcsi_read_file(path, max, DCSI_READ_ANY_KIND, data, len, err);
}

dcs_status cli_write_output(const char *path, const void *data, size_t len,
                            struct dcs_error *err)
{
    if (strcmp(path, "-") == 0 && fflush(stdout) != 0) /* keep printf's order */
        return dcs_error_set(err, DCS_ERR_IO, DCS_NO_OFFSET, "write to stdout failed");
    return dcsi_output_file(path, data, len, err);
}

/* ---- proxy and bypass lists from the command line ---- */

/* text for a message: control bytes as \xNN, and every byte >= 0x80 too
 * when the text is not UTF-8 (the terminal would garble it); cut after 200
 * bytes */
static const char *shown(const char *text, char *buf, size_t cap)
{
    size_t n = 0;
    bool utf8 = dcsi_utf8_valid(text, strlen(text), NULL);
    for (const unsigned char *t = (const unsigned char *)text; *t && n + 8 < cap; t++) {
        if (t - (const unsigned char *)text == 200) {
            n += (size_t)snprintf(buf + n, cap - n, "...");
            break;
        }
        if (*t < 0x20 || *t == 0x7f || (*t >= 0x80 && !utf8))
            n += (size_t)snprintf(buf + n, cap - n, "\\x%02x", *t);
        else
            buf[n++] = (char)*t;
    }
    buf[n] = '\0';
    return buf;
}

static void list_warnings(const char *cmd, const char *opt, const char *text,
                          const struct dcs_list_report *rep)
{
    char q[1024];
    for (uint32_t k = 0; k < rep->nwarnings && k < DCS_LIST_MAX_WARNINGS; k++)
        cli_warnf("%s: %s '%s': offset %u: %s", cmd, opt, shown(text, q, sizeof q),
                  rep->warnings[k].offset,
                  dcs_list_warning_str((enum dcs_list_warning_code)rep->warnings[k].code));
}

static bool text_refused(const char *cmd, const char *opt, const char *text,
                         const struct dcs_error *err)
{
    char q[1024];
    cli_errorf("%s: %s '%s': offset %llu: %s", cmd, opt, shown(text, q, sizeof q),
               (unsigned long long)err->offset, err->message);
    return false;
}

bool cli_check_text(const char *cmd, const char *opt, const char *text, enum cli_text_kind kind,
                    bool warn)
{
    if (!text || !*text)
        return true;
    struct dcs_list_report rep = {0};
    struct dcs_error err;
    size_t len = strlen(text);
    dcs_status st = kind == CLI_TEXT_URL      ? dcs_pac_url_check(text, len, &err)
                    : kind == CLI_TEXT_BYPASS ? dcs_bypass_check(text, len, DCS_LIST_SYNTAX, &rep, &err)
                                              : dcs_proxy_check(text, len, DCS_LIST_SYNTAX, &rep, &err);
    if (st)
        return text_refused(cmd, opt, text, &err);
    if (warn)
        list_warnings(cmd, opt, text, &rep);
    return true;
}

/* The lists as WinINET (or WinHTTP) reads them: errors refuse the command,
 * oddities are warnings.  A proxy list of separators only names nothing and
 * is refused: the proxy flag would be set with no proxy.  A bypass list of
 * separators only is what WinINET reads as an empty list (it skips empty
 * entries, codec/proxylist/FORMAT.md §2): it bypasses nothing, like "", so
 * it passes with its empty-entry warning, as `dcs apply` takes it. */
bool cli_check_list(const char *cmd, const char *opt, const char *text, bool bypass,
                    bool winhttp)
{
    if (!text || !*text)
        return true; /* empty: no list */
    if (!cli_check_text(cmd, opt, text, bypass ? CLI_TEXT_BYPASS : CLI_TEXT_PROXY, false))
        return false;
    struct dcs_list_report rep;
    struct dcs_error err;
    unsigned options = DCS_LIST_LENIENT | (bypass && winhttp ? DCS_LIST_WINHTTP : 0);
    size_t len = strlen(text);
    dcs_status st = bypass ? dcs_bypass_check(text, len, options, &rep, &err)
                           : dcs_proxy_check(text, len, options, &rep, &err);
    if (st)
        return text_refused(cmd, opt, text, &err);
    if (!rep.count && !bypass) {
        char q[1024];
        cli_errorf("%s: %s '%s' names no proxy", cmd, opt, shown(text, q, sizeof q));
        return false;
    }
    list_warnings(cmd, opt, text, &rep);
    return true;
}

bool cli_is(const char *arg, const char *a, const char *b)
{
    return (a && strcmp(arg, a) == 0) || (b && strcmp(arg, b) == 0);
}

bool cli_parse_u32(const char *s, uint32_t *out)
{
    char *end;
    if (!s || !*s || *s == '-' || *s == '+')
        return false;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 0);
    if (errno || *end || v > 0xFFFFFFFFull)
        return false;
    *out = (uint32_t)v;
    return true;
}

bool cli_source_date(const char *cmd, uint64_t *filetime)
{
    *filetime = 0;
    const char *s = getenv("SOURCE_DATE_EPOCH");
    if (!s)
        return true;
    char *end;
    errno = 0;
    unsigned long long v = *s >= '0' && *s <= '9' ? strtoull(s, &end, 10) : 0;
    /* up to 9999-12-31, so the FILETIME cannot overflow */
    if (!(*s >= '0' && *s <= '9') || errno || *end || v > 253402300799ull) {
        cli_errorf("%s: SOURCE_DATE_EPOCH '%s' is not a count of seconds since 1970 "
                   "(0 to 253402300799)", cmd, s);
        return false;
    }
    *filetime = dcs_filetime_from_unix(v);
    return true;
}

/* Blank-separated decimal numbers 0-255, one at least not of two digits;
 * with out, also converts them (out may be data: each byte takes a digit).
 * Returns the count, or 0 when the text is not such a list. */
static size_t decimal_bytes(const uint8_t *data, size_t len, uint8_t *out)
{
    size_t count = 0;
    bool not_two = false;
    for (size_t i = 0; i < len;) {
        uint8_t c = data[i];
        if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
            i++;
            continue;
        }
        unsigned v = 0;
        size_t digits = 0;
        for (; i < len && data[i] >= '0' && data[i] <= '9'; i++, digits++)
            if (digits < 3)
                v = v * 10 + (unsigned)(data[i] - '0');
        if (digits == 0 || digits > 3 || v > 255)
            return 0;
        if (i < len && !(data[i] == ' ' || data[i] == '\t' || data[i] == '\r' || data[i] == '\n'))
            return 0;
        not_two |= digits != 2;
        if (out)
            out[count] = (uint8_t)v;
        count++;
    }
    return not_two ? count : 0;
}

static size_t utf8_bom_len(const uint8_t *data, size_t len)
{
    return len >= 3 && data[0] == 0xEF && data[1] == 0xBB && data[2] == 0xBF ? 3 : 0;
}

enum cli_input_kind cli_classify(const uint8_t *data, size_t len)
{
    if (len >= 2 && data[0] == 0x1f && data[1] == 0x8b)
        return CLI_INPUT_GZIP;
    if (len >= 2 && data[0] == 0xFF && data[1] == 0xFE)
        return CLI_INPUT_REG;
    size_t i = utf8_bom_len(data, len);
    if (decimal_bytes(data + i, len - i, NULL))
        return CLI_INPUT_DECIMAL;
    while (i < len && (data[i] == ' ' || data[i] == '\t'))
        i++;
    static const char h4[] = "REGEDIT", h5[] = "Windows Registry Editor";
    if ((len - i >= sizeof h4 - 1 && memcmp(data + i, h4, sizeof h4 - 1) == 0) ||
        (len - i >= sizeof h5 - 1 && memcmp(data + i, h5, sizeof h5 - 1) == 0))
        return CLI_INPUT_REG;
    if (dcs_hex_text_detect(data, len))
        return CLI_INPUT_HEX;
    /* Text that is not valid hex is still meant as hex: read it as such so
     * that the error names the line:column of the typo.  A real blob always
     * has a NUL or control byte (its version DWORD is below 0x01000000). */
    for (i = 0; i < len; i++)
        if (data[i] < 0x20 && data[i] != '\t' && data[i] != '\n' && data[i] != '\r')
            return CLI_INPUT_BINARY;
    return len ? CLI_INPUT_HEX : CLI_INPUT_BINARY;
}

dcs_status cli_load_blob(const char *path, uint8_t **data, size_t *len,
                         enum cli_input_kind *kind, struct dcs_error *err)
{
    uint8_t *raw;
    size_t n;
    dcs_status st = cli_read_file(path, CLI_MAX_INPUT, &raw, &n, err);
    if (st != DCS_OK)
        return st;
    *kind = cli_classify(raw, n);
    if (*kind == CLI_INPUT_REG || *kind == CLI_INPUT_GZIP) {
        *data = raw;
        *len = n;
        return dcs_error_set(err, DCS_ERR_UNSUPPORTED, DCS_NO_OFFSET,
                             "input is a %s file, not a blob",
                             *kind == CLI_INPUT_REG ? ".reg" : "gzip");
    }
    if (*kind == CLI_INPUT_BINARY) {
        *data = raw;
        *len = n;
        return DCS_OK;
    }
    /* Text saved with a UTF-8 byte-order mark (Notepad does): skip the
     * mark, so that line:column in errors count what an editor shows. */
    size_t bom = utf8_bom_len(raw, n);
    if (*kind == CLI_INPUT_DECIMAL) {
        *data = raw;
        *len = decimal_bytes(raw + bom, n - bom, raw); /* in place */
        return DCS_OK;
    }
    size_t m = 0;
    st = dcs_hex_text_decode((const char *)raw + bom, n - bom, raw, n, &m,
                             err); /* in place: m <= (n - bom)/2+1 */
    if (st != DCS_OK) {
        free(raw);
        return st;
    }
    *data = raw;
    *len = m;
    return DCS_OK;
}
