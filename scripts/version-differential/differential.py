#!/usr/bin/env python3
"""Differential test of bosun-version against each ecosystem's own tool.

Draws version pairs from real version lists (this machine's apt lists and
dpkg status, the advisories and package databases in ../shared/data), asks
bosun (one batch process: the compare_batch example) and the ecosystem's tool
(dpkg, Python packaging 21.3, npm's semver, Go's x/mod/semver, Maven's
ComparableVersion, rpm's labelCompare, Gem::Version, PHP's version_compare,
and apk-tools when an oracle binary is given) and reports per-ecosystem counts
and every disagreement. Exit status 1 if any disagreement is not a documented
known difference (listed in KNOWN below, each with its reason).

Run through scripts/version-differential.sh, which installs the tools.
"""

import argparse
import concurrent.futures
import glob
import json
import os
import random
import re
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent


def shared_data():
    env = os.environ.get("BOSUN_SHARED_DATA")
    for p in [env, ROOT.parent / "shared" / "data", ROOT / "../shared/data"]:
        if p and Path(p).is_dir():
            return Path(p)
    return None


# ---------------------------------------------------------------- pools

VERSIONISH = re.compile(r"^[0-9A-Za-z~^:+._-]{1,100}$")


def clean(vs):
    out = set()
    for v in vs:
        if isinstance(v, str):
            v = v.strip()
            if v and v != "0" and VERSIONISH.match(v):
                out.add(v)
    return sorted(out)


def osv_json_versions(files):
    vs = []
    for f in files:
        try:
            doc = json.loads(Path(f).read_text(errors="replace"))
        except (OSError, ValueError):
            continue
        if isinstance(doc, dict) and isinstance(doc.get("vulns"), list):
            doc = doc["vulns"]
        docs = doc if isinstance(doc, list) else [doc]
        for d in docs:
            if not isinstance(d, dict):
                continue
            for a in d.get("affected", []) or []:
                vs.extend(a.get("versions", []) or [])
                for r in a.get("ranges", []) or []:
                    if r.get("type") == "GIT":
                        continue
                    for e in r.get("events", []) or []:
                        vs.extend(e.values())
    return vs


YAML_EVENT = re.compile(r"^\s*-?\s*(introduced|fixed|last_affected):\s*['\"]?([^'\"\s#]+)")
YAML_ITEM = re.compile(r"^\s*-\s*['\"]?([^'\"\s#]+)['\"]?\s*$")


def osv_yaml_versions(files):
    vs = []
    for f in files:
        in_versions = False
        for line in Path(f).read_text(errors="replace").splitlines():
            m = YAML_EVENT.match(line)
            if m:
                vs.append(m.group(2))
                continue
            if re.match(r"^\s*versions:\s*$", line):
                in_versions = True
                continue
            if in_versions:
                m = YAML_ITEM.match(line)
                if m:
                    vs.append(m.group(1))
                else:
                    in_versions = False
    return vs


def read_maybe_compressed(p):
    """apt keeps its lists compressed (lz4, gz, xz...); apt-helper reads them all."""
    if p.endswith((".lz4", ".gz", ".xz", ".zst", ".bz2")):
        r = subprocess.run(["/usr/lib/apt/apt-helper", "cat-file", p], capture_output=True)
        return r.stdout.decode(errors="replace")
    return Path(p).read_text(errors="replace")


def dpkg_status_versions(paths):
    vs = []
    for p in paths:
        try:
            text = read_maybe_compressed(str(p))
        except OSError:
            continue
        vs.extend(re.findall(r"^Version: (\S+)$", text, re.M))
    return vs


def rpm_versions(data):
    vs = []
    for db in glob.glob(str(data / "pkgdb/rpm/**/rpmdb.sqlite"), recursive=True):
        with tempfile.TemporaryDirectory() as d:
            for suffix in ["", "-shm", "-wal"]:
                src = db + suffix
                if os.path.exists(src):
                    with open(src, "rb") as i, open(os.path.join(d, "rpmdb.sqlite" + suffix), "wb") as o:
                        o.write(i.read())
            r = subprocess.run(
                ["rpm", "-qa", "--dbpath", d, "--qf", "%{EPOCH}:%{VERSION}-%{RELEASE}\\n"],
                capture_output=True, text=True)
            for line in r.stdout.splitlines():
                vs.append(line[len("(none):"):] if line.startswith("(none):") else line)
    for tsv in glob.glob(str(data / "pkgdb/rpm/**/*.tsv"), recursive=True):
        for line in Path(tsv).read_text(errors="replace").splitlines():
            for field in line.split("\t"):
                if re.match(r"^(\d+:)?[0-9][^-\s]*-[^-\s]+$", field):
                    vs.append(field)
    return vs


def pools(data):
    p = {}
    apt = dpkg_status_versions(glob.glob("/var/lib/apt/lists/*_Packages*"))
    apt += dpkg_status_versions(["/var/lib/dpkg/status"])
    if data:
        apt += dpkg_status_versions(
            f for f in glob.glob(str(data / "pkgdb/dpkg/**/*"), recursive=True) if os.path.isfile(f))
    p["deb"] = clean(apt)
    if not data:
        return p
    adv = data / "advisories"
    p["pep440"] = clean(osv_yaml_versions(glob.glob(str(adv / "pypi/**/*.yaml"), recursive=True)))
    p["maven"] = clean(osv_json_versions(glob.glob(str(adv / "maven/*.json"))))
    p["go"] = clean(osv_json_versions(glob.glob(str(adv / "go/**/*.json"), recursive=True)))
    p["crates.io"] = clean(osv_json_versions(glob.glob(str(adv / "crates.io/**/*.json"), recursive=True)))
    npm = []
    for f in glob.glob(str(adv / "npm/**/*.json"), recursive=True):
        text = Path(f).read_text(errors="replace")
        npm += re.findall(r"\b\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?", text)
    p["npm"] = clean(npm)
    gems = []
    for f in glob.glob(str(adv / "rubygems/**/*.yml"), recursive=True):
        for line in Path(f).read_text(errors="replace").splitlines():
            if re.match(r"^\s*-\s*['\"]?[<>=~!]", line):
                gems += re.findall(r"[<>=~!]+\s*([0-9][0-9A-Za-z.\-]*)", line)
    p["rubygems"] = clean(gems)
    apk = []
    for f in glob.glob(str(adv / "alpine/**/*"), recursive=True):
        if os.path.isfile(f):
            apk += re.findall(r"\b(\d[0-9A-Za-z._~]*-r\d+)\b", Path(f).read_text(errors="replace"))
    for f in glob.glob(str(data / "pkgdb/**/installed"), recursive=True):
        apk += re.findall(r"^V:(\S+)$", Path(f).read_text(errors="replace"), re.M)
    p["apk"] = clean(apk)
    p["rpm"] = clean(rpm_versions(data))
    # Packagist: the shared advisories have no Packagist feed; use the real
    # advisory versions osv-scalibr collected (random pairs, not its sorted
    # neighbours).
    pk = []
    f = ROOT / "crates/bosun-version/tests/vectors/osv-scalibr/packagist-versions-generated.txt"
    if f.exists():
        for line in f.read_text().splitlines():
            parts = line.split(" ")
            if len(parts) == 3:
                pk += [parts[0].lstrip("vV"), parts[2].lstrip("vV")]
    p["packagist"] = clean(pk)
    return p


def draw_pairs(pool, n, rng):
    if len(pool) < 2:
        return []
    pairs = set()
    # Random pairs, and neighbours in string order (similar versions).
    for _ in range(n):
        a, b = rng.sample(pool, 2)
        pairs.add((a, b))
    s = sorted(pool)
    for _ in range(n // 2):
        i = rng.randrange(len(s) - 1)
        pairs.add((s[i], s[i + 1]))
    return sorted(pairs)


# ---------------------------------------------------------------- oracles

SIGN = {-1: "<", 0: "=", 1: ">"}


def sign(x):
    return SIGN[(x > 0) - (x < 0)]


def run_lines(cmd, lines, **kw):
    r = subprocess.run(cmd, input="".join(line + "\n" for line in lines), capture_output=True, text=True, **kw)
    if r.returncode != 0:
        raise RuntimeError(f"{cmd[0]} failed: {r.stderr[-2000:]}")
    return r.stdout.splitlines()


def oracle_dpkg(pairs, work):
    def one(pair):
        a, b = pair
        r = subprocess.run(["dpkg", "--compare-versions", a, "lt", b], capture_output=True)
        if r.returncode == 0:
            return "<"
        if r.returncode == 2 or r.stderr:
            if b"bad syntax" in r.stderr and b"warning" not in r.stderr:
                return "invalid"
        r = subprocess.run(["dpkg", "--compare-versions", a, "eq", b], capture_output=True)
        return "=" if r.returncode == 0 else ">"

    with concurrent.futures.ThreadPoolExecutor(max_workers=4) as ex:
        return list(ex.map(one, pairs))


def oracle_packaging(pairs, work):
    code = r"""
import sys
from packaging.version import Version, LegacyVersion, InvalidVersion
def parse(s):
    try:
        return Version(s)
    except InvalidVersion:
        return LegacyVersion(s)
for line in sys.stdin:
    a, b = line.rstrip("\n").split("\t")
    x, y = parse(a), parse(b)
    print("<" if x < y else ">" if x > y else "=")
"""
    env = dict(os.environ, PYTHONPATH=str(work / "py"), PYTHONWARNINGS="ignore")
    return run_lines([sys.executable, "-c", code], [f"{a}\t{b}" for a, b in pairs], env=env)


def oracle_node_semver(pairs, work):
    code = r"""
const semver = require('semver');
const rl = require('readline').createInterface({input: process.stdin});
const out = [];
rl.on('line', l => {
  const [a, b] = l.split('\t');
  if (!semver.valid(a) || !semver.valid(b)) { out.push('invalid'); return; }
  const c = semver.compare(a, b);
  out.push(c < 0 ? '<' : c > 0 ? '>' : '=');
});
rl.on('close', () => process.stdout.write(out.join('\n') + (out.length ? '\n' : '')));
"""
    env = dict(os.environ, NODE_PATH=str(work / "node/node_modules"))
    return run_lines(["node", "-e", code], [f"{a}\t{b}" for a, b in pairs], env=env)


def oracle_go(pairs, work):
    exe = work / "gosemver"
    return run_lines([str(exe)], [f"v{a}\tv{b}" for a, b in pairs])


def oracle_maven(pairs, work):
    return run_lines(["java", "-cp", f"{work / 'java'}:{os.environ['MAVEN_ARTIFACT_JAR']}", "MavenCompare"],
                     [f"{a}\t{b}" for a, b in pairs])


def oracle_rpm(pairs, work):
    code = r"""
import sys, re, rpm
def evr(s):
    m = re.match(r"^(\d*):", s)
    e = None
    if m:
        e, s = m.group(1) or "0", s[m.end():]
    v, sep, r = s.rpartition("-")
    if not sep:
        v, r = s, None
    return (e, v, r)
for line in sys.stdin:
    a, b = line.rstrip("\n").split("\t")
    c = rpm.labelCompare(evr(a), evr(b))
    print("<" if c < 0 else ">" if c > 0 else "=")
"""
    return run_lines(["/usr/bin/python3", "-c", code], [f"{a}\t{b}" for a, b in pairs])


def oracle_ruby(pairs, work):
    code = r"""
STDIN.each_line do |l|
  a, b = l.chomp.split("\t", 2)
  begin
    c = Gem::Version.new(a) <=> Gem::Version.new(b)
    puts(c < 0 ? "<" : c > 0 ? ">" : "=")
  rescue ArgumentError
    puts "invalid"
  end
end
"""
    return run_lines(["ruby", "-e", code], [f"{a}\t{b}" for a, b in pairs])


def oracle_php(pairs, work):
    code = r"""
while (($l = fgets(STDIN)) !== false) {
  [$a, $b] = explode("\t", rtrim($l, "\n"), 2);
  $c = version_compare(ltrim($a, "vV"), ltrim($b, "vV"));
  echo $c < 0 ? "<" : ($c > 0 ? ">" : "="), "\n";
}
"""
    return run_lines(["php", "-r", code], [f"{a}\t{b}" for a, b in pairs])


def oracle_apk(pairs, work):
    exe = os.environ.get("APK_ORACLE")
    return run_lines([exe], [f"{a}\t{b}" for a, b in pairs])


# label -> (bosun scheme, oracle, oracle name)
ECOSYSTEMS = {
    "deb": ("deb", oracle_dpkg, "dpkg --compare-versions"),
    "pep440": ("pep440", oracle_packaging, "Python packaging 21.3 (Version, LegacyVersion)"),
    "npm": ("semver", oracle_node_semver, "npm semver"),
    "crates.io": ("semver", oracle_node_semver, "npm semver (SemVer 2.0 precedence)"),
    "go": ("go", oracle_go, "golang.org/x/mod/semver"),
    "maven": ("maven", oracle_maven, "Maven ComparableVersion"),
    "rpm": ("rpm", oracle_rpm, "rpm.labelCompare (python3-rpm)"),
    "rubygems": ("rubygems", oracle_ruby, "Gem::Version"),
    "packagist": ("packagist", oracle_php, "PHP version_compare"),
    "apk": ("apk", oracle_apk, "apk-tools apk_version_compare"),
}

# Reasoned differences: (ecosystem, predicate on (a, b, bosun, oracle), why).
KNOWN = [
    ("packagist",
     lambda a, b, x, y: max(len(t) for t in re.findall(r"\d+", a + " " + b)) > 18,
     "PHP's strtol saturates numbers above 2^63; bosun compares them by value (osv-scalibr vectors)"),
    ("rpm",
     lambda a, b, x, y: ("-" in a.split(":")[-1]) != ("-" in b.split(":")[-1]),
     "rpm skips the release when one side has none; bosun orders the bare version first (osv-scalibr vectors)"),
]


def known(eco, a, b, x, y):
    for e, pred, why in KNOWN:
        if e == eco and pred(a, b, x, y):
            return why
    return None


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--work", required=True, type=Path)
    ap.add_argument("--bosun", required=True, help="path to the compare_batch binary")
    ap.add_argument("--pairs", type=int, default=3000, help="random pairs per ecosystem")
    ap.add_argument("--seed", type=int, default=20261123)
    ap.add_argument("--only", help="comma-separated ecosystems")
    args = ap.parse_args()

    rng = random.Random(args.seed)
    data = shared_data()
    if data is None:
        print("note: ../shared/data not found; only Debian (apt lists) is tested")
    pool = pools(data)
    only = set(args.only.split(",")) if args.only else None

    failures = 0
    summary = []
    for eco, (scheme, oracle, oracle_name) in ECOSYSTEMS.items():
        if only and eco not in only:
            continue
        vs = pool.get(eco, [])
        if eco == "apk" and not os.environ.get("APK_ORACLE"):
            summary.append(f"{eco:<10} skipped: no apk-tools oracle (Debian 12 has no apk-tools package; "
                           f"set APK_TOOLS_SRC to an apk-tools source tree)")
            continue
        pairs = draw_pairs(vs, args.pairs, rng)
        if not pairs:
            summary.append(f"{eco:<10} skipped: no versions found")
            continue
        try:
            theirs = oracle(pairs, args.work)
        except (OSError, RuntimeError, KeyError) as e:
            summary.append(f"{eco:<10} skipped: oracle {oracle_name} unavailable ({e})")
            continue
        ours = run_lines([args.bosun], [f"{scheme}\t{a}\t{b}" for a, b in pairs])
        agree = invalid = knowns = 0
        bad = []
        for (a, b), x, y in zip(pairs, ours, theirs):
            if y == "invalid":
                invalid += 1
                continue
            if x == y:
                agree += 1
                continue
            why = known(eco, a, b, x, y)
            if why:
                knowns += 1
                continue
            bad.append(f"  {eco}: {a} ? {b}: bosun {x!r}, {oracle_name} {y!r}")
        failures += len(bad)
        summary.append(f"{eco:<10} {len(pairs):>6} pairs from {len(vs):>6} versions: {agree} agree, "
                       f"{len(bad)} disagree, {knowns} known differences, {invalid} refused by the oracle "
                       f"[{oracle_name}]")
        for line in bad[:200]:
            print(line)
    print("\nversion differential (seed %d):" % args.seed)
    for s in summary:
        print("  " + s)
    print("\n%d disagreements" % failures)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
