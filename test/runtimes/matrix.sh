#!/usr/bin/env bash
# Runs the test suite on every runtime of the matrix, one after the other (2 cores: in parallel they
# would only slow each other), and prints one line per runtime and a closing "N passed, N failed" line
# summed over all of them, from each run's vitest JSON report. Exit status 0 only if every run passed.
#   bash test/runtimes/matrix.sh [runtime…]     (default: node node24 deno bun workerd)
set -uo pipefail
cd "$(dirname "$0")/../.."

runtimes=("$@")
[ ${#runtimes[@]} -eq 0 ] && runtimes=(node node24 deno bun workerd)
# MATRIX_REPORTS=dir keeps each run's vitest JSON report there (<runtime>.json); else a temporary folder.
if [ -n "${MATRIX_REPORTS:-}" ]; then
  reports="$MATRIX_REPORTS"
  mkdir -p "$reports"
else
  reports="$(mktemp -d)"
  trap 'rm -rf "$reports"' EXIT
fi

lines=()
status=0
for runtime in "${runtimes[@]}"; do
  printf '\n== tests on %s\n' "$runtime"
  start=$(date +%s)
  bash test/runtimes/vitest.sh "$runtime" --reporter=default --reporter=json \
    --outputFile="$reports/$runtime.json"
  code=$?
  seconds=$(($(date +%s) - start))
  line=$(node test/runtimes/summarize.mjs "$runtime" "$reports/$runtime.json" "$code" "$seconds")
  [ $? -ne 0 ] && status=1
  lines+=("$line")
done

printf '\n== test matrix\n'
printf '%s\n' "${lines[@]}"
node test/runtimes/summarize.mjs --total "$reports"/*.json.counts
exit $status
