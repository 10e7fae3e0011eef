// Data streams: the list (delete with the AWS console's confirmation) and one stream: details with the
// ARN to copy, shards (split and merge), monitoring with shard-level metrics, data viewer, consumers,
// Lambda triggers and tags. The create form is in stream_form.js.
import { call, decodeBlob, view } from "../api.js";
import { attempt, badge, fmtTime, h, kv, link, replace, table, tabs } from "../dom.js";
import { confirmTyped, copyable } from "../forms.js";
import { live, refreshAll } from "../live.js";
import { go, href, setParam } from "../nav.js";
import { mappingsTable } from "./queue.js";
import { create } from "./stream_form.js";
import { configuration } from "./stream_config.js";
import { monitoring } from "./stream_monitoring.js";

export { create };

const statusBadge = (s) => badge(s === "ACTIVE" ? "Active" : s === "CREATING" ? "Creating" : s === "DELETING" ? "Deleting" : s === "UPDATING" ? "Updating" : s, s === "ACTIVE" ? "ok" : "warn");

/** Delete a data stream after the AWS console's confirmation; true when the delete was accepted. */
export async function deleteStream(name) {
  const ok = await confirmTyped(`Delete ${name}?`, `Deleting the data stream ${name} deletes its data; applications that use it stop working. This can't be undone.`);
  if (!ok) return false;
  const done = await attempt(() => call("kinesis", "DeleteStream", { StreamName: name, EnforceConsumerDeletion: true }), `Deleting data stream ${name}`);
  refreshAll();
  return Boolean(done);
}

export async function list(main) {
  const body = h("div");
  let selected = null;
  const remove = h("button", { type: "button", disabled: true, testid: "delete-selected-stream", onclick: () => deleteStream(selected) }, "Delete");
  replace(main, h("div", { class: "toolbar" }, h("h1", { class: "grow" }, "Data streams"), remove,
    h("a", { class: "button primary", role: "button", href: "#/streams/new", testid: "create-stream" }, "Create data stream")), body);
  live(async () => {
    const { streams } = await view("streams");
    if (!streams.some((s) => s.StreamName === selected)) selected = null;
    remove.disabled = !selected;
    replace(body, table([
      ["", (s) => h("input", { type: "radio", name: "stream-select", "aria-label": `Select ${s.StreamName}`, checked: selected === s.StreamName, onchange: () => { selected = s.StreamName; remove.disabled = false; } })],
      ["Data stream name", (s) => link(href("/stream", { name: s.StreamName }), s.StreamName, { testid: `stream-link-${s.StreamName}` })],
      ["Status", (s) => statusBadge(s.StreamStatus)],
      ["Capacity mode", (s) => (s.StreamModeDetails?.StreamMode === "ON_DEMAND" ? "On-demand" : "Provisioned")],
      ["Open shards", (s) => s.OpenShardCount, { num: true }],
      ["Data retention period", (s) => (s.RetentionPeriodHours % 24 === 0 ? `${s.RetentionPeriodHours / 24} day${s.RetentionPeriodHours === 24 ? "" : "s"}` : `${s.RetentionPeriodHours} hours`)],
      ["Encryption", (s) => (s.EncryptionType === "KMS" ? "Enabled" : "Disabled")],
      ["Created", (s) => fmtTime(s.StreamCreationTimestamp)],
    ], streams, { empty: "No data streams in this account and region.", testid: "streams-table", rowid: (s) => s.StreamName }));
  }, 3000);
}

const isOpen = (s) => !s.SequenceNumberRange?.EndingSequenceNumber;

function shardsTab(panel, get, showShardMetrics) {
  const box = h("div");
  const splitShard = h("select", { testid: "split-shard" });
  const splitKey = h("input", { size: 42, testid: "split-key", placeholder: "new starting hash key (default: the middle)" });
  const mergeA = h("select", { testid: "merge-shard" });
  const mergeB = h("select", { testid: "merge-adjacent" });
  const name = () => get().summary.StreamName;
  const split = async () => {
    const shard = get().shards.find((s) => s.ShardId === splitShard.value);
    if (!shard) return;
    const lo = BigInt(shard.HashKeyRange.StartingHashKey);
    const hi = BigInt(shard.HashKeyRange.EndingHashKey);
    const key = splitKey.value.trim() || String((lo + hi + 1n) / 2n);
    if (await attempt(() => call("kinesis", "SplitShard", { StreamName: name(), ShardToSplit: shard.ShardId, NewStartingHashKey: key }), "Split started")) refreshAll();
  };
  const merge = async () => {
    if (await attempt(() => call("kinesis", "MergeShards", { StreamName: name(), ShardToMerge: mergeA.value, AdjacentShardToMerge: mergeB.value }), "Merge started")) refreshAll();
  };
  panel.append(h("div", { class: "toolbar" }, h("button", { type: "button", onclick: showShardMetrics }, "Shard-level metrics")), box,
    h("h2", {}, "Split a shard"), h("div", { class: "card toolbar" }, splitShard, splitKey, h("button", { type: "button", class: "primary", onclick: split, testid: "split-submit" }, "Split")),
    h("h2", {}, "Merge two adjacent shards"), h("div", { class: "card toolbar" }, mergeA, " with ", mergeB, h("button", { type: "button", class: "primary", onclick: merge, testid: "merge-submit" }, "Merge")));
  const update = () => {
    const { shards } = get();
    const children = new Map();
    for (const s of shards) for (const p of [s.ParentShardId, s.AdjacentParentShardId]) if (p) children.set(p, [...(children.get(p) || []), s.ShardId]);
    replace(box, table([
      ["Shard", (s) => h("span", { class: "mono" }, s.ShardId)],
      ["State", (s) => (isOpen(s) ? badge("open", "ok") : badge("closed"))],
      ["Hash key range", (s) => h("span", { class: "mono" }, `${s.HashKeyRange.StartingHashKey} – ${s.HashKeyRange.EndingHashKey}`)],
      ["Sequence range", (s) => h("span", { class: "mono" }, `${s.SequenceNumberRange.StartingSequenceNumber} – ${s.SequenceNumberRange.EndingSequenceNumber || "(open)"}`)],
      ["Parents", (s) => h("span", { class: "mono", testid: "shard-parents" }, [s.ParentShardId, s.AdjacentParentShardId].filter(Boolean).join(", ") || "—")],
      ["Children", (s) => h("span", { class: "mono", testid: "shard-children" }, (children.get(s.ShardId) || []).join(", ") || "—")],
    ], shards, { testid: "shards-table", rowid: (s) => s.ShardId }));
    const open = shards.filter(isOpen).map((s) => s.ShardId);
    for (const select of [splitShard, mergeA, mergeB]) {
      const keep = select.value;
      replace(select, open.map((id) => h("option", { value: id }, id)));
      if (open.includes(keep)) select.value = keep;
    }
    if (mergeB.value === mergeA.value && open.length > 1) mergeB.value = open.find((id) => id !== mergeA.value);
  };
  update();
  return update;
}

function showData(blob) {
  const { text, bytes, base64 } = decodeBlob(blob);
  if (text === null) return h("span", { class: "muted" }, `${bytes} bytes (binary) `, h("code", {}, base64?.slice(0, 80)));
  try { return h("pre", {}, JSON.stringify(JSON.parse(text), null, 2)); } catch { return h("pre", {}, text); }
}

function dataTab(panel, get, params) {
  const shard = h("select", { testid: "data-shard" }, get().shards.map((s) => h("option", { value: s.ShardId }, s.ShardId)));
  if (params.shard) shard.value = params.shard;
  const position = h("select", { testid: "data-position" }, ["TRIM_HORIZON", "LATEST", "AT_SEQUENCE_NUMBER", "AFTER_SEQUENCE_NUMBER", "AT_TIMESTAMP"].map((p) => h("option", { value: p }, p)));
  const sequence = h("input", { size: 40, placeholder: "sequence number", testid: "data-sequence" });
  const timestamp = h("input", { type: "datetime-local", step: 1, testid: "data-timestamp" });
  const out = h("div", { testid: "records" });
  const read = async () => {
    setParam("shard", shard.value);
    const query = { stream: get().summary.StreamName, shard: shard.value, position: position.value };
    if (position.value.endsWith("SEQUENCE_NUMBER")) query.sequence = sequence.value.trim();
    if (position.value === "AT_TIMESTAMP") query.timestamp = String(new Date(timestamp.value + "Z").getTime() / 1000);
    const result = await attempt(() => view("records", query));
    if (!result) return;
    replace(out, h("p", { class: "muted" }, `${result.records.length} records from ${shard.value}`), table([
      ["Partition key", (r) => h("span", { testid: "record-key" }, r.PartitionKey)],
      ["Sequence number", (r) => h("span", { class: "mono" }, r.SequenceNumber)],
      ["Arrival", (r) => fmtTime(r.ApproximateArrivalTimestamp)],
      ["Data", (r) => showData(r.Data)],
    ], result.records, { empty: "No records at this position.", testid: "records-table" }));
  };
  panel.append(h("div", { class: "card toolbar" }, h("label", {}, "Shard ", shard), h("label", {}, "Position ", position), sequence, timestamp,
    h("button", { type: "button", class: "primary", onclick: read, testid: "data-read" }, "Get records")), out);
}

function consumersTab(panel, get) {
  const box = h("div");
  const name = h("input", { placeholder: "consumer name", testid: "consumer-name" });
  const register = async () => {
    if (await attempt(() => call("kinesis", "RegisterStreamConsumer", { StreamARN: get().summary.StreamARN, ConsumerName: name.value }), "Consumer registered")) refreshAll();
  };
  panel.append(box, h("div", { class: "card toolbar" }, name, h("button", { type: "button", onclick: register }, "Register consumer")));
  const update = () => replace(box, table([
    ["Name", (c) => c.ConsumerName], ["Status", (c) => c.ConsumerStatus], ["Created", (c) => fmtTime(c.ConsumerCreationTimestamp)],
    ["ARN", (c) => h("span", { class: "mono" }, c.ConsumerARN)],
  ], get().consumers, { empty: "No enhanced fan-out consumers." }));
  update();
  return update;
}

function tagsTab(panel, get) {
  const box = h("div");
  const key = h("input", { "aria-label": "Tag key", size: 20 });
  const value = h("input", { "aria-label": "Tag value", size: 30 });
  const name = () => get().summary.StreamName;
  const add = async () => {
    if (!key.value.trim()) return;
    if (await attempt(() => call("kinesis", "AddTagsToStream", { StreamName: name(), Tags: { [key.value.trim()]: value.value } }), "Tag saved")) { key.value = ""; value.value = ""; refreshAll(); }
  };
  const remove = async (k) => { if (await attempt(() => call("kinesis", "RemoveTagsFromStream", { StreamName: name(), TagKeys: [k] }), "Tag removed")) refreshAll(); };
  panel.append(box, h("div", { class: "card toolbar" }, h("label", {}, "Key ", key), h("label", {}, "Value ", value), h("button", { type: "button", onclick: add }, "Add tag")));
  const update = () => replace(box, table([
    ["Key", (t) => t.Key], ["Value", (t) => t.Value ?? ""],
    ["", (t) => h("button", { type: "button", "aria-label": `Remove tag ${t.Key}`, onclick: () => remove(t.Key) }, "Remove")],
  ], get().tags || [], { empty: "No tags.", testid: "stream-tags-table" }));
  update();
  return update;
}

export async function detail(main, params) {
  let data = await view("stream", { name: params.name });
  const summary = h("div", { class: "card", testid: "stream-details" });
  const updaters = [];
  const showSummary = () => {
    const s = data.summary;
    replace(summary, kv([
      ["Status", h("span", { testid: "stream-status" }, statusBadge(s.StreamStatus))],
      ["ARN", copyable(s.StreamARN, "ARN", "stream-arn")],
      ["Capacity mode", s.StreamModeDetails?.StreamMode === "ON_DEMAND" ? "On-demand" : "Provisioned"],
      ["Open shards", h("span", { testid: "open-shards" }, s.OpenShardCount)],
      ["Data retention period", `${s.RetentionPeriodHours} hours`],
      ["Server-side encryption", s.EncryptionType === "KMS" ? `Enabled (${s.KeyId})` : "Disabled"],
      ["Enhanced (shard-level) metrics", (s.EnhancedMonitoring || []).flatMap((m) => m.ShardLevelMetrics || []).join(", ") || "Disabled"],
      ["Created", fmtTime(s.StreamCreationTimestamp)],
    ]));
  };
  const remove = async () => { if (await deleteStream(params.name)) go("/streams"); };
  const showShardMetrics = () => {
    main.querySelector('[data-tab="monitoring"]').click();
    main.querySelector('[data-testid="shard-level-metrics"]')?.scrollIntoView();
  };
  replace(main,
    h("p", { class: "muted" }, link("#/streams", "Amazon Kinesis › Data streams"), " › ", params.name),
    h("div", { class: "toolbar" }, h("h1", { class: "grow", testid: "stream-title" }, params.name),
      h("button", { type: "button", class: "danger", onclick: remove, testid: "delete-stream" }, "Delete")),
    tabs([
      ["details", "Details", (p) => { p.append(summary); showSummary(); }],
      ["shards", "Shards", (p) => updaters.push(shardsTab(p, () => data, showShardMetrics))],
      ["monitoring", "Monitoring", (p) => updaters.push(monitoring(p, () => data))],
      ["configuration", "Configuration", (p) => configuration(p, () => data)],
      ["data", "Data viewer", (p) => dataTab(p, () => data, params)],
      ["consumers", "Enhanced fan-out", (p) => updaters.push(consumersTab(p, () => data))],
      ["triggers", "Lambda triggers", (p) => { const box = h("div"); p.append(box); const u = () => replace(box, mappingsTable(data.mappings, { onChange: refreshAll })); u(); updaters.push(u); }],
      ["tags", "Tags", (p) => updaters.push(tagsTab(p, () => data))],
    ], params.tab, (tab) => { setParam("tab", tab); updaters.length = 0; }));
  live(async () => {
    data = await view("stream", { name: params.name });
    showSummary();
    for (const update of updaters) update();
  }, 2000);
}
