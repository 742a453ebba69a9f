#!/usr/bin/env bash
# Install the Debian packages dcs needs, only those that are missing.
#   tools/install-deps.sh          build + run (quickstart)
#   tools/install-deps.sh --test   also what the test suite, sanitizers, fuzz smoke and lint use
set -euo pipefail

pkgs=(meson ninja-build gcc pkg-config zlib1g-dev libjansson-dev libhivex-dev libwim-dev xz-utils)
if [[ "${1:-}" == "--test" ]]; then
  pkgs+=(libcmocka-dev wimtools clang libclang-rt-14-dev valgrind libhivex-bin libwin-hivex-perl
         libregf-utils reglookup regripper
         chntpw cppcheck clang-tidy gcovr python3 xxd strace
         wine wine64)  # Wine's reg.exe/regedit.exe as a test client (tests/cli/test_wine.sh), 64-bit only
fi

missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "install-deps: installing ${missing[*]}" >&2
  SUDO=""
  if [[ $(id -u) -ne 0 ]]; then SUDO="sudo"; fi
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
