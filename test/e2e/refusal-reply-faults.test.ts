import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { CHANNEL, type Harness, startHarness } from "../support/bot-harness.js";

/**
 * A click that is refused is explained privately (chat.postEphemeral). A 429 or a transient
 * ok:false says the explanation did not land: it is tried again, and shown once.
 */

const CHECKLIST = `
id: refusals
title: Refusals
summary: Two steps
phases:
  - id: only
    title: Only
    steps:
      - { id: one, title: Step one }
      - { id: two, title: Step two }
`;
const ALICE = "UALICE";
const BOB = "UBOB";
let h: Harness | undefined;
afterEach(async () => {
  await h?.stop();
  h = undefined;
});

async function started(): Promise<Harness> {
  const dir = await mkdtemp(join(tmpdir(), "preflight-refusal-faults-"));
  await writeFile(join(dir, "refusals.yaml"), CHECKLIST);
  const hh = await startHarness({ checklistsDir: dir });
  h = hh;
  await hh.command("start refusals", ALICE);
  await hh.slack.waitFor(() => hh.slack.messages(CHANNEL)[0]);
  await hh.settle();
  return hh;
}

const faults = {
  "a 429": (hh: Harness) => hh.slack.rateLimitNext("chat.postEphemeral", 1, 1),
  "ok:false internal_error": (hh: Harness) => hh.slack.failNext("chat.postEphemeral", "internal_error", 1),
  "ok:false service_unavailable, then request_timeout": (hh: Harness) => {
    hh.slack.failNext("chat.postEphemeral", "service_unavailable", 1);
    hh.slack.failNext("chat.postEphemeral", "request_timeout", 1);
  },
};

describe("a refused click's explanation through Slack's transient failures", () => {
  for (const [name, inject] of Object.entries(faults)) {
    it(`reaches the person once despite ${name} on chat.postEphemeral`, async () => {
      const hh = await started();
      const oldStart = hh.button("step_start", "one");
      await hh.click(hh.button("step_complete", "one"), ALICE);
      await hh.settle();
      inject(hh);
      expect((await hh.click(oldStart, BOB)).status).toBe(200);
      const told = await hh.slack.waitFor(
        () => hh.ephemeralsTo(BOB).find((t) => t.includes("moved this run on")),
        8_000,
      );
      expect(told).toBeDefined();
      await new Promise((resolve) => setTimeout(resolve, 500));
      // Applied or refused: here refused, and said once.
      expect((await hh.run()).history.filter((a) => a.type === "start_step")).toEqual([]);
      expect(hh.ephemeralsTo(BOB).filter((t) => t.includes("moved this run on"))).toHaveLength(1);
    }, 20_000);
  }
});
