/* PENNI dashboard: Jobs, Job, Strategies and Server views over /penni/api (server-sent events for live data). */
"use strict";

const $ = (sel, root) => (root || document).querySelector(sel);
const view = $("#view");
const TOKEN_KEY = "penni.dashboard.token";
const STAGES = ["pretrain", "decompose", "retrain", "prune", "finetune", "shrink", "evaluate"];
const PHASE_FILLS = {pretrain: "#f3f4f6", retrain: "#eff6ff", finetune: "#f0fdf4"};
const EXAMPLE_REQUEST = `{
  "model": {"architecture": "vgg-small"},
  "dataset": {"format": "fashion-mnist", "path": "fashion-mnist", "trainLimit": 512, "testLimit": 256},
  "pretrain": {"epochs": 1, "batchSize": 64, "learningRate": 0.05},
  "penni": {"switchEvery": 1, "retrain": {"epochs": 1, "batchSize": 64}, "finetune": {"epochs": 1, "batchSize": 64}},
  "evaluation": {"batchSizes": [1], "warmupRuns": 1, "timedRuns": 3}
}`;

/* ---------- formatting ---------- */
const esc = v => String(v === undefined || v === null ? "" : v).replace(/[&<>"']/g,
  c => ({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;"})[c]);
const isNum = v => typeof v === "number" && Number.isFinite(v);
const pct = (v, d = 2) => isNum(v) ? (100 * v).toFixed(d) + " %" : "–";
const pct100 = (v, d = 1) => isNum(v) ? v.toFixed(d) + " %" : "–";
const count = v => isNum(v) ? Math.round(v).toLocaleString("en-US") : "–";
const fixed = (v, d = 3) => isNum(v) ? v.toFixed(d) : "–";
function reduction(before, after) {
  if (!isNum(before) || !isNum(after) || before <= 0) return "–";
  const r = 100 * (1 - after / before);
  return `<span class="${r >= 0 ? "good" : "bad"}">${r >= 0 ? "−" : "+"}${Math.abs(r).toFixed(1)} %</span>`;
}
function duration(s) {
  if (!isNum(s)) return "–";
  if (s < 60) return s.toFixed(s < 10 ? 1 : 0) + " s";
  const h = Math.floor(s / 3600), m = Math.floor(s % 3600 / 60), sec = Math.round(s % 60);
  return h ? `${h} h ${m} min` : `${m} min ${sec} s`;
}
function bytes(n) {
  if (!isNum(n)) return "–";
  const u = ["B", "KiB", "MiB", "GiB", "TiB"];
  let i = 0;
  while (n >= 1024 && i < u.length - 1) { n /= 1024; i++; }
  return (i ? n.toFixed(n < 10 ? 2 : 1) : n) + " " + u[i];
}
const time = iso => iso ? new Date(iso).toLocaleTimeString([], {hour12: false}) : "–";
const badge = status => `<span class="badge ${esc(status)}">${esc(String(status || "").toLowerCase())}</span>`;
const bar = (fraction, cls = "") => `<div class="bar ${cls}"><i style="width:${Math.max(0, Math.min(100, 100 * (fraction || 0))).toFixed(1)}%"></i></div>`;

/* ---------- API ---------- */
function headers(extra) {
  const h = Object.assign({}, extra || {});
  const token = sessionStorage.getItem(TOKEN_KEY);
  if (token) h.Authorization = "Bearer " + token;
  return h;
}
async function api(path, init) {
  const res = await fetch(path, Object.assign({}, init || {}, {headers: headers((init || {}).headers)}));
  let body = null;
  try { body = await res.json(); } catch (e) { body = null; }
  if (res.status === 401) { askToken(body && body.error); throw Object.assign(new Error("unauthorized"), {status: 401, body}); }
  return {status: res.status, ok: res.ok, body};
}

/** A server-sent event stream read with fetch (so it can carry the bearer token), reopened after a failure. */
function stream(url, on) {
  let closed = false, controller = null;
  const live = $("#live");
  const setLive = (state, text) => { live.className = "live " + state; $("#live-text").textContent = text; };
  async function run() {
    while (!closed) {
      controller = new AbortController();
      try {
        const res = await fetch(url, {headers: headers({Accept: "text/event-stream"}), signal: controller.signal});
        if (res.status === 401) { askToken(); return; }
        if (!res.ok || !res.body) throw new Error("HTTP " + res.status);
        setLive("up", "live");
        const reader = res.body.getReader();
        const decoder = new TextDecoder();
        let buffer = "";
        for (;;) {
          const {value, done} = await reader.read();
          if (done) break;
          buffer += decoder.decode(value, {stream: true});
          let cut;
          while ((cut = buffer.indexOf("\n\n")) >= 0) {
            const frame = buffer.slice(0, cut);
            buffer = buffer.slice(cut + 2);
            let name = "message", data = "";
            for (const line of frame.split("\n")) {
              if (line.startsWith("event: ")) name = line.slice(7);
              else if (line.startsWith("data: ")) data += line.slice(6);
            }
            if (data && on[name]) on[name](JSON.parse(data));
          }
        }
      } catch (e) {
        if (closed) return;
      }
      if (!closed) { setLive("down", "reconnecting"); await new Promise(r => setTimeout(r, 2000)); }
    }
  }
  run();
  return {close() { closed = true; if (controller) controller.abort(); }};
}

function askToken(message) {
  view.innerHTML = `<div class="panel tokenbox"><h2>Access token</h2>
    <p class="muted">${esc(message || "This dashboard is reached from beyond its machine: give the access token configured in runtime-config/penni.dashboard.cfg.")}</p>
    <form id="tokenform"><input type="password" id="token" autocomplete="off" placeholder="token"><div class="row"><button>Use token</button></div></form></div>`;
  $("#tokenform").addEventListener("submit", e => {
    e.preventDefault();
    sessionStorage.setItem(TOKEN_KEY, $("#token").value.trim());
    route();
  });
}

/** Where a token is needed, files are fetched with it and shown from memory. */
function authedSources(root) {
  if (!sessionStorage.getItem(TOKEN_KEY)) return;
  root.querySelectorAll("img[data-src]").forEach(async img => {
    const res = await fetch(img.dataset.src, {headers: headers()});
    if (res.ok) img.src = URL.createObjectURL(await res.blob());
  });
  root.querySelectorAll("a[data-download]").forEach(a => a.addEventListener("click", async e => {
    e.preventDefault();
    const res = await fetch(a.href, {headers: headers()});
    if (!res.ok) return;
    const link = document.createElement("a");
    link.href = URL.createObjectURL(await res.blob());
    link.download = a.dataset.download;
    link.click();
  }));
}
const imgSrc = href => sessionStorage.getItem(TOKEN_KEY) ? `data-src="${esc(href)}"` : `src="${esc(href)}"`;

/* ---------- routing ---------- */
let current = null; // {close()} of the view's stream or timer
function route() {
  if (current) { current.close(); current = null; }
  const hash = location.hash || "#/jobs";
  const parts = hash.slice(2).split("/").map(decodeURIComponent);
  document.querySelectorAll("nav a").forEach(a => a.classList.toggle("on", a.dataset.nav === parts[0]));
  window.scrollTo(0, 0);
  if (parts[0] === "jobs" && parts[1]) current = jobView(parts.slice(1).join("/"));
  else if (parts[0] === "strategies") current = strategiesView();
  else if (parts[0] === "server") current = serverView();
  else current = jobsView();
}
window.addEventListener("hashchange", route);

/* ---------- Jobs ---------- */
function jobsView() {
  const jobs = new Map();
  view.innerHTML = `
    <h1>Jobs</h1>
    <p class="sub" id="jobs-sub">Every job in the job table, live from <span class="mono">penni.events</span>.</p>
    <details class="submit" id="submit"><summary>New job</summary>
      <div class="panel">
        <h2>Submit a compression request</h2>
        <p class="muted">POSTed as JSON to <span class="mono">/penni/api/jobs</span>; validated exactly as a request on
          <span class="mono">penni.requests</span> is. Leave out <span class="mono">jobId</span> to get a new one.</p>
        <form id="submit-form"><textarea id="request" spellcheck="false">${esc(EXAMPLE_REQUEST)}</textarea>
          <div class="row"><button id="submit-button" type="submit">Submit</button>
          <button class="ghost" type="button" id="reset">Example</button></div></form>
        <div id="submit-result"></div>
      </div>
    </details>
    <div class="panel flush"><table>
      <thead><tr><th>Job</th><th>Status</th><th>Stage</th><th>Progress</th><th class="num">Accuracy</th>
        <th class="num">Conv params</th><th class="num">Conv MACs</th><th class="num">Duration</th><th>Updated</th></tr></thead>
      <tbody id="jobs-body"><tr><td colspan="9" class="empty">loading…</td></tr></tbody></table></div>`;
  $("#reset").addEventListener("click", () => { $("#request").value = EXAMPLE_REQUEST; });
  $("#submit-form").addEventListener("submit", submit);
  let pending = false;
  const draw = () => {
    if (pending) return;
    pending = true;
    requestAnimationFrame(() => {
      pending = false;
      const list = [...jobs.values()].sort((a, b) => String(b.created || "").localeCompare(String(a.created || "")));
      const tbody = $("#jobs-body");
      if (!tbody) return;
      tbody.innerHTML = list.length ? list.map(jobRow).join("")
        : `<tr><td colspan="9" class="empty">No jobs yet. Submit one above, or with <span class="mono">bin/penni submit</span>.</td></tr>`;
      const counts = {};
      list.forEach(j => { counts[j.status] = (counts[j.status] || 0) + 1; });
      $("#jobs-sub").innerHTML = `${list.length} job${list.length === 1 ? "" : "s"}` +
        Object.entries(counts).map(([s, n]) => ` · ${n} ${esc(s.toLowerCase())}`).join("") +
        ` — live from <span class="mono">penni.events</span>.`;
    });
  };
  return stream("/penni/api/jobs/events", {
    jobs: d => { jobs.clear(); d.jobs.forEach(j => jobs.set(j.id, j)); draw(); },
    job: j => { jobs.set(j.id, j); draw(); },
  });
}

function progressCell(j) {
  if (j.status === "QUEUED") return `<span class="muted">queued${j.stage ? " for " + esc(j.stage) : ""}</span>`;
  if (j.status !== "RUNNING") return j.status === "COMPLETED" ? `<span class="muted">${(j.completedStages || []).length} stages</span>` : "";
  const p = j.progress || {};
  const bits = [];
  if (p.epochs) bits.push(`epoch ${p.epoch}/${p.epochs}`);
  if (p.iterations) bits.push(`it ${p.iteration}/${p.iterations}`);
  if (isNum(p.fraction)) bits.push(pct(p.fraction, 0));
  if (isNum(p.etaSeconds)) bits.push("ETA " + duration(p.etaSeconds));
  return `<div class="prog" data-progress="${esc(isNum(p.fraction) ? p.fraction.toFixed(4) : "")}">${bar(p.fraction)}<small>${esc(bits.join(" · ") || "starting")}</small></div>`;
}

function jobRow(j) {
  const h = j.headline || {};
  const before = isNum(h.baselineAccuracy) ? h.baselineAccuracy : j.baselineAccuracy;
  const acc = isNum(before) ? `${pct(before)} → ${isNum(h.compressedAccuracy) ? pct(h.compressedAccuracy) : "…"}` : "–";
  return `<tr data-job="${esc(j.id)}">
    <td class="id"><a class="mono" href="#/jobs/${encodeURIComponent(j.id)}" title="${esc(j.id)}">${esc(j.id)}</a></td>
    <td>${badge(j.status)}</td><td>${j.status === "COMPLETED" || j.status === "REJECTED" ? "" : esc(j.stage || "")}</td><td>${progressCell(j)}</td>
    <td class="num">${acc}</td><td class="num">${reduction(h.convParamsBefore, h.convParamsAfter)}</td>
    <td class="num">${reduction(h.convMacsBefore, h.convMacsAfter)}</td><td class="num">${duration(j.seconds)}</td>
    <td class="muted">${time(j.updated)}</td></tr>`;
}

async function submit(e) {
  e.preventDefault();
  const out = $("#submit-result"), button = $("#submit-button");
  button.disabled = true;
  try {
    const r = await api("/penni/api/jobs", {method: "POST", headers: {"Content-Type": "application/json"}, body: $("#request").value});
    if (r.status === 202) {
      out.innerHTML = `<div class="alert ok">Submitted as job <a class="mono" href="#/jobs/${encodeURIComponent(r.body.jobId)}">${esc(r.body.jobId)}</a>; it is on its way through the intake.</div>`;
    } else {
      const errors = (r.body && r.body.errors) || [];
      out.innerHTML = `<div class="alert err"><b>${r.status}:</b> ${esc(errors.length ? "the request was rejected" : (r.body && r.body.error) || "refused")}
        ${errors.length ? `<ul>${errors.map(x => `<li><code>${esc(x)}</code></li>`).join("")}</ul>` : ""}</div>`;
    }
  } catch (err) {
    if (err.status !== 401) out.innerHTML = `<div class="alert err">The server did not answer: ${esc(err.message)}</div>`;
  } finally {
    button.disabled = false;
  }
}

/* ---------- Job ---------- */
function jobView(id) {
  let detail = null, refetch = null;
  view.innerHTML = `<p class="sub"><a href="#/jobs">← Jobs</a></p><div id="job"><div class="empty">loading…</div></div>`;
  const load = async () => {
    const r = await api("/penni/api/jobs/" + encodeURIComponent(id));
    if (r.status === 404) { $("#job").innerHTML = `<div class="alert err">No job <span class="mono">${esc(id)}</span> in the job table.</div>`; return; }
    detail = r.body;
    renderJob(detail);
  };
  const later = () => { clearTimeout(refetch); refetch = setTimeout(load, 400); };
  const s = stream("/penni/api/jobs/" + encodeURIComponent(id) + "/events", {
    detail: d => { detail = d; load(); },
    job: j => {
      if (!detail) return;
      Object.assign(detail, j);
      renderHeader(detail);
      renderProgress(detail);
    },
    event: ev => {
      if (!detail) return;
      detail.events = (detail.events || []).concat([ev]).slice(-500);
      if (ev.type === "io.penni.stage.progress") {
        const d = ev.data || {};
        if (isNum(d.epoch) && isNum(d.loss)) {
          const c = (detail.curves = detail.curves || {});
          const list = (c[ev.stage] = (c[ev.stage] || []).filter(p => p.epoch !== d.epoch));
          list.push({epoch: d.epoch, loss: d.loss, accuracy: d.accuracy, sparsity: d.sparsity});
          list.sort((a, b) => a.epoch - b.epoch);
          if (!detail.report) renderCurves(detail);
        }
      } else {
        later(); // a stage started, completed or the job ended: the timeline, tables and report change
      }
    },
  });
  return {close() { s.close(); clearTimeout(refetch); }};
}

function renderJob(d) {
  $("#job").innerHTML = `
    <div id="job-header"></div>
    <div id="job-alert"></div>
    <div class="cards" id="job-cards"></div>
    <div class="panel" id="job-progress" hidden></div>
    <div class="panel"><h2>Stages</h2><div id="job-timeline"></div></div>
    <div class="panel"><h2>Learning curves</h2><div id="job-curves"></div></div>
    <div class="panel flush" id="job-layers"></div>
    <div class="panel flush" id="job-inference"></div>
    <div class="panel" id="job-pruning"></div>
    <div class="panel" id="job-figures" hidden></div>
    <div class="panel" id="job-downloads"></div>
    <div class="panel flush"><h2>Events</h2><div id="job-events"></div></div>`;
  renderHeader(d);
  renderProgress(d);
  renderTimeline(d);
  renderCurves(d);
  renderReport(d);
  renderEvents(d);
}

function renderHeader(d) {
  const h = d.headline || {};
  const r = d.report || {};
  const before = isNum(h.baselineAccuracy) ? h.baselineAccuracy : d.baselineAccuracy;
  $("#job-header").innerHTML = `<h1><span class="mono">${esc(d.id)}</span> ${badge(d.status)}</h1>
    <p class="sub">${esc(d.message || "")}${d.created ? ` · submitted ${esc(new Date(d.created).toLocaleString())}` : ""}</p>`;
  let alert = "";
  if (d.status === "FAILED") alert = `<div class="alert err"><b>Failed${d.stage ? " in " + esc(d.stage) : ""}:</b> <code>${esc(d.reason || d.message)}</code></div>`;
  if (d.status === "REJECTED") alert = `<div class="alert err"><b>Rejected:</b><ul>${(d.reasons || [d.message]).map(x => `<li><code>${esc(x)}</code></li>`).join("")}</ul></div>`;
  $("#job-alert").innerHTML = alert;
  const conv = r.conv || {};
  const cp = conv.params || {}, cm = conv.macs || {};
  const strategy = (r.pruning || {}).strategy || ((stageOf(d, "prune") || {}).summary || {}).strategy;
  $("#job-cards").innerHTML = [
    ["Accuracy before", pct(before)],
    ["Accuracy after", pct(h.compressedAccuracy)],
    ["Conv params", reduction(isNum(h.convParamsBefore) ? h.convParamsBefore : cp.before, isNum(h.convParamsAfter) ? h.convParamsAfter : cp.after)],
    ["Conv MACs", reduction(isNum(h.convMacsBefore) ? h.convMacsBefore : cm.before, isNum(h.convMacsAfter) ? h.convMacsAfter : cm.after)],
    ["Duration", duration(d.seconds)],
    ["Strategy", esc(strategy || "–")],
  ].map(([k, v]) => `<div class="card"><div class="k">${k}</div><div class="v">${v}</div></div>`).join("");
}

const stageOf = (d, name) => (d.stages || []).find(s => s.name === name);

function renderProgress(d) {
  const box = $("#job-progress");
  if (!box) return;
  const p = d.progress;
  if (d.status !== "RUNNING" || !p) { box.hidden = true; return; }
  box.hidden = false;
  const items = [
    ["Stage", esc(p.stage)],
    ["Epoch", p.epochs ? `${p.epoch} / ${p.epochs}` : "–"],
    ["Iteration", p.iterations ? `${p.iteration} / ${p.iterations}` : "–"],
    ["Loss", fixed(p.loss, 4)],
    ["Accuracy", pct(p.accuracy)],
    ["Sparsity", pct(p.sparsity, 1)],
    ["Images/s", isNum(p.imagesPerSecond) ? p.imagesPerSecond.toFixed(0) : "–"],
    ["ETA", isNum(p.etaSeconds) ? duration(p.etaSeconds) : "–"],
  ];
  box.innerHTML = `<h2>Running: ${esc(p.stage)} <span class="muted" style="font-weight:400">${isNum(p.fraction) ? pct(p.fraction, 1) : ""}${p.message ? " · " + esc(p.message) : ""}</span></h2>
    <div id="live-progress" data-fraction="${isNum(p.fraction) ? p.fraction : ""}" data-iteration="${esc(p.iteration)}" data-epoch="${esc(p.epoch)}">${bar(p.fraction, "big")}</div>
    <div class="kv" style="margin-top:14px">${items.map(([k, v]) => `<div><b>${k}</b><span>${v}</span></div>`).join("")}</div>`;
}

function renderTimeline(d) {
  const stages = STAGES.map(name => stageOf(d, name) || {name}).concat((d.stages || []).filter(s => !STAGES.includes(s.name)));
  const secs = s => isNum(s.seconds) ? s.seconds : (s.started && s.status === "running" ? (Date.now() - Date.parse(s.started)) / 1000 : 0);
  const total = stages.reduce((a, s) => a + secs(s), 0) || 1;
  const shown = stages.filter(s => s.status);
  $("#job-timeline").innerHTML = (shown.length ? `<div class="timeline">${shown.map(s =>
    `<div class="${esc(s.status)}" style="flex:${Math.max(secs(s) / total, 0.02).toFixed(4)}" title="${esc(s.name)}: ${esc(duration(secs(s)))}">${secs(s) / total > 0.07 ? esc(s.name) : ""}</div>`).join("")}</div>` : "") +
    `<table><thead><tr><th>Stage</th><th>Status</th><th>Started</th><th class="num">Duration</th><th>Result</th></tr></thead><tbody>${stages.map(s => `
      <tr><td>${esc(s.name)}</td><td>${s.status ? `<span class="badge ${{completed: "COMPLETED", running: "RUNNING", failed: "FAILED"}[s.status] || "QUEUED"}">${esc(s.status)}</span>` : `<span class="muted">pending</span>`}</td>
      <td class="muted">${time(s.started)}</td><td class="num">${s.status ? duration(secs(s)) : ""}</td>
      <td class="muted">${esc(summaryText(s.summary))}</td></tr>`).join("")}</tbody></table>`;
}

function summaryText(s) {
  if (!s) return "";
  const bits = [];
  if (isNum(s.accuracy)) bits.push("accuracy " + pct(s.accuracy));
  if (isNum(s.sparsity)) bits.push("sparsity " + pct(s.sparsity, 1));
  if (isNum(s.zeroCoefficients) && s.zeroCoefficients > 0) bits.push("zero coefficients " + pct(s.zeroCoefficients, 1));
  if (isNum(s.maxRelativeError)) bits.push("max rel. error " + s.maxRelativeError.toFixed(3));
  if (isNum(s.params)) bits.push(count(s.params) + " params");
  if (s.strategy) bits.push(s.strategy);
  if (isNum(s.dense_accuracy)) bits.push("dense accuracy " + pct(s.dense_accuracy) + " on " + (s.reference_backend || "?"));
  if (isNum(s.test_images)) bits.push(count(s.test_images) + " test images");
  return bits.join(" · ");
}

function renderCurves(d) {
  const box = $("#job-curves");
  if (!box) return;
  const fromReport = d.report && d.report.learningCurves;
  const curves = fromReport || d.curves || {};
  const phases = ["pretrain", "retrain", "finetune"].filter(p => (curves[p] || []).length);
  if (!phases.length) { box.innerHTML = `<p class="muted">No epoch has ended yet.</p>`; return; }
  // one continuous curve over the phases (the paper's Fig. 3): epochs numbered on from phase to phase
  let offset = 0;
  const bands = [], rows = [];
  for (const phase of phases) {
    const list = curves[phase];
    bands.push({from: offset + 0.5, to: offset + list.length + 0.5, label: phase, fill: PHASE_FILLS[phase]});
    list.forEach((r, i) => rows.push(Object.assign({x: offset + i + 1}, r)));
    offset += list.length;
  }
  const series = (train, test) => [{name: "train", color: "#2563eb", points: rows.map(r => [r.x, r[train]])}]
    .concat(fromReport ? [{name: "test", color: "#ea580c", dashed: true, points: rows.map(r => [r.x, r[test]])}] : []);
  box.innerHTML = `<div class="charts"><div class="chart" id="chart-accuracy"><div class="title">Accuracy</div></div>
    <div class="chart" id="chart-loss"><div class="title">Loss</div></div></div>
    <div class="legend"><span><i style="background:#2563eb"></i>train</span>
      ${fromReport ? `<span style="color:#ea580c"><i class="dash"></i>test</span>` : `<span>test curves come with the report</span>`}
      ${phases.map(p => `<span><i style="background:${PHASE_FILLS[p]};height:10px;border:1px solid #d1d5db"></i>${p}</span>`).join("")}</div>`;
  $("#chart-accuracy").appendChild(Charts.line({width: 560, height: 260, series: series("accuracy", "testAccuracy"), bands,
    yFormat: v => (100 * v).toFixed(0) + "%"}));
  $("#chart-loss").appendChild(Charts.line({width: 560, height: 260, series: series("loss", "testLoss"), bands,
    yFormat: v => v.toFixed(2)}));
}

function renderReport(d) {
  const r = d.report;
  const layers = $("#job-layers"), inference = $("#job-inference"), pruning = $("#job-pruning");
  const waiting = what => `<h2>${what}</h2><p class="muted" style="padding:0 18px 14px">${d.status === "FAILED" || d.status === "REJECTED" ? "None: the job did not complete." : "With the report, when the job completes."}</p>`;
  if (!r) {
    layers.innerHTML = waiting("Layers");
    inference.innerHTML = waiting("Inference");
    const prune = stageOf(d, "prune");
    pruning.innerHTML = `<h2>Pruning</h2>` + (prune && prune.summary ? `<p>${esc(summaryText(prune.summary))}</p>` : `<p class="muted">After the prune stage.</p>`);
  } else {
    layers.innerHTML = layerTable(r);
    inference.innerHTML = inferenceTable(r.inference || {});
    const p = r.pruning || {};
    pruning.innerHTML = `<h2>Pruning</h2><div class="kv">
      <div><b>Strategy</b><span>${esc(p.strategy || "–")}</span></div>
      <div><b>Bundle</b><span class="mono">${esc(p.bundle || "–")}</span></div>
      <div><b>Version</b><span class="mono">${esc(p.version || "–")}</span></div>
      <div><b>Parameters</b><span>${Object.entries(p.parameters || {}).map(([k, v]) => `<span class="pill">${esc(k)}=${esc(v)}</span>`).join("") || "–"}</span></div>
      <div><b>Sparsity</b><span>${pct(p.sparsity, 1)}</span></div>
      <div><b>Kept</b><span>${count(p.kept)} / ${count(p.total)}</span></div></div>`;
  }
  renderFigures(d);
  const downloads = Object.entries(d.downloads || {});
  $("#job-downloads").innerHTML = `<h2>Downloads</h2>` + (downloads.length ? `<div class="downloads">${downloads.map(([name, f]) =>
    `<a href="${esc(f.href)}" data-download="${esc(d.id + "-" + name)}">${esc(name)}<small>${bytes(f.size)}</small></a>`).join("")}</div>` : `<p class="muted">The model and report files, when the job completes.</p>`);
  authedSources($("#job"));
}

function layerTable(r) {
  const rows = r.layers || [];
  const t = r.totals || {};
  const ba = (o, f = count) => `${f((o || {}).before)}`;
  const aa = (o, f = count) => `${f((o || {}).after)}`;
  return `<h2>Layers <span class="muted" style="font-weight:400">(the paper's appendix table: before and after shrinking)</span></h2><table id="layer-table">
    <thead><tr><th>Layer</th><th class="num">Kernel</th><th class="num">Width</th><th class="num">Bases</th>
      <th class="num">Non-zero / total coefs, before</th><th class="num">Sparsity, before</th>
      <th class="num">Non-zero / total coefs, after</th><th class="num">Sparsity, after</th></tr></thead>
    <tbody>${rows.map(l => `<tr data-layer="${esc(l.name)}"><td class="mono">${esc(l.name)}</td><td class="num">${esc(l.kernel)}×${esc(l.kernel)}</td>
      <td class="num">${ba(l.width)} → ${aa(l.width)}</td><td class="num">${ba(l.basis)} → ${aa(l.basis)}</td>
      <td class="num">${count(l.coefs.nnz.before)} / ${count(l.coefs.total.before)}</td><td class="num">${pct100((l.sparsity || {}).before)}</td>
      <td class="num">${count(l.coefs.nnz.after)} / ${count(l.coefs.total.after)}</td><td class="num">${pct100((l.sparsity || {}).after)}</td></tr>`).join("")}
    ${t.coefs ? `<tr class="total"><td>Total</td><td></td><td></td><td></td>
      <td class="num">${count(t.coefs.nnz.before)} / ${count(t.coefs.total.before)}</td><td class="num">${pct100((t.sparsity || {}).before)}</td>
      <td class="num">${count(t.coefs.nnz.after)} / ${count(t.coefs.total.after)}</td><td class="num">${pct100((t.sparsity || {}).after)}</td></tr>` : ""}</tbody></table>
    <table><thead><tr><th>Model</th><th class="num">Params</th><th class="num">MACs</th><th class="num">Conv params</th><th class="num">Conv MACs</th><th class="num">Peak activations</th></tr></thead><tbody>
      ${["before", "after"].map(k => `<tr><td>${k === "before" ? "dense" : "compressed"}</td><td class="num">${count((r.params || {})[k])}</td><td class="num">${count((r.macs || {})[k])}</td>
        <td class="num">${count(((r.conv || {}).params || {})[k])}</td><td class="num">${count(((r.conv || {}).macs || {})[k])}</td><td class="num">${count((r.peakActivations || {})[k])}</td></tr>`).join("")}
      <tr class="total"><td>reduction</td><td class="num">${reduction((r.params || {}).before, (r.params || {}).after)}</td><td class="num">${reduction((r.macs || {}).before, (r.macs || {}).after)}</td>
        <td class="num">${reduction(((r.conv || {}).params || {}).before, ((r.conv || {}).params || {}).after)}</td><td class="num">${reduction(((r.conv || {}).macs || {}).before, ((r.conv || {}).macs || {}).after)}</td><td></td></tr></tbody></table>`;
}

function inferenceTable(inf) {
  const rows = [];
  for (const [backend, batches] of Object.entries(inf.latency || {})) {
    for (const [batch, lat] of Object.entries(batches)) {
      const dense = (inf.dense_latency || {})[batch] || {};
      const mem = ((inf.memory || {})[backend] || {})[batch] || {};
      const dmem = (inf.dense_memory || {})[batch] || {};
      rows.push(`<tr><td>${esc(backend)}</td><td class="num">${esc(batch.replace("batch_", ""))}</td>
        <td class="num">${fixed(lat.median_ms, 3)}</td><td class="num">${fixed(dense.median_ms, 3)}</td>
        <td class="num"><b>${isNum(lat.speedup_vs_dense) ? lat.speedup_vs_dense.toFixed(2) + "×" : "–"}</b></td>
        <td class="num">${isNum(lat.images_per_second) ? lat.images_per_second.toFixed(0) : "–"}</td>
        <td class="num">${bytes(mem.total_bytes)}</td><td class="num">${bytes(dmem.total_bytes)}</td>
        <td class="num"><b>${isNum(mem.ratio_vs_dense) ? mem.ratio_vs_dense.toFixed(2) + "×" : "–"}</b></td></tr>`);
    }
  }
  const acc = Object.entries(inf.accuracy || {}).map(([b, a]) => `${esc(b)} ${pct(a)}`).join(" · ");
  return `<h2>Inference <span class="muted" style="font-weight:400">against the dense original on ${esc(inf.reference_backend || "–")}${isNum(inf.test_images) ? `, ${count(inf.test_images)} test images` : ""}${acc ? ` · accuracy ${acc}, dense ${pct(inf.dense_accuracy)}` : ""}</span></h2>
    ${rows.length ? `<table id="inference-table"><thead><tr><th>Backend</th><th class="num">Batch</th><th class="num">Median ms</th><th class="num">Dense ms</th><th class="num">Speed-up</th>
      <th class="num">Images/s</th><th class="num">Memory</th><th class="num">Dense memory</th><th class="num">Memory ratio</th></tr></thead><tbody>${rows.join("")}</tbody></table>`
      : `<p class="muted" style="padding:0 18px 14px">No measurement in this report.</p>`}`;
}

function renderFigures(d) {
  const box = $("#job-figures");
  const figures = (d.report && Array.isArray(d.report.figures)) ? d.report.figures : [];
  if (!figures.length) { box.hidden = true; box.innerHTML = ""; return; }
  box.hidden = false;
  const title = {coefficients: "Coefficient matrix", weights: "Reconstructed weights beside the original", curves: "Learning curves"};
  box.innerHTML = `<h2>Figures</h2><div class="figures">${figures.map(f => {
    const href = "/penni/api/jobs/" + encodeURIComponent(d.id) + "/files/" + String(f.file).split("/").map(encodeURIComponent).join("/");
    return `<figure><a href="${esc(href)}" target="_blank" rel="noopener" title="full size (${esc(f.width)}×${esc(f.height)})"><img ${imgSrc(href)} width="${esc(f.width)}" height="${esc(f.height)}" alt="${esc(f.kind)} ${esc(f.layer || "")}" data-figure="${esc(f.file)}" loading="lazy"></a>
      <figcaption>${esc(title[f.kind] || f.kind)}${f.layer ? ` · <span class="mono">${esc(f.layer)}</span>` : ""}</figcaption></figure>`;
  }).join("")}</div>`;
}

function renderEvents(d) {
  const events = (d.events || []).slice(-30).reverse();
  $("#job-events").innerHTML = events.length ? `<table class="events"><thead><tr><th>Time</th><th>Event</th><th>Stage</th><th>Data</th></tr></thead><tbody>${events.map(e =>
    `<tr><td class="muted">${time(e.time)}</td><td class="mono">${esc(e.type.replace("io.penni.", ""))}</td><td>${esc(e.stage || "")}</td>
      <td class="mono muted">${esc(eventText(e))}</td></tr>`).join("")}</tbody></table>` : `<p class="empty">No events yet.</p>`;
}

function eventText(e) {
  const d = e.data || {};
  if (e.type.endsWith("progress")) return [d.epochs ? `epoch ${d.epoch}/${d.epochs}` : "", d.iterations ? `it ${d.iteration}/${d.iterations}` : "",
    isNum(d.loss) ? `loss ${d.loss.toFixed(4)}` : "", isNum(d.accuracy) ? `acc ${pct(d.accuracy)}` : "", d.message || ""].filter(Boolean).join(" · ");
  if (e.type === "io.penni.job.completed" && d.headline) {
    const h = d.headline;
    return `top-1 ${pct(h.baselineAccuracy)} → ${pct(h.compressedAccuracy)} · conv params ${count(h.convParamsBefore)} → ${count(h.convParamsAfter)} · conv MACs ${count(h.convMacsBefore)} → ${count(h.convMacsAfter)}`;
  }
  if (d.attempt && Object.keys(d).length === 1) return d.attempt > 1 ? `attempt ${d.attempt}` : "";
  if (e.type.endsWith("completed") && d.summary) return [summaryText(d.summary), isNum(d.seconds) ? duration(d.seconds) : ""].filter(Boolean).join(" · ");
  if (d.reason) return d.reason;
  if (d.reasons) return d.reasons.join("; ");
  const text = JSON.stringify(d);
  return text.length > 160 ? text.slice(0, 157) + "…" : text;
}

/* ---------- Strategies ---------- */
function strategiesView() {
  view.innerHTML = `<h1>Strategies</h1><p class="sub">The pruning strategies registered now; drop a strategy bundle into
    <span class="mono">deploy/</span> (or remove it) and this list follows.</p><div class="panel flush" id="strategies"><div class="empty">loading…</div></div>`;
  const load = async () => {
    const r = await api("/penni/strategies");
    const box = $("#strategies");
    if (!box || !r.ok) return;
    const list = r.body.strategies || [];
    box.innerHTML = list.length ? `<table id="strategy-table"><thead><tr><th>Name</th><th>Bundle</th><th>Version</th><th class="num">Ranking</th><th>Parameters</th><th>Description</th></tr></thead><tbody>${list.map(s => `
      <tr data-strategy="${esc(s.name)}"><td><b>${esc(s.name)}</b>${s.name === r.body.default ? ` <span class="badge COMPLETED">default</span>` : ""}</td>
      <td class="mono">${esc(s.bundle)}</td><td class="mono">${esc(s.version)}</td><td class="num">${esc(s.ranking)}</td>
      <td>${Object.entries(s.parameters || {}).map(([k, v]) => `<span class="pill">${esc(k)}=${esc(v)}</span>`).join("") || `<span class="muted">none</span>`}</td>
      <td class="muted" style="white-space:normal">${esc(s.description)}</td></tr>`).join("")}</tbody></table>`
      : `<div class="empty">No strategy is registered: the prune stage waits for one.</div>`;
    $("#live").className = "live up"; $("#live-text").textContent = "polling";
  };
  load();
  const timer = setInterval(load, 2000);
  return {close() { clearInterval(timer); }};
}

/* ---------- Server ---------- */
function serverView() {
  view.innerHTML = `<h1>Server</h1><p class="sub">This container: its broker, readiness, memory and bundles.</p><div id="server"><div class="empty">loading…</div></div>`;
  const load = async () => {
    const r = await api("/penni/api/server");
    const box = $("#server");
    if (!box || !r.ok) return;
    const s = r.body, b = s.broker || {};
    const mem = (label, m) => {
      const f = isNum(m.used) && isNum(m.max) && m.max > 0 ? m.used / m.max : null;
      return `<div style="margin-bottom:12px"><div class="row" style="margin:0 0 4px;justify-content:space-between"><b>${label}</b>
        <span class="muted">${bytes(m.used)} of ${isNum(m.max) ? bytes(m.max) : "no cap"}${f !== null ? ` (${pct(f, 0)})` : ""}</span></div>
        ${bar(f, f > 0.9 ? "crit" : f > 0.75 ? "warn" : "")}<small class="muted mono">${esc(m.meter)}</small></div>`;
    };
    box.innerHTML = `<div class="cards">
        <div class="card"><div class="k">Readiness</div><div class="v ${s.ready ? "good" : "bad"}" id="readiness">${s.ready ? "ready" : "not ready"}</div></div>
        <div class="card"><div class="k">Kafka</div><div class="v mono" style="font-size:15px">${esc(s.kafka)}</div></div>
        <div class="card"><div class="k">Broker</div><div class="v ${b.reachable ? "good" : "bad"}" id="broker">${b.reachable ? `reachable <small>${esc(b.nodes)} node${b.nodes === 1 ? "" : "s"}, ${esc(b.millis)} ms</small>` : "unreachable"}</div></div>
        <div class="card"><div class="k">Uptime</div><div class="v">${duration(s.uptimeSeconds)}</div></div></div>
      ${b.reachable ? "" : `<div class="alert err">${esc(b.reason || "no broker answers")}</div>`}
      <div class="grid">
        <div class="panel"><h2>Readiness checks</h2>${(s.readiness || []).map(c => `<div class="row" style="margin:4px 0"><span class="badge ${c.ready ? "COMPLETED" : "FAILED"}">${c.ready ? "ready" : "not ready"}</span> <b>${esc(c.name)}</b> <span class="muted">${esc(c.reason)}</span></div>`).join("") || `<p class="muted">none registered</p>`}</div>
        <div class="panel"><h2>Jobs by outcome</h2><table><tbody>${Object.entries(s.jobs || {}).map(([k, v]) => `<tr><td>${badge(k.toUpperCase())}</td><td class="num">${v}</td></tr>`).join("")}</tbody></table></div>
        <div class="panel"><h2>Memory against its caps</h2>${mem("Resident (RSS)", s.memory.rss)}${mem("Heap", s.memory.heap)}${mem("ND4J off-heap", s.memory.offHeap)}</div>
      </div>
      <div class="panel flush"><h2>Bundles (${(s.bundles || []).length})</h2><table><thead><tr><th class="num">Id</th><th>Bundle</th><th>Version</th><th>State</th></tr></thead><tbody>
        ${(s.bundles || []).map(x => `<tr><td class="num muted">${x.id}</td><td class="mono">${esc(x.name)}${x.location ? ` <span class="pill">deploy/</span>` : ""}</td><td class="mono">${esc(x.version)}</td>
          <td><span class="badge ${x.state === "active" ? "COMPLETED" : x.state === "resolved" ? "QUEUED" : "FAILED"}">${esc(x.state)}</span></td></tr>`).join("")}</tbody></table></div>`;
    $("#live").className = "live up"; $("#live-text").textContent = "polling";
  };
  load();
  const timer = setInterval(load, 3000);
  return {close() { clearInterval(timer); }};
}

route();
