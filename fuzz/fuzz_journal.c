/* The journal of an interrupted multi-hive commit, as found beside a hive
 * in an image (hostile: anyone who wrote the image wrote it).  Properties:
 * parsing never crashes or reads out of bounds; an accepted journal has
 * 1..64 hives, each with a 12-character [a-z0-9] token and a target named
 * below the journal's directory or relative to it, never absolute, and
 * the temporary, kept and journal names derived from that target. */
#include <string.h>

#include "fuzz_common.h"
#include "hive/hive_internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > DCSI_JOURNAL_MAX_BYTES)
        return 0;
    struct dcsi_journal j;
    struct dcs_error err;
    dcs_status st = dcsi_journal_parse((const char *)data, size,
                                       "/nonexistent-img/config/HIVE.dcs-journal", &j, &err);
    if (st != DCS_OK) {
        FUZZ_CHECK(st == DCS_ERR_HIVE_JOURNAL || st == DCS_ERR_NOMEM);
        FUZZ_CHECK(err.code == st && err.message[0] != '\0');
        return 0;
    }
    FUZZ_CHECK(j.n >= 1 && j.n <= DCSI_JOURNAL_MAX_HIVES);
    for (size_t i = 0; i < j.n; i++) {
        const struct dcsi_jentry *e = &j.e[i];
        FUZZ_CHECK(strlen(e->token) == DCSI_TOKEN_LEN);
        FUZZ_CHECK(strspn(e->token, "abcdefghijklmnopqrstuvwxyz0123456789") == DCSI_TOKEN_LEN);
        FUZZ_CHECK(strncmp(e->target, "/nonexistent-img/config/", 24) == 0);
        size_t tl = strlen(e->target);
        FUZZ_CHECK(strncmp(e->tmp, e->target, tl) == 0 && strcmp(e->tmp + tl + 5, e->token) == 0);
        FUZZ_CHECK(strncmp(e->keep, e->tmp, strlen(e->tmp)) == 0);
        FUZZ_CHECK(strcmp(e->journal + tl, DCSI_JOURNAL_SUFFIX) == 0);
    }
    dcsi_journal_free(&j);
    return 0;
}
