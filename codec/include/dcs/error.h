/* dcs — status codes and the error record every fallible call fills.
 *
 * Every function that can fail returns a dcs_status and, when given a
 * non-NULL struct dcs_error *, fills it with the code, a one-line message and
 * the location: a byte offset into the input, and for text inputs a 1-based
 * line:column as well.  Parsers never print.
 *
 * Codes are grouped by concern in ranges of 100 so that each room can add
 * codes without renumbering the others.  The numbers are part of the ABI.
 */
#ifndef DCS_ERROR_H
#define DCS_ERROR_H

#include <stddef.h>
#include <stdint.h>

#include <dcs/types.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum dcs_status {
    DCS_OK = 0,

    /* generic: 1..99 */
    DCS_ERR_INVALID_ARG = 1,     /* a caller passed something impossible */
    DCS_ERR_NOMEM = 2,
    DCS_ERR_BUFFER_TOO_SMALL = 3, /* output buffer smaller than *needed */
    DCS_ERR_IO = 4,              /* read/write/open failed (errno in message) */
    DCS_ERR_LIMIT = 5,           /* input exceeds a documented hard limit */
    DCS_ERR_UNSUPPORTED = 6,     /* feature not built in (e.g. no libhivex) */
    DCS_ERR_NOT_FOUND = 7,       /* a named key, value or file does not exist */
    DCS_ERR_JSON = 8,            /* JSON input is malformed or has wrong types */

    /* proxy blobs (blob.h): 100..199 */
    DCS_ERR_BLOB_TRUNCATED = 100, /* data ends inside a field */
    DCS_ERR_BLOB_VERSION = 101,   /* version DWORD not one we can lay out */
    DCS_ERR_BLOB_TRAILING = 102,  /* strict: bytes after the last known field */
    DCS_ERR_BLOB_FLAGS = 103,     /* strict: flag bits Windows never writes */
    DCS_ERR_BLOB_MODEL = 104,     /* encode: the model is inconsistent */
    DCS_ERR_BLOB_FIELD = 105,     /* strict: a field value Windows never writes */

    /* proxy-server / bypass grammar (proxylist.h): 200..299 */
    DCS_ERR_PROXY_SYNTAX = 200,
    DCS_ERR_BYPASS_SYNTAX = 201,

    /* text helpers: hex, UTF-8, UTF-16, code pages (hex.h, text): 300..399 */
    DCS_ERR_HEX_SYNTAX = 300,
    DCS_ERR_ENCODING = 301,      /* invalid UTF-8 / UTF-16 / unmappable char */

    /* .reg files (regread.h, regwrite.h): 400..499 */
    DCS_ERR_REG_HEADER = 400,    /* not a registry script: Windows rejects it */
    DCS_ERR_REG_ENCODING = 401,  /* e.g. odd byte count in a UTF-16 file */
    DCS_ERR_REG_SYNTAX = 402,    /* strict mode: a line Windows would skip */
    DCS_ERR_REG_GZIP = 403,      /* corrupt gzip stream */

    /* hives (hive.h): 500..599 */
    DCS_ERR_HIVE_SIGNATURE = 500,
    DCS_ERR_HIVE_CHECKSUM = 501,
    DCS_ERR_HIVE_VERSION = 502,
    DCS_ERR_HIVE_TYPE = 503,
    DCS_ERR_HIVE_DIRTY = 504,    /* sequence numbers differ or logs pending */
    DCS_ERR_HIVE_TRUNCATED = 505,
    DCS_ERR_HIVE_CORRUPT = 506,
    DCS_ERR_HIVE_LIB = 507,      /* libhivex reported an error */
    DCS_ERR_HIVE_ROLLBACK = 508, /* a commit failed after replacing hives and could not
                                    put them all back: the message names each hive's state */
    DCS_ERR_HIVE_LOCKED = 509,   /* another process holds the hive (or image) lock */
    DCS_ERR_HIVE_JOURNAL = 510,  /* an interrupted commit's journal cannot be acted on */
    DCS_ERR_HIVE_REFUSED = 520,  /* recover.h: the logs cannot be replayed safely */

    /* applier (apply.h): 600..699 */
    DCS_ERR_APPLY_AMBIGUOUS = 600, /* several candidate source blobs */
    DCS_ERR_APPLY_NO_SOURCE = 601,
    DCS_ERR_APPLY_PREFIX = 602,    /* a key outside the allowed prefix */
    DCS_ERR_APPLY_TARGET = 603,    /* a target hive cannot be located */
    DCS_ERR_APPLY_OUTSIDE = 604,   /* a path found through an image leads outside it
                                      (a symbolic link; also a link loop) */
    DCS_ERR_APPLY_HIVE_KIND = 605, /* a SOFTWARE hive named as a user's, or a user's
                                      as SOFTWARE: the caller named the wrong file */

    /* files that ship values to live machines (ship.h): 700..799 */
    DCS_ERR_SHIP_SYNTAX = 700      /* a Registry.xml or batch file dcs cannot read */
} dcs_status;

/* offset value meaning "no byte offset applies" */
#define DCS_NO_OFFSET UINT64_MAX

/* Room for any message the library writes: two paths up to PATH_MAX (4096
 * bytes each) and the text around them.  Were a message ever longer, its end is replaced
 * by " [...]" so that a cut is visible.  (Was 256 before 0.2: the record
 * grew, so callers that embed it must be rebuilt.) */
#define DCS_ERROR_MESSAGE_MAX 10240

struct dcs_error {
    dcs_status code;
    uint64_t offset;  /* byte offset in the input, or DCS_NO_OFFSET */
    uint32_t line;    /* 1-based line for text inputs, 0 when not text */
    uint32_t column;  /* 1-based column (in characters), 0 when not text */
    char message[DCS_ERROR_MESSAGE_MAX];
};

/* Short fixed description of a status code ("data ends inside a field").
 * Never returns NULL. */
DCS_API const char *dcs_strerror(dcs_status code);

/* Reset an error record to DCS_OK / no location / empty message. */
DCS_API void dcs_error_clear(struct dcs_error *err);

/* Fill err (if non-NULL) and return code.  For use by the library's rooms;
 * public so that tools and tests can build errors the same way.  A NULL fmt
 * makes the message dcs_strerror(code). */
#if defined(__GNUC__)
#define DCS_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define DCS_PRINTF(a, b)
#endif
DCS_API dcs_status dcs_error_set(struct dcs_error *err, dcs_status code, uint64_t offset,
                         const char *fmt, ...) DCS_PRINTF(4, 5);
DCS_API dcs_status dcs_error_set_at(struct dcs_error *err, dcs_status code, uint64_t offset,
                            uint32_t line, uint32_t column,
                            const char *fmt, ...) DCS_PRINTF(6, 7);

/* The one warning callback of the library: something worth telling the user
 * that does not stop the operation (a dirty hive read as it is, a skipped
 * line of a .reg source, a transaction log removed).  w is valid only during
 * the call; its code says what kind of warning it is and, for text inputs,
 * line and column say where. */
typedef void (*dcs_warn_fn)(void *ctx, const struct dcs_error *w);

/* Warnings the library has no caller-supplied callback for (an interrupted
 * commit finished or undone when a hive is opened, leftovers that could not
 * be removed, a key name holding a NUL) go to one process-wide handler;
 * without one they are dropped.  Set it once at start-up, before other
 * calls: it is not synchronised. */
DCS_API void dcs_set_warning_handler(dcs_warn_fn fn, void *ctx);
/* Send a warning to the handler (for the library's rooms; public so tools
 * can route their own warnings the same way).  Formats like dcs_error_set. */
DCS_API void dcs_warn(dcs_status code, const char *fmt, ...) DCS_PRINTF(2, 3);

/* Format "where: message" into buf: "offset 17: ..." or "3:14: ...". */
DCS_API size_t dcs_error_format(const struct dcs_error *err, char *buf, size_t size);

#ifdef __cplusplus
}
#endif
#endif
