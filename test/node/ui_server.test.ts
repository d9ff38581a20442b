// The page's server over real HTTP, without a browser: the token and Host checks on every route, the
// security headers on every response (refusals too), credentials never in a response, and clear
// problems for files that cannot be imported.
import { spawn } from "node:child_process";
import { request } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EloquaBulkClient } from "../../lib/client/client.ts";
import { startEmulatorServer } from "../../lib/node/emulator_server.ts";
import { choiceOf, startUiServer, type UiServer } from "../../lib/node/ui/ui_server.ts";
import { bin, env, root } from "./_cli.ts";

const SECRET = "ui-test-secret-password";
let ui: UiServer;

beforeAll(async () => {
  ui = await startUiServer({ emulator: { credentials: { password: SECRET } } });
});
afterAll(() => ui.close());

/** `path` with the token. */
const withToken = (path: string) => `${ui.origin}${path}${path.includes("?") ? "&" : "?"}token=${ui.token}`;

/** A request with any Host header (fetch cannot set one). */
function rawGet(path: string, host: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(`${ui.origin}${path}`, { headers: { host } }, (res) => {
      let body = "";
      res.setEncoding("utf8").on("data", (chunk: string) => (body += chunk));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on("error", reject).end();
  });
}

async function preview(body: BodyInit, choice: object) {
  const query = `/api/preview?choice=${encodeURIComponent(JSON.stringify(choice))}`;
  const response = await fetch(withToken(query), { method: "POST", body });
  return { status: response.status, text: await response.text() };
}

describe("the ui server", () => {
  const routes = [
    ["GET", "/"],
    ["GET", "/assets/app.js"],
    ["GET", "/assets/app.css"],
    ["GET", "/api/target"],
    ["POST", "/api/jobs"],
    ["POST", "/api/preview"],
    ["GET", "/api/jobs/1/events"],
    ["GET", "/api/jobs/1/rejects.csv"],
  ] as const;

  it.each(routes)(
    "should refuse %s %s without the token, or with another one (403)",
    async (method, path) => {
      for (const url of [`${ui.origin}${path}`, `${ui.origin}${path}?token=${ui.token.slice(1)}x`]) {
        const response = await fetch(url, { method, ...(method === "POST" ? { body: "{}" } : {}) });
        expect(response.status).toBe(403);
        expect(await response.text()).toContain("token");
      }
    },
  );

  it("should refuse a request whose Host is not the server's, even with the token (DNS rebinding)", async () => {
    const port = new URL(ui.origin).port;
    expect((await rawGet(`/?token=${ui.token}`, `evil.example:${port}`)).status).toBe(403);
    expect((await rawGet(`/?token=${ui.token}`, `localhost:${port}`)).status).toBe(200);
  });

  it("should send a strict Content-Security-Policy and no referrer on pages and refusals alike", async () => {
    for (const url of [withToken("/"), `${ui.origin}/`]) {
      const response = await fetch(url);
      const csp = response.headers.get("content-security-policy") ?? "";
      expect(csp).toContain("default-src 'self'");
      expect(csp).toContain("script-src 'self'");
      expect(csp).not.toContain("unsafe-inline");
      expect(csp).toContain("frame-ancestors 'none'");
      expect(response.headers.get("referrer-policy")).toBe("no-referrer");
      expect(response.headers.get("x-content-type-options")).toBe("nosniff");
      expect(response.headers.get("cache-control")).toBe("no-store");
    }
  });

  it("should serve a page without inline script, whose assets carry the token", async () => {
    const html = await (await fetch(withToken("/"))).text();
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    expect(html).toContain(`/assets/app.js?token=${ui.token}`);
    expect(html).not.toMatch(/https?:\/\//);
    const js = await fetch(withToken("/assets/app.js"));
    expect(js.status).toBe(200);
    expect(js.headers.get("content-type")).toContain("text/javascript");
    expect((await fetch(withToken("/assets/..%2Fui_server.ts"))).status).toBe(404);
  });

  it("should name the built-in emulator as the target, and never its credentials", async () => {
    const text = await (await fetch(withToken("/api/target"))).text();
    expect(JSON.parse(text)).toEqual({ emulator: true, label: "the built-in Eloqua emulator" });
    expect(text).not.toContain(SECRET);
  });

  it("should preview a file: its delimiter, mapping and each first row's validation", async () => {
    const csv = "OpportunityID;EmailAddress\nOPP-1;a@example.com\nOPP-2;not-an-email\nOPP-1;a@example.com\n";
    const { status, text } = await preview(csv, { kind: "linkages" });
    expect(status).toBe(200);
    const result = JSON.parse(text);
    expect(result.delimiter).toBe(";");
    expect(result.encoding).toBe("utf-8");
    expect(result.mapping).toEqual([
      { column: "OpportunityID", field: "OpportunityID", how: "name" },
      { column: "EmailAddress", field: "EmailAddress", how: "name" },
    ]);
    expect(result.rows.map((r: { rejects: { code: string }[] }) => r.rejects.map((x) => x.code))).toEqual([
      [],
      ["INVALID_EMAIL"],
      ["DUPLICATE"],
    ]);
    expect(text).not.toContain(SECRET);
  });

  it("should preview records as the import keeps them: a repeated id's earlier rows are the duplicates", async () => {
    const csv = [
      "Opportunity ID,Opportunity Name,Stage,Amount,Close Date",
      "OPP-1,First,Prospecting,10,2026-01-15",
      "OPP-2,Other,Prospecting,20,2026-01-15",
      "opp-1,Second,Closed Won,30,2026-02-15",
      "OPP-1,Third,Closed Won,lots,2026-03-15",
      "",
    ].join("\n");
    const { text } = await preview(csv, { kind: "opportunities" });
    const result = JSON.parse(text);
    expect(result.problem ?? undefined).toBeUndefined();
    expect(result.rows.map((r: { rejects: { code: string }[] }) => r.rejects.map((x) => x.code))).toEqual([
      ["DUPLICATE"],
      [],
      [],
      ["INVALID_NUMBER"],
    ]);
  });

  it("should say clearly, without a stack, that a binary file is not CSV", async () => {
    const { status, text } = await preview(new Uint8Array([0x50, 0x4b, 3, 4, 0, 0, 0, 1, 10]), {
      kind: "opportunities",
    });
    expect(status).toBe(200);
    expect(JSON.parse(text).problem.code).toBe("NOT_TEXT");
    expect(text).not.toMatch(/ at .*\.ts:\d+/);
  });

  it("should name the required fields no column fills, and show the mapping to fix it", async () => {
    const { text } = await preview("Name,Amount\nDeal,3\n", { kind: "opportunities" });
    const result = JSON.parse(text);
    expect(result.problem.code).toBe("MAPPING_MISSING_REQUIRED");
    expect(result.problem.message).toMatch(/^The opportunity import needs .*Opportunity ID/);
    expect(result.problem.message).not.toContain("--map");
    expect(result.mapping.map((m: { field: string | null }) => m.field)).toEqual([
      "{{Opportunity.Field(Name)}}",
      "{{Opportunity.Field(Amount)}}",
    ]);
  });

  it("should refuse a choice that is not one, with a sentence", () => {
    expect(choiceOf("{")).toBe("The choice must be JSON.");
    expect(choiceOf('{"kind":"leads"}')).toMatch(/^The kind must be one of/);
    expect(choiceOf('{"kind":"custom-object"}')).toMatch(/custom object's id/);
    expect(choiceOf('{"kind":"custom-object","object":7,"map":{"A":"B","C":""}}')).toEqual({
      kind: { name: "custom-object", id: 7 },
      linkTo: "contacts",
      map: { A: "B" },
    });
  });
});

describe("the ui server with Eloqua as the target", () => {
  it("should say which Eloqua it imports into, and never the credentials it holds", async () => {
    const eloqua = await startEmulatorServer({ credentials: { password: SECRET } });
    const { site, user } = eloqua.emulator.credentials;
    const client = new EloquaBulkClient({
      auth: { type: "basic", site, user, password: SECRET },
      baseUrl: eloqua.url,
      loginUrl: eloqua.url,
    });
    const server = await startUiServer({ eloqua: { client, label: `Eloqua at ${eloqua.url}` } });
    try {
      expect(server.emulator).toBeUndefined();
      const target = await (await fetch(`${server.origin}/api/target?token=${server.token}`)).text();
      expect(JSON.parse(target)).toEqual({ emulator: false, label: `Eloqua at ${eloqua.url}` });
      const job = await fetch(`${server.origin}/api/jobs?token=${server.token}`, {
        method: "POST",
        body: JSON.stringify({ kind: "linkages" }),
      });
      const { id } = (await job.json()) as { id: string };
      const csv = "OpportunityID,EmailAddress\nOPP-1,a@example.com\nOPP-2,bad\n";
      const upload = await fetch(`${server.origin}/api/jobs/${id}/upload?token=${server.token}`, {
        method: "POST",
        body: csv,
      });
      const text = await upload.text();
      expect(JSON.parse(text).state).toBe("done");
      expect(text).not.toContain(SECRET);
      const staged = eloqua.emulator.records().map((r) => r.row.OpportunityID);
      expect(staged).toEqual(["OPP-1"]);
    } finally {
      await server.close();
      await eloqua.close();
    }
  });
});

describe("eloqua-bulk ui", () => {
  it("should print the page's address with its token, serve it, and stop on SIGTERM", {
    timeout: 30_000,
  }, async () => {
    const child = spawn(process.execPath, [bin, "ui", "--no-open", "--port", "0"], {
      cwd: root,
      env: env(),
      stdio: ["ignore", "pipe", "pipe"],
    });
    try {
      let stderr = "";
      child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
      const url = await new Promise<string>((resolve, reject) => {
        let out = "";
        child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
          out += chunk;
          const found = /open (http:\/\/127\.0\.0\.1:\d+\/\?token=[\w-]{43})\n/.exec(out);
          if (found) resolve(found[1]!);
        });
        child.on("exit", () => reject(new Error(`eloqua-bulk ui exited: ${stderr}`)));
      });
      expect((await fetch(url)).status).toBe(200);
      expect((await fetch(url.replace(/\?token=.*/, ""))).status).toBe(403);
      expect(stderr).toContain("built-in Eloqua emulator");
      const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
      child.kill("SIGTERM");
      expect(await exited).toBe(0);
    } finally {
      child.kill("SIGKILL");
    }
  });

  it("should refuse arguments and flags it does not take", async () => {
    const { cli } = await import("./_cli.ts");
    const run = await cli(["ui", "file.csv"]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("The ui command takes no arguments");
    expect((await cli(["ui", "--rejects", "x.csv"])).stderr).toContain("does not take --rejects");
  });
});
