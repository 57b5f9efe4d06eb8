import { describe, expect, it } from "vitest";
import { applyEvent } from "../../../src/core/run/apply-event.js";
import { createRun } from "../../../src/core/run/create-run.js";
import type { Run } from "../../../src/core/run/run-schema.js";
import { runProblems } from "../../../src/core/tracker/tracker-effects.js";
import { checklistFromYaml, T0 } from "../../support/checklist-fixtures.js";
import { acceptedOf, play, refusalOf } from "../../support/run-play.js";

/** Tickets and post-mortem issues as the engine decides them: pure, no tracker in sight. */

const yaml = (extra: string) => `
id: tracked
title: Tracked change
summary: With a ticket
parameters:
  env: { type: enum, values: [qa, prod], default: qa }
phases:
  - id: only
    title: Only
    steps:
      - id: change
        title: Make the change for {{run.ticket}}
        duration: 5m
      - id: check
        title: Check it
rules:
  environment: env
${extra}`;

const TICKET = "ticket:\n  required_in: [prod]\n";
const GITHUB_PM = "post_mortem:\n  tracker: github\n  repo: acme/ops\n  when: problems\n";

function start(params: Record<string, string>, extra = TICKET + GITHUB_PM, dryRun = false) {
  return createRun({
    id: "run-1",
    checklist: checklistFromYaml(yaml(extra)),
    source: { hash: "h" },
    params,
    channel: "C1",
    owner: "U_ALICE",
    buddy: "U_BOB",
    now: T0,
    priorRuns: [],
    dryRun,
    ticketLink: (t) => `https://tracker.example/${t}`,
  });
}

function started(params: Record<string, string>, extra?: string, dryRun = false): Run {
  const result = start(params, extra, dryRun);
  if (!result.ok) throw new Error(result.refusal.message);
  return result.run;
}

describe("work tickets", () => {
  it("a prod run cannot start without a ticket; the form is told to ask for it", () => {
    const result = start({ env: "prod" });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.missing).toEqual(["ticket"]);
    expect(result.refusal.message).toContain("prod runs of tracked need a work ticket id");
    expect(start({ env: "qa" }).ok).toBe(true);
  });

  it("a ticket in neither known form, or not matching the checklist's pattern, is refused naming the accepted form", () => {
    const bad = start({ env: "prod", ticket: "see slack" });
    expect(!bad.ok && bad.refusal.message).toContain("use owner/repo#123 (a GitHub issue) or ABC-123");
    const patterned = start({ env: "prod", ticket: "acme/ops#1" }, 'ticket:\n  pattern: "^INV-[0-9]+$"\n');
    expect(!patterned.ok && patterned.refusal.message).toContain("matching ^INV-[0-9]+$");
  });

  it("a run started with one keeps it, links it, fills {{run.ticket}} and comments on it once when it starts", () => {
    const result = start({ env: "prod", ticket: "INV-12" });
    if (!result.ok) throw new Error(result.refusal.message);
    expect(result.run.ticket).toBe("INV-12");
    expect(result.run.ticketUrl).toBe("https://tracker.example/INV-12");
    expect(result.run.params).toEqual({ env: "prod" });
    expect(result.run.plan.phases[0]?.steps[0]?.title).toBe("Make the change for INV-12");
    expect(result.effects.filter((e) => e.type === "tracker_comment")).toEqual([
      { type: "tracker_comment", ticket: "INV-12", phase: "start" },
    ]);
  });
});

describe("the post-mortem as an issue", () => {
  const finishClean = (run: Run) =>
    play(run, [
      { type: "start_step", stepId: "change", by: "U_ALICE" },
      { type: "complete_step", stepId: "change", by: "U_ALICE" },
      { type: "complete_step", stepId: "check", by: "U_ALICE" },
    ]);

  it("a clean run under `when: problems` comments at the end and opens no issue", () => {
    const run = finishClean(started({ ticket: "acme/ops#3" }));
    expect(runProblems(run)).toEqual([]);
    const closed = acceptedOf(
      applyEvent(run, { type: "finish", by: "U_ALICE" }, new Date(T0.getTime() + 4 * 60_000)),
    );
    const types = closed.effects.map((e) => e.type);
    expect(types).toContain("tracker_comment");
    expect(types).not.toContain("tracker_post_mortem");
  });

  it("a run with a problem gets the issue and one per follow-up; a follow-up added later gets its own", () => {
    const run = play(started({ ticket: "acme/ops#3" }), [
      { type: "report_problem", text: "replica lag", by: "U_BOB" },
      { type: "follow_up_added", text: "alert on lag", by: "U_ALICE" },
    ]);
    expect(runProblems(run)).toEqual(["1 problem reported"]);
    const closed = acceptedOf(applyEvent(run, { type: "abort", reason: "lag", by: "U_ALICE" }, T0));
    expect(closed.effects.filter((e) => e.type.startsWith("tracker_"))).toEqual([
      { type: "tracker_comment", ticket: "acme/ops#3", phase: "end" },
      { type: "tracker_post_mortem" },
      { type: "tracker_follow_up", index: 0 },
    ]);
    const later = acceptedOf(
      applyEvent(closed.run, { type: "follow_up_added", text: "rehearse", by: "U_BOB" }, T0),
    );
    expect(later.effects).toContainEqual({ type: "tracker_follow_up", index: 1 });
  });

  it("a run rolled back at once (nothing to undo yet) is a problem: the end comment and the issue", () => {
    const withDecision = checklistFromYaml(
      yaml(TICKET + GITHUB_PM).replace(
        "      - id: check\n",
        "      - id: go\n        title: Go or no-go\n        decision:\n          question: Go on?\n          options: [continue, roll_back]\n          decider: owner\n      - id: check\n",
      ),
    );
    const begun = createRun({
      id: "run-2",
      checklist: withDecision,
      source: { hash: "h" },
      params: { ticket: "acme/ops#3" },
      channel: "C1",
      owner: "U_ALICE",
      buddy: "U_BOB",
      now: T0,
      priorRuns: [],
      dryRun: false,
    });
    if (!begun.ok) throw new Error(begun.refusal.message);
    const run = play(begun.run, [
      { type: "start_step", stepId: "change", by: "U_ALICE" },
      { type: "complete_step", stepId: "change", by: "U_ALICE" },
    ]);
    const closed = acceptedOf(
      applyEvent(
        run,
        { type: "decide", stepId: "go", option: "roll_back", reason: "vendor pulled it", by: "U_ALICE" },
        T0,
      ),
    );
    expect(closed.run.status).toBe("rolled_back");
    expect(runProblems(closed.run)).toContain("the run was rolled back");
    expect(closed.effects.filter((e) => e.type.startsWith("tracker_"))).toEqual([
      { type: "tracker_comment", ticket: "acme/ops#3", phase: "end" },
      { type: "tracker_post_mortem" },
    ]);
  });

  it("an overrun counts as a problem", () => {
    const run = play(started({}), [
      { type: "start_step", stepId: "change", by: "U_ALICE" },
      { type: "complete_step", stepId: "change", by: "U_ALICE" },
    ]);
    // play() spaces events a minute apart: started a minute after T0, it is done at T0 + 20 minutes.
    const slow = {
      ...run,
      steps: run.steps.map((s) =>
        s.id === "change" ? { ...s, completedAt: new Date(T0.getTime() + 20 * 60_000).toISOString() } : s,
      ),
    };
    expect(runProblems(slow)).toEqual(['"Make the change for (no ticket)" overran (19m)']);
  });

  it("a dry run asks nothing of a tracker: its thread says what would have been posted where", () => {
    const result = start({ ticket: "acme/ops#3" }, undefined, true);
    if (!result.ok) throw new Error(result.refusal.message);
    expect(result.effects.some((e) => e.type.startsWith("tracker_"))).toBe(false);
    const line = result.effects.find((e) => e.type === "post_activity");
    expect(line?.type === "post_activity" && line.activity.detail).toContain(
      "comment on acme/ops#3 (GitHub)",
    );
    const run = play(result.run, [{ type: "report_problem", text: "x", by: "U_BOB" }]);
    const closed = acceptedOf(applyEvent(run, { type: "abort", reason: "done", by: "U_ALICE" }, T0));
    expect(closed.effects.some((e) => e.type.startsWith("tracker_"))).toBe(false);
    expect(JSON.stringify(closed.effects)).toContain("open the post-mortem as an issue in GitHub acme/ops");
  });

  it("a tracker's refusal is recorded once per run until a call succeeds again", () => {
    const run = started({ ticket: "acme/ops#3" });
    const refused = {
      type: "tracker_refused" as const,
      tracker: "github" as const,
      message: "GITHUB_TOKEN was refused",
      by: "preflight",
    };
    const first = acceptedOf(applyEvent(run, refused, T0));
    expect(first.effects.map((e) => e.type)).toEqual(["post_activity"]);
    expect(refusalOf(applyEvent(first.run, refused, T0)).code).toBe("already_handled");
    const cleared = acceptedOf(
      applyEvent(first.run, { type: "tracker_accepted", tracker: "github", by: "preflight" }, T0),
    );
    expect(acceptedOf(applyEvent(cleared.run, refused, T0)).run.tracker?.refused).toEqual(["github"]);
  });
});
