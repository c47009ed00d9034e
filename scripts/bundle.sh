#!/usr/bin/env bash
# Builds ccmeter's installable packages with Tauri's bundler (release build). Arguments are the bundle types,
# default the platform's own: deb on Debian/Ubuntu, rpm on Fedora/openSUSE, app and dmg on macOS, nsis and msi
# on Windows (Git Bash). appimage works on any Linux but downloads linuxdeploy while it builds.
#   scripts/bundle.sh              # target/release/bundle/deb/ccmeter_<version>_amd64.deb on Debian/Ubuntu
#   scripts/bundle.sh deb rpm
set -euo pipefail
cd "$(dirname "$0")/.."
case "$(uname -s)" in
  Linux)
    ./scripts/setup.sh
    if command -v rpm >/dev/null 2>&1 && ! command -v dpkg >/dev/null 2>&1; then default=rpm; else default=deb; fi ;;
  Darwin) default=app,dmg ;;
  *) default=nsis,msi ;;
esac
if [ "$(uname -s)" != Linux ]; then
  (cd ui && npm ci --no-audit --no-fund && npm run build --silent)
fi
bundles="$(IFS=,; echo "${*:-$default}")"
bundles="${bundles// /,}"
exec ui/node_modules/.bin/tauri build --ci --bundles "$bundles"
