import type {
  ActionsBlock,
  Button,
  ContextBlock,
  DividerBlock,
  HeaderBlock,
  KnownBlock,
  SectionBlock,
} from "@slack/types";
import type { ActionId } from "../ids.js";
import { truncate, truncateMrkdwn } from "./mrkdwn.js";

/** Slack's limits for a message (docs and bolt-js#2509); the builders below never exceed them. */
export const SLACK_LIMITS = {
  blocksPerMessage: 50,
  sectionTextChars: 3_000,
  contextElements: 10,
  /** Not documented per element; kept to the section limit. */
  contextTextChars: 3_000,
  headerChars: 150,
  actionsElements: 25,
  buttonTextChars: 75,
  buttonValueChars: 2_000,
  actionIdChars: 255,
  /** `msg_blocks_too_long` was seen at ~13,000 characters of blocks JSON: we stay under 12,000. */
  messageJsonChars: 12_000,
} as const;

/** Compact lines are packed into sections of at most this many characters. */
const SECTION_PACK_CHARS = 2_800;

export function fitsMessage(blocks: readonly KnownBlock[]): boolean {
  return fittingJson(blocks) !== undefined;
}

/** The blocks as the JSON text Slack receives, when they fit in a message (measured on that text). */
export function fittingJson(blocks: readonly KnownBlock[]): string | undefined {
  if (blocks.length > SLACK_LIMITS.blocksPerMessage) return undefined;
  const json = JSON.stringify(blocks);
  return json.length <= SLACK_LIMITS.messageJsonChars ? json : undefined;
}

export function header(text: string): HeaderBlock {
  return {
    type: "header",
    text: { type: "plain_text", text: truncate(text, SLACK_LIMITS.headerChars), emoji: true },
  };
}

export function section(text: string): SectionBlock {
  return {
    type: "section",
    text: { type: "mrkdwn", text: truncateMrkdwn(text, SLACK_LIMITS.sectionTextChars) },
  };
}

/** One context block per ten elements. */
export function contexts(texts: readonly string[]): ContextBlock[] {
  const blocks: ContextBlock[] = [];
  for (let i = 0; i < texts.length; i += SLACK_LIMITS.contextElements) {
    blocks.push({
      type: "context",
      elements: texts.slice(i, i + SLACK_LIMITS.contextElements).map((text) => ({
        type: "mrkdwn" as const,
        text: truncateMrkdwn(text, SLACK_LIMITS.contextTextChars),
      })),
    });
  }
  return blocks;
}

export function divider(): DividerBlock {
  return { type: "divider" };
}

export function button(
  text: string,
  actionId: ActionId,
  value: string,
  style?: "primary" | "danger",
): Button {
  return {
    type: "button",
    text: { type: "plain_text", text: truncate(text, SLACK_LIMITS.buttonTextChars), emoji: true },
    action_id: actionId,
    value,
    ...(style ? { style } : {}),
  };
}

/**
 * Buttons in rows of at most 25. Slack wants action ids unique within a block, so a button whose
 * action id is already in the row starts a new one.
 */
export function actionRows(buttons: readonly Button[]): ActionsBlock[] {
  const rows: Button[][] = [];
  for (const candidate of buttons) {
    const row = rows.at(-1);
    const taken = row?.some((b) => b.action_id === candidate.action_id) ?? true;
    if (!row || taken || row.length >= SLACK_LIMITS.actionsElements) rows.push([candidate]);
    else row.push(candidate);
  }
  return rows.map((elements) => ({ type: "actions", elements }));
}

/** Lines joined into as few texts of at most `max` characters as possible (a longer line is cut). */
export function packLines(lines: readonly string[], max = SECTION_PACK_CHARS): string[] {
  const packed: string[] = [];
  let current = "";
  for (const raw of lines) {
    const line = truncateMrkdwn(raw, max);
    if (current === "") current = line;
    else if (current.length + 1 + line.length <= max) current = `${current}\n${line}`;
    else {
      packed.push(current);
      current = line;
    }
  }
  if (current !== "") packed.push(current);
  return packed;
}
