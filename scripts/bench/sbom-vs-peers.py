#!/usr/bin/env python3
"""Cold SBOM of a test image: bosun vs Trivy 0.59.1 vs Syft 1.18.1, same run.

Each command runs --runs times (default 5) in turn; the script reports the
median wall time and the largest peak RSS (from wait4's ru_maxrss) of each,
and the ratios. Cold means no layer cache: bosun runs with --no-cache, Trivy
with --cache-backend memory, Syft has none. Trivy cannot read jars offline
(it wants its Java DB), so it skips the jar directories, which only makes its
job smaller. CPU time (user+sys, from wait4) is printed beside the wall
time: on a busy machine it is the steadier comparison. "bosun-warm" is the
same bosun command with a layer cache that already holds every layer (filled
by one run before the timing). The load average is printed before and after:
other work on the machine slows every tool, not always alike.

Targets (issue 4): bosun cold >= 3x faster than Trivy and >= 10x faster than
Syft, warm <= 50 ms, peak RSS <= 64 MiB.

    scripts/bench/sbom-vs-peers.py [--image bookworm-app] [--runs 5] [--json OUT]
"""
import argparse
import json
import os
import statistics
import shutil
import subprocess
import sys
import tempfile
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
    return wall, usage.ru_maxrss * 1024, usage.ru_utime + usage.ru_stime


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
    cache = tempfile.mkdtemp(prefix="bosun-bench-cache-")
    warm = [bosun, "sbom", "--quiet", "--format", "cyclonedx", "--cache-dir", cache, f"docker-archive:{tar}"]
    measure(warm, env)  # fills the layer cache
    cmds = {
        "bosun": [bosun, "sbom", "--quiet", "--no-cache", "--format", "cyclonedx", f"docker-archive:{tar}"],
        "bosun-warm": warm,
        "trivy": [os.path.join(PEERS, "trivy"), "image", "--quiet", "--input", tar, "--format", "cyclonedx",
                  "--cache-backend", "memory", "--offline-scan", "--skip-db-update", "--skip-java-db-update",
                  "--skip-check-update", "--skip-dirs", "/opt/javaapp", "--skip-dirs", "/usr/share/java"],
        "syft": [os.path.join(PEERS, "syft"), "scan", "-q", "-o", "cyclonedx-json", f"docker-archive:{tar}"],
    }
    load_before = os.getloadavg()
    results = {k: {"wall": [], "rss": [], "cpu": []} for k in cmds}
    for _ in range(args.runs):
        for name, cmd in cmds.items():
            w, r, c = measure(cmd, env)
            results[name]["wall"].append(w)
            results[name]["rss"].append(r)
            results[name]["cpu"].append(c)
    load_after = os.getloadavg()
    shutil.rmtree(cache, ignore_errors=True)
    summary = {"load_before": load_before, "load_after": load_after}
    print(f"image {args.image}: {os.path.getsize(tar) / 1e6:.0f} MB docker-archive, {args.runs} runs each, "
          f"{os.cpu_count()} CPUs, load average {load_before[0]:.2f} before, {load_after[0]:.2f} after")
    for name, r in results.items():
        med = statistics.median(r["wall"])
        rss = max(r["rss"])
        cpu = statistics.median(r["cpu"])
        summary[name] = {"median_wall_s": med, "median_cpu_s": cpu, "max_rss_mb": rss / 2**20,
                         "walls": r["wall"]}
        print(f"  {name:10} median {med:6.3f} s   cpu (user+sys) {cpu:6.3f} s   "
              f"peak RSS {rss / 2**20:7.1f} MiB   runs " + " ".join(f"{w:.3f}" for w in r["wall"]))
    b = summary["bosun"]["median_wall_s"]
    checks = []
    for peer, target in (("trivy", 3), ("syft", 10)):
        ratio = summary[peer]["median_wall_s"] / b
        summary[f"ratio_{peer}"] = ratio
        checks.append((f"bosun cold is {ratio:.1f}x faster than {peer} (target >= {target}x)", ratio >= target))
    for peer in ("trivy", "syft"):
        summary[f"cpu_ratio_{peer}"] = summary[peer]["median_cpu_s"] / summary["bosun"]["median_cpu_s"]
        print(f"       (cpu time: {peer} uses {summary[f'cpu_ratio_{peer}']:.1f}x bosun's)")
    w = summary["bosun-warm"]["median_wall_s"]
    checks.append((f"bosun warm {w * 1000:.0f} ms (target <= 50 ms)", w <= 0.050))
    rss = max(summary["bosun"]["max_rss_mb"], summary["bosun-warm"]["max_rss_mb"])
    checks.append((f"bosun peak RSS {rss:.1f} MiB (target <= 64 MiB)", rss <= 64))
    for text, ok in checks:
        print(f"  {'ok  ' if ok else 'MISS'} {text}")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(summary, f, indent=2)
    return 0 if all(ok for _, ok in checks) else 1


if __name__ == "__main__":
    sys.exit(main())
