/**
 * Text for Slack's mrkdwn: escaping, the Markdown subset checklist authors write, and cutting
 * text to Slack's limits without breaking links, entities or code fences.
 */

const FENCE = "```";

/** Slack treats `&`, `<` and `>` as control characters in every text field. */
export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

export function mention(userId: string): string {
  return `<@${userId}>`;
}

/** A timestamp every reader sees in their own time zone; `fallback` is shown where Slack can't format. */
export function slackDate(iso: string, format = "{date_short_pretty} {time}"): string {
  const seconds = Math.floor(Date.parse(iso) / 1000);
  return `<!date^${seconds}^${format}|${iso}>`;
}

/**
 * Cuts `text` to at most `max` characters, ending with `suffix`. Never leaves half a `<…>` link,
 * half an `&amp;` entity or half a surrogate pair behind (unless the link starts the text).
 */
export function truncate(text: string, max: number, suffix = "…"): string {
  if (text.length <= max) return text;
  if (max <= suffix.length) return suffix.slice(0, Math.max(0, max));
  let cut = text.slice(0, max - suffix.length);
  const open = cut.lastIndexOf("<");
  if (open > 0 && open > cut.lastIndexOf(">")) cut = cut.slice(0, open);
  cut = cut.replace(/&[a-z]{0,4}$/, "");
  if (/[\uD800-\uDBFF]$/.test(cut)) cut = cut.slice(0, -1);
  return `${cut.trimEnd()}${suffix}`;
}

/** Like `truncate`, but closes a code fence the cut left open, so the rest doesn't render as code. */
export function truncateMrkdwn(text: string, max: number, suffix = "…"): string {
  if (text.length <= max) return text;
  const plain = truncate(text, max, suffix);
  if ((plain.split(FENCE).length - 1) % 2 === 0) return plain;
  const cut = truncate(text, Math.max(0, max - FENCE.length - 1 - suffix.length), "");
  const closed = (cut.split(FENCE).length - 1) % 2 === 1 ? `${cut}\n${FENCE}` : cut;
  return `${closed}${suffix}`.slice(0, max);
}

/**
 * The Markdown subset checklist authors write → Slack mrkdwn: bold, italics, strike-through,
 * links, headings, bullets; inline code and ``` fences are kept. Everything else is escaped.
 */
export function markdownToMrkdwn(markdown: string): string {
  let inFence = false;
  const lines = markdown.replace(/\r\n?/g, "\n").split("\n");
  return lines
    .map((line) => {
      if (line.trimStart().startsWith(FENCE)) {
        inFence = !inFence;
        return escapeMrkdwn(line.trimStart());
      }
      if (inFence) return escapeMrkdwn(line);
      return convertLine(line);
    })
    .join("\n");
}

function convertLine(line: string): string {
  const heading = /^\s{0,3}#{1,6}\s+(.*?)\s*#*\s*$/.exec(line);
  if (heading) {
    const text = convertInline(heading[1] ?? "").replace(/^\*(.*)\*$/, "$1");
    return text === "" ? "" : `*${text}*`;
  }
  const bullet = /^(\s*)[-*+]\s+(.*)$/.exec(line);
  if (bullet) return `${bullet[1] ?? ""}• ${convertInline(bullet[2] ?? "")}`;
  return convertInline(line);
}

/** Inline code spans are kept as they are (escaped); formatting is converted only outside them. */
function convertInline(text: string): string {
  return text
    .split(/(`[^`]+`)/)
    .map((part, i) => (i % 2 === 1 ? escapeMrkdwn(part) : convertFormatting(part)))
    .join("");
}

// Private-use characters mark spans already converted, so later rules leave them alone.
const MARK = { bold: "\uE000", open: "\uE001", close: "\uE002" } as const;

function convertFormatting(text: string): string {
  const links: string[] = [];
  let out = escapeMrkdwn(text).replace(/\[([^\]]+)\]\(([^)\s]+)\)/g, (_match, label: string, url: string) => {
    links.push(`<${url.replace(/\|/g, "%7C")}|${label.replace(/\|/g, "¦")}>`);
    return `${MARK.open}${links.length - 1}${MARK.close}`;
  });
  out = out
    .replace(/\*\*(?=\S)(.+?)\*\*/g, `${MARK.bold}$1${MARK.bold}`)
    .replace(/__(?=\S)(.+?)__/g, "_$1_")
    .replace(/(^|[^*\w])\*(?=\S)([^*]+?)\*(?!\w)/g, "$1_$2_")
    .replace(/~~(?=\S)(.+?)~~/g, "~$1~");
  return out
    .replaceAll(MARK.bold, "*")
    .replace(new RegExp(`${MARK.open}(\\d+)${MARK.close}`, "g"), (_m, i: string) => links[Number(i)] ?? "");
}
