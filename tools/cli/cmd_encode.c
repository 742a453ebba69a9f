/* dcs encode: a blob from a decode-schema JSON object or from flags. */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "cmd.h"
#include "json.h"
#include "opts.h"
#include "reg_blob.h"

struct opts {
    const char *json_path, *proxy, *bypass, *pac, *out_path, *format;
    const char *reg_key, *reg_value; /* -- reg room: --output-format reg */
    bool autodetect, no_proxy;
    int have_counter;
    uint32_t counter, version;
    int winhttp;
};

/* The values that need checking come back by id (take); the rest is stored. */
enum { O_COUNTER = 1, O_VERSION, O_FORMAT };
#define T struct opts
static const struct cli_opt settings_opts[] = {
    CLI_STRING("json", 0, "FILE|-", T, json_path,
               "one object in the schema 'dcs decode --json' prints"),
    CLI_STRING("proxy", 0, "LIST", T, proxy,
               "proxy servers (\"host:port\" or \"http=host:port;...\")"),
    CLI_STRING("bypass", 0, "LIST", T, bypass,
               "hosts reached directly (\"<local>;*.example.com\")"),
    CLI_STRING("pac", 0, "URL", T, pac, "automatic configuration script"),
    CLI_FLAG("autodetect", 0, T, autodetect, "automatically detect settings (WPAD)"),
    CLI_FLAG("no-proxy", 0, T, no_proxy, "a direct connection"),
    CLI_OPT("counter", 0, "N", O_COUNTER, "the change counter (default 1)"),
    CLI_OPT("version", 0, "V", O_VERSION, "0x46, 0x3c, winhttp, 0x18 or 0x28"),
    /* output options */
    CLI_OPT("output-format", 0, "F", O_FORMAT,
            "binary|hex|reg; default: hex when stdout is a terminal,\n"
            "else binary; reg: a .reg file for reg import (FILE.gz: gzip)"),
    CLI_STRING("key", 0, "KEY", T, reg_key,
               "with reg: where the blob goes (default HKCU ...\\Internet\n"
               "Settings\\Connections; WinHttpSettings blobs: HKLM ...)"),
    CLI_STRING("value", 0, "NAME", T, reg_value,
               "with reg: the value (default DefaultConnectionSettings;\n"
               "WinHttpSettings blobs: WinHttpSettings)"),
    CLI_STRING("output", 'o', "FILE", T, out_path,
               "write FILE instead of stdout: a file is replaced\n"
               "atomically, a device, FIFO or link's target written as is"),
};
#undef T
#define N_OPTS (sizeof settings_opts / sizeof settings_opts[0])

static void usage(FILE *out)
{
    fprintf(out,
            "usage: dcs encode --json FILE|- [OUTPUT OPTIONS]\n"
            "       dcs encode [--proxy LIST] [--bypass LIST] [--pac URL] [--autodetect]\n"
            "                  [--no-proxy] [--counter N] [--version 0x46|0x3c|winhttp|0x18|0x28]\n"
            "                  [OUTPUT OPTIONS]\n"
            "\n"
            "Build a proxy blob.  With --json, FILE holds one object in the schema that\n"
            "'dcs decode --json' prints; encoding that output reproduces the original bytes.\n"
            "With flags, the blob is built the way the Windows UI saves one: bit 0x01 set,\n"
            "the tail after the PAC URL zeroed, counter 1 unless --counter is given.\n"
            "--version winhttp makes a WinHttpSettings blob (0x28, what netsh writes; 0x18 is\n"
            "the older/Wine spelling) from --proxy/--bypass only.  The lists are checked as\n"
            "WinINET reads them: an error is a usage error, an oddity a warning.\n"
            "\n");
    cli_opts_help(out, settings_opts, N_OPTS);
    fprintf(out, "\n"
                 "exit status: 0 written; 1 bad input; 2 usage.\n");
}


static int parse_version(const char *s, struct opts *o)
{
    if (strcmp(s, "winhttp") == 0) {
        o->version = DCS_VERSION_WINHTTP28;
        o->winhttp = 1;
        return 1;
    }
    if (!cli_parse_u32(s, &o->version))
        return 0;
    if (o->version == DCS_VERSION_WINHTTP || o->version == DCS_VERSION_WINHTTP28)
        o->winhttp = 1;
    else if (o->version != DCS_VERSION_IE5 && o->version != DCS_VERSION_IE7)
        return 0;
    return 1;
}

/* Every output, stdout included, goes through the one output helper. */
static int write_out(const struct opts *o, const void *p, size_t n)
{
    struct dcs_error err;
    if (cli_write_output(o->out_path ? o->out_path : "-", p, n, &err) != DCS_OK) {
        cli_errorf("%s", err.message);
        return EXIT_BAD_INPUT;
    }
    return EXIT_OK;
}

static int emit(const struct opts *o, const uint8_t *p, size_t n)
{
    const char *fmt = o->format;
    if (!fmt)
        fmt = (!o->out_path && isatty(STDOUT_FILENO)) ? "hex" : "binary";
    if (strcmp(fmt, "reg") == 0) /* -- reg room */
        return reg_emit_blob(o->out_path, o->reg_key, o->reg_value, p, n);
    if (strcmp(fmt, "binary") == 0)
        return write_out(o, p, n);
    char *text = malloc(n * 3 + 2);
    size_t t = 0;
    if (!text)
        return EXIT_BAD_INPUT;
    for (size_t i = 0; i < n; i++) {
        dcs_hex_encode(p + i, 1, text + t);
        t += 2;
        text[t++] = (i % 16 == 15 || i + 1 == n) ? '\n' : ' ';
    }
    int rc = write_out(o, text, t);
    free(text);
    return rc;
}

static int encode_model(const struct opts *o, const struct dcs_blob *b)
{
    struct dcs_error err;
    size_t n = 0;
    if (dcs_blob_encode(b, NULL, 0, &n, &err) != DCS_OK) {
        cli_report("encode", &err);
        return EXIT_BAD_INPUT;
    }
    uint8_t *buf = malloc(n ? n : 1);
    if (!buf)
        return EXIT_BAD_INPUT;
    if (dcs_blob_encode(b, buf, n, &n, &err) != DCS_OK) {
        cli_report("encode", &err);
        free(buf);
        return EXIT_BAD_INPUT;
    }
    int rc = emit(o, buf, n);
    free(buf);
    return rc;
}

static dcs_bytes view(const char *s)
{
    return s ? (dcs_bytes){(const uint8_t *)s, (uint32_t)strlen(s)} : (dcs_bytes){NULL, 0};
}

static int from_json(const struct opts *o)
{
    uint8_t *text;
    size_t len;
    struct dcs_error err;
    const char *name = strcmp(o->json_path, "-") ? o->json_path : "<stdin>";
    if (cli_read_file(o->json_path, CLI_MAX_INPUT, &text, &len, &err) != DCS_OK) {
        cli_report(name, &err);
        return EXIT_BAD_INPUT;
    }
    json_error_t jerr;
    json_t *root = json_loadb((const char *)text, len, DCS_JSON_LOAD_FLAGS, &jerr);
    free(text);
    if (!root) {
        cli_errorf("%s:%d:%d: %s", name, jerr.line, jerr.column, jerr.text);
        return EXIT_BAD_INPUT;
    }
    struct json_store store = {{0}, 0};
    struct dcs_blob b;
    int rc;
    if (json_to_blob(root, &store, &b, &err) != DCS_OK) {
        cli_report(name, &err);
        rc = EXIT_BAD_INPUT;
    } else {
        char dropped[512];
        if (b.format == DCS_FORMAT_WINHTTP &&
            json_winhttp_dropped(root, dropped, sizeof dropped))
            cli_warnf("%s: a WinHTTP blob has no field for %s: left out", name, dropped);
        rc = encode_model(o, &b);
    }
    json_store_free(&store);
    json_decref(root);
    return rc;
}

static int from_flags(const struct opts *o)
{
    struct dcs_blob b;
    if (o->no_proxy && (o->proxy || o->pac || o->autodetect)) {
        cli_errorf("encode: --no-proxy excludes --proxy, --pac and --autodetect");
        return EXIT_USAGE;
    }
    if (o->winhttp) {
        if (o->pac || o->autodetect) {
            cli_errorf("encode: WinHttpSettings has no PAC URL or auto-detect field");
            return EXIT_USAGE;
        }
        dcs_blob_init(&b, DCS_FORMAT_WINHTTP, o->version);
        b.flags = DCS_PROXY_TYPE_DIRECT | (o->proxy && *o->proxy ? DCS_PROXY_TYPE_PROXY : 0);
        b.proxy = view(o->proxy);
        b.bypass = view(o->bypass);
        b.counter = o->have_counter ? o->counter : 0;
        return encode_model(o, &b);
    }
    struct dcs_settings s = {0, view(o->proxy), view(o->bypass), view(o->pac)};
    if (o->proxy && *o->proxy)
        s.flags |= DCS_PROXY_TYPE_PROXY;
    if (o->pac && *o->pac)
        s.flags |= DCS_PROXY_TYPE_AUTO_PROXY_URL;
    if (o->autodetect)
        s.flags |= DCS_PROXY_TYPE_AUTO_DETECT;
    dcs_blob_build(&s, NULL, &b);
    if (o->version)
        b.version = o->version, b.nfields = dcs_blob_field_count(b.format, b.version);
    if (o->have_counter)
        b.counter = o->counter;
    return encode_model(o, &b);
}

/* A value that needs checking: false (reported) when it is not one. */
static bool take(int id, const char *v, struct opts *o)
{
    switch (id) {
    case O_COUNTER:
        if (!cli_parse_u32(v, &o->counter)) {
            cli_errorf("encode: --counter wants a number from 0 to 4294967295");
            return false;
        }
        o->have_counter = 1;
        return true;
    case O_VERSION:
        if (!parse_version(v, o)) {
            cli_errorf("encode: --version wants 0x46, 0x3c, winhttp, 0x18 or 0x28");
            return false;
        }
        return true;
    default: /* O_FORMAT */
        if (strcmp(v, "binary") != 0 && strcmp(v, "hex") != 0 && strcmp(v, "reg") != 0) {
            cli_errorf("encode: --output-format wants binary, hex or reg");
            return false;
        }
        o->format = v;
        return true;
    }
}

/* The reg room adds --output-format reg on top of this command. */
int cmd_encode(int argc, char **argv)
{
    struct opts o;
    memset(&o, 0, sizeof o);
    struct cli_opts p;
    cli_opts_init(&p, "encode", settings_opts, N_OPTS, &o, argc, argv);
    const char *v;
    for (int id; (id = cli_opts_next(&p, &v)) != CLI_OPT_END;) {
        switch (id) {
        case CLI_OPT_HELP: usage(stdout); return EXIT_OK;
        case CLI_OPT_ERROR: return EXIT_USAGE;
        case CLI_OPT_ARG:
            cli_errorf("encode: unknown argument '%s' (try 'dcs encode --help')", v);
            return EXIT_USAGE;
        case CLI_OPT_STORED: break;
        default:
            if (!take(id, v, &o))
                return EXIT_USAGE;
        }
    }
    if ((o.reg_key || o.reg_value) && (!o.format || strcmp(o.format, "reg") != 0)) {
        cli_errorf("encode: --key and --value go with --output-format reg"); /* -- reg room */
        return EXIT_USAGE;
    }
    if (o.json_path) {
        if (o.proxy || o.bypass || o.pac || o.autodetect || o.no_proxy || o.have_counter ||
            o.version) {
            cli_errorf("encode: --json excludes the settings flags");
            return EXIT_USAGE;
        }
        return from_json(&o);
    }
    if (!cli_check_list("encode", "--proxy", o.proxy, false, o.winhttp) ||
        /* a WinINET bypass list is checked as `dcs apply` checks it (the
         * same bytes reach the same blob): an entry outside the grammar, a
         * CIDR block, is a warning and written as given; WinHTTP's own
         * grammar is stricter and stays an error */
        !(o.winhttp ? cli_check_list("encode", "--bypass", o.bypass, true, true)
                    : cli_check_text("encode", "--bypass", o.bypass, CLI_TEXT_BYPASS, true)) ||
        !cli_check_text("encode", "--pac", o.pac, CLI_TEXT_URL, false))
        return EXIT_USAGE;
    return from_flags(&o);
}
