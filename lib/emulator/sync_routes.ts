import type { Call, EmulatorContext } from "./context.ts";
import { parseJsonBody } from "./definition_routes.ts";
import { page, parsePaging } from "./paging.ts";
import { failure, failureResponse, jsonResponse, textResponse } from "./responses.ts";
import { startSync } from "./sync_lifecycle.ts";
import { syncJson } from "./syncs.ts";

/** `POST /syncs`, `GET /syncs`, `GET /syncs/{id}`, its `/logs`, `/rejects` and `/data`. */
export function handleSyncRoute(ctx: EmulatorContext, call: Call): Response {
  switch (call.route.name) {
    case "sync.create":
      return createSync(ctx, call);
    case "sync.list": {
      const paging = parsePaging(call.url);
      if (Array.isArray(paging)) return failureResponse(paging);
      return jsonResponse(
        200,
        page(
          ctx.syncs.all().map((sync) => syncJson(sync, call.now)),
          paging,
        ),
      );
    }
    default:
      break;
  }
  const sync = ctx.syncs.get(call.params.id ?? "");
  if (sync === undefined) return textResponse(404);
  if (call.route.name === "sync.get") return jsonResponse(200, syncJson(sync, call.now));
  // A sync's data is an export's; the emulator runs imports only, which have none to give.
  if (call.route.name === "sync.data") {
    return failureResponse([
      failure("syncUri", "Must be the sync of an export.", `/syncs/${call.params.id}`),
    ]);
  }
  const paging = parsePaging(call.url);
  if (Array.isArray(paging)) return failureResponse(paging);
  // Logs and rejects exist once the sync's work is done; before that the lists are empty.
  if (call.route.name === "logs") return jsonResponse(200, page(sync.logs, paging));
  return jsonResponse(200, page(sync.rejects, paging));
}

function createSync(ctx: EmulatorContext, call: Call): Response {
  const body = parseJsonBody(call.text);
  if (body instanceof Response) return body;
  const input = body.value;
  if (typeof input !== "object" || input === null || Array.isArray(input)) {
    return failureResponse([failure("body", "Must be a JSON object.")]);
  }
  const { syncedInstanceUri, callbackUrl } = input as Record<string, unknown>;
  if (typeof syncedInstanceUri !== "string" || syncedInstanceUri === "") {
    return failureResponse([failure("syncedInstanceUri", "Is required.", syncedInstanceUri)]);
  }
  // Optional properties given as null are absent, as clients generated from the OpenAPI documents send them.
  if (callbackUrl !== undefined && callbackUrl !== null && typeof callbackUrl !== "string") {
    return failureResponse([failure("callbackUrl", "Must be a string.", callbackUrl)]);
  }
  const definition = ctx.definitions.get(syncedInstanceUri);
  if (definition === undefined) {
    return failureResponse([
      failure("syncedInstanceUri", "Must reference an existing import definition.", syncedInstanceUri),
    ]);
  }
  const sync = startSync(ctx, definition, call, callbackUrl ?? undefined);
  return jsonResponse(201, syncJson(sync, call.now));
}
