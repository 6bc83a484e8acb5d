#!/usr/bin/env bash
# Installs the Debian packages Parley needs, only those missing. Idempotent.
#   build: what the mediasoup worker build needs (run by `npm install` when missing)
#   test:  Chromium for real-browser tests, ffmpeg for media tests, nftables (random loss on one
#          loopback flow, e2e/lossRecovery.test.ts) and iproute2 (tc bottleneck, e2e/layerPolicy.test.ts)
#   bench: ffmpeg (makes the replayed media once), Janus (the comparison SFU), iproute2/util-linux (private netns)
#   srtp-source DIR: downloads Debian's libsrtp2 source package into DIR and unpacks its upstream
#     tarball (the worker build compiles it against OpenSSL); adds a deb-src entry for Debian's
#     own archive when none is configured.
# Usage: bash scripts/install-system-deps.sh [build] [test] [bench] | srtp-source DIR
set -euo pipefail

# Root commands go through $SUDO; it is only checked when something needs root.
SUDO=""
need_root() {
  [ "$(id -u)" -eq 0 ] && return 0
  command -v sudo >/dev/null || { echo "[system-deps] $1: run this script as root" >&2; exit 1; }
  SUDO="sudo"
}

if [ "${1:-}" = "srtp-source" ]; then
  dir="${2:?srtp-source needs a directory}"
  need_root "fetching Debian's libsrtp2 source"
  list=/etc/apt/sources.list.d/parley-deb-src.sources
  if ! grep -rqs "deb-src" /etc/apt/sources.list /etc/apt/sources.list.d/ ; then
    suite=$(. /etc/os-release && echo "$VERSION_CODENAME")
    printf 'Types: deb-src\nURIs: http://deb.debian.org/debian\nSuites: %s %s-updates\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' "$suite" "$suite" | $SUDO tee "$list" >/dev/null
    $SUDO apt-get update -qq
  fi
  # The version Debian ships as a binary, so headers and behaviour match what was measured.
  version=$(dpkg-query -W -f='${Version}' libsrtp2-dev 2>/dev/null || true)
  cd "$dir"
  $SUDO apt-get source --download-only -qq "libsrtp2${version:+=$version}" 2>/dev/null || $SUDO apt-get source --download-only -qq libsrtp2
  tar xzf libsrtp2_*.orig.tar.gz
  exit 0
fi

groups=("$@")
[ ${#groups[@]} -gt 0 ] || groups=(build test)

build_pkgs=(build-essential python3 meson ninja-build pkg-config libuv1-dev libssl-dev libsrtp2-dev libusrsctp-dev libabsl-dev nlohmann-json3-dev)
test_pkgs=(chromium ffmpeg nftables iproute2)
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
need_root "missing ${missing[*]}"
echo "[system-deps] installing: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
