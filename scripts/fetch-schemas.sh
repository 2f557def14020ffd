#!/usr/bin/env bash
# Installs the published JSON schemas bosun's report tests validate against:
# CycloneDX 1.6 (with the spdx and jsf schemas it references) and SPDX 2.3
# from the lib4sbom wheel on PyPI, and SARIF 2.1.0 (rtm.5, the OASIS
# standard's schema) from the @microsoft/jest-sarif package on npm. Nothing
# is committed. Output: .test-tools/schemas/{cyclonedx,spdx,sarif}/.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
dest="$repo/.test-tools/schemas"
version=0.10.4
sarif_pkg=@microsoft/jest-sarif@1.0.0-beta.0
if [ -f "$dest/.lib4sbom-$version" ] && [ -f "$dest/sarif/sarif-2.1.0.schema.json" ]; then
  echo "schemas: already installed in $dest"
  exit 0
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
python3 -m pip download --quiet --no-deps --dest "$tmp" "lib4sbom==$version"
python3 - "$tmp"/lib4sbom-*.whl "$tmp/x" <<'PY'
import sys, zipfile
zipfile.ZipFile(sys.argv[1]).extractall(sys.argv[2])
PY
mkdir -p "$dest/cyclonedx" "$dest/spdx"
src="$tmp/x/lib4sbom/schemas"
cp "$src/cyclonedx/bom-1.6.schema.json" "$src/cyclonedx/spdx.schema.json" \
   "$src/cyclonedx/jsf-0.82.schema.json" "$dest/cyclonedx/"
cp "$src/spdx/2.3-schema.json" "$dest/spdx/spdx-2.3.schema.json"
mkdir -p "$dest/sarif"
(cd "$tmp" && npm pack --silent "$sarif_pkg" >/dev/null && tar xzf microsoft-jest-sarif-*.tgz package/lib/schemas/sarif-2.1.0-rtm.5.json)
# The published rtm.5 schema's `language` pattern has a stray `]` that
# JavaScript reads as a literal and strict regex engines refuse; escape it so
# it means the same everywhere. Nothing else is changed.
sed 's/\[a-zA-Z\]{2}\]?\$/[a-zA-Z]{2}\\\\]?$/' \
  "$tmp/package/lib/schemas/sarif-2.1.0-rtm.5.json" > "$dest/sarif/sarif-2.1.0.schema.json"
touch "$dest/.lib4sbom-$version"
echo "schemas: installed CycloneDX 1.6, SPDX 2.3 and SARIF 2.1.0 schemas into $dest"
