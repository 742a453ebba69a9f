/* Output helpers for `dcs reg`. */
#include "reg_out.h"

#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include <dcs/hex.h>

#define PROGRESS_MIN_BYTES (50ull * 1000 * 1000)

void reg_json_string(FILE *out, const char *s, size_t len)
{
    putc('"', out);
    size_t run = 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        const char *esc = NULL;
        char buf[8];
        if (c == '"')
            esc = "\\\"";
        else if (c == '\\')
            esc = "\\\\";
        else if (c < 0x20) {
            snprintf(buf, sizeof buf, "\\u%04x", c);
            esc = buf;
        } else if (c == 0xED && i + 2 < len && ((unsigned char)s[i + 1] & 0xE0) == 0xA0) {
            unsigned u = 0xD000 | (((unsigned char)s[i + 1] & 0x3F) << 6) |
                         ((unsigned char)s[i + 2] & 0x3F);
            snprintf(buf, sizeof buf, "\\u%04x", u);
            esc = buf;
        }
        if (!esc) {
            run++;
            continue;
        }
        fwrite(s + i - run, 1, run, out);
        run = 0;
        fputs(esc, out);
        if (c == 0xED)
            i += 2;
    }
    fwrite(s + len - run, 1, run, out);
    putc('"', out);
}

void reg_hex(FILE *out, const uint8_t *data, size_t len)
{
    char buf[8192];
    while (len) {
        size_t k = len < sizeof buf / 2 ? len : sizeof buf / 2;
        dcs_hex_encode(data, k, buf);
        fwrite(buf, 1, 2 * k, out);
        data += k;
        len -= k;
    }
}

void reg_op_json(FILE *out, const struct dcs_reg_op *op)
{
    static const char *const names[] = {
        [DCS_REG_OP_CREATE_KEY] = "create_key", [DCS_REG_OP_DELETE_KEY] = "delete_key",
        [DCS_REG_OP_SET_VALUE] = "set_value", [DCS_REG_OP_DELETE_VALUE] = "delete_value"};
    fprintf(out, "{\"op\":\"%s\",\"key\":", names[op->kind]);
    reg_json_string(out, op->key, op->key_len);
    if (op->kind == DCS_REG_OP_SET_VALUE || op->kind == DCS_REG_OP_DELETE_VALUE) {
        fputs(",\"name\":", out);
        reg_json_string(out, op->name, op->name_len);
    }
    if (op->kind == DCS_REG_OP_SET_VALUE) {
        fprintf(out, ",\"type\":%lu,\"data\":\"", (unsigned long)op->type);
        reg_hex(out, op->data, op->data_len);
        putc('"', out);
    }
    fputs("}\n", out);
}

static void quoted_name(FILE *out, const char *s, size_t len)
{
    if (!len) {
        putc('@', out);
        return;
    }
    putc('"', out);
    for (size_t i = 0; i < len; i++) {
        if (s[i] == '"' || s[i] == '\\')
            putc('\\', out);
        putc(s[i], out);
    }
    putc('"', out);
}

void reg_op_text(FILE *out, const struct dcs_reg_op *op)
{
    switch (op->kind) {
    case DCS_REG_OP_CREATE_KEY:
        fputs("create_key\t", out);
        fwrite(op->key, 1, op->key_len, out);
        break;
    case DCS_REG_OP_DELETE_KEY:
        fputs("delete_key\t", out);
        fwrite(op->key, 1, op->key_len, out);
        break;
    case DCS_REG_OP_DELETE_VALUE:
        fputs("delete_value\t", out);
        fwrite(op->key, 1, op->key_len, out);
        putc('\t', out);
        quoted_name(out, op->name, op->name_len);
        break;
    case DCS_REG_OP_SET_VALUE: {
        fputs("set_value\t", out);
        fwrite(op->key, 1, op->key_len, out);
        putc('\t', out);
        quoted_name(out, op->name, op->name_len);
        const char *tn = dcs_reg_type_name(op->type);
        if (tn)
            fprintf(out, "\t%s\t", tn);
        else
            fprintf(out, "\t0x%lx\t", (unsigned long)op->type);
        reg_hex(out, op->data, op->data_len);
        break;
    }
    default:
        return;
    }
    putc('\n', out);
}

void reg_diag(const char *file, const struct dcs_error *e, bool error)
{
    const char *kind = error ? "error" : "warning";
    if (e->line)
        fprintf(stderr, "%s:%lu:%lu: %s: %s\n", file, (unsigned long)e->line,
                (unsigned long)e->column, kind, e->message);
    else if (e->offset != DCS_NO_OFFSET)
        fprintf(stderr, "%s: offset %llu: %s: %s\n", file, (unsigned long long)e->offset, kind,
                e->message);
    else
        fprintf(stderr, "%s: %s: %s\n", file, kind, e->message);
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

void reg_progress_init(struct reg_progress *p, const char *what, uint64_t size, bool quiet)
{
    p->what = what;
    p->on = !quiet && size > PROGRESS_MIN_BYTES && isatty(2);
    p->last = 0;
}

void reg_progress_update(void *ctx, uint64_t done, uint64_t total)
{
    struct reg_progress *p = ctx;
    if (!p->on || !total)
        return;
    double t = now();
    if (t - p->last < 0.25)
        return;
    p->last = t;
    fprintf(stderr, "\r%s: %s: %3u%% (%llu of %llu MB)", cli_prog, p->what,
            (unsigned)(done * 100 / total), (unsigned long long)(done / 1000000),
            (unsigned long long)(total / 1000000));
    fflush(stderr);
}

void reg_progress_done(struct reg_progress *p)
{
    if (p->on && p->last > 0) {
        fputs("\r\033[K", stderr);
        fflush(stderr);
    }
}
