/* Internal to the apply room: the applier object, its targets, the image.
 * Cross-file helpers carry the private prefix dcsi_. */
#ifndef DCS_APPLY_INTERNAL_H
#define DCS_APPLY_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <dcs/apply.h>
#include <dcs/image.h>
#include <dcs/lock.h>
#include <dcs/regio.h>
#include <dcs/regwrite.h>

#include "core/fileio.h"

struct dcs_image {
    char *root;
    int rootfd;     /* the root, open: every lookup is contained beneath it */
    char *root_abs; /* its absolute path, asked of the kernel once at open (NULL:
                       it could not tell): the hives' paths, links' texts */
    char *sysroot;  /* SystemRoot relative to root: "Windows", or what SOFTWARE says */
    char *software; /* SYSROOT/System32/config/SOFTWARE, or NULL */
    dcs_hive *sw;   /* opened read-only on first use */
    bool sw_tried;
};

struct dcs_apply_target {
    char sid[96];       /* "" for the machine hive */
    char *path;         /* the hive file, NULL when none was found */
    char shown[512];    /* path as shown */
    char label[700];
    char note[400];     /* remark from locating it, or "" */
    char tag[96];       /* names a hive without a SID in backups and .reg roots:
                           "DefaultProfile", a Users/ folder name; "" otherwise */
    enum dcs_image_kind kind;
    bool machine;       /* the SOFTWARE hive (kind DCS_IMAGE_MACHINE) ... */
    unsigned what;      /* ... and what its plan covers: DCS_PLAN_* */
    dcs_hive *hive;
    bool writable;      /* hive opened for writing, its lock held */
    struct dcs_apply_snapshot snap;
    bool have_snap;
    struct dcs_apply_plan plan;
    bool planned;
    enum dcs_apply_target_state state;
    struct dcs_error err;
    char *backup[3];    /* enum dcs_apply_backup; NULL until written */
};

struct dcs_applier {
    unsigned flags;
    dcs_warn_fn warn;
    void *warn_ctx;
    /* the source: the bytes and strings its views point into */
    bool have_source;
    struct dcs_apply_source src;
    uint8_t *blob, *saved;
    size_t blob_len, saved_len;
    char *proxy, *bypass, *pac;
    char *origin;
    struct dcs_apply_options opt;
    char **connections; /* the copied names behind opt.connections */
    /* the targets */
    dcs_image *img;
    char *img_root;     /* the image as given (its lock's path) */
    dcs_lock *img_lock; /* the image's lock: taken before the first hive is
                           opened for writing, held until free */
    char **pair_sid, **pair_path; /* explicit SID=hive pairs */
    size_t npairs;
    struct dcs_apply_target **t; /* pointers: a view stays put while targets are added */
    size_t n;
    char *backup_dir;
    uint64_t time; /* dcs_applier_set_time (0: the clock) */
    bool planned, backed_up;
};

/* -- shared helpers (applier.c) */
/* A warning through the applier's callback, formatted like dcs_error_set. */
void dcsi_apply_warn(const struct dcs_applier *a, dcs_status code, const char *fmt, ...)
    DCS_PRINTF(3, 4);
/* malloc'd copy of the printf result; NULL when out of memory. */
/* The directory part of path into out ("." without a slash). */
void dcsi_parent_dir(const char *path, char *out, size_t size);
/* What a live machine is assumed to hold, for the plans of a .reg,
 * Registry.xml or batch file: its values are unknown, so every value is
 * set, and the plain values the settings do not use (ProxyServer,
 * ProxyOverride, AutoConfigURL; none with no_plain_values) are deleted. */
struct dcs_apply_current dcsi_live_current(const dcs_applier *a);

/* -- sources (apply_source.c, apply_source_reg.c) */
/* Replace the applier's source bytes (copied) and origin. */
dcs_status dcsi_apply_set_copy(struct dcs_applier *a, const uint8_t *blob, size_t blob_len,
                               const uint8_t *saved, size_t saved_len, char *origin,
                               struct dcs_error *err);
void dcsi_apply_source_clear(struct dcs_applier *a);

/* -- targets (apply_target.c, apply_places.c) */
/* A new target at the end of a->t (zeroed); NULL when out of memory. */
struct dcs_apply_target *dcsi_new_target(dcs_applier *a, struct dcs_error *err);
/* t->path = path (copied) and t->shown relative to the image. */
dcs_status dcsi_target_set_path(const dcs_applier *a, struct dcs_apply_target *t,
                                const char *path, struct dcs_error *err);
/* Open t and read its values; on failure sets t->state and t->err.  write:
 * for writing (the hive's lock held, a dirty hive refused unless forced or
 * recovered); else a writer's first look, without the lock (a dirty hive is
 * opened for writing at once), or a read-only applier's open. */
bool dcsi_target_open(dcs_applier *a, struct dcs_apply_target *t, bool write);
/* Drop t's hive (and its lock), snapshot and plan; t stays a target. */
void dcsi_target_close(struct dcs_apply_target *t);
/* The image's lock, once (a writer with an image; else nothing to do). */
dcs_status dcsi_lock_image(dcs_applier *a, struct dcs_error *err);
void dcsi_target_free(struct dcs_apply_target *t);
/* Two targets that are one file: the later one becomes an error. */
void dcsi_targets_refuse_shared(struct dcs_applier *a);

/* -- backups (apply_backup.c, apply_reg_write.c) */
/* The commit of an applier, with the files another step needs durable
 * before its first rename (NULL: none; hive/hive_internal.h). */
struct dcsi_commit_companions;
typedef dcs_status (*dcsi_commit_fn)(struct dcs_applier *a,
                                     const struct dcsi_commit_companions *with,
                                     struct dcs_error *err);
/* The backups of every target whose plan changes (a->t[i]->backup[])
 * written (a->backed_up set), then commit(a, them, err), which makes them
 * durable with the hives (each file and each backup directory fsync'd
 * once, before any hive is replaced): its status.  Files not yet published
 * when commit fails are removed here; the published ones are the caller's
 * (dcsi_backup_remove). */
dcs_status dcsi_backup_commit(struct dcs_applier *a, dcsi_commit_fn commit,
                              struct dcs_error *err);
/* dcs_apply_execute, its commit with companions (dcsi_hive_commit_with). */
dcs_status dcsi_apply_execute_with(dcs_hive *const *hives,
                                   const struct dcs_apply_plan *const *plans, size_t n,
                                   const struct dcsi_commit_companions *with,
                                   struct dcs_error *err);
/* A run that failed: remove the backup files this run wrote for t (hive
 * copy, log copies, .reg files; an undo file for a change that never
 * happened misleads) and the default backup directory when it is empty. */
void dcsi_backup_remove(const struct dcs_applier *a, struct dcs_apply_target *t);
/* After a forced write of a dirty hive: remove the logs whose changes were
 * discarded (their copies are in the backup), with a warning each. */
void dcsi_drop_pending_logs(const struct dcs_applier *a, const struct dcs_apply_target *t);

/* The undo .reg of t's plan (old data back, created values deleted) and
 * t's Connections key before the edits (DCS_ERR_NOT_FOUND: the hive has no
 * such key), as .reg text written to fd (the caller makes it durable);
 * shown names the file in messages. */
dcs_status dcsi_write_undo_reg(const struct dcs_apply_target *t, int fd, const char *shown,
                               struct dcs_error *err);
dcs_status dcsi_write_connections_reg(const struct dcs_apply_target *t, int fd,
                                      const char *shown, struct dcs_error *err);
/* The .reg root a target is mounted at on a live machine. */
void dcsi_target_reg_root(const struct dcs_apply_target *t, char *root, size_t n);
/* Open a .reg file for writing (regedit format, atomic replace) / finish it:
 * committed when st is DCS_OK, else abandoned; returns the final status. */
dcs_status dcsi_reg_file_open(const char *path, struct dcs_reg_writer **w,
                              struct dcs_reg_sink **sink, struct dcs_error *err);
dcs_status dcsi_reg_file_close(struct dcs_reg_writer *w, struct dcs_reg_sink *sink,
                               dcs_status st, struct dcs_error *err);
/* Write the steps of a plan under root ("HKEY_USERS\S-1-5-18"): the new
 * data, or (undo) the old; all: unchanged steps too. */
dcs_status dcsi_reg_write_plan(struct dcs_reg_writer *w, const char *root,
                               const struct dcs_apply_plan *p, bool undo, bool all,
                               struct dcs_error *err);

/* -- image (image.c) */
/* The one lookup of everything found through an image (hives, the
 * directories of their logs, temporaries and journals, ProfileList paths,
 * backups): rel resolved beneath the root as core/contain.h describes with
 * DCSI_BENEATH_IMAGE (links followed while they stay inside; an in-image
 * absolute link, as an NTFS junction of a mounted image reads, works),
 * names matched case-insensitively.  *path is ROOT/PHYS with no symbolic
 * link below the root, so the files the hive engine opens next to it stay
 * in the image.  what: DCSI_IMAGE_FILE (a regular file), DCSI_IMAGE_DIR (a
 * directory), | DCSI_IMAGE_MAKE (the directory and its parents made when
 * missing).  DCS_ERR_NOT_FOUND "no REL in ROOT"; a link leading out of the
 * image (or a loop) DCS_ERR_APPLY_OUTSIDE "REL: the symbolic link LINK
 * leads outside ROOT (to TEXT)". */
#define DCSI_IMAGE_FILE 0x1u
#define DCSI_IMAGE_DIR 0x2u
#define DCSI_IMAGE_MAKE 0x4u
dcs_status dcsi_image_path(const dcs_image *img, const char *rel, unsigned what, char **path,
                           struct dcs_error *err);
/* dcs_hive_open of a path dcsi_image_path gave: its directory is walked
 * from the image root's descriptor with no symbolic link followed (one
 * swapped in since the lookup: DCS_ERR_APPLY_OUTSIDE), and the hive engine
 * then works only through that directory's descriptor.  A path outside the
 * image is opened as dcs_hive_open does. */
dcs_status dcsi_image_hive_open(const dcs_image *img, const char *path, unsigned flags,
                                dcs_hive **out, struct dcs_error *err);
/* The ProfileImagePath of sid as a hive path in the image (malloc'd):
 * DCS_ERR_NOT_FOUND when there is none, else as dcsi_image_path. */
dcs_status dcsi_image_profile_hive(dcs_image *img, const char *sid, char **path,
                                   struct dcs_error *err);
/* Call fn for each valid SID under ProfileList (SOFTWARE present). */
typedef dcs_status (*dcsi_sid_fn)(void *ctx, const char *sid);
dcs_status dcsi_image_each_profile(dcs_image *img, dcsi_sid_fn fn, void *ctx);
/* Call fn for each Users/<name>/NTUSER.DAT (and XP's Documents and
 * Settings/<name>) but the Default profile, other special folders and links
 * (for an image without SOFTWARE): with its path, or with hive NULL and why
 * when a link leads it out of the image (DCS_ERR_APPLY_OUTSIDE). */
typedef dcs_status (*dcsi_user_dir_fn)(void *ctx, const char *name, const char *hive,
                                       const struct dcs_error *refused);
dcs_status dcsi_image_each_user_dir(dcs_image *img, dcsi_user_dir_fn fn, void *ctx);
/* True when SOFTWARE is there, readable, and has a ProfileList key. */
bool dcsi_image_has_profile_list(dcs_image *img);
/* "LocalSystem (S-1-5-18, .DEFAULT) SHOWN", "user (SID) SHOWN" or SHOWN. */
void dcsi_image_label(char *buf, size_t size, const char *sid, const char *shown);
/* UTF-16LE (up to a NUL unit) to a malloc'd UTF-8 string. */
char *dcsi_utf16z_to_utf8(const uint8_t *data, size_t len);

#endif
