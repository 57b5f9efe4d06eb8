import type { App } from "@slack/bolt";
import { z } from "zod";
import type { SlackDeps } from "../deps.js";
import { storing } from "../held-acks.js";

const threadReplySchema = z.object({
  channel: z.string(),
  user: z.string(),
  text: z.string().min(1),
  ts: z.string(),
  thread_ts: z.string(),
  subtype: z.undefined().optional(),
  bot_id: z.undefined().optional(),
});

/** A person's reply in a run's thread joins the run's timeline as a note, with author and time. */
export function register(app: App, deps: Pick<SlackDeps, "log" | "refs" | "service">): void {
  app.event("message", async ({ event, context }) => {
    const parsed = threadReplySchema.safeParse(event);
    if (!parsed.success || parsed.data.thread_ts === parsed.data.ts) return;
    const reply = parsed.data;
    const stored = await storing(context, async () => {
      const runId = await deps.refs.runOfThread(reply.channel, reply.thread_ts);
      if (!runId) return undefined;
      // Slack re-sends events it thinks were not received; the message ts makes the retry a duplicate.
      const acted = await deps.service.act(
        runId,
        { type: "add_note", text: reply.text.slice(0, 4_000), source: "thread", by: reply.user },
        `thread.${reply.channel}.${reply.ts}`,
      );
      return { runId, ...acted };
    });
    if (!stored) return;
    const { runId, result, effectsDone } = stored;
    if (result.status === "refused")
      deps.log.info("thread reply not recorded", { runId, reason: result.refusal.message });
    await effectsDone;
  });
}
