// Console URLs: pages live in the hash (#/queue?url=...&tab=...), so links work without server routes.
export function parseHash() {
  const raw = location.hash.replace(/^#/, "") || "/";
  const [path, query = ""] = raw.split("?");
  return { path, params: Object.fromEntries(new URLSearchParams(query)) };
}

/** Build a console link: href("/queue", {url}). */
export function href(path, params = {}) {
  const qs = new URLSearchParams(Object.entries(params).filter(([, v]) => v !== undefined && v !== null && v !== "")).toString();
  return `#${path}${qs ? "?" + qs : ""}`;
}

/** Record a parameter (a tab, a filter) in the URL without re-rendering the page. */
export function setParam(key, value) {
  const { path, params } = parseHash();
  params[key] = value;
  history.replaceState(null, "", href(path, params));
}

export const go = (path, params) => { location.hash = href(path, params); };

/** Links between related things. */
export const arnName = (arn) => String(arn || "").split(":").pop().split("/").pop();
export function queueUrlFromArn(arn, knownUrl) {
  // arn:aws:sqs:region:account:name -> the endpoint's queue URL (same host as a known queue URL or this page).
  const [, , , region, account, name] = String(arn).split(":");
  const base = knownUrl ? knownUrl.split("/").slice(0, 3).join("/") : location.origin;
  return `${base}/${account}/${name}`;
}
export function resourceLink(arn) {
  const parts = String(arn || "").split(":");
  if (parts[2] === "sqs") return href("/queue", { url: queueUrlFromArn(arn) });
  if (parts[2] === "kinesis") return href("/stream", { name: arnName(arn) });
  if (parts[2] === "lambda") return href("/function", { name: parts[6] });
  return null;
}
