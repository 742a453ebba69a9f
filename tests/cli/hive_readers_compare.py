#!/usr/bin/env python3
"""Compare what independent hive readers saw with dcs's own export.

usage: hive_readers_compare.py WORKDIR NAME
WORKDIR holds dcs.reg (dcs reg export, prefix R), hivex.reg (hivexregedit
--export, prefix R), regf.txt (regfexport), reglookup.csv (reglookup) and
perl.txt (Parse::Win32Registry walk).  Keys are compared as paths below the
root; values as (key, name, type, data).  Where a reader prints data in a
lossy form, only what it prints exactly is compared:
  - regfexport: strings as text, integers as numbers, everything else as a
    hex dump; libregf 20201007 shows binary data of fewer than 4 bytes
    (stored inside the value cell) shifted by one byte, for hives written by
    any writer (libhivex's too), so those dumps are not compared;
  - reglookup: BINARY, DWORD and QWORD data exactly, SZ and EXPAND_SZ as
    text; other types by name and type only.
Exit status 1 and a report when any reader disagrees."""
import re
import sys
import urllib.parse

work, name = sys.argv[1], sys.argv[2]
errors = []

TYPES = {'REG_NONE': 0, 'REG_SZ': 1, 'REG_EXPAND_SZ': 2, 'REG_BINARY': 3,
         'REG_DWORD': 4, 'REG_DWORD_LITTLE_ENDIAN': 4, 'REG_DWORD_BIG_ENDIAN': 5,
         'REG_LINK': 6, 'REG_MULTI_SZ': 7, 'REG_RESOURCE_LIST': 8,
         'REG_FULL_RESOURCE_DESCRIPTOR': 9, 'REG_RESOURCE_REQUIREMENTS_LIST': 10,
         'REG_QWORD': 11, 'REG_QWORD_LITTLE_ENDIAN': 11}
RL_TYPES = {'NONE': 0, 'SZ': 1, 'EXPAND_SZ': 2, 'BINARY': 3, 'DWORD': 4, 'DWORD_BE': 5,
            'LINK': 6, 'MULTI_SZ': 7, 'RSRC_LIST': 8, 'RSRC_DESC': 9, 'RSRC_REQ_LIST': 10,
            'QWORD': 11}


def read_text(path):
    raw = open(path, 'rb').read()
    if raw.startswith(b'\xff\xfe'):
        return raw[2:].decode('utf-16-le')
    return raw.decode('utf-8-sig')


def parse_reg(path, prefix='R'):
    """regedit 5.00 text -> (keys, values {(key, lower name): (name, type, bytes)})."""
    text = read_text(path).replace('\r\n', '\n')
    text = re.sub(r'\\\n\s*', '', text)
    keys, values, key = set(), {}, None
    for line in text.split('\n'):
        if line.startswith('['):
            key = line[1:line.rindex(']')]
            assert key == prefix or key.startswith(prefix + '\\'), key
            key = key[len(prefix):].rstrip('\\')
            keys.add(key)
            continue
        if not line or key is None or line.startswith('Windows Registry'):
            continue
        if line.startswith('@='):
            vname, rest = '', line[2:]
        else:
            m = re.match(r'"((?:[^"\\]|\\.)*)"=(.*)$', line)
            assert m, line
            vname, rest = re.sub(r'\\(.)', r'\1', m.group(1)), m.group(2)
        if rest.startswith('"'):
            s = re.sub(r'\\(.)', r'\1', rest[1:-1])
            vtype, data = 1, s.encode('utf-16-le') + b'\0\0'
        elif rest.startswith('dword:'):
            vtype, data = 4, int(rest[6:], 16).to_bytes(4, 'little')
        else:
            m = re.match(r'hex(?:\(([0-9a-fA-F]+)\))?:(.*)$', rest)
            assert m, rest
            vtype = int(m.group(1), 16) if m.group(1) else 3
            data = bytes(int(x, 16) for x in m.group(2).split(',') if x)
        values[(key, vname.lower())] = (vname, vtype, data)
    return keys, values


def report(reader, what):
    errors.append('%s: %s: %s' % (name, reader, what))


def compare_sets(reader, ref_keys, keys, ref_vals, vals):
    for k in sorted(ref_keys - keys)[:5]:
        report(reader, 'key %r missing' % k)
    for k in sorted(keys - ref_keys)[:5]:
        report(reader, 'unexpected key %r' % k)
    for k in sorted(set(ref_vals) - set(vals))[:5]:
        report(reader, 'value %r missing' % (k,))
    for k in sorted(set(vals) - set(ref_vals))[:5]:
        report(reader, 'unexpected value %r' % (k,))


def text_of(data):
    s = data.decode('utf-16-le', 'replace')
    return s.split('\0', 1)[0]


ref_keys, ref_vals = parse_reg(work + '/dcs.reg')
if len(ref_keys) < 1200 or len(ref_vals) < 1200:
    report('dcs', 'export has only %d keys, %d values' % (len(ref_keys), len(ref_vals)))

# libhivex: the same .reg format, exact data
keys, vals = parse_reg(work + '/hivex.reg')
compare_sets('hivexregedit', ref_keys, keys, ref_vals, vals)
for k, v in vals.items():
    if k in ref_vals and ref_vals[k][1:] != v[1:]:
        report('hivexregedit', 'value %r: %r differs' % (k, v[:2]))

# Parse::Win32Registry: raw data, exact
keys, vals = set(), {}
for line in open(work + '/perl.txt', encoding='utf-8'):
    f = line.rstrip('\n').split('\t')
    if f[0] == 'K':
        keys.add(f[1])
    else:
        vals[(f[1], f[2].lower())] = (f[2], int(f[3]), bytes.fromhex(f[4]))
compare_sets('Parse::Win32Registry', ref_keys, keys, ref_vals, vals)
for k, v in vals.items():
    if k in ref_vals and ref_vals[k][1:] != v[1:]:
        report('Parse::Win32Registry', 'value %r differs' % (k,))

# libregf's regfexport
keys, vals, key, cur = set(), {}, None, None
lines = open(work + '/regf.txt', encoding='utf-8', errors='replace').read().split('\n')
i = 0
while i < len(lines):
    line = lines[i]
    if line.startswith('Key path: '):
        p = line[10:]
        key = p[p.index('\\'):] if '\\' in p else ''
        keys.add(key)
    elif line.startswith('Value: '):
        vname = line[7:].split(' ', 1)[1] if ' ' in line[7:] else ''
        vname = '' if vname == '(default)' else vname
        cur = {'name': vname}
        vals[(key, vname.lower())] = cur
    elif line.startswith('Type: ') and cur is not None:
        m = re.search(r'\((REG_\w+|0x[0-9a-fA-F]+)\)\s*$|unknown: (0x[0-9a-fA-F]+)', line)
        t = (m.group(1) or m.group(2)) if m else ''
        cur['type'] = TYPES.get(t, int(t, 16) if t.startswith('0x') else -1)
    elif line.startswith('Data size: ') and cur is not None:
        cur['size'] = int(line[11:])
    elif line.startswith('Data:') and cur is not None:
        if line.strip() == 'Data:':
            dump = b''
            while i + 1 < len(lines) and re.match(r'[0-9a-f]{8}: ', lines[i + 1]):
                i += 1
                dump += bytes.fromhex(lines[i][10:58].replace(' ', ''))
            cur['dump'] = dump
        else:
            cur['text'] = line[6:]
    i += 1
compare_sets('regfexport', ref_keys, keys, ref_vals, vals)
for k, v in vals.items():
    if k not in ref_vals:
        continue
    _, rtype, rdata = ref_vals[k]
    if v.get('type') != rtype or v.get('size') != len(rdata):
        report('regfexport', 'value %r: type %s size %s' % (k, v.get('type'), v.get('size')))
    elif 'dump' in v and len(rdata) >= 4 and v['dump'][:len(rdata)] != rdata:
        report('regfexport', 'value %r: data differs' % (k,))
    elif 'text' in v and rtype in (1, 2) and v['text'] != text_of(rdata):
        report('regfexport', 'value %r: text %r' % (k, v['text']))
    elif 'text' in v and rtype in (4, 11) and int(v['text']) != int.from_bytes(rdata, 'little'):
        report('regfexport', 'value %r: number %s' % (k, v['text']))

# reglookup: names it cannot convert come out as the stored bytes
# (UTF-16LE, or Latin-1 for compressed names), %-escaped
def rl_name(part):
    raw = urllib.parse.unquote_to_bytes(part)
    def clean(t):
        return not any(ord(c) < 0x20 for c in t)
    wide = raw.decode('utf-16-le', 'replace') if len(raw) % 2 == 0 else None
    try:
        text = raw.decode('utf-8')
    except UnicodeDecodeError:
        return wide if wide is not None and clean(wide) else raw.decode('latin-1')
    return text if clean(text) or wide is None else wide


def rl_path(path):
    return '\\'.join(rl_name(p) for p in path.split('/')).rstrip('\\')


rows = [l.rstrip('\n').split(',') for l in open(work + '/reglookup.csv', encoding='utf-8')][1:]
keys = {rl_path(r[0]) for r in rows if r[1] == 'KEY'}
vals = {}
for r in rows:
    if r[1] == 'KEY':
        continue
    path = r[0]
    cut = path.rindex('/')
    key = rl_path(path[:cut])
    vname = rl_name(path[cut + 1:])
    vals[(key, vname.lower())] = (r[1], r[2])
compare_sets('reglookup', ref_keys, keys, ref_vals, vals)
for k, (t, v) in vals.items():
    if k not in ref_vals:
        continue
    _, rtype, rdata = ref_vals[k]
    if RL_TYPES.get(t, int(t, 16) if t.startswith('0x') else -1) != rtype:
        report('reglookup', 'value %r: type %s' % (k, t))
    elif t == 'BINARY' and urllib.parse.unquote_to_bytes(v) != rdata:
        report('reglookup', 'value %r: data differs' % (k,))
    elif t in ('DWORD', 'QWORD') and int(v, 16) != int.from_bytes(rdata, 'little'):
        report('reglookup', 'value %r: number %s' % (k, v))
    elif (t in ('SZ', 'EXPAND_SZ') and urllib.parse.unquote(v) != text_of(rdata) and
          urllib.parse.unquote_to_bytes(v) != rdata):
        report('reglookup', 'value %r: text %r' % (k, v))

for e in errors[:40]:
    print(e, file=sys.stderr)
sys.exit(1 if errors else 0)
