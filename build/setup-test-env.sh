#!/usr/bin/env bash
# Sets up the integration-test environment for Containers.Build on Debian 12 (run as root):
#
#   1. installs the tools (registry, skopeo, podman, runc, umoci, debootstrap, ...) from apt;
#   2. makes podman use runc (crun does not work with this cgroup setup);
#   3. starts a distribution registry on 127.0.0.1:5000 (loopback only, deletes enabled), and a
#      read-only one on 127.0.0.1:5001 serving the same storage (for tests of refused pushes);
#   4. builds .NET base images offline (no image registry on the internet needed) and pushes:
#        127.0.0.1:5000/dotnet/runtime-deps:10.0  Docker v2 schema 2 manifest
#        127.0.0.1:5000/dotnet/runtime:10.0       OCI manifest
#        127.0.0.1:5000/dotnet/aspnet:10.0        OCI image index (one linux/amd64 entry)
#
# Idempotent: a re-run only checks that everything is in place (a few seconds).
#
# Environment:
#   CONTAINERS_BUILD_STATE  state folder (default /tmp/containers-build-env)
#   FORCE=1                 rebuild and re-push the images even if they are in the registry
#                           (the cached debootstrap rootfs is reused; delete <state>/cache to redo it)
#   DEBIAN_MIRROR           mirror for debootstrap (default: the one apt uses)
#   DOTNET_HOST_DIR         .NET install to copy into the images (default: $DOTNET_ROOT, the dir of
#                           `dotnet` on PATH, or /usr/share/dotnet)
#   DOTNET_CHANNEL          runtime major.minor to package, also the image tag (default 10.0)
#
# build/stop-test-env.sh stops the registry again.
set -euo pipefail
umask 022

STATE_DIR=${CONTAINERS_BUILD_STATE:-/tmp/containers-build-env}
FORCE=${FORCE:-0}
DOTNET_CHANNEL=${DOTNET_CHANNEL:-10.0}
REGISTRY=127.0.0.1:5000
READONLY_REGISTRY=127.0.0.1:5001
# For the registry client's tests (issue 4): HTTPS + Basic auth, and bearer-token auth.
TLS_REGISTRY=127.0.0.1:5443
TOKEN_REGISTRY=127.0.0.1:5002
TOKEN_SERVER=127.0.0.1:5003
TOKEN_SERVICE=containers-build-test
TEST_USER=cbuser
TEST_PASSWORD=cb-test-password
SUITE=bookworm
# Timestamp for layer file mtimes and the image configs, so that the images are reproducible.
SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-0}

REGISTRY_DIR=$STATE_DIR/registry
PKI_DIR=$STATE_DIR/pki
CACHE_DIR=$STATE_DIR/cache
WORK_DIR=$STATE_DIR/work
LAYOUT_DIR=$STATE_DIR/oci
# Bump ROOTFS_REVISION when the rootfs recipe changes, so that the cached layer gets rebuilt.
ROOTFS_REVISION=2
ROOTFS_LAYER=$CACHE_DIR/rootfs-$SUITE-minbase-r$ROOTFS_REVISION.tar.gz

log() { printf '==> %s\n' "$*" >&2; }
die() { printf 'setup-test-env: error: %s\n' "$*" >&2; exit 1; }

[[ $(id -u) == 0 ]] || die "must run as root"

mkdir -p "$STATE_DIR" "$REGISTRY_DIR" "$CACHE_DIR"
# Serialise concurrent runs (e.g. two test jobs starting at once).
exec 9>"$STATE_DIR/.lock"
flock 9

SECONDS=0

# ---------------------------------------------------------------------------------------------
# 1. Packages
# ---------------------------------------------------------------------------------------------
PACKAGES=(docker-registry skopeo podman runc uidmap umoci debootstrap debian-archive-keyring
          wget curl jq ca-certificates python3-jsonschema openssl apache2-utils)

install_packages() {
    local missing=() p
    for p in "${PACKAGES[@]}"; do
        [[ $(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null) == installed ]] || missing+=("$p")
    done
    ((${#missing[@]})) || return 0

    log "installing ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -q
    # The docker-registry package starts its own service on 0.0.0.0:5000 (with
    # /etc/docker/registry/config.yml) when systemd is running; a policy-rc.d that denies
    # service starts keeps it from grabbing the port during the install.
    local policy=/usr/sbin/policy-rc.d added_policy=0
    if [[ ! -e $policy ]]; then
        printf '#!/bin/sh\nexit 101\n' >"$policy"
        chmod 755 "$policy"
        added_policy=1
    fi
    local rc=0
    # runc is listed explicitly, so apt satisfies podman's "crun | runc" without pulling crun.
    apt-get install -y -q -o Dpkg::Use-Pty=0 "${missing[@]}" || rc=$?
    ((added_policy)) && rm -f "$policy"
    ((rc == 0)) || die "apt-get install failed"
}

# ---------------------------------------------------------------------------------------------
# 2. podman configuration
# ---------------------------------------------------------------------------------------------
configure_podman() {
    local conf=/etc/containers/containers.conf want
    want=$(cat <<'EOF'
[containers]
default_ulimits = ["nofile=20000:20000", "nproc=4096:4096"]
[engine]
runtime = "runc"
EOF
)
    if [[ ! -f $conf ]] || [[ $(<"$conf") != "$want" ]]; then
        log "writing $conf"
        mkdir -p "${conf%/*}"
        printf '%s\n' "$want" >"$conf.tmp"
        mv "$conf.tmp" "$conf"
    fi
}

# ---------------------------------------------------------------------------------------------
# 3. Registry
# ---------------------------------------------------------------------------------------------
# HTTP status of GET /v2/ at base URL $1 ("000" if nothing answers). TLS registries use the test CA.
registry_status() {
    curl -s -o /dev/null -w '%{http_code}' --max-time 5 --cacert "$PKI_DIR/ca.crt" "$1/v2/" || true
}

# Pid from pid file $1 if that process is still a registry, else empty.
our_registry_pid() {
    local pid
    [[ -f $1 ]] || return 0
    pid=$(<"$1")
    if [[ $pid =~ ^[0-9]+$ ]] && [[ $(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null) == *docker-registry* ]]; then
        echo "$pid"
    fi
}

# start_registry NAME ADDRESS READONLY [KIND]
# Starts (or keeps) a registry serving $REGISTRY_DIR/data on ADDRESS. All share the storage, so every one
# has the base images. KIND: plain (HTTP, no auth), tls-htpasswd (HTTPS with the test CA's certificate and
# Basic auth), token (HTTP, bearer tokens from the test suite's token server, which signs them with the
# key whose certificate is the registry's rootcertbundle).
start_registry() {
    local name=$1 address=$2 readonly=$3 kind=${4:-plain}
    local config=$REGISTRY_DIR/$name.yml pid_file=$REGISTRY_DIR/$name.pid log_file=$REGISTRY_DIR/$name.log
    local config_changed=0 pid status i scheme=http ready=200 extra_http="" auth=""
    case $kind in
    tls-htpasswd)
        scheme=https ready=401
        extra_http="  tls:
    certificate: $PKI_DIR/server.crt
    key: $PKI_DIR/server.key"
        auth="auth:
  htpasswd:
    realm: containers-build-test
    path: $REGISTRY_DIR/htpasswd"
        ;;
    token)
        ready=401
        auth="auth:
  token:
    realm: http://$TOKEN_SERVER/token
    service: $TOKEN_SERVICE
    issuer: $TOKEN_SERVICE
    rootcertbundle: $PKI_DIR/token.crt"
        ;;
    esac
    mkdir -p "$REGISTRY_DIR/data"
    # Not /etc/docker/registry/config.yml: that one listens on 0.0.0.0 and wants htpasswd auth.
    # No blob descriptor cache: with deletes enabled it can serve stale answers after a delete.
    cat >"$config.tmp" <<EOF
version: 0.1
log:
  level: info
  fields:
    service: $name
storage:
  filesystem:
    rootdirectory: $REGISTRY_DIR/data
  delete:
    enabled: true
  maintenance:
    readonly:
      enabled: $readonly
    # Both registries share the storage; only the writable one could purge, and tests need no purging.
    uploadpurging:
      enabled: false
http:
  addr: $address
  headers:
    X-Content-Type-Options: [nosniff]
$extra_http
$auth
EOF
    if cmp -s "$config.tmp" "$config"; then
        rm -f "$config.tmp"
    else
        mv "$config.tmp" "$config"
        config_changed=1
    fi

    pid=$(our_registry_pid "$pid_file")
    if [[ -n $pid ]] && ((config_changed)); then
        log "$name config changed, restarting it (pid $pid)"
        kill "$pid" 2>/dev/null || true
        for ((i = 0; i < 50; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        pid=
    fi

    status=$(registry_status "$scheme://$address")
    if [[ $status == "$ready" ]]; then
        if [[ -n $pid ]]; then
            log "$name already running on $address (pid $pid)"
        else
            log "reusing the registry that already answers on $address (not started by this script)"
        fi
        return 0
    fi
    [[ $status == 000 ]] || die "something on $address answers GET /v2/ with HTTP $status; is it a registry?"
    if [[ -n $pid ]]; then
        log "$name pid $pid does not answer, restarting it"
        kill "$pid" 2>/dev/null || true
        sleep 1
    fi

    log "starting $name on $address (storage $REGISTRY_DIR/data, read-only: $readonly)"
    rm -f "$pid_file"
    # setsid + nohup: detach from this shell's session so the registry survives the script, its
    # terminal and its process group. env -i: the registry lets REGISTRY_* variables override
    # its config, so don't let the caller's environment leak in. The shell writes its own pid
    # and then execs, so the pid file is right whether or not setsid had to fork. 9>&-: the
    # registry must not inherit (and hold forever) this script's lock.
    # shellcheck disable=SC2016 # $$ is for the inner shell
    setsid nohup env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin \
        sh -c 'echo $$ >"$1"; exec /usr/bin/docker-registry serve "$2"' \
        sh "$pid_file" "$config" \
        </dev/null >>"$log_file" 2>&1 9>&- &

    for ((i = 0; i < 300; i++)); do
        if [[ $(registry_status "$scheme://$address") == "$ready" ]]; then
            log "$name is up (pid $(<"$pid_file"))"
            return 0
        fi
        if ((i > 5)) && [[ -z $(our_registry_pid "$pid_file") ]]; then
            tail -n 20 "$log_file" >&2 || true
            die "$name exited, see $log_file"
        fi
        sleep 0.1
    done
    die "$name did not answer on http://$address/v2/ within 30 s, see $log_file"
}

# A test CA, a server certificate for 127.0.0.1 and localhost signed by it, a token-signing key with a
# self-signed certificate (the token registry's rootcertbundle), and the htpasswd file. Made once.
make_test_pki() {
    mkdir -p "$PKI_DIR"
    if [[ ! -f $PKI_DIR/server.crt ]]; then
        log "making the test CA and certificates in $PKI_DIR"
        openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -subj "/CN=Containers.Build test CA" \
            -keyout "$PKI_DIR/ca.key" -out "$PKI_DIR/ca.crt" 2>/dev/null
        openssl req -newkey rsa:2048 -nodes -subj "/CN=127.0.0.1" \
            -keyout "$PKI_DIR/server.key" -out "$PKI_DIR/server.csr" 2>/dev/null
        printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n' >"$PKI_DIR/server.ext"
        openssl x509 -req -in "$PKI_DIR/server.csr" -CA "$PKI_DIR/ca.crt" -CAkey "$PKI_DIR/ca.key" -CAcreateserial \
            -days 3650 -extfile "$PKI_DIR/server.ext" -out "$PKI_DIR/server.crt" 2>/dev/null
        openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -subj "/CN=Containers.Build test token signer" \
            -keyout "$PKI_DIR/token.key" -out "$PKI_DIR/token.crt" 2>/dev/null
        chmod 0644 "$PKI_DIR"/*.key
    fi
    if [[ ! -f $REGISTRY_DIR/htpasswd ]]; then
        htpasswd -Bbn "$TEST_USER" "$TEST_PASSWORD" >"$REGISTRY_DIR/htpasswd"
    fi
}

# ---------------------------------------------------------------------------------------------
# 4. Images
# ---------------------------------------------------------------------------------------------
MT_OCI_MANIFEST=application/vnd.oci.image.manifest.v1+json
MT_OCI_INDEX=application/vnd.oci.image.index.v1+json
MT_OCI_CONFIG=application/vnd.oci.image.config.v1+json
MT_OCI_LAYER=application/vnd.oci.image.layer.v1.tar+gzip
MT_DOCKER_MANIFEST=application/vnd.docker.distribution.manifest.v2+json

# Media type of the manifest a tag points at in the registry (empty if the tag does not exist).
registry_media_type() {
    skopeo inspect --tls-verify=false --raw "docker://$REGISTRY/$1" 2>/dev/null | jq -r '.mediaType // empty' 2>/dev/null || true
}

# The apt mirror for $SUITE (deb822 sources first, then sources.list), or deb.debian.org.
debian_mirror() {
    local m=
    if [[ -f /etc/apt/sources.list.d/debian.sources ]]; then
        m=$(awk -v suite="$SUITE" '
            function flush() { if (uris != "" && (" " suites " ") ~ (" " suite " ") && !found) { split(uris, u, " "); print u[1]; found = 1 } uris = ""; suites = "" }
            /^[ \t]*$/ { flush(); next }
            tolower($1) == "uris:"   { $1 = ""; uris = $0 }
            tolower($1) == "suites:" { $1 = ""; suites = $0 }
            END { flush() }' /etc/apt/sources.list.d/debian.sources)
    fi
    if [[ -z $m && -f /etc/apt/sources.list ]]; then
        m=$(awk -v suite="$SUITE" '
            $1 == "deb" { i = 2; if ($i ~ /^\[/) { while ($i !~ /\]$/) i++; i++ }
                          if ($(i + 1) == suite) { print $i; exit } }' /etc/apt/sources.list)
    fi
    echo "${m:-http://deb.debian.org/debian}"
}

# Mount points at or below directory $1, deepest first.
mounts_below() {
    awk -v d="$(realpath "$1")" '$2 == d || index($2, d "/") == 1 { print $2 }' /proc/mounts | sort -r
}

# Unmount anything below $1 (debootstrap mounts /proc, /sys, maybe /dev in the target and can
# leave them behind if it fails), then delete it without crossing into other file systems.
remove_tree() {
    local dir=$1 mnt
    [[ -e $dir ]] || return 0
    for mnt in $(mounts_below "$dir"); do
        umount -l "$mnt" || true
    done
    rm -rf --one-file-system "$dir"
}

# Deterministic tar of everything below directory $1 into file $2 (member names without "./");
# further arguments are extra tar options (ownership/mode normalisation).
make_tar() {
    local dir=$1 out=$2
    shift 2
    (cd "$dir" && find . -mindepth 1 -maxdepth 1 -printf '%P\n' | LC_ALL=C sort) |
        tar -C "$dir" --sort=name --mtime="@$SOURCE_DATE_EPOCH" --numeric-owner --format=gnu \
            "$@" -T - -cf "$out"
}

# gzip tar $1 into $2 and write the uncompressed digest (the diff_id) to $2.diffid.
compress_layer() {
    local tar=$1 out=$2
    echo "sha256:$(sha256sum "$tar" | cut -d' ' -f1)" >"$out.diffid.tmp"
    gzip -n -6 <"$tar" >"$out.tmp"
    mv "$out.tmp" "$out"
    mv "$out.diffid.tmp" "$out.diffid"
}

# debootstrap the runtime-deps root file system and cache it as a gzipped layer.
build_rootfs_layer() {
    if [[ -s $ROOTFS_LAYER && -s $ROOTFS_LAYER.diffid ]]; then
        log "using cached rootfs layer $ROOTFS_LAYER"
        return 0
    fi
    local mirror root=$WORK_DIR/rootfs
    mirror=${DEBIAN_MIRROR:-$(debian_mirror)}
    # debootstrap runs the target's binaries and needs working /dev/null etc. in it, so it cannot
    # work on a noexec/nodev mount (e.g. a tmpfs /tmp); use /var/tmp then.
    mkdir -p "$WORK_DIR"
    local opts
    opts=,$(findmnt -n -o OPTIONS --target "$WORK_DIR"),
    if [[ $opts == *,nodev,* || $opts == *,noexec,* ]]; then
        root=/var/tmp/containers-build-rootfs
    fi
    log "debootstrap $SUITE from $mirror (takes a minute or so, log: $CACHE_DIR/debootstrap.log)"
    remove_tree "$root"
    mkdir -p "$root"
    if ! debootstrap --variant=minbase --include=libicu72,libssl3,ca-certificates,tzdata \
        "$SUITE" "$root" "$mirror" >"$CACHE_DIR/debootstrap.log" 2>&1; then
        tail -n 30 "$CACHE_DIR/debootstrap.log" >&2
        [[ -f $root/debootstrap/debootstrap.log ]] && tail -n 30 "$root/debootstrap/debootstrap.log" >&2
        remove_tree "$root"
        die "debootstrap failed, see $CACHE_DIR/debootstrap.log"
    fi
    # Nothing may stay mounted in there before we tar it.
    [[ -z $(mounts_below "$root") ]] || die "debootstrap left mounts below $root"

    # Slim down like debian:bookworm-slim (no docs except copyrights, man pages, translations; no
    # apt lists/caches, logs) and drop host state: the container runtime provides /dev,
    # /etc/resolv.conf and /etc/hostname. The dpkg rule keeps packages installed later slim too.
    (
        cd "$root"
        rm -rf var/lib/apt/lists/* var/cache/debconf/*-old var/lib/dpkg/*-old \
               var/cache/ldconfig/aux-cache dev/* tmp/* etc/resolv.conf etc/hostname
        find var/cache/apt var/log -type f -delete
        find usr/share/doc -mindepth 1 -not -type d -not -name copyright -delete
        find usr/share/doc -mindepth 1 -type d -empty -delete
        rm -rf usr/share/man/* usr/share/info/* usr/share/locale/* usr/share/lintian/overrides/*
        cat >etc/dpkg/dpkg.cfg.d/docker <<'EOF'
path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/info/*
path-exclude /usr/share/lintian/overrides/*
path-exclude /usr/share/locale/*
path-exclude /usr/share/man/*
EOF
    )

    # User "app" (uid/gid 1654) like the official .NET images; written directly instead of via
    # useradd so that no date ends up in /etc/shadow.
    grep -q '^app:' "$root/etc/passwd" || {
        echo 'app:x:1654:1654::/home/app:/bin/sh' >>"$root/etc/passwd"
        echo 'app:x:1654:' >>"$root/etc/group"
        echo 'app:!::0:99999:7:::' >>"$root/etc/shadow"
        echo 'app:!::' >>"$root/etc/gshadow"
    }
    mkdir -p "$root/home/app"
    cp -a "$root/etc/skel/." "$root/home/app/"
    chown -R 1654:1654 "$root/home/app"
    chmod 755 "$root/home/app"

    # Ownership is kept as is (numeric): /etc/shadow is root:shadow, /home/app is 1654, ...
    make_tar "$root" "$WORK_DIR/rootfs.tar"
    compress_layer "$WORK_DIR/rootfs.tar" "$ROOTFS_LAYER"
    rm -f "$WORK_DIR/rootfs.tar"
    remove_tree "$root"
    log "rootfs layer cached: $ROOTFS_LAYER ($(du -h "$ROOTFS_LAYER" | cut -f1))"
}

# .NET install to copy into the images.
dotnet_host_dir() {
    local d=${DOTNET_HOST_DIR:-${DOTNET_ROOT:-}}
    if [[ -z $d ]]; then
        if [[ -d /usr/share/dotnet/shared/Microsoft.NETCore.App ]]; then
            d=/usr/share/dotnet
        elif command -v dotnet >/dev/null; then
            d=$(dirname "$(realpath "$(command -v dotnet)")")
        fi
    fi
    [[ -n $d && -d $d/shared/Microsoft.NETCore.App ]] || die "no .NET runtime found (set DOTNET_HOST_DIR)"
    echo "$d"
}

# Highest version directory below $1 that matches the prefix $2 (may be empty).
latest_version() {
    find "$1" -mindepth 1 -maxdepth 1 -type d -name "$2*" -printf '%f\n' 2>/dev/null | sort -V | tail -n 1
}

# Copy the given paths of the .NET install to usr/share/dotnet in a fresh staging dir $1, add
# the /usr/bin/dotnet symlink if $3 is 1, and make layer $2.tar.gz (+ .diffid) from it.
# Everything is owned by root and not group/world writable, whatever the host install has.
make_dotnet_layer() {
    local stage=$1 out=$2 link=$3 rel
    shift 3
    remove_tree "$stage"
    mkdir -p "$stage/usr/share/dotnet"
    for rel in "$@"; do
        mkdir -p "$stage/usr/share/dotnet/$(dirname "$rel")"
        cp -a "$DOTNET_DIR/$rel" "$stage/usr/share/dotnet/$rel"
    done
    if ((link)); then
        mkdir -p "$stage/usr/bin"
        ln -s /usr/share/dotnet/dotnet "$stage/usr/bin/dotnet"
    fi
    make_tar "$stage" "$out.tar" --owner=0 --group=0 --mode=u+rwX,go+rX,go-w
    compress_layer "$out.tar" "$out.tar.gz"
    rm -rf "$stage" "$out.tar"
}

# Put file $2 into layout $1 as a blob; print its descriptor (media type $3) as JSON.
add_blob() {
    local layout=$1 file=$2 mt=$3 digest size
    digest=$(sha256sum "$file" | cut -d' ' -f1)
    size=$(stat -c %s "$file")
    mkdir -p "$layout/blobs/sha256"
    [[ -e $layout/blobs/sha256/$digest ]] || cp "$file" "$layout/blobs/sha256/$digest"
    jq -cn --arg mt "$mt" --arg d "sha256:$digest" --argjson s "$size" \
        '{mediaType: $mt, digest: $d, size: $s}'
}

# Write an image into the OCI layout $LAYOUT_TMP and tag it $1 there.
#   $2: JSON array of Env entries; rest: layer names (files $WORK_DIR/<name>.tar.gz + .diffid,
#   history comment in $WORK_DIR/<name>.comment).
add_image() {
    local ref=$1 env=$2
    shift 2
    local layers='[]' diff_ids='[]' history='[]' name desc created config_desc manifest_desc
    created=$(date -u -d "@$SOURCE_DATE_EPOCH" +%Y-%m-%dT%H:%M:%SZ)
    for name in "$@"; do
        desc=$(add_blob "$LAYOUT_TMP" "$WORK_DIR/$name.tar.gz" "$MT_OCI_LAYER")
        layers=$(jq -c --argjson d "$desc" '. + [$d]' <<<"$layers")
        diff_ids=$(jq -c --arg d "$(<"$WORK_DIR/$name.tar.gz.diffid")" '. + [$d]' <<<"$diff_ids")
        history=$(jq -c --arg c "$created" --arg by "$(<"$WORK_DIR/$name.comment")" \
            '. + [{created: $c, created_by: $by}]' <<<"$history")
    done
    jq -cjn --arg c "$created" --argjson env "$env" --argjson ids "$diff_ids" --argjson h "$history" \
        '{created: $c, architecture: "amd64", os: "linux",
          config: {Env: $env, Cmd: ["bash"]},
          rootfs: {type: "layers", diff_ids: $ids}, history: $h}' >"$WORK_DIR/$ref.config.json"
    config_desc=$(add_blob "$LAYOUT_TMP" "$WORK_DIR/$ref.config.json" "$MT_OCI_CONFIG")
    jq -cjn --arg mt "$MT_OCI_MANIFEST" --argjson c "$config_desc" --argjson l "$layers" \
        '{schemaVersion: 2, mediaType: $mt, config: $c, layers: $l}' >"$WORK_DIR/$ref.manifest.json"
    manifest_desc=$(add_blob "$LAYOUT_TMP" "$WORK_DIR/$ref.manifest.json" "$MT_OCI_MANIFEST")
    jq --argjson m "$manifest_desc" --arg ref "$ref" \
        '.manifests += [$m + {annotations: {"org.opencontainers.image.ref.name": $ref},
                              platform: {architecture: "amd64", os: "linux"}}]' \
        "$LAYOUT_TMP/index.json" >"$LAYOUT_TMP/index.json.tmp"
    mv "$LAYOUT_TMP/index.json.tmp" "$LAYOUT_TMP/index.json"
}

# Build all three images into the OCI layout $LAYOUT_DIR (refs runtime-deps, runtime, aspnet).
build_layout() {
    local version fxr
    DOTNET_DIR=$(dotnet_host_dir)
    version=$(latest_version "$DOTNET_DIR/shared/Microsoft.NETCore.App" "$DOTNET_CHANNEL.")
    [[ -n $version ]] || die "no Microsoft.NETCore.App $DOTNET_CHANNEL.* in $DOTNET_DIR/shared"
    [[ -d $DOTNET_DIR/shared/Microsoft.AspNetCore.App/$version ]] ||
        die "no Microsoft.AspNetCore.App $version in $DOTNET_DIR/shared"
    # hostfxr of the same version if there is one, else the newest (an SDK may bring a newer one).
    if [[ -d $DOTNET_DIR/host/fxr/$version ]]; then fxr=$version; else fxr=$(latest_version "$DOTNET_DIR/host/fxr" ""); fi
    [[ -n $fxr ]] || die "no hostfxr in $DOTNET_DIR/host/fxr"
    log "building images with .NET runtime $version (hostfxr $fxr) from $DOTNET_DIR"

    build_rootfs_layer
    mkdir -p "$WORK_DIR"
    ln -f "$ROOTFS_LAYER" "$WORK_DIR/rootfs.tar.gz" 2>/dev/null || cp "$ROOTFS_LAYER" "$WORK_DIR/rootfs.tar.gz"
    cp "$ROOTFS_LAYER.diffid" "$WORK_DIR/rootfs.tar.gz.diffid"
    echo "debootstrap --variant=minbase --include=libicu72,libssl3,ca-certificates,tzdata $SUITE; slim down; add user app (1654)" \
        >"$WORK_DIR/rootfs.comment"

    local extras=() f
    for f in LICENSE.txt ThirdPartyNotices.txt; do
        [[ -f $DOTNET_DIR/$f ]] && extras+=("$f")
    done
    make_dotnet_layer "$WORK_DIR/stage-runtime" "$WORK_DIR/dotnet-runtime" 1 \
        dotnet "host/fxr/$fxr" "shared/Microsoft.NETCore.App/$version" "${extras[@]}"
    echo "COPY .NET host $fxr and Microsoft.NETCore.App $version to /usr/share/dotnet; ln -s /usr/share/dotnet/dotnet /usr/bin/dotnet" \
        >"$WORK_DIR/dotnet-runtime.comment"
    make_dotnet_layer "$WORK_DIR/stage-aspnet" "$WORK_DIR/aspnet-runtime" 0 \
        "shared/Microsoft.AspNetCore.App/$version"
    echo "COPY Microsoft.AspNetCore.App $version to /usr/share/dotnet" >"$WORK_DIR/aspnet-runtime.comment"

    LAYOUT_TMP=$WORK_DIR/oci
    remove_tree "$LAYOUT_TMP"
    mkdir -p "$LAYOUT_TMP"
    echo '{"imageLayoutVersion":"1.0.0"}' >"$LAYOUT_TMP/oci-layout"
    echo '{"schemaVersion":2,"manifests":[]}' >"$LAYOUT_TMP/index.json"

    local env
    env=$(jq -cn '["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
                   "APP_UID=1654", "ASPNETCORE_HTTP_PORTS=8080", "DOTNET_RUNNING_IN_CONTAINER=true"]')
    add_image runtime-deps "$env" rootfs
    env=$(jq -c --arg v "$version" '. + ["DOTNET_VERSION=" + $v]' <<<"$env")
    add_image runtime "$env" rootfs dotnet-runtime
    env=$(jq -c --arg v "$version" '. + ["ASPNET_VERSION=" + $v]' <<<"$env")
    add_image aspnet "$env" rootfs dotnet-runtime aspnet-runtime

    remove_tree "$LAYOUT_DIR"
    mv "$LAYOUT_TMP" "$LAYOUT_DIR"
    remove_tree "$WORK_DIR"
}

# Manifest descriptor of ref $1 in $LAYOUT_DIR.
layout_descriptor() {
    jq -ce --arg ref "$1" '.manifests[] | select(.annotations["org.opencontainers.image.ref.name"] == $ref)
                           | {mediaType, digest, size}' "$LAYOUT_DIR/index.json"
}

push_images() {
    local tag=$DOTNET_CHANNEL need=() name want
    declare -A wanted=([runtime-deps]=$MT_DOCKER_MANIFEST [runtime]=$MT_OCI_MANIFEST [aspnet]=$MT_OCI_INDEX)
    for name in runtime-deps runtime aspnet; do
        want=${wanted[$name]}
        if [[ $FORCE == 1 ]] || [[ $(registry_media_type "dotnet/$name:$tag") != "$want" ]]; then
            need+=("$name")
        else
            log "$REGISTRY/dotnet/$name:$tag is present"
        fi
    done
    ((${#need[@]})) || return 0

    build_layout

    local copy=(skopeo copy --quiet --retry-times 2 --dest-tls-verify=false)
    for name in "${need[@]}"; do
        log "pushing $REGISTRY/dotnet/$name:$tag"
        case $name in
        runtime-deps)
            "${copy[@]}" --format v2s2 "oci:$LAYOUT_DIR:$name" "docker://$REGISTRY/dotnet/$name:$tag" ;;
        runtime)
            "${copy[@]}" --format oci "oci:$LAYOUT_DIR:$name" "docker://$REGISTRY/dotnet/$name:$tag" ;;
        aspnet)
            # Push the manifest untagged (by digest; skopeo keeps the OCI manifest byte for byte),
            # then tag an image index that points at it.
            local desc digest index
            desc=$(layout_descriptor "$name")
            digest=$(jq -r .digest <<<"$desc")
            "${copy[@]}" --format oci "oci:$LAYOUT_DIR:$name" "docker://$REGISTRY/dotnet/$name@$digest"
            index=$(jq -c --arg mt "$MT_OCI_INDEX" \
                '{schemaVersion: 2, mediaType: $mt,
                  manifests: [. + {platform: {architecture: "amd64", os: "linux"}}]}' <<<"$desc")
            curl -fsS -X PUT -H "Content-Type: $MT_OCI_INDEX" --data-binary "$index" \
                "http://$REGISTRY/v2/dotnet/$name/manifests/$tag" >/dev/null
            ;;
        esac
    done
}

summary() {
    local name raw
    echo
    echo "Registry http://$REGISTRY (state folder $STATE_DIR):"
    for name in runtime-deps runtime aspnet; do
        raw=$STATE_DIR/.manifest.tmp
        skopeo inspect --tls-verify=false --raw "docker://$REGISTRY/dotnet/$name:$DOTNET_CHANNEL" >"$raw"
        printf '  %-40s %-46s sha256:%s\n' "$REGISTRY/dotnet/$name:$DOTNET_CHANNEL" \
            "$(jq -r .mediaType "$raw")" "$(sha256sum "$raw" | cut -d' ' -f1)"
    done
    rm -f "$raw"
}

install_packages
configure_podman
# An older version of this script ran one registry from config.yml / registry.pid: stop it.
if [[ -f $REGISTRY_DIR/config.yml ]]; then
    old_pid=$(our_registry_pid "$REGISTRY_DIR/registry.pid")
    [[ -z $old_pid ]] || { kill "$old_pid" 2>/dev/null || true; sleep 1; }
    rm -f "$REGISTRY_DIR/config.yml" "$REGISTRY_DIR/registry.pid"
fi
make_test_pki
start_registry registry "$REGISTRY" false
start_registry registry-readonly "$READONLY_REGISTRY" true
start_registry registry-tls "$TLS_REGISTRY" false tls-htpasswd
start_registry registry-token "$TOKEN_REGISTRY" false token
push_images
summary
log "done in ${SECONDS}s"
