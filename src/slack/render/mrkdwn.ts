/**
 * Text for Slack's mrkdwn, the one place that decides what may become markup: escaping what people
 * typed, the Markdown subset checklist authors write, and cutting text to Slack's limits without
 * breaking links, entities or code fences.
 *
 * The rules: whatever a person typed or a parameter carries is text (`escapeMrkdwn`). Mentions are
 * made only here, from user ids (`mention`). Links are made only from checklist authors' Markdown
 * and only to `https`, `http` or `mailto` targets (`slackLink`).
 */

const FENCE = "```";

/** C0 controls (but tab and newline), DEL and the bidirectional overrides that disguise text. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point.
const INVISIBLE = /[\u0000-\u0008\u000B-\u001F\u007F\u202A-\u202E\u2066-\u2069]/g;

/** Slack treats `&`, `<` and `>` as control characters in every text field. */
export function escapeMrkdwn(text: string): string {
  return text.replace(INVISIBLE, "").replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

/**
 * Escapes like `escapeMrkdwn`, but leaves Slack's three entities as they are: for text Slack gave
 * back (a message's `text`, already escaped when we posted it), which may still be forged.
 * Applying it twice changes nothing.
 */
export function escapeOnce(text: string): string {
  return keepingOnly(text, /&(?:amp|lt|gt);/g);
}

/**
 * What `neutralizeMrkdwn` keeps: Slack's three entities, user and channel references by id, dates,
 * and links to messages of the workspace (`/maintenance status` links each run's message).
 */
const KEPT = new RegExp(
  [
    "&(?:amp|lt|gt);",
    "<@[UW][A-Z0-9_]{2,30}>",
    "<#[CG][A-Z0-9]{2,20}>",
    // A date as Preflight draws it: a format, no link (Slack's optional `^link` would make one).
    String.raw`<!date\^\d{1,12}\^[^|<>^]{1,80}\|[^<>|]{1,80}>`,
    String.raw`<https://[a-z0-9-]{1,63}\.slack\.com/archives/[A-Za-z0-9/?=&;._-]{1,200}\|[^<>|]{1,80}>`,
  ].join("|"),
  "g",
);

/**
 * A message that may mix person text with Preflight's own mentions (a refusal worded by the
 * engine, quoting what was typed): keeps what `KEPT` lists and escapes every other `<`, `>` and `&`, so `<!channel>`,
 * `<!subteam^…>` or a disguised link become text. Applying it twice changes nothing.
 */
export function neutralizeMrkdwn(text: string): string {
  return keepingOnly(text, new RegExp(KEPT));
}

function keepingOnly(text: string, kept: RegExp): string {
  let out = "";
  let last = 0;
  for (const match of text.matchAll(kept)) {
    out += escapeMrkdwn(text.slice(last, match.index)) + match[0];
    last = match.index + match[0].length;
  }
  return out + escapeMrkdwn(text.slice(last));
}

// Slack's ids are upper-case letters and digits; `_` is allowed for readable ids in tests and
// fixtures, and none of these characters can open or close markup.
const USER_ID = /^[UW][A-Z0-9_]{2,30}$/;

/** A mention of one person, only from a Slack user id; anything else is shown as text. */
export function mention(userId: string): string {
  // A user group (verifiers, assignees) is mentioned as Slack writes one.
  if (/^S[A-Z0-9]{2,20}$/.test(userId)) return `<!subteam^${userId}>`;
  return USER_ID.test(userId) ? `<@${userId}>` : escapeMrkdwn(userId);
}

const LINK_TARGET = /^(https?:\/\/[^\s<>|]+|mailto:[^\s<>|@]+@[^\s<>|]+)$/i;

/** Whether `target` may become a link: an http(s) URL or a mailto address, nothing else. */
export function isLinkTarget(target: string): boolean {
  return LINK_TARGET.test(target);
}

/**
 * A link from an author's (already escaped) target and label; `undefined` when the target is not
 * an `https`, `http` or `mailto` address (`!channel`, `@U123`, `javascript:`…).
 */
export function slackLink(escapedTarget: string, escapedLabel: string): string | undefined {
  const target = escapedTarget.replace(/\|/g, "%7C");
  if (!isLinkTarget(target)) return undefined;
  return `<${target}|${escapedLabel.replace(/\|/g, "¦")}>`;
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

// Private-use characters mark spans already converted, so later rules leave them alone. Input
// never keeps them: a value carrying one could otherwise pose as a converted span.
const MARK = { bold: "\uE000", open: "\uE001", close: "\uE002", literal: "\uE003", end: "\uE004" } as const;
const MARKS = /[\uE000-\uE00F]/g;

/**
 * The Markdown subset checklist authors write → Slack mrkdwn: bold, italics, strike-through,
 * links (http, https and mailto only), headings, bullets; inline code and ``` fences are kept.
 * A backslash makes the next punctuation character literal, as in CommonMark: template values
 * arrive escaped that way, so a parameter never becomes formatting or a link. Everything else is escaped.
 */
export function markdownToMrkdwn(markdown: string): string {
  let inFence = false;
  const lines = markdown.replace(MARKS, "").replace(/\r\n?/g, "\n").split("\n");
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
    .split(/((?<!\\)`[^`]+`)/)
    .map((part, i) => (i % 2 === 1 ? escapeMrkdwn(part) : convertFormatting(part)))
    .join("");
}

function convertFormatting(text: string): string {
  const literals: string[] = [];
  const protectedText = text.replace(/\\([!-/:-@[-`{-~])/g, (_match, char: string) => {
    literals.push(char);
    return `${MARK.literal}${literals.length - 1}${MARK.end}`;
  });
  const restoreLiterals = (value: string) =>
    value.replace(new RegExp(`${MARK.literal}(\\d+)${MARK.end}`, "g"), (_m, i: string) =>
      escapeMrkdwn(literals[Number(i)] ?? ""),
    );
  const links: string[] = [];
  let out = escapeMrkdwn(protectedText).replace(
    /\[([^\]]+)\]\(([^)\s]+)\)/g,
    (match, label: string, url: string) => {
      const link = slackLink(restoreLiterals(url), label);
      if (link === undefined) return match;
      links.push(link);
      return `${MARK.open}${links.length - 1}${MARK.close}`;
    },
  );
  out = out
    .replace(/\*\*(?=\S)(.+?)\*\*/g, `${MARK.bold}$1${MARK.bold}`)
    .replace(/__(?=\S)(.+?)__/g, "_$1_")
    .replace(/(^|[^*\w])\*(?=\S)([^*]+?)\*(?!\w)/g, "$1_$2_")
    .replace(/~~(?=\S)(.+?)~~/g, "~$1~");
  out = out
    .replaceAll(MARK.bold, "*")
    .replace(new RegExp(`${MARK.open}(\\d+)${MARK.close}`, "g"), (_m, i: string) => links[Number(i)] ?? "");
  return restoreLiterals(out);
}
