#!/usr/bin/env bash
# Image reading vs. merely decompressing the layers, for every export of the
# bookworm-app test image (docs/BENCHMARKS.md, section "Image reading").
#
#   scripts/bench-image-read.sh [RUNS]      (default 5; medians are reported)
#
# For each export it times, as separate processes (cold start, warm page cache):
#   read        open + read every layer (verify digests and diff_ids, parse the
#               tar, keep the package-database files) + squash: the example
#               crates/bosun-image/examples/read-image.rs
#   decompress  the same blobs through the same decompressors with the same
#               parallelism (rayon over layers), bytes thrown away: no hashing,
#               no tar parsing (read-image --decompress-only)
#   zcat        `zcat`/`zstdcat`/`cat` of every layer blob, one after another
#               (gzip and zstd layouts only; the classic tool, single-threaded)
# and reports wall-clock medians and the read's peak RSS.
#
# Needs the test images (scripts/build-test-images.sh); the registry rows need
# scripts/registry.sh start, the podman row scripts/podman-service.sh start.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

RUNS=${1:-5}
MANIFEST="$TI/manifest.json"
[ -f "$MANIFEST" ] || die "$MANIFEST missing: run scripts/build-test-images.sh"

export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$REPO_ROOT/target}
(cd "$REPO_ROOT" && cargo build --release -q -p bosun-image --example read-image)
BIN="$CARGO_TARGET_DIR/release/examples/read-image"

# name|reference|layout dir for zcat (empty: none)|env
mapfile -t ROWS < <(python3 - "$MANIFEST" "$REPO_ROOT" <<'PY'
import json, sys, os
m = json.load(open(sys.argv[1])); root = sys.argv[2]
e = m["images"]["bookworm-app"]["exports"]
p = lambda k: os.path.join(root, e[k]["path"])
rows = [
    ("docker-archive", "docker-archive:" + p("docker-archive"), ""),
    ("oci-dir (gzip)", "oci-dir:" + p("oci") + ":" + e["oci"].get("ref", "latest"), p("oci")),
    ("oci-dir (zstd)", "oci-dir:" + p("oci-zstd") + ":" + e["oci-zstd"].get("ref", "latest"), p("oci-zstd")),
    ("oci-dir (uncompressed)", "oci-dir:" + p("oci-uncompressed") + ":" + e["oci-uncompressed"].get("ref", "latest"), ""),
    ("oci-archive (gzip)", "oci-archive:" + p("oci-archive") + ":" + e["oci-archive"].get("ref", "latest"), ""),
    ("registry 127.0.0.1:5000", "registry:" + e["registry-anonymous"]["ref"], ""),
]
for r in rows:
    print("|".join(r))
PY
)
if [ -S "$TI/podman.sock" ]; then
    ROWS+=("podman (engine API)|podman:bosun-test/bookworm-app:latest|")
fi

# Runs a command RUNS times; prints "median_wall_s max_rss_mb" (wall from
# perf_counter, RSS from wait4's rusage of each run).
measure() {
    python3 - "$RUNS" "$@" <<'PY'
import os, subprocess, sys, time
runs, cmd = int(sys.argv[1]), sys.argv[2:]
walls, rss = [], 0
for _ in range(runs):
    t = time.perf_counter()
    p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, ru = os.wait4(p.pid, 0)
    walls.append(time.perf_counter() - t)
    if status != 0:
        sys.exit(1)
    rss = max(rss, ru.ru_maxrss)
walls.sort()
print(f"{walls[len(walls) // 2]:.3f} {rss // 1024}")
PY
}

# Decompresses every layer blob of an OCI layout with the classic tools, in order.
zcat_layout() {
    python3 - "$1" <<'PY'
import json, os, subprocess, sys
root = sys.argv[1]
idx = json.load(open(os.path.join(root, "index.json")))
blob = lambda d: os.path.join(root, "blobs", *d.split(":"))
m = json.load(open(blob(idx["manifests"][0]["digest"])))
if "manifests" in m:
    m = json.load(open(blob(m["manifests"][0]["digest"])))
for l in m["layers"]:
    tool = "zstdcat" if l.get("mediaType", "").endswith("zstd") else "zcat"
    subprocess.run([tool, blob(l["digest"])], stdout=subprocess.DEVNULL, check=True)
PY
}

printf '| export | read (s) | decompress only (s) | read / decompress | zcat (s) | read peak RSS (MB) |\n'
printf '|---|---|---|---|---|---|\n'
for row in "${ROWS[@]}"; do
    IFS='|' read -r name ref layout <<<"$row"
    export CONTAINER_HOST="unix://$TI/podman.sock"
    if ! read -r r_wall r_rss < <(measure "$BIN" "$ref"); then
        printf '| %s | (failed: is it running?) | | | | |\n' "$name"
        continue
    fi
    d_wall="n/a"
    ratio="n/a"
    if [[ $ref != podman:* ]] && read -r d_wall _ < <(measure "$BIN" --decompress-only "$ref"); then
        ratio=$(python3 -c "print(f'{$r_wall/$d_wall:.2f}x' if $d_wall > 0 else 'n/a')")
    fi
    z_wall=""
    if [ -n "$layout" ] && command -v zstdcat >/dev/null; then
        export -f zcat_layout
        read -r z_wall _ < <(measure bash -c "zcat_layout '$layout'")
    fi
    printf '| %s | %s | %s | %s | %s | %s |\n' "$name" "$r_wall" "$d_wall" "$ratio" "$z_wall" "$r_rss"
done
