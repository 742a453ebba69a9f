/* Finding the accounts' hive files in an offline Windows image (rules in
 * image.h). */
#include "apply/apply_internal.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/contain.h"
#include "core/text.h"
#include "hive/hive_internal.h"

/* The well-known service accounts. */
static const struct account {
    const char *sid;
    const char *name;
    const char *alias;       /* ".DEFAULT" or NULL */
    const char *rel_path;    /* the conventional hive path */
    const char *profile_dir; /* ProfileList folder, NULL for S-1-5-18 (not its hive) */
} accounts[] = {
    {"S-1-5-18", "LocalSystem", ".DEFAULT", "Windows/System32/config/DEFAULT", NULL},
    {"S-1-5-19", "LocalService", NULL, "Windows/ServiceProfiles/LocalService/NTUSER.DAT",
     "ServiceProfiles/LocalService"},
    {"S-1-5-20", "NetworkService", NULL, "Windows/ServiceProfiles/NetworkService/NTUSER.DAT",
     "ServiceProfiles/NetworkService"},
};

#define PROFILE_LIST "Microsoft\\Windows NT\\CurrentVersion\\ProfileList"

static const struct account *account_by_sid(const char *sid)
{
    for (size_t i = 0; sid && i < sizeof accounts / sizeof accounts[0]; i++)
        if (strcasecmp(sid, accounts[i].sid) == 0)
            return &accounts[i];
    return NULL;
}

const char *dcs_sid_account_name(const char *sid)
{
    const struct account *a = account_by_sid(sid);
    return a ? a->name : NULL;
}

bool dcs_sid_valid(const char *sid)
{
    if (!sid || (sid[0] != 'S' && sid[0] != 's') || sid[1] != '-')
        return false;
    const char *p = sid + 2;
    int parts = 0;
    for (;;) {
        if (!isdigit((unsigned char)*p))
            return false;
        while (isdigit((unsigned char)*p))
            p++;
        parts++;
        if (*p == '\0')
            return parts >= 2;
        if (*p != '-')
            return false;
        p++;
    }
}

/* What a resolved path must be (dcsi_image_path). */
static dcs_status check_kind(const dcs_image *img, const struct dcsi_beneath *w, const char *rel,
                             unsigned what, struct dcs_error *err)
{
    struct stat st;
    /* the lookup's own look at the name: mode 0 is a name it did not find,
     * unless the path named a directory as a whole (".") */
    if (w->mode)
        st.st_mode = w->mode;
    else if (strcmp(w->name, ".") != 0 ||
             fstatat(w->dirfd, w->name, &st, AT_SYMLINK_NOFOLLOW) != 0)
        return dcs_error_set(err, DCS_ERR_NOT_FOUND, DCS_NO_OFFSET, "no %s in %s", rel,
                             img->root);
    if ((what & DCSI_IMAGE_FILE) && !S_ISREG(st.st_mode))
        return dcs_error_set(err, DCS_ERR_NOT_FOUND, DCS_NO_OFFSET,
                             "%s in %s is not a regular file", rel, img->root);
    if ((what & DCSI_IMAGE_DIR) && !S_ISDIR(st.st_mode))
        return dcs_error_set(err, DCS_ERR_NOT_FOUND, DCS_NO_OFFSET,
                             "%s in %s is not a directory", rel, img->root);
    return DCS_OK;
}

dcs_status dcsi_image_path(const dcs_image *img, const char *rel, unsigned what, char **path,
                           struct dcs_error *err)
{
    struct dcsi_beneath w;
    unsigned opts = DCSI_BENEATH_CASE_INSENSITIVE | DCSI_BENEATH_IMAGE;
    *path = NULL;
    while (*rel == '/')
        rel++;
    /* "REL/." names the directory itself: made, with its parents, on MAKE */
    char *want = (what & DCSI_IMAGE_MAKE) ? dcsi_strdupf("%s/.", rel) : strdup(rel);
    if (!want)
        return dcs_error_set(err, DCS_ERR_NOMEM, DCS_NO_OFFSET, "out of memory");
    if (what & DCSI_IMAGE_MAKE)
        opts |= DCSI_BENEATH_MKDIRS;
    struct dcs_error e;
    dcs_status st = dcsi_resolve_beneath_in(img->rootfd, img->root_abs, want, opts, &w, &e);
    free(want);
    if (st == DCS_ERR_NOT_FOUND)
        st = dcs_error_set(err, DCS_ERR_NOT_FOUND, DCS_NO_OFFSET, "no %s in %s", rel, img->root);
    else if (st != DCS_OK) /* a link out of the image, a loop ... */
        st = dcs_error_set(err, st == DCS_ERR_NOMEM ? st : DCS_ERR_APPLY_OUTSIDE, DCS_NO_OFFSET,
                           "%s", e.message);
    if (st == DCS_OK)
        st = check_kind(img, &w, rel, what, err);
    if (st == DCS_OK) {
        size_t n = strlen(img->root);
        while (n > 1 && img->root[n - 1] == '/')
            n--;
        *path = strcmp(w.path, ".") == 0 ? dcsi_strdupf("%.*s", (int)n, img->root)
                                          : dcsi_strdupf("%.*s/%s", (int)n, img->root, w.path);
        if (!*path)
            st = dcs_error_set(err, DCS_ERR_NOMEM, DCS_NO_OFFSET, "out of memory");
    }
    dcsi_beneath_free(&w);
    return st;
}

/* True when rel has no empty, "." or ".." component: the path the pin
 * walks is then the one the kernel would name. */
static bool plain_rel(const char *rel)
{
    for (const char *c = rel;;) {
        size_t n = strcspn(c, "/");
        if (!n || (n == 1 && c[0] == '.') || (n == 2 && c[0] == '.' && c[1] == '.'))
            return false;
        if (!c[n])
            return true;
        c += n + 1;
    }
}

dcs_status dcsi_image_hive_open(const dcs_image *img, const char *path, unsigned flags,
                                dcs_hive **out, struct dcs_error *err)
{
    *out = NULL;
    size_t n = strlen(img->root);
    while (n > 1 && img->root[n - 1] == '/')
        n--;
    const char *rel = NULL;
    if (n == 1 && img->root[0] == '/' && path[0] == '/')
        rel = path + 1;
    else if (strncmp(path, img->root, n) == 0 && path[n] == '/')
        rel = path + n + 1;
    if (!rel) /* a hive named outside the image (an explicit SID=PATH) */
        return dcs_hive_open(path, flags, out, err);
    /* dcsi_image_path gave ROOT/PHYS with no link below the root: walked
     * again from the root's descriptor with no link followed, a directory
     * swapped for a link since is refused, never followed */
    struct dcsi_pin pin;
    dcs_status st = dcsi_dir_open_nofollow(img->rootfd, rel, &pin, err);
    if (st != DCS_OK) {
        dcsi_pin_free(&pin);
        return st;
    }
    /* the hive's absolute path: the root's, known since the open, and the
     * path walked beneath it; a path with "." or ".." in it (given with
     * --hive) is named as the kernel names its directory, as is any path
     * when the root's could not be told (path itself when neither can) */
    bool known = img->root_abs && plain_rel(rel);
    char *abs = known ? dcsi_strdupf("%s%s%s", img->root_abs,
                                     strcmp(img->root_abs, "/") == 0 ? "" : "/", rel)
                      : dcsi_pin_path(&pin);
    if (!abs && (known || errno == ENOMEM)) {
        dcsi_pin_free(&pin);
        return dcs_error_set(err, DCS_ERR_NOMEM, DCS_NO_OFFSET, "out of memory");
    }
    st = dcsi_hive_open_pinned(&pin, path, abs ? abs : path, flags, out, err);
    free(abs);
    return st;
}

/* True when rel is a file (dir: a directory) inside the image. */
static bool image_has(const dcs_image *img, const char *rel, bool dir)
{
    char *p = NULL;
    dcs_status st = dcsi_image_path(img, rel, dir ? DCSI_IMAGE_DIR : DCSI_IMAGE_FILE, &p, NULL);
    free(p);
    return st == DCS_OK;
}

/* What finding the Windows folder learnt: the root's entries (listed once)
 * and, for each folder TOP tried, TOP/System32/config/SOFTWARE's lookup,
 * which the image's SOFTWARE then is, not looked up again. */
struct probe {
    char *top;
    dcs_status st;
    char *path;            /* st DCS_OK */
    struct dcs_error err;  /* st not DCS_OK */
};

struct sysroot_find {
    char **names; /* the root's entries, "." ones aside */
    size_t n;
    bool listed;  /* false: the root could not be listed, every name is tried */
    struct probe *p;
    size_t np;
};

static void find_free(struct sysroot_find *f)
{
    for (size_t i = 0; i < f->n; i++)
        free(f->names[i]);
    free(f->names);
    for (size_t i = 0; i < f->np; i++) {
        free(f->p[i].top);
        free(f->p[i].path);
    }
    free(f->p);
}

static int root_entry(void *ctx, int dirfd, const char *name)
{
    struct sysroot_find *f = ctx;
    (void)dirfd;
    if (name[0] == '.')
        return 0;
    char **nn = realloc(f->names, (f->n + 1) * sizeof *nn);
    char *copy = nn ? strdup(name) : NULL;
    if (nn)
        f->names = nn;
    if (!copy) { /* short of memory: every name is tried, as unlisted */
        f->listed = false;
        return 1;
    }
    f->names[f->n++] = copy;
    return 0;
}

static void list_root(const dcs_image *img, struct sysroot_find *f)
{
    /* through the root's descriptor: the path given is not resolved again */
    f->listed = true;
    if (dcsi_list_at(img->rootfd, ".", root_entry, f) != 0)
        f->listed = false;
}

/* False when the root holds no entry that name would match (lookups are
 * case-insensitive): looking it up would only fail. */
static bool may_exist(const struct sysroot_find *f, const char *name)
{
    for (size_t i = 0; f->listed && i < f->n; i++)
        if (strcasecmp(f->names[i], name) == 0)
            return true;
    return !f->listed;
}

static const struct probe *probe_of(const struct sysroot_find *f, const char *top)
{
    for (size_t i = 0; i < f->np; i++)
        if (strcmp(f->p[i].top, top) == 0)
            return &f->p[i];
    return NULL;
}

/* TOP/System32/config/SOFTWARE looked up, once per TOP: true when found. */
static bool probe_software(const dcs_image *img, struct sysroot_find *f, const char *top)
{
    const struct probe *seen = probe_of(f, top);
    if (seen)
        return seen->st == DCS_OK;
    struct probe *np = realloc(f->p, (f->np + 1) * sizeof *np);
    char *rel = dcsi_strdupf("%s/System32/config/SOFTWARE", top);
    char *copy = strdup(top);
    if (np)
        f->p = np;
    if (!np || !rel || !copy) {
        free(rel);
        free(copy);
        return false;
    }
    struct probe *p = &f->p[f->np++];
    p->top = copy;
    p->path = NULL;
    p->st = dcsi_image_path(img, rel, DCSI_IMAGE_FILE, &p->path, &p->err);
    free(rel);
    return p->st == DCS_OK;
}

/* The Windows folder of the image: a top-level folder with
 * System32/config/SOFTWARE ("Windows" first, then "WINNT", then any), else
 * one with System32/config; NULL when there is none. */
static char *find_sysroot(const dcs_image *img, struct sysroot_find *f)
{
    static const char *const names[] = {"Windows", "WINNT"};
    list_root(img, f);
    for (size_t k = 0; k < 2; k++) {
        for (size_t i = 0; i < 2; i++) {
            if (!may_exist(f, names[i]))
                continue;
            char *rel = k ? dcsi_strdupf("%s/System32/config", names[i]) : NULL;
            bool hit = k ? rel && image_has(img, rel, true) : probe_software(img, f, names[i]);
            free(rel);
            if (hit)
                return strdup(names[i]);
        }
        for (size_t e = 0; e < f->n; e++) {
            const char *top = f->names[e];
            if (strcmp(top, names[0]) == 0 || strcmp(top, names[1]) == 0)
                continue; /* tried above, as spelt */
            char *rel = k ? dcsi_strdupf("%s/System32/config", top) : NULL;
            bool hit = k ? rel && image_has(img, rel, true) : probe_software(img, f, top);
            free(rel);
            if (hit)
                return strdup(top);
        }
    }
    return NULL;
}

/* A REG_SZ / REG_EXPAND_SZ value of an open hive as UTF-8 (malloc'd), or NULL. */
static char *read_text(dcs_hive *h, const char *key, const char *name)
{
    dcs_hive_key k;
    struct dcs_hive_value v;
    if (!h || dcs_hive_find_key(h, 0, key, &k, NULL) != DCS_OK ||
        dcs_hive_get_value(h, k, name, &v, NULL) != DCS_OK)
        return NULL;
    char *text = (v.type == DCS_REG_SZ || v.type == DCS_REG_EXPAND_SZ)
                     ? dcsi_utf16z_to_utf8(v.data, v.len)
                     : NULL;
    dcs_hive_value_free(&v);
    return text;
}

static char *image_relative(const dcs_image *img, const char *win_path);

/* SOFTWARE's own SystemRoot ("C:\Win") wins over the folder found first,
 * when it names another folder of the image that holds a SOFTWARE hive
 * (two installations on one volume). */
static void follow_system_root(dcs_image *img)
{
    dcs_hive *h = NULL;
    if (dcsi_image_hive_open(img, img->software, DCS_HIVE_READ, &h, NULL) != DCS_OK)
        return;
    char *text = read_text(h, "Microsoft\\Windows NT\\CurrentVersion", "SystemRoot");
    dcs_hive_close(h);
    char *rel = text && text[0] != '%' ? image_relative(img, text) : NULL;
    free(text);
    char *sw_rel = rel ? dcsi_strdupf("%s/System32/config/SOFTWARE", rel) : NULL;
    char *sw = NULL;
    if (sw_rel && dcsi_image_path(img, sw_rel, DCSI_IMAGE_FILE, &sw, NULL) == DCS_OK &&
        strcmp(sw, img->software) != 0) {
        free(img->software);
        free(img->sysroot);
        img->software = sw;
        img->sysroot = rel;
        rel = sw = NULL;
    }
    free(rel);
    free(sw_rel);
    free(sw);
}

dcs_status dcs_image_open(const char *root, dcs_image **out, struct dcs_error *err)
{
    dcs_image *img = calloc(1, sizeof *img);
    *out = NULL;
    if (!img || !(img->root = strdup(root))) {
        free(img);
        return dcs_error_set(err, DCS_ERR_NOMEM, DCS_NO_OFFSET, "out of memory");
    }
    img->rootfd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (img->rootfd < 0) {
        int e = errno;
        free(img->root);
        free(img);
        return dcs_error_set(err, e == ENOENT ? DCS_ERR_NOT_FOUND : DCS_ERR_IO, DCS_NO_OFFSET,
                             "cannot open the image %s: %s", root, strerror(e));
    }
    img->root_abs = dcsi_root_path(img->rootfd);
    struct sysroot_find f = {0};
    img->sysroot = find_sysroot(img, &f);
    if (!img->sysroot && !(img->sysroot = strdup("Windows"))) {
        find_free(&f);
        dcs_image_free(img);
        return dcs_error_set(err, DCS_ERR_NOMEM, DCS_NO_OFFSET, "out of memory");
    }
    /* SYSROOT/System32/config/SOFTWARE: the folder's probe says (a folder
     * not probed has no entry in the root) */
    struct probe *p = (struct probe *)probe_of(&f, img->sysroot);
    dcs_status st = DCS_OK;
    if (p && p->st == DCS_OK) {
        img->software = p->path;
        p->path = NULL;
    } else if (p && p->st != DCS_ERR_NOT_FOUND) {
        st = p->st;
        if (err)
            *err = p->err;
    } else if (!p && f.listed && !may_exist(&f, img->sysroot)) {
        st = DCS_ERR_NOT_FOUND;
    } else if (!p) { /* not probed (out of memory there): looked up now */
        char *rel = dcsi_strdupf("%s/System32/config/SOFTWARE", img->sysroot);
        st = rel ? dcsi_image_path(img, rel, DCSI_IMAGE_FILE, &img->software, err)
                 : dcs_error_set(err, DCS_ERR_NOMEM, DCS_NO_OFFSET, "out of memory");
        free(rel);
    }
    find_free(&f);
    if (st != DCS_OK && st != DCS_ERR_NOT_FOUND) {
        dcs_image_free(img);
        return st;
    }
    if (img->software)
        follow_system_root(img);
    *out = img;
    return DCS_OK;
}

void dcs_image_free(dcs_image *img)
{
    if (!img)
        return;
    dcs_hive_close(img->sw);
    if (img->rootfd >= 0)
        close(img->rootfd);
    free(img->root);
    free(img->root_abs);
    free(img->sysroot);
    free(img->software);
    free(img);
}

const char *dcs_image_root(const dcs_image *img)
{
    return img->root;
}

const char *dcs_image_software(const dcs_image *img)
{
    return img->software;
}

static dcs_hive *software(dcs_image *img)
{
    if (!img->sw_tried && img->software) {
        img->sw_tried = true;
        if (dcsi_image_hive_open(img, img->software, DCS_HIVE_READ, &img->sw, NULL) != DCS_OK)
            img->sw = NULL;
    }
    return img->sw;
}

char *dcsi_utf16z_to_utf8(const uint8_t *data, size_t len)
{
    size_t units = 0;
    while (units < len / 2 && (data[2 * units] | data[2 * units + 1]))
        units++;
    char *out = malloc(units * 3 + 1);
    if (!out)
        return NULL;
    out[dcsi_utf16le_to_utf8(data, units, out)] = '\0';
    return out;
}

/* "%SystemRoot%\ServiceProfiles\LocalService" -> "Windows/ServiceProfiles/LocalService"
 * relative to the image root ("C:\Users\x" -> "Users/x"). */
static char *image_relative(const dcs_image *img, const char *win_path)
{
    const char *p = win_path;
    const char *prefix = "";
    if (strncasecmp(p, "%SystemRoot%", 12) == 0 || strncasecmp(p, "%windir%", 8) == 0) {
        p = strchr(p + 1, '%') + 1;
        prefix = img->sysroot;
    } else if (strncasecmp(p, "%SystemDrive%", 13) == 0) {
        p += 13;
    } else if (isalpha((unsigned char)p[0]) && p[1] == ':') {
        p += 2;
    } else {
        return NULL;
    }
    char *out = dcsi_strdupf("%s%s", prefix, p);
    for (char *c = out; c && *c; c++)
        if (*c == '\\')
            *c = '/';
    /* "." and ".." are not followed (a crafted SOFTWARE climbing out of
     * the image): such an entry counts as none */
    for (const char *c = out; c && *c;) {
        size_t n = strcspn(c, "/");
        if ((n == 1 && c[0] == '.') || (n == 2 && c[0] == '.' && c[1] == '.')) {
            free(out);
            return NULL;
        }
        c += n + (c[n] == '/');
    }
    return out;
}

dcs_status dcsi_image_profile_hive(dcs_image *img, const char *sid, char **path,
                                   struct dcs_error *err)
{
    dcs_hive *sw = software(img);
    *path = NULL;
    if (!sw)
        return dcs_error_set(err, DCS_ERR_NOT_FOUND, DCS_NO_OFFSET, "no SOFTWARE hive");
    char key[256];
    snprintf(key, sizeof key, PROFILE_LIST "\\%s", sid);
    dcs_hive_key k;
    struct dcs_hive_value v;
    if (dcs_hive_find_key(sw, 0, key, &k, NULL) != DCS_OK ||
        dcs_hive_get_value(sw, k, "ProfileImagePath", &v, NULL) != DCS_OK)
        return dcs_error_set(err, DCS_ERR_NOT_FOUND, DCS_NO_OFFSET,
                             "%s: no ProfileImagePath in ProfileList", sid);
    char *text = (v.type == DCS_REG_SZ || v.type == DCS_REG_EXPAND_SZ)
                     ? dcsi_utf16z_to_utf8(v.data, v.len)
                     : NULL;
    dcs_hive_value_free(&v);
    char *rel = text ? image_relative(img, text) : NULL;
    free(text);
    char *hive_rel = rel ? dcsi_strdupf("%s/NTUSER.DAT", rel) : NULL;
    free(rel);
    if (!hive_rel)
        return dcs_error_set(err, DCS_ERR_NOT_FOUND, DCS_NO_OFFSET,
                             "%s: ProfileImagePath is not a path in the image", sid);
    dcs_status st = dcsi_image_path(img, hive_rel, DCSI_IMAGE_FILE, path, err);
    free(hive_rel);
    return st;
}

struct each_ctx {
    dcsi_sid_fn fn;
    void *ctx;
    dcs_status rc;
};

static int each_sid(void *ctx, const char *name, dcs_hive_key key)
{
    struct each_ctx *c = ctx;
    (void)key;
    if (dcs_sid_valid(name))
        c->rc = c->fn(c->ctx, name);
    return c->rc != DCS_OK;
}

bool dcsi_image_has_profile_list(dcs_image *img)
{
    dcs_hive *sw = software(img);
    dcs_hive_key k;
    return sw && dcs_hive_find_key(sw, 0, PROFILE_LIST, &k, NULL) == DCS_OK;
}

dcs_status dcsi_image_each_profile(dcs_image *img, dcsi_sid_fn fn, void *ctx)
{
    dcs_hive *sw = software(img);
    dcs_hive_key k;
    if (!sw || dcs_hive_find_key(sw, 0, PROFILE_LIST, &k, NULL) != DCS_OK)
        return DCS_OK;
    struct each_ctx c = {fn, ctx, DCS_OK};
    (void)dcs_hive_each_subkey(sw, k, each_sid, &c, NULL, NULL);
    return c.rc;
}

/* The hive path ProfileList gives, unless it is S-1-5-18's (not its hive):
 * NULL when none; a path leading out of the image is an error. */
static dcs_status listed_hive(dcs_image *img, const struct account *a, const char *sid,
                              char **path, struct dcs_error *err)
{
    *path = NULL;
    if (a && !a->profile_dir)
        return DCS_OK;
    dcs_status st = dcsi_image_profile_hive(img, sid, path, err);
    return st == DCS_ERR_NOT_FOUND ? DCS_OK : st;
}

/* A service account's conventional hive path under the image's SystemRoot
 * (the table's "Windows/" replaced by the folder found). */
static const char *account_rel(const dcs_image *img, const struct account *a, char *buf,
                               size_t size)
{
    snprintf(buf, size, "%s/%s", img->sysroot, a->rel_path + strlen("Windows/"));
    return buf;
}

/* The conventional path of a well-known account: NULL when none. */
static dcs_status conventional_hive(dcs_image *img, const struct account *a, char **path,
                                    struct dcs_error *err)
{
    *path = NULL;
    char rel[300];
    dcs_status st =
        a ? dcsi_image_path(img, account_rel(img, a, rel, sizeof rel), DCSI_IMAGE_FILE, path, err)
          : DCS_OK;
    return st == DCS_ERR_NOT_FOUND ? DCS_OK : st;
}

dcs_status dcs_image_locate(dcs_image *img, const char *sid, char **path, char **note,
                            struct dcs_error *err)
{
    const struct account *a = account_by_sid(sid);
    *path = NULL;
    if (note)
        *note = NULL;
    char rel[300];
    const char *rel_path = a ? account_rel(img, a, rel, sizeof rel) : NULL;
    char *conventional, *listed = NULL;
    struct dcs_error e;
    dcs_status st = conventional_hive(img, a, &conventional, &e);
    if (st == DCS_OK)
        st = listed_hive(img, a, sid, &listed, &e);
    if (st != DCS_OK) {
        free(conventional);
        if (st == DCS_ERR_NOMEM)
            return dcs_error_set(err, st, DCS_NO_OFFSET, "out of memory");
        if (a)
            return dcs_error_set(err, st, DCS_NO_OFFSET, "%s (%s): %s", a->name, sid, e.message);
        return dcs_error_set(err, st, DCS_NO_OFFSET, "%s: %s", sid, e.message);
    }
    if (listed && conventional && strcmp(listed, conventional) != 0) {
        if (note)
            *note = dcsi_strdupf("ProfileList points to %s, not %s; using ProfileList",
                                 dcs_image_shown(img, listed), rel_path);
        free(conventional);
        conventional = NULL;
    } else if (a && a->profile_dir && img->software && !listed && note) {
        *note = dcsi_strdupf("SOFTWARE's ProfileList does not confirm %s", rel_path);
    }
    *path = listed ? listed : conventional;
    if (listed && conventional)
        free(conventional);
    if (*path)
        return DCS_OK;
    if (a)
        return dcs_error_set(err, DCS_ERR_APPLY_TARGET, DCS_NO_OFFSET, "%s (%s): no %s in %s",
                             a->name, sid, rel_path, img->root);
    return dcs_error_set(err, DCS_ERR_APPLY_TARGET, DCS_NO_OFFSET,
                         "%s: no ProfileList entry with an existing NTUSER.DAT in %s", sid,
                         img->root);
}

const char *dcs_image_shown(const dcs_image *img, const char *path)
{
    const char *root = img->root;
    size_t n = strlen(root);
    while (n > 1 && root[n - 1] == '/')
        n--;
    if (strncmp(path, root, n) == 0 && path[n] == '/')
        return path + n + 1;
    return path;
}

void dcsi_image_label(char *buf, size_t size, const char *sid, const char *shown)
{
    const struct account *a = account_by_sid(sid);
    if (a && a->alias)
        snprintf(buf, size, "%s (%s, %s) %s", a->name, a->sid, a->alias, shown);
    else if (a)
        snprintf(buf, size, "%s (%s) %s", a->name, a->sid, shown);
    else if (sid)
        snprintf(buf, size, "user (%s) %s", sid, shown);
    else
        snprintf(buf, size, "%s", shown);
}

/* The Default profile's folder as SOFTWARE's ProfileList gives it: its
 * Default value (Vista and later), else ProfilesDirectory plus
 * DefaultUserProfile (XP: "Default User").  Relative, malloc'd, or NULL. */
static char *listed_default(dcs_image *img)
{
    dcs_hive *sw = software(img);
    char *def = read_text(sw, PROFILE_LIST, "Default");
    char *rel = def ? image_relative(img, def) : NULL;
    free(def);
    if (rel)
        return rel;
    char *dir = read_text(sw, PROFILE_LIST, "ProfilesDirectory");
    char *name = read_text(sw, PROFILE_LIST, "DefaultUserProfile");
    char *dir_rel = dir ? image_relative(img, dir) : NULL;
    if (dir_rel && (!name || (!strpbrk(name, "/\\") && strcmp(name, "..") != 0)))
        rel = dcsi_strdupf("%s/%s", dir_rel, name ? name : "Default");
    free(dir);
    free(name);
    free(dir_rel);
    return rel;
}

dcs_status dcs_image_default_profile(dcs_image *img, char **path, struct dcs_error *err)
{
    /* what ProfileList says, then Vista's and XP's folders */
    static const char *const rels[] = {"Users/Default", "Documents and Settings/Default User"};
    *path = NULL;
    char *listed = listed_default(img);
    dcs_status st = DCS_ERR_NOT_FOUND;
    for (size_t i = 0; st == DCS_ERR_NOT_FOUND && i <= sizeof rels / sizeof rels[0]; i++) {
        const char *dir = i ? rels[i - 1] : listed;
        char *rel = dir ? dcsi_strdupf("%s/NTUSER.DAT", dir) : NULL;
        if (rel)
            st = dcsi_image_path(img, rel, DCSI_IMAGE_FILE, path, err);
        free(rel);
    }
    free(listed);
    if (st == DCS_ERR_NOT_FOUND)
        return dcs_error_set(err, DCS_ERR_APPLY_TARGET, DCS_NO_OFFSET,
                             "Default profile: no Users/Default/NTUSER.DAT in %s", img->root);
    return st;
}

/* Folders of a profiles directory that are not users' profiles (XP kept
 * the service profiles there too). */
static bool not_a_user(const char *name)
{
    static const char *const skip[] = {"Default", "Default User", "All Users", "Public",
                                       "LocalService", "NetworkService"};
    if (name[0] == '.')
        return true;
    for (size_t i = 0; i < sizeof skip / sizeof skip[0]; i++)
        if (strcasecmp(name, skip[i]) == 0)
            return true;
    return false;
}

/* One TOP/NAME/NTUSER.DAT: fn with its path, or with the refusal when a
 * link leads it out of the image; nothing when there is none. */
static dcs_status user_dir(dcs_image *img, const char *top, const char *name,
                           dcsi_user_dir_fn fn, void *ctx)
{
    char *rel = dcsi_strdupf("%s/%s/NTUSER.DAT", top, name), *path = NULL;
    if (!rel)
        return DCS_ERR_NOMEM;
    struct dcs_error e;
    dcs_status st = dcsi_image_path(img, rel, DCSI_IMAGE_FILE, &path, &e);
    free(rel);
    if (st == DCS_OK)
        st = fn(ctx, name, path, NULL);
    else if (st == DCS_ERR_APPLY_OUTSIDE)
        st = fn(ctx, name, NULL, &e);
    else if (st == DCS_ERR_NOT_FOUND)
        st = DCS_OK;
    free(path);
    return st;
}

/* Users/ (Vista and later) and Documents and Settings/ (XP).  Links are
 * skipped: "Default User" and "All Users" are junctions (symbolic links on
 * a mounted NTFS volume) to Default and ProgramData, not profiles. */
dcs_status dcsi_image_each_user_dir(dcs_image *img, dcsi_user_dir_fn fn, void *ctx)
{
    static const char *const tops[] = {"Users", "Documents and Settings"};
    dcs_status st = DCS_OK;
    for (size_t t = 0; st == DCS_OK && t < sizeof tops / sizeof tops[0]; t++) {
        char *users = NULL;
        st = dcsi_image_path(img, tops[t], DCSI_IMAGE_DIR, &users, NULL);
        if (st == DCS_ERR_NOMEM)
            return st;
        st = DCS_OK;
        DIR *d = users ? opendir(users) : NULL;
        struct dirent *de;
        while (st == DCS_OK && d && (de = readdir(d)) != NULL) {
            struct stat sb;
            if (not_a_user(de->d_name) ||
                (fstatat(dirfd(d), de->d_name, &sb, AT_SYMLINK_NOFOLLOW) == 0 &&
                 S_ISLNK(sb.st_mode)))
                continue;
            st = user_dir(img, dcs_image_shown(img, users), de->d_name, fn, ctx);
        }
        if (d)
            closedir(d);
        free(users);
    }
    return st;
}
