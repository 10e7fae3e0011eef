// A function's Code tab: Code source (the deployment package's files, read from GetFunction's
// Code.Location, each viewable), Upload from .zip file, and Runtime settings (Runtime, Handler).
import { call } from "../api.js";
import { h, kv, replace, toast } from "../dom.js";
import { alertBox, readFile, row, select } from "../controls.js";
import { entries, read } from "../zip.js";
import { RUNTIMES } from "./function-create.js";

async function showFiles(box, viewer, location) {
  try {
    const response = await fetch(location);
    if (!response.ok) throw new Error(`${response.status} ${response.statusText}`);
    const buffer = await response.arrayBuffer();
    const found = entries(buffer).filter((e) => !e.name.endsWith("/"));
    replace(box, h("ul", { class: "files", testid: "code-files" }, found.map((entry) => h("li", {},
      h("button", { type: "button", class: "link", onclick: async () => {
        try {
          const bytes = await read(buffer, entry);
          replace(viewer, h("h3", {}, entry.name), h("pre", { class: "mono card", testid: "code-file-content" }, new TextDecoder().decode(bytes)));
        } catch (e) { replace(viewer, h("p", { class: "error" }, e.message)); }
      } }, entry.name), h("small", { class: "muted" }, ` ${entry.size} bytes`)))));
  } catch (e) {
    replace(box, h("p", { class: "error" }, `Could not read the deployment package: ${e.message}`));
  }
}

export function codeTab(panel, get, reload) {
  const name = get().function.Configuration.FunctionName;
  const files = h("div", {}, h("p", { class: "muted" }, "Loading…"));
  const viewer = h("div");
  const zip = h("input", { type: "file", accept: ".zip,application/zip" });
  const uploadError = alertBox();
  const upload = async () => {
    uploadError.clear();
    if (!zip.files[0]) { uploadError.show({ message: "Choose a .zip file to upload." }); return; }
    try {
      const chosen = await readFile(zip.files[0]);
      entries(chosen.buffer);
      await call("lambda", "UpdateFunctionCode", { FunctionName: name, ZipFile: chosen.blob });
      toast(`Successfully updated the function ${name}.`);
      zip.value = "";
      await reload();
      showFiles(files, viewer, get().function.Code.Location);
    } catch (e) { uploadError.show(e); }
  };
  const runtimeBox = h("div");
  const settings = () => {
    const c = get().function.Configuration;
    replace(runtimeBox, kv([["Runtime", c.Runtime], ["Handler", h("code", { testid: "function-handler" }, c.Handler)], ["Architecture", (c.Architectures || []).join(", ")]]),
      h("button", { type: "button", onclick: editSettings }, "Edit runtime settings"));
  };
  const editSettings = () => {
    const c = get().function.Configuration;
    const runtime = select(RUNTIMES, c.Runtime);
    const handler = h("input", { size: 40, value: c.Handler });
    const error = alertBox();
    replace(runtimeBox, h("div", { class: "stack" }, row("Runtime", runtime), row("Handler", handler)), error.el,
      h("div", { class: "toolbar" }, h("button", { type: "button", onclick: settings }, "Cancel"),
        h("button", { type: "button", class: "primary", onclick: async () => {
          try {
            await call("lambda", "UpdateFunctionConfiguration", { FunctionName: name, Runtime: runtime.value, Handler: handler.value.trim() });
            await reload();
            settings();
          } catch (e) { error.show(e); }
        } }, "Save")));
  };
  settings();
  const summary = h("div");
  let sha = "";
  const showSummary = () => {
    const c = get().function.Configuration;
    if (c.CodeSha256 === sha) return;
    sha = c.CodeSha256;
    replace(summary, kv([["Code size", h("span", { testid: "code-size" }, `${c.CodeSize} bytes`)], ["Code SHA-256", h("span", { class: "mono" }, c.CodeSha256)]]));
  };
  showSummary();
  panel.append(
    h("h2", {}, "Code source"),
    h("div", { class: "card" }, summary, files, viewer),
    h("h2", {}, "Upload from .zip file"),
    h("div", { class: "card" }, h("div", { class: "stack" }, row("Upload a .zip file", zip)), uploadError.el,
      h("button", { type: "button", class: "primary", onclick: upload }, "Upload")),
    h("h2", {}, "Runtime settings"), h("div", { class: "card" }, runtimeBox));
  showFiles(files, viewer, get().function.Code.Location);
  return showSummary;
}
