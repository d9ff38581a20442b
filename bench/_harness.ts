/**
 * What both benchmark harnesses (core.bench.ts, e2e.bench.ts) share.
 *
 * Cases run as compiled JavaScript, as the published package runs:
 * under tsx every process also carries its loader (~45 MB of RSS and a
 * loader thread), which is not the library's cost. `compileBench()` builds
 * `lib/` and `bench/` into `bench/.build/` once per harness run;
 * `caseCommand()` gives the arguments that run one of its scripts; `unusedPath()` keeps results files
 * from overwriting each other; `packageVersion()`, `gitHead()` and `libFingerprint()` record what ran.
 */
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = dirname(dirname(fileURLToPath(import.meta.url)));
const OUT = join(ROOT, "bench", ".build");

/** Compile `lib/` and `bench/` with `tsconfig.bench.json` (tsc, ~10 s); unless `tsx`, where nothing is built. */
export function compileBench(tsx: boolean): void {
  if (tsx) return;
  execFileSync(
    process.execPath,
    [join(ROOT, "node_modules", "typescript", "bin", "tsc"), "-p", "tsconfig.bench.json"],
    {
      cwd: ROOT,
      stdio: "inherit",
    },
  );
}

/** `node` arguments that run the bench script `script` (a `.ts` path): its compiled `.js`, or the source under tsx. */
export function caseCommand(script: string, tsx: boolean): string[] {
  if (tsx) return ["--import", "tsx", script];
  return [join(OUT, relative(ROOT, script)).replace(/\.ts$/, ".js")];
}

/** `path`, or `path` with `-2`, `-3`, … before its extension when it exists: a run never overwrites another's results. */
export function unusedPath(path: string): string {
  if (!existsSync(path)) return path;
  for (let n = 2; ; n++) {
    const candidate = path.replace(/(\.[^./]+)?$/, `-${n}$1`);
    if (!existsSync(candidate)) return candidate;
  }
}

/** The installed version of package `name`, or "not installed". */
export function packageVersion(name: string): string {
  try {
    return String(JSON.parse(readFileSync(join(ROOT, "node_modules", name, "package.json"), "utf8")).version);
  } catch {
    return "not installed";
  }
}

/** The short hash of the checked-out commit, or "unknown". */
export function gitHead(): string {
  try {
    return execFileSync("git", ["rev-parse", "--short", "HEAD"], { cwd: ROOT, encoding: "utf8" }).trim();
  } catch {
    return "unknown";
  }
}

/** A hash of every source under lib/, to tell which code a result measured (others edit the tree). */
export function libFingerprint(): string {
  const hash = createHash("sha256");
  const walk = (dir: string): void => {
    for (const entry of readdirSync(join(ROOT, dir), { withFileTypes: true }).sort((a, b) =>
      a.name < b.name ? -1 : 1,
    )) {
      const path = `${dir}/${entry.name}`;
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith(".ts")) hash.update(`${path}\0`).update(readFileSync(join(ROOT, path)));
    }
  };
  walk("lib");
  return hash.digest("hex").slice(0, 12);
}
