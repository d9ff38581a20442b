import { describe, expect, it } from "vitest";
import type { EmulatorOptions } from "../../lib/emulator/mod.ts";
import { createEmulator, DEFAULT_CREDENTIALS } from "../../lib/emulator/mod.ts";
import { isInvalidOptionError } from "../../lib/errors.ts";

function failure(options: unknown): unknown {
  try {
    createEmulator(options as EmulatorOptions);
  } catch (error) {
    return error;
  }
  throw new Error("createEmulator accepted bad options");
}

describe("createEmulator options", () => {
  it("should default to Eloqua's documented limits and the emulator credentials", () => {
    const emulator = createEmulator();
    expect(emulator.credentials).toEqual({
      site: "EmulatorSite",
      user: "emulator.user",
      password: "emulator-password",
      token: "emulator-token",
      clientId: "emulator-client",
      clientSecret: "emulator-secret",
      refreshToken: "emulator-refresh-1",
      authorizationCode: "emulator-code",
    });
    expect(DEFAULT_CREDENTIALS).toEqual(emulator.credentials);
    expect(emulator.refreshTokens()).toEqual(["emulator-refresh-1"]);
  });

  it("should throw InvalidOptionError naming the option and the value", () => {
    const error = failure({ maxBodyBytes: 0 });
    expect(isInvalidOptionError(error)).toBe(true);
    expect((error as Error).message).toBe(
      "Cannot construct Emulator as maxBodyBytes must be a positive integer: current value is 0",
    );
  });

  it.each([
    [{ mode: "fast" }, /mode must be "store" or "count"/],
    [{ maxFilesPerSync: 1.5 }, /maxFilesPerSync must be a positive integer/],
    [{ maxStagedBytes: -1 }, /maxStagedBytes/],
    [{ syncTiming: { pendingMs: -1 } }, /syncTiming.pendingMs must be a non-negative number/],
    [{ syncTiming: { activeMs: Number.NaN } }, /syncTiming.activeMs/],
    [{ historyLimit: 0 }, /historyLimit/],
    [{ accessTokenLifetimeSeconds: 0 }, /accessTokenLifetimeSeconds/],
    [{ seed: 1.5 }, /seed must be an integer/],
    [{ now: 5 }, /now must be a function/],
    [{ knownOpportunities: "123" }, /knownOpportunities must be an iterable of strings or a predicate/],
    [{ credentials: { site: "a\\b" } }, /credentials.site/],
    [{ credentials: { password: "" } }, /credentials.password must be a non-empty string/],
    [{ importPaths: [] }, /importPaths/],
    [{ importPaths: ["opportunities/imports"] }, /importPaths must be paths like/],
    [{ faults: [{ action: "explode" }] }, /faults\[0\].action must be a fault action/],
    [{ faults: [{ route: "data.put", action: "reset" }] }, /faults\[0\].route must be a route name/],
    [{ faults: [{ action: { status: 418 } }] }, /faults\[0\].action.status must be 429, 500, 502 or 503/],
    [{ faults: [{ action: { delayMs: -5 } }] }, /delayMs/],
    [{ faults: [{ action: "reset", rate: 1.5 }] }, /faults\[0\].rate must be a number from 0 to 1/],
    [
      { faults: [{ action: "reset", rate: 0.5, schedule: [1] }] },
      /rate must be absent when schedule is given/,
    ],
    [{ faults: [{ action: "reset", schedule: [0] }] }, /schedule must be an array of positive integers/],
    [{ faults: [{ action: "reset", times: 0 }] }, /times must be a positive integer/],
    [{ faults: [{ route: "sync.get", action: "syncError" }] }, /route must be a route that creates syncs/],
  ])("should refuse %j", (options, message) => {
    const error = failure(options);
    expect(isInvalidOptionError(error)).toBe(true);
    expect((error as Error).message).toMatch(message);
  });

  it("should serve configured import paths only", async () => {
    const emulator = createEmulator({ importPaths: ["/opportunities/contacts/imports"] });
    expect(
      emulator.routes.filter((route) => route.importPath !== undefined).map((route) => route.importPath),
    ).toEqual(Array(7).fill("/opportunities/contacts/imports"));
    const response = await emulator.handle(
      new Request("http://emulator/api/bulk/2.0/opportunities/imports", {
        headers: { authorization: "Bearer emulator-token" },
      }),
    );
    expect(response).toMatchObject({ status: 404 });
  });
});
