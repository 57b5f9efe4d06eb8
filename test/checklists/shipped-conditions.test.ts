import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parseChecklist } from "../../src/core/checklist/parse-checklist.js";
import { applyEvent } from "../../src/core/run/apply-event.js";
import { createRun } from "../../src/core/run/create-run.js";
import { planMarkdown } from "../../src/render/run-markdown.js";
import { T0 } from "../support/checklist-fixtures.js";

/** The shipped checklists use conditions, soak times and stakeholder updates as the README says. */

function shipped(id: string) {
  const result = parseChecklist(readFileSync(`checklists/${id}.yaml`, "utf8"), `checklists/${id}.yaml`);
  if (!result.ok) throw new Error(`${id} does not validate`);
  return result.checklist;
}

function runOf(id: string, params: Record<string, string>) {
  const result = createRun({
    id: "run-1",
    checklist: shipped(id),
    source: { hash: "test" },
    params,
    channel: "C_OPS",
    owner: "U_ALICE",
    buddy: "U_BOB",
    now: T0,
    priorRuns: [],
    preview: true,
  });
  if (!result.ok) throw new Error(result.refusal.message);
  return result.run;
}

const applicable = (run: ReturnType<typeof runOf>) =>
  run.steps.filter((step) => step.status !== "not_applicable").map((step) => step.id);

describe("shipped checklists", () => {
  it("zero-downtime-migration: the change picks its phases, nothing needs a skip", () => {
    expect(applicable(runOf("zero-downtime-migration", { table: "orders", change: "backfill" }))).toEqual([
      "classify-change",
      "write-deployment-order",
      "define-stop-conditions",
      "plan-rollback",
      "run-backfill",
      "reconcile-data",
      "schedule-contract",
    ]);
    const drop = applicable(runOf("zero-downtime-migration", { table: "orders", change: "drop" }));
    expect(drop.slice(4)).toEqual(["confirm-no-dependents", "final-backup", "drop-old-schema"]);
  });

  it("zero-downtime-migration: the preview names the steps that do not apply, without their details", () => {
    const preview = planMarkdown(runOf("zero-downtime-migration", { table: "orders", change: "backfill" }));
    expect(preview).toContain(
      "5. ~~Check the table size, the long transactions and the disk headroom~~ (not applicable to this run)",
    );
    expect(preview).not.toContain("ALGORITHM=INSTANT");
  });

  it("zero-downtime-migration: writing only the new shape waits a day after the read ramp", () => {
    const plan = shipped("zero-downtime-migration").phases.flatMap((phase) => phase.steps);
    expect(plan.find((step) => step.id === "deploy-new-writes-only")?.not_before).toBe(
      "24h after ramp-reads",
    );
  });

  it("invoicingdb-change: the snapshot can't be skipped when the change is destructive", () => {
    const params = { env: "qa", ticket: "INV-1" };
    const skip = { type: "skip_step" as const, stepId: "take-snapshot", reason: "additive", by: "U_ALICE" };
    const destructive = applyEvent(runOf("invoicingdb-change", { ...params, destructive: "true" }), skip, T0);
    expect(destructive.accepted || destructive.refusal.code).toBe("not_skippable");
    const additive = runOf("invoicingdb-change", { ...params, destructive: "false" });
    const snapshot = additive.plan.phases
      .flatMap((phase) => phase.steps)
      .find((s) => s.id === "take-snapshot");
    expect(snapshot?.skippable).toBe(true);
  });

  it("db-upgrade and maintenance-window tell #business-updates", () => {
    expect(shipped("db-upgrade").stakeholders).toBe("#business-updates");
    expect(shipped("maintenance-window").stakeholders).toBe("#business-updates");
  });
});
