// One queue: details, send and poll, the dead-letter tab (with redrive), triggers, tags, policy, monitoring.
import { call, view } from "../api.js";
import { attempt, badge, confirmDialog, field, fmtMillis, h, kv, link, pretty, replace, table, tabs } from "../dom.js";
import { live, refreshAll } from "../live.js";
import { chartGrid } from "../metrics.js";
import { arnName, go, href, queueUrlFromArn, resourceLink, setParam } from "../nav.js";

export async function render(main, params) {
  const url = params.url;
  let data = await view("queue", { url });
  const counts = h("div", { class: "counts", testid: "queue-counts" });
  const showCounts = () => {
    const a = data.attributes;
    replace(counts,
      h("div", {}, h("strong", { testid: "count-visible" }, a.ApproximateNumberOfMessages), "visible"),
      h("div", {}, h("strong", { testid: "count-inflight" }, a.ApproximateNumberOfMessagesNotVisible), "in flight"),
      h("div", {}, h("strong", { testid: "count-delayed" }, a.ApproximateNumberOfMessagesDelayed), "delayed"));
  };
  const purge = async () => {
    if (await confirmDialog(`Purge every message from ${data.name}?`, "Purge")) {
      await attempt(() => call("sqs", "PurgeQueue", { QueueUrl: url }), "Purge started");
      refreshAll();
    }
  };
  const remove = async () => {
    if (await confirmDialog(`Delete the queue ${data.name} and its messages?`, "Delete")) {
      if (await attempt(() => call("sqs", "DeleteQueue", { QueueUrl: url }), "Queue deleted")) go("/queues");
    }
  };
  const updaters = [];
  replace(main,
    h("div", { class: "toolbar" }, h("h1", { class: "grow", testid: "queue-title" }, data.name),
      h("button", { type: "button", onclick: purge, testid: "purge-queue" }, "Purge"),
      h("button", { type: "button", class: "danger", onclick: remove, testid: "delete-queue" }, "Delete")),
    counts,
    tabs([
      ["details", "Details", (p) => updaters.push(details(p, () => data))],
      ["messages", "Send and receive", (p) => messages(p, url, () => data)],
      ["dead-letter", "Dead-letter", (p) => updaters.push(deadLetter(p, () => data))],
      ["triggers", "Lambda triggers", (p) => updaters.push(triggers(p, () => data))],
      ["tags", "Tags", (p) => p.append(table([["Key", ([k]) => k], ["Value", ([, v]) => v]], Object.entries(data.tags), { empty: "No tags." }))],
      ["policy", "Access policy", (p) => p.append(h("pre", { class: "card mono" }, data.attributes.Policy ? pretty(data.attributes.Policy) : "No access policy."))],
      ["monitoring", "Monitoring", (p) => live(chartGrid(p, queueMetrics(data.name)), 10000)],
    ], params.tab, (tab) => { setParam("tab", tab); updaters.length = 0; }));
  showCounts();
  live(async () => {
    data = await view("queue", { url });
    showCounts();
    for (const update of updaters) update();
  }, 2000);
}

function queueMetrics(name) {
  const dims = { QueueName: name };
  return [
    ["NumberOfMessagesSent", "Sum"], ["NumberOfMessagesReceived", "Sum"], ["NumberOfMessagesDeleted", "Sum"],
    ["ApproximateNumberOfMessagesVisible", "Maximum"], ["ApproximateNumberOfMessagesNotVisible", "Maximum"],
    ["ApproximateAgeOfOldestMessage", "Maximum"],
  ].map(([metric, stat]) => ({ namespace: "AWS/SQS", name: metric, stat, dimensions: dims, title: `${metric} (${stat})` }));
}

function details(panel, get) {
  const box = h("div", { class: "card" });
  panel.append(box);
  const update = () => {
    const d = get();
    const a = d.attributes;
    replace(box, kv([
      ["URL", h("span", { class: "mono", testid: "queue-url" }, d.url)],
      ["ARN", h("span", { class: "mono" }, a.QueueArn)],
      ["Type", a.FifoQueue === "true" ? "FIFO" : "Standard"],
      ["Dead-letter queue", d.dlqUrl ? [link(href("/queue", { url: d.dlqUrl }), arnName(d.redrive.deadLetterTargetArn), { testid: "dlq-link" }), ` (maxReceiveCount ${d.redrive.maxReceiveCount})`] : "—"],
      ...Object.entries(a).sort().map(([k, v]) => [k, h("span", { class: "mono" }, v)]),
    ]));
  };
  update();
  return update;
}

function messages(panel, url, get) {
  const isFifo = get().attributes.FifoQueue === "true";
  const body = h("textarea", { testid: "send-body", placeholder: "Message body", required: true });
  const delay = h("input", { type: "number", min: 0, max: 900, value: "", size: 6, testid: "send-delay" });
  const group = h("input", { testid: "send-group", size: 20 });
  const dedup = h("input", { testid: "send-dedup", size: 20 });
  const attrs = h("textarea", { placeholder: "name=value (String), one a line", testid: "send-attributes" });
  const sendForm = h("form", { class: "stack", testid: "send-form" },
    field("Body", body), field("Message attributes", attrs), field("Delivery delay (s)", delay),
    isFifo ? [field("Message group id", group), field("Deduplication id", dedup)] : [],
    h("div", { class: "full" }, h("button", { type: "submit", class: "primary", testid: "send-submit" }, "Send message")));
  sendForm.addEventListener("submit", async (event) => {
    event.preventDefault();
    const params = { QueueUrl: url, MessageBody: body.value };
    if (delay.value !== "") params.DelaySeconds = Number(delay.value);
    if (group.value) params.MessageGroupId = group.value;
    if (dedup.value) params.MessageDeduplicationId = dedup.value;
    const lines = attrs.value.split("\n").map((l) => l.trim()).filter(Boolean);
    if (lines.length) {
      params.MessageAttributes = Object.fromEntries(lines.map((l) => {
        const i = l.indexOf("=");
        return [l.slice(0, i < 0 ? l.length : i).trim(), { DataType: "String", StringValue: i < 0 ? "" : l.slice(i + 1) }];
      }));
    }
    const sent = await attempt(() => call("sqs", "SendMessage", params), "Message sent");
    if (sent) { body.value = ""; refreshAll(); }
  });
  const visibility = h("input", { type: "number", min: 0, max: 43200, size: 6, placeholder: get().attributes.VisibilityTimeout, testid: "poll-visibility" });
  const received = new Map();
  const list = h("div", { testid: "poll-results" }, h("p", { class: "muted" }, "Poll to receive messages: each poll is a ReceiveMessage, so receive counts go up."));
  const showList = () => {
    replace(list, table([
      ["Message id", (m) => h("span", { class: "mono" }, m.MessageId)],
      ["Body", (m) => h("pre", {}, m.Body)],
      ["Receive count", (m) => h("span", { testid: "receive-count" }, m.Attributes?.ApproximateReceiveCount), { num: true }],
      ["Sent", (m) => fmtMillis(m.Attributes?.SentTimestamp)],
      ["Attributes", (m) => h("pre", {}, Object.entries(m.MessageAttributes || {}).map(([k, v]) => `${k}=${v.StringValue ?? v.BinaryValue?.$bytes ?? ""}`).join("\n"))],
      ["", (m) => h("button", { type: "button", onclick: () => deleteOne(m) }, "Delete")],
    ], [...received.values()], { empty: "No messages received.", testid: "messages-table" }));
  };
  const deleteOne = async (m) => {
    if (await attempt(() => call("sqs", "DeleteMessage", { QueueUrl: url, ReceiptHandle: m.ReceiptHandle }), "Message deleted")) {
      received.delete(m.MessageId);
      showList();
      refreshAll();
    }
  };
  const poll = async () => {
    const params = { QueueUrl: url, MaxNumberOfMessages: 10, WaitTimeSeconds: 1, MessageSystemAttributeNames: ["All"], AttributeNames: ["All"], MessageAttributeNames: ["All"] };
    if (visibility.value !== "") params.VisibilityTimeout = Number(visibility.value);
    const result = await attempt(() => call("sqs", "ReceiveMessage", params));
    if (!result) return;
    for (const m of result.Messages || []) received.set(m.MessageId, m);
    showList();
    if (!(result.Messages || []).length) list.prepend(h("p", { class: "muted", testid: "poll-empty" }, "The last poll received nothing."));
    refreshAll();
  };
  panel.append(h("h2", {}, "Send a message"), h("div", { class: "card" }, sendForm),
    h("h2", {}, "Receive messages"),
    h("div", { class: "toolbar" }, h("button", { type: "button", class: "primary", onclick: poll, testid: "poll" }, "Poll for messages"),
      h("label", {}, "Visibility timeout (s) ", visibility),
      h("button", { type: "button", onclick: () => { received.clear(); showList(); } }, "Clear list")),
    list);
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
    parts.push(h("h2", {}, "This queue's dead-letter queue"));
    parts.push(d.dlqUrl
      ? h("p", {}, "Messages received more than ", h("strong", {}, d.redrive.maxReceiveCount), " times move to ", link(href("/queue", { url: d.dlqUrl }), arnName(d.redrive.deadLetterTargetArn), { testid: "dlq-target-link" }), ".")
      : h("p", { class: "muted" }, "No redrive policy: messages are never dead-lettered."));
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
