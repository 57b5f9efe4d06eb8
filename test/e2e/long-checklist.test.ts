import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Harness, startHarness } from "../support/bot-harness.js";

/** Slack refuses a message with more than 50 blocks, or ~13,000 characters of blocks (the double checks both). */
const STEPS = 300;
const PHASES = 6;

function longChecklist(): string {
  const perPhase = STEPS / PHASES;
  const phases = Array.from({ length: PHASES }, (_, p) => {
    const steps = Array.from({ length: perPhase }, (_, i) => {
      const n = p * perPhase + i + 1;
      const title = `Step ${n}: ${"migrate the invoices partition and check the row counts ".repeat(2).slice(0, 140)}`;
      const verify = n % 25 === 0 ? "\n        verify: true" : "";
      return `      - id: s${n}\n        title: "${title}"\n        details: "${"Check the dashboard before going on. ".repeat(20)}"\n        duration: 1m-2m${verify}`;
    });
    return `  - id: phase-${p + 1}\n    title: Phase ${p + 1}\n    steps:\n${steps.join("\n")}`;
  });
  return `id: long-migration\ntitle: A 300-step migration\nsummary: Long enough to need collapsing\nphases:\n${phases.join("\n")}\n`;
}

let h: Harness;
beforeAll(async () => {
  const dir = await mkdtemp(join(tmpdir(), "preflight-long-"));
  await writeFile(join(dir, "long-migration.yaml"), longChecklist());
  h = await startHarness({ checklistsDir: dir });
});
afterAll(async () => h.stop());

describe("a 300-step checklist", () => {
  it("stays within Slack's limits on every post and every refresh, to the end", {
    timeout: 120_000,
  }, async () => {
    await h.command("start long-migration", "UALICE");
    await h.slack.waitFor(() => h.slack.messages("CINVOICING")[0]);
    await h.settle();
    // The full list continues in the thread, split into messages Slack accepts.
    await expect.poll(() => h.threadTexts().length, { timeout: 5_000 }).toBeGreaterThan(1);

    for (let n = 1; n <= STEPS; n++) {
      await h.click(h.button("step_complete", `s${n}`), "UALICE");
      await h.settle();
      if (n % 25 === 0) {
        await h.click(h.button("step_verify", `s${n}`), "UBOB");
        await h.settle();
      }
    }
    await h.click(h.button("run_finish"), "UALICE");
    await h.settle();
    expect((await h.run()).status).toBe("finished");

    const posts = [...h.slack.callsTo("chat.postMessage"), ...h.slack.callsTo("chat.update")];
    const refused = posts.filter((call) => call.status !== 200 || call.error !== undefined);
    expect(refused.map((call) => `${call.method}: ${call.error}`)).toEqual([]);
    expect(h.slack.callsTo("chat.update").length).toBeGreaterThan(STEPS / 2);
  });
});
