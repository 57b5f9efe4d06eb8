import type { OutboxEntry } from "../core/ports.js";
import type { Effect } from "../core/run/effects.js";
import type { Run } from "../core/run/run-schema.js";

/**
 * The outbox entry of a change: its effects under stable ids (run, version after the change,
 * index), so carrying one out twice is noticed. Undefined when the change has no effects.
 */
export function outboxEntryOf(run: Run, at: string, effects: readonly Effect[]): OutboxEntry | undefined {
  if (effects.length === 0) return undefined;
  return {
    id: `v${run.version}`,
    runId: run.id,
    seq: run.version,
    at,
    effects: effects.map((effect, index) => ({ id: `${run.id}.${run.version}.${index}`, effect })),
  };
}
