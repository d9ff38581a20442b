import type { EmulatorStats } from "./stats.ts";

/** A row accepted by a data POST, in `"store"` mode. */
export interface StagedRecord {
  /** The definition it was posted to, e.g. `/opportunities/contacts/imports/21`. */
  readonly definitionUri: string;
  /** The sync that processed it; null while it waits in staging (or after it was deleted). */
  readonly syncUri: string | null;
  /** 1-based number of its data POST within its sync (within the next sync while still staged). */
  readonly fileIndex: number;
  /**
   * 1-based position among all rows of its sync, in the order the data POSTs were accepted, the rows of
   * one POST in body order: what `recordIndex` of a reject points at (while still staged: the position
   * it would have in the next sync).
   */
  readonly recordIndex: number;
  /** The row as staged: the definition's columns only, values as strings. */
  readonly row: Readonly<Record<string, string>>;
  /** `"staged"` waiting for a sync, `"synced"` or `"rejected"` by a sync, `"deleted"` from staging. */
  readonly state: "staged" | "synced" | "rejected" | "deleted";
  /** The reject's status code (e.g. `"ELQ-00084"`) when `state` is `"rejected"`, else null. */
  readonly statusCode: string | null;
}

/** The staging area as `saveState` keeps it: plain data, files and rows referred to by position. */
export interface StagingState {
  /** Every record, in acceptance order. */
  readonly records: readonly StagedRecord[];
  /** Every file still staged (a running sync's included), by definition in order. */
  readonly files: readonly StagedFileState[];
  /** The definitions staging has seen, in the order it saw them. */
  readonly definitions: readonly string[];
}

/** A staged file as `saveState` keeps it. */
export interface StagedFileState {
  readonly definitionUri: string;
  readonly bytes: number;
  readonly rows: number;
  /** Position of its first record in `records`; null in `"count"` mode. */
  readonly firstRecord: number | null;
  readonly recordCount: number;
  readonly ignoredColumns: boolean;
  readonly claimedBy: string | null;
}

export type MutableRecord = { -readonly [K in keyof StagedRecord]: StagedRecord[K] };

/** One accepted data POST. */
export interface StagedFile {
  readonly bytes: number;
  readonly rows: number;
  /** The rows, in `"store"` mode; null in `"count"` mode. */
  readonly records: MutableRecord[] | null;
  /** Whether some columns were not in the definition (ignored, logged as ELQ-00111). */
  readonly ignoredColumns: boolean;
  /** The sync that took this file; null while no sync has. */
  claimedBy: string | null;
}

/**
 * The staging area: files accepted by data POSTs and not yet moved out by a sync, per definition, and
 * their total size against the storage limit. A sync claims the files staged when it is created, so a
 * file posted while a sync runs waits for the next one.
 */
export class Staging {
  readonly #stats: EmulatorStats;
  readonly #files = new Map<string, StagedFile[]>();
  #records: MutableRecord[] = [];
  #bytes = 0;

  constructor(stats: EmulatorStats) {
    this.#stats = stats;
  }

  /** Bytes staged across every definition. */
  get bytes(): number {
    return this.#bytes;
  }

  /** Files staged for a definition since its last completed sync. */
  fileCount(definitionUri: string): number {
    return this.#files.get(definitionUri)?.length ?? 0;
  }

  /** Bytes staged for a definition. */
  bytesOf(definitionUri: string): number {
    return (this.#files.get(definitionUri) ?? []).reduce((sum, file) => sum + file.bytes, 0);
  }

  /** Every row accepted so far (`"store"` mode), a live view. */
  records(): readonly StagedRecord[] {
    return this.#records;
  }

  /** Stages one accepted data POST. */
  stage(
    definitionUri: string,
    bytes: number,
    rows: number,
    values: Record<string, string>[] | null,
    ignored: boolean,
  ): void {
    const files = this.#files.get(definitionUri) ?? [];
    let records: MutableRecord[] | null = null;
    if (values !== null) {
      records = values.map((row) => ({
        definitionUri,
        syncUri: null,
        fileIndex: 0,
        recordIndex: 0,
        row,
        state: "staged",
        statusCode: null,
      }));
      for (const record of records) this.#records.push(record);
    }
    // Number only the new rows (renumbering everything per POST would be quadratic): they come after
    // the rows already waiting for the next sync.
    let fileIndex = 1;
    let recordIndex = 0;
    for (const file of files) {
      if (file.claimedBy !== null) continue;
      fileIndex++;
      recordIndex += file.rows;
    }
    for (const record of records ?? []) {
      record.fileIndex = fileIndex;
      record.recordIndex = ++recordIndex;
    }
    files.push({ bytes, rows, records, ignoredColumns: ignored, claimedBy: null });
    this.#files.set(definitionUri, files);
    this.#bytes += bytes;
    this.#stats.filesSinceSync[definitionUri] = files.length;
  }

  /** Gives the definition's unclaimed files to a sync and numbers their rows within it. */
  claim(definitionUri: string, syncUri: string): StagedFile[] {
    const claimed = (this.#files.get(definitionUri) ?? []).filter((file) => file.claimedBy === null);
    for (const file of claimed) file.claimedBy = syncUri;
    this.#renumber(claimed);
    return claimed;
  }

  /** Hands a failed sync's files back: they wait for the next sync. */
  release(definitionUri: string, claimed: readonly StagedFile[]): void {
    for (const file of claimed) file.claimedBy = null;
    this.#renumber((this.#files.get(definitionUri) ?? []).filter((file) => file.claimedBy === null));
  }

  /** Moves a completed sync's files out of staging. */
  complete(definitionUri: string, claimed: readonly StagedFile[]): void {
    const done = new Set(claimed);
    const remaining = (this.#files.get(definitionUri) ?? []).filter((file) => !done.has(file));
    for (const file of claimed) this.#bytes -= file.bytes;
    this.#setFiles(definitionUri, remaining);
  }

  /** Drops the definition's unclaimed files (DELETE data), or every file when the definition goes. */
  drop(definitionUri: string, definitionDeleted = false): void {
    const files = this.#files.get(definitionUri) ?? [];
    const kept = definitionDeleted ? [] : files.filter((file) => file.claimedBy !== null);
    for (const file of files) {
      if (kept.includes(file)) continue;
      this.#bytes -= file.bytes;
      for (const record of file.records ?? []) record.state = "deleted";
    }
    if (definitionDeleted) {
      this.#files.delete(definitionUri);
      delete this.#stats.filesSinceSync[definitionUri];
    } else this.#setFiles(definitionUri, kept);
  }

  clear(): void {
    this.#files.clear();
    this.#records = [];
    this.#bytes = 0;
  }

  /**
   * A plain copy of the staging area, for `saveState`, with the identities other parts of the state
   * refer to: each staged file's position in `files`, each record's row's position in `records`.
   */
  save(): { state: StagingState; fileIds: Map<StagedFile, number>; rowIds: Map<object, number> } {
    const rowIds = new Map<object, number>();
    const recordIds = new Map<MutableRecord, number>();
    const records = this.#records.map((record, i) => {
      rowIds.set(record.row, i);
      recordIds.set(record, i);
      return { ...record };
    });
    const fileIds = new Map<StagedFile, number>();
    const files: StagedFileState[] = [];
    for (const [definitionUri, list] of this.#files) {
      for (const file of list) {
        fileIds.set(file, files.length);
        const first = file.records?.[0];
        files.push({
          definitionUri,
          bytes: file.bytes,
          rows: file.rows,
          firstRecord:
            file.records === null ? null : first === undefined ? records.length : recordIds.get(first)!,
          recordCount: file.records?.length ?? 0,
          ignoredColumns: file.ignoredColumns,
          claimedBy: file.claimedBy,
        });
      }
    }
    return { state: { records, files, definitions: [...this.#files.keys()] }, fileIds, rowIds };
  }

  /** Replaces the staging area with a saved one; returns the files and rows by their saved positions. */
  load(state: StagingState): { files: StagedFile[]; rows: Readonly<Record<string, string>>[] } {
    this.clear();
    this.#records = state.records.map((record) => ({ ...record, row: { ...record.row } }));
    for (const uri of state.definitions) this.#files.set(uri, []);
    const files = state.files.map((saved) => {
      const start = saved.firstRecord;
      const file: StagedFile = {
        bytes: saved.bytes,
        rows: saved.rows,
        records: start === null ? null : this.#records.slice(start, start + saved.recordCount),
        ignoredColumns: saved.ignoredColumns,
        claimedBy: saved.claimedBy,
      };
      const list = this.#files.get(saved.definitionUri) ?? [];
      list.push(file);
      this.#files.set(saved.definitionUri, list);
      this.#bytes += file.bytes;
      return file;
    });
    return { files, rows: this.#records.map((record) => record.row) };
  }

  #setFiles(definitionUri: string, files: StagedFile[]): void {
    this.#files.set(definitionUri, files);
    this.#stats.filesSinceSync[definitionUri] = files.length;
  }

  #renumber(files: readonly StagedFile[]): void {
    let recordIndex = 0;
    files.forEach((file, i) => {
      for (const record of file.records ?? []) {
        record.fileIndex = i + 1;
        record.recordIndex = ++recordIndex;
      }
    });
  }
}
