#!/usr/bin/env node
// The eloqua-bulk command. Runs the compiled CLI (dist/, built by `npm ci` through the `prepare` script)
// when it is at least as new as every source file, and the TypeScript sources through tsx otherwise, so
// an edit to lib/ is never hidden by an older build. ELOQUA_BULK_FROM_SOURCE=1 forces the sources (the
// tests set it).
import { existsSync, readdirSync, statSync } from "node:fs";

const built = new URL("../dist/node/cli/main.js", import.meta.url);
const sources = new URL("../lib/", import.meta.url);

/** The newest modification time of a `.ts` file under `dir`, or 0 (a published package has no lib/). */
function newestSource(dir) {
  let newest = 0;
  if (!existsSync(dir)) return newest;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = new URL(entry.name + (entry.isDirectory() ? "/" : ""), dir);
    if (entry.isDirectory()) newest = Math.max(newest, newestSource(path));
    else if (entry.name.endsWith(".ts")) newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

const useBuilt =
  process.env.ELOQUA_BULK_FROM_SOURCE !== "1" &&
  existsSync(built) &&
  statSync(built).mtimeMs >= newestSource(sources);
let cli;
if (useBuilt) {
  cli = await import(built.href);
} else {
  const { register } = await import("tsx/esm/api");
  register();
  cli = await import(new URL("../lib/node/cli/main.ts", import.meta.url).href);
}
await cli.run();
