// A data stream's Configuration tab: edit the capacity mode, the provisioned shard count, the data retention
// period and server-side encryption, each saved with the API call the AWS console makes for it.
import { call } from "../api.js";
import { h, replace } from "../dom.js";
import { duration, radios, row, showError } from "../forms.js";
import { refreshAll } from "../live.js";

function section(title, controls, save) {
  const error = h("div", { class: "error", role: "alert" });
  const done = h("span", { class: "ok", role: "status" });
  const button = h("button", { type: "button", class: "primary", onclick: async () => {
    showError(error, null);
    done.textContent = "";
    try {
      await save();
      done.textContent = "Saved.";
      refreshAll();
    } catch (e) {
      showError(error, e);
    }
  } }, "Save changes");
  return h("section", { class: "card", "aria-label": title }, h("h3", {}, title), h("div", { class: "stack" }, controls), h("div", { class: "toolbar" }, button, done), error);
}

/** get() returns the stream view ({summary, shards}). */
export function configuration(panel, get) {
  const s = get().summary;
  const name = s.StreamName;
  const mode = radios("Capacity mode", [["ON_DEMAND", "On-demand"], ["PROVISIONED", "Provisioned"]], s.StreamModeDetails?.StreamMode || "PROVISIONED");
  const shards = h("input", { type: "number", min: 1, size: 8, value: String(s.OpenShardCount) });
  const retention = duration("Data retention period", s.RetentionPeriodHours * 3600, ["hours", "days"]);
  const encryption = radios("Server-side encryption", [["disabled", "Disabled"], ["enabled", "Enabled", "with the AWS managed key aws/kinesis"]], s.EncryptionType === "KMS" ? "enabled" : "disabled");
  const box = h("div");
  replace(box,
    section("Capacity mode", [mode], () => call("kinesis", "UpdateStreamMode", { StreamARN: get().summary.StreamARN, StreamModeDetails: { StreamMode: mode.value } })),
    section("Provisioned shards", [row("Number of shards", shards, { hint: "Resharding is uniform: the hash key space is split evenly across the new shard count." })],
      () => call("kinesis", "UpdateShardCount", { StreamName: name, TargetShardCount: Number(shards.value), ScalingType: "UNIFORM_SCALING" })),
    section("Data retention period", [row("Data retention period", retention, { hint: "Between 1 day (24 hours) and 365 days (8760 hours)." })], () => {
      const hours = retention.seconds() / 3600;
      const current = get().summary.RetentionPeriodHours;
      if (hours === current) return Promise.resolve({});
      const operation = hours > current ? "IncreaseStreamRetentionPeriod" : "DecreaseStreamRetentionPeriod";
      return call("kinesis", operation, { StreamName: name, RetentionPeriodHours: hours });
    }),
    section("Server-side encryption", [encryption], () => (encryption.value === "enabled"
      ? call("kinesis", "StartStreamEncryption", { StreamName: name, EncryptionType: "KMS", KeyId: "alias/aws/kinesis" })
      : call("kinesis", "StopStreamEncryption", { StreamName: name, EncryptionType: "KMS", KeyId: get().summary.KeyId || "alias/aws/kinesis" }))));
  panel.append(box);
}
