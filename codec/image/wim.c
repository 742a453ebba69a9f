/* WIM and ESD images through wimlib.  Notes and measurements:
 * codec/image/WIM.md. */
#include <dcs/wim.h>

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "dcs_config.h"

/* DCS_WIM_STUBS: the static dcs command's copy, which cannot load wimlib
 * (codec/meson.build) */
#if DCS_HAVE_WIMLIB && !defined(DCS_WIM_STUBS)
#include <pthread.h>
#include <sys/wait.h>
#include <unistd.h>

#include "image/wim_load.h"

struct dcs_wim {
    WIMStruct *wim;
    int image;
    char *path;
    char *mount_dir; /* while mounted */
    char *staging;   /* our folder for wimlib's staging folder, while mounted */
};

static dcs_status wim_fail(struct dcs_error *err, int code, const char *what, const char *path)
{
    dcs_status st = code == WIMLIB_ERR_NOMEM ? DCS_ERR_NOMEM : DCS_ERR_IO;
    return dcs_error_set(err, st, DCS_NO_OFFSET, "%s %s: %s (wimlib error %d)", what, path,
                         wimlib_get_error_string((enum wimlib_error_code)code), code);
}

static pthread_once_t init_once = PTHREAD_ONCE_INIT;
static int init_result;
static const char *load_failed; /* why wimlib could not be loaded, or NULL */

/* Image paths are matched without regard to letter case, as on NTFS. */
static void init(void)
{
    load_failed = dcsi_wimlib_load();
    if (!load_failed)
        init_result = wimlib_global_init(WIMLIB_INIT_FLAG_DEFAULT_CASE_INSENSITIVE);
}

bool dcs_wim_supported(void)
{
    return true;
}

/* "FILE:INDEX" -> file and index (0: none given).  A path whose last ':' is
 * not followed by digits only is all file name. */
static char *split_spec(const char *spec, int *index)
{
    const char *c = strrchr(spec, ':');
    *index = 0;
    if (c && c[1] && strspn(c + 1, "0123456789") == strlen(c + 1) && strlen(c + 1) < 6) {
        *index = (int)strtol(c + 1, NULL, 10); /* digits only, at most 5 */
        return strndup(spec, (size_t)(c - spec));
    }
    return strdup(spec);
}

static void drop_staging(dcs_wim *w);

static dcs_status pick_image(dcs_wim *w, int index, struct dcs_error *err)
{
    struct wimlib_wim_info info;
    int rc = wimlib_get_wim_info(w->wim, &info);
    if (rc)
        return wim_fail(err, rc, "cannot read the header of", w->path);
    if (index == 0 && info.image_count != 1)
        return dcs_error_set(err, DCS_ERR_INVALID_ARG, DCS_NO_OFFSET,
                             "%s holds %u images: name one as %s:INDEX (1 to %u)", w->path,
                             (unsigned)info.image_count, w->path, (unsigned)info.image_count);
    if (index < 0 || (uint32_t)index > info.image_count)
        return dcs_error_set(err, DCS_ERR_INVALID_ARG, DCS_NO_OFFSET,
                             "%s holds %u image(s): there is no image %d", w->path,
                             (unsigned)info.image_count, index);
    w->image = index ? index : 1;
    return DCS_OK;
}

dcs_status dcs_wim_open(const char *spec, bool write, dcs_wim **out, struct dcs_error *err)
{
    if (!spec || !out)
        return dcs_error_set(err, DCS_ERR_INVALID_ARG, DCS_NO_OFFSET, "no WIM file named");
    pthread_once(&init_once, init);
    if (load_failed)
        return dcs_error_set(err, DCS_ERR_IO, DCS_NO_OFFSET, "%s: %s", spec, load_failed);
    if (init_result)
        return wim_fail(err, init_result, "cannot initialise wimlib for", spec);
    dcs_wim *w = calloc(1, sizeof *w);
    int index;
    if (!w || !(w->path = split_spec(spec, &index))) {
        free(w);
        return dcs_error_set(err, DCS_ERR_NOMEM, DCS_NO_OFFSET, "out of memory");
    }
    int rc = wimlib_open_wim(w->path, write ? WIMLIB_OPEN_FLAG_WRITE_ACCESS : 0, &w->wim);
    dcs_status st = rc ? wim_fail(err, rc, "cannot open", w->path) : pick_image(w, index, err);
    if (st != DCS_OK) {
        dcs_wim_free(w);
        return st;
    }
    *out = w;
    return DCS_OK;
}

void dcs_wim_free(dcs_wim *w)
{
    if (!w)
        return;
    if (w->mount_dir && wimlib_unmount_image(w->mount_dir, 0) == 0)
        drop_staging(w); /* freed while mounted: the changes are discarded */
    if (w->wim)
        wimlib_free(w->wim);
    free(w->mount_dir);
    free(w->staging);
    free(w->path);
    free(w);
}

const char *dcs_wim_path(const dcs_wim *w)
{
    return w->path;
}

int dcs_wim_image(const dcs_wim *w)
{
    return w->image;
}

/* ---- finding the hives: our own case-insensitive walk, so that the result
 * does not depend on how the host program initialised wimlib ---- */

struct names {
    char **v;
    size_t n, cap;
    bool nomem;
};

static void names_add(struct names *l, const char *dir, const char *name)
{
    if (l->n == l->cap) {
        size_t cap = l->cap ? 2 * l->cap : 16;
        char **v = realloc(l->v, cap * sizeof *v);
        if (!v) {
            l->nomem = true;
            return;
        }
        l->v = v;
        l->cap = cap;
    }
    size_t k = strlen(dir) + strlen(name) + 2;
    char *p = malloc(k);
    if (!p) {
        l->nomem = true;
        return;
    }
    snprintf(p, k, "%s/%s", strcmp(dir, "/") == 0 ? "" : dir, name);
    l->v[l->n++] = p;
}

static void names_free(struct names *l)
{
    for (size_t i = 0; i < l->n; i++)
        free(l->v[i]);
    free(l->v);
    memset(l, 0, sizeof *l);
}

struct listing {
    struct names dirs, files;
    const char *parent;
};

static int list_cb(const struct wimlib_dir_entry *d, void *ctx)
{
    struct listing *l = ctx;
    bool dir = (d->attributes & WIMLIB_FILE_ATTRIBUTE_DIRECTORY) != 0;
    names_add(dir ? &l->dirs : &l->files, l->parent, d->filename);
    return 0;
}

/* The children of `path` (which must exist with its real letter case). */
static bool list_dir(dcs_wim *w, const char *path, struct listing *l)
{
    memset(l, 0, sizeof *l);
    l->parent = path;
    int rc = wimlib_iterate_dir_tree(w->wim, w->image, path, WIMLIB_ITERATE_DIR_TREE_FLAG_CHILDREN,
                                     list_cb, l);
    return rc == 0 && !l->dirs.nomem && !l->files.nomem;
}

static const char *base(const char *p)
{
    const char *s = strrchr(p, '/');
    return s ? s + 1 : p;
}

/* NAME, NAME.LOG, NAME.LOG1 or NAME.LOG2, any letter case. */
static bool hive_or_log(const char *file, const char *name)
{
    size_t n = strlen(name);
    if (strncasecmp(file, name, n) != 0)
        return false;
    file += n;
    return !*file || strcasecmp(file, ".LOG") == 0 || strcasecmp(file, ".LOG1") == 0 ||
           strcasecmp(file, ".LOG2") == 0;
}

/* Files of dir that are `name` or its logs, added to out. */
static void take_files(dcs_wim *w, const char *dir, const char *name, struct names *out)
{
    struct listing l;
    if (list_dir(w, dir, &l))
        for (size_t i = 0; i < l.files.n; i++)
            if (hive_or_log(base(l.files.v[i]), name))
                names_add(out, "/", l.files.v[i] + 1);
    names_free(&l.dirs);
    names_free(&l.files);
}

/* The real path of dir's child directory `name` (any case) into buf. */
static bool child_dir(dcs_wim *w, const char *dir, const char *name, char *buf, size_t size)
{
    struct listing l;
    bool found = false;
    if (list_dir(w, dir, &l)) {
        for (size_t i = 0; i < l.dirs.n && !found; i++) {
            if (strcasecmp(base(l.dirs.v[i]), name) == 0) {
                snprintf(buf, size, "%s", l.dirs.v[i]);
                found = true;
            }
        }
    }
    names_free(&l.dirs);
    names_free(&l.files);
    return found;
}

/* Under one top-level folder T: T/System32/config/{DEFAULT,SOFTWARE},
 * T/ServiceProfiles/X/NTUSER.DAT and T/X/NTUSER.DAT (profiles). */
static void find_under(dcs_wim *w, const char *top, struct names *out)
{
    char sys[1024], cfg[1024], sp[1024];
    if (child_dir(w, top, "System32", sys, sizeof sys) &&
        child_dir(w, sys, "config", cfg, sizeof cfg)) {
        take_files(w, cfg, "DEFAULT", out);
        take_files(w, cfg, "SOFTWARE", out);
    }
    struct listing l;
    if (child_dir(w, top, "ServiceProfiles", sp, sizeof sp) && list_dir(w, sp, &l)) {
        for (size_t i = 0; i < l.dirs.n; i++)
            take_files(w, l.dirs.v[i], "NTUSER.DAT", out);
        names_free(&l.dirs);
        names_free(&l.files);
    }
    if (list_dir(w, top, &l))
        for (size_t i = 0; i < l.dirs.n; i++)
            take_files(w, l.dirs.v[i], "NTUSER.DAT", out);
    names_free(&l.dirs);
    names_free(&l.files);
}

dcs_status dcs_wim_extract_hives(dcs_wim *w, const char *dir, struct dcs_error *err)
{
    if (w->mount_dir)
        return dcs_error_set(err, DCS_ERR_INVALID_ARG, DCS_NO_OFFSET, "%s is mounted", w->path);
    struct listing root;
    struct names found = {0};
    if (!list_dir(w, "/", &root))
        return dcs_error_set(err, DCS_ERR_IO, DCS_NO_OFFSET, "cannot list image %d of %s",
                             w->image, w->path);
    for (size_t i = 0; i < root.dirs.n; i++)
        find_under(w, root.dirs.v[i], &found);
    names_free(&root.dirs);
    names_free(&root.files);
    dcs_status st = DCS_OK;
    if (found.nomem) {
        st = dcs_error_set(err, DCS_ERR_NOMEM, DCS_NO_OFFSET, "out of memory");
    } else if (found.n) {
        int rc = wimlib_extract_paths(w->wim, w->image, dir, (const char *const *)found.v,
                                      found.n, WIMLIB_EXTRACT_FLAG_NO_ACLS);
        if (rc)
            st = wim_fail(err, rc, "cannot extract the hives of", w->path);
    }
    names_free(&found);
    return st;
}

dcs_status dcs_wim_replace(dcs_wim *w, const char *dir, const char *const *paths, size_t n,
                           struct dcs_error *err)
{
    if (w->mount_dir)
        return dcs_error_set(err, DCS_ERR_INVALID_ARG, DCS_NO_OFFSET, "%s is mounted", w->path);
    struct wimlib_update_command *cmds = calloc(n ? n : 1, sizeof *cmds);
    char **bufs = calloc(n ? 2 * n : 1, sizeof *bufs);
    if (!cmds || !bufs) {
        free(cmds);
        free(bufs);
        return dcs_error_set(err, DCS_ERR_NOMEM, DCS_NO_OFFSET, "out of memory");
    }
    dcs_status st = DCS_OK;
    for (size_t i = 0; i < n && st == DCS_OK; i++) {
        size_t a = strlen(dir) + strlen(paths[i]) + 2, b = strlen(paths[i]) + 2;
        bufs[2 * i] = malloc(a);
        bufs[2 * i + 1] = malloc(b);
        if (!bufs[2 * i] || !bufs[2 * i + 1]) {
            st = dcs_error_set(err, DCS_ERR_NOMEM, DCS_NO_OFFSET, "out of memory");
            break;
        }
        snprintf(bufs[2 * i], a, "%s/%s", dir, paths[i]);
        snprintf(bufs[2 * i + 1], b, "/%s", paths[i]);
        cmds[i].op = WIMLIB_UPDATE_OP_ADD;
        cmds[i].add.fs_source_path = bufs[2 * i];
        cmds[i].add.wim_target_path = bufs[2 * i + 1];
    }
    if (st == DCS_OK && n) {
        int rc = wimlib_update_image(w->wim, w->image, cmds, n, 0);
        if (!rc)
            rc = wimlib_overwrite(w->wim, WIMLIB_WRITE_FLAG_FSYNC, 0);
        if (rc)
            st = wim_fail(err, rc, "cannot write the hives back into", w->path);
    }
    for (size_t i = 0; i < 2 * n; i++)
        free(bufs[i]);
    free(bufs);
    free(cmds);
    return st;
}

/* wimlib_mount_image runs FUSE, which daemonises by forking and ending the
 * calling process: so it runs in a child of ours, whose exit status tells
 * whether the mount is up (the FUSE daemon lives on as the grandchild until
 * the unmount). */
/* A folder beside the WIM for wimlib's staging folder (which must be on a
 * file system that can hold the changed files), so that the unmount can wait
 * for the FUSE daemon to have removed its staging folder. */
static char *make_staging(const char *wim_path)
{
    const char *slash = strrchr(wim_path, '/');
    size_t dl = slash ? (size_t)(slash - wim_path) : 1;
    char *t = malloc(dl + 24);
    if (!t)
        return NULL;
    snprintf(t, dl + 24, "%.*s/.dcs-wim-XXXXXX", (int)dl, slash ? wim_path : ".");
    if (!mkdtemp(t)) {
        free(t);
        return NULL;
    }
    return t;
}

/* wimlib_mount_image runs FUSE, which daemonises by forking and ending the
 * calling process: so it runs in a child of ours, whose exit status tells
 * whether the mount is up (the FUSE daemon lives on as the grandchild until
 * the unmount). */
dcs_status dcs_wim_mount(dcs_wim *w, const char *dir, struct dcs_error *err)
{
    if (w->mount_dir)
        return dcs_error_set(err, DCS_ERR_INVALID_ARG, DCS_NO_OFFSET, "%s is mounted", w->path);
    char *copy = strdup(dir), *staging = copy ? make_staging(w->path) : NULL;
    if (!copy || !staging) {
        free(copy);
        return dcs_error_set(err, copy ? DCS_ERR_IO : DCS_ERR_NOMEM, DCS_NO_OFFSET,
                             "cannot make a staging folder beside %s", w->path);
    }
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0)
        _exit(wimlib_mount_image(w->wim, w->image, dir, WIMLIB_MOUNT_FLAG_READWRITE, staging) &
              0x7F);
    int status = 0;
    while (pid > 0 && waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    int rc = pid < 0 ? WIMLIB_ERR_FUSE : WIFEXITED(status) ? WEXITSTATUS(status) : WIMLIB_ERR_FUSE;
    if (rc) {
        rmdir(staging);
        free(staging);
        free(copy);
        return wim_fail(err, rc, "cannot mount (FUSE) an image of", w->path);
    }
    w->mount_dir = copy;
    w->staging = staging;
    return DCS_OK;
}

/* Wait (up to 10 s) for the daemon to remove its staging folder inside
 * ours, then remove ours. */
static void drop_staging(dcs_wim *w)
{
    for (int i = 0; i < 1000 && rmdir(w->staging) != 0 && errno == ENOTEMPTY; i++)
        usleep(10000);
    free(w->staging);
    w->staging = NULL;
}

dcs_status dcs_wim_unmount(dcs_wim *w, bool commit, struct dcs_error *err)
{
    if (!w->mount_dir)
        return dcs_error_set(err, DCS_ERR_INVALID_ARG, DCS_NO_OFFSET, "%s is not mounted",
                             w->path);
    int rc = wimlib_unmount_image(w->mount_dir,
                                  commit ? WIMLIB_UNMOUNT_FLAG_COMMIT
                                         : 0);
    if (rc)
        return wim_fail(err, rc, commit ? "cannot commit and unmount" : "cannot unmount",
                        w->mount_dir);
    free(w->mount_dir);
    w->mount_dir = NULL;
    drop_staging(w);
    return DCS_OK;
}

#else /* no wimlib */

static dcs_status unsupported(struct dcs_error *err)
{
    return dcs_error_set(err, DCS_ERR_UNSUPPORTED, DCS_NO_OFFSET,
                         "WIM images need wimlib, which this build of dcs was made without "
                         "(install libwim-dev and rebuild)");
}

bool dcs_wim_supported(void)
{
    return false;
}
dcs_status dcs_wim_open(const char *spec, bool write, dcs_wim **out, struct dcs_error *err)
{
    return unsupported(err);
}
void dcs_wim_free(dcs_wim *w) {}
const char *dcs_wim_path(const dcs_wim *w)
{
    return NULL;
}
int dcs_wim_image(const dcs_wim *w)
{
    return 0;
}
dcs_status dcs_wim_extract_hives(dcs_wim *w, const char *dir, struct dcs_error *err)
{
    return unsupported(err);
}
dcs_status dcs_wim_replace(dcs_wim *w, const char *dir, const char *const *paths, size_t n,
                           struct dcs_error *err)
{
    return unsupported(err);
}
dcs_status dcs_wim_mount(dcs_wim *w, const char *dir, struct dcs_error *err)
{
    return unsupported(err);
}
dcs_status dcs_wim_unmount(dcs_wim *w, bool commit, struct dcs_error *err)
{
    return unsupported(err);
}
#endif
