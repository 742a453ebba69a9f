/* Shared by the fuzz harnesses: the libFuzzer entry point's prototype and a
 * check that aborts (so libFuzzer, AFL++ and the gcc replay all report it)
 * naming the property that failed. */
#ifndef DCS_FUZZ_COMMON_H
#define DCS_FUZZ_COMMON_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include <dcs/error.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_CHECK(cond)                                                              \
    do {                                                                              \
        if (!(cond)) {                                                                \
            fprintf(stderr, "%s:%d: property failed: %s\n", __FILE__, __LINE__, #cond); \
            abort();                                                                  \
        }                                                                             \
    } while (0)

/* Every error names a location inside the input (or none) and a message. */
static inline void fuzz_check_error(const struct dcs_error *err, dcs_status st, size_t size)
{
    FUZZ_CHECK(err->code == st);
    FUZZ_CHECK(err->offset == DCS_NO_OFFSET || err->offset <= size);
    FUZZ_CHECK(err->message[0] != '\0');
}

#endif
