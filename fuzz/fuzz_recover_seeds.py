#!/usr/bin/env python3
"""Write the seed corpus of fuzz/fuzz_recover.c into corpus/fuzz_recover/.

Input layout (see fuzz_recover.c): options byte, three u32 LE lengths
(primary, log A, log B), then primary, log A, log B, log C.  Built from
tests/data/hives/ (provenance in their .source files); what each seed is
is listed in corpus/fuzz_recover/SOURCES.md.  Run from the source root:
    python3 fuzz/fuzz_recover_seeds.py
"""
import os
import struct

DATA = 'tests/data/hives'
OUT = 'corpus/fuzz_recover'
ABSENT = 3


def rol(x, r):
    return ((x << r) | (x >> (32 - r))) & 0xFFFFFFFF


def marvin32(data):
    """Marvin32 with the registry's seed (hive-logs.md section 6.1)."""
    lo, hi = 0x7A4E55C5, 0x82EF4D88

    def rnd(lo, hi):
        hi ^= lo
        lo = (rol(lo, 20) + hi) & 0xFFFFFFFF
        hi = rol(hi, 9) ^ lo
        lo = (rol(lo, 27) + hi) & 0xFFFFFFFF
        hi = rol(hi, 19)
        return lo, hi

    n = len(data) // 4 * 4
    for i in range(0, n, 4):
        lo = (lo + struct.unpack_from('<I', data, i)[0]) & 0xFFFFFFFF
        lo, hi = rnd(lo, hi)
    tail = data[n:] + b'\x80' + b'\x00' * (3 - (len(data) - n))
    lo = (lo + struct.unpack('<I', tail)[0]) & 0xFFFFFFFF
    lo, hi = rnd(lo, hi)
    lo, hi = rnd(lo, hi)
    return hi << 32 | lo


def checksum(block):
    c = 0
    for i in range(0, 508, 4):
        c ^= struct.unpack_from('<I', block, i)[0]
    return {0: 1, 0xFFFFFFFF: 0xFFFFFFFE}.get(c, c)


def fix(block):
    b = bytearray(block)
    struct.pack_into('<I', b, 508, checksum(b))
    return b


def header(primary, ftype, seq, hbins=None):
    h = bytearray(primary[:512])
    struct.pack_into('<III', h, 4, seq, seq, struct.unpack_from('<I', h, 12)[0])
    struct.pack_into('<I', h, 28, ftype)
    if hbins is not None:
        struct.pack_into('<I', h, 40, hbins)
    return fix(h)


def entry(seq, hbins, pages, flags=0):
    """One HvLE entry padded to a multiple of 512, pages = [(offset, bytes)]."""
    refs = b''.join(struct.pack('<II', off, len(p)) for off, p in pages)
    body = refs + b''.join(p for _, p in pages)
    size = (40 + len(body) + 511) // 512 * 512
    body += b'\x00' * (size - 40 - len(body))
    head = struct.pack('<4sIIIII', b'HvLE', size, flags, seq, hbins, len(pages))
    h1 = marvin32(body)
    h2 = marvin32(head + struct.pack('<Q', h1))
    return head + struct.pack('<QQ', h1, h2) + body


def pack(opt, primary, a=b'', b=b'', c=b''):
    return bytes([opt]) + struct.pack('<III', len(primary), len(a), len(b)) + primary + a + b + c


def roles(a, b=ABSENT, c=ABSENT):
    return a | b << 2 | c << 4


def read(name):
    with open(os.path.join(DATA, name), 'rb') as f:
        return f.read()


def dirty(primary, seq1, seq2):
    p = bytearray(primary)
    struct.pack_into('<II', p, 4, seq1, seq2)
    p[:512] = fix(p[:512])
    return p


def seeds():
    new = read('yarp-NewDirtyHive1/NewDirtyHive')[:4096 + 0x5000]
    log1 = read('yarp-NewDirtyHive1/NewDirtyHive.LOG1')
    log2 = read('yarp-NewDirtyHive1/NewDirtyHive.LOG2')[:0xA000]
    yield 'new-dirty-hive1', pack(roles(1, 2), new, log1, log2)
    yield 'new-dirty-hive1-resealed', pack(roles(1, 2) | 0xC0, new, log1, log2)
    yield 'new-dirty-hive1-swapped', pack(roles(2, 1), new, log2, log1)
    yield 'new-dirty-hive1-dummy-log', pack(roles(1, 2, 0), new, log1, log2, log1[:1024])

    mini = read('hivex-minimal')                       # 1.5, seq 256/256, one 4 KiB bin
    hbin = bytearray(mini[4096:8192])
    hbin[0x30] ^= 0x01                                 # the root key's timestamp
    # new format: entry 256 rewrites the bin, entry 257 adds a second bin
    grown = bytearray(b'hbin' + struct.pack('<II', 4096, 4096) + b'\x00' * 20)
    grown += struct.pack('<i', 4096 - 32) + b'\x00' * (4096 - 36)
    p = dirty(mini, 257, 256)
    l1 = header(p, 6, 256) + entry(256, 4096, [(0, bytes(hbin))])
    l2 = header(p, 6, 257) + entry(257, 8192, [(4096, bytes(grown))], flags=1)
    yield 'mini-new-two-logs-grow', pack(roles(1, 2), bytes(p), bytes(l1), bytes(l2))
    yield 'mini-new-single-log', pack(roles(0), bytes(p), bytes(l1) + entry(257, 4096, [(0, mini[4096:8192])]))
    bad = bytearray(p)
    bad[0x40] ^= 1                                     # base block checksum now wrong
    yield 'mini-new-bad-base-block', pack(roles(1, 2), bytes(bad), bytes(l1), bytes(l2))

    # old format: header, DIRT, one bitmap byte (4 KiB of bins), pages at 1024
    p = dirty(mini, 257, 256)
    old = header(p, 1, 257) + b'DIRT' + b'\xff' + b'\x00' * 507 + bytes(hbin)
    yield 'mini-old-log1', pack(roles(1), bytes(p), bytes(old))
    half = header(p, 1, 257) + b'DIRT' + b'\x0f' + b'\x00' * 507 + bytes(hbin[:2048])
    yield 'mini-old-half-pages', pack(roles(0), bytes(p), bytes(half))
    bad = bytearray(p)
    bad[0x40] ^= 1
    lh = bytearray(header(p, 1, 257))
    lh[12:20] = mini[4096 + 20:4096 + 28]              # the first bin's timestamp
    yield 'mini-old-bad-base-block', pack(roles(1, 2), bytes(bad), bytes(fix(lh)) + old[512:])


def main():
    os.makedirs(OUT, exist_ok=True)
    for name, data in seeds():
        with open(os.path.join(OUT, name), 'wb') as f:
            f.write(data)
        print(name, len(data))


if __name__ == '__main__':
    main()
