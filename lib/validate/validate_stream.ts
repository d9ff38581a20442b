import type { RowBatch } from "../row_batch.ts";
import { RowValidator, type RowValidatorOptions, type ValidateStats } from "./row_validator.ts";

/** Options of {@linkcode ValidateStream}. */
export type ValidateStreamOptions = RowValidatorOptions;

/**
 * Passes on the valid rows of each batch, trimmed; invalid rows go to
 * `onReject` with a stable code (`REQUIRED_FIELD_EMPTY`, `FIELD_TOO_LONG`,
 * `INVALID_EMAIL`, …), their line and original values.
 *
 * @example
 * ```ts
 * const valid = rows.pipeThrough(new ValidateStream({ onReject: (r) => console.error(r.message) }));
 * ```
 */
export class ValidateStream extends TransformStream<RowBatch, RowBatch> {
  readonly #validator: RowValidator;

  constructor(options: ValidateStreamOptions = {}) {
    const validator = new RowValidator(options);
    super({
      transform(batch, controller) {
        if (validator.validate(batch).length > 0) controller.enqueue(batch);
      },
    });
    this.#validator = validator;
  }

  /** Rows found valid and invalid so far. */
  get stats(): Readonly<ValidateStats> {
    return this.#validator.stats;
  }
}
