#!/usr/bin/env bash
# A Docker-Engine-compatible API for bosun's tests, served by podman (no Docker engine here).
#
#   scripts/podman-service.sh start    install podman + runc, serve the API on
#                                      unix://.test-images/podman.sock and load bookworm-app into it
#   scripts/podman-service.sh stop     stop the service this script started
#   scripts/podman-service.sh status
#
# Clients: DOCKER_HOST=unix://$REPO/.test-images/podman.sock (Docker Engine API v1.41).
# The loaded image is bosun-test/bookworm-app:latest (podman shows it as
# docker.io/bosun-test/bookworm-app:latest); its ID is the config digest. Both are written to
# .test-images/podman.json (and so into manifest.json by the next build-test-images.sh run).
#
# Caveats on these machines (docs/TEST-MATERIAL.md): crun fails ("cgroups in hybrid mode not
# supported"), so containers.conf selects runc; the VM cannot raise rlimits, so default ulimits are
# lowered; no network for containers (netns "none").
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

SOCK="$TI/podman.sock"
PIDF="$TI/podman-service.pid"
LOGF="$TI/logs/podman-service.log"
CONF="$TI/podman-containers.conf"
IMAGE_TAR="$TI/images/bookworm-app/bookworm-app.docker.tar"
IMAGE_REF=bosun-test/bookworm-app:latest

write_conf() {
    cat >"$CONF" <<'EOF'
# written by scripts/podman-service.sh
[containers]
default_ulimits = ["nofile=1024:1024", "nproc=1024:1024"]
netns = "none"
log_driver = "k8s-file"

[engine]
runtime = "runc"
cgroup_manager = "cgroupfs"
events_logger = "file"
EOF
}

alive() { [ -f "$PIDF" ] && kill -0 "$(cat "$PIDF")" 2>/dev/null; }

api() { curl -sf --unix-socket "$SOCK" "http://d/v1.41$1"; }

cmd_start() {
    require_root
    apt_ensure podman runc curl
    mkdir -p "$TI/logs"
    write_conf
    export CONTAINERS_CONF="$CONF"
    if alive && api /_ping >/dev/null; then
        log "podman service already running (pid $(cat "$PIDF"), unix://$SOCK)"
    else
        rm -f "$SOCK"
        log "starting podman system service on unix://$SOCK (log .test-images/logs/podman-service.log)"
        nohup podman system service --time=0 "unix://$SOCK" >>"$LOGF" 2>&1 </dev/null &
        echo $! >"$PIDF"
        local i
        for ((i = 0; i < 100; i++)); do
            api /_ping >/dev/null 2>&1 && break
            sleep 0.1
        done
        api /_ping >/dev/null || {
            tail -20 "$LOGF" >&2
            die "podman service did not answer /_ping"
        }
    fi
    log "Docker API version: $(api /version | python3 -c 'import json,sys; v=json.load(sys.stdin); print(v.get("ApiVersion"), "(podman", v.get("Version"), ")")')"

    [ -f "$IMAGE_TAR" ] || die "$IMAGE_TAR missing: run scripts/build-test-images.sh first"
    local want id
    want=$(python3 -c 'import json,sys,tarfile; t=tarfile.open(sys.argv[1]); m=json.load(t.extractfile("manifest.json")); print(m[0]["Config"].split(".")[0])' "$IMAGE_TAR")
    id=$(podman image inspect --format '{{.Id}}' "docker.io/$IMAGE_REF" 2>/dev/null || true)
    if [ "$id" = "$want" ]; then
        log "bookworm-app already loaded ($id)"
    else
        # the archive's RepoTags name it docker.io/bosun-test/bookworm-app:latest
        run podman load -q -i "$IMAGE_TAR"
        id=$(podman image inspect --format '{{.Id}}' "docker.io/$IMAGE_REF")
        [ "$id" = "$want" ] || die "podman has $IMAGE_REF as $id, expected $want"
    fi
    # through the Docker API, as bosun will read it
    api "/images/docker.io/$IMAGE_REF/json" >/dev/null || die "Docker API cannot see $IMAGE_REF"
    python3 - "$TI/podman.json" "$SOCK" "$id" "$IMAGE_REF" "$REPO_ROOT" <<'EOF'
import json, os, sys
out, sock, image_id, ref, repo = sys.argv[1:]
json.dump({
    "socket": os.path.relpath(sock, repo),
    "docker_host": "unix://" + sock,
    "api_version": "1.41",
    "images": [{"name": "bookworm-app", "ref": ref, "podman_ref": "docker.io/" + ref,
                "id": "sha256:" + image_id,
                "note": "loaded from the docker-archive; the ID is the image config digest"}],
    "containers_conf": os.path.relpath(os.path.join(os.path.dirname(sock), "podman-containers.conf"), repo),
    "control": "scripts/podman-service.sh start|stop|status",
}, open(out, "w"), indent=2)
# keep manifest.json in step if the images were already built
man = os.path.join(os.path.dirname(out), "manifest.json")
if os.path.exists(man):
    m = json.load(open(man))
    pod = json.load(open(out))
    for im in pod["images"]:
        built = m.get("images", {}).get(im["name"], {}).get("config", {}).get("digest")
        im["matches_current_build"] = im["id"] == built
    m["podman"] = pod
    tmp = man + ".tmp"
    json.dump(m, open(tmp, "w"), indent=2)
    os.replace(tmp, man)
EOF
    echo "DOCKER_HOST=unix://$SOCK"
    echo "image $IMAGE_REF id sha256:$id"
}

cmd_stop() {
    if alive; then
        local pid i
        pid=$(cat "$PIDF")
        log "stopping podman service (pid $pid)"
        kill "$pid"
        for ((i = 0; i < 50; i++)); do
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.1
        done
        kill -0 "$pid" 2>/dev/null && kill -9 "$pid"
    else
        log "podman service not running"
    fi
    rm -f "$PIDF" "$SOCK"
}

cmd_status() {
    if alive && api /_ping >/dev/null 2>&1; then
        echo "podman service: running (pid $(cat "$PIDF"), DOCKER_HOST=unix://$SOCK)"
    else
        echo "podman service: stopped"
        return 1
    fi
}

case "${1:-}" in
start) cmd_start ;;
stop) cmd_stop ;;
status) cmd_status ;;
*)
    echo "usage: $0 start|stop|status" >&2
    exit 2
    ;;
esac
