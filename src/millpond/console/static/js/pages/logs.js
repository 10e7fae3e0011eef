// Logs: log groups, one group's streams and events with filter-pattern search, and live tail.
import { call, virtualNow } from "../api.js";
import { fmtMillis, h, kv, link, replace, table } from "../dom.js";
import { copyable } from "../forms.js";
import { live } from "../live.js";
import { href, setParam } from "../nav.js";

export async function list(main) {
  const prefix = h("input", { type: "search", placeholder: "Log group name prefix", "aria-label": "Filter log groups" });
  const body = h("div");
  replace(main, h("div", { class: "toolbar" }, h("h1", { class: "grow" }, "Log groups"), prefix), body);
  const refresh = live(async () => {
    const params = { limit: 50 };
    if (prefix.value) params.logGroupNamePrefix = prefix.value;
    const { logGroups = [] } = await call("logs", "DescribeLogGroups", params);
    replace(body, table([
      ["Name", (g) => link(href("/log-group", { name: g.logGroupName }), g.logGroupName)],
      ["Stored bytes", (g) => g.storedBytes ?? 0, { num: true }],
      ["Retention (days)", (g) => g.retentionInDays ?? "never expire"],
      ["Created", (g) => fmtMillis(g.creationTime)],
    ], logGroups, { empty: "No log groups.", testid: "log-groups-table" }));
  }, 5000);
  prefix.addEventListener("input", refresh);
}

/**
 * Events of one group (optionally one stream) matching a filter pattern, newest last; with "follow",
 * new events are fetched every second from where the last fetch ended.
 */
export function eventsPanel(container, group, { stream, pattern = "", follow = false } = {}) {
  const filter = h("input", { type: "search", size: 40, placeholder: "Filter pattern, e.g. ERROR or { $.level = \"error\" }", value: pattern, testid: "log-filter" });
  const followBox = h("input", { type: "checkbox", checked: follow, testid: "log-follow" });
  const out = h("div", { testid: "log-events" });
  let events = [];
  let since = 0;
  const fetchEvents = async (reset) => {
    if (reset) { events = []; since = Math.floor((virtualNow() - 24 * 3600) * 1000); }
    const params = { logGroupName: group, startTime: since, limit: 1000 };
    if (stream) params.logStreamNames = [stream];
    if (filter.value.trim()) params.filterPattern = filter.value.trim();
    try {
      const result = await call("logs", "FilterLogEvents", params);
      const seen = new Set(events.map((e) => e.eventId));
      for (const e of result.events || []) if (!seen.has(e.eventId)) events.push(e);
      events = events.slice(-2000);
      if (events.length) since = events[events.length - 1].timestamp;
    } catch (error) {
      replace(out, h("p", { class: "muted" }, error.message));
      return;
    }
    replace(out, table([
      ["Time", (e) => fmtMillis(e.timestamp)],
      ["Stream", (e) => h("span", { class: "mono" }, e.logStreamName)],
      ["Message", (e) => h("pre", { class: "log-line" }, e.message)],
    ], events, { empty: "No log events match.", testid: "log-events-table" }));
  };
  filter.addEventListener("change", () => fetchEvents(true));
  container.append(h("div", { class: "toolbar" }, filter, h("button", { type: "button", onclick: () => fetchEvents(true), testid: "log-search" }, "Search"),
    h("label", {}, followBox, " Live tail"), h("small", { class: "muted" }, "Times are local, on the virtual clock.")), out);
  fetchEvents(true);
  live(() => (followBox.checked ? fetchEvents(false) : undefined), 1000);
}

export async function group(main, params) {
  const name = params.name;
  const streams = h("div");
  const events = h("div");
  const details = h("div", { class: "card" });
  replace(main, h("p", { class: "muted" }, link("#/logs", "CloudWatch › Log groups"), " › ", name), h("h1", {}, name), details,
    h("h2", {}, params.stream ? `Log events of ${params.stream}` : "Search all log streams"), events, h("h2", {}, "Log streams"), streams);
  call("logs", "DescribeLogGroups", { logGroupNamePrefix: name, limit: 1 }).then(({ logGroups = [] }) => {
    const g = logGroups.find((x) => x.logGroupName === name);
    if (g) replace(details, kv([["ARN", copyable(g.arn || g.logGroupArn || "", "ARN")], ["Retention", g.retentionInDays ? `${g.retentionInDays} days` : "Never expire"], ["Stored bytes", g.storedBytes ?? 0], ["Creation time", fmtMillis(g.creationTime)]]));
  }, () => undefined);
  eventsPanel(events, name, { stream: params.stream, pattern: params.filter || "", follow: true });
  live(async () => {
    const { logStreams = [] } = await call("logs", "DescribeLogStreams", { logGroupName: name, orderBy: "LastEventTime", descending: true, limit: 25 });
    replace(streams, table([
      ["Stream", (s) => link(href("/log-group", { name, stream: s.logStreamName }), s.logStreamName)],
      ["Last event", (s) => fmtMillis(s.lastEventTimestamp)],
      ["Created", (s) => fmtMillis(s.creationTime)],
    ], logStreams, { empty: "No log streams." }));
  }, 5000);
  setParam("name", name);
}
