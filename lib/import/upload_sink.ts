import type { JsonBatch } from "../batch/json_batch.ts";
import { Uploader, type UploaderOptions, type UploadStats } from "./uploader.ts";

/** Options of {@linkcode UploadSink}. */
export type UploadSinkOptions = UploaderOptions;

/**
 * A `WritableStream` of request bodies that stages them in Eloqua and runs
 * the syncs (see {@linkcode Uploader}). Each `write` resolves once its POST
 * has started and at most `concurrency` are in flight, so piping a
 * `JsonBatchStream` into it slows the whole chain down to Eloqua's pace.
 *
 * @example
 * ```ts
 * // Each body carries its rows' key hashes and key: a sync's rejects are traced back to source lines by them.
 * const sink = new UploadSink({ client, definition: async () => uri, fields: ["OpportunityID", "EmailAddress"],
 *   concurrency: 4, maxFilesPerSync: 500, maxBytesPerSync: 250_000_000, syncTimeoutMs: 3_600_000, sourceName: "in.csv" });
 * await file.pipeThrough(new CsvBatchStream()).pipeTo(sink);
 * console.log(sink.stats.staged, sink.stats.syncs);
 * ```
 */
export class UploadSink extends WritableStream<JsonBatch> {
  readonly uploader: Uploader;

  constructor(options: UploadSinkOptions) {
    const uploader = new Uploader(options);
    super(
      {
        write: (batch) => uploader.write(batch),
        close: () => uploader.close(),
        abort: (reason) => uploader.abort(reason),
      },
      { highWaterMark: 1 },
    );
    this.uploader = uploader;
  }

  /** What the upload did so far. */
  get stats(): Readonly<UploadStats> {
    return this.uploader.stats;
  }
}
