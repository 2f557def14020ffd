#!/usr/bin/env bash
# The whole test suite, from a fresh Debian 12 machine with a Rust toolchain:
# installs what the tests need (apt packages, JSON schemas, the real test
# images, a loopback registry, a podman API socket), then runs format and lint
# checks, every test of the workspace, and builds the fuzz targets.
#
#   scripts/test.sh            everything
#   scripts/test.sh --no-setup skip the installs (they are cached anyway)
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"

setup=1
for a in "$@"; do
  case "$a" in
    --no-setup) setup=0 ;;
    *) echo "unknown argument: $a" >&2; exit 2 ;;
  esac
done

# No incremental compilation: a one-off build gains nothing from it, and its
# caches would double the target directory on a CI machine's small disk.
export CARGO_INCREMENTAL="${CARGO_INCREMENTAL:-0}"

step() { printf '\n==> %s\n' "$*"; }
# Free disk space, printed at the start and the end so that a CI log shows
# how close the run came to filling the machine.
disk_free() { echo "disk: $(df -h --output=avail "$repo" | tail -1 | tr -d ' ') free under $repo ($1)"; }
disk_free start

if [ "$setup" = 1 ]; then
  step "test dependencies"
  scripts/install-test-deps.sh
  step "SBOM schemas"
  scripts/fetch-schemas.sh
  step "test images (cached after the first run)"
  scripts/build-test-images.sh
  step "peer tools (Syft, Trivy) for side-by-side tests"
  scripts/install-peers.sh
  step "loopback registries and the podman API socket"
  scripts/registry.sh start
  scripts/podman-service.sh start
fi

step "cargo fmt --check"
cargo fmt --all --check

step "cargo clippy"
cargo clippy --workspace --all-targets --locked -- -D warnings

step "cargo test"
cargo test --workspace --all-targets --locked

step "fuzz targets build"
scripts/fuzz.sh build

echo
disk_free end
echo "all tests passed"
