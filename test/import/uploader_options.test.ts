// The Uploader checks its options where it is built: a bad value throws, naming the option, before any request.
import { describe, expect, it } from "vitest";
import { EloquaBulkClient } from "../../lib/client/client.ts";
import { isInvalidOptionError } from "../../lib/errors.ts";
import { Uploader, type UploaderOptions } from "../../lib/import/uploader.ts";

const client = new EloquaBulkClient({
  baseUrl: "http://127.0.0.1:9",
  auth: { type: "basic", site: "S", user: "u", password: "p" },
});
const good: UploaderOptions = {
  client,
  definition: async () => "/opportunities/contacts/imports/1",
  fields: ["OpportunityID", "EmailAddress"],
  concurrency: 4,
  maxFilesPerSync: 500,
  maxBytesPerSync: 250_000_000,
  syncTimeoutMs: 60_000,
  sourceName: "input",
};

describe("Uploader options", () => {
  it("should take good options", () => {
    expect(() => new Uploader(good)).not.toThrow();
  });

  it.each([
    ["concurrency", 0],
    ["concurrency", 1.5],
    ["concurrency", 65],
    ["maxFilesPerSync", 0],
    ["maxFilesPerSync", 501],
    ["maxBytesPerSync", 0],
    ["syncTimeoutMs", -1],
    ["fields", []],
    ["definition", "/opportunities/contacts/imports/1"],
    ["client", undefined],
    ["sourceName", 3],
  ] as const)("should refuse %s = %j, naming it", (name, value) => {
    let thrown: unknown;
    try {
      new Uploader({ ...good, [name]: value } as unknown as UploaderOptions);
    } catch (error) {
      thrown = error;
    }
    expect(isInvalidOptionError(thrown)).toBe(true);
    expect((thrown as Error).message).toContain(name);
  });
});
