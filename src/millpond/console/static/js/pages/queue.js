// One queue: details (URL and ARN to copy), send and receive, the dead-letter queue tab (with redrive),
// Lambda triggers, tagging, access policy and monitoring; edit, purge and delete as the AWS console does them.
import { call, view } from "../api.js";
import { attempt, badge, confirmDialog, fmtDuration, fmtMillis, fmtTime, h, kv, link, pretty, replace, table, tabs } from "../dom.js";
import { copyable } from "../forms.js";
import { live, refreshAll } from "../live.js";
import { chartGrid } from "../metrics.js";
import { arnName, go, href, queueUrlFromArn, resourceLink, setParam } from "../nav.js";
import { timeRange } from "../timerange.js";
import { messages } from "./queue_messages.js";
import { deleteQueue } from "./queues.js";

export async function render(main, params) {
  const url = params.url;
  let data = await view("queue", { url });
  const counts = h("div", { class: "counts", testid: "queue-counts" });
  const showCounts = () => {
    const a = data.attributes;
    replace(counts,
      h("div", {}, h("strong", { testid: "count-visible" }, a.ApproximateNumberOfMessages), "Messages available"),
      h("div", {}, h("strong", { testid: "count-inflight" }, a.ApproximateNumberOfMessagesNotVisible), "Messages in flight"),
      h("div", {}, h("strong", { testid: "count-delayed" }, a.ApproximateNumberOfMessagesDelayed), "Messages delayed"));
  };
  const purge = async () => {
    if (await confirmDialog(`Purge queue ${data.name}? All the messages in the queue will be deleted permanently.`, "Purge")) {
      await attempt(() => call("sqs", "PurgeQueue", { QueueUrl: url }), "Purge started");
      refreshAll();
    }
  };
  const remove = async () => {
    if (await deleteQueue({ url, name: data.name })) go("/queues");
  };
  const updaters = [];
  let tabBox;
  const openTab = (id) => tabBox.querySelector(`[data-tab="${id}"]`).click();
  tabBox = tabs([
    ["details", "Details", (p) => updaters.push(details(p, () => data))],
    ["messages", "Send and receive messages", (p) => messages(p, url, () => data)],
    ["dead-letter", "Dead-letter queue", (p) => updaters.push(deadLetter(p, () => data))],
    ["monitoring", "Monitoring", (p) => monitoring(p, data.name)],
    ["triggers", "Lambda triggers", (p) => updaters.push(triggers(p, () => data))],
    ["tags", "Tagging", (p) => p.append(h("div", { class: "toolbar" }, h("a", { class: "button", href: href("/queues/edit", { url }) }, "Edit tags")),
      table([["Key", ([k]) => k], ["Value", ([, v]) => v]], Object.entries(data.tags), { empty: "No tags.", testid: "tags-table" }))],
    ["policy", "Access policy", (p) => p.append(h("pre", { class: "card mono", testid: "access-policy" }, data.attributes.Policy ? pretty(data.attributes.Policy) : "No access policy."))],
  ], params.tab, (tab) => { setParam("tab", tab); updaters.length = 0; });
  replace(main,
    h("p", { class: "muted" }, link("#/queues", "Amazon SQS › Queues"), " › ", data.name),
    h("div", { class: "toolbar" }, h("h1", { class: "grow", testid: "queue-title" }, data.name),
      h("a", { class: "button", role: "button", href: href("/queues/edit", { url }), testid: "edit-queue" }, "Edit"),
      h("button", { type: "button", class: "danger", onclick: remove, testid: "delete-queue" }, "Delete"),
      h("button", { type: "button", onclick: purge, testid: "purge-queue" }, "Purge"),
      h("button", { type: "button", class: "primary", onclick: () => openTab("messages"), testid: "open-messages" }, "Send and receive messages"),
      data.sources.length ? h("button", { type: "button", onclick: () => openTab("dead-letter") }, "Start DLQ redrive") : null),
    counts, tabBox);
  showCounts();
  live(async () => {
    data = await view("queue", { url });
    showCounts();
    for (const update of updaters) update();
  }, 2000);
}

/** The AWS console's queue monitoring charts (the lab's Messages Sent / Received / Deleted among them). */
export function queueMetrics(name) {
  const dims = { QueueName: name };
  return [
    ["Approximate Number Of Messages Visible", "ApproximateNumberOfMessagesVisible", "Average"],
    ["Approximate Number Of Messages Not Visible", "ApproximateNumberOfMessagesNotVisible", "Average"],
    ["Approximate Age Of Oldest Message", "ApproximateAgeOfOldestMessage", "Maximum"],
    ["Approximate Number Of Messages Delayed", "ApproximateNumberOfMessagesDelayed", "Average"],
    ["Number Of Messages Sent", "NumberOfMessagesSent", "Sum"],
    ["Number Of Messages Received", "NumberOfMessagesReceived", "Sum"],
    ["Number Of Messages Deleted", "NumberOfMessagesDeleted", "Sum"],
    ["Number Of Empty Receives", "NumberOfEmptyReceives", "Sum"],
    ["Sent Message Size", "SentMessageSize", "Average"],
  ].map(([title, metric, stat]) => ({ namespace: "AWS/SQS", name: metric, stat, dimensions: dims, title, label: `${name} ${stat}` }));
}

function monitoring(panel, name) {
  let refresh = () => undefined;
  const range = timeRange({ seconds: 3600 }, () => refresh());
  panel.append(range);
  refresh = live(chartGrid(panel, queueMetrics(name), { range }), 10000);
}

function details(panel, get) {
  const box = h("div", { class: "card", testid: "queue-details" });
  panel.append(box);
  const update = () => {
    const d = get();
    const a = d.attributes;
    const seconds = (key) => fmtDuration(Number(a[key] || 0));
    replace(box, kv([
      ["Name", d.name],
      ["Type", a.FifoQueue === "true" ? "FIFO" : "Standard"],
      ["ARN", copyable(a.QueueArn, "ARN", "queue-arn")],
      ["URL", copyable(d.url, "URL", "queue-url")],
      ["Encryption", a.KmsMasterKeyId ? `SSE-KMS (${a.KmsMasterKeyId})` : a.SqsManagedSseEnabled === "true" ? "Amazon SQS key (SSE-SQS)" : "Disabled"],
      ["Created", fmtTime(a.CreatedTimestamp)],
      ["Last updated", fmtTime(a.LastModifiedTimestamp)],
      ["Visibility timeout", seconds("VisibilityTimeout")],
      ["Delivery delay", seconds("DelaySeconds")],
      ["Message retention period", seconds("MessageRetentionPeriod")],
      ["Maximum message size", `${Number(a.MaximumMessageSize || 0) / 1024} KB`],
      ["Receive message wait time", seconds("ReceiveMessageWaitTimeSeconds")],
      a.FifoQueue === "true" ? ["Content-based deduplication", a.ContentBasedDeduplication === "true" ? "Enabled" : "Disabled"] : null,
      ["Dead-letter queue", d.dlqUrl ? [link(href("/queue", { url: d.dlqUrl }), arnName(d.redrive.deadLetterTargetArn), { testid: "dlq-link" }), ` (Maximum receives ${d.redrive.maxReceiveCount})`] : "Disabled"],
    ]));
  };
  update();
  return update;
}

function deadLetter(panel, get) {
  const box = h("div");
  panel.append(box);
  let formShown = false;
  const tasks = h("div", { testid: "move-tasks" });
  const update = () => {
    const d = get();
    const showTasks = () => replace(tasks, table([
      ["Status", (t) => badge(t.Status, t.Status === "COMPLETED" ? "ok" : t.Status === "FAILED" ? "bad" : "warn")],
      ["Destination", (t) => (t.DestinationArn ? arnName(t.DestinationArn) : "source queues")],
      ["Moved", (t) => t.ApproximateNumberOfMessagesMoved, { num: true }],
      ["To move", (t) => t.ApproximateNumberOfMessagesToMove ?? "—", { num: true }],
      ["Started", (t) => fmtMillis(t.StartedTimestamp)],
      ["", (t) => (t.Status === "RUNNING" ? h("button", { type: "button", onclick: () => attempt(() => call("sqs", "CancelMessageMoveTask", { TaskHandle: t.TaskHandle }), "Cancelling") }, "Cancel") : "")],
    ], d.moveTasks, { empty: "No redrive tasks yet.", testid: "move-tasks-table" }));
    if (formShown) { showTasks(); return; }
    const parts = [];
    parts.push(h("h2", {}, "Dead-letter queue"));
    parts.push(d.dlqUrl
      ? h("div", { class: "card", testid: "dlq-settings" }, kv([
        ["Queue", link(href("/queue", { url: d.dlqUrl }), arnName(d.redrive.deadLetterTargetArn), { testid: "dlq-target-link" })],
        ["ARN", copyable(d.redrive.deadLetterTargetArn, "dead-letter queue ARN")],
        ["Maximum receives", h("strong", { testid: "dlq-max-receives" }, d.redrive.maxReceiveCount)],
      ]), h("p", { class: "muted" }, `Messages received more than ${d.redrive.maxReceiveCount} times move to the dead-letter queue.`))
      : h("p", { class: "muted" }, "Disabled: this queue has no redrive policy, so its messages are never dead-lettered. Edit the queue to enable it."));
    parts.push(h("h2", {}, "Queues that use this queue as their DLQ"));
    parts.push(d.sources.length
      ? h("ul", { testid: "dlq-sources" }, d.sources.map((u) => h("li", {}, link(href("/queue", { url: u }), u.split("/").pop()))))
      : h("p", { class: "muted" }, "None."));
    if (d.attributes.RedriveAllowPolicy) parts.push(h("p", {}, "Redrive allow policy: ", h("code", {}, d.attributes.RedriveAllowPolicy)));
    if (d.sources.length) {
      formShown = true;
      const destination = h("select", { testid: "redrive-destination" }, h("option", { value: "" }, "Redrive to the source queue(s)"),
        d.sources.map((u) => h("option", { value: "arn:aws:sqs:" + d.attributes.QueueArn.split(":").slice(3, 5).join(":") + ":" + u.split("/").pop() }, `Custom: ${u.split("/").pop()}`)));
      const custom = h("input", { placeholder: "or another queue ARN", size: 40, testid: "redrive-custom-arn" });
      const rate = h("input", { type: "number", min: 1, max: 500, placeholder: "max", size: 6 });
      const start = async () => {
        const params = { SourceArn: d.attributes.QueueArn };
        const target = custom.value.trim() || destination.value;
        if (target) params.DestinationArn = target;
        if (rate.value) params.MaxNumberOfMessagesPerSecond = Number(rate.value);
        if (await attempt(() => call("sqs", "StartMessageMoveTask", params), "Redrive started")) refreshAll();
      };
      parts.push(h("h2", {}, "Start a DLQ redrive"),
        h("div", { class: "card toolbar" }, destination, custom, h("label", {}, "Messages per second ", rate),
          h("button", { type: "button", class: "primary", onclick: start, testid: "start-redrive" }, "Start redrive")),
        h("h3", {}, "Redrive tasks"), tasks);
      showTasks();
    }
    replace(box, parts);
  };
  update();
  return update;
}

export function mappingsTable(mappings, { onChange, showFunction = true, showSource = false } = {}) {
  const toggle = async (m, enabled) => {
    if (await attempt(() => call("lambda", "UpdateEventSourceMapping", { UUID: m.UUID, Enabled: enabled }), enabled ? "Enabling" : "Disabling")) onChange?.();
  };
  const remove = async (m) => {
    if (await confirmDialog("Delete this event source mapping?", "Delete")) {
      if (await attempt(() => call("lambda", "DeleteEventSourceMapping", { UUID: m.UUID }), "Deleting")) onChange?.();
    }
  };
  return table([
    showFunction ? ["Function", (m) => link(resourceLink(m.FunctionArn), m.FunctionArn.split(":")[6])] : null,
    showSource ? ["Source", (m) => link(resourceLink(m.EventSourceArn) || "#", arnName(m.EventSourceArn))] : null,
    ["State", (m) => h("span", { testid: "mapping-state" }, badge(m.State, m.State === "Enabled" ? "ok" : m.State === "Disabled" ? "bad" : "warn"))],
    ["Batch size", (m) => m.BatchSize, { num: true }],
    ["Batching window (s)", (m) => m.MaximumBatchingWindowInSeconds ?? 0, { num: true }],
    ["Last result", (m) => m.LastProcessingResult || "—"],
    ["", (m) => [
      h("button", { type: "button", testid: m.State === "Disabled" ? "mapping-enable" : "mapping-disable", onclick: () => toggle(m, m.State === "Disabled") }, m.State === "Disabled" ? "Enable" : "Disable"), " ",
      h("button", { type: "button", class: "danger", onclick: () => remove(m) }, "Delete")]],
  ].filter(Boolean), mappings, { empty: "No event source mappings.", testid: "mappings-table" });
}

function triggers(panel, get) {
  const box = h("div");
  panel.append(box);
  const update = () => replace(box, mappingsTable(get().mappings, { onChange: refreshAll }));
  update();
  return update;
}

export { queueUrlFromArn };
