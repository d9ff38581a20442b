import { configDefaults, defineConfig } from "vitest/config";

declare module "vitest" {
  export interface ProvidedContext {
    /** The runtime this run is meant for (`node20`, `node24`, `deno`, `bun`), from EXPECT_RUNTIME. */
    expectedRuntime: string;
  }
}

// One config for Node 20 and 24, Deno and Bun (test/runtimes/vitest.sh runs each); workerd has its own,
// vitest.workerd.config.ts. The matrix and what is skipped where: docs/RUNTIMES.md.
const globals = globalThis as { Deno?: unknown; Bun?: unknown };
const onNode = globals.Deno === undefined && globals.Bun === undefined;

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // test/node/ mirrors lib/node/, the Node-specific edges (files, the CLI in child processes, fast-csv):
    // it runs on Node only. Node-only tests elsewhere are marked with `skipIf` (test/runtimes/runtime.ts).
    exclude: [...configDefaults.exclude, ...(onNode ? [] : ["test/node/**"])],
    testTimeout: 30_000,
    globalSetup: ["test/runtimes/emulator_global_setup.ts"],
    provide: { expectedRuntime: process.env.EXPECT_RUNTIME ?? "" },
  },
});
