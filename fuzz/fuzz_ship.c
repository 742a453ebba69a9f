/* Registry.xml and reg add batch-file readers (dcs/ship.h).  Properties:
 * never a crash; errors name a place inside the input; every value read,
 * written back by either writer (when that writer can carry it), reads back
 * identical; a file dcs wrote reads back to the values it was given. */
#include <string.h>

#include "fuzz_common.h"
#include <dcs/ship.h>

#define MAX_VALUES 16

struct copy {
    size_t n;
    struct dcs_ship_value v[MAX_VALUES];
    char *mem[MAX_VALUES];
};

static dcs_status keep(void *ctx, const struct dcs_ship_value *v, struct dcs_error *err)
{
    (void)err;
    struct copy *c = ctx;
    if (c->n == MAX_VALUES)
        return DCS_OK;
    char *m = malloc(v->root_len + v->key_len + v->name_len + v->len + 1);
    FUZZ_CHECK(m != NULL);
    struct dcs_ship_value *d = &c->v[c->n];
    *d = *v;
    memcpy(m, v->root, v->root_len);
    d->root = m;
    memcpy(m + v->root_len, v->key, v->key_len);
    d->key = m + v->root_len;
    memcpy(m + v->root_len + v->key_len, v->name, v->name_len);
    d->name = m + v->root_len + v->key_len;
    memcpy(m + v->root_len + v->key_len + v->name_len, v->data, v->len);
    d->data = (const uint8_t *)m + v->root_len + v->key_len + v->name_len;
    c->mem[c->n++] = m;
    return DCS_OK;
}

static void drop(struct copy *c)
{
    for (size_t i = 0; i < c->n; i++)
        free(c->mem[i]);
    c->n = 0;
}

static int same(const struct dcs_ship_value *a, const struct dcs_ship_value *b)
{
    return a->root_len == b->root_len && memcmp(a->root, b->root, a->root_len) == 0 &&
           a->key_len == b->key_len && memcmp(a->key, b->key, a->key_len) == 0 &&
           a->name_len == b->name_len && memcmp(a->name, b->name, a->name_len) == 0 &&
           a->type == b->type && a->len == b->len && memcmp(a->data, b->data, a->len) == 0 &&
           a->action == b->action;
}

/* Write c with one writer; when it accepts, the file reads back to c. */
static void rewrite(const struct copy *c, int gpp)
{
    struct dcs_reg_membuf mb = {NULL, 0, 0, true};
    struct dcs_ship_options opt = {"2026-01-01 00:00:00", NULL};
    struct dcs_error err;
    dcs_status st = gpp ? dcs_ship_write_gpp(c->v, c->n, &opt, dcs_reg_membuf_write, &mb, &err)
                        : dcs_ship_write_cmd(c->v, c->n, &opt, dcs_reg_membuf_write, &mb, &err);
    if (st == DCS_OK) {
        struct copy back = {0};
        st = gpp ? dcs_ship_read_gpp(mb.buf, mb.len, keep, &back, &err)
                 : dcs_ship_read_cmd(mb.buf, mb.len, keep, &back, &err);
        FUZZ_CHECK(st == DCS_OK);
        FUZZ_CHECK(back.n == c->n);
        for (size_t i = 0; i < c->n; i++)
            FUZZ_CHECK(same(&back.v[i], &c->v[i]));
        FUZZ_CHECK(dcs_ship_detect(mb.buf, mb.len) == (gpp ? 1 : 2) || c->n == 0);
        drop(&back);
    } else {
        FUZZ_CHECK(st == DCS_ERR_INVALID_ARG || st == DCS_ERR_UNSUPPORTED);
    }
    free(mb.buf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    for (int gpp = 0; gpp < 2; gpp++) {
        struct copy c = {0};
        struct dcs_error err;
        dcs_error_clear(&err);
        dcs_status st = gpp ? dcs_ship_read_gpp(data, size, keep, &c, &err)
                            : dcs_ship_read_cmd(data, size, keep, &c, &err);
        if (st != DCS_OK) {
            fuzz_check_error(&err, st, size);
            FUZZ_CHECK(st == DCS_ERR_SHIP_SYNTAX || st == DCS_ERR_UNSUPPORTED);
        } else {
            rewrite(&c, 1);
            rewrite(&c, 0);
        }
        drop(&c);
    }
    (void)dcs_ship_detect(data, size);
    return 0;
}
