/* dcs apply/show --wim (wim_run.h, apply_run.h).  Every change still goes
 * through the applier: the image is mounted (FUSE) or its hives extracted,
 * the normal apply runs on that folder, and the result is committed into
 * the WIM. */
#define _XOPEN_SOURCE 700 /* nftw */
#include "wim_run.h"

#include <errno.h>
#include <ftw.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "apply_run.h"
#include "cli.h"

bool wim_tmp_make(const char *cmd, char *dir, size_t size)
{
    const char *base = getenv("TMPDIR");
    snprintf(dir, size, "%s/dcs-wim-XXXXXX", base && *base ? base : "/tmp");
    if (mkdtemp(dir))
        return true;
    cli_errorf("%s: cannot make a temporary folder %s", cmd, dir);
    return false;
}

static int remove_one(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb;
    (void)flag;
    (void)ftw;
    (void)remove(path);
    return 0;
}

void wim_tmp_remove(const char *dir)
{
    (void)nftw(dir, remove_one, 16, FTW_DEPTH | FTW_PHYS);
}

#ifdef DCS_WIM_HELPER
/* The static dcs (meson.build, static_cli) cannot load wimlib: dcs-wim, the
 * same command linked dynamically, runs this command line instead, found
 * beside this program (a build tree) or where it is installed.  Nothing
 * was printed or written before this point.  Returns only on failure. */
static int run_helper(const char *cmd)
{
    char self[4096], path[4200];
    const char *helper = DCS_WIM_HELPER;
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    if (n > 0) {
        self[n] = '\0';
        char *slash = strrchr(self, '/');
        if (slash) {
            *slash = '\0';
            snprintf(path, sizeof path, "%s/dcs-wim", self);
            if (access(path, X_OK) == 0)
                helper = path;
        }
    }
    execv(helper, cli_argv);
    cli_errorf("%s: --wim: cannot run %s (this dcs is linked statically and reads WIM images "
               "through it): %s",
               cmd, helper, strerror(errno));
    return EXIT_BAD_INPUT;
}
#endif

static int wim_unsupported(const char *cmd)
{
#ifdef DCS_WIM_HELPER
    return run_helper(cmd);
#else
    cli_errorf("%s: --wim: this dcs was built without wimlib (meson -Dwim=enabled, with "
               "Debian's libwim-dev)",
               cmd);
    return EXIT_BAD_INPUT;
#endif
}

int wim_extract_to_tmp(const char *cmd, const char *spec, char *dir, size_t size)
{
    if (!dcs_wim_supported())
        return wim_unsupported(cmd);
    dcs_wim *w = NULL;
    struct dcs_error err;
    dcs_error_clear(&err);
    if (!wim_tmp_make(cmd, dir, size))
        return EXIT_BAD_INPUT;
    dcs_status st = dcs_wim_open(spec, false, &w, &err);
    if (st == DCS_OK)
        st = dcs_wim_extract_hives(w, dir, &err);
    dcs_wim_free(w);
    if (st == DCS_OK)
        return EXIT_OK;
    cli_report(cmd, &err);
    wim_tmp_remove(dir);
    return EXIT_BAD_INPUT;
}

/* ---- replace mode: which extracted files the apply replaced ---- */

struct file_id {
    char *rel;
    ino_t ino;
    struct timespec mtime;
};

static struct {
    struct file_id *files;
    size_t n, cap;
    size_t root_len;
} seen;

static int remember(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)ftw;
    if (flag != FTW_F || !S_ISREG(sb->st_mode))
        return 0;
    if (seen.n == seen.cap) {
        size_t ncap = seen.cap ? seen.cap * 2 : 32;
        struct file_id *nf = realloc(seen.files, ncap * sizeof *nf);
        if (!nf)
            return 1;
        seen.files = nf;
        seen.cap = ncap;
    }
    char *rel = strdup(path + seen.root_len + 1);
    if (!rel)
        return 1;
    seen.files[seen.n++] = (struct file_id){rel, sb->st_ino, sb->st_mtim};
    return 0;
}

static void forget(void)
{
    for (size_t i = 0; i < seen.n; i++)
        free(seen.files[i].rel);
    free(seen.files);
    memset(&seen, 0, sizeof seen);
}

/* The files whose inode or time changed since remember(): a hive commit
 * replaces its file by rename, so each changed hive is a new inode. */
static size_t changed_files(const char *dir, const char **out)
{
    size_t n = 0;
    for (size_t i = 0; i < seen.n; i++) {
        char path[4096];
        struct stat sb;
        snprintf(path, sizeof path, "%s/%s", dir, seen.files[i].rel);
        if (stat(path, &sb) != 0)
            continue;
        if (sb.st_ino != seen.files[i].ino || sb.st_mtim.tv_sec != seen.files[i].mtime.tv_sec ||
            sb.st_mtim.tv_nsec != seen.files[i].mtime.tv_nsec)
            out[n++] = seen.files[i].rel;
    }
    return n;
}

static int run_replace(const struct apply_opts *o, dcs_wim *w, const char *dir)
{
    struct dcs_error err;
    dcs_error_clear(&err);
    if (dcs_wim_extract_hives(w, dir, &err) != DCS_OK) {
        cli_report("apply", &err);
        return EXIT_BAD_INPUT;
    }
    seen.root_len = strlen(dir);
    if (nftw(dir, remember, 16, FTW_PHYS) != 0) {
        forget();
        cli_errorf("apply: out of memory");
        return EXIT_BAD_INPUT;
    }
    int rc = apply_run_at(o, dir);
    const char **paths = calloc(seen.n ? seen.n : 1, sizeof *paths);
    size_t n = paths && rc == EXIT_OK ? changed_files(dir, paths) : 0;
    if (rc == EXIT_OK && !paths)
        rc = EXIT_BAD_INPUT;
    if (n && dcs_wim_replace(w, dir, paths, n, &err) != DCS_OK) {
        cli_report("apply: the hives were applied but not put back into the WIM", &err);
        rc = EXIT_BAD_INPUT;
    } else if (n && !o->json) {
        printf("replaced %zu file%s in %s\n", n, n == 1 ? "" : "s", o->wim);
    }
    free(paths);
    forget();
    return rc;
}

static int run_mount(const struct apply_opts *o, dcs_wim *w, const char *dir)
{
    struct dcs_error err;
    dcs_error_clear(&err);
    if (dcs_wim_mount(w, dir, &err) != DCS_OK) {
        cli_report("apply", &err);
        cli_errorf("apply: without a FUSE mount, --wim-replace extracts the hives and puts "
                   "them back (their security descriptors, short names and attributes are "
                   "lost)");
        return EXIT_BAD_INPUT;
    }
    int rc = apply_run_at(o, dir);
    bool commit = rc == EXIT_OK && !o->dry_run && !o->check;
    if (dcs_wim_unmount(w, commit, &err) != DCS_OK) {
        cli_report("apply: the image could not be unmounted", &err);
        return EXIT_BAD_INPUT;
    }
    return rc;
}

/* Backups beside the WIM: a folder inside the image would be lost with the
 * temporary folder, or committed into the image. */
static char *backup_beside(const char *spec)
{
    char stamp[32];
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(stamp, sizeof stamp, "%Y%m%dT%H%M%SZ", &tm);
    size_t len = strlen(spec);
    const char *colon = strrchr(spec, ':');
    if (colon && colon[1] && strspn(colon + 1, "0123456789") == strlen(colon + 1))
        len = (size_t)(colon - spec);
    size_t need = len + sizeof ".dcs-backup-" + strlen(stamp);
    char *out = malloc(need);
    if (out)
        snprintf(out, need, "%.*s.dcs-backup-%s", (int)len, spec, stamp);
    return out;
}

int apply_run_wim(const struct apply_opts *o)
{
    if (!dcs_wim_supported())
        return wim_unsupported("apply");
    bool read_only = o->dry_run || o->check;
    struct apply_opts local = *o;
    char *backup = NULL;
    if (!read_only && !o->backup_dir && !(backup = backup_beside(o->wim))) {
        cli_errorf("apply: out of memory");
        return EXIT_BAD_INPUT;
    }
    if (backup)
        local.backup_dir = backup;
    char dir[512];
    if (!wim_tmp_make("apply", dir, sizeof dir)) {
        free(backup);
        return EXIT_BAD_INPUT;
    }
    dcs_wim *w = NULL;
    struct dcs_error err;
    dcs_error_clear(&err);
    int rc;
    if (dcs_wim_open(o->wim, !read_only, &w, &err) != DCS_OK) {
        cli_report("apply", &err);
        rc = EXIT_BAD_INPUT;
    } else if (read_only) {
        rc = dcs_wim_extract_hives(w, dir, &err) == DCS_OK ? apply_run_at(&local, dir)
                                                             : EXIT_BAD_INPUT;
        if (err.code != DCS_OK)
            cli_report("apply", &err);
    } else if (o->wim_replace) {
        cli_warnf("apply: --wim-replace: each changed hive is put back as a new file: its "
                  "security descriptor, short (8.3) name and attributes are lost");
        rc = run_replace(&local, w, dir);
    } else {
        rc = run_mount(&local, w, dir);
    }
    dcs_wim_free(w);
    wim_tmp_remove(dir);
    free(backup);
    return rc;
}
