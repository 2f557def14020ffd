#!/usr/bin/env bash
# Seeds fuzz/corpus/version_* with real version pairs from bosun-version's
# test vectors (one "A<TAB>B" file per comparison, a few hundred per target).
set -euo pipefail
cd "$(dirname "$0")"
V=../crates/bosun-version/tests/vectors/osv-scalibr
seed() { # target file...
    local t=$1; shift
    mkdir -p "corpus/$t"
    cat "$@" | grep -v '^#\|^//\|^$' | shuf -n 400 --random-source=<(yes) | awk -v d="corpus/$t" '{ f = d "/seed-" NR; printf "%s\t%s", $1, $3 > f; close(f) }'
}
seed version_deb $V/debian-versions*.txt
seed version_apk $V/alpine-versions*.txt
seed version_rpm $V/redhat-versions.txt
seed version_semver $V/semver-versions.txt
seed version_go $V/semver-versions.txt
seed version_pep440 $V/pypi-versions*.txt
seed version_maven $V/maven-versions*.txt
seed version_rubygems $V/rubygems-versions*.txt
seed version_packagist $V/packagist-versions*.txt
seed version_nuget $V/nuget-versions.txt
seed version_pub $V/pub-versions.txt
seed version_hackage $V/hackage-versions.txt
seed version_cran $V/cran-versions*.txt
mkdir -p corpus/version_osv_range
printf '1.2.3\n{"ranges":[{"type":"ECOSYSTEM","events":[{"introduced":"0"},{"fixed":"1.2.4"}]}],"versions":["1.0"]}' > corpus/version_osv_range/seed-1
printf '2:1.0-1\n[{"type":"SEMVER","events":[{"introduced":"1.0.0"},{"last_affected":"2.0.0"},{"limit":"*"}]}]' > corpus/version_osv_range/seed-2
