#!/usr/bin/env bash
# Runs the render bench side by side with python-escpos (PyPI) rendering the
# same receipt with its Dummy printer, and prints the speed ratio.
# The virtualenv lives under the target dir and is made once.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
target="${CARGO_TARGET_DIR:-$here/../../../target}"
venv="$target/python-escpos-venv"
if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c "import escpos" 2>/dev/null; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet python-escpos
fi
RECEIPT_BENCH_PYTHON="$venv/bin/python" cargo bench -p receipt --bench render
