/* dcs hive recover: replay a dirty hive's transaction logs (dcs/recover.h),
 * into a new file or in place after backing up the hive and its logs.
 * Also the `dcs hive` command group, which holds only `recover` so far. */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"
#include "cmd.h"
#include "json.h"
#include "opts.h"

struct recover_opts {
    const char *hive, *out, *backup_dir;
    bool json;
};

static const struct cli_opt recover_table[] = {
    CLI_STRING("output", 'o', "OUT", struct recover_opts, out,
               "write the recovered hive to OUT; HIVE and its\n"
               "logs are not touched (a clean HIVE is copied as\nit is)"),
    CLI_STRING("backup-dir", 0, "DIR", struct recover_opts, backup_dir,
               "without -o: where the hive and its logs are\n"
               "copied before HIVE is replaced (default:\n"
               "dcs-backup-STAMP beside HIVE); the logs are left\nwhere they are"),
    CLI_FLAG("json", 0, struct recover_opts, json, "one JSON object on standard output"),
};

static void usage_recover(FILE *out)
{
    fprintf(out,
            "usage: dcs hive recover HIVE [-o OUT] [--json] [--backup-dir DIR]\n"
            "\n"
            "Replay the transaction logs beside HIVE (HIVE.LOG, .LOG1, .LOG2, any letter\n"
            "case) exactly as Windows does when it loads a dirty hive: old format (XP to\n"
            "8.0) and new format (8.1 and later), both logs in sequence order, stale\n"
            "logs skipped, a new base block with a valid checksum.\n"
            "\n");
    cli_opts_help(out, recover_table, CLI_NOPTS(recover_table));
    fprintf(out,
            "\n"
            "Where Windows' behaviour is not known for sure, or the logs are damaged,\n"
            "inconsistent, missing or stale, nothing is written and the rule that\n"
            "refused is named.\n"
            "\n"
            "exit status: 0 recovered or already clean; 1 not a hive, or an error\n"
            "(nothing written); 2 usage; 3 cannot be recovered safely (nothing written).\n");
}

static void usage_group(FILE *out)
{
    fprintf(out,
            "usage: dcs hive SUBCOMMAND [ARGS]\n"
            "\n"
            "  recover   replay a dirty hive's transaction logs (.LOG, .LOG1, .LOG2)\n"
            "\n"
            "Run 'dcs hive SUBCOMMAND --help' for its options.\n");
}

static int exit_for(dcs_status st)
{
    switch (st) {
    case DCS_OK:
        return EXIT_OK;
    case DCS_ERR_HIVE_REFUSED:
        return EXIT_UNSAFE;
    default:
        return EXIT_BAD_INPUT;
    }
}

static const char *format_name(enum dcs_recover_format f)
{
    return f == DCS_RECOVER_FORMAT_NEW ? "new" : f == DCS_RECOVER_FORMAT_OLD ? "old" : NULL;
}

static json_t *seq_pair(const uint32_t seq[2])
{
    return json_pack("[II]", (json_int_t)seq[0], (json_int_t)seq[1]);
}

static void print_json(const struct recover_opts *o, const struct dcs_recover_report *rep,
                       dcs_status st, const struct dcs_error *err)
{
    json_t *logs = json_array();
    for (int i = 0; i < DCS_RECOVER_NLOGS; i++) {
        const struct dcs_recover_log_report *l = &rep->logs[i];
        if (!l->path[0])
            continue;
        json_array_append_new(logs, json_pack("{s:s,s:I,s:b}", "path", l->path,
                                              "entries_applied",
                                              (json_int_t)l->entries_applied, "stale",
                                              l->stale));
    }
    const char *fmt = format_name(rep->format);
    json_t *o_json = json_object();
    json_object_set_new(o_json, "hive", json_string(o->hive));
    json_object_set_new(o_json, "state", json_string(dcs_recover_state_name(rep->state)));
    json_object_set_new(o_json, "entries_applied", json_integer(rep->entries_applied));
    json_object_set_new(o_json, "logs", logs);
    json_object_set_new(o_json, "sequence", seq_pair(rep->seq_before));
    json_object_set_new(o_json, "sequence_after", seq_pair(rep->seq_after));
    json_object_set_new(o_json, "format", fmt ? json_string(fmt) : json_null());
    json_object_set_new(o_json, "rule", rep->rule ? json_string(dcs_recover_rule_name(rep->rule))
                                                  : json_null());
    json_object_set_new(o_json, "error", st == DCS_OK ? json_null() : json_string(err->message));
    json_print(o_json, stdout, 0);
    json_decref(o_json);
}

static void print_text(const struct recover_opts *o, const struct dcs_recover_report *rep,
                       const char *written)
{
    if (rep->state == DCS_RECOVER_CLEAN) {
        printf("%s: clean (sequence %u/%u), nothing to replay%s%s\n", o->hive,
               rep->seq_before[0], rep->seq_before[1], written ? "; copied to " : "",
               written ? written : "");
        return;
    }
    printf("%s: recovered (%s format): %u %s applied, sequence %u/%u -> %u/%u%s\n", o->hive,
           format_name(rep->format), rep->entries_applied,
           rep->format == DCS_RECOVER_FORMAT_OLD ? "dirty pages" : "log entries",
           rep->seq_before[0], rep->seq_before[1], rep->seq_after[0], rep->seq_after[1],
           rep->base_block_from_log ? "; base block rebuilt from a log" : "");
    for (int i = 0; i < DCS_RECOVER_NLOGS; i++) {
        const struct dcs_recover_log_report *l = &rep->logs[i];
        if (l->path[0])
            printf("  %s: %u applied%s\n", l->path, l->entries_applied,
                   l->stale ? " (stale: older than the hive)" : "");
    }
    printf("  written to %s\n", written);
}

/* True when a and b name the same existing file. */
static bool same_file(const char *a, const char *b)
{
    struct stat sa, sb;
    return stat(a, &sa) == 0 && stat(b, &sb) == 0 && sa.st_dev == sb.st_dev &&
           sa.st_ino == sb.st_ino;
}

/* Recover into OUT, which must be none of the inputs. */
static dcs_status recover_to(const struct recover_opts *o, struct dcs_recover_report *rep,
                             struct dcs_error *err)
{
    uint8_t *data = NULL;
    size_t len = 0;
    dcs_status st = dcs_recover_file(o->hive, &data, &len, rep, err);
    for (int i = 0; st == DCS_OK && i < DCS_RECOVER_NLOGS + 1; i++) {
        const char *in = i == 0 ? o->hive : rep->logs[i - 1].path;
        if (in[0] && same_file(o->out, in))
            st = dcs_error_set(err, DCS_ERR_INVALID_ARG, DCS_NO_OFFSET,
                               "OUT is %s itself: recover in place instead (no -o)", in);
    }
    if (st == DCS_OK)
        st = cli_write_output(o->out, data, len, err);
    free(data);
    return st;
}

/* Recover HIVE over itself: the library takes the hive's lock, backs up
 * the hive and its logs and replaces it atomically. */
static dcs_status recover_in_place(const struct recover_opts *o, struct dcs_recover_report *rep,
                                   struct dcs_error *err)
{
    char where[4096];
    dcs_status st = dcs_recover_replace_file(o->hive, o->backup_dir, where, sizeof where, rep,
                                             err);
    if (st == DCS_OK && rep->state != DCS_RECOVER_CLEAN && !o->json)
        fprintf(stderr, "%s: the hive and its logs were backed up in %s\n", cli_prog, where);
    return st;
}

static int parse_recover(int argc, char **argv, struct recover_opts *o)
{
    struct cli_opts p;
    cli_opts_init(&p, "hive recover", recover_table, CLI_NOPTS(recover_table), o, argc, argv);
    const char *v;
    for (int id; (id = cli_opts_next(&p, &v)) != CLI_OPT_END;) {
        if (id == CLI_OPT_HELP) {
            usage_recover(stdout);
            return EXIT_OK;
        }
        if (id == CLI_OPT_ERROR)
            return EXIT_USAGE;
        if (id == CLI_OPT_ARG && o->hive) {
            cli_errorf("hive recover: one HIVE only ('%s')", v);
            return EXIT_USAGE;
        }
        if (id == CLI_OPT_ARG)
            o->hive = v;
    }
    if (!o->hive) {
        usage_recover(stderr);
        return EXIT_USAGE;
    }
    if (o->out && o->json && strcmp(o->out, "-") == 0) {
        cli_errorf("hive recover: -o - and --json both want standard output");
        return EXIT_USAGE;
    }
    return -1;
}

static int cmd_hive_recover(int argc, char **argv)
{
    struct recover_opts o = {0};
    int rc = parse_recover(argc, argv, &o);
    if (rc >= 0)
        return rc;
    struct dcs_recover_report *rep = calloc(1, sizeof *rep);
    if (!rep) {
        cli_errorf("out of memory");
        return EXIT_BAD_INPUT;
    }
    struct dcs_error err;
    dcs_error_clear(&err);
    dcs_status st = o.out ? recover_to(&o, rep, &err) : recover_in_place(&o, rep, &err);
    const char *written = o.out ? o.out : rep->state == DCS_RECOVER_CLEAN ? NULL : o.hive;
    if (o.json)
        print_json(&o, rep, st, &err);
    else if (st == DCS_OK)
        print_text(&o, rep, written);
    if (st != DCS_OK)
        cli_report(o.hive, &err);
    free(rep);
    return exit_for(st);
}

int cmd_hive(int argc, char **argv)
{
    if (argc < 2) {
        usage_group(stderr);
        return EXIT_USAGE;
    }
    if (cli_is(argv[1], "--help", "-h")) {
        usage_group(stdout);
        return EXIT_OK;
    }
    if (strcmp(argv[1], "recover") == 0)
        return cmd_hive_recover(argc - 1, argv + 1);
    cli_errorf("hive: unknown subcommand '%s' (try 'dcs hive --help')", argv[1]);
    return EXIT_USAGE;
}
