import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createRdsGateway } from "../../src/aws/rds-gateway.js";
import type { RunEvent } from "../../src/core/run/run-schema.js";
import { type ActionJob, createActionExecutor } from "../../src/service/action-executor.js";
import { type RdsDouble, startRdsDouble } from "../support/rds-double.js";

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = "true";

let rds: RdsDouble;
beforeAll(async () => {
  rds = await startRdsDouble();
});
afterAll(async () => {
  await rds.close();
});
beforeEach(() => {
  rds.reset();
  rds.setTransitions({ stepMs: 1 });
  rds.addInstance({ id: "orders-db", engineVersion: "8.0.32" });
  rds.addSnapshot({ id: "orders-pre", kind: "instance", sourceId: "orders-db", engineVersion: "5.7.44" });
});

const restoreJob = (runId: string): ActionJob => ({
  jobId: `${runId}.undo.action.1`,
  runId,
  stepId: "undo-upgrade",
  dryRun: false,
  action: {
    type: "rds.restore_snapshot",
    target: "instance",
    snapshot: "orders-pre",
    identifier: "orders-restored",
    timeout: "60m",
  },
});

/** The real gateway against the RDS double; the executor's clock moves only when it sleeps. */
async function execute(runId: string): Promise<RunEvent | undefined> {
  let clock = Date.parse("2026-11-20T22:00:00Z");
  const reports: { event: RunEvent; eventId: string }[] = [];
  const executor = createActionExecutor({
    gateway: createRdsGateway({
      endpoint: rds.url,
      credentials: { accessKeyId: "test", secretAccessKey: "test" },
    }),
    defaultRegion: "us-east-1",
    report: async (_runId, event, eventId) => {
      reports.push({ event, eventId });
    },
    now: () => new Date(clock),
    sleep: async (ms) => {
      clock += ms;
      await new Promise((resolve) => setTimeout(resolve, 5));
    },
    pollMs: { first: 10_000, max: 60_000 },
  });
  await executor.execute(restoreJob(runId));
  return reports.find((r) => r.eventId.endsWith(".result"))?.event;
}

describe("the rds.restore_snapshot action", () => {
  it("restores to a new instance tagged with the run, waits until it is available, and a rerun adopts it", async () => {
    expect(await execute("r-1")).toMatchObject({
      type: "action_succeeded",
      results: { status: "available", engine_version: "5.7.44", instance: "orders-restored" },
    });
    expect(rds.callsTo("RestoreDBInstanceFromDBSnapshot")[0]?.params).toMatchObject({
      "Tags.Tag.1.Key": "preflight:run",
      "Tags.Tag.1.Value": "r-1",
    });
    // The process died after the restore call: the job runs again and finds its own instance.
    expect(await execute("r-1")).toMatchObject({
      type: "action_succeeded",
      results: { status: "available" },
    });
  });

  it("never adopts an instance of the same name that another run or a person made", async () => {
    rds.addInstance({ id: "orders-restored" });
    expect(await execute("r-2")).toMatchObject({
      type: "action_failed",
      error: expect.stringContaining(
        "DB instance orders-restored already exists and was made not by Preflight",
      ),
    });
  });
});
