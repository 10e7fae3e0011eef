// Kinesis "Create data stream", in the AWS console's words: data stream name, capacity mode, number of
// shards, data retention period, server-side encryption and tags. Settings that AWS applies to an ACTIVE
// stream only (retention, encryption) are applied once the stream is ACTIVE.
import { call } from "../api.js";
import { h, replace } from "../dom.js";
import { duration, radios, row, showError, showProblems, tagEditor } from "../forms.js";
import { go } from "../nav.js";

async function whenActive(name) {
  for (let i = 0; i < 100; i++) {
    const s = await call("kinesis", "DescribeStreamSummary", { StreamName: name });
    if (s.StreamDescriptionSummary.StreamStatus === "ACTIVE") return;
    await new Promise((r) => setTimeout(r, 100));
  }
}

export async function create(main) {
  const name = h("input", { required: true, size: 50, testid: "stream-name" });
  const mode = radios("Capacity mode", [
    ["ON_DEMAND", "On-demand", "Use this mode when your data stream's throughput requirements are unpredictable and variable."],
    ["PROVISIONED", "Provisioned", "Use provisioned mode when you can reliably estimate throughput requirements of your data stream."],
  ], "ON_DEMAND");
  const shards = h("input", { type: "number", min: 1, max: 10000, value: "1", size: 8, testid: "stream-shards" });
  const retention = duration("Data retention period", 24 * 3600, ["hours", "days"]);
  const encryption = radios("Server-side encryption", [["disabled", "Disabled"], ["enabled", "Enabled", "with the AWS managed key aws/kinesis"]], "disabled");
  const tags = tagEditor();
  const error = h("div", { class: "error", role: "alert", testid: "form-error" });
  const shardRow = row("Number of shards", shards, { hint: "Provisioned shards: minimum 1, maximum 10,000 per account. Each shard ingests up to 1 MiB/second and 1,000 records/second." });
  const form = h("form", { class: "stack", testid: "create-stream-form", novalidate: true },
    h("h2", { class: "full" }, "Data stream configuration"),
    row("Data stream name", name, { hint: "Acceptable characters are uppercase and lowercase letters, numbers, underscores, hyphens and periods." }),
    h("h2", { class: "full" }, "Data stream capacity"), mode, shardRow,
    h("h2", { class: "full" }, "Data stream settings"),
    row("Data retention period", retention, { hint: "Between 1 day (24 hours) and 365 days (8760 hours)." }),
    encryption,
    h("h2", { class: "full" }, "Tags"), h("div", { class: "full" }, tags),
    h("div", { class: "full toolbar" }, h("button", { type: "submit", class: "primary", testid: "create-stream-submit" }, "Create data stream"), h("a", { href: "#/streams" }, "Cancel")),
    h("div", { class: "full" }, error));
  const showMode = () => { for (const el of shardRow) el.hidden = mode.value !== "PROVISIONED"; };
  mode.addEventListener("change", showMode);
  showMode();
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    showError(error, null);
    const stream = name.value.trim();
    const hours = retention.seconds() / 3600;
    const problems = [];
    if (!/^[a-zA-Z0-9_.-]{1,128}$/.test(stream)) problems.push([name, "Data stream name must be 1 to 128 characters: uppercase and lowercase letters, numbers, underscores, hyphens and periods."]);
    if (mode.value === "PROVISIONED" && !(Number.isInteger(Number(shards.value)) && Number(shards.value) >= 1 && Number(shards.value) <= 10000)) problems.push([shards, "The number of provisioned shards must be between 1 and 10,000."]);
    if (!(Number.isInteger(hours) && hours >= 24 && hours <= 8760)) problems.push([retention.number, "The data retention period must be between 24 hours (1 day) and 8760 hours (365 days), in whole hours."]);
    if (!showProblems(form, problems)) return;
    const params = { StreamName: stream, StreamModeDetails: { StreamMode: mode.value } };
    if (mode.value === "PROVISIONED") params.ShardCount = Number(shards.value);
    const wanted = tags.tags();
    if (Object.keys(wanted).length) params.Tags = wanted;
    try {
      await call("kinesis", "CreateStream", params);
      if (hours > 24 || encryption.value === "enabled") await whenActive(stream);
      if (hours > 24) await call("kinesis", "IncreaseStreamRetentionPeriod", { StreamName: stream, RetentionPeriodHours: hours });
      if (encryption.value === "enabled") {
        await call("kinesis", "StartStreamEncryption", { StreamName: stream, EncryptionType: "KMS", KeyId: "alias/aws/kinesis" });
      }
      go("/stream", { name: stream });
    } catch (e) {
      showError(error, e);
    }
  });
  replace(main, h("p", { class: "muted" }, h("a", { href: "#/streams" }, "Amazon Kinesis › Data streams"), " › Create data stream"),
    h("h1", {}, "Create data stream"), h("div", { class: "card" }, form));
  name.focus();
}
