#!/usr/bin/env bash
# Differential test of bosun's version ordering against each ecosystem's own
# tool, on random pairs of real versions. Prints per-ecosystem counts and every
# disagreement; exits 1 on any disagreement that is not a documented known
# difference (scripts/version-differential/differential.py, KNOWN).
#
#   scripts/version-differential.sh [--pairs N] [--seed S] [--only deb,maven,...]
#
# Installs what it needs: rpm, python3-rpm, maven, ruby, php-cli, golang and
# golang.org/x/mod (apt); packaging 21.3 (pip, into a scratch dir, for pip's
# legacy-version fallback); semver (npm, into a scratch dir).
# apk-tools is not packaged by Debian: set APK_TOOLS_SRC to an apk-tools 2.x
# source tree (git checkout of its 2.14-stable branch) to include Alpine;
# otherwise Alpine is reported as skipped.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
HERE="$ROOT/scripts/version-differential"
WORK="${VERSION_DIFF_WORK:-${TMPDIR:-/tmp}/bosun-version-differential}"
mkdir -p "$WORK"

need_apt=()
command -v dpkg >/dev/null || need_apt+=(dpkg)
command -v rpm >/dev/null || need_apt+=(rpm)
/usr/bin/python3 -c 'import rpm' 2>/dev/null || need_apt+=(python3-rpm)
ls /usr/share/maven/lib/maven-artifact-*.jar >/dev/null 2>&1 || need_apt+=(maven)
command -v javac >/dev/null || need_apt+=(default-jdk-headless)
command -v ruby >/dev/null || need_apt+=(ruby)
command -v php >/dev/null || need_apt+=(php-cli)
command -v go >/dev/null || need_apt+=(golang-go)
[ -d /usr/share/gocode/src/golang.org/x/mod/semver ] || need_apt+=(golang-golang-x-mod-dev)
command -v node >/dev/null || need_apt+=(nodejs npm)
command -v gcc >/dev/null || need_apt+=(gcc)
if [ ${#need_apt[@]} -gt 0 ]; then
    echo "installing: ${need_apt[*]}"
    if [ "$(id -u)" -eq 0 ]; then SUDO=; else SUDO=sudo; fi
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi

PY="${PYTHON:-python3}"
[ -d "$WORK/py/packaging" ] || "$PY" -m pip install -q --disable-pip-version-check --target "$WORK/py" 'packaging==21.3'
[ -d "$WORK/node/node_modules/semver" ] || npm install -s --prefix "$WORK/node" semver@7 >/dev/null

export MAVEN_ARTIFACT_JAR="$(ls /usr/share/maven/lib/maven-artifact-*.jar | head -1)"
mkdir -p "$WORK/java"
javac -d "$WORK/java" -cp "$MAVEN_ARTIFACT_JAR" "$HERE/MavenCompare.java"
GOPATH=/usr/share/gocode GO111MODULE=off GOCACHE="$WORK/gocache" go build -o "$WORK/gosemver" "$HERE/gosemver.go"

if [ -n "${APK_TOOLS_SRC:-}" ]; then
    gcc -O1 -I"$APK_TOOLS_SRC/src" -o "$WORK/apk-oracle" "$HERE/apk_oracle.c" "$APK_TOOLS_SRC/src/version.c"
    export APK_ORACLE="$WORK/apk-oracle"
fi

(cd "$ROOT" && cargo build -q --release -p bosun-version --example compare_batch)
TARGET="${CARGO_TARGET_DIR:-$ROOT/target}"
exec "$PY" "$HERE/differential.py" --work "$WORK" --bosun "$TARGET/release/examples/compare_batch" "$@"
