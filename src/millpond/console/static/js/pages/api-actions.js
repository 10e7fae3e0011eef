// A REST API's Actions, as the API Gateway console does them: Create Resource (with Enable API Gateway
// CORS: an OPTIONS method, MOCK integration and the CORS headers), Create Method (Lambda Function with or
// without proxy integration, HTTP with or without proxy, Mock; the console grants API Gateway
// lambda:InvokeFunction), Deploy API (a new or an existing stage).
import { call } from "../api.js";
import { confirmDialog, h, replace, toast } from "../dom.js";
import { alertBox, checkbox, labelOf, radios, row, select } from "../controls.js";
import { go } from "../nav.js";

const rerender = () => window.dispatchEvent(new HashChangeEvent("hashchange"));
const header = (name) => `method.response.header.${name}`;
const CORS_HEADERS = "'Content-Type,X-Amz-Date,Authorization,X-Api-Key,X-Amz-Security-Token'";
const path = (r) => r.path || "/";

/** The CORS integration response of a resource's OPTIONS method, allowing `methods`. */
async function putCorsResponse(apiId, resourceId, methods) {
  await call("apigateway", "PutIntegrationResponse", {
    restApiId: apiId, resourceId, httpMethod: "OPTIONS", statusCode: "200",
    responseParameters: {
      [header("Access-Control-Allow-Headers")]: CORS_HEADERS,
      [header("Access-Control-Allow-Methods")]: `'${[...new Set(methods)].sort().join(",")}'`,
      [header("Access-Control-Allow-Origin")]: "'*'",
    },
    responseTemplates: { "application/json": "" },
  });
}

/** Enable API Gateway CORS on a resource: OPTIONS with a MOCK integration answering 200 with the headers. */
export async function enableCors(apiId, resourceId, methods = []) {
  const ids = { restApiId: apiId, resourceId, httpMethod: "OPTIONS" };
  await call("apigateway", "PutMethod", { ...ids, authorizationType: "NONE" });
  await call("apigateway", "PutMethodResponse", {
    ...ids, statusCode: "200", responseModels: { "application/json": "Empty" },
    responseParameters: { [header("Access-Control-Allow-Headers")]: false, [header("Access-Control-Allow-Methods")]: false, [header("Access-Control-Allow-Origin")]: false },
  });
  await call("apigateway", "PutIntegration", { ...ids, type: "MOCK", requestTemplates: { "application/json": '{"statusCode": 200}' }, passthroughBehavior: "WHEN_NO_MATCH" });
  await putCorsResponse(apiId, resourceId, ["OPTIONS", ...methods]);
}

const hasCors = (resource) => resource.resourceMethods?.OPTIONS?.methodIntegration?.type === "MOCK";

export function createResource(panel, data, parent) {
  const name = h("input", { size: 30 });
  const base = path(parent) === "/" ? "/" : `${path(parent)}/`;
  const resourcePath = h("input", { size: 30 });
  let edited = false;
  name.addEventListener("input", () => { if (!edited) resourcePath.value = name.value.trim().toLowerCase().replace(/[^a-z0-9._{}+-]+/g, "-"); });
  resourcePath.addEventListener("input", () => { edited = true; });
  const cors = checkbox("Enable API Gateway CORS");
  const error = alertBox();
  const submit = async () => {
    error.clear();
    const part = resourcePath.value.trim().replace(/^\/+/, "").replace(new RegExp(`^${base.replace(/^\//, "").replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}`), "");
    try {
      if (!name.value.trim()) throw { message: "Resource Name is required." };
      if (!part) throw { message: "Resource Path is required." };
      const created = await call("apigateway", "CreateResource", { restApiId: data.api.id, parentId: parent.id, pathPart: part });
      if (cors.checked) await enableCors(data.api.id, created.id);
      toast(`Resource ${created.path} created`);
      go("/api", { id: data.api.id, resource: created.id });
    } catch (e) { error.show(e); }
  };
  replace(panel, h("h2", {}, "New Child Resource"), h("p", { class: "muted" }, `Under ${path(parent)}`),
    h("div", { class: "card" }, h("div", { class: "stack" },
      row("Resource Name", name), row("Resource Path", resourcePath, `${base}…`), h("span"), labelOf(cors)), error.el,
    h("div", { class: "toolbar" }, h("button", { type: "button", onclick: rerender }, "Cancel"),
      h("button", { type: "button", class: "primary", onclick: submit }, "Create Resource"))));
  name.focus();
}

/** PutMethod then PutIntegration; a refused integration takes its new method away again. */
async function putMethodWithIntegration(ids, integration) {
  await call("apigateway", "PutMethod", { ...ids, authorizationType: "NONE" });
  try {
    await call("apigateway", "PutIntegration", { ...ids, ...integration });
  } catch (error) {
    await call("apigateway", "DeleteMethod", ids).catch(() => undefined);
    throw error;
  }
}

export async function createMethod(panel, data, resource) {
  const { Functions = [] } = await call("lambda", "ListFunctions", { MaxItems: 1000 });
  const taken = new Set(Object.keys(resource.resourceMethods || {}));
  const verb = select(["ANY", "DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT"].filter((v) => !taken.has(v)), "");
  verb.prepend(h("option", { value: "", selected: true }, "Choose a method"));
  const type = radios("Integration type", [["LAMBDA", "Lambda Function"], ["HTTP", "HTTP"], ["MOCK", "Mock"]], "LAMBDA");
  const proxy = checkbox("Use Lambda Proxy integration");
  const fn = h("input", { size: 40, list: "lambda-functions", autocomplete: "off" });
  const functions = h("datalist", { id: "lambda-functions" }, Functions.map((f) => h("option", { value: f.FunctionName })));
  const endpoint = h("input", { size: 50, placeholder: "https://example.com/path" });
  const httpMethod = select(["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "ANY"], "GET");
  const lambdaBox = h("div", { class: "stack" }, h("span"), labelOf(proxy), row("Lambda Function", fn), functions);
  const httpProxy = checkbox("Use HTTP Proxy integration", true);
  const httpBox = h("div", { class: "stack", hidden: true }, h("span"), labelOf(httpProxy), row("HTTP method", httpMethod), row("Endpoint URL", endpoint));
  // millpond serves Lambda proxy, HTTP proxy and Mock integrations (PutIntegration refuses others): say so.
  const note = h("p", { class: "muted", testid: "integration-note", hidden: true },
    "millpond serves Lambda proxy, HTTP proxy and Mock integrations; it refuses this one (NotImplemented).");
  const showNote = () => { note.hidden = !((type.value() === "LAMBDA" && !proxy.checked) || (type.value() === "HTTP" && !httpProxy.checked)); };
  type.onChange((v) => { lambdaBox.hidden = v !== "LAMBDA"; httpBox.hidden = v !== "HTTP"; showNote(); });
  proxy.addEventListener("change", showNote);
  httpProxy.addEventListener("change", showNote);
  showNote();
  const error = alertBox();
  const save = async () => {
    error.clear();
    try {
      if (!verb.value) throw { message: "Choose a method." };
      const ids = { restApiId: data.api.id, resourceId: resource.id, httpMethod: verb.value };
      let integration;
      let target;
      if (type.value() === "LAMBDA") {
        target = Functions.find((f) => f.FunctionName === fn.value.trim() || f.FunctionArn === fn.value.trim());
        if (!target) throw { code: "NotFoundException", message: `Function not found: ${fn.value.trim() || "(none chosen)"}` };
        const region = target.FunctionArn.split(":")[3];
        const uri = `arn:aws:apigateway:${region}:lambda:path/2015-03-31/functions/${target.FunctionArn}/invocations`;
        integration = { type: proxy.checked ? "AWS_PROXY" : "AWS", integrationHttpMethod: "POST", uri, passthroughBehavior: "WHEN_NO_MATCH" };
        const sourceArn = `arn:aws:execute-api:${region}:${target.FunctionArn.split(":")[4]}:${data.api.id}/*/${verb.value === "ANY" ? "*" : verb.value}${path(resource)}`;
        const ok = await confirmDialog(`Add Permission to Lambda Function: you are about to give API Gateway permission to invoke your Lambda function ${target.FunctionArn} (source ${sourceArn}).`, "OK");
        if (!ok) return;
        await putMethodWithIntegration(ids, integration);
        await call("lambda", "AddPermission", { FunctionName: target.FunctionArn, StatementId: crypto.randomUUID(), Action: "lambda:InvokeFunction", Principal: "apigateway.amazonaws.com", SourceArn: sourceArn });
      } else {
        integration = type.value() === "HTTP"
          ? { type: httpProxy.checked ? "HTTP_PROXY" : "HTTP", integrationHttpMethod: httpMethod.value, uri: endpoint.value.trim() }
          : { type: "MOCK", requestTemplates: { "application/json": '{"statusCode": 200}' } };
        await putMethodWithIntegration(ids, integration);
      }
      const cors = hasCors(resource);
      const corsHeader = cors && !["AWS_PROXY", "HTTP_PROXY"].includes(integration.type) ? { [header("Access-Control-Allow-Origin")]: false } : undefined;
      await call("apigateway", "PutMethodResponse", { ...ids, statusCode: "200", responseModels: { "application/json": "Empty" }, ...(corsHeader ? { responseParameters: corsHeader } : {}) });
      if (!["AWS_PROXY", "HTTP_PROXY"].includes(integration.type)) {
        await call("apigateway", "PutIntegrationResponse", { ...ids, statusCode: "200", selectionPattern: "", responseTemplates: { "application/json": "" },
          ...(corsHeader ? { responseParameters: { [header("Access-Control-Allow-Origin")]: "'*'" } } : {}) });
      }
      if (cors) await putCorsResponse(data.api.id, resource.id, ["OPTIONS", ...Object.keys(resource.resourceMethods || {}), verb.value]);
      toast(`${verb.value} ${path(resource)} created`);
      go("/api", { id: data.api.id, resource: resource.id, method: verb.value });
    } catch (e) { error.show(e); }
  };
  replace(panel, h("h2", {}, `${path(resource)} - Create Method`),
    h("div", { class: "card" }, h("div", { class: "stack" }, row("Method", verb)), type.el, lambdaBox, httpBox, note, error.el,
      h("div", { class: "toolbar" }, h("button", { type: "button", onclick: rerender }, "Cancel"), h("button", { type: "button", class: "primary", onclick: save }, "Save"))));
  verb.focus();
}

export async function deleteResource(data, resource) {
  if (!resource.parentId) { toast("The root resource cannot be deleted.", true); return; }
  if (!(await confirmDialog(`Delete the resource ${path(resource)} and all its child resources and methods?`, "Delete"))) return;
  try {
    await call("apigateway", "DeleteResource", { restApiId: data.api.id, resourceId: resource.id });
    go("/api", { id: data.api.id });
  } catch (e) { toast(e.message, true); }
}

export async function deleteMethod(data, resource, verb) {
  if (!(await confirmDialog(`Delete the ${verb} method of ${path(resource)}?`, "Delete"))) return;
  try {
    await call("apigateway", "DeleteMethod", { restApiId: data.api.id, resourceId: resource.id, httpMethod: verb });
    if (hasCors(resource) && verb !== "OPTIONS") await putCorsResponse(data.api.id, resource.id, Object.keys(resource.resourceMethods || {}).filter((v) => v !== verb));
    go("/api", { id: data.api.id, resource: resource.id });
  } catch (e) { toast(e.message, true); }
}

/** Deploy API: a [New Stage] (Stage name) or an existing stage, with the stage and deployment descriptions. */
export function deployApi(data) {
  const stage = select([["", "[New Stage]"], ...data.stages.map((s) => [s.stageName, s.stageName])], "");
  const stageName = h("input", { size: 30 });
  const stageDescription = h("input", { size: 40 });
  const description = h("input", { size: 40 });
  const newOnly = [];
  const error = alertBox();
  const fields = h("div", { class: "stack" }, row("Deployment stage", stage));
  for (const [label, control] of [["Stage name", stageName], ["Stage description", stageDescription]]) {
    const pair = row(label, control);
    newOnly.push(...pair);
    fields.append(...pair);
  }
  fields.append(...row("Deployment description", description));
  stage.addEventListener("change", () => { for (const el of newOnly) el.hidden = Boolean(stage.value); });
  const go_ = h("button", { type: "submit", class: "primary" }, "Deploy");
  const form = h("form", { method: "dialog" }, h("h2", {}, "Deploy API"),
    h("p", { class: "muted" }, "Choose a stage where your API will be deployed."), fields, error.el,
    h("div", { class: "toolbar" }, h("button", { type: "button", onclick: () => dialog.close() }, "Cancel"), go_));
  const dialog = h("dialog", { "aria-label": "Deploy API" }, form);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    error.clear();
    const params = { restApiId: data.api.id, stageName: stage.value || stageName.value.trim() };
    if (!params.stageName) { error.show({ message: "Stage name is required." }); return; }
    if (!stage.value && stageDescription.value.trim()) params.stageDescription = stageDescription.value.trim();
    if (description.value.trim()) params.description = description.value.trim();
    try {
      await call("apigateway", "CreateDeployment", params);
      dialog.close();
      toast(`Deployed to ${params.stageName}`);
      rerender();
    } catch (e) { error.show(e); }
  });
  dialog.addEventListener("close", () => dialog.remove());
  document.body.append(dialog);
  dialog.showModal();
  (data.stages.length ? stage : stageName).focus();
}
