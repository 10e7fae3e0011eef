// CloudWatch metrics for the console: GetMetricData over a time window of the virtual clock, drawn as charts.
import { atTime, call, virtualNow } from "./api.js";
import { legend, timeSeries } from "./chart.js";
import { h, replace } from "./dom.js";

/** A metric spec: {namespace, name, dimensions: {Name: value}, stat, period, label}. */
export function query(spec, id) {
  return {
    Id: id,
    Label: spec.label || spec.name,
    MetricStat: {
      Metric: {
        Namespace: spec.namespace,
        MetricName: spec.name,
        Dimensions: Object.entries(spec.dimensions || {}).map(([Name, Value]) => ({ Name, Value: String(Value) })),
      },
      Period: spec.period || 60,
      Stat: spec.stat || "Sum",
    },
  };
}

/** Fetch series for specs over the last `seconds` of virtual time: [{label, points}]. */
export async function fetchSeries(specs, seconds = 3600) {
  const end = virtualNow() + 60;
  const params = { MetricDataQueries: specs.map((s, i) => s.expression ? { Id: s.id || `e${i}`, Expression: s.expression, Label: s.label, Period: s.period || 60 } : query(s, s.id || `m${i}`)), StartTime: atTime(end - seconds), EndTime: atTime(end), ScanBy: "TimestampAscending" };
  const result = await call("cloudwatch", "GetMetricData", params);
  const byId = new Map((result.MetricDataResults || []).map((r) => [r.Id, r]));
  return specs.map((s, i) => {
    const r = byId.get(s.id || (s.expression ? `e${i}` : `m${i}`)) || { Timestamps: [], Values: [] };
    const points = (r.Timestamps || []).map((t, j) => [Number(t), Number(r.Values[j])]);
    return { label: s.label || r.Label || s.name, points, hidden: s.hidden };
  }).filter((s) => !s.hidden);
}

/** A grid of small charts, one per spec, refreshed by the caller (returns the refresh function). */
export function chartGrid(container, specs, { seconds = 3600 } = {}) {
  const grid = h("div", { class: "charts", testid: "charts" });
  const cells = specs.map((spec) => {
    const body = h("div", {}, h("p", { class: "muted" }, "Loading…"));
    grid.append(h("div", { class: "card" }, h("h3", {}, spec.title || spec.label || spec.name), body));
    return body;
  });
  container.append(grid);
  return async () => {
    try {
      const series = await fetchSeries(specs, seconds);
      const end = virtualNow();
      series.forEach((s, i) => replace(cells[i], timeSeries([s], { start: end - seconds, end, height: 150 }),
        h("small", { class: "muted" }, `${s.points.length} data points`)));
    } catch (error) {
      for (const cell of cells) replace(cell, h("p", { class: "muted" }, `No metrics: ${error.message}`));
    }
  };
}

export { legend };
