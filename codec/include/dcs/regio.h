/* dcs — file input and output for .reg data, plain or gzip-compressed.
 *
 * A source reads a file (or stdin) in chunks, inflating it on the fly when
 * it starts with the gzip magic 1F 8B, and feeds a dcs_reg_reader.  A sink
 * writes plain or gzip output to a temporary file beside the target and
 * renames it into place on commit, so a target is never left half-written.
 * Memory use of both is a few fixed buffers, whatever the file size (a
 * mapped source: the pages of about 8 MiB of the file at a time).
 */
#ifndef DCS_REGIO_H
#define DCS_REGIO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <dcs/error.h>
#include <dcs/regread.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct dcs_reg_source dcs_reg_source;

/* Open path ("-" = stdin).  chunk: bytes handed out per read (0 = 256 KiB). */
DCS_API dcs_status dcs_reg_source_open(const char *path, size_t chunk, dcs_reg_source **out,
                               struct dcs_error *err);
/* Flags of dcs_reg_source_open_flags. */
enum {
    /* Map a regular, non-empty file into memory and hand out views of it
     * instead of reading it into a buffer: no copy, about a third less CPU
     * time on a large file.  Only where the mapping can be made (else the
     * file is read as without the flag).  The catch of every mapping: if
     * the file shrinks while it is read, touching the lost pages raises
     * SIGBUS.  So a caller sets this flag only for a file that nobody
     * truncates meanwhile, or catches SIGBUS at an address inside
     * dcs_reg_source_mapping() (the dcs program does: it reports the file
     * as changed while read and exits 1). */
    DCS_REG_SOURCE_MAP = 1u << 0
};

/* dcs_reg_source_open with flags (DCS_REG_SOURCE_*). */
DCS_API dcs_status dcs_reg_source_open_flags(const char *path, size_t chunk, unsigned flags,
                                             dcs_reg_source **out, struct dcs_error *err);
/* The file's mapping, when DCS_REG_SOURCE_MAP made one: true and its range;
 * else false, NULL and 0. */
DCS_API bool dcs_reg_source_mapping(const dcs_reg_source *s, const void **start, size_t *len);
/* The same over len bytes in memory (plain or gzip); data must outlive s.
 * Plain data is handed out as views of data, never copied. */
DCS_API dcs_status dcs_reg_source_open_mem(const void *data, size_t len, size_t chunk,
                                   dcs_reg_source **out, struct dcs_error *err);
DCS_API void dcs_reg_source_close(dcs_reg_source *s);

/* Next chunk of (decompressed) data; valid until the next call.  *is_last
 * is set with the final chunk, which may be empty.  Corrupt or truncated
 * gzip data fail with DCS_ERR_REG_GZIP naming the compressed offset. */
DCS_API dcs_status dcs_reg_source_read(dcs_reg_source *s, const uint8_t **data, size_t *len,
                               bool *is_last, struct dcs_error *err);

/* Read one chunk and feed it to r: call when next() says NEED_INPUT. */
DCS_API dcs_status dcs_reg_source_feed(dcs_reg_source *s, dcs_reg_reader *r,
                               struct dcs_error *err);

/* The next operation of the file: calls the reader and feeds it from s until
 * it has one, so op->kind is never DCS_REG_OP_NEED_INPUT (DCS_REG_OP_END at
 * the end).  The loop every consumer of a .reg source needs, written once. */
DCS_API dcs_status dcs_reg_source_next(dcs_reg_source *s, dcs_reg_reader *r,
                                       struct dcs_reg_op *op, struct dcs_error *err);

DCS_API bool dcs_reg_source_is_gzip(const dcs_reg_source *s);
/* Size of the file on disk (0 when unknown, e.g. a pipe) and how many of
 * its bytes have been read: for progress reports. */
DCS_API uint64_t dcs_reg_source_size(const dcs_reg_source *s);
DCS_API uint64_t dcs_reg_source_pos(const dcs_reg_source *s);
/* Start again from the beginning (regular files, memory, and a pipe once
 * spooled). */
DCS_API bool dcs_reg_source_can_rewind(const dcs_reg_source *s);
/* Make a pipe (stdin, a FIFO) rewindable: from now on every byte read from
 * it is also kept in an unlinked temporary file in $TMPDIR (or /tmp), and a
 * rewind reads that copy before the rest of the pipe.  Memory stays a few
 * fixed buffers; the disk holds the bytes read (compressed, for gzip
 * input).  Call before the first read; nothing happens for a regular file.
 * DCS_ERR_IO when the temporary file cannot be made. */
DCS_API dcs_status dcs_reg_source_spool(dcs_reg_source *s, struct dcs_error *err);
DCS_API dcs_status dcs_reg_source_rewind(dcs_reg_source *s, struct dcs_error *err);

typedef struct dcs_reg_sink dcs_reg_sink;

/* Output to path ("-" = stdout), gzip-compressed when gzip is true.  The
 * data go to a temporary file in the same directory until commit.  When
 * path names a device, FIFO or socket (/dev/null, /dev/stdout, a pipe) the
 * data are written to it directly, like stdout; a directory is refused. */
DCS_API dcs_status dcs_reg_sink_open(const char *path, bool gzip, dcs_reg_sink **out,
                             struct dcs_error *err);
/* Write callback for dcs_reg_writer (ctx is the sink). */
DCS_API dcs_status dcs_reg_sink_write(void *ctx, const void *data, size_t len, struct dcs_error *err);
/* Drop everything written so far (not possible on stdout or a device:
 * see dcs_reg_sink_can_rewind). */
DCS_API dcs_status dcs_reg_sink_rewind(void *ctx, struct dcs_error *err);
/* False when the output goes straight to stdout, a device or a FIFO. */
DCS_API bool dcs_reg_sink_can_rewind(const dcs_reg_sink *s);
/* Finish: flush, fsync, keep the old target as PATH.bak when backup is
 * true and it existed, rename into place, fsync the directory (only the
 * flush for stdout and devices).  Frees s. */
DCS_API dcs_status dcs_reg_sink_commit(dcs_reg_sink *s, bool backup, struct dcs_error *err);
/* Give up: remove the temporary file.  Frees s. */
DCS_API void dcs_reg_sink_close(dcs_reg_sink *s);
/* Bytes written so far (before compression). */
DCS_API uint64_t dcs_reg_sink_bytes(const dcs_reg_sink *s);

#ifdef __cplusplus
}
#endif
#endif
