// Our own SVG charts: time series as lines or stacked areas, a legend with every series, hover values with
// units, and number grids. No third-party code.
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

export const fmtValue = (v) => (Math.abs(v) >= 1e6 ? `${+(v / 1e6).toFixed(2)}M` : Math.abs(v) >= 1000 ? `${+(v / 1000).toFixed(1)}k` : `${+Number(v).toFixed(2)}`);
const UNIT_WORDS = { Count: "", None: "", Percent: "%", Seconds: "s", Milliseconds: "ms", Microseconds: "µs", Bytes: "B", Kilobytes: "KB", Megabytes: "MB", "Count/Second": "/s", "Bytes/Second": "B/s" };
/** A value with its CloudWatch unit: 3 Count -> "3", 1200 Milliseconds -> "1.2k ms". */
export const withUnit = (v, unit) => {
  const word = UNIT_WORDS[unit] ?? unit ?? "";
  return `${fmtValue(v)}${word ? (word === "%" ? "%" : ` ${word}`) : unit === "Count" ? " count" : ""}`;
};
const pad2 = (n) => String(n).padStart(2, "0");
function fmtClock(t, span) {
  const d = new Date(t * 1000);
  const hm = `${pad2(d.getHours())}:${pad2(d.getMinutes())}`;
  return span > 2 * 86400 ? `${d.getMonth() + 1}/${d.getDate()} ${hm}` : hm;
}
const fmtHover = (t) => new Date(t * 1000).toLocaleString(undefined, { month: "short", day: "numeric", hour: "2-digit", minute: "2-digit", hourCycle: "h23", timeZoneName: "short" });

/**
 * series: [{label, unit, points: [[epochSeconds, value], ...]}]; options: {width, height, stacked, start, end}.
 * Returns a <div class="chart-box"> holding an <svg class="chart"> (axes, one path per series, a <title> per
 * point) and the hover read-out that lists every series' value, with its unit, at the time under the pointer.
 */
export function timeSeries(series, { width = 420, height = 180, stacked = false, start, end } = {}) {
  const pad = { left: 48, right: 10, top: 8, bottom: 22 };
  const root = svg("svg", { class: "chart", viewBox: `0 0 ${width} ${height}`, width: "100%", height, role: "img", preserveAspectRatio: "none" });
  const all = series.flatMap((s) => s.points);
  const times = all.map((p) => p[0]);
  const t0 = start ?? (times.length ? Math.min(...times) : 0);
  const t1 = Math.max(end ?? (times.length ? Math.max(...times) : 1), t0 + 1);
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
    root.append(svg("text", { x: x(t), y: height - 6, "text-anchor": i === 0 ? "start" : i === 3 ? "end" : "middle" }, fmtClock(t, t1 - t0)));
  }
  drawn.forEach((s, i) => {
    const color = s.color || COLORS[i % COLORS.length];
    if (!s.points.length) return;
    const line = s.points.map((p, j) => `${j ? "L" : "M"}${x(p[0]).toFixed(1)},${y(p[2]).toFixed(1)}`).join("");
    if (stacked) {
      const back = [...s.points].reverse().map((p) => `L${x(p[0]).toFixed(1)},${y(p[1]).toFixed(1)}`).join("");
      root.append(svg("path", { d: `${line}${back}Z`, fill: color, "fill-opacity": "0.35", stroke: "none" }));
    }
    root.append(svg("path", { d: line, fill: "none", stroke: color, "stroke-width": "1.6", "data-series": s.label, "vector-effect": "non-scaling-stroke" }));
    for (const p of s.points) {
      const dot = svg("circle", { cx: x(p[0]), cy: y(p[2]), r: s.points.length < 60 ? 2.5 : 1.2, fill: color, class: "point" });
      dot.append(svg("title", {}, `${s.label} ${new Date(p[0] * 1000).toISOString()}: ${p[2] - p[1]}`));
      root.append(dot);
    }
  });
  const cursor = svg("line", { y1: pad.top, y2: height - pad.bottom, stroke: "#9aa6b6", "stroke-dasharray": "3 3", visibility: "hidden" });
  root.append(cursor);
  const box = document.createElement("div");
  box.className = "chart-box";
  const tip = document.createElement("div");
  tip.className = "chart-tip";
  tip.hidden = true;
  tip.setAttribute("role", "tooltip");
  box.append(root, tip);
  const stamps = [...new Set(all.map((p) => p[0]))].sort((a, b) => a - b);
  root.addEventListener("mousemove", (event) => {
    if (!stamps.length) return;
    const rect = root.getBoundingClientRect();
    const at = t0 + ((event.clientX - rect.left) / rect.width * width - pad.left) / (width - pad.left - pad.right) * (t1 - t0);
    const nearest = stamps.reduce((best, t) => (Math.abs(t - at) < Math.abs(best - at) ? t : best), stamps[0]);
    cursor.setAttribute("x1", x(nearest));
    cursor.setAttribute("x2", x(nearest));
    cursor.setAttribute("visibility", "visible");
    tip.replaceChildren();
    const head = document.createElement("strong");
    head.textContent = fmtHover(nearest);
    tip.append(head);
    drawn.forEach((s, i) => {
      const point = s.points.find((p) => p[0] === nearest);
      const line = document.createElement("div");
      line.style.setProperty("--c", s.color || COLORS[i % COLORS.length]);
      line.className = "tip-row";
      line.textContent = `${s.label}: ${point ? withUnit(point[2] - point[1], s.unit) : "no data"}`;
      tip.append(line);
    });
    tip.hidden = false;
    const left = event.clientX - rect.left;
    tip.style.left = `${Math.min(left + 12, rect.width - 200)}px`;
    tip.style.top = "4px";
  });
  root.addEventListener("mouseleave", () => { tip.hidden = true; cursor.setAttribute("visibility", "hidden"); });
  return box;
}

/** Every series in the legend, wrapping onto as many lines as it takes (none clipped). */
export function legend(series) {
  const box = document.createElement("div");
  box.className = "legend";
  box.setAttribute("role", "list");
  series.forEach((s, i) => {
    const item = document.createElement("span");
    item.setAttribute("role", "listitem");
    item.style.setProperty("--c", s.color || COLORS[i % COLORS.length]);
    item.textContent = s.label;
    box.append(item);
  });
  return box;
}

/** The AWS console's number widget: one cell per series (label over value), in a grid that wraps. */
export function numbers(series) {
  const grid = document.createElement("div");
  grid.className = "numbers";
  grid.style.setProperty("--n", String(Math.max(1, series.length)));
  for (const s of series) {
    const last = s.points.length ? s.points[s.points.length - 1][1] : null;
    const cell = document.createElement("div");
    cell.className = "number-cell";
    const label = document.createElement("small");
    label.className = "muted";
    label.textContent = s.label;
    const value = document.createElement("div");
    value.className = "number";
    value.dataset.testid = "widget-number";
    value.textContent = last === null ? "—" : String(+last.toFixed(2));
    value.title = last === null ? "no data in the time range" : withUnit(last, s.unit);
    cell.append(label, value);
    grid.append(cell);
  }
  return grid;
}
