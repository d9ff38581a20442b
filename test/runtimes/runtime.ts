/**
 * Which JavaScript runtime the tests run on, so that tests needing Node's own parts (files, the CLI,
 * child processes, the node:http emulator server) can be marked and skipped elsewhere. The matrix and
 * the reasons for each mark: docs/RUNTIMES.md.
 *
 * @module
 */

/** The runtimes the test matrix covers. */
export type RuntimeName = "node" | "deno" | "bun" | "workerd";

interface RuntimeGlobals {
  Deno?: { version?: { deno?: string } };
  Bun?: { version?: string };
  navigator?: { userAgent?: string };
  process?: { versions?: { node?: string } };
}

const globals = globalThis as RuntimeGlobals;

// Order matters: Deno and Bun define `process` (and Bun `navigator`), workerd with nodejs_compat too.
function detect(): RuntimeName {
  if (globals.Deno !== undefined) return "deno";
  if (globals.Bun !== undefined) return "bun";
  if (globals.navigator?.userAgent === "Cloudflare-Workers") return "workerd";
  return "node";
}

/** The runtime running this code. */
export const RUNTIME: RuntimeName = detect();

/** The runtime and its version, e.g. `node 24.22.3`, `deno 2.9.6`, `bun 1.4.5`, `workerd`. */
export const RUNTIME_VERSION: string =
  RUNTIME === "deno"
    ? `deno ${globals.Deno?.version?.deno ?? "?"}`
    : RUNTIME === "bun"
      ? `bun ${globals.Bun?.version ?? "?"}`
      : RUNTIME === "workerd"
        ? "workerd"
        : `node ${globals.process?.versions?.node ?? "?"}`;

/** True on Node itself; Node-only tests use `describe.skipIf(!ON_NODE)`. */
export const ON_NODE: boolean = RUNTIME === "node";

/**
 * True where `fetch` silently sends a request again when the server closes a reused keep-alive
 * connection without answering, so the emulator's `"reset"` / `"commitThenDrop"` faults never reach the
 * client: Deno 2.9 does it for every method (POST included), Bun 1.4 for GET. Tests that count those
 * faults as the client sees them are skipped there for the runtime's fetch, and run on Deno through
 * `createDenoFetch()` instead (test/runtimes/transports.ts).
 */
export const FETCH_RESENDS_ON_DROP: boolean = RUNTIME === "deno" || RUNTIME === "bun";

/** True where `fetch` silently sends a POST again on a dropped keep-alive connection (Deno). */
export const FETCH_RESENDS_POST_ON_DROP: boolean = RUNTIME === "deno";
