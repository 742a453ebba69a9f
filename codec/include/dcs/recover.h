/* dcs — replay the transaction logs of a dirty hive, as Windows does when it
 * loads one (../shared/spec/hive-logs.md; the format is Maxim Suhanov's regf
 * specification).  Byte-level: no libhivex.
 *
 * Input: the primary file and up to three logs (NAME.LOG, NAME.LOG1,
 * NAME.LOG2), as bytes.  Output: a new primary file image, or a refusal that
 * names the rule.
 *
 *  - Clean (base-block checksum right, primary == secondary sequence
 *    number, header sane): the output is a byte copy; logs are ignored, as
 *    Windows ignores them.
 *  - New format (8.1+, log type 6, "HvLE" entries with Marvin32 hashes): the
 *    logs are taken in header sequence order, a log older than the primary
 *    is skipped, each log's entries are applied up to the first that fails
 *    a check (a torn last entry is normal), the second log only when it
 *    continues the first.  The base block keeps the primary's fields with
 *    both sequence numbers = last applied + 1 (what Windows 10 writes), the
 *    hive-bins size and flag bit 0 of the last entry, type 0, a new
 *    checksum.  A primary whose base block fails its checksum is rebuilt
 *    from the log holding the latest entries, which alone is replayed.
 *  - Old format (XP..8.0, log type 1 or 2, "DIRT" vector + 512-byte pages):
 *    LOG1 (or the single .LOG) applies when its timestamp equals the
 *    primary's (the first hive bin's copy when the base block is bad);
 *    hive-bins size and root cell come from its header, both sequence
 *    numbers become the log's + 1.
 *  - The file grows to 4096 + the largest hive-bins size applied; it never
 *    shrinks.  After the replay every hive bin is walked (signature, offset
 *    field, size >= 4096 and a multiple of 4096, the bins tile the hive-bins
 *    size exactly) and the base block is checked as a clean hive's.
 *
 * Where the spec marks Windows' behaviour unknown or only inferred, or the
 * logs contradict each other, the call refuses: DCS_ERR_HIVE_REFUSED, with
 * report->rule naming the rule (dcs_recover_rule_name) and err->message
 * saying why.  Notably: a gap between the primary and the first entry, a
 * valid entry newer than the last one applied that the replay could not
 * reach (a damaged entry or log in front of it, a second log that does not
 * continue the first), a hash-valid entry whose layout is impossible, an
 * old-format LOG2 that would have to be chosen, an invalid hive bin after
 * the replay, stale-only or missing logs.
 *
 * Every offset, size and count read from the input is bounds-checked; the
 * output is never larger than the primary plus the logs' sizes.
 */
#ifndef DCS_RECOVER_H
#define DCS_RECOVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <dcs/error.h>
#include <dcs/types.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Which log a buffer is: the roles matter (a .LOG beside .LOG1/.LOG2 is a
 * dummy; the old format prefers LOG1). */
enum dcs_recover_log_role {
    DCS_RECOVER_LOG = 0,  /* NAME.LOG: single-log scheme */
    DCS_RECOVER_LOG1 = 1, /* NAME.LOG1: dual-log scheme */
    DCS_RECOVER_LOG2 = 2, /* NAME.LOG2 */
    DCS_RECOVER_NLOGS = 3
};

struct dcs_recover_input {
    const uint8_t *primary;
    size_t primary_len;
    const uint8_t *log[DCS_RECOVER_NLOGS]; /* NULL / 0 when the file is absent */
    size_t log_len[DCS_RECOVER_NLOGS];
};

enum dcs_recover_state {
    DCS_RECOVER_CLEAN = 0,  /* nothing to replay: output = input */
    DCS_RECOVER_RECOVERED,  /* logs replayed */
    DCS_RECOVER_REFUSED     /* cannot be recovered safely (rule says why) */
};

enum dcs_recover_format {
    DCS_RECOVER_FORMAT_NONE = 0,
    DCS_RECOVER_FORMAT_OLD, /* dirty vector + dirty pages (log type 1, 2) */
    DCS_RECOVER_FORMAT_NEW  /* HvLE log entries (log type 6) */
};

/* The rule that refused (names from dcs_recover_rule_name in brackets). */
enum dcs_recover_rule {
    DCS_RECOVER_RULE_NONE = 0,
    DCS_RECOVER_RULE_PRIMARY_TRUNCATED, /* [primary-truncated] file ends inside the base block */
    DCS_RECOVER_RULE_PRIMARY_HEADER,    /* [primary-header] checksum right, fields we cannot use */
    DCS_RECOVER_RULE_NO_LOG,            /* [no-log] dirty, and no log holds anything */
    DCS_RECOVER_RULE_LOG_HEADER,        /* [log-header] no log has a valid header */
    DCS_RECOVER_RULE_AMBIGUOUS_LOGS,    /* [ambiguous-logs] two files spell one log name */
    DCS_RECOVER_RULE_FORMATS_MIXED,     /* [log-formats-mixed] old and new format logs */
    DCS_RECOVER_RULE_STALE_LOGS,        /* [stale-logs] every log is older than the primary */
    DCS_RECOVER_RULE_GAP,               /* [gap] first log entry after the primary's next one */
    DCS_RECOVER_RULE_NO_ENTRY,          /* [no-valid-entry] the log to start with has none */
    DCS_RECOVER_RULE_UNREACHED_ENTRY,   /* [unreached-entry] a newer valid entry not applied */
    DCS_RECOVER_RULE_ENTRY_LAYOUT,      /* [entry-layout] hash-valid entry, impossible fields */
    DCS_RECOVER_RULE_BASE_BLOCK,        /* [base-block-unrepairable] bad base block, no log fits */
    DCS_RECOVER_RULE_OLD_TIMESTAMP,     /* [old-timestamp] old log for another write */
    DCS_RECOVER_RULE_OLD_LOG2,          /* [old-log2] only LOG2 could apply (unconfirmed) */
    DCS_RECOVER_RULE_OLD_VECTOR,        /* [old-dirty-vector] no DIRT, or vector/pages cut */
    DCS_RECOVER_RULE_SIZE,              /* [hive-size] claimed size beyond what the inputs hold */
    DCS_RECOVER_RULE_BINS,              /* [hive-bins] an invalid hive bin after the replay */
    DCS_RECOVER_RULE_RESULT             /* [result-header] the new base block fails the checks */
};

#define DCS_RECOVER_PATH_MAX 4096

struct dcs_recover_log_report {
    char path[DCS_RECOVER_PATH_MAX]; /* file-level calls only; "" when absent */
    uint64_t size;
    bool present;          /* at least 512 bytes, not all zero */
    bool header_valid;     /* regf, checksum, seq1 == seq2, type 1/2/6, v1, format 1 */
    bool used;             /* this log's data went into the output */
    bool stale;            /* skipped: older than the primary */
    uint32_t type;         /* header file type (0 when absent) */
    uint32_t seq;          /* header sequence number */
    uint32_t entries_applied; /* new format: log entries; old format: 512-byte pages */
    uint32_t first_seq, last_seq; /* new format: the applied entries */
};

struct dcs_recover_report {
    enum dcs_recover_state state;
    enum dcs_recover_format format;
    enum dcs_recover_rule rule;   /* DCS_RECOVER_RULE_NONE unless refused */
    uint32_t seq_before[2];       /* primary's primary / secondary sequence numbers */
    uint32_t seq_after[2];        /* as written (== seq_before when clean) */
    uint32_t hbins_before, hbins_after;
    uint64_t size_before, size_after;
    uint32_t entries_applied;     /* sum over the logs */
    bool base_block_from_log;     /* the primary's base block was rebuilt from a log */
    struct dcs_recover_log_report logs[DCS_RECOVER_NLOGS];
};

DCS_API const char *dcs_recover_rule_name(enum dcs_recover_rule rule);
DCS_API const char *dcs_recover_state_name(enum dcs_recover_state state);

/* Recover into out[0..cap).  With out == NULL only the plan runs (every log
 * check, not the walk of the replayed hive bins): *out_len gets the size
 * the output needs and the report says what would be applied.  With a
 * buffer smaller than that: DCS_ERR_BUFFER_TOO_SMALL and *out_len.  On a
 * refusal after the replay the buffer's content is unspecified.
 * Errors: DCS_ERR_HIVE_REFUSED (report->rule), DCS_ERR_HIVE_SIGNATURE (the
 * primary is not a hive and no log can rebuild it), DCS_ERR_HIVE_TYPE (the
 * "primary" is a log file), DCS_ERR_INVALID_ARG. */
DCS_API dcs_status dcs_recover_buffers(const struct dcs_recover_input *in, uint8_t *out,
                                       size_t cap, size_t *out_len,
                                       struct dcs_recover_report *report,
                                       struct dcs_error *err);

/* The same into a malloc'd buffer (*out, caller frees; NULL on error). */
DCS_API dcs_status dcs_recover_buffers_alloc(const struct dcs_recover_input *in, uint8_t **out,
                                             size_t *out_len,
                                             struct dcs_recover_report *report,
                                             struct dcs_error *err);

/* Largest primary or log file the file-level calls read (bytes). */
#define DCS_RECOVER_FILE_MAX ((uint64_t)2 << 30)

/* The logs beside hive_path (symbolic links resolved): NAME.LOG, NAME.LOG1,
 * NAME.LOG2 with NAME the hive's file name, any letter case.  paths[role]
 * is "" when absent.  Two files spelling one role (NAME.LOG1 and
 * name.log1): DCS_ERR_HIVE_REFUSED with *rule = AMBIGUOUS_LOGS. */
DCS_API dcs_status dcs_recover_find_logs(const char *hive_path,
                                         char paths[DCS_RECOVER_NLOGS][DCS_RECOVER_PATH_MAX],
                                         enum dcs_recover_rule *rule, struct dcs_error *err);

/* Read hive_path and the logs beside it and recover into a malloc'd buffer
 * (files are not changed).  report->logs[].path name the logs found. */
DCS_API dcs_status dcs_recover_file(const char *hive_path, uint8_t **out, size_t *out_len,
                                    struct dcs_recover_report *report, struct dcs_error *err);

/* Recover the hive at hive_path over itself, with every safety rule of a
 * dcs commit (what `dcs hive recover HIVE` does without -o):
 *  1. the hive's lock is taken (lock.h, waiting dcs_lock_wait()), and an
 *     interrupted dcs commit of it is finished or undone first
 *     (dcs_hive_recover);
 *  2. the hive and its logs are read and replayed (dcs_recover_file); a
 *     clean hive is left alone (report->state DCS_RECOVER_CLEAN);
 *  3. the hive and each log found are copied into backup_dir (NULL: a new
 *     directory dcs-backup-YYYYMMDDTHHMMSSZ beside the hive), each copy and
 *     the directory fsync'd; its path goes to backup_used (a caller buffer,
 *     NULL allowed, cut to size - 1);
 *  4. the recovered hive replaces the file atomically (temporary file in
 *     its directory, fsync, rename, directory fsync; mode and owner kept).
 * Through a symbolic link the link's target is recovered.  The logs stay
 * where they are: their sequence numbers are now older than the hive's, so
 * Windows (and dcs) skip them as stale.  Nothing is written before every
 * check passed; a failure before step 4 leaves the hive untouched (and no
 * backup directory this call created).  Errors: those of dcs_recover_file,
 * DCS_ERR_HIVE_LOCKED, DCS_ERR_HIVE_JOURNAL, DCS_ERR_IO. */
DCS_API dcs_status dcs_recover_replace_file(const char *hive_path, const char *backup_dir,
                                            char *backup_used, size_t backup_size,
                                            struct dcs_recover_report *report,
                                            struct dcs_error *err);

#ifdef __cplusplus
}
#endif
#endif
