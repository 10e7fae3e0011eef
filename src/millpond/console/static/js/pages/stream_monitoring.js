// A data stream's Monitoring tab: the stream metrics the AWS console charts (incoming and outgoing records,
// iterator age, put latency, ...) and the shard-level (enhanced) metrics, enabled from the page, one line
// per shard.
import { call } from "../api.js";
import { attempt, h, replace } from "../dom.js";
import { live, refreshAll } from "../live.js";
import { chartGrid } from "../metrics.js";
import { timeRange } from "../timerange.js";

export const SHARD_METRICS = [
  "IncomingBytes", "IncomingRecords", "OutgoingBytes", "OutgoingRecords",
  "WriteProvisionedThroughputExceeded", "ReadProvisionedThroughputExceeded", "IteratorAgeMilliseconds",
];
const SHARD_STATS = { IteratorAgeMilliseconds: "Maximum" };

export function streamMetrics(name) {
  const dims = { StreamName: name };
  return [
    ["Incoming records", "IncomingRecords", "Sum"],
    ["Outgoing records", "GetRecords.Records", "Sum"],
    ["Iterator age", "GetRecords.IteratorAgeMilliseconds", "Maximum"],
    ["Put record latency", "PutRecord.Latency", "Average"],
    ["Put records latency", "PutRecords.Latency", "Average"],
    ["Incoming data", "IncomingBytes", "Sum"],
    ["Get records latency", "GetRecords.Latency", "Average"],
    ["Write throughput exceeded", "WriteProvisionedThroughputExceeded", "Sum"],
  ].map(([title, metric, stat]) => ({ title, namespace: "AWS/Kinesis", name: metric, stat, dimensions: dims, label: `${metric} ${stat}` }));
}

function shardCharts(name, metrics, shards) {
  return metrics.map((metric) => ({
    title: `${metric} per shard`,
    series: shards.map((shard) => ({
      namespace: "AWS/Kinesis", name: metric, stat: SHARD_STATS[metric] || "Sum",
      dimensions: { StreamName: name, ShardId: shard }, label: shard,
    })),
  }));
}

/** get() returns the stream view ({summary, shards}). */
export function monitoring(panel, get) {
  const name = get().summary.StreamName;
  const refreshers = [];
  const range = timeRange({ seconds: 3600 }, () => refreshers.forEach((r) => r()));
  const stream = h("div");
  const shardBox = h("div", { testid: "shard-level-metrics" });
  panel.append(range, h("h2", {}, "Stream metrics"), stream, h("h2", {}, "Shard-level metrics"), shardBox);
  refreshers.push(live(chartGrid(stream, streamMetrics(name), { range }), 10000));
  const enabled = () => get().summary.EnhancedMonitoring?.flatMap((m) => m.ShardLevelMetrics || []) || [];
  const choices = SHARD_METRICS.map((metric) => h("label", {}, h("input", { type: "checkbox", value: metric, checked: true }), " ", metric));
  const change = async (enable) => {
    const picked = choices.map((l) => l.querySelector("input")).filter((i) => i.checked).map((i) => i.value);
    const operation = enable ? "EnableEnhancedMonitoring" : "DisableEnhancedMonitoring";
    const params = { StreamName: name, ShardLevelMetrics: enable ? picked : ["ALL"] };
    if (await attempt(() => call("kinesis", operation, params), enable ? "Shard-level metrics enabled" : "Shard-level metrics disabled")) {
      refreshAll();
      setTimeout(draw, 300);
    }
  };
  let shown = null;
  let shardRefresh = async () => undefined;
  const draw = () => {
    const metrics = enabled();
    const open = get().shards.filter((s) => !s.SequenceNumberRange?.EndingSequenceNumber).map((s) => s.ShardId);
    const key = JSON.stringify([metrics, open]);
    if (key === shown) return;
    shown = key;
    if (!metrics.length) {
      replace(shardBox, h("div", { class: "card" },
        h("p", {}, "Enhanced (shard-level) metrics are ", h("strong", {}, "disabled"), " for this stream. Choose the metrics to publish per shard:"),
        h("div", { class: "check-list" }, choices),
        h("button", { type: "button", class: "primary", onclick: () => change(true) }, "Enable shard-level metrics")));
      return;
    }
    const charts = h("div");
    replace(shardBox, h("p", {}, "Enabled: ", metrics.join(", "), " ", h("button", { type: "button", onclick: () => change(false) }, "Disable shard-level metrics")), charts);
    shardRefresh = chartGrid(charts, shardCharts(name, metrics, open), { range });
    shardRefresh();
  };
  draw();
  refreshers.push(live(() => shardRefresh(), 10000));
  return draw;
}
