#!/usr/bin/env bash
# Installs the Debian packages the project needs, only those that are missing.
# Used by `make demo` and `make test` so that a fresh Debian/Ubuntu machine needs nothing else.
# Usage: scripts/system-deps.sh [demo|test]
set -euo pipefail
purpose=${1:-test}
# command-to-check:package
wanted=(
  "espeak-ng:espeak-ng"
  "sox:sox"
)
if [ "$purpose" = test ]; then
  wanted+=("sipp:sip-tester" "debootstrap:debootstrap" "chromium:chromium")
  # tests/ivr/slots/test_http.py makes a throwaway certificate for the slot client's https test
  wanted+=("openssl:openssl")
fi
missing=()
for pair in "${wanted[@]}"; do
  command -v "${pair%%:*}" >/dev/null 2>&1 || missing+=("${pair#*:}")
done
if [ "$purpose" = test ]; then
  # the PostgreSQL server binaries (tests/faults runs a private server it can restart)
  compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null || missing+=("postgresql")
  # systemd-analyze verify checks the units of deploy/systemd
  command -v systemd-analyze >/dev/null 2>&1 || missing+=("systemd")
fi
# the mp3 reader sox needs for gTTS output
if ! sox -h 2>/dev/null | grep -q 'mp3'; then missing+=("libsox-fmt-mp3"); fi
python3 -c 'import ensurepip, venv' 2>/dev/null || missing+=("python3-venv")
[ ${#missing[@]} -eq 0 ] && exit 0
echo "system-deps: installing ${missing[*]}" >&2
if [ "$(id -u)" -eq 0 ]; then SUDO=""; elif command -v sudo >/dev/null; then SUDO="sudo"; else
  echo "system-deps: not root and no sudo; please install: ${missing[*]}" >&2; exit 0; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq || true
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
