/* dcs — offline registry hives: base-block checks, dirty detection, dcs's
 * own regf reader and writer (codec/hive/regf_*.c, built to Maxim Suhanov's
 * "Windows registry file format specification", CC BY 4.0, copied in
 * spec/regf/), and an all-or-nothing commit of several hives at once.
 *
 * Base block (the first 4096 bytes of a hive file, "regf"):
 *   0x000 "regf"            0x004 primary sequence    0x008 secondary sequence
 *   0x00C last written      0x014 major version (1)   0x018 minor version (2..6)
 *   0x01C file type (0 = primary; 1, 2, 6 = transaction log)
 *   0x020 file format (1)   0x024 root cell offset    0x028 hive-bins data size
 *   0x1FC checksum: XOR of the 127 DWORDs at 0x000..0x1FB; a result of
 *         0xFFFFFFFF is stored as 0xFFFFFFFE and 0 as 1.
 *
 * Dirty rule (dcs_hive_inspect):
 *   A hive is dirty when its two sequence numbers differ (a write to the
 *   primary file was started and not finished), or when a transaction log
 *   beside it (NAME.LOG, NAME.LOG1, NAME.LOG2, any letter case) still holds
 *   changes the primary does not reflect:
 *   - a log that is empty, shorter than one base block, or does not start
 *     with "regf" holds nothing Windows could replay: ignored;
 *   - new-format log (type 6): its log entries ("HvLE", from offset 512) are
 *     walked; the log is pending when some structurally valid entry has a
 *     sequence number >= the primary's secondary sequence number.  Windows
 *     bumps the primary's sequence numbers past the entries it has flushed,
 *     so an already-applied log (older entries) is not pending;
 *   - old-format log (type 1 or 2): pending when its base block's sequence
 *     number is greater than the primary's secondary sequence number and a
 *     "DIRT" dirty vector with at least one set bit follows at offset 512;
 *   - a log that starts with "regf" but whose base block fails its checksum
 *     or has another type cannot be judged: it counts as pending (safe side),
 *     and so does a log that cannot be read (not a regular file, unreadable,
 *     larger than 256 MiB) and every log beyond the first six (names
 *     compared without case, so a directory can hold more).
 *   Entry hashes (Marvin32) are not verified, so a torn entry still counts.
 *
 * The engine reads the file once (its base block and hive bins) and checks
 * every offset, size and count before use; a bad cell is reported as
 * DCS_ERR_HIVE_CORRUPT with its file offset.  The first edit through a
 * handle runs a full check of the hive (every cell reached once: no
 * cycles, no shared lists) and a hive that fails it is not edited.  Edits
 * are kept per key in memory and each edited key's value list and subkey
 * list are written once, at commit; subkey lists in Windows order with lh
 * hashes (lf before version 1.5), split under an ri list past 507 entries;
 * values over 16,344 bytes as big data; new keys share their parent's
 * security cell; freed cells are reused and coalesced; cells not edited
 * are kept byte for byte.  Versions 1.3 to 1.6 are read; differencing
 * (layered) hives are refused.  Key paths are backslash-separated,
 * relative to the hive root ("Software\\Microsoft"; a leading backslash is
 * allowed, "" is the root); key and value names are UTF-8 and match
 * case-insensitively with Windows' upper-case mapping.  The value name ""
 * is the key's default value.
 */
#ifndef DCS_HIVE_H
#define DCS_HIVE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <dcs/error.h>
#include <dcs/regread.h>

#ifdef __cplusplus
extern "C" {
#endif

#define DCS_HIVE_BASE_BLOCK_SIZE 4096u
#define DCS_HIVE_CHECKSUM_OFFSET 0x1FCu

#define DCS_HIVE_TYPE_PRIMARY 0u
#define DCS_HIVE_TYPE_LOG_OLD1 1u
#define DCS_HIVE_TYPE_LOG_OLD2 2u
#define DCS_HIVE_TYPE_LOG_NEW 6u

/* Registry value types: DCS_REG_SZ, DCS_REG_BINARY, ... from regread.h. */

/* Base block fields. */
struct dcs_hive_header {
    uint32_t seq1;           /* primary sequence number */
    uint32_t seq2;           /* secondary sequence number */
    uint64_t last_written;   /* FILETIME */
    uint32_t major, minor;
    uint32_t type;           /* DCS_HIVE_TYPE_* */
    uint32_t format;
    uint32_t root_offset;
    uint32_t hbins_size;     /* bytes of hive bins after the base block */
    uint32_t checksum;       /* as stored */
    uint32_t checksum_calc;  /* as computed */
};

/* Checksum of a 512-byte base-block prefix, with Windows' special cases. */
DCS_API uint32_t dcs_hive_checksum(const uint8_t block[512]);

/* Parse the base block of a primary hive file of file_size bytes, given its
 * first min(file_size, 4096) bytes.  Checks, in this order: signature,
 * base-block length, checksum, major version 1 / minor 2..6, file type 0,
 * format 1, hive-bins size (non-zero, multiple of 4096, within the file).
 * The sequence numbers are reported, not judged (see dcs_hive_inspect).
 * Errors: DCS_ERR_HIVE_SIGNATURE, _TRUNCATED, _CHECKSUM, _VERSION, _TYPE,
 * _CORRUPT, each with the offset of the offending field. */
DCS_API dcs_status dcs_hive_parse_header(const uint8_t *data, size_t len, uint64_t file_size,
                                 struct dcs_hive_header *out, struct dcs_error *err);

enum dcs_hive_log_state {
    DCS_HIVE_LOG_EMPTY = 0,   /* nothing to replay (empty, zeroed, no regf) */
    DCS_HIVE_LOG_APPLIED,     /* readable; every entry already in the primary */
    DCS_HIVE_LOG_PENDING,     /* holds changes the primary lacks */
    DCS_HIVE_LOG_UNREADABLE   /* regf header we cannot trust: counted as pending */
};

/* What dcs_hive_inspect found: an opaque handle read through the
 * dcs_hive_state_* accessors, so how many logs and how long a reason it can
 * hold are not part of the ABI. */
typedef struct dcs_hive_state dcs_hive_state;

/* One transaction log beside the hive.  name is a view into the state and
 * lives as long as it. */
struct dcs_hive_log {
    const char *name;              /* file name as found in the directory */
    enum dcs_hive_log_state state;
    uint32_t type;                 /* base block type, 0 when no regf */
    uint32_t seq;                  /* highest sequence number seen */
    uint64_t size;
};

DCS_API const struct dcs_hive_header *dcs_hive_state_header(const dcs_hive_state *s);
DCS_API uint64_t dcs_hive_state_file_size(const dcs_hive_state *s);
DCS_API bool dcs_hive_state_dirty(const dcs_hive_state *s);
/* Why the hive is dirty, "" when it is clean.  Valid as long as s. */
DCS_API const char *dcs_hive_state_reason(const dcs_hive_state *s);
/* DCS_HIVE_RECOVER: the handle reads the hive with its transaction logs
 * replayed in memory (dcs/recover.h); the file is still dirty on disk. */
DCS_API bool dcs_hive_state_recovered(const dcs_hive_state *s);
DCS_API uint32_t dcs_hive_state_recovered_entries(const dcs_hive_state *s);
/* The logs found, sorted by name; log(i) for i >= count is all zero with
 * name "". */
DCS_API size_t dcs_hive_state_log_count(const dcs_hive_state *s);
DCS_API struct dcs_hive_log dcs_hive_state_log(const dcs_hive_state *s, size_t i);

/* Judge one transaction log (its bytes) against the primary's header. */
DCS_API enum dcs_hive_log_state dcs_hive_judge_log(const uint8_t *data, size_t len,
                                           const struct dcs_hive_header *primary,
                                           uint32_t *type, uint32_t *seq);

/* Read the base block of path, check it (dcs_hive_parse_header), find its
 * logs and decide whether it is dirty (rule above).  A dirty hive is not an
 * error here: dcs_hive_state_dirty() and _reason() say so.  *out is NULL on
 * error; release it with dcs_hive_state_free(). */
DCS_API dcs_status dcs_hive_inspect(const char *path, dcs_hive_state **out, struct dcs_error *err);
DCS_API void dcs_hive_state_free(dcs_hive_state *s);

/* ---- reading and editing ------------------------------------------------ */

/* True (the engine is always built in; kept for callers of older versions). */
DCS_API bool dcs_hive_supported(void);

typedef struct dcs_hive dcs_hive;
typedef size_t dcs_hive_key; /* 0 = none */

#define DCS_HIVE_READ 0x0u
#define DCS_HIVE_WRITE 0x1u  /* edits allowed; refuses a dirty hive ... */
#define DCS_HIVE_FORCE 0x2u  /* ... unless this is set too */
#define DCS_HIVE_RECOVER 0x4u /* replay a dirty hive's logs in memory first
                                 (dcs_hive_state_recovered; the file is untouched until a
                                 commit).  When they cannot be replayed, a read
                                 sees the stale primary, a write is refused as
                                 dirty, and dcs_hive_state_reason says why */

/* Inspect, then read the hive (dcs's own regf engine).  With DCS_HIVE_WRITE a dirty hive is
 * refused with DCS_ERR_HIVE_DIRTY unless DCS_HIVE_FORCE is given, or
 * DCS_HIVE_RECOVER replayed its logs.  *out is NULL on error.
 *
 * Before anything else, an interrupted commit that involved this hive is
 * finished or undone (dcs_hive_recover; what was done goes to the warning
 * handler of error.h).  With DCS_HIVE_WRITE the hive's lock (lock.h) is
 * taken first and held until dcs_hive_close, waiting at most
 * dcs_lock_wait() for another process: DCS_ERR_HIVE_LOCKED. */
DCS_API dcs_status dcs_hive_open(const char *path, unsigned flags, dcs_hive **out,
                         struct dcs_error *err);
DCS_API void dcs_hive_close(dcs_hive *h);

/* Check every cell reachable from the root (key and value lists, values,
 * data and big-data cells, class names, security cells) as the first edit
 * does before it changes anything: DCS_ERR_HIVE_CORRUPT with the offset of
 * the first bad cell.  A caller that must not start what it cannot finish
 * (the applier, before planning) asks here; on a write handle the check is
 * done once and kept for the edits that follow. */
DCS_API dcs_status dcs_hive_check(dcs_hive *h, struct dcs_error *err);

/* The file the handle works on: the opened path with symbolic links
 * resolved (realpath), so a commit replaces the link's target and the
 * transaction logs are looked for beside it. */
DCS_API const char *dcs_hive_path(const dcs_hive *h);
/* The state the handle was opened with; owned by h. */
DCS_API const dcs_hive_state *dcs_hive_get_state(const dcs_hive *h);
/* True once any edit has been made through this handle. */
DCS_API bool dcs_hive_modified(const dcs_hive *h);
/* The time stamped into the keys this handle edits and into the base block
 * at commit, as a FILETIME (100 ns since 1601-01-01); 0, the default: the
 * clock at the first edit.  For reproducible images (SOURCE_DATE_EPOCH). */
DCS_API void dcs_hive_set_time(dcs_hive *h, uint64_t filetime);
/* Seconds since 1970 (a SOURCE_DATE_EPOCH) as a FILETIME. */
DCS_API uint64_t dcs_filetime_from_unix(uint64_t seconds);

DCS_API dcs_hive_key dcs_hive_root(dcs_hive *h);

/* Find a key by path below `from` (0 = the root).  Absent: DCS_ERR_NOT_FOUND. */
DCS_API dcs_status dcs_hive_find_key(dcs_hive *h, dcs_hive_key from, const char *path,
                             dcs_hive_key *out, struct dcs_error *err);

/* A value as read: name (UTF-8) and data are owned by the caller of
 * dcs_hive_get_value (free with dcs_hive_value_free) or are valid only
 * during a dcs_hive_each_value callback. */
struct dcs_hive_value {
    char *name;
    uint32_t type;
    uint8_t *data;
    size_t len;
};
DCS_API void dcs_hive_value_free(struct dcs_hive_value *v);

/* Get one value of key `key` by name.  Absent: DCS_ERR_NOT_FOUND. */
DCS_API dcs_status dcs_hive_get_value(dcs_hive *h, dcs_hive_key key, const char *name,
                              struct dcs_hive_value *out, struct dcs_error *err);

/* Call fn for each value (stored order) / subkey (stored order, names in
 * UTF-8).  A non-zero return from fn stops the walk and is returned in
 * *stopped (may be NULL). */
typedef int (*dcs_hive_value_fn)(void *ctx, const struct dcs_hive_value *v);
typedef int (*dcs_hive_subkey_fn)(void *ctx, const char *name, dcs_hive_key key);
DCS_API dcs_status dcs_hive_each_value(dcs_hive *h, dcs_hive_key key, dcs_hive_value_fn fn, void *ctx,
                               int *stopped, struct dcs_error *err);
DCS_API dcs_status dcs_hive_each_subkey(dcs_hive *h, dcs_hive_key key, dcs_hive_subkey_fn fn,
                                void *ctx, int *stopped, struct dcs_error *err);
/* One level: the subkey `name` of parent (case-insensitive).  With create it
 * is added when absent and *created (may be NULL) says so; without, absent
 * gives DCS_ERR_NOT_FOUND. */
DCS_API dcs_status dcs_hive_child(dcs_hive *h, dcs_hive_key parent, const char *name, bool create,
                          dcs_hive_key *out, bool *created, struct dcs_error *err);
/* Add the subkey `name` to parent, which must not have it yet (a duplicate
 * is refused with DCS_ERR_INVALID_ARG). */
DCS_API dcs_status dcs_hive_add_child(dcs_hive *h, dcs_hive_key parent, const char *name,
                              dcs_hive_key *out, struct dcs_error *err);
/* Name of a key (malloc'd UTF-8; "" for the root).  NULL on error. */
DCS_API char *dcs_hive_key_name(dcs_hive *h, dcs_hive_key key, struct dcs_error *err);

/* ---- edits (handle opened with DCS_HIVE_WRITE) -------------------------- */

/* Find or create every component of path below `from`. */
DCS_API dcs_status dcs_hive_ensure_key(dcs_hive *h, dcs_hive_key from, const char *path,
                               dcs_hive_key *out, struct dcs_error *err);
/* Create or replace one value (other values of the key are kept). */
DCS_API dcs_status dcs_hive_set_value(dcs_hive *h, dcs_hive_key key, const char *name, uint32_t type,
                              const void *data, size_t len, struct dcs_error *err);
/* Replace all values of a key at once (n may be 0). */
struct dcs_hive_set {
    const char *name;
    uint32_t type;
    const void *data;
    size_t len;
};
DCS_API dcs_status dcs_hive_set_values(dcs_hive *h, dcs_hive_key key, const struct dcs_hive_set *v,
                               size_t n, struct dcs_error *err);
/* Delete one value; absent is not an error (*deleted says). */
DCS_API dcs_status dcs_hive_delete_value(dcs_hive *h, dcs_hive_key key, const char *name,
                                 bool *deleted, struct dcs_error *err);
/* Delete a key and its subtree (not the root). */
DCS_API dcs_status dcs_hive_delete_key(dcs_hive *h, dcs_hive_key key, struct dcs_error *err);

/* ---- all-or-nothing commit ------------------------------------------------ */

/* Write every hive in hives[0..n) back to its own path, all or none, even
 * across a crash:
 *  1. each hive's edits are written into it (lists once per key), the
 *     result passes the full check and its base block is updated (sequence
 *     numbers, timestamp, size, checksum); it goes to its temporary file
 *     HIVE.dcs-TOKEN, which is fsync'd and whose base block is checked;
 *     each target is kept under a hard link HIVE.dcs-TOKEN.old (a copy
 *     where links are impossible);
 *  2. a journal naming every hive, its temporary (device and inode) and
 *     kept version is written beside each hive (HIVE.dcs-journal:
 *     temporary, fsync, rename), state "prepared"; then each directory is
 *     fsync'd once;
 *  3. each temporary file is renamed over its target; the directories are
 *     fsync'd; the kept versions, then the journal copies are removed; the
 *     directories are fsync'd.
 * If a step fails before 3, what was made is removed: every target is
 * byte-identical to before.  If a rename or the fsync after them fails, the
 * replaced targets are put back and the error says "every hive keeps its
 * previous content"; if putting back fails too, DCS_ERR_HIVE_ROLLBACK names
 * each hive and what it holds (new content, previous content, and where the
 * other version is), and the journal is kept.  A process killed at any
 * point leaves the journal (from step 2) or files no journal names: the
 * next dcs_hive_open (or dcs_hive_recover) of any of the hives finishes or
 * undoes the commit, and each hive's open removes its own such files.  Failing to tidy up after
 * every target was replaced is a warning (warning handler), not an error.
 * Hives not modified are skipped; at most 64 hives.  On success the handles
 * stay open but are stale: close them. */
DCS_API dcs_status dcs_hive_commit_all(dcs_hive *const *hives, size_t n, struct dcs_error *err);

/* Finish or undo an interrupted commit that involved the hive at path, if
 * its journal (path.dcs-journal) is there: finished when every journal copy
 * says "prepared" and every new version is in place or in its temporary, or
 * when every hive already holds its new version; undone otherwise; the
 * hives' files, not the journal's word, decide what each step does.  Then
 * path's temporaries and kept versions that no journal names are removed,
 * when its lock can be taken at once ("removed A.dcs-TOKEN, left by a
 * commit that was interrupted ...").  Waits
 * up to dcs_lock_wait() when another process is still committing.  What was
 * done is reported through the warning handler (error.h):
 *   "finished a commit that was interrupted: A, B and C all hold the new content"
 *   "undid a commit that was interrupted: A and B all hold their previous content"
 * Errors: DCS_ERR_HIVE_LOCKED; DCS_ERR_HIVE_JOURNAL (a journal dcs cannot
 * act on: nothing is touched); DCS_ERR_HIVE_ROLLBACK (it could not be
 * completed either way: the message names each hive's state, the journal
 * stays).  No journal: DCS_OK at the cost of two lstat calls and a listing
 * of the directory. */
DCS_API dcs_status dcs_hive_recover(const char *path, struct dcs_error *err);


#ifdef __cplusplus
}
#endif
#endif
