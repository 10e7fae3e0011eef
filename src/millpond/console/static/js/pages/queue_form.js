// The SQS "Create queue" / "Edit queue" form, in the AWS console's words and limits: type, name,
// configuration with units, encryption, access policy (Basic / Advanced), redrive allow policy,
// dead-letter queue and tags. Validation messages are the console's; API errors are shown as AWS words them.
import { call, state } from "../api.js";
import { h, replace } from "../dom.js";
import { copyButton, duration, radios, row, showError, showProblems, tagEditor } from "../forms.js";

const KB = 1024;

const RECEIVE_ACTIONS = ["SQS:ChangeMessageVisibility", "SQS:DeleteMessage", "SQS:ReceiveMessage"];

/** The policy the AWS console's Basic method writes: the owner's statement, and senders / receivers. */
export function defaultPolicy(account, region, name, { senders = [], receivers = [] } = {}) {
  const resource = `arn:aws:sqs:${region}:${account}:${name}`;
  const principal = (ids) => ({ AWS: ids.map((id) => (/^\d{12}$/.test(id) ? `arn:aws:iam::${id}:root` : id)) });
  const statements = [{ Sid: "__owner_statement", Effect: "Allow", Principal: { AWS: `arn:aws:iam::${account}:root` }, Action: ["SQS:*"], Resource: resource }];
  if (senders.length) statements.push({ Sid: "__sender_statement", Effect: "Allow", Principal: principal(senders), Action: ["SQS:SendMessage"], Resource: resource });
  if (receivers.length) statements.push({ Sid: "__receiver_statement", Effect: "Allow", Principal: principal(receivers), Action: RECEIVE_ACTIONS, Resource: resource });
  return JSON.stringify({ Version: "2012-10-17", Id: "__default_policy_ID", Statement: statements }, null, 2);
}

/** Basic: who can send and who can receive (only the owner, or the listed accounts, users and roles). */
function basicPolicy(account) {
  const part = (what) => {
    const choice = radios(`Define who can ${what} messages ${what === "send" ? "to" : "from"} the queue`, [
      ["owner", "Only the queue owner", `Only the owner of the queue (${account}) can ${what} messages.`],
      ["specified", "Only the specified AWS accounts, IAM users and roles", ""],
    ], "owner");
    const ids = h("input", { size: 60, "aria-label": `Accounts, users and roles that can ${what} messages`, placeholder: "123456789012, arn:aws:iam::123456789012:role/name", disabled: true });
    choice.addEventListener("change", () => { ids.disabled = choice.value !== "specified"; });
    const read = () => (choice.value === "specified" ? ids.value.split(/[\s,]+/).filter(Boolean) : []);
    return { element: [choice, h("div", { class: "full" }, ids)], read, ids };
  };
  const send = part("send");
  const receive = part("receive");
  return { element: [send.element, receive.element], read: () => ({ senders: send.read(), receivers: receive.read() }), inputs: [send.ids, receive.ids] };
}

function redrive(attributes) {
  try { return JSON.parse(attributes.RedrivePolicy || "{}"); } catch { return {}; }
}

/**
 * Build the form. `existing` is {url, name, attributes, tags} when editing; `queues` the rows of view("queues")
 * for the dead-letter queue choice. onDone(url) runs after a successful create or save.
 */
export async function queueForm(existing, queues, onDone) {
  const ctx = await state();
  const a = existing?.attributes || {};
  const editing = Boolean(existing);
  const type = radios("Type", [
    ["standard", "Standard", "At-least-once delivery, message ordering isn't preserved"],
    ["fifo", "FIFO", "First-in-first-out delivery, message ordering is preserved"],
  ], a.FifoQueue === "true" ? "fifo" : "standard");
  if (editing) for (const input of type.querySelectorAll("input")) input.disabled = true;
  const name = h("input", { required: true, size: 50, testid: "queue-name", value: existing?.name || "", disabled: editing });
  const visibility = duration("Visibility timeout", Number(a.VisibilityTimeout ?? 30), ["seconds", "minutes", "hours"]);
  const retention = duration("Message retention period", Number(a.MessageRetentionPeriod ?? 345600), ["minutes", "hours", "days"]);
  const delay = duration("Delivery delay", Number(a.DelaySeconds ?? 0), ["seconds", "minutes"]);
  const maxSize = h("input", { type: "number", min: 1, max: 1024, size: 8, value: String(Number(a.MaximumMessageSize ?? 1048576) / KB) });
  const wait = h("input", { type: "number", min: 0, max: 20, size: 8, value: a.ReceiveMessageWaitTimeSeconds ?? "0" });
  const dedup = h("input", { type: "checkbox", checked: a.ContentBasedDeduplication === "true" });
  const encryption = radios("Server-side encryption", [["disabled", "Disabled"], ["enabled", "Enabled", "Amazon SQS key (SSE-SQS)"]],
    a.SqsManagedSseEnabled === "false" ? "disabled" : "enabled");
  const policyMethod = radios("Access policy: choose method", [
    ["basic", "Basic", "Use simple criteria to define a basic access policy."],
    ["advanced", "Advanced", "Use a JSON object to define an advanced access policy."],
  ], a.Policy ? "advanced" : "basic");
  const policy = h("textarea", { rows: 14, "aria-label": "Access policy (JSON)", testid: "queue-policy" });
  const policyBox = h("div", { class: "full" });
  const dlqState = radios("Dead-letter queue", [["disabled", "Disabled"], ["enabled", "Enabled"]], redrive(a).deadLetterTargetArn ? "enabled" : "disabled");
  const own = existing ? a.QueueArn : null;
  const dlq = h("select", { testid: "queue-dlq" }, h("option", { value: "" }, "Choose queue"),
    queues.filter((q) => q.arn !== own).map((q) => h("option", { value: q.arn }, q.name)));
  dlq.value = redrive(a).deadLetterTargetArn || "";
  const maxReceive = h("input", { type: "number", min: 1, max: 1000, size: 8, value: String(redrive(a).maxReceiveCount ?? 10), testid: "queue-max-receive" });
  const dlqFields = [row("Choose queue", dlq), row("Maximum receives", maxReceive, { hint: "Value must be between 1 and 1,000." })];
  const tags = tagEditor(existing?.tags || {});
  const error = h("div", { class: "error", role: "alert", testid: "form-error" });

  const basic = basicPolicy(ctx.account);
  const preview = h("pre", { class: "mono card", testid: "policy-preview", "aria-label": "Access policy (generated)" });
  const policyText = () => defaultPolicy(ctx.account, ctx.region, name.value.trim() || "queue-name", basic.read());
  let policyEdited = Boolean(a.Policy);
  policy.value = a.Policy ? JSON.stringify(JSON.parse(a.Policy), null, 2) : policyText();
  policy.addEventListener("input", () => { policyEdited = true; });
  name.addEventListener("input", () => { if (!policyEdited) policy.value = policyText(); });
  const showPolicy = () => replace(policyBox, policyMethod.value === "advanced"
    ? h("div", {}, h("label", { for: policy.id || (policy.id = "queue-policy-json") }, "Access policy (JSON)"), policy,
      h("div", { class: "toolbar" }, copyButton(() => policy.value, "access policy")))
    : h("div", { testid: "policy-basic" }, basic.element, h("p", { class: "muted" }, "The access policy these choices write:"), preview));
  const showPreview = () => { preview.textContent = policyText(); };
  for (const el of [name, ...basic.inputs]) el.addEventListener("input", showPreview);
  policyBox.addEventListener("change", showPreview);
  showPreview();
  policyMethod.addEventListener("change", showPolicy);
  showPolicy();
  const showDlq = () => {
    const enabled = dlqState.value === "enabled";
    dlq.disabled = !enabled;
    maxReceive.disabled = !enabled;
    for (const el of dlqFields.flat()) el.hidden = !enabled;
  };
  dlqState.addEventListener("change", showDlq);
  showDlq();
  const fifoOnly = row("Content-based deduplication", dedup, { hint: "Enable to deduplicate messages by a SHA-256 hash of the body." });
  const showFifo = () => { for (const el of fifoOnly) el.hidden = type.value !== "fifo"; };
  type.addEventListener("change", showFifo);
  showFifo();

  const form = h("form", { class: "stack", testid: editing ? "edit-queue-form" : "create-queue-form", novalidate: true },
    h("h2", { class: "full" }, "Details"), type,
    row("Name", name, { hint: "A queue name is case-sensitive and can have up to 80 characters. You can use alphanumeric characters, hyphens (-), and underscores (_). The name of a FIFO queue must end with the .fifo suffix." }),
    h("h2", { class: "full" }, "Configuration"),
    row("Visibility timeout", visibility, { hint: "Should be between 0 seconds and 12 hours." }),
    row("Message retention period", retention, { hint: "Should be between 1 minute and 14 days." }),
    row("Delivery delay", delay, { hint: "Should be between 0 seconds and 15 minutes." }),
    row("Maximum message size (KB)", maxSize, { hint: "Should be between 1 KB and 1024 KB." }),
    row("Receive message wait time (seconds)", wait, { hint: "Should be between 0 and 20 seconds." }),
    fifoOnly,
    h("h2", { class: "full" }, "Encryption"), encryption,
    h("h2", { class: "full" }, "Access policy"), policyMethod, policyBox,
    h("h2", { class: "full" }, "Dead-letter queue"), h("p", { class: "full muted" }, "Set this queue to receive undeliverable messages."), dlqState, dlqFields,
    h("h2", { class: "full" }, "Tags"), h("div", { class: "full" }, tags),
    h("div", { class: "full toolbar" },
      h("button", { type: "submit", class: "primary", testid: editing ? "save-queue-submit" : "create-queue-submit" }, editing ? "Save" : "Create queue"),
      h("a", { href: editing ? `#/queue?url=${encodeURIComponent(existing.url)}` : "#/queues" }, "Cancel")),
    h("div", { class: "full" }, error));

  const validate = () => {
    const problems = [];
    const n = name.value.trim();
    const fifo = type.value === "fifo";
    const base = fifo && n.endsWith(".fifo") ? n.slice(0, -5) : n;
    if (!editing && (!/^[A-Za-z0-9_-]{1,80}$/.test(base) || n.length > 80)) problems.push([name, "A queue name can have up to 80 characters. Valid values: alphanumeric characters, hyphens (-), and underscores (_)."]);
    else if (!editing && fifo && !n.endsWith(".fifo")) problems.push([name, "The name of a FIFO queue must end with the .fifo suffix."]);
    else if (!editing && !fifo && n.endsWith(".fifo")) problems.push([name, "The name of a standard queue can't end with the .fifo suffix."]);
    const inRange = (v, lo, hi) => Number.isFinite(v) && Number.isInteger(v) && v >= lo && v <= hi;
    if (!inRange(visibility.seconds(), 0, 43200)) problems.push([visibility.number, "Visibility timeout must be between 0 seconds and 12 hours."]);
    if (!inRange(retention.seconds(), 60, 1209600)) problems.push([retention.number, "Message retention period must be between 1 minute and 14 days."]);
    if (!inRange(delay.seconds(), 0, 900)) problems.push([delay.number, "Delivery delay must be between 0 seconds and 15 minutes."]);
    if (!inRange(Number(maxSize.value), 1, 1024)) problems.push([maxSize, "Maximum message size must be between 1 KB and 1024 KB."]);
    if (!inRange(Number(wait.value), 0, 20)) problems.push([wait, "Receive message wait time must be between 0 and 20 seconds."]);
    if (dlqState.value === "enabled") {
      if (!dlq.value) problems.push([dlq, "Choose a dead-letter queue."]);
      else if (queues.find((q) => q.arn === dlq.value)?.fifo !== fifo) problems.push([dlq, fifo ? "The dead-letter queue of a FIFO queue must also be a FIFO queue." : "The dead-letter queue of a standard queue must also be a standard queue."]);
      if (!inRange(Number(maxReceive.value), 1, 1000)) problems.push([maxReceive, "Maximum receives must be between 1 and 1,000."]);
    }
    if (policyMethod.value === "advanced") {
      try { JSON.parse(policy.value); } catch (e) { problems.push([policy, `The access policy is not valid JSON: ${e.message}`]); }
    }
    return showProblems(form, problems);
  };

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    showError(error, null);
    if (!validate()) return;
    const fifo = type.value === "fifo";
    const attributes = {
      VisibilityTimeout: String(visibility.seconds()),
      MessageRetentionPeriod: String(retention.seconds()),
      DelaySeconds: String(delay.seconds()),
      MaximumMessageSize: String(Number(maxSize.value) * KB),
      ReceiveMessageWaitTimeSeconds: String(Number(wait.value)),
      SqsManagedSseEnabled: String(encryption.value === "enabled"),
      Policy: JSON.stringify(JSON.parse(policyMethod.value === "advanced" ? policy.value : policyText())),
      RedrivePolicy: dlqState.value === "enabled" ? JSON.stringify({ deadLetterTargetArn: dlq.value, maxReceiveCount: Number(maxReceive.value) }) : "",
    };
    if (fifo) attributes.ContentBasedDeduplication = String(dedup.checked);
    try {
      if (editing) {
        await call("sqs", "SetQueueAttributes", { QueueUrl: existing.url, Attributes: attributes });
        const wanted = tags.tags();
        const gone = Object.keys(existing.tags || {}).filter((k) => !(k in wanted));
        if (gone.length) await call("sqs", "UntagQueue", { QueueUrl: existing.url, TagKeys: gone });
        if (Object.keys(wanted).length) await call("sqs", "TagQueue", { QueueUrl: existing.url, Tags: wanted });
        onDone(existing.url);
        return;
      }
      if (!attributes.RedrivePolicy) delete attributes.RedrivePolicy;
      if (fifo) attributes.FifoQueue = "true";
      const params = { QueueName: name.value.trim(), Attributes: attributes };
      const wanted = tags.tags();
      if (Object.keys(wanted).length) params.tags = wanted;
      const created = await call("sqs", "CreateQueue", params);
      onDone(created.QueueUrl);
    } catch (e) {
      showError(error, e);
    }
  });
  return { form, focus: () => (editing ? visibility.number : name).focus() };
}
