/* Compact registry model used to convert arbitrary .reg input. */
#include "reg/regtree.h"

#include <stdlib.h>
#include <string.h>

#include "core/text.h"

void dcsi_rt_init(struct regtree *t)
{
    memset(t, 0, sizeof *t);
}

void dcsi_rt_free(struct regtree *t)
{
    free(t->arena);
    free(t->nodes);
    free(t->values);
    free(t->node_index);
    free(t->value_index);
    free(t->scratch);
    free(t->path);
    memset(t, 0, sizeof *t);
}

static inline uint64_t mix(uint64_t h, uint32_t owner);

/* Empty an index.  With few entries, remove them one by one in reverse
 * insertion order (each is then found on its unchanged probe path) rather
 * than clearing the whole table: streaming conversion clears per key. */
static void index_clear(uint32_t *idx, uint32_t slots, uint32_t count, bool values,
                        const struct regtree *t)
{
    if (!idx)
        return;
    if ((uint64_t)count * 16 > slots) {
        memset(idx, 0, sizeof *idx * slots);
        return;
    }
    for (uint32_t i = count; i >= 1; i--) {
        uint64_t h = values ? mix(t->values[i].hash, t->values[i].node)
                            : mix(t->nodes[i].hash, t->nodes[i].parent);
        for (uint32_t s = (uint32_t)h & (slots - 1); idx[s]; s = (s + 1) & (slots - 1)) {
            if (idx[s] == i) {
                idx[s] = 0;
                break;
            }
        }
    }
}

void dcsi_rt_clear(struct regtree *t)
{
    index_clear(t->node_index, t->node_slots, t->n_nodes, false, t);
    index_clear(t->value_index, t->value_slots, t->n_values, true, t);
    t->arena_len = 0;
    t->n_nodes = t->n_values = 0;
    t->n_roots = 0;
}

static bool grow(void **p, uint64_t *cap, uint64_t need, size_t elem)
{
    if (need <= *cap)
        return true;
    uint64_t c = *cap ? *cap : 64;
    while (c < need)
        c *= 2;
    if (c > SIZE_MAX / elem)
        return false;
    void *q = realloc(*p, (size_t)(c * elem));
    if (!q)
        return false;
    *p = q;
    *cap = c;
    return true;
}

static bool grow32(void **p, uint32_t *cap, uint64_t need, size_t elem)
{
    if (need >= UINT32_MAX)
        return false;
    uint64_t c = *cap;
    bool ok = grow(p, &c, need, elem);
    *cap = (uint32_t)c;
    return ok;
}

static uint64_t arena_put(struct regtree *t, const void *data, size_t len, bool *ok)
{
    if (!grow((void **)&t->arena, &t->arena_cap, t->arena_len + len + 1, 1)) {
        *ok = false;
        return 0;
    }
    uint64_t off = t->arena_len;
    if (len)
        memcpy(t->arena + off, data, len);
    t->arena_len += len;
    *ok = true;
    return off;
}

static inline uint64_t mix(uint64_t h, uint32_t owner)
{
    h ^= (uint64_t)owner * 0x9E3779B97F4A7C15ull;
    h ^= h >> 29;
    return h * 0xBF58476D1CE4E5B9ull;
}

/* ---- hash indexes ---- */

static bool index_grow(uint32_t **idx, uint32_t *slots, uint32_t count, bool values,
                       struct regtree *t)
{
    if ((uint64_t)(count + 1) * 2 <= *slots)
        return true;
    uint32_t ns = *slots ? *slots * 2 : 1024;
    uint32_t *n = calloc(ns, sizeof *n);
    if (!n)
        return false;
    for (uint32_t i = 1; i <= count; i++) {
        uint64_t h;
        if (values) {
            if (t->values[i].dead)
                continue;
            h = mix(t->values[i].hash, t->values[i].node);
        } else {
            if (t->nodes[i].dead)
                continue;
            h = mix(t->nodes[i].hash, t->nodes[i].parent);
        }
        uint32_t s = (uint32_t)h & (ns - 1);
        while (n[s])
            s = (s + 1) & (ns - 1);
        n[s] = i;
    }
    free(*idx);
    *idx = n;
    *slots = ns;
    return true;
}

static uint32_t find_node(struct regtree *t, uint32_t parent, const char *name, size_t len,
                          uint64_t hash)
{
    if (!t->node_slots)
        return 0;
    uint32_t mask = t->node_slots - 1;
    for (uint32_t s = (uint32_t)mix(hash, parent) & mask; t->node_index[s]; s = (s + 1) & mask) {
        struct rt_node *n = &t->nodes[t->node_index[s]];
        if (n->hash == hash && n->parent == parent && !n->dead &&
            dcsi_text_name_cmp((const char *)t->arena + n->name_off, n->name_len, name, len) == 0)
            return t->node_index[s];
    }
    return 0;
}

static uint32_t find_value(struct regtree *t, uint32_t node, const char *name, size_t len,
                           uint64_t hash)
{
    if (!t->value_slots)
        return 0;
    uint32_t mask = t->value_slots - 1;
    for (uint32_t s = (uint32_t)mix(hash, node) & mask; t->value_index[s]; s = (s + 1) & mask) {
        struct rt_value *v = &t->values[t->value_index[s]];
        if (v->hash == hash && v->node == node && !v->dead &&
            dcsi_text_name_cmp((const char *)t->arena + v->name_off, v->name_len, name, len) == 0)
            return t->value_index[s];
    }
    return 0;
}

/* ---- keys ---- */

static uint32_t new_node(struct regtree *t, uint32_t parent, const char *name, size_t len,
                         uint64_t hash)
{
    if (!grow32((void **)&t->nodes, &t->cap_nodes, (uint64_t)t->n_nodes + 2, sizeof *t->nodes) ||
        !index_grow(&t->node_index, &t->node_slots, t->n_nodes, false, t))
        return 0;
    bool ok;
    uint64_t off = arena_put(t, name, len, &ok);
    if (!ok)
        return 0;
    uint32_t id = ++t->n_nodes;
    struct rt_node *n = &t->nodes[id];
    memset(n, 0, sizeof *n);
    n->parent = parent;
    n->name_off = off;
    n->name_len = (uint32_t)len;
    n->hash = hash;
    if (parent) {
        struct rt_node *p = &t->nodes[parent];
        n->depth = p->depth + 1;
        if (p->last_child)
            t->nodes[p->last_child].next_sibling = id;
        else
            p->first_child = id;
        p->last_child = id;
    }
    uint32_t mask = t->node_slots - 1;
    uint32_t s = (uint32_t)mix(hash, parent) & mask;
    while (t->node_index[s])
        s = (s + 1) & mask;
    t->node_index[s] = id;
    return id;
}

/* Walk (and with create, build) the path; 0 when missing or out of memory. */
static uint32_t walk(struct regtree *t, const char *key, size_t len, bool create)
{
    size_t e = 0;
    while (e < len && key[e] != '\\')
        e++;
    uint32_t node = 0;
    for (uint32_t i = 0; i < t->n_roots; i++) {
        struct rt_node *r = &t->nodes[t->roots[i]];
        if (!r->dead && r->name_len == e && memcmp(t->arena + r->name_off, key, e) == 0)
            node = t->roots[i];
    }
    if (!node) {
        if (!create || t->n_roots == 8)
            return 0;
        node = new_node(t, 0, key, e, dcsi_text_name_hash(key, e));
        if (!node)
            return 0;
        t->roots[t->n_roots++] = node;
    }
    while (e < len) {
        size_t s = e + 1;
        e = s;
        while (e < len && key[e] != '\\')
            e++;
        uint64_t h = dcsi_text_name_hash(key + s, e - s);
        uint32_t child = find_node(t, node, key + s, e - s, h);
        if (!child) {
            if (!create)
                return 0;
            child = new_node(t, node, key + s, e - s, h);
            if (!child)
                return 0;
        }
        node = child;
    }
    return node;
}

uint32_t dcsi_rt_key(struct regtree *t, const char *key, size_t len, bool named)
{
    uint32_t n = walk(t, key, len, true);
    if (n && named)
        t->nodes[n].named = true;
    return n;
}

void dcsi_rt_delete_key(struct regtree *t, const char *key, size_t len)
{
    uint32_t n = walk(t, key, len, false);
    if (n)
        t->nodes[n].dead = true; /* the subtree becomes unreachable */
}

bool dcsi_rt_set_value(struct regtree *t, uint32_t node, const char *name, size_t name_len,
                  uint32_t type, const uint8_t *data, size_t len)
{
    uint64_t h = dcsi_text_name_hash(name, name_len);
    uint32_t v = find_value(t, node, name, name_len, h);
    bool ok;
    uint64_t doff = arena_put(t, data, len, &ok);
    if (!ok)
        return false;
    if (v) {
        t->values[v].type = type;
        t->values[v].data_off = doff;
        t->values[v].data_len = len;
        return true;
    }
    if (!grow32((void **)&t->values, &t->cap_values, (uint64_t)t->n_values + 2,
                sizeof *t->values) ||
        !index_grow(&t->value_index, &t->value_slots, t->n_values, true, t))
        return false;
    uint64_t noff = arena_put(t, name, name_len, &ok);
    if (!ok)
        return false;
    v = ++t->n_values;
    struct rt_value *x = &t->values[v];
    memset(x, 0, sizeof *x);
    x->node = node;
    x->type = type;
    x->name_off = noff;
    x->name_len = (uint32_t)name_len;
    x->data_off = doff;
    x->data_len = len;
    x->hash = h;
    struct rt_node *n = &t->nodes[node];
    if (n->last_value)
        t->values[n->last_value].next = v;
    else
        n->first_value = v;
    n->last_value = v;
    uint32_t mask = t->value_slots - 1;
    uint32_t s = (uint32_t)mix(h, node) & mask;
    while (t->value_index[s])
        s = (s + 1) & mask;
    t->value_index[s] = v;
    return true;
}

void dcsi_rt_delete_value(struct regtree *t, uint32_t node, const char *name, size_t name_len)
{
    uint32_t v = find_value(t, node, name, name_len, dcsi_text_name_hash(name, name_len));
    if (v)
        t->values[v].dead = true;
}

/* ---- output ---- */

int dcsi_rt_key_cmp(const char *a, size_t alen, const char *b, size_t blen, size_t *common)
{
    /* skip the byte-identical leading components without case folding */
    size_t i = 0, j, eq = 0, lim = alen < blen ? alen : blen, start = 0;
    while (i < lim && a[i] == b[i]) {
        if (a[i] == '\\') {
            eq++;
            start = i + 1;
        }
        i++;
    }
    if (i == alen && i == blen) {
        *common = eq + 1;
        return 0;
    }
    if ((i == alen && b[i] == '\\') || (i == blen && a[i] == '\\')) {
        *common = eq + 1; /* one is an ancestor of the other */
        return i == alen ? -1 : 1;
    }
    i = j = start;
    for (;;) {
        size_t ie = i, je = j;
        while (ie < alen && a[ie] != '\\')
            ie++;
        while (je < blen && b[je] != '\\')
            je++;
        int c = dcsi_text_name_cmp(a + i, ie - i, b + j, je - j);
        if (c) {
            *common = eq;
            return c;
        }
        eq++;
        bool aend = ie >= alen, bend = je >= blen;
        if (aend || bend) {
            *common = eq;
            return aend && bend ? 0 : aend ? -1 : 1;
        }
        i = ie + 1;
        j = je + 1;
    }
}

uint32_t dcsi_rt_scratch_node(struct regtree *t)
{
    return new_node(t, 0, "", 0, 0);
}

dcs_status dcsi_rt_write_key(struct regtree *t, uint32_t node, const char *key, size_t len,
                        struct dcs_reg_writer *w, uint64_t *values, struct dcs_error *err)
{
    dcs_status st = dcs_reg_writer_key(w, key, len, err);
    for (uint32_t v = node ? t->nodes[node].first_value : 0; v && !st; v = t->values[v].next) {
        const struct rt_value *x = &t->values[v];
        if (x->dead)
            continue;
        st = dcs_reg_writer_value(w, (const char *)t->arena + x->name_off, x->name_len, x->type,
                                  t->arena + x->data_off, (size_t)x->data_len, err);
        (*values)++;
    }
    return st;
}

static int child_cmp(const struct regtree *t, uint32_t a, uint32_t b)
{
    const struct rt_node *x = &t->nodes[a], *y = &t->nodes[b];
    return dcsi_text_name_cmp((const char *)t->arena + x->name_off, x->name_len,
                             (const char *)t->arena + y->name_off, y->name_len);
}

/* heapsort of ids by name (qsort has no context argument in C11) */
static void sift(const struct regtree *t, uint32_t *a, size_t i, size_t n)
{
    for (;;) {
        size_t c = 2 * i + 1;
        if (c >= n)
            return;
        if (c + 1 < n && child_cmp(t, a[c + 1], a[c]) > 0)
            c++;
        if (child_cmp(t, a[c], a[i]) <= 0)
            return;
        uint32_t tmp = a[c];
        a[c] = a[i];
        a[i] = tmp;
        i = c;
    }
}

static void sort_ids(const struct regtree *t, uint32_t *a, size_t n)
{
    for (size_t i = n / 2; i-- > 0;)
        sift(t, a, i, n);
    for (size_t e = n; e-- > 1;) {
        uint32_t tmp = a[0];
        a[0] = a[e];
        a[e] = tmp;
        sift(t, a, 0, e);
    }
}

static dcs_status dfs(struct regtree *t, uint32_t node, size_t plen, size_t base, bool under,
                      struct dcs_reg_writer *w, uint64_t *keys, uint64_t *values,
                      struct dcs_error *err)
{
    struct rt_node *n = &t->nodes[node];
    size_t need = plen + n->name_len + 2;
    if (need > t->path_cap) {
        size_t cap = t->path_cap ? t->path_cap : 256;
        while (cap < need)
            cap *= 2;
        char *p = realloc(t->path, cap);
        if (!p)
            return dcs_error_set(err, DCS_ERR_NOMEM, DCS_NO_OFFSET, "out of memory");
        t->path = p;
        t->path_cap = cap;
    }
    if (plen)
        t->path[plen++] = '\\';
    memcpy(t->path + plen, t->arena + n->name_off, n->name_len);
    plen += n->name_len;
    under = under || n->named;
    if (under) {
        dcs_status st = dcsi_rt_write_key(t, node, t->path, plen, w, values, err);
        if (st)
            return st;
        (*keys)++;
    }
    size_t count = 0;
    for (uint32_t c = n->first_child; c; c = t->nodes[c].next_sibling)
        count += !t->nodes[c].dead;
    if (!count)
        return DCS_OK;
    if (base + count > t->scratch_cap) {
        size_t cap = t->scratch_cap ? t->scratch_cap : 1024;
        while (cap < base + count)
            cap *= 2;
        uint32_t *p = realloc(t->scratch, cap * sizeof *p);
        if (!p)
            return dcs_error_set(err, DCS_ERR_NOMEM, DCS_NO_OFFSET, "out of memory");
        t->scratch = p;
        t->scratch_cap = cap;
    }
    size_t k = base;
    for (uint32_t c = t->nodes[node].first_child; c; c = t->nodes[c].next_sibling)
        if (!t->nodes[c].dead)
            t->scratch[k++] = c;
    sort_ids(t, t->scratch + base, count);
    for (size_t i = 0; i < count; i++) {
        dcs_status st = dfs(t, t->scratch[base + i], plen, base + count, under, w, keys, values,
                            err);
        if (st)
            return st;
    }
    return DCS_OK;
}

dcs_status dcsi_rt_write_all(struct regtree *t, struct dcs_reg_writer *w, uint64_t *keys,
                        uint64_t *values, struct dcs_error *err)
{
    for (uint32_t i = 0; i < t->n_roots; i++) {
        if (t->nodes[t->roots[i]].dead)
            continue;
        dcs_status st = dfs(t, t->roots[i], 0, 0, false, w, keys, values, err);
        if (st)
            return st;
    }
    return DCS_OK;
}
