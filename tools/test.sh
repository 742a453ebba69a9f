#!/usr/bin/env bash
# One command from a fresh Debian 12 machine: install what tests need, build,
# and run the whole suite: gcc -Werror, clang -Werror, ASan+UBSan, valgrind,
# fuzz regression replay, a short libFuzzer smoke run and static analysis.
#
#   tools/test.sh            everything (what CI runs)
#   tools/test.sh --quick    the gcc build's unit and CLI tests only
# Env: FUZZ_SECONDS (default 15) per harness for the smoke run; 0 skips it.
set -euo pipefail
cd "$(dirname "$0")/.."
quick=0
[[ "${1:-}" == "--quick" ]] && quick=1

tools/install-deps.sh --test

fail=0
step() { printf '\n=== %s\n' "$*"; }
run() { "$@" || { echo "FAILED: $*" >&2; fail=1; }; }

setup() { # dir, extra meson args...
  local dir=$1; shift
  if [[ -d $dir ]]; then
    meson setup --reconfigure "$dir" "$@" >/dev/null
  else
    meson setup "$dir" "$@" >/dev/null
  fi
}

step "gcc -Werror: build and test"
setup build-test -Dwerror=true -Dtests=enabled
run ninja -C build-test
run meson test -C build-test --print-errorlogs

if ((quick)); then
  exit $fail
fi

step "clang -Werror: build and test"
CC=clang setup build-clang -Dwerror=true -Dtests=enabled
run ninja -C build-clang
# Wine and the kill-at-every-step commit test (minutes each) run in the gcc step
run meson test -C build-clang --print-errorlogs --no-suite wine --no-suite commit

step "ASan+UBSan: build and test"
setup build-asan -Dwerror=true -Dtests=enabled -Db_sanitize=address,undefined -Db_lundef=false
run ninja -C build-asan
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
  run meson test -C build-asan --print-errorlogs --no-suite wine --no-suite commit

step "valgrind: unit tests"
run meson test -C build-test --suite unit --print-errorlogs \
  --wrap='valgrind --quiet --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite,indirect'

if [[ -x tools/lint.sh ]]; then
  step "static analysis: cppcheck and clang-tidy on codec/"
  run tools/lint.sh
fi

if [[ -x tools/fuzz.sh && "${FUZZ_SECONDS:-15}" != 0 ]] && command -v clang >/dev/null; then
  step "libFuzzer smoke run (${FUZZ_SECONDS:-15} s per harness)"
  run tools/fuzz.sh --seconds "${FUZZ_SECONDS:-15}"
fi

step "summary"
if ((fail)); then
  echo "test.sh: FAILED"
  exit 1
fi
echo "test.sh: all steps passed"
