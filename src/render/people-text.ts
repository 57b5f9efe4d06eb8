/**
 * Text from people on its way to GitHub (Markdown) or Jira (wiki markup): whatever a person typed
 * or a parameter carries is text there, never markup. Only Preflight makes mentions and links.
 *
 * The post-mortem is drawn once and finished for each place: the renderer wraps each piece of
 * people's text in an opaque token (`said`, `saidLines`, `saidCode`), Preflight's own markup is
 * converted around the tokens (Markdown → Jira wiki), and `finishMarkdown` / `finishJira` replace
 * each token by the text escaped for that markup. A token holds its text hex-encoded, so nothing
 * that converts Preflight's markup (table cells, `jiraWiki`, `neutralise`) can reach into it.
 */

const ZERO_WIDTH = "\u200b";
const OPEN = "\ue000";
const CLOSE = "\ue001";
const TOKEN = /\ue000([tcl])(\d)([0-9a-f]*)\ue001/g;

/** C0 controls (but tab and newline), DEL, bidirectional overrides, and the token's own brackets. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point.
const INVISIBLE = /[\u0000-\u0008\u000B-\u001F\u007F\u202A-\u202E\u2066-\u2069\ue000\ue001]/g;

export type Markup = "markdown" | "jira";

function clean(text: string): string {
  return (
    text
      .replace(/\r\n?/g, "\n")
      .replace(INVISIBLE, "")
      // Preflight finds what it made by `preflight:<effect id>` (a `<!-- … -->` comment on GitHub,
      // a line of its own on Jira): a person's text never holds one.
      .replace(/preflight:/gi, (found) => `${found.slice(0, -1)}${ZERO_WIDTH}:`)
      // A bare URL a person typed stays text: the tracker would make it a link.
      .replace(/:\/\//g, `:${ZERO_WIDTH}//`)
  );
}

/** One line: line breaks become spaces, so a person cannot start a list item, heading or block. */
export function oneLine(text: string): string {
  return text.replace(/\s*\r?\n\s*/g, " ").trim();
}

/**
 * Escapes one line of a person's text as Markdown text: `&`, `<`, `>` become entities (no HTML,
 * no entity of theirs survives); the punctuation that makes markup anywhere in a line is
 * backslash-escaped (links, images, emphasis, code, tables, strikethrough, math), and so is what
 * makes a block only at the start of a line (a list item, a heading: `- `, `+ `, `# `, `1. `);
 * `@name`, `#123`, `GH-123` and `www.` are broken by a zero-width space. Dots and dashes inside the text stay
 * as they are, so a version or a host name reads as typed.
 */
function markdownLine(line: string): string {
  return line
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/@(?=[A-Za-z0-9_-])/g, `@${ZERO_WIDTH}`)
    .replace(/#(?=\d)/g, `#${ZERO_WIDTH}`)
    .replace(/\b(GH)-(?=\d)/gi, `$1-${ZERO_WIDTH}`)
    .replace(/\b(www)\./gi, `$1${ZERO_WIDTH}.`)
    .replace(/[\\`*_[\]|~!$]/g, "\\$&")
    .replace(/^(\s*)([-+#=]|\d+(?=[.)]))/, (_, space: string, mark: string) =>
      /\d/.test(mark) ? `${space}${mark}\\` : `${space}\\${mark}`,
    );
}

/**
 * A person's text as Markdown text: on one line, or (`indent` given) its lines kept, the later
 * ones indented by `indent` so they stay in the list item they belong to.
 */
export function markdownText(text: string, indent?: number): string {
  if (indent === undefined) return markdownLine(oneLine(clean(text)));
  return clean(text)
    .trim()
    .split("\n")
    .map((line) => markdownLine(line.trim()))
    .join(`\n${" ".repeat(indent)}`);
}

/**
 * Escapes a person's text as Jira wiki text: the specials (`[ ] { } | ! * _ + - ^ ~ ? #` and `\`)
 * are backslash-escaped, so no link, image, macro, mention or effect survives; line breaks become
 * Jira's `\\` line break, so the text never starts a line (a heading, a list item, a marker).
 */
export function jiraText(text: string): string {
  return clean(text)
    .trim()
    .split(/\s*\n\s*/)
    .map((line) =>
      line
        .replace(/[\\[\]{}|!*_+\-^~?#]/g, "\\$&")
        .replace(/@(?=[A-Za-z0-9_-])/g, `@${ZERO_WIDTH}`)
        // A heading or a quote starts a line: `h1. ` or `bq. ` of a person's is text.
        .replace(
          /^(\s*)(h[1-6]|bq)\./i,
          (_, space: string, mark: string) => `${space}${mark[0]}${ZERO_WIDTH}${mark.slice(1)}.`,
        ),
    )
    .join(" \\\\ ");
}

/** A person's text escaped for `markup`, on one line. */
export function peopleText(text: string, markup: Markup): string {
  return markup === "jira" ? jiraText(oneLine(text)) : markdownText(text);
}

/** A person's value as inline code: Markdown code is literal, only its fence and line breaks matter. */
function markdownCode(text: string): string {
  const value = oneLine(clean(text));
  if (value === "") return "";
  // A table cell splits on `|` even inside code: such a value is written as escaped text.
  if (value.includes("|")) return markdownLine(value);
  const longest = Math.max(0, ...[...value.matchAll(/`+/g)].map((run) => run[0].length));
  const fence = "`".repeat(longest + 1);
  const pad = longest > 0 || value.startsWith(" ") || value.endsWith(" ") ? " " : "";
  return `${fence}${pad}${value}${pad}${fence}`;
}

function jiraCode(text: string): string {
  const value = jiraText(oneLine(text));
  return value === "" ? "" : `{{${value}}}`;
}

// The tokens: text on one line (`t`), lines indented by a digit (`l`), inline code (`c`).

function encode(text: string): string {
  let hex = "";
  for (const byte of new TextEncoder().encode(text)) hex += byte.toString(16).padStart(2, "0");
  return hex;
}

function decode(hex: string): string {
  const bytes = new Uint8Array(hex.length / 2);
  for (let i = 0; i < bytes.length; i++) bytes[i] = Number.parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return new TextDecoder().decode(bytes);
}

/** A person's text on one line, to be escaped when the Markdown is finished. */
export function said(text: string): string {
  return `${OPEN}t0${encode(text)}${CLOSE}`;
}

/** A person's text that may have several lines: in a list item, its later lines indented `by`. */
export function saidLines(text: string, by = 2): string {
  return `${OPEN}l${Math.min(9, by)}${encode(text)}${CLOSE}`;
}

/** A person's value shown as inline code (a parameter, a recorded value). */
export function saidCode(text: string): string {
  return `${OPEN}c0${encode(text)}${CLOSE}`;
}

/** The Markdown with each person's text escaped as Markdown text. */
export function finishMarkdown(draft: string): string {
  return draft
    .replace(TOKEN, (_, kind: string, by: string, hex: string) => {
      const text = decode(hex);
      if (kind === "c") return markdownCode(text);
      if (kind === "l") return markdownText(text, Number(by));
      return markdownText(text);
    })
    .replace(/[\ue000\ue001]/g, "");
}

/** The Jira wiki markup (converted from the draft by `jiraWiki`) with each person's text escaped. */
export function finishJira(draft: string): string {
  return draft
    .replace(TOKEN, (_, kind: string, _by: string, hex: string) => {
      const text = decode(hex);
      return kind === "c" ? jiraCode(text) : jiraText(text);
    })
    .replace(/[\ue000\ue001]/g, "");
}
