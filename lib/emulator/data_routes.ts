import { readBody } from "./body.ts";
import type { Call, EmulatorContext } from "./context.ts";
import { definitionOf } from "./definition_routes.ts";
import { payloadFormat, payloadReader } from "./payload.ts";
import { failure, failureResponse, jsonResponse, noContent, textResponse } from "./responses.ts";
import { startSync } from "./sync_lifecycle.ts";
import { syncJson } from "./syncs.ts";

/**
 * `POST …/imports/{id}/data`, checked in this order: the definition exists (404), `Content-Type` is
 * present (400) and JSON or CSV (400), no `Content-Encoding` (400: compression is undocumented); then
 * the whole body is read, counting bytes; over `maxBodyBytes` → 404 (Eloqua's answer to a body over
 * 32 MB); the definition already has `maxFilesPerSync` files since its last sync → 400; staging would
 * exceed `maxStagedBytes` → 413; a malformed body → 400. Accepted: 204, or 201 with a new sync when the
 * definition has `isSyncTriggeredOnImport`.
 */
export async function postData(ctx: EmulatorContext, call: Call): Promise<Response> {
  const definition = definitionOf(ctx, call);
  if (definition === undefined) return textResponse(404);
  const contentType = call.request.headers.get("content-type");
  if (contentType === null || contentType.trim() === "") {
    return failureResponse([failure("Content-Type", "Is required: application/json or text/csv.")]);
  }
  const format = payloadFormat(contentType);
  if (format === null) {
    return failureResponse([failure("Content-Type", "Must be application/json or text/csv.", contentType)]);
  }
  // Oracle documents no compressed uploads: refuse them plainly rather than fail to parse the bytes.
  const encoding = call.request.headers.get("content-encoding");
  if (encoding !== null && encoding.trim().toLowerCase() !== "identity") {
    return failureResponse([
      failure("Content-Encoding", "Is not supported: send the body uncompressed.", encoding),
    ]);
  }
  const { options, stats, staging } = ctx;
  const reader = payloadReader(format, options.mode, definition.fieldKeys);
  const bytes = await readBody(call.request.body, options.maxBodyBytes, reader);
  call.bodyBytes = bytes;
  stats.bodyBytes.total += bytes;
  stats.bodyBytes.max = Math.max(stats.bodyBytes.max, bytes);
  if (bytes > options.maxBodyBytes) return textResponse(404);
  const files = staging.fileCount(definition.uri);
  if (files >= options.maxFilesPerSync) {
    return failureResponse([
      failure(
        "data",
        `There was a validation error: a sync takes at most ${options.maxFilesPerSync} data uploads; sync this definition before uploading more.`,
        String(files + 1),
      ),
    ]);
  }
  if (staging.bytes + bytes > options.maxStagedBytes) return textResponse(413);
  const payload = reader.finish();
  if (!payload.ok) return failureResponse(payload.failures);
  if (ctx.syncs.busy(definition.uri)) stats.postsDuringSync++;
  staging.stage(definition.uri, bytes, payload.rows, payload.values, payload.ignoredColumns);
  stats.dataPosts++;
  stats.stagedRows += payload.rows;
  if (definition.properties.isSyncTriggeredOnImport === true) {
    return jsonResponse(201, syncJson(startSync(ctx, definition, call), call.now));
  }
  return noContent();
}

/** `DELETE …/imports/{id}/data`: drops the staged rows; 409 while a sync on the definition runs. */
export function deleteData(ctx: EmulatorContext, call: Call): Response {
  const definition = definitionOf(ctx, call);
  if (definition === undefined) return textResponse(404);
  if (ctx.syncs.busy(definition.uri)) return textResponse(409);
  ctx.staging.drop(definition.uri);
  return noContent();
}
