import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { CHANNEL, type Harness, SIGNING_SECRET, startHarness } from "../support/bot-harness.js";
import { blockActionPayload, sendInteraction, sendSlashCommand } from "../support/slack-requests.js";
import { fireEverythingScheduled, promoteWhenScheduled } from "../support/timers.js";
import { windowChecklistsDir } from "../support/window-checklist.js";

let dir: string;
let h: Harness;
beforeAll(async () => {
  dir = await windowChecklistsDir("windows");
});
afterEach(async () => h.stop());

/** Tomorrow at this time; the tests make its jobs due at once rather than wait. */
const tomorrow = () => inSeconds(86_400);
const inSeconds = (seconds: number) =>
  new Date(Date.now() + seconds * 1_000).toISOString().replace(/\.\d{3}Z$/, "Z");
const texts = () => h.slack.messages(CHANNEL).map((m) => m.text ?? "");

describe("/maintenance schedule", () => {
  it("announces now, reminds before, and posts a Start button that starts the run once", async () => {
    h = await startHarness({ checklistsDir: dir });
    await h.command(`schedule quick-window at ${tomorrow()}`, "UALICE");
    const announcement = await h.slack.waitFor(() => texts().find((t) => t.startsWith("📅")));
    expect(announcement).toMatch(/^📅 \*Quick window\* is scheduled for <!date\^\d+\^.*> by <@UALICE>\./);
    const windowId = /`\/maintenance cancel (w-[a-z0-9-]+)`/.exec(announcement)?.[1];
    expect(windowId).toBeDefined();

    await h.command("reminders", "UALICE");
    expect(await h.slack.waitFor(() => h.ephemeralsTo("UALICE")[0])).toContain(`window \`${windowId}\``);

    await promoteWhenScheduled(h.bot.timers.queue, `${windowId}.announce.3600000`);
    expect(
      await h.slack.waitFor(() => texts().find((t) => t.startsWith("⏰ *Quick window* starts in 1h"))),
    ).toContain("<@UALICE>");
    await promoteWhenScheduled(h.bot.timers.queue, `${windowId}.start`);
    const start = await h.slack.waitFor(() =>
      h.slack.messages(CHANNEL).find((m) => (m.text ?? "").startsWith("🟢")),
    );
    const value = JSON.stringify({ w: windowId });
    const click = (user: string) =>
      sendInteraction(h.url, "test-signing-secret", {
        ...blockActionPayload({
          userId: user,
          channelId: CHANNEL,
          messageTs: start.ts,
          actionId: "window_start",
          value,
        }),
        message: { ts: start.ts, text: start.text },
      });
    await click("UBOB");
    await expect
      .poll(async () => (await h.bot.store.activeRuns(CHANNEL)).map((run) => run.owner))
      .toEqual(["UBOB"]);
    await expect
      .poll(() => h.slack.message(CHANNEL, start.ts)?.text)
      .toMatch(/^▶️ <@UBOB> started the window: run `r-/);
    await click("UCAROL");
    expect(await h.slack.waitFor(() => h.ephemeralsTo("UCAROL")[0])).toBe(
      `Window ${windowId} was already started.`,
    );
    expect(await h.bot.store.activeRuns(CHANNEL)).toHaveLength(1);
  });

  it("cancel removes the pending jobs and says so in the channel; nothing fires later", async () => {
    h = await startHarness({ checklistsDir: dir });
    await h.command(`schedule quick-window at ${tomorrow()}`, "UALICE");
    const announcement = await h.slack.waitFor(() => texts().find((t) => t.startsWith("📅")));
    const windowId = /`\/maintenance cancel (w-[a-z0-9-]+)`/.exec(announcement)?.[1] ?? "";
    // Not who scheduled it, and not one of the checklist's starters: refused, nothing removed.
    await h.command(`cancel ${windowId}`, "UBOB");
    expect(await h.slack.waitFor(() => h.ephemeralsTo("UBOB")[0])).toBe(
      `Only <@UALICE> (who scheduled it) may cancel window ${windowId}.`,
    );
    // From another channel: refused too.
    await sendSlashCommand(h.url, SIGNING_SECRET, {
      command: "/maintenance",
      text: `cancel ${windowId}`,
      user_id: "UALICE",
      channel_id: "COTHER",
    });
    expect(await h.slack.waitFor(() => h.slack.ephemerals("COTHER")[0]?.args.text)).toBe(
      `Window ${windowId} was scheduled in <#${CHANNEL}>: cancel it there.`,
    );
    await h.command(`cancel ${windowId}`, "UALICE");
    const cancelled = await h.slack.waitFor(() => texts().find((t) => t.startsWith("🗓️")));
    expect(cancelled).toContain(`<@UALICE> cancelled *Quick window*`);
    expect(cancelled).toContain("2 pending reminders removed.");
    // Were anything left behind, it would come due now.
    await fireEverythingScheduled(h.bot.timers.queue);
    expect(texts().filter((t) => t.startsWith("🟢") || t.startsWith("⏰"))).toEqual([]);
    await h.command(`cancel ${windowId}`, "UALICE");
    expect(await h.slack.waitFor(() => h.ephemeralsTo("UALICE").find((t) => t.includes("already")))).toBe(
      `Window ${windowId} was already cancelled.`,
    );
  });

  it("refuses a time it can't read, saying what is accepted", async () => {
    h = await startHarness({ checklistsDir: dir });
    await h.command("schedule quick-window at tomorrow", "UALICE");
    expect(await h.slack.waitFor(() => h.ephemeralsTo("UALICE")[0])).toContain(
      '"tomorrow" is not a time I can read: use `2026-11-21T22:00+01:00`',
    );
  });
});
