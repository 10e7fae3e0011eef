// CloudWatch metrics for the console: GetMetricData over a window of the virtual clock, drawn as charts
// with every series in the legend and units on hover.
import { atTime, call, virtualNow } from "./api.js";
import { legend, timeSeries } from "./chart.js";
import { h, replace } from "./dom.js";

const UNITS = [
  [/^AWS\/SQS$/, /AgeOfOldest/, "Seconds"], [/^AWS\/SQS$/, /Size$/, "Bytes"],
  [/^AWS\/Kinesis$/, /Latency|IteratorAge/, "Milliseconds"], [/^AWS\/Kinesis$/, /Bytes/, "Bytes"],
  [/^AWS\/Lambda$/, /Duration|IteratorAge/, "Milliseconds"],
];
/** The unit AWS publishes a metric in (Count unless known otherwise). */
export function unitOf(namespace, name) {
  const found = UNITS.find(([ns, metric]) => ns.test(namespace || "") && metric.test(name || ""));
  return found ? found[2] : namespace?.startsWith("AWS/") ? "Count" : undefined;
}

const PERIODS = [60, 300, 900, 3600, 21600, 86400];
/** The period a window needs to stay within GetMetricData's 1,440 datapoints (as the AWS console adjusts). */
export function periodFor(period, seconds) {
  const floor = seconds / 1440;
  return Math.max(period, PERIODS.find((p) => p >= floor) || 86400);
}

/** A metric spec: {namespace, name, dimensions: {Name: value}, stat, period, label}. */
export function query(spec, id, seconds = 3600) {
  return {
    Id: id,
    Label: spec.label || spec.name,
    MetricStat: {
      Metric: {
        Namespace: spec.namespace,
        MetricName: spec.name,
        Dimensions: Object.entries(spec.dimensions || {}).map(([Name, Value]) => ({ Name, Value: String(Value) })),
      },
      Period: periodFor(spec.period || 60, seconds),
      Stat: spec.stat || "Sum",
    },
  };
}

/** Series for specs over `window`: seconds before virtual now, or {start, end}. [{label, unit, points}]. */
export async function fetchSeries(specs, window = 3600) {
  const { start, end } = typeof window === "number" ? { start: virtualNow() - window, end: virtualNow() + 60 } : window;
  const seconds = end - start;
  const params = {
    MetricDataQueries: specs.map((s, i) => (s.expression
      ? { Id: s.id || `e${i}`, Expression: s.expression, Label: s.label, Period: periodFor(s.period || 60, seconds) }
      : query(s, s.id || `m${i}`, seconds))),
    StartTime: atTime(start), EndTime: atTime(end), ScanBy: "TimestampAscending",
  };
  const result = await call("cloudwatch", "GetMetricData", params);
  const byId = new Map((result.MetricDataResults || []).map((r) => [r.Id, r]));
  return specs.map((s, i) => {
    const r = byId.get(s.id || (s.expression ? `e${i}` : `m${i}`)) || { Timestamps: [], Values: [] };
    const points = (r.Timestamps || []).map((t, j) => [Number(t), Number(r.Values[j])]);
    return { label: s.label || r.Label || s.name, unit: s.unit || unitOf(s.namespace, s.name), points, hidden: s.hidden };
  }).filter((s) => !s.hidden);
}

/**
 * A grid of charts, one per spec ({title, ...spec} or {title, series: [spec, ...]} for several lines in one);
 * `range` is a timeRange control (or {seconds}). Returns the refresh function for live().
 */
export function chartGrid(container, specs, { seconds = 3600, range } = {}) {
  const grid = h("div", { class: "charts", testid: "charts" });
  const cells = specs.map((spec) => {
    const body = h("div", {}, h("p", { class: "muted" }, "Loading…"));
    const title = spec.title || spec.label || spec.name;
    grid.append(h("section", { class: "card chart-card", "aria-label": title, testid: "chart" }, h("h3", {}, title), body));
    return body;
  });
  container.append(grid);
  const groups = specs.map((spec) => spec.series || [spec]);
  return async () => {
    range?.sync?.();
    const window = range ? range.window() : { start: virtualNow() - seconds, end: virtualNow() };
    try {
      const flat = groups.flat();
      const series = await fetchSeries(flat, { start: window.start, end: window.end + 60 });
      let at = 0;
      groups.forEach((group, i) => {
        const mine = series.slice(at, at + group.length);
        at += group.length;
        const count = mine.reduce((n, s) => n + s.points.length, 0);
        replace(cells[i], timeSeries(mine, { start: window.start, end: window.end, height: 150 }), legend(mine),
          h("small", { class: "muted" }, count ? `${count} data points` : "No data available in the time range."));
      });
    } catch (error) {
      for (const cell of cells) replace(cell, h("p", { class: "muted" }, `No metrics: ${error.message}`));
    }
  };
}

export { legend };
