#!/usr/bin/env bash
# Renders the tray icons from their SVG sources (needs rsvg-convert: apt-get install librsvg2-bin).
# The app icons are made from ccmeter.svg by `npx tauri icon icons/ccmeter.svg` (see README.md).
set -euo pipefail
cd "$(dirname "$0")/tray"
# template.png is macOS's menu-bar icon for the ok state: black and alpha only, tinted by macOS.
for state in ok warning over template; do
    rsvg-convert --width 64 --height 64 "$state.svg" --output "$state.png"
done
