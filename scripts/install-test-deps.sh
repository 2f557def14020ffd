#!/usr/bin/env bash
# Debian packages and tools the test suite uses as oracles or helpers.
# Idempotent: installs only what is missing.
set -euo pipefail
need=()
for pkg in rpm python3-pip zstd; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || need+=("$pkg")
done
if [ "${#need[@]}" -gt 0 ]; then
  echo "installing: ${need[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq "${need[@]}" >/dev/null
fi
if ! command -v cargo-fuzz >/dev/null 2>&1; then
  echo "installing cargo-fuzz"
  cargo install --locked cargo-fuzz >/dev/null
fi
echo "test dependencies: ok"
