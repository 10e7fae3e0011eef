// Queues: the list (the AWS console's columns, delete with its confirmation), and the create and edit pages.
import { call, view } from "../api.js";
import { attempt, fmtTime, h, link, replace, table } from "../dom.js";
import { confirmTyped } from "../forms.js";
import { live, refreshAll } from "../live.js";
import { go, href } from "../nav.js";
import { queueForm } from "./queue_form.js";

export async function list(main, params) {
  const filter = h("input", { type: "search", placeholder: "Search queues by prefix", "aria-label": "Search queues", value: params.prefix || "" });
  const body = h("div", {}, h("p", { class: "muted" }, "Loading…"));
  let selected = null;
  const remove = h("button", { type: "button", disabled: true, testid: "delete-selected-queue", onclick: () => deleteQueue(selected) }, "Delete");
  replace(main,
    h("div", { class: "toolbar" }, h("h1", { class: "grow" }, "Queues"), filter, remove,
      h("a", { class: "button primary", href: "#/queues/new", testid: "create-queue", role: "button" }, "Create queue")),
    body);
  const refresh = live(async () => {
    const { queues } = await view("queues", { prefix: filter.value });
    if (selected && !queues.some((q) => q.url === selected.url)) selected = null;
    remove.disabled = !selected;
    replace(body, table([
      ["", (q) => h("input", { type: "radio", name: "queue-select", "aria-label": `Select ${q.name}`, checked: selected?.url === q.url, onchange: () => { selected = q; remove.disabled = false; } })],
      ["Name", (q) => link(href("/queue", { url: q.url }), q.name, { testid: `queue-link-${q.name}` })],
      ["Type", (q) => (q.fifo ? "FIFO" : "Standard")],
      ["Created", (q) => fmtTime(q.created)],
      ["Messages available", (q) => q.visible, { num: true }],
      ["Messages in flight", (q) => q.inFlight, { num: true }],
      ["Messages delayed", (q) => q.delayed, { num: true }],
      ["Dead-letter queue", (q) => (q.dlqName ? `${q.dlqName} (after ${q.maxReceiveCount} receives)` : "—")],
      ["Dead-letter queue for", (q) => q.sources.join(", ") || "—"],
    ], queues, { empty: "No queues in this account and region.", testid: "queues-table", rowid: (q) => q.name }));
  }, 2000);
  filter.addEventListener("input", refresh);
}

/** Delete a queue after the AWS console's confirmation ("enter delete"); true when deleted. */
export async function deleteQueue(queue) {
  if (!queue) return false;
  const ok = await confirmTyped(`Delete queue: ${queue.name}`,
    `Are you sure you want to delete the queue ${queue.name}? Deleting a queue deletes all the messages in it; the queue can't be recovered.`);
  if (!ok) return false;
  const done = await attempt(() => call("sqs", "DeleteQueue", { QueueUrl: queue.url }), `Deleted queue ${queue.name}`);
  refreshAll();
  return Boolean(done);
}

export async function create(main) {
  const { queues } = await view("queues");
  const { form, focus } = await queueForm(null, queues, (url) => go("/queue", { url }));
  replace(main, h("h1", {}, "Create queue"), h("div", { class: "card" }, form));
  focus();
}

export async function edit(main, params) {
  const [{ queues }, data] = await Promise.all([view("queues"), view("queue", { url: params.url })]);
  const { form, focus } = await queueForm(data, queues, (url) => go("/queue", { url }));
  replace(main, h("h1", {}, `Edit ${data.name}`), h("div", { class: "card" }, form));
  focus();
}
