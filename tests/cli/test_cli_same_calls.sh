#!/usr/bin/env bash
# Issue 15 goal 3: a dcs apply that changes nothing does each thing once.
# Traced with strace on the three-hive sample image (the second run of the
# same apply): no /proc readlink but the image root's one, each hive file
# opened once (judged and loaded through one descriptor), no hive stat()ed
# again by its path, the absent SOFTWARE looked up once, and the directory
# System32/config resolved at most twice (the SOFTWARE probe, DEFAULT).
# usage: test_cli_same_calls.sh PATH-TO-dcs    (exit 77 = skipped: no strace)
set -euo pipefail

if ! command -v strace >/dev/null || ! strace -f -o /dev/null true 2>/dev/null; then
  echo "SKIP: strace is missing, or cannot trace here"
  exit 77
fi
cli_name=same_calls
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
work=$(realpath "$work")

img=$work/img
mkdir -p "$img/Windows/System32/config" "$img/Windows/ServiceProfiles/LocalService" \
  "$img/Windows/ServiceProfiles/NetworkService" "$work/bk"
install -m 0644 "$data/hivex-minimal" "$img/Windows/System32/config/DEFAULT"
install -m 0644 "$data/yarp-EmptyHive" "$img/Windows/ServiceProfiles/LocalService/NTUSER.DAT"
install -m 0644 "$data/ez-NTUSER1.DAT" "$img/Windows/ServiceProfiles/NetworkService/NTUSER.DAT"
args=(apply --mode manual_proxy --proxy p:1 --bypass '<local>' --windows "$img" --all-services
  --backup-dir "$work/bk")
expect_rc 0 "first apply" -- "$dcs" "${args[@]}"
# LeakSanitizer cannot run under ptrace (an ASan build would fail here)
nolsan=ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 # the last setting wins
expect_rc 0 "second apply, traced" -- env "$nolsan" strace -f -qq -o "$work/trace" \
  -e trace=readlink,readlinkat,open,openat,openat2,stat,lstat,newfstatat,statx "$dcs" "${args[@]}"
contains "$work/out" "unchanged: every target already has these settings" "second apply: unchanged"

count() { grep -c -- "$1" "$work/trace" || true; }
at_most() { # at_most N PATTERN DESCRIPTION
  local n
  n=$(count "$2")
  if ((n <= $1)); then ok; else fail "$3: $n calls match '$2', wanted at most $1"; grep -- "$2" "$work/trace" | sed 's/^/  | /' >&2; fi
}
exactly() { # exactly N PATTERN DESCRIPTION
  local n
  n=$(count "$2")
  if ((n == $1)); then ok; else fail "$3: $n calls match '$2', wanted $1"; grep -- "$2" "$work/trace" | sed 's/^/  | /' >&2; fi
}

at_most 1 'readlink.*"/proc/self/fd/' "readlinks of /proc/self/fd (the root's only)"
exactly 1 'open.*"DEFAULT", O_' "DEFAULT opened once"
exactly 2 'open.*"NTUSER.DAT", O_' "each NTUSER.DAT opened once"
exactly 0 'stat.*(AT_FDCWD, "/[^"]*\(DEFAULT\|NTUSER.DAT\)"' "no hive stat()ed by its path"
exactly 0 '^[0-9]* \(l\?stat\)("/[^"]*\(DEFAULT\|NTUSER.DAT\)"' "no hive stat()ed by its path (stat)"
exactly 1 'stat.*"SOFTWARE"' "the absent SOFTWARE looked up once"
at_most 2 'openat2(.*"Windows/System32/config/\?"' "System32/config resolved at most twice"

echo "$checks checks, $fails failures"
[[ $fails == 0 ]]
