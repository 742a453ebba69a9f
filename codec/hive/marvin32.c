/* Marvin32 (Microsoft's keyed 32-bit-state hash), as the registry uses it
 * to seal transaction-log entries: hive-logs.md §6.1.  Written from the
 * published description of the algorithm; checked against every real log
 * entry in the fixtures (tests/unit/test_recover.c). */
#include "hive/recover_internal.h"

static inline uint32_t rotl32(uint32_t x, unsigned r)
{
    return x << r | x >> (32u - r);
}

/* One mixing round of the two-word state. */
static inline void marvin_round(uint32_t *lo, uint32_t *hi)
{
    *hi ^= *lo;
    *lo = rotl32(*lo, 20) + *hi;
    *hi = rotl32(*hi, 9) ^ *lo;
    *lo = rotl32(*lo, 27) + *hi;
    *hi = rotl32(*hi, 19);
}

/* The seed bytes 82 EF 4D 88 7A 4E 55 C5 read as the u64 0x82EF4D887A4E55C5:
 * its low dword starts the low state, its high dword the high state. */
#define MARVIN_SEED_LO 0x7A4E55C5u
#define MARVIN_SEED_HI 0x82EF4D88u

uint64_t dcsi_marvin32_hive(const uint8_t *data, size_t len)
{
    uint32_t lo = MARVIN_SEED_LO, hi = MARVIN_SEED_HI;
    size_t i = 0;
    for (; len - i >= 4; i += 4) {
        lo += dcsi_rd32(data + i);
        marvin_round(&lo, &hi);
    }
    /* the tail (0..3 bytes) padded with one 0x80 byte */
    uint32_t last = 0x80;
    switch (len - i) {
    case 3:
        last = 0x80000000u | (uint32_t)data[i + 2] << 16 | (uint32_t)data[i + 1] << 8 | data[i];
        break;
    case 2:
        last = 0x800000u | (uint32_t)data[i + 1] << 8 | data[i];
        break;
    case 1:
        last = 0x8000u | data[i];
        break;
    default:
        break;
    }
    lo += last;
    marvin_round(&lo, &hi);
    marvin_round(&lo, &hi);
    return (uint64_t)hi << 32 | lo;
}
