import { formatTimestamp } from "./clock.ts";
import type { ImportKind } from "./definition_validation.ts";
import { importKind, validateDefinition } from "./definition_validation.ts";
import type { Failure } from "./responses.ts";

/** An import definition as the emulator keeps it. */
export interface Definition {
  readonly id: number;
  /** E.g. `/opportunities/contacts/imports/21`. */
  readonly uri: string;
  /** The concrete import path it lives under, e.g. `/customObjects/5/imports`. */
  readonly importPath: string;
  readonly kind: ImportKind;
  /** Writable properties as last sent (validated). */
  properties: Record<string, unknown>;
  /** Keys of `properties.fields`, the columns a data POST may carry. */
  fieldKeys: ReadonlySet<string>;
  readonly createdAt: number;
  readonly createdBy: string;
  updatedAt: number;
  updatedBy: string;
}

/** The import definitions of every import path, by URI (case-insensitive, as paths are). */
export class DefinitionStore {
  readonly #byUri = new Map<string, Definition>();
  #nextId = 1;

  /**
   * Creates a definition from a request body, or returns the validation failures.
   * `isSyncTriggeredOnImport` defaults to false (Oracle's pages disagree; real responses show false) and
   * `dataRetentionDuration` to `P7D`.
   */
  create(
    importPath: string,
    template: string,
    body: unknown,
    user: string,
    now: number,
  ): Definition | Failure[] {
    const kind = importKind(template);
    const checked = validateDefinition(kind, body);
    if (Array.isArray(checked)) return checked;
    const id = this.#nextId++;
    const definition: Definition = {
      id,
      uri: `${importPath}/${id}`,
      importPath,
      kind,
      properties: withDefaults(checked.properties),
      fieldKeys: new Set(),
      createdAt: now,
      createdBy: user,
      updatedAt: now,
      updatedBy: user,
    };
    definition.fieldKeys = fieldKeysOf(definition.properties);
    this.#byUri.set(definition.uri.toLowerCase(), definition);
    return definition;
  }

  /** Replaces the writable properties (PUT), or returns the validation failures. */
  update(definition: Definition, body: unknown, user: string, now: number): Failure[] | null {
    const checked = validateDefinition(definition.kind, body);
    if (Array.isArray(checked)) return checked;
    definition.properties = {
      isSyncTriggeredOnImport: false,
      dataRetentionDuration: "P7D",
      ...checked.properties,
    };
    definition.fieldKeys = fieldKeysOf(definition.properties);
    definition.updatedAt = now;
    definition.updatedBy = user;
    return null;
  }

  get(uri: string): Definition | undefined {
    return this.#byUri.get(uri.replace(/\/+$/, "").toLowerCase());
  }

  /** The definitions under one concrete import path, oldest first. */
  list(importPath: string): Definition[] {
    const path = importPath.toLowerCase();
    return [...this.#byUri.values()].filter((definition) => definition.importPath.toLowerCase() === path);
  }

  delete(uri: string): void {
    this.#byUri.delete(uri.toLowerCase());
  }

  clear(): void {
    this.#byUri.clear();
    this.#nextId = 1;
  }

  /** A plain copy, for `saveState`. */
  save(): DefinitionsState {
    const items = [...this.#byUri.values()].map(({ fieldKeys, ...rest }) => structuredClone(rest));
    return { nextId: this.#nextId, items };
  }

  /** Replaces every definition with saved ones. */
  load(state: DefinitionsState): void {
    this.clear();
    for (const item of state.items) {
      const definition: Definition = { ...structuredClone(item), fieldKeys: new Set() };
      definition.fieldKeys = fieldKeysOf(definition.properties);
      this.#byUri.set(definition.uri.toLowerCase(), definition);
    }
    this.#nextId = state.nextId;
  }
}

/** The definitions as `saveState` keeps them. */
export interface DefinitionsState {
  readonly nextId: number;
  readonly items: readonly Omit<Definition, "fieldKeys">[];
}

function withDefaults(properties: Record<string, unknown>): Record<string, unknown> {
  return {
    ...properties,
    isSyncTriggeredOnImport: properties.isSyncTriggeredOnImport ?? false,
    dataRetentionDuration: properties.dataRetentionDuration ?? "P7D",
  };
}

function fieldKeysOf(properties: Record<string, unknown>): ReadonlySet<string> {
  return new Set(Object.keys(properties.fields as Record<string, string>));
}

/** The definition as Eloqua shows it: writable properties, then the read-only ones. */
export function definitionJson(definition: Definition, stagedBytes: number): Record<string, unknown> {
  return {
    ...definition.properties,
    uri: definition.uri,
    createdBy: definition.createdBy,
    createdAt: formatTimestamp(definition.createdAt),
    updatedBy: definition.updatedBy,
    updatedAt: formatTimestamp(definition.updatedAt),
    kbUsed: Math.ceil(stagedBytes / 1024),
  };
}
