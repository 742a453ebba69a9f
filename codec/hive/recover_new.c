/* New-format logs (Windows 8.1 and later): "HvLE" entries sealed with
 * Marvin32, applied in sequence-number order (hive-logs.md §6). */
#include <dcs/hive.h>
#include "hive/recover_internal.h"

#include <string.h>

struct entry {
    uint32_t size, flags, seq, hbins, count;
};

enum verdict {
    ENTRY_OK,   /* apply it */
    ENTRY_STOP, /* the log ends here, as Windows' replay stops (torn, remnant, other seq) */
    ENTRY_BAD   /* sealed by its hashes, in sequence, yet impossible: refuse */
};

/* Is the entry at off whole, sealed and numbered `expect`?  The cheap checks
 * and hash-2 (which covers the sequence number) come before hash-1, so a
 * remnant from an earlier pass through the file costs 32 hashed bytes. */
static enum verdict check_entry(const struct rcv_log *lg, size_t off, uint32_t expect,
                                struct entry *e, const char **why)
{
    const uint8_t *d = lg->d + off;
    size_t room = lg->len - off;
    *why = "";
    if (room < RCV_HVLE_HEADER || memcmp(d, "HvLE", 4) != 0)
        return ENTRY_STOP;
    e->size = dcsi_rd32(d + 4);
    if (e->size < 512u || e->size % 512u != 0 || e->size > room)
        return ENTRY_STOP;
    if (dcsi_marvin32_hive(d, 32) != dcsi_rd64(d + 32))
        return ENTRY_STOP;
    e->flags = dcsi_rd32(d + 8);
    e->seq = dcsi_rd32(d + 12);
    e->hbins = dcsi_rd32(d + 16);
    e->count = dcsi_rd32(d + 20);
    if (e->seq != expect)
        return ENTRY_STOP;
    if (dcsi_marvin32_hive(d + RCV_HVLE_HEADER, e->size - RCV_HVLE_HEADER) != dcsi_rd64(d + 24))
        return ENTRY_STOP;
    if (e->hbins == 0 || e->hbins % 4096u != 0) {
        *why = "its hive-bins size is not a non-zero multiple of 4096";
        return ENTRY_BAD;
    }
    if (e->count == 0 || e->count > (e->size - RCV_HVLE_HEADER) / 8u) {
        *why = "its dirty-page count is 0 or overruns the entry";
        return ENTRY_BAD;
    }
    uint64_t room_data = e->size - RCV_HVLE_HEADER - 8ull * e->count, sum = 0;
    for (uint32_t i = 0; i < e->count; i++) {
        const uint8_t *ref = d + RCV_HVLE_HEADER + 8u * (size_t)i;
        uint64_t poff = dcsi_rd32(ref), psize = dcsi_rd32(ref + 4);
        sum += psize;
        if (poff + psize > e->hbins || sum > room_data) {
            *why = "a dirty page lies outside its hive bins or outside the entry";
            return ENTRY_BAD;
        }
    }
    return ENTRY_OK;
}

/* Walk a log's entries from offset 512, starting at its header's sequence
 * number, up to the first that does not apply. */
static dcs_status walk_log(struct rcv_ctx *c, int role)
{
    struct rcv_log *lg = &c->logs[role];
    size_t off = RCV_LOG_HEADER;
    uint32_t expect = lg->seq;
    lg->n_applied = lg->max_hbins = 0;
    for (;;) {
        struct entry e;
        const char *why;
        enum verdict v = check_entry(lg, off, expect, &e, &why);
        if (v == ENTRY_STOP)
            break;
        if (v == ENTRY_BAD)
            return dcsi_rcv_refuse(c, DCS_RECOVER_RULE_ENTRY_LAYOUT, off,
                                   "entry %u of %s (offset 0x%zx): %s", e.seq,
                                   dcsi_rcv_role_name(role), off, why);
        if (lg->n_applied == 0)
            lg->first_seq = e.seq;
        lg->n_applied++;
        lg->last_seq = e.seq;
        lg->last_hbins = e.hbins;
        lg->last_flag0 = e.flags & 1u;
        if (e.hbins > lg->max_hbins)
            lg->max_hbins = e.hbins;
        off += e.size;
        expect++;
    }
    lg->end = off;
    return DCS_OK;
}

/* The active logs with a valid new-format header, earliest header first. */
static int candidates(const struct rcv_ctx *c, int out[DCS_RECOVER_NLOGS])
{
    int n = 0;
    for (int i = 0; i < DCS_RECOVER_NLOGS; i++) {
        bool active = c->dual ? i != DCS_RECOVER_LOG : i == DCS_RECOVER_LOG;
        if (active && c->logs[i].valid && c->logs[i].type == DCS_HIVE_TYPE_LOG_NEW)
            out[n++] = i;
    }
    if (n == 2 && dcsi_seq_before(c->logs[out[1]].seq, c->logs[out[0]].seq)) {
        int t = out[0];
        out[0] = out[1];
        out[1] = t;
    }
    return n;
}

/* Primary base block valid: the earliest log not older than the primary
 * must start exactly at the primary's secondary sequence number; the next
 * log follows only if it continues at last + 1 (§6.3). */
static dcs_status plan_valid_primary(struct rcv_ctx *c)
{
    uint32_t next = dcsi_rd32(c->in->primary + 8);
    int cand[DCS_RECOVER_NLOGS];
    int n = candidates(c, cand);
    uint32_t last = 0;
    for (int k = 0; k < n; k++) {
        struct rcv_log *lg = &c->logs[cand[k]];
        const char *name = dcsi_rcv_role_name(cand[k]);
        uint32_t want = c->norder ? last + 1u : next;
        if (dcsi_seq_before(lg->seq, want)) {
            c->rep->logs[cand[k]].stale = true;
            continue;
        }
        if (c->norder && lg->seq != want)
            break; /* does not continue: its entries are judged by the scan */
        if (lg->seq != want)
            return dcsi_rcv_refuse(c, DCS_RECOVER_RULE_GAP, DCS_NO_OFFSET,
                                   "%s starts at entry %u but the primary's next is %u: "
                                   "entries are missing",
                                   name, lg->seq, next);
        dcs_status st = walk_log(c, cand[k]);
        if (st != DCS_OK)
            return st;
        if (lg->n_applied == 0 && !c->norder)
            return dcsi_rcv_refuse(c, DCS_RECOVER_RULE_NO_ENTRY, RCV_LOG_HEADER,
                                   "%s holds no valid entry %u", name, want);
        if (lg->n_applied == 0)
            break;
        c->order[c->norder++] = cand[k];
        last = lg->last_seq;
    }
    if (!c->norder)
        return dcsi_rcv_refuse(c, DCS_RECOVER_RULE_STALE_LOGS, DCS_NO_OFFSET,
                               "every log is older than the primary (its next entry is %u)",
                               next);
    return DCS_OK;
}

/* Primary base block invalid: only the log with the latest entries is
 * used, and its header becomes the base block (§6.3). */
static dcs_status plan_invalid_primary(struct rcv_ctx *c)
{
    int cand[DCS_RECOVER_NLOGS];
    int n = candidates(c, cand), best = -1;
    for (int k = 0; k < n; k++) {
        dcs_status st = walk_log(c, cand[k]);
        if (st != DCS_OK)
            return st;
        const struct rcv_log *lg = &c->logs[cand[k]];
        if (lg->n_applied &&
            (best < 0 || dcsi_seq_before(c->logs[best].last_seq, lg->last_seq)))
            best = cand[k];
    }
    if (best < 0)
        return dcsi_rcv_refuse(c, DCS_RECOVER_RULE_BASE_BLOCK, DCS_HIVE_CHECKSUM_OFFSET,
                               "the base block is damaged and no log holds a valid entry to "
                               "rebuild it from");
    for (int k = 0; k < n; k++)
        if (cand[k] != best)
            c->logs[cand[k]].n_applied = 0;
    c->order[c->norder++] = best;
    c->base_src = c->logs[best].d;
    return DCS_OK;
}

/* A sealed entry newer than the last one applied, anywhere in any log, is
 * data the replay could not reach (a damaged entry or log before it, or a
 * second log that does not continue the first): refuse rather than lose it.
 * A torn entry (hash-1 wrong) is skipped by its size, so the scan hashes
 * each byte at most once more. */
static dcs_status scan_unreached(struct rcv_ctx *c, int role, uint32_t last)
{
    const struct rcv_log *lg = &c->logs[role];
    size_t off = RCV_LOG_HEADER;
    if (!lg->d || lg->len < RCV_LOG_HEADER)
        return DCS_OK;
    while (off <= lg->len && lg->len - off >= RCV_HVLE_HEADER) {
        if (lg->n_applied && off == RCV_LOG_HEADER) {
            off = lg->end;
            continue;
        }
        const uint8_t *d = lg->d + off;
        uint32_t size = dcsi_rd32(d + 4);
        if (memcmp(d, "HvLE", 4) == 0 && size >= 512u && size % 512u == 0 &&
            size <= lg->len - off && dcsi_marvin32_hive(d, 32) == dcsi_rd64(d + 32)) {
            uint32_t seq = dcsi_rd32(d + 12);
            if (dcsi_seq_before(last, seq) &&
                dcsi_marvin32_hive(d + RCV_HVLE_HEADER, size - RCV_HVLE_HEADER) ==
                    dcsi_rd64(d + 24))
                return dcsi_rcv_refuse(c, DCS_RECOVER_RULE_UNREACHED_ENTRY, off,
                                       "%s holds a valid entry %u at offset 0x%zx, newer "
                                       "than the last one the replay reaches (%u)",
                                       dcsi_rcv_role_name(role), seq, off, last);
            off += size;
            continue;
        }
        off += RCV_LOG_HEADER;
    }
    return DCS_OK;
}

dcs_status dcsi_rcv_plan_new(struct rcv_ctx *c)
{
    dcs_status st = c->primary_valid ? plan_valid_primary(c) : plan_invalid_primary(c);
    if (st != DCS_OK)
        return st;
    const struct rcv_log *tail = &c->logs[c->order[c->norder - 1]];
    uint32_t last = tail->last_seq;
    for (int i = 0; i < DCS_RECOVER_NLOGS; i++)
        if ((st = scan_unreached(c, i, last)) != DCS_OK)
            return st;
    /* Windows 10 flushes the recovered hive once: both numbers = last + 1 */
    c->seq_out = last + 1u;
    c->hbins_out = tail->last_hbins;
    c->flag0_out = (int)tail->last_flag0;
    for (int k = 0; k < c->norder; k++)
        if (c->logs[c->order[k]].max_hbins > c->max_hbins)
            c->max_hbins = c->logs[c->order[k]].max_hbins;
    return DCS_OK;
}

void dcsi_rcv_write_new(const struct rcv_ctx *c, uint8_t *out)
{
    for (int k = 0; k < c->norder; k++) {
        const struct rcv_log *lg = &c->logs[c->order[k]];
        size_t off = RCV_LOG_HEADER;
        for (uint32_t n = 0; n < lg->n_applied; n++) {
            const uint8_t *d = lg->d + off;
            uint32_t count = dcsi_rd32(d + 20);
            const uint8_t *page = d + RCV_HVLE_HEADER + 8u * (size_t)count;
            for (uint32_t i = 0; i < count; i++) {
                const uint8_t *ref = d + RCV_HVLE_HEADER + 8u * (size_t)i;
                uint32_t size = dcsi_rd32(ref + 4);
                memcpy(out + RCV_BASE_BLOCK + dcsi_rd32(ref), page, size);
                page += size;
            }
            off += dcsi_rd32(d + 4);
        }
    }
}
