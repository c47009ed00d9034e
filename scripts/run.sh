#!/usr/bin/env bash
# Sets everything up and launches the ccmeter desktop app (it lives in the tray).
# Arguments are passed to ccmeter, e.g. `scripts/run.sh --db /tmp/try.db` or `scripts/run.sh serve`.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
cargo build --locked --release -p ccmeter --features custom-protocol
target_dir="${CARGO_TARGET_DIR:-target}"
exec "$target_dir/release/ccmeter" "$@"
