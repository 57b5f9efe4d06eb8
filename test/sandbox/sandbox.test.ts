import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Sandbox, startSandbox } from "../../src/sandbox/sandbox.js";
import { REDIS_URL } from "../support/redis.js";
import { testSandboxOptions } from "./test-sandbox.js";

/**
 * The sandbox over HTTP, as its page uses it: a person types a command, the real bot (HTTP mode,
 * signed requests) answers through the local Slack, and the page's state shows what Slack would.
 */

interface Message {
  channel: string;
  ts: string;
  thread_ts?: string;
  user?: string;
  text?: string;
  blocks?: { type: string; block_id?: string; text?: { text: string }; elements?: Element[] }[];
  edited: boolean;
}
interface Element {
  type: string;
  action_id?: string;
  text?: { text: string };
  value?: string;
}
interface PageState {
  now: string;
  messages: Message[];
  ephemerals: { channel: string; text: string }[];
  modal: null | { id: string; title: { text: string }; private_metadata: string; blocks: unknown[] };
}

const CHANNEL = "CINVOICINGDEV";
const options = testSandboxOptions("sandbox");
let sandbox: Sandbox;

beforeAll(async () => {
  sandbox = await startSandbox(options);
});
afterAll(async () => {
  await sandbox?.stop();
});

async function post(path: string, body: object) {
  const response = await fetch(new URL(path, sandbox.url), {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  return {
    status: response.status,
    json: (await response.json()) as { ok: boolean; result: unknown; error?: string },
  };
}
const state = async (user: string): Promise<PageState> =>
  (await fetch(new URL(`/api/state?user=${user}`, sandbox.url))).json() as Promise<PageState>;

/** Polls the page state until `probe` finds something; fails with what the page showed. */
async function waitFor<T>(
  user: string,
  probe: (s: PageState) => T | undefined,
  timeoutMs = 30_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const current = await state(user);
    const found = probe(current);
    if (found !== undefined && found !== false) return found;
    if (Date.now() > deadline)
      throw new Error(
        `not seen within ${timeoutMs} ms; ephemerals: ${JSON.stringify(current.ephemerals)}; page shows: ${JSON.stringify(current).slice(0, 1_500)}`,
      );
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const runMessage = (s: PageState) =>
  s.messages.find((m) => m.channel === CHANNEL && !m.thread_ts && m.blocks?.[0]?.type === "header");
const buttonOf = (message: Message, actionId: string) => {
  for (const [index, block] of (message.blocks ?? []).entries()) {
    const element = block.elements?.find((e) => e.action_id === actionId);
    if (element) return { blockId: block.block_id ?? `b${index}`, actionId, text: element.text?.text };
  }
  throw new Error(`no ${actionId} button on the run message`);
};
const offers = (message: Message, actionId: string) =>
  (message.blocks ?? []).some((block) => block.elements?.some((e) => e.action_id === actionId));
const threadOf = (s: PageState, message: Message) =>
  s.messages.filter((m) => m.thread_ts === message.ts && m.ts !== message.ts).map((m) => m.text ?? "");

describe("npm run sandbox, driven through its page's API", () => {
  it("serves the page without a build step", async () => {
    const html = await (await fetch(sandbox.url)).text();
    expect(html).toContain('<script type="module" src="/app.js">');
    const script = await fetch(new URL("/blocks.js", sandbox.url));
    expect(script.headers.get("content-type")).toContain("text/javascript");
  });

  it("a /maintenance start typed as alice posts the run message; a click and a skip with its modal change it", async () => {
    const sent = await post("/api/send", {
      user: "UALICE",
      channel: CHANNEL,
      text: "/maintenance start db-upgrade buddy=@bob",
    });
    expect(sent.json).toEqual({ ok: true, result: null });
    const message = await waitFor("UALICE", runMessage);
    expect(message.blocks?.[0]?.text?.text).toContain("RDS MySQL 5.7 → 8.0 upgrade");
    expect(JSON.stringify(message.blocks)).toContain("<@UALICE>");
    expect(JSON.stringify(message.blocks)).toContain("*Buddy:* <@UBOB>");
    expect(JSON.stringify(message.blocks)).toContain("*Buddy:* <@UBOB>");

    const start = buttonOf(message, "step_start");
    expect(start.text).toBe("Start");
    const clicked = await post("/api/action", { user: "UALICE", channel: CHANNEL, ts: message.ts, ...start });
    expect(clicked.json.ok).toBe(true);
    // The check fails (no database here): the message is redrawn with the step's Done and Skip (a
    // redraw of the step still running, drawn in between, offers neither).
    const current = await waitFor("UALICE", (s) => {
      const m = runMessage(s);
      return m?.edited && JSON.stringify(m.blocks).includes("Done") && offers(m, "step_skip") ? m : undefined;
    });

    // Skip asks for a reason in a modal that only alice sees; an empty reason never reaches the bot.
    const skip = buttonOf(current, "step_skip");
    await post("/api/action", { user: "UALICE", channel: CHANNEL, ts: current.ts, ...skip });
    const modal = await waitFor("UALICE", (s) => s.modal ?? undefined);
    expect(modal.title.text).toBe("Skip step");
    expect((await state("UBOB")).modal).toBeNull();
    const empty = await post("/api/submit", { user: "UALICE", viewId: modal.id, values: {} });
    expect(empty.json.result).toEqual({
      ok: false,
      errors: { text_block: "Please complete this required field." },
    });
    const reason = "checked in the rehearsal";
    const submitted = await post("/api/submit", {
      user: "UALICE",
      viewId: modal.id,
      values: { text_block: { text_input: reason } },
    });
    expect(submitted.json.result).toEqual({ ok: true });
    expect((await state("UALICE")).modal).toBeNull();
    await waitFor("UALICE", (s) => threadOf(s, message).some((line) => line.includes(reason)));

    // A reply in the thread, typed by bob, reaches the bot as a message event and becomes a note.
    const replied = await post("/api/send", {
      user: "UBOB",
      channel: CHANNEL,
      text: "tables per schema: billing 42 & <ledger> 7",
      threadTs: message.ts,
    });
    expect(replied.json.ok).toBe(true);
    const [run] = await sandbox.bot.store.activeRuns(CHANNEL);
    await expect
      .poll(async () => (await sandbox.bot.store.get(run?.id ?? ""))?.notes.map((n) => [n.by, n.text]))
      .toContainEqual(["UBOB", "tables per schema: billing 42 &amp; &lt;ledger&gt; 7"]);
  });

  it("an unknown subcommand answers alice only, in an ephemeral", async () => {
    await post("/api/send", { user: "UALICE", channel: "COPS", text: "/maintenance frobnicate" });
    const ephemeral = await waitFor("UALICE", (s) => s.ephemerals.find((e) => e.channel === "COPS"));
    expect(ephemeral.text.length).toBeGreaterThan(0);
    expect((await state("UBOB")).ephemerals).toEqual([]);
  });

  it("refuses a request the page can't have sent, saying which field is wrong", async () => {
    const refused = await post("/api/send", { user: "alice", channel: CHANNEL, text: "" });
    expect(refused.status).toBe(400);
    expect(refused.json.error).toContain("user must be a Slack id");
    expect(refused.json.error).toContain("text must not be empty");
  });

  it("+15 min moves the one clock: the overrun nudge BullMQ holds for later is posted now", async () => {
    await post("/api/send", {
      user: "UBOB",
      channel: "COPS",
      // A manual first step: db-upgrade's first step is a check, over in seconds.
      text: "/maintenance start invoicingdb-change env=stage ticket=INV-1234",
    });
    const inOps = (s: PageState) =>
      s.messages.find((m) => m.channel === "COPS" && !m.thread_ts && m.blocks?.[0]?.type === "header");
    const message = await waitFor("UBOB", inOps);
    await post("/api/action", {
      user: "UBOB",
      channel: "COPS",
      ts: message.ts,
      ...buttonOf(message, "step_start"),
    });
    await waitFor("UBOB", (s) => inOps(s)?.edited);
    const before = Date.parse((await state("UBOB")).now);

    const advanced = await post("/api/advance", { by: "15m" });
    expect(advanced.json.ok).toBe(true);
    expect(Date.parse((await state("UBOB")).now) - before).toBeGreaterThanOrEqual(15 * 60_000);
    // check-tools expects 2m: 15 minutes later the first nudge is due.
    const nudge = await waitFor("UBOB", (s) =>
      threadOf(s, message).find((line) => line.includes("past its expected maximum")),
    );
    expect(nudge).toContain("<@UBOB>");
  });

  it("a failure rehearsal: AccessDenied on the snapshot, set from the page, ends on the step with Retry", async () => {
    await post("/api/send", {
      user: "UCAROL",
      channel: CHANNEL,
      text: "/maintenance start db-upgrade env=stage",
    });
    const carols = (s: PageState) =>
      s.messages.find(
        (m) =>
          m.channel === CHANNEL && !m.thread_ts && JSON.stringify(m.blocks).includes("Owner:* <@UCAROL>"),
      );
    const stepButton = (m: Message, actionId: string, stepId?: string) => {
      for (const [index, block] of (m.blocks ?? []).entries()) {
        for (const e of block.elements ?? []) {
          if (e.action_id !== actionId) continue;
          if (stepId && (JSON.parse(e.value ?? "{}") as { s?: string }).s !== stepId) continue;
          return { blockId: block.block_id ?? `b${index}`, actionId };
        }
      }
      return undefined;
    };
    const faulted = await post("/api/fault", { action: "CreateDBSnapshot", code: "AccessDenied" });
    expect(faulted.json.ok).toBe(true);
    // The manual steps before the snapshot, done in one click each.
    for (;;) {
      // A redraw of a step in between may offer neither; the next one does.
      const { message, snapshot, button } = await waitFor("UCAROL", (s) => {
        const message = carols(s);
        if (!message) return undefined;
        const snapshot = stepButton(message, "step_start", "take-snapshot");
        const button = snapshot ?? stepButton(message, "step_complete");
        return button && { message, snapshot, button };
      });
      const version = JSON.stringify(message.blocks);
      await post("/api/action", { user: "UCAROL", channel: CHANNEL, ts: message.ts, ...button });
      if (snapshot) break;
      await waitFor("UCAROL", (s) => JSON.stringify(carols(s)?.blocks) !== version || undefined);
    }
    // The failure is one line on the step, and its button offers a Retry.
    const failed = await waitFor("UCAROL", (s) => {
      const message = carols(s);
      return message && JSON.stringify(message.blocks).includes("(AccessDenied)") ? message : undefined;
    });
    const retry = (failed.blocks ?? [])
      .flatMap((b) => b.elements ?? [])
      .find((e) => e.text?.text === "Retry");
    expect((JSON.parse(retry?.value ?? "{}") as { s?: string }).s).toBe("take-snapshot");
  });

  it("stopping removes the sandbox's keys from a shared Redis", async () => {
    const redis = new Redis(REDIS_URL);
    try {
      expect((await redis.keys(`${options.redisPrefix}*`)).length).toBeGreaterThan(0);
      await sandbox.stop();
      expect(await redis.keys(`${options.redisPrefix}*`)).toEqual([]);
    } finally {
      await redis.quit();
    }
  });
});
