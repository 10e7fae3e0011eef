// CloudWatch: dashboards drawn from their stored bodies, a metrics explorer, and alarms with history.
import { call } from "../api.js";
import { legend, timeSeries } from "../chart.js";
import { attempt, badge, fmtTime, h, link, replace, table } from "../dom.js";
import { live } from "../live.js";
import { fetchSeries } from "../metrics.js";
import { virtualNow } from "../api.js";
import { href } from "../nav.js";
import { markdown } from "../markdown.js";

export async function dashboards(main) {
  const body = h("div");
  replace(main, h("h1", {}, "Dashboards"), body);
  live(async () => {
    const result = await call("cloudwatch", "ListDashboards", {}).catch((e) => ({ error: e }));
    if (result.error) { replace(body, h("p", { class: "muted" }, `CloudWatch is not available: ${result.error.message}`)); return; }
    replace(body, table([
      ["Name", (d) => link(href("/dashboard", { name: d.DashboardName }), d.DashboardName, { testid: `dashboard-link-${d.DashboardName}` })],
      ["Last modified", (d) => fmtTime(d.LastModified)],
      ["Size (bytes)", (d) => d.Size, { num: true }],
    ], result.DashboardEntries || [], { empty: "No dashboards: create one with aws cloudwatch put-dashboard.", testid: "dashboards-table" }));
  }, 5000);
}

/** Expand a widget's metrics array ("." repeats the item above) into metric specs and expressions. */
export function widgetSpecs(properties) {
  const specs = [];
  let previous = [];
  (properties.metrics || []).forEach((row, i) => {
    const options = row.length && typeof row[row.length - 1] === "object" ? row[row.length - 1] : {};
    const items = options === row[row.length - 1] ? row.slice(0, -1) : row;
    if (!items.length && options.expression) {
      specs.push({ expression: options.expression, id: options.id || `e${i}`, label: options.label || options.expression, period: options.period || properties.period || 300, hidden: options.visible === false });
      return;
    }
    const full = items.map((item, j) => (item === "." ? previous[j] : item));
    previous = full;
    const [namespace, name, ...pairs] = full;
    const dimensions = {};
    for (let j = 0; j + 1 < pairs.length; j += 2) dimensions[pairs[j]] = pairs[j + 1];
    specs.push({
      id: options.id || `m${i}`, namespace, name, dimensions, hidden: options.visible === false,
      stat: options.stat || properties.stat || "Average", period: options.period || properties.period || 300,
      label: options.label || `${name} ${Object.values(dimensions).join(" ")}`.trim(),
    });
  });
  return specs;
}

function metricWidget(body, properties, seconds) {
  const specs = widgetSpecs(properties);
  return async () => {
    try {
      const series = await fetchSeries(specs, seconds);
      const end = virtualNow();
      if (properties.view === "singleValue") {
        replace(body, h("div", { class: "numbers" }, series.map((s) => {
          const last = s.points.length ? s.points[s.points.length - 1][1] : null;
          return h("div", {}, h("div", { class: "number", testid: "widget-number" }, last === null ? "—" : +last.toFixed(2)), h("small", { class: "muted" }, s.label));
        })));
        return;
      }
      const width = Math.max(240, body.clientWidth || 400);
      const height = Math.max(100, (body.clientHeight || 160) - 24);
      replace(body, timeSeries(series, { stacked: Boolean(properties.stacked), start: end - seconds, end, width, height }), legend(series));
    } catch (error) {
      replace(body, h("p", { class: "error" }, error.message));
    }
  };
}

export async function dashboard(main, params) {
  const result = await call("cloudwatch", "GetDashboard", { DashboardName: params.name });
  const parsed = JSON.parse(result.DashboardBody || "{}");
  const seconds = 3 * 3600;
  const grid = h("div", { class: "dash", testid: "dashboard" });
  replace(main, h("div", { class: "toolbar" }, h("h1", { class: "grow", testid: "dashboard-title" }, params.name), h("span", { class: "muted" }, "last 3 hours of virtual time")), grid);
  const refreshers = [];
  for (const widget of parsed.widgets || []) {
    const properties = widget.properties || {};
    const body = h("div", { class: "body" });
    const box = h("section", { class: "widget", testid: `widget-${widget.type}`, "aria-label": properties.title || widget.type },
      properties.title ? h("h3", {}, properties.title) : null, body);
    if (widget.x !== undefined) box.style.gridColumn = `${widget.x + 1} / span ${widget.width || 6}`;
    else box.style.gridColumn = `span ${widget.width || 6}`;
    box.style.gridRow = widget.y !== undefined ? `${widget.y + 1} / span ${widget.height || 6}` : `span ${widget.height || 6}`;
    grid.append(box);
    if (widget.type === "text") body.append(markdown(properties.markdown || ""));
    else if (widget.type === "metric") refreshers.push(metricWidget(body, properties, seconds));
    else if (widget.type === "alarm") refreshers.push(async () => { replace(body, await alarmTable({ AlarmNames: properties.alarms?.map((a) => a.split(":").pop()) })); });
    else body.append(h("p", { class: "muted" }, `${widget.type} widgets are not drawn by millpond's console yet.`));
  }
  live(() => Promise.all(refreshers.map((r) => r())), 10000);
}

async function alarmTable(params = {}) {
  const result = await call("cloudwatch", "DescribeAlarms", params);
  const alarms = [...(result.MetricAlarms || []), ...(result.CompositeAlarms || [])];
  return table([
    ["Alarm", (a) => link(href("/alarms", { name: a.AlarmName }), a.AlarmName)],
    ["State", (a) => badge(a.StateValue, a.StateValue === "OK" ? "ok" : a.StateValue === "ALARM" ? "bad" : "warn")],
    ["Metric", (a) => (a.MetricName ? `${a.Namespace} ${a.MetricName}` : a.AlarmRule || "—")],
    ["Condition", (a) => (a.Threshold !== undefined ? `${a.Statistic || a.ExtendedStatistic || ""} ${a.ComparisonOperator} ${a.Threshold}` : "—")],
    ["Reason", (a) => a.StateReason],
    ["Updated", (a) => fmtTime(a.StateUpdatedTimestamp)],
  ], alarms, { empty: "No alarms.", testid: "alarms-table" });
}

export async function alarms(main, params) {
  const body = h("div");
  const history = h("div");
  replace(main, h("h1", {}, "Alarms"), body, params.name ? [h("h2", {}, `History of ${params.name}`), history] : null);
  live(async () => {
    replace(body, await alarmTable());
    if (params.name) {
      const result = await call("cloudwatch", "DescribeAlarmHistory", { AlarmName: params.name, MaxRecords: 100 });
      replace(history, table([
        ["Time", (item) => fmtTime(item.Timestamp)], ["Type", (item) => item.HistoryItemType], ["Summary", (item) => item.HistorySummary],
      ], result.AlarmHistoryItems || [], { empty: "No history." }));
    }
  }, 5000);
}

export async function metrics(main) {
  const namespace = h("input", { placeholder: "Namespace, e.g. AWS/SQS", "aria-label": "Namespace", testid: "metrics-namespace" });
  const stat = h("select", { "aria-label": "Statistic" }, ["Sum", "Average", "Maximum", "Minimum", "SampleCount", "p99"].map((s) => h("option", { value: s }, s)));
  const period = h("select", { "aria-label": "Period" }, [60, 300, 3600].map((p) => h("option", { value: p }, `${p} s`)));
  const listBox = h("div");
  const chart = h("div", { class: "card" }, h("p", { class: "muted" }, "Choose metrics to graph."));
  const chosen = new Map();
  const draw = async () => {
    if (!chosen.size) return;
    const specs = [...chosen.values()].map((m) => ({ namespace: m.Namespace, name: m.MetricName, dimensions: Object.fromEntries((m.Dimensions || []).map((d) => [d.Name, d.Value])), stat: stat.value, period: Number(period.value), label: `${m.MetricName} ${(m.Dimensions || []).map((d) => d.Value).join(" ")}` }));
    const series = await attempt(() => fetchSeries(specs, 3 * 3600));
    if (series) replace(chart, timeSeries(series, { start: virtualNow() - 3 * 3600, end: virtualNow(), width: 900, height: 260 }), legend(series));
  };
  const load = async () => {
    const params = namespace.value.trim() ? { Namespace: namespace.value.trim() } : {};
    const result = await attempt(() => call("cloudwatch", "ListMetrics", params));
    if (!result) return;
    const key = (m) => JSON.stringify([m.Namespace, m.MetricName, m.Dimensions]);
    replace(listBox, table([
      ["", (m) => h("input", { type: "checkbox", "aria-label": `Graph ${m.MetricName}`, checked: chosen.has(key(m)), onchange: (e) => { if (e.target.checked) chosen.set(key(m), m); else chosen.delete(key(m)); draw(); } })],
      ["Namespace", (m) => m.Namespace], ["Metric", (m) => m.MetricName],
      ["Dimensions", (m) => (m.Dimensions || []).map((d) => `${d.Name}=${d.Value}`).join(", ")],
    ], (result.Metrics || []).slice(0, 500), { empty: "No metrics.", testid: "metrics-table" }));
  };
  namespace.addEventListener("change", load);
  stat.addEventListener("change", draw);
  period.addEventListener("change", draw);
  replace(main, h("h1", {}, "Metrics"), h("div", { class: "toolbar" }, namespace, stat, period, h("button", { type: "button", onclick: load }, "Search")), chart, listBox);
  await load();
  live(draw, 10000);
}
