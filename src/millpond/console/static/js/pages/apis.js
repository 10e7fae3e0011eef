// APIs: REST APIs, one API's resource and method tree with integrations, stages with invoke URLs, and
// a request form that calls a route through its invoke URL on this port.
import { call, view } from "../api.js";
import { fmtTime, h, kv, link, replace, table } from "../dom.js";
import { live } from "../live.js";
import { href, resourceLink } from "../nav.js";

export async function list(main) {
  const body = h("div");
  replace(main, h("h1", {}, "APIs"), body);
  live(async () => {
    const { items = [] } = await call("apigateway", "GetRestApis", { limit: 500 });
    replace(body, table([
      ["Name", (a) => link(href("/api", { id: a.id }), a.name, { testid: `api-link-${a.name}` })],
      ["Id", (a) => h("code", {}, a.id)], ["Description", (a) => a.description || ""], ["Created", (a) => fmtTime(a.createdDate)],
    ], items, { empty: "No REST APIs in this account and region.", testid: "apis-table" }));
  }, 5000);
}

const invokeUrl = (id, stage) => `${location.origin}/restapis/${id}/${stage}/_user_request_`;

function integration(method) {
  const i = method.methodIntegration;
  if (!i) return h("span", { class: "muted" }, "no integration");
  const lambdaArn = /functions\/(arn:[^/]+)\/invocations/.exec(i.uri || "")?.[1];
  return [i.type, " ", lambdaArn ? link(resourceLink(lambdaArn), lambdaArn.split(":")[6]) : h("code", {}, i.uri || "")];
}

export async function detail(main, params) {
  const data = await view("api", { id: params.id });
  const byParent = new Map();
  for (const r of data.resources) byParent.set(r.parentId || null, [...(byParent.get(r.parentId || null) || []), r]);
  const node = (r) => h("li", {}, h("code", {}, r.pathPart ? `/${r.pathPart}` : "/"), " ",
    Object.entries(r.resourceMethods || {}).map(([verb, m]) => h("div", { class: "muted" }, h("strong", {}, verb), ` auth ${m.authorizationType || "NONE"} → `, integration(m))),
    (byParent.get(r.id) || []).length ? h("ul", {}, byParent.get(r.id).map(node)) : null);
  const roots = data.resources.filter((r) => !r.parentId);
  const method = h("select", { "aria-label": "HTTP method" }, ["GET", "POST", "PUT", "PATCH", "DELETE"].map((m) => h("option", {}, m)));
  const stage = h("select", { "aria-label": "Stage" }, data.stages.map((s) => h("option", { value: s.stageName }, s.stageName)));
  const path = h("input", { value: "/", size: 40, "aria-label": "Path" });
  const body = h("textarea", { placeholder: "request body (optional)" });
  const out = h("div", { testid: "api-response" });
  const send = async () => {
    const started = performance.now();
    try {
      const response = await fetch(invokeUrl(params.id, stage.value) + (path.value.startsWith("/") ? path.value : "/" + path.value), {
        method: method.value, body: ["GET", "HEAD"].includes(method.value) ? undefined : body.value,
      });
      const text = await response.text();
      replace(out, h("div", { class: "card" }, kv([["Status", response.status], ["Time", `${(performance.now() - started).toFixed(0)} ms`],
        ["Headers", h("pre", {}, [...response.headers].map(([k, v]) => `${k}: ${v}`).join("\n"))]]), h("pre", { class: "mono" }, text)));
    } catch (error) {
      replace(out, h("p", { class: "error" }, error.message));
    }
  };
  replace(main, h("h1", {}, data.api.name), h("p", { class: "muted" }, data.api.description || ""),
    h("h2", {}, "Resources"), h("div", { class: "card tree" }, h("ul", {}, roots.map(node))),
    h("h2", {}, "Stages"), table([
      ["Stage", (s) => s.stageName], ["Deployment", (s) => h("code", {}, s.deploymentId)],
      ["Invoke URL", (s) => h("code", {}, invokeUrl(params.id, s.stageName))], ["Updated", (s) => fmtTime(s.lastUpdatedDate)],
    ], data.stages, { empty: "No stages: deploy the API to call it." }),
    h("h2", {}, "Send a request"),
    h("div", { class: "card" }, h("div", { class: "toolbar" }, method, stage, path, h("button", { type: "button", class: "primary", onclick: send, disabled: !data.stages.length }, "Send")), body), out);
}
