import type { FetchLike } from "../../client/transport.ts";
import { createNodeHttpFetch } from "../node_http_fetch.ts";
import { UsageError } from "./cli_errors.ts";

/** How the CLI sends requests: `node-http` (the default: `createNodeHttpFetch`) or the runtime's `fetch`. */
export type TransportName = "node-http" | "fetch";

export const TRANSPORTS: readonly TransportName[] = ["node-http", "fetch"];

/** A transport for a run, and how to release its connections. */
export interface ChosenTransport {
  readonly name: TransportName;
  /** Undefined for `fetch`: the client's default. */
  readonly fetch: FetchLike | undefined;
  close(): void;
}

/**
 * `--transport`, else `ELOQUA_TRANSPORT`, else `node-http` (measured: a fraction of fetch's CPU per MB
 * posted, docs/RUNTIMES.md). `fetch` is the way back to the runtime's fetch, e.g. for a proxy that only
 * Node's fetch honours (`NODE_USE_ENV_PROXY` on Node 24).
 */
export function chooseTransport(
  flag: string | undefined,
  env: Readonly<Record<string, string | undefined>>,
): ChosenTransport {
  const fromEnv = env.ELOQUA_TRANSPORT === "" ? undefined : env.ELOQUA_TRANSPORT;
  const given = flag ?? fromEnv ?? "node-http";
  if (!TRANSPORTS.includes(given as TransportName)) {
    const where = flag === undefined ? "ELOQUA_TRANSPORT" : "--transport";
    throw new UsageError(
      `${where} must be node-http or fetch: got ${JSON.stringify(given.length > 40 ? `${given.slice(0, 40)}…` : given)}.`,
    );
  }
  if (given === "fetch") return { name: "fetch", fetch: undefined, close() {} };
  const fetch = createNodeHttpFetch();
  return { name: "node-http", fetch, close: () => fetch.close() };
}
