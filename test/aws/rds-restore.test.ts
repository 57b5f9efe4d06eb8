import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createRdsGateway } from "../../src/aws/rds-gateway.js";
import { RdsError } from "../../src/core/rds.js";
import { type RdsDouble, startRdsDouble } from "../support/rds-double.js";

const REGION = "us-east-1";
const STEP_MS = 50;
let clock = 0;
let rds: RdsDouble;

const gateway = () =>
  createRdsGateway({ endpoint: rds.url, credentials: { accessKeyId: "test", secretAccessKey: "test" } });

beforeAll(async () => {
  rds = await startRdsDouble({ now: () => clock });
});
afterAll(async () => {
  await rds.close();
});
beforeEach(() => {
  rds.reset();
  rds.setTransitions({ stepMs: STEP_MS });
  rds.addInstance({ id: "orders-db", engineVersion: "8.0.32", allocatedStorage: 100 });
  rds.addSnapshot({ id: "pre-upgrade", kind: "instance", sourceId: "orders-db", engineVersion: "5.7.44" });
});

describe("rds.restore_snapshot through the gateway and the RDS double", () => {
  it("restores a snapshot to a new instance that goes creating → backing-up → available, on the snapshot's version", async () => {
    const restored = await gateway().restoreSnapshot("pre-upgrade", "orders-db-restored", REGION, {
      "preflight:run": "r-1",
    });
    expect(restored).toMatchObject({ id: "orders-db-restored", status: "creating", engineVersion: "5.7.44" });
    const seen = [restored.status];
    for (let i = 0; i < 20 && seen.at(-1) !== "available"; i++) {
      clock += STEP_MS / 2;
      const { status } = await gateway().describe("instance", "orders-db-restored", REGION);
      if (seen.at(-1) !== status) seen.push(status);
    }
    expect(seen).toEqual(["creating", "backing-up", "available"]);
    expect(rds.callsTo("RestoreDBInstanceFromDBSnapshot")[0]?.params).toMatchObject({
      DBSnapshotIdentifier: "pre-upgrade",
      DBInstanceIdentifier: "orders-db-restored",
    });
    // The original instance is left as it was.
    expect(rds.instance("orders-db")?.engineVersion).toBe("8.0.32");
  });

  it("names what is wrong: a missing snapshot, a name already taken", async () => {
    const missing = await gateway()
      .restoreSnapshot("no-such-snap", "x-restored", REGION)
      .catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(RdsError);
    expect((missing as RdsError).kind).toBe("not_found");
    expect((missing as RdsError).message).toContain("no-such-snap");
    const taken = await gateway()
      .restoreSnapshot("pre-upgrade", "orders-db", REGION)
      .catch((e: unknown) => e);
    expect((taken as RdsError).kind).toBe("already_exists");
  });
});
