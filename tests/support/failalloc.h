/* Test-only allocation failure injector.
 *
 * Link a test executable with
 *   -Wl,--wrap=malloc,--wrap=calloc,--wrap=realloc,--wrap=strdup
 * (meson: link_args: failalloc_link_args) against the static libdcs: every
 * malloc, calloc, realloc and strdup made by libdcs and by the test itself
 * then goes through the wrappers in failalloc.c.  Allocations made inside
 * shared libraries (libc, libhivex, zlib, cmocka) are not affected.
 *
 * Typical use: arm the injector to fail allocation number n (counting from
 * 1 after arming), run the call, and loop n = 1, 2, ... until the call
 * succeeds without the armed failure having been reached:
 *
 *   for (unsigned n = 1;; n++) {
 *       failalloc_arm(n);
 *       rc = call(...);
 *       bool hit = failalloc_fired();
 *       failalloc_disarm();
 *       if (!hit) break;        // ran to the end: n is past the last allocation
 *       assert rc == DCS_ERR_NOMEM, no leak, outputs untouched ...
 *   }
 */
#ifndef DCS_TESTS_FAILALLOC_H
#define DCS_TESTS_FAILALLOC_H

#include <stdbool.h>
#include <stddef.h>

/* Fail the n-th allocation from now (n >= 1); only that one fails. */
void failalloc_arm(size_t n);
/* Stop failing and counting. */
void failalloc_disarm(void);
/* True when the armed allocation has been refused since the last arm. */
bool failalloc_fired(void);
/* Allocations seen since the last arm (counted while armed). */
size_t failalloc_count(void);

#endif
