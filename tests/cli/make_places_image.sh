#!/usr/bin/env bash
# Build a sample offline Windows image for the "places" tests from the hive
# fixtures in tests/data/hives (each with its .source): the three service
# accounts, a Default profile, two users (alice, bob) and a SOFTWARE hive
# made here with hivexsh from hivex-minimal, holding ProfileList (with
# ProfilesDirectory and Default), SystemRoot, HKLM's Internet Settings\
# Connections and the policy key with ProxySettingsPerUser = REG_DWORD 1.
# usage: make_places_image.sh DIR [--missing-user] [--no-software] [--sysroot NAME] [--xp]
#   --missing-user  ProfileList also lists carol, whose NTUSER.DAT is absent
#   --no-software   no SOFTWARE hive (users found as Users/*/NTUSER.DAT)
#   --sysroot NAME  Windows installed in NAME/ (SystemRoot C:\NAME), not Windows/
#   --profiles NAME profiles in NAME/ (ProfilesDirectory %SystemDrive%\NAME)
#   --xp            profiles in "Documents and Settings" (the Default profile
#                   "Default User"; ProfileList has ProfilesDirectory and
#                   DefaultUserProfile, no Default value), as Windows XP
set -euo pipefail

dir=$1; shift
missing=0 software=1 win=Windows xp=0 profiles=Users
while [[ $# -gt 0 ]]; do
  case $1 in
    --missing-user) missing=1 ;;
    --no-software) software=0 ;;
    --sysroot) win=$2; shift ;;
    --xp) xp=1 ;;
    --profiles) profiles=$2; shift ;;
    *) echo "make_places_image.sh: unknown option $1" >&2; exit 2 ;;
  esac
  shift
done
if [[ $xp == 1 ]]; then users="Documents and Settings" default="Default User"; else users=$profiles default=Default; fi
src=${DCS_SOURCE_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
data=$src/tests/data/hives

SID_ALICE=S-1-5-21-1004336348-1177238915-682003330-1001
SID_BOB=S-1-5-21-1004336348-1177238915-682003330-1002
SID_CAROL=S-1-5-21-1004336348-1177238915-682003330-1003

rm -rf "$dir"
mkdir -p "$dir/$win/System32/config" "$dir/$win/ServiceProfiles/LocalService" \
  "$dir/$win/ServiceProfiles/NetworkService" "$dir/$users/$default" "$dir/$users/alice" \
  "$dir/$users/bob"
install -m 0644 "$data/hivex-minimal" "$dir/$win/System32/config/DEFAULT"
install -m 0644 "$data/yarp-EmptyHive" "$dir/$win/ServiceProfiles/LocalService/NTUSER.DAT"
install -m 0644 "$data/ez-NTUSER1.DAT" "$dir/$win/ServiceProfiles/NetworkService/NTUSER.DAT"
install -m 0644 "$data/dfwinreg-NTUSER.DAT" "$dir/$users/$default/NTUSER.DAT"
install -m 0644 "$data/ez-NTUSER1.DAT" "$dir/$users/alice/NTUSER.DAT"
install -m 0644 "$data/hivex-minimal" "$dir/$users/bob/NTUSER.DAT"
[[ $software == 1 ]] || exit 0

sw=$dir/$win/System32/config/SOFTWARE
install -m 0644 "$data/hivex-minimal" "$sw"
profile() { # profile SID PATH
  printf 'cd \\Microsoft\\Windows NT\\CurrentVersion\\ProfileList\nadd %s\ncd %s\nsetval 1\nProfileImagePath\nexpandstring:%s\n' \
    "$1" "$1" "$2"
}
{
  printf 'add Microsoft\ncd Microsoft\nadd Windows NT\ncd Windows NT\nadd CurrentVersion\ncd CurrentVersion\n'
  printf 'setval 1\nSystemRoot\nstring:C:\\%s\n' "$win"
  if [[ $xp == 1 ]]; then
    printf 'add ProfileList\ncd ProfileList\nsetval 2\nProfilesDirectory\nexpandstring:%%SystemDrive%%\\Documents and Settings\nDefaultUserProfile\nstring:Default User\n'
  else
    printf 'add ProfileList\ncd ProfileList\nsetval 2\nProfilesDirectory\nexpandstring:%%SystemDrive%%\\%s\nDefault\nexpandstring:%%SystemDrive%%\\%s\\Default\n' "$users" "$users"
  fi
  profile S-1-5-18 '%systemroot%\system32\config\systemprofile'
  profile S-1-5-19 '%systemroot%\ServiceProfiles\LocalService'
  profile S-1-5-20 '%systemroot%\ServiceProfiles\NetworkService'
  profile "$SID_ALICE" "C:\\$users\\alice"
  profile "$SID_BOB" "%SystemDrive%\\$users\\bob"
  [[ $missing == 0 ]] || profile "$SID_CAROL" "C:\\$users\\carol"
  printf 'cd \\Microsoft\nadd Windows\ncd Windows\nadd CurrentVersion\ncd CurrentVersion\nadd Internet Settings\ncd Internet Settings\nadd Connections\n'
  printf 'cd \\\nadd Policies\ncd Policies\nadd Microsoft\ncd Microsoft\nadd Windows\ncd Windows\nadd CurrentVersion\ncd CurrentVersion\nadd Internet Settings\ncd Internet Settings\n'
  printf 'setval 1\nProxySettingsPerUser\ndword:0x00000001\n'
  printf 'commit\n'
} >"$dir/.software.hivexsh"
hivexsh -w -f "$dir/.software.hivexsh" "$sw" >/dev/null
rm -f "$dir/.software.hivexsh"
