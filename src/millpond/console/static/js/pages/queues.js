// Queues: the list (visible, in-flight and delayed counts, DLQ relations) and the create form.
import { call, view } from "../api.js";
import { field, h, link, replace, table } from "../dom.js";
import { live } from "../live.js";
import { go, href } from "../nav.js";

export async function list(main, params) {
  const filter = h("input", { type: "search", placeholder: "Filter by name prefix", "aria-label": "Filter queues", value: params.prefix || "" });
  const body = h("div", {}, h("p", { class: "muted" }, "Loading…"));
  replace(main,
    h("div", { class: "toolbar" }, h("h1", { class: "grow" }, "Queues"), filter,
      h("a", { class: "button primary", href: "#/queues/new", testid: "create-queue" }, "Create queue")),
    body);
  const refresh = live(async () => {
    const { queues } = await view("queues", { prefix: filter.value });
    replace(body, table([
      ["Name", (q) => link(href("/queue", { url: q.url }), q.name, { testid: `queue-link-${q.name}` })],
      ["Type", (q) => (q.fifo ? "FIFO" : "Standard")],
      ["Visible", (q) => q.visible, { num: true }],
      ["In flight", (q) => q.inFlight, { num: true }],
      ["Delayed", (q) => q.delayed, { num: true }],
      ["Dead-letter queue", (q) => (q.dlqName ? [link(href("/queue", { url: q.url.replace(/[^/]+$/, q.dlqName) }), q.dlqName), ` after ${q.maxReceiveCount} receives`] : "—")],
      ["DLQ for", (q) => q.sources.map((name, i) => [i ? ", " : "", link(href("/queue", { url: q.url.replace(/[^/]+$/, name) }), name)])],
    ], queues, { empty: "No queues in this account and region.", testid: "queues-table", rowid: (q) => q.name }));
  }, 2000);
  filter.addEventListener("input", refresh);
}

const ATTRIBUTES = [
  ["VisibilityTimeout", "Visibility timeout (s)", "30"],
  ["DelaySeconds", "Delivery delay (s)", "0"],
  ["MessageRetentionPeriod", "Retention period (s)", "345600"],
  ["MaximumMessageSize", "Maximum message size (bytes)", "262144"],
  ["ReceiveMessageWaitTimeSeconds", "Receive wait time (s)", "0"],
  ["KmsMasterKeyId", "KMS key id", ""],
];

export async function create(main) {
  const { queues } = await view("queues");
  const name = h("input", { required: true, testid: "queue-name", pattern: "[A-Za-z0-9_-]{1,80}(\\.fifo)?" });
  const fifo = h("input", { type: "checkbox", testid: "queue-fifo" });
  const dedup = h("input", { type: "checkbox" });
  const throughput = h("select", {}, h("option", { value: "" }, "(default)"), h("option", { value: "perMessageGroupId" }, "perMessageGroupId"), h("option", { value: "perQueue" }, "perQueue"));
  const inputs = Object.fromEntries(ATTRIBUTES.map(([key, , placeholder]) => [key, h("input", { placeholder, testid: `attr-${key}`, size: 12 })]));
  const dlq = h("select", { testid: "queue-dlq" }, h("option", { value: "" }, "(none)"), queues.map((q) => h("option", { value: q.arn }, q.name)));
  const maxReceive = h("input", { type: "number", min: 1, max: 1000, value: "3", testid: "queue-max-receive" });
  const allow = h("select", { testid: "queue-redrive-allow" }, ["(default: allowAll)", "allowAll", "denyAll", "byQueue"].map((v, i) => h("option", { value: i ? v : "" }, v)));
  const allowSources = h("select", { multiple: true, size: 3 }, queues.map((q) => h("option", { value: q.arn }, q.name)));
  const tags = h("textarea", { placeholder: "key=value, one a line", testid: "queue-tags" });
  const policy = h("textarea", { placeholder: "Access policy JSON (optional)" });
  const error = h("p", { class: "error", role: "alert" });
  const form = h("form", { class: "stack", testid: "create-queue-form" },
    field("Name", name, "add .fifo for a FIFO queue"), field("FIFO queue", fifo), field("Content-based deduplication", dedup),
    field("FIFO throughput limit", throughput),
    ATTRIBUTES.map(([key, label]) => field(label, inputs[key])),
    h("h2", { class: "full" }, "Dead-letter queue"), field("Dead-letter queue", dlq), field("Maximum receives", maxReceive),
    h("h2", { class: "full" }, "Redrive allow policy"), field("Which source queues may use this as their DLQ", allow), field("Source queues (byQueue)", allowSources),
    h("h2", { class: "full" }, "Tags and policy"), field("Tags", tags), field("Access policy", policy),
    h("div", { class: "full toolbar" }, h("button", { type: "submit", class: "primary", testid: "create-queue-submit" }, "Create queue"), link("#/queues", "Cancel")),
    h("div", { class: "full" }, error));
  fifo.addEventListener("change", () => { if (fifo.checked && !name.value.endsWith(".fifo")) name.value += ".fifo"; });
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const attributes = {};
    for (const [key] of ATTRIBUTES) if (inputs[key].value.trim()) attributes[key] = inputs[key].value.trim();
    if (fifo.checked || name.value.endsWith(".fifo")) attributes.FifoQueue = "true";
    if (dedup.checked) attributes.ContentBasedDeduplication = "true";
    if (throughput.value) { attributes.FifoThroughputLimit = throughput.value; attributes.DeduplicationScope = throughput.value === "perQueue" ? "queue" : "messageGroup"; }
    if (dlq.value) attributes.RedrivePolicy = JSON.stringify({ deadLetterTargetArn: dlq.value, maxReceiveCount: Number(maxReceive.value) });
    if (allow.value) {
      const allowPolicy = { redrivePermission: allow.value };
      if (allow.value === "byQueue") allowPolicy.sourceQueueArns = [...allowSources.selectedOptions].map((o) => o.value);
      attributes.RedriveAllowPolicy = JSON.stringify(allowPolicy);
    }
    if (policy.value.trim()) attributes.Policy = policy.value.trim();
    const tagMap = Object.fromEntries(tags.value.split("\n").map((l) => l.trim()).filter(Boolean).map((l) => { const i = l.indexOf("="); return i < 0 ? [l, ""] : [l.slice(0, i).trim(), l.slice(i + 1).trim()]; }));
    const params = { QueueName: name.value.trim(), Attributes: attributes };
    if (Object.keys(tagMap).length) params.tags = tagMap;
    try {
      const created = await call("sqs", "CreateQueue", params);
      go("/queue", { url: created.QueueUrl });
    } catch (e) {
      error.textContent = e.message;
    }
  });
  replace(main, h("h1", {}, "Create queue"), h("div", { class: "card" }, form));
  name.focus();
}

