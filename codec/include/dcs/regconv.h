/* dcs — convert a .reg file: import it, then export the same keys the way
 * regedit would.
 *
 * The output holds every key the input names in a key line (and any key
 * between two such keys, which the import creates and an export of the
 * upper one would include), each once, with its values in creation order:
 * a later value of the same name (case-insensitive) replaces the earlier one
 * in place, `=-` removes it, `[-KEY]` removes the key and its subkeys.  Keys
 * come in regedit's export order: depth-first, subkeys sorted by their
 * upper-cased names; top-level keys under different roots keep the order in
 * which the input first names their root.  An untouched regedit export is
 * already in that order and converts to itself byte for byte.
 *
 * Memory: when the input is export-shaped (keys strictly in export order,
 * no key deletions of keys already seen) the conversion streams, holding only
 * the current key's values.  Otherwise it is restarted (regular files) on a
 * compact in-memory model of the keys (see regtree.h): its size is about the
 * binary size of the data plus ~100 bytes per key and value.  Non-seekable
 * input (stdin) uses the model from the start.
 */
#ifndef DCS_REGCONV_H
#define DCS_REGCONV_H

#include <dcs/regio.h>
#include <dcs/regread.h>
#include <dcs/regwrite.h>

#ifdef __cplusplus
extern "C" {
#endif

struct dcs_reg_convert_options {
    struct dcs_reg_reader_options reader;
    struct dcs_reg_writer_options writer;
    /* every reader warning, once (may be NULL) */
    void (*on_warning)(void *ctx, const struct dcs_error *warning);
    void *warning_ctx;
    /* called after each input chunk: bytes of the file read, file size */
    void (*on_progress)(void *ctx, uint64_t done, uint64_t total);
    void *progress_ctx;
};

/* Where the output goes: write callback and, for the restart, a rewind
 * callback that drops everything written (may be NULL: then non-export-
 * shaped input is modelled from the start). */
struct dcs_reg_output {
    dcs_reg_write_fn write;
    dcs_status (*rewind)(void *ctx, struct dcs_error *err);
    void *ctx;
};

struct dcs_reg_convert_stats {
    uint64_t keys, values; /* written */
    uint64_t warnings;
    uint64_t lossy; /* characters written as '?' */
    bool streamed;  /* true when no model was needed */
    enum dcs_reg_encoding encoding;
    enum dcs_reg_version version;
};

DCS_API dcs_status dcs_reg_convert(struct dcs_reg_source *src, const struct dcs_reg_output *out,
                           const struct dcs_reg_convert_options *opt,
                           struct dcs_reg_convert_stats *stats, struct dcs_error *err);

#ifdef __cplusplus
}
#endif
#endif
