/* Tree-walk check for streaming .reg conversion (contract in regpath.h).
 *
 * The entries form a stack in ascending level order: the subkeys seen under
 * the key at level L-1 of the current path are the entries of level L, the
 * last of them being the path's own component.  Moving to a new key pops
 * the levels below the common ancestor, so entries leave the stack in the
 * reverse order they came in; with linear probing, removing the newest entry
 * of a hash table never cuts another entry's probe path (that entry was
 * placed while the slot was still empty, so its probe stopped before it). */
#include "reg/regpath.h"

#include <stdlib.h>
#include <string.h>

#include "core/text.h"

void dcsi_rp_init(struct regpath *p)
{
    memset(p, 0, sizeof *p);
}

void dcsi_rp_free(struct regpath *p)
{
    free(p->e);
    free(p->names);
    free(p->slots);
    dcsi_rp_init(p);
}

void dcsi_rp_clear(struct regpath *p)
{
    if (p->slots)
        memset(p->slots, 0, p->nslots * sizeof *p->slots);
    p->n = p->names_len = 0;
    p->depth = 0;
}

static inline size_t slot_of(uint64_t hash, uint32_t level, size_t nslots)
{
    uint64_t h = hash ^ ((uint64_t)level * 0x9E3779B97F4A7C15ull);
    h ^= h >> 31;
    h *= 0xBF58476D1CE4E5B9ull;
    return (size_t)(h >> 17) & (nslots - 1);
}

static void place(struct regpath *p, size_t idx)
{
    size_t s = slot_of(p->e[idx].hash, p->e[idx].level, p->nslots);
    while (p->slots[s])
        s = (s + 1) & (p->nslots - 1);
    p->slots[s] = (uint32_t)(idx + 1);
}

/* Room for one more entry of len name bytes (the table at most half full). */
static bool reserve(struct regpath *p, size_t len)
{
    if (p->n + 1 >= UINT32_MAX)
        return false;
    if (p->n == p->cap) {
        size_t cap = p->cap ? 2 * p->cap : 64;
        struct rp_entry *e = realloc(p->e, cap * sizeof *e);
        if (!e)
            return false;
        p->e = e;
        p->cap = cap;
    }
    if (p->names_len + len > p->names_cap) {
        size_t cap = p->names_cap ? p->names_cap : 1024;
        while (cap < p->names_len + len)
            cap *= 2;
        char *s = realloc(p->names, cap);
        if (!s)
            return false;
        p->names = s;
        p->names_cap = cap;
    }
    if (2 * (p->n + 1) > p->nslots) {
        size_t ns = p->nslots ? 2 * p->nslots : 256;
        uint32_t *t = calloc(ns, sizeof *t);
        if (!t)
            return false;
        free(p->slots);
        p->slots = t;
        p->nslots = ns;
        for (size_t i = 0; i < p->n; i++) /* in stack order, as they came */
            place(p, i);
    }
    return true;
}

static bool push(struct regpath *p, const char *name, size_t len, uint32_t level)
{
    if (!reserve(p, len))
        return false;
    struct rp_entry *x = &p->e[p->n];
    x->hash = dcsi_text_name_hash(name, len);
    x->name_off = p->names_len;
    x->name_len = (uint32_t)len;
    x->level = level;
    memcpy(p->names + p->names_len, name, len);
    p->names_len += len;
    place(p, p->n);
    p->path[level] = p->n;
    p->n++;
    return true;
}

/* Pop every entry deeper than level. */
static void pop_below(struct regpath *p, uint32_t level)
{
    while (p->n && p->e[p->n - 1].level > level) {
        size_t idx = p->n - 1;
        size_t s = slot_of(p->e[idx].hash, p->e[idx].level, p->nslots);
        while (p->slots[s] != idx + 1)
            s = (s + 1) & (p->nslots - 1);
        p->slots[s] = 0;
        p->names_len = p->e[idx].name_off;
        p->n--;
    }
}

/* Was name seen at level (a sibling already visited)? */
static bool seen(const struct regpath *p, const char *name, size_t len, uint32_t level)
{
    if (!p->nslots)
        return false;
    uint64_t h = dcsi_text_name_hash(name, len);
    for (size_t s = slot_of(h, level, p->nslots); p->slots[s]; s = (s + 1) & (p->nslots - 1)) {
        const struct rp_entry *x = &p->e[p->slots[s] - 1];
        if (x->hash == h && x->level == level &&
            dcsi_text_name_cmp(p->names + x->name_off, x->name_len, name, len) == 0)
            return true;
    }
    return false;
}

/* Split key into components; *m gets how many leading ones equal the
 * current path's.  Returns the number of components (0 if too many). */
static size_t match(const struct regpath *p, const char *key, size_t len, size_t *off,
                    size_t *clen, size_t *m)
{
    size_t k = 0, i = 0;
    *m = 0;
    bool same = true;
    while (k < RP_MAX_LEVELS) {
        size_t s = i;
        while (i < len && key[i] != '\\')
            i++;
        off[k] = s;
        clen[k] = i - s;
        if (same && k < p->depth) {
            const struct rp_entry *x = &p->e[p->path[k]];
            same = dcsi_text_name_cmp(p->names + x->name_off, x->name_len, key + s, i - s) == 0;
            *m += same;
        } else {
            same = false;
        }
        k++;
        if (i >= len)
            return k;
        i++;
    }
    return 0;
}

int dcsi_rp_enter(struct regpath *p, const char *key, size_t len)
{
    size_t off[RP_MAX_LEVELS], clen[RP_MAX_LEVELS], m;
    size_t nk = match(p, key, len, off, clen, &m);
    /* the current key again, or one of its ancestors after it */
    if (!nk || m == nk)
        return RP_OUT_OF_ORDER;
    pop_below(p, (uint32_t)m);
    if (seen(p, key + off[m], clen[m], (uint32_t)m))
        return RP_OUT_OF_ORDER; /* a subtree already left */
    for (size_t k = m; k < nk; k++)
        if (!push(p, key + off[k], clen[k], (uint32_t)k))
            return RP_NOMEM;
    p->depth = nk;
    return RP_IN_ORDER;
}

bool dcsi_rp_delete_harmless(const struct regpath *p, const char *key, size_t len)
{
    size_t off[RP_MAX_LEVELS], clen[RP_MAX_LEVELS], m;
    size_t nk = match(p, key, len, off, clen, &m);
    if (!nk || m == nk)
        return false;
    /* the entries of level m are the subkeys seen under the common
     * ancestor (none when key lies under the current key) */
    return !seen(p, key + off[m], clen[m], (uint32_t)m);
}
