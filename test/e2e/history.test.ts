import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { createOffsetClock } from "../../src/core/clock.js";
import { createRedisHistory } from "../../src/store/redis-history.js";
import { type Harness, startHarness } from "../support/bot-harness.js";
import { fiveQaRuns, HISTORY_YAML } from "../support/history-runs.js";

/**
 * Over the wire: a real run enters its checklist's history once it finishes, and a run started
 * after three earlier ones tells how long its running step usually takes. A dry run stays out.
 */

let dir: string;
let h: Harness;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "preflight-history-"));
  await writeFile(join(dir, "cache-flush.yaml"), HISTORY_YAML);
});
afterEach(async () => h.stop());

const MIN = 60_000;
const uploaded = () => h.slack.uploads.filter((u) => u.completed);

async function walk(clock: ReturnType<typeof createOffsetClock>) {
  for (const [step, minutes] of [
    ["announce", 1],
    ["flush", 4],
    ["warm", 12],
  ] as const) {
    await h.click(h.button("step_start", step), "UALICE");
    await h.settle();
    if (step === "flush") expect(h.messageText()).toContain("usually 3–6 min (3 earlier runs)");
    clock.advance(minutes * MIN);
    await h.click(h.button("step_complete", step), "UALICE");
    await h.settle();
  }
  await h.click(h.button("run_finish"), "UALICE");
  await h.slack.waitFor(() => uploaded()[0], 8_000);
  await h.settle();
}

describe("the history over the wire", () => {
  it("shows what earlier runs took while a step runs, and records the finished run with its durations", async () => {
    const clock = createOffsetClock();
    h = await startHarness({ checklistsDir: dir, bot: { clock } });
    const history = createRedisHistory(h.redisEnv.redis, { prefix: h.redisEnv.prefix });
    // Three earlier qa runs: flush took 3, 4 and 6 minutes (p10 3.2, p90 5.6).
    for (const played of fiveQaRuns().slice(0, 3))
      for (const entry of played.entries) await history.record(entry);

    await h.command("start cache-flush env=qa", "UALICE");
    await h.slack.waitFor(() => h.slack.messages("CINVOICING")[0]);
    await h.settle();
    await walk(clock);

    const run = await h.run();
    const entries = await history.entries("cache-flush", "qa");
    const entry = entries.find((e) => e.runId === run.id);
    expect(entries).toHaveLength(4);
    expect(entry).toMatchObject({ outcome: "finished", owner: "UALICE", env: "qa" });
    // The clock moved 1, 4 and 12 minutes while each step ran (plus the real seconds the clicks took).
    expect(entry?.steps.map((s) => [s.id, Math.floor((s.seconds ?? 0) / 60)])).toEqual([
      ["announce", 1],
      ["flush", 4],
      ["warm", 12],
    ]);
    const markdown = uploaded()[0]?.content.toString("utf8") ?? "";
    expect(markdown).toContain("Compared with 3 earlier runs in qa");
    expect(markdown).toContain("Not enough runs to learn from yet: 4 of the 5 needed.");
  });

  it("leaves a dry run out of the history", async () => {
    const clock = createOffsetClock();
    h = await startHarness({ checklistsDir: dir, bot: { clock } });
    const history = createRedisHistory(h.redisEnv.redis, { prefix: h.redisEnv.prefix });
    for (const played of fiveQaRuns().slice(0, 3))
      for (const entry of played.entries) await history.record(entry);
    await h.command("start cache-flush env=qa dry_run=true", "UALICE");
    await h.slack.waitFor(() => h.slack.messages("CINVOICING")[0]);
    await h.settle();
    await walk(clock);
    expect((await h.run()).status).toBe("finished");
    expect((await history.entries("cache-flush")).map((e) => e.runId)).toEqual(["run-1", "run-2", "run-3"]);
  });
});
