// A function's Test tab (test events saved in this browser, invoke with the log tail) and its Monitor tab
// (CloudWatch metrics of AWS/Lambda, View CloudWatch logs, the newest log events).
import { call, decodeBlob, textBlob } from "../api.js";
import { attempt, h, kv, link, pretty, replace } from "../dom.js";
import { row } from "../controls.js";
import { live, refreshAll } from "../live.js";
import { chartGrid } from "../metrics.js";
import { href } from "../nav.js";
import { eventsPanel } from "./logs.js";

const savedKey = (name) => `millpond.testEvents.${name}`;
const loadSaved = (name) => JSON.parse(localStorage.getItem(savedKey(name)) || "{}");

export function testTab(panel, name) {
  const saved = h("select", { testid: "saved-events" });
  const eventName = h("input", { size: 30, maxlength: 25, testid: "event-name" });
  const payload = h("textarea", { testid: "test-payload", rows: 10 });
  payload.value = '{\n  "key1": "value1",\n  "key2": "value2",\n  "key3": "value3"\n}';
  const out = h("div", { testid: "invoke-result" });
  const showSaved = () => {
    const events = loadSaved(name);
    replace(saved, h("option", { value: "" }, "Create new event"), Object.keys(events).map((k) => h("option", { value: k }, k)));
  };
  saved.addEventListener("change", () => { if (saved.value) { payload.value = loadSaved(name)[saved.value]; eventName.value = saved.value; } });
  const save = () => {
    if (!eventName.value.trim()) return;
    localStorage.setItem(savedKey(name), JSON.stringify({ ...loadSaved(name), [eventName.value.trim()]: payload.value }));
    showSaved();
    saved.value = eventName.value.trim();
  };
  const invoke = async () => {
    try { JSON.parse(payload.value); } catch (e) { replace(out, h("p", { class: "error", role: "alert" }, `There is an error in your JSON event. Correct it before saving or testing: ${e.message}`)); return; }
    if (eventName.value.trim()) save();
    replace(out, h("p", { class: "muted" }, "Invoking…"));
    const started = performance.now();
    const result = await attempt(() => call("lambda", "Invoke", { FunctionName: name, Payload: textBlob(payload.value), LogType: "Tail" }));
    const elapsed = performance.now() - started;
    if (!result) { replace(out); return; }
    const logs = result.LogResult ? new TextDecoder().decode(Uint8Array.from(atob(result.LogResult), (c) => c.charCodeAt(0))) : "";
    const reported = /Duration: ([\d.]+) ms/.exec(logs);
    const body = decodeBlob(result.Payload).text ?? "";
    replace(out, h("div", { class: `card ${result.FunctionError ? "alert" : ""}` },
      h("h3", {}, result.FunctionError ? "Executing function: failed" : "Executing function: succeeded"), kv([
        ["Status", h("span", { testid: "invoke-status" }, result.FunctionError ? `${result.StatusCode} (${result.FunctionError})` : result.StatusCode)],
        ["Duration", h("span", { testid: "invoke-duration" }, reported ? `${reported[1]} ms (as reported)` : `${elapsed.toFixed(0)} ms (round trip)`)],
        ["Executed version", result.ExecutedVersion],
      ]), h("h3", {}, "Response"), h("pre", { class: "mono", testid: "invoke-payload" }, pretty(body)),
      h("h3", {}, "Log output"), h("pre", { class: "mono", testid: "invoke-log" }, logs || "(no log output)")));
    refreshAll();
  };
  panel.append(h("div", { class: "card" },
    h("h2", {}, "Test event"),
    h("div", { class: "stack" }, row("Saved event", saved), row("Event name", eventName)),
    h("label", { for: payload.id = "event-json" }, "Event JSON"), payload,
    h("div", { class: "toolbar" }, h("button", { type: "button", onclick: save }, "Save"),
      h("button", { type: "button", class: "primary", onclick: invoke, testid: "invoke" }, "Test"))), out);
  showSaved();
}

export const LAMBDA_METRICS = [
  ["Invocations", "Sum", "Invocations"], ["Errors", "Sum", "Errors"], ["Duration", "Average", "Duration"],
  ["Throttles", "Sum", "Throttles"], ["ConcurrentExecutions", "Maximum", "Concurrent executions"],
  ["IteratorAge", "Maximum", "Iterator age"],
];

export function monitorTab(panel, name) {
  const group = `/aws/lambda/${name}`;
  panel.append(h("div", { class: "toolbar" }, h("h2", { class: "grow" }, "Metrics"),
    link(href("/log-group", { name: group }), "View CloudWatch logs", { class: "button", testid: "log-group-link" })));
  live(chartGrid(panel, LAMBDA_METRICS.map(([metric, stat, title]) => ({ namespace: "AWS/Lambda", name: metric, stat, dimensions: { FunctionName: name }, title: `${title} (${metric}, ${stat})` }))), 10000);
  panel.append(h("h2", {}, "Recent log events"));
  eventsPanel(panel, group, { follow: true });
}
