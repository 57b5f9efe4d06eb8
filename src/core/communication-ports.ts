import type { EffectLedger } from "./ports.js";
import type { Effect } from "./run/effects.js";
import type { Run } from "./run/run-schema.js";

/** Ports of the live window communications (run/communications.ts decides what goes out). */

export type StakeholderPost = Extract<Effect, { type: "post_stakeholders" }>;
export type StatusPageCall = Extract<Effect, { type: "call_status_page" }>;

/** Posts a stakeholder update once per effect id (a rehearsal's into its own thread). */
export interface StakeholderPoster {
  post(run: Run, effectId: string, effect: StakeholderPost, ledger: EffectLedger): Promise<void>;
}

export type StatusPageOutcome = { ok: true; status: number } | { ok: false; error: string };

/** Makes the status page's POST, retrying what is transient; says what failed for good. */
export interface StatusPageClient {
  call(effectId: string, call: StatusPageCall): Promise<StatusPageOutcome>;
}
