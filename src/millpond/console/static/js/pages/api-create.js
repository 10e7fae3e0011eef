// API Gateway Create API: Choose an API type (REST API -> Build), then API name, Description and
// Endpoint Type, as the console asks for a new REST API.
import { call } from "../api.js";
import { h, replace } from "../dom.js";
import { alertBox, row, select } from "../controls.js";
import { go, href } from "../nav.js";

export function create(main) {
  const build = () => form(main);
  replace(main, h("h1", {}, "Create API"), h("h2", {}, "Choose an API type"),
    h("div", { class: "card", role: "group", "aria-label": "REST API" },
      h("h3", {}, "REST API"),
      h("p", { class: "muted" }, "Develop a REST API where you gain complete control over the request and response along with API management capabilities."),
      h("button", { type: "button", class: "primary", "aria-label": "Build REST API", onclick: build }, "Build")));
}

function form(main) {
  const name = h("input", { size: 40, maxlength: 1024 });
  const description = h("input", { size: 60 });
  const endpoint = select([["REGIONAL", "Regional"], ["EDGE", "Edge optimized"], ["PRIVATE", "Private"]], "REGIONAL");
  const error = alertBox();
  const submit = async (event) => {
    event.preventDefault();
    error.clear();
    if (!name.value.trim()) { error.show({ message: "API name is required." }); return; }
    const params = { name: name.value.trim(), endpointConfiguration: { types: [endpoint.value] } };
    if (description.value.trim()) params.description = description.value.trim();
    try {
      const created = await call("apigateway", "CreateRestApi", params);
      go("/api", { id: created.id });
    } catch (e) { error.show(e); }
  };
  const el = h("form", {},
    h("h2", {}, "API details"),
    h("fieldset", { class: "radios" }, h("legend", {}, "Create new API"),
      h("label", { class: "check" }, h("input", { type: "radio", name: "api-kind", checked: true }), " New API")),
    h("div", { class: "stack" }, row("API name", name), row("Description", description), row("Endpoint Type", endpoint)),
    error.el,
    h("div", { class: "toolbar" }, h("a", { href: href("/apis"), class: "button" }, "Cancel"), h("button", { type: "submit", class: "primary" }, "Create API")));
  el.addEventListener("submit", submit);
  replace(main, h("h1", {}, "Create REST API"), h("div", { class: "card" }, el));
  name.focus();
}
