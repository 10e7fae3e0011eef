// Browsing metrics as the CloudWatch console does: namespaces (AWS/SQS, AWS/Kinesis, AWS/Lambda, custom)
// -> dimension sets (QueueName, StreamName, FunctionName, ...) -> one row per metric with a checkbox.
import { call } from "../api.js";
import { h, replace } from "../dom.js";

const GROUP_NAMES = {
  "AWS/SQS|QueueName": "Queue Metrics",
  "AWS/Kinesis|StreamName": "Stream Metrics",
  "AWS/Kinesis|ShardId,StreamName": "Shard Metrics",
  "AWS/Lambda|FunctionName": "By Function Name",
  "AWS/Lambda|FunctionName,Resource": "By Resource",
  "AWS/Lambda|": "Across All Functions",
};

export const metricKey = (m) => JSON.stringify([m.Namespace, m.MetricName, [...(m.Dimensions || [])].sort((a, b) => a.Name.localeCompare(b.Name))]);

async function listAll(params) {
  const found = [];
  let token;
  for (let i = 0; i < 20; i++) {
    const page = await call("cloudwatch", "ListMetrics", token ? { ...params, NextToken: token } : params);
    found.push(...(page.Metrics || []));
    token = page.NextToken;
    if (!token) break;
  }
  return found;
}

/**
 * A browser. isChecked(metric) and onToggle(metric, checked) connect it to the caller's selection.
 * Returns the element; .refresh() re-reads ListMetrics.
 */
export function metricBrowser({ isChecked, onToggle }) {
  const box = h("div", { class: "browse", testid: "metric-browser" });
  const crumbs = h("div", { class: "crumbs toolbar", "aria-label": "Browse path" });
  const search = h("input", { type: "search", size: 30, "aria-label": "Search for any metric, dimension or resource id", placeholder: "Search for any metric, dimension or resource id" });
  const body = h("div");
  box.append(crumbs, search, body);
  let all = [];
  let namespace = null;
  let group = null;
  const dimsOf = (m) => (m.Dimensions || []).map((d) => d.Name).sort().join(",");
  const show = () => {
    replace(crumbs, h("button", { type: "button", onclick: () => { namespace = null; group = null; show(); } }, "All metrics"),
      namespace ? [" › ", h("button", { type: "button", onclick: () => { group = null; show(); } }, namespace)] : null,
      group !== null ? [" › ", h("span", {}, GROUP_NAMES[`${namespace}|${group}`] || group || "(no dimensions)")] : null);
    const term = search.value.trim().toLowerCase();
    const matches = (m) => !term || [m.Namespace, m.MetricName, ...(m.Dimensions || []).flatMap((d) => [d.Name, d.Value])].some((t) => String(t).toLowerCase().includes(term));
    if (namespace === null && !term) {
      const namespaces = [...new Set(all.map((m) => m.Namespace))].sort();
      const aws = namespaces.filter((n) => n.startsWith("AWS/"));
      const custom = namespaces.filter((n) => !n.startsWith("AWS/"));
      const card = (n) => h("button", { type: "button", class: "namespace", onclick: () => { namespace = n; show(); } }, n, h("small", { class: "muted" }, ` ${all.filter((m) => m.Namespace === n).length} metrics`));
      replace(body, h("h3", {}, "AWS namespaces"), h("div", { class: "toolbar" }, aws.length ? aws.map(card) : h("span", { class: "muted" }, "None yet.")),
        h("h3", {}, "Custom namespaces"), h("div", { class: "toolbar" }, custom.length ? custom.map(card) : h("span", { class: "muted" }, "None yet.")));
      return;
    }
    if (group === null && !term) {
      const groups = [...new Set(all.filter((m) => m.Namespace === namespace).map(dimsOf))].sort();
      replace(body, h("div", { class: "toolbar" }, groups.map((g) => h("button", { type: "button", class: "namespace", onclick: () => { group = g; show(); } },
        GROUP_NAMES[`${namespace}|${g}`] ? `${GROUP_NAMES[`${namespace}|${g}`]} (${g || "none"})` : g || "(no dimensions)"))));
      return;
    }
    const rows = all.filter((m) => (term ? matches(m) && (!namespace || m.Namespace === namespace) : m.Namespace === namespace && dimsOf(m) === group))
      .sort((a, b) => metricKey(a).localeCompare(metricKey(b)));
    const dimNames = [...new Set(rows.flatMap((m) => (m.Dimensions || []).map((d) => d.Name)))].sort();
    replace(body, h("table", { testid: "browse-table" },
      h("thead", {}, h("tr", {}, h("th", {}, ""), dimNames.map((n) => h("th", { scope: "col" }, n)), h("th", { scope: "col" }, "Metric name"))),
      h("tbody", {}, rows.map((m) => {
        const values = Object.fromEntries((m.Dimensions || []).map((d) => [d.Name, d.Value]));
        const label = `${Object.values(values).join(" ")} ${m.MetricName}`.trim();
        return h("tr", {},
          h("td", {}, h("input", { type: "checkbox", "aria-label": label, checked: isChecked(m), onchange: (e) => onToggle(m, e.target.checked) })),
          dimNames.map((n) => h("td", {}, values[n] ?? "")), h("td", {}, m.MetricName));
      }))), rows.length ? null : h("p", { class: "muted" }, "No metrics match."));
  };
  search.addEventListener("input", show);
  box.refresh = async () => { all = await listAll({}); show(); };
  box.refresh().catch((error) => replace(body, h("p", { class: "error" }, error.message)));
  return box;
}
