#!/usr/bin/env bash
# npm run bench [-- --webinar=100 --listeners=50 --window=10 --janus=off --capacity=off]
# Builds the server and the bench, then runs every scenario against Parley and Janus inside a
# network namespace of its own (loopback + one veth pair; no traffic leaves it), and writes BENCHMARKS.md.
set -euo pipefail
cd "$(dirname "$0")/.."
for bin in ffmpeg janus unshare ip; do
  if ! command -v "$bin" >/dev/null; then
    echo "[bench] '$bin' is missing: install the bench's system packages with 'bash scripts/install-system-deps.sh bench' (as root)" >&2
    exit 1
  fi
done
if [ "$(id -u)" -ne 0 ]; then
  echo "[bench] needs root (it creates a private network namespace for Janus's ICE, which ignores loopback)" >&2
  exit 1
fi
npx tsc -b packages/protocol packages/server packages/server-sdk
npx tsc -p bench
# The fuzz section's Chromium room loads the SDK bundle (packages/client/dist).
npm run build -w @parley/client >/dev/null
exec unshare --net --fork bash -c '
  set -e
  ip link set lo up
  ip link add bj0 type veth peer name bj1
  ip addr add 10.99.0.1/24 dev bj0
  ip link set bj0 up
  ip link set bj1 up
  export PARLEY_BENCH_JANUS_IP=10.99.0.1 PARLEY_BENCH_JANUS_IFACE=bj0
  exec node bench/dist/run.js "$@"' bench "$@"
