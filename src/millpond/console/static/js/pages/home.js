// The overview page: what this account and region holds, with links into each service.
import { view } from "../api.js";
import { h, link, replace } from "../dom.js";
import { live } from "../live.js";

export async function render(main) {
  const cards = h("div", { class: "counts", testid: "overview" });
  replace(main, h("h1", {}, "millpond"), h("p", { class: "muted" }, "A local cloud: everything below is read through the same service layer the AWS APIs use."), cards);
  live(async () => {
    const [queues, streams, functions] = await Promise.all([
      view("queues").catch(() => ({ queues: [] })),
      view("streams").catch(() => ({ streams: [] })),
      view("functions").catch(() => ({ functions: [] })),
    ]);
    replace(cards,
      h("div", {}, h("strong", {}, queues.queues.length), link("#/queues", "queues")),
      h("div", {}, h("strong", {}, streams.streams.length), link("#/streams", "streams")),
      h("div", {}, h("strong", {}, functions.functions.length), link("#/functions", "functions")));
  }, 5000);
}
