import { describe, expect, it } from "vitest";
import type { ReminderLateness } from "../../bench/load/reminders.js";
import type { RatePhase } from "../../bench/load/report.js";
import { judgeTargets, type RunFigures } from "../../bench/load/targets.js";

function phase(app: RatePhase["app"], rate: number, over: Partial<RatePhase> = {}): RatePhase {
  return {
    app,
    offeredPerSecond: rate,
    sent: rate * 10,
    ok: rate * 10,
    failed: 0,
    late: 0,
    throughputPerSecond: rate,
    p50Ms: 1,
    p99Ms: 5,
    maxMs: 9,
    senderLagMaxMs: 1,
    failures: {},
    cpuMsPerClick: app === "bare" ? 0.4 : app === "floor" ? 0.9 : 1.1,
    systemMsPerClick: 0.05,
    webApiCalls: {},
    refusals: {},
    ...over,
  };
}

const lateness = (over: Partial<ReminderLateness> = {}): ReminderLateness => ({
  pending: 100_000,
  due: 1_000,
  posted: 1_000,
  enqueueSeconds: 3,
  firstMs: 200,
  p50Ms: 500,
  p99Ms: 800,
  maxMs: 900,
  cpuMsPerReminder: 0.8,
  ...over,
});

function allMet(): RunFigures {
  return {
    rates: [200, 400].flatMap((rate) => [
      phase("bare", rate),
      phase("floor", rate),
      phase("preflight", rate),
    ]),
    bursts: [
      { webApiDelayMs: 0, updatesPerSecond: [1, 1], finalShown: true },
      { webApiDelayMs: 150, updatesPerSecond: [2], finalShown: true },
    ],
    reminders: lateness(),
    remindersTwoProcesses: lateness(),
    rss: { afterClicks: 190, clicks: 7_500, end: 195, activeRunsAtEnd: 1_000 },
  };
}

const verdictOf = (figures: RunFigures, start: string) =>
  judgeTargets(figures).find((j) => j.target.startsWith(start));

describe("issue 11's targets judged from a run of bench:load", () => {
  it("are all met when every figure is inside its target", () => {
    expect(judgeTargets(allMet()).map((j) => j.verdict)).toEqual(Array(7).fill("met"));
  });

  it("miss the 200/s target on slow throughput, a slow p99 or one failure", () => {
    const run = allMet();
    run.rates[2] = phase("preflight", 200, { throughputPerSecond: 189 });
    expect(verdictOf(run, "200 clicks/s")?.verdict).toBe("not met");
    run.rates[2] = phase("preflight", 200, { p99Ms: 101 });
    expect(verdictOf(run, "200 clicks/s")?.verdict).toBe("not met");
    run.rates[2] = phase("preflight", 200, { failed: 1 });
    expect(verdictOf(run, "200 clicks/s")).toMatchObject({
      verdict: "not met",
      figures: expect.stringContaining("1 of 2000 failed"),
    });
  });

  it("miss the 400/s target on a lost click", () => {
    const run = allMet();
    run.rates[5] = phase("preflight", 400, { failed: 3 });
    expect(verdictOf(run, "400 clicks/s")?.verdict).toBe("not met");
  });

  it("judge CPU at every rate, and say when the floor app alone is above the ratio", () => {
    const run = allMet();
    run.rates[5] = phase("preflight", 400, { cpuMsPerClick: 1.3 });
    expect(verdictOf(run, "CPU per click")?.verdict).toBe("not met");
    run.rates[4] = phase("floor", 400, { cpuMsPerClick: 1.25 });
    expect(verdictOf(run, "CPU per click")?.figures).toContain(
      "400/s: 1.30 ms against 0.40 (3.3×), floor 1.25 ms (3.1× bare, itself above the target; Preflight 1.0× floor)",
    );
  });

  it("miss the burst target on a third update in the first second or a stale final message", () => {
    const run = allMet();
    run.bursts[1] = { webApiDelayMs: 150, updatesPerSecond: [3], finalShown: true };
    expect(verdictOf(run, "a burst")?.verdict).toBe("not met");
    run.bursts[1] = { webApiDelayMs: 150, updatesPerSecond: [1], finalShown: false };
    expect(verdictOf(run, "a burst")?.figures).toContain("final NOT shown");
  });

  it("miss the reminder target on a late p99 or a reminder not posted", () => {
    const run = allMet();
    run.reminders = lateness({ p99Ms: 1_001 });
    expect(verdictOf(run, "reminder lateness p99 ≤ 1 s, one process")?.verdict).toBe("not met");
    run.reminders = lateness({ posted: 999 });
    expect(verdictOf(run, "reminder lateness p99 ≤ 1 s, one process")?.verdict).toBe("not met");
    expect(verdictOf(run, "reminder lateness p99 ≤ 1 s, two processes")?.verdict).toBe("met");
  });

  it("miss the memory target above 200 MiB, and do not judge it on a run too small", () => {
    const run = allMet();
    run.rss = { ...run.rss, end: 201 };
    expect(verdictOf(run, "RSS")?.verdict).toBe("not met");
    run.rss = { afterClicks: 150, clicks: 1_200, end: 160, activeRunsAtEnd: 100 };
    expect(verdictOf(run, "RSS")?.verdict).toBe("not measured");
  });

  it("say what a quick run left out rather than judging it", () => {
    const run = { ...allMet(), rates: allMet().rates.filter((p) => p.offeredPerSecond !== 400) };
    run.reminders = undefined;
    expect(verdictOf(run, "400 clicks/s")).toMatchObject({
      verdict: "not measured",
      figures: "no 400/s phase",
    });
    expect(verdictOf(run, "reminder lateness p99 ≤ 1 s, one process")?.verdict).toBe("not measured");
  });
});
