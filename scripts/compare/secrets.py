#!/usr/bin/env python3
"""Secrets: Trivy 0.59.1 (`--scanners secret`, offline) against bosun's secret
scanner on the same image, in one run.

Prints both lists, then fails (exit 1) when
  - a Trivy finding (file + line + rule kind, and layer when Trivy names one)
    is missing from bosun's findings,
  - bosun does not report every secret that a later layer deleted (from the
    manifest's planted secrets with `deleted_in_layer`) as deleted, with the
    right layers,
  - bosun reports any secret on the plain debootstrap image (bookworm-base:
    its layer and its kept root filesystem): false positives count as
    failures.

    scripts/compare/secrets.py [--image NAME] [--json OUT]

bosun runs through the example binary of crates/bosun-checks
(`cargo run --release -p bosun-checks --example secrets -- REF`; set $BOSUN_SECRETS
to a built binary to skip cargo). Needs the test images
(scripts/build-test-images.sh) and Trivy (scripts/install-peers.sh). Stdlib only.
"""
import argparse
import json
import os
import subprocess
import sys
import time

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
TRIVY = os.path.join(REPO, ".peers", "bin", "trivy")

# Trivy rule ID -> bosun rule ID (the "rule kind" compared).
RULE_MAP = {
    "aws-access-key-id": "aws-access-key-id",
    "aws-secret-access-key": "aws-secret-access-key",
    "github-pat": "github-pat",
    "github-oauth": "github-oauth-token",
    "github-app-token": "github-app-token",
    "github-refresh-token": "github-refresh-token",
    "github-fine-grained-pat": "github-fine-grained-pat",
    "gitlab-pat": "gitlab-pat",
    "slack-access-token": "slack-token",
    "slack-web-hook": "slack-webhook-url",
    "private-key": "private-key",
    "stripe-secret-token": "stripe-secret-key",
    "twilio-api-key": "twilio-api-key",
    "jwt-token": "jwt",
    "npm-access-token": "npm-token",
    "pypi-upload-token": "pypi-token",
    "dockerconfig-secret": "docker-config-auth",
    "hugging-face-access-token": "huggingface-token",
    "google-api-key": "google-api-key",
    "gcp-api-key": "google-api-key",
    "shopify-token": "shopify-token",
    "sendgrid-api-token": "sendgrid-api-key",
    "age-secret-key": "age-secret-key",
    "hashicorp-tf-password": "generic-password-assignment",
    "openai-api-key": "openai-api-key",
    "digitalocean-pat": "digitalocean-token",
    "dockerhub-pat": "dockerhub-pat",
    "azure-storage-account-key": "azure-storage-account-key",
}


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
        [TRIVY, "image", "--input", archive, "--scanners", "secret", "--format", "json",
         "--offline-scan", "--skip-db-update", "--skip-java-db-update",
         "--skip-check-update", "--cache-backend", "memory", "--quiet"],
        env=trivy_env(),
    )
    found = []
    for r in json.loads(out).get("Results") or []:
        for s in r.get("Secrets") or []:
            diff = (s.get("Layer") or {}).get("DiffID")
            found.append({
                "path": "/" + r["Target"].lstrip("/"),
                "line": s["StartLine"],
                "rule": s["RuleID"],
                "layer": diff_ids.index(diff) if diff in diff_ids else None,
                "match": s.get("Match", "")[:90],
            })
    return found, secs


def bosun(reference):
    binary = os.environ.get("BOSUN_SECRETS")
    if binary:
        cmd = [binary, reference]
    else:
        cmd = ["cargo", "run", "--quiet", "--release", "-p", "bosun-checks",
               "--example", "secrets", "--", reference]
    out, secs = run(cmd)
    return json.loads(out)["secrets"], secs


def show(title, rows):
    print(f"\n{title} ({len(rows)})")
    for r in rows:
        print("  " + "  ".join(str(x) for x in r))


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

    problems = []
    for t in t_found:
        want = RULE_MAP.get(t["rule"])
        if want is None:
            problems.append(f"Trivy rule {t['rule']} has no bosun counterpart in RULE_MAP "
                            f"({t['path']}:{t['line']})")
            continue
        hits = [b for b in b_found
                if b["source"] == "file" and b["path"] == t["path"]
                and b["line"] == t["line"] and b["rule_id"] == want
                and (t["layer"] is None or b.get("layer") == t["layer"])]
        if not hits:
            problems.append(f"bosun misses Trivy's {t['rule']} at {t['path']}:{t['line']} "
                            f"(layer {t['layer']})")

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

    only_bosun = [b for b in b_found if not any(
        t["path"] == b["path"] and t["line"] == b["line"] and RULE_MAP.get(t["rule"]) == b["rule_id"]
        for t in t_found)]
    show("bosun only (not a failure)",
         [(b["rule_id"], b["path"] + (f":{b['line']}" if b["source"] == "file" else ""),
           "deleted" if b.get("deleted") else "") for b in only_bosun])

    base = manifest["images"][args.base]
    base_archive = os.path.join(REPO, base["exports"]["docker-archive"]["path"])
    for ref in (f"docker-archive:{base_archive}",
                f"rootfs:{os.path.join(REPO, base['rootfs']['path'])}"):
        found, secs = bosun(ref)
        print(f"\nbosun on {args.base} ({ref.split(':')[0]}, {secs:.1f} s): {len(found)} secrets")
        for b in found:
            problems.append(f"false positive on {args.base}: {b['rule_id']} at "
                            f"{b['path']}:{b['line']} {b['redacted']}")

    if args.json:
        with open(args.json, "w") as f:
            json.dump({"trivy": t_found, "bosun": b_found}, f, indent=2)

    if problems:
        print("\nFAIL")
        for p in problems:
            print("  " + p)
        return 1
    print(f"\nOK: bosun finds all {len(t_found)} Trivy findings, the {len(deleted)} deleted "
          f"secrets as deleted, and nothing on {args.base}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
