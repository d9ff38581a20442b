import type { Call } from "./context.ts";
import { catalogFields } from "./field_catalog.ts";
import { page, parsePaging } from "./paging.ts";
import { failureResponse, jsonResponse, textResponse } from "./responses.ts";
import { fillPath } from "./routes.ts";

/** `GET {base}/fields` (paged) and `GET {base}/fields/{id}`; 404 for records the emulator has no fields of. */
export function handleFieldRoute(call: Call): Response {
  const path = call.route.path;
  const base = fillPath(path.slice(0, path.indexOf("/fields")), call.params);
  const fields = catalogFields(base);
  if (fields === undefined) return textResponse(404);
  if (call.route.name === "fields.list") {
    const paging = parsePaging(call.url);
    if (Array.isArray(paging)) return failureResponse(paging);
    return jsonResponse(200, page(fields, paging));
  }
  const id = call.params.id ?? "";
  const field = /^\d{1,9}$/.test(id) ? fields[Number(id) - 1] : undefined;
  return field === undefined ? textResponse(404) : jsonResponse(200, field);
}
