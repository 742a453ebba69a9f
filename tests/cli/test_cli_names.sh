#!/usr/bin/env bash
# Key names .reg cannot carry (issue: real SECURITY and NTUSER hives hold
# them): a NUL inside a hive's key name is warned about where it is read
# (the name is cut there), a line break when it is exported.
# usage: test_cli_names.sh PATH-TO-dcs
set -uo pipefail
dcs=$1
src=${DCS_SOURCE_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
work=$(mktemp -d /tmp/dcs-cli-names.XXXXXX)
trap 'rm -rf "$work"' EXIT
pass=0 failed=0
ok() { pass=$((pass + 1)); }
fail() { failed=$((failed + 1)); echo "FAIL: $*" >&2; }

cp "$src/tests/data/hives/hivex-minimal" "$work/h"
printf 'Windows Registry Editor Version 5.00\r\n\r\n[HKEY_USERS\\S\\NULXY]\r\n"v"=dword:00000001\r\n\r\n' |
  iconv -f utf-8 -t utf-16le | { printf '\xff\xfe'; cat; } >"$work/in.reg"
"$dcs" reg import --quiet --hive "$work/h" --prefix 'HKEY_USERS\S' "$work/in.reg" >/dev/null 2>&1 ||
  { echo "cannot import into the test hive"; exit 1; }
# the key's name is stored compressed (Latin-1): turn its X into a NUL
python3 - "$work/h" <<'PY'
import sys
p = sys.argv[1]
b = bytearray(open(p, "rb").read())
i = b.find(b"NULXY")
assert i > 0 and b.find(b"NULXY", i + 1) < 0
b[i + 3] = 0
open(p, "wb").write(b)
b[i + 3] = 10
open(p + ".nl", "wb").write(b)
PY
"$dcs" reg export --hive "$work/h" --prefix 'HKEY_USERS\S' -o "$work/out.reg" >"$work/stdout" 2>"$work/err"
rc=$?
[[ $rc == 0 ]] && ok || fail "export exit $rc"
# issue 10 point 8: the warning in full
if [[ $(cat "$work/err") == "dcs: warning: $(realpath "$work/h"): the name of the key at offset 4536 holds a NUL character; it is read (and exported) cut before it as 'NUL', which regedit cannot import as the same key" ]]; then ok; else
  fail "no NUL warning"; sed 's/^/  | /' "$work/err" >&2; fi
iconv -f utf-16le -t utf-8 "$work/out.reg" | grep -q '^\[HKEY_USERS\\S\\NUL\]' && ok || fail "key exported cut at the NUL"

# a line break in a key name: exported as it is, with a warning (issue 10
# point 8: regedit cannot import it back)
"$dcs" reg export --hive "$work/h.nl" --prefix 'HKEY_USERS\S' -o "$work/out2.reg" >/dev/null 2>"$work/err"
rc=$?
[[ $rc == 0 ]] && ok || fail "export (line break) exit $rc"
if [[ $(cat "$work/err") == "dcs: warning: $work/out2.reg: key name holds a line break, written as it is: regedit cannot import this key back (its key line is cut there): HKEY_USERS\S\NUL\nY" ]]; then ok; else
  fail "no line-break warning"; sed 's/^/  | /' "$work/err" >&2; fi

echo "$((pass + failed)) checks, $failed failures"
[[ $failed == 0 ]]
