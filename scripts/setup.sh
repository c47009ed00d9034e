#!/usr/bin/env bash
# Installs what building (and, with --test, testing) ccmeter needs on Debian/Ubuntu: system packages,
# the UI's npm packages, and the built UI. Safe to run again: it only installs what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

want_test_tools=0
[ "${1:-}" = "--test" ] && want_test_tools=1

# Build: a C toolchain, WebKitGTK for the windows' web view, Node for the UI. (The tray item is served over
# D-Bus by the app itself: no appindicator library.)
packages=(build-essential pkg-config file libwebkit2gtk-4.1-dev librsvg2-dev)
command -v node >/dev/null 2>&1 || packages+=(nodejs)
command -v npm >/dev/null 2>&1 || packages+=(npm)
# Tests: a virtual display, a private D-Bus session bus and busctl (systemd), a notification daemon,
# WebKit's WebDriver, Chromium for the windows' browser tests, and for the installed .deb's test: gio (starts
# the menu entry as a desktop does) and desktop-file-validate; Python for the import-circle check; Prometheus.
if [ "$want_test_tools" = 1 ]; then
  packages+=(xvfb xauth x11-utils dbus dbus-x11 systemd dunst webkit2gtk-driver imagemagick chromium)
  packages+=(libglib2.0-bin desktop-file-utils python3)
  # A real Prometheus scrapes the /metrics endpoint in the tests, on a port and data folder of their own (the
  # package's service is left as the package leaves it; in CI nothing starts it).
  packages+=(prometheus)
fi

missing=()
for pkg in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done

if [ ${#missing[@]} -gt 0 ]; then
  line="apt-get install -y --no-install-recommends ${missing[*]}"
  if [ "$(id -u)" = 0 ]; then
    echo "setup: installing ${missing[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $line
  elif command -v sudo >/dev/null 2>&1 && { [ -t 0 ] || sudo -n true 2>/dev/null; }; then
    echo "setup: installing ${missing[*]} (sudo)"
    sudo apt-get update -qq
    sudo DEBIAN_FRONTEND=noninteractive $line
  else
    echo "setup: these system packages are missing; install them as root, then run this again:" >&2
    echo "  sudo apt-get update && sudo $line" >&2
    exit 1
  fi
fi

if ! command -v cargo >/dev/null 2>&1; then
  echo "setup: Rust is not installed. Install it from https://rustup.rs (rustup), then run this again." >&2
  exit 1
fi

# The windows' end-to-end tests drive the real app through tauri-driver (WebDriver in front of WebKitWebDriver).
if [ "$want_test_tools" = 1 ] && ! command -v tauri-driver >/dev/null 2>&1 && [ ! -x "${CARGO_HOME:-$HOME/.cargo}/bin/tauri-driver" ]; then
  echo "setup: installing tauri-driver"
  cargo install tauri-driver --locked --version "^2"
fi

# The UI: exact versions from the lockfile, then the static bundle Tauri embeds.
if [ ! -d ui/node_modules ] || [ ui/package-lock.json -nt ui/node_modules/.package-lock.json ]; then
  (cd ui && npm ci --no-audit --no-fund)
fi
# Rebuilt only when a source is newer than the last build: Tauri embeds ui/dist, and fresh files there make
# cargo rebuild (and relink) the app on every launch even when nothing changed.
if [ ! -f ui/dist/index.html ] || [ -n "$(find ui/src ui/public ui/index.html ui/vite.config.ts ui/svelte.config.js ui/tsconfig.json ui/package.json ui/package-lock.json icons/ccmeter.svg 2>/dev/null -newer ui/dist/index.html -print -quit)" ]; then
  (cd ui && npm run build --silent)
fi
