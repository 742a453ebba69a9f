/* dcs — compact in-memory registry model for .reg conversion.  Internal.
 *
 * Keys form a tree (case-insensitive names, children in creation order,
 * sorted only when written); each key holds its values in creation order,
 * a later set of the same name replacing the earlier one in place.  All
 * names and data live in one arena; nodes and values are small fixed
 * records found through hash indexes, so the model costs about the size of
 * the binary data it holds plus ~100 bytes per key and per value.
 */
#ifndef DCS_REGTREE_H
#define DCS_REGTREE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <dcs/error.h>
#include <dcs/regwrite.h>

struct rt_node {
    uint32_t parent, first_child, last_child, next_sibling;
    uint32_t first_value, last_value;
    uint64_t name_off;
    uint32_t name_len;
    uint32_t depth;
    uint64_t hash;
    bool named, dead;
};

struct rt_value {
    uint32_t node, next;
    uint32_t type, name_len;
    uint64_t name_off, data_off, data_len;
    uint64_t hash;
    bool dead;
};

struct regtree {
    uint8_t *arena;
    uint64_t arena_len, arena_cap;
    struct rt_node *nodes; /* index 0 is unused: 0 means "none" */
    uint32_t n_nodes, cap_nodes;
    struct rt_value *values; /* index 0 unused */
    uint32_t n_values, cap_values;
    uint32_t *node_index, *value_index; /* open addressing, 0 = empty */
    uint32_t node_slots, value_slots;
    uint32_t roots[8];
    uint32_t n_roots;
    uint32_t *scratch; /* children being sorted */
    size_t scratch_cap;
    char *path; /* key path while writing */
    size_t path_cap;
};

void dcsi_rt_init(struct regtree *t);
void dcsi_rt_free(struct regtree *t);
void dcsi_rt_clear(struct regtree *t);

/* The node of key (UTF-8, "ROOT\a\b"), created with its ancestors when
 * missing.  named marks it as named by a key line.  0 on out of memory. */
uint32_t dcsi_rt_key(struct regtree *t, const char *key, size_t len, bool named);
/* A node outside the tree, to collect one key's values. */
uint32_t dcsi_rt_scratch_node(struct regtree *t);
/* Delete a key and its subtree (nothing happens if it does not exist). */
void dcsi_rt_delete_key(struct regtree *t, const char *key, size_t len);
bool dcsi_rt_set_value(struct regtree *t, uint32_t node, const char *name, size_t name_len,
                  uint32_t type, const uint8_t *data, size_t len);
void dcsi_rt_delete_value(struct regtree *t, uint32_t node, const char *name, size_t name_len);

/* Write one key line and its values. */
dcs_status dcsi_rt_write_key(struct regtree *t, uint32_t node, const char *key, size_t len,
                        struct dcs_reg_writer *w, uint64_t *values, struct dcs_error *err);
/* Write every key that was named or lies below a named key: roots in
 * first-seen order, subkeys depth-first in registry (sorted) order. */
dcs_status dcsi_rt_write_all(struct regtree *t, struct dcs_reg_writer *w, uint64_t *keys,
                        uint64_t *values, struct dcs_error *err);

/* Compare two keys in export order: component by component, case-
 * insensitively, an ancestor before its descendants.  *common gets the
 * number of equal leading components (the root counts as one). */
int dcsi_rt_key_cmp(const char *a, size_t alen, const char *b, size_t blen, size_t *common);

#endif
