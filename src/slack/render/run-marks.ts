import type { KnownBlock } from "@slack/types";
import { REHEARSAL_MARK } from "../../core/run/rehearsal.js";
import type { Run, RunOverride } from "../../core/run/run-schema.js";
import { encodeActionValue } from "../action-value.js";
import { ACTION_IDS } from "../ids.js";
import { actionRows, button, contexts, section } from "./budget.js";
import { escapeMrkdwn, mention, truncate } from "./mrkdwn.js";

/**
 * Marks a run message carries under its title while the run lasts: that it is a rehearsal, and
 * that it was started past the environment gate (with Approve override / Abort while it waits).
 */

const REASON_CHARS = 500;
const GATE_CHARS = 1_200;

export function runMarkBlocks(run: Run): KnownBlock[] {
  const blocks: KnownBlock[] = [];
  if (run.dryRun) {
    blocks.push(
      ...contexts([
        `${REHEARSAL_MARK}: no AWS call is made, nothing is posted outside this thread, nothing is deleted, and it does not count for the environment gate.`,
      ]),
    );
  }
  if (run.override) blocks.push(...overrideBlocks(run, run.override));
  return blocks;
}

/** `⚠️ Started past the prod gate by <@U1>: <reason> — approved by <@U2>` (reason escaped). */
export function overrideLine(run: Run, override: RunOverride): string {
  const gate = `the ${escapeMrkdwn(run.environment ?? "environment")} gate`;
  const reason = truncate(escapeMrkdwn(override.reason), REASON_CHARS);
  const approved = override.approvedBy
    ? ` — approved by ${mention(override.approvedBy)}`
    : " — waiting for a second person to approve";
  return `⚠️ *Started past ${gate}* by ${mention(override.requestedBy)}: ${reason}${approved}`;
}

function overrideBlocks(run: Run, override: RunOverride): KnownBlock[] {
  const line = overrideLine(run, override);
  if (run.status !== "awaiting_override") return [section(line)];
  const gate = truncate(escapeMrkdwn(override.gate), GATE_CHARS);
  const value = encodeActionValue({ r: run.id, v: run.progress });
  return [
    section(
      `${line}\n*The gate said:* ${gate}\nNothing happens until someone other than ${mention(override.requestedBy)} approves the override, or the run is aborted.`,
    ),
    ...actionRows([
      button("Approve override", ACTION_IDS.approveOverride, value, "danger"),
      button("Abort", ACTION_IDS.abortRun, value),
    ]),
  ];
}
