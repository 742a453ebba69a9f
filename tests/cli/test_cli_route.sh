#!/bin/bash
# End-to-end checks of `dcs route`: the spec's JSON lines byte for byte,
# the text output, --expect (exit 4), usage errors (2), bad input (1), every
# SOURCE, and (with libhivex) --windows / --all-accounts on a small image.
#
# usage: test_cli_route.sh DCS_EXE SOURCE_ROOT HIVEX(0|1)
set -u
export LC_ALL=C

DCS=${1:?usage: test_cli_route.sh DCS_EXE SOURCE_ROOT HIVEX}
ROOT=${2:?usage: test_cli_route.sh DCS_EXE SOURCE_ROOT HIVEX}
HIVEX=${3:-0}
TMP=$(mktemp -d "${TMPDIR:-/tmp}/dcs-cli-route.XXXXXX") || exit 1
trap 'rm -rf "$TMP"' EXIT

checks=0
failures=0
pass() { checks=$((checks + 1)); }
fail() {
    checks=$((checks + 1))
    failures=$((failures + 1))
    echo "FAIL: $*"
}
run() { # run ARGS... (stdin from /dev/null unless redirected by the caller)
    out=$TMP/out err=$TMP/err
    "$DCS" "$@" >"$out" 2>"$err"
    rc=$?
}
expect_rc() {
    local want=$1
    shift
    if [ "$rc" -eq "$want" ]; then pass; else fail "$* : exit $rc, expected $want ($(head -c 300 "$err"))"; fi
}
expect_out() { # expect_out FILE-WITH-EXPECTED WHAT
    if cmp -s "$1" "$out"; then pass; else
        fail "$2: stdout differs"
        diff "$1" "$out" | head -10
    fi
}
expect_err() {
    if grep -qF -- "$1" "$err"; then pass; else fail "$2: stderr lacks '$1' ($(head -c 300 "$err"))"; fi
}
expect_empty_out() {
    if [ ! -s "$out" ]; then pass; else fail "$1: stdout not empty"; fi
}

PX=proxy.contoso.com:8080
SENSOR=https://contoso-corpsensorapi.atp.azure.com/
CONSOLE=https://contoso-corp.atp.azure.com/
"$DCS" encode --proxy "$PX" --output-format binary -o "$TMP/manual.bin" || exit 1
"$DCS" encode --proxy "$PX" --output-format hex -o "$TMP/manual.hex" || exit 1
"$DCS" encode --proxy "$PX" --autodetect --output-format binary -o "$TMP/auto.bin" || exit 1
"$DCS" encode --proxy 'http=hp:3128;socks=sk:1080' --output-format binary -o "$TMP/socks.bin" || exit 1
"$DCS" encode --proxy "$PX" --bypass '*.atp.azure.com;<local>' --output-format reg -o "$TMP/b.reg" || exit 1

# 1. spec §0.1 and §6 example 23, byte for byte
cat >"$TMP/want" <<EOT
{"url": "$CONSOLE", "client": "wininet", "decision": "proxy", "proxy": "$PX", "rule": "P3 default entry (no scheme=) $PX", "fallback": null}
EOT
run route --from-blob "$TMP/manual.bin" --json "$CONSOLE"
expect_rc 0 "§0.1 line 1"
expect_out "$TMP/want" "§0.1 line 1"
cat >"$TMP/want" <<EOT
{"url": "$SENSOR", "client": "wininet", "decision": "auto", "proxy": null, "rule": "§1 auto-detect (WPAD) first, not evaluated", "fallback": {"decision": "proxy", "proxy": "$PX", "rule": "P3 default entry (no scheme=) $PX"}}
EOT
run route --from-blob "$TMP/auto.bin" --json "$SENSOR"
expect_rc 0 "§0.1 line 2"
expect_out "$TMP/want" "§0.1 line 2"
cat >"$TMP/want" <<EOT
{"url": "$SENSOR", "client": "wininet", "decision": "socks", "proxy": "sk:1080", "rule": "P5 socks= entry (no https= entry, no default entry; INFERRED)", "fallback": null}
EOT
run route --from-blob "$TMP/socks.bin" --json "$SENSOR"
expect_out "$TMP/want" "example 23"

# 2. text: one header, one line per URL; hex input; URL kept as given
cat >"$TMP/want" <<EOT
$TMP/manual.hex (as winhttp): proxy "$PX"
HTTP://LocalHost:8444/x  DIRECT  -- B11 implicit loopback bypass (WinHTTP: UNKNOWN, dcs applies WinINET's)
$SENSOR  PROXY $PX  -- P3 default entry (no scheme=) $PX
EOT
run route --from-blob "$TMP/manual.hex" --as winhttp HTTP://LocalHost:8444/x "$SENSOR"
expect_rc 0 "text"
expect_out "$TMP/want" "text"
cat >"$TMP/want" <<EOT
$TMP/auto.bin (as wininet): auto-detect, proxy "$PX"
$SENSOR  AUTO (WPAD/PAC decide)  -- §1 auto-detect (WPAD) first, not evaluated; if no PAC is found: PROXY $PX  -- P3 default entry (no scheme=) $PX; the bypass list does not apply to PAC results (B18)
EOT
run route --from-blob "$TMP/auto.bin" "$SENSOR"
expect_out "$TMP/want" "text auto"

# 3. sources: stdin (binary and hex), .reg, --mode
run route --json "$CONSOLE" <"$TMP/manual.bin"
expect_rc 0 "stdin binary"
run route --json "$CONSOLE" <"$TMP/manual.hex"
expect_rc 0 "stdin hex"
run route --from-reg "$TMP/b.reg" --json "$SENSOR" http://intranet/
expect_rc 0 "--from-reg"
if [ "$(grep -c '"decision": "direct"' "$out")" = 2 ]; then pass; else fail "--from-reg: $(cat "$out")"; fi
# two candidate keys: the library's message, then the CLI's hint for the code
CONN='Software\Microsoft\Windows\CurrentVersion\Internet Settings\Connections'
"$DCS" encode --proxy a:1 --output-format reg --key "HKEY_USERS\\A\\$CONN" -o "$TMP/a1.reg" &&
    "$DCS" encode --proxy b:1 --output-format reg --key "HKEY_USERS\\B\\$CONN" -o "$TMP/b1.reg" ||
    exit 1
{ iconv -f UTF-16LE -t UTF-8 "$TMP/a1.reg" | sed '1s/^\xef\xbb\xbf//'
  iconv -f UTF-16LE -t UTF-8 "$TMP/b1.reg" | tail -n +2; } >"$TMP/two.reg"
run route --from-reg "$TMP/two.reg" "$SENSOR"
expect_rc 1 "--from-reg with two candidate keys"
expect_err "dcs: route: 2 candidate keys, name the one to use: [HKEY_USERS\\A\\" "two keys: message"
if [ "$(tail -n 1 "$err")" = "dcs: route: pick one with --key" ]; then pass; else
    fail "two keys: the hint is not the last line ($(cat "$err"))"; fi
run route --from-reg "$TMP/two.reg" --key "HKEY_USERS\\B\\$CONN" --json "$SENSOR"
expect_rc 0 "--from-reg --key picks one"
run route --mode manual_proxy --proxy "$PX" --bypass '<local>' --as chromium --json http://intranet/
expect_rc 0 "--mode"
if grep -qF '"client": "chromium", "decision": "direct", "proxy": null, "rule": "B8 <local> (bypass entry 1): a host without a period that is not an IP literal (Chromium)"' "$out"; then pass; else fail "--mode chromium: $(cat "$out")"; fi
run route --mode autoscript --pac http://pac.contoso.com/p.pac --json "$SENSOR"
# autoscript is 0x0D as bitsadmin sets it: auto-detect and the PAC URL
if grep -qF '"decision": "auto", "proxy": null, "rule": "§1 auto-detect (WPAD), then the PAC script (flag 0x04), not evaluated", "fallback": {"decision": "direct"' "$out"; then pass; else fail "autoscript: $(cat "$out")"; fi

# 4. --expect: exit 4 when a decision differs; every URL still printed
run route --from-reg "$TMP/b.reg" --expect proxy "$SENSOR" http://www.example.com/
expect_rc 4 "--expect proxy, one bypassed"
if [ "$(wc -l <"$out")" = 3 ]; then pass; else fail "--expect prints every URL"; fi
run route --from-reg "$TMP/b.reg" --expect proxy http://www.example.com/
expect_rc 0 "--expect proxy met"
run route --from-blob "$TMP/socks.bin" --expect proxy "$SENSOR"
expect_rc 0 "socks counts as proxy"
run route --from-blob "$TMP/auto.bin" --expect direct "$SENSOR"
expect_rc 4 "auto counts its fallback"
run route --from-blob "$TMP/manual.bin" --expect direct http://localhost/
expect_rc 0 "--expect direct met"

# 5. usage errors: exit 2
run route --from-blob "$TMP/manual.bin"
expect_rc 2 "no URL"
run route --from-blob "$TMP/manual.bin" --as ie "$SENSOR"
expect_rc 2 "unknown client"
expect_err "unknown client 'ie'" "unknown client"
run route --from-blob "$TMP/manual.bin" --expect maybe "$SENSOR"
expect_rc 2 "--expect value"
run route --from-blob "$TMP/manual.bin" --mode no_proxy "$SENSOR"
expect_rc 2 "two sources"
run route --sid S-1-5-19 "$SENSOR"
expect_rc 2 "--sid without --windows"
run route --bogus "$SENSOR"
expect_rc 2 "unknown option"
run route --mode manual_proxy "$SENSOR"
expect_rc 2 "manual_proxy without --proxy"
run route --help
expect_rc 0 "--help"

# 6. bad input: exit 1, nothing printed
run route --from-blob "$TMP/manual.bin" "$SENSOR" contoso.com
expect_rc 1 "bad URL"
expect_empty_out "bad URL"
expect_err "contoso.com: offset 11: URL: no scheme" "bad URL"
run route --from-blob "$TMP/manual.bin" 'http://[::1/'
expect_rc 1 "bad IPv6"
expect_err "unbalanced '['" "bad IPv6"
printf '\x46\x00\x00' >"$TMP/short.bin"
run route --from-blob "$TMP/short.bin" "$SENSOR"
expect_rc 1 "truncated blob"
expect_empty_out "truncated blob"
run route --from-blob "$TMP/missing.bin" "$SENSOR"
expect_rc 1 "missing file"
run route --mode manual_proxy --proxy 'p:99999' "$SENSOR"
expect_rc 1 "bad proxy string"
expect_err "proxy string: port out of range" "bad proxy string"
# what apply would refuse to write (DCS_LIST_SYNTAX, dcs_pac_url_check) is a
# usage error, named as apply names it
run route --mode manual_proxy --proxy "$PX" --bypass "$(printf 'a\001b')" "$SENSOR"
expect_rc 2 "bypass with a control character"
[ "$(cat "$err")" = "dcs: route: --bypass 'a\x01b': offset 1: control character 0x01" ] && pass ||
    fail "bypass with a control character: $(cat "$err")"
run route --mode autoscript --pac "$(printf 'http://x/\377')" "$SENSOR"
expect_rc 2 "PAC URL not UTF-8"
[ "$(cat "$err")" = "dcs: route: --pac 'http://x/\xff': offset 9: byte 0xff is not UTF-8" ] && pass ||
    fail "PAC URL not UTF-8: $(cat "$err")"
# what the list grammar rejects in a bypass list is routed, never an error
run route --mode manual_proxy --proxy "$PX" --bypass '10.0.0.0/8;a?c' --json http://10.1.2.3/
expect_rc 0 "CIDR entry"
if grep -qF 'CIDR is not supported, matched as text (B15; INFERRED)' "$out"; then pass; else fail "CIDR rule: $(cat "$out")"; fi
expect_err "dcs: warning: B15 bypass entry 1 '10.0.0.0/8': WinINET has no CIDR, the entry matches nothing (write '10.*')" "CIDR lint"
expect_err "dcs: warning: B7 bypass entry 2 'a?c': '?' is not a wildcard" "? lint"

# 7. an offline image (needs libhivex)
if [ "$HIVEX" = 1 ]; then
    data=$ROOT/tests/data/hives
    img=$TMP/img
    mkdir -p "$img/Windows/System32/config" "$img/Windows/ServiceProfiles/LocalService" \
        "$img/Windows/ServiceProfiles/NetworkService" "$img/Users/alice"
    cp "$data/hivex-minimal" "$img/Windows/System32/config/DEFAULT"
    cp "$data/mini-SOFTWARE" "$img/Windows/System32/config/SOFTWARE"
    cp "$data/yarp-EmptyHive" "$img/Windows/ServiceProfiles/LocalService/NTUSER.DAT"
    cp "$data/ez-NTUSER1.DAT" "$img/Windows/ServiceProfiles/NetworkService/NTUSER.DAT"
    cp "$data/dfwinreg-NTUSER.DAT" "$img/Users/alice/NTUSER.DAT"
    "$DCS" apply --mode manual_proxy --proxy "$PX" --bypass '<local>' --windows "$img" --sid S-1-5-19 \
        >/dev/null || fail "apply for the image"
    run route --windows "$img" "$CONSOLE"
    expect_rc 1 "LocalSystem without settings"
    expect_err "LocalSystem (S-1-5-18, .DEFAULT) Windows/System32/config/DEFAULT has no DefaultConnectionSettings" "no value"
    run route --windows "$img" --sid S-1-5-19 --json "$CONSOLE"
    expect_rc 0 "--sid S-1-5-19"
    if grep -qF "\"decision\": \"proxy\", \"proxy\": \"$PX\"" "$out"; then pass; else fail "--sid: $(cat "$out")"; fi
    run route --from-hive "$img/Windows/ServiceProfiles/LocalService/NTUSER.DAT" --json http://intranet/
    expect_rc 0 "--from-hive"
    if grep -qF '"decision": "direct"' "$out"; then pass; else fail "--from-hive: $(cat "$out")"; fi
    cat >"$TMP/want" <<EOT
$CONSOLE
  LocalSystem (S-1-5-18)           (no DefaultConnectionSettings)
  LocalService (S-1-5-19)          PROXY $PX  -- P3 default entry (no scheme=) $PX; <local> does not cover names with a period (B8)
  NetworkService (S-1-5-20)        (no DefaultConnectionSettings)
  user (S-1-5-21-1004336348-1177238915-682003330-1001) AUTO (WPAD/PAC decide)  -- §1 auto-detect (WPAD) first, not evaluated; if no PAC is found: DIRECT  -- §1 flag 0x02 (PROXY) off; the bypass list does not apply to PAC results (B18)
EOT
    run route --windows "$img" --all-accounts "$CONSOLE"
    expect_rc 1 "--all-accounts (accounts without settings)"
    expect_out "$TMP/want" "--all-accounts"
    run route --windows "$img" --all-accounts --json "$CONSOLE"
    if [ "$(wc -l <"$out")" = 4 ] && grep -qF '"sid": "S-1-5-19", "account": "LocalService (S-1-5-19)"}' "$out" &&
        grep -qF '"sid": "S-1-5-18", "account": "LocalSystem (S-1-5-18)", "error": "no DefaultConnectionSettings"}' "$out"; then
        pass
    else fail "--all-accounts --json: $(cat "$out")"; fi
    run route --windows "$img" --all-accounts --sid S-1-5-18 "$CONSOLE"
    expect_rc 2 "--all-accounts with --sid"
fi

echo "$checks checks, $failures failures"
[ "$failures" -eq 0 ]
