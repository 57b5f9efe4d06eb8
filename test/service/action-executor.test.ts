import { describe, expect, it } from "vitest";
import { RdsError, type RdsGateway, type RdsSnapshotState, type RdsTargetState } from "../../src/core/rds.js";
import type { RunEvent } from "../../src/core/run/run-schema.js";
import { type ActionJob, createActionExecutor } from "../../src/service/action-executor.js";

/** Unit tests: an in-process gateway and a clock that moves only when the executor sleeps. */

function harness(gateway: Partial<RdsGateway>) {
  let clock = Date.parse("2026-11-20T22:00:00Z");
  const reports: { event: RunEvent; eventId: string }[] = [];
  const executor = createActionExecutor({
    gateway: gateway as RdsGateway,
    defaultRegion: "us-east-1",
    report: async (_runId, event, eventId) => {
      reports.push({ event, eventId });
    },
    now: () => new Date(clock),
    sleep: async (ms) => {
      clock += ms;
    },
    pollMs: { first: 10_000, max: 60_000 },
  });
  const result = () => reports.find((r) => r.eventId.endsWith(".result"))?.event;
  return { executor, reports, result };
}

const instance = (status: string, engineVersion = "5.7.44"): RdsTargetState => ({
  id: "db",
  status,
  engine: "mysql",
  engineVersion,
  parameterGroup: "default.mysql5.7",
});

const job = (action: ActionJob["action"]): ActionJob => ({
  jobId: "r-1.s.action.3",
  runId: "r-1",
  stepId: "s",
  action,
  dryRun: false,
});

describe("the action executor", () => {
  it("fails a wait that outlasts its timeout, saying what it last saw", async () => {
    const h = harness({ describe: async () => instance("upgrading") });
    await h.executor.execute(
      job({
        type: "rds.wait_for_status",
        target: "instance",
        identifier: "db",
        status: "available",
        timeout: "45m",
      }),
    );
    expect(h.result()).toEqual({
      type: "action_failed",
      stepId: "s",
      error: "timed out after 45m: db is upgrading",
      by: "preflight",
    });
    // One progress report per status seen, not one per poll.
    expect(h.reports.filter((r) => r.event.type === "action_progress")).toHaveLength(1);
  });

  it("fails a check that does not match, showing expected against actual", async () => {
    const h = harness({ describe: async () => instance("available") });
    await h.executor.execute(
      job({
        type: "rds.check",
        target: "instance",
        identifier: "db",
        expect: { engine_version: "8.0.32", status: "available" },
      }),
    );
    expect(h.result()).toMatchObject({
      type: "action_failed",
      error: "db does not match: engine_version: expected 8.0.32, found 5.7.44",
    });
  });

  it("waits for a snapshot an earlier attempt already created instead of failing", async () => {
    let polls = 0;
    const snapshot = (status: string): RdsSnapshotState => ({
      id: "snap",
      arn: "arn:snap",
      status,
      sourceId: "db",
      sizeGiB: 20,
    });
    const h = harness({
      createSnapshot: async () => {
        throw new RdsError("already_exists", "DBSnapshotAlreadyExists", "exists");
      },
      describeSnapshot: async () => snapshot(++polls > 2 ? "available" : "creating"),
    });
    await h.executor.execute(
      job({ type: "rds.snapshot", target: "instance", identifier: "db", snapshot: "snap" }),
    );
    expect(h.result()).toMatchObject({
      type: "action_succeeded",
      results: { id: "snap", arn: "arn:snap", status: "available", size_gib: "20" },
    });
  });

  it("refuses a snapshot name taken by another database", async () => {
    const h = harness({
      createSnapshot: async () => {
        throw new RdsError("already_exists", "DBSnapshotAlreadyExists", "exists");
      },
      describeSnapshot: async () => ({ id: "snap", arn: "a", status: "available", sourceId: "other-db" }),
    });
    await h.executor.execute(
      job({ type: "rds.snapshot", target: "instance", identifier: "db", snapshot: "snap" }),
    );
    expect(h.result()).toMatchObject({
      error: "snapshot snap already exists and belongs to other-db, not db",
    });
  });

  it("does not ask RDS twice for a modification already under way", async () => {
    let modified = 0;
    const h = harness({
      describe: async () => ({ ...instance("modifying"), pendingEngineVersion: "8.0.32" }),
      modify: async () => {
        modified += 1;
        return instance("modifying");
      },
    });
    await h.executor.execute(
      job({
        type: "rds.modify",
        target: "instance",
        identifier: "db",
        engine_version: "8.0.32",
        apply_immediately: true,
      }),
    );
    expect(modified).toBe(0);
    expect(h.result()).toMatchObject({
      type: "action_succeeded",
      results: { requested: "already", pending_engine_version: "8.0.32" },
    });
  });

  it("retries throttling with backoff before it gives up with AWS's words", async () => {
    let calls = 0;
    const h = harness({
      describe: async () => {
        calls += 1;
        throw new RdsError("throttled", "Throttling", "RDS is throttling requests (Throttling)");
      },
    });
    await h.executor.execute(
      job({ type: "rds.check", target: "instance", identifier: "db", expect: { status: "available" } }),
    );
    expect(calls).toBe(4);
    expect(h.result()).toMatchObject({
      type: "action_failed",
      error: "RDS is throttling requests (Throttling)",
    });
  });

  it("reports each outcome under the job's id, so a job run again reports once", async () => {
    const h = harness({ describe: async () => instance("available") });
    await h.executor.execute(
      job({ type: "rds.check", target: "instance", identifier: "db", expect: { status: "available" } }),
    );
    expect(h.reports.map((r) => r.eventId)).toEqual(["r-1.s.action.3.result"]);
  });
});
