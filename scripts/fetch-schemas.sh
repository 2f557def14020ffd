#!/usr/bin/env bash
# Installs the published JSON schemas bosun's SBOM tests validate against:
# CycloneDX 1.6 (with the spdx and jsf schemas it references) and SPDX 2.3.
# They come from the lib4sbom wheel on PyPI, which ships the official schema
# files; nothing is committed. Output: .test-tools/schemas/{cyclonedx,spdx}/.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
dest="$repo/.test-tools/schemas"
version=0.10.4
if [ -f "$dest/.lib4sbom-$version" ]; then
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
touch "$dest/.lib4sbom-$version"
echo "schemas: installed CycloneDX 1.6 and SPDX 2.3 schemas into $dest"
