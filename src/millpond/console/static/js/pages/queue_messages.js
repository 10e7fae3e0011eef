// "Send and receive messages" for one queue, as the AWS console lays it out: a message body, delivery delay
// and message attributes (Name, Type, Value) to send; "Poll for messages" with a polling duration and a
// maximum message count; the received messages with their body, attributes, receive count and a delete.
import { call, textBlob } from "../api.js";
import { attempt, fmtMillis, h, replace, table } from "../dom.js";
import { row, showError } from "../forms.js";
import { refreshAll } from "../live.js";

function attributeEditor() {
  const rows = h("div", { class: "attr-rows" });
  const add = () => {
    const n = rows.children.length + 1;
    const suffix = n === 1 ? "" : ` ${n}`;
    const name = h("input", { "aria-label": `Attribute name${suffix}`, size: 20, class: "attr-name" });
    const type = h("select", { "aria-label": `Attribute type${suffix}`, class: "attr-type" }, ["String", "Number", "Binary"].map((t) => h("option", { value: t }, t)));
    const value = h("input", { "aria-label": `Attribute value${suffix}`, size: 30, class: "attr-value" });
    const line = h("div", { class: "tag-row" }, name, type, value, h("button", { type: "button", onclick: () => line.remove() }, "Remove"));
    rows.append(line);
    name.focus();
  };
  const box = h("div", {}, rows, h("button", { type: "button", onclick: add }, "Add new attribute"));
  box.values = () => Object.fromEntries([...rows.children].map((line) => {
    const type = line.querySelector(".attr-type").value;
    const value = line.querySelector(".attr-value").value;
    const entry = type === "Binary" ? { DataType: type, BinaryValue: textBlob(value) } : { DataType: type, StringValue: value };
    return [line.querySelector(".attr-name").value.trim(), entry];
  }).filter(([name]) => name));
  return box;
}

export function messages(panel, url, get) {
  const isFifo = get().attributes.FifoQueue === "true";
  const body = h("textarea", { testid: "send-body", rows: 5, required: true });
  const delay = h("input", { type: "number", min: 0, max: 900, value: get().attributes.DelaySeconds || "0", size: 6, testid: "send-delay" });
  const group = h("input", { testid: "send-group", size: 30 });
  const dedup = h("input", { testid: "send-dedup", size: 30 });
  const attrs = attributeEditor();
  const sendError = h("div", { class: "error", role: "alert" });
  const sendForm = h("form", { class: "stack", testid: "send-form", novalidate: true },
    row("Message body", body, { hint: "Enter the message to send to the queue." }),
    isFifo ? [row("Message group ID", group), row("Message deduplication ID", dedup, { hint: "Optional when content-based deduplication is enabled." })]
      : row("Delivery delay (seconds)", delay, { hint: "Should be between 0 seconds and 15 minutes." }),
    h("div", { class: "full" }, h("h3", {}, "Message attributes"), attrs),
    h("div", { class: "full toolbar" }, h("button", { type: "submit", class: "primary", testid: "send-submit" }, "Send message")),
    h("div", { class: "full" }, sendError));
  sendForm.addEventListener("submit", async (event) => {
    event.preventDefault();
    showError(sendError, null);
    if (!body.value) { showError(sendError, { message: "The message body must be at least 1 character." }); return; }
    const params = { QueueUrl: url, MessageBody: body.value };
    if (!isFifo && delay.value !== "" && Number(delay.value) !== Number(get().attributes.DelaySeconds || 0)) params.DelaySeconds = Number(delay.value);
    if (group.value) params.MessageGroupId = group.value;
    if (dedup.value) params.MessageDeduplicationId = dedup.value;
    const attributes = attrs.values();
    if (Object.keys(attributes).length) params.MessageAttributes = attributes;
    try {
      const sent = await call("sqs", "SendMessage", params);
      replace(sendError, h("span", { class: "ok", testid: "send-result" }, `Your message has been sent and is ready to be received. Message ID: ${sent.MessageId}`));
      body.value = "";
      refreshAll();
    } catch (e) {
      showError(sendError, e);
    }
  });

  const duration = h("input", { type: "number", min: 1, max: 60, value: "5", size: 4, testid: "poll-duration" });
  const maxCount = h("input", { type: "number", min: 1, max: 10, value: "10", size: 4, testid: "poll-max" });
  const received = new Map();
  const status = h("span", { class: "muted", role: "status", testid: "poll-status" });
  const list = h("div", { testid: "poll-results" });
  const showBody = (text) => h("pre", { class: "message-body" }, text);
  const showList = () => {
    replace(list, table([
      ["ID", (m) => h("span", { class: "mono" }, m.MessageId)],
      ["Sent", (m) => fmtMillis(m.Attributes?.SentTimestamp)],
      ["Size", (m) => `${new TextEncoder().encode(m.Body).length} bytes`, { num: true }],
      ["Receive count", (m) => h("span", { testid: "receive-count" }, m.Attributes?.ApproximateReceiveCount), { num: true }],
      ["Body", (m) => showBody(m.Body)],
      ["Attributes", (m) => h("pre", {}, Object.entries(m.MessageAttributes || {}).map(([k, v]) => `${k} (${v.DataType}) = ${v.StringValue ?? v.BinaryValue?.$bytes ?? ""}`).join("\n"))],
      ["", (m) => h("button", { type: "button", "aria-label": `Delete message ${m.MessageId}`, onclick: () => deleteOne(m) }, "Delete")],
    ], [...received.values()], { empty: "No messages received.", testid: "messages-table" }));
  };
  const deleteOne = async (m) => {
    if (await attempt(() => call("sqs", "DeleteMessage", { QueueUrl: url, ReceiptHandle: m.ReceiptHandle }), "Message deleted")) {
      received.delete(m.MessageId);
      showList();
      refreshAll();
    }
  };
  let polling = false;
  const pollButton = h("button", { type: "button", class: "primary", testid: "poll" }, "Poll for messages");
  const stopButton = h("button", { type: "button", disabled: true }, "Stop polling");
  const poll = async () => {
    if (polling) return;
    polling = true;
    pollButton.disabled = true;
    stopButton.disabled = false;
    const until = Date.now() + Number(duration.value || 5) * 1000;
    const wanted = Math.max(1, Math.min(10, Number(maxCount.value || 10)));
    let count = 0;
    list.querySelector('[data-testid="poll-empty"]')?.remove();
    try {
      while (polling && panel.isConnected && count < wanted && Date.now() < until) {
        status.textContent = `Polling… ${count} received`;
        const wait = Math.max(0, Math.min(20, Math.floor((until - Date.now()) / 1000)));
        const params = { QueueUrl: url, MaxNumberOfMessages: Math.min(10, wanted - count), WaitTimeSeconds: Math.min(wait, 1), MessageSystemAttributeNames: ["All"], AttributeNames: ["All"], MessageAttributeNames: ["All"] };
        const result = await call("sqs", "ReceiveMessage", params);
        for (const m of result.Messages || []) received.set(m.MessageId, m);
        count += (result.Messages || []).length;
        showList();
        refreshAll();
      }
      status.textContent = count ? `Polling finished: ${count} messages received.` : "Polling finished: no messages were received.";
      if (!count) list.prepend(h("p", { class: "muted", testid: "poll-empty" }, "The last poll received nothing."));
    } catch (e) {
      status.textContent = e.message;
    } finally {
      polling = false;
      pollButton.disabled = false;
      stopButton.disabled = true;
    }
  };
  pollButton.addEventListener("click", poll);
  stopButton.addEventListener("click", () => { polling = false; });
  panel.append(h("h2", {}, "Send message"), h("div", { class: "card" }, sendForm),
    h("h2", {}, "Receive messages"),
    h("div", { class: "card" },
      h("div", { class: "toolbar" },
        h("label", {}, "Polling duration (seconds) ", duration), h("label", {}, "Maximum message count ", maxCount),
        pollButton, stopButton, h("button", { type: "button", onclick: () => { received.clear(); showList(); } }, "Clear messages"), status),
      list));
  showList();
}
