#!/usr/bin/env bash
# Installs the Debian packages Parley needs, only those missing. Idempotent.
#   build: what the mediasoup worker build needs (run by `npm install` when missing)
#   media: what the media services run on (packages/server/src/media): GStreamer 1.22 with its
#          compositor, x264, AAC, RTMP and the Python bindings the engine process is written in,
#          and ffmpeg (run by `npm install` when root; without it media services answer not_available)
#   test:  media, plus Chromium for real-browser tests, nftables (random loss on one loopback flow,
#          e2e/lossRecovery.test.ts), iproute2 (tc bottleneck, e2e/layerPolicy.test.ts) and redis-server
#          (cluster/nodeRegistry.test.ts starts its own on a free port); run by
#          `npm test` itself (pretest), so the README's two commands are the whole set-up
#   bench: ffmpeg (makes the replayed media once), Janus (the comparison SFU), iproute2/util-linux (private netns),
#     chromium (the fuzz section's canary room)
#   srtp-source DIR: downloads Debian's libsrtp2 source package into DIR and unpacks its upstream
#     tarball (the worker build compiles it against OpenSSL); adds a deb-src entry for Debian's
#     own archive when none is configured.
# Usage: bash scripts/install-system-deps.sh [--optional] [build] [media] [test] [bench] | srtp-source DIR
#   --optional: without root, say what is missing and exit 0 instead of failing
set -euo pipefail

# Root commands go through $SUDO; it is only checked when something needs root.
SUDO=""
OPTIONAL=0
need_root() {
  [ "$(id -u)" -eq 0 ] && return 0
  if ! command -v sudo >/dev/null; then
    [ "$OPTIONAL" = 1 ] && { echo "[system-deps] $1: not root, skipped (install them to use what needs them)" >&2; exit 0; }
    echo "[system-deps] $1: run this script as root" >&2; exit 1
  fi
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

[ "${1:-}" = "--optional" ] && { OPTIONAL=1; shift; }
groups=("$@")
[ ${#groups[@]} -gt 0 ] || groups=(build test)

build_pkgs=(build-essential python3 meson ninja-build pkg-config libuv1-dev libssl-dev libsrtp2-dev libusrsctp-dev libabsl-dev nlohmann-json3-dev)
media_pkgs=(ffmpeg gstreamer1.0-tools gstreamer1.0-plugins-base gstreamer1.0-plugins-good gstreamer1.0-plugins-bad gstreamer1.0-plugins-ugly gstreamer1.0-libav python3 python3-gi gir1.2-gstreamer-1.0 gir1.2-gst-plugins-base-1.0)
test_pkgs=("${media_pkgs[@]}" chromium nftables iproute2 redis-server)
bench_pkgs=(ffmpeg janus iproute2 util-linux chromium)

want=()
for g in "${groups[@]}"; do
  case "$g" in
    build) want+=("${build_pkgs[@]}") ;;
    media) want+=("${media_pkgs[@]}") ;;
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
