// Publishing readiness: `npm pack` (whose prepack builds dist/ with tsconfig.build.json) gives built JS,
// .d.ts files, README, LICENSE and the bin, and no sources, tests or fixtures; a consumer project installs
// the tarball and uses the public API from Node (ES modules and TypeScript types), the bin and Deno.
// The package is built and packed from a copy of the sources, so the working tree gets no dist/.
import { execFile } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ON_NODE } from "./runtime.ts";

const run = promisify(execFile);
const root = fileURLToPath(new URL("../../", import.meta.url));
const bin = (name: string) => join(root, "node_modules", ".bin", name);

const CONSUMER_MJS = `
import { CsvBatchStream, EloquaBulkClient, importLinkages, isEloquaHttpError } from "eloqua-bulk-stream";
import { createEmulator } from "eloqua-bulk-stream/emulator";
import { createNodeHttpFetch, startEmulatorServer } from "eloqua-bulk-stream/node";
import { createDenoFetch } from "eloqua-bulk-stream/deno";

const server = await startEmulatorServer({ syncTiming: { pendingMs: 0, activeMs: 0 } });
const fetch = createNodeHttpFetch();
try {
  const client = new EloquaBulkClient({ baseUrl: server.url, auth: { type: "bearer", token: "emulator-token" }, fetch });
  const csv = new Blob(["OpportunityID,EmailAddress\\n1,a@example.com\\n2,b@example.com\\n2,B@example.com\\n"]);
  const report = await importLinkages(csv.stream(), { client });
  console.log(JSON.stringify(report.rows));
  console.log(typeof CsvBatchStream, typeof isEloquaHttpError, typeof createEmulator().handle, typeof createDenoFetch);
} finally {
  fetch.close();
  await server.close();
}
`;

const CONSUMER_TS = `
import { EloquaBulkClient, importLinkages, type ImportReport, type Reject } from "eloqua-bulk-stream";
import { createEmulator, type Emulator } from "eloqua-bulk-stream/emulator";
import { createNodeHttpFetch, type EmulatorServer, type NodeHttpFetch, startEmulatorServer } from "eloqua-bulk-stream/node";

export async function load(csv: ReadableStream<Uint8Array>): Promise<ImportReport> {
  const server: EmulatorServer = await startEmulatorServer();
  const emulator: Emulator = createEmulator({ mode: "count" });
  const fetch: NodeHttpFetch = createNodeHttpFetch({ maxSockets: 8 });
  const client = new EloquaBulkClient({ baseUrl: server.url, auth: { type: "bearer", token: "t" }, fetch });
  const rejects: Reject[] = [];
  const report = await importLinkages(csv, { client, onReject: (r) => rejects.push(r), concurrency: 2 });
  const staged: number = report.rows.staged;
  // @ts-expect-error: concurrency is a number (proves the types are the package's, not any)
  await importLinkages(csv, { client, concurrency: "2" });
  void emulator;
  void staged;
  fetch.close();
  await server.close();
  return report;
}
`;

const CONSUMER_DENO = `
import { EloquaBulkClient, importLinkages } from "eloqua-bulk-stream";
import { createEmulator, DROP_CONNECTION } from "eloqua-bulk-stream/emulator";
import { createDenoFetch } from "eloqua-bulk-stream/deno";

const emulator = createEmulator({ syncTiming: { pendingMs: 0, activeMs: 0 } });
const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (request) => {
  const answer = await emulator.handle(request);
  return answer === DROP_CONNECTION ? new Response(null, { status: 502 }) : answer;
});
const fetch = createDenoFetch();
const client = new EloquaBulkClient({ baseUrl: "http://127.0.0.1:" + server.addr.port, auth: { type: "bearer", token: "emulator-token" }, fetch });
const csv = new Blob(["OpportunityID,EmailAddress\\n1,a@example.com\\n2,not-an-email\\n"]);
const report = await importLinkages(csv.stream(), { client });
console.log(JSON.stringify(report.rows));
fetch.close();
await server.shutdown();
`;

describe.skipIf(!ON_NODE)("the npm package", { timeout: 180_000 }, () => {
  const scratch = mkdtempSync(join(tmpdir(), "eloqua-bulk-stream-pack-"));
  const consumer = join(scratch, "consumer");
  let files: string[] = [];

  beforeAll(async () => {
    // The sources the build needs; node_modules linked for tsc and the type packages.
    const source = join(scratch, "source");
    mkdirSync(source);
    for (const name of [
      "package.json",
      "README.md",
      "LICENSE",
      "tsconfig.json",
      "tsconfig.build.json",
      "bin",
      "lib",
    ]) {
      cpSync(join(root, name), join(source, name), { recursive: true });
    }
    symlinkSync(join(root, "node_modules"), join(source, "node_modules"), "dir");
    const packed = await run("npm", ["pack", "--json", "--pack-destination", scratch], { cwd: source });
    const [info] = JSON.parse(packed.stdout.slice(packed.stdout.indexOf("["))) as {
      filename: string;
      files: { path: string }[];
    }[];
    files = info!.files.map((file) => file.path).sort();

    mkdirSync(consumer);
    writeFileSync(
      join(consumer, "package.json"),
      JSON.stringify({ name: "consumer", private: true, type: "module" }, null, 2),
    );
    // Dependencies (ky, fast-csv) come from npm's cache when `npm ci` has filled it.
    await run(
      "npm",
      ["install", "--no-audit", "--no-fund", "--prefer-offline", join(scratch, info!.filename)],
      { cwd: consumer },
    );
  }, 180_000);

  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  it("should pack built JS, declarations, the web page's assets, README, LICENSE and the bin, and no sources or tests", () => {
    for (const path of [
      "LICENSE",
      "README.md",
      "package.json",
      "bin/eloqua-bulk.mjs",
      "dist/mod.js",
      "dist/mod.d.ts",
      "dist/emulator/mod.js",
      "dist/emulator/mod.d.ts",
      "dist/node/mod.js",
      "dist/node/mod.d.ts",
      "dist/node/cli/main.js",
      "dist/deno/mod.js",
      "dist/deno/mod.d.ts",
      "lib/node/ui/assets/index.html",
    ]) {
      expect(files).toContain(path);
    }
    const unexpected = files.filter(
      (path) =>
        !/^dist\/.+\.(js|d\.ts|js\.map)$/.test(path) &&
        // The page's files are served as they are, from the package.
        !/^lib\/node\/ui\/assets\/[^/]+\.(html|js|css)$/.test(path) &&
        !["LICENSE", "README.md", "package.json", "bin/eloqua-bulk.mjs"].includes(path),
    );
    expect(unexpected).toEqual([]);
    expect(files.filter((path) => /test|fixture|bench|example/.test(path))).toEqual([]);
  });

  it("should be imported by a Node ES module, every public entry", async () => {
    writeFileSync(join(consumer, "consumer.mjs"), CONSUMER_MJS);
    const { stdout } = await run(process.execPath, ["consumer.mjs"], { cwd: consumer });
    expect(stdout).toBe(
      '{"read":3,"invalid":0,"duplicate":1,"staged":2,"notSent":0,"rejectedByEloqua":0}\nfunction function function function\n',
    );
  });

  it("should give a TypeScript consumer the package's types", async () => {
    writeFileSync(join(consumer, "consumer.ts"), CONSUMER_TS);
    writeFileSync(
      join(consumer, "tsconfig.json"),
      JSON.stringify({
        compilerOptions: {
          target: "ES2022",
          module: "NodeNext",
          moduleResolution: "NodeNext",
          lib: ["ES2023", "DOM", "DOM.Iterable", "DOM.AsyncIterable"],
          types: ["node"],
          typeRoots: [join(root, "node_modules", "@types")],
          strict: true,
          noEmit: true,
        },
        files: ["consumer.ts"],
      }),
    );
    const result = await run(bin("tsc"), ["-p", "tsconfig.json", "--pretty", "false"], {
      cwd: consumer,
    }).then(
      () => "",
      (error: { stdout: string }) => error.stdout,
    );
    expect(result).toBe("");
  });

  it("should run the bin from dist/ (the consumer has no tsx)", async () => {
    const { stdout } = await run(join(consumer, "node_modules", ".bin", "eloqua-bulk"), ["--version"], {
      cwd: consumer,
    });
    expect(stdout).toBe("0.1.0\n");
    writeFileSync(join(consumer, "links.csv"), "OpportunityID,EmailAddress\n1,a@example.com\n2,bad\n");
    const dry = await run(
      join(consumer, "node_modules", ".bin", "eloqua-bulk"),
      ["import", "links.csv", "--dry-run", "--quiet"],
      { cwd: consumer },
    ).then(
      (out) => ({ code: 0, ...out }),
      (error: { code: number; stdout: string; stderr: string }) => error,
    );
    expect(dry.stderr).not.toMatch(/tsx|Cannot find/);
    expect(dry.code).toBe(0);
  });

  it("should be imported by Deno from the installed node_modules", async () => {
    writeFileSync(join(consumer, "consumer_deno.ts"), CONSUMER_DENO);
    const { stdout } = await run(
      bin("deno"),
      ["run", "--allow-read", "--allow-net=127.0.0.1", "--allow-env", "consumer_deno.ts"],
      { cwd: consumer, env: { ...process.env, NO_COLOR: "1" } },
    );
    expect(stdout).toBe('{"read":2,"invalid":1,"duplicate":0,"staged":1,"notSent":0,"rejectedByEloqua":0}\n');
  });
});
