#!/usr/bin/env bash
# One command from a fresh Debian 12 machine: install what is missing, build
# into build/, and run the main job on the bundled examples.
set -euo pipefail
cd "$(dirname "$0")/.."

tools/install-deps.sh
if [[ ! -d build ]]; then
  meson setup build >/dev/null
fi
ninja -C build >/dev/null
dcs=build/tools/cli/dcs

echo "== dcs decode: a real DefaultConnectionSettings blob (corpus/blob/002-...)"
$dcs decode corpus/blob/002-dcs46-all-flags-proxy-with-scheme-bypass-local-pac.bin
echo
echo "== the same as JSON, re-encoded: byte-identical?"
$dcs decode --json corpus/blob/002-dcs46-all-flags-proxy-with-scheme-bypass-local-pac.bin |
  $dcs encode --json - --output-format binary |
  cmp - corpus/blob/002-dcs46-all-flags-proxy-with-scheme-bypass-local-pac.bin && echo "yes"

if [[ -f tools/sample-image.sh ]]; then
  echo
  # shellcheck source=/dev/null
  source tools/sample-image.sh
  run_sample_image "$dcs"
fi
