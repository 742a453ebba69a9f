/* Batch files of `reg add` (and `reg delete`) commands: writer.  Notes: codec/ship/FORMAT.md.
 *
 * cmd.exe reads a batch file in the console's OEM code page, so the writer
 * keeps to printable ASCII; inside double quotes only % is special to cmd
 * (doubled), and reg.exe splits its command line the CommandLineToArgvW way,
 * so a run of backslashes before a closing quote is doubled. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ship/ship_internal.h"

static bool cmd_text_ok(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x20 || c >= 0x7F || c == '"')
            return false;
    }
    return true;
}

/* s with every % doubled (cmd.exe reads %% as one %). */
static void put_percent(struct dcsi_ship_out *o, const char *s, size_t n)
{
    size_t from = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '%') {
            dcsi_ship_put(o, s + from, i + 1 - from);
            dcsi_ship_put(o, "%", 1);
            from = i + 1;
        }
    }
    dcsi_ship_put(o, s + from, n - from);
}

/* "s" with % doubled and trailing backslashes doubled. */
static void put_quoted(struct dcsi_ship_out *o, const char *s, size_t n)
{
    dcsi_ship_put(o, "\"", 1);
    put_percent(o, s, n);
    for (size_t i = n; i > 0 && s[i - 1] == '\\'; i--)
        dcsi_ship_put(o, "\\", 1);
    dcsi_ship_put(o, "\"", 1);
}

static void put_data(struct dcsi_ship_out *o, const struct dcs_ship_value *v, char *tmp)
{
    static const char hex[] = "0123456789ABCDEF";
    if (v->type == DCS_REG_SZ || v->type == DCS_REG_EXPAND_SZ) {
        put_quoted(o, tmp, dcsi_ship_text_utf8(v, tmp));
    } else if (v->type == DCS_REG_BINARY) {
        if (v->len == 0)
            dcsi_ship_put(o, "\"\"", 2); /* an empty argument, not the next option */
        for (size_t i = 0; i < v->len; i++) {
            char b[2] = {hex[v->data[i] >> 4], hex[v->data[i] & 15]};
            dcsi_ship_put(o, b, 2);
        }
    } else {
        char num[24];
        int k = snprintf(num, sizeof num, "%llu", (unsigned long long)dcsi_ship_number(v));
        dcsi_ship_put(o, num, (size_t)k);
    }
}

/* `reg VERB "ROOT\KEY" /v "NAME"` (or /ve) */
static void put_target(struct dcsi_ship_out *o, const char *verb, const struct dcs_ship_value *v)
{
    dcsi_ship_puts(o, "reg ");
    dcsi_ship_puts(o, verb);
    dcsi_ship_puts(o, " \"");
    dcsi_ship_puts(o, dcsi_ship_root_short(v->root, v->root_len));
    dcsi_ship_puts(o, "\\");
    put_percent(o, v->key, v->key_len); /* inside the quotes opened before the root */
    dcsi_ship_put(o, "\"", 1);
    if (v->name_len) {
        dcsi_ship_puts(o, " /v ");
        put_quoted(o, v->name, v->name_len);
    } else {
        dcsi_ship_puts(o, " /ve");
    }
}

/* reg delete fails on a value already absent, which is what is wanted:
 * its error is silenced, and a query afterwards fails the script only when
 * the value is still there (access denied, say).  `if not errorlevel`
 * rather than `query && exit`: Wine's cmd.exe runs what follows && even
 * when reg.exe failed. */
static void put_delete(struct dcsi_ship_out *o, const struct dcs_ship_value *v)
{
    put_target(o, "delete", v);
    dcsi_ship_puts(o, " /f >nul 2>&1\r\n");
    put_target(o, "query", v);
    dcsi_ship_puts(o, " >nul 2>&1\r\nif not errorlevel 1 exit /b 1\r\n");
}

static void put_command(struct dcsi_ship_out *o, const struct dcs_ship_value *v, char *tmp)
{
    if (v->action == DCS_SHIP_DELETE) {
        put_delete(o, v);
        return;
    }
    put_target(o, "add", v);
    dcsi_ship_puts(o, " /t ");
    dcsi_ship_puts(o, dcsi_ship_type_name(v->type));
    dcsi_ship_puts(o, " /d ");
    put_data(o, v, tmp);
    dcsi_ship_puts(o, " /f\r\nif errorlevel 1 exit /b 1\r\n");
}

static dcs_status check_cmd(const struct dcs_ship_value *v, size_t i, char *tmp,
                            struct dcs_error *err)
{
    dcs_status st = dcsi_ship_check(v, i, "batch file", err);
    if (st != DCS_OK)
        return st;
    bool text = v->action == DCS_SHIP_SET && (v->type == DCS_REG_SZ || v->type == DCS_REG_EXPAND_SZ);
    if (!cmd_text_ok(v->key, v->key_len) || v->key[v->key_len - 1] == '\\' ||
        !cmd_text_ok(v->name, v->name_len) ||
        (text && !cmd_text_ok(tmp, dcsi_ship_text_utf8(v, tmp))))
        return dcs_error_set(err, DCS_ERR_UNSUPPORTED, DCS_NO_OFFSET,
                             "value %zu (%.*s): a batch file carries printable ASCII without "
                             "'\"' in keys, names and text; write a .reg or Registry.xml instead",
                             i, (int)v->name_len, v->name_len ? v->name : "");
    return DCS_OK;
}

dcs_status dcs_ship_write_cmd(const struct dcs_ship_value *values, size_t n,
                              const struct dcs_ship_options *opt, dcs_reg_write_fn fn, void *ctx,
                              struct dcs_error *err)
{
    if ((!values && n) || !fn)
        return dcs_error_set(err, DCS_ERR_INVALID_ARG, DCS_NO_OFFSET, "no values or no output");
    size_t tmp_size = 1;
    for (size_t i = 0; i < n; i++)
        if (values[i].action == DCS_SHIP_SET && 3 * (values[i].len / 2) + 1 > tmp_size)
            tmp_size = 3 * (values[i].len / 2) + 1;
    const char *comment = opt ? opt->comment : NULL;
    if (comment && !cmd_text_ok(comment, strlen(comment)))
        return dcs_error_set(err, DCS_ERR_INVALID_ARG, DCS_NO_OFFSET,
                             "the comment must be printable ASCII without '\"'");
    char *tmp = malloc(tmp_size);
    if (!tmp)
        return dcs_error_set(err, DCS_ERR_NOMEM, DCS_NO_OFFSET, "out of memory");
    dcs_status st = DCS_OK;
    for (size_t i = 0; i < n && st == DCS_OK; i++)
        st = check_cmd(&values[i], i, tmp, err);
    struct dcsi_ship_out o;
    dcsi_ship_out_init(&o, fn, ctx, err);
    if (st == DCS_OK) {
        dcsi_ship_puts(&o, "@echo off\r\n");
        if (comment) {
            dcsi_ship_puts(&o, "rem ");
            dcsi_ship_puts(&o, comment);
            dcsi_ship_puts(&o, "\r\n");
        }
        for (size_t i = 0; i < n; i++)
            put_command(&o, &values[i], tmp);
        /* the status of the script is its last command's: a final query
         * that found nothing would make it 1 */
        dcsi_ship_puts(&o, "exit /b 0\r\n");
        st = dcsi_ship_flush(&o);
    }
    free(tmp);
    return st;
}
