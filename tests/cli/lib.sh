# Shared prologue of the end-to-end CLI scripts (sourced, not run): the dcs
# binary from $1, the source tree, a scratch directory removed at exit, and
# the check helpers.  The sourcing script sets cli_name (names the scratch
# directory) first, and ends with: echo "$checks checks, $fails failed".
# shellcheck shell=bash
dcs=$1
src=${DCS_SOURCE_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
data=$src/tests/data/hives
work=$(mktemp -d "${TMPDIR:-/tmp}/dcs-cli-${cli_name:?}.XXXXXX")
trap 'rm -rf "$work"' EXIT
fails=0
checks=0

ok() { checks=$((checks + 1)); }
fail() { echo "FAIL: $*" >&2; fails=$((fails + 1)); }
expect_rc() { # expect_rc WANT DESCRIPTION -- command...
  local want=$1 what=$2; shift 3
  local rc=0
  "$@" >"$work/out" 2>"$work/err" || rc=$?
  if [[ $rc != "$want" ]]; then
    fail "$what: exit $rc, wanted $want"; sed 's/^/  | /' "$work/out" "$work/err" >&2
  else ok; fi
}
contains() { if grep -q -- "$2" "$1"; then ok; else fail "$3: '$2' not in $1"; sed 's/^/  | /' "$1" >&2; fi; }
same() { if cmp -s "$1" "$2"; then ok; else fail "$3: $1 differs from $2"; fi; }
