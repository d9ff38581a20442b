// Run: npx tsx bench/checkpoint_overhead.ts bench/data/linkage-200mb.csv (generate it with bench/generate.ts)
// Checkpoint overhead: the same import into a count-mode emulator, with and without checkpoints, interleaved.
import { EloquaBulkClient, importLinkages } from "../lib/mod.ts";
import { writeCheckpoint } from "../lib/node/checkpoint_file.ts";
import { fileSource, startEmulatorServer } from "../lib/node/mod.ts";

const path = process.argv[2]!;
const results: Record<string, number[]> = { off: [], on: [] };
let writes = 0;
for (let rep = 0; rep < 3; rep++) {
  for (const mode of ["off", "on"] as const) {
    const server = await startEmulatorServer({
      mode: "count",
      syncTiming: { pendingMs: 0, activeMs: 0 },
      maxStagedBytes: 1e12,
    });
    const { site, user, password } = server.emulator.credentials;
    const client = new EloquaBulkClient({
      baseUrl: server.url,
      auth: { type: "basic", site, user, password },
    });
    const file = await fileSource(path);
    const c0 = process.cpuUsage();
    const report = await importLinkages(file.stream, {
      client,
      expectedKeys: Math.floor((file.size ?? 0) / 40),
      ...(mode === "on"
        ? {
            onCheckpoint: (s) => {
              writes++;
              writeCheckpoint("/tmp/cp.json", s);
            },
          }
        : {}),
    });
    const c = process.cpuUsage(c0);
    results[mode]!.push((c.user + c.system) / 1e6);
    if (!report.ok) throw new Error("import failed");
    await server.close();
  }
}
const med = (a: number[]) => [...a].sort((x, y) => x - y)[1]!;
console.log(
  `CPU s (both processes' work in one process) median of 3: off ${med(results.off!).toFixed(2)}, on ${med(results.on!).toFixed(2)}; checkpoint writes in 3 'on' runs: ${writes}`,
);
