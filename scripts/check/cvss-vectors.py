#!/usr/bin/env python3
"""Writes crates/bosun-cvss/tests/fixtures/{python-cvss,published}.tsv.

python-cvss.tsv: vectors (every one found in the shared advisories, plus random
ones over every metric) scored by Red Hat's `cvss` package (PyPI `cvss`, an
implementation independent of bosun's, which follows FIRST's calculators).
published.tsv: (vector, score) pairs as the feeds themselves publish them (NVD
baseScore, npm advisories' cvss_score).

Usage: PYTHONPATH=<dir with the cvss package> scripts/check/cvss-vectors.py [SHARED_DATA]
"""
import glob, json, os, random, re, sys
from cvss import CVSS2, CVSS3, CVSS4

shared = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), '../../../shared/data')
out = os.path.join(os.path.dirname(__file__), '../../crates/bosun-cvss/tests/fixtures')
vec_re = re.compile(r'(CVSS:[234]\.[01]/[A-Za-z:/]+|\(?AV:[NAL]/AC:[HML]/Au:[MSN]/C:[NPC]/I:[NPC]/A:[NPC]\)?)')
found = set()
published = set()
for path in glob.glob(os.path.join(shared, 'advisories/**/*'), recursive=True) + \
        glob.glob(os.path.join(shared, 'golden/trivy-integration/**/*.yaml'), recursive=True):
    if not os.path.isfile(path) or os.path.getsize(path) > 50_000_000:
        continue
    try:
        text = open(path, encoding='utf-8', errors='replace').read()
    except OSError:
        continue
    for m in vec_re.finditer(text):
        found.add(m.group(1).strip('()'))
    if path.endswith('full-page.json'):
        for v in json.loads(text)['vulnerabilities']:
            for key, ms in v['cve'].get('metrics', {}).items():
                for m in ms:
                    published.add((m['cvssData']['vectorString'], m['cvssData']['baseScore'], 'nvd'))
    if '/npm/vuln/npm/' in path and path.endswith('.json') and not path.endswith('index.json'):
        d = json.loads(text)
        if d.get('cvss_vector') and d.get('cvss_score') is not None:
            published.add((d['cvss_vector'], d['cvss_score'], 'npm'))

rnd = random.Random(20261123)
def pick(opts):
    return rnd.choice(opts)
for _ in range(3000):
    v = 'AV:%s/AC:%s/Au:%s/C:%s/I:%s/A:%s' % tuple(pick(x) for x in ['LAN', 'HML', 'MSN', 'NPC', 'NPC', 'NPC'])
    found.add(v)
for _ in range(6000):
    ver = pick(['3.0', '3.1'])
    v = 'CVSS:%s/AV:%s/AC:%s/PR:%s/UI:%s/S:%s/C:%s/I:%s/A:%s' % ((ver,) + tuple(pick(x) for x in ['NALP', 'LH', 'NLH', 'NR', 'UC', 'HLN', 'HLN', 'HLN']))
    found.add(v)
v4_opt = [('E', 'XAPU'), ('CR', 'XHML'), ('IR', 'XHML'), ('AR', 'XHML'), ('MAV', 'XNALP'), ('MAC', 'XLH'),
          ('MAT', 'XNP'), ('MPR', 'XNLH'), ('MUI', 'XNPA'), ('MVC', 'XHLN'), ('MVI', 'XHLN'), ('MVA', 'XHLN'),
          ('MSC', 'XHLN'), ('MSI', 'XSHLN'), ('MSA', 'XSHLN')]
for k in range(12000):
    base = 'CVSS:4.0/AV:%s/AC:%s/AT:%s/PR:%s/UI:%s/VC:%s/VI:%s/VA:%s/SC:%s/SI:%s/SA:%s' % tuple(
        pick(x) for x in [['N', 'A', 'L', 'P'], 'LH', 'NP', 'NLH', 'NPA', 'HLN', 'HLN', 'HLN', 'HLN', 'HLN', 'HLN'])
    if k % 2:
        for m, vals in v4_opt:
            if rnd.random() < 0.3:
                base += '/%s:%s' % (m, pick(vals))
    found.add(base)

rows = []
for v in sorted(found):
    try:
        if v.startswith('CVSS:4.0/'):
            s = CVSS4(v).base_score
        elif v.startswith('CVSS:3.'):
            s = CVSS3(v).scores()[0]
        else:
            s = CVSS2(v.replace('CVSS:2.0/', '')).scores()[0]
    except Exception as e:  # invalid vectors found in feeds: record as such
        rows.append('%s\tinvalid' % v)
        continue
    rows.append('%s\t%.1f' % (v, float(s)))
with open(os.path.join(out, 'python-cvss.tsv'), 'w') as f:
    f.write('# vector<TAB>base score by python cvss 3.6 (or "invalid"); see scripts/check/cvss-vectors.py\n')
    f.write('\n'.join(rows) + '\n')
with open(os.path.join(out, 'published.tsv'), 'w') as f:
    f.write('# vector<TAB>score<TAB>publisher, as published in the feeds; see scripts/check/cvss-vectors.py\n')
    for v, s, who in sorted(published):
        f.write('%s\t%.1f\t%s\n' % (v, float(s), who))
print(len(rows), 'vectors;', len(published), 'published scores')
