/* Test-only system call failure injector, in the style of failalloc.h.
 *
 * Link a test executable with
 *   -Wl,--wrap=read,--wrap=write,--wrap=fsync,--wrap=close,--wrap=link,
 *   --wrap=ftruncate64,--wrap=lseek64
 * (ftruncate and lseek when built without _FILE_OFFSET_BITS=64)
 * (meson: link_args: failsys_link_args) against the static libdcs: those
 * calls made by libdcs and by the test itself then go through failsys.c.
 * Calls made inside shared libraries (libc's stdio, zlib, cmocka) are not
 * affected.
 *
 * Arm one failure: the n-th call of one function from now fails once with
 * the given errno; every other call goes to the real function.  A failing
 * close() really closes the descriptor first (as Linux does when close
 * reports EIO), so nothing leaks. */
#ifndef DCS_TESTS_FAILSYS_H
#define DCS_TESTS_FAILSYS_H

#include <stdbool.h>

enum failsys_call {
    FAILSYS_READ,
    FAILSYS_WRITE,
    FAILSYS_FSYNC,
    FAILSYS_CLOSE,
    FAILSYS_LINK,
    FAILSYS_FTRUNCATE,
    FAILSYS_LSEEK
};

/* Fail the n-th call (n >= 1) of `call` from now with errno e. */
void failsys_arm(enum failsys_call call, unsigned n, int e);
/* Stop failing and counting. */
void failsys_disarm(void);
/* True when the armed call has failed since the last arm. */
bool failsys_fired(void);

#endif
