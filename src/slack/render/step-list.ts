import type { KnownBlock } from "@slack/types";
import type { Run } from "../../core/run/run-schema.js";
import { contexts, packLines, SLACK_LIMITS, section } from "./budget.js";
import { escapeMrkdwn, truncate } from "./mrkdwn.js";
import { planStepLine } from "./step-line.js";

/**
 * The whole checklist, one numbered line per step under its phase title, for the run's thread
 * when the run message can't list every step. As many messages as needed, each within Slack's limits.
 */

/** Room kept in each message for its "part i of n" line. */
const PART_LINE_RESERVE_CHARS = 600;

export function renderStepList(run: Run): { text: string; blocks: KnownBlock[] }[] {
  const lines: string[] = [];
  let index = 0;
  for (const phase of run.plan.phases) {
    lines.push(`*${escapeMrkdwn(phase.title.trim())}*`);
    for (const step of phase.steps) {
      lines.push(planStepLine(index, step));
      index += 1;
    }
  }
  const parts = splitIntoMessages(packLines(lines).map(section));
  const title = truncate(run.plan.title, 150);
  return parts.map((blocks, i) => {
    const part = parts.length > 1 ? ` (part ${i + 1} of ${parts.length})` : "";
    const intro = `📋 *${escapeMrkdwn(title)}*: the full checklist, ${run.steps.length} steps${part}`;
    return {
      text: escapeMrkdwn(`${title}: the full checklist${part}`),
      blocks: [...contexts([intro]), ...blocks],
    };
  });
}

/** Sections in order, as many per message as fit next to the part line. */
function splitIntoMessages(sections: readonly KnownBlock[]): KnownBlock[][] {
  const messages: KnownBlock[][] = [];
  let current: KnownBlock[] = [];
  let chars = 2; // the brackets of the JSON array
  for (const block of sections) {
    const size = JSON.stringify(block).length + 1;
    const full =
      current.length + 2 > SLACK_LIMITS.blocksPerMessage ||
      chars + size + PART_LINE_RESERVE_CHARS > SLACK_LIMITS.messageJsonChars;
    if (current.length > 0 && full) {
      messages.push(current);
      current = [];
      chars = 2;
    }
    current.push(block);
    chars += size;
  }
  if (current.length > 0) messages.push(current);
  return messages;
}
