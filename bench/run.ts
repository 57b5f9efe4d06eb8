/**
 * `npm run bench`: speed and memory of the hot paths, as ratios measured in one run (machines
 * here are shared and noisy, so absolute numbers are printed for reading, not asserted).
 *  - applying a click to a 300-step run vs a 13-step run (the engine should not care much)
 *  - rendering the run message of a 300-step run vs a 13-step run (bounded by Slack's budget)
 *  - building the post-mortem of 300 steps and 1,000 notes
 *  - the Redis store: updates/s for one writer vs ten writers on one run (optimistic retries)
 */
import { performance } from "node:perf_hooks";
import { Redis } from "ioredis";
import { parseChecklist } from "../src/core/checklist/parse-checklist.js";
import { applyEvent } from "../src/core/run/apply-event.js";
import { createRun } from "../src/core/run/create-run.js";
import type { Run, RunEvent } from "../src/core/run/run-schema.js";
import { buildSummary } from "../src/core/summary.js";
import { summaryMarkdown } from "../src/render/summary-markdown.js";
import { renderRunMessage } from "../src/slack/render/run-message.js";
import { createRedisRunStore } from "../src/store/redis-run-store.js";

const T0 = new Date("2026-11-20T09:00:00Z");

function checklist(steps: number): string {
  const lines = Array.from(
    { length: steps },
    (_, i) => `      - id: s${i + 1}\n        title: Step ${i + 1} of the migration\n        duration: 1m-2m`,
  );
  return `id: bench\ntitle: Bench\nsummary: Bench\nphases:\n  - id: only\n    title: Only\n    steps:\n${lines.join("\n")}\n`;
}

function newRun(steps: number): Run {
  const parsed = parseChecklist(checklist(steps), "bench.yaml");
  if (!parsed.ok) throw new Error("bench checklist invalid");
  const result = createRun({
    id: "r-bench",
    checklist: parsed.checklist,
    source: { hash: "h" },
    params: {},
    channel: "C",
    owner: "U1",
    now: T0,
    priorRuns: [],
  });
  if (!result.ok) throw new Error(result.refusal.message);
  return result.run;
}

function halfway(run: Run): Run {
  let current = run;
  const half = Math.floor(run.steps.length / 2);
  for (let i = 0; i < half; i++) {
    const decision = applyEvent(
      current,
      { type: "complete_step", stepId: `s${i + 1}`, by: "U1" },
      new Date(T0.getTime() + i * 60_000),
    );
    if (decision.accepted) current = decision.run;
  }
  return current;
}

/** Median ms per call over `rounds` rounds of `n` calls. */
function time(label: string, n: number, fn: () => void, rounds = 5): number {
  const samples: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const start = performance.now();
    for (let i = 0; i < n; i++) fn();
    samples.push((performance.now() - start) / n);
  }
  const median = samples.sort((a, b) => a - b)[Math.floor(rounds / 2)] ?? 0;
  console.log(`${label.padEnd(58)} ${median.toFixed(4)} ms/call`);
  return median;
}

const small = halfway(newRun(13));
const large = halfway(newRun(300));
const note: RunEvent = { type: "add_note", text: "lag 1s", source: "button", by: "U2" };

console.log("== engine and rendering (pure) ==");
const applySmall = time("applyEvent, 13-step run", 2_000, () => applyEvent(small, note, T0));
const applyLarge = time("applyEvent, 300-step run", 2_000, () => applyEvent(large, note, T0));
const renderSmall = time("renderRunMessage, 13-step run", 500, () => renderRunMessage(small, T0));
const renderLarge = time("renderRunMessage, 300-step run", 200, () => renderRunMessage(large, T0));
console.log(
  `ratio 300/13 steps: applyEvent ×${(applyLarge / applySmall).toFixed(1)}, render ×${(renderLarge / renderSmall).toFixed(1)}`,
);

let noted = large;
for (let i = 0; i < 1_000; i++) {
  const decision = applyEvent(noted, { type: "add_note", text: `note ${i}`, source: "thread", by: "U3" }, T0);
  if (decision.accepted) noted = decision.run;
}
const heapBefore = process.memoryUsage().heapUsed;
time("buildSummary + summaryMarkdown, 300 steps, 1,000 notes", 20, () =>
  summaryMarkdown(buildSummary({ run: noted, pendingReminders: [], now: T0 })),
);
console.log(
  `run JSON size with 1,000 notes: ${(JSON.stringify(noted).length / 1024).toFixed(0)} KiB; heap growth ${((process.memoryUsage().heapUsed - heapBefore) / 1_048_576).toFixed(1)} MiB`,
);

console.log("== Redis store (real server) ==");
const url = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
const prefix = `preflight-bench-${process.pid}:`;
const connections = Array.from({ length: 10 }, () => new Redis(url, { maxRetriesPerRequest: 1 }));
try {
  const stores = connections.map((redis) => createRedisRunStore(redis, { prefix }));
  const [first] = stores;
  if (!first) throw new Error("no store");
  async function throughput(label: string, writers: number, updates: number): Promise<number> {
    const run = { ...newRun(300), id: `r-${writers}` };
    await first?.create(run);
    const start = performance.now();
    await Promise.all(
      Array.from({ length: writers }, (_, w) =>
        (async () => {
          for (let i = 0; i < updates / writers; i++) {
            const event: RunEvent = { type: "add_note", text: `n${w}.${i}`, source: "thread", by: "U1" };
            await stores[w]?.update(run.id, {
              eventId: `e${w}.${i}`,
              by: "U1",
              type: event.type,
              at: T0,
              decide: (r) => applyEvent(r, event, T0),
            });
          }
        })(),
      ),
    );
    const perSecond = updates / ((performance.now() - start) / 1_000);
    console.log(`${label.padEnd(58)} ${perSecond.toFixed(0)} updates/s`);
    return perSecond;
  }
  const one = await throughput("store.update, 1 writer, 300-step run", 1, 200);
  const ten = await throughput("store.update, 10 writers on the same run", 10, 200);
  console.log(
    `ratio 10 writers / 1 writer: ×${(ten / one).toFixed(2)} (contention costs retries, never lost updates)`,
  );
} finally {
  const [redis] = connections;
  const keys = (await redis?.keys(`${prefix}*`)) ?? [];
  if (keys.length > 0) await redis?.del(...keys);
  await Promise.all(connections.map((c) => c.quit()));
}
