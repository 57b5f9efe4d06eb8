import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ACTION_IDS, VIEW_IDS } from "../../src/slack/ids.js";
import { OLD_BUTTON } from "../../src/slack/middleware/button-context.js";
import { CHANNEL, type Harness, SIGNING_SECRET, startHarness } from "../support/bot-harness.js";
import { blockActionPayload, signSlackRequest, viewSubmissionPayload } from "../support/slack-requests.js";

/**
 * Signed requests Slack never sends (garbage, half payloads, buttons of other messages, forms of
 * runs that don't exist) must each be answered, never with a 5xx, never crash the bot, and change
 * nothing. A seeded generator mutates real payloads a few hundred times; the same seed gives the
 * same requests, so a failure can be replayed.
 */

const ALICE = "UALICE";
const MALLORY = "UMALLORY";
const OTHER_CHANNEL = "CANNOUNCE";
const SEED = 20_261_121;
const MUTATIONS = 300;
/** Slack waits 3 s for an answer: a request still open then counts as unanswered. */
const SLACK_WAIT_MS = 3_000;

interface Answer {
  status: number;
  body: string;
}

async function sendRaw(url: string, raw: string, contentType: string): Promise<Answer> {
  const { timestamp, signature } = signSlackRequest(SIGNING_SECRET, raw);
  const response = await fetch(url, {
    method: "POST",
    headers: {
      "content-type": contentType,
      "x-slack-request-timestamp": timestamp,
      "x-slack-signature": signature,
    },
    body: raw,
    signal: AbortSignal.timeout(SLACK_WAIT_MS),
  });
  return { status: response.status, body: await response.text() };
}

const FORM = "application/x-www-form-urlencoded";
const asInteraction = (payload: unknown) =>
  new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
const asCommand = (fields: Record<string, string | string[]>) => {
  const form = new URLSearchParams();
  for (const [key, value] of Object.entries(fields))
    for (const item of Array.isArray(value) ? value : [value]) form.append(key, item);
  return form.toString();
};

/** mulberry32: small, seeded, good enough to pick mutations. */
function random(seed: number) {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)] as T;
  return { next, pick };
}

const LONG = "x".repeat(10_000);
const CONTROL = "a\u0000b\u0007\u001b[31mc\u202Ed\r\n";
const ODD_VALUES: unknown[] = [
  null,
  0,
  -1,
  1e308,
  true,
  "",
  LONG,
  CONTROL,
  "<!channel>",
  [],
  [null],
  {},
  { id: null },
  "{}",
  '{"r":"nope","v":0}',
];

let h: Harness;
let runId: string;
let stepValue: string;

beforeAll(async () => {
  h = await startHarness();
  expect((await h.command("start db-upgrade env=qa", ALICE)).status).toBe(200);
  await h.slack.waitFor(() => h.slack.messages(CHANNEL)[0]);
  await h.settle();
  runId = (await h.run()).id;
  stepValue = h.buttons()[0]?.value ?? "";
});
afterAll(async () => h.stop());

async function snapshot() {
  const keys = (await h.redisEnv.redis.keys(`${h.redisEnv.prefix}*`)).sort();
  const run = await h.bot.store.get(runId);
  return { keys, version: run?.version, log: (await h.bot.store.log(runId)).length };
}

/** Real payloads, each already wrong in a way that must be refused: whatever is mutated, none may act. */
function basePayloads(): (() => { raw: string; type: string })[] {
  const foreignClick = (actionId: string, value: string) => () => ({
    type: "block_actions",
    raw: asInteraction(
      blockActionPayload({
        userId: MALLORY,
        channelId: OTHER_CHANNEL,
        messageTs: "1700000000.000100",
        actionId,
        value,
      }),
    ),
  });
  const form =
    (callbackId: string, metadata: unknown, values: Record<string, Record<string, unknown>>) => () => ({
      type: "view_submission",
      raw: asInteraction(
        viewSubmissionPayload({
          userId: MALLORY,
          callbackId,
          privateMetadata: JSON.stringify(metadata),
          values,
        }),
      ),
    });
  const text = { text_block: { text_input: { type: "plain_text_input", value: "<!channel> forged" } } };
  const command = (commandText: string) => () => ({
    type: "command",
    raw: asCommand({
      command: "/maintenance",
      text: commandText,
      user_id: MALLORY,
      channel_id: OTHER_CHANNEL,
      trigger_id: "1.2.3",
      team_id: "T0001",
      response_url: "https://hooks.slack.com/commands/T0001/1/x",
    }),
  });
  const event = (extra: Record<string, unknown>) => () => ({
    type: "event",
    raw: JSON.stringify({
      type: "event_callback",
      team_id: "T0001",
      event_id: "Ev1",
      event: { type: "message", channel: CHANNEL, user: MALLORY, text: "<!channel>", ts: "1.2", ...extra },
    }),
  });
  return [
    ...[
      ACTION_IDS.startStep,
      ACTION_IDS.completeStep,
      ACTION_IDS.verifyStep,
      ACTION_IDS.approveStep,
      ACTION_IDS.skipStep,
      ACTION_IDS.reportProblem,
      ACTION_IDS.addNote,
      ACTION_IDS.finishRun,
      ACTION_IDS.abortRun,
      ACTION_IDS.resolveProblem,
    ].map((actionId) => foreignClick(actionId, stepValue)),
    foreignClick(ACTION_IDS.summaryFollowUp, JSON.stringify({ r: runId })),
    foreignClick(ACTION_IDS.reminderDone, JSON.stringify({ k: `${runId}.forged.0`, r: runId })),
    foreignClick(ACTION_IDS.reminderSnoozeWeek, JSON.stringify({ k: "run-nope.x.0", r: "run-nope" })),
    foreignClick(ACTION_IDS.reminderDeleteSnapshot, JSON.stringify({ k: `${runId}.forged.0`, r: runId })),
    foreignClick(ACTION_IDS.startWindow, JSON.stringify({ w: "w-nope" })),
    foreignClick("not_a_preflight_button", stepValue),
    ...[VIEW_IDS.skipStep, VIEW_IDS.reportProblem, VIEW_IDS.addNote, VIEW_IDS.abortRun].map((id) =>
      form(id, { r: runId, s: "take-snapshot", c: OTHER_CHANNEL }, text),
    ),
    form(VIEW_IDS.resolveProblem, { r: "run-nope", p: "p1", c: CHANNEL }, text),
    form(
      VIEW_IDS.followUps,
      { r: "run-nope", c: CHANNEL },
      {
        follow_up_wrong: { value: { type: "plain_text_input", value: "forged" } },
      },
    ),
    form(VIEW_IDS.deleteSnapshot, { k: "run-nope.x.0", r: runId, c: CHANNEL, ts: "1.1", text: "x" }, {}),
    form(VIEW_IDS.startParameters, { k: "no-such-checklist", c: CHANNEL, g: {}, d: false }, {}),
    form("not_a_preflight_form", { r: runId, c: CHANNEL }, text),
    command(`abort ${runId} forged`),
    command("start db-upgrade env=production"),
    command("cancel w-nope"),
    command("summary run-nope"),
    command("start <!channel> window=[x](!channel)"),
    event({ thread_ts: "1699999999.000001" }),
    event({ thread_ts: "1.2" }),
  ];
}

/** One to three changes to a payload: a field removed, replaced by something odd, or the whole body. */
function mutate(
  rng: ReturnType<typeof random>,
  base: { raw: string; type: string },
): { raw: string; contentType: string } {
  const wholeBody = rng.next() < 0.08;
  if (wholeBody) {
    const body = rng.pick([
      "null",
      "[]",
      "42",
      '"x"',
      "{}",
      "true",
      '{"event":null}',
      '{"event":"x"}',
      '{"command":["a","b"]}',
    ]);
    return rng.next() < 0.5
      ? { raw: body, contentType: "application/json" }
      : { raw: new URLSearchParams({ payload: body }).toString(), contentType: FORM };
  }
  if (base.type === "command") {
    const fields = Object.fromEntries(new URLSearchParams(base.raw)) as Record<string, string | string[]>;
    for (let i = 0; i < 1 + Math.floor(rng.next() * 3); i++) {
      const key = rng.pick(Object.keys(fields).concat(["user_id", "channel_id", "text"]));
      const change = rng.next();
      if (change < 0.4) delete fields[key];
      else if (change < 0.6) fields[key] = [String(fields[key] ?? ""), "twice"];
      else fields[key] = rng.pick([LONG, CONTROL, "", "<!channel>", "status", "help", "U123", "C123"]);
    }
    return { raw: asCommand(fields), contentType: FORM };
  }
  const isEvent = base.type === "event";
  const body = JSON.parse(isEvent ? base.raw : (new URLSearchParams(base.raw).get("payload") ?? "{}"));
  for (let i = 0; i < 1 + Math.floor(rng.next() * 3); i++) {
    // Walk into a random path and change what is there.
    let target = body as Record<string, unknown>;
    for (let depth = 0; depth < 3; depth++) {
      const keys = Object.keys(target);
      const key = rng.pick(keys);
      const child = target[key];
      if (key === undefined || child === null || typeof child !== "object" || rng.next() < 0.4) {
        if (key === undefined) break;
        if (rng.next() < 0.35) delete target[key];
        else target[key] = rng.pick(ODD_VALUES);
        break;
      }
      target = child as Record<string, unknown>;
    }
  }
  return isEvent
    ? { raw: JSON.stringify(body), contentType: "application/json" }
    : { raw: asInteraction(body), contentType: FORM };
}

describe("a few hundred signed mutations of real payloads", () => {
  it("are all answered, none with a 5xx, the bot stays up, and nothing changes", async () => {
    const before = await snapshot();
    const rng = random(SEED);
    const bases = basePayloads();
    const requests = Array.from({ length: MUTATIONS }, () => mutate(rng, rng.pick(bases)()));
    const failures: string[] = [];
    const queue = [...requests.entries()];
    const worker = async () => {
      for (let item = queue.shift(); item; item = queue.shift()) {
        const [index, request] = item;
        try {
          const answer = await sendRaw(h.url, request.raw, request.contentType);
          if (answer.status >= 500)
            failures.push(`#${index} answered ${answer.status}: ${request.raw.slice(0, 200)}`);
        } catch (error) {
          failures.push(`#${index} not answered (${String(error)}): ${request.raw.slice(0, 200)}`);
        }
      }
    };
    await Promise.all(Array.from({ length: 6 }, worker));
    expect(failures).toEqual([]);
    await h.settle();

    const health = await fetch(h.url.replace("/slack/events", "/healthz"));
    expect(health.status).toBe(200);
    expect(await snapshot()).toEqual(before);
    // The bot still works: a real click on the run's own message applies.
    await h.click(h.button("step_start"), ALICE);
    await expect.poll(async () => (await h.run()).version).toBeGreaterThan(before.version ?? 0);
    // check-access is a sql.check: let it report (it fails, no database here) before the next snapshot.
    await expect.poll(async () => (await h.run()).steps[0]?.status).toBe("failed");
    await h.settle();
  });
});

describe("the requests the attacks used", () => {
  it("a body of JSON null, an array or a number is answered 400 and the bot stays up", async () => {
    for (const raw of ["null", "[]", "42", '"text"']) {
      expect((await sendRaw(h.url, raw, "application/json")).status).toBe(400);
      expect((await sendRaw(h.url, `payload=${raw}`, FORM)).status).toBe(400);
    }
    expect((await fetch(h.url.replace("/slack/events", "/healthz"))).status).toBe(200);
  });

  it("a payload without a user or a view is answered without a 5xx", async () => {
    const click = blockActionPayload({
      userId: ALICE,
      channelId: CHANNEL,
      messageTs: h.runMessage().ts,
      actionId: ACTION_IDS.startStep,
      value: stepValue,
    }) as Record<string, unknown>;
    const form = viewSubmissionPayload({
      userId: ALICE,
      callbackId: VIEW_IDS.addNote,
      privateMetadata: "{}",
      values: {},
    }) as Record<string, unknown>;
    for (const body of [
      { ...click, user: undefined },
      { ...click, user: null },
      { ...form, view: undefined },
      { ...form, view: null },
    ]) {
      expect((await sendRaw(h.url, asInteraction(body), FORM)).status).toBeLessThan(500);
    }
  });

  it("a form or click whose response_urls are not objects is answered 400 at once, not left unanswered", async () => {
    const form = viewSubmissionPayload({
      userId: ALICE,
      callbackId: VIEW_IDS.addNote,
      privateMetadata: "{}",
      values: {},
    }) as Record<string, unknown>;
    const click = blockActionPayload({
      userId: ALICE,
      channelId: CHANNEL,
      messageTs: h.runMessage().ts,
      actionId: ACTION_IDS.startStep,
      value: stepValue,
    }) as Record<string, unknown>;
    for (const body of [
      { ...form, response_urls: [null] },
      { ...form, response_urls: [1] },
      { ...form, response_urls: ["x"] },
      { ...click, response_urls: [null] },
    ]) {
      const answer = await Promise.race([
        sendRaw(h.url, asInteraction(body), FORM).then((response) => response.status),
        new Promise((resolve) => setTimeout(() => resolve("no answer within 2.5 s"), 2_500)),
      ]);
      expect(answer).toBe(400);
    }
  });

  it("a button no listener knows is acknowledged and explained", async () => {
    const before = await snapshot();
    const answer = await sendRaw(
      h.url,
      asInteraction(
        blockActionPayload({
          userId: "UOLD",
          channelId: CHANNEL,
          messageTs: h.runMessage().ts,
          actionId: "step_retry_v0",
          value: stepValue,
        }),
      ),
      FORM,
    );
    expect(answer.status).toBe(200);
    expect(await h.slack.waitFor(() => h.ephemeralsTo("UOLD")[0])).toBe(OLD_BUTTON);
    expect(await snapshot()).toEqual(before);
  });

  it("a click from a message in another channel carrying this run's id is refused; nothing is written", async () => {
    const before = await snapshot();
    const answer = await sendRaw(
      h.url,
      asInteraction(
        blockActionPayload({
          userId: "UEVE",
          channelId: OTHER_CHANNEL,
          messageTs: "1700000000.000200",
          actionId: ACTION_IDS.finishRun,
          value: stepValue,
        }),
      ),
      FORM,
    );
    expect(answer.status).toBe(200);
    const told = () => h.slack.ephemerals(OTHER_CHANNEL).find((call) => call.args.user === "UEVE")?.args.text;
    expect(await h.slack.waitFor(told)).toContain(
      "This button doesn't belong to the message it was clicked on",
    );
    expect(await snapshot()).toEqual(before);
  });

  it("a reminder or follow-up naming a run or reminder that doesn't exist writes nothing", async () => {
    const before = await snapshot();
    await sendRaw(
      h.url,
      asInteraction(
        blockActionPayload({
          userId: "UEVE",
          channelId: CHANNEL,
          messageTs: "1700000000.000300",
          actionId: ACTION_IDS.reminderDone,
          value: JSON.stringify({ k: "run-ghost.x.0", r: "run-ghost" }),
        }),
      ),
      FORM,
    );
    await sendRaw(
      h.url,
      asInteraction(
        viewSubmissionPayload({
          userId: "UEVE",
          callbackId: VIEW_IDS.followUps,
          privateMetadata: JSON.stringify({ r: "run-ghost", c: CHANNEL }),
          values: { follow_up_wrong: { value: { type: "plain_text_input", value: "forged" } } },
        }),
      ),
      FORM,
    );
    await h.settle();
    expect(await snapshot()).toEqual(before);
    expect(await h.redisEnv.redis.keys(`${h.redisEnv.prefix}*run-ghost*`)).toEqual([]);
  });

  it("a command without a user or a channel is refused and stores no run", async () => {
    const before = await snapshot();
    for (const missing of ["user_id", "channel_id"]) {
      const fields: Record<string, string> = {
        command: "/maintenance",
        text: "start db-upgrade env=qa",
        user_id: ALICE,
        channel_id: CHANNEL,
        trigger_id: "1.2.3",
      };
      delete fields[missing];
      const answer = await sendRaw(h.url, asCommand(fields), FORM);
      expect(answer.status).toBe(200);
      expect(JSON.parse(answer.body).text).toContain("could not tell who sent this command");
    }
    await h.settle();
    expect(await snapshot()).toEqual(before);
  });
});
