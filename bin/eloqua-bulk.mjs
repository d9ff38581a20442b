#!/usr/bin/env node
// The eloqua-bulk command. Runs the compiled CLI when the package is built (dist/), and the TypeScript
// sources through tsx otherwise, so `npx eloqua-bulk` works right after `npm ci` on a fresh clone.
// ELOQUA_BULK_FROM_SOURCE=1 forces the sources (the tests set it, so a stale dist/ cannot hide a change).
import { existsSync } from "node:fs";

const built = new URL("../dist/node/cli/main.js", import.meta.url);
let cli;
if (existsSync(built) && process.env.ELOQUA_BULK_FROM_SOURCE !== "1") {
  cli = await import(built.href);
} else {
  const { register } = await import("tsx/esm/api");
  register();
  cli = await import(new URL("../lib/node/cli/main.ts", import.meta.url).href);
}
await cli.run();
