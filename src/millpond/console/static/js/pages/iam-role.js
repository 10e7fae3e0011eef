// One IAM role: Summary, Permissions (Add permissions -> Attach policies / Create inline policy; Remove),
// Trust relationships and Tags; Delete. The attach and inline-policy pages are here too.
import { call } from "../api.js";
import { confirmDialog, fmtTime, h, kv, link, pretty, replace, table, tabs, toast } from "../dom.js";
import { alertBox, checkbox, labelOf, menuButton, row } from "../controls.js";
import { go, href, setParam } from "../nav.js";
import { deleteRole } from "./iam.js";

async function load(name) {
  const { Role } = await call("iam", "GetRole", { RoleName: name });
  const { AttachedPolicies = [] } = await call("iam", "ListAttachedRolePolicies", { RoleName: name });
  const { PolicyNames = [] } = await call("iam", "ListRolePolicies", { RoleName: name });
  const inline = [];
  for (const policyName of PolicyNames) inline.push(await call("iam", "GetRolePolicy", { RoleName: name, PolicyName: policyName }));
  return { role: Role, attached: AttachedPolicies, inline };
}

export async function detail(main, params) {
  const name = params.name;
  const data = await load(name);
  const error = alertBox();
  const rerender = () => detail(main, { ...params, tab: "permissions" });
  const remove = async (policy) => {
    error.clear();
    const what = policy.PolicyArn ? "detached from" : "deleted from";
    if (!(await confirmDialog(`Remove ${policy.PolicyName}? The policy is ${what} the role ${name}.`, "Remove policy"))) return;
    try {
      if (policy.PolicyArn) await call("iam", "DetachRolePolicy", { RoleName: name, PolicyArn: policy.PolicyArn });
      else await call("iam", "DeleteRolePolicy", { RoleName: name, PolicyName: policy.PolicyName });
      toast(`Policy ${policy.PolicyName} removed`);
      rerender();
    } catch (e) { error.show(e); }
  };
  const rows = [
    ...data.attached.map((p) => ({ ...p, type: p.PolicyArn.startsWith("arn:aws:iam::aws:") ? "AWS managed" : "Customer managed" })),
    ...data.inline.map((p) => ({ PolicyName: p.PolicyName, type: "Customer inline", document: p.PolicyDocument })),
  ];
  const permissions = (panel) => panel.append(
    h("div", { class: "toolbar" }, h("h2", { class: "grow" }, `Permissions policies (${rows.length})`),
      menuButton("Add permissions", [
        ["Attach policies", () => go("/iam/role/attach", { name })],
        ["Create inline policy", () => go("/iam/role/inline", { name })],
      ])),
    table([
      ["Policy name", (p) => (p.document ? h("details", {}, h("summary", {}, p.PolicyName), h("pre", { class: "mono" }, pretty(decodeURIComponent(p.document)))) : h("span", {}, p.PolicyName))],
      ["Type", (p) => p.type],
      ["", (p) => h("button", { type: "button", "aria-label": `Remove ${p.PolicyName}`, onclick: () => remove(p) }, "Remove")],
    ], rows, { empty: "No permissions policies.", testid: "role-policies" }));
  const trust = (panel) => panel.append(h("h2", {}, "Trusted entities"),
    h("pre", { class: "card mono", testid: "trust-policy" }, pretty(decodeURIComponent(data.role.AssumeRolePolicyDocument || ""))));
  const tagsTab = (panel) => panel.append(table([["Key", (t) => t.Key], ["Value", (t) => t.Value]], data.role.Tags || [], { empty: "No tags.", testid: "role-tags" }));
  replace(main,
    h("div", { class: "toolbar" }, h("h1", { class: "grow", testid: "role-title" }, name),
      h("button", { type: "button", class: "danger", onclick: async () => { if (await deleteRole(name)) go("/iam"); } }, "Delete")),
    h("div", { class: "card" }, kv([
      ["ARN", h("span", { class: "mono", testid: "role-arn" }, data.role.Arn)],
      ["Description", h("span", { testid: "role-description" }, data.role.Description || "—")],
      ["Creation date", fmtTime(data.role.CreateDate)],
      ["Maximum session duration", `${(data.role.MaxSessionDuration || 3600) / 3600} hour(s)`],
    ])),
    error.el,
    tabs([["permissions", "Permissions", permissions], ["trust", "Trust relationships", trust], ["tags", "Tags", tagsTab]],
      params.tab, (tab) => setParam("tab", tab)));
}

export async function attach(main, params) {
  const name = params.name;
  const { AttachedPolicies = [] } = await call("iam", "ListAttachedRolePolicies", { RoleName: name });
  const have = new Set(AttachedPolicies.map((p) => p.PolicyArn));
  const listed = (await call("iam", "ListPolicies", { MaxItems: 1000 })).Policies || [];
  const chosen = new Set();
  const filter = h("input", { type: "search", "aria-label": "Filter policies by property or policy name", placeholder: "Search" });
  const list = h("div");
  const error = alertBox();
  const show = () => {
    const term = filter.value.trim().toLowerCase();
    replace(list, table([
      ["Policy name", (p) => { const box = checkbox(p.PolicyName, chosen.has(p.Arn)); box.addEventListener("change", () => (box.checked ? chosen.add(p.Arn) : chosen.delete(p.Arn))); return labelOf(box); }],
      ["Type", (p) => (p.Arn.startsWith("arn:aws:iam::aws:") ? "AWS managed" : "Customer managed")],
    ], listed.filter((p) => !have.has(p.Arn) && p.PolicyName.toLowerCase().includes(term)), { empty: "No other policies.", testid: "policies-table" }));
  };
  filter.addEventListener("input", show);
  show();
  const add = async () => {
    error.clear();
    try {
      for (const arn of chosen) await call("iam", "AttachRolePolicy", { RoleName: name, PolicyArn: arn });
      toast(`Policies attached to ${name}`);
      go("/iam/role", { name });
    } catch (e) { error.show(e); }
  };
  replace(main, h("h1", {}, `Attach policy to ${name}`), h("div", { class: "toolbar" }, filter), list, error.el,
    h("div", { class: "toolbar" }, link(href("/iam/role", { name }), "Cancel", { class: "button" }),
      h("button", { type: "button", class: "primary", onclick: add }, "Add permissions")));
}

export function inline(main, params) {
  const name = params.name;
  const editor = h("textarea", { rows: 18, "aria-label": "Policy editor", spellcheck: "false" });
  editor.value = pretty({ Version: "2012-10-17", Statement: [{ Sid: "Statement1", Effect: "Allow", Action: [], Resource: [] }] });
  const policyName = h("input", { size: 40, maxlength: 128 });
  const error = alertBox();
  const syntax = h("p", { class: "muted", testid: "json-status", "aria-live": "polite" });
  const check = () => {
    try { JSON.parse(editor.value); syntax.textContent = "JSON is valid."; syntax.className = "muted"; return true; } catch (e) { syntax.textContent = `JSON syntax error: ${e.message}`; syntax.className = "error"; return false; }
  };
  editor.addEventListener("input", check);
  const review = h("pre", { class: "mono" });
  const stepOne = h("div", {},
    h("h2", {}, "Step 1: Specify permissions"),
    h("div", { class: "tabs", role: "tablist" }, h("button", { type: "button", role: "tab", "aria-selected": "true" }, "JSON")),
    h("div", { class: "card" }, editor, syntax),
    h("div", { class: "toolbar" }, link(href("/iam/role", { name }), "Cancel", { class: "button" }),
      h("button", { type: "button", class: "primary", onclick: () => { error.clear(); if (check()) { review.textContent = pretty(editor.value); stepOne.hidden = true; stepTwo.hidden = false; policyName.focus(); } } }, "Next")));
  const stepTwo = h("div", { hidden: true },
    h("h2", {}, "Step 2: Review and create"),
    h("div", { class: "card stack" }, row("Policy name", policyName, "Maximum 128 characters. Use alphanumeric and '+=,.@-_' characters.")),
    h("h3", {}, "Permissions defined in this policy"), review,
    h("div", { class: "toolbar" }, h("button", { type: "button", onclick: () => { stepTwo.hidden = true; stepOne.hidden = false; } }, "Previous"),
      h("button", { type: "button", class: "primary", onclick: async () => {
        error.clear();
        try {
          await call("iam", "PutRolePolicy", { RoleName: name, PolicyName: policyName.value.trim(), PolicyDocument: editor.value });
          toast(`Policy ${policyName.value.trim()} created`);
          go("/iam/role", { name });
        } catch (e) { error.show(e); }
      } }, "Create policy")));
  replace(main, h("h1", {}, `Create inline policy for ${name}`), stepOne, stepTwo, error.el);
  check();
}
