#!/usr/bin/env bash
# The main job, on a fresh machine: set up the local registry and base images if missing, pack
# Containers.Build, publish samples/WebApp with `dotnet publish -t:PublishImage` to the local registry
# for linux/amd64 and linux/arm64 (one tag, one image index), then run the image with podman (which
# pulls this machine's platform) and ask it for its page.
#
#   SAMPLE_PORT=8080   host port the app listens on (podman runs it with --network host)
#   KEEP_RUNNING=1     leave the container running (named containers-build-sample)
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
registry="127.0.0.1:5000"
port="${SAMPLE_PORT:-8080}"
name="containers-build-sample"

"$root/build/setup-test-env.sh"

# A version of its own each time, so NuGet's cache never serves an older build of the package.
version="0.1.0-dev.$(date +%Y%m%d%H%M%S)"
echo "==> Packing Containers.Build $version"
dotnet pack "$root/Containers.Build.sln" -c Release -o "$root/artifacts/packages" -p:Version="$version" -nologo -v:q

echo "==> Publishing samples/WebApp to $registry for linux-x64 and linux-arm64"
dotnet publish "$root/samples/WebApp/WebApp.csproj" -c Release -t:PublishImage \
  -p:ContainersBuildVersion="$version" \
  -p:ContainerRuntimeIdentifiers='"linux-x64;linux-arm64"' \
  -p:ContainerRegistry="$registry" \
  -p:ContainerBaseImage="$registry/dotnet/aspnet:10.0"

echo "==> Running $registry/webapp:latest with podman on port $port"
podman rm -f "$name" >/dev/null 2>&1 || true
podman run -d --name "$name" --network host --tls-verify=false --pull=always \
  -e ASPNETCORE_HTTP_PORTS="$port" "$registry/webapp:latest" >/dev/null

body=""
for _ in $(seq 1 60); do
  if body="$(curl -fsS "http://127.0.0.1:$port/" 2>/dev/null)"; then
    break
  fi
  sleep 0.5
done
if [[ -z "$body" ]]; then
  echo "The container did not answer on port $port. Its log:" >&2
  podman logs "$name" >&2 || true
  podman rm -f "$name" >/dev/null 2>&1 || true
  exit 1
fi
echo "==> GET http://127.0.0.1:$port/ answered: $body"

if [[ "${KEEP_RUNNING:-}" == "1" ]]; then
  echo "The container keeps running: podman rm -f $name to stop it."
else
  podman rm -f "$name" >/dev/null
fi
