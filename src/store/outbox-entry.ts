import type { OutboxEntry } from "../core/ports.js";
import type { Effect } from "../core/run/effects.js";
import type { Run } from "../core/run/run-schema.js";

/**
 * The outbox entry of a change: its effects under stable ids (run, version after the change,
 * index), so carrying one out twice is noticed. Undefined when the change has nothing to carry
 * out. A redraw is not stored: every commit records the version its message should show
 * (`redraws`), and the refresher draws from that, so an entry for it would be a pass for nothing.
 */
export function outboxEntryOf(run: Run, at: string, effects: readonly Effect[]): OutboxEntry | undefined {
  const stored = effects
    .map((effect, index) => ({ id: `${run.id}.${run.version}.${index}`, effect }))
    .filter(({ effect }) => effect.type !== "refresh_run_message");
  if (stored.length === 0) return undefined;
  return { id: `v${run.version}`, runId: run.id, seq: run.version, at, effects: stored };
}
