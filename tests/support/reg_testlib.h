/* Helpers for the .reg tests: read files, base64, collect a reader's
 * operations, and a small registry model to apply them to. */
#ifndef DCS_REG_TESTLIB_H
#define DCS_REG_TESTLIB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <dcs/regread.h>

/* Whole file, or NULL.  *len gets its size. */
uint8_t *tl_read_file(const char *path, size_t *len);
/* Standard base64 (padding optional), or NULL on bad input. */
uint8_t *tl_base64(const char *s, size_t *len);
/* Lower-case hex -> bytes, or NULL. */
uint8_t *tl_unhex(const char *s, size_t *len);

/* One recorded operation (copies of everything). */
struct tl_op {
    enum dcs_reg_op_kind kind;
    char *key, *name;
    uint32_t type;
    uint8_t *data;
    size_t len;
    uint32_t line, column;
    dcs_status wcode; /* warnings */
    char *wmsg;       /* warnings: the message */
};

struct tl_ops {
    struct tl_op *v;
    size_t n, cap;
    size_t warnings;
    dcs_status st; /* how the parse ended */
    struct dcs_error err;
};

/* Parse data (fed in chunks of `chunk` bytes, 0 = all at once). */
void tl_parse(struct tl_ops *out, const void *data, size_t len, size_t chunk,
              const struct dcs_reg_reader_options *opt);
void tl_ops_free(struct tl_ops *o);
/* Same operations (kinds, keys, names, types, data, warning lines)? */
bool tl_ops_equal(const struct tl_ops *a, const struct tl_ops *b);
/* The n-th operation (from 0) of kind k, NULL when there is none. */
const struct tl_op *tl_nth_kind(const struct tl_ops *o, enum dcs_reg_op_kind k, size_t n);
/* How many operations are of kind k. */
size_t tl_count_kind(const struct tl_ops *o, enum dcs_reg_op_kind k);

/* Registry model: keys and values matched ASCII-case-insensitively. */
struct tl_val {
    char *name;
    uint32_t type;
    uint8_t *data;
    size_t len;
};
struct tl_key {
    char *name;
    struct tl_val *vals;
    size_t nv;
};
struct tl_model {
    struct tl_key *keys;
    size_t n;
};

void tl_model_create(struct tl_model *m, const char *key);
void tl_model_delete(struct tl_model *m, const char *key);
void tl_model_set(struct tl_model *m, const char *key, const char *name, uint32_t type,
                  const uint8_t *data, size_t len);
void tl_model_delete_value(struct tl_model *m, const char *key, const char *name);
struct tl_key *tl_model_key(struct tl_model *m, const char *key);
struct tl_val *tl_model_value(struct tl_model *m, const char *key, const char *name);
void tl_model_apply(struct tl_model *m, const struct tl_ops *ops);
void tl_model_free(struct tl_model *m);

#endif
