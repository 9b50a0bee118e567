#!/usr/bin/env bash
# Runs the end-to-end tests against the real app binary under a virtual X server.
set -euo pipefail
cd "$(dirname "$0")"
export PATH="$HOME/.cargo/bin:$PATH"
export SMART_TILL_BIN="${SMART_TILL_BIN:-$(cd ../.. && pwd)/target/debug/smart-till}"
export NO_AT_BRIDGE=1
[ -x "$SMART_TILL_BIN" ] || { echo "no app binary at $SMART_TILL_BIN: run cargo build -p smart-till"; exit 1; }
# Test files given as arguments run alone; none given: all of them.
if [ $# -eq 0 ]; then set -- ./*.test.mjs; fi
exec xvfb-run -a -s "-screen 0 1280x800x24" dbus-run-session -- node --test --test-concurrency=1 "$@"
