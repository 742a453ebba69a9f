/* Internal state of the .reg reader, shared by regread.c (input, lines,
 * API) and regparse.c (what one line means).  Not installed. */
#ifndef DCS_REGREAD_INT_H
#define DCS_REGREAD_INT_H

#include <dcs/regread.h>
#include "core/text.h"

enum reg_phase {
    PH_START = 0, /* BOM not seen yet */
    PH_HEADER,    /* next line is the header */
    PH_LINES,     /* version 4/5 body */
    PH_HEXCONT,   /* inside a hex continuation */
    PH_STRCONT,   /* inside REG_SZ data running over several lines */
    PH_WIN31,     /* REGEDIT (Windows 3.1) body */
    PH_DONE       /* END reported next */
};

/* What one line can queue: up to REG_LINE_OPS operations (a REGEDIT 3.1
 * line creates its key and sets its value) and diagnostics in the slots
 * left.  Operations must never be dropped (a value whose key was dropped
 * would name a key the consumer never saw); surplus diagnostics are (they
 * are still counted in the statistics). */
#define REG_QUEUE 8
#define REG_LINE_OPS 2

struct reg_queued {
    enum dcs_reg_op_kind kind;
    uint64_t offset;
    uint32_t line, column;
    struct dcs_error diag;
};

struct growbuf {
    uint8_t *p;
    size_t len, cap;
};

struct dcs_reg_reader {
    struct dcs_reg_reader_options opt;
    struct dcs_reg_reader_stats st;

    /* current chunk */
    const uint8_t *in;
    size_t in_len, in_pos;
    bool in_last, fed;

    /* a line that spans chunks is assembled here */
    struct growbuf carry;
    bool carry_done; /* carry holds a line already handed out */
    bool carry_unscanned; /* carry (8-bit, from BOM detection) may hold a line end */
    size_t carry_used;    /* bytes at the start of carry handed out as a line */
    bool cr_pending; /* the last line ended in CR: skip one LF */
    bool eof_seen;
    bool line_nul; /* the current line was cut at a NUL */
    bool utf8_bom_warn; /* a UTF-8 BOM switched the code page: warn after the header */
    enum dcs_reg_codepage cp; /* code page in use: opt's, or UTF-8 after a UTF-8 BOM */

    enum reg_phase phase;
    unsigned us; /* unit size: 2 for UTF-16LE, 1 for 8-bit */
    uint64_t line_off; /* byte offset of the current line */
    uint32_t lineno;   /* 1-based number of the current line */

    struct growbuf conv; /* an 8-bit line widened to UTF-16LE */
    struct growbuf tmp;  /* scratch: unescaped name, converted data */

    /* current key (UTF-8, NUL-terminated) */
    struct growbuf key;
    bool key_open;
    /* current value */
    struct growbuf name;
    struct growbuf val;
    uint32_t val_type;
    uint64_t val_off;
    uint32_t val_line, val_col;

    struct reg_queued q[REG_QUEUE];
    unsigned q_head, q_count;

    dcs_status fatal;
    struct dcs_error fatal_err;
};

/* regread.c */
bool dcsi_reg_grow(struct dcs_reg_reader *r, struct growbuf *b, size_t need, size_t limit);
void dcsi_reg_queue(struct dcs_reg_reader *r, enum dcs_reg_op_kind kind, uint32_t col);
void dcsi_reg_queue_value(struct dcs_reg_reader *r, enum dcs_reg_op_kind kind);
void dcsi_reg_warn(struct dcs_reg_reader *r, dcs_status code, uint32_t col, const char *fmt, ...)
    DCS_PRINTF(4, 5);
void dcsi_reg_fatal(struct dcs_reg_reader *r, dcs_status code, uint32_t col, const char *fmt, ...)
    DCS_PRINTF(4, 5);

/* regparse.c: one logical line of n UTF-16LE units */
void dcsi_reg_parse_line(struct dcs_reg_reader *r, const uint8_t *p, size_t n);
/* regparse.c: end of file reached (finishes an open continuation) */
void dcsi_reg_parse_eof(struct dcs_reg_reader *r);

/* regstring.c: unescape the quoted text that starts after the quote at
 * p[i-1] into r->tmp (UTF-16LE, *units units, also on failure).  Returns
 * the index after the closing quote, or 0 when the text is invalid or not
 * closed on the line (*why, *bad set). */
size_t dcsi_reg_unescape(struct dcs_reg_reader *r, const uint8_t *p, size_t i, size_t n,
                         size_t *units, const char **why, size_t *bad);
/* regstring.c: REG_SZ data whose opening quote is p[j], line end n; a
 * string not closed on its line enters PH_STRCONT. */
void dcsi_reg_string_value(struct dcs_reg_reader *r, const uint8_t *p, size_t j, size_t n);
/* regstring.c: PH_STRCONT: the line break term (CR or LF) ended a line of
 * the string; one more line of it; end of file inside it.  string_line
 * returns true when the line must be read again as an ordinary line. */
void dcsi_reg_string_break(struct dcs_reg_reader *r, unsigned term);
bool dcsi_reg_string_line(struct dcs_reg_reader *r, const uint8_t *p, size_t n);
void dcsi_reg_string_eof(struct dcs_reg_reader *r);

#endif
