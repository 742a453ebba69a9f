/* regipy's compare_hives count, re-done through libhivex for the replay
 * tests (recover_testlib.h).  What regipy counts (regipy/regdiff.py, read
 * for the semantics): every key path present in one hive only
 * ("new_subkey"); for a key present in both whose timestamps differ, every
 * (value name, item) of a name present in one key only ("new_value"), where
 * an empty or zero value is no item and a multi-string gives one item per
 * distinct string; and the hive-bins sizes ("different_hive_bin_data_size"). */
#include "recover_testlib.h"

#include <hivex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hive_testutil.h"

struct key {
    char *path;
    int64_t ts;
    hive_node_h node;
};

struct keys {
    struct key *v;
    size_t n, cap;
};

static void collect(hive_h *h, hive_node_h node, const char *path, struct keys *k)
{
    if (k->n == k->cap) {
        k->cap = k->cap ? k->cap * 2 : 256;
        k->v = realloc(k->v, k->cap * sizeof *k->v);
        if (!k->v)
            abort();
    }
    k->v[k->n++] = (struct key){strdup(path), hivex_node_timestamp(h, node), node};
    hive_node_h *kids = hivex_node_children(h, node);
    for (size_t i = 0; kids && kids[i]; i++) {
        char *name = hivex_node_name(h, kids[i]);
        size_t len = strlen(path) + strlen(name) + 2;
        char *sub = malloc(len);
        snprintf(sub, len, "%s\\%s", path, name);
        collect(h, kids[i], sub, k);
        free(sub);
        free(name);
    }
    free(kids);
}

static int by_path(const void *a, const void *b)
{
    return strcmp(((const struct key *)a)->path, ((const struct key *)b)->path);
}

/* Items regipy would make of one value: 0 for an empty or zero one. */
static int value_items(hive_h *h, hive_value_h v)
{
    hive_type t;
    size_t len;
    if (hivex_value_type(h, v, &t, &len) != 0)
        return 0;
    if (t == hive_t_REG_MULTI_SZ) {
        char **s = hivex_value_multiple_strings(h, v);
        int n = 0;
        for (size_t i = 0; s && s[i]; i++) {
            bool dup = s[i][0] == '\0';
            for (size_t j = 0; j < i && !dup; j++)
                dup = strcmp(s[i], s[j]) == 0;
            n += !dup;
        }
        for (size_t i = 0; s && s[i]; i++)
            free(s[i]);
        free(s);
        return n;
    }
    if (t == hive_t_REG_SZ || t == hive_t_REG_EXPAND_SZ) {
        char *s = hivex_value_string(h, v);
        int n = s && s[0];
        free(s);
        return n;
    }
    if (t == hive_t_REG_DWORD || t == hive_t_REG_DWORD_BIG_ENDIAN)
        return hivex_value_dword(h, v) != 0;
    if (t == hive_t_REG_QWORD)
        return hivex_value_qword(h, v) != 0;
    return len != 0;
}

/* The items of the values of na whose names nb lacks (among values with
 * items on both sides). */
static int values_only_in(hive_h *ha, hive_node_h na, hive_h *hb, hive_node_h nb)
{
    hive_value_h *va = hivex_node_values(ha, na), *vb = hivex_node_values(hb, nb);
    int count = 0;
    for (size_t i = 0; va && va[i]; i++) {
        int items = value_items(ha, va[i]);
        if (!items)
            continue;
        char *name = hivex_value_key(ha, va[i]);
        bool found = false;
        for (size_t j = 0; vb && vb[j] && !found; j++) {
            char *other = hivex_value_key(hb, vb[j]);
            found = strcmp(name, other) == 0 && value_items(hb, vb[j]) > 0;
            free(other);
        }
        if (!found)
            count += items;
        free(name);
    }
    free(va);
    free(vb);
    return count;
}

void rt_regipy_compare(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen,
                       struct rt_regipy_count *out)
{
    char pa[600], pb[600];
    hive_h *ha = rt_hivex_image(a, alen, pa, sizeof pa);
    hive_h *hb = rt_hivex_image(b, blen, pb, sizeof pb);
    struct keys ka = {0}, kb = {0};
    collect(ha, hivex_root(ha), "", &ka);
    collect(hb, hivex_root(hb), "", &kb);
    qsort(ka.v, ka.n, sizeof *ka.v, by_path);
    qsort(kb.v, kb.n, sizeof *kb.v, by_path);
    memset(out, 0, sizeof *out);
    size_t i = 0, j = 0;
    while (i < ka.n || j < kb.n) {
        int c = i == ka.n ? 1 : j == kb.n ? -1 : strcmp(ka.v[i].path, kb.v[j].path);
        if (c != 0) {
            out->new_subkeys++;
            c < 0 ? i++ : j++;
            continue;
        }
        if (ka.v[i].ts != kb.v[j].ts)
            out->new_values += values_only_in(ha, ka.v[i].node, hb, kb.v[j].node) +
                               values_only_in(hb, kb.v[j].node, ha, ka.v[i].node);
        i++;
        j++;
    }
    uint32_t sa = (uint32_t)a[0x28] | (uint32_t)a[0x29] << 8 | (uint32_t)a[0x2A] << 16 |
                  (uint32_t)a[0x2B] << 24;
    uint32_t sb = (uint32_t)b[0x28] | (uint32_t)b[0x29] << 8 | (uint32_t)b[0x2A] << 16 |
                  (uint32_t)b[0x2B] << 24;
    out->size_changes = sa != sb;
    for (size_t k = 0; k < ka.n; k++)
        free(ka.v[k].path);
    for (size_t k = 0; k < kb.n; k++)
        free(kb.v[k].path);
    free(ka.v);
    free(kb.v);
    hivex_close(ha);
    hivex_close(hb);
    unlink(pa);
    unlink(pb);
}
