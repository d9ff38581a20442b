/** Every route the emulator serves, by the name fault rules, stats and history use. */
export type RouteName =
  | "id"
  | "token"
  | "definition.list"
  | "definition.create"
  | "definition.get"
  | "definition.update"
  | "definition.delete"
  | "data.post"
  | "data.delete"
  | "sync.list"
  | "sync.create"
  | "sync.get"
  | "logs"
  | "rejects"
  | "sync.data"
  | "fields.list"
  | "fields.get";

/** Every {@linkcode RouteName}, for validating fault rules. */
export const ROUTE_NAMES: readonly RouteName[] = [
  "id",
  "token",
  "definition.list",
  "definition.create",
  "definition.get",
  "definition.update",
  "definition.delete",
  "data.post",
  "data.delete",
  "sync.list",
  "sync.create",
  "sync.get",
  "logs",
  "rejects",
  "sync.data",
  "fields.list",
  "fields.get",
];

/** One row of the route table. */
export interface RouteDefinition {
  readonly name: RouteName;
  readonly method: "GET" | "POST" | "PUT" | "DELETE";
  /** `"bulk"`: under `/api/bulk/2.0` (any case); `"root"`: at the emulator's root, as on login.eloqua.com. */
  readonly base: "bulk" | "root";
  /** Path below the base, with `{param}` placeholders, e.g. `/opportunities/contacts/imports/{id}/data`. */
  readonly path: string;
  /** For definition and data routes: the import path they belong to, e.g. `/opportunities/contacts/imports`. */
  readonly importPath?: string;
}

/** The prefix Oracle's documents use for the Bulk API; discovery returns `/API/Bulk/2.0`, so case is ignored. */
export const BULK_PREFIX = "/api/bulk/2.0";

/** The import paths served when `importPaths` is not given. */
export const DEFAULT_IMPORT_PATHS: readonly string[] = [
  "/opportunities/contacts/imports",
  "/opportunities/imports",
  "/contacts/imports",
  "/accounts/imports",
  "/customObjects/{parentId}/imports",
];

/** Where records with fields live: `GET {base}/fields` and `{base}/fields/{id}`. */
export const FIELD_BASES: readonly string[] = [
  "/opportunities",
  "/contacts",
  "/accounts",
  "/customObjects/{parentId}",
];

/** The route table for a set of import paths, as data (the contract test checks it against OpenAPI). */
export function routeTable(
  importPaths: readonly string[] = DEFAULT_IMPORT_PATHS,
): readonly RouteDefinition[] {
  const routes: RouteDefinition[] = [
    { name: "id", method: "GET", base: "root", path: "/id" },
    { name: "token", method: "POST", base: "root", path: "/auth/oauth2/token" },
  ];
  for (const importPath of importPaths) {
    const one = (name: RouteName, method: RouteDefinition["method"], suffix: string): RouteDefinition => ({
      name,
      method,
      base: "bulk",
      path: importPath + suffix,
      importPath,
    });
    routes.push(
      one("definition.list", "GET", ""),
      one("definition.create", "POST", ""),
      one("definition.get", "GET", "/{id}"),
      one("definition.update", "PUT", "/{id}"),
      one("definition.delete", "DELETE", "/{id}"),
      one("data.post", "POST", "/{id}/data"),
      one("data.delete", "DELETE", "/{id}/data"),
    );
  }
  for (const base of FIELD_BASES) {
    routes.push(
      { name: "fields.list", method: "GET", base: "bulk", path: `${base}/fields` },
      { name: "fields.get", method: "GET", base: "bulk", path: `${base}/fields/{id}` },
    );
  }
  routes.push(
    { name: "sync.list", method: "GET", base: "bulk", path: "/syncs" },
    { name: "sync.create", method: "POST", base: "bulk", path: "/syncs" },
    { name: "sync.get", method: "GET", base: "bulk", path: "/syncs/{id}" },
    { name: "logs", method: "GET", base: "bulk", path: "/syncs/{id}/logs" },
    { name: "rejects", method: "GET", base: "bulk", path: "/syncs/{id}/rejects" },
    { name: "sync.data", method: "GET", base: "bulk", path: "/syncs/{id}/data" },
  );
  return routes;
}

/** The outcome of matching a request path against the route table. */
export type RouteMatch =
  | {
      readonly kind: "route";
      readonly route: RouteDefinition;
      readonly params: Readonly<Record<string, string>>;
    }
  | { readonly kind: "method-not-allowed"; readonly allow: readonly string[] }
  | { readonly kind: "not-found" };

interface CompiledRoute {
  readonly route: RouteDefinition;
  /** Lower-cased literal segments, or `null` where a parameter goes. */
  readonly segments: readonly (string | null)[];
  readonly names: readonly string[];
}

/** Matches paths case-insensitively (Eloqua's own servers do), keeping parameter values as sent. */
export class RouteMatcher {
  readonly #routes: readonly CompiledRoute[];

  constructor(routes: readonly RouteDefinition[]) {
    this.#routes = routes.map((route) => {
      const full = (route.base === "bulk" ? BULK_PREFIX : "") + route.path;
      const names: string[] = [];
      const segments = splitPath(full).map((segment) => {
        const param = /^\{(\w+)\}$/.exec(segment);
        if (param === null) return segment.toLowerCase();
        names.push(param[1]!);
        return null;
      });
      return { route, segments, names };
    });
  }

  match(method: string, pathname: string): RouteMatch {
    const parts = splitPath(pathname);
    const lower = parts.map((part) => part.toLowerCase());
    const allow: string[] = [];
    for (const compiled of this.#routes) {
      const values = matchSegments(compiled.segments, parts, lower);
      if (values === null) continue;
      if (compiled.route.method !== method.toUpperCase()) {
        allow.push(compiled.route.method);
        continue;
      }
      const params: Record<string, string> = {};
      compiled.names.forEach((name, i) => {
        params[name] = values[i]!;
      });
      return { kind: "route", route: compiled.route, params };
    }
    return allow.length > 0 ? { kind: "method-not-allowed", allow } : { kind: "not-found" };
  }
}

function splitPath(path: string): string[] {
  return path.split("/").filter((segment) => segment !== "");
}

function matchSegments(
  pattern: readonly (string | null)[],
  parts: readonly string[],
  lower: readonly string[],
): string[] | null {
  if (pattern.length !== parts.length) return null;
  const values: string[] = [];
  for (let i = 0; i < pattern.length; i++) {
    const expected = pattern[i];
    if (expected === null) values.push(safeDecode(parts[i]!));
    else if (expected !== lower[i]) return null;
  }
  return values;
}

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

/** Fills the `{param}` placeholders of a path from matched parameters. */
export function fillPath(path: string, params: Readonly<Record<string, string>>): string {
  return path.replace(/\{(\w+)\}/g, (whole, name: string) => params[name] ?? whole);
}
