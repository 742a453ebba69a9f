/* Offline hives: our base-block checks and dirty-log rules on arbitrary
 * bytes, then the read path of `dcs decode --hive` through dcs's own regf
 * reader (instrumented like the rest of libdcs; fuzz_regf drives its edits).
 *
 * The input is a hive file, optionally followed by a transaction log: when
 * the base block is accepted, the first 4096 + hive-bins-size bytes are the
 * hive and the rest (if any) its log (NAME.LOG, .LOG1 or .LOG2, by its last
 * byte).  Properties:
 *  - dcs_hive_parse_header errors name an offset inside the input; an
 *    accepted header satisfies every documented rule;
 *  - dcs_hive_judge_log on the whole input (as a log of the parsed header,
 *    or of a made-up primary) never fails badly; no "regf", no log;
 *  - dcs_hive_inspect of the file gives the verdict of parse_header, judges
 *    the log as dcs_hive_judge_log does and marks the hive dirty exactly
 *    when the rules say;
 *  - a hive our base-block checks refuse is never read further
 *    (dcs_hive_open fails with the same error);
 *  - an accepted hive goes through dcs_apply_read_blob (the decode --hive
 *    code), the Connections key of a user and a SOFTWARE hive (every binary
 *    value decoded as a blob) and a .reg export of the whole tree, which
 *    reads back.
 * The reader runs under ASan/UBSan here: any out-of-bounds read on a
 * hostile hive is a finding. */
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <dcs/apply.h>
#include <dcs/blob.h>
#include "fuzz_common.h"
#include <dcs/hive.h>
#include <dcs/hive_reg.h>
#include <dcs/regwrite.h>

static char dir[PATH_MAX - 32];
static char hive_path[PATH_MAX];
static char log_path[3][PATH_MAX];

static void remove_files(void)
{
    unlink(hive_path);
    for (size_t i = 0; i < 3; i++)
        unlink(log_path[i]);
}

static void cleanup(void)
{
    remove_files();
    rmdir(dir);
}

/* A private directory for the hive and its log, removed at exit. */
static void setup(void)
{
    if (dir[0])
        return;
    struct stat st;
    const char *base = getenv("TMPDIR");
    if (!base || !*base)
        base = stat("/dev/shm", &st) == 0 && S_ISDIR(st.st_mode) ? "/dev/shm" : "/tmp";
    snprintf(dir, sizeof dir, "%s/dcs-fuzz-hive-XXXXXX", base);
    FUZZ_CHECK(mkdtemp(dir) != NULL);
    snprintf(hive_path, sizeof hive_path, "%s/NTUSER.DAT", dir);
    snprintf(log_path[0], sizeof log_path[0], "%s/NTUSER.DAT.LOG", dir);
    snprintf(log_path[1], sizeof log_path[1], "%s/ntuser.dat.LOG1", dir);
    snprintf(log_path[2], sizeof log_path[2], "%s/NTUSER.DAT.log2", dir);
    atexit(cleanup);
}

static void write_file(const char *path, const uint8_t *data, size_t len)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    FUZZ_CHECK(fd >= 0);
    size_t done = 0;
    while (done < len) {
        ssize_t w = write(fd, data + done, len - done);
        FUZZ_CHECK(w > 0);
        done += (size_t)w;
    }
    FUZZ_CHECK(close(fd) == 0);
}

static void check_accepted_header(const struct dcs_hive_header *h, size_t size)
{
    FUZZ_CHECK(h->checksum == h->checksum_calc);
    FUZZ_CHECK(h->major == 1 && h->minor >= 2 && h->minor <= 6);
    FUZZ_CHECK(h->type == DCS_HIVE_TYPE_PRIMARY && h->format == 1);
    FUZZ_CHECK(h->hbins_size != 0 && h->hbins_size % 4096 == 0);
    FUZZ_CHECK((uint64_t)DCS_HIVE_BASE_BLOCK_SIZE + h->hbins_size <= size);
    FUZZ_CHECK(h->root_offset < h->hbins_size);
}

static enum dcs_hive_log_state judge(const uint8_t *data, size_t len,
                                     const struct dcs_hive_header *primary)
{
    uint32_t type, seq;
    enum dcs_hive_log_state s = dcs_hive_judge_log(data, len, primary, &type, &seq);
    FUZZ_CHECK(s >= DCS_HIVE_LOG_EMPTY && s <= DCS_HIVE_LOG_UNREADABLE);
    if (len < 512 || memcmp(data, "regf", 4) != 0)
        FUZZ_CHECK(s == DCS_HIVE_LOG_EMPTY && type == 0 && seq == 0);
    return s;
}

static void decode_blob(const uint8_t *data, size_t len)
{
    struct dcs_blob blob;
    struct dcs_error err;
    dcs_status st = dcs_blob_decode(data, len, DCS_DECODE_LENIENT, &blob, &err);
    if (st != DCS_OK)
        fuzz_check_error(&err, st, len);
    st = dcs_blob_decode(data, len, DCS_DECODE_STRICT, &blob, &err);
    if (st != DCS_OK)
        fuzz_check_error(&err, st, len);
}

static int each_value(void *ctx, const struct dcs_hive_value *v)
{
    (void)ctx;
    FUZZ_CHECK(v->name != NULL);
    FUZZ_CHECK(v->len == 0 || v->data != NULL);
    if (v->type == DCS_REG_BINARY)
        decode_blob(v->data, v->len);
    return 0;
}

/* What `dcs decode --hive`, show and reg export do with an accepted hive. */
static void read_hive(void)
{
    static const char *const connections[2] = {
        DCS_KEY_CONNECTIONS, /* a user hive (NTUSER.DAT) */
        "Microsoft\\Windows\\CurrentVersion\\Internet Settings\\Connections" /* SOFTWARE */
    };
    struct dcs_error err;
    uint8_t *blob;
    size_t len;

    dcs_status st = dcs_apply_read_blob(hive_path, NULL, NULL, NULL, NULL, &blob, &len, &err);
    if (st == DCS_OK) {
        decode_blob(blob, len);
        free(blob);
    } else {
        FUZZ_CHECK(blob == NULL);
        FUZZ_CHECK(err.code == st && err.message[0] != '\0');
    }

    dcs_hive *h;
    st = dcs_hive_open(hive_path, DCS_HIVE_READ, &h, &err);
    if (st != DCS_OK) {
        FUZZ_CHECK(h == NULL && err.code == st);
        return;
    }
    for (size_t i = 0; i < 2; i++) {
        dcs_hive_key k;
        if (dcs_hive_find_key(h, 0, connections[i], &k, &err) == DCS_OK)
            (void)dcs_hive_each_value(h, k, each_value, NULL, NULL, &err);
    }

    struct dcs_reg_membuf out = {.grow = true};
    struct dcs_reg_writer *w;
    FUZZ_CHECK(dcs_reg_writer_new(NULL, dcs_reg_membuf_write, &out, &w, &err) == DCS_OK);
    st = dcs_hive_export_reg(h, "HKEY_CURRENT_USER", "", w, &err);
    if (st == DCS_OK)
        FUZZ_CHECK(dcs_reg_writer_finish(w, &err) == DCS_OK);
    else
        FUZZ_CHECK(err.code == st && err.message[0] != '\0');
    dcs_reg_writer_free(w);
    if (st == DCS_OK) {
        /* the export is a .reg file the reader takes */
        struct dcs_reg_reader *r;
        struct dcs_reg_op op;
        FUZZ_CHECK(dcs_reg_reader_new(NULL, &r, &err) == DCS_OK);
        FUZZ_CHECK(dcs_reg_reader_feed(r, out.buf, out.len, true, &err) == DCS_OK);
        while ((st = dcs_reg_reader_next(r, &op, &err)) == DCS_OK && op.kind != DCS_REG_OP_END)
            FUZZ_CHECK(op.kind != DCS_REG_OP_NEED_INPUT);
        FUZZ_CHECK(st == DCS_OK);
        dcs_reg_reader_free(r);
    }
    free(out.buf);
    dcs_hive_close(h);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct dcs_hive_header hdr;
    struct dcs_error err;
    size_t head = size < DCS_HIVE_BASE_BLOCK_SIZE ? size : DCS_HIVE_BASE_BLOCK_SIZE;

    setup();
    dcs_error_clear(&err);
    dcs_status st = dcs_hive_parse_header(data, head, size, &hdr, &err);
    if (st != DCS_OK)
        fuzz_check_error(&err, st, size);
    else
        check_accepted_header(&hdr, size);

    /* the input as a transaction log */
    struct dcs_hive_header primary = hdr;
    if (st != DCS_OK) {
        memset(&primary, 0, sizeof primary);
        primary.seq1 = primary.seq2 = size >= 12 ? (uint32_t)data[8] | (uint32_t)data[9] << 8 : 1;
        primary.hbins_size = 4096u << (size % 8);
    }
    (void)judge(data, size, &primary);

    /* the input as a hive file and its log */
    size_t hive_len = st == DCS_OK ? DCS_HIVE_BASE_BLOCK_SIZE + hdr.hbins_size : size;
    size_t log_len = size - hive_len;
    size_t which = log_len ? data[size - 1] % 3u : 0;
    remove_files();
    write_file(hive_path, data, hive_len);
    if (log_len)
        write_file(log_path[which], data + hive_len, log_len);

    dcs_hive_state *hs = NULL;
    struct dcs_error ierr;
    dcs_error_clear(&ierr);
    dcs_status ist = dcs_hive_inspect(hive_path, &hs, &ierr);
    FUZZ_CHECK(ist == st);
    if (ist != DCS_OK) {
        FUZZ_CHECK(ierr.offset == err.offset);
        dcs_hive *h;
        FUZZ_CHECK(dcs_hive_open(hive_path, DCS_HIVE_READ, &h, &ierr) == st && h == NULL);
        return 0;
    }
    FUZZ_CHECK(dcs_hive_state_file_size(hs) == hive_len);
    FUZZ_CHECK(dcs_hive_state_log_count(hs) == (log_len ? 1u : 0u));
    bool dirty = hdr.seq1 != hdr.seq2;
    if (log_len) {
        enum dcs_hive_log_state ls = judge(data + hive_len, log_len, &hdr);
        struct dcs_hive_log lg = dcs_hive_state_log(hs, 0);
        FUZZ_CHECK(lg.state == ls && lg.size == log_len);
        dirty = dirty || ls == DCS_HIVE_LOG_PENDING || ls == DCS_HIVE_LOG_UNREADABLE;
    }
    FUZZ_CHECK(dcs_hive_state_dirty(hs) == dirty);
    FUZZ_CHECK((dcs_hive_state_reason(hs)[0] != '\0') == dirty);
    if (dcs_hive_supported())
        read_hive();
    dcs_hive_state_free(hs);
    return 0;
}
