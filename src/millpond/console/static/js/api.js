// The console's client for its JSON API (/_millpond/console/api/): provider calls, page views, the clock.
const BASE = "/_millpond/console/api";

export const session = {
  account: localStorage.getItem("millpond.account") || "",
  region: localStorage.getItem("millpond.region") || "",
};

export function setContext(account, region) {
  session.account = account;
  session.region = region;
  localStorage.setItem("millpond.account", account);
  localStorage.setItem("millpond.region", region);
}

export class ApiError extends Error {
  constructor(code, message) {
    super(`${code}: ${message}`);
    this.code = code;
  }
}

async function request(method, path, body) {
  const headers = { "Content-Type": "application/json" };
  if (session.account) headers["X-Millpond-Account"] = session.account;
  if (session.region) headers["X-Millpond-Region"] = session.region;
  const response = await fetch(BASE + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const payload = await response.json();
  if (!response.ok || payload.error) {
    const error = payload.error || { code: String(response.status), message: response.statusText };
    throw new ApiError(error.code, error.message);
  }
  return payload;
}

/** One provider method, exactly as the AWS API runs it: call("sqs", "SendMessage", {...}). */
export const call = (service, operation, params = {}) => request("POST", "/call", { service, operation, params });

/** A page's view: view("queue", {url}). */
export function view(name, query = {}) {
  const qs = new URLSearchParams(Object.entries(query).filter(([, v]) => v !== undefined && v !== null)).toString();
  return request("GET", `/view/${name}${qs ? "?" + qs : ""}`);
}

export const state = () => request("GET", "/state");
export const advanceClock = (seconds) => request("POST", "/clock", { advance: seconds });

/** Blob helpers: provider blobs travel as {"$bytes": base64}. */
export const textBlob = (text) => ({ $bytes: btoa(String.fromCharCode(...new TextEncoder().encode(text))) });
export const atTime = (epochSeconds) => ({ $time: epochSeconds });
export function decodeBlob(blob) {
  if (!blob || typeof blob.$bytes !== "string") return { text: null, bytes: 0 };
  const raw = atob(blob.$bytes);
  const bytes = Uint8Array.from(raw, (c) => c.charCodeAt(0));
  try {
    return { text: new TextDecoder("utf-8", { fatal: true }).decode(bytes), bytes: bytes.length, base64: blob.$bytes };
  } catch {
    return { text: null, bytes: bytes.length, base64: blob.$bytes };
  }
}

/** The virtual clock as last seen from the server, moving on with real time in between. */
const clockSeen = { now: Date.now() / 1000, at: Date.now() };
export function noteClock(clock) {
  clockSeen.now = clock.now;
  clockSeen.at = Date.now();
}
export const virtualNow = () => clockSeen.now + (Date.now() - clockSeen.at) / 1000;
