#!/usr/bin/env bash
# Sets everything up and runs every check and test: formatting, the workflow
# files, lints, Rust unit and integration tests, UI tests, the end-to-end tests
# in the real window and the .deb. Exits non-zero when anything fails; either
# way it ends with a table of each step's wall time.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TERM_COLOR=never
target="${CARGO_TARGET_DIR:-$PWD/target}"
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"

# Each step's name, wall time and CPU time, for the table at the end. The CPU
# time (user + system of the step's commands) compares runs on a machine
# shared with other work, where the wall time depends on the load.
names=()
seconds=()
cpu=()
current=""
current_start=0
current_cpu=0
run_start=$(date +%s)
# CPU seconds of every command this script has waited for, into $cpu_now
# (bash's `times`, run in this shell: a subshell counts only its own children).
times_file=$(mktemp)
cpu_now=0
read_cpu() {
  times >"$times_file"
  cpu_now=$(tail -1 "$times_file" | awk '{
    t = 0
    for (i = 1; i <= 2; i++) { split($i, p, "m"); t += p[1] * 60 + p[2] }
    printf "%d", t
  }')
}
end_step() {
  if [ -n "$current" ]; then
    names+=("$current")
    seconds+=($(($(date +%s) - current_start)))
    read_cpu
    cpu+=($((cpu_now - current_cpu)))
    current=""
  fi
}
step() {
  end_step
  current="$*"
  current_start=$(date +%s)
  read_cpu
  current_cpu=$cpu_now
  printf '\n==> %s\n' "$*"
}
mmss() { printf '%d:%02d' $(($1 / 60)) $(($1 % 60)); }
report() {
  local status=$? failed="$current" i
  end_step
  printf '\n%-45s %9s %9s\n' "step" "wall time" "CPU time"
  for i in "${!names[@]}"; do
    printf '%-45s %9s %9s\n' "${names[$i]}" "$(mmss "${seconds[$i]}")" "$(mmss "${cpu[$i]}")"
  done
  read_cpu
  printf '%-45s %9s %9s\n' "total" "$(mmss $(($(date +%s) - run_start)))" "$(mmss "$cpu_now")"
  printf 'load average at the end: %s\n' "$(cut -d' ' -f1-3 /proc/loadavg)"
  rm -f "$times_file"
  if [ "$status" -ne 0 ]; then
    printf '\nFAILED in the step "%s" (exit status %d)\n' "$failed" "$status"
  fi
}
trap report EXIT

step "setup"
scripts/setup.sh
export PATH="$HOME/.local/bin:$HOME/.cargo/bin:$PATH"

step "formatting"
cargo fmt --all -- --check

step "workflow files (actionlint)"
# Their shell and Python snippets are not linted (no shellcheck, pyflakes).
actionlint -shellcheck= -pyflakes= .github/workflows/*.yml

step "UI: type check, unit tests, build"
(cd ui && npm run check --silent && npm test --silent && npm run build --silent)

step "clippy"
cargo clippy --workspace --all-targets -- -D warnings

if [ -x scripts/cups-test-setup.sh ]; then
  step "CUPS test printers"
  $SUDO scripts/cups-test-setup.sh
fi

step "Rust tests"
# Benches are run on their own (cargo bench): they print figures, they are not tests.
cargo test --workspace

step "end-to-end tests in the real window"
# The simulator binary stands in for the provider when a test switches the till to "testing".
# Built with the tests' feature set (`--tests`: the dev-dependencies' features
# unify in, as in `cargo test --workspace`), so every library the tests built
# is reused and only the binaries are compiled and linked; `-p smart-till`
# alone resolves fewer features (serde_json, rustix, hashbrown, ...) and
# compiled 122 of the app's 495 crates a second time (tauri, wry, gtk,
# reqwest, axum, hyper and every crate of the workspace among them).
cargo build --workspace --bins --tests
SMART_TILL_BIN="$target/debug/smart-till" tests/e2e/run.sh

step "the .deb: build, install, start from its menu entry"
# The debug build the end-to-end tests ran is packed as it is (same files,
# same package; the release workflow builds the shipped one). The UI is built.
SKIP_UI_BUILD=1 DEB_PACK_BUILT=1 scripts/test-deb.sh
