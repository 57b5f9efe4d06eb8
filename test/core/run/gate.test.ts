import { describe, expect, it } from "vitest";
import { createRun } from "../../../src/core/run/create-run.js";
import type { PriorRun } from "../../../src/core/run/gate.js";
import { checklistFromYaml, RULES_CHECKLIST_YAML, T0 } from "../../support/checklist-fixtures.js";

/** rules-demo: prod requires a finished qa run; here with `same: [snapshot]` and the default 30 days. */
const YAML = RULES_CHECKLIST_YAML.replace(
  "prod: { requires_completed: [qa] }",
  "prod: { requires_completed: [qa], same: [snapshot] }",
);
const VERSION = "abc123def456";
const DAY = 86_400_000;

const qaRun = (overrides: Partial<PriorRun> = {}): PriorRun => ({
  checklistId: "rules-demo",
  status: "finished",
  environment: "qa",
  params: { env: "qa", snapshot: "snap-1" },
  dryRun: false,
  hash: VERSION,
  closedAt: new Date(T0.getTime() - 2 * DAY).toISOString(),
  ...overrides,
});

function startProd(priorRuns: PriorRun[], yaml = YAML) {
  return createRun({
    id: "run-prod",
    checklist: checklistFromYaml(yaml),
    source: { hash: VERSION },
    params: { env: "prod", snapshot: "snap-1" },
    channel: "C_OPS",
    owner: "U_ALICE",
    now: T0,
    priorRuns,
  });
}
const refusal = (result: ReturnType<typeof startProd>) => (result.ok ? undefined : result.refusal.message);
const NEED =
  "prod needs a finished qa run of rules-demo version abc123def456 with the same snapshot within 30 days";

describe("the prod gate", () => {
  it("opens for a finished real qa run of the same version with the same parameters, within 30 days", () => {
    expect(startProd([qaRun()])).toMatchObject({ ok: true, run: { status: "active", environment: "prod" } });
  });

  it("stays shut after a qa dry run, saying so", () => {
    expect(refusal(startProd([qaRun({ dryRun: true })]))).toMatch(
      `${NEED}; the last qa run was a dry run. Run it in qa first`,
    );
  });

  it("never counts a qa run stored before rehearsals were told apart", () => {
    const { dryRun: _, ...unknown } = qaRun();
    expect(refusal(startProd([unknown]))).toContain("the last qa run was a dry run");
  });

  it("stays shut after a qa run of another version of the checklist", () => {
    expect(refusal(startProd([qaRun({ hash: "000000000000" })]))).toContain(
      `${NEED}; the last qa run used another version (000000000000, not abc123def456)`,
    );
  });

  it("stays shut when the qa run is older than `within`", () => {
    const old = qaRun({ closedAt: new Date(T0.getTime() - 41 * DAY).toISOString() });
    expect(refusal(startProd([old]))).toContain(`${NEED}; the last qa run finished 41 days ago`);
    const weekly = YAML.replace("same: [snapshot] }", "same: [snapshot], within: 7d }");
    const fiveDays = qaRun({ closedAt: new Date(T0.getTime() - 5 * DAY).toISOString() });
    expect(startProd([fiveDays], weekly).ok).toBe(true);
    const eightDays = qaRun({ closedAt: new Date(T0.getTime() - 8 * DAY).toISOString() });
    expect(refusal(startProd([eightDays], weekly))).toContain(
      "within 7 days; the last qa run finished 8 days ago",
    );
  });

  it("stays shut for other `same:` parameters, an aborted run, or none at all", () => {
    expect(refusal(startProd([qaRun({ params: { env: "qa", snapshot: "snap-2" } })]))).toContain(
      "the last qa run had another snapshot",
    );
    expect(refusal(startProd([qaRun({ status: "aborted" })]))).toContain(
      "the last qa run was aborted, not finished",
    );
    expect(refusal(startProd([]))).toContain(`${NEED}; there is no qa run of rules-demo yet`);
  });

  it("names every gap of the latest qa run, and any qualifying run opens it", () => {
    const latest = qaRun({ dryRun: true, hash: "zzz", closedAt: new Date(T0.getTime() - DAY).toISOString() });
    expect(refusal(startProd([qaRun({ status: "aborted" }), latest]))).toContain(
      "the last qa run was a dry run and used another version (zzz, not abc123def456)",
    );
    expect(startProd([latest, qaRun()]).ok).toBe(true);
  });

  it("tells how to start anyway in an emergency", () => {
    expect(refusal(startProd([]))).toContain('start it with override="reason": a teammate must approve it');
  });
});
