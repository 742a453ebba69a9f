/* dcs — the formats that carry registry values to live machines.
 *
 * Besides a .reg file (dcs/regwrite.h), admins ship registry changes as a
 * Group Policy Preferences Registry.xml ([MS-GPPREF] §2.2.1.5; imported into
 * a GPO's Machine\Preferences\Registry folder, HKEY_USERS\S-1-5-18 is then
 * set on every machine the GPO applies to) or as a batch file of `reg add`
 * commands for tools that run commands rather than import files.  dcs writes
 * both, and reads them back, so that the bytes a file carries can be checked
 * against their source: every value read back is byte-identical to the value
 * written.  Notes: codec/ship/FORMAT.md.
 *
 * Values are registry bytes, as a hive stores them: REG_SZ and
 * REG_EXPAND_SZ are UTF-16LE with their terminating NUL, REG_DWORD 4 bytes
 * and REG_QWORD 8 bytes little-endian, REG_BINARY as is.  Other types are
 * refused (DCS_ERR_UNSUPPORTED): a proxy setting never needs them.
 */
#ifndef DCS_SHIP_H
#define DCS_SHIP_H

#include <stddef.h>
#include <stdint.h>

#include <dcs/error.h>
#include <dcs/regwrite.h>

#ifdef __cplusplus
extern "C" {
#endif

/* What an item does with its value. */
enum dcs_ship_action {
    DCS_SHIP_SET = 0,   /* create the value or replace its data */
    DCS_SHIP_DELETE = 1 /* remove the value where it exists (type and data unused) */
};

/* One value to set or delete.  Text is UTF-8, not NUL-terminated when read
 * back. */
struct dcs_ship_value {
    const char *root;      /* "HKEY_USERS", "HKEY_LOCAL_MACHINE", "HKEY_CURRENT_USER" */
    size_t root_len;
    const char *key;       /* below the root, '\'-separated */
    size_t key_len;
    const char *name;      /* value name; "" (length 0) is the key's default value */
    size_t name_len;
    uint32_t type;         /* DCS_REG_SZ, _EXPAND_SZ, _BINARY, _DWORD or _QWORD */
    const uint8_t *data;
    size_t len;
    enum dcs_ship_action action; /* last, so that {root, ..., len} initialisers set */
};

struct dcs_ship_options {
    /* GPP `changed` attribute, "YYYY-MM-DD HH:MM:SS" (UTC); NULL: the
     * current time.  Tests pass a fixed one for byte-exact output. */
    const char *changed;
    /* A line for the batch file's `rem` header and the GPP item's `desc`;
     * NULL: none. */
    const char *comment;
};

/* Registry.xml: UTF-8 with an XML declaration, one <Registry> item per
 * value with action "U" (update: create the value or replace its data), or
 * "D" for DCS_SHIP_DELETE (GPMC's form: type REG_SZ, empty value),
 * the item's uid derived from root, key and name (the same file for the same
 * input).  opt may be NULL. */
DCS_API dcs_status dcs_ship_write_gpp(const struct dcs_ship_value *values, size_t n,
                                      const struct dcs_ship_options *opt, dcs_reg_write_fn fn,
                                      void *ctx, struct dcs_error *err);

/* A .cmd batch file (CRLF, ASCII-safe: non-ASCII text is refused, since
 * cmd.exe reads a batch file in the console's code page): `@echo off`, then
 * per value `reg add "ROOT\KEY" /v "NAME" /t TYPE /d DATA /f` followed by
 * `if errorlevel 1 exit /b 1`; per DCS_SHIP_DELETE
 * `reg delete "ROOT\KEY" /v "NAME" /f >nul 2>&1` (a value already absent is
 * no error) followed by `reg query "ROOT\KEY" /v "NAME" >nul 2>&1` and
 * `if not errorlevel 1 exit /b 1` (one still there is); the file ends with
 * `exit /b 0`.  % is doubled;
 * characters cmd.exe cannot carry inside quotes (CR, LF, NUL, ") in names
 * and text are refused. */
DCS_API dcs_status dcs_ship_write_cmd(const struct dcs_ship_value *values, size_t n,
                                      const struct dcs_ship_options *opt, dcs_reg_write_fn fn,
                                      void *ctx, struct dcs_error *err);

/* Called once per value read; the views live until the reader returns. */
typedef dcs_status (*dcs_ship_value_fn)(void *ctx, const struct dcs_ship_value *v,
                                        struct dcs_error *err);

/* Read a Registry.xml: every <Properties> element of a <Registry> item
 * (actions C, R and U as DCS_SHIP_SET, D as DCS_SHIP_DELETE with no data;
 * collections' other content is skipped), attributes in any order, either quote, the five XML entities and
 * numeric character references.  Errors name the byte offset. */
DCS_API dcs_status dcs_ship_read_gpp(const void *text, size_t len, dcs_ship_value_fn fn,
                                     void *ctx, struct dcs_error *err);

/* Read a batch file: every `reg add` line, and every `reg delete` line
 * with /v or /ve (DCS_SHIP_DELETE; redirections such as >nul and 2>&1
 * accepted) (any letter case, `reg.exe` too, `/f` and `/reg:32|64` accepted), arguments split the way
 * CommandLineToArgvW splits them, %% read as %.  Other lines are skipped.
 * Errors name line:column. */
DCS_API dcs_status dcs_ship_read_cmd(const void *text, size_t len, dcs_ship_value_fn fn,
                                     void *ctx, struct dcs_error *err);

/* What a file holds, by its first bytes: 1 Registry.xml, 2 batch file of
 * reg add commands, 0 neither. */
DCS_API int dcs_ship_detect(const void *text, size_t len);

#ifdef __cplusplus
}
#endif
#endif
