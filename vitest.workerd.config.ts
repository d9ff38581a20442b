import { cloudflareTest } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";

// The workerd entry of the test matrix (docs/RUNTIMES.md): the test files below run inside workerd, the
// Cloudflare Workers runtime. The plugin always turns nodejs_compat on; the proof that the core needs no
// Node API at all is test/runtimes/worker_without_nodejs_compat.test.ts (a plain miniflare Worker).
// The emulator is served from the test process (globalSetup, on Node) and reached over 127.0.0.1.
export default defineConfig({
  plugins: [
    cloudflareTest({
      miniflare: { compatibilityDate: "2026-07-01", compatibilityFlags: ["nodejs_compat"] },
    }),
  ],
  test: {
    include: [
      // The core stages, with their property tests.
      "test/csv/**/*.test.ts",
      "test/validate/**/*.test.ts",
      "test/dedupe/**/*.test.ts",
      "test/batch/**/*.test.ts",
      "test/streams/**/*.test.ts",
      "test/rejects_csv.test.ts",
      // The row worker's protocol and stream, with a worker in the same isolate.
      "test/worker/**/*.test.ts",
      // The client on a fake transport.
      "test/client/*.test.ts",
      // The emulator's parts that need no server.
      "test/emulator/options.test.ts",
      "test/emulator/csv.test.ts",
      "test/emulator/json_scan.test.ts",
      // The client and importLinkages against the emulator, served and in-isolate.
      "test/runtimes/emulator_import.test.ts",
      "test/runtimes/runtime.test.ts",
    ],
    exclude: [
      // These start an emulator with node:http's createServer inside the test: workerd cannot listen.
      "test/client/*.integration.test.ts",
      "test/client/transport.bench.test.ts",
    ],
    testTimeout: 30_000,
    globalSetup: ["test/runtimes/emulator_global_setup.ts"],
    provide: { expectedRuntime: "workerd" },
  },
});
