// vitest globalSetup: one emulator served from the test process (on Node, Deno or Bun: node:http), so
// that test files running anywhere, in workerd too, can reach it over real HTTP on 127.0.0.1. Tests
// share it: each import creates its own definition, so they do not see each other's data.
import type { TestProject } from "vitest/node";
import { startEmulatorServer } from "../../lib/node/emulator_server.ts";

declare module "vitest" {
  export interface ProvidedContext {
    /** Origin of the shared emulator, e.g. `http://127.0.0.1:39123`. */
    emulatorUrl: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const server = await startEmulatorServer({ syncTiming: { pendingMs: 0, activeMs: 0 } });
  project.provide("emulatorUrl", server.url);
  return () => server.close();
}
