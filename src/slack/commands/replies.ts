import type { WebClient } from "@slack/web-api";
import type { CatalogEntry, Logger, MessageRefs } from "../../core/ports.js";
import type { Run } from "../../core/run/run-schema.js";
import { describeStatus, unfinishedSteps } from "../../core/run/step-rules.js";
import { linkOf } from "../permalink.js";
import { escapeMrkdwn, mention, slackLink } from "../render/mrkdwn.js";

/** Texts for `/maintenance list` and `status`. */

export function listChecklists(entries: CatalogEntry[]): string {
  if (entries.length === 0)
    return "No checklists are loaded. Check CHECKLISTS_DIR and the bot's log for invalid files.";
  const lines = entries.map(({ checklist }) => {
    const params = Object.entries(checklist.parameters).map(([name, p]) =>
      p.type === "enum" ? `${name}=${p.values.join("|")}` : `${name}${p.default === undefined ? "" : "?"}`,
    );
    const listed = params.length > 0 ? `\n    parameters: \`${escapeMrkdwn(params.join(" "))}\`` : "";
    return `• *${escapeMrkdwn(checklist.id)}*: ${escapeMrkdwn(checklist.summary)}${listed}`;
  });
  return `*Checklists* (start one with \`/maintenance start &lt;checklist&gt; key=value…\`):\n${lines.join("\n")}`.slice(
    0,
    3_900,
  );
}

export async function statusOfRuns(
  client: WebClient,
  refs: MessageRefs,
  runs: Run[],
  log: Logger,
): Promise<string> {
  if (runs.length === 0) return "No run is active in this channel.";
  const lines = await Promise.all(
    runs.map(async (run) => {
      const next = unfinishedSteps(run)[0];
      const where = await permalink(client, refs, run, log);
      const step = next
        ? `next: ${escapeMrkdwn(next.plan.title)} (${describeStatus(next.state.status)})`
        : "every step done: ready to finish";
      const environment = run.environment ? ` [${escapeMrkdwn(run.environment)}]` : "";
      const open = where ? slackLink(escapeMrkdwn(where), "open") : undefined;
      return `• \`${escapeMrkdwn(run.id)}\` *${escapeMrkdwn(run.plan.title)}*${environment}, owner ${mention(run.owner)}: ${step}${open ? ` ${open}` : ""}`;
    }),
  );
  return `*Active runs in this channel:*\n${lines.join("\n")}`;
}

async function permalink(
  client: WebClient,
  refs: MessageRefs,
  run: Run,
  log: Logger,
): Promise<string | undefined> {
  const ref = await refs.get(run.id);
  return ref ? linkOf(client, log, ref) : undefined;
}
