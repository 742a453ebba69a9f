/* Proxy blobs in .reg files: `dcs decode FILE.reg` and
 * `dcs encode ... --output-format reg`. */
#ifndef DCS_REG_BLOB_H
#define DCS_REG_BLOB_H

#include <stddef.h>
#include <stdint.h>

/* Decode every proxy blob set in a .reg file (plain or gzip): values named
 * DefaultConnectionSettings, SavedLegacySettings or WinHttpSettings, and
 * every binary value under ...\Internet Settings\Connections (connectoids).
 * Text: a "KEY : VALUE" line and the field table per blob; json: one array
 * of decode objects with "key" and "value" added.  Returns the exit code. */
int reg_decode_file(const char *path, int json, int compact, unsigned options);
/* The same over bytes already read (data != NULL; path names them). */
int reg_decode_buffer(const char *path, const uint8_t *data, size_t len, int json, int compact,
                      unsigned options);
/* True when path is a regular file that starts like a .reg or gzip file. */
int reg_sniff_file(const char *path);

/* Write blob p[0..n) as a ready-to-import .reg (regedit 5.00, UTF-16LE) to
 * out_path (NULL or "-": stdout; ".gz": compressed).  key/value default to
 * HKCU ...\Internet Settings\Connections and DefaultConnectionSettings, or
 * for a WinHttpSettings blob HKLM ...\Connections and WinHttpSettings.
 * Returns the exit code. */
int reg_emit_blob(const char *out_path, const char *key, const char *value, const uint8_t *p,
                  size_t n);

#endif
