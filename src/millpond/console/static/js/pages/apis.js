// APIs: the REST API list (Create API, Delete), and one API: its Resources tree with Actions (api-actions.js),
// each method's integration and Test form, and the Stages with their Invoke URLs.
import { call, view } from "../api.js";
import { fmtTime, h, kv, link, pretty, replace, table, toast } from "../dom.js";
import { confirmTyped, menuButton, row } from "../controls.js";
import { live, refreshAll } from "../live.js";
import { go, href, resourceLink } from "../nav.js";
import { createMethod, createResource, deleteMethod, deleteResource, deployApi } from "./api-actions.js";

/** Delete an API as the console asks: type "confirm". */
const deleteApi = (api) => confirmTyped({
  title: `Delete ${api.name}?`,
  message: "Deleting the API removes its resources, methods, deployments and stages.",
  expected: "confirm", prompt: "To confirm deletion, enter confirm in the text input field.",
  action: () => call("apigateway", "DeleteRestApi", { restApiId: api.id }),
});

export async function list(main) {
  const body = h("div");
  replace(main, h("div", { class: "toolbar" }, h("h1", { class: "grow" }, "APIs"),
    link(href("/apis/new"), "Create API", { class: "button primary" })), body);
  live(async () => {
    const { items = [] } = await call("apigateway", "GetRestApis", { limit: 500 });
    replace(body, table([
      ["Name", (a) => link(href("/api", { id: a.id }), a.name, { testid: `api-link-${a.name}` })],
      ["Id", (a) => h("code", {}, a.id)], ["Description", (a) => a.description || ""],
      ["Endpoint type", (a) => (a.endpointConfiguration?.types || []).join(", ")], ["Created", (a) => fmtTime(a.createdDate)],
      ["", (a) => h("button", { type: "button", class: "danger", "aria-label": `Delete API ${a.name}`, onclick: async () => { if (await deleteApi(a)) refreshAll(); } }, "Delete")],
    ], items, { empty: "No REST APIs in this account and region.", testid: "apis-table" }));
  }, 5000);
}

export const invokeUrl = (id, stage) => `${location.origin}/restapis/${id}/${stage}/_user_request_`;
// The host form, as AWS's <id>.execute-api.<region>.amazonaws.com/<stage> (browsers and curl resolve *.localhost).
const hostUrl = (id, stage) => `${location.protocol}//${id}.execute-api.localhost${location.port ? ":" + location.port : ""}/${stage}`;

function integration(method) {
  const i = method.methodIntegration;
  if (!i) return h("span", { class: "muted" }, "no integration");
  const lambdaArn = /functions\/(arn:[^/]+)\/invocations/.exec(i.uri || "")?.[1];
  const kind = { AWS_PROXY: "Lambda proxy", AWS: lambdaArn ? "Lambda" : "AWS service", MOCK: "Mock", HTTP_PROXY: "HTTP proxy", HTTP: "HTTP" }[i.type] || i.type;
  return [kind, " ", lambdaArn ? link(resourceLink(lambdaArn), lambdaArn.split(":")[6]) : h("code", {}, i.uri || "")];
}

const fullPath = (r) => r.path || "/";

/** A method's Test form: TestInvokeMethod on the API as it is now (no deployment needed), as the console does. */
function methodPanel(box, data, resource, verb) {
  const m = resource.resourceMethods[verb];
  const target = h("input", { size: 40, value: fullPath(resource) });
  const headers = h("textarea", { rows: 3, placeholder: "Header:Value, one a line" });
  const query = h("input", { size: 40, placeholder: "param1=value1&param2=value2" });
  const body = h("textarea", { rows: 6 });
  const out = h("div", { testid: "method-test-response" });
  const test = async () => {
    const params = { restApiId: data.api.id, resourceId: resource.id, httpMethod: verb, headers: {} };
    for (const line of headers.value.split("\n").map((l) => l.trim()).filter(Boolean)) {
      const i = line.indexOf(":");
      if (i > 0) params.headers[line.slice(0, i).trim()] = line.slice(i + 1).trim();
    }
    params.pathWithQueryString = target.value.trim() + (query.value.trim() ? `?${query.value.trim().replace(/^\?/, "")}` : "");
    if (body.value) params.body = body.value;
    replace(out, h("p", { class: "muted" }, "Testing…"));
    try {
      const r = await call("apigateway", "TestInvokeMethod", params);
      replace(out, h("div", { class: "card" }, kv([
        ["Request", h("code", {}, `${verb} ${params.pathWithQueryString}`)],
        ["Status", h("span", { testid: "test-status" }, r.status)], ["Latency", `${r.latency} ms`],
      ]), h("h3", {}, "Response body"), h("pre", { class: "mono", testid: "test-body" }, pretty(r.body || "")),
      h("h3", {}, "Response headers"), h("pre", { class: "mono" }, pretty(r.headers || {})),
      h("h3", {}, "Logs"), h("pre", { class: "mono", testid: "test-log" }, r.log || "")));
    } catch (error) {
      replace(out, h("p", { class: "error", role: "alert" }, error.message));
    }
  };
  replace(box, h("div", { class: "toolbar" }, h("h2", { class: "grow", testid: "method-title" }, `${fullPath(resource)} - ${verb}`),
    h("button", { type: "button", class: "danger", onclick: () => deleteMethod(data, resource, verb) }, "Delete method")),
  h("div", { class: "card" }, kv([
    ["Authorization", m.authorizationType || "NONE"], ["API key required", String(Boolean(m.apiKeyRequired))],
    ["Integration type", h("span", { testid: "integration-type" }, integration(m))],
    m.methodIntegration?.requestTemplates ? ["Request templates", h("pre", { class: "mono" }, pretty(m.methodIntegration.requestTemplates))] : null,
    ["Method responses", h("pre", { class: "mono" }, pretty(m.methodResponses || {}))],
    m.methodIntegration?.integrationResponses ? ["Integration responses", h("pre", { class: "mono" }, pretty(m.methodIntegration.integrationResponses))] : null,
  ].filter(Boolean))),
  h("h2", {}, "Test"),
  h("div", { class: "card" }, h("p", { class: "muted" }, "Make a test call to your method; no deployment is needed."),
    h("div", { class: "stack" }, row("Path", target), row("Query strings", query), row("Headers", headers), row("Request body", body)),
    h("div", { class: "toolbar" }, h("button", { type: "button", class: "primary", onclick: test, "aria-label": `Test ${verb} ${fullPath(resource)}` }, "Test")), out));
}

/** Any request to any path of a stage, through its invoke URL. */
function sendForm(apiId, stages) {
  const method = h("select", { "aria-label": "Request method" }, ["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"].map((m) => h("option", {}, m)));
  const stage = h("select", { "aria-label": "Stage" }, stages.map((s) => h("option", { value: s.stageName }, s.stageName)));
  const target = h("input", { value: "/", size: 40, "aria-label": "Path" });
  const body = h("textarea", { placeholder: "request body (optional)", "aria-label": "Body" });
  const out = h("div", { testid: "api-response" });
  const send = async () => {
    const started = performance.now();
    try {
      const response = await fetch(invokeUrl(apiId, stage.value) + (target.value.startsWith("/") ? target.value : "/" + target.value), {
        method: method.value, body: ["GET", "HEAD"].includes(method.value) ? undefined : body.value,
      });
      const text = await response.text();
      replace(out, h("div", { class: "card" }, kv([["Status", response.status], ["Time", `${(performance.now() - started).toFixed(0)} ms`],
        ["Headers", h("pre", {}, [...response.headers].map(([k, v]) => `${k}: ${v}`).join("\n"))]]), h("pre", { class: "mono" }, text)));
    } catch (error) {
      replace(out, h("p", { class: "error" }, error.message));
    }
  };
  return h("div", {}, h("div", { class: "card" }, h("div", { class: "toolbar" }, method, stage, target,
    h("button", { type: "button", class: "primary", onclick: send, disabled: !stages.length }, "Send")), body), out);
}

export async function detail(main, params) {
  const data = await view("api", { id: params.id });
  const stages = data.stages;
  const byParent = new Map();
  for (const r of data.resources) byParent.set(r.parentId || null, [...(byParent.get(r.parentId || null) || []), r]);
  const selected = data.resources.find((r) => r.id === params.resource) || data.resources.find((r) => !r.parentId);
  const panel = h("div");
  const select = (r, verb) => go("/api", { id: params.id, resource: r.id, method: verb });
  const node = (r) => h("li", {},
    h("button", { type: "button", class: "link", "aria-pressed": String(r.id === selected?.id && !params.method), onclick: () => select(r) }, fullPath(r) === "/" ? "/" : `/${r.pathPart}`),
    h("ul", {}, Object.keys(r.resourceMethods || {}).sort().map((verb) => h("li", {},
      h("button", { type: "button", class: "link method", "aria-label": `${fullPath(r)} ${verb}`, "aria-pressed": String(r.id === selected?.id && params.method === verb), onclick: () => select(r, verb) }, verb),
      " ", h("small", { class: "muted" }, r.resourceMethods[verb].methodIntegration?.type || "")))),
    (byParent.get(r.id) || []).length ? h("ul", {}, byParent.get(r.id).map(node)) : null);
  const roots = data.resources.filter((r) => !r.parentId);
  const actions = menuButton("Actions", [
    ["Create Resource", () => createResource(panel, data, selected)],
    ["Create Method", () => createMethod(panel, data, selected)],
    ["Delete Resource", () => deleteResource(data, selected)],
    ["Deploy API", () => deployApi(data)],
    ["Delete API", async () => { if (await deleteApi(data.api)) go("/apis"); }],
  ]);
  replace(main,
    h("div", { class: "toolbar" }, h("h1", { class: "grow", testid: "api-title" }, data.api.name), actions),
    h("p", { class: "muted" }, data.api.description || "", " · ", h("code", {}, data.api.id), " · ", (data.api.endpointConfiguration?.types || []).join(", ")),
    h("div", { class: "subnav" },
      h("div", {}, h("h2", {}, "Resources"), h("div", { class: "card tree", testid: "resources-tree" }, h("ul", {}, roots.map(node)))),
      panel),
    h("h2", {}, "Stages"), table([
      ["Stage", (s) => h("strong", {}, s.stageName)], ["Deployment", (s) => h("code", {}, s.deploymentId)],
      ["Invoke URL", (s) => [h("code", { testid: `invoke-url-${s.stageName}` }, invokeUrl(params.id, s.stageName)), " ",
        h("button", { type: "button", "aria-label": `Copy invoke URL of ${s.stageName}`, onclick: () => navigator.clipboard.writeText(invokeUrl(params.id, s.stageName)).then(() => toast("Invoke URL copied"), () => toast("Copying needs clipboard access: select the URL instead", true)) }, "Copy"),
        h("div", {}, h("small", { class: "muted" }, "also ", h("code", {}, hostUrl(params.id, s.stageName))))]],
      ["Updated", (s) => fmtTime(s.lastUpdatedDate)],
    ], stages, { empty: "No stages: Actions → Deploy API to call it.", testid: "stages-table" }),
    h("h2", {}, "Send a request"), sendForm(params.id, stages));
  if (selected && params.method && selected.resourceMethods?.[params.method]) methodPanel(panel, data, selected, params.method);
  else if (selected) replace(panel, h("h2", {}, `${fullPath(selected)} Methods`), table([
    ["Method", ([verb]) => h("button", { type: "button", class: "link", onclick: () => select(selected, verb) }, verb)],
    ["Integration", ([, m]) => integration(m)], ["Authorization", ([, m]) => m.authorizationType || "NONE"],
  ], Object.entries(selected.resourceMethods || {}), { empty: "No methods: Actions → Create Method." }));
}
