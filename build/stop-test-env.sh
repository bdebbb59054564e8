#!/usr/bin/env bash
# Stops the registries started by build/setup-test-env.sh (found through their pid files).
#   --purge   also delete the state folder (registry storage, cached rootfs layers and NuGet runtime
#             packs, OCI layout)
# Environment: CONTAINERS_BUILD_STATE (default /tmp/containers-build-env), as for the setup script.
set -euo pipefail

STATE_DIR=${CONTAINERS_BUILD_STATE:-/tmp/containers-build-env}
PURGE=0
case ${1:-} in
'') ;;
--purge) PURGE=1 ;;
*) echo "usage: $0 [--purge]" >&2; exit 2 ;;
esac

shopt -s nullglob
pid_files=("$STATE_DIR"/registry/*.pid)
if ((${#pid_files[@]} == 0)); then
    echo "no pid file in $STATE_DIR/registry; nothing to stop"
fi
for pid_file in "${pid_files[@]}"; do
    name=$(basename "$pid_file" .pid)
    pid=$(<"$pid_file")
    # Only signal the pid if it still is a docker-registry (pids get reused).
    if [[ $pid =~ ^[0-9]+$ ]] && [[ $(tr '\0' ' ' 2>/dev/null <"/proc/$pid/cmdline") == *docker-registry* ]]; then
        echo "stopping $name (pid $pid)"
        kill -TERM "$pid" 2>/dev/null || true
        for ((i = 0; i < 100; i++)); do
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.1
        done
        if kill -0 "$pid" 2>/dev/null; then
            echo "$name did not stop within 10 s, killing it"
            kill -KILL "$pid" 2>/dev/null || true
        fi
    else
        echo "$name (pid $pid) is not running"
    fi
    rm -f "$pid_file"
done

if ((PURGE)); then
    echo "removing $STATE_DIR"
    rm -rf --one-file-system "$STATE_DIR"
fi
