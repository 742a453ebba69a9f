#!/bin/sh
# End-to-end checks of `dcs reg dump` and `dcs reg convert`.
# usage: test_reg_cli.sh PATH/TO/dcs   (DCS_SOURCE_ROOT names the source tree)
set -u
DCS_BIN=$1
# DCS_WRAP: optional command prefix (e.g. valgrind) for every dcs run
DCS() { ${DCS_WRAP:-} "$DCS_BIN" "$@"; }
ROOT=${DCS_SOURCE_ROOT:-$(dirname "$0")/..}
REAL=$ROOT/tests/data/reg-real
T=$(mktemp -d "${TMPDIR:-/tmp}/dcs-reg-cli.XXXXXX")
trap 'rm -rf "$T"' EXIT
fails=0

check() { # name, condition result
    if [ "$2" -eq 0 ]; then echo "ok   $1"; else echo "FAIL $1"; fails=$((fails + 1)); fi
}

# UTF-16LE file from printf text
utf16() { printf '\377\376'; printf "$1" | iconv -f UTF-8 -t UTF-16LE; }

utf16 'Windows Registry Editor Version 5.00\r\n\r\n[HKEY_CURRENT_USER\\Software\\T]\r\n"A"="x"\r\n@=dword:0000000a\r\n"B"=hex:01,\\\r\n  02\r\n"A"=-\r\n\r\n[-HKEY_CURRENT_USER\\Software\\T\\Old]\r\nbogus\r\n' > "$T/a.reg"

DCS reg dump --json "$T/a.reg" > "$T/out.json" 2> "$T/err.txt"
check "dump exit 0 with a skipped line" $?
cat > "$T/want.json" <<'EOF'
{"op":"create_key","key":"HKEY_CURRENT_USER\\Software\\T"}
{"op":"set_value","key":"HKEY_CURRENT_USER\\Software\\T","name":"A","type":1,"data":"78000000"}
{"op":"set_value","key":"HKEY_CURRENT_USER\\Software\\T","name":"","type":4,"data":"0a000000"}
{"op":"set_value","key":"HKEY_CURRENT_USER\\Software\\T","name":"B","type":3,"data":"0102"}
{"op":"delete_value","key":"HKEY_CURRENT_USER\\Software\\T","name":"A"}
{"op":"delete_key","key":"HKEY_CURRENT_USER\\Software\\T\\Old"}
EOF
cmp -s "$T/out.json" "$T/want.json"
check "dump --json output" $?
grep -q "^$T/a.reg:11:1: warning: " "$T/err.txt"
check "warning as FILE:LINE:COL" $?

DCS reg dump --strict "$T/a.reg" > /dev/null 2> "$T/err.txt"
[ $? -eq 1 ] && grep -q "^$T/a.reg:11:1: error: " "$T/err.txt"
check "--strict: skipped line is an error" $?

DCS reg dump --count --quiet "$T/a.reg" > "$T/count.txt" 2> "$T/err.txt"
[ $? -eq 0 ] && grep -qx "values_set 3" "$T/count.txt" && grep -qx "warnings 1" "$T/count.txt" \
    && [ ! -s "$T/err.txt" ]
check "--count totals, --quiet" $?

printf 'regedit4\n[HKEY_USERS\\x]\n' > "$T/bad.reg"
DCS reg dump "$T/bad.reg" > "$T/out.txt" 2> "$T/err.txt"
[ $? -eq 1 ] && [ ! -s "$T/out.txt" ] && grep -q "^$T/bad.reg:1:1: error: not a registry script" "$T/err.txt"
check "rejected header: exit 1" $?

printf 'REGEDIT5\n[HKEY_USERS\\x]\n' | DCS reg dump - > "$T/out.txt" 2> /dev/null
[ $? -eq 0 ] && [ ! -s "$T/out.txt" ]
check "fuzzy header from stdin: exit 0, nothing imported" $?

DCS reg dump > /dev/null 2>&1; [ $? -eq 2 ]
check "usage: no file" $?
DCS reg dump --bogus x > /dev/null 2>&1; [ $? -eq 2 ]
check "usage: unknown option" $?
DCS reg convert "$T/a.reg" > /dev/null 2>&1; [ $? -eq 2 ]
check "usage: convert without -o" $?
DCS reg dump "$T/missing.reg" > /dev/null 2>&1; [ $? -eq 1 ]
check "missing file: exit 1" $?

# convert: untouched exports convert to themselves, also through gzip
for f in "$REAL"/MatthewCKelly-PSCode--ProxySettings-01.reg "$REAL"/neiltucker-55066A--ie.reg; do
    n=$(basename "$f")
    DCS reg convert "$f" -o "$T/c.reg" && cmp -s "$f" "$T/c.reg"
    check "convert $n to itself" $?
    DCS reg convert "$f" -o "$T/c.reg.gz" && gzip -dc "$T/c.reg.gz" | cmp -s "$f" -
    check "convert $n to .gz" $?
    gzip -c "$f" > "$T/in.reg.gz"
    DCS reg convert "$T/in.reg.gz" -o "$T/d.reg" && cmp -s "$f" "$T/d.reg"
    check "convert $n from .gz" $?
    DCS reg dump --json "$T/in.reg.gz" > "$T/gz.json" && DCS reg dump --json "$f" | cmp -s - "$T/gz.json"
    check "dump $n from .gz" $?
done
[ -f "$T/c.reg.bak" ]
check "overwritten output kept as .bak" $?

# UTF-8 and REGEDIT4 output read back to the same operations
DCS reg convert "$T/a.reg" -o "$T/u8.reg" --encoding utf8 &&
    DCS reg dump --json --codepage utf8 "$T/u8.reg" > "$T/u8.json" 2>/dev/null &&
    DCS reg convert "$T/a.reg" -o "$T/r4.reg" --format regedit4 &&
    head -c 10 "$T/r4.reg" | grep -q '^REGEDIT4' &&
    grep -q '"B"=hex:01,02' "$T/u8.reg"
check "convert --encoding utf8 / --format regedit4" $?

sz=$(wc -c < "$T/in.reg.gz")
head -c $((sz - 10)) "$T/in.reg.gz" > "$T/trunc.gz"
DCS reg dump "$T/trunc.gz" > /dev/null 2> "$T/err.txt"
[ $? -eq 1 ] && grep -q "gzip" "$T/err.txt"
check "truncated gzip: exit 1" $?

# dcs decode FILE.reg: every proxy blob of the real exports decodes
for f in "$REAL"/MatthewCKelly-PSCode--ProxySettings-*.reg; do
    DCS decode --json "$f" > "$T/d.json" 2>/dev/null
    rc=$?
    n=$(grep -c '"key": ' "$T/d.json")
    [ $rc -eq 0 ] && [ "$n" -ge 1 ] && grep -q '"value": "DefaultConnectionSettings"' "$T/d.json"
    check "decode $(basename "$f")" $?
done
gzip -c "$REAL/MatthewCKelly-PSCode--ProxySettings-01.reg" | DCS decode - > "$T/d.txt" 2>/dev/null
[ $? -eq 0 ] && grep -q '^HKEY_CURRENT_USER.*Connections : DefaultConnectionSettings$' "$T/d.txt"
check "decode gzip .reg from stdin" $?
DCS decode "$REAL/vadmium-etc--putty.reg" > /dev/null 2>&1; [ $? -eq 1 ]
check "decode .reg without blobs: exit 1" $?

# convert to a FIFO or /dev/stdout: written in place (never replaced by a
# renamed file), also when the input needs the restart on the model (B is
# named again after A: not a tree walk)
printf 'REGEDIT4\r\n\r\n[HKEY_CURRENT_USER\\B]\r\n"x"="1"\r\n\r\n[HKEY_CURRENT_USER\\A]\r\n"y"="2"\r\n\r\n[HKEY_CURRENT_USER\\B]\r\n\r\n' > "$T/unsorted.reg"
DCS reg convert "$T/unsorted.reg" -o "$T/sorted.reg" --format regedit4 &&
    mkfifo "$T/fifo" && { timeout 60 cat "$T/fifo" > "$T/from-fifo.reg" & } &&
    DCS reg convert "$T/unsorted.reg" -o "$T/fifo" --format regedit4 && wait &&
    [ -p "$T/fifo" ] && [ ! -e "$T/fifo.bak" ] && cmp -s "$T/sorted.reg" "$T/from-fifo.reg" &&
    [ -z "$(find "$T" -name 'fifo.tmp*')" ] &&
    DCS reg convert "$T/unsorted.reg" -o /dev/stdout --format regedit4 | cmp -s "$T/sorted.reg" -
check "convert -o FIFO and -o /dev/stdout" $?

# input from a pipe (spooled to an unlinked temporary file to be read twice):
# a tree walk keeps its order, the scattered file gives the modelled output,
# and nothing is left in TMPDIR
mkdir "$T/tmp" &&
    printf 'REGEDIT4\r\n\r\n[HKEY_CURRENT_USER\\B]\r\n"x"="1"\r\n\r\n[HKEY_CURRENT_USER\\A]\r\n"y"="2"\r\n\r\n' > "$T/walk.reg" &&
    cat "$T/walk.reg" | TMPDIR="$T/tmp" DCS reg convert - -o "$T/walk-out.reg" --format regedit4 &&
    cmp -s "$T/walk.reg" "$T/walk-out.reg" &&
    cat "$T/unsorted.reg" | TMPDIR="$T/tmp" DCS reg convert - -o "$T/piped.reg" --format regedit4 &&
    cmp -s "$T/sorted.reg" "$T/piped.reg" && [ -z "$(ls -A "$T/tmp")" ]
check "convert from a pipe: tree walk kept, scattered keys modelled" $?

# dcs encode --output-format reg: a .reg that imports the same blob
DCS encode --proxy 10.0.0.1:3128 --bypass '<local>' --output-format binary -o "$T/b.bin" &&
    DCS encode --proxy 10.0.0.1:3128 --bypass '<local>' --output-format reg -o "$T/e.reg" &&
    DCS reg dump --json "$T/e.reg" > "$T/e.json" &&
    hex=$(od -An -tx1 -v "$T/b.bin" | tr -d ' \n') &&
    grep -q "\"name\":\"DefaultConnectionSettings\",\"type\":3,\"data\":\"$hex\"" "$T/e.json" &&
    grep -qF '"key":"HKEY_CURRENT_USER\\Software\\Microsoft\\Windows\\CurrentVersion\\Internet Settings\\Connections"' "$T/e.json" &&
    DCS reg convert "$T/e.reg" -o "$T/e2.reg" && cmp -s "$T/e.reg" "$T/e2.reg"
check "encode --output-format reg" $?
DCS encode --version winhttp --proxy p:1 --output-format reg --key 'HKEY_USERS\S-1-5-18\X' \
    --value Custom -o "$T/w.reg" &&
    pat=$(printf 'set_value\tHKEY_USERS\\S-1-5-18\\X\t"Custom"\tREG_BINARY\t28000000') &&
    DCS reg dump "$T/w.reg" | grep -qF "$pat"
check "encode --output-format reg --key --value" $?
DCS encode --proxy p:1 --key 'HKEY_USERS\x' > /dev/null 2>&1; [ $? -eq 2 ]
check "encode --key without reg format: usage" $?

# a UTF-8 file with a byte order mark (what Notepad writes): read as UTF-8
# with a warning on line 1; --strict refuses it (regread.h)
printf '\357\273\277Windows Registry Editor Version 5.00\r\n\r\n[HKEY_CURRENT_USER\\Software\\Caf\303\251]\r\n"n"="\303\251t\303\251"\r\n' > "$T/bom.reg"
DCS reg convert --encoding utf8 "$T/bom.reg" -o "$T/bom.out" 2> "$T/err.txt" &&
    printf 'Windows Registry Editor Version 5.00\r\n\r\n[HKEY_CURRENT_USER\\Software\\Caf\303\251]\r\n"n"="\303\251t\303\251"\r\n\r\n' | cmp -s - "$T/bom.out" &&
    grep -q "^$T/bom.reg:1:1: warning: UTF-8 byte order mark" "$T/err.txt"
check "UTF-8 BOM file read as UTF-8 with a warning" $?
DCS reg dump --strict "$T/bom.reg" > /dev/null 2>&1; [ $? -eq 1 ]
check "UTF-8 BOM file refused by --strict" $?

if [ $fails -ne 0 ]; then
    echo "$fails check(s) failed"
    exit 1
fi
echo "all checks passed"
