#!/usr/bin/env bash
# The app's own speed and memory, with the release build; prints its figures.
#
#   scripts/bench-app.sh                      launch time, memory after start and 1,000 sales, sizes
#   BENCH_SOAK=10000 scripts/bench-app.sh     plus a 10,000-sale soak, memory every 1,000 sales
#   BENCH_SALES=100 BENCH_LAUNCHES=3 ...      shorter
#   BENCH_PROVIDER=standalone ...             the till set to "testing" against the simulator
#                                             binary on loopback: no simulator inside the app
#
# Uses $SMART_TILL_BIN when set, else the release binary in the target dir
# (built with `cargo build --release -p smart-till` when missing).
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
target="${CARGO_TARGET_DIR:-$PWD/target}"

if [ -z "${SMART_TILL_BIN:-}" ]; then
  SMART_TILL_BIN="$target/release/smart-till"
  if [ ! -x "$SMART_TILL_BIN" ]; then
    (cd ui && npm run build --silent)
    cargo build --release -p smart-till
  fi
fi
export SMART_TILL_BIN NO_AT_BRIDGE=1
if [ "${BENCH_PROVIDER:-demo}" = standalone ] && [ -z "${SECUCONNECT_SANDBOX_BIN:-}" ]; then
  SECUCONNECT_SANDBOX_BIN="$target/release/secuconnect-sandbox"
  [ -x "$SECUCONNECT_SANDBOX_BIN" ] || cargo build --release -p secuconnect-sandbox
  export SECUCONNECT_SANDBOX_BIN
fi

echo "machine: $(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -1), $(nproc) cores, $(free -g | awk '/^Mem:/ {print $2}') GB RAM; $(. /etc/os-release && echo "$PRETTY_NAME")"
echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "binary: $SMART_TILL_BIN"

size_mb() { awk -v b="$(stat -c %s "$1")" 'BEGIN { printf "%.1f MB", b / 1048576 }'; }
echo "release binary: $(size_mb "$SMART_TILL_BIN") (target < 20 MB)"
shopt -s nullglob
debs=("$target"/release/bundle/deb/*.deb)
if ((${#debs[@]})); then
  deb=$(ls -t "${debs[@]}" | head -1)
  echo ".deb: $(size_mb "$deb") ($(basename "$deb"); target < 20 MB)"
else
  echo ".deb: not built (scripts/test-deb.sh builds it)"
fi

cd tests/e2e
xvfb-run -a -s "-screen 0 1280x800x24" dbus-run-session -- node bench-app.mjs 2> >(grep -v -e '^dbus-daemon' -e 'SpiRegistry' >&2)
echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
