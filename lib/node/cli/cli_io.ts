/** What the CLI reads and writes besides files: injected so tests can run commands in-process. */
export interface CliIo {
  /** Results: the summary, `--help`, `--version`, the emulator's address. */
  readonly stdout: TextSink;
  /** Progress, notices and errors. */
  readonly stderr: TextSink & {
    /** Whether stderr is a terminal: then progress is a bar updated in place. */
    readonly isTTY?: boolean | undefined;
    /** The terminal's width, when it is one. */
    readonly columns?: number | undefined;
  };
  readonly env: Readonly<Record<string, string | undefined>>;
}

/** Anything text can be written to. */
export interface TextSink {
  write(text: string): unknown;
}

/** The process's own streams and environment. */
export function processIo(): CliIo {
  return { stdout: process.stdout, stderr: process.stderr, env: process.env };
}
