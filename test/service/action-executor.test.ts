import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createRdsGateway } from "../../src/aws/rds-gateway.js";
import { RdsError, type RdsGateway, type RdsSnapshotState, type RdsTargetState } from "../../src/core/rds.js";
import type { RunEvent } from "../../src/core/run/run-schema.js";
import { type ActionJob, createActionExecutor } from "../../src/service/action-executor.js";
import { type RdsDouble, startRdsDouble } from "../support/rds-double.js";

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = "true";

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

  it("waits for a snapshot an earlier attempt of this run already created instead of failing", async () => {
    let polls = 0;
    const snapshot = (status: string): RdsSnapshotState => ({
      id: "snap",
      arn: "arn:snap",
      status,
      sourceId: "db",
      sizeGiB: 20,
      tags: { "preflight:run": "r-1" },
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
      describeSnapshot: async () => ({
        id: "snap",
        arn: "a",
        status: "available",
        sourceId: "other-db",
        tags: { "preflight:run": "r-1" },
      }),
    });
    await h.executor.execute(
      job({ type: "rds.snapshot", target: "instance", identifier: "db", snapshot: "snap" }),
    );
    expect(h.result()).toMatchObject({
      error: expect.stringContaining("the snapshot name snap is taken by an existing snapshot of other-db"),
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

describe("rds.snapshot against the RDS double", () => {
  let rds: RdsDouble;
  beforeAll(async () => {
    rds = await startRdsDouble();
  });
  // reset() puts the double's timing back to its defaults (200 ms a status), longer than the
  // executor's fake two-hour timeout takes in real time: every test starts from this one.
  function fresh() {
    rds.reset();
    rds.setTransitions({ snapshotStatuses: ["creating"], stepMs: 1 });
  }
  afterAll(async () => {
    await rds.close();
  });
  const gateway = () =>
    createRdsGateway({ endpoint: rds.url, credentials: { accessKeyId: "test", secretAccessKey: "test" } });
  const snapshotJob = (runId: string): ActionJob => ({
    ...job({ type: "rds.snapshot", target: "instance", identifier: "orders-db", snapshot: "orders-pre" }),
    runId,
    jobId: `${runId}.s.action.1`,
  });
  async function execute(runId: string) {
    const h = harness(gateway());
    await h.executor.execute(snapshotJob(runId));
    return h.result();
  }

  it("tags the snapshot with the run, and a rerun of the same run adopts it", async () => {
    fresh();
    rds.addInstance({ id: "orders-db" });
    expect(await execute("r-7")).toMatchObject({ type: "action_succeeded", results: { id: "orders-pre" } });
    expect(rds.callsTo("CreateDBSnapshot")[0]?.params).toMatchObject({
      "Tags.Tag.1.Key": "preflight:run",
      "Tags.Tag.1.Value": "r-7",
    });
    expect(rds.snapshot("orders-pre")?.tags).toEqual({ "preflight:run": "r-7" });
    // The process died after CreateDBSnapshot: the job runs again and finds its own snapshot.
    expect(await execute("r-7")).toMatchObject({ type: "action_succeeded", results: { id: "orders-pre" } });
    expect(rds.callsTo("CreateDBSnapshot")).toHaveLength(2);
  });

  it("fails when another run took the name, saying which snapshot and when it was created", async () => {
    fresh();
    rds.addInstance({ id: "orders-db" });
    rds.addSnapshot({
      id: "orders-pre",
      kind: "instance",
      sourceId: "orders-db",
      createdAt: new Date("2026-11-19T08:00:00Z"),
      tags: { "preflight:run": "r-older" },
    });
    expect(await execute("r-8")).toEqual({
      type: "action_failed",
      stepId: "s",
      by: "preflight",
      error:
        "the snapshot name orders-pre is taken by an existing snapshot of orders-db (arn:aws:rds:us-east-1:123456789012:snapshot:orders-pre, created 2026-11-19T08:00:00.000Z, taken by run r-older), not one this run took. Give the step another snapshot name, or delete that snapshot if nobody needs it, then retry.",
    });
  });

  it("never adopts a snapshot taken by hand, even of the same database", async () => {
    fresh();
    rds.addInstance({ id: "orders-db" });
    rds.addSnapshot({ id: "orders-pre", kind: "instance", sourceId: "orders-db" });
    expect(await execute("r-9")).toMatchObject({
      type: "action_failed",
      error: expect.stringContaining("taken not by Preflight"),
    });
  });
});
