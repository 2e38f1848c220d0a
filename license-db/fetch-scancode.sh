#!/usr/bin/env bash
# Downloads the ScanCode wheel whose license database the store is built from, pinned by
# version and SHA-256, into target/license-data/ (git-ignored). Only the wheel is fetched
# (no dependencies, nothing installed or run); build-license-db reads its
# licensedcode/data/{licenses,rules} straight from the zip.
#
#   license-db/fetch-scancode.sh && cargo run --release --bin build-license-db
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
WHEEL=scancode_toolkit_mini-32.5.0-cp311-none-any.whl
SHA256=7ae5e7b46b8cdbab78afb50380ffc1239d296e81e154314a8c3382e678c664cf
DEST=target/license-data
mkdir -p "$DEST"
if [[ ! -f "$DEST/$WHEEL" ]]; then
    python3 -m pip download --quiet --no-deps --only-binary=:all: \
        --dest "$DEST.tmp" "scancode-toolkit-mini==32.5.0"
    mv "$DEST.tmp/$WHEEL" "$DEST/$WHEEL"
    rm -rf "$DEST.tmp"
fi
echo "$SHA256  $DEST/$WHEEL" | sha256sum --check --quiet
echo "$DEST/$WHEEL"
