/* gzip for tests that feed compressed input to the .reg room. */
#ifndef DCS_TESTS_GZ_TESTLIB_H
#define DCS_TESTS_GZ_TESTLIB_H

#include <stddef.h>
#include <stdint.h>

/* One gzip member of data[0..len) into out (cap bytes); returns its size,
 * 0 when it does not fit or zlib fails. */
size_t tl_gzip_into(const void *data, size_t len, uint8_t *out, size_t cap);
/* The same into a malloc'd buffer; NULL on failure. */
uint8_t *tl_gzip(const void *data, size_t len, size_t *outlen);

#endif
