/* dcs — streaming reader for Windows .reg files (regedit / reg.exe import).
 *
 * A pull parser over caller-fed chunks.  Memory use depends on the longest
 * line and the largest value, never on the file size.  The semantics are
 * those of `reg.exe import` as written down in codec/reg/FORMAT.md:
 *
 *  - FF FE at the start means UTF-16LE; anything else is 8-bit text in the
 *    configured code page (Windows-1252 by default, or UTF-8).
 *  - The first line is the header: `REGEDIT4`, `Windows Registry Editor
 *    Version 5.00` or `REGEDIT` (Windows 3.1), case-sensitive, spaces/tabs
 *    allowed before it.  Any other line starting with `REGEDIT` is a "fuzzy"
 *    header: the file is accepted but nothing is imported.  Anything else is
 *    rejected: next() fails with DCS_ERR_REG_HEADER (reg.exe exit code 1).
 *  - Lines end at CR LF, LF or a bare CR.  Bad lines are skipped with a
 *    DCS_REG_OP_WARNING naming line:column and byte offset; with
 *    options.strict the first such line fails with DCS_ERR_REG_SYNTAX.
 *  - Hex continuation lines follow codec/reg/FORMAT.md §6.7 exactly.
 *
 * Decisions on the points the note marks [unknown] (Windows-likely choices;
 * none of them can crash or grow memory without bound):
 *  - Trailing spaces/tabs after a header are ignored (a published hand-written
 *    file, reg-real/stardock-puttycolor, has `...Version 5.00 ` and is meant
 *    to import).  `REGEDIT4 FOO` stays fuzzy.
 *  - UTF-8 with BOM (EF BB BF): the reports conflict (a 2017 report and Wine
 *    reject it, a 2021 report says current Windows imports it).  Refusing
 *    loses the whole file, so lenient mode skips the BOM and reads the file
 *    as UTF-8 whatever the code page, with a DCS_ERR_REG_ENCODING warning on
 *    line 1; strict mode rejects it (DCS_ERR_REG_HEADER) unless the code page
 *    is UTF-8, as before.
 *  - UTF-16 file with an odd byte count: the last byte is ignored with a
 *    DCS_ERR_REG_ENCODING warning.
 *  - A NUL character inside a line ends that line's content (as in C-string
 *    based readers); the rest of the physical line is ignored, with a warning.
 *  - Escapes in quoted names and strings: `\\` and `\"` as certain; `\0` makes
 *    the line invalid; `\n` and `\r` give LF and CR (Wine; the writer uses
 *    them in value names); any other `\x` gives `x` with a warning.
 *  - REG_SZ data not closed on its line (regedit exports line breaks in the
 *    data raw): the string continues on the next lines, each line break
 *    (CR LF, LF or CR, as in the file) part of the data, up to the first
 *    unescaped quote, after which only blanks and a ';' comment may follow.
 *    What Windows' own import does with such a file is unknown: lenient mode
 *    reads it with a DCS_ERR_REG_SYNTAX warning naming the value, at the
 *    opening quote; strict mode refuses it there.  A backslash before the
 *    line break (reg-cases: no backslash continuation of strings) or a line
 *    cut at a NUL leaves the string invalid instead.  A continuation line
 *    whose quote is followed by other text drops the value and is read
 *    again as an ordinary line; end of file inside the string drops it.
 *  - `DWORD:`/`HEX:` in other case are not recognised (line skipped).
 *    `dword:` needs 1 to 8 hex digits, so `dword:;c` is skipped.
 *  - Hex lists: spaces/tabs before a byte are accepted (`11, 22`); a byte is
 *    one or more hex digits with value <= ff (`1`, `001` accepted); `0x11`,
 *    `+11` are invalid.  `hex(N)` needs 1+ hex digits, value <= ffffffff.
 *  - String-typed hex data (hex(1), hex(2), hex(7)): the header decides how
 *    the bytes are read (REGEDIT4: ANSI bytes in the code page, converted to
 *    UTF-16LE; 5.00: UTF-16LE bytes), FORMAT.md §1.3.  A NUL is appended when the
 *    data does not end in one; a 5.00 value with an odd byte count first gets
 *    one 00 byte.  Zero bytes stay a zero-length value.
 *  - Root abbreviations (HKCU, HKLM, ...) and HKEY_DYN_DATA are unknown roots:
 *    the key is not opened and following values are dropped.
 *  - `[-ROOT]` (deleting a whole root) and `[-UNKNOWN\...]` are ignored with a
 *    warning (Wine reg.exe); the open key is still closed.
 *  - A key line whose path has an empty component (`a\\b`) or starts with a
 *    backslash, a component longer than 255 characters, or more than 512
 *    levels, fails to open like an unknown root (RegCreateKeyEx fails).
 *    Trailing backslashes are dropped from the key name.
 *  - A value name longer than 16383 UTF-16 units: value skipped.
 *  - A value line while no key is open is parsed (it may open a hex
 *    continuation that swallows lines) and then dropped with a warning.
 *
 * Names: keys start with the long root name (`HKEY_CURRENT_USER\...`, the
 * root spelled canonically, the rest as written).  Keys and value names are
 * UTF-8; a lone UTF-16 surrogate is kept in its 3-byte generalized form (see
 * WTF-8) so that nothing is lost.  Value data are the bytes the registry
 * stores: REG_SZ text as UTF-16LE with its terminating NUL.
 */
#ifndef DCS_REGREAD_H
#define DCS_REGREAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <dcs/error.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Default hard limit for one line and for one value's data. */
#define DCS_REG_DEFAULT_LIMIT ((size_t)64 << 20)

enum dcs_reg_codepage {
    DCS_REG_CP1252 = 0, /* Windows-1252, what an English/Western Windows uses */
    DCS_REG_CP_UTF8 = 1 /* UTF-8 (Windows with the "Beta: UTF-8" ANSI code page) */
};

struct dcs_reg_reader_options {
    bool strict;                    /* a skipped line is an error */
    enum dcs_reg_codepage codepage; /* for 8-bit files */
    size_t max_line;                /* bytes in one line; 0 = DCS_REG_DEFAULT_LIMIT */
    size_t max_value;               /* bytes in one value as written (a string value
                                     * stored as UTF-16LE from REGEDIT4 text may take
                                     * up to twice that, plus its NUL);
                                     * 0 = DCS_REG_DEFAULT_LIMIT */
};

enum dcs_reg_op_kind {
    DCS_REG_OP_NEED_INPUT = 0, /* feed the next chunk, then call next() again */
    DCS_REG_OP_END,            /* the whole file has been read */
    DCS_REG_OP_CREATE_KEY,     /* [KEY]: create (or open) key */
    DCS_REG_OP_DELETE_KEY,     /* [-KEY]: delete key and subtree */
    DCS_REG_OP_SET_VALUE,      /* "name"=data in key */
    DCS_REG_OP_DELETE_VALUE,   /* "name"=- in key */
    DCS_REG_OP_WARNING         /* a skipped line or lossy input: see warning */
};

struct dcs_reg_op {
    enum dcs_reg_op_kind kind;
    /* Views into the reader, valid until the next call; NUL-terminated. */
    const char *key; /* create/delete key, set/delete value */
    size_t key_len;
    const char *name; /* set/delete value; "" for the default value (@) */
    size_t name_len;
    uint32_t type;       /* set value: REG_* number */
    const uint8_t *data; /* set value: stored bytes */
    size_t data_len;
    /* Where the operation's line starts (for a value: its first line). */
    uint64_t offset;
    uint32_t line, column;
    /* DCS_REG_OP_WARNING: code (DCS_ERR_REG_SYNTAX or DCS_ERR_REG_ENCODING),
     * message and location. */
    const struct dcs_error *warning;
};

enum dcs_reg_encoding {
    DCS_REG_ENC_UNKNOWN = 0,
    DCS_REG_ENC_UTF16LE,
    DCS_REG_ENC_8BIT
};

enum dcs_reg_version {
    DCS_REG_VERSION_UNKNOWN = 0,
    DCS_REG_VERSION_31,    /* REGEDIT */
    DCS_REG_VERSION_4,     /* REGEDIT4 */
    DCS_REG_VERSION_5,     /* Windows Registry Editor Version 5.00 */
    DCS_REG_VERSION_FUZZY  /* REGEDIT<other>: accepted, nothing imported */
};

struct dcs_reg_reader_stats {
    uint64_t bytes; /* fed so far */
    uint64_t lines;
    uint64_t keys_created, keys_deleted, values_set, values_deleted, warnings;
    enum dcs_reg_encoding encoding;
    enum dcs_reg_version version;
};

typedef struct dcs_reg_reader dcs_reg_reader;

/* opt may be NULL for the defaults. */
DCS_API dcs_status dcs_reg_reader_new(const struct dcs_reg_reader_options *opt,
                              dcs_reg_reader **out, struct dcs_error *err);
DCS_API void dcs_reg_reader_free(dcs_reg_reader *r);

/* Forget all input and state (keeps the buffers) to read another file. */
DCS_API void dcs_reg_reader_reset(dcs_reg_reader *r);

/* Hand the reader the next chunk of the file.  Allowed at the start and
 * whenever next() has returned DCS_REG_OP_NEED_INPUT; the chunk must stay
 * valid until then.  is_last marks the end of the file (len may be 0). */
DCS_API dcs_status dcs_reg_reader_feed(dcs_reg_reader *r, const void *data, size_t len,
                               bool is_last, struct dcs_error *err);

/* The next operation in file order.  Fails with DCS_ERR_REG_HEADER when
 * Windows would reject the file, DCS_ERR_REG_SYNTAX (strict mode) at the
 * first skipped line, DCS_ERR_LIMIT for a line or value over the limit,
 * DCS_ERR_NOMEM.  After a failure every later call fails the same way. */
DCS_API dcs_status dcs_reg_reader_next(dcs_reg_reader *r, struct dcs_reg_op *op,
                               struct dcs_error *err);

DCS_API const struct dcs_reg_reader_stats *dcs_reg_reader_stats(const dcs_reg_reader *r);

/* "REG_SZ", "REG_DWORD", ... or NULL for a type without a name. */
DCS_API const char *dcs_reg_type_name(uint32_t type);

#ifdef __cplusplus
}
#endif
#endif
