/* The libhivex adapter: open (after our own base-block checks), read and
 * edit keys and values, every hivex failure turned into a dcs_status. */
#include <dcs/hive.h>
#include "hive/hive_internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#if DCS_HAVE_HIVEX

bool dcs_hive_supported(void)
{
    return true;
}

dcs_status dcsi_hive_lib_error(struct dcs_error *err, const char *what, const char *path)
{
    int e = errno;
    if (e == ENOMEM)
        return dcs_error_set(err, DCS_ERR_NOMEM, DCS_NO_OFFSET, "%s: out of memory", what);
    return dcs_error_set(err, DCS_ERR_HIVE_LIB, DCS_NO_OFFSET, "%s %s: libhivex: %s", what,
                         path, e ? strerror(e) : "failed without a reason");
}

/* A writer locks the hive, then finishes any interrupted commit of it; if
 * that replaced the file, the lock is on the old one: take it again. */
static dcs_status lock_and_recover(dcs_hive *h, const char *path, struct dcs_error *err)
{
    for (int attempt = 0; attempt < 4; attempt++) {
        dcs_status rc = dcs_lock_acquire(path, dcs_lock_wait(), &h->lock, err);
        if (rc == DCS_OK)
            rc = dcs_hive_recover(path, err);
        if (rc != DCS_OK || dcs_lock_current(h->lock))
            return rc;
        dcs_lock_release(h->lock);
        h->lock = NULL;
    }
    return dcs_error_set(err, DCS_ERR_HIVE_LOCKED, DCS_NO_OFFSET,
                         "%s kept being replaced by other processes while dcs tried to lock it",
                         path);
}

dcs_status dcs_hive_open(const char *path, unsigned flags, dcs_hive **out,
                         struct dcs_error *err)
{
    *out = NULL;
    dcs_hive *h = calloc(1, sizeof *h);
    if (!h)
        return dcs_error_set(err, DCS_ERR_NOMEM, DCS_NO_OFFSET, "out of memory");
    /* Through a symbolic link, the file to check, to find logs beside and
     * to replace on commit is the link's target, not the link. */
    char *real = realpath(path, NULL);
    if (!real && errno == ENOMEM) {
        free(h);
        return dcs_error_set(err, DCS_ERR_NOMEM, DCS_NO_OFFSET, "out of memory");
    }
    dcs_status rc = (flags & DCS_HIVE_WRITE) ? lock_and_recover(h, real ? real : path, err)
                                              : dcs_hive_recover(real ? real : path, err);
    if (rc == DCS_OK || rc == DCS_ERR_NOT_FOUND) {
        /* a missing file: the inspection says so in its own words */
        dcs_status irc = dcs_hive_inspect(real ? real : path, &h->state, err);
        rc = irc != DCS_OK ? irc : rc;
    }
    if (rc != DCS_OK) {
        dcs_lock_release(h->lock);
        free(real);
        free(h);
        return rc;
    }
    h->path = strdup(real ? real : path);
    free(real);
    if (!h->path) {
        dcs_lock_release(h->lock);
        free(h);
        return dcs_error_set(err, DCS_ERR_NOMEM, DCS_NO_OFFSET, "out of memory");
    }
    h->flags = flags;
    /* a dirty hive is written only with its logs replayed, or forced */
    int recovered_fd = -1;
    char recovered_path[64];
    if ((flags & DCS_HIVE_RECOVER) && h->state.dirty)
        rc = dcsi_hive_recover_open(h, &recovered_fd, err);
    if (rc == DCS_OK && (flags & DCS_HIVE_WRITE) && h->state.dirty && !h->state.recovered &&
        !(flags & DCS_HIVE_FORCE))
        rc = dcs_error_set(err, DCS_ERR_HIVE_DIRTY, DCS_NO_OFFSET,
                           "%s is dirty: %s; refusing to write it (forcing discards the "
                           "pending changes; recovery replays them)",
                           path, h->state.reason);
    if (rc != DCS_OK) {
        dcs_lock_release(h->lock);
        free(h->path);
        free(h);
        return rc;
    }
    snprintf(recovered_path, sizeof recovered_path, "/proc/self/fd/%d", recovered_fd);
    errno = 0;
    h->h = hivex_open(recovered_fd >= 0 ? recovered_path : h->path,
                      (flags & DCS_HIVE_WRITE) ? HIVEX_OPEN_WRITE : 0);
    if (recovered_fd >= 0)
        close(recovered_fd);
    if (!h->h) {
        rc = dcsi_hive_lib_error(err, "cannot open", path);
        if (rc == DCS_ERR_HIVE_LIB)
            err->code = rc = DCS_ERR_HIVE_CORRUPT;
        dcs_lock_release(h->lock);
        free(h->path);
        free(h);
        return rc;
    }
    *out = h;
    return DCS_OK;
}

void dcs_hive_close(dcs_hive *h)
{
    if (!h)
        return;
    if (h->h)
        hivex_close(h->h);
    dcs_lock_release(h->lock);
    free(h->path);
    free(h);
}

const char *dcs_hive_path(const dcs_hive *h)
{
    return h->path;
}

const struct dcs_hive_state *dcs_hive_get_state(const dcs_hive *h)
{
    return &h->state;
}

bool dcs_hive_modified(const dcs_hive *h)
{
    return h->modified;
}

dcs_hive_key dcs_hive_root(dcs_hive *h)
{
    return hivex_root(h->h);
}

/* Next path component: *p advances past it; returns its length (0 at end). */
static size_t next_component(const char **p, const char **start)
{
    while (**p == '\\')
        (*p)++;
    *start = *p;
    while (**p && **p != '\\')
        (*p)++;
    return (size_t)(*p - *start);
}

static dcs_status walk(dcs_hive *h, dcs_hive_key from, const char *path, bool create,
                       dcs_hive_key *out, struct dcs_error *err)
{
    /* hivex_open() has checked the root cell: hivex_root() cannot fail */
    hive_node_h node = from ? from : hivex_root(h->h);
    const char *p = path ? path : "";
    const char *start;
    size_t n;
    char name[DCS_HIVE_NAME_MAX + 1];
    *out = 0;
    while ((n = next_component(&p, &start)) != 0) {
        if (n > DCS_HIVE_NAME_MAX)
            return dcs_error_set(err, DCS_ERR_LIMIT, DCS_NO_OFFSET,
                                 "key name longer than %u bytes in \"%s\"", DCS_HIVE_NAME_MAX,
                                 path);
        memcpy(name, start, n);
        name[n] = '\0';
        errno = 0;
        hive_node_h child = hivex_node_get_child(h->h, node, name);
        if (!child && errno)
            return dcsi_hive_lib_error(err, "cannot look up key", name);
        if (!child) {
            if (!create)
                return dcs_error_set(err, DCS_ERR_NOT_FOUND, DCS_NO_OFFSET,
                                     "key \"%s\" not found (missing \"%s\")", path, name);
            if (!(h->flags & DCS_HIVE_WRITE))
                return dcs_error_set(err, DCS_ERR_INVALID_ARG, DCS_NO_OFFSET,
                                     "hive opened read-only");
            errno = 0;
            child = hivex_node_add_child(h->h, node, name);
            if (!child)
                return dcsi_hive_lib_error(err, "cannot create key", name);
            h->modified = true;
        }
        node = child;
    }
    *out = node;
    return DCS_OK;
}

dcs_status dcs_hive_find_key(dcs_hive *h, dcs_hive_key from, const char *path,
                             dcs_hive_key *out, struct dcs_error *err)
{
    return walk(h, from, path, false, out, err);
}

dcs_status dcs_hive_add_child(dcs_hive *h, dcs_hive_key parent, const char *name,
                              dcs_hive_key *out, struct dcs_error *err)
{
    *out = 0;
    if (!(h->flags & DCS_HIVE_WRITE))
        return dcs_error_set(err, DCS_ERR_INVALID_ARG, DCS_NO_OFFSET,
                             "%s was opened read-only", h->path);
    errno = 0;
    *out = hivex_node_add_child(h->h, parent, name);
    if (!*out)
        return dcsi_hive_lib_error(err, "cannot create key", name);
    h->modified = true;
    return DCS_OK;
}

dcs_status dcs_hive_child(dcs_hive *h, dcs_hive_key parent, const char *name, bool create,
                          dcs_hive_key *out, bool *created, struct dcs_error *err)
{
    if (created)
        *created = false;
    *out = 0;
    errno = 0;
    hive_node_h child = hivex_node_get_child(h->h, parent, name);
    if (!child && errno)
        return dcsi_hive_lib_error(err, "cannot look up key", name);
    if (!child && !create)
        return dcs_error_set(err, DCS_ERR_NOT_FOUND, DCS_NO_OFFSET, "key \"%s\" not found",
                             name);
    if (!child) {
        if (!(h->flags & DCS_HIVE_WRITE))
            return dcs_error_set(err, DCS_ERR_INVALID_ARG, DCS_NO_OFFSET,
                                 "%s was opened read-only", h->path);
        errno = 0;
        child = hivex_node_add_child(h->h, parent, name);
        if (!child)
            return dcsi_hive_lib_error(err, "cannot create key", name);
        h->modified = true;
        if (created)
            *created = true;
    }
    *out = child;
    return DCS_OK;
}

dcs_status dcs_hive_ensure_key(dcs_hive *h, dcs_hive_key from, const char *path,
                               dcs_hive_key *out, struct dcs_error *err)
{
    return walk(h, from, path, true, out, err);
}

void dcs_hive_value_free(struct dcs_hive_value *v)
{
    if (!v)
        return;
    free(v->name);
    free(v->data);
    v->name = NULL;
    v->data = NULL;
    v->len = 0;
}

static dcs_status read_value(dcs_hive *h, hive_value_h vh, struct dcs_hive_value *out,
                             struct dcs_error *err)
{
    hive_type t;
    size_t len;
    memset(out, 0, sizeof *out);
    errno = 0;
    out->name = hivex_value_key(h->h, vh);
    if (!out->name)
        return dcsi_hive_lib_error(err, "cannot read a value name in", h->path);
    errno = 0;
    char *data = hivex_value_value(h->h, vh, &t, &len);
    if (!data) {
        dcs_status rc = dcsi_hive_lib_error(err, "cannot read value", out->name);
        dcs_hive_value_free(out);
        return rc;
    }
    out->type = (uint32_t)t;
    out->data = (uint8_t *)data;
    out->len = len;
    return DCS_OK;
}

dcs_status dcs_hive_get_value(dcs_hive *h, dcs_hive_key key, const char *name,
                              struct dcs_hive_value *out, struct dcs_error *err)
{
    memset(out, 0, sizeof *out);
    errno = 0;
    hive_value_h vh = hivex_node_get_value(h->h, key, name);
    if (!vh && errno)
        return dcsi_hive_lib_error(err, "cannot look up value", name);
    if (!vh)
        return dcs_error_set(err, DCS_ERR_NOT_FOUND, DCS_NO_OFFSET, "value \"%s\" not found",
                             name);
    return read_value(h, vh, out, err);
}

dcs_status dcs_hive_each_value(dcs_hive *h, dcs_hive_key key, dcs_hive_value_fn fn, void *ctx,
                               int *stopped, struct dcs_error *err)
{
    if (stopped)
        *stopped = 0;
    errno = 0;
    hive_value_h *vals = hivex_node_values(h->h, key);
    if (!vals)
        return dcsi_hive_lib_error(err, "cannot list values in", h->path);
    dcs_status rc = DCS_OK;
    for (size_t i = 0; vals[i]; i++) {
        struct dcs_hive_value v;
        rc = read_value(h, vals[i], &v, err);
        if (rc != DCS_OK)
            break;
        int r = fn(ctx, &v);
        dcs_hive_value_free(&v);
        if (r) {
            if (stopped)
                *stopped = r;
            break;
        }
    }
    free(vals);
    return rc;
}

dcs_status dcs_hive_each_subkey(dcs_hive *h, dcs_hive_key key, dcs_hive_subkey_fn fn,
                                void *ctx, int *stopped, struct dcs_error *err)
{
    if (stopped)
        *stopped = 0;
    errno = 0;
    hive_node_h *kids = hivex_node_children(h->h, key);
    if (!kids)
        return dcsi_hive_lib_error(err, "cannot list subkeys in", h->path);
    dcs_status rc = DCS_OK;
    for (size_t i = 0; kids[i]; i++) {
        errno = 0;
        char *name = hivex_node_name(h->h, kids[i]);
        if (!name) {
            rc = dcsi_hive_lib_error(err, "cannot read a key name in", h->path);
            break;
        }
        int r = fn(ctx, name, kids[i]);
        free(name);
        if (r) {
            if (stopped)
                *stopped = r;
            break;
        }
    }
    free(kids);
    return rc;
}

char *dcs_hive_key_name(dcs_hive *h, dcs_hive_key key, struct dcs_error *err)
{
    if (key == hivex_root(h->h)) {
        char *s = strdup("");
        if (!s)
            dcs_error_set(err, DCS_ERR_NOMEM, DCS_NO_OFFSET, "out of memory");
        return s;
    }
    errno = 0;
    char *name = hivex_node_name(h->h, key);
    if (!name)
        dcsi_hive_lib_error(err, "cannot read a key name in", h->path);
    return name;
}

static dcs_status need_write(dcs_hive *h, struct dcs_error *err)
{
    if (!(h->flags & DCS_HIVE_WRITE))
        return dcs_error_set(err, DCS_ERR_INVALID_ARG, DCS_NO_OFFSET,
                             "%s was opened read-only", h->path);
    return DCS_OK;
}

dcs_status dcs_hive_set_value(dcs_hive *h, dcs_hive_key key, const char *name, uint32_t type,
                              const void *data, size_t len, struct dcs_error *err)
{
    dcs_status rc = need_write(h, err);
    if (rc != DCS_OK)
        return rc;
    hive_set_value v = {.key = (char *)name, .t = (hive_type)type, .len = len,
                        .value = (char *)data};
    errno = 0;
    if (hivex_node_set_value(h->h, key, &v, 0) != 0)
        return dcsi_hive_lib_error(err, "cannot set value", name);
    h->modified = true;
    return DCS_OK;
}

dcs_status dcs_hive_set_values(dcs_hive *h, dcs_hive_key key, const struct dcs_hive_set *v,
                               size_t n, struct dcs_error *err)
{
    dcs_status rc = need_write(h, err);
    if (rc != DCS_OK)
        return rc;
    hive_set_value *hv = calloc(n ? n : 1, sizeof *hv);
    if (!hv)
        return dcs_error_set(err, DCS_ERR_NOMEM, DCS_NO_OFFSET, "out of memory");
    for (size_t i = 0; i < n; i++) {
        hv[i].key = (char *)v[i].name;
        hv[i].t = (hive_type)v[i].type;
        hv[i].len = v[i].len;
        hv[i].value = (char *)v[i].data;
    }
    errno = 0;
    int r = hivex_node_set_values(h->h, key, n, hv, 0);
    free(hv);
    if (r != 0)
        return dcsi_hive_lib_error(err, "cannot set the values of a key in", h->path);
    h->modified = true;
    return DCS_OK;
}

struct collect {
    struct dcs_hive_value *vals;
    size_t n, cap;
    const char *skip;
    bool skipped;
    bool nomem;
};

static int collect_value(void *ctx, const struct dcs_hive_value *v)
{
    struct collect *c = ctx;
    /* read_value never gives a NULL name (the analyzer cannot see that);
     * were it to, fail the delete rather than rewrite a partial list */
    if (!v->name) {
        c->nomem = true;
        return 1;
    }
    if (!c->skipped && strcasecmp(v->name, c->skip) == 0) {
        c->skipped = true;
        return 0;
    }
    if (c->n == c->cap) {
        size_t ncap = c->cap ? c->cap * 2 : 8;
        struct dcs_hive_value *nv = realloc(c->vals, ncap * sizeof *nv);
        if (!nv) {
            c->nomem = true;
            return 1;
        }
        c->vals = nv;
        c->cap = ncap;
    }
    struct dcs_hive_value *d = &c->vals[c->n];
    d->name = strdup(v->name);
    d->data = malloc(v->len ? v->len : 1);
    if (!d->name || !d->data) {
        free(d->name);
        free(d->data);
        c->nomem = true;
        return 1;
    }
    if (v->len)
        memcpy(d->data, v->data, v->len);
    d->len = v->len;
    d->type = v->type;
    c->n++;
    return 0;
}

dcs_status dcs_hive_delete_value(dcs_hive *h, dcs_hive_key key, const char *name,
                                 bool *deleted, struct dcs_error *err)
{
    *deleted = false;
    dcs_status rc = need_write(h, err);
    if (rc != DCS_OK)
        return rc;
    errno = 0;
    hive_value_h vh = hivex_node_get_value(h->h, key, name);
    if (!vh && errno)
        return dcsi_hive_lib_error(err, "cannot look up value", name);
    if (!vh)
        return DCS_OK;
    /* libhivex has no single-value delete: rewrite the others */
    struct collect c = {.skip = name};
    rc = dcs_hive_each_value(h, key, collect_value, &c, NULL, err);
    if (rc == DCS_OK && c.nomem)
        rc = dcs_error_set(err, DCS_ERR_NOMEM, DCS_NO_OFFSET, "out of memory");
    if (rc == DCS_OK) {
        struct dcs_hive_set *sv = calloc(c.n ? c.n : 1, sizeof *sv);
        if (!sv) {
            rc = dcs_error_set(err, DCS_ERR_NOMEM, DCS_NO_OFFSET, "out of memory");
        } else {
            for (size_t i = 0; i < c.n; i++)
                sv[i] = (struct dcs_hive_set){c.vals[i].name, c.vals[i].type, c.vals[i].data,
                                              c.vals[i].len};
            rc = dcs_hive_set_values(h, key, sv, c.n, err);
            free(sv);
        }
    }
    for (size_t i = 0; i < c.n; i++)
        dcs_hive_value_free(&c.vals[i]);
    free(c.vals);
    if (rc == DCS_OK)
        *deleted = true;
    return rc;
}

dcs_status dcs_hive_delete_key(dcs_hive *h, dcs_hive_key key, struct dcs_error *err)
{
    dcs_status rc = need_write(h, err);
    if (rc != DCS_OK)
        return rc;
    if (key == hivex_root(h->h))
        return dcs_error_set(err, DCS_ERR_INVALID_ARG, DCS_NO_OFFSET,
                             "the root key of a hive cannot be deleted");
    errno = 0;
    if (hivex_node_delete_child(h->h, key) != 0)
        return dcsi_hive_lib_error(err, "cannot delete a key in", h->path);
    h->modified = true;
    return DCS_OK;
}

#else /* !DCS_HAVE_HIVEX */

static dcs_status unsupported(struct dcs_error *err)
{
    return dcs_error_set(err, DCS_ERR_UNSUPPORTED, DCS_NO_OFFSET,
                         "this dcs was built without libhivex (meson -Dhive=enabled)");
}

bool dcs_hive_supported(void)
{
    return false;
}

dcs_status dcs_hive_open(const char *path, unsigned flags, dcs_hive **out,
                         struct dcs_error *err)
{
    *out = NULL;
    return unsupported(err);
}
void dcs_hive_close(dcs_hive *h) {}
const char *dcs_hive_path(const dcs_hive *h) { return ""; }
const struct dcs_hive_state *dcs_hive_get_state(const dcs_hive *h) { return NULL; }
bool dcs_hive_modified(const dcs_hive *h) { return false; }
dcs_hive_key dcs_hive_root(dcs_hive *h) { return 0; }
dcs_status dcs_hive_find_key(dcs_hive *h, dcs_hive_key from, const char *path,
                             dcs_hive_key *out, struct dcs_error *err)
{
    return unsupported(err);
}
dcs_status dcs_hive_ensure_key(dcs_hive *h, dcs_hive_key from, const char *path,
                               dcs_hive_key *out, struct dcs_error *err)
{
    return unsupported(err);
}
void dcs_hive_value_free(struct dcs_hive_value *v) {}
dcs_status dcs_hive_get_value(dcs_hive *h, dcs_hive_key key, const char *name,
                              struct dcs_hive_value *out, struct dcs_error *err)
{
    return unsupported(err);
}
dcs_status dcs_hive_each_value(dcs_hive *h, dcs_hive_key key, dcs_hive_value_fn fn, void *ctx,
                               int *stopped, struct dcs_error *err)
{
    return unsupported(err);
}
dcs_status dcs_hive_each_subkey(dcs_hive *h, dcs_hive_key key, dcs_hive_subkey_fn fn,
                                void *ctx, int *stopped, struct dcs_error *err)
{
    return unsupported(err);
}
dcs_status dcs_hive_child(dcs_hive *h, dcs_hive_key parent, const char *name, bool create,
                          dcs_hive_key *out, bool *created, struct dcs_error *err)
{
    return unsupported(err);
}
dcs_status dcs_hive_add_child(dcs_hive *h, dcs_hive_key parent, const char *name,
                              dcs_hive_key *out, struct dcs_error *err)
{
    return unsupported(err);
}
char *dcs_hive_key_name(dcs_hive *h, dcs_hive_key key, struct dcs_error *err)
{
    unsupported(err);
    return NULL;
}
dcs_status dcs_hive_set_value(dcs_hive *h, dcs_hive_key key, const char *name, uint32_t type,
                              const void *data, size_t len, struct dcs_error *err)
{
    return unsupported(err);
}
dcs_status dcs_hive_set_values(dcs_hive *h, dcs_hive_key key, const struct dcs_hive_set *v,
                               size_t n, struct dcs_error *err)
{
    return unsupported(err);
}
dcs_status dcs_hive_delete_value(dcs_hive *h, dcs_hive_key key, const char *name,
                                 bool *deleted, struct dcs_error *err)
{
    *deleted = false;
    return unsupported(err);
}
dcs_status dcs_hive_delete_key(dcs_hive *h, dcs_hive_key key, struct dcs_error *err)
{
    return unsupported(err);
}
dcs_status dcs_hive_commit_all(dcs_hive *const *hives, size_t n, struct dcs_error *err)
{
    return n ? unsupported(err) : DCS_OK;
}

#endif
