import type { EloquaOperation } from "./errors.ts";
import { EloquaHttpError } from "./errors.ts";
import type { HttpResult, RetryEvent } from "./http.ts";

/** One Bulk API call, relative to the bulk root. Internal: what `imports.ts` and `syncs.ts` ask of the client. */
export interface BulkCall {
  readonly method: "GET" | "POST" | "PUT" | "DELETE";
  /** e.g. `"/syncs/12/rejects"`. */
  readonly path: string;
  readonly query?: Readonly<Record<string, string | number>>;
  /** Sent as `application/json`. */
  readonly json?: unknown;
  readonly body?: Uint8Array | ReadableStream<Uint8Array>;
  readonly contentType?: string;
  /** @default "control" */
  readonly operation?: EloquaOperation;
  readonly signal?: AbortSignal | undefined;
  readonly timeoutMs?: number | undefined;
  /** `"create"`: only a 429 is retried (see `RetryPolicy`). @default "default" */
  readonly retry?: "default" | "create";
  /** Told of each retry of this call. */
  readonly onRetry?: ((event: RetryEvent) => void) | undefined;
}

/** Sends Bulk API calls. Internal. */
export interface BulkRequester {
  request(call: BulkCall): Promise<HttpResult>;
}

const RESOURCE_PATH = /^(\/[A-Za-z0-9_-]+)+$/;

/**
 * Checks a resource URI as Eloqua returns them (`/opportunities/contacts/imports/12`,
 * `/syncs/34`): a path relative to the bulk root, no `..`, query, host or
 * scheme, so a value from outside cannot send the credentials elsewhere.
 */
export function checkResourceUri(action: string, name: string, value: unknown, example: string): string {
  if (typeof value !== "string" || !RESOURCE_PATH.test(value)) {
    const shown = typeof value === "string" ? JSON.stringify(value) : typeof value;
    throw new TypeError(
      `Cannot ${action} as ${name} must be a Bulk API URI like "${example}": current value is ${shown}`,
    );
  }
  return value;
}

/** Reads the JSON object of a result that must have a string `key` (e.g. `uri`), or throws `ELOQUA_UNEXPECTED_RESPONSE`. */
export function expectObject(result: HttpResult, what: string, key?: string): Record<string, unknown> {
  const json = result.json;
  if (typeof json === "object" && json !== null && !Array.isArray(json)) {
    const record = json as Record<string, unknown>;
    if (key === undefined || typeof record[key] === "string") return record;
  }
  throw new EloquaHttpError({
    status: result.status,
    method: result.method,
    path: result.path,
    operation: result.operation,
    attempts: result.attempts,
    code: "ELOQUA_UNEXPECTED_RESPONSE",
    hint: `the answer is not ${what}: check the base URL points at an Eloqua instance`,
  });
}
