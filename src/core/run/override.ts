import { trackerStartEffects } from "../tracker/tracker-effects.js";
import { accept, type Decision, type EventOf, refuse, scheduleReminders } from "./decision.js";
import type { Refusal } from "./effects.js";
import { describeNamed, isNamed } from "./people.js";
import type { Run, RunEvent, RunOverride } from "./run-schema.js";

/**
 * Break-glass: a run may start although the environment gate refuses it, when its starter gives
 * a reason (`override="…"`). It is created `awaiting_override` and nothing happens until a second
 * person approves it (`approve_override`); its owner or buddy may abort it instead. The override
 * stays on the run: the run message shows it while the run lasts and the post-mortem lists it first.
 */

const REASON_CHARS = 500;

/** The override a start asks for, when the gate refused it; undefined when none was asked for. */
export function overrideRequest(
  input: { override?: string; owner: string; now: Date },
  gateMessage: string,
): { override: RunOverride } | { refusal: Refusal } | undefined {
  if (input.override === undefined) return undefined;
  const reason = input.override.replace(/\s+/g, " ").trim();
  if (reason === "" || reason.length > REASON_CHARS) {
    return {
      refusal: {
        code: "reason_required",
        message: `An override needs a reason of 1 to ${REASON_CHARS} characters (override="why this can't wait"): it is announced and goes first into the post-mortem.`,
      },
    };
  }
  return {
    override: {
      reason,
      requestedBy: input.owner,
      requestedAt: input.now.toISOString(),
      gate: gateMessage,
    },
  };
}

/**
 * While the override waits for approval, only `approve_override` and `abort` are decided (by
 * the usual rules); anything else is refused here. Undefined: let the event through.
 */
export function holdForOverride(run: Run, event: RunEvent): Decision | undefined {
  if (run.status !== "awaiting_override") return undefined;
  if (event.type === "approve_override" || event.type === "abort") return undefined;
  // What Preflight records about its own posts is recorded whatever the run waits for.
  if (event.type === "post_failed" || event.type === "run_message_failed") return undefined;
  if (event.type === "tracker_refused" || event.type === "tracker_accepted") return undefined;
  return refuse(
    "wrong_state",
    `This run was started past the ${run.environment ?? "environment"} gate and waits for a teammate to approve the override; nothing else can happen before that. Approve it, or abort the run.`,
  );
}

export function approveOverride(run: Run, event: EventOf<"approve_override">, now: Date): Decision {
  const override = run.override;
  if (run.status !== "awaiting_override" || !override) {
    return refuse("wrong_state", "This run is not waiting for an override approval.");
  }
  if (event.by === override.requestedBy) {
    return refuse(
      "self_approval",
      "You asked for this override, so you can't approve it: a second person must approve starting past the gate.",
    );
  }
  const starters = run.plan.rules.starters;
  if (starters && !isNamed(starters, event.by, event.groups)) {
    return refuse(
      "not_permitted",
      `Only ${describeNamed(starters)} may start this checklist, so only they may approve the override.`,
    );
  }
  const at = now.toISOString();
  const next: Run = {
    ...run,
    status: "active",
    override: { ...override, approvedBy: event.by, approvedAt: at },
  };
  const started = scheduleReminders(next, { on: "run.started" }, now);
  // The run starts now: its ticket hears of it now (create-run.ts held the comment back).
  return accept(run, started.run, event, at, [...started.effects, ...trackerStartEffects(started.run)], {
    detail: override.reason,
  });
}
