// Configuration -> Triggers: each event source mapping with its state and settings (enable, disable, edit,
// delete, details with the UUID), and Add trigger for an SQS queue or a Kinesis stream with every setting
// the Lambda console offers for them.
import { call, state } from "../api.js";
import { badge, fmtTime, h, kv, link, replace } from "../dom.js";
import { alertBox, checkbox, confirmTyped, labelOf, row, select } from "../controls.js";
import { arnName, resourceLink } from "../nav.js";

const sourceKind = (arn) => (String(arn).split(":")[2] === "kinesis" ? "Kinesis" : "SQS");
const yesNo = (value) => (value ? "Yes" : "No");
const stateBadge = (state) => badge(state, state === "Enabled" ? "ok" : state === "Disabled" ? "bad" : "warn");

/** Every setting of a mapping as the trigger's details show it. */
export function settings(m) {
  const kinesis = sourceKind(m.EventSourceArn) === "Kinesis";
  return [
    ["UUID", h("span", { class: "mono", testid: "mapping-uuid" }, m.UUID)],
    ["State", h("span", { testid: "mapping-detail-state" }, stateBadge(m.State))],
    m.StateTransitionReason ? ["State transition reason", m.StateTransitionReason] : null,
    ["Event source ARN", h("span", { class: "mono" }, m.EventSourceArn)],
    ["Batch size", h("span", { testid: "mapping-batch-size" }, m.BatchSize)],
    ["Maximum batching window", `${m.MaximumBatchingWindowInSeconds ?? 0} seconds`],
    ["Report batch item failures", yesNo((m.FunctionResponseTypes || []).includes("ReportBatchItemFailures"))],
    kinesis ? null : ["Maximum concurrency", m.ScalingConfig?.MaximumConcurrency ?? "—"],
    kinesis ? ["Starting position", h("span", { testid: "mapping-starting-position" }, m.StartingPosition)] : null,
    kinesis && m.StartingPositionTimestamp ? ["Starting position timestamp", fmtTime(m.StartingPositionTimestamp)] : null,
    kinesis ? ["Parallelization factor", m.ParallelizationFactor] : null,
    kinesis ? ["Maximum record age", m.MaximumRecordAgeInSeconds === -1 ? "-1 (infinite)" : `${m.MaximumRecordAgeInSeconds} seconds`] : null,
    kinesis ? ["Retry attempts", m.MaximumRetryAttempts === -1 ? "-1 (infinite)" : m.MaximumRetryAttempts] : null,
    kinesis ? ["Split batch on error", yesNo(m.BisectBatchOnFunctionError)] : null,
    kinesis ? ["Tumbling window duration", `${m.TumblingWindowInSeconds ?? 0} seconds`] : null,
    kinesis ? ["On-failure destination", m.DestinationConfig?.OnFailure?.Destination || "—"] : null,
    ["Last processing result", m.LastProcessingResult || "—"],
    ["Last modified", fmtTime(m.LastModified)],
  ].filter(Boolean);
}

export function triggersSection(box, get, reload) {
  let mode = "list";
  let shown = "";
  const open = new Set();
  const render = () => {
    mode = "list";
    const mappings = get().mappings;
    shown = JSON.stringify(mappings);
    replace(box, h("div", { class: "toolbar" }, h("h2", { class: "grow" }, `Triggers (${mappings.length})`),
      h("button", { type: "button", class: "primary", onclick: () => { mode = "form"; triggerForm(box, get, reload, render); } }, "Add trigger")),
    mappings.length ? h("div", { testid: "mappings-table" }, mappings.map((m) => card(m))) : h("p", { class: "muted", testid: "mappings-table" }, "No triggers."));
  };
  const card = (m) => {
    const toggle = async (enabled) => {
      try { await call("lambda", "UpdateEventSourceMapping", { UUID: m.UUID, Enabled: enabled }); await reload(); } catch (e) { error.show(e); }
    };
    const error = alertBox();
    const details = h("details", { open: open.has(m.UUID) }, h("summary", {}, "Details"), kv(settings(m)));
    details.addEventListener("toggle", () => (details.open ? open.add(m.UUID) : open.delete(m.UUID)));
    const label = `${sourceKind(m.EventSourceArn)}: ${arnName(m.EventSourceArn)}`;
    return h("div", { class: "card", "data-uuid": m.UUID, role: "group", "aria-label": `Trigger ${label}` },
      h("div", { class: "toolbar" },
        h("strong", { class: "grow" }, link(resourceLink(m.EventSourceArn) || "#", label)), " ",
        h("span", { testid: "mapping-state" }, stateBadge(m.State)),
        m.State === "Disabled"
          ? h("button", { type: "button", testid: "mapping-enable", onclick: () => toggle(true) }, "Enable")
          : h("button", { type: "button", testid: "mapping-disable", onclick: () => toggle(false), disabled: m.State !== "Enabled" }, "Disable"),
        h("button", { type: "button", onclick: () => { mode = "form"; triggerForm(box, get, reload, render, m); } }, "Edit"),
        h("button", { type: "button", class: "danger", onclick: () => remove(m, reload) }, "Delete")),
      h("p", { class: "muted" }, `UUID: ${m.UUID} · Batch size: ${m.BatchSize}`, m.StartingPosition ? ` · Starting position: ${m.StartingPosition}` : ""),
      details, error.el);
  };
  render();
  // The page reloads its data every few seconds: redraw only when a mapping changed (state, settings).
  return () => { if (mode === "list" && JSON.stringify(get().mappings) !== shown) render(); };
}

const remove = (m, reload) => confirmTyped({
  title: "Delete trigger",
  message: `Delete the trigger from ${arnName(m.EventSourceArn)} (UUID ${m.UUID})?`,
  expected: "delete", prompt: "To confirm deletion, type \"delete\" in the field.",
  action: async () => { await call("lambda", "DeleteEventSourceMapping", { UUID: m.UUID }); await reload(); },
});

/** The queues a trigger can read: [{name, arn}] (ARN as SQS builds it from the queue URL's account). */
async function queueChoices() {
  const [{ QueueUrls = [] }, { region }] = await Promise.all([call("sqs", "ListQueues", { MaxResults: 1000 }).catch(() => ({})), state()]);
  return QueueUrls.map((url) => {
    const [account, name] = url.split("/").slice(-2);
    return { name, arn: `arn:aws:sqs:${region}:${account}:${name}` };
  });
}

async function streamChoices() {
  const { StreamSummaries = [] } = await call("kinesis", "ListStreams", { Limit: 1000 }).catch(() => ({}));
  return StreamSummaries;
}

const number = (value, attrs = {}) => h("input", { type: "number", value: value ?? "", ...attrs });

async function triggerForm(box, get, reload, done, existing) {
  const fn = get().function.Configuration.FunctionName;
  const [queues, streams] = await Promise.all([queueChoices(), streamChoices()]);
  const editing = Boolean(existing);
  const m = existing || {};
  const source = select([["", "Select a source"], ["SQS", "SQS"], ["Kinesis", "Kinesis"]], editing ? sourceKind(m.EventSourceArn) : "", { disabled: editing });
  const queue = select([["", "Choose a queue"], ...queues.map((q) => [q.arn, q.name])], m.EventSourceArn || "", { disabled: editing });
  const stream = select([["", "Choose a stream"], ...streams.map((s) => [s.StreamARN, s.StreamName])], m.EventSourceArn || "", { disabled: editing });
  const enabled = checkbox("Enabled", editing ? m.State !== "Disabled" && m.State !== "Disabling" : true);
  const batchSize = number(m.BatchSize, { min: 1, max: 10000 });
  const window = number(m.MaximumBatchingWindowInSeconds, { min: 0, max: 300 });
  const reportFailures = checkbox("Report batch item failures", (m.FunctionResponseTypes || []).includes("ReportBatchItemFailures"));
  const maxConcurrency = number(m.ScalingConfig?.MaximumConcurrency, { min: 2, max: 1000 });
  const position = select([["LATEST", "Latest"], ["TRIM_HORIZON", "Trim horizon"], ["AT_TIMESTAMP", "At timestamp"]], m.StartingPosition || "LATEST", { disabled: editing });
  const timestamp = h("input", { type: "datetime-local", step: 1, disabled: editing });
  const parallelization = number(m.ParallelizationFactor ?? 1, { min: 1, max: 10 });
  const recordAge = number(m.MaximumRecordAgeInSeconds ?? -1, { min: -1, max: 604800 });
  const retries = number(m.MaximumRetryAttempts ?? -1, { min: -1, max: 10000 });
  const split = checkbox("Split batch on error", Boolean(m.BisectBatchOnFunctionError));
  const tumbling = number(m.TumblingWindowInSeconds ?? 0, { min: 0, max: 900 });
  const listId = `destinations-${Date.now()}`;
  const destination = h("input", { size: 60, list: listId, value: m.DestinationConfig?.OnFailure?.Destination || "", placeholder: "arn:aws:sqs:..." });
  const destinations = h("datalist", { id: listId }, queues.map((q) => h("option", { value: q.arn }, q.name)));
  const error = alertBox();
  const sqsFields = h("div", { class: "stack" },
    row("SQS queue", queue), row("Batch size", batchSize, "1 to 10000; default 10"),
    row("Maximum batching window", window, "seconds: 0 to 300"), h("span"), labelOf(enabled),
    h("h3", { class: "full" }, "Additional settings"), h("span"), labelOf(reportFailures),
    row("Maximum concurrency", maxConcurrency, "2 to 1000; empty for no limit"));
  // The Kinesis panel has its own Batch size, window and Enabled controls (only one panel is shown).
  const kBatch = number(m.BatchSize, { min: 1, max: 10000 });
  const kWindow = number(m.MaximumBatchingWindowInSeconds, { min: 0, max: 300 });
  const kEnabled = checkbox("Enabled", enabled.checked);
  const kinesisFields = h("div", { class: "stack" },
    row("Kinesis stream", stream), row("Starting position", position), row("Timestamp", timestamp, "for At timestamp"),
    row("Batch size", kBatch, "1 to 10000; default 100"), row("Maximum batching window", kWindow, "seconds: 0 to 300"),
    h("span"), labelOf(kEnabled));
  const kReport = checkbox("Report batch item failures", reportFailures.checked);
  kinesisFields.append(h("h3", { class: "full" }, "Additional settings"),
    ...row("Parallelization factor", parallelization, "1 to 10"), ...row("Maximum record age", recordAge, "seconds: -1 (infinite), or 60 to 604800"),
    ...row("Retry attempts", retries, "-1 (infinite) to 10000"), h("span"), labelOf(split), h("span"), labelOf(kReport),
    ...row("Tumbling window duration", tumbling, "seconds: 0 to 900"), ...row("On-failure destination", destination, "SQS queue or SNS topic ARN"), destinations);
  // Only the chosen source's fields are in the form, so each label names one control.
  const fieldsBox = h("div");
  const showSource = () => replace(fieldsBox, source.value === "SQS" ? sqsFields : source.value === "Kinesis" ? kinesisFields : null);
  source.addEventListener("change", showSource);
  const params = () => {
    const kinesis = source.value === "Kinesis";
    const out = {};
    const num = (input, key) => { if (input.value !== "") out[key] = Number(input.value); };
    out.Enabled = (kinesis ? kEnabled : enabled).checked;
    num(kinesis ? kBatch : batchSize, "BatchSize");
    num(kinesis ? kWindow : window, "MaximumBatchingWindowInSeconds");
    const report = (kinesis ? kReport : reportFailures).checked;
    if (report || editing) out.FunctionResponseTypes = report ? ["ReportBatchItemFailures"] : [];
    if (!kinesis) {
      if (maxConcurrency.value !== "") out.ScalingConfig = { MaximumConcurrency: Number(maxConcurrency.value) };
      else if (editing && m.ScalingConfig?.MaximumConcurrency) out.ScalingConfig = {};
    } else {
      num(parallelization, "ParallelizationFactor");
      num(recordAge, "MaximumRecordAgeInSeconds");
      num(retries, "MaximumRetryAttempts");
      num(tumbling, "TumblingWindowInSeconds");
      out.BisectBatchOnFunctionError = split.checked;
      if (destination.value.trim() || editing) out.DestinationConfig = { OnFailure: destination.value.trim() ? { Destination: destination.value.trim() } : {} };
      if (!editing) {
        out.StartingPosition = position.value;
        if (position.value === "AT_TIMESTAMP" && timestamp.value) out.StartingPositionTimestamp = { $time: new Date(timestamp.value).getTime() / 1000 };
      }
    }
    return out;
  };
  const submit = async () => {
    error.clear();
    try {
      if (!source.value) throw { message: "Select a source." };
      const arn = source.value === "SQS" ? queue.value : stream.value;
      if (!arn) throw { message: source.value === "SQS" ? "Choose an SQS queue." : "Choose a Kinesis stream." };
      if (editing) await call("lambda", "UpdateEventSourceMapping", { UUID: m.UUID, FunctionName: fn, ...params() });
      else await call("lambda", "CreateEventSourceMapping", { FunctionName: fn, EventSourceArn: arn, ...params() });
      await reload();
      done();
    } catch (e) { error.show(e); }
  };
  replace(box, h("h2", {}, editing ? `Edit trigger ${m.UUID}` : "Add trigger"),
    h("div", { class: "card" }, h("h3", {}, "Trigger configuration"), h("div", { class: "stack" }, row("Source", source)), fieldsBox),
    error.el,
    h("div", { class: "toolbar" }, h("button", { type: "button", onclick: done }, "Cancel"),
      h("button", { type: "button", class: "primary", onclick: submit }, editing ? "Save" : "Add")));
  showSource();
}
