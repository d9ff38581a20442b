import { mkdtemp, readFile, rm } from "node:fs/promises";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { getRequestListener } from "@hono/node-server";
import { Hono } from "hono";
import { streamSSE } from "hono/streaming";
import { EloquaBulkClient } from "../../client/client.ts";
import type { EloquaField } from "../../client/types.ts";
import type { Emulator } from "../../emulator/mod.ts";
import type { KindArgument, KindName } from "../cli/args.ts";
import { fieldsOf, importKindOf } from "../cli/import_kinds.ts";
import type { EmulatorServerOptions } from "../emulator_server.ts";
import { ImportJob, JobBusyError, type JobContext } from "./import_job.ts";
import { type ImportChoice, problemOf } from "./import_setup.ts";
import { previewSample } from "./preview.ts";
import { newToken, pageHeaders, requireToken } from "./ui_security.ts";

/** How long closing waits for running imports to stop cleanly. */
const SETTLE_MS = 10_000;

/** Largest sample the page may send for a preview: it sends 64 KiB. */
const MAX_SAMPLE = 1 << 20;

/** The page's files, in the package: lib/node/ui/assets, three folders below the root from lib/ and dist/. */
const ASSETS = new URL("../../../lib/node/ui/assets/", import.meta.url);
const ASSET_TYPES: Readonly<Record<string, string>> = {
  "app.js": "text/javascript; charset=utf-8",
  "app.css": "text/css; charset=utf-8",
};

/** Options of {@linkcode startUiServer}. */
export interface UiServerOptions {
  /** TCP port on 127.0.0.1; 0 picks a free one. @default 0 */
  readonly port?: number;
  /**
   * Eloqua, through a client that holds the credentials (they stay in this process); the page says
   * `label` of it. @default the built-in emulator, started with the server
   */
  readonly eloqua?: { readonly client: EloquaBulkClient; readonly label: string };
  /**
   * The built-in emulator's options, when there is no `eloqua`. It counts rows without keeping them, so
   * that a file of any size fits in memory (tests ask for `mode: "store"` to check what it holds).
   * @default { mode: "count" }
   */
  readonly emulator?: EmulatorServerOptions;
  /** Import options for every run. @default the library's */
  readonly importOptions?: JobContext["importOptions"];
}

/** A running page server. */
export interface UiServer {
  /** The page's address, token included: what to open. */
  readonly url: string;
  readonly origin: string;
  readonly token: string;
  /** The built-in emulator, when it is the target. */
  readonly emulator: Emulator | undefined;
  /** Stops every running import and waits for it to end, closes the server and its connections, deletes the jobs' files. */
  close(): Promise<void>;
}

/**
 * Serves the import page on 127.0.0.1: the page's files, a preview of a file's first bytes, and jobs
 * whose upload streams into the import (the request body is read as fast as the import goes), with
 * their progress as Server-Sent Events and their report and rejects as downloads.
 */
export async function startUiServer(options: UiServerOptions = {}): Promise<UiServer> {
  const token = newToken();
  const folder = await mkdtemp(join(tmpdir(), "eloqua-bulk-ui-"));
  const closers: (() => Promise<void>)[] = [() => rm(folder, { recursive: true, force: true })];
  let client: EloquaBulkClient;
  let label: string;
  let emulator: Emulator | undefined;
  if (options.eloqua !== undefined) {
    ({ client, label } = options.eloqua);
  } else {
    const { startEmulatorServer } = await import("../emulator_server.ts");
    const started = await startEmulatorServer({ mode: "count", ...options.emulator });
    closers.push(() => started.close());
    emulator = started.emulator;
    const { site, user, password } = started.emulator.credentials;
    client = new EloquaBulkClient({
      auth: { type: "basic", site, user, password },
      baseUrl: started.url,
      loginUrl: started.url,
    });
    label = "the built-in Eloqua emulator";
  }
  const target = { emulator: emulator !== undefined, label };

  const fieldCache = new Map<string, Promise<EloquaField[]>>();
  const fieldsFor = (choice: ImportChoice): Promise<EloquaField[]> => {
    const kind = importKindOf(choice.kind);
    let fields = fieldCache.get(kind.path);
    if (fields === undefined) {
      fields = fieldsOf(client, kind, AbortSignal.timeout(60_000));
      fieldCache.set(kind.path, fields);
      fields.catch(() => fieldCache.delete(kind.path));
    }
    return fields;
  };
  const context: JobContext = {
    client,
    fieldsOf: fieldsFor,
    folder,
    ...(options.importOptions === undefined ? {} : { importOptions: options.importOptions }),
  };
  const jobs = new Map<string, ImportJob>();
  let nextJob = 1;

  let port = 0;
  const app = new Hono();
  app.use(
    "*",
    pageHeaders(),
    requireToken(token, () => port),
  );
  app.onError((error, c) => c.json({ problem: problemOf(error) }, 500));

  app.get("/", async (c) => {
    const html = await readFile(new URL("index.html", ASSETS), "utf8");
    return c.html(html.replaceAll("{{token}}", token));
  });
  app.get("/assets/:name", async (c) => {
    const name = c.req.param("name");
    const type = ASSET_TYPES[name];
    if (type === undefined) return c.text("Not found\n", 404);
    return c.body(await readFile(new URL(name, ASSETS)), 200, { "content-type": type });
  });
  app.get("/api/target", (c) => c.json(target));
  app.post("/api/preview", async (c) => {
    const choice = choiceOf(c.req.query("choice"));
    if (typeof choice === "string") return c.json({ problem: { code: "BAD_CHOICE", message: choice } }, 400);
    const sample = new Uint8Array(await c.req.arrayBuffer());
    if (sample.byteLength > MAX_SAMPLE) {
      return c.json(
        { problem: { code: "SAMPLE_TOO_LARGE", message: "The preview takes the file's first 64 KiB only." } },
        413,
      );
    }
    const name = decodeName(c.req.header("x-file-name"));
    return c.json(await previewSample(sample, name, choice, () => fieldsFor(choice)));
  });
  app.post("/api/jobs", async (c) => {
    const choice = choiceOf(await c.req.text());
    if (typeof choice === "string") return c.json({ problem: { code: "BAD_CHOICE", message: choice } }, 400);
    const id = String(nextJob++);
    jobs.set(id, new ImportJob(id, choice, context));
    return c.json({ id }, 201);
  });
  app.post("/api/jobs/:id/upload", async (c) => {
    const job = jobs.get(c.req.param("id"));
    if (job === undefined) return c.json({ problem: { code: "NO_JOB", message: "No such import." } }, 404);
    const size = Number(c.req.header("content-length"));
    const body = c.req.raw.body;
    if (!Number.isSafeInteger(size) || body === null) {
      return c.json({ problem: { code: "NO_LENGTH", message: "The upload must say its length." } }, 411);
    }
    const name = decodeName(c.req.header("x-file-name"));
    try {
      return c.json(await job.run(body, size, name));
    } catch (error) {
      if (error instanceof JobBusyError) return c.json({ problem: problemOf(error) }, 409);
      throw error;
    }
  });
  app.post("/api/jobs/:id/stop", (c) => {
    const job = jobs.get(c.req.param("id"));
    if (job === undefined) return c.json({ problem: { code: "NO_JOB", message: "No such import." } }, 404);
    job.stop();
    return c.json(job.snapshot());
  });
  app.get("/api/jobs/:id/events", (c) => {
    const job = jobs.get(c.req.param("id"));
    if (job === undefined) return c.json({ problem: { code: "NO_JOB", message: "No such import." } }, 404);
    return streamSSE(c, async (stream) => {
      let sending = Promise.resolve();
      const send = (snapshot: unknown) => {
        sending = sending.then(() => stream.writeSSE({ event: "job", data: JSON.stringify(snapshot) }));
      };
      send(job.snapshot());
      const unsubscribe = job.subscribe(send);
      await new Promise<void>((resolve) => stream.onAbort(resolve));
      unsubscribe();
    });
  });
  app.get("/api/jobs/:id/report.json", (c) => {
    const report = jobs.get(c.req.param("id"))?.report;
    if (report == null) return c.json({ problem: { code: "NO_REPORT", message: "No report yet." } }, 404);
    c.header("content-disposition", 'attachment; filename="report.json"');
    return c.body(`${JSON.stringify(report, null, 2)}\n`, 200, { "content-type": "application/json" });
  });
  app.get("/api/jobs/:id/rejects.csv", async (c) => {
    const job = jobs.get(c.req.param("id"));
    if (job?.report == null)
      return c.json({ problem: { code: "NO_REPORT", message: "No rejects yet." } }, 404);
    c.header("content-disposition", 'attachment; filename="rejects.csv"');
    const { createReadStream } = await import("node:fs");
    const { Readable } = await import("node:stream");
    const file = Readable.toWeb(createReadStream(job.rejectsPath)) as ReadableStream<Uint8Array>;
    return c.body(file, 200, { "content-type": "text/csv; charset=utf-8" });
  });

  const server = createServer(getRequestListener(app.fetch));
  try {
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(options.port ?? 0, "127.0.0.1", () => {
        server.off("error", reject);
        resolve();
      });
    });
  } catch (error) {
    for (const close of closers.reverse()) await close().catch(() => {});
    throw error;
  }
  port = (server.address() as AddressInfo).port;
  const origin = `http://127.0.0.1:${port}`;
  let closing: Promise<void> | undefined;
  return {
    url: `${origin}/?token=${token}`,
    origin,
    token,
    emulator,
    close() {
      closing ??= (async () => {
        // Imports end cleanly first (their requests in flight answered, their rejects written), unless
        // one waits for an upload that no longer comes: the connections are closed after a while anyway.
        const settled = Promise.all([...jobs.values()].map((job) => job.settle()));
        await Promise.race([settled, new Promise((resolve) => setTimeout(resolve, SETTLE_MS).unref())]);
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeAllConnections();
        });
        for (const close of closers.reverse()) await close().catch(() => {});
      })();
      return closing;
    },
  };
}

const KINDS: readonly KindName[] = ["linkages", "opportunities", "contacts", "accounts", "custom-object"];

/** The page's choice from its JSON, or why it is not one (a sentence). */
export function choiceOf(text: string | undefined): ImportChoice | string {
  let value: { kind?: unknown; object?: unknown; linkTo?: unknown; map?: unknown };
  try {
    value = JSON.parse(text ?? "") as typeof value;
  } catch {
    return "The choice must be JSON.";
  }
  if (typeof value !== "object" || value === null) return "The choice must be a JSON object.";
  if (!KINDS.includes(value.kind as KindName)) return `The kind must be one of ${KINDS.join(", ")}.`;
  let kind: KindArgument = { name: value.kind as KindName };
  if (kind.name === "custom-object") {
    const id = Number(value.object);
    if (!Number.isSafeInteger(id) || id < 1)
      return "A custom object import needs the custom object's id (a positive integer).";
    kind = { name: "custom-object", id };
  }
  const linkTo = value.linkTo === "accounts" ? "accounts" : "contacts";
  const map: Record<string, string> = {};
  if (value.map !== undefined) {
    if (typeof value.map !== "object" || value.map === null)
      return "The map must be an object of column → field.";
    for (const [column, field] of Object.entries(value.map)) {
      if (typeof field !== "string") return "The map must be an object of column → field.";
      if (field !== "") map[column] = field;
    }
  }
  return { kind, linkTo, map };
}

function decodeName(header: string | undefined): string {
  try {
    const name = decodeURIComponent(header ?? "");
    return name === "" ? "upload.csv" : name.slice(0, 200);
  } catch {
    return "upload.csv";
  }
}
