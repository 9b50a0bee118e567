#!/usr/bin/env bash
# Builds the .deb, installs it on this machine (apt, as a shop would), checks
# its menu entry and icons, starts the installed app the way its menu entry
# does under Xvfb, checks that the window appears and the app works (log,
# journal, built-in simulator), and closes the window as a user would.
# Idempotent: a second run reinstalls the package. Needs root or sudo.
#
# The package is built from the debug build by default: the same files in the
# same places, the same menu entry, icons and dependencies as the shipped one,
# and the build the end-to-end tests already made is reused instead of a
# 10-minute release build (thin LTO, one codegen unit). The release workflow
# builds the shipped .deb; DEB_PROFILE=release tests that one here.
#
#   scripts/test-deb.sh                      build (debug), install, launch
#   DEB_PROFILE=release scripts/test-deb.sh  the same with the release build
#   SKIP_BUILD=1 scripts/test-deb.sh         install and launch the .deb already built
#   SKIP_UI_BUILD=1 scripts/test-deb.sh      ui/dist is up to date: do not build it again
#   DEB_PACK_BUILT=1 scripts/test-deb.sh     pack the binary already built (`tauri bundle`)
#                                            instead of building it (`tauri build`), e.g.
#                                            the one `cargo build --workspace --bins --tests`
#                                            made for the end-to-end tests: `tauri build`'s
#                                            own cargo build resolves other features and
#                                            would compile the app's dependencies again
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
target="${CARGO_TARGET_DIR:-$PWD/target}"
started=$(date +%s)
fail() { echo "test-deb: FAIL: $*" >&2; exit 1; }
say() { echo "test-deb: $*"; }

profile="${DEB_PROFILE:-debug}"
case "$profile" in
  debug) build_flags=(--debug) ;;
  release) build_flags=() ;;
  *) fail "DEB_PROFILE is debug or release, not $profile" ;;
esac

if [ -z "${SKIP_BUILD:-}" ]; then
  [ -n "${SKIP_UI_BUILD:-}" ] || (cd ui && npm run build --silent)
  # The CLI is not a dependency of the UI: npx fetches the pinned major version.
  if [ -n "${DEB_PACK_BUILT:-}" ]; then
    bin="$target/$profile/smart-till"
    [ -x "$bin" ] || fail "DEB_PACK_BUILT: no binary at $bin"
    (cd src-tauri && npx --yes @tauri-apps/cli@2 bundle "${build_flags[@]}" --bundles deb --ci)
  else
    (cd src-tauri && npx --yes @tauri-apps/cli@2 build "${build_flags[@]}" --bundles deb --ci)
  fi
fi
shopt -s nullglob
debs=("$target/$profile"/bundle/deb/*.deb)
((${#debs[@]})) || fail "no .deb under $target/$profile/bundle/deb"
deb=$(ls -t "${debs[@]}" | head -1)
say "package $deb ($(du -h "$deb" | cut -f1), $profile build)"

# The package's metadata.
field() { dpkg-deb -f "$deb" "$1"; }
[ "$(field Package)" = smart-till ] || fail "Package is $(field Package)"
[ -n "$(field Maintainer)" ] || fail "no Maintainer"
[[ "$(field Depends)" == *libwebkit2gtk-4.1-0* ]] || fail "Depends lacks WebKitGTK: $(field Depends)"
[[ "$(field Description)" == *German\ shops* ]] || fail "Description: $(field Description)"
say "$(field Package) $(field Version) ($(field Architecture)), Maintainer: $(field Maintainer)"
say "Depends: $(field Depends)"

# Install (or reinstall the same version) with apt, which resolves the dependencies.
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --reinstall "$deb" >/dev/null
dpkg-query -W -f='${Status}' smart-till | grep -q "install ok installed" || fail "not installed"

# The menu entry and the icons.
# Tauri names the entry after the product: "Smart Till.desktop".
desktop=$(dpkg -L smart-till | grep '^/usr/share/applications/.*\.desktop$' | head -1)
[ -f "$desktop" ] || fail "no menu entry in /usr/share/applications"
if command -v desktop-file-validate >/dev/null; then
  desktop-file-validate "$desktop" || fail "the menu entry does not validate"
fi
grep -qx 'Name=Smart Till' "$desktop" || fail "menu entry name"
grep -qx 'Icon=smart-till' "$desktop" || fail "menu entry icon"
grep -qx 'Categories=Office;' "$desktop" || fail "menu entry category"
for size in 16x16 32x32 48x48 64x64 128x128 256x256 512x512; do
  [ -f "/usr/share/icons/hicolor/$size/apps/smart-till.png" ] || fail "no $size icon"
done
say "menu entry and icons installed"

# Start it as the menu entry says (field codes like %U dropped).
exec_line=$(sed -n 's/^Exec=//p' "$desktop" | head -1 | sed 's/ %[a-zA-Z]//g')
program=$(command -v "${exec_line%% *}") || fail "Exec=$exec_line is not on PATH"
[ "$program" = /usr/bin/smart-till ] || fail "Exec runs $program, not the installed binary"

data=$(mktemp -d)
trap 'rm -rf "$data"' EXIT
demo_port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
export SMART_TILL_DATA_DIR="$data" SMART_TILL_DEMO_PORT="$demo_port" NO_AT_BRIDGE=1 PROGRAM="$program"

# Inside a virtual X server with its own D-Bus session (the single-instance hand-over uses it).
xvfb-run -a -s "-screen 0 1280x800x24" dbus-run-session -- bash -euo pipefail -c '
  fail() { echo "test-deb: FAIL: $*" >&2; exit 1; }
  say() { echo "test-deb: $*"; }
  $PROGRAM >"$SMART_TILL_DATA_DIR/stdout.txt" 2>&1 &
  pid=$!
  # The window, by its title; generous for a loaded machine.
  win=$(timeout 60 xdotool search --sync --onlyvisible --name "^Smart Till\$" | head -1) || { kill $pid; fail "no window titled Smart Till within 60 s"; }
  say "window $win: $(xwininfo -id "$win" | sed -n "s/.*Width: //p;s/.*Height: //p" | paste -sd x)"
  # The app works: it logs its start, opens the journal, its simulator answers.
  for _ in $(seq 1 120); do
    log=$(cat "$SMART_TILL_DATA_DIR"/logs/smart-till* 2>/dev/null || true)
    [[ "$log" == *"demo mode: built-in simulator running"* ]] && break
    sleep 0.5
  done
  [[ "$log" == *"Smart Till starting"* ]] || fail "no start in the log: $log"
  [[ "$log" == *"journal open"* ]] || fail "the journal was not opened"
  [ -f "$SMART_TILL_DATA_DIR/journal.sqlite3" ] || fail "no journal file"
  # The built-in simulator issues a token to the demo credentials, as to any client.
  python3 - "$SMART_TILL_DEMO_PORT" <<"EOF" || fail "the simulator does not answer"
import json, sys, urllib.request
req = urllib.request.Request(f"http://127.0.0.1:{sys.argv[1]}/oauth/token", method="POST",
    data=json.dumps({"grant_type": "client_credentials", "client_id": "demo-till", "client_secret": "demo-secret"}).encode(),
    headers={"content-type": "application/json"})
assert json.load(urllib.request.urlopen(req, timeout=10))["access_token"]
EOF
  say "the app runs: log written, journal open, simulator answers on $SMART_TILL_DEMO_PORT"
  # Close the window as a window manager would (WM_DELETE_WINDOW): the app quits by itself.
  python3 - "$win" <<"EOF"
import ctypes, sys
x = ctypes.cdll.LoadLibrary("libX11.so.6")
x.XOpenDisplay.restype = ctypes.c_void_p
x.XOpenDisplay.argtypes = [ctypes.c_char_p]
x.XInternAtom.restype = ctypes.c_ulong
x.XInternAtom.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int]
x.XSendEvent.argtypes = [ctypes.c_void_p, ctypes.c_ulong, ctypes.c_int, ctypes.c_long, ctypes.c_void_p]
x.XFlush.argtypes = [ctypes.c_void_p]
class ClientMessage(ctypes.Structure):
    _fields_ = [("type", ctypes.c_int), ("serial", ctypes.c_ulong), ("send_event", ctypes.c_int),
                ("display", ctypes.c_void_p), ("window", ctypes.c_ulong), ("message_type", ctypes.c_ulong),
                ("format", ctypes.c_int), ("data", ctypes.c_long * 5), ("pad", ctypes.c_long * 12)]
d = x.XOpenDisplay(None)
ev = ClientMessage(type=33, window=int(sys.argv[1]), format=32)
ev.message_type = x.XInternAtom(d, b"WM_PROTOCOLS", 0)
ev.data[0] = x.XInternAtom(d, b"WM_DELETE_WINDOW", 0)
x.XSendEvent(d, int(sys.argv[1]), 0, 0, ctypes.byref(ev))
x.XFlush(d)
EOF
  for _ in $(seq 1 60); do kill -0 $pid 2>/dev/null || break; sleep 0.5; done
  if kill -0 $pid 2>/dev/null; then kill $pid; fail "the app did not quit when its window was closed"; fi
  wait $pid || fail "the app exited with status $?: $(cat "$SMART_TILL_DATA_DIR/stdout.txt")"
  say "the window was closed and the app quit cleanly"
'
say "PASS in $(($(date +%s) - started)) s"
