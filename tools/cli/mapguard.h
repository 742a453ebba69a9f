/* A guard for an input file the CLI reads through a memory mapping
 * (DCS_REG_SOURCE_MAP): if the file shrinks while it is read, the lost pages
 * raise SIGBUS; the guard turns that into the CLI's usual error line and
 * exit 1 instead of a crash.  Only faults inside the guarded range are
 * taken; any other SIGBUS keeps its default action. */
#ifndef DCS_CLI_MAPGUARD_H
#define DCS_CLI_MAPGUARD_H

#include <stddef.h>

/* Guard [start, start + len), the mapping of the file named path (one at a
 * time; len 0 guards nothing). */
void cli_mapguard_set(const char *path, const void *start, size_t len);
/* Stop guarding (before the mapping goes away). */
void cli_mapguard_clear(void);

#endif
