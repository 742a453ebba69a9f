/* dcs diff: semantic difference of two blobs; the counter is shown but is
 * not a change. */
#include <stdlib.h>
#include <string.h>

#include "blobview.h"
#include "cli.h"
#include "cmd.h"
#include "opts.h"

struct diff_args {
    bool effective, quiet;
};

static const struct cli_opt diff_opts[] = {
    CLI_FLAG("effective", 0, struct diff_args, effective, "compare only what takes effect"),
    CLI_FLAG("quiet", 'q', struct diff_args, quiet, "print nothing: the exit status tells"),
};

static void usage(FILE *out)
{
    fprintf(out,
            "usage: dcs diff [--effective] [--quiet] A B\n"
            "\n"
            "Compare two blobs (binary or hex text files; '-' is standard input for one\n"
            "of them) field by field.  The counter is shown when it differs but does not\n"
            "count as a change.  --effective compares only what takes effect: the PROXY_TYPE\n"
            "bits and the strings those bits enable (stale strings are ignored).\n"
            "\n");
    cli_opts_help(out, diff_opts, sizeof diff_opts / sizeof diff_opts[0]);
    fprintf(out, "\n"
                 "exit status: 0 equal; 1 different (or an input could not be read or decoded,\n"
                 "with a message naming the byte offset); 2 usage.\n");
}

struct side {
    const char *path;
    uint8_t *data;
    size_t len;
    struct dcs_blob blob;
};

static int load(struct side *s)
{
    struct dcs_error err;
    enum cli_input_kind kind;
    dcs_error_clear(&err);
    if (cli_load_blob(s->path, &s->data, &s->len, &kind, &err) != DCS_OK ||
        dcs_blob_decode(s->data, s->len, DCS_DECODE_LENIENT, &s->blob, &err) != DCS_OK) {
        cli_report(strcmp(s->path, "-") ? s->path : "<stdin>", &err);
        return 0;
    }
    return 1;
}

int cmd_diff(int argc, char **argv)
{
    struct diff_args a = {false, false};
    struct side s[2];
    int n = 0;
    memset(s, 0, sizeof s);
    struct cli_opts p;
    cli_opts_init(&p, "diff", diff_opts, CLI_NOPTS(diff_opts), &a, argc, argv);
    const char *v;
    for (int id; (id = cli_opts_next(&p, &v)) != CLI_OPT_END;) {
        switch (id) {
        case CLI_OPT_HELP: usage(stdout); return EXIT_OK;
        case CLI_OPT_ERROR: return EXIT_USAGE;
        case CLI_OPT_STORED: break;
        default: /* CLI_OPT_ARG */
            if (n == 2) {
                cli_errorf("diff: exactly two inputs, please");
                return EXIT_USAGE;
            }
            s[n++].path = v;
        }
    }
    if (n != 2) {
        usage(stderr);
        return EXIT_USAGE;
    }
    if (strcmp(s[0].path, "-") == 0 && strcmp(s[1].path, "-") == 0) {
        cli_errorf("diff: only one input can be standard input");
        return EXIT_USAGE;
    }
    int rc;
    if (!load(&s[0]) || !load(&s[1])) {
        rc = EXIT_BAD_INPUT;
    } else if (a.effective) {
        rc = dcs_blob_equal(&s[0].blob, &s[1].blob, DCS_EQUAL_EFFECTIVE) ? EXIT_OK : 1;
        if (!a.quiet) {
            printf("%-20s ", "A effective");
            blobview_effective(stdout, &s[0].blob);
            printf("%-20s ", "B effective");
            blobview_effective(stdout, &s[1].blob);
            printf("%s\n", rc ? "different" : "equal");
        }
    } else {
        if (!a.quiet)
            blobview_diff(stdout, &s[0].blob, &s[1].blob);
        int equal = dcs_blob_equal(&s[0].blob, &s[1].blob, DCS_EQUAL_IGNORE_COUNTER);
        rc = equal ? EXIT_OK : 1;
        if (!a.quiet)
            printf("%s\n", equal ? "equal (ignoring the counter)" : "different");
    }
    free(s[0].data);
    free(s[1].data);
    return rc;
}
