// Streams: the list, the create form, and one stream: shards (split and merge), data viewer, consumers.
import { call, decodeBlob, view } from "../api.js";
import { attempt, badge, field, fmtTime, h, kv, link, replace, table, tabs } from "../dom.js";
import { live, refreshAll } from "../live.js";
import { chartGrid } from "../metrics.js";
import { go, href, setParam } from "../nav.js";
import { mappingsTable } from "./queue.js";

export async function list(main) {
  const body = h("div");
  replace(main, h("div", { class: "toolbar" }, h("h1", { class: "grow" }, "Streams"),
    h("a", { class: "button primary", href: "#/streams/new", testid: "create-stream" }, "Create stream")), body);
  live(async () => {
    const { streams } = await view("streams");
    replace(body, table([
      ["Name", (s) => link(href("/stream", { name: s.StreamName }), s.StreamName, { testid: `stream-link-${s.StreamName}` })],
      ["Status", (s) => badge(s.StreamStatus, s.StreamStatus === "ACTIVE" ? "ok" : "warn")],
      ["Capacity mode", (s) => s.StreamModeDetails?.StreamMode || "PROVISIONED"],
      ["Open shards", (s) => s.OpenShardCount, { num: true }],
      ["Retention (h)", (s) => s.RetentionPeriodHours, { num: true }],
      ["Consumers", (s) => s.ConsumerCount ?? 0, { num: true }],
    ], streams, { empty: "No streams in this account and region.", testid: "streams-table" }));
  }, 3000);
}

export async function create(main) {
  const name = h("input", { required: true, testid: "stream-name" });
  const mode = h("select", { testid: "stream-mode" }, h("option", { value: "PROVISIONED" }, "Provisioned"), h("option", { value: "ON_DEMAND" }, "On-demand"));
  const shards = h("input", { type: "number", min: 1, value: "1", testid: "stream-shards" });
  const retention = h("input", { type: "number", min: 24, max: 8760, value: "24", testid: "stream-retention" });
  const error = h("p", { class: "error", role: "alert" });
  const form = h("form", { class: "stack", testid: "create-stream-form" },
    field("Name", name), field("Capacity mode", mode), field("Shards (provisioned)", shards), field("Retention (hours)", retention),
    h("div", { class: "full toolbar" }, h("button", { type: "submit", class: "primary", testid: "create-stream-submit" }, "Create stream"), link("#/streams", "Cancel")),
    h("div", { class: "full" }, error));
  mode.addEventListener("change", () => { shards.disabled = mode.value === "ON_DEMAND"; });
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const params = { StreamName: name.value.trim(), StreamModeDetails: { StreamMode: mode.value } };
    if (mode.value === "PROVISIONED") params.ShardCount = Number(shards.value);
    try {
      await call("kinesis", "CreateStream", params);
      if (Number(retention.value) > 24) {
        // The stream must be ACTIVE before its retention can change.
        for (let i = 0; i < 50; i++) {
          const s = await call("kinesis", "DescribeStreamSummary", { StreamName: params.StreamName });
          if (s.StreamDescriptionSummary.StreamStatus === "ACTIVE") break;
          await new Promise((r) => setTimeout(r, 200));
        }
        await call("kinesis", "IncreaseStreamRetentionPeriod", { StreamName: params.StreamName, RetentionPeriodHours: Number(retention.value) });
      }
      go("/stream", { name: params.StreamName });
    } catch (e) {
      error.textContent = e.message;
    }
  });
  replace(main, h("h1", {}, "Create stream"), h("div", { class: "card" }, form));
  name.focus();
}

const isOpen = (s) => !s.SequenceNumberRange?.EndingSequenceNumber;

function shardsTab(panel, get) {
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
  panel.append(box,
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

export async function detail(main, params) {
  let data = await view("stream", { name: params.name });
  const summary = h("div", { class: "card" });
  const updaters = [];
  const showSummary = () => {
    const s = data.summary;
    replace(summary, kv([
      ["Status", h("span", { testid: "stream-status" }, badge(s.StreamStatus, s.StreamStatus === "ACTIVE" ? "ok" : "warn"))],
      ["ARN", h("span", { class: "mono" }, s.StreamARN)],
      ["Capacity mode", s.StreamModeDetails?.StreamMode],
      ["Open shards", s.OpenShardCount], ["Retention (hours)", s.RetentionPeriodHours], ["Created", fmtTime(s.StreamCreationTimestamp)],
    ]));
  };
  replace(main, h("h1", { testid: "stream-title" }, params.name), summary, tabs([
    ["shards", "Shards", (p) => updaters.push(shardsTab(p, () => data))],
    ["data", "Data viewer", (p) => dataTab(p, () => data, params)],
    ["consumers", "Consumers", (p) => updaters.push(consumersTab(p, () => data))],
    ["triggers", "Lambda triggers", (p) => { const box = h("div"); p.append(box); const u = () => replace(box, mappingsTable(data.mappings, { onChange: refreshAll })); u(); updaters.push(u); }],
    ["monitoring", "Monitoring", (p) => live(chartGrid(p, ["IncomingRecords", "IncomingBytes", "GetRecords.Records", "PutRecord.Success"].map((m) => ({ namespace: "AWS/Kinesis", name: m, stat: "Sum", dimensions: { StreamName: params.name }, title: m }))), 10000)],
  ], params.tab, (tab) => { setParam("tab", tab); updaters.length = 0; }));
  showSummary();
  live(async () => {
    data = await view("stream", { name: params.name });
    showSummary();
    for (const update of updaters) update();
  }, 2000);
}
