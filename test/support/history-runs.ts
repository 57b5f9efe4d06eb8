import type { HistoryEntry } from "../../src/core/history/history-schema.js";
import { applyEvent } from "../../src/core/run/apply-event.js";
import type { Effect } from "../../src/core/run/effects.js";
import type { Run, RunEvent } from "../../src/core/run/run-schema.js";
import { minutesAfter, newRun } from "./checklist-fixtures.js";

/** A checklist whose runs the history tests play with a fake clock, minute by minute. */
export const HISTORY_YAML = `
id: cache-flush
title: Flush the cache
summary: Flush and warm the cache
parameters:
  env: { type: enum, values: [qa, prod], default: qa }
phases:
  - id: main
    title: Main
    steps:
      - id: announce
        title: Announce the window
      - id: flush
        title: Flush the cache
        duration: 2m-5m
        downtime: start
      - id: warm
        title: Warm the cache
        duration: 10m-20m
        downtime: end
rules:
  environment: env
`;

export const ALICE = "U_ALICE";

export interface Played {
  run: Run;
  effects: Effect[];
  /** The entries the engine asked to record, in order. */
  entries: HistoryEntry[];
}

export interface RunPlan {
  id: string;
  /** When the run starts. */
  start: Date;
  flushMinutes: number;
  warmMinutes: number;
  skipAnnounce?: boolean;
  env?: "qa" | "prod";
  dryRun?: boolean;
  /** Abort after the flush instead of warming and finishing. */
  abort?: boolean;
  /** A problem reported on the flush. */
  problem?: string;
}

/** Plays one run through the engine at the minutes the plan says; every event must be accepted. */
export function playRun(plan: RunPlan): Played {
  let run = newRun(
    {
      id: plan.id,
      now: plan.start,
      params: { env: plan.env ?? "qa" },
      ...(plan.dryRun ? { dryRun: true } : {}),
    },
    HISTORY_YAML,
  );
  const effects: Effect[] = [];
  let minute = 0;
  const apply = (event: RunEvent, after = 0) => {
    minute += after;
    const decision = applyEvent(run, event, minutesAfter(plan.start, minute));
    if (!decision.accepted) throw new Error(`${event.type} refused: ${decision.refusal.message}`);
    run = decision.run;
    effects.push(...decision.effects);
  };
  const by = ALICE;
  if (plan.skipAnnounce)
    apply({ type: "skip_step", stepId: "announce", reason: "announced by email", by }, 1);
  else {
    apply({ type: "start_step", stepId: "announce", by }, 1);
    apply({ type: "complete_step", stepId: "announce", by }, 1);
  }
  apply({ type: "start_step", stepId: "flush", by }, 1);
  if (plan.problem) {
    apply({ type: "report_problem", stepId: "flush", text: plan.problem, by }, 0);
    apply({ type: "resolve_problem", problemId: "p1", resolution: "retried", by }, plan.flushMinutes);
    apply({ type: "complete_step", stepId: "flush", by }, 0);
  } else apply({ type: "complete_step", stepId: "flush", by }, plan.flushMinutes);
  if (plan.abort) apply({ type: "abort", reason: "stopped after the flush", by }, 1);
  else {
    apply({ type: "start_step", stepId: "warm", by }, 1);
    apply({ type: "complete_step", stepId: "warm", by }, plan.warmMinutes);
    apply({ type: "finish", by }, 1);
  }
  return { run, effects, entries: entriesIn(effects) };
}

export function entriesIn(effects: readonly Effect[]): HistoryEntry[] {
  return effects.flatMap((effect) => (effect.type === "record_history" ? [effect.entry] : []));
}

/** Five qa runs a day apart: flush 3, 4, 6, 7, 9 min (2m-5m expected); warm 12–18 min; the last three skip the announcement. */
export function fiveQaRuns(): Played[] {
  const flush = [3, 4, 6, 7, 9];
  const warm = [12, 14, 15, 16, 18];
  return flush.map((flushMinutes, i) =>
    playRun({
      id: `run-${i + 1}`,
      start: new Date(Date.UTC(2026, 10, 1 + i, 9)),
      flushMinutes,
      warmMinutes: warm[i] as number,
      skipAnnounce: i >= 2,
    }),
  );
}
