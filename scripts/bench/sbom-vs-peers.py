#!/usr/bin/env python3
"""Cold SBOM of a test image: bosun vs Trivy 0.59.1 vs Syft 1.18.1, same run.

Each command runs --runs times (default 5) in turn; the script reports the
median wall time and the largest peak RSS (from wait4's ru_maxrss) of each,
and the ratios. Trivy runs with --cache-backend memory (no layer cache); it
cannot read jars offline (it wants its Java DB), so it skips the jar
directories, which only makes its job smaller.

    scripts/bench/sbom-vs-peers.py [--image bookworm-app] [--runs 5] [--json OUT]
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import time

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PEERS = os.path.join(REPO, ".peers", "bin")


def measure(cmd, env):
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    err = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
    code = os.waitstatus_to_exitcode(status)
    if code != 0:
        sys.exit(f"{' '.join(cmd)} failed ({code}):\n{err[-2000:]}")
    return wall, usage.ru_maxrss * 1024


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--image", default="bookworm-app")
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--json")
    args = ap.parse_args()

    m = json.load(open(os.path.join(REPO, ".test-images", "manifest.json")))
    tar = os.path.join(REPO, m["images"][args.image]["exports"]["docker-archive"]["path"])
    bosun = os.environ.get("BOSUN") or os.path.join(REPO, "target", "release", "bosun")
    env = dict(os.environ, SYFT_CHECK_FOR_APP_UPDATE="false", TRIVY_DISABLE_TELEMETRY="true",
               TRIVY_CACHE_DIR=os.path.join(REPO, ".peers", "trivy-cache"), BOSUN_QUIET="1")
    cmds = {
        "bosun": [bosun, "sbom", "--quiet", "--format", "cyclonedx", f"docker-archive:{tar}"],
        "trivy": [os.path.join(PEERS, "trivy"), "image", "--quiet", "--input", tar, "--format", "cyclonedx",
                  "--cache-backend", "memory", "--offline-scan", "--skip-db-update", "--skip-java-db-update",
                  "--skip-check-update", "--skip-dirs", "/opt/javaapp", "--skip-dirs", "/usr/share/java"],
        "syft": [os.path.join(PEERS, "syft"), "scan", "-q", "-o", "cyclonedx-json", f"docker-archive:{tar}"],
    }
    results = {k: {"wall": [], "rss": []} for k in cmds}
    for _ in range(args.runs):
        for name, cmd in cmds.items():
            w, r = measure(cmd, env)
            results[name]["wall"].append(w)
            results[name]["rss"].append(r)
    summary = {}
    print(f"image {args.image}: {os.path.getsize(tar) / 1e6:.0f} MB docker-archive, {args.runs} runs each, "
          f"{os.cpu_count()} CPUs")
    for name, r in results.items():
        med = statistics.median(r["wall"])
        rss = max(r["rss"])
        summary[name] = {"median_wall_s": med, "max_rss_mb": rss / 2**20, "walls": r["wall"]}
        print(f"  {name:6} median {med:6.3f} s   peak RSS {rss / 2**20:7.1f} MiB   runs "
              + " ".join(f"{w:.3f}" for w in r["wall"]))
    b = summary["bosun"]["median_wall_s"]
    for peer in ("trivy", "syft"):
        print(f"  bosun is {summary[peer]['median_wall_s'] / b:.1f}x faster than {peer}")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(summary, f, indent=2)


if __name__ == "__main__":
    main()
