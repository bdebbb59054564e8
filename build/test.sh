#!/usr/bin/env bash
# Runs every test in the repository and ends with one line: "N passed, N failed".
#
# The integration tests need the test environment (registry on 127.0.0.1:5000, base images, podman,
# skopeo); this script sets it up first (idempotent, needs root on a fresh machine). Set
# CONTAINERS_BUILD_SKIP_INTEGRATION=1 to run only the unit tests, without any setup.
set -uo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
results="$(mktemp -d /tmp/containers-build-tests.XXXXXX)"

if [[ "${CONTAINERS_BUILD_SKIP_INTEGRATION:-}" != "1" ]]; then
  if ! "$root/build/setup-test-env.sh"; then
    echo "build/setup-test-env.sh failed: the test environment is not available." >&2
    echo "0 passed, 1 failed"
    exit 1
  fi
fi

dotnet test "$root/Containers.Build.sln" -c Release \
  --logger "trx;LogFileName=results.trx" --logger "console;verbosity=normal" \
  --results-directory "$results"
status=$?

passed=0
failed=0
shopt -s nullglob
for trx in "$results"/*.trx "$results"/*/*.trx; do
  counters="$(grep -o '<Counters [^>]*>' "$trx" | head -1)"
  p="$(sed -n 's/.* passed="\([0-9]*\)".*/\1/p' <<<"$counters")"
  f="$(sed -n 's/.* failed="\([0-9]*\)".*/\1/p' <<<"$counters")"
  passed=$((passed + ${p:-0}))
  failed=$((failed + ${f:-0}))
done
# A build failure or crashed test host runs no test: count it as a failure so the line never reads green.
if [[ $status -ne 0 && $failed -eq 0 ]]; then
  failed=1
fi
echo "$passed passed, $failed failed"
exit $status
