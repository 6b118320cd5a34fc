#!/usr/bin/env bash
# Checks that every program and file the tests, benches and the demo use is there, and that each comes from a Debian
# package (dpkg knows its path) or from this repository: a tool someone put in /usr/local/bin by hand would make CI
# green here and red on a new machine. One line per problem; exit 1 when there is any.
#   --quiet   print nothing when all is well
set -uo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
QUIET=0; [ "${1:-}" = "--quiet" ] && QUIET=1
problems=0
say() { echo "doctor: $*" >&2; problems=$((problems + 1)); }

# owner PATH: the Debian package owning PATH (or the file it resolves to), "project" for this repository's own files
owner() {
  local p="$1" real
  real="$(readlink -f "$p")"
  case "$real" in "$ROOT"/*) echo project; return 0 ;; esac
  dpkg-query -S "$p" 2>/dev/null | head -1 | cut -d: -f1 && return 0
  dpkg-query -S "$real" 2>/dev/null | head -1 | cut -d: -f1 && return 0
  # usr-merge: dpkg may record /bin/x for /usr/bin/x and the other way round
  local alt="${p/#\/usr\/bin\//\/bin\/}"; [ "$alt" = "$p" ] && alt="${p/#\/bin\//\/usr\/bin\/}"
  dpkg-query -S "$alt" 2>/dev/null | head -1 | cut -d: -f1 && return 0
  return 1
}

# program NAME PACKAGE WHY: NAME must resolve on PATH to a file of a Debian package
program() {
  local name="$1" pkg="$2" why="$3" path
  if ! path="$(command -v "$name")"; then say "$name is missing ($why): apt-get install $pkg"; return; fi
  if ! owner "$path" >/dev/null; then say "$name resolves to $path, which no Debian package installed ($why): remove it from PATH and apt-get install $pkg"; fi
}

# file PATH PACKAGE WHY: an absolute path the tests use directly
file() {
  local p="$1" pkg="$2" why="$3"
  if [ ! -e "$p" ]; then say "$p is missing ($why): apt-get install $pkg"; return; fi
  if ! owner "$p" >/dev/null; then say "$p exists but no Debian package installed it ($why): apt-get install --reinstall $pkg"; fi
}

# Programs the tests, benches and the demo start by name.
program socat socat "serial ports as pty pairs"
program softhsm2-util softhsm2 "SoftHSM2 tokens"
program pkcs11-tool opensc "writing certificates and keys into tokens"
program openssl openssl "test PKIs, CRLs, the OCSP responder"
program pcscd pcscd "the real PC/SC daemon"
program tinyproxy tinyproxy "the desk tunnel's HTTP CONNECT proxy"
program curl curl "the settlement bench's curl -w baseline"
program gcc gcc "the test PKCS#11 modules (hanging, crashing, counting logins)"
program getent libc-bin "the dialout group in the bridge tests"
program mount mount "a full tmpfs for the store's disk-full test"
program umount mount "a full tmpfs for the store's disk-full test"
program mkfifo coreutils "emulate-reader's control pipe"
program cat coreutils "emulate-reader's control pipe"
program sh dash "helper shells in the reader tests"
program which debianutils "tool look-ups in the proxy tests"
program ps procps "process checks"
program systemd-analyze systemd "systemd-analyze verify on the packaged units"
program dpkg-deb dpkg "building and inspecting the .deb"
program lintian lintian "the .deb checked by Debian's own package checker"
program asciinema asciinema "shell recordings played back by asciinema cat"
program tar tar "unpacking the bundled runtime"
program strip binutils "the .deb strips its native modules and runtime"
program readelf binutils "the .deb test checks they are stripped"
program pdfinfo poppler-utils "the monthly report's PDF: page count and size"
program pdftotext poppler-utils "the monthly report's PDF: its text"

# Files the tests name by absolute path.
file /usr/bin/chromium chromium "the health page's browser tests (playwright-core drives Debian's chromium)"
file /usr/bin/python3 python3 "the interpreter of scripts/tools/vicc"
file /usr/lib/softhsm/libsofthsm2.so softhsm2 "the PKCS#11 module under test"
file /usr/lib/pcsc/drivers/serial/libifdvpcd.so vsmartcard-vpcd "the virtual reader pcscd loads"
file /usr/lib/python3/site-packages/virtualsmartcard/virtualsmartcard/VirtualSmartcard.py python3-virtualsmartcard "the virtual card"
file /usr/lib/python3/dist-packages/Cryptodome/__init__.py python3-pycryptodome "the virtual card's crypto"
file /usr/include/PCSC/winscard.h libpcsclite-dev "the pcsclite native module builds against it"
file /usr/share/fonts/truetype/wqy/wqy-microhei.ttc fonts-wqy-microhei "Chinese text in the page screenshots"

# The project's own tools must start with only the packages above.
if ! out="$("$ROOT/scripts/tools/vicc" --self-test 2>&1)"; then say "scripts/tools/vicc cannot start the virtual card: $out"; fi

# Node itself is the machine's (the one thing a fresh machine brings); it must be the version package.json asks for.
if ! command -v node >/dev/null; then say "node is missing: Node.js 20.19 or newer is needed"
elif ! node -e 'const [a,b]=process.versions.node.split(".").map(Number); process.exit(a>20||(a===20&&b>=19)?0:1)'; then
  say "node $(node --version) is too old: package.json needs >= 20.19"
fi

# pcscd's socket and pid file are compiled in (/run/pcscd): the PC/SC tests need root, and no foreign pcscd.
[ "$(id -u)" -eq 0 ] || say "not root: the PC/SC tests start pcscd, and the store's disk-full test mounts a tmpfs"
if [ -s /run/pcscd/pcscd.pid ] && kill -0 "$(tr -d '\0' < /run/pcscd/pcscd.pid)" 2>/dev/null; then
  say "a pcscd not started by the tests runs (pid $(tr -d '\0' < /run/pcscd/pcscd.pid)): systemctl stop pcscd.socket pcscd"
fi

if [ "$problems" -gt 0 ]; then echo "doctor: $problems problem(s); bash scripts/setup-system.sh test installs the packages" >&2; exit 1; fi
[ "$QUIET" -eq 1 ] || echo "doctor: every tool the tests use is installed from Debian packages or the project"
