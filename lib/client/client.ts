import { ELOQUA_MAX_BODY_BYTES } from "../eloqua_limits.ts";
import { InvalidOptionError } from "../errors.ts";
import { checkFunction, checkHttpUrl, checkInteger, checkObject } from "./_options.ts";
import type { Authenticator, AuthKind, EloquaAuth } from "./auth.ts";
import { ProviderAuthenticator, staticAuthenticator } from "./auth.ts";
import type { EloquaBulkClientOptions } from "./client_options.ts";
import type { LinkageDefinitionOptions } from "./definitions.ts";
import { linkageDefinition } from "./definitions.ts";
import { bulkRootFor, DEFAULT_LOGIN_URL, discoverBaseUrl } from "./discovery.ts";
import type { HttpResult, HttpSettings } from "./http.ts";
import { send } from "./http.ts";
import type { CallOptions, ImportKind, PostDataOptions } from "./imports.ts";
import * as imports from "./imports.ts";
import { OAuthTokenProvider } from "./oauth.ts";
import type { OAuthTokens } from "./oauth_options.ts";
import type { PageOptions } from "./paging.ts";
import { Redactor } from "./redact.ts";
import type { BulkCall } from "./requester.ts";
import type { RetryPolicy } from "./retry.ts";
import { createOnlyPolicy, resolveRetryPolicy } from "./retry.ts";
import type { CreateSyncInput, WaitForSyncOptions } from "./syncs.ts";
import * as syncs from "./syncs.ts";
import { systemTimers } from "./timers.ts";
import type {
  EloquaField,
  ImportDefinition,
  ImportDefinitionInput,
  Sync,
  SyncLog,
  SyncReject,
} from "./types.ts";

const WHERE = "EloquaBulkClient";
const MAX_TIMEOUT = 2_147_483_647;

function raceSignal<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (signal === undefined) return promise;
  signal.throwIfAborted();
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener("abort", onAbort));
  });
}

/**
 * A client of Eloqua's Bulk API 2.0 imports: definitions, staged data,
 * syncs, logs and rejects. Web-standard APIs only. Credentials stay in
 * private fields: `JSON.stringify(client)` and `util.inspect(client)` show
 * only the base URL and the auth kind, and no error carries them.
 *
 * @example
 * ```ts
 * import { EloquaBulkClient } from "./client.ts";
 *
 * const client = new EloquaBulkClient({
 *   auth: { type: "basic", site: "COMPANYX", user: "user1", password: "…" },
 * });
 * const definition = await client.createLinkageImport({ autoDeleteDuration: "P1D" });
 * await client.postData(definition.uri, JSON.stringify([{ OpportunityID: "A1", EmailAddress: "a@example.com" }]));
 * const sync = await client.waitForSync((await client.createSync({ syncedInstanceUri: definition.uri })).uri);
 * for await (const reject of client.syncRejects(sync.uri)) console.log(reject.message);
 * ```
 */
export class EloquaBulkClient {
  #auth: Authenticator;
  #oauth: OAuthTokenProvider | undefined;
  #http: HttpSettings;
  #createPolicy: RetryPolicy;
  #loginUrl: string;
  #baseUrl: string | undefined;
  #discovering: Promise<string> | undefined;
  #timeoutMs: number;
  #dataTimeoutMs: number;
  #maxBodyBytes: number;
  #requester = { request: (call: BulkCall): Promise<HttpResult> => this.#request(call) };

  constructor(options: EloquaBulkClientOptions) {
    checkObject(WHERE, "options", options);
    const auth = checkObject(WHERE, "auth", options.auth) as unknown as EloquaAuth;
    this.#loginUrl =
      options.loginUrl === undefined ? DEFAULT_LOGIN_URL : checkHttpUrl(WHERE, "loginUrl", options.loginUrl);
    this.#baseUrl =
      options.baseUrl === undefined ? undefined : checkHttpUrl(WHERE, "baseUrl", options.baseUrl);
    this.#timeoutMs = checkInteger(WHERE, "timeoutMs", options.timeoutMs ?? 60_000, 1, MAX_TIMEOUT);
    this.#dataTimeoutMs = checkInteger(
      WHERE,
      "dataTimeoutMs",
      options.dataTimeoutMs ?? 300_000,
      1,
      MAX_TIMEOUT,
    );
    this.#maxBodyBytes = checkInteger(
      WHERE,
      "maxBodyBytes",
      options.maxBodyBytes ?? ELOQUA_MAX_BODY_BYTES,
      1,
      ELOQUA_MAX_BODY_BYTES,
    );
    const retry = resolveRetryPolicy(WHERE, options.retry);
    this.#createPolicy = createOnlyPolicy(retry);
    const timers = options.timers ?? systemTimers;
    if (
      typeof timers !== "object" ||
      typeof timers.sleep !== "function" ||
      typeof timers.now !== "function"
    ) {
      throw new InvalidOptionError(WHERE, "timers", "an object with sleep() and now()", timers);
    }
    const fetch = options.fetch === undefined ? undefined : checkFunction(WHERE, "fetch", options.fetch);
    const random =
      options.random === undefined ? Math.random : checkFunction(WHERE, "random", options.random);
    const onRetry =
      options.onRetry === undefined ? undefined : checkFunction(WHERE, "onRetry", options.onRetry);
    this.#http = {
      fetch: fetch ?? ((input, init) => globalThis.fetch(input, init)),
      timers,
      random,
      retry,
      onRetry,
      redact: (text) => this.#auth.redact(text),
    };
    if (auth.type === "oauth") {
      const { type: _type, ...settings } = auth;
      const provider = new OAuthTokenProvider({
        ...settings,
        tokenUrl: settings.tokenUrl ?? `${this.#loginUrl}/auth/oauth2/token`,
        ...(fetch === undefined ? {} : { fetch }),
        timers,
        random,
        retry,
        timeoutMs: this.#timeoutMs,
      });
      this.#oauth = provider;
      this.#auth = new ProviderAuthenticator(
        "oauth",
        provider,
        new Redactor(),
        "Eloqua did not accept the access token, even after refreshing it: check the app is still authorized for this user and instance",
        (text) => provider.redact(text),
      );
    } else {
      this.#auth = staticAuthenticator(WHERE, auth);
    }
  }

  /** How the client authenticates. */
  get authKind(): AuthKind {
    return this.#auth.kind;
  }

  /** The instance's base URL, once given or discovered. */
  get baseUrl(): string | undefined {
    return this.#baseUrl;
  }

  /** The current OAuth tokens (for `auth.type: "oauth"`; secrets: handle with care). */
  get tokens(): OAuthTokens | undefined {
    return this.#oauth?.tokens;
  }

  /** The base URL, discovering it first if needed (one discovery at a time; failures are not cached). */
  resolveBaseUrl(options: CallOptions = {}): Promise<string> {
    if (this.#baseUrl !== undefined) return Promise.resolve(this.#baseUrl);
    this.#discovering ??= discoverBaseUrl(this.#http, this.#auth, this.#loginUrl, this.#timeoutMs, undefined)
      .then((base) => {
        this.#baseUrl = base;
        return base;
      })
      .finally(() => {
        this.#discovering = undefined;
      });
    return raceSignal(this.#discovering, options.signal);
  }

  /** Creates an import definition of `kind` (`isSyncTriggeredOnImport` is sent as false unless set). */
  createImport(
    kind: ImportKind,
    definition: ImportDefinitionInput,
    options?: CallOptions,
  ): Promise<ImportDefinition> {
    return imports.createImport(this.#requester, kind, definition, options);
  }

  /** Creates an opportunity contact linkage definition built by `linkageDefinition(definition)`. */
  createLinkageImport(
    definition?: LinkageDefinitionOptions,
    options?: CallOptions,
  ): Promise<ImportDefinition> {
    const body = linkageDefinition(definition);
    return imports.createImport(
      this.#requester,
      imports.IMPORT_KINDS.opportunityContactLinkage,
      body,
      options,
    );
  }

  /** Gets a definition by URI: reuse an existing one, or check it still exists. */
  getImport(uri: string, options?: CallOptions): Promise<ImportDefinition> {
    return imports.getImport(this.#requester, uri, options);
  }

  /** Every definition of `kind`, page after page. */
  listImports(kind: ImportKind, options?: PageOptions): AsyncGenerator<ImportDefinition, void, undefined> {
    return imports.listImports(this.#requester, kind, options);
  }

  /** The fields records of `kind` have (what an import of that kind can map), page after page. */
  listFields(kind: ImportKind, options?: PageOptions): AsyncGenerator<EloquaField, void, undefined> {
    return imports.listFields(this.#requester, kind, options);
  }

  deleteImport(uri: string, options?: CallOptions): Promise<void> {
    return imports.deleteImport(this.#requester, uri, options);
  }

  /**
   * Stages a body on the definition: `undefined` on 204, or the sync Eloqua
   * started (201) when the definition triggers syncs on import.
   */
  postData(
    definitionUri: string,
    body: Uint8Array | string | ReadableStream<Uint8Array>,
    options?: PostDataOptions,
  ): Promise<Sync | undefined> {
    return imports.postData(this.#requester, definitionUri, body, this.#maxBodyBytes, options);
  }

  /** Deletes the definition's staged data. */
  deleteData(definitionUri: string, options?: CallOptions): Promise<void> {
    return imports.deleteData(this.#requester, definitionUri, options);
  }

  /** Starts a sync of the definition (retried only after a 429). */
  createSync(input: CreateSyncInput, options?: CallOptions): Promise<Sync> {
    return syncs.createSync(this.#requester, input, options);
  }

  getSync(uri: string, options?: CallOptions): Promise<Sync> {
    return syncs.getSync(this.#requester, uri, options);
  }

  /** Polls until the sync's status is final; resolves with it (check `status`). */
  waitForSync(uri: string, options?: WaitForSyncOptions): Promise<Sync> {
    return syncs.waitForSync(this.#requester, this.#http.timers, uri, options);
  }

  syncLogs(uri: string, options?: PageOptions): AsyncGenerator<SyncLog, void, undefined> {
    return syncs.syncLogs(this.#requester, uri, options);
  }

  syncRejects(uri: string, options?: PageOptions): AsyncGenerator<SyncReject, void, undefined> {
    return syncs.syncRejects(this.#requester, uri, options);
  }

  toJSON(): { baseUrl: string | undefined; auth: AuthKind } {
    return { baseUrl: this.#baseUrl, auth: this.#auth.kind };
  }

  [Symbol.for("nodejs.util.inspect.custom")](): string {
    return `EloquaBulkClient { baseUrl: ${JSON.stringify(this.#baseUrl)}, auth: ${JSON.stringify(this.#auth.kind)} }`;
  }

  async #request(call: BulkCall): Promise<HttpResult> {
    const base = await this.resolveBaseUrl(call.signal === undefined ? {} : { signal: call.signal });
    const query = call.query === undefined ? "" : `?${new URLSearchParams(stringify(call.query)).toString()}`;
    const json = call.json !== undefined;
    const operation = call.operation ?? "control";
    return send(this.#http, {
      method: call.method,
      url: `${bulkRootFor(base)}${call.path}${query}`,
      operation,
      timeoutMs: call.timeoutMs ?? (operation === "data" ? this.#dataTimeoutMs : this.#timeoutMs),
      body: json ? JSON.stringify(call.json) : call.body,
      contentType: json ? "application/json" : call.contentType,
      signal: call.signal,
      retry: call.retry === "create" ? this.#createPolicy : undefined,
      auth: this.#auth,
      onRetry: call.onRetry,
    });
  }
}

function stringify(query: Readonly<Record<string, string | number>>): Record<string, string> {
  return Object.fromEntries(Object.entries(query).map(([key, value]) => [key, String(value)]));
}
