// "Add widget" on a dashboard, as the CloudWatch console walks it: pick Line, Stacked area, Number or Text;
// for metrics, browse (namespace -> dimensions -> tick metrics), then on Graphed metrics set each metric's
// label, statistic and period; name the widget and "Create widget". The result is a widget in AWS's
// dashboard body structure ({type, width, height, properties: {view, stacked, metrics, title, ...}}).
import { h, replace } from "../dom.js";
import { radios } from "../forms.js";
import { metricBrowser, metricKey } from "./metric_browser.js";

export const STATISTICS = ["Average", "Minimum", "Maximum", "Sum", "SampleCount", "p99", "p95", "p90", "p50"];
export const PERIODS = [[1, "1 second"], [10, "10 seconds"], [60, "1 minute"], [300, "5 minutes"], [900, "15 minutes"], [3600, "1 hour"], [21600, "6 hours"], [86400, "1 day"]];
const TYPES = [["line", "Line"], ["stacked", "Stacked area"], ["number", "Number"], ["text", "Text"]];

/** Expand a metrics row of a dashboard body into {namespace, name, dimensions, options}. */
export function fromRow(row, previous = []) {
  const last = row[row.length - 1];
  const options = last && typeof last === "object" && !Array.isArray(last) ? last : {};
  const items = options === last ? row.slice(0, -1) : row;
  const full = items.map((item, j) => (item === "." ? previous[j] : item));
  return { full, options };
}

/** The widget's metrics rows, in AWS's form: [ns, name, dim, value, ..., {stat, period, label}]. */
function toRows(graphed, defaults) {
  return graphed.map((g) => {
    const row = [g.metric.Namespace, g.metric.MetricName, ...(g.metric.Dimensions || []).flatMap((d) => [d.Name, d.Value])];
    const options = {};
    if (g.stat !== defaults.stat) options.stat = g.stat;
    if (g.period !== defaults.period) options.period = g.period;
    if (g.label) options.label = g.label;
    return Object.keys(options).length ? [...row, options] : row;
  });
}

/** Open the editor; resolves to the new widget, or null when cancelled. `existing` edits a widget. */
export function editWidget(region, existing) {
  return new Promise((resolve) => {
    const props = existing?.properties || {};
    const startType = existing ? (existing.type === "text" ? "text" : props.view === "singleValue" ? "number" : props.stacked ? "stacked" : "line") : "line";
    const type = radios("Widget type", TYPES.map(([v, l]) => [v, l]), startType);
    const title = h("input", { size: 40, "aria-label": "Widget title", value: props.title || "" });
    const markdown = h("textarea", { rows: 8, "aria-label": "Markdown", value: props.markdown || "# Title\nSome **markdown** text." });
    const graphed = [];
    const byKey = new Map();
    let previous = [];
    for (const row of props.metrics || []) {
      const { full, options } = fromRow(row, previous);
      previous = full;
      const [Namespace, MetricName, ...pairs] = full;
      const Dimensions = [];
      for (let j = 0; j + 1 < pairs.length; j += 2) Dimensions.push({ Name: pairs[j], Value: pairs[j + 1] });
      const entry = { metric: { Namespace, MetricName, Dimensions }, stat: options.stat || props.stat || "Average", period: options.period || props.period || 300, label: options.label || "" };
      graphed.push(entry);
      byKey.set(metricKey(entry.metric), entry);
    }
    const graphedBox = h("div", { testid: "graphed-metrics" });
    const count = h("span", { class: "badge", testid: "graphed-count" });
    const showGraphed = () => {
      count.textContent = String(graphed.length);
      if (!graphed.length) { replace(graphedBox, h("p", { class: "muted" }, "No metrics graphed yet: tick metrics on the Browse tab.")); return; }
      replace(graphedBox, h("table", {},
        h("thead", {}, h("tr", {}, ["Label", "Details", "Statistic", "Period", ""].map((t) => h("th", { scope: "col" }, t)))),
        h("tbody", {}, graphed.map((g) => {
          const name = `${(g.metric.Dimensions || []).map((d) => d.Value).join(" ")} ${g.metric.MetricName}`.trim();
          const label = h("input", { size: 24, "aria-label": `Label for ${name}`, value: g.label, placeholder: g.metric.MetricName, oninput: (e) => { g.label = e.target.value; } });
          const stat = h("select", { "aria-label": `Statistic for ${name}`, onchange: (e) => { g.stat = e.target.value; } }, STATISTICS.map((s) => h("option", { value: s }, s)));
          stat.value = g.stat;
          const period = h("select", { "aria-label": `Period for ${name}`, onchange: (e) => { g.period = Number(e.target.value); } }, PERIODS.map(([p, l]) => h("option", { value: p }, l)));
          period.value = String(g.period);
          const remove = h("button", { type: "button", "aria-label": `Remove ${name}`, onclick: () => { graphed.splice(graphed.indexOf(g), 1); byKey.delete(metricKey(g.metric)); showGraphed(); } }, "Remove");
          return h("tr", {}, h("td", {}, label), h("td", { class: "mono" }, `${g.metric.Namespace} • ${g.metric.MetricName} • ${(g.metric.Dimensions || []).map((d) => `${d.Name}: ${d.Value}`).join(", ")}`), h("td", {}, stat), h("td", {}, period), h("td", {}, remove));
        }))));
    };
    const browser = metricBrowser({
      isChecked: (m) => byKey.has(metricKey(m)),
      onToggle: (m, checked) => {
        const key = metricKey(m);
        if (checked && !byKey.has(key)) {
          const entry = { metric: m, stat: /^(Approximate|Concurrent|IteratorAge|Duration)/.test(m.MetricName) ? "Average" : "Sum", period: 300, label: "" };
          graphed.push(entry);
          byKey.set(key, entry);
        } else if (!checked && byKey.has(key)) {
          graphed.splice(graphed.indexOf(byKey.get(key)), 1);
          byKey.delete(key);
        }
        showGraphed();
      },
    });
    const browsePanel = h("div", { role: "tabpanel", "aria-label": "Browse" }, browser);
    const graphedPanel = h("div", { role: "tabpanel", "aria-label": "Graphed metrics", hidden: true }, graphedBox);
    const tab = (label, panel, other, extra) => h("button", { type: "button", role: "tab", "aria-selected": String(!panel.hidden), onclick: (e) => {
      panel.hidden = false; other.hidden = true;
      for (const b of e.target.closest("[role=tablist]").children) b.setAttribute("aria-selected", String(b === e.target.closest("button")));
      if (panel === graphedPanel) showGraphed();
    } }, label, extra);
    const metricsPart = h("div", {}, h("div", { class: "tabs", role: "tablist" }, tab("Browse", browsePanel, graphedPanel), tab("Graphed metrics ", graphedPanel, browsePanel, count)), browsePanel, graphedPanel);
    const textPart = h("div", {}, h("label", {}, "Markdown ", markdown));
    const problem = h("p", { class: "error", role: "alert" });
    const showType = () => { textPart.hidden = type.value !== "text"; metricsPart.hidden = type.value === "text"; };
    type.addEventListener("change", showType);
    const finish = () => {
      if (type.value === "text") {
        dialog.close();
        resolve({ type: "text", width: existing?.width || 24, height: existing?.height || 3, x: existing?.x, y: existing?.y, properties: { markdown: markdown.value } });
        return;
      }
      if (!graphed.length) { problem.textContent = "Add at least one metric to the widget."; return; }
      const defaults = { stat: graphed[0].stat, period: graphed[0].period };
      const properties = {
        view: type.value === "number" ? "singleValue" : "timeSeries",
        stacked: type.value === "stacked",
        metrics: toRows(graphed, defaults),
        region,
        title: title.value.trim() || (type.value === "number" ? "Untitled number" : "Untitled graph"),
        period: defaults.period,
        stat: defaults.stat,
      };
      if (properties.view === "singleValue") {
        delete properties.stacked;
        properties.setPeriodToTimeRange = true;  // the value over the dashboard's time range
      }
      dialog.close();
      resolve({ type: "metric", width: existing?.width || (type.value === "number" ? 12 : 12), height: existing?.height || 6, x: existing?.x, y: existing?.y, properties });
    };
    const dialog = h("dialog", { class: "widget-editor", "aria-label": existing ? "Edit widget" : "Add widget", testid: "widget-editor" },
      h("h2", {}, existing ? "Edit widget" : "Add widget"), type,
      h("label", {}, "Widget title ", title),
      metricsPart, textPart, problem,
      h("div", { class: "toolbar" },
        h("button", { type: "button", onclick: () => { dialog.close(); } }, "Cancel"),
        h("button", { type: "button", class: "primary", onclick: finish }, existing ? "Update widget" : "Create widget")));
    dialog.addEventListener("close", () => { dialog.remove(); resolve(null); });
    document.body.append(dialog);
    showType();
    showGraphed();
    dialog.showModal();
  });
}
