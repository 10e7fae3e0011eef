// DOM helpers: an element builder, tables, tabs, forms, confirmation, formatting and toasts.
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith("on")) el.addEventListener(key.slice(2), value);
    else if (key === "class") el.className = value;
    else if (key === "testid") el.dataset.testid = value;
    else if (key === "value") el.value = value;
    else if (key === "checked") el.checked = Boolean(value);
    else el.setAttribute(key, value === true ? "" : value);
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

export function replace(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

export const link = (href, text, attrs = {}) => h("a", { href, ...attrs }, text);

/** A table from rows: columns are [header, row => cell, {num: true}?]. */
export function table(columns, rows, { empty = "Nothing here yet.", testid, rowid } = {}) {
  if (!rows.length) return h("p", { class: "muted", testid }, empty);
  return h("table", { testid },
    h("thead", {}, h("tr", {}, columns.map(([title, , opts]) => h("th", { class: opts?.num ? "num" : undefined, scope: "col" }, title)))),
    h("tbody", {}, rows.map((row) => h("tr", { "data-row": rowid ? rowid(row) : undefined },
      columns.map(([, cell, opts]) => h("td", { class: opts?.num ? "num" : undefined }, cell(row)))))));
}

/** Tabs: [[id, label, render(container)]]; the selected id is kept in the URL's ?tab=. */
export function tabs(items, selected, onSelect) {
  const panel = h("div", { role: "tabpanel" });
  const bar = h("div", { class: "tabs", role: "tablist" });
  const show = (id) => {
    for (const button of bar.children) button.setAttribute("aria-selected", String(button.dataset.tab === id));
    const item = items.find(([key]) => key === id) || items[0];
    panel.replaceChildren();
    onSelect?.(item[0]);
    item[2](panel);
  };
  for (const [id, label] of items) {
    bar.append(h("button", { type: "button", role: "tab", "data-tab": id, testid: `tab-${id}`, onclick: () => show(id) }, label));
  }
  show(selected && items.some(([k]) => k === selected) ? selected : items[0][0]);
  return h("div", {}, bar, panel);
}

export const kv = (pairs) => h("dl", { class: "kv" }, pairs.filter(Boolean).map(([k, v]) => [h("dt", {}, k), h("dd", {}, v ?? "—")]));

/** A labelled field for form.stack: returns [label, control]. */
export function field(label, control, hint) {
  if (!control.id) control.id = "f-" + label.toLowerCase().replace(/[^a-z0-9]+/g, "-");
  return [h("label", { for: control.id }, label), hint ? h("div", {}, control, " ", h("small", { class: "muted" }, hint)) : control];
}

export function confirmDialog(message, confirmLabel = "Confirm") {
  return new Promise((resolve) => {
    const dialog = h("dialog", { testid: "confirm" },
      h("p", {}, message),
      h("div", { class: "toolbar" },
        h("button", { type: "button", class: "danger", testid: "confirm-yes", onclick: () => { dialog.close(); resolve(true); } }, confirmLabel),
        h("button", { type: "button", onclick: () => { dialog.close(); resolve(false); } }, "Cancel")));
    dialog.addEventListener("close", () => { dialog.remove(); resolve(false); });
    document.body.append(dialog);
    dialog.showModal();
  });
}

export function toast(message, isError = false) {
  const item = h("div", { class: isError ? "error" : "" }, message);
  document.getElementById("toast").append(item);
  setTimeout(() => item.remove(), isError ? 8000 : 3000);
}

/** Run an action, reporting its error as a toast; returns the result or undefined. */
export async function attempt(action, success) {
  try {
    const result = await action();
    if (success) toast(success);
    return result;
  } catch (error) {
    toast(error.message, true);
    return undefined;
  }
}

const TIME_FORMAT = { year: "numeric", month: "short", day: "numeric", hour: "2-digit", minute: "2-digit", second: "2-digit", hourCycle: "h23", timeZoneName: "short" };

/** A readable local time ("Dec 2, 2026, 14:05:09 GMT+1"); times are the virtual clock's. */
export function fmtTime(epochSeconds) {
  if (epochSeconds === undefined || epochSeconds === null || epochSeconds === "") return "—";
  const d = new Date(Number(epochSeconds) * 1000);
  if (Number.isNaN(d.getTime())) return String(epochSeconds);
  return d.toLocaleString(undefined, TIME_FORMAT);
}

/** A length of time in words: 90 -> "1 min 30 s", 93784 -> "1 d 2 h 3 min". */
export function fmtDuration(seconds) {
  let rest = Math.round(Math.abs(Number(seconds) || 0));
  if (rest < 60) return `${rest} s`;
  const parts = [];
  for (const [unit, size] of [["d", 86400], ["h", 3600], ["min", 60], ["s", 1]]) {
    if (rest >= size) { parts.push(`${Math.floor(rest / size)} ${unit}`); rest %= size; }
    if (parts.length === 3) break;
  }
  return parts.join(" ");
}
export const fmtMillis = (ms) => fmtTime(Number(ms) / 1000);
export const pretty = (value) => {
  if (typeof value === "string") {
    try { return JSON.stringify(JSON.parse(value), null, 2); } catch { return value; }
  }
  return JSON.stringify(value, null, 2);
};
export const badge = (text, kind = "") => h("span", { class: `badge ${kind}` }, text);
