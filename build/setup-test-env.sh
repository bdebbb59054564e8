#!/usr/bin/env bash
# Sets up the integration-test environment for Containers.Build on Debian 12 (run as root):
#
#   1. installs the tools (registry, skopeo, podman, runc, umoci, debootstrap, ...) from apt
#      (about 30 s; apt's output goes to <state>/apt.log);
#   2. makes podman use runc (crun does not work with this cgroup setup);
#   3. starts a distribution registry on 127.0.0.1:5000 (loopback only, deletes enabled), and a
#      read-only one on 127.0.0.1:5001 serving the same storage (for tests of refused pushes);
#   4. builds multi-platform .NET base images (linux/amd64 and linux/arm64/v8) from Debian packages
#      (debootstrap from the apt mirror; no image registry needed), this machine's .NET and the arm64
#      runtime packs from NuGet, and pushes them (about 2 minutes the first time, cached after):
#        127.0.0.1:5000/dotnet/runtime-deps:10.0  Docker manifest list of two Docker v2 schema 2 manifests
#        127.0.0.1:5000/dotnet/runtime:10.0       OCI image index of two OCI manifests
#        127.0.0.1:5000/dotnet/aspnet:10.0        OCI image index of two OCI manifests
#      and each platform's manifest (byte for byte the one the list/index points at) also as
#        127.0.0.1:5000/dotnet/<name>:10.0-amd64 and 127.0.0.1:5000/dotnet/<name>:10.0-arm64v8
#      amd64: a debootstrap rootfs plus this machine's .NET install (runs under podman here).
#      arm64: a first-stage-only (debootstrap --foreign) rootfs plus the .NET runtime packs from
#      NuGet (Microsoft.NETCore.App.Runtime.linux-arm64, Microsoft.AspNetCore.App.Runtime.linux-arm64)
#      of the same version, restored through the machine's NuGet config; no `dotnet` muxer. Real
#      AArch64 binaries, but never run here (no emulator needed or used).
#
# Idempotent: a re-run only checks that everything is in place (a few seconds).
#
# Environment:
#   CONTAINERS_BUILD_STATE  state folder (default /tmp/containers-build-env)
#   FORCE=1                 rebuild and re-push the images even if they are in the registry
#                           (the cached debootstrap rootfs layers and NuGet runtime packs are reused;
#                           delete <state>/cache to redo them)
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
# Bump a *_REVISION when the rootfs recipe changes, so that the cached layer gets rebuilt. (The
# amd64 layer keeps its old file name without the architecture, so existing caches stay valid.)
ROOTFS_REVISION=2
ROOTFS_LAYER=$CACHE_DIR/rootfs-$SUITE-minbase-r$ROOTFS_REVISION.tar.gz
ARM64_ROOTFS_REVISION=1
ARM64_ROOTFS_LAYER=$CACHE_DIR/rootfs-$SUITE-minbase-arm64-r$ARM64_ROOTFS_REVISION.tar.gz
# NuGet packages folder for the arm64 runtime packs (restored once, then used offline).
NUGET_PACKAGES_DIR=$CACHE_DIR/nuget-packages
# Image platforms (Debian/OCI architecture names) and the suffix of their single-platform tags.
ARCHES=(amd64 arm64)
declare -A ARCH_TAG=([amd64]=amd64 [arm64]=arm64v8)

log() { printf '==> %s\n' "$*" >&2; }
# Seconds since $1 (a $SECONDS value), for "... in Ns" lines.
took() { echo "$((SECONDS - $1))s"; }
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
# libfontconfig1: the native dependency check's tests build a base that has it (from this machine's copy).
# nodejs (with npm): the CycloneDX validator (@cyclonedx/cyclonedx-library) that the SBOM tests run.
# zstd: the zstd layer tests check the frames ContainerLayerCompression=zstd writes with the reference tool.
PACKAGES=(docker-registry skopeo podman runc uidmap umoci debootstrap debian-archive-keyring
          wget curl jq ca-certificates python3-jsonschema openssl apache2-utils
          libfontconfig1 nodejs zstd)

install_packages() {
    local missing=() p
    for p in "${PACKAGES[@]}"; do
        [[ $(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null) == installed ]] || missing+=("$p")
    done
    ((${#missing[@]})) || return 0

    local apt_log=$STATE_DIR/apt.log started=$SECONDS
    log "installing ${#missing[@]} Debian packages: ${missing[*]} (about 30 s; log: $apt_log)"
    export DEBIAN_FRONTEND=noninteractive
    if ! apt-get update -q >"$apt_log" 2>&1; then
        tail -n 20 "$apt_log" >&2
        die "apt-get update failed, see $apt_log"
    fi
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
    apt-get install -y -q -o Dpkg::Use-Pty=0 "${missing[@]}" >>"$apt_log" 2>&1 || rc=$?
    ((added_policy)) && rm -f "$policy"
    if ((rc != 0)); then
        tail -n 20 "$apt_log" >&2
        die "apt-get install failed, see $apt_log"
    fi
    log "packages installed in $(took "$started")"
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
    if [[ $pid =~ ^[0-9]+$ ]] && [[ $(tr '\0' ' ' 2>/dev/null <"/proc/$pid/cmdline") == *docker-registry* ]]; then
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
MT_DOCKER_LIST=application/vnd.docker.distribution.manifest.list.v2+json

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

# debootstrap the runtime-deps root file system for Debian architecture $1 and cache it as the
# gzipped layer $2 (+ .diffid). For a foreign architecture (arm64 on this amd64 host) only
# debootstrap's first stage runs: it downloads the packages and unpacks them into the target with
# dpkg-deb (no target binary is executed, so neither qemu nor binfmt_misc is needed). The second
# stage would run the maintainer scripts inside the target, which needs an emulator; its
# visible results that matter for an image (users and groups, dpkg's package list) are
# recreated here instead, so the rootfs is plausible though its packages stay unconfigured.
build_rootfs_layer() {
    local arch=$1 layer=$2
    if [[ -s $layer && -s $layer.diffid ]]; then
        log "using cached $arch rootfs layer $layer"
        return 0
    fi
    local mirror root=$WORK_DIR/rootfs-$arch dslog=$CACHE_DIR/debootstrap-$arch.log foreign=()
    mirror=${DEBIAN_MIRROR:-$(debian_mirror)}
    [[ $arch == "$(dpkg --print-architecture)" ]] || foreign=(--foreign "--arch=$arch")
    # debootstrap runs the target's binaries (second stage) and creates device nodes in it, so it
    # cannot work on a noexec/nodev mount (e.g. a tmpfs /tmp); use /var/tmp then.
    mkdir -p "$WORK_DIR"
    local opts
    opts=,$(findmnt -n -o OPTIONS --target "$WORK_DIR"),
    if [[ $opts == *,nodev,* || $opts == *,noexec,* ]]; then
        root=/var/tmp/containers-build-rootfs-$arch
    fi
    local started=$SECONDS
    log "debootstrap ${foreign[*]:+${foreign[*]} }$SUITE from $mirror (about a minute; log: $dslog)"
    remove_tree "$root"
    mkdir -p "$root"
    if ! debootstrap "${foreign[@]}" --variant=minbase --include=libicu72,libssl3,ca-certificates,tzdata \
        "$SUITE" "$root" "$mirror" >"$dslog" 2>&1; then
        tail -n 30 "$dslog" >&2
        [[ -f $root/debootstrap/debootstrap.log ]] && tail -n 30 "$root/debootstrap/debootstrap.log" >&2
        remove_tree "$root"
        die "debootstrap failed, see $dslog"
    fi
    # Nothing may stay mounted in there before we tar it.
    [[ -z $(mounts_below "$root") ]] || die "debootstrap left mounts below $root"

    if ((${#foreign[@]})); then
        (
            cd "$root"
            local master=usr/share/base-passwd shadow_gid deb pkg
            [[ -f $master/passwd.master && -f $master/group.master ]] || die "no base-passwd masters in $root"
            # What base-passwd's postinst (copy the masters) and passwd's (shadowconfig on: pwconv,
            # grpconv) would make. No last-change date in shadow: it would be the build day.
            [[ -e etc/passwd ]] || sed 's/^\([^:]*\):[^:]*:/\1:x:/' "$master/passwd.master" >etc/passwd
            [[ -e etc/group ]] || sed 's/^\([^:]*\):[^:]*:/\1:x:/' "$master/group.master" >etc/group
            [[ -e etc/shadow ]] || awk -F: '{ print $1 ":*::0:99999:7:::" }' "$master/passwd.master" >etc/shadow
            [[ -e etc/gshadow ]] || awk -F: '{ print $1 ":*::" }' "$master/group.master" >etc/gshadow
            shadow_gid=$(awk -F: '$1 == "shadow" { print $3 }' etc/group)
            chown 0:0 etc/passwd etc/group
            chmod 644 etc/passwd etc/group
            chown "0:${shadow_gid:-0}" etc/shadow etc/gshadow
            chmod 640 etc/shadow etc/gshadow
            # dpkg's database is empty after the first stage; list the packages as "unpacked" (which
            # is what they are) from the .debs it kept, so that dpkg -l and image scanners see them.
            [[ -s var/lib/dpkg/status ]] || while read -r pkg deb; do
                dpkg-deb -f ".$deb" | awk \
                    'NR == 1 && $1 != "Package:" { exit 1 } { print } NR == 1 { print "Status: install ok unpacked" }' ||
                    die "cannot read the control fields of $pkg"
                echo
            done < <(LC_ALL=C sort debootstrap/debpaths) >var/lib/dpkg/status
            # The second stage's scripts and state; the .debs go with the slimming below.
            rm -rf debootstrap
        )
    fi

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
        cat >etc/dpkg/dpkg.cfg.d/docker <<'EOT'
path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/info/*
path-exclude /usr/share/lintian/overrides/*
path-exclude /usr/share/locale/*
path-exclude /usr/share/man/*
EOT
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
    make_tar "$root" "$WORK_DIR/rootfs-$arch.tar"
    compress_layer "$WORK_DIR/rootfs-$arch.tar" "$layer"
    rm -f "$WORK_DIR/rootfs-$arch.tar"
    remove_tree "$root"
    log "$arch rootfs layer cached in $(took "$started"): $layer ($(du -h "$layer" | cut -f1))"
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

# Copy the given paths of the .NET install $1 to usr/share/dotnet in a fresh staging dir $2, add
# the /usr/bin/dotnet symlink if $4 is 1, and make layer $3.tar.gz (+ .diffid) from it.
# Everything is owned by root and not group/world writable, whatever the source has.
make_dotnet_layer() {
    local src=$1 stage=$2 out=$3 link=$4 rel
    shift 4
    remove_tree "$stage"
    mkdir -p "$stage/usr/share/dotnet"
    for rel in "$@"; do
        mkdir -p "$stage/usr/share/dotnet/$(dirname "$rel")"
        cp -a "$src/$rel" "$stage/usr/share/dotnet/$rel"
    done
    if ((link)); then
        mkdir -p "$stage/usr/bin"
        ln -s /usr/share/dotnet/dotnet "$stage/usr/bin/dotnet"
    fi
    make_tar "$stage" "$out.tar" --owner=0 --group=0 --mode=u+rwX,go+rX,go-w
    compress_layer "$out.tar" "$out.tar.gz"
    rm -rf "$stage" "$out.tar"
}

# NuGet ids of the runtime packs for RID $1 (the .NET and the ASP.NET Core shared framework).
runtime_pack_ids() {
    echo "Microsoft.NETCore.App.Runtime.$1" "Microsoft.AspNetCore.App.Runtime.$1"
}

# Restore the runtime packs for RID $1, version $2 into $NUGET_PACKAGES_DIR, unless they are there
# already (then this needs no network at all). A throwaway project with PackageDownload items:
# `dotnet restore` goes through the machine's NuGet config (its feed or mirror), checks the
# packages' hashes and signatures, and extracts them.
restore_runtime_packs() {
    local rid=$1 version=$2 id ids missing=() proj=$WORK_DIR/runtime-packs dotnet
    read -ra ids <<<"$(runtime_pack_ids "$rid")"
    for id in "${ids[@]}"; do
        # NuGet writes .nupkg.metadata last, once the package is completely extracted.
        [[ -f $NUGET_PACKAGES_DIR/${id,,}/$version/.nupkg.metadata ]] || missing+=("$id")
    done
    if ((${#missing[@]} == 0)); then
        log "using cached runtime packs for $rid $version in $NUGET_PACKAGES_DIR"
        return 0
    fi
    if [[ -x $DOTNET_DIR/dotnet ]]; then dotnet=$DOTNET_DIR/dotnet; else dotnet=dotnet; fi
    command -v "$dotnet" >/dev/null || die "no dotnet to restore ${missing[*]} with"
    local started=$SECONDS
    log "restoring ${missing[*]} $version from NuGet (a few seconds; log: $CACHE_DIR/restore-$rid.log)"
    remove_tree "$proj"
    mkdir -p "$proj"
    {
        echo '<Project Sdk="Microsoft.NET.Sdk">'
        echo "  <PropertyGroup><TargetFramework>net$DOTNET_CHANNEL</TargetFramework></PropertyGroup>"
        echo '  <ItemGroup>'
        for id in "${missing[@]}"; do
            echo "    <PackageDownload Include=\"$id\" Version=\"[$version]\" />"
        done
        echo '  </ItemGroup>'
        echo '</Project>'
    } >"$proj/runtime-packs.csproj"
    # No Directory.Build.*/Directory.Packages.props from folders above the state folder.
    if ! (cd "$proj" && DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1 \
        "$dotnet" restore runtime-packs.csproj --packages "$NUGET_PACKAGES_DIR" \
        -p:ImportDirectoryBuildProps=false -p:ImportDirectoryBuildTargets=false \
        -p:ImportDirectoryPackagesProps=false) >"$CACHE_DIR/restore-$rid.log" 2>&1; then
        tail -n 30 "$CACHE_DIR/restore-$rid.log" >&2
        die "dotnet restore of the $rid runtime packs failed, see $CACHE_DIR/restore-$rid.log"
    fi
    remove_tree "$proj"
    for id in "${missing[@]}"; do
        [[ -f $NUGET_PACKAGES_DIR/${id,,}/$version/.nupkg.metadata ]] || die "restore did not produce $id $version"
    done
    log "runtime packs restored in $(took "$started")"
}

# Lay the runtime packs for RID $1, version $2 out in directory $3 like a .NET install:
#   shared/Microsoft.NETCore.App/<version>/     lib + native of the runtime pack, minus libhostfxr.so
#   host/fxr/<version>/libhostfxr.so
#   shared/Microsoft.AspNetCore.App/<version>/  lib + native of the ASP.NET Core pack
#   LICENSE.txt, ThirdPartyNotices.txt          from the runtime pack
# There is no `dotnet` muxer: it is not in any NuGet package (it ships only in the SDK/runtime
# archives, and those are not reachable offline), so arm64 images have no usr/share/dotnet/dotnet.
# Modes as in a .NET install (the packs have everything rwxr--r--): ELF files 755, others 644.
stage_runtime_packs() {
    local rid=$1 version=$2 out=$3 id fw pack dir f
    remove_tree "$out"
    mkdir -p "$out/host/fxr/$version"
    for id in $(runtime_pack_ids "$rid"); do
        pack=$NUGET_PACKAGES_DIR/${id,,}/$version
        fw=${id%.Runtime.*}
        dir=$out/shared/$fw/$version
        mkdir -p "$dir"
        [[ -d $pack/runtimes/$rid/lib ]] || die "$id $version has no runtimes/$rid/lib"
        cp -R "$pack/runtimes/$rid/lib/"*/. "$dir/"
        [[ ! -d $pack/runtimes/$rid/native ]] || cp -R "$pack/runtimes/$rid/native/." "$dir/"
        # The shared framework's .version (commit and version) is the pack's <Name>.versions.txt.
        [[ ! -f $pack/$fw.versions.txt ]] || cp "$pack/$fw.versions.txt" "$dir/.version"
        # The packs carry <Name>.deps.json; should one not, the host's (x64) with the RID replaced
        # is good enough: these images are never run.
        if [[ ! -f $dir/$fw.deps.json && -f $DOTNET_DIR/shared/$fw/$version/$fw.deps.json ]]; then
            sed "s/linux-x64/$rid/g" "$DOTNET_DIR/shared/$fw/$version/$fw.deps.json" >"$dir/$fw.deps.json"
        fi
    done
    dir=$out/shared/Microsoft.NETCore.App/$version
    [[ -f $dir/libhostfxr.so ]] || die "the $rid runtime pack has no libhostfxr.so"
    mv "$dir/libhostfxr.so" "$out/host/fxr/$version/"
    pack=$NUGET_PACKAGES_DIR/microsoft.netcore.app.runtime.${rid,,}/$version
    for f in LICENSE.TXT:LICENSE.txt THIRD-PARTY-NOTICES.TXT:ThirdPartyNotices.txt; do
        [[ ! -f $pack/${f%%:*} ]] || cp "$pack/${f%%:*}" "$out/${f#*:}"
    done
    find "$out" -type d -exec chmod 755 {} +
    find "$out" -type f -exec chmod 644 {} +
    # ELF files (shared libraries, createdump) are executable, as in the x64 install.
    find "$out" -type f -size +4c -print0 | while IFS= read -r -d '' f; do
        [[ $(head -c 4 "$f" | od -An -tx1 | tr -d ' \n') != 7f454c46 ]] || chmod 755 "$f"
    done
}

# Platform JSON of architecture $1 (for configs, index/list entries).
platform_json() {
    case $1 in
    amd64) echo '{"architecture":"amd64","os":"linux"}' ;;
    arm64) echo '{"architecture":"arm64","os":"linux","variant":"v8"}' ;;
    *) die "unknown architecture $1" ;;
    esac
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

# Write an image for architecture $2 into the OCI layout $LAYOUT_TMP and tag it $1 there.
#   $3: JSON array of Env entries; rest: layer names (files $WORK_DIR/<name>.tar.gz + .diffid,
#   history comment in $WORK_DIR/<name>.comment).
add_image() {
    local ref=$1 arch=$2 env=$3
    shift 3
    local layers='[]' diff_ids='[]' history='[]' name desc created config_desc manifest_desc platform
    platform=$(platform_json "$arch")
    created=$(date -u -d "@$SOURCE_DATE_EPOCH" +%Y-%m-%dT%H:%M:%SZ)
    for name in "$@"; do
        desc=$(add_blob "$LAYOUT_TMP" "$WORK_DIR/$name.tar.gz" "$MT_OCI_LAYER")
        layers=$(jq -c --argjson d "$desc" '. + [$d]' <<<"$layers")
        diff_ids=$(jq -c --arg d "$(<"$WORK_DIR/$name.tar.gz.diffid")" '. + [$d]' <<<"$diff_ids")
        history=$(jq -c --arg c "$created" --arg by "$(<"$WORK_DIR/$name.comment")" \
            '. + [{created: $c, created_by: $by}]' <<<"$history")
    done
    # Key order created, architecture, os[, variant], config, ...: the amd64 configs (and so
    # their digests) are the same as before there were arm64 images.
    jq -cjn --arg c "$created" --argjson p "$platform" --argjson env "$env" --argjson ids "$diff_ids" \
        --argjson h "$history" \
        '{created: $c} + $p + {config: {Env: $env, Cmd: ["bash"]},
          rootfs: {type: "layers", diff_ids: $ids}, history: $h}' >"$WORK_DIR/$ref.config.json"
    config_desc=$(add_blob "$LAYOUT_TMP" "$WORK_DIR/$ref.config.json" "$MT_OCI_CONFIG")
    jq -cjn --arg mt "$MT_OCI_MANIFEST" --argjson c "$config_desc" --argjson l "$layers" \
        '{schemaVersion: 2, mediaType: $mt, config: $c, layers: $l}' >"$WORK_DIR/$ref.manifest.json"
    manifest_desc=$(add_blob "$LAYOUT_TMP" "$WORK_DIR/$ref.manifest.json" "$MT_OCI_MANIFEST")
    jq --argjson m "$manifest_desc" --arg ref "$ref" --argjson p "$platform" \
        '.manifests += [$m + {annotations: {"org.opencontainers.image.ref.name": $ref}, platform: $p}]' \
        "$LAYOUT_TMP/index.json" >"$LAYOUT_TMP/index.json.tmp"
    mv "$LAYOUT_TMP/index.json.tmp" "$LAYOUT_TMP/index.json"
}

# Link cached layer $1 into $WORK_DIR as layer <name> $2 with history comment $3.
use_cached_layer() {
    ln -f "$1" "$WORK_DIR/$2.tar.gz" 2>/dev/null || cp "$1" "$WORK_DIR/$2.tar.gz"
    cp "$1.diffid" "$WORK_DIR/$2.tar.gz.diffid"
    echo "$3" >"$WORK_DIR/$2.comment"
}

# Build all six images into the OCI layout $LAYOUT_DIR (refs <name>-<arch>: runtime-deps-amd64,
# runtime-deps-arm64, runtime-amd64, runtime-arm64, aspnet-amd64, aspnet-arm64).
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
    log "building images with .NET runtime $version (amd64: hostfxr $fxr from $DOTNET_DIR; arm64: NuGet runtime packs)"

    build_rootfs_layer amd64 "$ROOTFS_LAYER"
    build_rootfs_layer arm64 "$ARM64_ROOTFS_LAYER"
    restore_runtime_packs linux-arm64 "$version"
    mkdir -p "$WORK_DIR"
    local recipe="--variant=minbase --include=libicu72,libssl3,ca-certificates,tzdata $SUITE"
    use_cached_layer "$ROOTFS_LAYER" rootfs "debootstrap $recipe; slim down; add user app (1654)"
    use_cached_layer "$ARM64_ROOTFS_LAYER" rootfs-arm64 \
        "debootstrap --foreign --arch=arm64 $recipe (first stage only: packages unpacked, not configured); add users and groups from base-passwd; slim down; add user app (1654)"

    # amd64: this machine's .NET install.
    local extras=() f
    for f in LICENSE.txt ThirdPartyNotices.txt; do
        [[ -f $DOTNET_DIR/$f ]] && extras+=("$f")
    done
    make_dotnet_layer "$DOTNET_DIR" "$WORK_DIR/stage-runtime" "$WORK_DIR/dotnet-runtime" 1 \
        dotnet "host/fxr/$fxr" "shared/Microsoft.NETCore.App/$version" "${extras[@]}"
    echo "COPY .NET host $fxr and Microsoft.NETCore.App $version to /usr/share/dotnet; ln -s /usr/share/dotnet/dotnet /usr/bin/dotnet" \
        >"$WORK_DIR/dotnet-runtime.comment"
    make_dotnet_layer "$DOTNET_DIR" "$WORK_DIR/stage-aspnet" "$WORK_DIR/aspnet-runtime" 0 \
        "shared/Microsoft.AspNetCore.App/$version"
    echo "COPY Microsoft.AspNetCore.App $version to /usr/share/dotnet" >"$WORK_DIR/aspnet-runtime.comment"

    # arm64: the NuGet runtime packs, laid out like an install (no muxer, see stage_runtime_packs).
    local arm64_dotnet=$WORK_DIR/dotnet-linux-arm64
    stage_runtime_packs linux-arm64 "$version" "$arm64_dotnet"
    extras=()
    for f in LICENSE.txt ThirdPartyNotices.txt; do
        [[ -f $arm64_dotnet/$f ]] && extras+=("$f")
    done
    make_dotnet_layer "$arm64_dotnet" "$WORK_DIR/stage-runtime-arm64" "$WORK_DIR/dotnet-runtime-arm64" 0 \
        "host/fxr/$version" "shared/Microsoft.NETCore.App/$version" "${extras[@]}"
    echo "COPY .NET host $version and Microsoft.NETCore.App $version (NuGet Microsoft.NETCore.App.Runtime.linux-arm64) to /usr/share/dotnet; no dotnet muxer" \
        >"$WORK_DIR/dotnet-runtime-arm64.comment"
    make_dotnet_layer "$arm64_dotnet" "$WORK_DIR/stage-aspnet-arm64" "$WORK_DIR/aspnet-runtime-arm64" 0 \
        "shared/Microsoft.AspNetCore.App/$version"
    echo "COPY Microsoft.AspNetCore.App $version (NuGet Microsoft.AspNetCore.App.Runtime.linux-arm64) to /usr/share/dotnet" \
        >"$WORK_DIR/aspnet-runtime-arm64.comment"
    remove_tree "$arm64_dotnet"

    LAYOUT_TMP=$WORK_DIR/oci
    remove_tree "$LAYOUT_TMP"
    mkdir -p "$LAYOUT_TMP"
    echo '{"imageLayoutVersion":"1.0.0"}' >"$LAYOUT_TMP/oci-layout"
    echo '{"schemaVersion":2,"manifests":[]}' >"$LAYOUT_TMP/index.json"

    local env arch sfx
    for arch in "${ARCHES[@]}"; do
        if [[ $arch == amd64 ]]; then sfx=; else sfx=-$arch; fi
        env=$(jq -cn '["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
                       "APP_UID=1654", "ASPNETCORE_HTTP_PORTS=8080", "DOTNET_RUNNING_IN_CONTAINER=true"]')
        add_image "runtime-deps-$arch" "$arch" "$env" "rootfs$sfx"
        env=$(jq -c --arg v "$version" '. + ["DOTNET_VERSION=" + $v]' <<<"$env")
        add_image "runtime-$arch" "$arch" "$env" "rootfs$sfx" "dotnet-runtime$sfx"
        env=$(jq -c --arg v "$version" '. + ["ASPNET_VERSION=" + $v]' <<<"$env")
        add_image "aspnet-$arch" "$arch" "$env" "rootfs$sfx" "dotnet-runtime$sfx" "aspnet-runtime$sfx"
    done

    remove_tree "$LAYOUT_DIR"
    mv "$LAYOUT_TMP" "$LAYOUT_DIR"
    remove_tree "$WORK_DIR"
}

# Manifest descriptor of ref $1 in $LAYOUT_DIR.
layout_descriptor() {
    jq -ce --arg ref "$1" '.manifests[] | select(.annotations["org.opencontainers.image.ref.name"] == $ref)
                           | {mediaType, digest, size}' "$LAYOUT_DIR/index.json"
}

# Fetch manifest $1 (repo:tag) from the registry into file $2, byte for byte.
# Fails if it does not exist. (curl, not skopeo: the up-to-date check makes nine of these.)
registry_manifest() {
    curl -fsS --max-time 10 -o "$2" \
        -H "Accept: $MT_OCI_INDEX, $MT_DOCKER_LIST, $MT_OCI_MANIFEST, $MT_DOCKER_MANIFEST" \
        "http://$REGISTRY/v2/${1%[:@]*}/manifests/${1##*[:@]}" 2>/dev/null
}

# sha256:<hex> of file $1.
file_digest() {
    echo "sha256:$(sha256sum "$1" | cut -d' ' -f1)"
}

# Media types of the multi-platform tag (list/index) and of its per-platform manifests in repo dotnet/$1.
list_media_type() { if [[ $1 == runtime-deps ]]; then echo "$MT_DOCKER_LIST"; else echo "$MT_OCI_INDEX"; fi; }
image_media_type() { if [[ $1 == runtime-deps ]]; then echo "$MT_DOCKER_MANIFEST"; else echo "$MT_OCI_MANIFEST"; fi; }

# True if dotnet/$1 is complete in the registry: tag $DOTNET_CHANNEL is a list/index of the right
# type with exactly one manifest of the right type per platform in $ARCHES, and the per-platform
# tags are exactly those manifests. (Catches what older versions of this script pushed: a single
# manifest, an index with only amd64, no per-platform tags.)
registry_images_ok() {
    local name=$1 tmp=$STATE_DIR/.check.tmp arch digest platforms='[]' rc=0
    for arch in "${ARCHES[@]}"; do
        platforms=$(jq -c --argjson p "$(platform_json "$arch")" '. + [$p]' <<<"$platforms")
    done
    if registry_manifest "dotnet/$name:$DOTNET_CHANNEL" "$tmp" &&
        jq -e --arg lt "$(list_media_type "$name")" --arg mt "$(image_media_type "$name")" --argjson ps "$platforms" \
            '.mediaType == $lt and all(.manifests[]; .mediaType == $mt)
             and ([.manifests[].platform] | sort) == ($ps | sort)' "$tmp" >/dev/null; then
        for arch in "${ARCHES[@]}"; do
            digest=$(jq -r --argjson p "$(platform_json "$arch")" '.manifests[] | select(.platform == $p) | .digest' "$tmp")
            if ! registry_manifest "dotnet/$name:$DOTNET_CHANNEL-${ARCH_TAG[$arch]}" "$tmp.arch" ||
                [[ $(file_digest "$tmp.arch") != "$digest" ]]; then
                rc=1
                break
            fi
        done
    else
        rc=1
    fi
    rm -f "$tmp" "$tmp.arch"
    return "$rc"
}

push_images() {
    local tag=$DOTNET_CHANNEL need=() name
    for name in runtime-deps runtime aspnet; do
        if [[ $FORCE != 1 ]] && registry_images_ok "$name"; then
            log "$REGISTRY/dotnet/$name:$tag (${ARCHES[*]}) is present"
        else
            need+=("$name")
        fi
    done
    ((${#need[@]})) || return 0

    local started=$SECONDS
    log "building and pushing ${need[*]} (about 2 minutes the first time, under a minute with the cached layers)"
    build_layout

    local copy=(skopeo copy --quiet --retry-times 2 --dest-tls-verify=false)
    local arch ref arch_tag desc digest entries list raw=$STATE_DIR/.push.tmp
    for name in "${need[@]}"; do
        entries='[]'
        for arch in "${ARCHES[@]}"; do
            ref=$name-$arch
            arch_tag=$tag-${ARCH_TAG[$arch]}
            log "pushing $REGISTRY/dotnet/$name:$arch_tag"
            if [[ $name == runtime-deps ]]; then
                # skopeo converts the OCI manifest to Docker v2 schema 2 (deterministically: new media
                # types, same config and layers), which gives it a new digest: read it back.
                "${copy[@]}" --format v2s2 "oci:$LAYOUT_DIR:$ref" "docker://$REGISTRY/dotnet/$name:$arch_tag"
                registry_manifest "dotnet/$name:$arch_tag" "$raw" || die "cannot read back dotnet/$name:$arch_tag"
                jq -e --arg mt "$MT_DOCKER_MANIFEST" '.mediaType == $mt' "$raw" >/dev/null ||
                    die "dotnet/$name:$arch_tag is not a Docker v2 schema 2 manifest"
                desc=$(jq -cn --arg mt "$MT_DOCKER_MANIFEST" --arg d "$(file_digest "$raw")" \
                    --argjson s "$(stat -c %s "$raw")" '{mediaType: $mt, digest: $d, size: $s}')
            else
                # Push the OCI manifest by digest (skopeo keeps it byte for byte, and fails if the
                # digest differed), then tag exactly those bytes.
                desc=$(layout_descriptor "$ref")
                digest=$(jq -r .digest <<<"$desc")
                "${copy[@]}" --format oci "oci:$LAYOUT_DIR:$ref" "docker://$REGISTRY/dotnet/$name@$digest"
                curl -fsS -X PUT -H "Content-Type: $MT_OCI_MANIFEST" \
                    --data-binary "@$LAYOUT_DIR/blobs/sha256/${digest#sha256:}" \
                    "http://$REGISTRY/v2/dotnet/$name/manifests/$arch_tag" >/dev/null
            fi
            entries=$(jq -c --argjson d "$desc" --argjson p "$(platform_json "$arch")" \
                '. + [$d + {platform: $p}]' <<<"$entries")
        done
        log "pushing $REGISTRY/dotnet/$name:$tag ($(list_media_type "$name"))"
        list=$(jq -cn --arg mt "$(list_media_type "$name")" --argjson m "$entries" \
            '{schemaVersion: 2, mediaType: $mt, manifests: $m}')
        curl -fsS -X PUT -H "Content-Type: $(list_media_type "$name")" --data-binary "$list" \
            "http://$REGISTRY/v2/dotnet/$name/manifests/$tag" >/dev/null
    done
    rm -f "$raw"
    log "base images built and pushed in $(took "$started")"
}

summary() {
    local name t raw=$STATE_DIR/.manifest.tmp arch tags=("$DOTNET_CHANNEL")
    for arch in "${ARCHES[@]}"; do tags+=("$DOTNET_CHANNEL-${ARCH_TAG[$arch]}"); done
    echo
    echo "Registry http://$REGISTRY (state folder $STATE_DIR):"
    for name in runtime-deps runtime aspnet; do
        for t in "${tags[@]}"; do
            registry_manifest "dotnet/$name:$t" "$raw" || die "dotnet/$name:$t is missing"
            printf '  %-48s %-58s %s\n' "$REGISTRY/dotnet/$name:$t" "$(jq -r .mediaType "$raw")" "$(file_digest "$raw")"
        done
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
