#!/usr/bin/env bash
# Side-by-side benchmark: Containers.Build's `dotnet publish -t:PublishImage` against the .NET SDK's
# `-t:PublishContainer`, same machine, same local registry, same base image (issue 5). Run as root, on the
# machine that build/setup-test-env.sh sets up (this script calls it first; it is idempotent).
#
#   build/benchmark.sh               publish benchmarks (the "default" group), then print the results as markdown
#   build/benchmark.sh --fleet       also the fresh-runner group (issue 18)
#   build/benchmark.sh --scale       also the 50,000-small-files and the multi-GB-file groups (issue 18)
#   build/benchmark.sh --groups "fleet small big"   only these groups (no default group)
#   build/benchmark.sh --layers      also the BenchmarkDotNet layer-writing benchmark (build/benchmarks/LayerWriting)
#   build/benchmark.sh --layers-only only that one
#
# What it does:
#   1. packs Containers.Build (src/Sdk) with a version of its own into artifacts/packages, from the work
#      tree or, with --from-head, from `git archive HEAD`;
#   2. starts build/benchmarks/counting-proxy.py on 127.0.0.1:$BENCH_PROXY_PORT in front of the registry on
#      127.0.0.1:5000: both tools push through it (registry and base image 127.0.0.1:<proxy>/...), and it
#      counts the request body bytes of every blob upload (POST/PATCH/PUT .../blobs/uploads/...);
#   3. for each case (app and RID setting) and each repetition, clones a commit of samples/ to two temp
#      dirs (one copy per tool, so neither sees the other's obj/), publishes each copy once untimed
#      (restore and build), then runs these steps, each for both tools back to back, the order
#      alternating between repetitions:
#        plain       `dotnet publish` with no change (the build part of every image publish below)
#        cold        image publish to a new, empty repository (fresh obj/, base in the same registry)
#        republish   the same again, no change (same repository)
#        change      one string in Program.cs edited, image publish (same repository)
#        plain-change  another edit, `dotnet publish` (the build part of "change")
#      Every timing is the wall time of the whole `dotnet publish` command. Image digests are read from
#      the registry (and checked against the "Pushed ...@sha256:" line ours prints).
#   4. prints per case: medians, ratios ours/SDK, bytes uploaded, the goals of issue 5, the app layers each
#      tool pushed (and their total, ours/SDK), and whether publishing the same input twice gives the same
#      manifest digest (in the same copy, and across copies at other paths and times).
#
# Opt-in groups (issue 18), each for both tools, the order alternating between repetitions:
#   fleet  a fresh runner, per case: each tool first publishes one clone, untimed, to a repository of its own;
#          then every repetition publishes a fresh clone (empty obj/ and bin/, so restore, build and no layer
#          cache; the SDK with an empty $XDG_CACHE_HOME) to that same repository, and a third fresh clone gets
#          a plain `dotnet publish` (the baseline). Steps: seed (untimed, repetition 0), fresh, plain-fresh.
#   small  a generated console app (build/benchmarks/generate-app.py) whose publish folder holds
#          $BENCH_SMALL_FILES files of $BENCH_SMALL_FILE_BYTES bytes in $BENCH_SMALL_FOLDERS folders, -r linux-x64,
#          base dotnet/runtime:10.0; one copy per tool, published once untimed; per repetition: plain (the
#          incremental `dotnet publish`), the SDK to a new repository, ours to a new repository with its layer
#          cache emptied (obj/containers removed), ours again to that repository (layer cache warm).
#   big    the same with one file of $BENCH_BIG_FILE_MB MiB (half pseudo-random, half text) in one copy; per
#          repetition: plain, then each tool cold to a new repository (ours with obj/containers removed, the SDK
#          with an empty $XDG_CACHE_HOME, deleted after). Checks the free disk space first.
# Every publish also records its peak memory: the largest resident set of the process and its descendants
# (GNU time's %M; with -nodeReuse:false MSBuild builds these projects inside the dotnet process, no worker
# node was seen to start).
#
# Options (and the environment variables they set):
#   --reps N              BENCH_REPS, repetitions per case (default 3)
#   --cases "A:R ..."     BENCH_CASES, app:rid pairs (default "WebApp:linux-x64 LargeWebApp:linux-x64
#                         LargeWebApp:portable"). rid "portable" passes no RuntimeIdentifier (each tool's
#                         default); "rid1+rid2" is a multi-platform image (ContainerRuntimeIdentifiers and
#                         RuntimeIdentifiers "rid1;rid2"); any other value is passed to both as -r <rid>
#                         (framework-dependent).
#   --from-head           BENCH_PACK_FROM=HEAD: pack the committed code, not the work tree
#   --package-version V   BENCH_PACKAGE_VERSION: use a package already in artifacts/packages, don't pack
#   --keep                BENCH_KEEP_TEMP=1: keep the temp dir (copies, logs)
#   --output DIR          BENCH_OUTPUT: where results.md/results.tsv go (default artifacts/benchmarks/<run id>)
#   --wait-quiet SECONDS  BENCH_WAIT_QUIET: before each repetition, wait at most this long (default 120) for
#                         the rest of the machine to use under BENCH_QUIET_PERCENT (default 20) % of the CPU
#   --groups "G ..."      BENCH_GROUPS, the publish groups to run, of: default fleet small big (default "default")
#   --fleet               adds fleet to the groups
#   --small-files         adds small;  --big-file  adds big;  --scale  adds both
#   BENCH_SMALL_FILES     files in the small group's app (default 50000)
#   BENCH_SMALL_FILE_BYTES  their size range, MIN-MAX bytes (default 1024-4096)
#   BENCH_SMALL_FOLDERS   folders they are spread over (default 100)
#   BENCH_BIG_FILE_MB     size of the big group's file in MiB (default 3072)
#   BENCH_PROXY_PORT      port of the counting proxy (default 5100)
#
# Every dotnet call runs with -nodeReuse:false, -c Release and -p:ContinuousIntegrationBuild=true (so that
# copies at different paths compile to the same bytes); SOURCE_DATE_EPOCH is unset. The SDK's layer cache
# ($XDG_CACHE_HOME/dotnet/Containers) goes to the temp dir, not ~/.cache. The SDK's publish is its own
# PublishContainer: -t:PublishContainer -p:ContainersBuildHandlesPublishContainer=false (the projects reference
# Containers.Build, which otherwise handles PublishContainer itself).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
registry_direct=127.0.0.1:5000
proxy_port=${BENCH_PROXY_PORT:-5100}
proxy=127.0.0.1:$proxy_port
reps=${BENCH_REPS:-3}
cases=${BENCH_CASES:-"WebApp:linux-x64 LargeWebApp:linux-x64 LargeWebApp:portable"}
pack_from=${BENCH_PACK_FROM:-worktree}
version=${BENCH_PACKAGE_VERSION:-}
keep=${BENCH_KEEP_TEMP:-0}
wait_quiet=${BENCH_WAIT_QUIET:-120}
quiet_percent=${BENCH_QUIET_PERCENT:-20}
output=${BENCH_OUTPUT:-}
groups=${BENCH_GROUPS:-default}
small_files=${BENCH_SMALL_FILES:-50000}
small_file_bytes=${BENCH_SMALL_FILE_BYTES:-1024-4096}
small_folders=${BENCH_SMALL_FOLDERS:-100}
big_file_mb=${BENCH_BIG_FILE_MB:-3072}
run_publish_benchmarks=1
run_layers=0

usage() { sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//'; }
die() { printf 'benchmark: error: %s\n' "$*" >&2; exit 1; }
log() { printf '==> %s\n' "$*" >&2; }

# Percent of the machine's CPU time that was busy during the next $1 seconds. Called while the benchmark
# itself is idle (between publishes), so it measures everything else running on the machine.
cpu_busy_percent() {
  local before after
  before=$(head -n 1 /proc/stat)
  sleep "$1"
  after=$(head -n 1 /proc/stat)
  awk -v a="$before" -v b="$after" 'BEGIN {
    n = split(a, x, " "); split(b, y, " ")
    for (i = 2; i <= n && i <= 9; i++) { d = y[i] - x[i]; total += d; if (i == 5 || i == 6) idle += d }
    printf "%.0f", (total > 0 ? 100 * (total - idle) / total : 0) }'
}

# Waits (at most $wait_quiet seconds) until the rest of the machine uses under $quiet_percent % of the CPU.
wait_for_quiet() {
  local waited=0 busy
  busy=$(cpu_busy_percent 2)
  while ((busy >= quiet_percent)); do
    if ((waited >= wait_quiet)); then
      log "warning: other processes still use ${busy}% of the CPU after ${waited}s; going on, timings will be noisy"
      return 0
    fi
    ((waited == 0)) && log "other processes use ${busy}% of the CPU; waiting for a quiet machine (at most ${wait_quiet}s)"
    sleep 8
    waited=$((waited + 10))
    busy=$(cpu_busy_percent 2)
  done
}

while (($#)); do
  case $1 in
    --layers) run_layers=1 ;;
    --layers-only) run_layers=1; run_publish_benchmarks=0 ;;
    --reps) reps=${2:?}; shift ;;
    --cases) cases=${2:?}; shift ;;
    --from-head) pack_from=HEAD ;;
    --package-version) version=${2:?}; shift ;;
    --keep) keep=1 ;;
    --output) output=${2:?}; shift ;;
    --wait-quiet) wait_quiet=${2:?}; shift ;;
    --groups) groups=${2:?}; shift ;;
    --fleet) groups+=" fleet" ;;
    --small-files) groups+=" small" ;;
    --big-file) groups+=" big" ;;
    --scale) groups+=" small big" ;;
    -h|--help) usage; exit 0 ;;
    *) die "unknown option '$1' (see --help)" ;;
  esac
  shift
done
[[ $reps =~ ^[1-9][0-9]*$ ]] || die "--reps must be a positive number, not '$reps'"
[[ $(id -u) == 0 ]] || die "run as root (build/setup-test-env.sh installs packages and starts the registry)"
for tool in dotnet python3 curl jq perl git openssl; do
  command -v "$tool" >/dev/null || die "$tool is not on PATH"
done
# The groups, each once, in a fixed order.
declare -A want_group=()
for g in $groups; do
  case $g in
    default|fleet|small|big) want_group[$g]=1 ;;
    *) die "unknown group '$g' (groups: default fleet small big)" ;;
  esac
done
groups=$(for g in default fleet small big; do [[ -n ${want_group[$g]:-} ]] && printf '%s ' "$g"; done; true)
groups=${groups% }
[[ -n $groups ]] || die "no group to run (--groups is empty)"
[[ $small_files =~ ^[1-9][0-9]*$ ]] || die "BENCH_SMALL_FILES must be a positive number, not '$small_files'"
[[ $small_folders =~ ^[1-9][0-9]*$ ]] || die "BENCH_SMALL_FOLDERS must be a positive number, not '$small_folders'"
[[ $small_file_bytes =~ ^([1-9][0-9]*)-([1-9][0-9]*)$ ]] && ((BASH_REMATCH[1] <= BASH_REMATCH[2])) ||
  die "BENCH_SMALL_FILE_BYTES is MIN-MAX bytes with MIN <= MAX, not '$small_file_bytes'"
[[ $big_file_mb =~ ^[1-9][0-9]*$ ]] || die "BENCH_BIG_FILE_MB must be a positive number, not '$big_file_mb'"
# GNU time, for the peak memory of every publish (Debian's package "time").
if ((run_publish_benchmarks)) && ! /usr/bin/time -f '%M' true >/dev/null 2>&1; then
  log "installing GNU time (apt-get install time) for the peak memory of each publish"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q time >/dev/null 2>&1 ||
    { apt-get update -q >/dev/null 2>&1 && DEBIAN_FRONTEND=noninteractive apt-get install -y -q time >/dev/null 2>&1; } ||
    die "GNU time (/usr/bin/time) is missing and apt-get install time failed"
fi

run_id="$(date -u +%Y%m%d-%H%M%S)-$$"
output=${output:-$root/artifacts/benchmarks/$run_id}
mkdir -p "$output"
output=$(cd "$output" && pwd)
work=$(mktemp -d /tmp/containers-build-bench.XXXXXX)
logs=$work/logs
mkdir -p "$logs"
proxy_pid=
pushed_repos=()

cleanup() {
  local status=$?
  if [[ -n $proxy_pid ]]; then
    kill "$proxy_pid" 2>/dev/null || true
    wait "$proxy_pid" 2>/dev/null || true
  fi
  # Untag what the benchmark pushed (the registry keeps the blobs until its garbage collection runs).
  local entry
  for entry in "${pushed_repos[@]}"; do
    curl -s -o /dev/null --max-time 10 -X DELETE "http://$registry_direct/v2/${entry%@*}/manifests/${entry#*@}" || true
  done
  if [[ $keep == 1 ]]; then
    log "kept $work"
  else
    rm -rf "$work"
  fi
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1 MSBUILDDISABLENODEREUSE=1
# The SDK talks plain HTTP only to registries named here (or to localhost); ours ignores the variable.
export DOTNET_CONTAINER_INSECURE_REGISTRIES=$proxy
# The SDK writes every layer it builds to $XDG_CACHE_HOME/dotnet/Containers/Content and never deletes it.
export XDG_CACHE_HOME=$work/xdg-cache
unset SOURCE_DATE_EPOCH

# ------------------------------------------------------------------------------------------------------
# Environment, package
# ------------------------------------------------------------------------------------------------------
if ((run_publish_benchmarks)); then
  log "setting up the test environment (build/setup-test-env.sh)"
  if ! "$root/build/setup-test-env.sh" >"$logs/setup-test-env.log" 2>&1; then
    cp "$logs/setup-test-env.log" "$output/" || true
    # The benchmark needs only the registry on :5000 and its base image; the script also sets up things
    # for the tests (other registries, podman) that may fail without affecting what is measured here.
    if [[ $(curl -s -o /dev/null -w '%{http_code}' --max-time 5 \
        -H 'Accept: application/vnd.oci.image.index.v1+json, application/vnd.oci.image.manifest.v1+json' \
        "http://$registry_direct/v2/dotnet/aspnet/manifests/10.0") == 200 ]]; then
      log "warning: build/setup-test-env.sh failed (last line: $(tail -n 1 "$logs/setup-test-env.log")), but $registry_direct has dotnet/aspnet:10.0: going on"
    else
      tail -n 30 "$logs/setup-test-env.log" >&2
      die "build/setup-test-env.sh failed (log above, also in $output/setup-test-env.log)"
    fi
  fi
fi

commit=$(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo unknown)
source_tree=$root
if [[ $pack_from == HEAD ]]; then
  source_tree=$work/head
  mkdir -p "$source_tree"
  git -C "$root" archive HEAD | tar -x -C "$source_tree"
  source_desc="commit $commit (git archive HEAD)"
elif [[ -n $(git -C "$root" status --porcelain -- src 2>/dev/null) ]]; then
  source_desc="work tree at $commit with uncommitted changes in src/"
else
  source_desc="work tree at $commit"
fi

if [[ -z $version ]]; then
  version="0.1.0-bench.$(date -u +%Y%m%d%H%M%S).$$"
  log "packing Containers.Build $version from the $source_desc"
  # The package project alone: packing Containers.Build.sln would also build the tests, which the
  # benchmark does not need (and a commit whose tests do not build can still be measured).
  if ! dotnet pack "$source_tree/src/Sdk/Containers.Build.Sdk.csproj" -c Release -o "$root/artifacts/packages" \
      -p:Version="$version" -nologo -v:q -nodeReuse:false >"$logs/pack.log" 2>&1; then
    tail -n 40 "$logs/pack.log" >&2
    cp "$logs/pack.log" "$output/" || true
    die "dotnet pack failed (last lines above, full log in $output/pack.log)"
  fi
else
  [[ -f $root/artifacts/packages/Containers.Build.$version.nupkg ]] ||
    die "no artifacts/packages/Containers.Build.$version.nupkg"
  source_desc="package $version (not packed by this run)"
fi

# ------------------------------------------------------------------------------------------------------
# Counting proxy
# ------------------------------------------------------------------------------------------------------
proxy_log=$work/proxy.log
start_proxy() {
  if curl -s -o /dev/null --max-time 2 "http://$proxy/"; then
    die "something already listens on $proxy; set BENCH_PROXY_PORT to a free port"
  fi
  : >"$proxy_log"
  python3 "$root/build/benchmarks/counting-proxy.py" "$proxy_port" "$registry_direct" "$proxy_log" \
    >"$logs/proxy.stderr" 2>&1 &
  proxy_pid=$!
  local i
  for ((i = 0; i < 50; i++)); do
    if [[ $(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "http://$proxy/v2/") == 200 ]]; then
      return 0
    fi
    kill -0 "$proxy_pid" 2>/dev/null || break
    sleep 0.2
  done
  cat "$logs/proxy.stderr" >&2
  die "the counting proxy did not answer on http://$proxy/v2/"
}

# Sums over the proxy log from byte offset $1: uploaded blob bytes, downloaded blob bytes, manifest bytes
# PUT, requests, proxy errors.
traffic_since() {
  tail -c +"$(($1 + 1))" "$proxy_log" | awk -F'\t' '
    { requests++ }
    $3 ~ /^ERROR/ { errors++ }
    $2 ~ /\/blobs\/uploads\// && ($1 == "POST" || $1 == "PATCH" || $1 == "PUT") { up += $4 }
    $1 == "GET" && $2 ~ /\/blobs\/sha256:/ { down += $5 }
    $1 == "PUT" && $2 ~ /\/manifests\// { manifests += $4 }
    END { printf "%d %d %d %d %d\n", up, down, manifests, requests, errors }'
}

manifest_accept="application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.v2+json, application/vnd.oci.image.index.v1+json, application/vnd.docker.distribution.manifest.list.v2+json"

# Digest of the manifest tag $2 of repository $1 names (empty if none).
registry_digest() {
  curl -sfI --max-time 10 -H "Accept: $manifest_accept" "http://$registry_direct/v2/$1/manifests/$2" |
    tr -d '\r' | sed -n 's/^[Dd]ocker-[Cc]ontent-[Dd]igest: *//p'
}

# Layer digests and sizes ("digest size" lines) of the image $1@$2; an index is narrowed to its first entry.
image_layers() {
  local manifest
  manifest=$(curl -sf --max-time 10 -H "Accept: $manifest_accept" "http://$registry_direct/v2/$1/manifests/$2")
  if jq -e '.manifests' >/dev/null <<<"$manifest"; then
    manifest=$(curl -sf --max-time 10 -H "Accept: $manifest_accept" \
      "http://$registry_direct/v2/$1/manifests/$(jq -r '.manifests[0].digest' <<<"$manifest")")
  fi
  jq -r '.layers[] | "\(.digest) \(.size)"' <<<"$manifest"
}

# ------------------------------------------------------------------------------------------------------
# Publishing
# ------------------------------------------------------------------------------------------------------
results=$output/results.tsv
folders=$output/folders.tsv
printf 'app\tcase\trep\ttool\tstep\tseconds\tuploaded\tdownloaded\tmanifest_bytes\trequests\tdigest\tapp_layers\tsummary\tload1\tbusy\tpeak_kib\tgroup\n' >"$results"
printf 'app\tcase\trep\ttool\tfiles\tbytes\tpath\tcontent\n' >"$folders"

# Layer digests of each base image (repository:tag), read once: what is not among them in a pushed image is
# the app's.
declare -A base_layer_sets=()

# publish APP CASE REP TOOL STEP COPY REPOSITORY
#   TOOL: plain | ours | sdk. Appends a row to results.tsv; exits with the publish's last lines on failure.
#   Set by the caller (bash's dynamic scope) when not the default group's: pub_group (the group column),
#   pub_project (the project file, default COPY/samples/APP/APP.csproj), pub_base (the base image's
#   repository:tag, default dotnet/aspnet:10.0), pub_xdg (XDG_CACHE_HOME for this publish only).
publish() {
  local app=$1 case_name=$2 rep=$3 tool=$4 step=$5 copy=$6 repository=$7
  local project=${pub_project:-$copy/samples/$app/$app.csproj}
  local base=${pub_base:-dotnet/aspnet:10.0} group=${pub_group:-default} xdg=${pub_xdg:-$XDG_CACHE_HOME}
  local name="$app-$case_name-r$rep-$tool-$step"
  local log_file=$logs/$name.log time_file=$logs/$name.time
  local args=(publish "$project" -c Release -nodeReuse:false -p:ContinuousIntegrationBuild=true
              -p:ContainersBuildVersion="$version" "${rid_args[@]}")
  case $tool in
    ours) args+=(-t:PublishImage) ;;
    # The projects reference Containers.Build, which handles PublishContainer unless told not to.
    sdk) args+=(-t:PublishContainer -p:ContainersBuildHandlesPublishContainer=false) ;;
  esac
  if [[ $tool != plain ]]; then
    args+=(-p:ContainerRegistry="$proxy" -p:ContainerBaseImage="$proxy/$base"
           -p:ContainerRepository="$repository")
    if [[ -z ${base_layer_sets[$base]+set} ]]; then
      base_layer_sets[$base]=$(image_layers "${base%:*}" "${base##*:}" | cut -d' ' -f1)
      [[ -n ${base_layer_sets[$base]} ]] || die "cannot read the layers of $registry_direct/$base"
    fi
  fi
  local offset start end rc=0 load busy peak_kib=""
  # What else runs on the machine: the 1-minute load average, and the CPU busy in the half second before.
  load=$(cut -d' ' -f1 /proc/loadavg)
  busy=$(cpu_busy_percent 0.5)
  offset=$(stat -c %s "$proxy_log")
  mkdir -p "$xdg"
  start=$(date +%s%N)
  # GNU time adds a fork and a wait; its %M is the largest resident set among the process and the
  # descendants it waited for (in kilobytes).
  XDG_CACHE_HOME=$xdg /usr/bin/time -f '%M' -o "$time_file" dotnet "${args[@]}" >"$log_file" 2>&1 || rc=$?
  end=$(date +%s%N)
  if ((rc != 0)); then
    {
      echo
      echo "benchmark: FAILED: $tool, step '$step', $app ($case_name, repetition $rep): dotnet exited with $rc."
      echo "  command: dotnet ${args[*]}"
      echo "  last 40 lines of its output:"
      tail -n 40 "$log_file" | sed 's/^/    /'
    } >&2
    cp "$log_file" "$output/FAILED-$name.log" || true
    echo "  full log: $output/FAILED-$name.log" >&2
    exit 1
  fi
  peak_kib=$(tail -n 1 "$time_file")
  [[ $peak_kib =~ ^[0-9]+$ ]] || peak_kib=""
  local seconds uploaded downloaded manifest_bytes requests errors digest="" app_layers="" summary=""
  seconds=$(awk -v s="$start" -v e="$end" 'BEGIN { printf "%.3f", (e - s) / 1e9 }')
  read -r uploaded downloaded manifest_bytes requests errors < <(traffic_since "$offset")
  ((errors == 0)) || log "warning: the proxy saw $errors failed requests during $name (see $proxy_log)"
  if [[ $tool != plain ]]; then
    digest=$(registry_digest "$repository" latest)
    [[ -n $digest ]] || die "$name: the registry has no $repository:latest after a successful publish (log: $log_file)"
    pushed_repos+=("$repository@$digest")
    if [[ $tool == ours ]]; then
      local printed
      summary=$(grep -E 'Pushed [^ ]+@sha256:[0-9a-f]{64}' "$log_file" | tail -n 1 | sed 's/^ *//' | tr '\t' ' ') || true
      printed=$(grep -oE 'Pushed [^ ]+@sha256:[0-9a-f]{64}' <<<"$summary" | sed 's/.*@//') || true
      if [[ -z $printed ]]; then
        log "warning: $name: no 'Pushed ...@sha256:' line in our output"
      elif [[ $printed != "$digest" ]]; then
        log "warning: $name: ours printed $printed but the registry's tag names $digest"
      fi
    fi
    # Layers the image has on top of the base: the app's.
    local base_set=${base_layer_sets[$base]}
    app_layers=$(image_layers "$repository" "$digest" | while read -r d s; do
      grep -qx "$d" <<<"$base_set" || printf '%s,' "$s"
    done)
    app_layers=${app_layers%,}
  fi
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$app" "$case_name" "$rep" "$tool" "$step" \
    "$seconds" "$uploaded" "$downloaded" "$manifest_bytes" "$requests" "$digest" "$app_layers" "$summary" "$load" "$busy" \
    "$peak_kib" "$group" >>"$results"
  printf '    %-5s %-12s %7ss  uploaded %11s bytes  peak %6s MiB  (before it: load %s, CPU %s%% busy)\n' "$tool" "$step" \
    "$seconds" "$uploaded" "$((${peak_kib:-0} / 1024))" "$load" "$busy" >&2
}

# A clone at $1 of one commit of samples/ (without bin/ and obj/), made once per run with fixed metadata:
# with ContinuousIntegrationBuild=true, SourceLink maps the clone's path to /_/, so every clone compiles to
# the same bytes (issue 5: "the same commit, cloned to two paths"). ../artifacts/packages of its
# nuget.config is the repository's.
copy_samples() {
  local origin=$work/origin
  if [[ ! -d $origin/.git ]]; then
    mkdir -p "$origin/samples"
    tar -C "$root/samples" --exclude=./*/bin --exclude=./*/obj -cf - . | tar -C "$origin/samples" -xf -
    printf 'bin/\nobj/\n' >"$origin/.gitignore"
    git -C "$origin" init -q
    git -C "$origin" add -A
    GIT_AUTHOR_NAME=benchmark GIT_AUTHOR_EMAIL=benchmark@localhost GIT_AUTHOR_DATE=2000-01-01T00:00:00Z \
      GIT_COMMITTER_NAME=benchmark GIT_COMMITTER_EMAIL=benchmark@localhost GIT_COMMITTER_DATE=2000-01-01T00:00:00Z \
      git -C "$origin" -c commit.gpgsign=false commit -q -m "samples for build/benchmark.sh"
  fi
  git clone -q "$origin" "$1"
  ln -s "$root/artifacts" "$1/artifacts"
}

# Edits the string GET / returns in the copy's Program.cs.
edit_program() {
  local file=$1/samples/$2/Program.cs text=$3
  cp "$file" "$file.before"
  perl -0pi -e 's/(MapGet\("\/", \(\) => ")[^"]*(")/${1}'"$text"'${2}/' "$file"
  if cmp -s "$file" "$file.before"; then
    die "could not edit the string of MapGet(\"/\", ...) in $file"
  fi
  rm -f "$file.before"
}

# Size and a content hash (names and bytes of every file) of the copy's newest publish folder
# (bin/Release/net10.0[/rid]/publish), to tell a tool that is not reproducible from an input that is not.
# record_publish_folder APP CASE REP TOOL COPY [PROJECT_DIR [HASH]]: PROJECT_DIR defaults to COPY/samples/APP;
# HASH=0 leaves the content hash out ("-").
record_publish_folder() {
  local app=$1 case_name=$2 rep=$3 tool=$4 copy=$5 project_dir=${6:-$5/samples/$1} hash=${7:-1} dir content=-
  dir=$(find "$project_dir/bin" -type d -name publish -printf '%T@ %p\n' 2>/dev/null | sort -n | tail -n 1 | cut -d' ' -f2-)
  [[ -n $dir ]] || return 0
  if ((hash)); then
    content=$(cd "$dir" && find . -type f -print0 | LC_ALL=C sort -z | xargs -0 sha256sum | sha256sum | cut -c1-16)
  fi
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$app" "$case_name" "$rep" "$tool" \
    "$(find "$dir" -type f | wc -l)" "$(du -sb "$dir" | cut -f1)" "${dir#"$copy"/}" "$content" >>"$folders"
}

# The RuntimeIdentifier arguments of a case (global rid_args, which publish passes to every command).
set_rid_args() {
  rid_args=()
  case $1 in
    portable) ;;
    # Several platforms, one index: RuntimeIdentifiers too, which the SDK needs to restore for them.
    *+*) rid_args=("-p:RuntimeIdentifiers=\"${1//+/;}\"" "-p:ContainerRuntimeIdentifiers=\"${1//+/;}\"") ;;
    *) rid_args=(-r "$1") ;;
  esac
}

# The default group: cold, republish, change and their plain baselines, per case.
bench_case() {
  local app=$1 case_name=$2 rep tool order step copy
  [[ -f $root/samples/$app/$app.csproj ]] || die "no samples/$app/$app.csproj"
  set_rid_args "$case_name"
  local slug
  slug=${app,,}
  for ((rep = 1; rep <= reps; rep++)); do
    if ((rep % 2)); then order=(ours sdk); else order=(sdk ours); fi
    wait_for_quiet
    log "$app ($case_name), repetition $rep of $reps (order: ${order[*]})"
    declare -A copies=() repos=()
    for tool in ours sdk; do
      copy=$work/$app-$case_name-r$rep-$tool
      copies[$tool]=$copy
      repos[$tool]="bench/$slug-${case_name//+/-}-$tool-$run_id-r$rep"
      copy_samples "$copy"
    done
    for tool in "${order[@]}"; do
      publish "$app" "$case_name" "$rep" plain warmup "${copies[$tool]}" ""
    done
    for step in plain cold republish change plain-change; do
      for tool in "${order[@]}"; do
        copy=${copies[$tool]}
        case $step in
          plain) publish "$app" "$case_name" "$rep" plain plain "$copy" "" ;;
          cold)
            publish "$app" "$case_name" "$rep" "$tool" cold "$copy" "${repos[$tool]}"
            record_publish_folder "$app" "$case_name" "$rep" "$tool" "$copy" ;;
          republish) publish "$app" "$case_name" "$rep" "$tool" republish "$copy" "${repos[$tool]}" ;;
          change)
            edit_program "$copy" "$app" "Hello from a one-line change, repetition $rep!"
            publish "$app" "$case_name" "$rep" "$tool" change "$copy" "${repos[$tool]}" ;;
          plain-change)
            edit_program "$copy" "$app" "Hello from another one-line change, repetition $rep!"
            publish "$app" "$case_name" "$rep" plain plain-change "$copy" "" ;;
        esac
      done
    done
    if [[ $keep != 1 ]]; then
      rm -rf "${copies[ours]}" "${copies[sdk]}"
    fi
    unset copies repos
  done
}

# ------------------------------------------------------------------------------------------------------
# Fresh runner (group "fleet", issue 18)
# ------------------------------------------------------------------------------------------------------
# Per case: each tool publishes one clone, untimed, to a repository of its own ("seed", repetition 0); then
# every repetition publishes a fresh clone of the same commit (no obj/ or bin/: restore, build, no layer
# cache; the SDK with an empty XDG_CACHE_HOME) to that repository ("fresh"), and a plain `dotnet publish` of
# another fresh clone is the baseline ("plain-fresh").
bench_fleet() {
  local app=$1 case_name=$2 rep tool order copy pub_group=fleet pub_xdg
  [[ -f $root/samples/$app/$app.csproj ]] || die "no samples/$app/$app.csproj"
  set_rid_args "$case_name"
  local slug=${app,,}
  declare -A repos=()
  wait_for_quiet
  log "fresh runner: $app ($case_name): each tool publishes one clone, untimed, to the repository the runs will find"
  for tool in ours sdk; do
    repos[$tool]="bench/fleet-$slug-${case_name//+/-}-$tool-$run_id"
    copy=$work/fleet-$app-$case_name-seed-$tool
    copy_samples "$copy"
    pub_xdg=$work/xdg-fleet-seed-$tool
    publish "$app" "$case_name" 0 "$tool" seed "$copy" "${repos[$tool]}"
    rm -rf "$pub_xdg"
    [[ $keep == 1 ]] || rm -rf "$copy"
  done
  for ((rep = 1; rep <= reps; rep++)); do
    if ((rep % 2)); then order=(plain ours sdk); else order=(sdk ours plain); fi
    wait_for_quiet
    log "fresh runner: $app ($case_name), repetition $rep of $reps (order: ${order[*]})"
    for tool in "${order[@]}"; do
      copy=$work/fleet-$app-$case_name-r$rep-$tool
      copy_samples "$copy"
      pub_xdg=$work/xdg-fleet-r$rep-$tool
      if [[ $tool == plain ]]; then
        publish "$app" "$case_name" "$rep" plain plain-fresh "$copy" ""
      else
        publish "$app" "$case_name" "$rep" "$tool" fresh "$copy" "${repos[$tool]}"
      fi
      rm -rf "$pub_xdg"
      [[ $keep == 1 ]] || rm -rf "$copy"
    done
  done
  unset repos
}

# ------------------------------------------------------------------------------------------------------
# Scale: many small files (group "small") and one big file (group "big"), issue 18
# ------------------------------------------------------------------------------------------------------
bench_small() {
  local app=SmallFiles case_name=linux-x64 rep tool order copy repo
  local pub_group=small pub_base=dotnet/runtime:10.0 pub_project pub_xdg
  rid_args=(-r linux-x64)
  local origin=$work/small-origin
  log "generating $app: $small_files files of $small_file_bytes bytes in $small_folders folders"
  python3 "$root/build/benchmarks/generate-app.py" small "$origin" --files "$small_files" \
    --min-bytes "${small_file_bytes%-*}" --max-bytes "${small_file_bytes#*-}" --folders "$small_folders" \
    --packages "$root/artifacts/packages" >"$logs/small-generate.log" 2>&1 ||
    { cat "$logs/small-generate.log" >&2; die "generating the small-files app failed"; }
  declare -A copies=()
  for tool in ours sdk; do
    copy=$work/small-$tool
    cp -a "$origin" "$copy"
    copies[$tool]=$copy
    pub_project=$copy/$app.csproj
    log "$app: restore, build and the first copy of the files into the publish folder (untimed, the copy for $tool)"
    publish "$app" "$case_name" 0 plain warmup "$copy" ""
  done
  [[ $keep == 1 ]] || rm -rf "$origin"
  for ((rep = 1; rep <= reps; rep++)); do
    if ((rep % 2)); then order=(ours sdk); else order=(sdk ours); fi
    wait_for_quiet
    log "$app ($small_files files), repetition $rep of $reps (order: ${order[*]})"
    for tool in "${order[@]}"; do
      pub_project=${copies[$tool]}/$app.csproj
      publish "$app" "$case_name" "$rep" plain plain "${copies[$tool]}" ""
    done
    for tool in "${order[@]}"; do
      copy=${copies[$tool]}
      pub_project=$copy/$app.csproj
      repo="bench/smallfiles-$tool-$run_id-r$rep"
      if [[ $tool == sdk ]]; then
        pub_xdg=$work/xdg-small-r$rep
        publish "$app" "$case_name" "$rep" sdk cold "$copy" "$repo"
        rm -rf "$pub_xdg"
        pub_xdg=
      else
        rm -rf "$copy/obj/containers"
        publish "$app" "$case_name" "$rep" ours cold "$copy" "$repo"
        publish "$app" "$case_name" "$rep" ours warm "$copy" "$repo"
      fi
      ((rep > 1)) || record_publish_folder "$app" "$case_name" "$rep" "$tool" "$copy" "$copy"
    done
  done
  [[ $keep == 1 ]] || rm -rf "${copies[ours]}" "${copies[sdk]}"
  unset copies
}

# Free MiB on the file system of $1.
free_mib() { df -Pm "$1" | awk 'NR == 2 { print $4 }'; }

bench_big() {
  local app=BigFile case_name=linux-x64 rep tool order repo
  local pub_group=big pub_base=dotnet/runtime:10.0 pub_project pub_xdg
  rid_args=(-r linux-x64)
  local dir=$work/big
  # The file, its copy in the publish folder, ours' compressed layer in obj/containers and the SDK's in its
  # cache (each deleted after its publish), and in the registry's storage the layers pushed (ours the same
  # blob every time, the SDK a new one per repetition; untagged at the end, reclaimed by its garbage
  # collection only): at most half of the file's size each, as it is half random.
  local registry_storage=${CONTAINERS_BUILD_STATE:-/tmp/containers-build-env}/registry
  local need_work=$((big_file_mb * 4 + 2048)) need_registry=$(((big_file_mb * (reps + 1) + 1) / 2 + 1024))
  if [[ -d $registry_storage && $(df -P "$registry_storage" | awk 'NR == 2 { print $1 }') == $(df -P "$work" | awk 'NR == 2 { print $1 }') ]]; then
    need_work=$((need_work + need_registry))
  elif [[ -d $registry_storage ]] && (($(free_mib "$registry_storage") < need_registry)); then
    die "the big-file group needs about $need_registry MiB free for the registry's storage ($registry_storage), $(free_mib "$registry_storage") MiB are"
  fi
  (($(free_mib "$work") >= need_work)) ||
    die "the big-file group ($big_file_mb MiB, $reps repetitions) needs about $need_work MiB free in $work, $(free_mib "$work") MiB are; set BENCH_BIG_FILE_MB lower"
  log "generating $app: one file of $big_file_mb MiB ($(free_mib "$work") MiB free, about $need_work MiB needed)"
  python3 "$root/build/benchmarks/generate-app.py" big "$dir" --mb "$big_file_mb" \
    --packages "$root/artifacts/packages" >"$logs/big-generate.log" 2>&1 ||
    { cat "$logs/big-generate.log" >&2; die "generating the big-file app failed"; }
  pub_project=$dir/$app.csproj
  log "$app: restore, build and the first copy of the file into the publish folder (untimed)"
  publish "$app" "$case_name" 0 plain warmup "$dir" ""
  record_publish_folder "$app" "$case_name" 1 plain "$dir" "$dir" 0
  for ((rep = 1; rep <= reps; rep++)); do
    if ((rep % 2)); then order=(ours sdk); else order=(sdk ours); fi
    wait_for_quiet
    log "$app ($big_file_mb MiB), repetition $rep of $reps (order: ${order[*]})"
    publish "$app" "$case_name" "$rep" plain plain "$dir" ""
    for tool in "${order[@]}"; do
      repo="bench/bigfile-$tool-$run_id-r$rep"
      if [[ $tool == sdk ]]; then
        pub_xdg=$work/xdg-big-r$rep
        publish "$app" "$case_name" "$rep" sdk cold "$dir" "$repo"
        rm -rf "$pub_xdg"
        pub_xdg=
      else
        rm -rf "$dir/obj/containers"
        publish "$app" "$case_name" "$rep" ours cold "$dir" "$repo"
        rm -rf "$dir/obj/containers"
      fi
    done
  done
  [[ $keep == 1 ]] || rm -rf "$dir"
}

# ------------------------------------------------------------------------------------------------------
# Layer writing (BenchmarkDotNet)
# ------------------------------------------------------------------------------------------------------
layers_markdown=$output/layers.md
bench_layers() {
  local project_dir=$root/build/benchmarks/LayerWriting folder_args=() case_name rid
  if [[ $pack_from == HEAD ]]; then
    # Against the committed src/Tasks: the benchmark project goes into the archived tree.
    mkdir -p "$source_tree/build/benchmarks"
    cp -r "$project_dir" "$source_tree/build/benchmarks/"
    rm -rf "$source_tree/build/benchmarks/LayerWriting/bin" "$source_tree/build/benchmarks/LayerWriting/obj"
    project_dir=$source_tree/build/benchmarks/LayerWriting
  fi
  # Publish folders of LargeWebApp, one per RID setting of the cases (linux-x64 when there are none).
  local rids
  rids=$(for c in $cases; do if [[ ${c%%:*} == LargeWebApp ]]; then echo "${c#*:}"; fi; done | sort -u)
  [[ -n $rids ]] || rids=linux-x64
  copy_samples "$work/layers"
  for case_name in $rids; do
    rid=()
    [[ $case_name == portable ]] || rid=(-r "$case_name")
    log "publishing LargeWebApp ($case_name) for the layer-writing benchmark"
    if ! dotnet publish "$work/layers/samples/LargeWebApp/LargeWebApp.csproj" -c Release -nodeReuse:false \
        -p:ContainersBuildVersion="$version" "${rid[@]}" -o "$work/layers/publish-$case_name" \
        >"$logs/layers-publish-$case_name.log" 2>&1; then
      tail -n 40 "$logs/layers-publish-$case_name.log" >&2
      die "publishing LargeWebApp for the layer benchmark failed"
    fi
    folder_args+=("LargeWebApp-$case_name=$work/layers/publish-$case_name")
  done
  log "building build/benchmarks/LayerWriting"
  if ! dotnet build "$project_dir/LayerWriting.csproj" -c Release -nodeReuse:false >"$logs/layers-build.log" 2>&1; then
    tail -n 40 "$logs/layers-build.log" >&2
    cp "$logs/layers-build.log" "$output/" || true
    die "building build/benchmarks/LayerWriting failed (src/Tasks may be changing under it; log in $output/layers-build.log)"
  fi
  wait_for_quiet
  echo "load_before_layers=$(cut -d' ' -f1-3 /proc/loadavg)" >>"$output/meta.txt"
  log "running the layer-writing benchmark (BenchmarkDotNet, a few minutes)"
  if ! (cd "$work" && TMPDIR=$work dotnet run -c Release --no-build --project "$project_dir/LayerWriting.csproj" -- \
      "${folder_args[@]}" --artifacts "$work/BenchmarkDotNet.Artifacts") >"$logs/layers-run.log" 2>&1; then
    tail -n 60 "$logs/layers-run.log" >&2
    cp "$logs/layers-run.log" "$output/" || true
    die "the layer-writing benchmark failed (log in $output/layers-run.log)"
  fi
  cp "$logs/layers-run.log" "$output/layers-benchmarkdotnet.log"
  sed -n '/^LAYERWRITING-RESULTS-BEGIN$/,/^LAYERWRITING-RESULTS-END$/p' "$logs/layers-run.log" | sed '1d;$d' >"$layers_markdown"
}

# ------------------------------------------------------------------------------------------------------
# Run
# ------------------------------------------------------------------------------------------------------
SECONDS=0
{
  echo "date=$(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "run_id=$run_id"
  echo "cores=$(nproc)"
  echo "memory_gib=$(awk '/^MemTotal:/ { printf "%.1f", $2 / 1048576 }' /proc/meminfo)"
  echo "cpu=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)"
  # shellcheck source=/dev/null
  echo "os=$(. /etc/os-release && echo "$PRETTY_NAME")"
  echo "sdk=$(dotnet --version)"
  echo "source=$source_desc"
  echo "package=$version"
  echo "reps=$reps"
  echo "cases=$cases"
  echo "groups=$groups"
  echo "small_files=$small_files"
  echo "small_file_bytes=$small_file_bytes"
  echo "small_folders=$small_folders"
  echo "big_file_mb=$big_file_mb"
  echo "registry=$registry_direct behind the counting proxy $proxy; base $proxy/dotnet/aspnet:10.0 (the small and big groups: $proxy/dotnet/runtime:10.0)"
  echo "load_at_start=$(cut -d' ' -f1-3 /proc/loadavg)"
} >"$output/meta.txt"
if awk -v l="$(cut -d' ' -f1 /proc/loadavg)" -v c="$(nproc)" 'BEGIN { exit !(l > c / 2) }'; then
  log "warning: the 1-minute load average is $(cut -d' ' -f1 /proc/loadavg) on $(nproc) cores: something else is running, timings will be noisy"
fi

if ((run_publish_benchmarks)); then
  start_proxy
  for c in $cases; do
    [[ $c == *:* ]] || die "a case is app:rid, e.g. LargeWebApp:linux-x64, not '$c'"
  done
  if [[ -n ${want_group[default]:-} ]]; then
    for c in $cases; do
      bench_case "${c%%:*}" "${c#*:}"
    done
  fi
  if [[ -n ${want_group[fleet]:-} ]]; then
    for c in $cases; do
      bench_fleet "${c%%:*}" "${c#*:}"
    done
  fi
  if [[ -n ${want_group[small]:-} ]]; then
    bench_small
  fi
  if [[ -n ${want_group[big]:-} ]]; then
    bench_big
  fi
fi
if ((run_layers)); then
  bench_layers
fi
echo "elapsed_seconds=$SECONDS" >>"$output/meta.txt"

python3 "$root/build/benchmarks/summarize.py" "$output" >"$output/results.md"
echo
cat "$output/results.md"
echo
log "results: $output/results.md (raw: results.tsv, folders.tsv, meta.txt); ${SECONDS}s"
