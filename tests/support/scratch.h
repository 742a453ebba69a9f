/* A scratch directory for a test program's files: made by scratch_setup
 * and removed, with everything left in it, by scratch_teardown (use them as
 * the cmocka group setup and teardown).  Include after <cmocka.h>. */
#ifndef DCS_TESTS_SCRATCH_H
#define DCS_TESTS_SCRATCH_H

#include <stddef.h>

extern char scratch_dir[256];

int scratch_setup(void **state);
int scratch_teardown(void **state);

/* scratch_dir/name in buf; returns buf. */
const char *scratch_path(char *buf, size_t n, const char *name);
/* Create or replace path with exactly these bytes (asserts). */
void scratch_write(const char *path, const void *data, size_t len);
/* Assert that path holds exactly these bytes. */
void scratch_assert_file(const char *path, const void *want, size_t len);
/* The names in scratch_dir, sorted and joined by spaces. */
void scratch_list(char *out, size_t n);

#endif
