/**
 * The naive end-to-end pipeline the importer is compared against: what one writes first with
 * off-the-shelf parts, now uploading to Eloqua (or the emulator).
 *
 * Like `naive.ts` (whose stages are private, so they are repeated here compactly): fast-csv
 * (`parse({ headers: true })` on a Node stream) → one row object per chunk through three WHATWG
 * `TransformStream`s — validate (the WHATWG e-mail regular expression), dedupe (`Set<string>` of
 * `id + "\u0000" + email.toLowerCase()`), batch (`JSON.stringify` per row into string bodies under the
 * same byte cap as the importer, measured with `TextEncoder`) — then each body is POSTed with **ky**, one
 * at a time. Before: `POST /imports` creates the linkage definition; after: `POST /syncs`, then
 * `GET /syncs/{id}` until the status is final.
 *
 * @example
 * ```ts
 * const counts = await runNaiveUpload("bench/data/linkage-200mb.csv", { baseUrl, authorization });
 * console.log(counts.batched, counts.syncStatus);
 * ```
 * @module
 */

import { createReadStream } from "node:fs";
import { Readable } from "node:stream";
import { setTimeout as sleep } from "node:timers/promises";
import { parse } from "fast-csv";
import ky from "ky";
import { DEFAULT_MAX_BATCH_BYTES } from "../lib/batch/json_batcher.ts";
import { WHATWG_EMAIL_PATTERN } from "../lib/validate/email.ts";

/** A row as fast-csv gives it with `headers: true`. */
type CsvRow = Record<string, string>;

/** Options of {@linkcode runNaiveUpload}. */
export interface NaiveUploadOptions {
  /** The emulator's (or Eloqua's) origin, e.g. `http://127.0.0.1:39123`. */
  baseUrl: string;
  /** The `Authorization` header value. */
  authorization: string;
  /** Cap of a body in UTF-8 bytes. @default DEFAULT_MAX_BATCH_BYTES (what the import uses) */
  maxBytes?: number;
  /** Bytes read from the file at a time. @default 65_536 */
  highWaterMark?: number;
}

/** What a naive upload did, named as the importer's counts where they mean the same. */
export interface NaiveUploadCounts {
  read: number;
  invalid: number;
  duplicate: number;
  /** Rows put in bodies (all of them POSTed). */
  batched: number;
  /** Bodies POSTed (each answered 204). */
  bodies: number;
  /** UTF-8 bytes of all bodies. */
  bodyBytes: number;
  /** Keys in the dedupe `Set`. */
  keys: number;
  definitionUri: string;
  syncUri: string;
  syncStatus: string;
}

function validateStage(counts: NaiveUploadCounts): TransformStream<CsvRow, CsvRow> {
  return new TransformStream({
    transform(row, controller) {
      counts.read++;
      const id = row.OpportunityID ?? "";
      const email = row.EmailAddress ?? "";
      if (id.length === 0 || email.length > 254 || !WHATWG_EMAIL_PATTERN.test(email)) counts.invalid++;
      else controller.enqueue(row);
    },
  });
}

function dedupeStage(counts: NaiveUploadCounts, seen: Set<string>): TransformStream<CsvRow, CsvRow> {
  return new TransformStream({
    transform(row, controller) {
      const key = `${row.OpportunityID}\u0000${row.EmailAddress!.toLowerCase()}`;
      if (seen.has(key)) {
        counts.duplicate++;
        return;
      }
      seen.add(key);
      controller.enqueue(row);
    },
  });
}

function batchStage(counts: NaiveUploadCounts, maxBytes: number): TransformStream<CsvRow, string> {
  const encoder = new TextEncoder();
  let parts: string[] = [];
  let bytes = 2; // [ and ]
  const cut = (controller: TransformStreamDefaultController<string>): void => {
    controller.enqueue(`[${parts.join(",")}]`);
    counts.bodyBytes += bytes;
    parts = [];
    bytes = 2;
  };
  return new TransformStream({
    transform(row, controller) {
      const json = JSON.stringify({ OpportunityID: row.OpportunityID, EmailAddress: row.EmailAddress });
      const size = encoder.encode(json).length;
      if (size + 2 > maxBytes) {
        counts.invalid++;
        return;
      }
      const extra = parts.length > 0 ? size + 1 : size;
      if (parts.length > 0 && bytes + extra > maxBytes) {
        cut(controller);
        bytes += size;
      } else {
        bytes += extra;
      }
      parts.push(json);
      counts.batched++;
    },
    flush(controller) {
      if (parts.length > 0) cut(controller);
    },
  });
}

/** Upload a file the naive way; resolves once the sync of everything is final. */
export async function runNaiveUpload(path: string, options: NaiveUploadOptions): Promise<NaiveUploadCounts> {
  const bulk = `${options.baseUrl.replace(/\/+$/, "")}/api/bulk/2.0`;
  const headers = { "content-type": "application/json", authorization: options.authorization };
  const definition = await ky
    .post(`${bulk}/opportunities/contacts/imports`, {
      json: {
        name: "naive upload",
        fields: {
          OpportunityID: "{{Opportunity.Id}}",
          EmailAddress: "{{Opportunity.Contact.Field(C_EmailAddress)}}",
        },
        linkOpportunitiesEntityType: "Contact",
        linkOpportunitiesMatchFieldName: "OpportunityID",
        linkOpportunitiesSourceField: "EmailAddress",
        linkOpportunitiesMultipleSourceMatches: true,
        isSyncTriggeredOnImport: false,
      },
      headers: { authorization: options.authorization },
      retry: 0,
    })
    .json<{ uri: string }>();
  const counts: NaiveUploadCounts = {
    read: 0,
    invalid: 0,
    duplicate: 0,
    batched: 0,
    bodies: 0,
    bodyBytes: 0,
    keys: 0,
    definitionUri: definition.uri,
    syncUri: "",
    syncStatus: "",
  };
  const seen = new Set<string>();
  const rows = createReadStream(path, { highWaterMark: options.highWaterMark ?? 65536 }).pipe(
    parse<CsvRow, CsvRow>({ headers: true }),
  );
  const dataUrl = `${bulk}${definition.uri}/data`;
  await (Readable.toWeb(rows) as ReadableStream<CsvRow>)
    .pipeThrough(validateStage(counts))
    .pipeThrough(dedupeStage(counts, seen))
    .pipeThrough(batchStage(counts, options.maxBytes ?? DEFAULT_MAX_BATCH_BYTES))
    .pipeTo(
      new WritableStream({
        async write(body) {
          await ky.post(dataUrl, { body, headers, retry: 0 });
          counts.bodies++;
        },
      }),
    );
  counts.keys = seen.size;
  let sync = await ky
    .post(`${bulk}/syncs`, { json: { syncedInstanceUri: definition.uri }, headers, retry: 0 })
    .json<{ uri: string; status: string }>();
  counts.syncUri = sync.uri;
  while (sync.status === "pending" || sync.status === "active") {
    await sleep(50);
    sync = await ky.get(`${bulk}${sync.uri}`, { headers, retry: 0 }).json<{ uri: string; status: string }>();
  }
  counts.syncStatus = sync.status;
  return counts;
}
