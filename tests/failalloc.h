/* Test-only allocation failure injector.
 *
 * Link a test executable against the static libdcs with
 *   -Wl,--wrap=malloc,--wrap=calloc,--wrap=realloc,--wrap=strdup
 * and add tests/failalloc.c: every call to those four functions from the
 * test's own objects and from libdcs then goes through a counter that can
 * make the Nth call (1-based) return NULL with errno ENOMEM.  Shared
 * libraries (libc itself, cmocka, zlib) are not affected.
 *
 * The injector is off until failalloc_arm(); typical use:
 *
 *   for (unsigned long n = 1;; n++) {
 *       failalloc_arm(n);
 *       st = function_under_test(...);
 *       if (!failalloc_disarm()) { assert success; break; }
 *       assert st == DCS_ERR_NOMEM; assert nothing changed; clean up;
 *   }
 */
#ifndef DCS_TEST_FAILALLOC_H
#define DCS_TEST_FAILALLOC_H

#include <stdbool.h>

/* Starts counting allocations from zero and makes the fail_at'th one fail
 * (only that one; later ones succeed again).  fail_at 0 counts without
 * failing anything. */
void failalloc_arm(unsigned long fail_at);

/* Like failalloc_arm, but every allocation from the fail_at'th on fails. */
void failalloc_arm_from(unsigned long fail_at);

/* Stops injecting and counting; returns whether an allocation was made to
 * fail since the last arm. */
bool failalloc_disarm(void);

/* Allocations seen since the last arm (the failed ones included). */
unsigned long failalloc_count(void);

/* Allocations made to fail since the last arm. */
unsigned long failalloc_failures(void);

#endif
