/* regf writer: the commit.  Each edited key gets its value list and its
 * subkey list written once (spec: "Key values list", "Fast leaf", "Hash
 * leaf", "Index root"); then the result passes the full check and the base
 * block is updated (sequence numbers, timestamp, size, checksum) before the
 * bytes go to the file. */
#define _GNU_SOURCE // NOLINT(bugprone-reserved-identifier): the feature-test macro of sync_file_range
#include "hive/regf.h"

#include <dcs/hive.h>

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static uint8_t *cell_at(struct dcsi_regf *r, uint32_t off)
{
    return r->data + DCSI_REGF_BASE + off + 4;
}

static void touch(struct dcsi_regf *r, uint32_t nk)
{
    uint8_t *c = cell_at(r, nk);
    dcsi_wr32(c + 4, (uint32_t)r->now);
    dcsi_wr32(c + 8, (uint32_t)(r->now >> 32));
}

dcs_status dcsi_regf_write_vals(struct dcsi_regf *r, struct dcsi_regf_keyst *ks,
                               struct dcs_error *err)
{
    struct dcsi_regf_nk nk;
    dcs_status rc = dcsi_regf_nk(r, ks->nk, &nk, err);
    if (rc != DCS_OK)
        return rc;
    if (nk.nval)
        dcsi_regf_release(r, nk.vallist);
    uint32_t live = 0, list = DCSI_REGF_NONE, max_name = 0, max_data = 0;
    for (uint32_t i = 0; i < ks->vals.n; i++)
        live += ks->vals.off[i] != 0;
    if (live) {
        /* a short list fits a gap an earlier bin left at its end: the
         * import's lists fill those instead of growing the file */
        rc = dcsi_regf_alloc_gap(r, 4 * live, &list, err);
        if (rc != DCS_OK)
            return rc;
        uint8_t *l = cell_at(r, list);
        for (uint32_t i = 0, k = 0; i < ks->vals.n; i++) {
            struct dcsi_regf_vk vk;
            if (!ks->vals.off[i])
                continue;
            dcsi_wr32(l + 4 * (size_t)k++, ks->vals.off[i]);
            if (dcsi_regf_vk(r, ks->vals.off[i], &vk, err) != DCS_OK)
                return DCS_ERR_HIVE_CORRUPT;
            uint32_t nb = vk.name.comp ? 2 * vk.name.bytes : vk.name.bytes;
            max_name = nb > max_name ? nb : max_name;
            max_data = vk.size > max_data ? vk.size : max_data;
        }
    }
    uint8_t *c = cell_at(r, ks->nk);
    dcsi_wr32(c + 36, live);
    dcsi_wr32(c + 40, list);
    dcsi_wr32(c + 60, max_name);
    dcsi_wr32(c + 64, max_data);
    touch(r, ks->nk);
    return DCS_OK;
}

static void free_disk_kids(struct dcsi_regf *r, const struct dcsi_regf_nk *nk)
{
    uint32_t len;
    if (!nk->nsub)
        return;
    const uint8_t *c = dcsi_regf_cell(r, nk->sublist, &len);
    if (c && len >= 4 && c[0] == 'r' && c[1] == 'i') {
        uint16_t n = dcsi_rd16(c + 2);
        for (uint16_t i = 0; i < n && (size_t)i * 4 + 8 <= len; i++) {
            dcsi_regf_release(r, dcsi_rd32(c + 4 + 4 * (size_t)i));
            c = dcsi_regf_cell(r, nk->sublist, &len);
        }
    }
    dcsi_regf_release(r, nk->sublist);
}

/* The largest name and class of the subkeys a list holds (in the parent's
 * nk), found while the list is written: each subkey is read once. */
struct kid_max {
    uint32_t name, class_len;
};

/* One leaf of kind sig with the subkeys off[0..n). */
static dcs_status write_leaf(struct dcsi_regf *r, char sig, const uint32_t *off, uint32_t n,
                             uint32_t *out, struct kid_max *max, struct dcs_error *err)
{
    unsigned stride = sig == 'i' ? 4 : 8;
    dcs_status rc = dcsi_regf_alloc(r, 4 + stride * n, out, err);
    if (rc != DCS_OK)
        return rc;
    uint8_t *c = cell_at(r, *out);
    c[0] = 'l';
    c[1] = (uint8_t)sig;
    dcsi_wr16(c + 2, (uint16_t)n);
    for (uint32_t i = 0; i < n; i++) {
        struct dcsi_regf_nk kid;
        uint8_t *e = c + 4 + (size_t)i * stride;
        dcsi_wr32(e, off[i]);
        if (dcsi_regf_nk(r, off[i], &kid, err) != DCS_OK)
            return DCS_ERR_HIVE_CORRUPT;
        uint32_t nb = kid.name.comp ? 2 * kid.name.bytes : kid.name.bytes;
        max->name = nb > max->name ? nb : max->name;
        max->class_len = kid.class_len > max->class_len ? kid.class_len : max->class_len;
        if (stride == 4)
            continue;
        if (sig == 'h') {
            dcsi_wr32(e + 4, dcsi_regf_lh_hash(&kid.name));
            continue;
        }
        /* lf: the first four characters, when each fits in one byte */
        size_t m = dcsi_regf_name_units(&kid.name);
        for (size_t k = 0; k < 4 && k < m; k++) {
            uint16_t u = dcsi_regf_name_unit(&kid.name, k);
            if (u > 0xFF) {
                memset(e + 4, 0, 4);
                break;
            }
            e[4 + k] = (uint8_t)u;
        }
    }
    return DCS_OK;
}

static dcs_status write_list(struct dcsi_regf *r, const uint32_t *off, uint32_t n,
                             uint32_t *out, struct kid_max *max, struct dcs_error *err)
{
    char sig = r->minor >= 5 ? 'h' : 'f';
    uint32_t per = DCSI_REGF_FAST_MAX;
    if (n <= per)
        return write_leaf(r, sig, off, n, out, max, err);
    /* Windows splits a full leaf under an index root */
    uint32_t leaves = (n + per - 1) / per;
    if (leaves > DCSI_REGF_INDEX_MAX) {
        per = (n + DCSI_REGF_INDEX_MAX - 1) / DCSI_REGF_INDEX_MAX;
        leaves = (n + per - 1) / per;
    }
    /* cppcheck-suppress knownConditionTrueFalse ; per grows with n above */
    if (per > 0xFFFF)
        return dcs_error_set(err, DCS_ERR_LIMIT, DCS_NO_OFFSET, "%u subkeys in one key", n);
    uint32_t ri;
    dcs_status rc = dcsi_regf_alloc(r, 4 + 4 * leaves, &ri, err);
    if (rc != DCS_OK)
        return rc;
    uint8_t *c = cell_at(r, ri);
    c[0] = 'r';
    c[1] = 'i';
    dcsi_wr16(c + 2, (uint16_t)leaves);
    for (uint32_t i = 0; i < leaves; i++) {
        uint32_t leaf, at = i * per, k = n - at < per ? n - at : per;
        rc = write_leaf(r, sig, off + at, k, &leaf, max, err);
        if (rc != DCS_OK)
            return rc;
        dcsi_wr32(cell_at(r, ri) + 4 + 4 * (size_t)i, leaf);
    }
    *out = ri;
    return DCS_OK;
}

static dcs_status write_kids(struct dcsi_regf *r, struct dcsi_regf_keyst *ks,
                             struct dcs_error *err)
{
    struct dcsi_regf_nk nk;
    dcs_status rc = dcsi_regf_nk(r, ks->nk, &nk, err);
    if (rc == DCS_OK)
        rc = dcsi_regf_kids_sort(r, &ks->kids, err);
    if (rc != DCS_OK)
        return rc;
    free_disk_kids(r, &nk);
    uint32_t list = DCSI_REGF_NONE;
    struct kid_max max = {0, 0};
    if (ks->kids.n) {
        rc = write_list(r, ks->kids.off, ks->kids.n, &list, &max, err);
        if (rc != DCS_OK)
            return rc;
    }
    uint8_t *c = cell_at(r, ks->nk);
    dcsi_wr32(c + 20, ks->kids.n);
    dcsi_wr32(c + 28, list);
    /* the upper 16 bits hold the virtualization, user and debug flags */
    dcsi_wr16(c + 52, (uint16_t)max.name);
    dcsi_wr32(c + 56, max.class_len);
    touch(r, ks->nk);
    return DCS_OK;
}

struct mat {
    struct dcsi_regf *r;
    dcs_status rc;
    struct dcs_error *err;
};

static int materialize_one(void *ctx, struct dcsi_regf_keyst *ks)
{
    struct mat *m = ctx;
    if (ks->vals_dirty)
        m->rc = dcsi_regf_write_vals(m->r, ks, m->err);
    if (m->rc == DCS_OK)
        ks->vals_dirty = false;
    if (m->rc == DCS_OK && ks->kids_dirty)
        m->rc = write_kids(m->r, ks, m->err);
    if (m->rc == DCS_OK)
        ks->kids_dirty = false;
    return m->rc != DCS_OK;
}

dcs_status dcsi_regf_materialize(struct dcsi_regf *r, struct dcs_error *err)
{
    /* in slab order, which is mostly the order the keys were first edited
     * and so, for new keys, the order of their cells: the walk streams
     * through the file instead of jumping to wherever the table's hash put
     * each key */
    struct mat m = {r, DCS_OK, err};
    dcsi_regf_keyst_each(r, materialize_one, &m);
    if (m.rc != DCS_OK)
        return m.rc;
    /* the lists on disk now say what the states said */
    dcsi_regf_keys_free(r);
    return DCS_OK;
}

static void update_base(struct dcsi_regf *r)
{
    uint8_t *b = r->data;
    uint32_t s1 = dcsi_rd32(b + 4), s2 = dcsi_rd32(b + 8);
    uint32_t seq = (s1 > s2 ? s1 : s2) + 1;
    dcsi_wr32(b + 4, seq);
    dcsi_wr32(b + 8, seq);
    dcsi_wr32(b + 12, (uint32_t)r->now);
    dcsi_wr32(b + 16, (uint32_t)(r->now >> 32));
    dcsi_wr32(b + 0x28, r->bins);
    /* the first bin's timestamp backs up the base block's */
    memcpy(b + DCSI_REGF_BASE + 20, b + 12, 8);
    dcsi_wr32(b + DCS_HIVE_CHECKSUM_OFFSET, dcs_hive_checksum(b));
}

dcs_status dcsi_regf_commit_image(struct dcsi_regf *r, struct dcs_error *err)
{
    dcs_status rc = dcsi_regf_begin_edit(r, err);
    if (rc == DCS_OK)
        rc = dcsi_regf_materialize(r, err);
    if (rc != DCS_OK)
        return rc;
    /* never write a hive the reader would refuse */
    struct dcs_error cerr;
    dcs_error_clear(&cerr);
    rc = dcsi_regf_check(r, 0, &cerr);
    if (rc == DCS_ERR_NOMEM)
        return dcs_error_set(err, rc, DCS_NO_OFFSET, "out of memory");
    if (rc != DCS_OK)
        return dcs_error_set(err, rc, cerr.offset, "the edited hive fails its check: %s",
                             cerr.message);
    update_base(r);
    return DCS_OK;
}

/* Bytes written between two writeback starts (see below). */
#define WRITEBACK_CHUNK ((size_t)8 << 20)

dcs_status dcsi_regf_write_fd(struct dcsi_regf *r, int fd, struct dcs_error *err)
{
    dcs_status rc = dcsi_regf_commit_image(r, err);
    if (rc != DCS_OK)
        return rc;
    size_t len = DCSI_REGF_BASE + (size_t)r->bins, done = 0;
    while (done < len) {
        size_t want = len - done < WRITEBACK_CHUNK ? len - done : WRITEBACK_CHUNK;
        ssize_t n = write(fd, r->data + done, want);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return dcs_error_set(err, DCS_ERR_IO, DCS_NO_OFFSET, "cannot write the hive: %s",
                                 n < 0 ? strerror(errno) : "no progress");
#ifdef SYNC_FILE_RANGE_WRITE
        /* The caller fsyncs the file next.  Starting the disk on each chunk
         * as it is written overlaps the device's work with the copying of
         * the rest, so that fsync waits for the last chunk, not the whole
         * file (a 56 MB hive: the fsync's wait roughly halves).  Only a
         * hint: it guarantees nothing, and a file system without it
         * (EINVAL, ENOSYS, ESPIPE) is simply not hurried. */
        if (len > WRITEBACK_CHUNK)
            (void)sync_file_range(fd, (off_t)done, (off_t)n, SYNC_FILE_RANGE_WRITE);
#endif
        done += (size_t)n;
    }
    return DCS_OK;
}
