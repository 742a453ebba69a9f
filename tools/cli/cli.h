/* Shared plumbing for the dcs commands: file I/O, atomic writes, messages.
 * The commands are thin shells around libdcs; policy lives here and in
 * cmd_*.c, never in the library. */
#ifndef DCS_CLI_H
#define DCS_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <dcs/dcs.h>

/* Exit codes, documented in README and --help. */
enum {
    EXIT_OK = 0,
    EXIT_BAD_INPUT = 1, /* also: different (diff), error with nothing changed (apply) */
    EXIT_USAGE = 2,
    EXIT_UNSAFE = 3,    /* apply: refused an unsafe hive */
    EXIT_OUT_OF_STEP = 4, /* apply --check: a target would change */
    EXIT_HIVES_CHANGED = 5 /* apply, reg import: a failed commit could not put every hive back */
};

/* Largest input the CLI reads into memory in one piece (blob, JSON). */
#define CLI_MAX_INPUT (64u * 1024u * 1024u)

extern const char *cli_prog; /* "dcs" */
/* The command line as main received it (NULL-terminated): what dcs-wim is
 * run with (wim_run.c). */
extern char **cli_argv;

/* "dcs: " + message + "\n" on stderr. */
void cli_errorf(const char *fmt, ...) DCS_PRINTF(1, 2);
void cli_warnf(const char *fmt, ...) DCS_PRINTF(1, 2);
/* "dcs: NAME: offset 12: message" / "dcs: NAME:3:4: message". */
void cli_report(const char *name, const struct dcs_error *err);

/* Read all of path ("-" = stdin) into a malloc'd buffer (NUL-terminated,
 * the NUL not counted).  Refuses inputs over max bytes and directories; a
 * FIFO or device is read (one with no writer reads as empty, never hangs). */
dcs_status cli_read_file(const char *path, size_t max, uint8_t **data, size_t *len,
                         struct dcs_error *err);

/* Write data to the output path the user named ("-" = stdout) through the
 * one output helper (core/fileio.h): a regular file or a new one is
 * replaced atomically (temporary file, fsync, rename, fsync of the
 * directory), a device or FIFO is written through, a symbolic link's
 * target is replaced and the link kept, a directory is refused. */
dcs_status cli_write_output(const char *path, const void *data, size_t len,
                            struct dcs_error *err);

/* Check a --proxy (bypass false) or --bypass list given on the command
 * line with the library's checker, as WinINET reads it (WinHTTP's wildcard
 * rule for a bypass list when winhttp), after cli_check_text: an error, or
 * a proxy list that names nothing (";;;"), is reported as "dcs: CMD: OPT 'LIST': offset N:
 * message" and gives false (exit 2); oddities are warnings.  NULL or ""
 * passes (no list). */
bool cli_check_list(const char *cmd, const char *opt, const char *text, bool bypass,
                    bool winhttp);

/* What a blob can hold of an option's text, as the library's applier
 * checks it (DCS_LIST_SYNTAX, dcs_pac_url_check): a control character, bytes
 * that are not UTF-8 or an entry (a URL) over 2083 bytes are reported as
 * "dcs: CMD: OPT 'TEXT': offset N: message" and give false (exit 2).  With
 * warn, a list's oddities (an empty entry, one outside the grammar such as
 * a CIDR block) are warnings.  NULL or "" passes. */
enum cli_text_kind { CLI_TEXT_PROXY, CLI_TEXT_BYPASS, CLI_TEXT_URL };
bool cli_check_text(const char *cmd, const char *opt, const char *text, enum cli_text_kind kind,
                    bool warn);

/* True when the string equals either spelling. */
bool cli_is(const char *arg, const char *a, const char *b);

/* Parse a decimal or 0x-prefixed unsigned 32-bit number. */
bool cli_parse_u32(const char *s, uint32_t *out);

/* SOURCE_DATE_EPOCH (reproducible-builds.org), when set, as the FILETIME to
 * stamp into written hives; *filetime = 0 when unset.  A malformed value is
 * a usage error: reported as "dcs: CMD: ...", returns false. */
bool cli_source_date(const char *cmd, uint64_t *filetime);

#endif

/* Kinds of input a blob command can be handed. */
enum cli_input_kind {
    CLI_INPUT_BINARY,
    CLI_INPUT_HEX,
    CLI_INPUT_DECIMAL, /* decimal bytes, as PowerShell prints a byte[] */
    CLI_INPUT_REG,
    CLI_INPUT_GZIP
};

/* Classify bytes: gzip magic, a .reg file (FF FE BOM or a REGEDIT/Windows
 * Registry Editor header after blanks), a decimal byte list (blank- or
 * line-separated numbers 0-255, at least one not written with exactly two
 * digits: what PowerShell prints for a REG_BINARY value; two-digit tokens
 * alone are hex), hex text (also text with no control
 * bytes that fails to parse as hex, so that the error names line:column),
 * else binary. */
enum cli_input_kind cli_classify(const uint8_t *data, size_t len);

/* Read path ("-" = stdin) as one blob: binary as is, hex text decoded.
 * *data is malloc'd.  A .reg or gzip input gives DCS_ERR_UNSUPPORTED with
 * *kind set so that the caller can route it. */
dcs_status cli_load_blob(const char *path, uint8_t **data, size_t *len,
                         enum cli_input_kind *kind, struct dcs_error *err);
