#!/usr/bin/env bash
# Builds or runs the cargo-fuzz targets in fuzz/ (see fuzz/README.md).
# The machines have stable Rust only; RUSTC_BOOTSTRAP=1 lets cargo-fuzz use
# the nightly flags it needs.
#
#   scripts/fuzz.sh build                 build every target (CI does this)
#   scripts/fuzz.sh run [SECONDS] [TARGET...]
#                                         run each target (default: all) for
#                                         SECONDS (default 60); a crash stops
#                                         the script and is kept under
#                                         fuzz/artifacts/<target>/
#   scripts/fuzz.sh list                  the target names
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo/fuzz"
export RUSTC_BOOTSTRAP=1

if ! command -v cargo-fuzz >/dev/null 2>&1; then
  echo "cargo-fuzz is not installed: run scripts/install-test-deps.sh" >&2
  exit 2
fi

cmd=${1:-build}
shift || true
case "$cmd" in
  build)
    # A build that only proves every target compiles and links (what CI
    # does) drops the debug info, which the sanitizer runtime and the
    # standard library bring even with line tables only: 52 binaries of
    # ~200 MB each would not fit a CI machine's disk. `run` builds with it.
    CARGO_PROFILE_RELEASE_STRIP=debuginfo cargo fuzz build -O
    echo "fuzz targets: $(cargo fuzz list | wc -l) built"
    ;;
  list)
    cargo fuzz list
    ;;
  run)
    secs=${1:-60}
    shift || true
    if [ "$#" -gt 0 ]; then targets=("$@"); else mapfile -t targets < <(cargo fuzz list); fi
    for seed in ./seed-*-corpus.sh; do "$seed" >/dev/null; done
    for t in "${targets[@]}"; do
      echo "==> $t (${secs}s)"
      mkdir -p "corpus/$t"
      log="$(mktemp)"
      if ! cargo fuzz run -O "$t" "corpus/$t" -- -max_total_time="$secs" -max_len=65536 >"$log" 2>&1; then
        tail -40 "$log" >&2
        rm -f "$log"
        echo "fuzz target $t failed: see fuzz/artifacts/$t/" >&2
        exit 1
      fi
      grep -E '^#[0-9]+ +DONE' "$log" || tail -1 "$log"
      rm -f "$log"
    done
    ;;
  *)
    echo "usage: scripts/fuzz.sh build | run [SECONDS] [TARGET...] | list" >&2
    exit 2
    ;;
esac
