import { slackToken } from "./mrkdwn.js";
import { h } from "./vnode.js";

// The Markdown Preflight uploads (the post-mortem) as DOM nodes: headings, paragraphs, lists,
// tables, code blocks, quotes, rules; **bold**, *italic*, ~~strike~~, `code`, [links](…) and
// Slack mentions. Anything else stays text.

const SAFE_URL = /^(https?:|mailto:)/i;
const INLINE =
  /`([^`]+)`|\*\*([^*]+)\*\*|~~([^~]+)~~|(?<![\w*])[*_]([^*_\n]+)[*_](?![\w*])|\[([^\]]+)\]\(([^)\s]+)\)|<([@#!][^<>\s]+)>/;

export function inlineMarkdown(text, ctx = {}) {
  const out = [];
  let rest = text;
  for (let m = INLINE.exec(rest); m; m = INLINE.exec(rest)) {
    if (m.index > 0) out.push(rest.slice(0, m.index));
    if (m[1] !== undefined) out.push(h("code", {}, m[1]));
    else if (m[2] !== undefined) out.push(h("strong", {}, inlineMarkdown(m[2], ctx)));
    else if (m[3] !== undefined) out.push(h("del", {}, inlineMarkdown(m[3], ctx)));
    else if (m[4] !== undefined) out.push(h("em", {}, inlineMarkdown(m[4], ctx)));
    else if (m[5] !== undefined)
      out.push(
        SAFE_URL.test(m[6])
          ? h("a", { href: m[6], target: "_blank", rel: "noopener noreferrer" }, m[5])
          : m[5],
      );
    else out.push(slackToken(m[7], ctx));
    rest = rest.slice(m.index + m[0].length);
  }
  if (rest) out.push(rest);
  return out;
}

const cells = (row) =>
  row
    .trim()
    .replace(/^\||\|$/g, "")
    .split(/(?<!\\)\|/)
    .map((cell) => cell.trim().replace(/\\\|/g, "|"));
const isTableRule = (row) => /^\s*\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?\s*$/.test(row);
const LIST = /^(\s*)([-*+]|\d+[.)])\s+/;

export function markdown(text, ctx = {}) {
  const rows = String(text ?? "").split("\n");
  const out = [];
  for (let i = 0; i < rows.length; ) {
    const row = rows[i];
    if (row.trim() === "") {
      i += 1;
    } else if (row.startsWith("```")) {
      const code = [];
      for (i += 1; i < rows.length && !rows[i].startsWith("```"); i += 1) code.push(rows[i]);
      i += 1;
      out.push(h("pre", {}, h("code", {}, code.join("\n"))));
    } else if (/^#{1,6}\s/.test(row)) {
      const level = row.indexOf(" ");
      out.push(h(`h${Math.min(level + 2, 6)}`, {}, inlineMarkdown(row.slice(level + 1), ctx)));
      i += 1;
    } else if (/^(-{3,}|\*{3,})\s*$/.test(row)) {
      out.push(h("hr"));
      i += 1;
    } else if (row.trimStart().startsWith("|") && isTableRule(rows[i + 1] ?? "")) {
      const head = cells(row);
      const body = [];
      for (i += 2; i < rows.length && rows[i].trimStart().startsWith("|"); i += 1) body.push(cells(rows[i]));
      out.push(
        h(
          "table",
          {},
          h(
            "thead",
            {},
            h(
              "tr",
              {},
              head.map((cell) => h("th", {}, inlineMarkdown(cell, ctx))),
            ),
          ),
          h(
            "tbody",
            {},
            body.map((r) =>
              h(
                "tr",
                {},
                r.map((cell) => h("td", {}, inlineMarkdown(cell, ctx))),
              ),
            ),
          ),
        ),
      );
    } else if (LIST.test(row)) {
      const ordered = /\d/.test(LIST.exec(row)[2]);
      const items = [];
      while (i < rows.length && (LIST.test(rows[i]) || (/^\s{2,}\S/.test(rows[i]) && items.length > 0))) {
        if (LIST.test(rows[i])) items.push([rows[i].replace(LIST, "")]);
        else items.at(-1).push(rows[i].trim());
        i += 1;
      }
      const lis = items.map((lines) =>
        h(
          "li",
          {},
          lines.flatMap((l, n) => (n ? [h("br"), ...inlineMarkdown(l, ctx)] : inlineMarkdown(l, ctx))),
        ),
      );
      out.push(h(ordered ? "ol" : "ul", {}, lis));
    } else if (row.startsWith(">")) {
      const quoted = [];
      for (; i < rows.length && rows[i].startsWith(">"); i += 1) quoted.push(rows[i].replace(/^>\s?/, ""));
      out.push(h("blockquote", {}, markdown(quoted.join("\n"), ctx).children));
    } else {
      const para = [];
      for (
        ;
        i < rows.length &&
        rows[i].trim() !== "" &&
        !/^(#{1,6}\s|```|\||>)/.test(rows[i]) &&
        !LIST.test(rows[i]);
        i += 1
      )
        para.push(rows[i]);
      if (para.length === 0) para.push(rows[i++]);
      out.push(
        h(
          "p",
          {},
          para.flatMap((l, n) => (n ? [h("br"), ...inlineMarkdown(l, ctx)] : inlineMarkdown(l, ctx))),
        ),
      );
    }
  }
  return h("div", { class: "markdown" }, out);
}
