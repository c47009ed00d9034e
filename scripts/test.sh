#!/usr/bin/env bash
# Runs every check and test ccmeter has, from a fresh Debian/Ubuntu machine: installs what is missing,
# then formatting, lints, the UI's type check, and all Rust tests (unit, store, end-to-end over sockets).
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh --test

step() { printf '\n==> %s\n' "$*"; }

step "format"
cargo fmt --all -- --check

step "UI type check, format and lint (svelte-check, prettier, eslint)"
(cd ui && npm run check --silent && npm run format:check --silent && npm run lint --silent)

step "build (the binary the end-to-end tests run)"
cargo build --locked -p ccmeter --features custom-protocol

step "no import circles between any crate's top-level modules"
python3 scripts/import-circles.py

step "lint"
cargo clippy --locked --workspace --all-targets --features ccmeter/custom-protocol -- -D warnings

log="$(mktemp)"
trap 'rm -f "$log"' EXIT
status=0

step "UI tests (vitest: data transforms and formatting; the windows in headless Chromium, mocked IPC)"
# Screenshots of every window, light and dark, land in ui/test-results/screenshots/ for review.
(cd ui && NO_COLOR=1 npx vitest run) 2>&1 | tee -a "$log" || status=$?

step "tests"
# The same features as the build above, so the binary is not rebuilt differently.
# Under a virtual display and a private session bus: the tray app's tests launch the real app.
xvfb-run -a -s "-screen 0 1280x800x24" dbus-run-session -- \
  cargo test --locked --workspace --lib --bins --tests --features ccmeter/custom-protocol 2>&1 | tee -a "$log" || status=$?
step "the .deb installed, used, removed, reinstalled and upgraded (scripts/test-install.sh)"
if [ "$(id -u)" = 0 ] && command -v dpkg-deb >/dev/null; then
  ./scripts/test-install.sh 2>&1 | tee -a "$log" || status=$?
else
  echo "skipped: it installs a system package, so it runs as root only (CI does): sudo scripts/test-install.sh"
fi
# One closing line for the whole run, summed over every Rust test binary and vitest.
awk '/^test result:/ || /^ *Tests +[0-9]/ { for (i = 1; i <= NF; i++) { if ($(i+1) ~ /^passed/) p += $i; if ($(i+1) ~ /^failed/) f += $i } }
     END { printf "\nccmeter tests: %d passed, %d failed\n", p, f }' "$log"
exit "$status"
