/* Helpers shared by the blob tests: fixture directories, the "Decoded here"
 * block of a fixture's .source file, and an independent walk of the blob
 * layout (codec/blob/FORMAT.md) that the tests check the codec against. */
#ifndef DCS_TESTS_BLOB_TESTLIB_H
#define DCS_TESTS_BLOB_TESTLIB_H

#include <stddef.h>
#include <stdint.h>

#include <dcs/blob.h>

/* ---- fixtures -------------------------------------------------------------- */

struct blob_fixture {
    char *name;    /* file name without ".hex" */
    char *path;    /* full path of the .hex file */
    uint8_t *data; /* exactly size bytes (malloc'd; NULL when size == 0) */
    size_t size;
    char *source;  /* text of the .source file beside it, or NULL */
};

struct blob_fixture_set {
    struct blob_fixture *items;
    size_t n;
};

/* Append every DIR/<name>.hex (sorted by name) to set.  A fixture whose name
 * is already in the set with identical bytes is skipped; returns the number
 * added, or -1 when the directory cannot be read or a file is bad (a message
 * goes to stderr). */
int blob_fixtures_load_dir(struct blob_fixture_set *set, const char *dir);
void blob_fixtures_free(struct blob_fixture_set *set);

/* Read a whole file (NUL-terminated; the NUL is not counted in *len). */
char *blob_read_text_file(const char *path, size_t *len);

/* A 0x46 blob built the way Windows' UI builds one (dcs_blob_build), with
 * this counter and exactly these flags, encoded into out (cap bytes).
 * Returns its size; 0 when it does not fit. */
size_t blob_make_46(uint8_t *out, size_t cap, uint32_t counter, uint32_t flags,
                    const char *proxy, const char *bypass, const char *pac);

/* An exactly-sized heap copy of bytes, so that ASan and valgrind see any
 * read past its end.  Never NULL (malloc(1) for size 0); free() it. */
uint8_t *blob_exact_copy(const void *data, size_t size);
/* The same without contents (uninitialised). */
uint8_t *blob_exact_alloc(size_t size);

/* ---- the "Decoded here" block of a .source file ---------------------------- */

#define BLOB_SOURCE_MAX_KEYS 32

struct blob_source_line {
    char key[32];
    const char *value; /* into the source text, up to end */
    size_t value_len;
};

struct blob_source {
    unsigned n;
    struct blob_source_line lines[BLOB_SOURCE_MAX_KEYS];
    long declared_length; /* "Length: N bytes", or -1 */
};

/* Collect the "  key: value" lines after the "Decoded here" heading.
 * Returns 0 when there is no such block. */
int blob_source_parse(const char *text, struct blob_source *out);
const struct blob_source_line *blob_source_get(const struct blob_source *s, const char *key);

/* A Python repr string ('...' or "...", optionally b'...') at s[0..len):
 * the bytes it stands for, twice: code points below 256 as single bytes
 * (Latin-1 reading) and as UTF-8.  *used receives the characters consumed.
 * Returns 0 on a syntax error.  Outputs hold at most cap bytes each. */
int blob_pyrepr_parse(const char *s, size_t len, uint8_t *latin1, size_t *n1, uint8_t *utf8,
                      size_t *n2, size_t cap, size_t *used);

/* True when the repr string in s equals the bytes b (either reading). */
int blob_pyrepr_equals(const char *s, size_t len, dcs_bytes b);

/* Parse an unsigned number: decimal or 0x hex.  Returns 0 on error. */
int blob_parse_uint(const char *s, size_t len, uint64_t *out);

/* "2011-04-11 04:55:58.391000" (fraction optional) -> microseconds since
 * 1601-01-01 UTC.  Returns 0 on a syntax error. */
int blob_parse_datetime_us(const char *s, size_t len, uint64_t *out);

/* ---- reference layout ------------------------------------------------------ */

struct blob_span {
    uint32_t start; /* offset of the field's first byte */
    uint32_t head;  /* 4, or 8 for the FILETIME */
    uint64_t body;  /* bytes after the head (strings, IPv4 list, records) */
    uint32_t elem;  /* 0 for fixed fields, 1 for strings, 4 / 128 for lists */
};

struct blob_layout {
    int winhttp;
    uint32_t nfields;                 /* fields the layout has (5, 12 or 13) */
    uint32_t complete;                /* fields wholly inside the data */
    struct blob_span f[DCS_FIELD_COUNT_];
    size_t end;                       /* offset after the last complete field */
};

/* Walk data as the spec lays it out, field by field, stopping at the first
 * field that does not fit.  Returns 0 when even the version is missing or
 * names no layout (below 0x3C and not 0x18/0x28). */
int blob_layout_walk(const uint8_t *data, size_t size, struct blob_layout *out);

/* ---- building test blobs by hand ------------------------------------------- */

struct blob_writer {
    uint8_t buf[4096];
    size_t n;
};

void bw_reset(struct blob_writer *w);
void bw_u32(struct blob_writer *w, uint32_t v);
void bw_u64(struct blob_writer *w, uint64_t v);
void bw_raw(struct blob_writer *w, const void *p, size_t n);
/* DWORD length + bytes (no NUL) */
void bw_str(struct blob_writer *w, const char *s);
void bw_strn(struct blob_writer *w, const void *s, size_t n);
/* Header and the two WinHTTP strings. */
void bw_head(struct blob_writer *w, uint32_t version, uint32_t counter, uint32_t flags,
             const char *proxy, const char *bypass);
/* A whole WinINET blob: header, three strings, then the zero tail of its
 * version (28 bytes for 0x3C, 32 otherwise) with adflags as given. */
void bw_ie(struct blob_writer *w, uint32_t version, uint32_t counter, uint32_t flags,
           const char *proxy, const char *bypass, const char *pac, uint32_t adflags);

#endif
