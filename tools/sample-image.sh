#!/usr/bin/env bash
# The main job of dcs on a small sample Windows image built from the bundled
# hives (tests/data/hives/): a user has a proxy; give it to the service
# accounts with `dcs apply`, first as a dry run, then for real, showing the
# settings of every account before and after.
#
# Sourced by tools/quickstart.sh, which calls: run_sample_image PATH-TO-dcs
# Runs standalone too: tools/sample-image.sh [PATH-TO-dcs]

# make_sample_image DIR PATH-TO-dcs: the image alone (also used by
# tests/cli/test_install.sh).
make_sample_image() {
  local img=$1 dcs=$2 data
  data=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/tests/data/hives
  mkdir -p "$img/Windows/System32/config" \
           "$img/Windows/ServiceProfiles/LocalService" \
           "$img/Windows/ServiceProfiles/NetworkService" \
           "$img/Users/Default" "$img/Users/alice"
  install -m 0644 "$data/hivex-minimal"       "$img/Windows/System32/config/DEFAULT"
  install -m 0644 "$data/mini-SOFTWARE"       "$img/Windows/System32/config/SOFTWARE"
  install -m 0644 "$data/yarp-EmptyHive"      "$img/Windows/ServiceProfiles/LocalService/NTUSER.DAT"
  install -m 0644 "$data/ez-NTUSER1.DAT"      "$img/Windows/ServiceProfiles/NetworkService/NTUSER.DAT"
  install -m 0644 "$data/dfwinreg-NTUSER.DAT" "$img/Users/Default/NTUSER.DAT"
  install -m 0644 "$data/dfwinreg-NTUSER.DAT" "$img/Users/alice/NTUSER.DAT"
  # alice (S-1-5-21-...-1001 in the image's ProfileList) uses a proxy
  "$dcs" apply --mode manual_proxy --proxy 'proxy.example.com:3128' --bypass '<local>;*.corp' \
    --windows "$img" --sid S-1-5-21-1004336348-1177238915-682003330-1001 \
    --backup-dir "$img/.setup-backup" >/dev/null
}

run_sample_image() {
  local dcs=${1:-build/tools/cli/dcs}
  local img
  dcs=$(cd "$(dirname "$dcs")" && pwd)/$(basename "$dcs")
  img=$(mktemp -d "${TMPDIR:-/tmp}/dcs-sample-image.XXXXXX")
  # shellcheck disable=SC2064
  trap "rm -rf '$img'" RETURN

  echo "== building a sample Windows image in $img"
  make_sample_image "$img" "$dcs"
  echo
  echo "== before: dcs show --windows IMAGE"
  "$dcs" show --windows "$img"

  echo "== dcs apply --from-hive Users/alice/NTUSER.DAT --windows IMAGE --dry-run"
  "$dcs" apply --from-hive "$img/Users/alice/NTUSER.DAT" --windows "$img" --dry-run

  echo
  echo "== dcs apply --from-hive Users/alice/NTUSER.DAT --windows IMAGE --backup-dir IMAGE/backup"
  "$dcs" apply --from-hive "$img/Users/alice/NTUSER.DAT" --windows "$img" \
    --backup-dir "$img/backup"

  echo
  echo "== after: dcs show --windows IMAGE"
  "$dcs" show --windows "$img"

  echo "== independent check with hivexget (libhivex-bin):"
  if command -v hivexget >/dev/null; then
    hivexget "$img/Windows/System32/config/DEFAULT" \
      '\Software\Microsoft\Windows\CurrentVersion\Internet Settings'
  else
    echo "(hivexget not installed)"
  fi

  echo
  echo "== a second run changes nothing (idempotent); --check exits 0"
  "$dcs" apply --from-hive "$img/Users/alice/NTUSER.DAT" --windows "$img" --check >/dev/null &&
    echo "check: every target in step (exit 0)"
}

if [[ "${BASH_SOURCE[0]}" == "$0" ]]; then
  set -euo pipefail
  run_sample_image "$@"
fi
