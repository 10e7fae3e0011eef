// A small Markdown renderer for text widgets: headings, paragraphs, lists, bold, italics, code and links.
// It builds DOM nodes (never innerHTML), so dashboard bodies cannot inject markup.
import { h } from "./dom.js";

function inline(text) {
  const out = [];
  const pattern = /(\*\*[^*]+\*\*|\*[^*]+\*|`[^`]+`|\[[^\]]+\]\([^)\s]+\))/g;
  let last = 0;
  for (const match of text.matchAll(pattern)) {
    out.push(text.slice(last, match.index));
    const token = match[0];
    if (token.startsWith("**")) out.push(h("strong", {}, token.slice(2, -2)));
    else if (token.startsWith("`")) out.push(h("code", {}, token.slice(1, -1)));
    else if (token.startsWith("[")) {
      const [, label, url] = /^\[([^\]]+)\]\(([^)\s]+)\)$/.exec(token);
      out.push(h("a", { href: /^(https?:|#|\/)/.test(url) ? url : "#" }, label));
    } else out.push(h("em", {}, token.slice(1, -1)));
    last = match.index + token.length;
  }
  out.push(text.slice(last));
  return out;
}

export function markdown(source) {
  const root = h("div", { class: "markdown" });
  let list = null;
  let paragraph = [];
  const flush = () => {
    if (paragraph.length) root.append(h("p", {}, inline(paragraph.join(" "))));
    paragraph = [];
  };
  for (const raw of String(source).split("\n")) {
    const line = raw.trimEnd();
    const heading = /^(#{1,6})\s+(.*)$/.exec(line);
    const item = /^\s*[-*]\s+(.*)$/.exec(line);
    if (heading) { flush(); list = null; root.append(h(`h${Math.min(6, heading[1].length + 1)}`, {}, inline(heading[2]))); }
    else if (item) { flush(); if (!list) { list = h("ul"); root.append(list); } list.append(h("li", {}, inline(item[1]))); }
    else if (!line.trim()) { flush(); list = null; }
    else { list = null; paragraph.push(line.trim()); }
  }
  flush();
  return root;
}
