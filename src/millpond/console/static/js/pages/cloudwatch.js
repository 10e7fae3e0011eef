// CloudWatch: the metrics page (browse by namespace and dimension, graph the ticked metrics, create an alarm
// from one) and alarms with their history. Dashboards live in dashboards.js.
import { call } from "../api.js";
import { legend, timeSeries } from "../chart.js";
import { attempt, fmtTime, h, replace, table } from "../dom.js";
import { radios, row, showError, showProblems } from "../forms.js";
import { live } from "../live.js";
import { fetchSeries } from "../metrics.js";
import { go } from "../nav.js";
import { timeRange } from "../timerange.js";
import { alarmTable } from "./dashboard_widgets.js";
import { metricBrowser, metricKey } from "./metric_browser.js";
import { PERIODS, STATISTICS } from "./widget_editor.js";

export { dashboard, dashboards } from "./dashboards.js";

const OPERATORS = [
  ["GreaterThanThreshold", "Greater > threshold"], ["GreaterThanOrEqualToThreshold", "Greater/Equal >= threshold"],
  ["LessThanOrEqualToThreshold", "Lower/Equal <= threshold"], ["LessThanThreshold", "Lower < threshold"],
];

/** "Create alarm" for one metric: statistic, period, threshold type and condition, datapoints, name. */
function alarmForm(metric, onDone) {
  const name = h("input", { size: 40 });
  const description = h("input", { size: 50 });
  const stat = h("select", {}, STATISTICS.map((s) => h("option", { value: s }, s)));
  stat.value = /^Approximate|Age/.test(metric.MetricName) ? "Maximum" : "Sum";
  const period = h("select", {}, PERIODS.filter(([p]) => p >= 10).map(([p, l]) => h("option", { value: p }, l)));
  period.value = "60";
  const operator = radios("Whenever the metric is…", OPERATORS, "GreaterThanOrEqualToThreshold");
  const threshold = h("input", { type: "number", step: "any", size: 10 });
  const evaluation = h("input", { type: "number", min: 1, value: "1", size: 5 });
  const missing = h("select", {}, [["missing", "Treat missing data as missing"], ["notBreaching", "Treat missing data as good (not breaching threshold)"], ["breaching", "Treat missing data as bad (breaching threshold)"], ["ignore", "Treat missing data as ignore (maintain the alarm state)"]].map(([v, l]) => h("option", { value: v }, l)));
  const error = h("div", { class: "error", role: "alert" });
  const form = h("form", { class: "stack", novalidate: true, "aria-label": "Create alarm" },
    h("h2", { class: "full" }, `Create alarm: ${metric.Namespace} ${metric.MetricName} ${(metric.Dimensions || []).map((d) => `${d.Name}=${d.Value}`).join(" ")}`),
    row("Statistic", stat), row("Period", period), operator, row("Threshold value", threshold, { hint: "Define the threshold value." }),
    row("Datapoints to alarm", evaluation, { hint: "Evaluation periods (out of the same number)." }), row("Missing data treatment", missing),
    row("Alarm name", name), row("Alarm description – optional", description),
    h("div", { class: "full toolbar" }, h("button", { type: "submit", class: "primary" }, "Create alarm")), h("div", { class: "full" }, error));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    showError(error, null);
    const problems = [];
    if (!name.value.trim()) problems.push([name, "Alarm name is required."]);
    if (threshold.value === "" || !Number.isFinite(Number(threshold.value))) problems.push([threshold, "Threshold must be a number."]);
    if (!(Number(evaluation.value) >= 1)) problems.push([evaluation, "Datapoints to alarm must be at least 1."]);
    if (!showProblems(form, problems)) return;
    const params = {
      AlarmName: name.value.trim(), Namespace: metric.Namespace, MetricName: metric.MetricName, Dimensions: metric.Dimensions || [],
      Period: Number(period.value), EvaluationPeriods: Number(evaluation.value), DatapointsToAlarm: Number(evaluation.value),
      Threshold: Number(threshold.value), ComparisonOperator: operator.value, TreatMissingData: missing.value,
    };
    if (/^p\d/.test(stat.value)) params.ExtendedStatistic = stat.value; else params.Statistic = stat.value;
    if (description.value.trim()) params.AlarmDescription = description.value.trim();
    try {
      await call("cloudwatch", "PutMetricAlarm", params);
      onDone(params.AlarmName);
    } catch (e) { showError(error, e); }
  });
  return form;
}

export async function alarms(main, params) {
  const body = h("div");
  const history = h("div");
  replace(main, h("div", { class: "toolbar" }, h("h1", { class: "grow" }, "Alarms"), h("a", { class: "button primary", href: "#/metrics", role: "button" }, "Create alarm")),
    h("p", { class: "muted" }, "To create an alarm, choose a metric on the Metrics page, then Create alarm."),
    body, params.name ? [h("h2", {}, `History of ${params.name}`), history] : null);
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
  const chosen = new Map();
  const chart = h("div", { class: "card", testid: "metrics-chart" }, h("p", { class: "muted" }, "Tick metrics below to graph them."));
  const stat = h("select", { "aria-label": "Statistic" }, STATISTICS.map((s) => h("option", { value: s }, s)));
  const period = h("select", { "aria-label": "Period" }, PERIODS.filter(([p]) => p >= 60).map(([p, l]) => h("option", { value: p }, l)));
  period.value = "300";
  const alarmBox = h("div");
  const alarmFor = h("select", { "aria-label": "Metric for the alarm" });
  const draw = async () => {
    replace(alarmFor, [...chosen.entries()].map(([key, m]) => h("option", { value: key }, `${m.MetricName} ${(m.Dimensions || []).map((d) => d.Value).join(" ")}`)));
    if (!chosen.size) { replace(chart, h("p", { class: "muted" }, "Tick metrics below to graph them.")); return; }
    const specs = [...chosen.values()].map((m) => ({ namespace: m.Namespace, name: m.MetricName, dimensions: Object.fromEntries((m.Dimensions || []).map((d) => [d.Name, d.Value])), stat: stat.value, period: Number(period.value), label: `${(m.Dimensions || []).map((d) => d.Value).join(" ")} ${m.MetricName}`.trim() }));
    const window = range.window();
    range.sync();
    const series = await attempt(() => fetchSeries(specs, { start: window.start, end: window.end + 60 }));
    if (series) replace(chart, timeSeries(series, { start: window.start, end: window.end, width: 900, height: 260 }), legend(series));
  };
  const range = timeRange({ seconds: 3 * 3600 }, draw);
  const browser = metricBrowser({
    isChecked: (m) => chosen.has(metricKey(m)),
    onToggle: (m, checked) => { if (checked) chosen.set(metricKey(m), m); else chosen.delete(metricKey(m)); draw(); },
  });
  const createAlarm = () => {
    const metric = chosen.get(alarmFor.value);
    if (!metric) return;
    replace(alarmBox, h("div", { class: "card" }, alarmForm(metric, (name) => go("/alarms", { name }))));
  };
  stat.addEventListener("change", draw);
  period.addEventListener("change", draw);
  replace(main, h("h1", {}, "Metrics"), range, h("div", { class: "toolbar" }, stat, period, alarmFor, h("button", { type: "button", onclick: createAlarm }, "Create alarm")),
    chart, alarmBox, h("h2", {}, "Browse"), browser);
  live(draw, 10000);
}
