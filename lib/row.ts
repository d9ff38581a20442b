/**
 * One data row of the input, as it flows between the stages.
 *
 * Stages pass **arrays** of rows (one array per input chunk), never one row
 * per chunk: per-row chunks cost ~20× in stream overhead.
 */
export interface Row {
  /** 1-based physical line of the source where the record starts (the header is line 1). */
  line: number;
  /** The values of the schema's fields, in the schema's field order. */
  values: string[];
}
