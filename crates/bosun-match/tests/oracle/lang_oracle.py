#!/usr/bin/env python3
"""An independent evaluator of language advisories for a bosun inventory.

    lang_oracle.py INVENTORY.json ADVISORIES_DIR

Reads the shared advisory corpus (pypi/ OSV YAML, go/ and crates.io/ OSV
JSON, maven/ OSV {"vulns": [...]}, rubygems/ rubysec YAML) and prints one JSON
line per (package location, advisory record) whose ranges hold the installed
version: {"path", "name", "version", "id"}.

Version orders are not bosun's: PyPI uses Python's `packaging` (the library
pip itself vendors); Go and crates.io use SemVer 2.0 precedence written out
here; RubyGems requirements follow Gem::Version's segment rules; Maven is
restricted to purely numeric dotted versions (anything else is an error, not
a guess). npm (Node security-wg ranges) is not evaluated here.
"""

import glob
import json
import os
import re
import sys

import yaml
from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version


def semver_key(v):
    v = v.strip()
    if v.startswith("v"):
        v = v[1:]
    v = v.split("+", 1)[0]
    core, _, pre = v.partition("-")
    nums = [int(x) for x in core.split(".")]
    while len(nums) < 3:
        nums.append(0)
    if not pre:
        return (nums, 1, [])
    ids = [(0, int(x), "") if x.isdigit() else (1, 0, x) for x in pre.split(".")]
    return (nums, 0, ids)


def numeric_key(v):
    if not re.fullmatch(r"[0-9]+(\.[0-9]+)*", v):
        raise ValueError(f"not a numeric version: {v}")
    parts = [int(x) for x in v.split(".")]
    while parts and parts[-1] == 0:
        parts.pop()
    return parts


def pep440_key(v):
    return Version(v)


def in_ranges(version, affected, key, range_types):
    """OSV: affected when some range's introduced..fixed/last_affected window
    holds the version, or the `versions` list names it."""
    if version in affected.get("versions", []) or version.lstrip("v") in affected.get("versions", []):
        return True
    try:
        k = key(version)
    except (ValueError, InvalidVersion):
        return False
    for r in affected.get("ranges", []):
        if r.get("type") not in range_types:
            continue
        intro = None
        for e in r.get("events", []):
            if "introduced" in e:
                intro = e["introduced"]
            elif "fixed" in e or "last_affected" in e or "limit" in e:
                if intro is None:
                    continue
                end = e.get("fixed", e.get("last_affected", e.get("limit")))
                try:
                    lo_ok = intro == "0" or key(intro) <= k
                    if "last_affected" in e:
                        hi_ok = k <= key(end)
                    else:
                        hi_ok = k < key(end)
                except (ValueError, InvalidVersion):
                    intro = None
                    continue
                if lo_ok and hi_ok:
                    return True
                intro = None
        if intro is not None:
            try:
                if intro == "0" or key(intro) <= k:
                    return True
            except (ValueError, InvalidVersion):
                pass
    return False


def gem_segments(v):
    return [int(x) if x.isdigit() else x for x in re.findall(r"[0-9]+|[A-Za-z]+", v)]


def gem_cmp(a, b):
    x, y = gem_segments(a), gem_segments(b)
    # Gem::Version drops trailing zero segments before comparing.
    for seg in (x, y):
        while seg and seg[-1] == 0:
            seg.pop()
    for i in range(max(len(x), len(y))):
        p = x[i] if i < len(x) else 0
        q = y[i] if i < len(y) else 0
        if p == q:
            continue
        if isinstance(p, str) and isinstance(q, int):
            return -1
        if isinstance(p, int) and isinstance(q, str):
            return 1
        return -1 if p < q else 1
    return 0


def gem_requirement(version, text):
    for part in text.split(","):
        m = re.fullmatch(r"\s*(~>|>=|<=|!=|>|<|=)?\s*(\S+)\s*", part)
        if not m:
            raise ValueError(f"requirement {text!r}")
        op, v = m.group(1) or "=", m.group(2)
        c = gem_cmp(version, v)
        if op == "~>":
            segs = [s for s in v.split(".")]
            numeric = []
            for s in segs:
                if not s.isdigit():
                    break
                numeric.append(int(s))
            upper = numeric[:-1] if len(numeric) > 1 else numeric
            upper = upper[:-1] + [upper[-1] + 1]
            ok = c >= 0 and gem_cmp(version, ".".join(map(str, upper)) + ".a") < 0
        else:
            ok = {">=": c >= 0, "<=": c <= 0, ">": c > 0, "<": c < 0, "=": c == 0, "!=": c != 0}[op]
        if not ok:
            return False
    return True


def main():
    inv = json.load(open(sys.argv[1]))
    root = sys.argv[2]
    pkgs = {}
    for p in inv["packages"]:
        eco = p["ecosystem"]
        name = p["name"]
        if eco == "pypi":
            name = canonicalize_name(name)
        pkgs.setdefault((eco, name), []).append(p)

    out = set()

    def emit(p, rec_id):
        out.add((p["found_in"]["path"], p["name"], p["version"], rec_id))

    def osv_records(pattern, loader):
        for f in sorted(glob.glob(os.path.join(root, pattern), recursive=True)):
            with open(f) as fh:
                doc = loader(fh)
            recs = doc["vulns"] if isinstance(doc, dict) and "vulns" in doc else [doc]
            for r in recs:
                if r.get("withdrawn"):
                    continue
                yield r

    plans = [
        ("pypi", "pypi/vulns/**/*.yaml", yaml.safe_load, "PyPI", pep440_key, ("ECOSYSTEM",)),
        ("golang", "go/data/osv/*.json", json.load, "Go", semver_key, ("SEMVER",)),
        ("cargo", "crates.io/crates/*.json", json.load, "crates.io", semver_key, ("SEMVER", "ECOSYSTEM")),
        ("maven", "maven/*.json", json.load, "Maven", numeric_key, ("ECOSYSTEM",)),
    ]
    for eco, pattern, loader, osv_eco, key, types in plans:
        for r in osv_records(pattern, loader):
            for a in r.get("affected", []):
                pk = a.get("package", {})
                if pk.get("ecosystem", "").split(":")[0] != osv_eco:
                    continue
                name = pk.get("name", "")
                if eco == "pypi":
                    name = canonicalize_name(name)
                for p in pkgs.get((eco, name), []):
                    if in_ranges(p["version"], a, key, types):
                        emit(p, r["id"])

    for f in sorted(glob.glob(os.path.join(root, "rubygems/gems/*/*.yml"))):
        with open(f) as fh:
            d = yaml.safe_load(fh)
        if not isinstance(d, dict) or "gem" not in d:
            continue
        rec_id = f"CVE-{d['cve']}" if d.get("cve") else (f"GHSA-{d['ghsa']}" if d.get("ghsa") else None)
        if rec_id is None:
            continue
        for p in pkgs.get(("gem", d["gem"]), []):
            safe = list(d.get("patched_versions") or []) + list(d.get("unaffected_versions") or [])
            if not any(gem_requirement(p["version"], s) for s in safe):
                emit(p, rec_id)

    for path, name, version, rec_id in sorted(out):
        print(json.dumps({"path": path, "name": name, "version": version, "id": rec_id}))


if __name__ == "__main__":
    main()
