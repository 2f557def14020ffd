#!/usr/bin/env python3
"""Secrets: Trivy 0.59.1 (`--scanners secret --image-config-scanners secret`,
offline) against bosun's secret scanner on the same images, in one run.

Prints both lists, then fails (exit 1) when
  - a Trivy finding in a layer file (file + line + rule kind, and layer when
    Trivy names one) is missing from bosun's findings,
  - a Trivy finding in the image config is missing from bosun's config
    findings (Env, labels, history) with the corresponding rule; besides the
    test image's config, a small image written here carries secrets in Env,
    a label and a history line,
  - bosun does not report every secret that a later layer deleted (from the
    manifest's planted secrets with `deleted_in_layer`) as deleted, with the
    right layers,
  - bosun reports any secret on the plain debootstrap image (bookworm-base:
    its layer and its kept root filesystem): false positives count as
    failures (and the same reader must find the app image's secrets in its
    kept root filesystem, so "none" is not a reader that reads nothing).

    scripts/compare/secrets.py [--image NAME] [--json OUT]

bosun runs as `bosun scan --no-cache --scanners secret --format json REF`,
built with `cargo run --release -p bosun` (set $BOSUN to a built `bosun`
binary to skip cargo). Rule kinds are compared through
crates/bosun-checks/tests/fixtures/trivy-rule-map.json, which the cargo test
crates/bosun-checks/tests/trivy.rs (the same comparison, for CI) also reads.
Needs the test images (scripts/build-test-images.sh) and Trivy
(scripts/install-peers.sh). Stdlib only.
"""
import argparse
import hashlib
import io
import json
import os
import subprocess
import sys
import tarfile
import tempfile
import time

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
TRIVY = os.path.join(REPO, ".peers", "bin", "trivy")

# Trivy rule ID -> bosun rule ID (the "rule kind" compared).
RULE_MAP_PATH = os.path.join(REPO, "crates", "bosun-checks", "tests", "fixtures",
                             "trivy-rule-map.json")
with open(RULE_MAP_PATH) as _f:
    RULE_MAP = json.load(_f)


def fail(msg):
    sys.exit(f"error: {msg}")


def trivy_env():
    env = dict(os.environ)
    env.update(
        TRIVY_OFFLINE_SCAN="true",
        TRIVY_SKIP_DB_UPDATE="true",
        TRIVY_SKIP_JAVA_DB_UPDATE="true",
        TRIVY_SKIP_CHECK_UPDATE="true",
        TRIVY_DISABLE_TELEMETRY="true",
        TRIVY_CACHE_DIR=os.path.join(REPO, ".peers", "trivy-cache"),
    )
    return env


def run(cmd, env=None):
    t0 = time.monotonic()
    r = subprocess.run(cmd, capture_output=True, text=True, env=env)
    if r.returncode != 0:
        fail(f"{' '.join(cmd[:3])} ... exited {r.returncode}:\n{r.stderr[-3000:]}")
    return r.stdout, time.monotonic() - t0


def trivy(archive, diff_ids):
    if not os.access(TRIVY, os.X_OK):
        fail(f"{TRIVY} missing: run scripts/install-peers.sh")
    out, secs = run(
        [TRIVY, "image", "--input", archive, "--scanners", "secret",
         "--image-config-scanners", "secret", "--format", "json",
         "--offline-scan", "--skip-db-update", "--skip-java-db-update",
         "--skip-check-update", "--cache-backend", "memory", "--quiet"],
        env=trivy_env(),
    )
    found = []
    for r in json.loads(out).get("Results") or []:
        # Trivy names the image config's result after the --input path.
        config = r["Target"] == archive
        for s in r.get("Secrets") or []:
            diff = (s.get("Layer") or {}).get("DiffID")
            found.append({
                "path": "config" if config else "/" + r["Target"].lstrip("/"),
                "config": config,
                "line": s["StartLine"],
                "rule": s["RuleID"],
                "layer": diff_ids.index(diff) if diff in diff_ids else None,
                "match": s.get("Match", "")[:90],
            })
    return found, secs


def bosun(reference):
    cli = os.environ.get("BOSUN")
    args = ["scan", "--no-cache", "--scanners", "secret", "--format", "json", reference]
    if cli:
        cmd = [cli] + args
    else:
        cmd = ["cargo", "run", "--quiet", "--release", "-p", "bosun", "--"] + args
    t0 = time.monotonic()
    r = subprocess.run(cmd, capture_output=True, text=True)
    secs = time.monotonic() - t0
    # `bosun scan` exits 1 when something trips its gate; the JSON is still whole.
    if r.returncode not in (0, 1) or not r.stdout.strip():
        fail(f"{' '.join(cmd[:3])} ... exited {r.returncode}:\n{r.stderr[-3000:]}")
    return json.loads(r.stdout).get("secrets") or [], secs


def show(title, rows):
    print(f"\n{title} ({len(rows)})")
    for r in rows:
        print("  " + "  ".join(str(x) for x in r))


def missed(t_found, b_found):
    """Trivy findings bosun lacks; each bosun finding answers one at most."""
    used = set()
    problems = []
    for t in t_found:
        want = RULE_MAP.get(t["rule"])
        if want is None:
            problems.append(f"Trivy rule {t['rule']} has no bosun counterpart in "
                            f"{os.path.relpath(RULE_MAP_PATH, REPO)} ({t['path']}:{t['line']})")
            continue
        hit = None
        for i, b in enumerate(b_found):
            if i in used or b["rule_id"] != want:
                continue
            if t["config"]:
                ok = b["source"] != "file"
            else:
                ok = (b["source"] == "file" and b["path"] == t["path"]
                      and b["line"] == t["line"]
                      and (t["layer"] is None or b.get("layer") == t["layer"]))
            if ok:
                hit = i
                break
        if hit is None:
            where = "the image config" if t["config"] else f"{t['path']}:{t['line']}"
            problems.append(f"bosun misses Trivy's {t['rule']} in {where} (layer {t['layer']})")
        else:
            used.add(hit)
    return problems, used


def config_secret_image(path):
    """A one-layer docker-archive with secrets in Env, a label and a history
    line (values assembled here, so the repository holds none)."""
    body = b"hello\n"
    layer = io.BytesIO()
    with tarfile.open(fileobj=layer, mode="w", format=tarfile.GNU_FORMAT) as t:
        ti = tarfile.TarInfo("etc/hello")
        ti.size = len(body)
        t.addfile(ti, io.BytesIO(body))
    layer = layer.getvalue()
    diff = hashlib.sha256(layer).hexdigest()
    github = "ghp_" + "bosunFAKEtoken0123" + "456789abcdefABCDEF"
    slack = "xox" + "b-417281234567-4172812345678-" + "bosunFakeSlackTok3nAbCdEf"
    aws = "AKIA" + "Z7BOSUNFAKEKEY42"
    config = json.dumps({
        "architecture": "amd64", "os": "linux",
        "config": {"Env": ["PATH=/bin", f"GITHUB_TOKEN={github}"],
                   "Labels": {"notify": slack}},
        "rootfs": {"type": "layers", "diff_ids": [f"sha256:{diff}"]},
        "history": [{"created_by": "/bin/sh -c echo aws_secret_access_key = "
                     "bosunFAKEsecretKEY/not+real/0123456789ab && echo " + aws}],
    }).encode()
    config_name = hashlib.sha256(config).hexdigest() + ".json"
    manifest = json.dumps([{"Config": config_name,
                            "RepoTags": ["bosun-test/config-secrets:latest"],
                            "Layers": [f"{diff}.tar"]}]).encode()
    with tarfile.open(path, "w", format=tarfile.GNU_FORMAT) as t:
        for name, data in ((config_name, config), (f"{diff}.tar", layer),
                           ("manifest.json", manifest)):
            ti = tarfile.TarInfo(name)
            ti.size = len(data)
            t.addfile(ti, io.BytesIO(data))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--image", default="bookworm-app")
    ap.add_argument("--base", default="bookworm-base",
                    help="the image that must have no secret at all")
    ap.add_argument("--json", help="write both lists here")
    args = ap.parse_args()

    manifest_path = os.path.join(REPO, ".test-images", "manifest.json")
    if not os.path.exists(manifest_path):
        fail(f"{manifest_path} missing: run scripts/build-test-images.sh")
    with open(manifest_path) as f:
        manifest = json.load(f)
    img = manifest["images"][args.image]
    archive = os.path.join(REPO, img["exports"]["docker-archive"]["path"])
    diff_ids = [l["diff_id"] for l in img["layers"]]

    t_found, t_secs = trivy(archive, diff_ids)
    b_found, b_secs = bosun(f"docker-archive:{archive}")
    show(f"Trivy 0.59.1, {args.image} ({t_secs:.1f} s)",
         [(t["rule"], f"{t['path']}:{t['line']}", f"layer {t['layer']}") for t in
          sorted(t_found, key=lambda t: (t["path"], t["line"]))])
    show(f"bosun, {args.image} ({b_secs:.1f} s)",
         [(b["rule_id"], f"{b['path']}:{b['line']}", f"layer {b.get('layer')}",
           "DELETED in layer %s" % b.get("deleted_in") if b.get("deleted") else "",
           b["redacted"]) for b in b_found])

    problems, used = missed(t_found, b_found)

    deleted = [s for s in img.get("secrets", []) if s.get("deleted_in_layer") is not None
               and "example" not in s["match"].lower()]
    if not deleted:
        problems.append("the manifest lists no deleted secret: rebuild the test images")
    for s in deleted:
        ok = [b for b in b_found if b["path"] == s["path"] and b["line"] == s["line"]
              and b.get("layer") == s["layer"] and b.get("deleted")
              and b.get("deleted_in") == s["deleted_in_layer"]]
        if not ok:
            problems.append(f"bosun does not report the deleted {s['kind']} at "
                            f"{s['path']}:{s['line']} (layer {s['layer']}, deleted in "
                            f"{s['deleted_in_layer']})")

    only_bosun = [b for i, b in enumerate(b_found) if i not in used]
    show("bosun only (not a failure)",
         [(b["rule_id"], b["path"] + (f":{b['line']}" if b["source"] == "file" else ""),
           "deleted" if b.get("deleted") else "") for b in only_bosun])

    # Secrets in the image config, where Trivy finds them.
    with tempfile.TemporaryDirectory() as tmp:
        synthetic = os.path.join(tmp, "config-secrets.docker.tar")
        config_secret_image(synthetic)
        tc, _ = trivy(synthetic, [])
        bc, _ = bosun(f"docker-archive:{synthetic}")
    show("Trivy, config-secrets image (written by this script)",
         [(t["rule"], "config" if t["config"] else f"{t['path']}:{t['line']}") for t in tc])
    show("bosun, config-secrets image",
         [(b["rule_id"], b["path"], b["redacted"]) for b in bc])
    if len(tc) < 3:
        problems.append(f"Trivy found only {len(tc)} secrets in the config-secrets image")
    problems += missed(tc, bc)[0]

    base = manifest["images"][args.base]
    base_archive = os.path.join(REPO, base["exports"]["docker-archive"]["path"])
    tb, _ = trivy(base_archive, [l["diff_id"] for l in base["layers"]])
    print(f"\nTrivy on {args.base}: {len(tb)} secrets")
    for ref in (f"docker-archive:{base_archive}",
                f"rootfs:{os.path.join(REPO, base['rootfs']['path'])}"):
        found, secs = bosun(ref)
        print(f"bosun on {args.base} ({ref.split(':')[0]}, {secs:.1f} s): {len(found)} secrets")
        for b in found:
            problems.append(f"false positive on {args.base}: {b['rule_id']} at "
                            f"{b['path']}:{b['line']} {b['redacted']}")
    app_root = os.path.join(REPO, img["rootfs"]["path"])
    found, _ = bosun(f"rootfs:{app_root}")
    live = {(t["path"], t["line"]) for t in t_found if not t["config"]} - {
        (s["path"], s["line"]) for s in deleted}
    got = {(b["path"], b["line"]) for b in found}
    print(f"bosun on {args.image}'s root filesystem: {len(found)} secrets "
          f"({len(live & got)} of the {len(live)} Trivy file findings still present)")
    if not live <= got:
        problems.append(f"the rootfs reader misses {sorted(live - got)} in {app_root}")

    if args.json:
        with open(args.json, "w") as f:
            json.dump({"trivy": t_found, "bosun": b_found,
                       "trivy_config_image": tc, "bosun_config_image": bc}, f, indent=2)

    if problems:
        print("\nFAIL")
        for p in problems:
            print("  " + p)
        return 1
    print(f"\nOK: bosun finds all {len(t_found)} of Trivy's findings on {args.image} and "
          f"all {len(tc)} in the config-secrets image, the {len(deleted)} deleted secrets "
          f"as deleted, and nothing on {args.base}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
