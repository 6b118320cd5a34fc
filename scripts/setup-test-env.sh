#!/usr/bin/env bash
# Installs the system packages the tests use, only those missing. Debian/Ubuntu (apt); as root, or via sudo.
set -euo pipefail
# command → Debian package. Later issues add softhsm2, pcscd, vsmartcard, chromium here.
declare -A NEED=( [socat]=socat [openssl]=openssl )
missing=()
for cmd in "${!NEED[@]}"; do command -v "$cmd" >/dev/null 2>&1 || missing+=("${NEED[$cmd]}"); done
[ ${#missing[@]} -eq 0 ] && exit 0
SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
echo "installing test packages: ${missing[*]}"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
