// The console shell: hash routing to pages, the account/region switcher and the virtual clock control.
import { advanceClock, noteClock, session, setContext, state, virtualNow } from "./api.js";
import { attempt, fmtDuration, fmtTime, h, replace, toast } from "./dom.js";
import { refreshAll, resetLive } from "./live.js";
import { parseHash } from "./nav.js";
import * as queues from "./pages/queues.js";
import * as queue from "./pages/queue.js";
import * as streams from "./pages/streams.js";
import * as functions from "./pages/functions.js";
import * as functionCreate from "./pages/function-create.js";
import * as logs from "./pages/logs.js";
import * as apis from "./pages/apis.js";
import * as apiCreate from "./pages/api-create.js";
import * as cloudwatch from "./pages/cloudwatch.js";
import * as iam from "./pages/iam.js";
import * as iamCreate from "./pages/iam-create.js";
import * as iamRole from "./pages/iam-role.js";
import * as home from "./pages/home.js";

const ROUTES = {
  "/": home.render,
  "/queues": queues.list,
  "/queues/new": queues.create,
  "/queues/edit": queues.edit,
  "/queue": queue.render,
  "/streams": streams.list,
  "/streams/new": streams.create,
  "/stream": streams.detail,
  "/functions": functions.list,
  "/function": functions.detail,
  "/functions/new": functionCreate.create,
  "/apis": apis.list,
  "/api": apis.detail,
  "/apis/new": apiCreate.create,
  "/logs": logs.list,
  "/log-group": logs.group,
  "/dashboards": cloudwatch.dashboards,
  "/dashboard": cloudwatch.dashboard,
  "/metrics": cloudwatch.metrics,
  "/alarms": cloudwatch.alarms,
  "/iam": iam.render,
  "/iam/roles/new": iamCreate.create,
  "/iam/role": iamRole.detail,
  "/iam/role/attach": iamRole.attach,
  "/iam/role/inline": iamRole.inline,
};

async function route() {
  const { path, params } = parseHash();
  resetLive();
  const main = document.getElementById("main");
  const render = ROUTES[path];
  const section = "/" + (path.split("/")[1] || "");
  for (const a of document.querySelectorAll("nav.side a")) {
    const target = a.getAttribute("href").slice(1);
    const current = target === section || (section.length > 1 && target.startsWith(section));
    if (current) a.setAttribute("aria-current", "page"); else a.removeAttribute("aria-current");
  }
  if (!render) {
    replace(main, h("h1", {}, "Not found"), h("p", {}, `No console page at ${path}.`));
    return;
  }
  replace(main, h("p", { class: "muted" }, "Loading…"));
  try {
    await render(main, params);
  } catch (error) {
    replace(main, h("h1", {}, "Something went wrong"), h("p", { class: "error", testid: "page-error" }, error.message));
  }
}

function showClock(clock) {
  document.getElementById("clock-now").textContent = fmtTime(clock.now);
  const offset = Math.round(clock.offset);
  const note = document.getElementById("clock-offset");
  note.textContent = offset ? `(+${fmtDuration(offset)})` : "(real time)";
  note.title = `The virtual clock runs ${offset} s ahead of real time`;
}

async function initHeader() {
  const initial = await state();
  const account = document.getElementById("account");
  const region = document.getElementById("region");
  account.value = session.account || initial.account;
  for (const name of initial.regions) region.append(h("option", { value: name }, name));
  region.value = session.region || initial.region;
  const apply = () => {
    if (!/^\d{12}$/.test(account.value)) { toast("An account id is 12 digits", true); return; }
    setContext(account.value, region.value);
    route();
  };
  account.addEventListener("change", apply);
  region.addEventListener("change", apply);
  showClock(initial.clock);
  // The virtual clock moves with real time: tick locally, resync with the server now and then.
  noteClock(initial.clock);
  let offset = initial.clock.offset;
  setInterval(() => showClock({ now: virtualNow(), offset }), 1000);
  setInterval(async () => {
    const s = await state().catch(() => null);
    if (s) { noteClock(s.clock); offset = s.clock.offset; }
  }, 15000);
  document.getElementById("clock-advance").addEventListener("click", async () => {
    const seconds = Number(document.getElementById("clock-seconds").value);
    const result = await attempt(() => advanceClock(seconds), `Clock advanced ${seconds} s`);
    if (result) {
      noteClock(result);
      offset = result.offset;
      showClock(result);
      refreshAll();
    }
  });
}

window.addEventListener("hashchange", route);
initHeader().then(route, (error) => toast(error.message, true));
