#!/usr/bin/env bash
# Seeds fuzz/corpus/{secrets_*,policy_file,gate_*,sbom_read,vulndb_*} with real
# inputs from the repository: bosun-vulndb's feed fixtures (OSV, Debian
# tracker and DSA list, Alpine secdb, NVD, npm, rubysec), the example and
# starter policies, the ignore/VEX examples of the docs, the SBOM snapshots of
# bosun-sbom, the secrets settings example of docs/SECRETS.md and text files
# with secret-shaped values (assembled here: the repository holds none).
# Uses the test images' kept root filesystem and /work/shared's SBOMs when
# they exist. Needs python3.
set -euo pipefail
cd "$(dirname "$0")"
R=..
V=$R/crates/bosun-vulndb/tests/fixtures
C=corpus
for t in secrets_scan_file secrets_config policy_file gate_ignore gate_vex sbom_read \
    vulndb_osv_json vulndb_debian_tracker vulndb_debian_list vulndb_alpine_secdb vulndb_nvd \
    vulndb_yaml vulndb_osv_zip; do
    mkdir -p "$C/$t"
done

# vulndb: every feed fixture goes to the target of its format (JSON shapes
# share one code path, so each JSON seed also goes to the OSV target).
for f in "$V"/osv/*.json "$V"/npm/*.json; do cp "$f" "$C/vulndb_osv_json/seed-$(basename "$f")"; done
cp "$V/debian/tracker.json" "$C/vulndb_debian_tracker/seed-tracker.json"
cp "$V/debian/DSA-list-head.txt" "$C/vulndb_debian_list/seed-DSA-list-head"
for f in "$V"/osv/*.yaml "$V"/rubysec/*.yml "$V"/alpine/*.yaml; do
    cp "$f" "$C/vulndb_yaml/seed-$(basename "$f")"
done
python3 - "$V" "$C" <<'EOF'
import io, json, sys, zipfile
fix, corpus = sys.argv[1], sys.argv[2]
# NVD: the real page cut to its first three CVEs (the whole page is over -max_len).
page = json.load(open(f"{fix}/nvd/full-page.json"))
page["vulnerabilities"] = page.get("vulnerabilities", [])[:3]
page["resultsPerPage"] = len(page["vulnerabilities"])
json.dump(page, open(f"{corpus}/vulndb_nvd/seed-nvd-3.json", "w"))
# Alpine secdb as JSON (the fixture is YAML; PyYAML converts it when installed).
try:
    import importlib
    yaml = importlib.import_module("yaml")
    doc = yaml.safe_load(open(f"{fix}/alpine/v3.15-main.yaml"))
    json.dump(doc, open(f"{corpus}/vulndb_alpine_secdb/seed-v3.15-main.json", "w"))
except Exception:
    pass
json.dump({"distroversion": "v3.15", "reponame": "main", "urlprefix": "https://dl-cdn.alpinelinux.org/alpine",
           "packages": [{"pkg": {"name": "openssl", "secfixes": {"1.1.1l-r0": ["CVE-2021-3711", "CVE-2021-3712"],
                                                                 "0": ["CVE-2000-0001"]}}},
                        {"pkg": {"name": "busybox", "secfixes": {"1.34.1-r3": ["CVE-2022-28391"]}}}]},
          open(f"{corpus}/vulndb_alpine_secdb/seed-small.json", "w"))
# OSV all.zip with two real records.
buf = io.BytesIO()
with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
    for name in ("GO-2023-1568.json", "RUSTSEC-2021-0003.json"):
        z.write(f"{fix}/osv/{name}", name)
open(f"{corpus}/vulndb_osv_zip/seed-all.zip", "wb").write(buf.getvalue())
EOF

# policy, gate
cp $R/policies/example/bosun.yaml $C/policy_file/seed-example.yaml
cp $R/crates/bosun-policy/src/starter.yaml $C/policy_file/seed-starter.yaml
cat > $C/policy_file/seed-all-rules.yaml <<'EOF'
version: 1
registries:
  trusted: [registry.example.com/team, 127.0.0.1:5000]
base_images:
  approved:
    - name: bookworm
      diff_ids: ['sha256:0000000000000000000000000000000000000000000000000000000000000000']
packages:
  minimum:
    - {name: libc6, ecosystem: deb, version: 2.36-9+deb12u8}
    - {name: requests, version: 2.19.1}
  banned:
    - {name: tzdata, reason: not needed}
vulnerabilities:
  max_cvss: 7.5
  max_count: 3
  fixable_only: true
  fail_on_severity: HIGH
image:
  non_root: true
  user: '1000'
  require_entrypoint: true
  required_labels: [org.opencontainers.image.source]
  require_healthcheck: true
  max_age_days: 30
checks:
  must_pass: [BOSUN-IMG-001, '*']
secrets:
  disable_rules: [jwt]
EOF
cat > $C/gate_ignore/seed-docs <<'EOF'
ignore:
  - id: DSA-5514-1
    reason: ld.so tunables are disabled in our runtime
    expires: 2027-01-01
  - package: tzdata
    ecosystem: deb
  - package: requests
    version: 2.19.1
  - path: /app/lib/**
    reason: vendored, replaced next sprint
    expires: 2026-01-01
EOF
cat > $C/gate_vex/seed-openvex.json <<'EOF'
{"@context": "https://openvex.dev/ns/v0.2.0", "@id": "https://example.com/vex/app-1",
 "author": "team", "timestamp": "2026-11-01T00:00:00Z", "version": 1,
 "statements": [
  {"vulnerability": {"name": "CVE-2023-4911", "aliases": ["DSA-5514-1"]},
   "products": [{"@id": "pkg:oci/app@sha256:aa", "subcomponents": [{"@id": "pkg:deb/debian/libc6"}]}],
   "status": "not_affected", "justification": "vulnerable_code_not_in_execute_path"},
  {"vulnerability": {"name": "GHSA-x84v-xcm2-53pg"}, "products": [{"@id": "pkg:pypi/requests@2.19.1"}],
   "status": "fixed"},
  {"vulnerability": "CVE-2022-0002", "products": ["pkg:deb/debian/tzdata"], "status": "affected",
   "action_statement": "upgrade"}]}
EOF
if [ -f $R/crates/bosun-match/tests/fixtures/trivy-integration/vex/openvex.json ]; then
    cp $R/crates/bosun-match/tests/fixtures/trivy-integration/vex/openvex.json $C/gate_vex/seed-trivy-openvex.json
fi

# sbom: bosun's own CycloneDX and SPDX output (the insta snapshots without
# their header), Trivy's SBOM test fixtures when /work/shared has them.
for s in $R/crates/bosun-sbom/tests/snapshots/*.snap; do
    awk 'n >= 2 {print} /^---$/ {n++}' "$s" > "$C/sbom_read/seed-$(basename "$s" .snap).json"
done
SB=/work/shared/data/golden/trivy-integration/integration/testdata/fixtures/sbom
if [ -d $SB ]; then
    for f in $SB/*.json; do head -c 60000 "$f" > "$C/sbom_read/seed-trivy-$(basename "$f")"; done
fi

# secrets: settings example, and text files with secret-shaped values.
awk '/^```yaml$/ {on = 1; next} /^```$/ {on = 0} on' $R/docs/SECRETS.md | sed -n '/^secrets:/,$p' \
    | sed '1d; s/^  //' > $C/secrets_config/seed-docs.yaml
printf 'rules:\n  - id: acme\n    severity: high\n    keywords: [acme_]\n    regex: '\''\\bacme_(?P<secret>[a-z0-9]{32})\\b'\''\n    paths: ["/app/**"]\nallow_paths: ["**/*.sample"]\nallow_patterns: ["dummy-[0-9]+"]\nmax_file_size: 1000\nbuiltin_allow_paths: false\n' \
    > $C/secrets_config/seed-custom.yaml
python3 - "$C/secrets_scan_file" <<'EOF'
import sys
out = sys.argv[1]
gh = "ghp" + "_" + "bosunFAKEtoken0123456789abcdefABCDEF"
aws = "AK" + "IA" + "Z7BOSUNFAKEKEY42"
secret = "bosunFAKEsecretKEY/not+real/0123456789ab"
slack = "xox" + "b-417281234567-4172812345678-bosunFakeSlackTok3nAbCdEf"
pem = "-----BEGIN RSA " + "PRIVATE KEY-----\nMIIEowIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo4lgOEePzNm0tRgeLezV6ffAt0gun\n-----END RSA " + "PRIVATE KEY-----\n"
seeds = {
    0: f"notes\ntoken: {gh}\n",
    1: f"DB_PASSWORD=Hunter2-not-a-real-password\nAPI_KEY='abcdef1234567890'\n",
    2: f"[default]\naws_access_key_id = {aws}\naws_secret_access_key = {secret}\n",
    3: "root:$6$saltsalt$2vIkBhcDq6N2A3pdJ3cRUm0bO0p3H8kr4rXb7rJSS1nMIyVOJ1T1/5bYb5w2uWQ3n3XyE9jHV0qK0TnU0v6Tb/:19000:0:99999:7:::\n",
    4: "machine api.example.net login me password s3cr3t-pass\n",
    5: "db.internal:5432:app:appuser:Hunter2-not-real\n",
    6: '{"auths": {"registry.example.net": {"auth": "dXNlcjpwYXNzd29yZA=="}}}\n',
    7: "//registry.npmjs.org/:_authToken=npm_" + "bosunFAKEnpmTOKEN0123456789abcdefABCD\n",
    8: f"notify:\n  slack: {slack}\n  url: postgres://appuser:Hunter2pw@db.internal.example/app\n",
    9: pem,
}
for pick, text in seeds.items():
    open(f"{out}/seed-{pick}", "wb").write(bytes([pick]) + text.encode())
EOF
ROOTFS=$R/.test-images/rootfs/bookworm-app
if [ -d $ROOTFS ]; then
    for f in etc/ssh/sshd_config etc/passwd etc/login.defs opt/app/config/app.yaml opt/nodeapp/package.json; do
        if [ -f "$ROOTFS/$f" ]; then
            { printf '\x08'; head -c 20000 "$ROOTFS/$f"; } > "$C/secrets_scan_file/seed-rootfs-$(basename "$f")"
        fi
    done
fi
chmod -R u+w $C
echo "seeded: $(ls $C/secrets_scan_file | wc -l) secrets, $(ls $C/sbom_read | wc -l) sbom, $(cat <(ls $C/vulndb_*) | wc -l) vulndb files"
