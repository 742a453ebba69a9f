#!/usr/bin/env bash
# Hives written by dcs, read back by four independent readers: libhivex
# (hivexregedit --export), libregf (regfexport), reglookup and RegRipper's
# Parse::Win32Registry.  A varied .reg (1,200 subkeys under one key for ri
# lists, big data values, every value type, names beyond Latin-1, a
# deletion) is imported into a copy of hivex-minimal and of yarp-EmptyHive;
# each reader must accept the hive and list the same keys and values as
# dcs's own export, value by value (data compared wherever the reader's
# output carries it exactly; see the notes in the comparer).
# usage: test_hive_readers.sh PATH-TO-dcs
set -euo pipefail

dcs=$1
src=${DCS_SOURCE_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
work=$(mktemp -d "${TMPDIR:-/tmp}/dcs-readers.XXXXXX")
trap 'rm -rf "$work"' EXIT

for tool in hivexregedit regfexport reglookup python3 perl; do
  command -v "$tool" >/dev/null || { echo "missing $tool (tools/install-deps.sh --test)" >&2; exit 1; }
done
perl -MParse::Win32Registry -e1 || { echo "missing Parse::Win32Registry (regripper)" >&2; exit 1; }

python3 - "$work/in.reg" <<'EOF'
import sys
out = ['Windows Registry Editor Version 5.00', '']
P = 'HKEY_LOCAL_MACHINE\\SOFTWARE'
def hexs(b): return ','.join('%02x' % x for x in b)
out += ['[%s\\Types]' % P, '@="default"', '"sz"="a\\\\b\\"c \u00e9\u00e8 \u03b1\u03b2"',
        '"dword"=dword:00000102', '"bin"=hex:01,02,03,04,05,06,07,08,09',
        '"expand"=hex(2):25,00,53,00,59,00,53,00,25,00,00,00',
        '"multi"=hex(7):41,00,00,00,42,00,43,00,00,00,00,00',
        '"qword"=hex(b):01,02,03,04,05,06,07,08', '"none"=hex(0):',
        '"link"=hex(6):5c,00,41,00', '"odd"=hex(1234):de,ad,be,ef,00',
        '"big"=hex:' + hexs(bytes((i * 7 + i // 300) % 256 for i in range(40000))),
        '"bigger"=hex:' + hexs(bytes((i * 13) % 256 for i in range(100001))),
        '"\u00e9t\u00e9 \u0436\u0438"="unicode value name"', '']
out += ['[%s\\\u0416\u0438\u0437\u043d\u044c\\\u00c9t\u00e9]' % P, '"x"=dword:00000001', '']
for i in range(1200):
    j = (i * 7919) % 1200
    out += ['[%s\\Many\\Key%04d_%s]' % (P, j, 'x' * (j % 7)), '"n"=dword:%08x' % j, '']
out += ['[%s\\Doomed\\Child]' % P, '"v"="w"', '', '[-%s\\Doomed]' % P, '']
open(sys.argv[1], 'w', encoding='utf-16').write('\r\n'.join(out) + '\r\n')
EOF

fails=0
for base in hivex-minimal yarp-EmptyHive; do
  hive=$work/$base
  cp "$src/tests/data/hives/$base" "$hive"
  chmod u+w "$hive"
  "$dcs" reg import --hive "$hive" --prefix 'HKEY_LOCAL_MACHINE\SOFTWARE' "$work/in.reg" >/dev/null 2>&1
  "$dcs" reg export --hive "$hive" --prefix R --encoding utf8 -o "$work/dcs.reg"
  # (warnings about names beyond ASCII go to .err files: the data is compared)
  hivexregedit --export --prefix R "$hive" '\' >"$work/hivex.reg" 2>"$work/hivex.err"
  regfexport "$hive" >"$work/regf.txt"
  reglookup "$hive" >"$work/reglookup.csv" 2>"$work/reglookup.err"
  perl -MParse::Win32Registry -e '
    my $r = Parse::Win32Registry->new($ARGV[0]) or die "Parse::Win32Registry refuses the hive\n";
    my @todo = ($r->get_root_key);
    binmode STDOUT, ":utf8";
    while (my $k = shift @todo) {
      my $p = $k->get_path; $p =~ s/^[^\\]*//;
      print "K\t$p\n";
      print "V\t$p\t", $_->get_name, "\t", $_->get_type, "\t", unpack("H*", $_->get_raw_data), "\n"
        for $k->get_list_of_values;
      push @todo, $k->get_list_of_subkeys;
    }' "$hive" >"$work/perl.txt"
  if ! python3 "$src/tests/cli/hive_readers_compare.py" "$work" "$base"; then
    fails=$((fails + 1))
  fi
done
if ((fails)); then echo "hive readers: $fails hive(s) disagree" >&2; exit 1; fi
echo "hive readers: hivex, libregf, reglookup and Parse::Win32Registry agree with dcs"
