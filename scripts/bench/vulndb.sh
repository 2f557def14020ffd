#!/bin/sh
# Benchmarks of the vulnerability database and matching (docs/BENCHMARKS.md,
# "Vulnerability database and matching"). Not a test: it prints numbers.
#
#   scripts/bench/vulndb.sh [ADVISORIES_DIR]
#
# ADVISORIES_DIR defaults to ../shared/data/advisories. Needs the test images
# (scripts/build-test-images.sh). Work files go to ${TMPDIR:-/tmp}/bosun-vulndb-bench.
set -eu

root=$(cd "$(dirname "$0")/../.." && pwd)
adv=${1:-"$root/../shared/data/advisories"}
work=${TMPDIR:-/tmp}/bosun-vulndb-bench
target=${CARGO_TARGET_DIR:-"$root/target"}
images="bookworm-app bookworm-base bookworm-nonroot bullseye-vuln trixie-app"

[ -d "$adv" ] || { echo "no advisory corpus at $adv" >&2; exit 2; }
rm -rf "$work"
mkdir -p "$work/inv" "$work/sboms"

echo "== build (release)"
(cd "$root" && cargo build --release --quiet -p bosun-vulndb -p bosun-match --examples)
ex="$target/release/examples"

echo "== machine: $(nproc) cores; load average $(cut -d' ' -f1-3 /proc/loadavg)"

echo "== import of everything in $adv"
for i in 1 2 3; do
    rm -f "$work/bosun.db"
    "$ex/import" "$work/bosun.db" "$adv" | tail -1
done
"$ex/import" "$work/bosun.db" "$adv" >"$work/import-report.txt"
grep -v '^    skip' "$work/import-report.txt"

echo "== size"
db_bytes=$(stat -c %s "$work/bosun.db")
gz_bytes=$(tar -C "$(dirname "$adv")" -cf - "$(basename "$adv")" | gzip -6 | wc -c)
raw_bytes=$(du -sb "$adv" | cut -f1)
echo "inputs $raw_bytes bytes, tar | gzip -6 $gz_bytes bytes; database $db_bytes bytes"
awk -v d="$db_bytes" -v g="$gz_bytes" 'BEGIN { printf "database / gzip of its input = %.2f\n", d / g }'

echo "== inventories of the test images (match_image also times one match)"
for img in $images; do
    tar="$root/.test-images/images/$img/$img.docker.tar"
    "$ex/match_image" "$work/bosun.db" "docker-archive:$tar" "$work/inv/$img.json" | tail -1 | sed "s/^/$img: /"
done

echo "== matching bookworm-app's inventory after the database is open"
"$ex/vulndb_bench" match "$work/bosun.db" "$work/inv/bookworm-app.json" 30

echo "== rescanning 1,000 stored SBOMs"
invs=""
for img in $images; do invs="$invs $work/inv/$img.json"; done
# shellcheck disable=SC2086
"$ex/vulndb_bench" write-sboms "$work/sboms" 1000 $invs
for i in 1 2 3; do
    "$ex/vulndb_bench" rescan "$work/bosun.db" "$work/sboms"
done
echo "-- the same with a new matcher for every SBOM (nothing shared between SBOMs)"
"$ex/vulndb_bench" rescan "$work/bosun.db" "$work/sboms" --fresh
echo "== load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
