/**
 * Issue 11's targets, judged from one run of `npm run bench:load`: each is met, not met, or not
 * measured by that run (a rate or a reading the options left out). Ratios compare figures of the
 * same run only. Nothing here measures; it reads what the run measured.
 */
import type { ReminderLateness } from "./reminders.js";
import type { RatePhase } from "./report.js";

export interface BurstFigures {
  webApiDelayMs: number;
  updatesPerSecond: number[];
  finalShown: boolean;
}

export interface RunFigures {
  rates: RatePhase[];
  bursts: BurstFigures[];
  reminders: ReminderLateness | undefined;
  remindersTwoProcesses: ReminderLateness | undefined;
  /** RSS in MiB after the clicks and at the end (undefined: not read, the process was gone). */
  rss: { afterClicks: number | undefined; clicks: number; end: number | undefined; activeRunsAtEnd: number };
}

export type Verdict = "met" | "not met" | "not measured";

export interface Judged {
  target: string;
  verdict: Verdict;
  /** The figures it was judged on, or what was missing. */
  figures: string;
}

/** At most this many MiB of RSS with 1,000 active runs and after 5,000 clicks. */
export const RSS_LIMIT_MIB = 200;
/** CPU per click at most this many times bare Bolt's. */
export const CPU_RATIO_LIMIT = 3;

const fixed = (n: number | undefined, digits = 2) => (n === undefined ? "–" : n.toFixed(digits));

export function judgeTargets(run: RunFigures): Judged[] {
  const of = (app: RatePhase["app"], rate: number) =>
    run.rates.find((p) => p.app === app && p.offeredPerSecond === rate);
  const judged: Judged[] = [];

  const bare200 = of("bare", 200);
  const pre200 = of("preflight", 200);
  judged.push(
    bare200 && pre200
      ? {
          target: "200 clicks/s: throughput ≥ 0.95× bare Bolt, p99 ack ≤ 100 ms, 0 failed",
          verdict:
            pre200.throughputPerSecond >= 0.95 * bare200.throughputPerSecond &&
            pre200.p99Ms <= 100 &&
            pre200.failed === 0
              ? "met"
              : "not met",
          figures: `${pre200.throughputPerSecond}/s against ${bare200.throughputPerSecond}/s (${fixed(pre200.throughputPerSecond / bare200.throughputPerSecond)}×), p99 ${pre200.p99Ms} ms, ${pre200.failed} of ${pre200.sent} failed`,
        }
      : notMeasured(
          "200 clicks/s: throughput ≥ 0.95× bare Bolt, p99 ack ≤ 100 ms, 0 failed",
          "no 200/s phase",
        ),
  );

  const pre400 = of("preflight", 400);
  judged.push(
    pre400
      ? {
          target: "400 clicks/s: p99 ack under 3 s, no click lost",
          verdict: pre400.p99Ms < 3_000 && pre400.failed === 0 ? "met" : "not met",
          figures: `p99 ${pre400.p99Ms} ms, ${pre400.failed} of ${pre400.sent} failed`,
        }
      : notMeasured("400 clicks/s: p99 ack under 3 s, no click lost", "no 400/s phase"),
  );

  judged.push(judgeCpu(run.rates));

  const burstTarget =
    "a burst of 50 clicks in 1 s on one run: ≤ 2 chat.update in that second, final state shown";
  judged.push(
    run.bursts.length > 0
      ? {
          target: burstTarget,
          verdict: run.bursts.every((b) => (b.updatesPerSecond[0] ?? 0) <= 2 && b.finalShown)
            ? "met"
            : "not met",
          figures: run.bursts
            .map(
              (b) =>
                `${b.webApiDelayMs} ms answers: ${b.updatesPerSecond[0] ?? 0} in the first second, final ${b.finalShown ? "shown" : "NOT shown"}`,
            )
            .join("; "),
        }
      : notMeasured(burstTarget, "no burst"),
  );

  for (const [label, lateness] of [
    ["one process", run.reminders],
    ["two processes", run.remindersTwoProcesses],
  ] as const) {
    const target = `reminder lateness p99 ≤ 1 s, ${label}`;
    judged.push(
      lateness && lateness.p99Ms !== undefined
        ? {
            target,
            verdict: lateness.p99Ms <= 1_000 && lateness.posted === lateness.due ? "met" : "not met",
            figures: `${lateness.posted} of ${lateness.due} posted (among ${lateness.pending} pending), p99 ${lateness.p99Ms} ms`,
          }
        : notMeasured(target, "no reminder round (--due 0)"),
    );
  }

  const rss = run.rss;
  const rssTarget = `RSS ≤ ${RSS_LIMIT_MIB} MiB with 1,000 active runs and after 5,000 clicks`;
  judged.push(
    rss.activeRunsAtEnd >= 1_000 &&
      rss.clicks >= 5_000 &&
      rss.end !== undefined &&
      rss.afterClicks !== undefined
      ? {
          target: rssTarget,
          verdict: rss.end <= RSS_LIMIT_MIB && rss.afterClicks <= RSS_LIMIT_MIB ? "met" : "not met",
          figures: `${rss.afterClicks} MiB after ${rss.clicks} clicks, ${rss.end} MiB with ${rss.activeRunsAtEnd} active runs`,
        }
      : notMeasured(
          rssTarget,
          `${rss.clicks} clicks and ${rss.activeRunsAtEnd} active runs (${rss.end ?? "–"} MiB): the full run has both (--active 1000, ≥ 5,000 clicks)`,
        ),
  );
  return judged;
}

/**
 * CPU per click against bare Bolt's, at every rate measured. The floor app (the bare app plus a
 * click's unavoidable I/O: one Redis write, one thread post, one message update) shows whether the
 * ratio is reachable at all in this run: when the floor alone is above it, no app doing a click's
 * work can be under it.
 */
function judgeCpu(rates: RatePhase[]): Judged {
  const target = `CPU per click ≤ ${CPU_RATIO_LIMIT}× bare Bolt's`;
  const measured = rates
    .filter((p) => p.app === "preflight" && p.cpuMsPerClick !== undefined)
    .flatMap((pre) => {
      const at = (app: RatePhase["app"]) =>
        rates.find((p) => p.app === app && p.offeredPerSecond === pre.offeredPerSecond)?.cpuMsPerClick;
      const bare = at("bare");
      return bare === undefined || bare <= 0
        ? []
        : [{ rate: pre.offeredPerSecond, pre: pre.cpuMsPerClick as number, bare, floor: at("floor") }];
    });
  if (measured.length === 0) return notMeasured(target, "no CPU reading of both apps");
  const figures = measured
    .map(
      (m) =>
        `${m.rate}/s: ${fixed(m.pre)} ms against ${fixed(m.bare)} (${fixed(m.pre / m.bare, 1)}×)` +
        (m.floor === undefined
          ? ""
          : `, floor ${fixed(m.floor)} ms (${fixed(m.floor / m.bare, 1)}× bare${m.floor / m.bare > CPU_RATIO_LIMIT ? ", itself above the target" : ""}; Preflight ${fixed(m.pre / m.floor, 1)}× floor)`),
    )
    .join("; ");
  return {
    target,
    verdict: measured.every((m) => m.pre <= CPU_RATIO_LIMIT * m.bare) ? "met" : "not met",
    figures,
  };
}

function notMeasured(target: string, why: string): Judged {
  return { target, verdict: "not measured", figures: why };
}

export function printTargets(judged: readonly Judged[]): void {
  console.log("\nIssue 11's targets, judged from this run:");
  for (const j of judged) console.log(`  ${j.verdict.padEnd(12)} ${j.target}: ${j.figures}`);
}
