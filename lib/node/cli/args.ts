import { parseArgs } from "node:util";
import { UsageError } from "./cli_errors.ts";

/** Every flag, by name: its type and the commands that take it (`*` for all). */
const FLAGS = {
  help: { type: "boolean", short: "h", commands: "*" },
  version: { type: "boolean", commands: "*" },
  debug: { type: "boolean", commands: "*" },
  quiet: { type: "boolean", short: "q", commands: "*" },
  "base-url": { type: "string", commands: ["import", "fields", "status", "rejects", "definitions", "ui"] },
  "allow-insecure-http": {
    type: "boolean",
    commands: ["import", "fields", "status", "rejects", "definitions", "ui"],
  },
  site: {
    type: "string",
    commands: ["import", "emulator", "fields", "status", "rejects", "definitions", "ui"],
  },
  user: {
    type: "string",
    commands: ["import", "emulator", "fields", "status", "rejects", "definitions", "ui"],
  },
  password: {
    type: "string",
    commands: ["import", "emulator", "fields", "status", "rejects", "definitions", "ui"],
  },
  token: {
    type: "string",
    commands: ["import", "emulator", "fields", "status", "rejects", "definitions", "ui"],
  },
  out: { type: "string", commands: ["rejects"] },
  delimiter: { type: "string", commands: ["import"] },
  encoding: { type: "string", commands: ["import"] },
  map: { type: "string", multiple: true, commands: ["import"] },
  "map-file": { type: "string", commands: ["import"] },
  identifier: { type: "string", commands: ["import"] },
  keep: { type: "string", commands: ["import"] },
  "link-to": { type: "string", commands: ["import"] },
  "match-field": { type: "string", commands: ["import"] },
  "import-uri": { type: "string", commands: ["import"] },
  "opportunity-column": { type: "string", commands: ["import"] },
  "email-column": { type: "string", commands: ["import"] },
  "max-batch-bytes": { type: "string", commands: ["import"] },
  concurrency: { type: "string", commands: ["import"] },
  "files-per-sync": { type: "string", commands: ["import", "emulator"] },
  report: { type: "string", commands: ["import"] },
  rejects: { type: "string", commands: ["import"] },
  checkpoint: { type: "string", commands: ["import"] },
  "include-duplicates": { type: "boolean", commands: ["import"] },
  cleanup: { type: "boolean", commands: ["import"] },
  "dry-run": { type: "boolean", commands: ["import"] },
  transport: { type: "string", commands: ["import", "fields", "status", "rejects", "definitions", "ui"] },
  "single-thread": { type: "boolean", commands: ["import"] },
  retries: { type: "string", commands: ["import"] },
  port: { type: "string", commands: ["emulator", "ui"] },
  "no-open": { type: "boolean", commands: ["ui"] },
  host: { type: "string", commands: ["emulator"] },
  "fault-rate": { type: "string", commands: ["emulator"] },
  faults: { type: "string", commands: ["emulator"] },
  seed: { type: "string", commands: ["emulator"] },
  latency: { type: "string", commands: ["emulator"] },
  strict: { type: "boolean", commands: ["emulator"] },
  mode: { type: "string", commands: ["emulator"] },
  "sync-ms": { type: "string", commands: ["emulator"] },
  "max-body-bytes": { type: "string", commands: ["emulator"] },
  "token-lifetime": { type: "string", commands: ["emulator"] },
  state: { type: "string", commands: ["emulator"] },
} as const;

type FlagName = keyof typeof FLAGS;
export type FlagValues = {
  [K in FlagName]?: (typeof FLAGS)[K] extends { multiple: true }
    ? string[]
    : (typeof FLAGS)[K]["type"] extends "string"
      ? string
      : boolean;
};

type ParsedArgs = {
  values: Record<string, string | string[] | boolean | undefined>;
  positionals: string[];
  tokens: (
    | { kind: "option"; name: string; rawName: string; value: string | undefined }
    | { kind: "positional" | "option-terminator" }
  )[];
};

/** The commands. */
export type CommandName = "import" | "fields" | "emulator" | "status" | "rejects" | "definitions" | "ui";
const COMMANDS: readonly CommandName[] = [
  "import",
  "fields",
  "emulator",
  "status",
  "rejects",
  "definitions",
  "ui",
];

/** The kinds of import the CLI names: `linkages` (the default), records of Eloqua, or one custom object's. */
export type KindName = "linkages" | "opportunities" | "contacts" | "accounts" | "custom-object";
const KINDS: readonly KindName[] = ["linkages", "opportunities", "contacts", "accounts", "custom-object"];

/** An import kind as the command line gives it. */
export interface KindArgument {
  readonly name: KindName;
  /** The custom object's id, for `custom-object <id>`. */
  readonly id?: number;
}

/** What the command line asks for. */
export type CommandLine =
  | { readonly command: "help"; readonly topic: CommandName | undefined }
  | { readonly command: "version" }
  | {
      readonly command: "import";
      readonly kind: KindArgument;
      readonly file: string;
      readonly flags: FlagValues;
    }
  | { readonly command: "fields"; readonly kind: KindArgument; readonly flags: FlagValues }
  | { readonly command: "emulator"; readonly flags: FlagValues }
  /** `ui`: the import page on a local server. */
  | { readonly command: "ui"; readonly flags: FlagValues }
  /** `status <sync>` and `rejects <sync>`: a past sync, by its uri. */
  | { readonly command: "status" | "rejects"; readonly sync: string; readonly flags: FlagValues }
  | {
      readonly command: "definitions";
      readonly action: "list";
      readonly kind: KindArgument | undefined;
      readonly flags: FlagValues;
    }
  | {
      readonly command: "definitions";
      readonly action: "delete";
      readonly uris: string[];
      readonly flags: FlagValues;
    };

/** Whether `--debug` is among the arguments, even when they do not parse: for how errors are shown. */
export function wantsDebug(argv: readonly string[]): boolean {
  return argv.includes("--debug");
}

/**
 * Parses the arguments (without `node` and the script) with `node:util`'s `parseArgs`. Throws
 * {@linkcode UsageError} with a message of our own: `parseArgs`' messages would echo values, and a value
 * can be a password.
 */
export function parseCommandLine(argv: readonly string[]): CommandLine {
  let parsed: ParsedArgs;
  try {
    parsed = parseArgs({
      args: [...argv],
      options: FLAGS,
      allowPositionals: true,
      strict: true,
      tokens: true,
    });
  } catch (error) {
    throw usageFromParseArgs(error);
  }
  const flags = parsed.values as FlagValues;
  const [command, ...rest] = parsed.positionals;
  if (command === undefined) {
    if (flags.version) return { command: "version" };
    if (flags.help) return { command: "help", topic: undefined };
    throw new UsageError('Missing a command: use "eloqua-bulk import <file.csv>" or "eloqua-bulk emulator".');
  }
  if (command === "help") {
    const topic = rest[0];
    return {
      command: "help",
      topic: COMMANDS.includes(topic as CommandName) ? (topic as CommandName) : undefined,
    };
  }
  if (!COMMANDS.includes(command as CommandName)) {
    // Not echoed: it may be a secret whose flag was forgotten (`--user u s3cret import …`).
    throw new UsageError(
      "Unknown command: the first argument must be import, fields, emulator, status, rejects, definitions or ui.",
    );
  }
  const name = command as CommandName;
  if (flags.help) return { command: "help", topic: name };
  if (flags.version) return { command: "version" };
  for (const token of parsed.tokens) {
    if (token.kind !== "option") continue;
    const spec = FLAGS[token.name as FlagName];
    if (spec.commands !== "*" && !(spec.commands as readonly string[]).includes(name)) {
      throw new UsageError(`The ${name} command does not take ${token.rawName}.`);
    }
    if (spec.type === "string" && token.value === "") {
      throw new UsageError(`${token.rawName} needs a value, and it is empty.`);
    }
  }
  if (name === "emulator") {
    // Never echo a stray argument: it may be a secret typed without its flag.
    if (rest.length > 0)
      throw new UsageError(
        `The emulator command takes no arguments, only flags (got ${count(rest.length)}).`,
      );
    return { command: "emulator", flags };
  }
  if (name === "ui") {
    if (rest.length > 0)
      throw new UsageError(`The ui command takes no arguments, only flags (got ${count(rest.length)}).`);
    return { command: "ui", flags };
  }
  if (name === "fields") {
    const { kind, rest: after } = kindArgument(rest, true);
    if (after.length > 0)
      throw new UsageError(
        `The fields command takes a kind and no more arguments (got ${count(rest.length)}).`,
      );
    return { command: "fields", kind, flags };
  }
  if (name === "status" || name === "rejects") {
    if (rest.length !== 1)
      throw new UsageError(
        `The ${name} command takes one sync uri, e.g. "eloqua-bulk ${name} /syncs/12" (got ${count(rest.length)}).`,
      );
    return { command: name, sync: rest[0]!, flags };
  }
  if (name === "definitions") {
    const [action, ...args] = rest;
    if (action === "list") {
      if (args.length === 0) return { command: name, action, kind: undefined, flags };
      const { kind, rest: after } = kindArgument(args, true);
      if (after.length > 0)
        throw new UsageError(`definitions list takes at most a kind (got ${count(args.length)}).`);
      return { command: name, action, kind, flags };
    }
    if (action === "delete") {
      if (args.length === 0)
        throw new UsageError(
          'definitions delete needs the uris to delete, e.g. "/opportunities/imports/12".',
        );
      return { command: name, action, uris: args, flags };
    }
    throw new UsageError('definitions takes "list [kind]" or "delete <uri>…".');
  }
  // "import file.csv" is a linkage import, as it always was; "import <kind> file.csv" names the kind.
  const { kind, rest: files } = kindArgument(rest, false);
  if (files.length === 0) throw new UsageError('Missing the input: give a CSV file, or "-" to read stdin.');
  if (files.length > 1) {
    throw new UsageError(
      `The import command takes one input file (got ${count(files.length)}); flags start with "--".`,
    );
  }
  return { command: "import", kind, file: files[0]!, flags };
}

/** The kind at the start of `args` (with a custom object's id), and what follows it. */
function kindArgument(args: readonly string[], required: boolean): { kind: KindArgument; rest: string[] } {
  const [first, ...rest] = args;
  const kinds = `${KINDS.slice(0, -1).join(", ")} or custom-object <id>`;
  if (!KINDS.includes(first as KindName)) {
    if (required) throw new UsageError(`Missing the kind: ${kinds}.`);
    return { kind: { name: "linkages" }, rest: [...args] };
  }
  if (first !== "custom-object") return { kind: { name: first as KindName }, rest };
  const [id, ...after] = rest;
  if (id === undefined || !/^[1-9]\d{0,9}$/.test(id)) {
    throw new UsageError(
      'custom-object needs the custom object\'s id, a positive integer: "custom-object 12".',
    );
  }
  return { kind: { name: "custom-object", id: Number(id) }, rest: after };
}

function count(n: number): string {
  return `${n} arguments`;
}

function shorten(text: string): string {
  return text.length > 40 ? `${text.slice(0, 40)}…` : text;
}

function usageFromParseArgs(error: unknown): UsageError {
  const code = (error as { code?: unknown } | null)?.code;
  const message = error instanceof Error ? error.message : "";
  const flag = /'(-{1,2}[A-Za-z0-9-]+)/.exec(message)?.[1] ?? "an option";
  switch (code) {
    case "ERR_PARSE_ARGS_UNKNOWN_OPTION":
      return new UsageError(`Unknown option ${flag}.`);
    case "ERR_PARSE_ARGS_INVALID_OPTION_VALUE":
      if (/does not take an argument/.test(message)) return new UsageError(`${flag} takes no value.`);
      if (/ambiguous/.test(message)) {
        return new UsageError(`The value of ${flag} starts with "-": write it as ${flag}=<value>.`);
      }
      return new UsageError(`${flag} needs a value.`);
    default:
      return new UsageError("The arguments could not be read.");
  }
}

/**
 * A whole number from a flag's text, with `_` or `,` allowed between groups of three digits
 * (`30,000,000`); throws {@linkcode UsageError} naming the flag and the value when it is not one in range.
 */
export function integerFlag(
  flag: string,
  text: string | undefined,
  min: number,
  max: number,
): number | undefined {
  if (text === undefined) return undefined;
  const range = `an integer from ${min.toLocaleString("en-US")} to ${max.toLocaleString("en-US")}`;
  const trimmed = text.trim();
  if (!/^\d+([_,]\d{3})*$/.test(trimmed)) {
    throw new UsageError(`--${flag} must be ${range}: got ${JSON.stringify(shorten(text))}.`);
  }
  const value = Number(trimmed.replace(/[_,]/g, ""));
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw new UsageError(`--${flag} must be ${range}: got ${JSON.stringify(shorten(text))}.`);
  }
  return value;
}
