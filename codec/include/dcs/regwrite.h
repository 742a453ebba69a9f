/* dcs — writer for .reg files in regedit's exact export layout.
 *
 * Layout (codec/reg/FORMAT.md §9): header line, then for each key an
 * empty line, `[KEY]`, and one line per value; the file ends with an empty
 * line (CRLF CRLF).  Names are escaped (`\` -> `\\`, `"` -> `\"`, CR -> `\r`,
 * LF -> `\n`); key names are written verbatim.  REG_SZ is written as a
 * quoted string cut at its first NUL, `\` and `"` escaped and line breaks
 * written raw, as regedit exports them (the value then spans several lines); REG_DWORD of exactly 4 bytes as
 * `dword:%08x`; REG_BINARY as `hex:`; every other type and size as
 * `hex(%x):`.  Hex data wrap after a `xx,` that reaches column 77, with `\`,
 * CRLF and a two-space indent (25 bytes per continuation line).
 *
 * Formats and encodings:
 *   regedit5 + UTF-16LE (default): FF FE + UTF-16LE, what regedit exports.
 *   regedit5 + UTF-8: the same text as UTF-8 without BOM (for version
 *       control); hex(2)/hex(7) stay UTF-16LE bytes, as the 5.00 header says.
 *   regedit4 (+ ANSI by default): header REGEDIT4, 8-bit Windows-1252 text,
 *       hex(2)/hex(7) converted to ANSI bytes before wrapping; characters
 *       the code page lacks become '?' (counted by dcs_reg_writer_lossy).
 *   regedit4 + UTF-8: as regedit4, with UTF-8 as the 8-bit code page.
 * The writer emits keys in the order it is given them; the caller decides
 * the order.  Output goes through a callback in pieces of up to 64 KiB; the
 * writer allocates nothing per value.
 */
#ifndef DCS_REGWRITE_H
#define DCS_REGWRITE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <dcs/error.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Output callback: consume len bytes or fail. */
typedef dcs_status (*dcs_reg_write_fn)(void *ctx, const void *data, size_t len,
                                       struct dcs_error *err);

enum dcs_reg_format {
    DCS_REG_FORMAT_REGEDIT5 = 0, /* Windows Registry Editor Version 5.00 */
    DCS_REG_FORMAT_REGEDIT4 = 1  /* REGEDIT4 */
};

enum dcs_reg_out_encoding {
    DCS_REG_OUT_DEFAULT = 0, /* UTF-16LE for regedit5, ANSI for regedit4 */
    DCS_REG_OUT_UTF16LE,
    DCS_REG_OUT_UTF8,
    DCS_REG_OUT_ANSI /* Windows-1252 */
};

struct dcs_reg_writer_options {
    enum dcs_reg_format format;
    enum dcs_reg_out_encoding encoding;
};

typedef struct dcs_reg_writer dcs_reg_writer;

/* opt may be NULL (regedit5, UTF-16LE). */
DCS_API dcs_status dcs_reg_writer_new(const struct dcs_reg_writer_options *opt, dcs_reg_write_fn fn,
                              void *ctx, dcs_reg_writer **out, struct dcs_error *err);
DCS_API void dcs_reg_writer_free(dcs_reg_writer *w);
/* Called (fn may be NULL) for what the file holds but regedit cannot import
 * back: a key name with a NUL, CR or LF (seen in real SECURITY and NTUSER
 * hives) is written verbatim, and its key line is then cut on import.  Code
 * DCS_ERR_REG_SYNTAX, offset: where the key line starts in the output. */
DCS_API void dcs_reg_writer_set_warn(dcs_reg_writer *w, dcs_warn_fn fn, void *ctx);
/* Forget everything written (after the caller restarted its output). */
DCS_API void dcs_reg_writer_reset(dcs_reg_writer *w);

/* Keys are UTF-8 (lone surrogates in their 3-byte form are accepted) with
 * the long root name; value names UTF-8, "" for the default value. */
DCS_API dcs_status dcs_reg_writer_key(dcs_reg_writer *w, const char *key, size_t len,
                              struct dcs_error *err);
DCS_API dcs_status dcs_reg_writer_value(dcs_reg_writer *w, const char *name, size_t name_len,
                                uint32_t type, const void *data, size_t len,
                                struct dcs_error *err);
/* `[-KEY]` and `"name"=-` lines, for files meant to be imported. */
DCS_API dcs_status dcs_reg_writer_delete_key(dcs_reg_writer *w, const char *key, size_t len,
                                     struct dcs_error *err);
DCS_API dcs_status dcs_reg_writer_delete_value(dcs_reg_writer *w, const char *name,
                                       size_t name_len, struct dcs_error *err);
/* Final empty line and flush.  Writes the header if nothing else was. */
DCS_API dcs_status dcs_reg_writer_finish(dcs_reg_writer *w, struct dcs_error *err);

/* Characters that the output code page could not hold (written as '?'). */
DCS_API uint64_t dcs_reg_writer_lossy(const dcs_reg_writer *w);

/* A write callback that appends to a caller buffer.  With grow, buf is
 * realloc'd as needed (the caller frees it); otherwise a full buffer fails
 * with DCS_ERR_BUFFER_TOO_SMALL. */
struct dcs_reg_membuf {
    uint8_t *buf;
    size_t len, cap;
    bool grow;
};
DCS_API dcs_status dcs_reg_membuf_write(void *ctx, const void *data, size_t len, struct dcs_error *err);

#ifdef __cplusplus
}
#endif
#endif
