import { readFileSync, renameSync, writeFileSync } from "node:fs";
import type { EmulatorState } from "../emulator/state.ts";
import { STATE_FORMAT } from "../emulator/state.ts";

/** The emulator state stored at `path`, or `undefined` when there is no file yet. */
export function readEmulatorState(path: string): EmulatorState | undefined {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    value = undefined;
  }
  if ((value as Partial<EmulatorState> | undefined)?.format !== STATE_FORMAT) {
    throw new Error(
      `${path} is not an emulator state file (an emulator's --state writes one): give another path, or remove it to start empty`,
    );
  }
  return value as EmulatorState;
}

/**
 * Stores `state` at `path` through a temporary file renamed over it, so that a crash while writing
 * leaves the previous state whole.
 */
export function writeEmulatorState(path: string, state: EmulatorState): void {
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, `${JSON.stringify(state)}\n`);
  renameSync(temporary, path);
}
