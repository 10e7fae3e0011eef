// Functions: the list, and one function: configuration, triggers, test invoke, logs and monitoring.
import { call, textBlob, decodeBlob, view } from "../api.js";
import { attempt, h, kv, link, pretty, replace, table, tabs } from "../dom.js";
import { live, refreshAll } from "../live.js";
import { chartGrid } from "../metrics.js";
import { href, setParam } from "../nav.js";
import { eventsPanel } from "./logs.js";
import { mappingsTable } from "./queue.js";

export async function list(main) {
  const body = h("div");
  replace(main, h("h1", {}, "Functions"), body);
  live(async () => {
    const { functions, mappings } = await view("functions");
    replace(body, table([
      ["Name", (f) => link(href("/function", { name: f.FunctionName }), f.FunctionName, { testid: `function-link-${f.FunctionName}` })],
      ["Runtime", (f) => f.Runtime], ["Handler", (f) => h("code", {}, f.Handler)],
      ["Memory (MB)", (f) => f.MemorySize, { num: true }], ["Timeout (s)", (f) => f.Timeout, { num: true }],
      ["Triggers", (f) => mappings.filter((m) => m.FunctionArn.split(":")[6] === f.FunctionName).length, { num: true }],
      ["Last modified", (f) => f.LastModified],
    ], functions, { empty: "No functions in this account and region.", testid: "functions-table" }));
  }, 5000);
}

function configuration(panel, data) {
  const c = data.function.Configuration;
  const env = Object.entries(c.Environment?.Variables || {});
  panel.append(h("div", { class: "card" }, kv([
    ["ARN", h("span", { class: "mono" }, c.FunctionArn)],
    ["Runtime", c.Runtime], ["Handler", c.Handler], ["Memory (MB)", c.MemorySize], ["Timeout (s)", c.Timeout],
    ["Code size (bytes)", h("span", { testid: "code-size" }, c.CodeSize)], ["Code SHA-256", h("span", { class: "mono" }, c.CodeSha256)],
    ["Role", link(href("/iam", { role: c.Role?.split("/").pop() }), c.Role)],
    ["Reserved concurrency", data.concurrency ?? "unreserved"],
    ["State", c.State], ["Last modified", c.LastModified], ["Version", c.Version],
    ["Architectures", (c.Architectures || []).join(", ")],
  ])), h("h2", {}, "Environment variables"),
  table([["Name", ([k]) => k], ["Value", ([, v]) => h("span", { class: "mono" }, v)]], env, { empty: "No environment variables." }));
}

const savedKey = (name) => `millpond.testEvents.${name}`;
const loadSaved = (name) => JSON.parse(localStorage.getItem(savedKey(name)) || "{}");

function testTab(panel, name) {
  const saved = h("select", { testid: "saved-events", "aria-label": "Saved test events" });
  const eventName = h("input", { placeholder: "event name", size: 16, testid: "event-name" });
  const payload = h("textarea", { testid: "test-payload", rows: 8 }, "");
  payload.value = '{\n  "hello": "world"\n}';
  const out = h("div", { testid: "invoke-result" });
  const showSaved = () => {
    const events = loadSaved(name);
    replace(saved, h("option", { value: "" }, "(saved test events)"), Object.keys(events).map((k) => h("option", { value: k }, k)));
  };
  saved.addEventListener("change", () => { if (saved.value) { payload.value = loadSaved(name)[saved.value]; eventName.value = saved.value; } });
  const save = () => {
    if (!eventName.value.trim()) return;
    localStorage.setItem(savedKey(name), JSON.stringify({ ...loadSaved(name), [eventName.value.trim()]: payload.value }));
    showSaved();
    saved.value = eventName.value.trim();
  };
  const invoke = async () => {
    try { JSON.parse(payload.value); } catch (e) { replace(out, h("p", { class: "error" }, `The payload is not JSON: ${e.message}`)); return; }
    if (eventName.value.trim()) save();
    replace(out, h("p", { class: "muted" }, "Invoking…"));
    const started = performance.now();
    const result = await attempt(() => call("lambda", "Invoke", { FunctionName: name, Payload: textBlob(payload.value), LogType: "Tail" }));
    const elapsed = performance.now() - started;
    if (!result) { replace(out); return; }
    const logs = result.LogResult ? new TextDecoder().decode(Uint8Array.from(atob(result.LogResult), (c) => c.charCodeAt(0))) : "";
    const reported = /Duration: ([\d.]+) ms/.exec(logs);
    const body = decodeBlob(result.Payload).text ?? "";
    replace(out, h("div", { class: "card" }, kv([
      ["Status", h("span", { testid: "invoke-status" }, result.FunctionError ? `${result.StatusCode} (${result.FunctionError})` : result.StatusCode)],
      ["Duration", h("span", { testid: "invoke-duration" }, reported ? `${reported[1]} ms (as reported)` : `${elapsed.toFixed(0)} ms (round trip)`)],
      ["Executed version", result.ExecutedVersion],
    ]), h("h3", {}, "Result"), h("pre", { class: "mono", testid: "invoke-payload" }, pretty(body)),
    h("h3", {}, "Log tail"), h("pre", { class: "mono", testid: "invoke-log" }, logs || "(no log output)")));
    refreshAll();
  };
  panel.append(h("div", { class: "card" },
    h("div", { class: "toolbar" }, saved, eventName, h("button", { type: "button", onclick: save }, "Save event")),
    payload,
    h("div", { class: "toolbar" }, h("button", { type: "button", class: "primary", onclick: invoke, testid: "invoke" }, "Invoke"))), out);
  showSaved();
}

export async function detail(main, params) {
  const name = params.name;
  let data = await view("function", { name });
  const updaters = [];
  replace(main, h("h1", { testid: "function-title" }, name), tabs([
    ["configuration", "Configuration", (p) => configuration(p, data)],
    ["triggers", "Triggers", (p) => {
      const box = h("div");
      p.append(box);
      const update = () => replace(box, mappingsTable(data.mappings, { onChange: refreshAll, showFunction: false, showSource: true }));
      update();
      updaters.push(update);
    }],
    ["test", "Test", (p) => testTab(p, name)],
    ["logs", "Logs", (p) => {
      p.append(h("p", {}, link(href("/log-group", { name: `/aws/lambda/${name}` }), `/aws/lambda/${name}`, { testid: "log-group-link" })));
      eventsPanel(p, `/aws/lambda/${name}`, { follow: true });
    }],
    ["monitoring", "Monitoring", (p) => live(chartGrid(p, ["Invocations", "Errors", "Duration", "Throttles", "ConcurrentExecutions"].map((m) => ({ namespace: "AWS/Lambda", name: m, stat: m === "Duration" ? "Average" : m === "ConcurrentExecutions" ? "Maximum" : "Sum", dimensions: { FunctionName: name }, title: m }))), 10000)],
  ], params.tab, (tab) => { setParam("tab", tab); updaters.length = 0; }));
  live(async () => {
    data = await view("function", { name });
    for (const update of updaters) update();
  }, 2000);
}

