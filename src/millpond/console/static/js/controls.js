// Controls for the workbench pages (IAM, Lambda, API Gateway): labelled controls (each findable by its AWS
// console name), checkboxes, radio groups, a tag editor, and an alert that shows AWS's error message.
import { h, replace } from "./dom.js";
import { blobOf } from "./zip.js";

let serial = 0;
export const uid = (base = "c") => `${base}-${++serial}`;

/** A [label, control] pair for form.stack; the label names the control (label for=id). */
export function row(label, control, hint) {
  if (!control.id) control.id = uid("field");
  return [h("label", { for: control.id }, label),
    hint ? h("div", {}, control, " ", h("small", { class: "muted" }, hint)) : control];
}

/** A checkbox wrapped in its label: returns the input (its .closest("label") is the element to show). */
export function checkbox(label, checked = false, attrs = {}) {
  const input = h("input", { type: "checkbox", checked, ...attrs });
  h("label", { class: "check" }, input, " ", label);
  return input;
}
export const labelOf = (input) => input.closest("label") || input;

/** Radio buttons in a fieldset whose legend names the group: returns {el, value(), set(v), onChange(fn)}. */
export function radios(legend, options, selected) {
  const name = uid("radio");
  const inputs = options.map(([value]) => h("input", { type: "radio", name, value, checked: value === selected }));
  const el = h("fieldset", { class: "radios" }, h("legend", {}, legend),
    options.map(([, label, hint], i) => h("div", { class: "choice" }, h("label", { class: "check" }, inputs[i], " ", label),
      hint ? h("small", { class: "muted" }, ` ${hint}`) : null)));
  return {
    el,
    value: () => inputs.find((i) => i.checked)?.value,
    set: (value) => { for (const i of inputs) i.checked = i.value === value; },
    onChange: (fn) => inputs.forEach((i) => i.addEventListener("change", () => fn(i.value))),
  };
}

export const select = (options, selected, attrs = {}) => h("select", attrs,
  options.map((o) => (Array.isArray(o) ? h("option", { value: o[0], selected: o[0] === selected }, o[1]) : h("option", { value: o, selected: o === selected }, o))));

/** The error box a form shows: the AWS message (the code in small print), or nothing. */
export function alertBox() {
  const el = h("div", { class: "alert", role: "alert", testid: "form-error", hidden: true });
  return {
    el,
    show(error) {
      const code = error?.code || "";
      const message = code && error.message.startsWith(`${code}: `) ? error.message.slice(code.length + 2) : String(error?.message ?? error);
      replace(el, h("strong", {}, message), code ? h("small", { class: "muted" }, ` (${code})`) : null);
      el.hidden = false;
    },
    clear() { replace(el); el.hidden = true; },
  };
}

/** Tags as AWS asks for them: "Add new tag", then Key and Value per tag. tags() reads them back. */
export function tagEditor(initial = []) {
  const rows = h("div", { class: "tags-editor" });
  const add = (key = "", value = "") => {
    const n = rows.children.length + 1;
    const k = h("input", { "aria-label": n === 1 ? "Key" : `Key ${n}`, value: key, size: 20 });
    const v = h("input", { "aria-label": n === 1 ? "Value" : `Value ${n}`, value, size: 24 });
    const line = h("div", { class: "toolbar" }, k, v, h("button", { type: "button", onclick: () => line.remove() }, "Remove"));
    rows.append(line);
    return k;
  };
  for (const [k, v] of initial) add(k, v);
  const el = h("div", {}, rows, h("button", { type: "button", onclick: () => add().focus() }, "Add new tag"));
  const tags = () => [...rows.children].map((line) => line.querySelectorAll("input"))
    .map(([k, v]) => [k.value.trim(), v.value]).filter(([k]) => k);
  return { el, tags };
}

/** Read a chosen file as a provider blob ({"$bytes": base64}) and as an ArrayBuffer. */
export async function readFile(file) {
  const buffer = await file.arrayBuffer();
  return { blob: blobOf(new Uint8Array(buffer)), buffer };
}

/**
 * The confirmation AWS asks for before deleting: type `expected` (the name, "delete" or "confirm") to
 * enable the button. `action` runs in the dialog; its AWS error is shown there and the dialog stays open.
 * Resolves true once the action succeeded, false if cancelled.
 */
export function confirmTyped({ title, message, expected, prompt, action, label = "Delete" }) {
  return new Promise((resolve) => {
    const input = h("input", { "aria-label": prompt || `To confirm deletion, enter ${expected}`, placeholder: expected, autocomplete: "off" });
    const error = alertBox();
    const go = h("button", { type: "submit", class: "danger", disabled: true, testid: "confirm-yes" }, label);
    const form = h("form", { method: "dialog" },
      h("h2", {}, title), h("p", {}, message),
      h("label", { for: input.id = uid("confirm") }, prompt || h("span", {}, "To confirm deletion, enter ", h("em", {}, expected), " in the text input field.")),
      h("div", {}, input), error.el,
      h("div", { class: "toolbar" }, h("button", { type: "button", onclick: () => dialog.close() }, "Cancel"), go));
    const dialog = h("dialog", { testid: "confirm", "aria-label": title }, form);
    let done = false;
    input.addEventListener("input", () => { go.disabled = input.value.trim() !== expected; });
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      go.disabled = true;
      try {
        await action();
        done = true;
        dialog.close();
      } catch (e) {
        error.show(e);
        go.disabled = false;
      }
    });
    dialog.addEventListener("close", () => { dialog.remove(); resolve(done); });
    document.body.append(dialog);
    dialog.showModal();
    input.focus();
  });
}

/** A menu button: [label, action] items shown as menu items under it. */
export function menuButton(label, items, attrs = {}) {
  const menu = h("div", { role: "menu", class: "menu", hidden: true });
  const button = h("button", { type: "button", "aria-haspopup": "menu", "aria-expanded": "false", ...attrs, onclick: () => {
    menu.hidden = !menu.hidden;
    button.setAttribute("aria-expanded", String(!menu.hidden));
  } }, label, h("span", { "aria-hidden": "true" }, " ▾"));
  for (const [text, action] of items) {
    menu.append(h("button", { type: "button", role: "menuitem", onclick: () => { menu.hidden = true; action(); } }, text));
  }
  return h("span", { class: "menu-wrap" }, button, menu);
}
