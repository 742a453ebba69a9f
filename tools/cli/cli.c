/* Shared plumbing for the dcs commands. */
#include "cli.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

const char *cli_prog = "dcs";

void cli_errorf(const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "%s: ", cli_prog);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

void cli_warnf(const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "%s: warning: ", cli_prog);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
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
    FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
    uint8_t *buf = NULL;
    size_t n = 0, cap = 0;
    *data = NULL;
    *len = 0;
    if (!f)
        return dcs_error_set(err, DCS_ERR_IO, DCS_NO_OFFSET, "cannot open: %s",
                             strerror(errno));
    for (;;) {
        if (n == cap) {
            size_t ncap = cap ? cap * 2 : 65536;
            if (cap > max) {
                free(buf);
                if (f != stdin)
                    fclose(f);
                return dcs_error_set(err, DCS_ERR_LIMIT, DCS_NO_OFFSET,
                                     "input larger than %zu bytes", max);
            }
            uint8_t *nb = realloc(buf, ncap + 1);
            if (!nb) {
                free(buf);
                if (f != stdin)
                    fclose(f);
                return dcs_error_set(err, DCS_ERR_NOMEM, DCS_NO_OFFSET, "out of memory");
            }
            buf = nb;
            cap = ncap;
        }
        size_t got = fread(buf + n, 1, cap - n, f);
        n += got;
        if (got == 0)
            break;
    }
    int bad = ferror(f);
    if (f != stdin)
        fclose(f);
    if (bad) {
        free(buf);
        return dcs_error_set(err, DCS_ERR_IO, DCS_NO_OFFSET, "read error");
    }
    if (n > max) {
        free(buf);
        return dcs_error_set(err, DCS_ERR_LIMIT, DCS_NO_OFFSET, "input larger than %zu bytes",
                             max);
    }
    if (!buf) {
        buf = malloc(1);
        if (!buf)
            return dcs_error_set(err, DCS_ERR_NOMEM, DCS_NO_OFFSET, "out of memory");
    }
    buf[n] = 0;
    *data = buf;
    *len = n;
    return DCS_OK;
}

static int write_all(int fd, const void *data, size_t len)
{
    const uint8_t *p = data;
    while (len) {
        ssize_t w = write(fd, p, len);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        p += w;
        len -= (size_t)w;
    }
    return 0;
}

dcs_status cli_write_file_atomic(const char *path, const void *data, size_t len,
                                 struct dcs_error *err)
{
    if (strcmp(path, "-") == 0) {
        if (fwrite(data, 1, len, stdout) != len || fflush(stdout) != 0)
            return dcs_error_set(err, DCS_ERR_IO, DCS_NO_OFFSET, "write to stdout failed");
        return DCS_OK;
    }
    size_t plen = strlen(path);
    char *tmp = malloc(plen + 16);
    char *dir = malloc(plen + 2);
    if (!tmp || !dir) {
        free(tmp);
        free(dir);
        return dcs_error_set(err, DCS_ERR_NOMEM, DCS_NO_OFFSET, "out of memory");
    }
    snprintf(tmp, plen + 16, "%s.tmpXXXXXX", path);
    int fd = mkstemp(tmp);
    if (fd < 0) {
        dcs_status st = dcs_error_set(err, DCS_ERR_IO, DCS_NO_OFFSET,
                                      "cannot create temporary file beside %s: %s", path,
                                      strerror(errno));
        free(tmp);
        free(dir);
        return st;
    }
    struct stat st_old;
    if (stat(path, &st_old) == 0)
        (void)fchmod(fd, st_old.st_mode & 07777);
    else
        (void)fchmod(fd, 0644);
    if (write_all(fd, data, len) != 0 || fsync(fd) != 0) {
        int e = errno;
        close(fd);
        unlink(tmp);
        dcs_status st = dcs_error_set(err, DCS_ERR_IO, DCS_NO_OFFSET, "cannot write %s: %s",
                                      tmp, strerror(e));
        free(tmp);
        free(dir);
        return st;
    }
    close(fd);
    if (rename(tmp, path) != 0) {
        int e = errno;
        unlink(tmp);
        dcs_status st = dcs_error_set(err, DCS_ERR_IO, DCS_NO_OFFSET, "cannot rename to %s: %s",
                                      path, strerror(e));
        free(tmp);
        free(dir);
        return st;
    }
    /* make the rename itself durable */
    memcpy(dir, path, plen + 1);
    char *slash = strrchr(dir, '/');
    if (slash)
        slash[slash == dir ? 1 : 0] = '\0';
    else
        strcpy(dir, ".");
    int dfd = open(dir, O_RDONLY | O_DIRECTORY);
    if (dfd >= 0) {
        (void)fsync(dfd);
        close(dfd);
    }
    free(tmp);
    free(dir);
    return DCS_OK;
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
