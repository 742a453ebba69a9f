/* The journal of a multi-hive commit: names, text format, writing and
 * removing its copies (layout and states in hive/hive_internal.h).
 *
 * Text format, one copy (paths relative to the copy's directory, bytes
 * below 0x21, 0x7F and '%' written as %XX):
 *   dcs-journal 1
 *   id 0123456789abcdef0123456789abcdef
 *   state prepared                 (or "preparing", read from older dcs)
 *   hives N
 *   hive TOKEN DEV INO PATH        (N lines, DEV INO 0 0 until prepared)
 *   end
 */
#include "hive/hive_internal.h"
#include "core/lock_internal.h"
#include "core/fileio.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* ---- names ----------------------------------------------------------------- */

static char *concat(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    char *s = malloc(la + lb + 1);
    if (s) {
        memcpy(s, a, la); // NOLINT(bugprone-not-null-terminated-result): terminated after the copy
        memcpy(s + la, b, lb + 1);
    }
    return s;
}

static void random_bytes(uint8_t *out, size_t n)
{
    size_t got = 0;
    while (got < n) {
        ssize_t r = getrandom(out + got, n - got, GRND_NONBLOCK);
        if (r <= 0)
            break;
        got += (size_t)r;
    }
    if (got == n)
        return;
    /* no entropy yet (early boot): unique is all that is needed */
    static unsigned counter;
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    uint64_t x = (uint64_t)ts.tv_nsec ^ ((uint64_t)ts.tv_sec << 20) ^
                 ((uint64_t)getpid() << 40) ^ ++counter;
    for (size_t i = got; i < n; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        out[i] = (uint8_t)x;
    }
}

static void fill_entry_names(struct dcsi_jentry *e, struct dcs_error *err, dcs_status *rc)
{
    char suffix[8 + DCSI_TOKEN_LEN];
    snprintf(suffix, sizeof suffix, ".dcs-%s", e->token);
    e->tmp = concat(e->target, suffix);
    e->keep = e->tmp ? concat(e->tmp, ".old") : NULL;
    e->journal = concat(e->target, DCSI_JOURNAL_SUFFIX);
    e->journal_new = concat(e->target, DCSI_JOURNAL_NEW_SUFFIX);
    e->dir = dcsi_dirname(e->target);
    if (!e->tmp || !e->keep || !e->journal || !e->journal_new || !e->dir)
        *rc = dcs_error_set(err, DCS_ERR_NOMEM, DCS_NO_OFFSET, "out of memory");
}

static dcs_status alloc_entries(struct dcsi_journal *j, size_t n, struct dcs_error *err)
{
    memset(j, 0, sizeof *j);
    j->e = calloc(n ? n : 1, sizeof *j->e);
    j->fds = malloc((n ? n : 1) * sizeof *j->fds);
    if (!j->e || !j->fds) {
        free(j->e);
        free(j->fds);
        j->e = NULL;
        j->fds = NULL;
        return dcs_error_set(err, DCS_ERR_NOMEM, DCS_NO_OFFSET, "out of memory");
    }
    for (size_t i = 0; i < n; i++) {
        j->fds[i] = -1;
        j->e[i].dirfd = -1;
    }
    j->n = n;
    return DCS_OK;
}

dcs_status dcsi_journal_init(struct dcsi_journal *j, char *const *targets, const int *dirfds,
                             size_t n, struct dcs_error *err)
{
    static const char alnum[] = "abcdefghijklmnopqrstuvwxyz0123456789";
    dcs_status rc = alloc_entries(j, n, err);
    if (rc != DCS_OK)
        return rc;
    uint8_t id[16];
    random_bytes(id, sizeof id);
    for (size_t i = 0; i < sizeof id; i++)
        snprintf(j->id + 2 * i, 3, "%02x", id[i]);
    for (size_t i = 0; i < n && rc == DCS_OK; i++) {
        struct dcsi_jentry *e = &j->e[i];
        uint8_t r[DCSI_TOKEN_LEN];
        random_bytes(r, sizeof r);
        for (size_t k = 0; k < DCSI_TOKEN_LEN; k++)
            e->token[k] = alnum[r[k] % 36];
        e->target = strdup(targets[i]);
        e->dirfd = fcntl(dirfds[i], F_DUPFD_CLOEXEC, 0);
        if (e->dirfd < 0 && errno != ENOMEM)
            rc = dcs_error_set(err, DCS_ERR_IO, DCS_NO_OFFSET, "cannot keep the directory of %s: %s",
                               targets[i], strerror(errno));
        else if (!e->target || e->dirfd < 0)
            rc = dcs_error_set(err, DCS_ERR_NOMEM, DCS_NO_OFFSET, "out of memory");
        else
            fill_entry_names(e, err, &rc);
    }
    if (rc != DCS_OK)
        dcsi_journal_free(j);
    return rc;
}

void dcsi_journal_free(struct dcsi_journal *j)
{
    for (size_t i = 0; i < j->n; i++) {
        if (j->fds && j->fds[i] >= 0)
            close(j->fds[i]);
        free(j->e[i].target);
        free(j->e[i].tmp);
        free(j->e[i].keep);
        free(j->e[i].journal);
        free(j->e[i].journal_new);
        free(j->e[i].dir);
        free(j->e[i].rel);
        if (j->e[i].dirfd >= 0)
            close(j->e[i].dirfd);
    }
    free(j->e);
    free(j->fds);
    memset(j, 0, sizeof *j);
}

/* ---- text ------------------------------------------------------------------ */

/* The path of `to` relative to the directory `from` (both absolute). */
static char *relative_path(const char *from, const char *to)
{
    size_t common = 0, i = 0;
    /* longest common prefix that ends at a component boundary */
    for (; from[i] && from[i] == to[i]; i++)
        if (from[i] == '/')
            common = i + 1;
    if (!from[i] && to[i] == '/')
        common = i + 1;
    size_t ups = 0, flen = strlen(from);
    for (const char *p = from + (common < flen ? common : flen); *p;) {
        ups++;
        const char *slash = strchr(p, '/');
        p = slash ? slash + 1 : p + strlen(p);
    }
    size_t rest = strlen(to + common);
    char *s = malloc(3 * ups + rest + 1);
    if (!s)
        return NULL;
    for (size_t k = 0; k < ups; k++)
        memcpy(s + 3 * k, "../", 3); // NOLINT(bugprone-not-null-terminated-result): a prefix; terminated below
    memcpy(s + 3 * ups, to + common, rest + 1);
    return s;
}

struct text {
    char *p;
    size_t len, cap;
    bool nomem;
};

static void put(struct text *t, const char *s, size_t n)
{
    if (t->nomem)
        return;
    if (t->len + n + 1 > t->cap) {
        size_t cap = (t->len + n + 1) * 2;
        char *p = realloc(t->p, cap);
        if (!p) {
            t->nomem = true;
            return;
        }
        t->p = p;
        t->cap = cap;
    }
    memcpy(t->p + t->len, s, n);
    t->len += n;
    t->p[t->len] = '\0';
}

static void put_escaped(struct text *t, const char *s)
{
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c <= 0x20 || c == 0x7F || c == '%') {
            char hex[4];
            snprintf(hex, sizeof hex, "%%%02X", c);
            put(t, hex, 3);
        } else {
            put(t, s, 1);
        }
    }
}

/* The text of the copy beside hive `copy`. */
static char *format_copy(const struct dcsi_journal *j, size_t copy, size_t *len)
{
    struct text t = {0};
    char line[160];
    snprintf(line, sizeof line, "dcs-journal 1\nid %s\nstate %s\nhives %zu\n", j->id,
             j->prepared ? "prepared" : "preparing", j->n);
    put(&t, line, strlen(line));
    for (size_t i = 0; i < j->n; i++) {
        char *rel = relative_path(j->e[copy].dir, j->e[i].target);
        if (!rel) {
            t.nomem = true;
            break;
        }
        snprintf(line, sizeof line, "hive %s %" PRIu64 " %" PRIu64 " ", j->e[i].token,
                 j->e[i].dev, j->e[i].ino);
        put(&t, line, strlen(line));
        put_escaped(&t, rel);
        put(&t, "\n", 1);
        free(rel);
    }
    put(&t, "end\n", 4);
    if (t.nomem) {
        free(t.p);
        return NULL;
    }
    *len = t.len;
    return t.p;
}

/* ---- reading --------------------------------------------------------------- */

static int unhex(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    return -1;
}

/* Decode PATH in place; false on a bad escape or an empty / NUL result. */
static bool unescape(char *s)
{
    char *w = s;
    for (const char *r = s; *r; r++) {
        if (*r != '%') {
            *w++ = *r;
            continue;
        }
        int hi = unhex(r[1]), lo = hi < 0 ? -1 : unhex(r[2]);
        if (lo < 0 || (hi == 0 && lo == 0))
            return false;
        *w++ = (char)(hi << 4 | lo);
        r += 2;
    }
    *w = '\0';
    return w != s;
}

static bool token_ok(const char *t)
{
    if (strlen(t) != DCSI_TOKEN_LEN)
        return false;
    for (; *t; t++)
        if (!((*t >= 'a' && *t <= 'z') || (*t >= '0' && *t <= '9')))
            return false;
    return true;
}

/* The next line of text (NUL-terminated in place), or NULL at the end. */
static char *next_line(char **cur, char *end)
{
    if (*cur >= end)
        return NULL;
    char *line = *cur;
    char *nl = memchr(line, '\n', (size_t)(end - line));
    if (!nl)
        return NULL; /* every line ends with a newline */
    *nl = '\0';
    *cur = nl + 1;
    return line;
}

static dcs_status bad(struct dcs_error *err, const char *path, const char *what)
{
    return dcs_error_set(err, DCS_ERR_HIVE_JOURNAL, DCS_NO_OFFSET,
                         "%s is not a commit journal dcs can act on (%s); nothing was changed",
                         path, what);
}

/* One "hive TOKEN DEV INO PATH" line into entry e, PATH resolved against dir. */
static dcs_status parse_hive(char *line, const char *dir, struct dcsi_jentry *e,
                             const char *path, struct dcs_error *err)
{
    char token[32];
    uint64_t dev, ino;
    int used = 0;
    if (sscanf(line, "hive %31s %" SCNu64 " %" SCNu64 " %n", token, &dev, &ino, &used) != 3 || // NOLINT(cert-err34-c): dev and ino are compared, never used as sizes
        !used || !token_ok(token))
        return bad(err, path, "a malformed hive line");
    char *rel = line + used;
    if (strchr(rel, ' ') || !unescape(rel) || rel[0] == '/')
        return bad(err, path, "a malformed hive path");
    memcpy(e->token, token, DCSI_TOKEN_LEN + 1); // NOLINT(clang-analyzer-core.NonNullParamChecker): token is a local array
    e->dev = dev;
    e->ino = ino;
    e->rel = strdup(rel);
    if (!e->rel)
        return dcs_error_set(err, DCS_ERR_NOMEM, DCS_NO_OFFSET, "out of memory");
    size_t dl = strlen(dir);
    e->target = malloc(dl + strlen(rel) + 2);
    if (!e->target)
        return dcs_error_set(err, DCS_ERR_NOMEM, DCS_NO_OFFSET, "out of memory");
    sprintf(e->target, "%s%s%s", dir, dl && dir[dl - 1] == '/' ? "" : "/", rel);
    /* "dir/../../x" works, but messages name the file as the user knows it */
    char *real = realpath(e->target, NULL);
    if (real) {
        free(e->target);
        e->target = real;
    }
    dcs_status rc = DCS_OK;
    fill_entry_names(e, err, &rc);
    return rc;
}

static dcs_status parse_head(char **cur, char *end, const char *path, struct dcsi_journal *out,
                             size_t *n, struct dcs_error *err)
{
    char *l1 = next_line(cur, end), *l2 = next_line(cur, end), *l3 = next_line(cur, end),
         *l4 = next_line(cur, end);
    if (!l4 || strcmp(l1, "dcs-journal 1") != 0)
        return bad(err, path, "no dcs-journal 1 header");
    if (strncmp(l2, "id ", 3) != 0 || strlen(l2 + 3) != 32 ||
        strspn(l2 + 3, "0123456789abcdef") != 32)
        return bad(err, path, "a malformed id");
    memcpy(out->id, l2 + 3, 33);
    if (strcmp(l3, "state prepared") == 0)
        out->prepared = true;
    else if (strcmp(l3, "state preparing") != 0)
        return bad(err, path, "an unknown state");
    char *endp;
    if (strncmp(l4, "hives ", 6) != 0 || l4[6] < '1' || l4[6] > '9')
        return bad(err, path, "a malformed hive count");
    unsigned long v = strtoul(l4 + 6, &endp, 10);
    if (*endp || v > DCSI_JOURNAL_MAX_HIVES)
        return bad(err, path, "a malformed hive count");
    *n = v;
    return DCS_OK;
}

dcs_status dcsi_journal_parse(const char *text, size_t len, const char *path,
                              struct dcsi_journal *out, struct dcs_error *err)
{
    memset(out, 0, sizeof *out);
    char *buf = malloc(len + 1);
    char *dir = dcsi_dirname(path);
    if (!buf || !dir) {
        free(buf);
        free(dir);
        return dcs_error_set(err, DCS_ERR_NOMEM, DCS_NO_OFFSET, "out of memory");
    }
    memcpy(buf, text, len);
    buf[len] = '\0';
    char *cur = buf, *end = buf + len;
    size_t n = 0;
    struct dcsi_journal head = {0};
    dcs_status rc = memchr(buf, '\0', len) ? bad(err, path, "a NUL byte")
                                           : parse_head(&cur, end, path, &head, &n, err);
    if (rc == DCS_OK)
        rc = alloc_entries(out, n, err);
    if (rc == DCS_OK) {
        memcpy(out->id, head.id, sizeof out->id);
        out->prepared = head.prepared;
    }
    for (size_t i = 0; i < n && rc == DCS_OK; i++) {
        char *line = next_line(&cur, end);
        rc = line ? parse_hive(line, dir, &out->e[i], path, err)
                  : bad(err, path, "fewer hives than announced");
    }
    if (rc == DCS_OK) {
        char *last = next_line(&cur, end);
        if (!last || strcmp(last, "end") != 0 || cur != end)
            rc = bad(err, path, "no end line");
    }
    free(buf);
    free(dir);
    if (rc != DCS_OK && out->e)
        dcsi_journal_free(out);
    return rc;
}

dcs_status dcsi_journal_read_fd(int fd, const char *path, struct dcsi_journal *out,
                                struct dcs_error *err)
{
    char *buf = malloc(DCSI_JOURNAL_MAX_BYTES);
    if (!buf)
        return dcs_error_set(err, DCS_ERR_NOMEM, DCS_NO_OFFSET, "out of memory");
    size_t len = 0;
    for (;;) {
        ssize_t r = pread(fd, buf + len, DCSI_JOURNAL_MAX_BYTES - len, (off_t)len);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            dcs_status rc = dcs_error_set(err, DCS_ERR_IO, DCS_NO_OFFSET,
                                          "cannot read the commit journal %s: %s", path,
                                          strerror(errno));
            free(buf);
            return rc;
        }
        if (r == 0 || (len += (size_t)r) == DCSI_JOURNAL_MAX_BYTES)
            break;
    }
    dcs_status rc = len == DCSI_JOURNAL_MAX_BYTES ? bad(err, path, "larger than 256 KiB")
                                                  : dcsi_journal_parse(buf, len, path, out, err);
    free(buf);
    return rc;
}

/* ---- writing --------------------------------------------------------------- */

dcs_status dcsi_journal_sync_dirs(const struct dcsi_journal *j, struct dcs_error *err)
{
    return dcsi_journal_sync_dirs_with(j, NULL, NULL, 0, err);
}

dcs_status dcsi_journal_sync_dirs_with(const struct dcsi_journal *j, const int *more,
                                       const char *const *more_shown, size_t nmore,
                                       struct dcs_error *err)
{
    int fds[DCSI_JOURNAL_MAX_HIVES + DCSI_COMMIT_MAX_COMPANIONS];
    const char *shown[DCSI_JOURNAL_MAX_HIVES + DCSI_COMMIT_MAX_COMPANIONS];
    size_t n = 0;
    if (nmore > DCSI_COMMIT_MAX_COMPANIONS)
        return dcs_error_set(err, DCS_ERR_LIMIT, DCS_NO_OFFSET, "too many directories to fsync");
    for (size_t i = 0; i < j->n && n < DCSI_JOURNAL_MAX_HIVES; i++) {
        bool seen = false;
        for (size_t k = 0; k < i && !seen; k++)
            seen = strcmp(j->e[k].dir, j->e[i].dir) == 0;
        /* a directory gone (a journal's entry whose directory is missing)
         * holds nothing to make durable */
        if (!seen && j->e[i].dirfd >= 0) {
            fds[n] = j->e[i].dirfd;
            shown[n++] = j->e[i].dir;
        }
    }
    for (size_t k = 0; k < nmore; k++) {
        fds[n] = more[k];
        shown[n++] = more_shown[k];
    }
    return dcsi_fsync_dirs(fds, shown, n, err);
}

/* Create name (in the pinned directory dir) exclusively and lock it.  A
 * name left by a dead writer is removed first (it can be locked); a live
 * one (locked) makes this fail. */
static int create_locked(int dir, const char *name)
{
    for (int attempt = 0; attempt < 3; attempt++) {
        int fd = openat(dir, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
        if (fd < 0 && errno == EEXIST) {
            int old = dcsi_lock_openat(dir, name, 0, dcsi_now_ms());
            if (old >= 0) {
                (void)unlinkat(dir, name, 0);
                close(old);
            }
            continue;
        }
        if (fd < 0)
            return -1;
        struct stat a, b;
        if (flock(fd, LOCK_EX | LOCK_NB) == 0 && fstat(fd, &a) == 0 &&
            fstatat(dir, name, &b, AT_SYMLINK_NOFOLLOW) == 0 && a.st_ino == b.st_ino &&
            a.st_dev == b.st_dev)
            return fd;
        close(fd); /* someone removed it between create and lock: again */
    }
    errno = EEXIST;
    return -1;
}

/* Copy k written to NAME.dcs-journal.new, created locked: its descriptor
 * in *fd (not fsync'd yet). */
static dcs_status stage_copy(struct dcsi_journal *j, size_t k, int *fd, struct dcs_error *err)
{
    size_t len;
    char *text = format_copy(j, k, &len);
    const char *next = j->e[k].journal_new;
    if (!text)
        return dcs_error_set(err, DCS_ERR_NOMEM, DCS_NO_OFFSET, "out of memory");
    const char *what = "create";
    *fd = create_locked(j->e[k].dirfd, dcsi_basename(next));
    if (*fd >= 0) {
        what = "write";
        errno = dcsi_write_full(*fd, text, len); /* for the message below */
    }
    free(text);
    if (*fd >= 0 && errno == 0)
        return DCS_OK;
    int e = errno;
    if (*fd >= 0) {
        (void)unlinkat(j->e[k].dirfd, dcsi_basename(next), 0);
        close(*fd);
        *fd = -1;
    }
    return dcs_error_set(err, DCS_ERR_IO, DCS_NO_OFFSET, "cannot %s the commit journal %s: %s",
                         what, next, strerror(e));
}

/* The staged copies' names go, their descriptors close. */
static void unstage(struct dcsi_journal *j, int *fds)
{
    for (size_t k = 0; k < j->n; k++)
        if (fds[k] >= 0) {
            (void)unlinkat(j->e[k].dirfd, dcsi_basename(j->e[k].journal_new), 0);
            close(fds[k]);
            fds[k] = -1;
        }
}

/* Every staged copy and the caller's files fsync'd together: 0, or the
 * error naming the one that failed. */
static dcs_status sync_staged(const struct dcsi_journal *j, const int *staged, const int *sync,
                              const char *const *names, size_t nsync, struct dcs_error *err)
{
    int fds[DCSI_JOURNAL_MAX_HIVES + DCSI_JOURNAL_MAX_SYNC];
    size_t n = 0;
    for (size_t k = 0; k < j->n; k++)
        fds[n++] = staged[k];
    for (size_t i = 0; i < nsync && n < sizeof fds / sizeof fds[0]; i++)
        fds[n++] = sync[i];
    size_t failed;
    int e = dcsi_fsync_many(fds, n, false, &failed);
    if (!e)
        return DCS_OK;
    bool copy = failed < j->n;
    return dcs_error_set(err, DCS_ERR_IO, DCS_NO_OFFSET, "cannot fsync %s%s: %s",
                         copy ? "the commit journal " : "",
                         copy ? j->e[failed].journal_new : names[failed - j->n], strerror(e));
}

dcs_status dcsi_journal_write(struct dcsi_journal *j, const int *sync, const char *const *names,
                              size_t nsync, struct dcs_error *err)
{
    int staged[DCSI_JOURNAL_MAX_HIVES];
    for (size_t k = 0; k < j->n; k++)
        staged[k] = -1;
    if (j->n > DCSI_JOURNAL_MAX_HIVES || nsync > DCSI_JOURNAL_MAX_SYNC)
        return dcs_error_set(err, DCS_ERR_LIMIT, DCS_NO_OFFSET, "too many hives in one commit");
    dcs_status rc = DCS_OK;
    for (size_t k = 0; k < j->n && rc == DCS_OK; k++) {
        struct stat st;
        /* never replace the journal of another commit: it is what finishes
         * that one (the hive locks make this a can't-happen) */
        if (j->fds[k] < 0 &&
            fstatat(j->e[k].dirfd, dcsi_basename(j->e[k].journal), &st, AT_SYMLINK_NOFOLLOW) == 0)
            rc = dcs_error_set(err, DCS_ERR_HIVE_JOURNAL, DCS_NO_OFFSET,
                               "the commit journal %s of another commit is in the way",
                               j->e[k].journal);
        else
            rc = stage_copy(j, k, &staged[k], err);
    }
    /* no copy takes its name before every copy and every file it names
     * is on disk */
    if (rc == DCS_OK)
        rc = sync_staged(j, staged, sync, names, nsync, err);
    for (size_t k = 0; k < j->n && rc == DCS_OK; k++) {
        const struct dcsi_jentry *e = &j->e[k];
        if (renameat(e->dirfd, dcsi_basename(e->journal_new), e->dirfd,
                     dcsi_basename(e->journal)) != 0) {
            rc = dcs_error_set(err, DCS_ERR_IO, DCS_NO_OFFSET,
                               "cannot rename the commit journal %s: %s", e->journal_new,
                               strerror(errno));
            break;
        }
        if (j->fds[k] >= 0)
            close(j->fds[k]); /* the replaced copy: nobody can open it any more */
        j->fds[k] = staged[k];
        staged[k] = -1;
    }
    unstage(j, staged);
    return rc;
}

dcs_status dcsi_journal_remove(struct dcsi_journal *j, bool sync, struct dcs_error *err)
{
    dcs_status rc = DCS_OK;
    /* stop at the first failure: the copies left stay a prefix */
    for (size_t k = j->n; k-- > 0 && rc == DCS_OK;) {
        if (j->fds[k] >= 0 && unlinkat(j->e[k].dirfd, dcsi_basename(j->e[k].journal), 0) != 0 &&
            errno != ENOENT)
            rc = dcs_error_set(err, DCS_ERR_IO, DCS_NO_OFFSET,
                               "cannot remove the commit journal %s: %s", j->e[k].journal,
                               strerror(errno));
    }
    if (rc == DCS_OK && sync)
        rc = dcsi_journal_sync_dirs(j, err);
    for (size_t k = 0; k < j->n; k++) {
        if (j->fds[k] >= 0)
            close(j->fds[k]);
        j->fds[k] = -1;
    }
    return rc;
}
