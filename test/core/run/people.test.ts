import { describe, expect, it } from "vitest";
import { applyEvent } from "../../../src/core/run/apply-event.js";
import { createRun } from "../../../src/core/run/create-run.js";
import { groupsNamedIn, upNext } from "../../../src/core/run/people.js";
import { mayChangePeople, type PeopleChange } from "../../../src/core/run/people-events.js";
import type { Run, RunEvent } from "../../../src/core/run/run-schema.js";
import { assignedTo, waitingFor } from "../../../src/core/run/waiting-for.js";
import {
  checklistFromYaml,
  minutesAfter,
  newRun,
  RULES_CHECKLIST_YAML,
  T0,
} from "../../support/checklist-fixtures.js";
import { acceptedOf as accepted, play, refusalOf } from "../../support/run-play.js";

/** Assignees, user groups, the buddy a protected environment needs, hand-over and evidence. */

const ALICE = "U_ALICE"; // owner
const BOB = "U_BOB"; // buddy
const CAROL = "U_CAROL"; // a member of the DBA group
const DAVE = "U_DAVE"; // not a member
const DBA = "SDBA";

const acceptedOf = (decision: ReturnType<typeof applyEvent>) => accepted(decision).run;
const LATER = minutesAfter(T0, 5);
const apply = (run: Run, event: RunEvent) => applyEvent(run, event, LATER);
const assignedYaml = (assignee: string) =>
  RULES_CHECKLIST_YAML.replace(
    "      - id: announce\n        title: Announce the window\n",
    `      - id: announce\n        title: Announce the window\n        assignee: ${assignee}\n`,
  );
const withRules = (rules: string) => RULES_CHECKLIST_YAML.replace("rules:\n", `rules:\n${rules}`);

describe("a step assigned to a user group", () => {
  const run = newRun({}, assignedYaml(DBA));

  it("is completed by a member of the group", () => {
    const next = acceptedOf(
      apply(run, { type: "complete_step", stepId: "announce", by: CAROL, groups: [DBA] }),
    );
    expect(next.steps[0]?.completedBy).toBe(CAROL);
  });

  it("is completed by the run's owner, who stays responsible", () => {
    acceptedOf(apply(run, { type: "complete_step", stepId: "announce", by: ALICE }));
  });

  it("is refused to a non-member, even the buddy, naming who may", () => {
    for (const by of [DAVE, BOB]) {
      expect(refusalOf(apply(run, { type: "start_step", stepId: "announce", by, groups: [] }))).toEqual({
        code: "not_assignee",
        message:
          '"Announce the window" is assigned to members of <!subteam^SDBA>: only they or the run\'s owner <@U_ALICE> may start it.',
      });
    }
  });

  it("is named among the groups whose members the service looks up", () => {
    expect(groupsNamedIn(run)).toEqual([DBA]);
  });
});

describe("a step assigned to the buddy", () => {
  it("follows the buddy: a new buddy may do it, the old one may not", () => {
    const run = newRun({}, assignedYaml("buddy"));
    acceptedOf(apply(run, { type: "start_step", stepId: "announce", by: BOB }));
    const changed = acceptedOf(apply(run, { type: "set_buddy", to: DAVE, by: ALICE }));
    expect(refusalOf(apply(changed, { type: "start_step", stepId: "announce", by: BOB })).code).toBe(
      "not_assignee",
    );
    acceptedOf(apply(changed, { type: "start_step", stepId: "announce", by: DAVE }));
  });

  it("can be reassigned by the owner or buddy, not by others", () => {
    const run = newRun({}, assignedYaml("buddy"));
    expect(
      refusalOf(apply(run, { type: "reassign_step", stepId: "announce", to: CAROL, by: DAVE })).code,
    ).toBe("not_permitted");
    const moved = acceptedOf(apply(run, { type: "reassign_step", stepId: "announce", to: CAROL, by: BOB }));
    acceptedOf(apply(moved, { type: "complete_step", stepId: "announce", by: CAROL }));
    expect(refusalOf(apply(moved, { type: "complete_step", stepId: "announce", by: BOB })).code).toBe(
      "not_assignee",
    );
  });
});

const toVerification = (run: Run) =>
  play(
    run,
    ["announce", "snapshot", "change"].map((stepId) => ({ type: "complete_step", stepId, by: ALICE })),
  );

describe("verifier groups", () => {
  const waiting = (yamlRules: string) => {
    return toVerification(newRun({}, withRules(yamlRules)));
  };

  it("let a member verify and refuse anyone else, naming the group", () => {
    const run = waiting(`  verifiers: [${DBA}]\n`);
    acceptedOf(apply(run, { type: "verify_step", stepId: "change", by: CAROL, groups: [DBA] }));
    expect(refusalOf(apply(run, { type: "verify_step", stepId: "change", by: BOB, groups: [] }))).toEqual({
      code: "not_verifier",
      message: 'Only members of <!subteam^SDBA> may verify "Apply the change".',
    });
  });

  it("may be named per environment", () => {
    const yaml = RULES_CHECKLIST_YAML.replace(
      "    prod: { requires_completed: [qa] }",
      `    prod: { requires_completed: [qa] }\n    qa: { verifiers: [${DBA}] }`,
    );
    const run = toVerification(newRun({}, yaml));
    expect(refusalOf(apply(run, { type: "verify_step", stepId: "change", by: BOB })).code).toBe(
      "not_verifier",
    );
    acceptedOf(apply(run, { type: "verify_step", stepId: "change", by: CAROL, groups: [DBA] }));
  });
});

describe("starters", () => {
  const checklist = checklistFromYaml(withRules(`  starters: [${DBA}]\n`));
  const start = (owner: string, ownerGroups: string[]) =>
    createRun({
      id: "r",
      checklist,
      source: { hash: "h" },
      params: {},
      channel: "C",
      owner,
      now: T0,
      priorRuns: [],
      ownerGroups,
    });

  it("may be a user group: members start, others are told who may", () => {
    expect(start(CAROL, [DBA]).ok).toBe(true);
    const refused = start(DAVE, []);
    expect(refused.ok || refused.refusal.message).toBe(
      "only members of <!subteam^SDBA> may start rules-demo",
    );
  });
});

describe("a protected environment with buddy_required", () => {
  const checklist = checklistFromYaml(
    RULES_CHECKLIST_YAML.replace(
      "    prod: { requires_completed: [qa] }",
      "    prod: { buddy_required: true }",
    ),
  );
  const start = (buddy?: string) =>
    createRun({
      id: "r",
      checklist,
      source: { hash: "h" },
      params: { env: "prod" },
      channel: "C",
      owner: ALICE,
      now: T0,
      priorRuns: [],
      ...(buddy ? { buddy } : {}),
    });

  it("refuses a start without a buddy, saying how to name one", () => {
    const refused = start();
    expect(refused.ok ? undefined : refused.refusal).toEqual({
      code: "buddy_required",
      message:
        "prod is protected: a run of rules-demo there needs a buddy. Name one with buddy=@teammate (the start form asks for one).",
    });
    expect(start(BOB).ok).toBe(true);
  });

  it("refuses a user group as the buddy", () => {
    const refused = start(DBA);
    expect(refused.ok ? "" : refused.refusal.message).toMatch(/^a buddy is one person, not a user group/);
  });
});

describe("hand-over", () => {
  it("changes who may finish: the new owner may, the old owner becomes buddy-less", () => {
    const run = newRun({ buddy: undefined });
    const handed = acceptedOf(apply(run, { type: "hand_over", to: DAVE, by: ALICE }));
    expect(handed.owner).toBe(DAVE);
    expect(refusalOf(apply(handed, { type: "abort", reason: "x", by: ALICE })).code).toBe("not_permitted");
    acceptedOf(apply(handed, { type: "abort", reason: "x", by: DAVE }));
  });

  it("is refused to a group", () => {
    expect(refusalOf(apply(newRun(), { type: "hand_over", to: DBA, by: ALICE })).code).toBe("not_permitted");
  });
});

describe("who may open a people form (before it says to whom)", () => {
  const changes: [PeopleChange, RunEvent][] = [
    ["hand_over", { type: "hand_over", to: CAROL, by: DAVE }],
    ["set_buddy", { type: "set_buddy", to: CAROL, by: DAVE }],
    ["reassign_step", { type: "reassign_step", stepId: "announce", to: CAROL, by: DAVE }],
  ];

  it("gives the refusal the event itself gets, naming who may; the owner and buddy may", () => {
    const run = newRun();
    for (const [change, event] of changes) {
      const permission = mayChangePeople(run, change, DAVE);
      expect(permission).toEqual({ allowed: false, refusal: refusalOf(apply(run, event)) });
      expect(permission.allowed ? "" : permission.refusal.message).toMatch(
        /^Only the run's owner <@U_ALICE> or buddy <@U_BOB> may /,
      );
      expect(mayChangePeople(run, change, ALICE)).toEqual({ allowed: true });
      expect(mayChangePeople(run, change, BOB)).toEqual({ allowed: true });
    }
  });

  it("follows a hand-over, and is refused to everyone once the run is closed", () => {
    const handed = acceptedOf(
      apply(newRun({ buddy: undefined }), { type: "hand_over", to: DAVE, by: ALICE }),
    );
    expect(mayChangePeople(handed, "set_buddy", DAVE)).toEqual({ allowed: true });
    expect(mayChangePeople(handed, "set_buddy", ALICE).allowed).toBe(false);
    const aborted = acceptedOf(apply(handed, { type: "abort", reason: "called off", by: DAVE }));
    for (const [change, event] of changes) {
      const permission = mayChangePeople(aborted, change, DAVE);
      expect(permission).toEqual({
        allowed: false,
        refusal: refusalOf(apply(aborted, { ...event, by: DAVE })),
      });
      expect(permission.allowed ? undefined : permission.refusal.code).toBe("closed");
    }
  });
});

describe("evidence from the thread", () => {
  it("is attached to the step that was running, with its files", () => {
    const run = acceptedOf(apply(newRun(), { type: "start_step", stepId: "announce", by: ALICE }));
    const noted = acceptedOf(
      apply(run, {
        type: "add_note",
        text: "screenshot",
        source: "thread",
        evidence: true,
        files: [{ name: "grafana.png", permalink: "https://example.slack.com/files/F1" }],
        by: BOB,
      }),
    );
    expect(noted.notes.at(-1)).toMatchObject({
      stepId: "announce",
      files: [{ name: "grafana.png", permalink: "https://example.slack.com/files/F1" }],
    });
  });
});

describe("what a run waits for from one person (their Home tab)", () => {
  const yaml = assignedYaml(DBA).replace("rules:\n", "rules:\n  verifiers: [SVERIFY]\n");

  it("lists a pending verification for a member of the verifier group only", () => {
    const run = toVerification(newRun({}, yaml));
    expect(waitingFor(run, CAROL, ["SVERIFY"]).map((s) => s.plan.id)).toEqual(["change"]);
    expect(waitingFor(run, BOB, [])).toEqual([]);
    // The completer never verifies their own step, even as a member.
    expect(waitingFor(run, ALICE, ["SVERIFY"])).toEqual([]);
  });

  it("without named verifiers, asks the owner and buddy (not whoever completed it)", () => {
    const run = toVerification(newRun());
    expect(waitingFor(run, BOB).map((s) => s.plan.id)).toEqual(["change"]);
    expect(waitingFor(run, DAVE)).toEqual([]);
  });

  it("lists steps assigned to a person through a group, and says whose turn it is", () => {
    const run = newRun({}, yaml);
    expect(assignedTo(run, CAROL, [DBA]).map((s) => s.plan.id)).toEqual(["announce"]);
    expect(assignedTo(run, DAVE, [])).toEqual([]);
    expect(upNext(run).map(({ located, assignee }) => [located.plan.id, assignee])).toEqual([
      ["announce", DBA],
    ]);
  });
});

describe("a buddy or a new owner is a person", () => {
  const notPeople: [string, boolean | undefined][] = [
    ["USLACKBOT", undefined],
    ["B012BOT", undefined],
    [DAVE, false],
  ];

  it.each(notPeople)("a run is not started with %s (person: %s) as its buddy", (buddy, isPerson) => {
    expect(() => newRun({ buddy, ...(isPerson === undefined ? {} : { buddyIsPerson: isPerson }) })).toThrow(
      "your buddy must be a teammate who works the run with you, not a bot or a deactivated account",
    );
  });

  it.each(notPeople)(
    "the buddy is not changed to %s (person: %s), nor the run handed to them",
    (to, isPerson) => {
      const run = newRun();
      const toIsPerson = isPerson === undefined ? {} : { toIsPerson: isPerson };
      expect(refusalOf(apply(run, { type: "set_buddy", to, by: ALICE, ...toIsPerson }))).toMatchObject({
        code: "not_permitted",
        message: expect.stringContaining("is not a person who can work the run"),
      });
      expect(refusalOf(apply(run, { type: "hand_over", to, by: ALICE, ...toIsPerson }))).toMatchObject({
        code: "not_permitted",
        message: expect.stringContaining("is not a person who can own the run"),
      });
    },
  );

  it("a person Slack vouches for, or one it could not be asked about, is taken", () => {
    expect(newRun({ buddy: DAVE, buddyIsPerson: true }).buddy).toBe(DAVE);
    acceptedOf(apply(newRun(), { type: "set_buddy", to: DAVE, by: ALICE }));
    acceptedOf(apply(newRun(), { type: "hand_over", to: DAVE, by: ALICE, toIsPerson: true }));
  });
});
