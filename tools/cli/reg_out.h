/* Output helpers for `dcs reg`: operation lines (text and JSON), located
 * diagnostics and the progress line. */
#ifndef DCS_REG_OUT_H
#define DCS_REG_OUT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <dcs/regread.h>

#include "opts.h"

/* The names --codepage, --format and --encoding take in every reg command
 * (cmd_reg.c); the values are enum dcs_reg_codepage, dcs_reg_format and
 * dcs_reg_out_encoding. */
extern const struct cli_choice reg_codepages[], reg_formats[], reg_encodings[];

/* JSON string (with quotes) for UTF-8 text; lone surrogates kept in their
 * 3-byte form come out as \udXXX escapes. */
void reg_json_string(FILE *out, const char *s, size_t len);
/* Lower-case hex of data. */
void reg_hex(FILE *out, const uint8_t *data, size_t len);

/* One operation as a JSON object line / as a tab-separated text line. */
void reg_op_json(FILE *out, const struct dcs_reg_op *op);
void reg_op_text(FILE *out, const struct dcs_reg_op *op);

/* "FILE:LINE:COL: warning: message" (or error) on stderr. */
void reg_diag(const char *file, const struct dcs_error *e, bool error);

/* Progress on stderr for big inputs when it is a terminal. */
struct reg_progress {
    const char *what;
    bool on;
    double last;
};
void reg_progress_init(struct reg_progress *p, const char *what, uint64_t size, bool quiet);
void reg_progress_update(void *ctx, uint64_t done, uint64_t total);
void reg_progress_done(struct reg_progress *p);

#endif
