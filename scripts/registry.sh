#!/usr/bin/env bash
# Local OCI registries for bosun's tests (CNCF distribution 2.8, Debian's docker-registry).
#
#   scripts/registry.sh start    start all three (idempotent)
#   scripts/registry.sh stop     stop them (only the processes whose PID files we wrote)
#   scripts/registry.sh status   say what runs; exit 1 if any is down
#   scripts/registry.sh push     push every built test image into all three (cached by digest)
#
#   anonymous  127.0.0.1:5000  no auth
#   basic      127.0.0.1:5001  htpasswd (bcrypt) basic auth, user bosun / password bosun-test
#   token      127.0.0.1:5002  bearer-token auth; token server (scripts/test-images/token-server.py)
#                              on 127.0.0.1:5003, same user and password
#
# Storage, configs, logs and PID files live under .test-images/registry/.
# All listen on loopback only, over plain HTTP (clients need their "insecure"/"plain http" switch).
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

REG="$TI/registry"
USER_NAME=bosun
USER_PASS=bosun-test
TOKEN_ISSUER=bosun-test-token-issuer
TOKEN_SERVICE=bosun-test-registry
NAMES=(anonymous basic token)
declare -A PORT=([anonymous]=5000 [basic]=5001 [token]=5002 [token-server]=5003)

pid_alive() {
    local f="$REG/$1.pid"
    [ -f "$f" ] && kill -0 "$(cat "$f")" 2>/dev/null
}

write_config() {
    local name=$1 port=${PORT[$1]} auth=""
    mkdir -p "$REG/$name/data"
    case $name in
    anonymous) auth="" ;;
    basic)
        auth="auth:
  htpasswd:
    realm: bosun-test-basic
    path: $REG/basic/htpasswd"
        if [ ! -s "$REG/basic/htpasswd" ]; then
            htpasswd -Bbc "$REG/basic/htpasswd" "$USER_NAME" "$USER_PASS" 2>/dev/null
        fi
        ;;
    token)
        auth="auth:
  token:
    realm: http://127.0.0.1:${PORT[token-server]}/token
    service: $TOKEN_SERVICE
    issuer: $TOKEN_ISSUER
    rootcertbundle: $REG/token/signing-cert.pem"
        if [ ! -s "$REG/token/signing-cert.pem" ]; then
            openssl req -x509 -newkey rsa:2048 -nodes -sha256 -days 3650 \
                -subj "/CN=$TOKEN_ISSUER" \
                -keyout "$REG/token/signing-key.pem" -out "$REG/token/signing-cert.pem" 2>/dev/null
        fi
        ;;
    esac
    cat >"$REG/$name/config.yml" <<EOF
# written by scripts/registry.sh
version: 0.1
log:
  level: info
  fields:
    service: bosun-test-registry-$name
storage:
  filesystem:
    rootdirectory: $REG/$name/data
  delete:
    enabled: true
  cache:
    blobdescriptor: inmemory
http:
  addr: 127.0.0.1:$port
  secret: bosun-test-$name-not-secret
  headers:
    X-Content-Type-Options: [nosniff]
$auth
EOF
}

port_busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

free_port_or_die() {
    local port=$1 what=$2
    port_busy "$port" || return 0
    # Debian's docker-registry package runs a system service on :5000 where systemd is PID 1.
    if [ "$port" = 5000 ] && command -v systemctl >/dev/null && systemctl is-active --quiet docker-registry 2>/dev/null; then
        log "stopping and disabling Debian's docker-registry system service (it holds :5000)"
        systemctl disable --now docker-registry
        sleep 0.5
        port_busy "$port" || return 0
    fi
    die "port 127.0.0.1:$port (for $what) is taken by a process these scripts did not start"
}

start_one() {
    local name=$1
    if pid_alive "$name" && port_busy "${PORT[$name]}"; then
        log "registry $name already running (pid $(cat "$REG/$name.pid"), 127.0.0.1:${PORT[$name]})"
        return
    fi
    free_port_or_die "${PORT[$name]}" "registry $name"
    write_config "$name"
    log "starting registry $name on 127.0.0.1:${PORT[$name]} (log $REG/$name.log)"
    nohup docker-registry serve "$REG/$name/config.yml" >>"$REG/$name.log" 2>&1 </dev/null &
    echo $! >"$REG/$name.pid"
    wait_port "${PORT[$name]}" 15 || {
        tail -20 "$REG/$name.log" >&2
        die "registry $name did not start"
    }
}

start_token_server() {
    if pid_alive token-server && port_busy "${PORT[token-server]}"; then
        log "token server already running (pid $(cat "$REG/token-server.pid"), 127.0.0.1:${PORT[token-server]})"
        return
    fi
    free_port_or_die "${PORT[token-server]}" "token server"
    mkdir -p "$REG/token"
    [ -s "$REG/token/signing-cert.pem" ] || write_config token
    log "starting token server on 127.0.0.1:${PORT[token-server]} (log $REG/token-server.log)"
    nohup python3 "$REPO_ROOT/scripts/test-images/token-server.py" \
        --listen "127.0.0.1:${PORT[token-server]}" \
        --key "$REG/token/signing-key.pem" --cert "$REG/token/signing-cert.pem" \
        --issuer "$TOKEN_ISSUER" --user "$USER_NAME:$USER_PASS" \
        >>"$REG/token-server.log" 2>&1 </dev/null &
    echo $! >"$REG/token-server.pid"
    wait_port "${PORT[token-server]}" 15 || {
        tail -20 "$REG/token-server.log" >&2
        die "token server did not start"
    }
}

record_registries() {
    testimg registries --json "$(
        cat <<EOF
{
  "anonymous": {"address": "127.0.0.1:${PORT[anonymous]}", "auth": "none", "scheme": "http"},
  "basic": {"address": "127.0.0.1:${PORT[basic]}", "auth": "basic", "scheme": "http",
            "username": "$USER_NAME", "password": "$USER_PASS", "htpasswd": ".test-images/registry/basic/htpasswd"},
  "token": {"address": "127.0.0.1:${PORT[token]}", "auth": "bearer", "scheme": "http",
            "username": "$USER_NAME", "password": "$USER_PASS",
            "realm": "http://127.0.0.1:${PORT[token-server]}/token",
            "service": "$TOKEN_SERVICE", "issuer": "$TOKEN_ISSUER",
            "note": "anonymous token requests get a token with no access; wrong passwords get 401 from the token server"},
  "repository_prefix": "bosun-test/",
  "control": "scripts/registry.sh start|stop|status|push"
}
EOF
    )"
}

cmd_start() {
    require_root
    apt_ensure docker-registry apache2-utils openssl skopeo
    mkdir -p "$REG"
    start_one anonymous
    start_one basic
    start_token_server
    start_one token
    # the /v2/ endpoint answers 200 (anonymous) or 401 (auth) once the registry is up
    local code
    code=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:${PORT[anonymous]}/v2/") || true
    [ "$code" = 200 ] || die "anonymous registry /v2/ answered $code, not 200"
    for n in basic token; do
        code=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:${PORT[$n]}/v2/") || true
        [ "$code" = 401 ] || die "$n registry /v2/ answered $code without credentials, not 401"
    done
    code=$(curl -s -o /dev/null -w '%{http_code}' -u "$USER_NAME:$USER_PASS" "http://127.0.0.1:${PORT[basic]}/v2/") || true
    [ "$code" = 200 ] || die "basic registry /v2/ answered $code with credentials, not 200"
    record_registries
    log "registries up: anonymous :5000, basic :5001, token :5002 (token server :5003)"
}

stop_one() {
    local name=$1 f="$REG/$1.pid" pid i
    if [ ! -f "$f" ]; then
        log "$name: not running (no PID file)"
        return
    fi
    pid=$(cat "$f")
    if kill -0 "$pid" 2>/dev/null; then
        log "stopping $name (pid $pid)"
        kill "$pid"
        for ((i = 0; i < 50; i++)); do
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.1
        done
        kill -0 "$pid" 2>/dev/null && kill -9 "$pid"
    else
        log "$name: PID file was stale"
    fi
    rm -f "$f"
}

cmd_stop() {
    stop_one token
    stop_one token-server
    stop_one basic
    stop_one anonymous
}

cmd_status() {
    local rc=0 n
    for n in "${NAMES[@]}" token-server; do
        if pid_alive "$n" && port_busy "${PORT[$n]}"; then
            echo "$n: running (pid $(cat "$REG/$n.pid"), 127.0.0.1:${PORT[$n]})"
        else
            echo "$n: stopped"
            rc=1
        fi
    done
    return $rc
}

# push_one IMAGE_NAME LAYOUT TAG [--all]
push_one() {
    local image=$1 layout=$2 tag=$3 all=${4:-} n digest key
    digest=$(python3 -c 'import json,sys; idx=json.load(open(sys.argv[1]+"/index.json"))
print([m["digest"] for m in idx["manifests"] if m.get("annotations",{}).get("org.opencontainers.image.ref.name")==sys.argv[2]][0])' "$layout" "$tag")
    for n in "${NAMES[@]}"; do
        local ref="127.0.0.1:${PORT[$n]}/bosun-test/$image:latest"
        local stampf="$REG/$n/data/.bosun-pushed-$image"
        key="$digest"
        if [ -f "$stampf" ] && [ "$(cat "$stampf")" = "$key" ]; then
            log "registry $n: $image already pushed ($digest)"
        else
            local creds=()
            [ "$n" = anonymous ] || creds=(--dest-creds "$USER_NAME:$USER_PASS")
            run skopeo copy --quiet $all --dest-tls-verify=false "${creds[@]}" \
                --digestfile "$REG/$n/.digest-$image" "oci:$layout:$tag" "docker://$ref"
            printf '%s' "$key" >"$stampf"
        fi
        if [ -f "$REG/$n/.digest-$image" ]; then
            testimg export --image "$image" --kind "registry-$n" --ref "$ref" \
                --digest-file "$REG/$n/.digest-$image" --auth "$n"
        fi
    done
}

cmd_push() {
    require_root
    cmd_status >/dev/null || cmd_start
    local d image
    for d in "$TI"/images/*; do
        image=$(basename "$d")
        [ -d "$d" ] && [ -f "$d/oci/index.json" ] || continue
        [ -f "$TI/facts/$image.meta.json" ] || continue
        push_one "$image" "$d/oci" latest
    done
    if [ -f "$TI/images/bookworm-app-multiarch/oci/index.json" ]; then
        push_one bookworm-app-multiarch "$TI/images/bookworm-app-multiarch/oci" latest --all
    fi
}

case "${1:-}" in
start) cmd_start ;;
stop) cmd_stop ;;
status) cmd_status ;;
push) cmd_push ;;
*)
    echo "usage: $0 start|stop|status|push" >&2
    exit 2
    ;;
esac
