#!/bin/sh
# Removes what scripts/install.sh installed.
#   scripts/uninstall.sh [--purge] [--root DIR] [--dry-run]
#     (default)  the program, its runtime and the units; config, state and logs stay (a reinstall carries on)
#     --purge    also config, state, logs and the system users
#     --root DIR as for install.sh;  --dry-run  print every step, change nothing
set -eu

DRY=0
ROOT=/
PURGE=0
while [ $# -gt 0 ]; do
  case "$1" in
    --purge) PURGE=1; shift ;;
    --root) ROOT=${2:-}; shift 2 ;;
    --dry-run) DRY=1; shift ;;
    -h|--help) sed -n '2,7p' "$0"; exit 0 ;;
    *) echo "usage: $0 [--purge] [--root DIR] [--dry-run]" >&2; exit 64 ;;
  esac
done
run() {
  printf '+ %s\n' "$*"
  [ "$DRY" = 1 ] || "$@"
}
R=${ROOT%/}
SYSTEM=0
[ "$ROOT" = / ] && [ "$(id -u)" = 0 ] && SYSTEM=1

if [ "$SYSTEM" = 1 ] && [ -d /run/systemd/system ]; then
  run systemctl disable --now guardpost.service guardpost-desk.service || true
fi
run rm -f "$R/lib/systemd/system/guardpost.service" "$R/lib/systemd/system/guardpost-desk.service" "$R/usr/bin/guardpost"
run rm -rf "$R/usr/lib/guardpost"
if [ "$PURGE" = 1 ]; then
  run rm -rf "$R/etc/guardpost" "$R/etc/default/guardpost" "$R/var/lib/guardpost" "$R/var/log/guardpost" "$R/var/lib/guardpost-desk"
  if [ "$SYSTEM" = 1 ]; then
    getent passwd guardpost >/dev/null && run userdel guardpost
    getent passwd guardpost-desk >/dev/null && run userdel guardpost-desk
  fi
else
  echo "# kept: $R/etc/guardpost, $R/var/lib/guardpost, $R/var/log/guardpost (--purge removes them)"
fi
[ "$SYSTEM" = 1 ] && [ -d /run/systemd/system ] && run systemctl daemon-reload
echo "# done"
