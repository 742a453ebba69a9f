/* Table-driven option parsing (see opts.h). */
#include "opts.h"

#include <stdlib.h>
#include <string.h>

#include "cli.h"

#define HELP_COLUMN 30 /* where the help text starts */

void cli_opts_init(struct cli_opts *p, const char *cmd, const struct cli_opt *table, size_t n,
                   void *dest, int argc, char **argv)
{
    p->cmd = cmd;
    p->table = table;
    p->n = n;
    p->dest = dest;
    p->argc = argc;
    p->argv = argv;
    p->i = 1;
    p->only_args = false;
}

static const struct cli_opt *find_long(const struct cli_opts *p, const char *name, size_t len)
{
    for (size_t k = 0; k < p->n; k++)
        if (p->table[k].name && strlen(p->table[k].name) == len &&
            strncmp(p->table[k].name, name, len) == 0)
            return &p->table[k];
    return NULL;
}

static const struct cli_opt *find_short(const struct cli_opts *p, char c)
{
    for (size_t k = 0; k < p->n; k++)
        if (p->table[k].name && p->table[k].short_name && p->table[k].short_name == c)
            return &p->table[k];
    return NULL;
}

/* "dcs: CMD: unknown code page 'x' (cp1252 or utf8)": the names, aliases
 * left out. */
static void bad_choice(const struct cli_opts *p, const struct cli_opt *o, const char *value)
{
    const char *names[16];
    size_t n = 0;
    for (const struct cli_choice *c = o->choices; c->name && n < 16; c++)
        if (c == o->choices || c->value != c[-1].value)
            names[n++] = c->name;
    char list[256];
    size_t used = 0;
    list[0] = '\0';
    for (size_t k = 0; k < n && used < sizeof list; k++)
        used += (size_t)snprintf(list + used, sizeof list - used, "%s%s",
                                 k == 0 ? "" : k + 1 == n ? " or " : ", ", names[k]);
    cli_errorf("%s: unknown %s '%s' (%s)", p->cmd, o->what, value, list);
}

/* The value of the name among the option's choices; false: not one. */
static bool choose(const struct cli_opt *o, const char *value, int *out)
{
    for (const struct cli_choice *c = o->choices; c->name; c++)
        if (strcmp(c->name, value) == 0) {
            *out = c->value;
            return true;
        }
    return false;
}

/* Put the option into dest as its row says; its id (CLI_OPT_STORED when it
 * has none) or CLI_OPT_ERROR. */
static int store(struct cli_opts *p, const struct cli_opt *o, const char *value)
{
    char *base = p->dest;
    if (o->store == CLI_STORE_NONE)
        return o->id;
    if (o->store == CLI_STORE_STRING)
        *(const char **)(void *)(base + o->field) = value;
    else if (o->store == CLI_STORE_FLAG)
        *(bool *)(void *)(base + o->field) = true;
    else if (o->store == CLI_STORE_BITS)
        *(unsigned *)(void *)(base + o->field) |= (unsigned)o->aux;
    else if (o->store == CLI_STORE_CHOICE) {
        if (!choose(o, value, (int *)(void *)(base + o->field))) {
            bad_choice(p, o, value);
            return CLI_OPT_ERROR;
        }
    } else { /* CLI_STORE_LIST: never more items than arguments, so one allocation */
        const char ***list = (const char ***)(void *)(base + o->field);
        size_t *count = (size_t *)(void *)(base + o->aux);
        if (!*list && !(*list = malloc((size_t)p->argc * sizeof **list))) {
            cli_errorf("%s: out of memory", p->cmd);
            return CLI_OPT_ERROR;
        }
        (*list)[(*count)++] = value;
    }
    return o->id ? o->id : CLI_OPT_STORED;
}

/* The option's value: attached (--x=v, -xv) or the next argument; stored
 * as the row says.  *value is NULL after a usage error. */
static int take_value(struct cli_opts *p, const struct cli_opt *o, const char *spelt,
                      const char *attached, const char **value)
{
    *value = NULL;
    if (!o->arg && attached) {
        cli_errorf("%s: option '%s' takes no value", p->cmd, spelt);
        return CLI_OPT_ERROR;
    }
    if (o->arg && !attached && p->i >= p->argc) {
        cli_errorf("%s: %s needs a value (%s)", p->cmd, spelt, o->arg);
        return CLI_OPT_ERROR;
    }
    const char *v = !o->arg ? NULL : attached ? attached : p->argv[p->i++];
    int id = store(p, o, v);
    if (id != CLI_OPT_ERROR)
        *value = v;
    return id;
}

void cli_opts_free(const struct cli_opts *p)
{
    for (size_t k = 0; k < p->n; k++) {
        const struct cli_opt *o = &p->table[k];
        if (!o->name || o->store != CLI_STORE_LIST || !p->dest)
            continue;
        char *base = p->dest;
        const char ***list = (const char ***)(void *)(base + o->field);
        free((void *)*list);
        *list = NULL;
        *(size_t *)(void *)(base + o->aux) = 0;
    }
}

int cli_opts_next(struct cli_opts *p, const char **value)
{
    *value = NULL;
    if (p->i >= p->argc)
        return CLI_OPT_END;
    const char *a = p->argv[p->i++];
    if (p->only_args || a[0] != '-' || a[1] == '\0') {
        *value = a;
        return CLI_OPT_ARG;
    }
    if (strcmp(a, "--") == 0) {
        p->only_args = true;
        return cli_opts_next(p, value);
    }
    if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0)
        return CLI_OPT_HELP;
    const struct cli_opt *o;
    if (a[1] == '-') {
        const char *eq = strchr(a + 2, '=');
        size_t len = eq ? (size_t)(eq - (a + 2)) : strlen(a + 2);
        o = find_long(p, a + 2, len);
        if (o) {
            char spelt[64];
            snprintf(spelt, sizeof spelt, "--%.*s", (int)len, a + 2);
            return take_value(p, o, spelt, eq ? eq + 1 : NULL, value);
        }
    } else if ((o = find_short(p, a[1])) != NULL && (a[2] == '\0' || o->arg)) {
        char spelt[3] = {'-', a[1], '\0'};
        return take_value(p, o, spelt, a[2] ? a + 2 : NULL, value);
    }
    cli_errorf("%s: unknown option '%s' (try 'dcs %s --help')", p->cmd, a, p->cmd);
    return CLI_OPT_ERROR;
}

void cli_opts_help(FILE *out, const struct cli_opt *table, size_t n)
{
    /* long names line up under "-o, --output" when some option has a letter */
    bool letters = false;
    for (size_t k = 0; k < n; k++)
        letters |= table[k].short_name != 0;
    for (size_t k = 0; k < n; k++) {
        const struct cli_opt *o = &table[k];
        if (!o->help)
            continue;
        if (!o->name) {
            fprintf(out, "%s\n", o->help);
            continue;
        }
        char left[128];
        int w = snprintf(left, sizeof left, "  %s%c%s--%s%s%s", o->short_name ? "-" : "",
                         o->short_name ? o->short_name : ' ', o->short_name ? ", " : "  ",
                         o->name, o->arg ? " " : "", o->arg ? o->arg : "");
        if (!o->short_name) /* no letter: the long name where it would start */
            w = snprintf(left, sizeof left, "  %s--%s%s%s", letters ? "    " : "", o->name,
                         o->arg ? " " : "", o->arg ? o->arg : "");
        fputs(left, out);
        const char *h = o->help;
        bool first = true;
        while (*h) {
            size_t len = strcspn(h, "\n");
            int pad = first && w < HELP_COLUMN - 1 ? HELP_COLUMN - w : HELP_COLUMN;
            if (first && w >= HELP_COLUMN - 1)
                fputc('\n', out);
            fprintf(out, "%*s%.*s\n", pad, "", (int)len, h);
            first = false;
            h += len;
            if (*h == '\n')
                h++;
        }
    }
}
