// CloudWatch dashboards: the list (Create dashboard, Delete), and one dashboard: its widgets drawn over a
// time range of the virtual clock, "Add widget", move (drag the title) and resize (drag the corner), and
// "Save", which stores the body in AWS's dashboard body structure (what get-dashboard returns).
import { call, session } from "../api.js";
import { attempt, confirmDialog, fmtTime, h, link, replace, table } from "../dom.js";
import { copyable, row, showError } from "../forms.js";
import { live } from "../live.js";
import { go, href } from "../nav.js";
import { parseRelative, timeRange, toRelative } from "../timerange.js";
import { drawWidget } from "./dashboard_widgets.js";
import { editWidget } from "./widget_editor.js";

const COLUMNS = 24;
const ROW = 40;
const GAP = 8;

function createDialog() {
  const name = h("input", { size: 40, "aria-label": "Dashboard name", testid: "dashboard-name" });
  const error = h("div", { class: "error", role: "alert" });
  const dialog = h("dialog", { "aria-label": "Create new dashboard" },
    h("h2", {}, "Create new dashboard"),
    h("div", { class: "stack-one" }, row("Dashboard name", name, { hint: "Valid characters are A–Z, a–z, 0–9, \"-\" and \"_\"." })),
    error,
    h("div", { class: "toolbar" }, h("button", { type: "button", onclick: () => dialog.close() }, "Cancel"),
      h("button", { type: "button", class: "primary", onclick: async () => {
        try {
          await call("cloudwatch", "PutDashboard", { DashboardName: name.value.trim(), DashboardBody: JSON.stringify({ widgets: [] }) });
          dialog.close();
          go("/dashboard", { name: name.value.trim() });
        } catch (e) { showError(error, e); }
      } }, "Create dashboard")));
  dialog.addEventListener("close", () => dialog.remove());
  document.body.append(dialog);
  dialog.showModal();
  name.focus();
}

async function deleteDashboard(name) {
  if (!(await confirmDialog(`Are you sure you want to delete the dashboard ${name}? This can't be undone.`, "Delete"))) return false;
  return Boolean(await attempt(() => call("cloudwatch", "DeleteDashboards", { DashboardNames: [name] }), `Deleted dashboard ${name}`));
}

export async function dashboards(main) {
  const body = h("div");
  replace(main, h("div", { class: "toolbar" }, h("h1", { class: "grow" }, "Custom dashboards"),
    h("button", { type: "button", class: "primary", onclick: createDialog }, "Create dashboard")), body);
  const refresh = live(async () => {
    const result = await call("cloudwatch", "ListDashboards", {}).catch((e) => ({ error: e }));
    if (result.error) { replace(body, h("p", { class: "muted" }, `CloudWatch is not available: ${result.error.message}`)); return; }
    replace(body, table([
      ["Name", (d) => link(href("/dashboard", { name: d.DashboardName }), d.DashboardName, { testid: `dashboard-link-${d.DashboardName}` })],
      ["Last modified", (d) => fmtTime(d.LastModified)],
      ["Size (bytes)", (d) => d.Size, { num: true }],
      ["", (d) => h("button", { type: "button", class: "danger", "aria-label": `Delete ${d.DashboardName}`, onclick: async () => { if (await deleteDashboard(d.DashboardName)) refresh(); } }, "Delete")],
    ], result.DashboardEntries || [], { empty: "No dashboards yet: choose Create dashboard.", testid: "dashboards-table" }));
  }, 5000);
}

/** Place widgets without x / y as AWS does: left to right, then below. */
function layout(widgets) {
  let x = 0;
  let y = 0;
  let rowHeight = 0;
  for (const w of widgets) {
    w.width = Math.min(COLUMNS, w.width || 6);
    w.height = w.height || 6;
    if (w.x !== undefined && w.y !== undefined) {
      x = w.x + w.width;
      y = w.y;
      rowHeight = Math.max(rowHeight, w.height);
      if (x >= COLUMNS) { x = 0; y += rowHeight; rowHeight = 0; }
      continue;
    }
    if (x + w.width > COLUMNS) { x = 0; y += rowHeight; rowHeight = 0; }
    w.x = x;
    w.y = y;
    x += w.width;
    rowHeight = Math.max(rowHeight, w.height);
  }
}

function below(widgets) {
  return widgets.reduce((m, w) => Math.max(m, (w.y ?? 0) + (w.height || 6)), 0);
}

export async function dashboard(main, params) {
  const name = params.name;
  const result = await call("cloudwatch", "GetDashboard", { DashboardName: name });
  const parsed = JSON.parse(result.DashboardBody || "{}");
  const widgets = parsed.widgets || [];
  layout(widgets);
  const region = session.region || "us-east-1";
  const grid = h("div", { class: "dash", testid: "dashboard" });
  const status = h("span", { class: "muted", role: "status", testid: "dashboard-status" });
  const refreshers = [];
  const refresh = () => { const w = range.window(); range.sync(); return Promise.all(refreshers.map((r) => r(w))); };
  const range = timeRange(parsed.start && parseRelative(parsed.start) ? { seconds: parseRelative(parsed.start) } : parsed.start ? { start: Date.parse(parsed.start) / 1000, end: Date.parse(parsed.end) / 1000 } : { seconds: 3 * 3600 },
    () => { changed(); refresh(); }, { refresh: 10, onRefresh: (s) => schedule(s) });
  let dirty = false;
  const changed = () => { dirty = true; status.textContent = "You have unsaved changes."; };
  const save = async () => {
    const body = { widgets: widgets.map(({ type, x, y, width, height, properties }) => ({ type, x, y, width, height, properties })) };
    const chosen = range.state();
    if (chosen.seconds !== undefined) body.start = toRelative(chosen.seconds);
    else { body.start = new Date(chosen.start * 1000).toISOString(); body.end = new Date(chosen.end * 1000).toISOString(); }
    try {
      const reply = await call("cloudwatch", "PutDashboard", { DashboardName: name, DashboardBody: JSON.stringify(body) });
      dirty = false;
      status.textContent = (reply.DashboardValidationMessages || []).length ? `Saved with warnings: ${reply.DashboardValidationMessages.map((m) => m.Message).join("; ")}` : "Dashboard saved.";
    } catch (e) {
      status.textContent = e.message;
    }
  };
  const draw = () => {
    grid.replaceChildren();
    refreshers.length = 0;
    grid.style.minHeight = `${below(widgets) * (ROW + GAP)}px`;
    for (const widget of widgets) {
      const properties = widget.properties || {};
      const body = h("div", { class: "body" });
      const label = properties.title || (widget.type === "text" ? "Text" : widget.type);
      const heading = h("h3", { class: "drag", title: "Drag to move" }, properties.title || "");
      const tools = h("div", { class: "widget-tools" },
        widget.type === "metric" || widget.type === "text" ? h("button", { type: "button", "aria-label": `Edit ${label}`, onclick: async () => {
          const updated = await editWidget(region, widget);
          if (updated) { Object.assign(widget, updated); changed(); draw(); refresh(); }
        } }, "Edit") : null,
        h("button", { type: "button", "aria-label": `Remove ${label}`, onclick: () => { widgets.splice(widgets.indexOf(widget), 1); changed(); draw(); refresh(); } }, "Remove"));
      const handle = h("button", { type: "button", class: "resize-handle", "aria-label": `Resize ${label}`, title: "Drag to resize" });
      const box = h("section", { class: "widget", testid: `widget-${widget.type}`, "aria-label": label }, heading, tools, body, handle);
      box.style.gridColumn = `${widget.x + 1} / span ${widget.width}`;
      box.style.gridRow = `${widget.y + 1} / span ${widget.height}`;
      grid.append(box);
      const unit = () => ({ x: (grid.clientWidth + GAP) / COLUMNS, y: ROW + GAP });
      const drag = (element, apply) => element.addEventListener("pointerdown", (down) => {
        if (down.target.closest("button") && element !== handle) return;
        down.preventDefault();
        const start = { x: down.clientX, y: down.clientY };
        const origin = { x: widget.x, y: widget.y, width: widget.width, height: widget.height };
        const move = (event) => {
          const dx = Math.round((event.clientX - start.x) / unit().x);
          const dy = Math.round((event.clientY - start.y) / unit().y);
          apply(origin, dx, dy);
          box.style.gridColumn = `${widget.x + 1} / span ${widget.width}`;
          box.style.gridRow = `${widget.y + 1} / span ${widget.height}`;
        };
        const up = () => {
          window.removeEventListener("pointermove", move);
          window.removeEventListener("pointerup", up);
          if (widget.x !== origin.x || widget.y !== origin.y || widget.width !== origin.width || widget.height !== origin.height) { changed(); draw(); refresh(); }
        };
        window.addEventListener("pointermove", move);
        window.addEventListener("pointerup", up);
      });
      drag(heading, (o, dx, dy) => { widget.x = Math.max(0, Math.min(COLUMNS - widget.width, o.x + dx)); widget.y = Math.max(0, o.y + dy); });
      drag(handle, (o, dx, dy) => { widget.width = Math.max(1, Math.min(COLUMNS - widget.x, o.width + dx)); widget.height = Math.max(1, o.height + dy); });
      const refresher = drawWidget(widget, body);
      if (refresher) refreshers.push(refresher);
    }
    if (!widgets.length) grid.append(h("p", { class: "muted", style: "grid-column: 1 / -1" }, "This dashboard is empty: choose Add widget."));
  };
  const add = async () => {
    const widget = await editWidget(region, null);
    if (!widget) return;
    delete widget.x;
    delete widget.y;
    widgets.push(widget);
    layout(widgets);
    changed();
    draw();
    refresh();
  };
  const remove = async () => { if (await deleteDashboard(name)) go("/dashboards"); };
  replace(main,
    h("p", { class: "muted" }, link("#/dashboards", "CloudWatch › Dashboards"), " › ", name),
    h("div", { class: "toolbar" }, h("h1", { class: "grow", testid: "dashboard-title" }, name), status,
      h("button", { type: "button", onclick: add }, "Add widget"),
      h("button", { type: "button", class: "primary", onclick: save }, "Save"),
      h("button", { type: "button", class: "danger", onclick: remove }, "Delete dashboard")),
    result.DashboardArn ? h("p", { class: "muted" }, "ARN ", copyable(result.DashboardArn, "dashboard ARN")) : null,
    range, grid);
  draw();
  let timer = null;
  const schedule = (seconds) => {
    if (timer) clearInterval(timer);
    timer = seconds ? setInterval(() => { if (!grid.isConnected) { clearInterval(timer); return; } refresh(); }, seconds * 1000) : null;
  };
  live(refresh, 3600 * 1000);  // drawn now and after every clock advance; the interval below is the user's
  schedule(range.interval());
  window.addEventListener("beforeunload", (event) => { if (dirty && grid.isConnected) event.preventDefault(); });

}
