/**
 * Replaces known secrets in text that came from outside (response bodies,
 * runtime error messages) before it goes into an error message.
 */
export class Redactor {
  #secrets = new Set<string>();

  /** Remembers `secret` (ignored when shorter than 4 characters: too likely to hit innocent text). */
  add(secret: string | undefined): void {
    if (secret !== undefined && secret.length >= 4) this.#secrets.add(secret);
  }

  redact(text: string): string {
    let out = text;
    for (const secret of this.#secrets) {
      if (out.includes(secret)) out = out.split(secret).join("[redacted]");
    }
    return out;
  }

  toJSON(): Record<string, never> {
    return {};
  }

  [Symbol.for("nodejs.util.inspect.custom")](): string {
    return "Redactor {}";
  }
}
