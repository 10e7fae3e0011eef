// IAM Create role, in the console's three steps: Select trusted entity (AWS service and its use case, an
// AWS account, or a custom trust policy), Add permissions (search and select managed policies), and
// Name, review, and create.
import { call, state } from "../api.js";
import { h, pretty, replace, table } from "../dom.js";
import { alertBox, checkbox, labelOf, radios, row, select, tagEditor } from "../controls.js";
import { go, href } from "../nav.js";

/** Service or use case -> the service principal the trust policy names. */
export const SERVICES = [
  ["lambda.amazonaws.com", "Lambda"],
  ["apigateway.amazonaws.com", "API Gateway"],
  ["ec2.amazonaws.com", "EC2"],
  ["states.amazonaws.com", "Step Functions"],
  ["events.amazonaws.com", "EventBridge"],
];

export const trustPolicy = (principal) => ({
  Version: "2012-10-17",
  Statement: [{ Effect: "Allow", Principal: { Service: principal }, Action: "sts:AssumeRole" }],
});

export async function create(main) {
  const { Policies = [] } = await call("iam", "ListPolicies", { Scope: "AWS", MaxItems: 1000 });
  const local = (await call("iam", "ListPolicies", { Scope: "Local", MaxItems: 1000 })).Policies || [];
  const all = [...Policies.map((p) => ({ ...p, type: "AWS managed" })), ...local.map((p) => ({ ...p, type: "Customer managed" }))];
  const chosen = new Set();
  const steps = ["Select trusted entity", "Add permissions", "Name, review, and create"];
  let step = 0;

  // Step 1: the trusted entity.
  const kind = radios("Trusted entity type", [
    ["service", "AWS service", "Allow AWS services like Lambda to perform actions in this account."],
    ["account", "AWS account", "Allow entities in other AWS accounts belonging to you or a 3rd party to perform actions in this account."],
    ["custom", "Custom trust policy", "Create a custom trust policy to enable others to perform actions in this account."],
  ], "service");
  const service = select([["", "Choose a service or use case"], ...SERVICES], "");
  const useCaseBox = h("div");
  const custom = h("textarea", { rows: 10, "aria-label": "Custom trust policy" });
  custom.value = pretty(trustPolicy("lambda.amazonaws.com"));
  const serviceBox = h("div", {}, h("div", { class: "stack" }, row("Service or use case", service)), useCaseBox);
  const customBox = h("div", { hidden: true }, custom);
  const { account: here } = await state();
  const whose = radios("An AWS account", [["this", `This account (${here})`], ["other", "Another AWS account"]], "this");
  const otherId = h("input", { size: 14, maxlength: 12, inputmode: "numeric" });
  const accountBox = h("div", { hidden: true }, whose.el, h("div", { class: "stack" }, row("Account ID", otherId, "Identifier of the account that can use this role")));
  const accountId = () => (whose.value() === "this" ? here : otherId.value.trim());
  let picked = "";
  service.addEventListener("change", () => {
    const entry = SERVICES.find(([v]) => v === service.value);
    picked = "";
    if (!entry) { replace(useCaseBox); return; }
    const group = radios("Use case", [[entry[0], entry[1], `Allows ${entry[1]} to call AWS services on your behalf.`]], "");
    group.onChange((v) => { picked = v; });
    replace(useCaseBox, group.el);
  });
  kind.onChange((v) => { serviceBox.hidden = v !== "service"; accountBox.hidden = v !== "account"; customBox.hidden = v !== "custom"; });

  // Step 2: permissions policies.
  const filter = h("input", { type: "search", "aria-label": "Filter policies by property or policy name", placeholder: "Search" });
  const list = h("div");
  const count = h("span", { class: "muted", testid: "selected-count", "aria-live": "polite" }, "0 selected");
  const counted = () => { count.textContent = `${chosen.size} selected`; };
  const showPolicies = () => {
    const term = filter.value.trim().toLowerCase();
    replace(list, table([
      ["", (p) => { const box = checkbox(p.PolicyName, chosen.has(p.Arn), { "data-arn": p.Arn }); box.addEventListener("change", () => { if (box.checked) chosen.add(p.Arn); else chosen.delete(p.Arn); counted(); }); return labelOf(box); }],
      ["Type", (p) => p.type], ["Attached entities", (p) => p.AttachmentCount ?? 0, { num: true }],
    ], all.filter((p) => p.PolicyName.toLowerCase().includes(term)), { empty: "No policies match.", testid: "policies-table" }));
  };
  filter.addEventListener("input", showPolicies);
  showPolicies();

  // Step 3: name, review, create.
  const name = h("input", { size: 40, maxlength: 64 });
  const description = h("textarea", { rows: 2, maxlength: 1000 });
  const tags = tagEditor();
  const review = h("div");
  const error = alertBox();

  const trust = () => {
    if (kind.value() === "custom") return JSON.parse(custom.value);
    if (kind.value() === "account") return { Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { AWS: `arn:aws:iam::${accountId()}:root` }, Action: "sts:AssumeRole" }] };
    return trustPolicy(picked);
  };
  const panels = [
    h("div", { class: "card" }, kind.el, serviceBox, accountBox, customBox),
    h("div", { class: "card" }, h("h2", {}, `Permissions policies (${all.length})`), h("div", { class: "toolbar" }, filter, count), list),
    h("div", { class: "card" }, h("h2", {}, "Role details"), h("div", { class: "stack" },
      row("Role name", name, "Maximum 64 characters. Use alphanumeric and '+=,.@-_' characters."),
      row("Description", description, "Maximum 1000 characters.")), review,
      h("h2", {}, "Tags"), tags.el),
  ];
  const title = h("h2");
  const body = h("div");
  const back = h("button", { type: "button", onclick: () => show(step - 1) }, "Previous");
  const next = h("button", { type: "button", class: "primary", onclick: () => advance() }, "Next");
  const submit = h("button", { type: "button", class: "primary", onclick: () => createRole() }, "Create role");
  const show = (n) => {
    step = n;
    error.clear();
    title.textContent = `Step ${n + 1}: ${steps[n]}`;
    replace(body, panels[n]);
    back.hidden = n === 0;
    next.hidden = n === 2;
    submit.hidden = n !== 2;
    if (n === 2) {
      let document = "";
      try { document = pretty(trust()); } catch (e) { document = `Invalid JSON: ${e.message}`; }
      replace(review, h("h3", {}, "Trust policy"), h("pre", { class: "mono", testid: "review-trust" }, document),
        h("h3", {}, "Permissions policy summary"),
        h("ul", { testid: "review-policies" }, [...chosen].map((arn) => h("li", {}, arn.split("/").pop()))));
    }
  };
  const advance = () => {
    if (step === 0) {
      if (kind.value() === "service" && !picked) { error.show({ message: "Choose a use case for the specified service." }); return; }
      if (kind.value() === "account" && !/^\d{12}$/.test(accountId())) { error.show({ message: "Enter a valid 12-digit AWS account ID." }); return; }
      if (kind.value() === "custom") {
        try { JSON.parse(custom.value); } catch (e) { error.show({ message: `The policy is not valid JSON: ${e.message}` }); return; }
      }
    }
    show(step + 1);
  };
  const createRole = async () => {
    error.clear();
    if (!name.value.trim()) { error.show({ message: "Role name is required." }); return; }
    const params = { RoleName: name.value.trim(), AssumeRolePolicyDocument: JSON.stringify(trust()) };
    if (description.value.trim()) params.Description = description.value.trim();
    const tagList = tags.tags().map(([Key, Value]) => ({ Key, Value }));
    if (tagList.length) params.Tags = tagList;
    try {
      await call("iam", "CreateRole", params);
      for (const arn of chosen) await call("iam", "AttachRolePolicy", { RoleName: params.RoleName, PolicyArn: arn });
      go("/iam/role", { name: params.RoleName });
    } catch (e) {
      error.show(e);
    }
  };
  replace(main, h("h1", {}, "Create role"), h("p", {}, h("a", { href: href("/iam") }, "Roles")), title, body, error.el,
    h("div", { class: "toolbar" }, h("a", { href: href("/iam"), class: "button" }, "Cancel"), back, next, submit));
  show(0);
}
