#!/usr/bin/env bash
# Line and branch coverage of codec/ from the whole meson test suite: the unit
# tests, the CLI end-to-end tests (the dcs binary is built with coverage too)
# and a replay of every fuzz corpus and regression file, with gcc --coverage
# and gcovr.
#
#   tools/coverage.sh [--html DIR]
#
# Prints a per-file table and the totals; --html also writes a browsable
# report.  Build directory: build-cov (recreated each run).  The project
# goal (issue 5) is 95% of lines and 90% of branches.
set -euo pipefail
cd "$(dirname "$0")/.."

html=
while (($#)); do
  case $1 in
    --html) html=${2:?}; shift 2 ;;
    -h|--help) sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "coverage.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done
command -v gcovr >/dev/null || { echo "coverage.sh: gcovr not found (apt-get install gcovr)" >&2; exit 2; }

rm -rf build-cov
CC=gcc meson setup build-cov -Db_coverage=true -Dbuildtype=debug -Dtests=enabled -Dbench=false \
  >/dev/null
ninja -C build-cov -j2 >/dev/null
meson test -C build-cov --print-errorlogs >/dev/null ||
  { echo "coverage.sh: tests failed (meson test -C build-cov)" >&2; exit 1; }

common=(--root . --filter 'codec/' --exclude-unreachable-branches build-cov)
echo "== lines"
gcovr "${common[@]}" --txt
echo "== branches"
gcovr "${common[@]}" --txt --branches
if [[ -n $html ]]; then
  mkdir -p "$html"
  gcovr "${common[@]}" --html-details "$html/index.html"
  echo "coverage.sh: report in $html/index.html"
fi
echo "== totals (codec/)"
gcovr "${common[@]}" --print-summary --txt /dev/null | grep -E '^(lines|branches):'
