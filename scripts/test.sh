#!/usr/bin/env bash
# Sets everything up and runs every check and test: formatting, lints, Rust unit
# and integration tests, UI tests, and the end-to-end tests in the real window.
# Exits non-zero when anything fails.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TERM_COLOR=never
step() { printf '\n==> %s\n' "$*"; }

step "setup"
scripts/setup.sh
export PATH="$HOME/.cargo/bin:$PATH"

step "formatting"
cargo fmt --all -- --check

step "UI: type check, unit tests, build"
(cd ui && npm run check --silent && npm test --silent && npm run build --silent)

step "clippy"
cargo clippy --workspace --all-targets -- -D warnings

if [ -x scripts/cups-test-setup.sh ]; then
  step "CUPS test printers"
  scripts/cups-test-setup.sh
fi

step "Rust tests"
# Benches are run on their own (cargo bench): they print figures, they are not tests.
cargo test --workspace

step "end-to-end tests in the real window"
# The simulator binary stands in for the provider when a test switches the till to "testing".
cargo build -p smart-till -p secuconnect-sandbox
tests/e2e/run.sh

step "the .deb: build, install, start from its menu entry"
scripts/test-deb.sh
