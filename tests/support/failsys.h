/* Test-only system call failure injector.
 *
 * Link a test executable with failsys_link_args (tests/meson.build):
 *   -Wl,--wrap=open,--wrap=open64,--wrap=read,--wrap=write,--wrap=fsync,
 *   --wrap=rename,--wrap=link,--wrap=unlink,--wrap=fchown,--wrap=close,--wrap=ftruncate,
 *   --wrap=ftruncate64,--wrap=lseek,--wrap=lseek64,--wrap=openat,
 *   --wrap=openat64,--wrap=renameat,--wrap=linkat (counted as open, rename, link)
 * against the static libdcs.  Calls to these from libdcs and from the test's
 * own objects then go through failsys.c; calls made inside shared libraries
 * (libc itself, libhivex, cmocka) are not affected.
 *
 * A rule names one call and makes its nth matching use (counting from 1
 * after the rule is added) fail with an errno, or, for read and write,
 * transfer at most a few bytes.  A rule may be limited to files whose path
 * ends with a suffix: for the path calls (open, unlink, link: their first
 * path; rename: either path) directly, for the descriptor calls
 * (read, write, fsync, fchown, close, ftruncate, lseek) through
 * /proc/self/fd.  In a suffix, '@' stands for one or more of [a-z0-9] (a
 * commit's random token: "/hive0.dcs-@").  A failing close still closes the
 * descriptor.  Each rule fires once.  Rules count uses from every thread
 * (dcsi_fsync_many): pick one file by its suffix where the calls run at once.
 *
 *   failsys_fail("link", NULL, 1, EXDEV);       // the first link() fails
 *   failsys_short("write", ".old", 1, 3);       // first write to *.old: 3 bytes
 *   rc = call(...);
 *   assert failsys_fired() == 2 ...
 *   failsys_reset();
 */
#ifndef DCS_TESTS_FAILSYS_H
#define DCS_TESTS_FAILSYS_H

#include <stddef.h>

/* Make the nth use of `call` (on a path ending with `suffix`, NULL: any)
 * fail: return -1 with errno = e.  At most 8 rules at once. */
void failsys_fail(const char *call, const char *suffix, size_t nth, int e);
/* Make the nth read or write (on a path ending with suffix) move at most
 * max_bytes bytes (0: return 0, i.e. end of file or nothing written). */
void failsys_short(const char *call, const char *suffix, size_t nth, size_t max_bytes);
/* A rule that fires at the first use of `call` (on a path ending with
 * suffix) without failing it: failsys_fired() then tells the call was made. */
void failsys_count(const char *call, const char *suffix);
/* How many rules have fired since the last reset. */
size_t failsys_fired(void);
/* Drop every rule. */
void failsys_reset(void);

#endif
