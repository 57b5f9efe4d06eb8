import { EFFECT_PARTS, type EffectLedger, type EffectRecord, type StoredEffect } from "../core/ports.js";
import type { Effect } from "../core/run/effects.js";

/**
 * How the effect runner sorts a run's effects: two lanes for Slack and the work plus one for the
 * trackers (each keeps its order; one refusing holds back no other), and when an effect an earlier
 * process tried may still be landing.
 */

export type Lane = "slack" | "work" | "tracker";
export const LANES: readonly Lane[] = ["slack", "work", "tracker"];

export const LINE_EFFECTS = new Set<Effect["type"]>([
  "post_activity",
  "request_verification",
  "request_approval",
]);
const SLACK_EFFECTS = new Set<Effect["type"]>([
  "publish_run_message",
  "refresh_run_message",
  "post_activity",
  "request_verification",
  "request_approval",
  "run_closed",
  // After the run message, so a rehearsal's line has its thread; a failure is recorded, never blocking.
  "post_stakeholders",
]);
const TRACKER_EFFECTS = new Set<Effect["type"]>([
  "tracker_comment",
  "tracker_post_mortem",
  "tracker_follow_up",
]);
export const laneOf = (effect: Effect): Lane =>
  SLACK_EFFECTS.has(effect.type) ? "slack" : TRACKER_EFFECTS.has(effect.type) ? "tracker" : "work";

/** What a refused post was, in words for the run's timeline. */
export function describeEffect(stored: StoredEffect, ledger: EffectLedger): string {
  switch (stored.effect.type) {
    case "run_closed":
      return "the post-mortem";
    case "publish_run_message":
      return unwatched(stored, ledger) ? "the run message" : "the full checklist in the run's thread";
    default:
      return "a line in the run's thread";
  }
}

/** A publish effect whose run message is not posted yet (its list in the thread comes after it). */
export function unwatched(stored: StoredEffect, ledger: EffectLedger): boolean {
  return (
    stored.effect.type === "publish_run_message" &&
    ledger.get(`${stored.id}${EFFECT_PARTS.message}`)?.status !== "done"
  );
}

export function isDone(stored: StoredEffect, records: Readonly<Record<string, EffectRecord>>): boolean {
  return records[stored.id]?.status === "done";
}

/** The effects marked "tried" that this process did not try: their calls may still be landing. */
export function triesElsewhere(
  records: Readonly<Record<string, EffectRecord>>,
  triedHere: (id: string) => boolean,
): [string, EffectRecord][] {
  return Object.entries(records).filter(([id, record]) => record.status === "tried" && !triedHere(id));
}

/**
 * How long (ms) until every try of these effects made elsewhere has settled: a process killed
 * during a call leaves a "tried" mark while Slack may still be taking the call, and a look for its
 * result made before it lands would post it a second time. 0 when nothing of them is in flight.
 * An effect's records are its own id and the ids made from it (`<id>.file`, `tracker.ticket.<id>`).
 */
export function settlingWait(
  tries: readonly [string, EffectRecord][],
  effectIds: readonly string[],
  nowMs: number,
  inFlightMs: number,
): number {
  let wait = 0;
  for (const [id, record] of tries) {
    if (!effectIds.some((e) => id === e || id.startsWith(`${e}.`) || id.endsWith(`.${e}`))) continue;
    wait = Math.max(wait, Date.parse(record.at) + inFlightMs - nowMs);
  }
  return wait;
}
