/* Helpers for the log-replay tests: fixture sets in memory, entry resealing,
 * and hive comparisons through libhivex (independent of our replay). */
#ifndef DCS_TESTS_RECOVER_TESTLIB_H
#define DCS_TESTS_RECOVER_TESTLIB_H

#include <stddef.h>
#include <stdint.h>

#include <dcs/recover.h>

/* A primary and its logs, owned (free with rset_free). */
struct rset {
    uint8_t *primary;
    size_t primary_len;
    uint8_t *log[DCS_RECOVER_NLOGS];
    size_t log_len[DCS_RECOVER_NLOGS];
};

/* tests/data/hives/<name>; a name ending in .xz is decompressed with xz.
 * Aborts when the file cannot be read. */
uint8_t *rt_load(const char *name, size_t *len);
void rset_free(struct rset *s);
struct dcs_recover_input rset_input(const struct rset *s);

/* The yarp and regipy fixture sets. */
void rset_new_dirty(struct rset *s); /* NewDirtyHive + LOG1 + LOG2 */
void rset_old_dirty(struct rset *s); /* OldDirtyHive + LOG1 */
void rset_regipy(struct rset *s);    /* transactions NTUSER.DAT + log1 + log2 */

/* Recompute hash-1 then hash-2 of the HvLE entry at off. */
void rt_reseal_entry(uint8_t *log, size_t off);
/* Recompute a 512-byte header's checksum. */
void rt_fix_checksum(uint8_t *block);

/* An image opened by libhivex from a temporary file (hivex reads paths;
 * the name goes to path, for the caller to remove); aborts on failure. */
struct hive_h;
struct hive_h *rt_hivex_image(const uint8_t *d, size_t len, char *path, size_t psize);

/* Write data to dir/name; aborts on failure. */
void rt_write(const char *dir, const char *name, const uint8_t *data, size_t len);

/* Compare two hive images through libhivex: key names (tree order),
 * key timestamps, value names, types and data.  Returns the number of
 * differences and prints the first few. */
int rt_hive_tree_diff(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen);

/* regipy's compare_hives count between two hive images (regipy/regdiff.py,
 * re-counted through libhivex): keys present in one only, values by name
 * in keys present in both with different timestamps (one per distinct
 * item of a multi-string, none for an empty value), and 1 when the
 * hive-bins sizes differ. */
struct rt_regipy_count {
    int new_subkeys, new_values, size_changes;
};
void rt_regipy_compare(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen,
                       struct rt_regipy_count *out);

#endif
