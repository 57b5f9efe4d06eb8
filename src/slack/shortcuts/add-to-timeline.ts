import type { App } from "@slack/bolt";
import { z } from "zod";
import type { SlackDeps } from "../deps.js";
import { replyPrivately } from "../reply.js";

/**
 * The message shortcut "Add to run timeline": any message of a channel becomes a note on a run
 * of that channel (the run whose thread it is in, else the channel's most recent active run),
 * with its files and a link back to it, attached to the step that was running.
 */

export const ADD_TO_TIMELINE = "add_to_run_timeline";

const shortcutSchema = z.object({
  user: z.object({ id: z.string() }),
  channel: z.object({ id: z.string() }),
  message: z.object({
    ts: z.string(),
    thread_ts: z.string().optional(),
    user: z.string().optional(),
    text: z.string().default(""),
    files: z
      .array(z.object({ name: z.string().optional(), permalink: z.string().optional() }))
      .max(20)
      .default([]),
  }),
});

export function register(app: App, deps: Pick<SlackDeps, "log" | "refs" | "service">): void {
  app.shortcut(ADD_TO_TIMELINE, async ({ ack, shortcut, client }) => {
    await ack();
    const parsed = shortcutSchema.safeParse(shortcut);
    if (!parsed.success) {
      deps.log.warn("a message shortcut could not be read; nothing was added", {
        issue: parsed.error.issues[0]?.message ?? "",
      });
      return;
    }
    const { user, channel, message } = parsed.data;
    const where = { channel: channel.id, user: user.id };
    const inThread = message.thread_ts
      ? await deps.refs.runOfThread(channel.id, message.thread_ts)
      : undefined;
    const runId =
      inThread ??
      (await deps.service.activeRuns(channel.id)).sort((a, b) => b.createdAt.localeCompare(a.createdAt))[0]
        ?.id;
    if (!runId) {
      await replyPrivately(
        client,
        deps.log,
        where,
        "There is no active run in this channel to add the message to.",
      );
      return;
    }
    const link = await client.chat
      .getPermalink({ channel: channel.id, message_ts: message.ts })
      .then((answer) => answer.permalink)
      .catch(() => undefined);
    const files = message.files.map((file) => ({
      name: file.name ?? "file",
      ...(file.permalink ? { permalink: file.permalink } : {}),
    }));
    const author = message.user ? ` (message by <@${message.user}>)` : "";
    const text = `${message.text.trim() || "a message"}${author}`.slice(0, 4_000);
    const { result } = await deps.service.act(
      runId,
      {
        type: "add_note",
        text,
        source: "thread",
        evidence: true,
        ...(files.length > 0 ? { files } : {}),
        ...(link ? { permalink: link } : {}),
        by: user.id,
      },
      `shortcut.${channel.id}.${message.ts}.${user.id}`,
    );
    const answer =
      result.status === "applied"
        ? `Added to the timeline of run \`${runId}\`.`
        : result.status === "duplicate"
          ? `This message is already on the timeline of run \`${runId}\`.`
          : result.status === "refused"
            ? result.refusal.message
            : `There is no run "${runId}" any more.`;
    await replyPrivately(client, deps.log, where, answer);
  });
}
