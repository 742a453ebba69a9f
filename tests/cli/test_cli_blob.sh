#!/bin/bash
# End-to-end checks of `dcs decode`, `dcs encode` and `dcs diff` on the blob
# fixtures and the hand-checked golden files.
#
# usage: test_cli_blob.sh DCS_EXE SOURCE_ROOT
# Fixtures: SOURCE_ROOT/tests/data/blobs, plus $DCS_SHARED/fixtures/blobs when
# that directory exists.  Needs only bash, coreutils, sed and grep.
set -u
export LC_ALL=C

DCS=${1:?usage: test_cli_blob.sh DCS_EXE SOURCE_ROOT}
ROOT=${2:?usage: test_cli_blob.sh DCS_EXE SOURCE_ROOT}
DATA=$ROOT/tests/data
TMP=$(mktemp -d "${TMPDIR:-/tmp}/dcs-cli-blob.XXXXXX") || exit 1
trap 'rm -rf "$TMP"' EXIT

checks=0
failures=0
pass() { checks=$((checks + 1)); }
fail() {
    checks=$((checks + 1))
    failures=$((failures + 1))
    echo "FAIL: $*"
}

# hex text (comments after ';' or '#') -> binary, without xxd
hex2bin() {
    local digits
    digits=$(sed 's/[;#].*//' "$1" | tr -cd '0-9a-fA-F')
    if ((${#digits} % 2)); then
        echo "hex2bin: odd digit count in $1" >&2
        return 1
    fi
    printf '%b' "$(printf '%s' "$digits" | sed 's/../\\x&/g')" >"$2"
}

# Run dcs; set rc, out (stdout file) and err (stderr file).
run() {
    out=$TMP/out err=$TMP/err
    "$DCS" "$@" >"$out" 2>"$err"
    rc=$?
}

expect_rc() { # expect_rc WANT WHAT...
    local want=$1
    shift
    if [ "$rc" -eq "$want" ]; then pass; else fail "$* : exit $rc, expected $want ($(head -c 300 "$err"))"; fi
}

expect_stderr() { # expect_stderr TEXT WHAT...
    local text=$1
    shift
    if grep -qF -- "$text" "$err"; then pass; else fail "$* : stderr lacks '$text': $(head -c 300 "$err")"; fi
}

same_file() { # same_file A B WHAT...
    local a=$1 b=$2
    shift 2
    if cmp -s "$a" "$b"; then pass; else fail "$* : $(cmp "$a" "$b" 2>&1)"; fi
}

# ---- every fixture ---------------------------------------------------------

dirs=("$DATA/blobs")
if [ -n "${DCS_SHARED:-}" ] && [ -d "$DCS_SHARED/fixtures/blobs" ]; then
    dirs+=("$DCS_SHARED/fixtures/blobs")
fi
declare -A seen=()
nfix=0
for dir in "${dirs[@]}"; do
    for hex in "$dir"/*.hex; do
        [ -e "$hex" ] || continue
        name=$(basename "$hex" .hex)
        bin=$TMP/$name.bin
        hex2bin "$hex" "$bin" || { fail "$name: cannot convert"; continue; }
        sum=$(cksum <"$bin")
        [ "${seen[$name]:-}" = "$sum" ] && continue
        seen[$name]=$sum
        nfix=$((nfix + 1))

        # text decode, from hex text and from binary: same table
        run decode "$hex"
        expect_rc 0 "$name: decode hex"
        grep -q '^format ' "$out" && pass || fail "$name: decode prints no format line"
        cp "$out" "$TMP/table.hex"
        run decode "$bin"
        expect_rc 0 "$name: decode binary"
        same_file "$TMP/table.hex" "$out" "$name: table from hex vs binary"

        # JSON from either input is the same; JSON -> encode gives the bytes back
        run decode --json "$bin"
        expect_rc 0 "$name: decode --json binary"
        cp "$out" "$TMP/$name.json"
        run decode --json "$hex"
        same_file "$TMP/$name.json" "$out" "$name: JSON from hex vs binary"
        "$DCS" decode --json "$hex" 2>"$TMP/pipe.err" | "$DCS" encode --json - --output-format binary >"$TMP/rt.bin"
        rc=$?
        expect_rc 0 "$name: decode --json | encode --json -"
        same_file "$bin" "$TMP/rt.bin" "$name: JSON round trip"
        # compact JSON too, and stdin input
        "$DCS" decode --json --compact - <"$bin" 2>"$TMP/pipe.err" | "$DCS" encode --json - --output-format binary >"$TMP/rt2.bin"
        same_file "$bin" "$TMP/rt2.bin" "$name: compact JSON round trip via stdin"

        # the keys the issue asks for
        if grep -q '"format": "winhttp"' "$TMP/$name.json"; then
            keys="version counter flags flag_names proxy bypass trailer warnings"
        else
            keys="version counter flags flag_names proxy bypass autoconfig_url autodiscovery_flags
                  last_detect_url last_detect_time last_detect_time_utc ipv4 secondary_url
                  reload_delay_mins trailer warnings"
        fi
        for k in $keys; do
            grep -q "^  \"$k\": " "$TMP/$name.json" && pass || fail "$name: JSON lacks \"$k\""
        done
    done
done
[ "$nfix" -gt 0 ] && pass || fail "no fixtures in ${dirs[*]}"

f013=$TMP/013-dcs46-proxy-and-pac-cn-blog.bin
f011=$TMP/011-dcs46-direct-stale-bypass-space-pac.bin
f012=$TMP/012-dcs46-direct-after-value-deleted-counter-reset.bin
f015=$TMP/015-dcs46-direct-cn-blog2.bin
f025=$TMP/025-dcs46-proxy-autodetect-bypass-local-oxfam.bin
f022=$TMP/022-sls46-autodetect-lkg-wpad-5-sockaddrs-ipv6.bin
for f in "$f013" "$f011" "$f012" "$f015" "$f025" "$f022"; do
    [ -f "$f" ] && pass || fail "fixture $(basename "$f") missing"
done

# ---- odd string bytes round-trip through JSON -----------------------------------

# a proxy string with an embedded NUL (valid UTF-8, so JSON shows it as \u0000)
printf 'F\0\0\0\1\0\0\0\3\0\0\0\6\0\0\0a\0b:80' >"$TMP/nul.bin"
head -c 40 /dev/zero >>"$TMP/nul.bin"
run decode --json "$TMP/nul.bin"
expect_rc 0 "decode of a proxy with a NUL byte"
grep -qF '"proxy": "a\u0000b:80"' "$out" && pass || fail "NUL proxy: JSON lacks \u0000"
"$DCS" encode --json "$out" --output-format binary >"$TMP/nul.rt" 2>"$err"
rc=$?
expect_rc 0 "encode --json of a string holding \u0000"
same_file "$TMP/nul.bin" "$TMP/nul.rt" "NUL byte in a string: JSON round trip"

# numbers given as strings: negative or too large ones are refused, not wrapped
for kv in '"counter": "-4294967295"' '"last_detect_time": "-1"' '"flags": " -1"' \
    '"last_detect_time": "18446744073709551616"'; do
    printf '{"format": "wininet", "version": 70, %s}\n' "$kv" >"$TMP/neg.json"
    run encode --json "$TMP/neg.json" --output-format binary
    expect_rc 1 "encode --json with $kv"
done
printf '{"format": "wininet", "version": "0x46", "last_detect_time": "18446744073709551615"}\n' >"$TMP/big.json"
run encode --json "$TMP/big.json" --output-format hex
expect_rc 0 "encode --json with the largest FILETIME as a string"
grep -q '^ff ff ff ff ff ff ff ff 00 00 00 00' "$out" && pass || fail "largest FILETIME not written"

# ---- decode details ----------------------------------------------------------

run decode "$f022"
grep -q '2011-04-11T04:55:58.391Z' "$out" && pass || fail "022: detect time not shown"
grep -q 'fe80::d104:cd64:e45d:3365' "$out" && pass || fail "022: IPv6 record not shown"
run decode --json "$f022"
grep -q '"last_detect_time_utc": "2011-04-11T04:55:58.391Z"' "$out" && pass || fail "022: JSON time"
grep -q '"address": "192.168.1.101"' "$out" && pass || fail "022: JSON IPv4 record"

# .reg-style hex text with a value name and continuations
{
    printf '"DefaultConnectionSettings"=hex:'
    od -An -v -tx1 "$f015" | tr -s ' \n' ',' | sed 's/^,//; s/,$//; s/\(\([0-9a-f][0-9a-f],\)\{20\}\)/\1\\\n  /g'
    printf '\n'
} >"$TMP/fragment.txt"
run decode "$TMP/fragment.txt"
expect_rc 0 "decode of a .reg hex fragment"
run decode "$f015"
cp "$out" "$TMP/t15"
run decode "$TMP/fragment.txt"
same_file "$TMP/t15" "$out" "fragment decodes like the binary"
# the same text saved by an editor that writes a UTF-8 byte-order mark
printf '\357\273\277' | cat - "$TMP/fragment.txt" >"$TMP/fragment-bom.txt"
run decode "$TMP/fragment-bom.txt"
expect_rc 0 "decode of hex text with a UTF-8 BOM"
same_file "$TMP/t15" "$out" "hex text with a BOM decodes like the binary"
printf '\357\273\277' | cat - <(printf '46 00\n0g\n') >"$TMP/bom-typo.txt"
run decode "$TMP/bom-typo.txt"
expect_rc 1 "hex text with a BOM and a typo"
expect_stderr ":2:2:" "a BOM does not shift the line:column of a typo"

# what PowerShell prints for the value ((Get-ItemProperty ...).DefaultConnectionSettings):
# one decimal byte per line, CRLF, saved with a BOM by Out-File -Encoding utf8
od -An -v -tu1 "$f015" | tr -s ' ' '\n' | sed '/^$/d; s/$/\r/' >"$TMP/ps.txt"
run decode "$TMP/ps.txt"
expect_rc 0 "decode of a PowerShell decimal byte list"
same_file "$TMP/t15" "$out" "decimal byte list decodes like the binary"
printf '\357\273\277' | cat - "$TMP/ps.txt" >"$TMP/ps-bom.txt"
run decode "$TMP/ps-bom.txt"
same_file "$TMP/t15" "$out" "decimal byte list with a BOM decodes like the binary"
# two-digit tokens alone are hex, whatever digits they use
printf '46 00 00 00 05 00 00 00 01 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00\n' >"$TMP/hex2.txt"
run decode --json "$TMP/hex2.txt"
expect_rc 0 "two-digit tokens"
grep -q '"version": 70' "$out" && pass || fail "two-digit tokens are read as hex (version 0x46)"
printf '70 0 256\n' >"$TMP/dec-bad.txt"
run decode "$TMP/dec-bad.txt"
expect_rc 1 "a number above 255 is not a decimal byte list"

# ---- exit codes ----------------------------------------------------------------

head -c 50 "$f013" >"$TMP/cut.bin"
run decode "$TMP/cut.bin"
expect_rc 1 "truncated blob"
expect_stderr "offset 34" "truncated blob names the offset of the cut field"
run decode --strict "$TMP/cut.bin"
expect_rc 1 "truncated blob, strict"
expect_stderr "offset 34" "strict truncated blob"
head -c 40 "$f013" >"$TMP/cut2.bin" # cut inside the PAC URL (bytes 38..70)
run decode --json "$TMP/cut2.bin"
expect_rc 1 "truncated blob, JSON"
head -c 36 "$f013" >"$TMP/cut3.bin" # cut inside the PAC length DWORD at 34
run decode "$TMP/cut3.bin"
expect_rc 0 "lenient decode of a blob cut inside a length DWORD"
expect_stderr "offset 34" "lenient truncation warning names the offset"
run decode --strict "$TMP/cut3.bin"
expect_rc 1 "strict decode of a blob cut inside a length DWORD"
expect_stderr "offset 34" "strict truncation names the offset"
"$DCS" decode --json "$TMP/cut3.bin" 2>/dev/null | "$DCS" encode --json - --output-format binary >"$TMP/rt3.bin"
same_file "$TMP/cut3.bin" "$TMP/rt3.bin" "truncated blob JSON round trip"

cat "$f013" >"$TMP/trail.bin"
printf '\x01\x02' >>"$TMP/trail.bin"
run decode "$TMP/trail.bin"
expect_rc 0 "trailing bytes, lenient"
expect_stderr "offset 103" "trailing-bytes warning names the offset"
run decode --strict "$TMP/trail.bin"
expect_rc 1 "trailing bytes, strict"
expect_stderr "offset 103" "strict trailing bytes names the offset"

printf '46 00 00 00\n  abc\n' >"$TMP/odd.txt"
run decode "$TMP/odd.txt"
expect_rc 1 "odd hex digits"
expect_stderr ":2:3:" "odd hex digits names line:column"

run decode "$TMP/does-not-exist"
expect_rc 1 "missing input file"
run decode --winhttp "$f013"
expect_rc 0 "--winhttp on a WinINET blob (lenient)"
run decode --winhttp --strict "$f013"
expect_rc 1 "--winhttp --strict on a WinINET blob"
run decode --wininet "$TMP/032-winhttp28-direct-proxyconf-test.bin"
expect_rc 1 "--wininet on a WinHTTP blob"

for cmd in "decode --bogus" "encode --bogus" "diff --bogus a b" "decode --wininet --winhttp x" \
    "encode --output-format pdf" "encode --version 0x20" "encode --counter x" \
    "encode --no-proxy --proxy p:1" "encode --version winhttp --pac http://x/" "diff onlyone" \
    "nosuchcommand"; do
    # shellcheck disable=SC2086
    run $cmd
    expect_rc 2 "usage error: dcs $cmd"
done
run
expect_rc 2 "dcs without a command"
for cmd in "--help" "--version" "decode --help" "encode --help" "diff --help"; do
    # shellcheck disable=SC2086
    run $cmd
    expect_rc 0 "dcs $cmd"
done

# ---- encode from flags: golden files checked by hand against the spec ----------

golden() { # golden NAME ARGS...
    local name=$1
    shift
    hex2bin "$DATA/golden/$name.hex" "$TMP/$name.want" || { fail "$name: bad golden file"; return; }
    run encode "$@" --output-format binary
    expect_rc 0 "encode $name"
    same_file "$TMP/$name.want" "$out" "encode $name matches tests/data/golden/$name.hex"
    # the same through -o and through hex output
    run encode "$@" -o "$TMP/$name.o"
    same_file "$TMP/$name.want" "$TMP/$name.o" "encode $name -o FILE"
    run encode "$@" --output-format hex
    hex2bin "$out" "$TMP/$name.fromhex"
    same_file "$TMP/$name.want" "$TMP/$name.fromhex" "encode $name --output-format hex"
    # and it is a blob Windows would write
    run decode --strict "$TMP/$name.want"
    expect_rc 0 "golden $name decodes strictly"
    [ -s "$err" ] && fail "golden $name has warnings: $(cat "$err")" || pass
}
golden encode-all-flags --proxy proxy.example.com:8080 --bypass '*.corp.example.com;<local>' \
    --pac http://wpad.example.com/proxy.pac --autodetect --counter 7
golden encode-winhttp --version winhttp --proxy proxy.example.com:8080 --bypass '<local>'
golden encode-ie5-no-proxy --version 0x3c --no-proxy --counter 0x10

# -o over an existing file replaces it whole
printf 'old contents that are longer than the blob ............................................................................................................' >"$TMP/existing"
run encode --version winhttp --proxy proxy.example.com:8080 --bypass '<local>' -o "$TMP/existing"
same_file "$TMP/encode-winhttp.want" "$TMP/existing" "encode -o replaces an existing file"

# ---- diff --------------------------------------------------------------------------

# 013's twin with only the counter changed, built with encode
sed 's/^  "counter": 3,$/  "counter": 3265,/' "$TMP/013-dcs46-proxy-and-pac-cn-blog.json" >"$TMP/twin.json"
grep -q '"counter": 3265,' "$TMP/twin.json" && pass || fail "could not edit 013's counter"
run encode --json "$TMP/twin.json" --output-format binary
cp "$out" "$TMP/twin.bin"
ndiff=$(cmp -l "$f013" "$TMP/twin.bin" | wc -l)
[ "$ndiff" -eq 2 ] && pass || fail "twin differs from 013 in $ndiff bytes, expected 2 (counter)"
run diff "$f013" "$TMP/twin.bin"
expect_rc 0 "diff: counter-only difference"
grep -q counter "$out" && pass || fail "diff does not show the counter"
run diff "$f013" "$f013"
expect_rc 0 "diff: identical"
run diff "$f013" "$f015"
expect_rc 1 "diff: real difference"
run diff "$f011" "$f012"
expect_rc 1 "diff: stale strings differ"
run diff --effective "$f011" "$f012"
expect_rc 0 "diff --effective: stale strings do not take effect"
run diff --effective "$f013" "$f025"
expect_rc 1 "diff --effective: different proxies"
run diff --quiet "$f013" "$f015"
expect_rc 1 "diff --quiet: different"
[ -s "$out" ] && fail "diff --quiet printed something" || pass
run diff "$f013" - <"$TMP/twin.bin"
expect_rc 0 "diff with standard input"
run diff "$f013" "$TMP/cut.bin"
expect_rc 1 "diff with a truncated input"
expect_stderr "offset 34" "diff names the offset in the bad input"

echo "cli blob: $checks checks over $nfix fixtures, $failures failed"
[ "$failures" -eq 0 ]
