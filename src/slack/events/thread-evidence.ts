import type { App } from "@slack/bolt";
import { z } from "zod";
import type { SlackDeps } from "../deps.js";
import { storing } from "../held-acks.js";

/**
 * Evidence from a run's thread: a reply with files (`file_share`, a screenshot) or one also sent
 * to the channel (`thread_broadcast`) becomes a timeline note with the file names and links; the
 * engine attaches it to the step that was running (people-events.ts). Plain replies are
 * thread-replies.ts's.
 */

const fileSchema = z.object({
  name: z.string().max(255).optional(),
  title: z.string().max(255).optional(),
  permalink: z.string().max(3_000).optional(),
});

export const evidenceSchema = z.object({
  subtype: z.enum(["file_share", "thread_broadcast"]),
  channel: z.string(),
  user: z.string(),
  text: z.string().default(""),
  ts: z.string(),
  thread_ts: z.string(),
  files: z.array(fileSchema).max(20).default([]),
  bot_id: z.undefined().optional(),
});
export type EvidenceMessage = z.infer<typeof evidenceSchema>;

/** The note's text and files: what the person wrote, else which files they shared. */
export function evidenceNote(message: EvidenceMessage) {
  const files = message.files.map((file) => ({
    name: file.name ?? file.title ?? "file",
    ...(file.permalink ? { permalink: file.permalink } : {}),
  }));
  const shared = files.length > 0 ? `shared ${files.map((file) => file.name).join(", ")}` : "";
  const text = message.text.trim() || shared || "(a message also sent to the channel)";
  return { text: text.slice(0, 4_000), files };
}

export function register(app: App, deps: Pick<SlackDeps, "log" | "refs" | "service">): void {
  app.event("message", async ({ event, context }) => {
    const parsed = evidenceSchema.safeParse(event);
    if (!parsed.success || parsed.data.thread_ts === parsed.data.ts) return;
    const message = parsed.data;
    const stored = await storing(context, async () => {
      const runId = await deps.refs.runOfThread(message.channel, message.thread_ts);
      if (!runId) return undefined;
      const { text, files } = evidenceNote(message);
      const acted = await deps.service.act(
        runId,
        {
          type: "add_note",
          text,
          source: "thread",
          evidence: true,
          ...(files.length > 0 ? { files } : {}),
          by: message.user,
        },
        // The message ts makes Slack's re-deliveries duplicates.
        `thread.${message.channel}.${message.ts}`,
      );
      return { runId, ...acted };
    });
    if (!stored) return;
    const { runId, result, effectsDone } = stored;
    if (result.status === "refused")
      deps.log.info("thread evidence not recorded", { runId, reason: result.refusal.message });
    await effectsDone;
  });
}
