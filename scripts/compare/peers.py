#!/usr/bin/env python3
"""Side-by-side package inventories: bosun, Syft 1.18.1, Trivy 0.59.1 and dpkg-query.

Runs every tool on the same image in the same run, reduces each output to
(ecosystem, name, version) keyed by the package-URL type, prints per-ecosystem
counts and every difference, and exits 1 when a difference is not explained in
scripts/compare/known-differences.json (each entry there points at the
paragraph of docs/ACCURACY.md that explains it).

    scripts/compare/peers.py [--image NAME] [--ecosystems deb,pypi,...] [--json OUT] [--brief]
    scripts/compare/peers.py --dir PATH [--ecosystems pypi,npm,...]   # informational

Needs: a release build of bosun (target/release/bosun, or $BOSUN), the test
images (scripts/build-test-images.sh), the peers (scripts/install-peers.sh).
Stdlib only.
"""
import argparse
import collections
import json
import os
import re
import subprocess
import sys
import urllib.parse

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PEERS = os.path.join(REPO, ".peers", "bin")


def run(cmd, env=None):
    r = subprocess.run(cmd, capture_output=True, text=True, env=env)
    if r.returncode != 0:
        sys.exit(f"{cmd[0]} failed ({r.returncode}):\n{r.stderr[-3000:]}")
    return r.stdout


def peer_env():
    env = dict(os.environ)
    env.update(
        SYFT_CHECK_FOR_APP_UPDATE="false",
        TRIVY_OFFLINE_SCAN="true",
        TRIVY_SKIP_DB_UPDATE="true",
        TRIVY_SKIP_JAVA_DB_UPDATE="true",
        TRIVY_SKIP_CHECK_UPDATE="true",
        TRIVY_DISABLE_TELEMETRY="true",
        TRIVY_CACHE_DIR=os.path.join(REPO, ".peers", "trivy-cache"),
    )
    return env


def parse_purl(purl):
    """(type, name, version) from a purl; names joined with their namespace
    the way each ecosystem spells them."""
    if not purl or not purl.startswith("pkg:"):
        return None
    body, _, subpath = purl[4:].partition("#")
    rest, _, query = body.partition("?")
    quals = dict(urllib.parse.parse_qsl(query))
    ty, _, rest = rest.partition("/")
    path, _, version = rest.rpartition("@") if "@" in rest else (rest, "", "")
    parts = [urllib.parse.unquote(p) for p in path.split("/")]
    version = urllib.parse.unquote(version)
    ty = ty.lower()
    if ty in ("deb", "apk", "rpm"):
        name = parts[-1]
        # Trivy writes the epoch as a qualifier; bosun, Syft and dpkg in the version.
        epoch = quals.get("epoch")
        if epoch and epoch != "0" and not version.startswith(f"{epoch}:"):
            version = f"{epoch}:{version}"
    elif ty == "maven":
        name = ":".join(parts)
    elif ty == "golang":
        # Syft puts a module's major-version suffix in the subpath
        # (pkg:golang/github.com/x/y@v2.0.0#v2); the purl spec lowercases golang
        # names; Syft writes stdlib's version without the "v" Trivy and bosun use.
        parts += [urllib.parse.unquote(s) for s in subpath.split("/") if s]
        name = "/".join(parts).lower()
        if name == "stdlib":
            version = version.removeprefix("v")
    elif ty == "pypi":
        name = re.sub(r"[-_.]+", "-", parts[-1]).lower()  # PEP 503
    else:
        name = "/".join(parts)
    return ty, name, version


def bosun_packages(image):
    exe = os.environ.get("BOSUN") or os.path.join(REPO, "target", "release", "bosun")
    # `bosun sbom --format json` is the inventory alone (`bosun scan` nests it
    # under "inventory", beside vulnerabilities, secrets and checks).
    out = run([exe, "sbom", "--quiet", "--format", "json", image])
    inv = json.loads(out)
    inv = inv.get("inventory", inv)
    return {parse_purl(p["purl"]) for p in inv["packages"] if parse_purl(p["purl"])}


def syft_packages(image):
    out = run([os.path.join(PEERS, "syft"), "scan", "-q", "-o", "syft-json", image], env=peer_env())
    doc = json.loads(out)
    return {parse_purl(a.get("purl")) for a in doc.get("artifacts", []) if parse_purl(a.get("purl"))}


def trivy_packages(tar, skip_dirs, skip_files):
    cmd = [os.path.join(PEERS, "trivy"), "image", "--quiet", "--input", tar, "--format", "cyclonedx",
           "--cache-backend", "memory", "--offline-scan", "--skip-db-update", "--skip-java-db-update",
           "--skip-check-update"]
    for d in skip_dirs:
        cmd += ["--skip-dirs", d]
    for f in skip_files:
        cmd += ["--skip-files", f]
    doc = json.loads(run(cmd, env=peer_env()))
    return {parse_purl(c.get("purl")) for c in doc.get("components", []) if parse_purl(c.get("purl"))}


def trivy_fs_packages(path):
    cmd = [os.path.join(PEERS, "trivy"), "fs", "--quiet", "--format", "cyclonedx", "--cache-backend", "memory",
           "--offline-scan", "--skip-db-update", "--skip-java-db-update", "--skip-check-update", path]
    doc = json.loads(run(cmd, env=peer_env()))
    return {parse_purl(c.get("purl")) for c in doc.get("components", []) if parse_purl(c.get("purl"))}


def dpkg_query_packages(rootfs):
    out = run(["dpkg-query", "-W", f"--admindir={rootfs}/var/lib/dpkg", "-f", "${Package}\t${Version}\n"])
    return {("deb", n, v) for n, v in (line.split("\t") for line in out.splitlines() if line)}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--image", default="bookworm-app", help="image name in .test-images/manifest.json")
    ap.add_argument("--ecosystems", default="deb,pypi,npm,gem,golang,cargo,maven",
                    help="purl types to compare (comma-separated)")
    ap.add_argument("--json", help="write every list and difference here")
    ap.add_argument("--brief", action="store_true",
                    help="print counts and differences only, not every package")
    ap.add_argument("--dir", help="compare on a directory instead (bosun rootfs:DIR, syft dir:DIR, trivy fs "
                    "DIR): informational, the known differences are not checked")
    args = ap.parse_args()
    ecos = set(args.ecosystems.split(","))
    if args.dir:
        ecos.discard("deb")
        tools = {
            "bosun": bosun_packages(f"rootfs:{os.path.abspath(args.dir)}"),
            "syft": syft_packages(f"dir:{os.path.abspath(args.dir)}"),
            "trivy": trivy_fs_packages(os.path.abspath(args.dir)),
        }
        return compare(args, ecos, tools, args.dir, {}, checked=False)

    manifest = json.load(open(os.path.join(REPO, ".test-images", "manifest.json")))
    img = manifest["images"][args.image]
    tar = os.path.join(REPO, img["exports"]["docker-archive"]["path"])
    rootfs = os.path.join(REPO, img["rootfs"]["path"])
    # Trivy needs its online Java DB for jars; compare jars with Syft only.
    # (manifest.json lists language packages as one list with an "ecosystem"
    # field; nested jars have paths like outer.war!/WEB-INF/lib/x.jar.)
    jar_dirs = sorted({os.path.dirname(j["path"].split("!")[0]) for j in img.get("language_packages", [])
                       if isinstance(j, dict) and j.get("ecosystem") == "maven" and "path" in j})

    tools = {
        "bosun": bosun_packages(f"docker-archive:{tar}"),
        "syft": syft_packages(f"docker-archive:{tar}"),
        "trivy": trivy_packages(tar, ["/opt/javaapp", "/usr/share/java"] + jar_dirs, []),
    }
    if "deb" in ecos:
        tools["dpkg-query"] = dpkg_query_packages(rootfs)

    known = json.load(open(os.path.join(REPO, "scripts", "compare", "known-differences.json")))
    explained = {(k["peer"], k["side"], k["ecosystem"], k["name"], k["version"]): k["reason"] for k in known}
    return compare(args, ecos, tools, f"{args.image} ({tar})", explained, checked=True)


def compare(args, ecos, tools, what, explained, checked):
    report = {"image": args.image if checked else None, "dir": None if checked else args.dir,
              "counts": {}, "differences": [],
              "packages": {t: sorted(p for p in s if p[0] in ecos) for t, s in tools.items()}}
    print(f"image: {what}" if checked else f"directory: {what} (informational: differences not checked)")
    for eco in sorted(ecos):
        counts = {t: len([p for p in s if p[0] == eco]) for t, s in tools.items()}
        if eco != "deb":
            counts.pop("dpkg-query", None)
        if eco == "maven":
            # Trivy names jars only with its online Java DB: it ran with the jar
            # directories skipped (see trivy_packages above).
            counts.pop("trivy", None)
        report["counts"][eco] = counts
        print(f"\n{eco}: " + ", ".join(f"{t} {n}" for t, n in counts.items()))
        mine = {p for p in tools["bosun"] if p[0] == eco}
        cols = list(counts)
        if not args.brief:
            # Every (name, version) any tool found, and which found it.
            union = sorted({p for t in cols for p in tools[t] if p[0] == eco})
            width = max([len(f"{p[1]} {p[2]}") for p in union] + [20])
            print("  " + " " * width + "  " + "  ".join(cols))
            for p in union:
                marks = "  ".join(("x" if p in tools[t] else "-").center(len(t)) for t in cols)
                print(f"  {p[1] + ' ' + p[2]:{width}}  {marks}")
        for peer in [t for t in tools if t != "bosun" and t in counts]:
            theirs = {p for p in tools[peer] if p[0] == eco}
            for side, diff in (("peer-only", theirs - mine), ("bosun-only", mine - theirs)):
                for p in sorted(diff):
                    reason = explained.get((peer, side, *p))
                    report["differences"].append({"peer": peer, "side": side, "package": p, "explained": reason})
                    tag = (f"explained: {reason}" if reason else "UNEXPLAINED") if checked else "not checked"
                    print(f"  {side:10} {peer:10} {p[1]} {p[2]}  [{tag}]")
            if not (theirs ^ mine):
                print(f"  = {peer}: identical ({len(mine)} packages)")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(report, f, indent=2, default=list)
    if not checked:
        print(f"\n{len(report['differences'])} differences (not checked)")
        return 0
    bad = [d for d in report["differences"] if not d["explained"]]
    print(f"\n{len(report['differences'])} differences, {len(bad)} unexplained")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
