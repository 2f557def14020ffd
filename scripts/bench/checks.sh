#!/usr/bin/env bash
# The cost of secrets and checks in a scan: the package catalog alone against
# the catalog + secret scanner (+ compliance checks) over the same layer read,
# on the full bookworm-app test image, without the layer cache (every layer
# read and analysed). docs/BENCHMARKS.md, section "Secrets and checks".
#
#   scripts/bench/checks.sh [RUNS]      (default 7; medians are reported)
#
# Each run is a separate process of crates/bosun-checks/examples/scan-pass.rs,
# which calls bosun_scan::scan (the path `bosun scan` takes) with the cache
# off; the modes are interleaved run by run so load from other processes
# falls on all of them alike. Reported per export: fastest and median wall
# time, median CPU time (user + sys, from wait4), and the overhead of each
# mode over the catalog alone (on a shared machine the fastest wall time and
# the CPU time are the steadier numbers). The page cache is warm (the first,
# discarded round warms it).
#
# Needs the test images (scripts/build-test-images.sh).
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"

RUNS=${1:-7}
MANIFEST="$TI/manifest.json"
[ -f "$MANIFEST" ] || die "$MANIFEST missing: run scripts/build-test-images.sh"

export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$REPO_ROOT/target}
(cd "$REPO_ROOT" && cargo build --release -q -p bosun-checks --example scan-pass)
BIN="$CARGO_TARGET_DIR/release/examples/scan-pass"

python3 - "$MANIFEST" "$REPO_ROOT" "$BIN" "$RUNS" <<'PY'
import json, os, statistics, subprocess, sys, time

manifest, root, binary, runs = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
e = json.load(open(manifest))["images"]["bookworm-app"]["exports"]
p = lambda k: os.path.join(root, e[k]["path"])
exports = [
    ("docker-archive (plain tar)", "docker-archive:" + p("docker-archive")),
    ("oci-dir (gzip)", "oci-dir:" + p("oci") + ":" + e["oci"].get("ref", "latest")),
    ("oci-dir (zstd)", "oci-dir:" + p("oci-zstd") + ":" + e["oci-zstd"].get("ref", "latest")),
]
modes = ["catalog", "secrets", "all"]


def once(mode, ref):
    t = time.perf_counter()
    proc = subprocess.Popen([binary, mode, ref], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    out = proc.stdout.read()
    _, status, ru = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t
    if status != 0:
        sys.exit(f"{mode} {ref}: {proc.stderr.read().decode()[-2000:]}")
    return wall, ru.ru_utime + ru.ru_stime, ru.ru_maxrss // 1024, out.decode().split()[2:]


print(f"load average at start: {os.getloadavg()[0]:.1f}; {runs} runs per cell\n")
print("| export | mode | fastest wall (s) | median wall (s) | median CPU (s) | fastest wall vs catalog "
      "| median wall vs catalog | CPU vs catalog | peak RSS (MB) | found |")
print("|---|---|---|---|---|---|---|---|---|---|")
for name, ref in exports:
    for m in modes:  # warm the page cache
        once(m, ref)
    res = {m: [] for m in modes}
    for _ in range(runs):
        for m in modes:
            res[m].append(once(m, ref))
    med = {m: (min(r[0] for r in res[m]), statistics.median(r[0] for r in res[m]),
               statistics.median(r[1] for r in res[m]), max(r[2] for r in res[m]),
               " ".join(res[m][0][3])) for m in modes}
    base = med["catalog"]
    pct = lambda m, i: "" if m == "catalog" else f"{(med[m][i] / base[i] - 1) * 100:+.0f}%"
    for m in modes:
        f, w, c, rss, found = med[m]
        print(f"| {name} | {m} | {f:.3f} | {w:.3f} | {c:.3f} | {pct(m, 0)} | {pct(m, 1)} "
              f"| {pct(m, 2)} | {rss} | {found} |")
print(f"\nload average at end: {os.getloadavg()[0]:.1f}")
PY
