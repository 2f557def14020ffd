# shellcheck shell=bash
# Shared helpers for scripts/build-test-images.sh, registry.sh, podman-service.sh and
# install-peers.sh. Source it; do not run it.

set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# Everything the scripts make lives here (gitignored).
TI="${BOSUN_TEST_IMAGES:-$REPO_ROOT/.test-images}"
# shellcheck disable=SC2034 # used by the scripts that source this file
PEERS="${BOSUN_PEERS:-$REPO_ROOT/.peers}"
TESTIMG_PY="$REPO_ROOT/scripts/test-images/testimg.py"

log() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
step() { printf '\n[%s] === %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() {
    printf '[%s] ERROR: %s\n' "$(date +%H:%M:%S)" "$*" >&2
    exit 1
}
# Print a command, then run it.
run() {
    log "+ $*"
    "$@"
}

require_root() {
    [ "$(id -u)" -eq 0 ] || die "$(basename "$0") must run as root (debootstrap, chroot, mounts, apt-get)"
}

_APT_UPDATED=0
# Install Debian packages that are not installed yet (apt-get update at most once per run).
apt_ensure() {
    local missing=() p
    for p in "$@"; do
        if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
            missing+=("$p")
        fi
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    if [ "$_APT_UPDATED" -eq 0 ]; then
        run apt-get update -q
        _APT_UPDATED=1
    fi
    run env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
}

# The Debian mirror this machine's apt uses (the only one reachable), for debootstrap.
debian_mirror() {
    if [ -n "${BOSUN_DEBIAN_MIRROR:-}" ]; then
        echo "$BOSUN_DEBIAN_MIRROR"
        return
    fi
    local uri
    uri="$(
        {
            grep -hE '^URIs:' /etc/apt/sources.list.d/*.sources 2>/dev/null | awk '{print $2}'
            grep -hE '^deb ' /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null |
                sed -E 's/\[[^]]*\]//' | awk '{print $2}'
        } | grep -E '/debian/?$' | grep -v -- '-security' | head -n1
    )" || true
    echo "${uri:-http://deb.debian.org/debian}"
}

# Stamps: a stamp records the key of finished work; a rerun with the same key skips it.
stamp_ok() { [ -f "$TI/stamps/$1" ] && [ "$(cat "$TI/stamps/$1")" = "$2" ]; }
stamp_set() {
    mkdir -p "$TI/stamps"
    printf '%s' "$2" >"$TI/stamps/$1"
}
stamp_clear() { rm -f "$TI/stamps/$1"; }

# Seconds since the epoch, for timings.
now_s() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$(now_s)" 'BEGIN { printf "%.1f", b - a }'; }

testimg() { python3 "$TESTIMG_PY" "$@"; }

# Wait until a TCP port on 127.0.0.1 accepts connections (or fail after $2 seconds).
wait_port() {
    local port=$1 timeout=${2:-15} i
    for ((i = 0; i < timeout * 10; i++)); do
        if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
            return 0
        fi
        sleep 0.1
    done
    return 1
}
