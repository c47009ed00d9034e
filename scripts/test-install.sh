#!/usr/bin/env bash
# The Debian package, installed for real: builds it, then installs, uses, removes, reinstalls and upgrades it
# (tests/tests/it/deb_install.rs) under a virtual display and a private session bus. It changes the machine's
# packages, so it runs as root only (CI, a container or a VM), and leaves ccmeter uninstalled.
#   scripts/test-install.sh            # after scripts/test.sh (or scripts/setup.sh --test) set the machine up
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "$(id -u)" != 0 ]; then
  echo "scripts/test-install.sh installs a .deb: run it as root (in a container or VM), e.g. sudo $0" >&2
  exit 1
fi
if dpkg-query -W -f='${Status}' ccmeter 2>/dev/null | grep -q "ok installed"; then
  echo "ccmeter is installed on this machine; this test would remove it. Skipped." >&2
  exit 0
fi
target="${CARGO_TARGET_DIR:-target}"
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT

# The debug build the other tests use, bundled (the same features: nothing is rebuilt).
ui/node_modules/.bin/tauri build --debug --bundles deb --ci
arch="$(dpkg --print-architecture)"
deb="$(ls -t "$target"/debug/bundle/deb/ccmeter_*_"$arch".deb | head -n 1)"

# "A newer build": the same package under the next version, so dpkg upgrades rather than reinstalls.
version="$(dpkg-deb -f "$deb" Version)"
newer_version="${version%.*}.$(( ${version##*.} + 1 ))"
dpkg-deb -R "$deb" "$out/newer"
sed -i "s/^Version: .*/Version: $newer_version/" "$out/newer/DEBIAN/control"
dpkg-deb --root-owner-group -b "$out/newer" "$out/ccmeter_${newer_version}_$arch.deb" >/dev/null

CCMETER_DEB="$deb" CCMETER_DEB_NEWER="$out/ccmeter_${newer_version}_$arch.deb" \
  xvfb-run -a -s "-screen 0 1280x800x24" dbus-run-session -- \
  cargo test --locked -p ccmeter-tests --test it -- --ignored --nocapture deb_install::
