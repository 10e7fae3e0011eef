// Drawing a dashboard's widgets from their stored properties: metric widgets (line, stacked area, number),
// text (markdown) and alarm status. Every series is in the legend; numbers wrap in a grid.
import { call } from "../api.js";
import { legend, numbers, timeSeries } from "../chart.js";
import { badge, fmtTime, h, link, replace, table } from "../dom.js";
import { markdown } from "../markdown.js";
import { fetchSeries } from "../metrics.js";
import { href } from "../nav.js";
import { fromRow } from "./widget_editor.js";

/** Expand a widget's metrics array ("." repeats the item above) into metric specs and expressions. */
export function widgetSpecs(properties) {
  const specs = [];
  let previous = [];
  (properties.metrics || []).forEach((row, i) => {
    const { full, options } = fromRow(row, previous);
    if (!full.length && options.expression) {
      specs.push({ expression: options.expression, id: options.id || `e${i}`, label: options.label || options.expression, period: options.period || properties.period || 300, hidden: options.visible === false });
      return;
    }
    previous = full;
    const [namespace, name, ...pairs] = full;
    const dimensions = {};
    for (let j = 0; j + 1 < pairs.length; j += 2) dimensions[pairs[j]] = pairs[j + 1];
    specs.push({
      id: options.id || `m${i}`, namespace, name, dimensions, hidden: options.visible === false,
      stat: options.stat || properties.stat || "Average", period: options.period || properties.period || 300,
      label: options.label || `${Object.values(dimensions).join(" ")} ${name}`.trim(),
    });
  });
  return specs;
}

export async function alarmTable(params = {}) {
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

/** Shrink a number grid's type until every value fits the widget, as AWS's number widgets do. */
function fitNumbers(body, grid) {
  for (let size = 28; size >= 12; size -= 2) {
    grid.style.setProperty("--size", `${size}px`);
    grid.style.setProperty("--min", `${Math.max(70, size * 4)}px`);
    if (grid.scrollHeight <= body.clientHeight + 1 && grid.scrollWidth <= body.clientWidth + 1) return;
  }
}

/** Fill `body` with the widget; returns its refresh(window) for metric and alarm widgets. */
export function drawWidget(widget, body) {
  const properties = widget.properties || {};
  if (widget.type === "text") {
    body.append(markdown(properties.markdown || ""));
    return null;
  }
  if (widget.type === "alarm") {
    return async () => replace(body, await alarmTable({ AlarmNames: properties.alarms?.map((a) => a.split(":").pop()) }));
  }
  if (widget.type !== "metric") {
    body.append(h("p", { class: "muted" }, `${widget.type} widgets are not drawn by millpond's console yet.`));
    return null;
  }
  const specs = widgetSpecs(properties);
  return async (window) => {
    try {
      // setPeriodToTimeRange: one datapoint for the whole range (a number widget's total, not its last minute).
      const whole = Math.ceil((window.end + 60 - window.start) / 60) * 60;
      const used = properties.setPeriodToTimeRange ? specs.map((spec) => ({ ...spec, period: whole })) : specs;
      const series = await fetchSeries(used, { start: window.start, end: window.end + 60 });
      if (properties.view === "singleValue") {
        const grid = numbers(series);
        replace(body, grid);
        fitNumbers(body, grid);
        return;
      }
      const key = legend(series);
      replace(body, key);
      const width = Math.max(240, body.clientWidth || 400);
      const height = Math.max(80, (body.clientHeight || 200) - key.offsetHeight - 6);
      body.prepend(timeSeries(series, { stacked: Boolean(properties.stacked), start: window.start, end: window.end, width, height }));
    } catch (error) {
      replace(body, h("p", { class: "error" }, error.message));
    }
  };
}
