import type { Call } from "./context.ts";
import { catalogField, catalogFields } from "./field_catalog.ts";
import { fieldFilter } from "./field_query.ts";
import { page, parsePaging } from "./paging.ts";
import { failureResponse, jsonResponse, textResponse } from "./responses.ts";
import { fillPath } from "./routes.ts";

/**
 * `GET {base}/fields` (paged, filtered by `q`) and `GET {base}/fields/{id}`; 404 for records the
 * emulator has no fields of (a custom object it does not have) and for an unknown field id.
 */
export function handleFieldRoute(call: Call): Response {
  const path = call.route.path;
  const base = fillPath(path.slice(0, path.indexOf("/fields")), call.params);
  const fields = catalogFields(base);
  if (fields === undefined) return textResponse(404);
  if (call.route.name === "fields.get") {
    const field = catalogField(base, call.params.id ?? "");
    return field === undefined ? textResponse(404) : jsonResponse(200, field);
  }
  const paging = parsePaging(call.url);
  const filter = fieldFilter(call.url);
  const failures = [...(Array.isArray(paging) ? paging : []), ...(Array.isArray(filter) ? filter : [])];
  if (failures.length > 0 || Array.isArray(paging) || Array.isArray(filter)) return failureResponse(failures);
  return jsonResponse(200, page(filter === null ? fields : fields.filter(filter), paging));
}
