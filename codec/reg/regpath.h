/* dcs — is the input a tree walk?  Internal to the .reg conversion.
 *
 * A .reg file converts in its own order, streamed, when every key appears
 * once and each key's subkeys come after it, before the walk leaves it:
 * whatever order the siblings are in (regedit sorts them the Windows way,
 * Wine's regedit its own way).  The checker follows the key lines: it holds
 * the current path and, for each key on it, the names of its subkeys seen
 * so far (the subtrees already left).  A key that is the current one or one
 * of its ancestors, or that lies in a subtree already left, breaks the walk.
 * Memory: the names of the subkeys seen under the keys of the current path
 * (about 32 bytes plus the name each), never the values or the whole file.
 */
#ifndef DCS_REGPATH_H
#define DCS_REGPATH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct rp_entry {
    uint64_t hash; /* case-insensitive name hash */
    size_t name_off;
    uint32_t name_len;
    uint32_t level; /* 0: a root, 1: its subkey, ... */
};

#define RP_MAX_LEVELS 520 /* the reader opens at most 512 levels below a root */

struct regpath {
    struct rp_entry *e; /* stack, levels ascending */
    size_t n, cap;
    char *names; /* the entries' names, a stack too */
    size_t names_len, names_cap;
    uint32_t *slots; /* open addressing: entry index + 1, 0 = empty */
    size_t nslots;
    size_t path[RP_MAX_LEVELS]; /* entry of the current path at each level */
    size_t depth;               /* levels on the current path (0 = none yet) */
};

enum { RP_IN_ORDER, RP_OUT_OF_ORDER, RP_NOMEM };

void dcsi_rp_init(struct regpath *p);
void dcsi_rp_free(struct regpath *p);
void dcsi_rp_clear(struct regpath *p);
/* The next key line names key (UTF-8, "ROOT\a\b"): RP_IN_ORDER (it is now
 * the current key), RP_OUT_OF_ORDER or RP_NOMEM. */
int dcsi_rp_enter(struct regpath *p, const char *key, size_t len);
/* A deletion of key: true when it cannot touch any key seen so far. */
bool dcsi_rp_delete_harmless(const struct regpath *p, const char *key, size_t len);

#endif
