// Form pieces the AWS console's create pages share: labelled radio groups, durations with units, tag
// editors, copy buttons, inline validation messages and the "type delete to confirm" dialog.
import { h, replace, toast } from "./dom.js";

let serial = 0;
const uid = (prefix) => `${prefix}-${++serial}`;

/** A labelled control for form.stack: [label, control-with-hint-and-error]; every control gets a label-for. */
export function row(label, control, { hint, error } = {}) {
  const target = control.matches("input, select, textarea") ? control : control.querySelector("input, select, textarea") || control;
  if (!target.id) target.id = uid("f");
  const note = error || h("div", { class: "error field-error", "aria-live": "polite" });
  return [h("label", { for: target.id }, label), h("div", {}, control, hint ? h("div", { class: "muted hint" }, hint) : null, note)];
}

/** Radio buttons in a fieldset: radios(legend, [[value, label, description?]], selected) with .value. */
export function radios(legend, options, selected, name = uid("r")) {
  const box = h("fieldset", { class: "radios full" }, h("legend", {}, legend));
  for (const [value, label, description] of options) {
    const id = uid("o");
    box.append(h("div", { class: "radio" },
      h("input", { type: "radio", name, id, value, checked: value === selected }),
      h("label", { for: id }, label), description ? h("small", { class: "muted" }, " ", description) : null));
  }
  Object.defineProperty(box, "value", {
    get: () => box.querySelector("input:checked")?.value,
    set: (v) => { for (const input of box.querySelectorAll("input")) input.checked = input.value === v; },
  });
  return box;
}

export const SECONDS = { seconds: 1, minutes: 60, hours: 3600, days: 86400 };
const UNIT_LABELS = { seconds: "Seconds", minutes: "Minutes", hours: "Hours", days: "Days" };

/** A number with a unit select (the AWS console's durations); .seconds() reads it, .set(seconds) writes it. */
export function duration(label, seconds, units) {
  const number = h("input", { type: "number", min: 0, step: "any", size: 8, "aria-label": label });
  const unit = h("select", { "aria-label": `${label} unit` }, units.map((u) => h("option", { value: u }, UNIT_LABELS[u])));
  const box = h("span", { class: "duration" }, number, " ", unit);
  box.number = number;
  box.unit = unit;
  box.seconds = () => (number.value === "" ? NaN : Number(number.value) * SECONDS[unit.value]);
  box.set = (total) => {
    const fit = [...units].reverse().find((u) => total % SECONDS[u] === 0 && total >= SECONDS[u]) || units[0];
    unit.value = fit;
    number.value = String(total / SECONDS[fit]);
  };
  box.set(seconds);
  return box;
}

/** The AWS console's tag editor: "Add new tag" adds a Key / Value row; .tags() reads them. */
export function tagEditor(initial = {}, { addLabel = "Add new tag" } = {}) {
  const rows = h("div", { class: "tag-rows" });
  const box = h("div", { class: "tags-editor", testid: "tag-editor" }, rows);
  const add = (key = "", value = "") => {
    const n = rows.children.length + 1;
    const keyInput = h("input", { "aria-label": n === 1 ? "Key" : `Key ${n}`, value: key, size: 24, class: "tag-key" });
    const valueInput = h("input", { "aria-label": n === 1 ? "Value" : `Value ${n}`, value, size: 32, class: "tag-value" });
    const line = h("div", { class: "tag-row" },
      h("label", {}, "Key ", keyInput), h("label", {}, "Value – optional ", valueInput),
      h("button", { type: "button", onclick: () => line.remove() }, "Remove"));
    rows.append(line);
    return keyInput;
  };
  box.append(h("button", { type: "button", onclick: () => add().focus() }, addLabel));
  for (const [k, v] of Object.entries(initial)) add(k, v);
  box.tags = () => Object.fromEntries([...rows.querySelectorAll(".tag-row")]
    .map((line) => [line.querySelector(".tag-key").value.trim(), line.querySelector(".tag-value").value])
    .filter(([k]) => k));
  return box;
}

/** A button that copies `text` to the clipboard ("Copy ARN"). */
export function copyButton(source, what) {
  let text = typeof source === "function" ? "" : source;
  const copy = async () => {
    text = typeof source === "function" ? source() : source;
    try {
      await navigator.clipboard.writeText(text);
    } catch {
      const area = h("textarea", { "aria-hidden": "true" }, text);
      document.body.append(area);
      area.select();
      document.execCommand("copy");
      area.remove();
    }
    toast(`${what} copied`);
  };
  return h("button", { type: "button", class: "copy", "aria-label": `Copy ${what}`, title: `Copy ${what}`, "data-copy": typeof source === "function" ? undefined : text, onclick: copy }, "Copy");
}

/** A value shown in monospace with a copy button next to it. */
export const copyable = (text, what, testid) => h("span", { class: "copyable" }, h("span", { class: "mono", testid }, text), " ", copyButton(text, what));

/** Show validation messages: problems is [[control, message]]; returns true when there were none. */
export function showProblems(form, problems) {
  for (const note of form.querySelectorAll(".field-error")) { note.textContent = ""; note.removeAttribute("role"); }
  for (const control of form.querySelectorAll("[aria-invalid]")) control.removeAttribute("aria-invalid");
  for (const [control, message] of problems) {
    control.setAttribute("aria-invalid", "true");
    const note = control.closest("div")?.querySelector(":scope > .field-error") || control.parentElement?.parentElement?.querySelector(".field-error");
    if (note) { note.textContent = message; note.setAttribute("role", "alert"); }
  }
  if (problems.length) problems[0][0].focus?.();
  return problems.length === 0;
}

/** AWS console's destructive confirmation: type the word (usually "delete") to enable the button. */
export function confirmTyped(title, message, word = "delete", action = "Delete") {
  return new Promise((resolve) => {
    const input = h("input", { "aria-label": `To confirm deletion, enter ${word}`, placeholder: word, testid: "confirm-input" });
    const yes = h("button", { type: "button", class: "danger", disabled: true, testid: "confirm-yes", onclick: () => { dialog.close(); resolve(true); } }, action);
    const dialog = h("dialog", { testid: "confirm", "aria-label": title },
      h("h2", {}, title), h("p", {}, message),
      h("label", {}, "To confirm deletion, enter ", h("strong", {}, word), " in the text input field. ", input),
      h("div", { class: "toolbar" }, h("button", { type: "button", onclick: () => { dialog.close(); resolve(false); } }, "Cancel"), yes));
    input.addEventListener("input", () => { yes.disabled = input.value !== word; });
    dialog.addEventListener("close", () => { dialog.remove(); resolve(false); });
    document.body.append(dialog);
    dialog.showModal();
    input.focus();
  });
}

/** Show an API error under a form (the AWS message as the API words it). */
export function showError(box, error) {
  replace(box, error ? h("span", {}, error.message) : "");
}
