import { h } from "./vnode.js";

// Slack's mrkdwn as DOM nodes: *bold*, _italic_, ~strike~, `code`, ```code blocks```, > quotes,
// bullet lines (numbered lines keep their numbers, as in Slack), <links|labels>, <@user> and <#channel> mentions. Slack escapes
// &, < and > in text; they are decoded here because nodes carry text, not HTML.

const decode = (text) => text.replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&amp;/g, "&");
const SAFE_URL = /^(https?:|mailto:)/i;

/** `<!date^seconds^{date_short_pretty} {time}|fallback>` in the reader's time zone, as Slack shows it. */
function slackDate(target, label, ctx) {
  const [, seconds, format = ""] = target.split("^");
  const at = new Date(Number(seconds) * 1000);
  if (Number.isNaN(at.getTime())) return decode(label ?? target);
  const part = (options) => at.toLocaleString("en-GB", { timeZone: ctx.tz, ...options });
  return format
    .replace(/\{date_num\}/g, part({ year: "numeric", month: "2-digit", day: "2-digit" }))
    .replace(/\{date(_short|_long)?(_pretty)?\}/g, part({ dateStyle: "medium" }))
    .replace(/\{time_secs\}/g, part({ timeStyle: "medium" }))
    .replace(/\{time\}/g, part({ timeStyle: "short" }));
}

/** One `<…>` token: a link, a mention, a channel, a special mention or a date. */
function angle(inner, ctx) {
  const [target = "", label] = inner.split("|", 2);
  if (target.startsWith("@")) {
    const id = target.slice(1);
    const person = ctx.people?.find((p) => p.id === id);
    return h("span", { class: "mention", title: id }, `@${person ? person.name : (label ?? id)}`);
  }
  if (target.startsWith("#")) {
    const id = target.slice(1);
    const channel = ctx.channels?.find((c) => c.id === id);
    return h("span", { class: "mention" }, `#${channel ? channel.name : (label ?? id)}`);
  }
  if (target.startsWith("!subteam^")) return h("span", { class: "mention" }, label ?? "@group");
  if (target.startsWith("!date^")) return h("time", {}, slackDate(target, label, ctx));
  if (target.startsWith("!")) return h("span", { class: "mention" }, `@${label ?? target.slice(1)}`);
  const url = decode(target);
  if (!SAFE_URL.test(url)) return decode(label ?? target);
  return h("a", { href: url, target: "_blank", rel: "noopener noreferrer" }, decode(label ?? target));
}

const STYLES = [
  ["*", "strong"],
  ["_", "em"],
  ["~", "del"],
];

/** Bold, italics and strike inside plain text (no code or links left in it). */
function styled(text, ctx) {
  for (const [mark, tag] of STYLES) {
    const m = mark === "*" ? "\\*" : mark;
    const re = new RegExp(`(^|[^\\w${m}])${m}([^${m}\\n]*[^${m}\\s])${m}(?=$|[^\\w${m}])`);
    const found = re.exec(text);
    if (found) {
      const start = found.index + found[1].length;
      return [
        ...styled(text.slice(0, start), ctx),
        h(tag, {}, styled(found[2], ctx)),
        ...styled(text.slice(start + found[2].length + 2), ctx),
      ];
    }
  }
  return text ? [decode(text)] : [];
}

/** A `<…>` token (mention, channel, link) the way Slack shows it; Markdown files use it too. */
export const slackToken = angle;

/** A line's inline content. */
export function inline(text, ctx = {}) {
  const out = [];
  const re = /`([^`\n]+)`|<([^<>\n]+)>/g;
  let last = 0;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    out.push(...styled(text.slice(last, m.index), ctx));
    out.push(m[1] !== undefined ? h("code", {}, decode(m[1])) : angle(m[2], ctx));
    last = re.lastIndex;
  }
  out.push(...styled(text.slice(last), ctx));
  return out;
}

const BULLET = /^\s*[•◦▪\-*]\s+/;
const QUOTE = /^(&gt;|>)\s?/;

/** Lines grouped into paragraphs, lists and quotes. */
function lines(text, ctx) {
  const out = [];
  const rows = text.split("\n");
  for (let i = 0; i < rows.length; ) {
    const row = rows[i];
    if (row.trim() === "") {
      i += 1;
      continue;
    }
    const group = (test, strip) => {
      const items = [];
      while (i < rows.length && test.test(rows[i])) items.push(rows[i++].replace(strip ?? test, ""));
      return items;
    };
    if (BULLET.test(row))
      out.push(
        h(
          "ul",
          {},
          group(BULLET).map((item) => h("li", {}, inline(item, ctx))),
        ),
      );
    else if (QUOTE.test(row)) out.push(h("blockquote", {}, lines(group(QUOTE).join("\n"), ctx)));
    else {
      const plain = {
        test: (r) => r.trim() !== "" && !BULLET.test(r) && !QUOTE.test(r),
      };
      const para = group(plain, /^/);
      out.push(
        h(
          "p",
          {},
          para.flatMap((line, n) => (n === 0 ? inline(line, ctx) : [h("br"), ...inline(line, ctx)])),
        ),
      );
    }
  }
  return out;
}

/** A whole mrkdwn text: code blocks first (nothing inside them is formatted), then lines. */
export function mrkdwn(text, ctx = {}) {
  const parts = String(text ?? "").split("```");
  return h(
    "div",
    { class: "mrkdwn" },
    parts.map((part, index) =>
      index % 2 === 1
        ? h("pre", {}, h("code", {}, decode(part.replace(/^\n/, ""))))
        : part.trim()
          ? lines(part.replace(/^\n+|\n+$/g, ""), ctx)
          : null,
    ),
  );
}
