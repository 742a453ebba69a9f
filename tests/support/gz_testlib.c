/* gzip for tests (see gz_testlib.h). */
#include "gz_testlib.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <zlib.h>

size_t tl_gzip_into(const void *data, size_t len, uint8_t *out, size_t cap)
{
    z_stream z;
    memset(&z, 0, sizeof z);
    if (deflateInit2(&z, 6, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY) != Z_OK)
        return 0;
    z.next_in = (Bytef *)(uintptr_t)data; /* zlib without ZLIB_CONST */
    z.avail_in = (uInt)len;
    z.next_out = out;
    z.avail_out = (uInt)cap;
    int rc = deflate(&z, Z_FINISH);
    size_t n = cap - z.avail_out;
    deflateEnd(&z);
    return rc == Z_STREAM_END ? n : 0;
}

uint8_t *tl_gzip(const void *data, size_t len, size_t *outlen)
{
    size_t cap = compressBound((uLong)len) + 64; /* + the gzip header and trailer */
    uint8_t *out = malloc(cap);
    *outlen = out ? tl_gzip_into(data, len, out, cap) : 0;
    if (out && !*outlen) {
        free(out);
        out = NULL;
    }
    return out;
}
