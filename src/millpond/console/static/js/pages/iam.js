// IAM: the Roles list (Create role, Delete) and the users with their policies. One role's page is in
// iam-role.js, the Create role wizard in iam-create.js.
import { call, view } from "../api.js";
import { fmtTime, h, link, pretty, replace, table } from "../dom.js";
import { confirmTyped } from "../controls.js";
import { go, href } from "../nav.js";

const policies = (p) => [
  (p.AttachedPolicies || []).map((a) => h("div", {}, h("code", {}, a.PolicyArn))),
  (p.InlinePolicies || []).filter((i) => !i.error).map((i) => h("details", {}, h("summary", {}, `inline: ${i.PolicyName}`), h("pre", {}, pretty(decodeURIComponent(i.PolicyDocument))))),
];

/** The trusted entities of a trust policy, as the Roles list shows them ("AWS Service: lambda"). */
export function trustedEntities(document) {
  let parsed;
  try { parsed = JSON.parse(decodeURIComponent(document || "")); } catch { return "—"; }
  const out = [];
  for (const statement of [parsed.Statement].flat().filter(Boolean)) {
    for (const [kind, value] of Object.entries(statement.Principal || {})) {
      for (const v of [value].flat()) out.push(kind === "Service" ? `AWS Service: ${String(v).replace(/\.amazonaws\.com$/, "")}` : `${kind}: ${v}`);
    }
  }
  return out.join(", ") || "—";
}

/** Delete a role the way the IAM console asks: type its name; AWS's DeleteConflict shows in the dialog. */
export const deleteRole = (name) => confirmTyped({
  title: `Delete ${name}?`,
  message: "The role is deleted permanently. Detach or delete its policies first: IAM refuses to delete a role that still has them.",
  expected: name,
  action: () => call("iam", "DeleteRole", { RoleName: name }),
});

export async function render(main, params) {
  if (params.role) { go("/iam/role", { name: params.role }); return; }
  const { roles, users } = await view("iam");
  const filter = h("input", { type: "search", "aria-label": "Search roles", placeholder: "Search" });
  const box = h("div");
  const show = () => {
    const term = filter.value.trim().toLowerCase();
    replace(box, table([
      ["Role name", (r) => link(href("/iam/role", { name: r.RoleName }), r.RoleName, { testid: `role-link-${r.RoleName}` })],
      ["Trusted entities", (r) => trustedEntities(r.AssumeRolePolicyDocument)],
      ["Policies", policies], ["Created", (r) => fmtTime(r.CreateDate)],
      ["", (r) => h("button", { type: "button", class: "danger", "aria-label": `Delete role ${r.RoleName}`, onclick: async () => { if (await deleteRole(r.RoleName)) render(main, {}); } }, "Delete")],
    ], roles.filter((r) => r.RoleName.toLowerCase().includes(term)), { empty: "No roles.", testid: "roles-table" }));
  };
  filter.addEventListener("input", show);
  show();
  replace(main, h("div", { class: "toolbar" }, h("h1", { class: "grow" }, "Roles"),
    link(href("/iam/roles/new"), "Create role", { class: "button primary" })),
  h("div", { class: "toolbar" }, filter), box,
  h("h2", {}, "Users"), table([
    ["User", (u) => h("strong", {}, u.UserName)], ["ARN", (u) => h("code", {}, u.Arn)], ["Policies", policies], ["Created", (u) => fmtTime(u.CreateDate)],
  ], users, { empty: "No users.", testid: "users-table" }));
}
