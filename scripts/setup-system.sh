#!/usr/bin/env bash
# Installs the Debian packages Guardpost needs, only those missing. Used by .ci/run, npm start and npm test.
#   build: headers the native modules compile against (pcsclite needs libpcsclite-dev); binutils: the .deb strips them
#   test:  the real parts the tests use: socat ptys, SoftHSM2, OpenSC tools, openssl, pcscd + vsmartcard, chromium,
#          tinyproxy (the desk tunnel's HTTP CONNECT proxy)
#          (+ systemd: systemd-analyze verify on the packaged units; lintian: the .deb passes it)
#          (+ asciinema: the shell recordings play back in asciinema itself)
#          (+ curl: bench/settlement.bench.ts compares the probe's phase timings with curl -w)
#          (+ a CJK font, so the health page's screenshots show Chinese)
#          (+ poppler-utils: the monthly report's PDF checked with pdfinfo and pdftotext)
#          (+ python3-virtualsmartcard, python3-pycryptodome: the virtual smart card; Debian ships no vicc executable,
#             so the project's own launcher scripts/tools/vicc starts it on /usr/bin/python3)
# scripts/doctor-test-env.sh then checks that each tool is there and came from one of these packages.
set -euo pipefail
BUILD=(libpcsclite-dev python3 make g++ pkg-config binutils)
TEST=(socat softhsm2 opensc openssl pcscd pcsc-tools vsmartcard-vpcd python3-virtualsmartcard python3-pycryptodome chromium procps fonts-wqy-microhei curl tinyproxy systemd asciinema lintian poppler-utils)
want=("${BUILD[@]}")
[ "${1:-build}" = "test" ] && want+=("${TEST[@]}")
missing=()
for p in "${want[@]}"; do dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p"); done
[ ${#missing[@]} -eq 0 ] && exit 0
SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
echo "installing Debian packages: ${missing[*]}"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
