/* Small SVG line charts for the learning curves: no library, no network. */
"use strict";
const Charts = (() => {
  const NS = "http://www.w3.org/2000/svg";
  const el = (name, attrs, parent) => {
    const e = document.createElementNS(NS, name);
    for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, v);
    if (parent) parent.appendChild(e);
    return e;
  };

  /** Round tick values covering [lo, hi]. */
  function ticks(lo, hi, count) {
    if (!(hi > lo)) { hi = lo + 1; }
    const raw = (hi - lo) / count;
    const mag = Math.pow(10, Math.floor(Math.log10(raw)));
    const step = [1, 2, 2.5, 5, 10].map(m => m * mag).find(s => s >= raw) || raw;
    const out = [];
    for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) out.push(+v.toFixed(10));
    return out;
  }

  /**
   * A line chart.
   * opts: {width, height, series: [{name, color, dashed, points: [[x, y], ...]}], bands: [{from, to, label}],
   *        yFormat: v => text, yMin, yMax, xLabel}
   */
  function line(opts) {
    const W = opts.width || 560, H = opts.height || 260, m = {l: 52, r: 14, t: 18, b: 34};
    const svg = el("svg", {width: W, height: H, viewBox: `0 0 ${W} ${H}`, role: "img", class: "line-chart"});
    const pts = opts.series.flatMap(s => s.points).filter(p => Number.isFinite(p[1]));
    if (!pts.length) {
      const t = el("text", {x: W / 2, y: H / 2, "text-anchor": "middle"}, svg);
      t.textContent = "no epochs yet";
      return svg;
    }
    const xs = pts.map(p => p[0]), ys = pts.map(p => p[1]);
    let x0 = Math.min(...xs, ...(opts.bands || []).map(b => b.from)), x1 = Math.max(...xs, ...(opts.bands || []).map(b => b.to));
    if (x1 === x0) { x0 -= 0.5; x1 += 0.5; }
    let y0 = opts.yMin !== undefined ? opts.yMin : Math.min(...ys), y1 = opts.yMax !== undefined ? opts.yMax : Math.max(...ys);
    if (opts.yMin === undefined || opts.yMax === undefined) {
      const pad = (y1 - y0 || Math.abs(y1) || 1) * 0.08;
      if (opts.yMin === undefined) y0 = Math.max(0, y0 - pad);
      if (opts.yMax === undefined) y1 = y1 + pad;
    }
    const sx = x => m.l + (x - x0) / (x1 - x0) * (W - m.l - m.r);
    const sy = y => H - m.b - (y - y0) / (y1 - y0) * (H - m.t - m.b);
    const fmt = opts.yFormat || (v => String(v));
    for (const b of opts.bands || []) {
      el("rect", {x: sx(b.from), y: m.t, width: Math.max(0, sx(b.to) - sx(b.from)), height: H - m.t - m.b,
        fill: b.fill || "#f9fafb"}, svg);
      const t = el("text", {x: (sx(b.from) + sx(b.to)) / 2, y: m.t - 5, "text-anchor": "middle"}, svg);
      t.textContent = b.label;
    }
    for (const v of ticks(y0, y1, 5)) {
      el("line", {x1: m.l, x2: W - m.r, y1: sy(v), y2: sy(v), stroke: "#eef0f3"}, svg);
      const t = el("text", {x: m.l - 6, y: sy(v) + 4, "text-anchor": "end"}, svg);
      t.textContent = fmt(v);
    }
    const xt = ticks(x0, x1, Math.min(10, Math.max(2, Math.round(x1 - x0)))).filter(v => Number.isInteger(v) || x1 - x0 < 4);
    for (const v of xt) {
      el("line", {x1: sx(v), x2: sx(v), y1: H - m.b, y2: H - m.b + 4, stroke: "#9ca3af"}, svg);
      const t = el("text", {x: sx(v), y: H - m.b + 16, "text-anchor": "middle"}, svg);
      t.textContent = String(v);
    }
    el("line", {x1: m.l, x2: W - m.r, y1: H - m.b, y2: H - m.b, stroke: "#9ca3af"}, svg);
    const xl = el("text", {x: (m.l + W - m.r) / 2, y: H - 4, "text-anchor": "middle"}, svg);
    xl.textContent = opts.xLabel || "epoch";
    for (const s of opts.series) {
      const p = s.points.filter(q => Number.isFinite(q[1]));
      if (!p.length) continue;
      const d = p.map((q, i) => (i ? "L" : "M") + sx(q[0]).toFixed(1) + " " + sy(q[1]).toFixed(1)).join(" ");
      el("path", {d, fill: "none", stroke: s.color, "stroke-width": 2, "stroke-dasharray": s.dashed ? "5 4" : "none",
        "data-series": s.name}, svg);
      for (const q of p) {
        const c = el("circle", {cx: sx(q[0]), cy: sy(q[1]), r: 3, fill: s.dashed ? "#fff" : s.color, stroke: s.color,
          "stroke-width": 1.5}, svg);
        el("title", {}, c).textContent = `${s.name}, epoch ${q[0]}: ${fmt(q[1])}`;
      }
    }
    return svg;
  }

  return {line};
})();
