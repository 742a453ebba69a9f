#!/usr/bin/env python3
"""Damage a copy of a hive the way issue 10 point 7 found them.

usage: cut_hive.py MODE IN OUT [KEY]
  valuelist  the key KEY (default Connections) claims 1000 more values than
             its value-list cell holds (a truncated value list)
  data       the data cell of DefaultConnectionSettings is cut to 8 bytes;
             the rest of it becomes a free cell, so the bin still parses
  bigdata    the same for the last segment of a big-data (db) value
Prints the file offset of the damaged cell.  IN is never written.
"""
import struct
import sys

BASE = 4096


def cells(b):
    """(file offset, size, allocated) of every cell in every bin."""
    pos = BASE
    while pos + 32 <= len(b) and b[pos:pos + 4] == b'hbin':
        size = struct.unpack_from('<I', b, pos + 8)[0]
        c = pos + 32
        while c < pos + size:
            n = struct.unpack_from('<i', b, c)[0]
            yield c, abs(n), n < 0
            c += abs(n)
        pos += size


def find(b, sig, name):
    for off, _size, used in cells(b):
        if used and b[off + 4:off + 6] == sig:
            if sig == b'nk':
                nlen = struct.unpack_from('<H', b, off + 4 + 0x48)[0]
                text = b[off + 4 + 0x4c:off + 4 + 0x4c + nlen]
            else:
                nlen = struct.unpack_from('<H', b, off + 4 + 2)[0]
                text = b[off + 4 + 0x14:off + 4 + 0x14 + nlen]
            if text == name:
                return off
    sys.exit('cut_hive: no %s %s' % (sig.decode(), name.decode()))


def main():
    mode, src, dst = sys.argv[1:4]
    key = sys.argv[4].encode() if len(sys.argv) > 4 else b'Connections'
    b = bytearray(open(src, 'rb').read())
    if mode == 'valuelist':
        nk = find(b, b'nk', key)
        n = struct.unpack_from('<I', b, nk + 4 + 0x24)[0]
        struct.pack_into('<I', b, nk + 4 + 0x24, n + 1000)
        print(BASE + struct.unpack_from('<I', b, nk + 4 + 0x28)[0])
    elif mode in ('data', 'bigdata'):
        vk = find(b, b'vk', b'DefaultConnectionSettings')
        cell = BASE + struct.unpack_from('<I', b, vk + 4 + 8)[0]
        if mode == 'bigdata':
            assert b[cell + 4:cell + 6] == b'db', 'not a big-data value'
            nseg, seglist = struct.unpack_from('<HI', b, cell + 6)
            cell = BASE + struct.unpack_from('<I', b, BASE + seglist + 4 * nseg)[0]
        size = -struct.unpack_from('<i', b, cell)[0]
        assert size > 16, size
        struct.pack_into('<i', b, cell, -8)
        struct.pack_into('<i', b, cell + 8, size - 8)
        print(cell)
    else:
        sys.exit('cut_hive: unknown mode ' + mode)
    open(dst, 'wb').write(b)


main()
