// IAM: roles and users with their attached and inline policies (read-only).
import { view } from "../api.js";
import { fmtTime, h, pretty, replace, table } from "../dom.js";

const policies = (p) => [
  (p.AttachedPolicies || []).map((a) => h("div", {}, h("code", {}, a.PolicyArn))),
  (p.InlinePolicies || []).filter((i) => !i.error).map((i) => h("details", {}, h("summary", {}, `inline: ${i.PolicyName}`), h("pre", {}, pretty(decodeURIComponent(i.PolicyDocument))))),
];

export async function render(main, params) {
  const { roles, users } = await view("iam");
  replace(main, h("h1", {}, "IAM"),
    h("h2", {}, "Roles"), table([
      ["Role", (r) => h("strong", { id: `role-${r.RoleName}` }, r.RoleName)], ["ARN", (r) => h("code", {}, r.Arn)],
      ["Trust policy", (r) => h("details", {}, h("summary", {}, "show"), h("pre", {}, pretty(decodeURIComponent(r.AssumeRolePolicyDocument || ""))))],
      ["Policies", policies], ["Created", (r) => fmtTime(r.CreateDate)],
    ], roles, { empty: "No roles.", testid: "roles-table" }),
    h("h2", {}, "Users"), table([
      ["User", (u) => h("strong", {}, u.UserName)], ["ARN", (u) => h("code", {}, u.Arn)], ["Policies", policies], ["Created", (u) => fmtTime(u.CreateDate)],
    ], users, { empty: "No users.", testid: "users-table" }));
  if (params.role) document.getElementById(`role-${params.role}`)?.scrollIntoView();
}
