/* dcs — convert a .reg file: import it, then export the same keys the way
 * regedit would.
 *
 * The output holds every key the input names in a key line (and any key
 * between two such keys, which the import creates and an export of the
 * upper one would include), each once, with its values in creation order:
 * a later value of the same name (case-insensitive) replaces the earlier one
 * in place, `=-` removes it, `[-KEY]` removes the key and its subkeys.
 *
 * Order.  Input that walks the key tree -- every key named once, each key's
 * subkeys after it and before the walk leaves it, siblings in any order
 * (regedit's, Wine's, anyone's) -- is written in its own order, streamed.
 * An untouched regedit export (and a Wine one) therefore converts to itself
 * byte for byte.  Only input that repeats a key (also twice in a row) or
 * scatters one (a key after its parent's subtree was left, an ancestor after
 * its descendant, a root named again after another root, a deletion of a key
 * already seen) is modelled and written in regedit's export order:
 * depth-first, subkeys sorted by their upper-cased names, roots in the order
 * the input first names them.
 *
 * Memory.  Streaming holds the current key's values and, to tell a tree walk,
 * the names of the subkeys seen under the keys of the current path (see
 * regpath.h): never the data of the whole file.  The first key out of tree
 * order restarts the conversion (input read again from the start, output
 * rewound) on a compact in-memory model of the keys (see regtree.h): about
 * the binary size of the data plus ~100 bytes per key and value.  A pipe
 * is spooled to an unlinked temporary file to be read twice
 * (dcs_reg_source_spool; disk, not memory); when output cannot be rewound
 * (out->rewind NULL) or no temporary file can be made, the input is
 * modelled from the start.
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
    dcs_warn_fn on_warning;
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

DCS_API dcs_status dcs_reg_convert(dcs_reg_source *src, const struct dcs_reg_output *out,
                           const struct dcs_reg_convert_options *opt,
                           struct dcs_reg_convert_stats *stats, struct dcs_error *err);

#ifdef __cplusplus
}
#endif
#endif
