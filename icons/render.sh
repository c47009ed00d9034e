#!/usr/bin/env bash
# Renders the tray icons from their SVG sources (needs rsvg-convert: apt-get install librsvg2-bin).
# The app icons are made from ccmeter.svg by `npx tauri icon icons/ccmeter.svg` (see README.md).
set -euo pipefail
cd "$(dirname "$0")/tray"
# template.png is macOS's menu-bar icon for the ok state: black and alpha only, tinted by macOS.
for state in ok warning over template; do
    rsvg-convert --width 64 --height 64 "$state.svg" --output "$state.png"
done

# preview.png: the three states and the macOS template at 16, 22 and 24 px on a light and a dark panel, to check
# they stay legible where panels draw them.
svg='<svg xmlns="http://www.w3.org/2000/svg" width="360" height="96">'
svg+='<rect width="360" height="48" fill="#f2f2f2"/><rect y="48" width="360" height="48" fill="#2b2b2b"/>'
x=8
for state in ok warning over template; do
  data="data:image/png;base64,$(base64 -w0 "$state.png")"
  for size in 16 22 24; do
    for y in 0 48; do
      if [ "$state" = template ] && [ "$y" = 48 ]; then
        # macOS draws the template white on a dark menu bar.
        svg+="<filter id=\"w$x\"><feColorMatrix type=\"matrix\" values=\"0 0 0 0 1 0 0 0 0 1 0 0 0 0 1 0 0 0 1 0\"/></filter>"
        svg+="<image x=\"$x\" y=\"$(( y + (48 - size) / 2 ))\" width=\"$size\" height=\"$size\" href=\"$data\" filter=\"url(#w$x)\"/>"
      else
        svg+="<image x=\"$x\" y=\"$(( y + (48 - size) / 2 ))\" width=\"$size\" height=\"$size\" href=\"$data\"/>"
      fi
    done
    x=$(( x + size + 6 ))
  done
  x=$(( x + 14 ))
done
svg+='</svg>'
printf '%s' "$svg" | rsvg-convert --output preview.png
