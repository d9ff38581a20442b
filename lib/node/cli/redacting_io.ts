import type { CliIo, TextSink } from "./cli_io.ts";

/**
 * The same io, with every secret replaced by `[redacted]` in what is written: a second line of defence
 * behind messages that are built never to hold credentials (the client redacts its errors too).
 */
export function redactingIo(io: CliIo, secrets: readonly string[]): CliIo {
  const kept = secrets.filter((s) => s.length >= 4);
  if (kept.length === 0) return io;
  const redact = (text: string): string => {
    let out = text;
    for (const secret of kept) if (out.includes(secret)) out = out.split(secret).join("[redacted]");
    return out;
  };
  const wrap = (sink: TextSink): TextSink => ({ write: (text: string) => sink.write(redact(text)) });
  const stderr = io.stderr;
  return {
    env: io.env,
    stdout: wrap(io.stdout),
    stderr: {
      write: (text: string) => stderr.write(redact(text)),
      get isTTY() {
        return stderr.isTTY;
      },
      get columns() {
        return stderr.columns;
      },
    },
  };
}
