#!/bin/sh
# Installs Guardpost from the package's files where a .deb cannot be used (no dpkg, a locked package database):
# the same layout and the same users, directories and modes as the .deb's maintainer scripts.
#   scripts/install.sh (--from DIR | --tar FILE) [--root DIR] [--dry-run]
#     --from DIR   the package's file tree (dpkg-deb -x build/guardpost_*.deb DIR)
#     --tar FILE   the same tree as a tar.gz
#     --root DIR   install under DIR instead of / (no users, owners or systemctl then: for staging and tests)
#     --dry-run    print every step, change nothing
# A config is never shipped or overwritten; /etc/default/guardpost is kept when it exists.
set -eu

DRY=0
ROOT=/
FROM=
TAR=
usage() { echo "usage: $0 (--from DIR | --tar FILE) [--root DIR] [--dry-run]" >&2; exit 64; }
while [ $# -gt 0 ]; do
  case "$1" in
    --from) FROM=${2:-}; shift 2 ;;
    --tar) TAR=${2:-}; shift 2 ;;
    --root) ROOT=${2:-}; shift 2 ;;
    --dry-run) DRY=1; shift ;;
    -h|--help) sed -n '2,9p' "$0"; exit 0 ;;
    *) usage ;;
  esac
done
[ -n "$FROM" ] || [ -n "$TAR" ] || usage

run() {
  printf '+ %s\n' "$*"
  [ "$DRY" = 1 ] || "$@"
}
R=${ROOT%/}
SYSTEM=0
[ "$ROOT" = / ] && [ "$(id -u)" = 0 ] && SYSTEM=1

if [ -n "$TAR" ]; then
  [ -f "$TAR" ] || { echo "install: no such file: $TAR" >&2; exit 66; }
  FROM=$(mktemp -d)
  run tar -xzf "$TAR" -C "$FROM"
fi
if [ "$DRY" = 0 ] && [ ! -f "$FROM/usr/lib/guardpost/bin/guardpost.js" ]; then
  echo "install: $FROM does not hold the package's files (no usr/lib/guardpost/bin/guardpost.js)" >&2
  exit 66
fi

echo "# the program and its runtime: /usr/lib/guardpost (replaced as a whole)"
run mkdir -p "$R/usr/lib" "$R/usr/bin" "$R/lib/systemd/system" "$R/etc/default"
run rm -rf "$R/usr/lib/guardpost.new"
run cp -a "$FROM/usr/lib/guardpost" "$R/usr/lib/guardpost.new"
run rm -rf "$R/usr/lib/guardpost"
run mv "$R/usr/lib/guardpost.new" "$R/usr/lib/guardpost"
run install -m 0755 "$FROM/usr/bin/guardpost" "$R/usr/bin/guardpost"
echo "# the services"
run install -m 0644 "$FROM/lib/systemd/system/guardpost.service" "$FROM/lib/systemd/system/guardpost-desk.service" "$R/lib/systemd/system/"
if [ -e "$R/etc/default/guardpost" ]; then
  echo "# $R/etc/default/guardpost exists: kept"
else
  run install -m 0644 "$FROM/etc/default/guardpost" "$R/etc/default/guardpost"
fi

echo "# users and directories"
if [ "$SYSTEM" = 1 ]; then
  getent passwd guardpost >/dev/null || run useradd --system --user-group --home-dir /var/lib/guardpost --no-create-home --shell /usr/sbin/nologin --comment "Guardpost agent" guardpost
  # Serial card readers are group dialout.
  getent group dialout >/dev/null && run usermod -a -G dialout guardpost
  getent passwd guardpost-desk >/dev/null || run useradd --system --user-group --home-dir /var/lib/guardpost-desk --no-create-home --shell /usr/sbin/nologin --comment "Guardpost desk" guardpost-desk
  run install -d -o root -g guardpost -m 0750 /etc/guardpost
  run install -d -o guardpost -g guardpost -m 0750 /var/lib/guardpost /var/log/guardpost
  run install -d -o guardpost-desk -g guardpost-desk -m 0750 /var/lib/guardpost-desk
else
  echo "# not root on /: no users or owners, directories made with their modes only"
  run install -d -m 0750 "$R/etc/guardpost" "$R/var/lib/guardpost" "$R/var/log/guardpost" "$R/var/lib/guardpost-desk"
fi
if [ -f "$R/etc/guardpost/config.json" ]; then
  [ "$SYSTEM" = 1 ] && run chown root:guardpost /etc/guardpost/config.json
  run chmod 0640 "$R/etc/guardpost/config.json"
else
  echo "# no $R/etc/guardpost/config.json yet: write one (guardpost config example > it, then edit the site), then enroll (guardpost enroll)"
fi

if [ "$SYSTEM" = 1 ] && [ -d /run/systemd/system ]; then
  run systemctl daemon-reload
  run systemctl enable guardpost.service
  [ -f /etc/guardpost/config.json ] && run systemctl restart guardpost.service
fi
[ -n "$TAR" ] && [ "$DRY" = 0 ] && rm -rf "$FROM"
echo "# done"
