import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { CHANNEL, type Harness, startHarness } from "../support/bot-harness.js";
import { windowChecklistsDir } from "../support/window-checklist.js";

/**
 * `/maintenance schedule` announces the window, and `/maintenance cancel` says it is cancelled,
 * exactly once through Slack's faults: a lost answer is looked for rather than posted again (no
 * client retries of its own), a transient ok:false is tried again, and the person who typed the
 * command is never told "nothing was changed" once the window is stored.
 */

let dir: string;
let h: Harness;
beforeAll(async () => {
  dir = await windowChecklistsDir("window-faults");
});
afterEach(async () => h.stop());

const tomorrow = () => new Date(Date.now() + 86_400_000).toISOString().replace(/\.\d{3}Z$/, "Z");
const withPrefix = (prefix: string) =>
  h.slack.messages(CHANNEL).filter((m) => (m.text ?? "").startsWith(prefix));
const announcements = () => withPrefix("📅");
const windowIdOf = (text: string) => /`\/maintenance cancel (w-[a-z0-9-]+)`/.exec(text)?.[1] ?? "";

describe("window announcement under Slack faults", () => {
  it("a lost answer on the announcement does not post it twice", async () => {
    h = await startHarness({ checklistsDir: dir });
    h.slack.loseAnswerNext("chat.postMessage", 1);
    await h.command(`schedule quick-window at ${tomorrow()}`, "UALICE");
    await h.slack.waitFor(() => announcements()[0]);
    // Preflight tries again by looking for the message first (it landed), not by posting it again.
    await h.slack.waitFor(() => h.slack.callsTo("conversations.history")[0]);
    await h.settle();
    expect(announcements()).toHaveLength(1);
    // The lost answer was followed by a look for the message, not by a second post.
    expect(h.slack.callsTo("chat.postMessage").map((c) => c.error ?? "ok")).toEqual(["answer_lost"]);
    expect(h.ephemeralsTo("UALICE")).toEqual([]);
  }, 20_000);

  it("a transient ok:false on the announcement is tried again; nobody is told of a bug", async () => {
    h = await startHarness({ checklistsDir: dir });
    h.slack.failNext("chat.postMessage", "internal_error", 1);
    await h.command(`schedule quick-window at ${tomorrow()}`, "UALICE");
    const announcement = await h.slack.waitFor(() => announcements()[0], 10_000);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(announcements()).toHaveLength(1);
    expect(await h.bot.timers.pendingInChannel(CHANNEL)).not.toEqual([]);
    expect(windowIdOf(announcement.text ?? "")).toMatch(/^w-/);
    expect(h.ephemeralsTo("UALICE")).toEqual([]);
  }, 20_000);

  it("a 429 on the announcement waits Retry-After and posts once", async () => {
    h = await startHarness({ checklistsDir: dir });
    h.slack.rateLimitNext("chat.postMessage", 1, 1);
    await h.command(`schedule quick-window at ${tomorrow()}`, "UALICE");
    await h.slack.waitFor(() => announcements()[0], 10_000);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(announcements()).toHaveLength(1);
    expect(h.ephemeralsTo("UALICE")).toEqual([]);
  }, 20_000);

  it("when Slack refuses the announcement, the person is told the window is scheduled and what to do", async () => {
    h = await startHarness({ checklistsDir: dir });
    h.slack.failAlways("chat.postMessage", "not_in_channel", CHANNEL);
    await h.command(`schedule quick-window at ${tomorrow()}`, "UALICE");
    const told = await h.slack.waitFor(() => h.ephemeralsTo("UALICE")[0], 10_000);
    expect(announcements()).toEqual([]);
    expect(await h.bot.timers.pendingInChannel(CHANNEL)).not.toEqual([]);
    expect(told).toContain("is scheduled");
    expect(told).toContain("not_in_channel");
    expect(told).toContain("/invite @Preflight");
    expect(told).toMatch(/`\/maintenance cancel w-[a-z0-9-]+`/);
    expect(told).not.toContain("Nothing was changed");
  }, 20_000);

  it("a lost answer on the cancellation notice does not post it twice", async () => {
    h = await startHarness({ checklistsDir: dir });
    await h.command(`schedule quick-window at ${tomorrow()}`, "UALICE");
    const windowId = windowIdOf((await h.slack.waitFor(() => announcements()[0])).text ?? "");
    h.slack.loseAnswerNext("chat.postMessage", 1);
    await h.command(`cancel ${windowId}`, "UALICE");
    await h.slack.waitFor(() => withPrefix("🗓️")[0]);
    await h.slack.waitFor(() => h.slack.callsTo("conversations.history")[0]);
    await h.settle();
    expect(withPrefix("🗓️")).toHaveLength(1);
    expect(withPrefix("🗓️")[0]?.text).toContain("cancelled *Quick window*");
    expect(h.ephemeralsTo("UALICE")).toEqual([]);
  }, 20_000);
});
