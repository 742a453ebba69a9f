/* Transaction-log replay: classify the primary and the logs, let the
 * format's plan decide what applies, then write the output and check it as
 * a clean hive (contract in dcs/recover.h, rules in hive-logs.md). */
#include <dcs/hive.h>
#include <dcs/recover.h>
#include "hive/recover_internal.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#if defined(__linux__)
#include <sys/mman.h>
#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23 /* Linux 5.14; older kernels say EINVAL */
#endif
#endif

static const char *const rule_names[] = {
    [DCS_RECOVER_RULE_NONE] = "none",
    [DCS_RECOVER_RULE_PRIMARY_TRUNCATED] = "primary-truncated",
    [DCS_RECOVER_RULE_PRIMARY_HEADER] = "primary-header",
    [DCS_RECOVER_RULE_NO_LOG] = "no-log",
    [DCS_RECOVER_RULE_LOG_HEADER] = "log-header",
    [DCS_RECOVER_RULE_AMBIGUOUS_LOGS] = "ambiguous-logs",
    [DCS_RECOVER_RULE_FORMATS_MIXED] = "log-formats-mixed",
    [DCS_RECOVER_RULE_STALE_LOGS] = "stale-logs",
    [DCS_RECOVER_RULE_GAP] = "gap",
    [DCS_RECOVER_RULE_NO_ENTRY] = "no-valid-entry",
    [DCS_RECOVER_RULE_UNREACHED_ENTRY] = "unreached-entry",
    [DCS_RECOVER_RULE_ENTRY_LAYOUT] = "entry-layout",
    [DCS_RECOVER_RULE_BASE_BLOCK] = "base-block-unrepairable",
    [DCS_RECOVER_RULE_OLD_TIMESTAMP] = "old-timestamp",
    [DCS_RECOVER_RULE_OLD_LOG2] = "old-log2",
    [DCS_RECOVER_RULE_OLD_VECTOR] = "old-dirty-vector",
    [DCS_RECOVER_RULE_SIZE] = "hive-size",
    [DCS_RECOVER_RULE_BINS] = "hive-bins",
    [DCS_RECOVER_RULE_RESULT] = "result-header",
};

const char *dcs_recover_rule_name(enum dcs_recover_rule rule)
{
    if ((unsigned)rule < sizeof rule_names / sizeof rule_names[0])
        return rule_names[rule];
    return "unknown";
}

const char *dcs_recover_state_name(enum dcs_recover_state state)
{
    switch (state) {
    case DCS_RECOVER_CLEAN: return "clean";
    case DCS_RECOVER_RECOVERED: return "recovered";
    case DCS_RECOVER_REFUSED: return "refused";
    }
    return "unknown";
}

void *dcsi_rcv_alloc(size_t len)
{
    uint8_t *p = malloc(len ? len : 1);
#if defined(__linux__)
    /* only big buffers, which malloc maps page-aligned plus a header */
    if (p && len >= ((size_t)1 << 20)) {
        size_t skip = (4096u - ((uintptr_t)p & 4095u)) & 4095u; /* to the first page */
        size_t span = (len - skip) & ~(size_t)4095u;
        (void)madvise(p + skip, span, MADV_POPULATE_WRITE); /* a hint: failure is fine */
    }
#endif
    return p;
}

const char *dcsi_rcv_role_name(int role)
{
    static const char *const names[DCS_RECOVER_NLOGS] = {".LOG", ".LOG1", ".LOG2"};
    return role >= 0 && role < DCS_RECOVER_NLOGS ? names[role] : "log";
}

dcs_status dcsi_rcv_refuse(struct rcv_ctx *c, enum dcs_recover_rule rule, uint64_t offset,
                           const char *fmt, ...)
{
    char msg[DCS_ERROR_MESSAGE_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    c->rep->state = DCS_RECOVER_REFUSED;
    c->rep->rule = rule;
    return dcs_error_set(c->err, DCS_ERR_HIVE_REFUSED, offset, "refused (%s): %s",
                         dcs_recover_rule_name(rule), msg);
}

static bool all_zero(const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (p[i])
            return false;
    return true;
}

/* A log header is valid when it is a 512-byte partial base block Windows
 * wrote whole: regf, checksum, seq1 == seq2, a log type, version 1.x, format
 * 1, clustering 1, hive-bins size a non-zero multiple of 4096 (§4). */
static void classify_log(struct rcv_log *lg, const uint8_t *d, size_t len)
{
    memset(lg, 0, sizeof *lg);
    lg->d = d;
    lg->len = d ? len : 0;
    if (!d || len < RCV_LOG_HEADER || all_zero(d, RCV_LOG_HEADER))
        return;
    lg->present = true;
    lg->type = dcsi_rd32(d + 0x1C);
    lg->seq = dcsi_rd32(d + 0x04);
    lg->timestamp = dcsi_rd64(d + 0x0C);
    lg->root = dcsi_rd32(d + 0x24);
    lg->hbins = dcsi_rd32(d + 0x28);
    bool type_ok = lg->type == DCS_HIVE_TYPE_LOG_OLD1 || lg->type == DCS_HIVE_TYPE_LOG_OLD2 ||
                   lg->type == DCS_HIVE_TYPE_LOG_NEW;
    lg->valid = memcmp(d, "regf", 4) == 0 &&
                dcs_hive_checksum(d) == dcsi_rd32(d + DCS_HIVE_CHECKSUM_OFFSET) &&
                lg->seq == dcsi_rd32(d + 0x08) && type_ok && dcsi_rd32(d + 0x14) == 1 &&
                dcsi_rd32(d + 0x20) == 1 && dcsi_rd32(d + 0x2C) == 1 && lg->hbins != 0 &&
                lg->hbins % 4096u == 0;
}

static void report_logs(struct rcv_ctx *c)
{
    for (int i = 0; i < DCS_RECOVER_NLOGS; i++) {
        struct dcs_recover_log_report *r = &c->rep->logs[i];
        const struct rcv_log *lg = &c->logs[i];
        r->size = c->in->log[i] ? c->in->log_len[i] : 0;
        r->present = lg->present;
        r->header_valid = lg->valid;
        r->type = lg->type;
        r->seq = lg->seq;
    }
}

/* A primary whose checksum is right but whose fields we cannot replay onto.
 * A log file handed over as the primary is not a hive: DCS_ERR_HIVE_TYPE. */
static dcs_status check_valid_primary(struct rcv_ctx *c, const uint8_t *p)
{
    uint32_t type = dcsi_rd32(p + 0x1C), minor = dcsi_rd32(p + 0x18);
    uint32_t hbins = dcsi_rd32(p + 0x28);
    if (type != DCS_HIVE_TYPE_PRIMARY)
        return dcs_error_set(c->err, DCS_ERR_HIVE_TYPE, 0x1C,
                             "file type %u: a transaction log, not a primary hive file", type);
    if (dcsi_rd32(p + 0x14) != 1 || minor < 3 || minor > 6)
        return dcsi_rcv_refuse(c, DCS_RECOVER_RULE_PRIMARY_HEADER, 0x14,
                               "version %u.%u: replay is known for 1.3 to 1.6 only",
                               dcsi_rd32(p + 0x14), minor);
    if (dcsi_rd32(p + 0x20) != 1 || dcsi_rd32(p + 0x2C) != 1)
        return dcsi_rcv_refuse(c, DCS_RECOVER_RULE_PRIMARY_HEADER, 0x20,
                               "file format %u, clustering factor %u (expected 1 and 1)",
                               dcsi_rd32(p + 0x20), dcsi_rd32(p + 0x2C));
    if (hbins == 0 || hbins % 4096u != 0)
        return dcsi_rcv_refuse(c, DCS_RECOVER_RULE_PRIMARY_HEADER, 0x28,
                               "hive-bins size 0x%x is not a non-zero multiple of 4096", hbins);
    return DCS_OK;
}

/* Clean: checksum right and both sequence numbers equal.  Its header must
 * still pass the clean-hive checks, or it is damaged, not clean. */
static dcs_status check_clean(struct rcv_ctx *c, bool *clean)
{
    const struct dcs_recover_input *in = c->in;
    *clean = false;
    if (!c->primary_valid || dcsi_rd32(in->primary + 4) != dcsi_rd32(in->primary + 8))
        return DCS_OK;
    struct dcs_hive_header h;
    struct dcs_error perr;
    dcs_status st = dcs_hive_parse_header(in->primary, in->primary_len, in->primary_len, &h,
                                          &perr);
    if (st == DCS_ERR_HIVE_TYPE)
        return dcs_error_set(c->err, st, perr.offset, "%s", perr.message);
    if (st != DCS_OK)
        return dcsi_rcv_refuse(c, DCS_RECOVER_RULE_PRIMARY_HEADER, perr.offset,
                               "the hive is not dirty but its base block is damaged: %s",
                               perr.message);
    *clean = true;
    return DCS_OK;
}

/* Which logs are in play, and which format. */
static dcs_status choose_format(struct rcv_ctx *c, bool primary_sig)
{
    c->dual = c->logs[DCS_RECOVER_LOG1].present || c->logs[DCS_RECOVER_LOG2].present;
    int first = c->dual ? DCS_RECOVER_LOG1 : DCS_RECOVER_LOG;
    int last = c->dual ? DCS_RECOVER_LOG2 : DCS_RECOVER_LOG;
    bool any = false, valid = false, old = false, new = false;
    for (int i = first; i <= last; i++) {
        const struct rcv_log *lg = &c->logs[i];
        any |= lg->present;
        if (!lg->valid)
            continue;
        valid = true;
        old |= lg->type != DCS_HIVE_TYPE_LOG_NEW;
        new |= lg->type == DCS_HIVE_TYPE_LOG_NEW;
    }
    if (!primary_sig && !valid)
        return dcs_error_set(c->err, DCS_ERR_HIVE_SIGNATURE, 0,
                             "no \"regf\" signature: not a registry hive");
    if (!any)
        return dcsi_rcv_refuse(c, DCS_RECOVER_RULE_NO_LOG, DCS_NO_OFFSET,
                               "the hive is dirty and no transaction log holds anything");
    if (!valid)
        return dcsi_rcv_refuse(c, DCS_RECOVER_RULE_LOG_HEADER, DCS_NO_OFFSET,
                               "the hive is dirty and no transaction log has a valid header");
    if (old && new)
        return dcsi_rcv_refuse(c, DCS_RECOVER_RULE_FORMATS_MIXED, DCS_NO_OFFSET,
                               "old-format and new-format logs side by side");
    c->rep->format = new ? DCS_RECOVER_FORMAT_NEW : DCS_RECOVER_FORMAT_OLD;
    return DCS_OK;
}

/* The output may hold only what the primary or the logs' pages can fill. */
static dcs_status size_output(struct rcv_ctx *c)
{
    uint64_t budget = c->in->primary_len;
    for (int i = 0; i < DCS_RECOVER_NLOGS; i++)
        budget += c->logs[i].len;
    uint64_t need = RCV_BASE_BLOCK + c->max_hbins;
    if (need > budget || need > (uint64_t)SIZE_MAX)
        return dcsi_rcv_refuse(c, DCS_RECOVER_RULE_SIZE, 0x28,
                               "the logs claim a hive of %llu bytes; the primary and its "
                               "logs hold %llu",
                               (unsigned long long)need, (unsigned long long)budget);
    c->out_len = need > c->in->primary_len ? need : c->in->primary_len;
    return DCS_OK;
}

static dcs_status plan(struct rcv_ctx *c, bool *clean)
{
    const struct dcs_recover_input *in = c->in;
    const uint8_t *p = in->primary;
    struct dcs_recover_report *rep = c->rep;
    bool sig = in->primary_len >= 4 && memcmp(p, "regf", 4) == 0;
    if (in->primary_len >= RCV_LOG_HEADER) {
        rep->seq_before[0] = rep->seq_after[0] = dcsi_rd32(p + 4);
        rep->seq_before[1] = rep->seq_after[1] = dcsi_rd32(p + 8);
        rep->hbins_before = rep->hbins_after = dcsi_rd32(p + 0x28);
    }
    rep->size_before = rep->size_after = in->primary_len;
    if (in->primary_len < RCV_BASE_BLOCK) {
        if (!sig || in->primary_len < RCV_LOG_HEADER)
            return dcs_error_set(c->err, DCS_ERR_HIVE_SIGNATURE, 0,
                                 "%s: not a registry hive",
                                 sig ? "shorter than a base block" : "no \"regf\" signature");
        return dcsi_rcv_refuse(c, DCS_RECOVER_RULE_PRIMARY_TRUNCATED, in->primary_len,
                               "the file ends inside the 4096-byte base block");
    }
    c->primary_valid = sig && dcs_hive_checksum(p) == dcsi_rd32(p + DCS_HIVE_CHECKSUM_OFFSET);
    dcs_status st = check_clean(c, clean);
    if (st != DCS_OK || *clean)
        return st;
    if (c->primary_valid && (st = check_valid_primary(c, p)) != DCS_OK)
        return st;
    if ((st = choose_format(c, sig)) != DCS_OK)
        return st;
    c->flag0_out = -1;
    c->base_src = p;
    st = rep->format == DCS_RECOVER_FORMAT_NEW ? dcsi_rcv_plan_new(c) : dcsi_rcv_plan_old(c);
    if (st != DCS_OK)
        return st;
    return size_output(c);
}

/* Hive bins after the replay: each with its signature, its own offset, a
 * size of whole 4 KiB blocks, and together exactly the hive-bins size. */
static dcs_status walk_bins(struct rcv_ctx *c, const uint8_t *out)
{
    uint64_t off = 0, end = c->hbins_out;
    while (off < end) {
        const uint8_t *b = out + RCV_BASE_BLOCK + off;
        uint32_t size = dcsi_rd32(b + 8);
        if (memcmp(b, "hbin", 4) != 0 || dcsi_rd32(b + 4) != off || size < 4096u ||
            size % 4096u != 0 || size > end - off)
            return dcsi_rcv_refuse(c, DCS_RECOVER_RULE_BINS, RCV_BASE_BLOCK + off,
                                   "after the replay the hive bin at 0x%llx is invalid "
                                   "(signature, offset field or size 0x%x)",
                                   (unsigned long long)off, size);
        off += size;
    }
    return DCS_OK;
}

static void write_base_block(const struct rcv_ctx *c, uint8_t *out)
{
    memmove(out, c->base_src, RCV_LOG_HEADER); /* the primary's own, or a log header */
    dcsi_wr32(out + 0x04, c->seq_out);
    dcsi_wr32(out + 0x08, c->seq_out);
    dcsi_wr32(out + 0x1C, DCS_HIVE_TYPE_PRIMARY);
    dcsi_wr32(out + 0x28, c->hbins_out);
    if (c->set_root)
        dcsi_wr32(out + 0x24, c->root_out);
    if (c->flag0_out >= 0) {
        uint32_t flags = dcsi_rd32(out + 0x90);
        dcsi_wr32(out + 0x90, (flags & ~1u) | (uint32_t)c->flag0_out);
    }
    dcsi_wr32(out + DCS_HIVE_CHECKSUM_OFFSET, dcs_hive_checksum(out));
}

static dcs_status write_output(struct rcv_ctx *c, uint8_t *out)
{
    const struct dcs_recover_input *in = c->in;
    if (out != in->primary) /* in place: the primary is already there */
        memcpy(out, in->primary, in->primary_len);
    memset(out + in->primary_len, 0, (size_t)c->out_len - in->primary_len);
    if (c->rep->format == DCS_RECOVER_FORMAT_NEW)
        dcsi_rcv_write_new(c, out);
    else
        dcsi_rcv_write_old(c, out);
    write_base_block(c, out);
    dcs_status st = walk_bins(c, out);
    if (st != DCS_OK)
        return st;
    struct dcs_hive_header h;
    struct dcs_error perr;
    if (dcs_hive_parse_header(out, (size_t)c->out_len, c->out_len, &h, &perr) != DCS_OK)
        return dcsi_rcv_refuse(c, DCS_RECOVER_RULE_RESULT, perr.offset,
                               "the recovered base block fails the hive checks: %s",
                               perr.message);
    return DCS_OK;
}

static void report_result(struct rcv_ctx *c)
{
    struct dcs_recover_report *rep = c->rep;
    rep->state = DCS_RECOVER_RECOVERED;
    rep->seq_after[0] = rep->seq_after[1] = c->seq_out;
    rep->hbins_after = c->hbins_out;
    rep->size_after = c->out_len;
    rep->base_block_from_log = c->base_src != c->in->primary;
    for (int i = 0; i < DCS_RECOVER_NLOGS; i++) {
        struct dcs_recover_log_report *r = &rep->logs[i];
        r->used = c->logs[i].n_applied > 0;
        r->entries_applied = c->logs[i].n_applied;
        r->first_seq = c->logs[i].first_seq;
        r->last_seq = c->logs[i].last_seq;
        rep->entries_applied += c->logs[i].n_applied;
    }
}

/* Where the output goes: the caller's buffer, a new one, or the primary's
 * own malloc'd buffer grown in place (file-level calls: no second copy of
 * a large hive). */
enum out_mode { OUT_CALLER, OUT_ALLOC, OUT_IN_PLACE };

/* The buffer to write into, per mode; the plan's pointers follow a primary
 * buffer that moved. */
static dcs_status output_buffer(struct rcv_ctx *c, struct dcs_recover_input *local,
                                enum out_mode mode, uint8_t **buf, size_t *cap, size_t need)
{
    if (mode == OUT_ALLOC) {
        *buf = dcsi_rcv_alloc(need);
        *cap = need;
    } else if (mode == OUT_IN_PLACE && *cap < need) {
        uint8_t *grown = realloc(*buf, need);
        if (grown) {
            if (c->base_src == local->primary)
                c->base_src = grown;
            local->primary = grown;
            *buf = grown;
            *cap = need;
        } else {
            return dcs_error_set(c->err, DCS_ERR_NOMEM, DCS_NO_OFFSET,
                                 "out of memory (%zu bytes)", need);
        }
    }
    if (mode == OUT_ALLOC && !*buf)
        return dcs_error_set(c->err, DCS_ERR_NOMEM, DCS_NO_OFFSET, "out of memory (%zu bytes)",
                             need);
    return DCS_OK;
}

/* Plan, then write (the logs are hashed once whatever the mode). */
static dcs_status recover(const struct dcs_recover_input *in, enum out_mode mode, uint8_t **buf,
                          size_t cap, size_t *out_len, struct dcs_recover_report *report,
                          struct dcs_error *err)
{
    struct dcs_recover_report scratch = {0};
    struct dcs_recover_report *rep = report ? report : &scratch;
    memset(rep, 0, sizeof *rep);
    *out_len = 0;
    if (!in || !in->primary)
        return dcs_error_set(err, DCS_ERR_INVALID_ARG, DCS_NO_OFFSET,
                             "recover: no primary buffer");
    struct dcs_recover_input local = *in;
    struct rcv_ctx c = {.in = &local, .rep = rep, .err = err, .old_log = -1};
    for (int i = 0; i < DCS_RECOVER_NLOGS; i++)
        classify_log(&c.logs[i], in->log[i], in->log_len[i]);
    report_logs(&c);
    bool clean = false;
    dcs_status st = plan(&c, &clean);
    if (st != DCS_OK) {
        rep->state = DCS_RECOVER_REFUSED;
        return st;
    }
    size_t need = clean ? in->primary_len : (size_t)c.out_len;
    if (clean)
        rep->state = DCS_RECOVER_CLEAN;
    else
        report_result(&c);
    if ((st = output_buffer(&c, &local, mode, buf, &cap, need)) != DCS_OK)
        return st;
    *out_len = need;
    uint8_t *out = *buf;
    if (!out)
        return DCS_OK; /* size query */
    if (cap < need)
        return dcs_error_set(err, DCS_ERR_BUFFER_TOO_SMALL, DCS_NO_OFFSET,
                             "the output needs %zu bytes", need);
    if (clean && out != local.primary)
        memcpy(out, local.primary, need);
    else if (!clean)
        st = write_output(&c, out);
    if (st != DCS_OK) {
        *out_len = 0;
        if (mode == OUT_ALLOC) {
            free(out);
            *buf = NULL;
        }
    }
    return st;
}

dcs_status dcsi_recover_in_place(const struct dcs_recover_input *in, uint8_t **primary,
                                 size_t cap, size_t *out_len, struct dcs_recover_report *report,
                                 struct dcs_error *err)
{
    return recover(in, OUT_IN_PLACE, primary, cap, out_len, report, err);
}

dcs_status dcs_recover_buffers(const struct dcs_recover_input *in, uint8_t *out, size_t cap,
                               size_t *out_len, struct dcs_recover_report *report,
                               struct dcs_error *err)
{
    size_t scratch;
    return recover(in, OUT_CALLER, &out, cap, out_len ? out_len : &scratch, report, err);
}

dcs_status dcs_recover_buffers_alloc(const struct dcs_recover_input *in, uint8_t **out,
                                     size_t *out_len, struct dcs_recover_report *report,
                                     struct dcs_error *err)
{
    size_t scratch;
    if (!out)
        return dcs_error_set(err, DCS_ERR_INVALID_ARG, DCS_NO_OFFSET,
                             "recover: no output pointer");
    *out = NULL;
    return recover(in, OUT_ALLOC, out, 0, out_len ? out_len : &scratch, report, err);
}
