/**
 * The naive end-to-end pipeline the importer is compared against: what one writes first with
 * off-the-shelf parts, now uploading to Eloqua (or the emulator).
 *
 * The bodies of `naive.ts` (`naiveBodies`): fast-csv
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

import { setTimeout as sleep } from "node:timers/promises";
import ky from "ky";
import { type NaiveCounts, type NaiveOptions, naiveBodies, naiveCounts } from "./naive.ts";

/** Options of {@linkcode runNaiveUpload}. */
export interface NaiveUploadOptions extends NaiveOptions {
  /** The emulator's (or Eloqua's) origin, e.g. `http://127.0.0.1:39123`. */
  baseUrl: string;
  /** The `Authorization` header value. */
  authorization: string;
}

/** What a naive upload did, named as the importer's counts where they mean the same; every body was POSTed (each answered 204). */
export interface NaiveUploadCounts extends NaiveCounts {
  definitionUri: string;
  syncUri: string;
  syncStatus: string;
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
    ...naiveCounts(),
    definitionUri: definition.uri,
    syncUri: "",
    syncStatus: "",
  };
  const { bodies, seen } = naiveBodies(path, counts, options);
  const dataUrl = `${bulk}${definition.uri}/data`;
  await bodies.pipeTo(
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
