/* Plain and gzip file sources and sinks for .reg data. */
#include <dcs/regio.h>

#include "core/fileio.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#define ZLIB_CONST /* next_in is const: no cast needed for caller data */
#include <zlib.h>

#define ZIN_SIZE ((size_t)64 * 1024)

struct dcs_reg_source {
    int fd;
    bool own_fd, regular, gzip, eof, stream_end, started;
    uint64_t size, pos;
    size_t chunk;
    uint8_t *out; /* chunk handed out */
    uint8_t *zin; /* compressed input (gzip only) */
    size_t zin_len, zin_pos;
    z_stream z;
    bool z_init;
    const uint8_t *mem; /* memory source instead of fd */
    size_t mem_len, mem_pos;
    bool mapped; /* mem is our mapping of the file (DCS_REG_SOURCE_MAP) */
    size_t dropped; /* mapped bytes before this were let go of */
    /* a pipe read twice: what was read is kept in an unlinked temporary
     * file and read from there again after a rewind */
    bool spooling;
    int spool_fd;
    uint64_t spool_len, spool_pos;
};

/* read() until len bytes or end of file */
static ssize_t read_fd(int fd, uint8_t *buf, size_t len)
{
    size_t got = 0;
    while (got < len) {
        ssize_t k = read(fd, buf + got, len - got);
        if (k < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        if (k == 0)
            break;
        got += (size_t)k;
    }
    return (ssize_t)got;
}

/* read_full of a spooled pipe: the copy first, then the pipe (copied) */
static ssize_t read_spooled(struct dcs_reg_source *s, uint8_t *buf, size_t len)
{
    size_t got = 0;
    while (got < len && s->spool_pos < s->spool_len) {
        size_t want = len - got;
        if (want > s->spool_len - s->spool_pos)
            want = (size_t)(s->spool_len - s->spool_pos);
        ssize_t k = pread(s->spool_fd, buf + got, want, (off_t)s->spool_pos);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0)
            return -1; /* the copy is shorter than written: an I/O error */
        got += (size_t)k;
        s->spool_pos += (uint64_t)k;
    }
    if (got == len)
        return (ssize_t)got;
    ssize_t k = read_fd(s->fd, buf + got, len - got);
    if (k < 0)
        return -1;
    for (size_t w = 0; w < (size_t)k;) {
        ssize_t n = pwrite(s->spool_fd, buf + got + w, (size_t)k - w, (off_t)(s->spool_len + w));
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return -1;
        w += (size_t)n;
    }
    s->spool_len += (uint64_t)k;
    s->spool_pos = s->spool_len;
    return (ssize_t)(got + (size_t)k);
}

static ssize_t read_full(struct dcs_reg_source *s, uint8_t *buf, size_t len)
{
    if (s->spooling)
        return read_spooled(s, buf, len);
    if (!s->mem)
        return read_fd(s->fd, buf, len);
    size_t k = s->mem_len - s->mem_pos < len ? s->mem_len - s->mem_pos : len;
    memcpy(buf, s->mem + s->mem_pos, k);
    s->mem_pos += k;
    return (ssize_t)k;
}

/* Map the regular file s reads, when asked to and when the system lets us;
 * else s goes on reading it. */
static void try_map(struct dcs_reg_source *s)
{
    if (!s->regular || s->size == 0 || s->size > SIZE_MAX)
        return;
    void *m = mmap(NULL, (size_t)s->size, PROT_READ, MAP_PRIVATE, s->fd, 0);
    if (m == MAP_FAILED)
        return;
    /* read once, front to back: read ahead, and drop what was read */
    (void)posix_madvise(m, (size_t)s->size, POSIX_MADV_SEQUENTIAL);
    s->mem = m;
    s->mem_len = (size_t)s->size;
    s->mapped = true;
}

dcs_status dcs_reg_source_open_flags(const char *path, size_t chunk, unsigned flags,
                                     struct dcs_reg_source **out, struct dcs_error *err)
{
    *out = NULL;
    struct dcs_reg_source *s = calloc(1, sizeof *s);
    if (!s)
        return dcs_error_set(err, DCS_ERR_NOMEM, DCS_NO_OFFSET, "out of memory");
    s->chunk = chunk ? chunk : (size_t)256 * 1024;
    if (strcmp(path, "-") == 0) {
        s->fd = 0;
    } else {
        s->fd = open(path, O_RDONLY | O_CLOEXEC);
        if (s->fd < 0) {
            int e = errno;
            free(s);
            return dcs_error_set(err, e == ENOENT ? DCS_ERR_NOT_FOUND : DCS_ERR_IO,
                                 DCS_NO_OFFSET, "cannot open %s: %s", path, strerror(e));
        }
        s->own_fd = true;
    }
    struct stat st;
    if (fstat(s->fd, &st) == 0 && S_ISREG(st.st_mode)) {
        s->regular = true;
        s->size = (uint64_t)st.st_size;
    } else if (s->own_fd && fstat(s->fd, &st) == 0 && S_ISDIR(st.st_mode)) {
        close(s->fd);
        free(s);
        return dcs_error_set(err, DCS_ERR_IO, DCS_NO_OFFSET, "%s is a directory", path);
    }
    if (flags & DCS_REG_SOURCE_MAP)
        try_map(s);
    s->out = malloc(s->chunk);
    s->zin = malloc(ZIN_SIZE);
    if (!s->out || !s->zin) {
        dcs_reg_source_close(s);
        return dcs_error_set(err, DCS_ERR_NOMEM, DCS_NO_OFFSET, "out of memory");
    }
    *out = s;
    return DCS_OK;
}

dcs_status dcs_reg_source_open(const char *path, size_t chunk, struct dcs_reg_source **out,
                               struct dcs_error *err)
{
    return dcs_reg_source_open_flags(path, chunk, 0, out, err);
}

bool dcs_reg_source_mapping(const struct dcs_reg_source *s, const void **start, size_t *len)
{
    *start = s->mapped ? s->mem : NULL;
    *len = s->mapped ? s->mem_len : 0;
    return s->mapped;
}

dcs_status dcs_reg_source_open_mem(const void *data, size_t len, size_t chunk,
                                   struct dcs_reg_source **out, struct dcs_error *err)
{
    *out = NULL;
    struct dcs_reg_source *s = calloc(1, sizeof *s);
    if (!s)
        return dcs_error_set(err, DCS_ERR_NOMEM, DCS_NO_OFFSET, "out of memory");
    s->fd = -1;
    s->mem = len ? data : (const uint8_t *)"";
    s->mem_len = len;
    s->regular = true;
    s->size = len;
    s->chunk = chunk ? chunk : (size_t)256 * 1024;
    s->out = malloc(s->chunk);
    s->zin = malloc(ZIN_SIZE);
    if (!s->out || !s->zin) {
        dcs_reg_source_close(s);
        return dcs_error_set(err, DCS_ERR_NOMEM, DCS_NO_OFFSET, "out of memory");
    }
    *out = s;
    return DCS_OK;
}

void dcs_reg_source_close(struct dcs_reg_source *s)
{
    if (!s)
        return;
    if (s->z_init)
        inflateEnd(&s->z);
    if (s->mapped)
        munmap((void *)s->mem, s->mem_len); // NOLINT: our own mapping, read-only through s->mem
    if (s->own_fd)
        close(s->fd);
    if (s->spooling)
        close(s->spool_fd);
    free(s->out);
    free(s->zin);
    free(s);
}

bool dcs_reg_source_is_gzip(const struct dcs_reg_source *s)
{
    return s->gzip;
}

uint64_t dcs_reg_source_size(const struct dcs_reg_source *s)
{
    return s->regular ? s->size : 0;
}

uint64_t dcs_reg_source_pos(const struct dcs_reg_source *s)
{
    return s->pos;
}

bool dcs_reg_source_can_rewind(const struct dcs_reg_source *s)
{
    return s->regular || s->spooling;
}

/* A file in dir that has no name (so nothing is left behind), or -1. */
static int anon_file(const char *dir)
{
#ifdef O_TMPFILE
    int tfd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
    if (tfd >= 0)
        return tfd;
#endif
    /* no O_TMPFILE here: a named file, removed at once */
    char path[4096];
    if ((size_t)snprintf(path, sizeof path, "%s/dcs-spool-XXXXXX", dir) >= sizeof path) {
        errno = ENAMETOOLONG;
        return -1;
    }
    int fd = mkstemp(path);
    if (fd >= 0)
        unlink(path);
    return fd;
}

dcs_status dcs_reg_source_spool(struct dcs_reg_source *s, struct dcs_error *err)
{
    if (s->regular || s->spooling)
        return DCS_OK;
    if (s->started || s->pos)
        return dcs_error_set(err, DCS_ERR_INVALID_ARG, DCS_NO_OFFSET,
                             "spooling must start before the first read");
    const char *dir = getenv("TMPDIR");
    if (!dir || !*dir)
        dir = "/tmp";
    int fd = anon_file(dir);
    if (fd < 0)
        return dcs_error_set(err, DCS_ERR_IO, DCS_NO_OFFSET,
                             "cannot create a temporary file in %s: %s", dir, strerror(errno));
    s->spool_fd = fd;
    s->spooling = true;
    s->spool_len = s->spool_pos = 0;
    return DCS_OK;
}

dcs_status dcs_reg_source_rewind(struct dcs_reg_source *s, struct dcs_error *err)
{
    if (!dcs_reg_source_can_rewind(s) ||
        (!s->mem && !s->spooling && lseek(s->fd, 0, SEEK_SET) != 0))
        return dcs_error_set(err, DCS_ERR_IO, DCS_NO_OFFSET, "input cannot be read twice");
    s->mem_pos = 0;
    s->dropped = 0;
    s->spool_pos = 0;
    if (s->z_init) {
        inflateEnd(&s->z);
        s->z_init = false;
    }
    s->eof = s->stream_end = s->started = s->gzip = false;
    s->pos = 0;
    s->zin_len = s->zin_pos = 0;
    return DCS_OK;
}

static dcs_status fill_zin(struct dcs_reg_source *s, struct dcs_error *err)
{
    if (s->zin_pos < s->zin_len || s->eof)
        return DCS_OK;
    ssize_t k = read_full(s, s->zin, ZIN_SIZE);
    if (k < 0)
        return dcs_error_set(err, DCS_ERR_IO, s->pos, "read error: %s", strerror(errno));
    s->zin_len = (size_t)k;
    s->zin_pos = 0;
    s->pos += (uint64_t)k;
    if (k == 0)
        s->eof = true;
    return DCS_OK;
}

static dcs_status gz_read(struct dcs_reg_source *s, size_t *len, bool *is_last,
                          struct dcs_error *err)
{
    size_t have = 0;
    while (have < s->chunk) {
        dcs_status st = fill_zin(s, err);
        if (st)
            return st;
        if (s->stream_end) {
            /* another gzip member may follow */
            if (s->zin_pos == s->zin_len && s->eof)
                break;
            if (s->zin_len - s->zin_pos < 2 && !s->eof) {
                /* keep the partial magic and read more */
                size_t rest = s->zin_len - s->zin_pos;
                memmove(s->zin, s->zin + s->zin_pos, rest);
                ssize_t k = read_full(s, s->zin + rest, ZIN_SIZE - rest);
                if (k < 0)
                    return dcs_error_set(err, DCS_ERR_IO, s->pos, "read error: %s",
                                         strerror(errno));
                s->pos += (uint64_t)k;
                s->zin_pos = 0;
                s->zin_len = rest + (size_t)k;
                if (k == 0)
                    s->eof = true;
            }
            if (s->zin_len - s->zin_pos < 2 || s->zin[s->zin_pos] != 0x1F ||
                s->zin[s->zin_pos + 1] != 0x8B)
                return dcs_error_set(err, DCS_ERR_REG_GZIP,
                                     s->pos - (s->zin_len - s->zin_pos),
                                     "data after the end of the gzip stream");
            inflateReset(&s->z);
            s->stream_end = false;
        }
        if (s->zin_pos == s->zin_len && s->eof)
            return dcs_error_set(err, DCS_ERR_REG_GZIP, s->pos,
                                 "gzip data truncated (the file ends inside the stream)");
        s->z.next_in = s->zin + s->zin_pos;
        s->z.avail_in = (uInt)(s->zin_len - s->zin_pos);
        s->z.next_out = s->out + have;
        s->z.avail_out = (uInt)(s->chunk - have);
        int zr = inflate(&s->z, Z_NO_FLUSH);
        size_t used = (s->zin_len - s->zin_pos) - s->z.avail_in;
        s->zin_pos += used;
        have = s->chunk - s->z.avail_out;
        if (zr == Z_STREAM_END) {
            s->stream_end = true;
            continue;
        }
        /* Input and output space are both non-empty here, so inflate always
         * makes progress: Z_BUF_ERROR ("no progress possible") cannot occur,
         * and any result but Z_OK is an error rather than a reason to loop. */
        if (zr != Z_OK)
            return dcs_error_set(err, DCS_ERR_REG_GZIP, s->pos - (s->zin_len - s->zin_pos),
                                 "corrupt gzip data: %s",
                                 s->z.msg ? s->z.msg : "inflate failed");
    }
    *len = have;
    *is_last = s->stream_end && s->zin_pos == s->zin_len && s->eof;
    return DCS_OK;
}

/* Bytes of a mapping read past before they are let go of. */
#define MAP_DROP_STEP ((size_t)8 << 20)

/* The pages of the mapping already handed out (the chunk before this one is
 * no longer in use: see dcs_reg_source_read's contract) leave the process,
 * so that its resident size stays about MAP_DROP_STEP, not the file's size,
 * as with the read buffer.  They stay in the page cache; a rewind maps them
 * again. */
static void drop_read(struct dcs_reg_source *s)
{
    size_t page = (size_t)sysconf(_SC_PAGESIZE);
    size_t upto = s->mem_pos / page * page;
    if (upto < s->dropped + MAP_DROP_STEP)
        return;
    (void)madvise((void *)(s->mem + s->dropped), upto - s->dropped, MADV_DONTNEED); // NOLINT: our mapping
    s->dropped = upto;
}

dcs_status dcs_reg_source_read(struct dcs_reg_source *s, const uint8_t **data, size_t *len,
                               bool *is_last, struct dcs_error *err)
{
    *data = s->out;
    *len = 0;
    *is_last = false;
    if (s->mem && !s->spooling && !s->gzip &&
        (s->started || s->mem_len < 2 || s->mem[0] != 0x1F || s->mem[1] != 0x8B)) {
        /* plain data in memory: a view of it, nothing copied */
        s->started = true;
        if (s->mapped)
            drop_read(s);
        size_t k = s->mem_len - s->mem_pos < s->chunk ? s->mem_len - s->mem_pos : s->chunk;
        *data = s->mem + s->mem_pos;
        *len = k;
        s->mem_pos += k;
        s->pos = s->mem_pos;
        /* as a read(): a short chunk is the last (a full one is followed
         * by an empty last one) */
        *is_last = k < s->chunk;
        s->eof = *is_last;
        return DCS_OK;
    }
    if (!s->started) {
        s->started = true;
        dcs_status st = fill_zin(s, err);
        if (st)
            return st;
        if (s->zin_len >= 2 && s->zin[0] == 0x1F && s->zin[1] == 0x8B) {
            s->gzip = true;
            memset(&s->z, 0, sizeof s->z);
            if (inflateInit2(&s->z, 16 + MAX_WBITS) != Z_OK)
                return dcs_error_set(err, DCS_ERR_NOMEM, DCS_NO_OFFSET, "zlib init failed");
            s->z_init = true;
        }
    }
    if (s->gzip)
        return gz_read(s, len, is_last, err);
    /* plain: hand out what is buffered first */
    size_t have = 0;
    if (s->zin_pos < s->zin_len) {
        size_t k = s->zin_len - s->zin_pos;
        if (k > s->chunk)
            k = s->chunk;
        memcpy(s->out, s->zin + s->zin_pos, k);
        s->zin_pos += k;
        have = k;
    }
    if (have < s->chunk && !s->eof) {
        ssize_t k = read_full(s, s->out + have, s->chunk - have);
        if (k < 0)
            return dcs_error_set(err, DCS_ERR_IO, s->pos, "read error: %s", strerror(errno));
        s->pos += (uint64_t)k;
        have += (size_t)k;
        if (have < s->chunk)
            s->eof = true;
    }
    *len = have;
    *is_last = s->eof && s->zin_pos == s->zin_len;
    return DCS_OK;
}

dcs_status dcs_reg_source_feed(struct dcs_reg_source *s, struct dcs_reg_reader *r,
                               struct dcs_error *err)
{
    const uint8_t *d;
    size_t n;
    bool last;
    dcs_status st = dcs_reg_source_read(s, &d, &n, &last, err);
    if (st)
        return st;
    return dcs_reg_reader_feed(r, d, n, last, err);
}

dcs_status dcs_reg_source_next(struct dcs_reg_source *s, struct dcs_reg_reader *r,
                               struct dcs_reg_op *op, struct dcs_error *err)
{
    for (;;) {
        dcs_status st = dcs_reg_reader_next(r, op, err);
        if (st != DCS_OK || op->kind != DCS_REG_OP_NEED_INPUT)
            return st;
        st = dcs_reg_source_feed(s, r, err);
        if (st != DCS_OK)
            return st;
    }
}

/* ---- sink ---- */

struct dcs_reg_sink {
    struct dcsi_output out; /* temporary file, or written through (stdout, a device, a FIFO) */
    bool gzip, z_init;
    uint64_t bytes;
    z_stream z;
    uint8_t *zout;
};

static dcs_status sink_zinit(struct dcs_reg_sink *s, struct dcs_error *err)
{
    memset(&s->z, 0, sizeof s->z);
    if (deflateInit2(&s->z, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 16 + MAX_WBITS, 8,
                     Z_DEFAULT_STRATEGY) != Z_OK)
        return dcs_error_set(err, DCS_ERR_NOMEM, DCS_NO_OFFSET, "zlib init failed");
    s->z_init = true;
    return DCS_OK;
}

dcs_status dcs_reg_sink_open(const char *path, bool gzip, struct dcs_reg_sink **out,
                             struct dcs_error *err)
{
    *out = NULL;
    struct dcs_reg_sink *s = calloc(1, sizeof *s);
    if (!s)
        return dcs_error_set(err, DCS_ERR_NOMEM, DCS_NO_OFFSET, "out of memory");
    s->gzip = gzip;
    /* the one output helper: a file is replaced atomically, a device or
     * FIFO written through, a directory refused */
    dcs_status st = dcsi_output_open(&s->out, path, err);
    if (st) {
        free(s);
        return st;
    }
    if (gzip) {
        s->zout = malloc(ZIN_SIZE);
        st = s->zout ? sink_zinit(s, err)
                     : dcs_error_set(err, DCS_ERR_NOMEM, DCS_NO_OFFSET, "out of memory");
        if (st) {
            dcs_reg_sink_close(s);
            return st;
        }
    }
    *out = s;
    return DCS_OK;
}

static dcs_status deflate_some(struct dcs_reg_sink *s, const void *data, size_t len, int flush,
                               struct dcs_error *err)
{
    s->z.next_in = (const Bytef *)data;
    s->z.avail_in = (uInt)len;
    for (;;) {
        s->z.next_out = s->zout;
        s->z.avail_out = ZIN_SIZE;
        int zr = deflate(&s->z, flush);
        if (zr == Z_STREAM_ERROR)
            return dcs_error_set(err, DCS_ERR_IO, DCS_NO_OFFSET, "gzip compression failed");
        size_t outn = ZIN_SIZE - s->z.avail_out;
        if (outn) {
            dcs_status st = dcsi_write_all(s->out.fd, s->zout, outn, err);
            if (st)
                return st;
        }
        if (flush == Z_FINISH ? zr == Z_STREAM_END : (s->z.avail_in == 0 && s->z.avail_out))
            return DCS_OK;
    }
}

dcs_status dcs_reg_sink_write(void *ctx, const void *data, size_t len, struct dcs_error *err)
{
    struct dcs_reg_sink *s = ctx;
    s->bytes += len;
    if (!s->gzip)
        return dcsi_write_all(s->out.fd, data, len, err);
    while (len) {
        size_t k = len > (1u << 30) ? (1u << 30) : len;
        dcs_status st = deflate_some(s, data, k, Z_NO_FLUSH, err);
        if (st)
            return st;
        data = (const uint8_t *)data + k;
        len -= k;
    }
    return DCS_OK;
}

dcs_status dcs_reg_sink_rewind(void *ctx, struct dcs_error *err)
{
    struct dcs_reg_sink *s = ctx;
    dcs_status st = dcsi_output_rewind(&s->out, err);
    if (st)
        return st;
    s->bytes = 0;
    if (s->gzip) {
        deflateEnd(&s->z);
        s->z_init = false;
        return sink_zinit(s, err);
    }
    return DCS_OK;
}

bool dcs_reg_sink_can_rewind(const struct dcs_reg_sink *s)
{
    return !s->out.direct;
}

uint64_t dcs_reg_sink_bytes(const struct dcs_reg_sink *s)
{
    return s->bytes;
}

dcs_status dcs_reg_sink_commit(struct dcs_reg_sink *s, bool backup, struct dcs_error *err)
{
    dcs_status st = DCS_OK;
    if (s->gzip)
        st = deflate_some(s, NULL, 0, Z_FINISH, err);
    if (!st)
        st = dcsi_output_commit(&s->out, backup, err); /* releases s->out */
    dcs_reg_sink_close(s);
    return st;
}

void dcs_reg_sink_close(struct dcs_reg_sink *s)
{
    if (!s)
        return;
    if (s->z_init)
        deflateEnd(&s->z);
    dcsi_output_abort(&s->out);
    free(s->zout);
    free(s);
}
