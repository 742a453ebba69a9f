/* Locating account hives in an offline Windows image. */
#include "winimage.h"

#include <ctype.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

static const struct win_account accounts[] = {
    {"S-1-5-18", "LocalSystem", ".DEFAULT", "Windows/System32/config/DEFAULT", NULL},
    {"S-1-5-19", "LocalService", NULL, "Windows/ServiceProfiles/LocalService/NTUSER.DAT",
     "ServiceProfiles/LocalService"},
    {"S-1-5-20", "NetworkService", NULL, "Windows/ServiceProfiles/NetworkService/NTUSER.DAT",
     "ServiceProfiles/NetworkService"},
};

#define PROFILE_LIST "Microsoft\\Windows NT\\CurrentVersion\\ProfileList"

const struct win_account *win_account_by_sid(const char *sid)
{
    for (size_t i = 0; i < sizeof accounts / sizeof accounts[0]; i++)
        if (strcasecmp(sid, accounts[i].sid) == 0)
            return &accounts[i];
    return NULL;
}

bool win_sid_valid(const char *sid)
{
    if ((sid[0] != 'S' && sid[0] != 's') || sid[1] != '-')
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

char *win_resolve_ci(const char *dir, const char *rel)
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
        /* "." and ".." would match readdir's own entries: a path taken from
         * the image's ProfileList must not lead outside the image */
        if ((n == 1 && start[0] == '.') || (n == 2 && start[0] == '.' && start[1] == '.')) {
            free(cur);
            return NULL;
        }
        DIR *d = opendir(cur);
        if (!d) {
            free(cur);
            return NULL;
        }
        char found[256] = "";
        struct dirent *de;
        while ((de = readdir(d)) != NULL) {
            if (strlen(de->d_name) != n || strncasecmp(de->d_name, start, n) != 0)
                continue;
            if (!found[0] || strncmp(de->d_name, start, n) == 0)
                snprintf(found, sizeof found, "%s", de->d_name);
        }
        closedir(d);
        if (!found[0]) {
            free(cur);
            return NULL;
        }
        size_t len = strlen(cur);
        if (len && cur[len - 1] == '/')
            len--;
        cur[len] = '\0';
        strcat(cur, "/");
        strcat(cur, found);
    }
    return cur;
}

static bool is_file(const char *path)
{
    struct stat st;
    return path && stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

void win_image_init(struct win_image *img, const char *root)
{
    memset(img, 0, sizeof *img);
    img->root = strdup(root);
    img->software = win_resolve_ci(root, "Windows/System32/config/SOFTWARE");
    if (!is_file(img->software)) {
        free(img->software);
        img->software = NULL;
    }
}

void win_image_free(struct win_image *img)
{
    dcs_hive_close(img->sw);
    free(img->root);
    free(img->software);
    memset(img, 0, sizeof *img);
}

static dcs_hive *software(struct win_image *img)
{
    if (!img->sw_tried && img->software) {
        img->sw_tried = true;
        if (dcs_hive_open(img->software, DCS_HIVE_READ, &img->sw, NULL) != DCS_OK)
            img->sw = NULL;
    }
    return img->sw;
}

char *win_utf16_to_utf8(const uint8_t *data, size_t len)
{
    char *out = malloc(len / 2 * 3 + 1);
    size_t o = 0;
    if (!out)
        return NULL;
    for (size_t i = 0; i + 1 < len; i += 2) {
        uint32_t c = (uint32_t)data[i] | (uint32_t)data[i + 1] << 8;
        if (c == 0)
            break;
        if (c >= 0xD800 && c < 0xDC00 && i + 3 < len) {
            uint32_t lo = (uint32_t)data[i + 2] | (uint32_t)data[i + 3] << 8;
            if (lo >= 0xDC00 && lo < 0xE000) {
                c = 0x10000 + ((c - 0xD800) << 10) + (lo - 0xDC00);
                i += 2; /* 4 input bytes give 4 output bytes: within the bound */
            }
        }
        if (c < 0x80) {
            out[o++] = (char)c;
        } else if (c < 0x800) {
            out[o++] = (char)(0xC0 | c >> 6);
            out[o++] = (char)(0x80 | (c & 0x3F));
        } else if (c < 0x10000) {
            out[o++] = (char)(0xE0 | c >> 12);
            out[o++] = (char)(0x80 | ((c >> 6) & 0x3F));
            out[o++] = (char)(0x80 | (c & 0x3F));
        } else {
            out[o++] = (char)(0xF0 | c >> 18);
            out[o++] = (char)(0x80 | ((c >> 12) & 0x3F));
            out[o++] = (char)(0x80 | ((c >> 6) & 0x3F));
            out[o++] = (char)(0x80 | (c & 0x3F));
        }
    }
    out[o] = '\0';
    return out;
}

/* "%SystemRoot%\ServiceProfiles\LocalService" -> "Windows/ServiceProfiles/LocalService"
 * relative to the image root ("C:\Users\x" -> "Users/x"). */
static char *image_relative(const char *win_path)
{
    const char *p = win_path;
    const char *prefix = "";
    if (strncasecmp(p, "%SystemRoot%", 12) == 0 || strncasecmp(p, "%windir%", 8) == 0) {
        p = strchr(p + 1, '%') + 1;
        prefix = "Windows";
    } else if (strncasecmp(p, "%SystemDrive%", 13) == 0) {
        p += 13;
    } else if (isalpha((unsigned char)p[0]) && p[1] == ':') {
        p += 2;
    } else {
        return NULL;
    }
    size_t n = strlen(prefix) + strlen(p) + 2;
    char *out = malloc(n);
    if (!out)
        return NULL;
    snprintf(out, n, "%s%s", prefix, p);
    for (char *c = out; *c; c++)
        if (*c == '\\')
            *c = '/';
    return out;
}

char *win_image_profile_hive(struct win_image *img, const char *sid)
{
    dcs_hive *sw = software(img);
    if (!sw)
        return NULL;
    char key[256];
    snprintf(key, sizeof key, PROFILE_LIST "\\%s", sid);
    dcs_hive_key k;
    struct dcs_hive_value v;
    if (dcs_hive_find_key(sw, 0, key, &k, NULL) != DCS_OK ||
        dcs_hive_get_value(sw, k, "ProfileImagePath", &v, NULL) != DCS_OK)
        return NULL;
    char *text = (v.type == DCS_REG_SZ || v.type == DCS_REG_EXPAND_SZ)
                     ? win_utf16_to_utf8(v.data, v.len)
                     : NULL;
    dcs_hive_value_free(&v);
    char *rel = text ? image_relative(text) : NULL;
    free(text);
    if (!rel)
        return NULL;
    size_t n = strlen(rel) + 12;
    char *hive_rel = malloc(n);
    char *path = NULL;
    if (hive_rel) {
        snprintf(hive_rel, n, "%s/NTUSER.DAT", rel);
        path = win_resolve_ci(img->root, hive_rel);
    }
    free(rel);
    free(hive_rel);
    if (!is_file(path)) {
        free(path);
        return NULL;
    }
    return path;
}

struct each_ctx {
    win_sid_fn fn;
    void *ctx;
};

static int each_sid(void *ctx, const char *name, dcs_hive_key key)
{
    struct each_ctx *c = ctx;
    if (win_sid_valid(name))
        c->fn(c->ctx, name);
    return 0;
}

void win_image_each_profile(struct win_image *img, win_sid_fn fn, void *ctx)
{
    dcs_hive *sw = software(img);
    dcs_hive_key k;
    if (!sw || dcs_hive_find_key(sw, 0, PROFILE_LIST, &k, NULL) != DCS_OK)
        return;
    struct each_ctx c = {fn, ctx};
    (void)dcs_hive_each_subkey(sw, k, each_sid, &c, NULL, NULL);
}

dcs_status win_image_locate(struct win_image *img, const char *sid, char **path, char *note,
                            size_t notesz, struct dcs_error *err)
{
    const struct win_account *a = win_account_by_sid(sid);
    *path = NULL;
    if (note && notesz)
        note[0] = '\0';
    char *conventional = a ? win_resolve_ci(img->root, a->rel_path) : NULL;
    if (conventional && !is_file(conventional)) {
        free(conventional);
        conventional = NULL;
    }
    /* S-1-5-18's ProfileList folder (systemprofile) is not its hive */
    char *listed = a && !a->profile_dir ? NULL : win_image_profile_hive(img, sid);
    if (listed && conventional && strcmp(listed, conventional) != 0) {
        if (note)
            snprintf(note, notesz, "ProfileList points to %s, not %s; using ProfileList",
                     win_shown_path(img->root, listed), a->rel_path);
        free(conventional);
        conventional = NULL;
    } else if (a && a->profile_dir && img->software && !listed && note) {
        snprintf(note, notesz, "SOFTWARE's ProfileList does not confirm %s", a->rel_path);
    }
    *path = listed ? listed : conventional;
    if (listed && conventional)
        free(conventional);
    if (!*path) {
        if (a)
            return dcs_error_set(err, DCS_ERR_APPLY_TARGET, DCS_NO_OFFSET,
                                 "%s (%s): no %s in %s", a->name, sid, a->rel_path, img->root);
        return dcs_error_set(err, DCS_ERR_APPLY_TARGET, DCS_NO_OFFSET,
                             "%s: no ProfileList entry with an existing NTUSER.DAT in %s", sid,
                             img->root);
    }
    return DCS_OK;
}

const char *win_shown_path(const char *root, const char *path)
{
    size_t n = strlen(root);
    while (n > 1 && root[n - 1] == '/')
        n--;
    if (strncmp(path, root, n) == 0 && path[n] == '/')
        return path + n + 1;
    return path;
}

void win_label(char *buf, size_t size, const char *sid, const char *shown)
{
    const struct win_account *a = sid ? win_account_by_sid(sid) : NULL;
    if (a && a->alias)
        snprintf(buf, size, "%s (%s, %s) %s", a->name, a->sid, a->alias, shown);
    else if (a)
        snprintf(buf, size, "%s (%s) %s", a->name, a->sid, shown);
    else if (sid)
        snprintf(buf, size, "user (%s) %s", sid, shown);
    else
        snprintf(buf, size, "%s", shown);
}
