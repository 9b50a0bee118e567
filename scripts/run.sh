#!/usr/bin/env bash
# Sets everything up and starts Smart Till (demo mode when no credentials are configured).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
(cd ui && npm run build --silent)
exec cargo run -p smart-till "$@"
