/* Internal to the log replay (recover*.c, marvin32.c): the state one
 * recovery carries from its plan to its writes. */
#ifndef DCS_HIVE_RECOVER_INTERNAL_H
#define DCS_HIVE_RECOVER_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/bytes.h"

#include <dcs/recover.h>

#define RCV_BASE_BLOCK 4096u
#define RCV_LOG_HEADER 512u
#define RCV_HVLE_HEADER 40u

/* Marvin32 with the seed of the registry's log entries (82 EF 4D 88 7A 4E
 * 55 C5), the result as stored in an entry: high state << 32 | low state. */
uint64_t dcsi_marvin32_hive(const uint8_t *data, size_t len);

/* Sequence numbers compare as 32-bit serial numbers: a is before b when
 * (b - a) mod 2^32 lies in (0, 2^31). */
static inline bool dcsi_seq_before(uint32_t a, uint32_t b)
{
    uint32_t d = b - a;
    return d != 0 && d < 0x80000000u;
}

/* One log buffer as classified. */
struct rcv_log {
    const uint8_t *d;
    size_t len;
    bool present, valid;
    uint32_t type, seq, hbins, root;
    uint64_t timestamp;
    /* what the plan applies from it (new format: entries from offset 512
     * to `end`; old format: the dirty pages) */
    uint32_t n_applied, first_seq, last_seq;
    uint32_t max_hbins, last_hbins, last_flag0;
    size_t end;
};

/* What the plan decided; the write step follows it blindly (every bound it
 * relies on was checked while planning). */
struct rcv_ctx {
    const struct dcs_recover_input *in;
    struct dcs_recover_report *rep;
    struct dcs_error *err;
    struct rcv_log logs[DCS_RECOVER_NLOGS];
    bool dual;               /* .LOG1/.LOG2 in use (.LOG is then a dummy) */
    bool primary_valid;      /* base block signature and checksum right */
    /* new format: logs to apply, in order */
    int order[DCS_RECOVER_NLOGS];
    int norder;
    /* old format: the one log applied */
    int old_log;
    uint32_t old_bitmap_bytes;
    size_t old_pages_at;
    /* the base block to write: first 512 bytes from here */
    const uint8_t *base_src;
    uint32_t seq_out, hbins_out, root_out;
    bool set_root;
    int flag0_out;           /* -1: keep the base block's flags */
    uint64_t max_hbins;      /* largest hive-bins size any applied step claims */
    uint64_t out_len;
};

/* malloc(len) with its pages faulted in at once where the kernel can
 * (Linux MADV_POPULATE_WRITE): a page-by-page first touch of a 100 MiB
 * buffer costs more than the replay itself on virtual machines. */
void *dcsi_rcv_alloc(size_t len);

/* Recover with *primary (== in->primary, malloc'd, cap bytes) as the output
 * buffer, grown with realloc when the hive grows: on success *primary holds
 * the result (*out_len bytes).  On error *primary is still the caller's to
 * free, its content unspecified. */
dcs_status dcsi_recover_in_place(const struct dcs_recover_input *in, uint8_t **primary,
                                 size_t cap, size_t *out_len, struct dcs_recover_report *report,
                                 struct dcs_error *err);

/* ".LOG", ".LOG1", ".LOG2" */
const char *dcsi_rcv_role_name(int role);

/* err <- DCS_ERR_HIVE_REFUSED, report->rule <- rule, message "rule: ...". */
dcs_status dcsi_rcv_refuse(struct rcv_ctx *c, enum dcs_recover_rule rule, uint64_t offset,
                           const char *fmt, ...) DCS_PRINTF(4, 5);

/* The formats' plans and writes (recover_new.c, recover_old.c). */
dcs_status dcsi_rcv_plan_new(struct rcv_ctx *c);
void dcsi_rcv_write_new(const struct rcv_ctx *c, uint8_t *out);
dcs_status dcsi_rcv_plan_old(struct rcv_ctx *c);
void dcsi_rcv_write_old(const struct rcv_ctx *c, uint8_t *out);

#endif
