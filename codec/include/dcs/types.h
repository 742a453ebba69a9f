/* dcs — the few types every concern shares, and the export macro.
 *
 * DCS_API marks the functions of the installed headers: the shared library
 * is built with hidden visibility, so it exports exactly these.  Internals
 * shared between files of the library carry the private prefix dcsi_ and
 * are never exported.
 */
#ifndef DCS_TYPES_H
#define DCS_TYPES_H

#include <stdint.h>

#if defined(_WIN32) && defined(DCS_BUILDING_SHARED)
#define DCS_API __declspec(dllexport)
#elif defined(__GNUC__)
#define DCS_API __attribute__((visibility("default")))
#else
#define DCS_API
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* A byte-string view.  Not NUL-terminated; ptr may be NULL when len == 0. */
typedef struct dcs_bytes {
    const uint8_t *ptr;
    uint32_t len;
} dcs_bytes;

/* Registry value types (winnt.h numbers). */
enum {
    DCS_REG_NONE = 0,
    DCS_REG_SZ = 1,
    DCS_REG_EXPAND_SZ = 2,
    DCS_REG_BINARY = 3,
    DCS_REG_DWORD = 4,
    DCS_REG_MULTI_SZ = 7,
    DCS_REG_QWORD = 11
};

#ifdef __cplusplus
}
#endif

#endif
