// Functions: the list (Create function, Delete), and one function's page in the Lambda console's tabs:
// Code (function-code.js), Test and Monitor (function-test.js), Configuration (function-config.js).
import { call, view } from "../api.js";
import { h, link, replace, table, tabs } from "../dom.js";
import { confirmTyped } from "../controls.js";
import { live, refreshAll } from "../live.js";
import { go, href, setParam } from "../nav.js";
import { codeTab } from "./function-code.js";
import { configurationTab } from "./function-config.js";
import { monitorTab, testTab } from "./function-test.js";

/** Delete a function as the Lambda console asks: type "delete". */
export const deleteFunction = (name) => confirmTyped({
  title: `Delete function ${name}`,
  message: "Deleting a function permanently removes the function code. The related logs and roles are retained in your account.",
  expected: "delete",
  prompt: "To confirm deletion, type \"delete\" in the field.",
  action: () => call("lambda", "DeleteFunction", { FunctionName: name }),
});

export async function list(main) {
  const body = h("div");
  replace(main, h("div", { class: "toolbar" }, h("h1", { class: "grow" }, "Functions"),
    link(href("/functions/new"), "Create function", { class: "button primary" })), body);
  live(async () => {
    const { functions, mappings } = await view("functions");
    replace(body, table([
      ["Function name", (f) => link(href("/function", { name: f.FunctionName }), f.FunctionName, { testid: `function-link-${f.FunctionName}` })],
      ["Description", (f) => f.Description || ""],
      ["Runtime", (f) => f.Runtime], ["Handler", (f) => h("code", {}, f.Handler)],
      ["Memory (MB)", (f) => f.MemorySize, { num: true }], ["Timeout (s)", (f) => f.Timeout, { num: true }],
      ["Triggers", (f) => mappings.filter((m) => m.FunctionArn.split(":")[6] === f.FunctionName).length, { num: true }],
      ["Last modified", (f) => f.LastModified],
      ["", (f) => h("button", { type: "button", class: "danger", "aria-label": `Delete function ${f.FunctionName}`, onclick: async () => { if (await deleteFunction(f.FunctionName)) refreshAll(); } }, "Delete")],
    ], functions, { empty: "No functions in this account and region.", testid: "functions-table" }));
  }, 5000);
}

export async function detail(main, params) {
  const name = params.name;
  let data = await view("function", { name });
  const get = () => data;
  const updaters = [];
  const reload = async () => {
    data = await view("function", { name });
    for (const update of updaters) update();
  };
  replace(main,
    h("div", { class: "toolbar" }, h("h1", { class: "grow", testid: "function-title" }, name),
      h("button", { type: "button", class: "danger", onclick: async () => { if (await deleteFunction(name)) go("/functions"); } }, "Delete")),
    h("p", { class: "muted mono", testid: "function-arn" }, data.function.Configuration.FunctionArn),
    tabs([
      ["code", "Code", (p) => updaters.push(codeTab(p, get, reload))],
      ["test", "Test", (p) => testTab(p, name)],
      ["monitor", "Monitor", (p) => monitorTab(p, name)],
      ["configuration", "Configuration", (p) => updaters.push(configurationTab(p, get, reload, params))],
    ], params.tab, (tab) => { setParam("tab", tab); updaters.length = 0; }));
  live(reload, 3000);
}
