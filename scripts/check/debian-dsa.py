#!/usr/bin/env python3
"""An independent check of bosun's Debian matcher, deliberately plain.

Reads the Debian security tracker's DSA/DLA list files as text, reads the final
dpkg status of a docker-archive image, and for every installed package whose
source package has a fixed version for the image's release asks
`dpkg --compare-versions INSTALLED lt FIXED` (INSTALLED = the source version when
the status gives `Source: name (version)`, else the package version).

Prints one JSON object per finding: {"package", "version", "id", "fixed"} where
id is each CVE of the advisory (or the advisory when it lists none) and fixed is
the fixed version, "<unfixed>" or "<end-of-life>".

Usage: debian-dsa.py --image IMAGE.docker.tar --release bullseye LIST...
"""
import argparse, json, re, subprocess, sys, tarfile

HEADER = re.compile(r'^\[(\d\d) (\w\w\w) (\d{4})\] (D[SL]A-\S+)')
RELEASE = re.compile(r'^\s+\[([a-z-]+)\] - (\S+) (\S+)')


def read_lists(paths):
    """[(advisory, [cves], release, package, version-or-state)]"""
    out = []
    for path in paths:
        adv, cves = None, []
        with open(path, encoding='utf-8', errors='replace') as f:
            for line in f:
                m = HEADER.match(line)
                if m:
                    adv, cves = m.group(4), []
                    continue
                if adv is None:
                    continue
                s = line.strip()
                if s.startswith('{') and s.endswith('}'):
                    cves += [w for w in s[1:-1].split() if w.startswith('CVE-')]
                    continue
                m = RELEASE.match(line)
                if m:
                    out.append((adv, list(cves), m.group(1), m.group(2), m.group(3)))
    return out


def dpkg_status(image):
    """The last /var/lib/dpkg/status in the image's layers (docker-archive)."""
    status = None
    with tarfile.open(image) as t:
        manifest = json.load(t.extractfile('manifest.json'))
        for layer in manifest[0]['Layers']:
            with tarfile.open(fileobj=t.extractfile(layer)) as lt:
                for m in lt.getmembers():
                    if m.name.lstrip('./') == 'var/lib/dpkg/status' and m.isfile():
                        status = lt.extractfile(m).read().decode('utf-8', 'replace')
    return status or ''


def packages(status):
    for stanza in status.split('\n\n'):
        fields = {}
        for line in stanza.splitlines():
            if line[:1] in (' ', '\t') or ':' not in line:
                continue
            k, v = line.split(':', 1)
            fields[k.strip().lower()] = v.strip()
        if 'package' not in fields or 'version' not in fields:
            continue
        st = fields.get('status', 'install ok installed').split()
        if len(st) == 3 and st[2] in ('not-installed', 'config-files'):
            continue
        src, srcver = fields['package'], fields['version']
        if 'source' in fields:
            m = re.match(r'^(\S+)(?:\s+\((\S+)\))?$', fields['source'])
            if m:
                src = m.group(1)
                srcver = m.group(2) or fields['version']
        yield fields['package'], fields['version'], src, srcver


def lt(a, b):
    return subprocess.run(['dpkg', '--compare-versions', a, 'lt', b]).returncode == 0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--image', required=True)
    ap.add_argument('--release', required=True)
    ap.add_argument('lists', nargs='+')
    a = ap.parse_args()
    entries = [e for e in read_lists(a.lists) if e[2] == a.release]
    by_src = {}
    for e in entries:
        by_src.setdefault(e[3], []).append(e)
    found = set()
    for pkg, ver, src, srcver in packages(dpkg_status(a.image)):
        for adv, cves, _, _, fixed in by_src.get(src, []):
            if fixed == '<not-affected>':
                continue
            if fixed in ('<unfixed>', '<end-of-life>') or (fixed[:1].isdigit() and lt(srcver, fixed)):
                for vid in (cves or [adv]):
                    found.add((pkg, ver, vid, fixed))
    for pkg, ver, vid, fixed in sorted(found):
        print(json.dumps({'package': pkg, 'version': ver, 'id': vid, 'fixed': fixed}))


if __name__ == '__main__':
    sys.exit(main())
