// The import page: plain DOM, no framework. The file never goes to the server whole from memory: the
// preview sends its first 64 KiB, the import sends the File itself (the browser streams it from disk).
const token = new URLSearchParams(location.search).get("token") ?? "";
const SAMPLE_BYTES = 65_536;

/** `path` on this server, with the token every request needs. */
function api(path) {
  return `${path}${path.includes("?") ? "&" : "?"}token=${encodeURIComponent(token)}`;
}

const $ = (id) => document.getElementById(id);

/** An element with text and children. */
function el(tag, text, ...children) {
  const node = document.createElement(tag);
  if (text !== undefined && text !== null) node.textContent = String(text);
  for (const child of children) node.append(child);
  return node;
}

const number = (n) => Number(n).toLocaleString("en-US");
const plural = (n, word) => `${number(n)} ${word}${n === 1 ? "" : "s"}`;

const page = {
  /** The File chosen: kept to upload it again on resume. */
  file: null,
  /** Column → field the user chose in the mapping table. */
  map: {},
  job: null,
  events: null,
  /** The newest preview asked for: an older answer arriving late is dropped. */
  previews: 0,
};

function choice() {
  const [kind, linkTo] = $("kind").value.split(":");
  const out = { kind, linkTo: linkTo ?? "contacts", map: page.map };
  if (kind === "custom-object") out.object = Number($("object").value);
  return out;
}

async function showTarget() {
  const target = $("target");
  try {
    const response = await fetch(api("/api/target"));
    const about = await response.json();
    target.classList.toggle("emulator", about.emulator);
    target.textContent = about.emulator
      ? "Target: the built-in Eloqua emulator. Nothing is sent to Eloqua: this is a rehearsal."
      : `Target: ${about.label}.`;
  } catch {
    target.textContent = "The server does not answer: is eloqua-bulk ui still running?";
  }
}

function showProblem(problem) {
  const box = $("problem");
  box.hidden = problem === undefined || problem === null;
  box.textContent = box.hidden ? "" : `${problem.message} [${problem.code}]`;
}

async function preview() {
  if (page.file === null) return;
  $("plan").hidden = false;
  $("start").disabled = true;
  const asked = ++page.previews;
  const sample = page.file.slice(0, SAMPLE_BYTES);
  const query = `/api/preview?choice=${encodeURIComponent(JSON.stringify(choice()))}`;
  let result;
  try {
    const headers = { "x-file-name": encodeURIComponent(page.file.name) };
    const response = await fetch(api(query), { method: "POST", body: sample, headers });
    result = await response.json();
  } catch {
    result = {
      problem: { code: "NO_SERVER", message: "The server does not answer." },
      mapping: [],
      rows: [],
      header: [],
    };
  }
  if (asked !== page.previews) return;
  const delimiter = result.delimiter === "\t" ? "tab" : `"${result.delimiter}"`;
  $("detected").textContent =
    result.header?.length > 0
      ? `${page.file.name}: ${number(page.file.size)} bytes, ${result.gzip ? "gzip-compressed " : ""}${result.encoding}, columns separated by ${delimiter}.`
      : "";
  showProblem(result.problem);
  // Records keep the last valid row of an identifier (the server reads the file twice); linkages the first.
  $("keep-last").hidden = choice().kind === "linkages" || !(result.header?.length > 0);
  showMapping(result);
  showPreview(result);
  $("start").disabled = result.problem !== undefined && result.problem !== null;
}

function showMapping(result) {
  const body = $("mapping").tBodies[0];
  body.replaceChildren();
  for (const use of result.mapping ?? []) {
    const select = el("select");
    select.dataset.column = use.column;
    select.append(el("option", "(not imported)"));
    select.options[0].value = "";
    for (const field of result.choices) {
      const option = el("option", `${field.label}${field.required ? " (required)" : ""}`);
      option.value = field.value;
      select.append(option);
    }
    select.value = use.field ?? "";
    select.addEventListener("change", () => {
      page.map = { ...page.map, [use.column]: select.value };
      preview();
    });
    const how =
      use.how === "map" ? "chosen" : use.how === "no field" ? "no field of that name" : `by ${use.how}`;
    body.append(el("tr", null, el("td", use.column), el("td", null, select), el("td", how)));
  }
}

function showPreview(result) {
  const table = $("preview");
  table.tHead.replaceChildren(
    el("tr", null, el("th", "Line"), ...result.header.map((h) => el("th", h)), el("th", "Result")),
  );
  const body = table.tBodies[0];
  body.replaceChildren();
  for (const row of result.rows ?? []) {
    const ok = row.rejects.length === 0;
    const verdict = ok ? "ok" : row.rejects.map((r) => `${r.code}: ${r.message}`).join("; ");
    const tr = el(
      "tr",
      null,
      el("td", row.line),
      ...result.header.map((_, i) => el("td", row.cells[i] ?? "")),
    );
    const cell = el("td", verdict);
    cell.className = ok ? "ok" : "bad";
    tr.append(cell);
    if (!ok) tr.className = "bad";
    body.append(tr);
  }
}

async function start() {
  $("start").disabled = true;
  const response = await fetch(api("/api/jobs"), { method: "POST", body: JSON.stringify(choice()) });
  const created = await response.json();
  if (!response.ok) return showProblem(created.problem);
  page.job = created.id;
  $("run").hidden = false;
  $("done").hidden = true;
  listen(created.id);
  await upload();
}

/** Sends the file as the request body: the server reads it as fast as the import goes. */
async function upload() {
  $("resume").disabled = true;
  $("resume-hint").hidden = true;
  try {
    await fetch(api(`/api/jobs/${page.job}/upload`), {
      method: "POST",
      body: page.file,
      headers: { "x-file-name": encodeURIComponent(page.file.name) },
    });
  } catch {
    // A stopped import stops reading the upload: the events say how it ended.
  }
}

function listen(id) {
  page.events?.close();
  page.events = new EventSource(api(`/api/jobs/${id}/events`));
  page.events.addEventListener("job", (event) => showJob(JSON.parse(event.data)));
}

const STATES = {
  ready: "Waiting for the file…",
  running: "Importing…",
  stopping: "Stopping: waiting for the requests in flight…",
  stopped: "Stopped. Resume continues after the last line Eloqua confirmed.",
  done: "Done.",
  failed: "The import did not complete.",
};

function showJob(job) {
  $("state").textContent = STATES[job.state] ?? job.state;
  $("state").dataset.state = job.state;
  const rows = job.rows;
  $("n-read").textContent = number(rows.read);
  $("n-staged").textContent = number(rows.staged);
  $("n-invalid").textContent = number(rows.invalid);
  $("n-duplicate").textContent = number(rows.duplicate);
  $("n-eloqua").textContent = number(rows.rejectedByEloqua);
  $("n-notsent").textContent = number(rows.notSent);
  const seconds = job.elapsedMs / 1000;
  $("n-speed").textContent = seconds > 0 ? (job.bytesRead / 1e6 / seconds).toFixed(2) : "0";
  $("n-sync").textContent = job.sync === null ? "–" : `${job.sync.uri} ${job.sync.status}`;
  // A record import reads the file twice (first for each identifier's last row): the bar spans both reads.
  const total = job.size * (job.reads ?? 1);
  $("progress").value = total > 0 ? Math.min(1, job.bytesRead / total) : 0;
  $("stop").disabled = job.state !== "running";
  const resumable = job.state === "stopped" || (job.state === "failed" && job.checkpointLine !== null);
  $("resume").disabled = !resumable || page.file === null;
  $("resume-hint").hidden = !resumable || page.file !== null;
  showReasons(job.reasons);
  if (job.problem !== null && job.state !== "running") showProblem(job.problem);
  if (job.report !== null) showReport(job);
}

function showReasons(reasons) {
  const entries = Object.entries(reasons).sort((a, b) => b[1] - a[1]);
  const most = Math.max(1, ...entries.map(([, n]) => n));
  const body = $("reasons").tBodies[0];
  body.replaceChildren(
    ...entries.map(([code, n]) => {
      const bar = el("meter");
      bar.max = most;
      bar.value = n;
      return el("tr", null, el("td", code), el("td", null, bar), el("td", number(n)));
    }),
  );
  if (entries.length === 0) body.append(el("tr", null, el("td", "No rejects so far.")));
}

function showReport(job) {
  const report = job.report;
  $("done").hidden = false;
  const r = report.rows;
  const twice = report.resumed ? `, ${number(report.resumed.mayBeStagedTwice)} may be staged twice` : "";
  $("summary").textContent =
    `${number(r.read)} rows read: ${number(r.staged)} staged, ${number(r.invalid)} rejected, ` +
    `${number(r.duplicate)} duplicates, ${number(r.rejectedByEloqua)} rejected by Eloqua, ` +
    `${number(r.notSent)} not sent${twice}; ${plural(report.syncs.length, "sync")} in ${(report.durationMs / 1000).toFixed(1)} s.`;
  $("download-report").href = api(`/api/jobs/${job.id}/report.json`);
  $("download-rejects").href = api(`/api/jobs/${job.id}/rejects.csv`);
  $("rejects").tBodies[0].replaceChildren(
    ...job.firstRejects.map((r) => el("tr", null, el("td", r.line), el("td", r.code), el("td", r.message))),
  );
}

function choose(file) {
  if (file === undefined || file === null) return;
  page.file = file;
  page.map = {};
  $("file-name").textContent = `${file.name} (${number(file.size)} bytes)`;
  // A job that stopped can resume with the same file picked again; a new file starts over.
  if (page.job !== null) $("resume").disabled = $("state").dataset.state !== "stopped";
  preview();
}

function wire() {
  $("file").addEventListener("change", () => choose($("file").files[0]));
  $("kind").addEventListener("change", () => {
    $("object-label").hidden = $("kind").value !== "custom-object";
    page.map = {};
    preview();
  });
  $("object").addEventListener("change", () => preview());
  const drop = $("drop");
  drop.addEventListener("dragover", (event) => {
    event.preventDefault();
    drop.classList.add("over");
  });
  drop.addEventListener("dragleave", () => drop.classList.remove("over"));
  drop.addEventListener("drop", (event) => {
    event.preventDefault();
    drop.classList.remove("over");
    choose(event.dataTransfer.files[0]);
  });
  $("start").addEventListener("click", () => start());
  $("stop").addEventListener("click", () => fetch(api(`/api/jobs/${page.job}/stop`), { method: "POST" }));
  $("resume").addEventListener("click", () => upload());
}

wire();
showTarget();
