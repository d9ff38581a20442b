/** One entry of an Eloqua validation failure body: `{"failures":[{"field","value","constraint"}]}`. */
export interface Failure {
  readonly field: string;
  readonly value?: string;
  readonly constraint: string;
}

/** Messages from Eloqua's HTTP status code table, used as plain-text bodies. */
export const STATUS_MESSAGES: Readonly<Record<number, string>> = {
  400: "There was a parsing error.",
  401: "Not authenticated.",
  404: "The requested resource was not found.",
  405: "Method not allowed.",
  409: "There was a conflict.",
  413: "Storage space exceeded.",
  429: "Too many requests.",
  500: "The service has encountered an internal server error.",
  502: "Bad gateway.",
  503: "There was a timeout processing the request.",
};

const JSON_TYPE = "application/json; charset=utf-8";

export function jsonResponse(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), { status, headers: { "content-type": JSON_TYPE, ...headers } });
}

/** A plain-text answer; the body defaults to Eloqua's message for the status. */
export function textResponse(
  status: number,
  message?: string,
  headers: Record<string, string> = {},
): Response {
  return new Response(message ?? STATUS_MESSAGES[status] ?? "", {
    status,
    headers: { "content-type": "text/plain; charset=utf-8", ...headers },
  });
}

/** 400 (or another status) with Eloqua's validation failure body. */
export function failureResponse(failures: readonly Failure[], status = 400): Response {
  return jsonResponse(status, { failures });
}

export function noContent(): Response {
  return new Response(null, { status: 204 });
}

/** Creates a failure, leaving `value` out when there is none (exactOptionalPropertyTypes). */
export function failure(field: string, constraint: string, value?: unknown): Failure {
  if (value === undefined) return { field, constraint };
  return { field, constraint, value: typeof value === "string" ? value : JSON.stringify(value) };
}
