/* The hive handle over dcs's own regf engine (hive/regf.h): open (after the
 * base-block and log checks), find and walk keys, turn names between UTF-8
 * and the hive's UTF-16. */
#include <dcs/hive.h>
#include "hive/hive_internal.h"
#include "core/lock_internal.h"
#include "core/text.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#define MAX_UNITS DCSI_REGF_VALUE_NAME_MAX

bool dcs_hive_supported(void)
{
    return true;
}

static dcs_status nomem(struct dcs_error *err)
{
    return dcs_error_set(err, DCS_ERR_NOMEM, DCS_NO_OFFSET, "out of memory");
}

/* Load the hive's cells from the file its inspection kept open (or the
 * pinned file), or from a recovered copy (the descriptor recovered_fd,
 * read through /proc). */
static dcs_status open_regf(dcs_hive *h, int recovered_fd, const struct dcsi_hive_file *file,
                            const char *shown, struct dcs_error *err)
{
    h->units = malloc(MAX_UNITS * sizeof *h->units);
    h->up = malloc(MAX_UNITS * sizeof *h->up);
    h->conv = malloc(6 * (size_t)MAX_UNITS + 2);
    if (!h->units || !h->up || !h->conv)
        return nomem(err);
    char from[64];
    snprintf(from, sizeof from, "/proc/self/fd/%d", recovered_fd);
    dcs_status rc = recovered_fd >= 0 ? dcsi_regf_load_file(&h->r, from, err)
                    : file->fd >= 0   ? dcsi_regf_load_fd(&h->r, file->fd, h->state.file_size,
                                                          file->head, file->got, h->path, err)
                                      : dcsi_regf_load_file_at(&h->r, h->at.dirfd, h->at.name,
                                                               h->path, err);
    if (rc != DCS_OK && rc != DCS_ERR_NOMEM && err) {
        size_t used = strlen(err->message);
        char tail[sizeof err->message];
        memcpy(tail, err->message, used + 1);
        int keep = (int)(sizeof err->message / 2);
        snprintf(err->message, sizeof err->message, "%.*s: %.*s", keep - 3, shown, keep, tail);
    }
    return rc;
}

/* A writer locks the hive, then finishes any interrupted commit of it; if
 * that replaced the file, the lock is on the old one: take it again. */
dcs_status dcsi_hive_lock_and_recover(int dirfd, const char *name, const char *path,
                                      dcs_lock **lock, struct dcs_error *err)
{
    *lock = NULL;
    for (int attempt = 0; attempt < 4; attempt++) {
        dcs_status rc = dcsi_lock_acquire_at(dirfd, name, path, dcs_lock_wait(), lock, err);
        if (rc == DCS_OK)
            rc = dcsi_hive_recover_at(dirfd, path, err);
        if (rc != DCS_OK || dcs_lock_current(*lock))
            return rc;
        dcs_lock_release(*lock);
        *lock = NULL;
    }
    return dcs_error_set(err, DCS_ERR_HIVE_LOCKED, DCS_NO_OFFSET,
                         "%s kept being replaced by other processes while dcs tried to lock it",
                         path);
}

dcs_status dcs_hive_open(const char *path, unsigned flags, dcs_hive **out,
                         struct dcs_error *err)
{
    *out = NULL;
    /* Through a symbolic link, the file to check, to find logs beside and
     * to replace on commit is the link's target, not the link: resolved
     * here once, and from then on only the pinned directory is used. */
    char *real = realpath(path, NULL);
    if (!real && errno == ENOMEM)
        return nomem(err);
    struct dcsi_pin pin;
    dcs_status rc = real ? dcsi_dir_open_nofollow(AT_FDCWD, real, &pin, err) : DCS_ERR_NOT_FOUND;
    if (rc == DCS_ERR_NOT_FOUND) {
        /* a missing file: the inspection says so in its own words */
        struct dcs_hive_state *st = malloc(sizeof *st);
        dcs_status irc = st ? dcsi_hive_inspect(real ? real : path, st, err) : nomem(err);
        free(st);
        free(real);
        return irc != DCS_OK ? irc : dcs_error_set(err, DCS_ERR_NOT_FOUND, DCS_NO_OFFSET,
                                                   "cannot open %s: %s", path,
                                                   strerror(ENOENT));
    }
    if (rc == DCS_OK)
        rc = dcsi_hive_open_pinned(&pin, path, real, flags, out, err);
    else
        dcsi_pin_free(&pin);
    free(real);
    return rc;
}

dcs_status dcsi_hive_open_pinned(struct dcsi_pin *pin, const char *shown, const char *path,
                                 unsigned flags, dcs_hive **out, struct dcs_error *err)
{
    *out = NULL;
    struct dcsi_hive_file file;
    file.fd = -1;
    dcs_hive *h = calloc(1, sizeof *h);
    if (!h) {
        dcsi_pin_free(pin);
        return nomem(err);
    }
    h->at = *pin;
    pin->dirfd = -1;
    pin->name = NULL;
    h->flags = flags;
    /* the caller resolved the path it pinned: asking /proc again (a
     * readlink per hive) would tell the same */
    h->path = strdup(path);
    dcs_status rc = h->path ? DCS_OK : nomem(err);
    if (rc == DCS_OK)
        rc = (flags & DCS_HIVE_WRITE)
                 ? dcsi_hive_lock_and_recover(h->at.dirfd, h->at.name, h->path, &h->lock, err)
                 : dcsi_hive_recover_at(h->at.dirfd, h->path, err);
    if (rc == DCS_OK || rc == DCS_ERR_NOT_FOUND) {
        /* a missing file: the inspection says so in its own words */
        dcs_status irc =
            dcsi_hive_inspect_keep(h->at.dirfd, h->at.name, h->path, &h->state, &file, err);
        rc = irc != DCS_OK ? irc : rc;
    }
    /* the inspection listed the directory: leftovers of a commit no journal
     * names (the journal's recovery is done) are removed, under the hive's
     * lock (a writer's; a reader's taken without waiting) */
    if (rc == DCS_OK && h->state.leftovers)
        dcsi_hive_sweep(h->at.dirfd, h->at.name, h->path, h->lock);
    /* a dirty hive is written only with its logs replayed, or forced */
    int recovered_fd = -1;
    if (rc == DCS_OK && (flags & DCS_HIVE_RECOVER) && h->state.dirty)
        rc = dcsi_hive_recover_open(h, &recovered_fd, err);
    if (rc == DCS_OK && (flags & DCS_HIVE_WRITE) && h->state.dirty && !h->state.recovered &&
        !(flags & DCS_HIVE_FORCE))
        rc = dcs_error_set(err, DCS_ERR_HIVE_DIRTY, DCS_NO_OFFSET,
                           "%s is dirty: %s; refusing to write it (forcing discards the "
                           "pending changes; recovery replays them)",
                           shown, h->state.reason);
    if (rc == DCS_OK)
        rc = open_regf(h, recovered_fd, &file, shown, err);
    if (recovered_fd >= 0)
        close(recovered_fd);
    if (file.fd >= 0)
        close(file.fd);
    if (rc != DCS_OK) {
        dcs_hive_close(h);
        return rc;
    }
    *out = h;
    return DCS_OK;
}

void dcs_hive_close(dcs_hive *h)
{
    if (!h)
        return;
    dcsi_regf_free(&h->r);
    free(h->units);
    free(h->up);
    free(h->conv);
    dcs_lock_release(h->lock);
    dcsi_pin_free(&h->at);
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

void dcs_hive_set_time(dcs_hive *h, uint64_t filetime)
{
    h->r.fixed_time = filetime;
    if (filetime && h->r.checked)
        h->r.now = filetime; /* edits already begun take it from here on */
}

uint64_t dcs_filetime_from_unix(uint64_t seconds)
{
    return (seconds + 11644473600ull) * 10000000ull;
}

bool dcs_hive_modified(const dcs_hive *h)
{
    return h->modified;
}

dcs_hive_key dcs_hive_root(dcs_hive *h)
{
    return (dcs_hive_key)h->r.root + DCSI_REGF_BASE;
}

/* Handle <-> cell offset: a handle is the key's offset in the file. */
static uint32_t cell_of(dcs_hive_key k)
{
    return k >= DCSI_REGF_BASE && k - DCSI_REGF_BASE < DCSI_REGF_NONE
               ? (uint32_t)(k - DCSI_REGF_BASE)
               : DCSI_REGF_NONE;
}

/* name[0..len) as UTF-16 units in h->units and upper-cased in h->up. */
dcs_status dcsi_hive_to_units(dcs_hive *h, const char *name, size_t len, size_t max, size_t *n,
                           struct dcs_error *err)
{
    if (len > 3 * max)
        return dcs_error_set(err, DCS_ERR_LIMIT, DCS_NO_OFFSET,
                             "name of %zu bytes: longer than %zu characters", len, max);
    /* ASCII names (nearly all of them) need no decoder */
    size_t k = 0;
    while (k < len && k < max && (unsigned char)name[k] < 0x80) {
        unsigned c = (unsigned char)name[k];
        h->units[k] = (uint16_t)c;
        h->up[k++] = (uint16_t)(c - ((c - 'a') < 26u ? 0x20u : 0u));
    }
    if (k == len) {
        *n = k;
        return DCS_OK;
    }
    size_t bad;
    k = dcsi_utf8_to_utf16le(name, len, h->conv, &bad);
    if (k == SIZE_MAX)
        return dcs_error_set(err, DCS_ERR_INVALID_ARG, DCS_NO_OFFSET,
                             "name \"%.*s\" is not valid UTF-8 (byte %zu)", (int)len, name, bad);
    if (k > max)
        return dcs_error_set(err, DCS_ERR_LIMIT, DCS_NO_OFFSET,
                             "name \"%.40s...\" is longer than %zu characters", name, max);
    for (size_t i = 0; i < k; i++) {
        h->units[i] = dcs_ld16le(h->conv + 2 * i);
        h->up[i] = dcsi_regf_upcase(h->units[i]);
    }
    *n = k;
    return DCS_OK;
}

dcs_status dcsi_hive_key_cell(dcs_hive *h, dcs_hive_key k, uint32_t *off, struct dcs_error *err)
{
    struct dcsi_regf_nk nk;
    *off = cell_of(k);
    return dcsi_regf_nk(&h->r, *off, &nk, err);
}

dcs_status dcs_hive_check(dcs_hive *h, struct dcs_error *err)
{
    if (!h)
        return dcs_error_set(err, DCS_ERR_INVALID_ARG, DCS_NO_OFFSET, "NULL hive");
    if (h->flags & DCS_HIVE_WRITE)
        return dcsi_regf_begin_edit(&h->r, err);
    return dcsi_regf_check(&h->r, 0, err);
}

dcs_status dcsi_hive_need_write(dcs_hive *h, struct dcs_error *err)
{
    if (!(h->flags & DCS_HIVE_WRITE))
        return dcs_error_set(err, DCS_ERR_INVALID_ARG, DCS_NO_OFFSET,
                             "%s was opened read-only", h->path);
    return DCS_OK;
}

/* One level below parent: find (and with create, add) the key name. */
static dcs_status child(dcs_hive *h, uint32_t parent, const char *name, size_t len, bool create,
                        bool known_absent, uint32_t *out, bool *created, struct dcs_error *err)
{
    size_t n = 0;
    *out = 0;
    if (created)
        *created = false;
    dcs_status rc = dcsi_hive_to_units(h, name, len, DCSI_REGF_KEY_NAME_MAX, &n, err);
    if (rc != DCS_OK)
        return rc;
    if (!known_absent) {
        rc = dcsi_regf_find_kid(&h->r, parent, h->up, n, out, err);
        if (rc != DCS_OK || *out)
            return rc;
        if (!create)
            return dcs_error_set(err, DCS_ERR_NOT_FOUND, DCS_NO_OFFSET,
                                 "key \"%.*s\" not found", (int)len, name);
    }
    rc = dcsi_hive_need_write(h, err);
    if (rc == DCS_OK && (n == 0 || memchr(name, '\\', len)))
        rc = dcs_error_set(err, DCS_ERR_INVALID_ARG, DCS_NO_OFFSET,
                           "\"%.*s\" cannot be a key name", (int)len, name);
    if (rc != DCS_OK)
        return rc;
    /* the binary search may miss in a list a foreign writer mis-sorted:
     * ask the key's full index (loaded by the add) before adding */
    struct dcsi_regf_keyst *ks;
    rc = dcsi_regf_begin_edit(&h->r, err);
    if (rc == DCS_OK)
        rc = dcsi_regf_keyst_kids(&h->r, parent, &ks, err);
    if (rc == DCS_OK)
        rc = dcsi_regf_find_kid(&h->r, parent, h->up, n, out, err);
    if (rc == DCS_OK && *out && known_absent)
        rc = dcs_error_set(err, DCS_ERR_INVALID_ARG, DCS_NO_OFFSET,
                           "key \"%.*s\" already exists", (int)len, name);
    if (rc != DCS_OK || *out)
        return rc;
    rc = dcsi_regf_add_key(&h->r, parent, h->units, n, out, err);
    if (rc == DCS_OK) {
        h->modified = true;
        if (created)
            *created = true;
    }
    return rc;
}

static dcs_status walk(dcs_hive *h, dcs_hive_key from, const char *path, bool create,
                       dcs_hive_key *out, struct dcs_error *err)
{
    uint32_t node = from ? cell_of(from) : h->r.root;
    const char *p = path ? path : "";
    *out = 0;
    struct dcsi_regf_nk nk;
    dcs_status rc = dcsi_regf_nk(&h->r, node, &nk, err);
    while (rc == DCS_OK) {
        while (*p == '\\')
            p++;
        size_t n = strcspn(p, "\\");
        if (n == 0)
            break;
        uint32_t next;
        rc = child(h, node, p, n, false, false, &next, NULL, err);
        if (rc == DCS_ERR_NOT_FOUND && create && !(h->flags & DCS_HIVE_WRITE))
            rc = dcs_error_set(err, DCS_ERR_INVALID_ARG, DCS_NO_OFFSET,
                               "hive opened read-only");
        else if (rc == DCS_ERR_NOT_FOUND && create)
            rc = child(h, node, p, n, true, false, &next, NULL, err);
        else if (rc == DCS_ERR_NOT_FOUND)
            rc = dcs_error_set(err, DCS_ERR_NOT_FOUND, DCS_NO_OFFSET,
                               "key \"%s\" not found (missing \"%.*s\")", path, (int)n, p);
        node = next;
        p += n;
    }
    if (rc == DCS_OK)
        *out = (dcs_hive_key)node + DCSI_REGF_BASE;
    return rc;
}

dcs_status dcs_hive_find_key(dcs_hive *h, dcs_hive_key from, const char *path,
                             dcs_hive_key *out, struct dcs_error *err)
{
    return walk(h, from, path, false, out, err);
}

dcs_status dcs_hive_ensure_key(dcs_hive *h, dcs_hive_key from, const char *path,
                               dcs_hive_key *out, struct dcs_error *err)
{
    return walk(h, from, path, true, out, err);
}

dcs_status dcs_hive_child(dcs_hive *h, dcs_hive_key parent, const char *name, bool create,
                          dcs_hive_key *out, bool *created, struct dcs_error *err)
{
    uint32_t p, kid = 0;
    *out = 0;
    if (created)
        *created = false;
    dcs_status rc = dcsi_hive_key_cell(h, parent, &p, err);
    if (rc == DCS_OK)
        rc = child(h, p, name, strlen(name), create, false, &kid, created, err);
    if (rc == DCS_OK)
        *out = (dcs_hive_key)kid + DCSI_REGF_BASE;
    return rc;
}

dcs_status dcs_hive_add_child(dcs_hive *h, dcs_hive_key parent, const char *name,
                              dcs_hive_key *out, struct dcs_error *err)
{
    uint32_t p, kid = 0;
    *out = 0;
    dcs_status rc = dcsi_hive_key_cell(h, parent, &p, err);
    if (rc == DCS_OK)
        rc = child(h, p, name, strlen(name), true, true, &kid, NULL, err);
    if (rc == DCS_OK)
        *out = (dcs_hive_key)kid + DCSI_REGF_BASE;
    return rc;
}

char *dcs_hive_key_name(dcs_hive *h, dcs_hive_key key, struct dcs_error *err)
{
    struct dcsi_regf_nk nk;
    uint32_t off = cell_of(key);
    bool root = off == h->r.root;
    if (!root && dcsi_regf_nk(&h->r, off, &nk, err) != DCS_OK)
        return NULL;
    char *s = malloc(root ? 1 : 3 * dcsi_regf_name_units(&nk.name) + 1);
    if (!s) {
        nomem(err);
        return NULL;
    }
    if (root)
        s[0] = '\0';
    else
        dcsi_regf_name_utf8(&nk.name, s);
    return s;
}

/* Room for the UTF-8 form of name in *buf (grown as needed). */
bool dcsi_hive_name_room(char **buf, size_t *cap, const struct dcsi_regf_name *name)
{
    size_t need = 3 * dcsi_regf_name_units(name) + 1;
    if (need <= *cap)
        return true;
    char *b = realloc(*buf, need);
    if (!b)
        return false;
    *buf = b;
    *cap = need;
    return true;
}

struct kid_walk {
    dcs_hive *h;
    dcs_hive_subkey_fn fn;
    void *ctx;
    char *name;
    size_t cap;
    dcs_status rc;
    struct dcs_error *err;
};

static int each_kid(void *ctx, uint32_t off)
{
    struct kid_walk *w = ctx;
    struct dcsi_regf_nk nk;
    w->rc = dcsi_regf_nk(&w->h->r, off, &nk, w->err);
    if (w->rc == DCS_OK && !dcsi_hive_name_room(&w->name, &w->cap, &nk.name))
        w->rc = nomem(w->err);
    if (w->rc != DCS_OK)
        return 1;
    size_t n = dcsi_regf_name_utf8(&nk.name, w->name);
    /* names are C strings here: one holding a NUL (seen in real SECURITY and
     * NTUSER hives) is cut at it, and regedit could not import it anyway */
    if (strlen(w->name) != n)
        dcs_warn(DCS_ERR_ENCODING, "%s: the name of the key at offset %u holds a NUL "
                 "character; it is read (and exported) cut before it as '%s', which regedit "
                 "cannot import as the same key",
                 w->h->path, off + DCSI_REGF_BASE, w->name);
    return w->fn(w->ctx, w->name, (dcs_hive_key)off + DCSI_REGF_BASE);
}

dcs_status dcs_hive_each_subkey(dcs_hive *h, dcs_hive_key key, dcs_hive_subkey_fn fn,
                                void *ctx, int *stopped, struct dcs_error *err)
{
    int stop = 0;
    uint32_t off;
    dcs_status rc = dcsi_hive_key_cell(h, key, &off, err);
    if (rc != DCS_OK)
        return rc;
    struct kid_walk w = {h, fn, ctx, NULL, 0, DCS_OK, err};
    rc = dcsi_regf_each_kid(&h->r, off, each_kid, &w, &stop, err);
    if (rc == DCS_OK && w.rc != DCS_OK) {
        rc = w.rc;
        stop = 0;
    }
    free(w.name);
    if (stopped)
        *stopped = stop;
    return rc;
}

dcs_status dcsi_hive_write_at(dcs_hive *h, int dirfd, const char *name, const char *path,
                              struct dcs_error *err)
{
    int fd = openat(dirfd, name, O_WRONLY | O_TRUNC | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0)
        return dcs_error_set(err, DCS_ERR_IO, DCS_NO_OFFSET, "cannot open %s: %s", path,
                             strerror(errno));
    dcs_status rc = dcsi_regf_write_fd(&h->r, fd, err);
    if (close(fd) != 0 && rc == DCS_OK)
        rc = dcs_error_set(err, DCS_ERR_IO, DCS_NO_OFFSET, "cannot write %s: %s", path,
                           strerror(errno));
    return rc;
}

const struct dcsi_pin *dcsi_hive_pin(const dcs_hive *h)
{
    return &h->at;
}
