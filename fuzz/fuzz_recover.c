/* Transaction-log replay (dcs/recover.h) over a hive and mutated logs.
 *
 * Input layout: byte 0 = options, then three u32 LE lengths (primary, log
 * A, log B), then the primary, log A, log B and log C (the rest).  Options:
 * bits 0-1, 2-3, 4-5 = the roles of logs A, B, C (0 .LOG, 1 .LOG1, 2 .LOG2,
 * 3 absent; a role given twice keeps the first); bit 6 = reseal every HvLE
 * entry (hash-1, hash-2) and bit 7 = fix every base-block checksum before
 * the replay, so that mutations reach the checks behind the hashes.
 * Properties:
 *  - never a crash, a leak or undefined behaviour;
 *  - an error leaves no output, names the rule when refused, and has a
 *    message; the size query agrees with the allocating call;
 *  - clean: the output is the primary, byte for byte;
 *  - recovered: the base block passes the clean-hive checks with equal
 *    sequence numbers, the hive bins tile the hive-bins size, the file never
 *    shrank; recovered again (alone, and with the same logs beside it) it
 *    is clean and byte-identical. */
#include <string.h>

#include <dcs/hive.h>
#include <dcs/recover.h>
#include "fuzz_common.h"

uint64_t dcsi_marvin32_hive(const uint8_t *data, size_t len); /* libdcs internal */

static uint32_t rd32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void wr64(uint8_t *p, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static void fix_checksum(uint8_t *d, size_t len)
{
    if (len >= 512) {
        uint32_t c = dcs_hive_checksum(d);
        for (int i = 0; i < 4; i++)
            d[DCS_HIVE_CHECKSUM_OFFSET + i] = (uint8_t)(c >> (8 * i));
    }
}

/* Give every entry that the walk would reach valid hashes. */
static void reseal(uint8_t *d, size_t len)
{
    size_t off = 512;
    while (len >= off + 40 && memcmp(d + off, "HvLE", 4) == 0) {
        uint32_t size = rd32(d + off + 4);
        if (size < 512 || size % 512 || size > len - off)
            break;
        wr64(d + off + 24, dcsi_marvin32_hive(d + off + 40, size - 40));
        wr64(d + off + 32, dcsi_marvin32_hive(d + off, 32));
        off += size;
    }
}

static void check_recovered(const struct dcs_recover_input *in, const uint8_t *out, size_t len,
                            const struct dcs_recover_report *rep)
{
    struct dcs_hive_header h;
    struct dcs_error err;
    FUZZ_CHECK(len >= in->primary_len);
    FUZZ_CHECK(dcs_hive_parse_header(out, len, len, &h, &err) == DCS_OK);
    FUZZ_CHECK(h.seq1 == h.seq2 && h.seq1 == rep->seq_after[0]);
    FUZZ_CHECK(h.hbins_size == rep->hbins_after && rep->entries_applied > 0);
    for (uint64_t off = 0; off < h.hbins_size;) {
        const uint8_t *b = out + 4096 + off;
        uint32_t size = rd32(b + 8);
        FUZZ_CHECK(memcmp(b, "hbin", 4) == 0 && rd32(b + 4) == off);
        FUZZ_CHECK(size >= 4096 && size % 4096 == 0 && size <= h.hbins_size - off);
        off += size;
    }
    /* recovered again, alone and beside the same logs: clean, identical */
    for (int with_logs = 0; with_logs < 2; with_logs++) {
        struct dcs_recover_input again = with_logs ? *in : (struct dcs_recover_input){0};
        again.primary = out;
        again.primary_len = len;
        struct dcs_recover_report rep2;
        uint8_t *out2;
        size_t len2;
        FUZZ_CHECK(dcs_recover_buffers_alloc(&again, &out2, &len2, &rep2, &err) == DCS_OK);
        FUZZ_CHECK(rep2.state == DCS_RECOVER_CLEAN && len2 == len);
        FUZZ_CHECK(memcmp(out2, out, len) == 0);
        free(out2);
    }
}

static void run(const struct dcs_recover_input *in)
{
    struct dcs_recover_report rep;
    struct dcs_error err;
    size_t need = 0, len = 0;
    dcs_status qs = dcs_recover_buffers(in, NULL, 0, &need, &rep, &err);
    uint8_t *out = NULL;
    dcs_status st = dcs_recover_buffers_alloc(in, &out, &len, &rep, &err);
    if (st != DCS_OK) {
        FUZZ_CHECK(!out && len == 0 && rep.state == DCS_RECOVER_REFUSED);
        FUZZ_CHECK(err.code == st && err.message[0]);
        FUZZ_CHECK((st == DCS_ERR_HIVE_REFUSED) == (rep.rule != DCS_RECOVER_RULE_NONE));
        /* only the walk of the replayed bins comes after the size query */
        FUZZ_CHECK(qs == st || (qs == DCS_OK && (rep.rule == DCS_RECOVER_RULE_BINS ||
                                                  rep.rule == DCS_RECOVER_RULE_RESULT)));
        return;
    }
    FUZZ_CHECK(qs == DCS_OK && need == len);
    if (rep.state == DCS_RECOVER_CLEAN) {
        FUZZ_CHECK(len == in->primary_len && memcmp(out, in->primary, len) == 0);
        FUZZ_CHECK(rep.entries_applied == 0);
    } else {
        FUZZ_CHECK(rep.state == DCS_RECOVER_RECOVERED);
        check_recovered(in, out, len, &rep);
    }
    free(out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 13)
        return 0;
    uint8_t opt = data[0];
    size_t lens[4], off = 13;
    for (int i = 0; i < 4; i++) {
        size_t want = i < 3 ? rd32(data + 1 + 4 * i) : size - off;
        lens[i] = want < size - off ? want : size - off;
        off += lens[i];
    }
    /* a private copy: the options may reseal and fix checksums */
    uint8_t *copy = malloc(size - 13 ? size - 13 : 1);
    if (!copy)
        return 0;
    memcpy(copy, data + 13, size - 13);
    struct dcs_recover_input in = {copy, lens[0], {NULL}, {0}};
    uint8_t *p = copy + lens[0];
    for (int i = 0; i < 3; i++) {
        unsigned role = (opt >> (2 * i)) & 3u;
        if (opt & 0x40)
            reseal(p, lens[i + 1]);
        if (opt & 0x80)
            fix_checksum(p, lens[i + 1]);
        if (role < DCS_RECOVER_NLOGS && !in.log[role]) {
            in.log[role] = p;
            in.log_len[role] = lens[i + 1];
        }
        p += lens[i + 1];
    }
    if (opt & 0x80)
        fix_checksum(copy, lens[0]);
    run(&in);
    free(copy);
    return 0;
}
