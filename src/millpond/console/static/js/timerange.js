// The CloudWatch time range control: relative ranges (1h … 1w) ending at the virtual clock's now, or a
// custom absolute range, and the refresh interval. Ranges travel as dashboard bodies store them ("-PT3H").
import { virtualNow } from "./api.js";
import { fmtTime, h } from "./dom.js";

export const RANGES = [["1h", 3600], ["3h", 3 * 3600], ["12h", 12 * 3600], ["1d", 86400], ["3d", 3 * 86400], ["1w", 7 * 86400]];
export const REFRESH = [["Off", 0], ["10 seconds", 10], ["1 minute", 60], ["2 minutes", 120], ["5 minutes", 300], ["15 minutes", 900]];

/** "-PT3H" / "-P1D" / "-PT15M" / "-P1W" -> seconds; undefined when not a relative ISO 8601 duration. */
export function parseRelative(text) {
  const m = /^-P(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$/.exec(String(text || ""));
  if (!m || m[0] === "-P") return undefined;
  const [, w = 0, d = 0, hh = 0, mm = 0, ss = 0] = m.map((v) => (v === undefined ? 0 : Number(v)));
  return w * 604800 + d * 86400 + hh * 3600 + mm * 60 + ss;
}

export function toRelative(seconds) {
  if (seconds % 604800 === 0) return `-P${seconds / 604800}W`;
  if (seconds % 86400 === 0) return `-P${seconds / 86400}D`;
  if (seconds % 3600 === 0) return `-PT${seconds / 3600}H`;
  return `-PT${Math.round(seconds / 60)}M`;
}

const toLocalInput = (t) => {
  const d = new Date(t * 1000 - new Date(t * 1000).getTimezoneOffset() * 60000);
  return d.toISOString().slice(0, 16);
};
const fromLocalInput = (v) => new Date(v).getTime() / 1000;

/**
 * A range picker. state: {seconds} (relative to virtual now) or {start, end} (epoch seconds). onChange(state)
 * runs on every choice; .window() gives {start, end} now; .state() the current choice; .refresh the seconds.
 */
export function timeRange(initial, onChange, { refresh = 0, onRefresh } = {}) {
  let current = { ...initial };
  const bar = h("div", { class: "timerange toolbar", role: "group", "aria-label": "Time range" });
  const buttons = RANGES.map(([label, seconds]) => h("button", {
    type: "button", "aria-pressed": "false", "data-range": label,
    onclick: () => { current = { seconds }; sync(); onChange(current); },
  }, label));
  const customStart = h("input", { type: "datetime-local", "aria-label": "Custom start" });
  const customEnd = h("input", { type: "datetime-local", "aria-label": "Custom end" });
  const custom = h("button", { type: "button", "aria-pressed": "false", onclick: () => { customBox.hidden = !customBox.hidden; } }, "Custom");
  const apply = h("button", { type: "button", onclick: () => {
    const start = fromLocalInput(customStart.value);
    const end = fromLocalInput(customEnd.value);
    if (!(start < end)) return;
    current = { start, end };
    customBox.hidden = true;
    sync();
    onChange(current);
  } }, "Apply");
  const customBox = h("span", { class: "custom-range", hidden: true }, customStart, " to ", customEnd, " ", apply);
  const nowNote = h("span", { class: "muted", testid: "range-note" });
  const interval = h("select", { "aria-label": "Refresh interval" }, REFRESH.map(([label, s]) => h("option", { value: s }, label)));
  interval.value = String(refresh);
  interval.addEventListener("change", () => onRefresh?.(Number(interval.value)));
  const sync = () => {
    for (const b of buttons) b.setAttribute("aria-pressed", String(RANGES.find(([l]) => l === b.dataset.range)[1] === current.seconds));
    custom.setAttribute("aria-pressed", String(current.seconds === undefined));
    const { start, end } = bar.window();
    customStart.value = toLocalInput(start);
    customEnd.value = toLocalInput(end);
    nowNote.textContent = current.seconds !== undefined ? `ending at virtual now (${fmtTime(end)})` : `${fmtTime(start)} – ${fmtTime(end)}`;
  };
  bar.window = () => (current.seconds !== undefined ? { start: virtualNow() - current.seconds, end: virtualNow() } : { start: current.start, end: current.end });
  bar.state = () => ({ ...current });
  bar.interval = () => Number(interval.value);
  bar.sync = sync;
  bar.append(...buttons, custom, customBox, nowNote, onRefresh ? h("label", {}, "Refresh ", interval) : null);
  sync();
  return bar;
}
