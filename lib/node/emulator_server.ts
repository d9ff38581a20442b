import type { IncomingMessage, ServerResponse } from "node:http";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import type { Emulator, EmulatorOptions } from "../emulator/mod.ts";
import { createEmulator, DROP_CONNECTION } from "../emulator/mod.ts";
import { InvalidOptionError } from "../errors.ts";

/** Options of {@linkcode startEmulatorServer}: the emulator's, plus where to listen. */
export interface EmulatorServerOptions extends EmulatorOptions {
  /** TCP port; 0 picks a free one. @default 0 */
  readonly port?: number;
  /** Interface to bind. @default "127.0.0.1" */
  readonly host?: string;
}

/** A running emulator server. */
export interface EmulatorServer {
  /** Its origin, e.g. `http://127.0.0.1:39123` (no trailing slash). */
  readonly url: string;
  readonly emulator: Emulator;
  /** Closes the server and every connection, idle or busy; resolves once closed. */
  close(): Promise<void>;
}

/**
 * Serves an emulator over node:http. Request bodies stream into the handler (never buffered whole), so
 * multi-gigabyte runs in `"count"` mode keep memory flat; `DROP_CONNECTION` destroys the socket.
 *
 * @example
 * ```ts
 * const server = await startEmulatorServer({ mode: "count" });
 * const id = await fetch(`${server.url}/id`, { headers: { authorization: "Bearer emulator-token" } });
 * await server.close();
 * ```
 */
export async function startEmulatorServer(options: EmulatorServerOptions = {}): Promise<EmulatorServer> {
  const { port = 0, host = "127.0.0.1", ...emulatorOptions } = options;
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new InvalidOptionError("EmulatorServer", "port", "an integer from 0 to 65535", port);
  }
  if (typeof host !== "string" || host === "") {
    throw new InvalidOptionError("EmulatorServer", "host", "a non-empty string", host);
  }
  const emulator = createEmulator(emulatorOptions);
  const server = createServer((req, res) => {
    serve(emulator, req, res).catch(() => req.socket.destroy());
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const shownHost = address.family === "IPv6" ? `[${address.address}]` : address.address;
  const url = `http://${shownHost}:${address.port}`;
  let closing: Promise<void> | null = null;
  return {
    url,
    emulator,
    close() {
      closing ??= new Promise<void>((resolve, reject) => {
        server.close((error) => (error === undefined ? resolve() : reject(error)));
        server.closeAllConnections();
      });
      return closing;
    },
  };
}

async function serve(emulator: Emulator, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const headers = new Headers();
  const raw = req.rawHeaders;
  for (let i = 0; i + 1 < raw.length; i += 2) headers.append(raw[i]!, raw[i + 1]!);
  const method = req.method ?? "GET";
  const hasBody = method !== "GET" && method !== "HEAD";
  const origin = `http://${req.headers.host ?? `${req.socket.localAddress}:${req.socket.localPort}`}`;
  const request = new Request(new URL(req.url ?? "/", origin), {
    method,
    headers,
    body: hasBody ? bodyStream(req) : null,
    duplex: "half",
  } as RequestInit);
  const result = await emulator.handle(request);
  if (result === DROP_CONNECTION) {
    req.socket.destroy();
    return;
  }
  const body = result.body === null ? null : new Uint8Array(await result.arrayBuffer());
  const outHeaders: [string, string][] = [];
  result.headers.forEach((value, name) => {
    outHeaders.push([name, value]);
  });
  if (body !== null) outHeaders.push(["content-length", String(body.byteLength)]);
  res.writeHead(result.status, outHeaders.flat());
  res.end(body);
}

/**
 * The request body as a web stream, chunk for chunk (no copies), pausing the socket while the handler
 * lags behind so a slow consumer holds back the client instead of filling memory.
 */
function bodyStream(req: IncomingMessage): ReadableStream<Uint8Array> {
  let done = false;
  return new ReadableStream<Uint8Array>(
    {
      start(controller) {
        req.on("data", (chunk: Buffer) => {
          if (done) return;
          controller.enqueue(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
          if ((controller.desiredSize ?? 0) <= 0) req.pause();
        });
        req.on("end", () => {
          done = true;
          controller.close();
        });
        req.on("error", (error) => {
          if (done) return;
          done = true;
          controller.error(error);
        });
        req.on("close", () => {
          if (done || req.complete) return;
          done = true;
          controller.error(new Error("The client closed the connection before sending the whole body"));
        });
      },
      pull() {
        req.resume();
      },
      cancel() {
        // Keep reading so the connection stays usable; the bytes are discarded.
        done = true;
        req.resume();
      },
    },
    { highWaterMark: 16 },
  );
}
