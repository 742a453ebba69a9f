/* Reading a batch file of `reg add` and `reg delete` commands back.  Each line is read the
 * way cmd.exe hands it to reg.exe (%% is %, a leading @ is dropped) and split
 * into arguments the way CommandLineToArgvW splits a command line; lines that
 * are not `reg add` are skipped.  Arguments are views into one scratch buffer
 * the size of the line, allocated once for the file. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ship/ship_internal.h"

#define MAX_ARGS 32

struct cmdline {
    const char *arg[MAX_ARGS];
    size_t len[MAX_ARGS];
    size_t col[MAX_ARGS]; /* 1-based column where each argument starts */
    size_t n;
};

/* Split [s, s+n) into args (decoded into out).  Returns false when there are
 * more than MAX_ARGS arguments. */
static bool split(const char *s, size_t n, char *out, struct cmdline *c)
{
    size_t i = 0, k = 0;
    c->n = 0;
    while (i < n) {
        while (i < n && (s[i] == ' ' || s[i] == '\t'))
            i++;
        if (i == n)
            break;
        if (c->n == MAX_ARGS)
            return false;
        c->arg[c->n] = out + k;
        c->col[c->n] = i + 1;
        bool quoted = false;
        size_t start = k;
        while (i < n && (quoted || (s[i] != ' ' && s[i] != '\t'))) {
            size_t bs = 0;
            while (i < n && s[i] == '\\')
                bs++, i++;
            if (i < n && s[i] == '"') {
                for (size_t b = 0; b < bs / 2; b++)
                    out[k++] = '\\';
                if (bs % 2) {
                    out[k++] = '"';
                } else if (quoted && i + 1 < n && s[i + 1] == '"') {
                    out[k++] = '"'; /* "" inside quotes: a literal quote */
                    i++;
                } else {
                    quoted = !quoted;
                }
                i++;
            } else {
                for (size_t b = 0; b < bs; b++)
                    out[k++] = '\\';
                if (i < n && (quoted || (s[i] != ' ' && s[i] != '\t')))
                    out[k++] = s[i++];
            }
        }
        c->len[c->n++] = k - start;
    }
    return true;
}

static bool arg_is(const struct cmdline *c, size_t i, const char *lit)
{
    return c->len[i] == strlen(lit) && strncasecmp(c->arg[i], lit, c->len[i]) == 0;
}

struct rd {
    struct dcs_error *err;
    uint32_t line;
    uint8_t *data; /* value data, after the split arguments in scratch */
};

static dcs_status bad(struct rd *r, const struct cmdline *c, size_t i, const char *what)
{
    size_t col = i < c->n ? c->col[i] : 1;
    return dcs_error_set_at(r->err, DCS_ERR_SHIP_SYNTAX, DCS_NO_OFFSET, r->line, (uint32_t)col,
                            "batch file, line %u: %s", (unsigned)r->line, what);
}

/* A redirection cmd.exe takes off the command line (>nul, 2>&1, 1>>f). */
static bool is_redirection(const struct cmdline *c, size_t i)
{
    size_t k = 0;
    while (k < c->len[i] && c->arg[i][k] >= '0' && c->arg[i][k] <= '9')
        k++;
    return k < c->len[i] && c->arg[i][k] == '>';
}

/* The options after `reg add KEY` or `reg delete KEY`. */
static dcs_status options(struct rd *r, const struct cmdline *c, struct dcs_ship_value *v,
                          size_t *data_arg)
{
    bool have_name = false, del = v->action == DCS_SHIP_DELETE;
    *data_arg = 0;
    v->type = del ? DCS_REG_NONE : DCS_REG_SZ;
    for (size_t i = 3; i < c->n; i++) {
        if ((arg_is(c, i, "/v") || arg_is(c, i, "/t") || arg_is(c, i, "/d")) && i + 1 >= c->n)
            return bad(r, c, i, "an option lacks its argument");
        if (del && (arg_is(c, i, "/t") || arg_is(c, i, "/d")))
            return bad(r, c, i, "an option reg delete does not take");
        if (del && is_redirection(c, i))
            continue;
        if (arg_is(c, i, "/v") && !have_name) {
            v->name = c->arg[++i];
            v->name_len = c->len[i];
            have_name = true;
        } else if (arg_is(c, i, "/ve") && !have_name) {
            v->name = "";
            v->name_len = 0;
            have_name = true;
        } else if (arg_is(c, i, "/t")) {
            if (!dcsi_ship_type_parse(c->arg[i + 1], c->len[i + 1], &v->type))
                return bad(r, c, i + 1, "a type dcs does not read (REG_SZ, REG_EXPAND_SZ, "
                                        "REG_BINARY, REG_DWORD, REG_QWORD)");
            i++;
        } else if (arg_is(c, i, "/d")) {
            *data_arg = ++i;
        } else if (!arg_is(c, i, "/f") && !arg_is(c, i, "/reg:32") && !arg_is(c, i, "/reg:64")) {
            return bad(r, c, i, "an option reg add does not take here");
        }
    }
    if (!have_name && del)
        return bad(r, c, 2, "neither /v NAME nor /ve: reg delete would delete the whole key, "
                            "which dcs does not read");
    if (!have_name)
        return bad(r, c, 2, "neither /v NAME nor /ve: reg add would only create the key");
    return DCS_OK;
}

static dcs_status command(struct rd *r, const struct cmdline *c, enum dcs_ship_action action,
                          dcs_ship_value_fn fn, void *ctx)
{
    if (c->n < 3)
        return bad(r, c, c->n ? c->n - 1 : 0,
                   action == DCS_SHIP_DELETE ? "reg delete without a key" : "reg add without a key");
    struct dcs_ship_value v = {.action = action};
    const char *key = c->arg[2], *bs = memchr(key, '\\', c->len[2]);
    size_t root_len = bs ? (size_t)(bs - key) : c->len[2];
    v.root = dcsi_ship_root_long(key, root_len);
    if (!v.root || !bs || (size_t)(bs - key) + 1 == c->len[2])
        return bad(r, c, 2, "the key is not ROOT\\PATH with a registry root");
    v.root_len = strlen(v.root);
    v.key = bs + 1;
    v.key_len = c->len[2] - root_len - 1;
    size_t d;
    dcs_status st = options(r, c, &v, &d);
    if (st != DCS_OK)
        return st;
    if (action == DCS_SHIP_DELETE) {
        v.data = (const uint8_t *)""; /* no data, but never a NULL pointer */
        return fn(ctx, &v, r->err);
    }
    const char *why;
    if (!dcsi_ship_data_parse(v.type, d ? c->arg[d] : "", d ? c->len[d] : 0, false, r->data,
                              &v.len, &why))
        return bad(r, c, d, why);
    v.data = r->data;
    return fn(ctx, &v, r->err);
}

/* One line [s, s+n): %% -> %, then split; `reg add` lines go to command(). */
static dcs_status line(struct rd *r, const char *s, size_t n, char *tmp, dcs_ship_value_fn fn,
                       void *ctx)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        tmp[k++] = s[i];
        if (s[i] == '%' && i + 1 < n && s[i + 1] == '%')
            i++;
    }
    size_t lead = 0;
    while (lead < k && (tmp[lead] == ' ' || tmp[lead] == '\t' || tmp[lead] == '@'))
        lead++;
    struct cmdline c;
    if (!split(tmp + lead, k - lead, tmp + k, &c))
        return bad(r, &c, MAX_ARGS - 1, "more arguments than a reg add command takes");
    for (size_t i = 0; i < c.n; i++)
        c.col[i] += lead;
    if (c.n < 2 || !(arg_is(&c, 0, "reg") || arg_is(&c, 0, "reg.exe")) ||
        !(arg_is(&c, 1, "add") || arg_is(&c, 1, "delete")))
        return DCS_OK;
    r->data = (uint8_t *)tmp + 2 * k;
    return command(r, &c, arg_is(&c, 1, "delete") ? DCS_SHIP_DELETE : DCS_SHIP_SET, fn, ctx);
}

dcs_status dcs_ship_read_cmd(const void *text, size_t len, dcs_ship_value_fn fn, void *ctx,
                             struct dcs_error *err)
{
    if ((!text && len) || !fn)
        return dcs_error_set(err, DCS_ERR_INVALID_ARG, DCS_NO_OFFSET, "no text or no callback");
    const char *s = text;
    size_t longest = 0;
    for (size_t i = 0, start = 0; i <= len; i++) {
        if (i == len || s[i] == '\n') {
            longest = i - start > longest ? i - start : longest;
            start = i + 1;
        }
    }
    /* a line, its split arguments, then its data (UTF-16: twice a line) */
    char *tmp = malloc(4 * longest + 16);
    if (!tmp)
        return dcs_error_set(err, DCS_ERR_NOMEM, DCS_NO_OFFSET, "out of memory");
    struct rd r = {.err = err};
    dcs_status st = DCS_OK;
    for (size_t i = 0; i < len && st == DCS_OK;) {
        const char *nl = memchr(s + i, '\n', len - i);
        size_t end = nl ? (size_t)(nl - s) : len, n = end - i;
        if (n && s[i + n - 1] == '\r')
            n--;
        r.line++;
        st = line(&r, s + i, n, tmp, fn, ctx);
        i = end + 1;
    }
    free(tmp);
    return st;
}

int dcs_ship_detect(const void *text, size_t len)
{
    const char *s = text;
    size_t i = len >= 3 && memcmp(s, "\xEF\xBB\xBF", 3) == 0 ? 3 : 0;
    while (i < len && (s[i] == ' ' || s[i] == '\t' || s[i] == '\r' || s[i] == '\n'))
        i++;
    size_t rest = len - i;
    /* cppcheck-suppress knownConditionTrueFalse ; the loop above may stop early */
    if (rest >= 5 && (memcmp(s + i, "<?xml", 5) == 0 || memcmp(s + i, "<Regi", 5) == 0))
        return 1;
    const char *starts[] = {"@echo off", "reg add", "rem ", "@reg add"};
    for (size_t k = 0; k < sizeof starts / sizeof starts[0]; k++) {
        size_t l = strlen(starts[k]);
        if (rest >= l && strncasecmp(s + i, starts[k], l) == 0)
            return 2;
    }
    return 0;
}
