// A function's Configuration tab, with the Lambda console's left panel: General configuration (Edit:
// Description, Memory, Timeout), Triggers (function-triggers.js), Permissions, Environment variables and
// Concurrency.
import { call } from "../api.js";
import { h, kv, link, pretty, replace, table } from "../dom.js";
import { alertBox, radios, row } from "../controls.js";
import { href, setParam } from "../nav.js";
import { triggersSection } from "./function-triggers.js";

function editor(box, render, fields, save) {
  const error = alertBox();
  replace(box, h("div", { class: "stack" }, fields), error.el,
    h("div", { class: "toolbar" }, h("button", { type: "button", onclick: render }, "Cancel"),
      h("button", { type: "button", class: "primary", onclick: async () => {
        error.clear();
        try { await save(); render(); } catch (e) { error.show(e); }
      } }, "Save")));
}

function general(box, get, reload) {
  const render = () => {
    const c = get().function.Configuration;
    replace(box, h("div", { class: "toolbar" }, h("h2", { class: "grow" }, "General configuration"),
      h("button", { type: "button", onclick: edit }, "Edit")),
    h("div", { class: "card", testid: "general-configuration" }, kv([
      ["Description", h("span", { testid: "function-description" }, c.Description || "—")],
      ["Memory", h("span", { testid: "function-memory" }, `${c.MemorySize} MB`)],
      ["Ephemeral storage", `${c.EphemeralStorage?.Size ?? 512} MB`],
      ["Timeout", h("span", { testid: "function-timeout" }, `${Math.floor(c.Timeout / 60)} min ${c.Timeout % 60} sec`)],
      ["State", c.State], ["Last modified", c.LastModified],
    ])));
  };
  const edit = () => {
    const c = get().function.Configuration;
    const description = h("input", { size: 50, value: c.Description || "", maxlength: 256 });
    const memory = h("input", { type: "number", min: 128, max: 10240, value: c.MemorySize });
    const timeout = h("input", { type: "number", min: 1, max: 900, value: c.Timeout });
    editor(box, render, [row("Description", description), row("Memory", memory, "MB: 128 to 10240"), row("Timeout", timeout, "seconds: 1 to 900")], async () => {
      await call("lambda", "UpdateFunctionConfiguration", { FunctionName: c.FunctionName, Description: description.value, MemorySize: Number(memory.value), Timeout: Number(timeout.value) });
      await reload();
    });
  };
  render();
}

function environment(box, get, reload) {
  const render = () => {
    const vars = Object.entries(get().function.Configuration.Environment?.Variables || {});
    replace(box, h("div", { class: "toolbar" }, h("h2", { class: "grow" }, `Environment variables (${vars.length})`), h("button", { type: "button", onclick: edit }, "Edit")),
      table([["Key", ([k]) => k], ["Value", ([, v]) => h("span", { class: "mono" }, v)]], vars, { empty: "No environment variables.", testid: "environment-table" }));
  };
  const edit = () => {
    const c = get().function.Configuration;
    const rows = h("div");
    const add = (key = "", value = "") => {
      const n = rows.children.length + 1;
      const k = h("input", { "aria-label": n === 1 ? "Key" : `Key ${n}`, value: key });
      const v = h("input", { "aria-label": n === 1 ? "Value" : `Value ${n}`, value, size: 40 });
      const line = h("div", { class: "toolbar" }, k, v, h("button", { type: "button", onclick: () => line.remove() }, "Remove"));
      rows.append(line);
      return k;
    };
    for (const [k, v] of Object.entries(c.Environment?.Variables || {})) add(k, v);
    editor(box, render, [h("div", { class: "full" }, rows, h("button", { type: "button", onclick: () => add().focus() }, "Add environment variable"))], async () => {
      const Variables = Object.fromEntries([...rows.children].map((l) => [...l.querySelectorAll("input")].map((i) => i.value)).filter(([k]) => k.trim()).map(([k, v]) => [k.trim(), v]));
      await call("lambda", "UpdateFunctionConfiguration", { FunctionName: c.FunctionName, Environment: { Variables } });
      await reload();
    });
  };
  render();
}

function concurrency(box, get, reload) {
  const render = () => {
    const reserved = get().concurrency;
    replace(box, h("div", { class: "toolbar" }, h("h2", { class: "grow" }, "Concurrency"), h("button", { type: "button", onclick: edit }, "Edit")),
      h("div", { class: "card" }, kv([["Function concurrency", h("span", { testid: "reserved-concurrency" }, reserved ?? "Use unreserved account concurrency")]])));
  };
  const edit = () => {
    const name = get().function.Configuration.FunctionName;
    const reserved = get().concurrency;
    const kind = radios("Concurrency", [["unreserved", "Use unreserved account concurrency"], ["reserve", "Reserve concurrency"]], reserved === undefined || reserved === null ? "unreserved" : "reserve");
    const amount = h("input", { type: "number", min: 0, value: reserved ?? "" });
    editor(box, render, [h("div", { class: "full" }, kind.el), row("Reserved concurrency", amount)], async () => {
      if (kind.value() === "reserve") await call("lambda", "PutFunctionConcurrency", { FunctionName: name, ReservedConcurrentExecutions: Number(amount.value) });
      else await call("lambda", "DeleteFunctionConcurrency", { FunctionName: name });
      await reload();
    });
    amount.addEventListener("input", () => kind.set("reserve"));
  };
  render();
}

async function permissions(box, get) {
  const c = get().function.Configuration;
  const roleName = c.Role?.split("/").pop();
  const policy = await call("lambda", "GetPolicy", { FunctionName: c.FunctionName }).catch(() => null);
  const statements = policy ? JSON.parse(policy.Policy).Statement || [] : [];
  replace(box, h("h2", {}, "Execution role"), h("p", {}, "Role name ", link(href("/iam/role", { name: roleName }), roleName, { testid: "function-role" })),
    h("h2", {}, "Resource-based policy statements"), table([
      ["Statement ID", (s) => s.Sid], ["Principal", (s) => (typeof s.Principal === "string" ? s.Principal : Object.values(s.Principal).join(", "))],
      ["Action", (s) => [s.Action].flat().join(", ")],
      ["Conditions", (s) => h("pre", { class: "mono" }, s.Condition ? pretty(s.Condition) : "")],
    ], statements, { empty: "No resource-based policy statements.", testid: "function-policy" }));
}

const SECTIONS = [
  ["general", "General configuration", general], ["triggers", "Triggers", triggersSection],
  ["permissions", "Permissions", permissions], ["environment", "Environment variables", environment],
  ["concurrency", "Concurrency", concurrency],
];

export function configurationTab(panel, get, reload, params) {
  const box = h("div");
  const nav = h("nav", { "aria-label": "Configuration" });
  let current = null;
  let refresh = () => {};
  const show = (id) => {
    const section = SECTIONS.find(([key]) => key === id) || SECTIONS[0];
    current = section[0];
    setParam("section", current);
    for (const b of nav.children) b.setAttribute("aria-current", String(b.dataset.section === current));
    replace(box);
    refresh = section[2](box, get, reload) || (() => {});
  };
  for (const [id, label] of SECTIONS) nav.append(h("button", { type: "button", "data-section": id, onclick: () => show(id) }, label));
  panel.append(h("div", { class: "subnav" }, nav, box));
  show(params.section);
  return () => { if (typeof refresh === "function") refresh(); };
}
