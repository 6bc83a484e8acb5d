#!/usr/bin/env bash
# Installs the Debian packages Parley needs, only those missing. Idempotent.
#   build: what the mediasoup worker build needs (run by `npm install` when missing)
#   test:  Chromium for real-browser tests, ffmpeg for media tests
#   bench: ffmpeg (makes the replayed media once), Janus (the comparison SFU), iproute2/util-linux (private netns)
# Usage: bash scripts/install-system-deps.sh [build] [test] [bench]
set -euo pipefail
groups=("$@")
[ ${#groups[@]} -gt 0 ] || groups=(build test)

build_pkgs=(build-essential python3 meson ninja-build pkg-config libuv1-dev libssl-dev libsrtp2-dev libusrsctp-dev libabsl-dev nlohmann-json3-dev)
test_pkgs=(chromium ffmpeg)
bench_pkgs=(ffmpeg janus iproute2 util-linux)

want=()
for g in "${groups[@]}"; do
  case "$g" in
    build) want+=("${build_pkgs[@]}") ;;
    test) want+=("${test_pkgs[@]}") ;;
    bench) want+=("${bench_pkgs[@]}") ;;
    *) echo "unknown group: $g" >&2; exit 2 ;;
  esac
done

missing=()
for p in "${want[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && { echo "[system-deps] all present: ${groups[*]}"; exit 0; }

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "[system-deps] missing ${missing[*]}: run this script as root" >&2; exit 1; }
  SUDO="sudo"
fi
echo "[system-deps] installing: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
