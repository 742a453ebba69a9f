/* The ship room's internals: value checks and conversions, and a buffered
 * output, shared by the Registry.xml and batch-file writers and readers. */
#ifndef DCS_SHIP_INTERNAL_H
#define DCS_SHIP_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <dcs/ship.h>
#include <dcs/types.h>

/* Buffered output through a dcs_reg_write_fn; the first failure sticks. */
struct dcsi_ship_out {
    dcs_reg_write_fn fn;
    void *ctx;
    struct dcs_error *err;
    dcs_status st;
    size_t n;
    char buf[4096];
};

void dcsi_ship_out_init(struct dcsi_ship_out *o, dcs_reg_write_fn fn, void *ctx,
                        struct dcs_error *err);
void dcsi_ship_put(struct dcsi_ship_out *o, const char *s, size_t n);
void dcsi_ship_puts(struct dcsi_ship_out *o, const char *s);
dcs_status dcsi_ship_flush(struct dcsi_ship_out *o);

/* "REG_SZ" ... for the five types the room carries, NULL for others. */
const char *dcsi_ship_type_name(uint32_t type);
/* The type named by s[0..n), case-insensitive; false when not one of the five. */
bool dcsi_ship_type_parse(const char *s, size_t n, uint32_t *type);

/* The long root name for a long or short spelling (HKU, HKLM, HKCU, HKCR,
 * HKCC), NULL when s is none of them. */
const char *dcsi_ship_root_long(const char *s, size_t n);
/* The short spelling reg.exe takes for a long root name, NULL if unknown. */
const char *dcsi_ship_root_short(const char *s, size_t n);

/* Check a value the writers are given: a known root and type, data that
 * the type can hold (4 or 8 bytes for numbers; for text, UTF-16LE that ends
 * in its one NUL).  `what` names the file kind in messages. */
dcs_status dcsi_ship_check(const struct dcs_ship_value *v, size_t index, const char *what,
                           struct dcs_error *err);

/* Text data (UTF-16LE with its NUL) as UTF-8 into dst (3 * len bytes);
 * returns the bytes written. */
size_t dcsi_ship_text_utf8(const struct dcs_ship_value *v, char *dst);

/* Little-endian number of a DWORD or QWORD value. */
uint64_t dcsi_ship_number(const struct dcs_ship_value *v);

/* Reading: data for `type` from its text form into dst (which must hold
 * 2 * n + 8 bytes); *len receives its size.  Text (UTF-8) becomes UTF-16LE
 * with a NUL; binary is hex digits (spaces between bytes allowed); numbers
 * are hex digits (hex) or decimal / 0x-hex (!hex).  Returns false with a
 * reason when the text does not fit the type. */
bool dcsi_ship_data_parse(uint32_t type, const char *s, size_t n, bool hex_numbers,
                          uint8_t *dst, size_t *len, const char **why);

#endif
