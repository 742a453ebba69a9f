/* Helpers for the log-replay tests (recover_testlib.h). */
#include "recover_testlib.h"

#include <hivex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <dcs/hive.h>
#include "hive_testutil.h"

uint64_t dcsi_marvin32_hive(const uint8_t *data, size_t len); /* libdcs internal */

uint8_t *rt_load(const char *name, size_t *len)
{
    char path[1024];
    fixture(path, sizeof path, name);
    size_t n = strlen(path);
    uint8_t *d = NULL;
    if (n > 3 && strcmp(path + n - 3, ".xz") == 0) {
        char cmd[1200];
        snprintf(cmd, sizeof cmd, "xz -dc '%s'", path);
        FILE *p = popen(cmd, "r");
        size_t cap = 1 << 20, got = 0;
        d = p ? malloc(cap) : NULL;
        while (d) {
            size_t r = fread(d + got, 1, cap - got, p);
            got += r;
            if (r == 0)
                break;
            if (got == cap) {
                uint8_t *nd = realloc(d, cap *= 2);
                if (!nd) {
                    free(d);
                    d = NULL;
                }
                d = nd;
            }
        }
        if (p && pclose(p) != 0) {
            free(d);
            d = NULL;
        }
        *len = got;
    } else {
        d = slurp(path, len);
    }
    if (!d) {
        fprintf(stderr, "cannot read fixture %s\n", path);
        abort();
    }
    return d;
}

void rset_free(struct rset *s)
{
    free(s->primary);
    for (int i = 0; i < DCS_RECOVER_NLOGS; i++)
        free(s->log[i]);
    memset(s, 0, sizeof *s);
}

struct dcs_recover_input rset_input(const struct rset *s)
{
    struct dcs_recover_input in = {s->primary, s->primary_len, {NULL}, {0}};
    for (int i = 0; i < DCS_RECOVER_NLOGS; i++) {
        in.log[i] = s->log[i];
        in.log_len[i] = s->log_len[i];
    }
    return in;
}

void rset_new_dirty(struct rset *s)
{
    memset(s, 0, sizeof *s);
    s->primary = rt_load("yarp-NewDirtyHive1/NewDirtyHive", &s->primary_len);
    s->log[1] = rt_load("yarp-NewDirtyHive1/NewDirtyHive.LOG1", &s->log_len[1]);
    s->log[2] = rt_load("yarp-NewDirtyHive1/NewDirtyHive.LOG2", &s->log_len[2]);
}

void rset_old_dirty(struct rset *s)
{
    memset(s, 0, sizeof *s);
    s->primary = rt_load("yarp-OldDirtyHive/OldDirtyHive", &s->primary_len);
    s->log[1] = rt_load("yarp-OldDirtyHive/OldDirtyHive.LOG1", &s->log_len[1]);
}

void rset_regipy(struct rset *s)
{
    memset(s, 0, sizeof *s);
    s->primary = rt_load("regipy-transactions_NTUSER.DAT.xz", &s->primary_len);
    s->log[1] = rt_load("regipy-transactions_ntuser.dat.log1.xz", &s->log_len[1]);
    s->log[2] = rt_load("regipy-transactions_ntuser.dat.log2.xz", &s->log_len[2]);
}

static void put64(uint8_t *p, uint64_t v)
{
    put32(p, (uint32_t)v);
    put32(p + 4, (uint32_t)(v >> 32));
}

void rt_reseal_entry(uint8_t *log, size_t off)
{
    uint8_t *e = log + off;
    uint32_t size = (uint32_t)e[4] | (uint32_t)e[5] << 8 | (uint32_t)e[6] << 16 |
                    (uint32_t)e[7] << 24;
    put64(e + 24, dcsi_marvin32_hive(e + 40, size - 40));
    put64(e + 32, dcsi_marvin32_hive(e, 32));
}

void rt_fix_checksum(uint8_t *block)
{
    put32(block + DCS_HIVE_CHECKSUM_OFFSET, dcs_hive_checksum(block));
}

void rt_write(const char *dir, const char *name, const uint8_t *data, size_t len)
{
    char path[1200];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    if (spit(path, data, len) != 0) {
        fprintf(stderr, "cannot write %s\n", path);
        abort();
    }
}

hive_h *rt_hivex_image(const uint8_t *d, size_t len, char *path, size_t psize)
{
    const char *t = getenv("TMPDIR");
    snprintf(path, psize, "%s/dcs-rt-XXXXXX", t ? t : "/tmp");
    int fd = mkstemp(path);
    if (fd < 0)
        abort();
    close(fd);
    if (spit(path, d, len) != 0)
        abort();
    hive_h *h = hivex_open(path, 0);
    if (!h) {
        fprintf(stderr, "hivex cannot open the image\n");
        abort();
    }
    return h;
}

struct tree_cmp {
    hive_h *a, *b;
    int diffs;
};

static void note(struct tree_cmp *c, const char *what, const char *name)
{
    if (c->diffs++ < 10)
        fprintf(stderr, "hive diff: %s (%s)\n", what, name);
}

static void cmp_values(struct tree_cmp *c, hive_node_h na, hive_node_h nb, const char *key)
{
    hive_value_h *va = hivex_node_values(c->a, na), *vb = hivex_node_values(c->b, nb);
    size_t i = 0;
    for (; va && vb && va[i] && vb[i]; i++) {
        char *ka = hivex_value_key(c->a, va[i]), *kb = hivex_value_key(c->b, vb[i]);
        hive_type ta, tb;
        size_t la, lb;
        char *da = hivex_value_value(c->a, va[i], &ta, &la);
        char *db = hivex_value_value(c->b, vb[i], &tb, &lb);
        if (!ka || !kb || strcmp(ka, kb) != 0 || ta != tb || la != lb || !da || !db ||
            memcmp(da, db, la) != 0)
            note(c, "value differs", key);
        free(ka);
        free(kb);
        free(da);
        free(db);
    }
    if (!va || !vb || va[i] || vb[i])
        note(c, "value count differs", key);
    free(va);
    free(vb);
}

static void cmp_node(struct tree_cmp *c, hive_node_h na, hive_node_h nb, const char *name)
{
    if (hivex_node_timestamp(c->a, na) != hivex_node_timestamp(c->b, nb))
        note(c, "timestamp differs", name);
    cmp_values(c, na, nb, name);
    hive_node_h *ka = hivex_node_children(c->a, na), *kb = hivex_node_children(c->b, nb);
    size_t i = 0;
    for (; ka && kb && ka[i] && kb[i]; i++) {
        char *sa = hivex_node_name(c->a, ka[i]), *sb = hivex_node_name(c->b, kb[i]);
        if (!sa || !sb || strcmp(sa, sb) != 0)
            note(c, "key name differs", sa ? sa : "?");
        else
            cmp_node(c, ka[i], kb[i], sa);
        free(sa);
        free(sb);
    }
    if (!ka || !kb || ka[i] || kb[i])
        note(c, "subkey count differs", name);
    free(ka);
    free(kb);
}

int rt_hive_tree_diff(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen)
{
    char pa[600], pb[600];
    struct tree_cmp c = {rt_hivex_image(a, alen, pa, sizeof pa),
                         rt_hivex_image(b, blen, pb, sizeof pb),
                         0};
    cmp_node(&c, hivex_root(c.a), hivex_root(c.b), "(root)");
    hivex_close(c.a);
    hivex_close(c.b);
    unlink(pa);
    unlink(pb);
    return c.diffs;
}
