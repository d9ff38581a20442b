// Reads vitest JSON reports for test/runtimes/matrix.sh.
//   node summarize.mjs RUNTIME REPORT EXIT_CODE SECONDS
//     prints one line for the runtime and writes REPORT.counts; exits 1 if the run failed or ran nothing
//   node summarize.mjs --total COUNTS…
//     prints "N passed, N failed, N skipped" summed over the runs
import { existsSync, readFileSync, writeFileSync } from "node:fs";

const args = process.argv.slice(2);
if (args[0] === "--total") {
  const sum = { passed: 0, failed: 0, skipped: 0 };
  for (const path of args.slice(1)) {
    const c = JSON.parse(readFileSync(path, "utf8"));
    sum.passed += c.passed;
    sum.failed += c.failed;
    sum.skipped += c.skipped;
  }
  console.log(`${sum.passed} passed, ${sum.failed} failed, ${sum.skipped} skipped`);
} else {
  const [runtime, path, code, seconds] = args;
  const name = runtime.padEnd(7);
  let c = { passed: 0, failed: 1, skipped: 0, total: 0 };
  let line = `${name} no report: vitest exited ${code} after ${seconds} s`;
  if (existsSync(path)) {
    const r = JSON.parse(readFileSync(path, "utf8"));
    // A test file that fails to load has no failed test, only a failed suite: count it as one.
    const broken = r.testResults.filter((f) => f.status === "failed" && f.assertionResults.length === 0);
    c = {
      passed: r.numPassedTests,
      failed: r.numFailedTests + broken.length,
      skipped: r.numPendingTests + r.numTodoTests,
      total: r.numTotalTests,
    };
    // vitest exited non-zero without a failed test (a crash, an unhandled error): one failure.
    if (Number(code) !== 0 && c.failed === 0) c.failed = 1;
    // A run that ran no test proves nothing.
    if (c.total === 0 && c.failed === 0) c.failed = 1;
    line =
      `${name} ${c.passed} passed, ${c.failed} failed, ${c.skipped} skipped (${c.total} tests, ` +
      `${r.testResults.length} files) in ${seconds} s`;
    // Name what failed here, so the matrix's closing lines say it even when the log above is cut.
    for (const f of r.testResults) {
      const file = f.name.replace(`${process.cwd()}/`, "");
      if (f.status === "failed" && f.assertionResults.length === 0)
        line += `\n  failed to load: ${file}: ${firstLine(f.message)}`;
      for (const a of f.assertionResults) {
        if (a.status === "failed")
          line += `\n  failed: ${file} > ${a.fullName}: ${firstLine(a.failureMessages?.[0])}`;
      }
    }
  }
  writeFileSync(`${path}.counts`, JSON.stringify(c));
  console.log(line);
  process.exit(c.failed === 0 && c.total > 0 ? 0 : 1);
}

function firstLine(text) {
  return String(text ?? "")
    .split("\n", 1)[0]
    .slice(0, 300);
}
