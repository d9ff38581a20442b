import type { Call, EmulatorContext } from "./context.ts";
import type { Definition } from "./definitions.ts";
import { definitionJson } from "./definitions.ts";
import { page, parsePaging } from "./paging.ts";
import { failure, failureResponse, jsonResponse, noContent, textResponse } from "./responses.ts";
import { fillPath } from "./routes.ts";

/** Parses a JSON request body, or returns the 400 answer. */
export function parseJsonBody(text: string): { value: unknown } | Response {
  try {
    return { value: JSON.parse(text) };
  } catch {
    return failureResponse([failure("body", "Must be valid JSON.")]);
  }
}

/** The definition a `…/imports/{id}` or `…/imports/{id}/data` request names, if it exists. */
export function definitionOf(ctx: EmulatorContext, call: Call): Definition | undefined {
  const id = call.params.id ?? "";
  if (!/^\d{1,15}$/.test(id)) return undefined;
  return ctx.definitions.get(`${importPathOf(call)}/${Number(id)}`);
}

/** The concrete import path of a request, in the route table's spelling, e.g. `/customObjects/5/imports`. */
export function importPathOf(call: Call): string {
  return fillPath(call.route.importPath ?? "", call.params);
}

/** `GET`, `POST` on `…/imports` and `GET`, `PUT`, `DELETE` on `…/imports/{id}`. */
export function handleDefinitionRoute(ctx: EmulatorContext, call: Call): Response {
  const user = ctx.auth.credentials.user;
  const show = (definition: Definition) => definitionJson(definition, ctx.staging.bytesOf(definition.uri));
  switch (call.route.name) {
    case "definition.list": {
      const paging = parsePaging(call.url);
      if (Array.isArray(paging)) return failureResponse(paging);
      return jsonResponse(200, page(ctx.definitions.list(importPathOf(call)).map(show), paging));
    }
    case "definition.create": {
      const body = parseJsonBody(call.text);
      if (body instanceof Response) return body;
      const created = ctx.definitions.create(
        importPathOf(call),
        call.route.importPath ?? "",
        body.value,
        user,
        call.now,
      );
      return Array.isArray(created) ? failureResponse(created) : jsonResponse(201, show(created));
    }
    default:
      break;
  }
  const definition = definitionOf(ctx, call);
  if (definition === undefined) return textResponse(404);
  switch (call.route.name) {
    case "definition.update": {
      const body = parseJsonBody(call.text);
      if (body instanceof Response) return body;
      const failures = ctx.definitions.update(definition, body.value, user, call.now);
      return failures === null ? jsonResponse(200, show(definition)) : failureResponse(failures);
    }
    case "definition.delete":
      // Deleting under a running sync would pull its data away; Eloqua answers such conflicts with 409.
      if (ctx.syncs.busy(definition.uri)) return textResponse(409);
      ctx.staging.drop(definition.uri, true);
      ctx.definitions.delete(definition.uri);
      return noContent();
    default:
      return jsonResponse(200, show(definition));
  }
}
