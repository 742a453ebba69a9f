/* File-level recovery: find NAME.LOG / .LOG1 / .LOG2 beside a hive (any
 * letter case), read them, replay (dcs/recover.h).  Reads only. */
#include <dcs/recover.h>
#include "hive/hive_internal.h"
#include "core/fileio.h"
#include "hive/recover_internal.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

static int log_role(const char *name, const char *base, size_t blen)
{
    static const char *const suffixes[DCS_RECOVER_NLOGS] = {".LOG", ".LOG1", ".LOG2"};
    if (strncasecmp(name, base, blen) != 0)
        return -1;
    for (int i = 0; i < DCS_RECOVER_NLOGS; i++)
        if (strcasecmp(name + blen, suffixes[i]) == 0)
            return i;
    return -1;
}

/* The logs of base in the directory at (AT_FDCWD: dir), named dir/NAME. */
static dcs_status scan_dir(int at, const char *dir, const char *base,
                           char paths[DCS_RECOVER_NLOGS][DCS_RECOVER_PATH_MAX],
                           enum dcs_recover_rule *rule, struct dcs_error *err)
{
    DIR *d = dcsi_opendir_at(at, dir);
    if (!d)
        return dcs_error_set(err, DCS_ERR_IO, DCS_NO_OFFSET,
                             "cannot list %s to look for transaction logs: %s", dir,
                             strerror(errno));
    size_t blen = strlen(base);
    dcs_status st = DCS_OK;
    struct dirent *de;
    while (st == DCS_OK && (de = readdir(d)) != NULL) {
        int role = log_role(de->d_name, base, blen);
        if (role < 0)
            continue;
        if (paths[role][0]) {
            *rule = DCS_RECOVER_RULE_AMBIGUOUS_LOGS;
            st = dcs_error_set(err, DCS_ERR_HIVE_REFUSED, DCS_NO_OFFSET,
                               "refused (%s): two files in %s are the log %s (letter case "
                               "differs): which one Windows would read is unknown",
                               dcs_recover_rule_name(*rule), dir, de->d_name);
            break;
        }
        int n = snprintf(paths[role], DCS_RECOVER_PATH_MAX, "%s/%s", dir, de->d_name);
        if (n < 0 || n >= DCS_RECOVER_PATH_MAX)
            st = dcs_error_set(err, DCS_ERR_LIMIT, DCS_NO_OFFSET, "log path too long in %s",
                               dir);
    }
    closedir(d);
    return st;
}

dcs_status dcs_recover_find_logs(const char *hive_path,
                                 char paths[DCS_RECOVER_NLOGS][DCS_RECOVER_PATH_MAX],
                                 enum dcs_recover_rule *rule, struct dcs_error *err)
{
    enum dcs_recover_rule scratch = DCS_RECOVER_RULE_NONE;
    rule = rule ? rule : &scratch;
    *rule = DCS_RECOVER_RULE_NONE;
    for (int i = 0; i < DCS_RECOVER_NLOGS; i++)
        paths[i][0] = '\0';
    /* through a symbolic link, the logs sit beside the link's target */
    char *real = realpath(hive_path, NULL);
    if (!real)
        return dcs_error_set(err, errno == ENOENT ? DCS_ERR_NOT_FOUND : DCS_ERR_IO,
                             DCS_NO_OFFSET, "cannot open %s: %s", hive_path, strerror(errno));
    char *dir = dcsi_dirname(real);
    if (!dir) {
        free(real);
        return dcs_error_set(err, DCS_ERR_NOMEM, DCS_NO_OFFSET, "out of memory");
    }
    const char *slash = strrchr(real, '/');
    dcs_status st = scan_dir(AT_FDCWD, dir, slash ? slash + 1 : real, paths, rule, err);
    free(dir);
    free(real);
    return st;
}

/* The whole of a regular file of at most DCS_RECOVER_FILE_MAX bytes: name
 * in the directory at (pinned: not followed; AT_FDCWD: a path), named path
 * in messages. */
static dcs_status read_whole(int at, const char *name, const char *path, uint8_t **data,
                             size_t *len, struct dcs_error *err)
{
    *data = NULL;
    *len = 0;
    int fd = openat(at, name, O_RDONLY | O_CLOEXEC | (at == AT_FDCWD ? 0 : O_NOFOLLOW));
    if (fd < 0)
        return dcs_error_set(err, errno == ENOENT ? DCS_ERR_NOT_FOUND : DCS_ERR_IO,
                             DCS_NO_OFFSET, "cannot open %s: %s", path, strerror(errno));
    struct stat st;
    dcs_status rc = DCS_OK;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode))
        rc = dcs_error_set(err, DCS_ERR_IO, DCS_NO_OFFSET, "%s is not a regular file", path);
    else if ((uint64_t)st.st_size > DCS_RECOVER_FILE_MAX)
        rc = dcs_error_set(err, DCS_ERR_LIMIT, DCS_NO_OFFSET,
                           "%s is larger than %llu bytes", path,
                           (unsigned long long)DCS_RECOVER_FILE_MAX);
    uint8_t *buf = rc == DCS_OK ? dcsi_rcv_alloc((size_t)st.st_size) : NULL;
    if (rc == DCS_OK && !buf)
        rc = dcs_error_set(err, DCS_ERR_NOMEM, DCS_NO_OFFSET, "out of memory");
    size_t got = 0; /* a file that shrank since fstat: what is there */
    int e = rc == DCS_OK ? dcsi_read_upto(fd, buf, (size_t)st.st_size, &got) : 0;
    if (e)
        rc = dcs_error_set(err, DCS_ERR_IO, DCS_NO_OFFSET, "cannot read %s: %s", path,
                           strerror(e));
    close(fd);
    if (rc != DCS_OK) {
        free(buf);
        return rc;
    }
    *data = buf;
    *len = got;
    return DCS_OK;
}

dcs_status dcs_recover_file(const char *hive_path, uint8_t **out, size_t *out_len,
                            struct dcs_recover_report *report, struct dcs_error *err)
{
    return dcsi_recover_file_at(AT_FDCWD, hive_path, hive_path, out, out_len, report, err);
}

dcs_status dcsi_recover_file_at(int at, const char *name, const char *hive_path, uint8_t **out,
                                size_t *out_len, struct dcs_recover_report *report,
                                struct dcs_error *err)
{
    struct dcs_recover_report scratch_rep = {0};
    struct dcs_recover_report *rep = report ? report : &scratch_rep;
    char (*paths)[DCS_RECOVER_PATH_MAX] = calloc(DCS_RECOVER_NLOGS, DCS_RECOVER_PATH_MAX);
    memset(rep, 0, sizeof *rep);
    *out = NULL;
    *out_len = 0;
    if (!paths)
        return dcs_error_set(err, DCS_ERR_NOMEM, DCS_NO_OFFSET, "out of memory");
    struct dcs_recover_input in = {0};
    uint8_t *primary = NULL, *logs[DCS_RECOVER_NLOGS] = {NULL};
    dcs_status st = DCS_OK;
    if (at == AT_FDCWD) {
        st = dcs_recover_find_logs(hive_path, paths, &rep->rule, err);
    } else {
        char *dir = dcsi_dirname(hive_path);
        for (int i = 0; i < DCS_RECOVER_NLOGS; i++)
            paths[i][0] = '\0';
        st = dir ? scan_dir(at, dir, name, paths, &rep->rule, err)
                 : dcs_error_set(err, DCS_ERR_NOMEM, DCS_NO_OFFSET, "out of memory");
        free(dir);
    }
    if (st == DCS_OK)
        st = read_whole(at, name, hive_path, &primary, &in.primary_len, err);
    for (int i = 0; st == DCS_OK && i < DCS_RECOVER_NLOGS; i++) {
        /* found through at: read there by name (paths are for the report) */
        if (paths[i][0])
            st = read_whole(at, at == AT_FDCWD ? paths[i] : dcsi_basename(paths[i]), paths[i],
                            &logs[i], &in.log_len[i], err);
        in.log[i] = logs[i];
    }
    in.primary = primary;
    if (st == DCS_OK)
        st = dcsi_recover_in_place(&in, &primary, in.primary_len, out_len, rep, err);
    else
        rep->state = DCS_RECOVER_REFUSED;
    if (st == DCS_OK) {
        *out = primary; /* the primary's buffer, replayed in place */
        primary = NULL;
    }
    for (int i = 0; i < DCS_RECOVER_NLOGS; i++) {
        memcpy(rep->logs[i].path, paths[i], DCS_RECOVER_PATH_MAX);
        free(logs[i]);
    }
    free(primary);
    free(paths);
    return st;
}

#if DCS_HAVE_HIVEX
/* Append src to dst[0..size) from *used on, cut to fit. */
static void cat_cut(char *dst, size_t size, size_t *used, const char *src)
{
    size_t n = strlen(src);
    if (n > size - 1 - *used)
        n = size - 1 - *used;
    memcpy(dst + *used, src, n);
    *used += n;
    dst[*used] = '\0';
}

/* Put why the logs cannot be replayed first (a cut keeps it): the dirty
 * reasons follow. */
static void prepend_reason(struct dcs_hive_state *s, const char *what, const char *why)
{
    char old[sizeof s->reason];
    size_t used = 0;
    memcpy(old, s->reason, sizeof old);
    cat_cut(s->reason, sizeof s->reason, &used, what);
    cat_cut(s->reason, sizeof s->reason, &used, why);
    if (old[0]) {
        cat_cut(s->reason, sizeof s->reason, &used, "; ");
        cat_cut(s->reason, sizeof s->reason, &used, old);
    }
}

/* The recovered image in an unlinked temporary file, for libhivex (which
 * opens by path) to read through /proc/self/fd. */
static dcs_status to_temp_file(const uint8_t *data, size_t len, int *fd, struct dcs_error *err)
{
    const char *tmp = getenv("TMPDIR");
    char path[4096];
    snprintf(path, sizeof path, "%s/dcs-recovered-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    int t = mkstemp(path);
    if (t < 0)
        return dcs_error_set(err, DCS_ERR_IO, DCS_NO_OFFSET,
                             "cannot create a temporary file for the recovered hive: %s",
                             strerror(errno));
    unlink(path);
    (void)fcntl(t, F_SETFD, FD_CLOEXEC);
    int e = dcsi_write_full(t, data, len);
    if (e) {
        close(t);
        return dcs_error_set(err, DCS_ERR_IO, DCS_NO_OFFSET,
                             "cannot write the recovered hive to a temporary file: %s",
                             strerror(e));
    }
    *fd = t;
    return DCS_OK;
}

dcs_status dcsi_hive_recover_open(struct dcs_hive *h, int *fd, struct dcs_error *err)
{
    *fd = -1;
    struct dcs_recover_report *rep = malloc(sizeof *rep);
    if (!rep)
        return dcs_error_set(err, DCS_ERR_NOMEM, DCS_NO_OFFSET, "out of memory");
    struct dcs_error rerr;
    uint8_t *out = NULL;
    size_t len = 0;
    dcs_status st = dcsi_recover_file_at(h->at.dirfd, h->at.name, h->path, &out, &len, rep,
                                         &rerr);
    if (st == DCS_ERR_NOMEM) {
        free(rep);
        return dcs_error_set(err, st, DCS_NO_OFFSET, "out of memory");
    }
    if (st != DCS_OK) {
        /* the stale primary is read, as without replay; the reason says why */
        prepend_reason(&h->state, "its logs cannot be replayed: ", rerr.message);
        st = DCS_OK;
    } else if (rep->state == DCS_RECOVER_CLEAN) {
        /* clean by its base block: Windows reads it as it is, logs ignored */
        h->state.recovered = true;
    } else {
        st = to_temp_file(out, len, fd, err);
        h->state.recovered = st == DCS_OK;
        h->state.recovered_entries = rep->entries_applied;
    }
    free(out);
    free(rep);
    return st;
}
#endif
