/* Old-format logs (Windows XP to 8.0): a "DIRT" bitmap of 512-byte pages of
 * the hive bins, then those pages (hive-logs.md §5). */
#include <dcs/hive.h>
#include "hive/recover_internal.h"

#include <string.h>

#define DIRT_AT RCV_LOG_HEADER          /* "DIRT" + bitmap */
#define BITMAP_AT (RCV_LOG_HEADER + 4u)

static unsigned popcount8(uint8_t b)
{
    unsigned n = 0;
    for (; b; b &= (uint8_t)(b - 1))
        n++;
    return n;
}

/* Which timestamp a log must carry to apply: the base block's, or with a
 * damaged base block the first hive bin's backup copy (§5). */
static dcs_status primary_timestamp(struct rcv_ctx *c, uint64_t *ts)
{
    const struct dcs_recover_input *in = c->in;
    if (c->primary_valid) {
        *ts = dcsi_rd64(in->primary + 0x0C);
        return DCS_OK;
    }
    if (in->primary_len < RCV_BASE_BLOCK + 32u ||
        memcmp(in->primary + RCV_BASE_BLOCK, "hbin", 4) != 0)
        return dcsi_rcv_refuse(c, DCS_RECOVER_RULE_BASE_BLOCK, DCS_HIVE_CHECKSUM_OFFSET,
                               "the base block is damaged and there is no first hive bin "
                               "whose timestamp would match a log");
    *ts = dcsi_rd64(in->primary + RCV_BASE_BLOCK + 20u);
    return DCS_OK;
}

/* Is this the log to replay?  LOG1 (or the single .LOG) with a valid header
 * and a matching timestamp.  When it is not and LOG2 could be, Windows'
 * choice depends on its version and updates (§5): refuse. */
static dcs_status pick_log(struct rcv_ctx *c, int role, uint64_t ts)
{
    const struct rcv_log *lg = &c->logs[role];
    const struct rcv_log *l2 = &c->logs[DCS_RECOVER_LOG2];
    bool log2_possible = c->dual && l2->valid && l2->type != DCS_HIVE_TYPE_LOG_NEW;
    const char *name = dcsi_rcv_role_name(role);
    if (!lg->valid || lg->timestamp != ts) {
        if (log2_possible)
            return dcsi_rcv_refuse(c, DCS_RECOVER_RULE_OLD_LOG2, DCS_NO_OFFSET,
                                   "%s does not apply and only .LOG2 could: when Windows "
                                   "takes .LOG2 depends on its version",
                                   name);
        if (!lg->valid)
            return dcsi_rcv_refuse(c, DCS_RECOVER_RULE_LOG_HEADER, DCS_NO_OFFSET,
                                   "the header of %s is invalid", name);
        if (!c->primary_valid)
            return dcsi_rcv_refuse(c, DCS_RECOVER_RULE_BASE_BLOCK, 0x0C,
                                   "the base block is damaged and the timestamp of %s differs "
                                   "from the first hive bin's",
                                   name);
        return dcsi_rcv_refuse(c, DCS_RECOVER_RULE_OLD_TIMESTAMP, 0x0C,
                               "the timestamp of %s differs from the primary's: the log "
                               "belongs to another write",
                               name);
    }
    if (c->primary_valid && dcsi_seq_before(lg->seq, dcsi_rd32(c->in->primary + 8)))
        return dcsi_rcv_refuse(c, DCS_RECOVER_RULE_STALE_LOGS, 0x04,
                               "%s (sequence %u) is older than the primary's last complete "
                               "write (%u)",
                               name, lg->seq, dcsi_rd32(c->in->primary + 8));
    return DCS_OK;
}

dcs_status dcsi_rcv_plan_old(struct rcv_ctx *c)
{
    int role = c->dual ? DCS_RECOVER_LOG1 : DCS_RECOVER_LOG;
    struct rcv_log *lg = &c->logs[role];
    uint64_t ts = 0;
    dcs_status st = primary_timestamp(c, &ts);
    if (st == DCS_OK)
        st = pick_log(c, role, ts);
    if (st != DCS_OK)
        return st;
    const char *name = dcsi_rcv_role_name(role);
    /* one bit per 512-byte page of the log's hive bins: hbins / 4096 bytes */
    size_t bytes = lg->hbins / 4096u;
    if (lg->len < BITMAP_AT || memcmp(lg->d + DIRT_AT, "DIRT", 4) != 0)
        return dcsi_rcv_refuse(c, DCS_RECOVER_RULE_OLD_VECTOR, DIRT_AT,
                               "%s has no \"DIRT\" dirty vector", name);
    if (bytes > lg->len - BITMAP_AT)
        return dcsi_rcv_refuse(c, DCS_RECOVER_RULE_OLD_VECTOR, lg->len,
                               "the dirty vector of %s is cut short", name);
    size_t pages_at = (BITMAP_AT + bytes + 511u) & ~(size_t)511u;
    uint64_t count = 0;
    for (size_t i = 0; i < bytes; i++)
        count += popcount8(lg->d[BITMAP_AT + i]);
    if (pages_at > lg->len || count > (lg->len - pages_at) / 512u)
        return dcsi_rcv_refuse(c, DCS_RECOVER_RULE_OLD_VECTOR, lg->len,
                               "%s ends before its %llu dirty pages", name,
                               (unsigned long long)count);
    if (count == 0)
        return dcsi_rcv_refuse(c, DCS_RECOVER_RULE_NO_ENTRY, BITMAP_AT,
                               "the dirty vector of %s marks no page", name);
    lg->n_applied = (uint32_t)count;
    c->old_log = role;
    c->old_bitmap_bytes = (uint32_t)bytes;
    c->old_pages_at = pages_at;
    c->seq_out = lg->seq + 1u;
    c->hbins_out = lg->hbins;
    c->root_out = lg->root;
    c->set_root = true;
    c->max_hbins = lg->hbins;
    if (!c->primary_valid)
        c->base_src = lg->d;
    return DCS_OK;
}

void dcsi_rcv_write_old(const struct rcv_ctx *c, uint8_t *out)
{
    const struct rcv_log *lg = &c->logs[c->old_log];
    const uint8_t *bitmap = lg->d + BITMAP_AT;
    const uint8_t *page = lg->d + c->old_pages_at;
    uint8_t *bins = out + RCV_BASE_BLOCK;
    for (size_t i = 0; i < c->old_bitmap_bytes; i++) {
        uint8_t b = bitmap[i];
        if (b == 0xFF) { /* the usual case: a whole 4 KiB block */
            memcpy(bins + 4096u * i, page, 4096u);
            page += 4096u;
            continue;
        }
        for (unsigned bit = 0; b && bit < 8; bit++) {
            if (!(b >> bit & 1u))
                continue;
            memcpy(bins + 4096u * i + 512u * (size_t)bit, page, 512u);
            page += 512u;
        }
    }
}
