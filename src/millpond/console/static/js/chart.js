// Our own SVG charts: time series as lines or stacked areas, and single numbers. No third-party code.
const NS = "http://www.w3.org/2000/svg";
export const COLORS = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"];

function svg(tag, attrs = {}, text) {
  const el = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, v);
  if (text !== undefined) el.textContent = text;
  return el;
}

function niceMax(value) {
  if (value <= 0) return 1;
  const step = 10 ** Math.floor(Math.log10(value));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * step >= value) return m * step;
  return 10 * step;
}

const fmtValue = (v) => (Math.abs(v) >= 1000 ? `${+(v / 1000).toFixed(1)}k` : `${+v.toFixed(2)}`);
const fmtClock = (t) => new Date(t * 1000).toISOString().slice(11, 16);

/**
 * series: [{label, points: [[epochSeconds, value], ...]}]; options: {width, height, stacked, start, end}.
 * Returns an <svg class="chart"> with axes, grid lines, one path per series and a <title> per point.
 */
export function timeSeries(series, { width = 420, height = 180, stacked = false, start, end } = {}) {
  const pad = { left: 44, right: 8, top: 8, bottom: 22 };
  const root = svg("svg", { class: "chart", viewBox: `0 0 ${width} ${height}`, width: "100%", role: "img" });
  const all = series.flatMap((s) => s.points);
  const times = all.map((p) => p[0]);
  const t0 = start ?? (times.length ? Math.min(...times) : 0);
  const t1 = Math.max(end ?? (times.length ? Math.max(...times) : 1), t0 + 1);
  // Stacking sums series at each timestamp, in order.
  const stacks = new Map();
  const drawn = series.map((s) => {
    const points = [...s.points].sort((a, b) => a[0] - b[0]).map(([t, v]) => {
      const base = stacked ? stacks.get(t) || 0 : 0;
      if (stacked) stacks.set(t, base + v);
      return [t, base, base + v];
    });
    return { ...s, points };
  });
  const top = niceMax(Math.max(0, ...drawn.flatMap((s) => s.points.map((p) => p[2]))));
  const x = (t) => pad.left + ((t - t0) / (t1 - t0)) * (width - pad.left - pad.right);
  const y = (v) => height - pad.bottom - (v / top) * (height - pad.top - pad.bottom);
  for (let i = 0; i <= 4; i++) {
    const v = (top * i) / 4;
    root.append(svg("line", { x1: pad.left, x2: width - pad.right, y1: y(v), y2: y(v), stroke: "#e6e9ee" }));
    root.append(svg("text", { x: pad.left - 4, y: y(v) + 4, "text-anchor": "end" }, fmtValue(v)));
  }
  for (let i = 0; i <= 3; i++) {
    const t = t0 + ((t1 - t0) * i) / 3;
    root.append(svg("text", { x: x(t), y: height - 6, "text-anchor": i === 0 ? "start" : i === 3 ? "end" : "middle" }, fmtClock(t)));
  }
  drawn.forEach((s, i) => {
    const color = s.color || COLORS[i % COLORS.length];
    if (!s.points.length) return;
    const line = s.points.map((p, j) => `${j ? "L" : "M"}${x(p[0]).toFixed(1)},${y(p[2]).toFixed(1)}`).join("");
    if (stacked) {
      const back = [...s.points].reverse().map((p) => `L${x(p[0]).toFixed(1)},${y(p[1]).toFixed(1)}`).join("");
      root.append(svg("path", { d: `${line}${back}Z`, fill: color, "fill-opacity": "0.35", stroke: "none" }));
    }
    root.append(svg("path", { d: line, fill: "none", stroke: color, "stroke-width": "1.6", "data-series": s.label }));
    for (const p of s.points) {
      const dot = svg("circle", { cx: x(p[0]), cy: y(p[2]), r: s.points.length < 60 ? 2.5 : 1.2, fill: color, class: "point" });
      dot.append(svg("title", {}, `${s.label} ${new Date(p[0] * 1000).toISOString()}: ${p[2] - p[1]}`));
      root.append(dot);
    }
  });
  return root;
}

export function legend(series) {
  const box = document.createElement("div");
  box.className = "legend";
  series.forEach((s, i) => {
    const item = document.createElement("span");
    item.style.setProperty("--c", s.color || COLORS[i % COLORS.length]);
    item.textContent = s.label;
    box.append(item);
  });
  return box;
}
