#!/usr/bin/env bash
# The routing traps (codec/route/ROUTING.md §5) where settings are written or
# shown: dcs apply (plan, --dry-run, --expect-proxy) warns on stderr, dcs show
# lists them under each account (text) and as "lints" (JSON).
# usage: test_cli_lints.sh PATH-TO-dcs
set -uo pipefail
dcs=$1
src=${DCS_SOURCE_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
work=$(mktemp -d /tmp/dcs-cli-lints.XXXXXX)
trap 'rm -rf "$work"' EXIT
pass=0 failed=0
ok() { pass=$((pass + 1)); }
fail() { failed=$((failed + 1)); echo "FAIL: $*" >&2; }
has() { grep -qF -- "$2" "$1" && ok || fail "$3: '$2' not in $1"; }
hasnt() { grep -qF -- "$2" "$1" && fail "$3: '$2' in $1" || ok; }

# shellcheck source=/dev/null
source "$src/tools/sample-image.sh"
make_sample_image "$work/img" "$dcs" >/dev/null 2>&1 || { echo "cannot make the sample image"; exit 1; }
img=$work/img
P4="P4 proxy entry 1 'http=p:8080': no https= entry and no default entry, so HTTPS requests go DIRECT; add https=... or a proxy without scheme="
B15="B15 bypass entry 1 '10.0.0.0/8': WinINET has no CIDR, the entry matches nothing (write '10.*')"

# 1. apply --dry-run: every trap of the new settings, and an expected URL bypassed
"$dcs" apply --mode manual_proxy --proxy "http=p:8080" --bypass "10.0.0.0/8;*.corp*" --windows "$img" \
  --all-services --dry-run --expect-proxy https://sensorapi.atp.azure.com/ >"$work/out" 2>"$work/err"
[[ $? == 0 ]] && ok || fail "dry run exit"
has "$work/err" "dcs: warning: apply: $P4" "dry run P4"
has "$work/err" "dcs: warning: apply: $B15" "dry run B15"
has "$work/err" "dcs: warning: apply: B3 bypass entry 2 '*.corp*': '*' not left-most; WinINET honours it, WinHTTP does not after \`netsh winhttp import proxy source=ie\` (wildcards must be left-most)" "dry run B3"
has "$work/err" "dcs: warning: apply: §7 https://sensorapi.atp.azure.com/ is expected to use the proxy but goes DIRECT" "expect-proxy bypassed"
has "$work/err" "dcs: warning: apply: --bypass '10.0.0.0/8;*.corp*': offset 8: entry outside the list grammar: written as given" "dry run: CIDR outside the grammar"
[[ $(grep -c '^dcs: warning: apply:' "$work/err") == 5 ]] && ok || fail "dry run: 5 warnings"

# 2. clean settings: nothing to say; a URL that goes through the proxy is not named
"$dcs" apply --mode manual_proxy --proxy "p:8080" --bypass "*.contoso.com" --windows "$img" --all-services \
  --expect-proxy https://sensorapi.atp.azure.com/ >"$work/out" 2>"$work/err"
[[ $? == 0 ]] && ok || fail "clean apply exit"
hasnt "$work/err" "warning: apply:" "clean settings warn"

# 3. show lists the traps of what is in force
"$dcs" apply --mode manual_proxy --proxy "http=p:8080" --bypass "10.0.0.0/8" --windows "$img" \
  --all-services >/dev/null 2>&1
"$dcs" show --windows "$img" >"$work/out" 2>"$work/err"
has "$work/out" "  routing traps:              $P4" "show P4"
has "$work/out" "                              $B15" "show B15"
"$dcs" show --windows "$img" --json >"$work/out" 2>/dev/null
python3 - "$work/out" "$P4" <<'PY' && ok || fail "show --json lints"
import json, sys
d = json.load(open(sys.argv[1]))
ls = [h for h in d["hives"] if h.get("sid") == "S-1-5-18"][0]["lints"]
want = sys.argv[2].split(" ", 1)
assert ls[0] == {"id": want[0], "message": want[1]}, ls
assert [x["id"] for x in ls] == ["P4", "B15"], ls
PY

echo "$((pass + failed)) checks, $failed failures"
[[ $failed == 0 ]]
