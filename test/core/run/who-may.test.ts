import { describe, expect, it } from "vitest";
import { applyEvent } from "../../../src/core/run/apply-event.js";
import { PREFLIGHT_USER, type Run, type RunEvent } from "../../../src/core/run/run-schema.js";
import { minutesAfter, newRun, RULES_CHECKLIST_YAML, T0 } from "../../support/checklist-fixtures.js";
import { acceptedOf, play, refusalOf } from "../../support/run-play.js";
import { UPGRADE_YAML } from "../../support/summary-fixtures.js";

/** One test per cell of the README's "Who may do what" table. */

const ALICE = "U_ALICE"; // owner
const BOB = "U_BOB"; // buddy
const CAROL = "U_CAROL"; // a teammate in the channel
const DAVE = "U_DAVE";

const LATER = minutesAfter(T0, 100);
const apply = (run: Run, event: RunEvent) => applyEvent(run, event, LATER);

const withRules = (rules: string) => RULES_CHECKLIST_YAML.replace("rules:\n", `rules:\n${rules}`);
const DELETING_YAML = RULES_CHECKLIST_YAML.replace(
  "    text: Delete snapshot {{snapshot}}\n",
  '    text: Delete snapshot {{snapshot}}\n    action: { type: rds.delete_snapshot, target: instance, snapshot: "{{snapshot}}" }\n',
);

const start = (stepId: string, by: string): RunEvent => ({ type: "start_step", stepId, by });
const done = (stepId: string, by: string): RunEvent => ({ type: "complete_step", stepId, by });
const skip = (stepId: string, by: string): RunEvent => ({
  type: "skip_step",
  stepId,
  reason: "not needed",
  by,
});

const NOT_OPEN =
  "Only the run's owner <@U_ALICE> or buddy <@U_BOB> may start steps of this run; the checklist does not open steps to the channel.";

describe("starting, completing and skipping steps", () => {
  it("are the owner's and the buddy's", () => {
    acceptedOf(apply(newRun(), start("announce", ALICE)));
    acceptedOf(apply(newRun(), done("announce", BOB)));
    acceptedOf(apply(newRun(), skip("announce", BOB)));
  });

  it("are refused to anyone else, saying who may", () => {
    expect(refusalOf(apply(newRun(), start("announce", CAROL)))).toEqual({
      code: "not_permitted",
      message: NOT_OPEN,
    });
    expect(refusalOf(apply(newRun(), done("announce", CAROL))).message).toBe(
      NOT_OPEN.replace("may start", "may complete"),
    );
    expect(refusalOf(apply(newRun(), skip("announce", CAROL))).message).toBe(
      NOT_OPEN.replace("may start", "may skip"),
    );
  });

  it("without a buddy, name the owner alone", () => {
    const run = newRun({ buddy: undefined });
    expect(refusalOf(apply(run, start("announce", CAROL))).message).toBe(
      "Only the run's owner <@U_ALICE> may start steps of this run; the checklist does not open steps to the channel.",
    );
  });

  it("are open to anyone in the channel with participants: channel", () => {
    const run = newRun({}, withRules("  participants: channel\n"));
    acceptedOf(apply(run, start("announce", CAROL)));
    acceptedOf(apply(run, done("announce", CAROL)));
    acceptedOf(apply(run, skip("announce", CAROL)));
  });

  it("are open to the people the checklist names, and to nobody else", () => {
    const run = newRun({}, withRules("  participants: [UCAROL]\n"));
    acceptedOf(apply(run, start("announce", "UCAROL")));
    expect(refusalOf(apply(run, done("announce", DAVE))).message).toBe(
      "Only the run's owner <@U_ALICE> or buddy <@U_BOB>, or <@UCAROL> (named in the checklist's participants) may complete steps of this run.",
    );
  });

  it("a step is skipped when its turn comes, not before", () => {
    expect(refusalOf(apply(newRun(), skip("notify", ALICE)))).toMatchObject({
      code: "out_of_order",
      message: '"Notify the business" can\'t start yet: "Smoke test" comes first and is not started.',
    });
  });
});

describe("verifying", () => {
  const completed = () =>
    play(newRun(), [
      done("announce", ALICE),
      start("snapshot", ALICE),
      done("snapshot", ALICE),
      done("change", BOB),
    ]);

  it("is open to any teammate but the one who completed the step", () => {
    acceptedOf(apply(completed(), { type: "verify_step", stepId: "change", by: CAROL }));
    expect(refusalOf(apply(completed(), { type: "verify_step", stepId: "change", by: BOB })).code).toBe(
      "self_verification",
    );
  });

  it("is only the named verifiers' when the checklist names them", () => {
    const run = newRun({}, withRules("  verifiers: [UDAVE]\n"));
    const waiting = play(run, [
      done("announce", ALICE),
      start("snapshot", ALICE),
      done("snapshot", ALICE),
      done("change", BOB),
    ]);
    expect(refusalOf(apply(waiting, { type: "verify_step", stepId: "change", by: CAROL })).message).toBe(
      'Only <@UDAVE> may verify "Apply the change".',
    );
    acceptedOf(apply(waiting, { type: "verify_step", stepId: "change", by: "UDAVE" }));
  });
});

describe("approving a change in a protected environment", () => {
  const waiting = (yaml = UPGRADE_YAML) =>
    play(newRun({}, yaml), [
      done("announce", ALICE),
      start("snapshot", ALICE),
      { type: "action_succeeded", stepId: "snapshot", results: { id: "snap-1" }, by: PREFLIGHT_USER },
      done("maintenance-on", ALICE),
      start("upgrade", ALICE),
    ]);
  const approve = (by: string): RunEvent => ({ type: "approve_step", stepId: "upgrade", by });

  it("is open to anyone but the person who asked for it", () => {
    expect(refusalOf(apply(waiting(), approve(ALICE))).code).toBe("self_approval");
    acceptedOf(apply(waiting(), approve(CAROL)));
  });

  it("is only the named verifiers' when the checklist names them", () => {
    const named = waiting(UPGRADE_YAML.replace("rules:\n", "rules:\n  verifiers: [UDAVE]\n"));
    expect(refusalOf(apply(named, approve(CAROL))).message).toBe(
      'Only <@UDAVE> may approve "Upgrade orders-prod to MySQL 8.0".',
    );
    acceptedOf(apply(named, approve("UDAVE")));
  });
});

describe("reporting problems and adding notes", () => {
  it("are open to anyone in the channel", () => {
    acceptedOf(apply(newRun(), { type: "report_problem", stepId: "announce", text: "slow", by: DAVE }));
    acceptedOf(
      apply(newRun(), { type: "add_note", stepId: "announce", text: "hi", source: "button", by: DAVE }),
    );
  });
});

describe("resolving a problem", () => {
  const withProblem = () =>
    play(newRun(), [{ type: "report_problem", stepId: "announce", text: "slow", by: CAROL }]);
  const resolve = (by: string): RunEvent => ({
    type: "resolve_problem",
    problemId: "p1",
    resolution: "fine",
    by,
  });

  it("is for whoever reported it, the owner or the buddy", () => {
    acceptedOf(apply(withProblem(), resolve(CAROL)));
    acceptedOf(apply(withProblem(), resolve(ALICE)));
    acceptedOf(apply(withProblem(), resolve(BOB)));
  });

  it("is refused to anyone else, saying who may", () => {
    expect(refusalOf(apply(withProblem(), resolve(DAVE)))).toEqual({
      code: "not_permitted",
      message:
        "Only <@U_CAROL> (who reported it), the run's owner <@U_ALICE> or buddy <@U_BOB> may resolve this problem.",
    });
  });

  it("is refused the second time, naming who resolved it", () => {
    const resolved = play(withProblem(), [resolve(ALICE)]);
    expect(refusalOf(apply(resolved, resolve(BOB))).message).toBe(
      "That problem was already resolved by <@U_ALICE>.",
    );
  });
});

describe("handing over, aborting and finishing", () => {
  const finishable = () =>
    play(newRun(), [
      done("announce", ALICE),
      start("snapshot", ALICE),
      done("snapshot", ALICE),
      done("change", ALICE),
      { type: "verify_step", stepId: "change", by: BOB },
      done("warm-cache", ALICE),
      done("smoke-test", ALICE),
      done("notify", ALICE),
    ]);

  it("are the owner's and the buddy's", () => {
    acceptedOf(apply(newRun(), { type: "hand_over", to: CAROL, by: BOB }));
    acceptedOf(apply(newRun(), { type: "abort", reason: "window moved", by: BOB }));
    acceptedOf(apply(finishable(), { type: "finish", by: BOB }));
  });

  it("are refused to anyone else, even with participants: channel", () => {
    const open = newRun({}, withRules("  participants: channel\n"));
    expect(refusalOf(apply(open, { type: "hand_over", to: CAROL, by: CAROL })).message).toBe(
      "Only the run's owner <@U_ALICE> or buddy <@U_BOB> may hand it over.",
    );
    expect(refusalOf(apply(open, { type: "abort", reason: "no", by: CAROL })).message).toBe(
      "Only the run's owner <@U_ALICE> or buddy <@U_BOB> may abort it.",
    );
    expect(refusalOf(apply(finishable(), { type: "finish", by: CAROL })).message).toBe(
      "Only the run's owner <@U_ALICE> or buddy <@U_BOB> may finish it.",
    );
  });
});

/** The run with its snapshot step done: the delete-snapshot reminder is scheduled on it. */
function withReminder(yaml = RULES_CHECKLIST_YAML): Run {
  return play(newRun({}, yaml), [done("announce", ALICE), start("snapshot", ALICE), done("snapshot", ALICE)]);
}
const KEY = "run-1.delete-snapshot.0";

describe("handling a reminder", () => {
  it("is open to anyone, and the first click wins, naming who handled it and when", () => {
    const run = withReminder();
    const handled = acceptedOf(
      apply(run, { type: "reminder_handled", key: KEY, outcome: "done", by: DAVE }),
    ).run;
    expect(handled.reminders[KEY]?.handled).toEqual({ by: DAVE, at: LATER.toISOString(), outcome: "done" });
    expect(
      refusalOf(apply(handled, { type: "reminder_handled", key: KEY, outcome: "done", by: CAROL })),
    ).toEqual({
      code: "already_handled",
      message: "<@U_DAVE> already marked this reminder done (2026-11-20 10:40 UTC).",
    });
  });

  it("a snooze is decided by the engine, which then schedules the next occurrence once", () => {
    const until = minutesAfter(LATER, 24 * 60).toISOString();
    const decision = acceptedOf(
      apply(withReminder(), { type: "reminder_handled", key: KEY, outcome: "snoozed", until, by: CAROL }),
    );
    const scheduled = decision.effects.filter((e) => e.type === "schedule_reminder");
    expect(scheduled).toEqual([
      {
        type: "schedule_reminder",
        reminder: expect.objectContaining({ key: "run-1.delete-snapshot.1", occurrence: 1, dueAt: until }),
      },
    ]);
    expect(decision.run.reminders["run-1.delete-snapshot.1"]).toMatchObject({ dueAt: until });
    expect(
      refusalOf(apply(decision.run, { type: "reminder_handled", key: KEY, outcome: "done", by: ALICE }))
        .message,
    ).toBe("<@U_CAROL> already snoozed this reminder (2026-11-20 10:40 UTC) until 2026-11-21 10:40 UTC.");
  });

  it("a key every object has (constructor, toString, __proto__) names no reminder: refused, nothing written", () => {
    const run = withReminder();
    for (const key of ["constructor", "toString", "__proto__"]) {
      const until = minutesAfter(LATER, 60).toISOString();
      for (const event of [
        { type: "reminder_handled" as const, key, outcome: "done" as const, by: DAVE },
        { type: "reminder_handled" as const, key, outcome: "snoozed" as const, until, by: DAVE },
      ])
        expect(refusalOf(apply(run, event)).code).toBe("unknown_reminder");
    }
  });

  it("a snooze into the past is refused", () => {
    const until = minutesAfter(LATER, -1).toISOString();
    expect(
      refusalOf(
        apply(withReminder(), { type: "reminder_handled", key: KEY, outcome: "snoozed", until, by: CAROL }),
      ).code,
    ).toBe("reason_required");
  });

  it("a reminder the run does not know is refused without writing anything", () => {
    expect(
      refusalOf(
        apply(withReminder(), {
          type: "reminder_handled",
          key: "run-1.forged.0",
          outcome: "done",
          by: CAROL,
        }),
      ),
    ).toMatchObject({ code: "unknown_reminder" });
  });

  it("is still accepted after the run closed", () => {
    const aborted = play(withReminder(), [{ type: "abort", reason: "moved", by: ALICE }]);
    acceptedOf(apply(aborted, { type: "reminder_handled", key: KEY, outcome: "done", by: CAROL }));
  });

  it("aborting cancels reminders not kept on abort, and a cancelled one can't be handled", () => {
    const run = withReminder(
      RULES_CHECKLIST_YAML.replace(
        "reminders:\n",
        "reminders:\n  - id: graphs\n    on: run.started\n    after: 1h\n    text: Check the graphs\n",
      ),
    );
    const aborted = play(run, [{ type: "abort", reason: "moved", by: ALICE }]);
    expect(aborted.reminders["run-1.graphs.0"]?.cancelledAt).toBeDefined();
    expect(aborted.reminders[KEY]?.cancelledAt).toBeUndefined();
    expect(
      refusalOf(
        apply(aborted, { type: "reminder_handled", key: "run-1.graphs.0", outcome: "done", by: ALICE }),
      ).code,
    ).toBe("wrong_state");
  });
});

describe("deleting a snapshot from a reminder", () => {
  const claim = (by: string): RunEvent => ({ type: "reminder_handled", key: KEY, outcome: "action", by });

  it("is for the owner or the buddy (or the checklist's participants)", () => {
    acceptedOf(apply(withReminder(DELETING_YAML), claim(BOB)));
    expect(refusalOf(apply(withReminder(DELETING_YAML), claim(DAVE))).message).toBe(
      "Only the run's owner <@U_ALICE> or buddy <@U_BOB> may delete its snapshot; the checklist does not open steps to the channel.",
    );
  });

  it("is refused on a reminder that names no snapshot", () => {
    expect(refusalOf(apply(withReminder(), claim(ALICE))).message).toBe(
      "This reminder names no snapshot to delete; handle it by hand.",
    );
  });

  it("is recorded once, by whoever claimed the reminder for it", () => {
    const claimed = play(withReminder(DELETING_YAML), [claim(BOB)]);
    const deleted: RunEvent = {
      type: "snapshot_deleted",
      key: KEY,
      snapshot: "s-1",
      region: "eu-west-1",
      by: BOB,
    };
    expect(refusalOf(apply(claimed, { ...deleted, by: ALICE })).code).toBe("not_permitted");
    const recorded = acceptedOf(apply(claimed, deleted)).run;
    expect(recorded.reminders[KEY]?.snapshotDeleted).toEqual({
      snapshot: "s-1",
      region: "eu-west-1",
      by: BOB,
      at: LATER.toISOString(),
    });
    expect(refusalOf(apply(recorded, deleted)).code).toBe("wrong_state");
    expect(refusalOf(apply(withReminder(DELETING_YAML), deleted)).message).toBe(
      "Nobody chose Delete snapshot on this reminder.",
    );
  });
});

describe("adding follow-ups", () => {
  it("is open to anyone, also after the run closed, and needs text", () => {
    const aborted = play(newRun(), [{ type: "abort", reason: "moved", by: ALICE }]);
    const added = acceptedOf(apply(aborted, { type: "follow_up_added", text: "drill first", by: DAVE })).run;
    expect(added.followUps).toEqual([{ at: LATER.toISOString(), by: DAVE, text: "drill first" }]);
    expect(refusalOf(apply(aborted, { type: "follow_up_added", text: "  ", by: DAVE })).code).toBe(
      "reason_required",
    );
  });
});

describe("records", () => {
  it("bump the version but not the progress, so nobody's buttons go stale", () => {
    const run = withReminder();
    const after = acceptedOf(
      apply(run, { type: "reminder_posted", key: KEY, channel: "C_OPS", ts: "1.2", by: PREFLIGHT_USER }),
    ).run;
    expect(after.version).toBe(run.version + 1);
    expect(after.progress).toBe(run.progress);
    expect(after.reminders[KEY]?.posted).toEqual({ channel: "C_OPS", ts: "1.2", at: LATER.toISOString() });
  });

  it("of posts are Preflight's: a person can't write them", () => {
    const run = withReminder();
    for (const event of [
      { type: "reminder_posted", key: KEY, channel: "C_OPS", ts: "1.2", by: CAROL },
      { type: "post_failed", what: "a reminder", error: "boom", by: ALICE },
      { type: "action_failed", stepId: "snapshot", error: "boom", by: ALICE },
    ] as RunEvent[]) {
      expect(refusalOf(apply(run, event)).message).toBe(
        "Only Preflight reports what its own actions and posts did.",
      );
    }
    const failed = acceptedOf(
      apply(run, { type: "post_failed", what: "a reminder", error: "boom", by: PREFLIGHT_USER }),
    );
    expect(failed.run.postFailures).toEqual([{ at: LATER.toISOString(), what: "a reminder", error: "boom" }]);
    expect(failed.effects.map((e) => e.type)).toEqual(["post_activity"]);
  });

  it("are the only events a closed run still accepts", () => {
    const finished = play(newRun(), [{ type: "abort", reason: "moved", by: ALICE }]);
    expect(refusalOf(apply(finished, start("announce", ALICE))).code).toBe("closed");
    expect(
      refusalOf(apply(finished, { type: "add_note", text: "late", source: "thread", by: ALICE })).code,
    ).toBe("closed");
    acceptedOf(apply(finished, { type: "post_failed", what: "a nudge", error: "boom", by: PREFLIGHT_USER }));
  });
});

describe("forms opened on a run that moved on", () => {
  const running = () => play(newRun(), [start("announce", ALICE)]);

  it("a skip, a resolution or an abort is refused as stale", () => {
    const run = running();
    const opened = run.progress;
    const moved = play(run, [done("announce", ALICE)]);
    expect(refusalOf(apply(moved, { ...skip("snapshot", ALICE), expectedProgress: opened })).code).toBe(
      "stale",
    );
    expect(
      refusalOf(apply(moved, { type: "abort", reason: "x", by: ALICE, expectedProgress: opened })).code,
    ).toBe("stale");
  });

  it("a note on the step that moved on is refused; one on another step, or on the run, is kept", () => {
    const run = running();
    const opened = run.progress;
    const moved = play(run, [done("announce", ALICE)]);
    const note = (stepId?: string): RunEvent => ({
      type: "add_note",
      text: "seen",
      source: "button",
      by: CAROL,
      expectedProgress: opened,
      ...(stepId ? { stepId } : {}),
    });
    expect(refusalOf(apply(moved, note("announce")))).toEqual({
      code: "stale",
      message:
        '"Announce the window" moved on since you opened the form, so your text was not saved. Check the step, then write it again (or reply in the run\'s thread).',
    });
    acceptedOf(apply(moved, note("snapshot")));
    acceptedOf(apply(moved, note()));
    acceptedOf(
      apply(moved, {
        type: "report_problem",
        stepId: "snapshot",
        text: "x",
        by: CAROL,
        expectedProgress: opened,
      }),
    );
  });
});
