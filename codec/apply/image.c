/* Finding the accounts' hive files in an offline Windows image (rules in
 * image.h). */
#include "apply/apply_internal.h"

#include <ctype.h>
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "core/text.h"

/* The well-known service accounts. */
static const struct account {
    const char *sid;
    const char *name;
    const char *alias;       /* ".DEFAULT" or NULL */
    const char *rel_path;    /* the conventional hive path under SystemRoot */
    const char *profile_dir; /* ProfileList folder, NULL for S-1-5-18 (not its hive) */
} accounts[] = {
    {"S-1-5-18", "LocalSystem", ".DEFAULT", "System32/config/DEFAULT", NULL},
    {"S-1-5-19", "LocalService", NULL, "ServiceProfiles/LocalService/NTUSER.DAT",
     "ServiceProfiles/LocalService"},
    {"S-1-5-20", "NetworkService", NULL, "ServiceProfiles/NetworkService/NTUSER.DAT",
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

/* The entry of directory cur named like start[0..n), exact spelling first. */
static bool find_entry(const char *cur, const char *start, size_t n, char *found, size_t size)
{
    DIR *d = opendir(cur);
    if (!d)
        return false;
    found[0] = '\0';
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        if (strlen(de->d_name) != n || strncasecmp(de->d_name, start, n) != 0)
            continue;
        if (!found[0] || strncmp(de->d_name, start, n) == 0)
            snprintf(found, size, "%s", de->d_name);
    }
    closedir(d);
    return found[0] != '\0';
}

char *dcsi_resolve_ci(const char *dir, const char *rel)
{
    size_t cap = strlen(dir) + strlen(rel) + 2;
    char *cur = malloc(cap);
    if (!cur)
        return NULL;
    snprintf(cur, cap, "%s", dir);
    const char *p = rel;
    while (*p) {
        while (*p == '/')
            p++;
        const char *start = p;
        while (*p && *p != '/')
            p++;
        size_t n = (size_t)(p - start);
        if (!n)
            break;
        char found[256];
        /* "." and ".." would match readdir's own entries: a path taken from
         * the image's ProfileList must not lead outside the image */
        if ((n == 1 && start[0] == '.') || (n == 2 && start[0] == '.' && start[1] == '.') ||
            n >= sizeof found || !find_entry(cur, start, n, found, sizeof found)) {
            free(cur);
            return NULL;
        }
        size_t len = strlen(cur);
        if (len && cur[len - 1] == '/')
            len--;
        /* found has n bytes, the length of the component: within cap */
        cur[len] = '/';
        memcpy(cur + len + 1, found, n + 1);
    }
    return cur;
}

bool dcsi_is_file(const char *path)
{
    struct stat st;
    return path && stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

static bool is_dir(const char *path)
{
    struct stat st;
    return path && stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* The Windows folder of the image: a top-level folder with
 * System32/config/SOFTWARE ("Windows" first, then "WINNT", then any), else
 * one with System32/config; NULL when there is none. */
static char *find_sysroot(const char *root)
{
    static const char *const names[] = {"Windows", "WINNT"};
    static const char *const inside[] = {"System32/config/SOFTWARE", "System32/config"};
    for (size_t k = 0; k < 2; k++) {
        for (size_t i = 0; i < 2; i++) {
            char *rel = dcsi_strdupf("%s/%s", names[i], inside[k]);
            char *p = rel ? dcsi_resolve_ci(root, rel) : NULL;
            bool hit = p && (k ? is_dir(p) : dcsi_is_file(p));
            free(rel);
            free(p);
            if (hit)
                return strdup(names[i]);
        }
        DIR *d = opendir(root);
        struct dirent *de;
        char *found = NULL;
        while (!found && d && (de = readdir(d)) != NULL) {
            if (de->d_name[0] == '.')
                continue;
            char *rel = dcsi_strdupf("%s/%s", de->d_name, inside[k]);
            char *p = rel ? dcsi_resolve_ci(root, rel) : NULL;
            if (p && (k ? is_dir(p) : dcsi_is_file(p)))
                found = strdup(de->d_name);
            free(rel);
            free(p);
        }
        if (d)
            closedir(d);
        if (found)
            return found;
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
 * (two Windows installations on one volume). */
static void follow_system_root(dcs_image *img)
{
    dcs_hive *h = NULL;
    if (dcs_hive_open(img->software, DCS_HIVE_READ, &h, NULL) != DCS_OK)
        return;
    char *text = read_text(h, "Microsoft\\Windows NT\\CurrentVersion", "SystemRoot");
    dcs_hive_close(h);
    char *rel = text && text[0] != '%' ? image_relative(img, text) : NULL;
    free(text);
    char *sw_rel = rel ? dcsi_strdupf("%s/System32/config/SOFTWARE", rel) : NULL;
    char *sw = sw_rel ? dcsi_resolve_ci(img->root, sw_rel) : NULL;
    if (dcsi_is_file(sw) && strcmp(sw, img->software) != 0) {
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
    img->sysroot = find_sysroot(root);
    if (!img->sysroot && !(img->sysroot = strdup("Windows"))) {
        dcs_image_free(img);
        return dcs_error_set(err, DCS_ERR_NOMEM, DCS_NO_OFFSET, "out of memory");
    }
    char *rel = dcsi_strdupf("%s/System32/config/SOFTWARE", img->sysroot);
    img->software = rel ? dcsi_resolve_ci(root, rel) : NULL;
    free(rel);
    if (!dcsi_is_file(img->software)) {
        free(img->software);
        img->software = NULL;
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
    free(img->root);
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
        if (dcs_hive_open(img->software, DCS_HIVE_READ, &img->sw, NULL) != DCS_OK)
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
 * relative to the image root (SystemRoot as found), "C:\Users\x" -> "Users/x". */
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
    return out;
}

char *dcsi_image_profile_hive(dcs_image *img, const char *sid)
{
    dcs_hive *sw = software(img);
    if (!sw)
        return NULL;
    char key[256];
    snprintf(key, sizeof key, PROFILE_LIST "\\%s", sid);
    char *text = read_text(sw, key, "ProfileImagePath");
    char *rel = text ? image_relative(img, text) : NULL;
    free(text);
    char *hive_rel = rel ? dcsi_strdupf("%s/NTUSER.DAT", rel) : NULL;
    char *path = hive_rel ? dcsi_resolve_ci(img->root, hive_rel) : NULL;
    free(rel);
    free(hive_rel);
    if (!dcsi_is_file(path)) {
        free(path);
        return NULL;
    }
    return path;
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

/* A service account's conventional hive path, under the image's SystemRoot. */
static const char *conventional_rel(const dcs_image *img, const struct account *a, char *buf,
                                    size_t size)
{
    snprintf(buf, size, "%s/%s", img->sysroot, a->rel_path);
    return buf;
}

/* The hive path ProfileList gives, unless it is S-1-5-18's (not its hive). */
static char *listed_hive(dcs_image *img, const struct account *a, const char *sid)
{
    return a && !a->profile_dir ? NULL : dcsi_image_profile_hive(img, sid);
}

dcs_status dcs_image_locate(dcs_image *img, const char *sid, char **path, char **note,
                            struct dcs_error *err)
{
    const struct account *a = account_by_sid(sid);
    *path = NULL;
    if (note)
        *note = NULL;
    char rel_buf[300];
    const char *rel_path = a ? conventional_rel(img, a, rel_buf, sizeof rel_buf) : NULL;
    char *conventional = a ? dcsi_resolve_ci(img->root, rel_path) : NULL;
    if (conventional && !dcsi_is_file(conventional)) {
        free(conventional);
        conventional = NULL;
    }
    char *listed = listed_hive(img, a, sid);
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
    if (dir_rel && (!name || !strpbrk(name, "/\\")))
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
    for (size_t i = 0; i <= sizeof rels / sizeof rels[0]; i++) {
        const char *dir = i ? rels[i - 1] : listed;
        char *rel = dir ? dcsi_strdupf("%s/NTUSER.DAT", dir) : NULL;
        char *p = rel ? dcsi_resolve_ci(img->root, rel) : NULL;
        free(rel);
        if (dcsi_is_file(p)) {
            free(listed);
            *path = p;
            return DCS_OK;
        }
        free(p);
    }
    free(listed);
    return dcs_error_set(err, DCS_ERR_APPLY_TARGET, DCS_NO_OFFSET,
                         "Default profile: no Users/Default/NTUSER.DAT in %s", img->root);
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

/* Users/ (Vista and later) and Documents and Settings/ (XP).  Links are
 * skipped: "Default User" and "All Users" are junctions (symbolic links on
 * a mounted NTFS volume) to Default and ProgramData, not profiles. */
dcs_status dcsi_image_each_user_dir(dcs_image *img, dcsi_user_dir_fn fn, void *ctx)
{
    static const char *const tops[] = {"Users", "Documents and Settings"};
    dcs_status st = DCS_OK;
    for (size_t t = 0; st == DCS_OK && t < sizeof tops / sizeof tops[0]; t++) {
        char *users = dcsi_resolve_ci(img->root, tops[t]);
        DIR *d = users ? opendir(users) : NULL;
        struct dirent *de;
        while (st == DCS_OK && d && (de = readdir(d)) != NULL) {
            struct stat sb;
            if (not_a_user(de->d_name) ||
                (fstatat(dirfd(d), de->d_name, &sb, AT_SYMLINK_NOFOLLOW) == 0 &&
                 S_ISLNK(sb.st_mode)))
                continue;
            char rel[600];
            snprintf(rel, sizeof rel, "%s/NTUSER.DAT", de->d_name);
            char *path = dcsi_resolve_ci(users, rel);
            if (dcsi_is_file(path))
                st = fn(ctx, de->d_name, path);
            free(path);
        }
        if (d)
            closedir(d);
        free(users);
    }
    return st;
}
