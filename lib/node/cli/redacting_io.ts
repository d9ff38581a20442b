import { Redactor } from "../../client/redact.ts";
import type { CliIo, TextSink } from "./cli_io.ts";

/**
 * The same io, with every secret replaced by `[redacted]` in what is written: a second line of defence
 * behind messages that are built never to hold credentials (the client redacts its errors too). The
 * rule is the client's {@linkcode Redactor}'s: long secrets anywhere, short ones where they stand whole.
 * `issued` holds secrets learnt later, such as the tokens an OAuth refresh brings.
 */
export function redactingIo(io: CliIo, secrets: readonly string[], issued?: Redactor): CliIo {
  if (secrets.every((secret) => secret === "") && issued === undefined) return io;
  const redactor = new Redactor();
  for (const secret of secrets) redactor.add(secret);
  // `issued` grows during the run (the tokens each OAuth refresh brings): asked on every write.
  const redact = (text: string): string => {
    const once = redactor.redact(text);
    return issued === undefined ? once : issued.redact(once);
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
