import { describe, expect, it } from "vitest";
import { parseChecklist } from "../../../src/core/checklist/parse-checklist.js";
import { applyEvent } from "../../../src/core/run/apply-event.js";
import type { Effect } from "../../../src/core/run/effects.js";
import { PREFLIGHT_USER } from "../../../src/core/run/run-schema.js";
import { findStep, type LocatedStep } from "../../../src/core/run/step-rules.js";
import { focusStepText } from "../../../src/slack/render/step-focus.js";
import { newRun, T0 } from "../../support/checklist-fixtures.js";
import { acceptedOf, play, refusalOf } from "../../support/run-play.js";

const ALICE = "U_ALICE";
const BOB = "U_BOB";

const CHECKS = `
id: checks
title: Checks
summary: A count written down by hand, then compared by a machine
parameters:
  env: { type: enum, values: [qa, prod], default: qa }
phases:
  - id: only
    title: Only
    steps:
      - id: count
        title: Count the tables
        verify: true
        record:
          tables: { type: integer, label: Tables in invoicing }
          note: { type: string, optional: true }
      - id: compare
        title: Compare
        action:
          type: sql.check
          connection: "invoicing-{{env}}"
          query: SELECT COUNT(*) AS tables FROM information_schema.tables
          expect: { columns: { tables: "{{steps.count.tables}}" } }
      - id: site
        title: Site is up
        action: { type: http.check, url: "https://example.com/", expect: { status: 200 } }
rules:
  environment: env
  environments:
    prod: { protected: true }
`;

const runAction = (effects: readonly Effect[]) =>
  effects.find((e): e is Extract<Effect, { type: "run_action" }> => e.type === "run_action");

describe("recorded values", () => {
  it("a step that records values is not done without them, nor with a word where a number belongs", () => {
    const run = newRun({}, CHECKS);
    const missing = refusalOf(applyEvent(run, { type: "complete_step", stepId: "count", by: ALICE }, T0));
    expect(missing).toEqual({
      code: "incomplete",
      message:
        '"Count the tables" was not completed: Tables in invoicing is missing. It asks for Tables in invoicing (integer), note (string, optional).',
    });
    const word = refusalOf(
      applyEvent(
        run,
        { type: "complete_step", stepId: "count", values: { tables: "twelve" }, by: ALICE },
        T0,
      ),
    );
    expect(word.message).toContain('Tables in invoicing must be a whole number such as 42 (got "twelve")');
  });

  it("are kept on the step, shown to the verifier, and compared by a later check", () => {
    const run = play(newRun({}, CHECKS), [
      { type: "complete_step", stepId: "count", values: { tables: "1,204" }, by: ALICE },
    ]);
    expect(run.steps[0]).toMatchObject({ status: "awaiting_verification", results: { tables: "1204" } });
    expect(run.history.at(-1)?.detail).toBe("tables=1204");
    const text = focusStepText(run, findStep(run, "count") as LocatedStep, [], T0, false);
    expect(text).toContain("waiting for a teammate to verify · tables=1204");
    const verified = play(run, [{ type: "verify_step", stepId: "count", by: BOB }]);
    const started = acceptedOf(
      applyEvent(verified, { type: "start_step", stepId: "compare", by: ALICE }, T0),
    );
    expect(runAction(started.effects)?.action).toMatchObject({
      type: "sql.check",
      connection: "invoicing-qa",
      expect: { columns: { tables: "1204" } },
    });
  });
});

describe("automated checks in the run", () => {
  it("only read, so they start at once in a protected environment (no approval)", () => {
    const run = play(newRun({ params: { env: "prod" } }, CHECKS), [
      { type: "complete_step", stepId: "count", values: { tables: "3" }, by: ALICE },
      { type: "verify_step", stepId: "count", by: BOB },
    ]);
    const started = acceptedOf(applyEvent(run, { type: "start_step", stepId: "compare", by: ALICE }, T0));
    expect(started.run.steps[1]?.status).toBe("running");
    expect(started.effects.map((e) => e.type)).not.toContain("request_approval");
    expect(runAction(started.effects)).toMatchObject({
      dryRun: false,
      action: { connection: "invoicing-prod" },
    });
  });

  it("a failed check keeps what it saw on the step; a retry starts clean", () => {
    const run = play(newRun({}, CHECKS), [
      { type: "complete_step", stepId: "count", values: { tables: "3" }, by: ALICE },
      { type: "verify_step", stepId: "count", by: BOB },
      { type: "start_step", stepId: "compare", by: ALICE },
    ]);
    const check = {
      kind: "sql" as const,
      target: "mysql db/invoicing: SELECT …",
      columns: ["tables"],
      rows: [["4"]],
      rowCount: 1,
      outcomes: [{ ok: false, text: "tables: expected 3, found 4" }],
    };
    const failed = play(run, [
      {
        type: "action_failed",
        stepId: "compare",
        error: "tables: expected 3, found 4",
        results: { rows: "1" },
        check,
        by: PREFLIGHT_USER,
      },
    ]);
    expect(failed.steps[1]).toMatchObject({
      status: "failed",
      failure: "tables: expected 3, found 4",
      check,
    });
    const text = focusStepText(failed, findStep(failed, "compare") as LocatedStep, [], T0, false);
    expect(text).toContain("failed: tables: expected 3, found 4");
    expect(text).toContain("✘ tables: expected 3, found 4");
    expect(text).toContain("```\ntables\n------\n4\n```");
    const retried = play(failed, [{ type: "start_step", stepId: "compare", by: ALICE }]);
    expect(retried.steps[1]).toMatchObject({ status: "running", failure: undefined, check: undefined });
  });
});

describe("checklist validation of checks", () => {
  const withQuery = (query: string) =>
    CHECKS.replace("SELECT COUNT(*) AS tables FROM information_schema.tables", query);
  it("refuses a sql.check whose query writes, when the checklist is loaded", () => {
    const result = parseChecklist(withQuery("DELETE FROM invoices"), "checks.yaml");
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems.map((p) => `${p.path}: ${p.message}`)).toContain(
      'phases[0].steps[1].action.query: a check only reads, and "DELETE" is not a read: write one SELECT, SHOW, EXPLAIN, DESCRIBE or WITH … SELECT statement',
    );
  });
  it("refuses record: on an automated step", () => {
    const result = parseChecklist(
      CHECKS.replace(
        "        title: Site is up\n",
        "        title: Site is up\n        record: { x: { type: string } }\n",
      ),
      "checks.yaml",
    );
    expect(result.ok || result.problems.map((p) => p.message).join("\n")).toContain("on manual steps only");
  });
});

describe("the manual fallback of a check", () => {
  it("a check step may be done by hand before it runs or after it failed, not while it runs", () => {
    const base = play(newRun({}, CHECKS), [
      { type: "complete_step", stepId: "count", values: { tables: "3" }, by: ALICE },
      { type: "verify_step", stepId: "count", by: BOB },
    ]);
    const byHand = play(base, [{ type: "complete_step", stepId: "compare", by: ALICE }]);
    expect(byHand.steps[1]?.status).toBe("done");
    const running = play(base, [{ type: "start_step", stepId: "compare", by: ALICE }]);
    expect(
      refusalOf(applyEvent(running, { type: "complete_step", stepId: "compare", by: ALICE }, T0)).code,
    ).toBe("automated");
    const failed = play(running, [
      { type: "action_failed", stepId: "compare", error: "tables: expected 3, found 4", by: PREFLIGHT_USER },
      { type: "complete_step", stepId: "compare", by: ALICE },
    ]);
    expect(failed.steps[1]).toMatchObject({ status: "done", failure: undefined, completedBy: ALICE });
    expect(failed.history.map((a) => a.type)).toContain("action_failed");
  });
});
