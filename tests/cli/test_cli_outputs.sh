#!/bin/bash
# End-to-end checks of how dcs writes the output paths a user names (issue
# 10 pt 1) and reads the inputs it is handed, of the option parser shared by
# decode, encode and diff, and of the checks of --proxy/--bypass lists:
# - a regular file or a new name is replaced atomically (no temporary left);
# - a character device (mknod, root only: skipped otherwise; /dev/null as
#   any user) and a FIFO with a reader are written through and stay what
#   they were; a symbolic link keeps being a link while its target gets the
#   data; a directory is refused with a message and exit 1;
# - a FIFO named as input never hangs.
# Every message is asserted in full.
#
# usage: test_cli_outputs.sh DCS_EXE
set -u
export LC_ALL=C

DCS=${1:?usage: test_cli_outputs.sh DCS_EXE}
DCS=$(cd "$(dirname "$DCS")" && pwd)/$(basename "$DCS")
TMP=$(mktemp -d "${TMPDIR:-/tmp}/dcs-cli-outputs.XXXXXX") || exit 1
trap 'rm -rf "$TMP"' EXIT
cd "$TMP" || exit 1

checks=0
failures=0
skipped=0
pass() { checks=$((checks + 1)); }
fail() {
    checks=$((checks + 1))
    failures=$((failures + 1))
    echo "FAIL: $*"
}

run() { # stdout in $TMP/out, stderr in $TMP/err, exit code in rc
    timeout 20 "$DCS" "$@" >"$TMP/out" 2>"$TMP/err"
    rc=$?
}

expect() { # expect RC STDERR WHAT: exit code and the whole of stderr
    local want_rc=$1 want_err=$2 what=$3 got
    got=$(cat "$TMP/err")
    if [ "$rc" -ne "$want_rc" ]; then
        fail "$what: exit $rc, expected $want_rc (stderr: $got)"
    elif [ "$got" != "$want_err" ]; then
        fail "$what: stderr is '$got', expected '$want_err'"
    else
        pass
    fi
}

check() { # check WHAT CMD...: CMD must succeed
    local what=$1
    shift
    if "$@"; then pass; else fail "$what"; fi
}

no_temporaries() {
    [ -z "$(find "$TMP" -name '*.tmp*' -print -quit)" ]
}

ARGS=(encode --proxy proxy.example.com:8080 --bypass '<local>' --output-format hex)
"$DCS" "${ARGS[@]}" >want.hex 2>/dev/null || { echo "cannot encode at all"; exit 1; }
[ -s want.hex ] || { echo "empty reference output"; exit 1; }

# ---- regular files -------------------------------------------------------------
run "${ARGS[@]}" -o new.hex
expect 0 "" "-o a new file"
check "-o a new file: content" cmp -s want.hex new.hex
echo old >old.hex
chmod 0640 old.hex
run "${ARGS[@]}" -o old.hex
expect 0 "" "-o an existing file"
check "-o an existing file: content" cmp -s want.hex old.hex
check "-o an existing file: mode kept" [ "$(stat -c %a old.hex)" = 640 ]
run "${ARGS[@]}" --output=eq.hex
expect 0 "" "--output=FILE"
check "--output=FILE: content" cmp -s want.hex eq.hex
check "no temporary file left" no_temporaries

# ---- devices ---------------------------------------------------------------------
run "${ARGS[@]}" -o /dev/null
expect 0 "" "-o /dev/null"
check "/dev/null is still a character device" [ -c /dev/null ]
if [ "$(id -u)" -eq 0 ] && mknod "$TMP/null" c 1 3 2>/dev/null; then
    run "${ARGS[@]}" -o "$TMP/null"
    expect 0 "" "-o a character device made with mknod"
    check "the device is still a device" [ -c "$TMP/null" ]
    check "no file beside the device" [ "$(find "$TMP" -name 'null*' | wc -l)" -eq 1 ]
    rm -f "$TMP/null"
else
    echo "skip: mknod needs root (device case covered by /dev/null)"
    skipped=$((skipped + 1))
fi
if [ -c /dev/full ]; then
    run "${ARGS[@]}" -o /dev/full
    expect 1 "dcs: cannot write /dev/full: write failed: No space left on device" "-o /dev/full"
fi

# ---- FIFOs -------------------------------------------------------------------------
mkfifo fifo
timeout 20 cat fifo >from-fifo.hex &
reader=$!
run "${ARGS[@]}" -o fifo
expect 0 "" "-o a FIFO with a reader"
wait "$reader"
check "-o FIFO: the reader got the output" cmp -s want.hex from-fifo.hex
check "-o FIFO: still a FIFO" [ -p fifo ]
check "-o FIFO: no file beside it" [ "$(find "$TMP" -name 'fifo*' | wc -l)" -eq 1 ]
# reg output through a FIFO too
timeout 20 cat fifo >from-fifo.reg &
reader=$!
run encode --proxy p:1 --output-format reg -o fifo
expect 0 "" "--output-format reg -o FIFO"
wait "$reader"
check "-o FIFO (reg): the reader got a .reg" grep -qa R from-fifo.reg
# a FIFO as input, nobody writing: no hang, a message naming it
run decode fifo
expect 1 "dcs: fifo: offset 0: version at offset 0: the data ends before it (blob is 0 bytes)" \
    "decode of a FIFO without a writer"
run encode --json fifo
expect 1 "dcs: fifo:1:0: '[' or '{' expected near end of file" "encode --json of a FIFO without a writer"
run decode --hive fifo
expect 1 "dcs: fifo: is a FIFO, not a file to read" "decode --hive of a FIFO"
run decode --hive /dev/null
expect 1 "dcs: /dev/null: is a character device, not a file to read" "decode --hive of a device"
# a FIFO with a writer is read.  dcs opens a FIFO without waiting for a
# writer (none: an empty read, no hang), so the writer must be there first:
# this shell holds the FIFO open read-write (fd 3, a writer that never
# blocks), puts the blob in it, and lets go only once dcs has the FIFO open
# (it then reads the blob and the end of file).  A writer started in the
# background instead races dcs's open on a loaded machine.
"$DCS" "${ARGS[@]}" --output-format binary >want.bin
exec 3<>fifo
cat want.bin >&3
timeout 20 "$DCS" decode fifo >"$TMP/out" 2>"$TMP/err" 3>&- &
decoder=$!
for _ in $(seq 400); do # dcs is timeout's child; its own descriptor, not one inherited
    child=$(pgrep -P "$decoder" | head -n 1)
    [ -n "$child" ] && readlink /proc/"$child"/fd/* 2>/dev/null | grep -qx "$TMP/fifo" && break
    sleep 0.05
done
exec 3>&-
wait "$decoder"
rc=$?
expect 0 "" "decode of a FIFO with a writer"
check "decode of a FIFO: the proxy" grep -q 'proxy.example.com:8080' "$TMP/out"

# ---- symbolic links ----------------------------------------------------------------
echo old >target.hex
ln -s target.hex link.hex
run "${ARGS[@]}" -o link.hex
expect 0 "" "-o a symbolic link to a file"
check "-o link: still a link" [ -L link.hex ]
check "-o link: the target has the output" cmp -s want.hex target.hex
ln -s made.hex dangling.hex
run "${ARGS[@]}" -o dangling.hex
expect 0 "" "-o a dangling symbolic link"
check "-o dangling link: still a link" [ -L dangling.hex ]
check "-o dangling link: its target made" cmp -s want.hex made.hex
ln -s fifo fifolink
timeout 20 cat fifo >from-link.hex &
reader=$!
run "${ARGS[@]}" -o fifolink
expect 0 "" "-o a symbolic link to a FIFO"
wait "$reader"
check "-o link to FIFO: the reader got it" cmp -s want.hex from-link.hex
check "-o link to FIFO: still a FIFO" [ -p fifo ]
ln -s /dev/null nulllink
run "${ARGS[@]}" -o nulllink
expect 0 "" "-o a symbolic link to /dev/null"
check "-o link to /dev/null: still a link" [ -L nulllink ]
check "/dev/null is still a character device" [ -c /dev/null ]
ln -s missing/x.hex nodir.hex
run "${ARGS[@]}" -o nodir.hex
expect 1 "dcs: cannot create a temporary file beside missing/x.hex: No such file or directory" \
    "-o a link into a missing directory"
ln -s loop loop
run "${ARGS[@]}" -o loop
expect 1 "dcs: cannot open loop: Too many levels of symbolic links" "-o a link loop"

# ---- directories ---------------------------------------------------------------------
mkdir dir
run "${ARGS[@]}" -o dir
expect 1 "dcs: dir is a directory" "-o a directory"
ln -s dir dirlink
run "${ARGS[@]}" -o dirlink
expect 1 "dcs: dirlink is a directory" "-o a link to a directory"
run encode --proxy p:1 --output-format reg -o dir
expect 1 "dcs: dir is a directory" "--output-format reg -o a directory"
check "the directory is untouched" [ -d dir ] && [ -z "$(ls dir)" ]
run "${ARGS[@]}" -o missing/out.hex
expect 1 "dcs: cannot create a temporary file beside missing/out.hex: No such file or directory" \
    "-o in a missing directory"
check "no temporary file left" no_temporaries

# ---- the option parser ---------------------------------------------------------------
run encode --bogus
expect 2 "dcs: encode: unknown option '--bogus' (try 'dcs encode --help')" "encode --bogus"
run decode --bogus
expect 2 "dcs: decode: unknown option '--bogus' (try 'dcs decode --help')" "decode --bogus"
run diff -x a b
expect 2 "dcs: diff: unknown option '-x' (try 'dcs diff --help')" "diff -x"
run encode --proxy
expect 2 "dcs: encode: --proxy needs a value (LIST)" "encode --proxy without a value"
run decode --json=yes want.bin
expect 2 "dcs: decode: option '--json' takes no value" "decode --json=yes"
run encode stray
expect 2 "dcs: encode: unknown argument 'stray' (try 'dcs encode --help')" "encode with an argument"
run encode --proxy=proxy.example.com:8080 --bypass='<local>' --output-format=hex
expect 0 "" "encode --opt=value"
check "encode --opt=value: the same bytes" cmp -s want.hex "$TMP/out"
cp want.bin ./-dash.bin
run decode -- -dash.bin
expect 0 "" "decode -- -FILE"
run diff -q want.bin -- -dash.bin
expect 0 "" "diff -q A -- -B"
run encode --help
check "encode --help lists -o, --output" grep -q '^  -o, --output FILE  ' "$TMP/out"
expect 0 "" "encode --help"
run apply --bogus
expect 2 "dcs: apply: unknown option '--bogus' (try 'dcs apply --help')" "apply --bogus"
run apply --mode reset --windows
expect 2 "dcs: apply: --windows needs a value (DIR)" "apply --windows without a value"
run apply --json=1 --mode reset
expect 2 "dcs: apply: option '--json' takes no value" "apply --json=1"
run apply stray
expect 2 "dcs: apply: unknown argument 'stray' (try 'dcs apply --help')" "apply with an argument"
run apply --mode=reset --sid=S-1-5-18 --sid=S-x --reg-out=x.reg
expect 2 "dcs: apply: 'S-x' is not a SID (S-1-5-18, ...)" "apply --sid=SID, repeated"
run apply --from-blob=a --mode reset --reg-out x.reg
expect 2 "dcs: apply: give exactly one source: --from-reg, --from-hive, --from-blob or --mode" \
    "apply with two sources"
run apply --from-blob a --from-blob b --reg-out x.reg
expect 2 "dcs: apply: give exactly one source: --from-reg, --from-hive, --from-blob or --mode" \
    "apply with one source given twice"
check "apply wrote no .reg" [ ! -e x.reg ]
run apply --help
check "apply --help lists --recover once" [ "$(grep -c -- '--recover ' "$TMP/out")" = 1 ]
check "apply --help lists --hive SID=PATH" grep -q '^  --hive SID=PATH  ' "$TMP/out"
expect 0 "" "apply --help"
run show --bogus
expect 2 "dcs: show: unknown option '--bogus' (try 'dcs show --help')" "show --bogus"
run show --windows
expect 2 "dcs: show: --windows needs a value (DIR)" "show --windows without a value"
run show
expect 2 "dcs: show: give one image: --windows DIR or --wim FILE[:INDEX]" "show without --windows"
run show --help
check "show --help lists --json" grep -q '^  --json  ' "$TMP/out"
expect 0 "" "show --help"
run reg dump --codepage x in.reg
expect 2 "dcs: reg dump: unknown code page 'x' (cp1252 or utf8)" "reg dump --codepage x"
run reg dump --output x.reg in.reg
expect 2 "dcs: reg dump: unknown option '--output' (try 'dcs reg dump --help')" "reg dump -o"
run reg convert in.reg -o
expect 2 "dcs: reg convert: -o needs a value (OUT)" "reg convert -o without a value"
run reg convert in.reg -o x.reg --format=regedit3
expect 2 "dcs: reg convert: unknown format 'regedit3' (regedit5 or regedit4)" \
    "reg convert --format=regedit3"
run reg import --hive h --prefix p --codepage koi8 in.reg
expect 2 "dcs: reg import: unknown code page 'koi8' (cp1252 or utf8)" "reg import --codepage koi8"
run reg import --hive h --prefix p in.reg again.reg
check "reg import: one input only" grep -q "^dcs: reg import: unexpected argument 'again.reg'$" \
    "$TMP/err"
[ "$rc" -eq 2 ] && pass || fail "reg import with two inputs: exit $rc, expected 2"
run reg export --hive h --prefix p --encoding zz
expect 2 "dcs: reg export: unknown encoding 'zz' (utf16le, utf8 or ansi)" "reg export --encoding zz"
run hive recover --bogus h
expect 2 "dcs: hive recover: unknown option '--bogus' (try 'dcs hive recover --help')" \
    "hive recover --bogus"
run hive recover a b
expect 2 "dcs: hive recover: one HIVE only ('b')" "hive recover with two hives"
run hive recover a --backup-dir
expect 2 "dcs: hive recover: --backup-dir needs a value (DIR)" "hive recover --backup-dir"
run route --as
expect 2 "dcs: route: --as needs a value (CLIENT)" "route --as without a value"
run route --all-accounts=1 http://a/
expect 2 "dcs: route: option '--all-accounts' takes no value" "route --all-accounts=1"
run route --bogus http://a/
expect 2 "dcs: route: unknown option '--bogus' (try 'dcs route --help')" "route --bogus"
run route --as=ie http://a/
expect 2 "dcs: route: unknown client 'ie' (wininet, winhttp, dotnet, chromium, curl)" \
    "route --as=ie"
# every --help: exit 0, an option list generated from the command's table
# (so no option listed twice)
for cmd in decode encode diff apply show route "reg dump" "reg convert" "reg import" \
    "reg export" "hive recover"; do
    # shellcheck disable=SC2086
    run $cmd --help
    [ "$rc" -eq 0 ] && pass || fail "$cmd --help: exit $rc"
    dup=$(grep -oE '^ +(-[a-zA-Z], )?--[a-z-]+' "$TMP/out" | sort | uniq -d)
    check "$cmd --help lists each option once${dup:+ (twice: $dup)}" [ -z "$dup" ]
    check "$cmd --help lists options" grep -qE '^ +(-[a-zA-Z], )?--[a-z-]+' "$TMP/out"
done

# ---- proxy and bypass lists ----------------------------------------------------------
run encode --proxy ';;;'
expect 2 "dcs: encode: --proxy ';;;' names no proxy" "encode --proxy ';;;'"
run encode --proxy 'http='
expect 2 "dcs: encode: --proxy 'http=': offset 5: empty proxy address after '='" \
    "encode --proxy 'http='"
run encode --proxy 'a:99999'
expect 2 "dcs: encode: --proxy 'a:99999': offset 2: port out of range (1..65535)" \
    "encode --proxy 'a:99999'"
run encode --proxy "$(printf 'a\001b:1')"
expect 2 "dcs: encode: --proxy 'a\\x01b:1': offset 1: control character 0x01" \
    "encode --proxy with a control character"
run encode --bypass "$(printf 'a\002b')"
expect 2 "dcs: encode: --bypass 'a\\x02b': offset 1: control character 0x02" \
    "encode --bypass with a control character"
# a bypass list of separators only is an empty one to WinINET (it skips
# empty entries): written as given with a warning, as apply takes it
run encode --version winhttp --bypass ';' -o semi.bin
expect 0 "dcs: warning: encode: --bypass ';': offset 0: empty entry" "encode --bypass ';'"
# an entry outside the grammar (a CIDR block) is written as given with a
# warning, as apply writes it; WinHTTP's own grammar refuses it
run encode --bypass '10.0.0.0/8' --proxy p:1 -o cidr.bin
expect 0 "dcs: warning: encode: --bypass '10.0.0.0/8': offset 8: entry outside the list grammar: written as given" \
    "encode --bypass with a CIDR block"
run encode --version winhttp --bypass '10.0.0.0/8' --proxy p:1 -o cidr-winhttp.bin
expect 2 "dcs: encode: --bypass '10.0.0.0/8': offset 8: invalid character '/' in host name" \
    "encode --version winhttp --bypass with a CIDR block"
# what a blob cannot hold: bytes that are not UTF-8, an entry over 2083 bytes
run encode --bypass "$(printf 'ok;x\377')"
expect 2 "dcs: encode: --bypass 'ok;x\\xff': offset 4: byte 0xff is not UTF-8" \
    "encode --bypass with bad UTF-8"
run encode --proxy "$(printf 'a%.0s' {1..2084})"
expect 2 "dcs: encode: --proxy '$(printf 'a%.0s' {1..200})...': offset 2083: entry of 2084 bytes: WinINET takes at most 2083" \
    "encode --proxy with an entry of 2084 bytes"
run encode --pac "$(printf 'http://x/\001')"
expect 2 "dcs: encode: --pac 'http://x/\\x01': offset 9: control character 0x01" \
    "encode --pac with a control character"
run encode --proxy 'a:1;;b:2' -o /dev/null
expect 0 "dcs: warning: encode: --proxy 'a:1;;b:2': offset 4: empty entry" \
    "encode --proxy with an empty entry: a warning"
run encode --proxy '' -o /dev/null
expect 0 "" "encode --proxy '': no proxy"

# ---- encode --json of a WinHTTP blob with WinINET-only keys ------------------------------
printf '{"format":"winhttp","version":40,"flags":3,"proxy":"p:1","autoconfig_url":"http://x/p.pac",%s}\n' \
    '"sockaddrs":[],"reload_delay_mins":5,"ipv4":null,"last_detect_url":""' >w.json
run encode --json w.json -o w.bin
expect 0 "dcs: warning: w.json: a WinHTTP blob has no field for autoconfig_url, reload_delay_mins: left out" \
    "encode --json winhttp with WinINET-only keys"

# ---- decode --json of a name with a lone UTF-16 surrogate --------------------------------
u16() { # ASCII text as UTF-16LE
    local s=$1 i
    for ((i = 0; i < ${#s}; i++)); do printf '%s\0' "${s:i:1}"; done
}
{
    printf '\377\376'
    u16 $'Windows Registry Editor Version 5.00\r\n\r\n[HKEY_CURRENT_USER\\X'
    printf '\000\330' # U+D800 alone
    u16 $'\\Internet Settings\\Connections]\r\n"DefaultConnectionSettings"=hex:'
    u16 "$(tr -d ' \n' <want.hex | sed 's/../&,/g; s/,$//')"
    u16 $'\r\n'
} >sur.reg
run decode --json sur.reg
expect 1 "sur.reg:4:1: error: the key name holds a lone UTF-16 surrogate, which JSON cannot carry: this blob is left out (decode without --json shows it)" \
    "decode --json with a lone surrogate in a key name"
check "decode --json with a lone surrogate: nothing on stdout" [ ! -s "$TMP/out" ]
run decode sur.reg
expect 0 "" "decode (text) with a lone surrogate in a key name"

echo "cli outputs: $checks checks, $failures failed, $skipped skipped"
echo "$((checks - failures)) passed, $failures failed"
[ "$failures" -eq 0 ]
