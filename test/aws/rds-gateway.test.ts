import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createRdsGateway, type RdsGatewayOptions, rdsErrorFrom } from "../../src/aws/rds-gateway.js";
import { RdsError, type RdsErrorKind, type RdsGateway } from "../../src/core/rds.js";
import { type RdsDouble, startRdsDouble } from "../support/rds-double.js";

// The installed @aws-sdk warns on Node 20 (it will need Node >= 22) when the first client is built.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = "true";

const REGION = "us-east-1";
const STEP_MS = 50;
/** The double's clock: tests move it a step at a time instead of sleeping. */
let clock = 0;
let rds: RdsDouble;

function gateway(options: RdsGatewayOptions = {}): RdsGateway {
  return createRdsGateway({
    endpoint: rds.url,
    credentials: { accessKeyId: "test", secretAccessKey: "test" },
    ...options,
  });
}

/** Polls `read` a fifth of a step apart on the double's clock until "available"; returns each distinct status seen. */
async function statusesUntilAvailable(first: string, read: () => Promise<{ status: string }>) {
  const seen = [first];
  let polls = 0;
  while (seen.at(-1) !== "available") {
    if (++polls > 100) throw new Error(`still not available after 100 polls; saw ${JSON.stringify(seen)}`);
    clock += STEP_MS / 5;
    const { status } = await read();
    if (seen.at(-1) !== status) seen.push(status);
  }
  return seen;
}

async function rdsError(promise: Promise<unknown>): Promise<RdsError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof RdsError)) throw new Error(`expected an RdsError, got ${String(error)}`);
  return error;
}

beforeAll(async () => {
  rds = await startRdsDouble({ now: () => clock });
});
afterAll(async () => {
  await rds.close();
});
beforeEach(() => {
  rds.reset();
  rds.setTransitions({ stepMs: STEP_MS });
  rds.addInstance({ id: "orders-db", allocatedStorage: 100 });
  rds.addCluster({ id: "orders-aurora" });
});

describe("createRdsGateway against the RDS double", () => {
  it("describes an instance and a cluster", async () => {
    const rdsGateway = gateway();
    expect(await rdsGateway.describe("instance", "orders-db", REGION)).toEqual({
      id: "orders-db",
      status: "available",
      engine: "mysql",
      engineVersion: "5.7.44",
      parameterGroup: "default.mysql5.7",
      pendingEngineVersion: undefined,
    });
    expect(await rdsGateway.describe("cluster", "orders-aurora", REGION)).toEqual({
      id: "orders-aurora",
      status: "available",
      engine: "aurora-mysql",
      engineVersion: "8.0.mysql_aurora.3.05.2",
      parameterGroup: "default.aurora-mysql8.0",
      pendingEngineVersion: undefined,
    });
  });

  it("modifies an instance through modifying/upgrading to available, allowing the major upgrade", async () => {
    const rdsGateway = gateway();
    const changes = { engineVersion: "8.0.40", parameterGroup: "orders-mysql80", applyImmediately: true };
    const modified = await rdsGateway.modify("instance", "orders-db", changes, REGION);
    expect(modified).toMatchObject({
      status: "modifying",
      engineVersion: "5.7.44",
      pendingEngineVersion: "8.0.40",
    });

    const read = () => rdsGateway.describe("instance", "orders-db", REGION);
    expect(await statusesUntilAvailable(modified.status, read)).toEqual([
      "modifying",
      "upgrading",
      "available",
    ]);
    expect(await read()).toMatchObject({
      engineVersion: "8.0.40",
      parameterGroup: "orders-mysql80",
      pendingEngineVersion: undefined,
    });
    // 5.7 -> 8.0 is a major upgrade: without the flag the double answers InvalidParameterCombination.
    expect(rds.callsTo("ModifyDBInstance")[0]?.params).toMatchObject({
      DBInstanceIdentifier: "orders-db",
      EngineVersion: "8.0.40",
      DBParameterGroupName: "orders-mysql80",
      ApplyImmediately: "true",
      AllowMajorVersionUpgrade: "true",
    });
  });

  it("modifies a cluster to the new version and parameter group", async () => {
    const rdsGateway = gateway();
    const changes = {
      engineVersion: "8.0.mysql_aurora.3.08.0",
      parameterGroup: "orders-aurora80",
      applyImmediately: true,
    };
    const modified = await rdsGateway.modify("cluster", "orders-aurora", changes, REGION);
    const read = () => rdsGateway.describe("cluster", "orders-aurora", REGION);
    expect(await statusesUntilAvailable(modified.status, read)).toEqual([
      "modifying",
      "upgrading",
      "available",
    ]);
    expect(await read()).toMatchObject({
      engineVersion: "8.0.mysql_aurora.3.08.0",
      parameterGroup: "orders-aurora80",
    });
    expect(rds.callsTo("ModifyDBCluster")[0]?.params).toMatchObject({
      DBClusterParameterGroupName: "orders-aurora80",
      AllowMajorVersionUpgrade: "true",
    });
  });

  it("leaves AllowMajorVersionUpgrade out when only the parameter group changes", async () => {
    const changes = { parameterGroup: "orders-tuned", applyImmediately: false };
    await gateway().modify("instance", "orders-db", changes, REGION);
    const params = rds.callsTo("ModifyDBInstance")[0]?.params;
    expect(params).toMatchObject({ DBParameterGroupName: "orders-tuned", ApplyImmediately: "false" });
    expect(params).not.toHaveProperty("AllowMajorVersionUpgrade");
    expect(params).not.toHaveProperty("EngineVersion");
  });

  it("creates an instance snapshot and describes it to available", async () => {
    const rdsGateway = gateway();
    const before = Date.now();
    const created = await rdsGateway.createSnapshot("instance", "orders-db", "pre-upgrade", REGION, {
      "preflight:run": "r-1",
    });
    expect(created).toMatchObject({ id: "pre-upgrade", status: "creating", sourceId: "orders-db" });

    const read = () => rdsGateway.describeSnapshot("instance", "pre-upgrade", REGION);
    expect(await statusesUntilAvailable(created.status, read)).toEqual(["creating", "available"]);
    const snapshot = await read();
    expect(snapshot).toEqual({
      id: "pre-upgrade",
      arn: "arn:aws:rds:us-east-1:123456789012:snapshot:pre-upgrade",
      status: "available",
      sourceId: "orders-db",
      createdAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/),
      sizeGiB: 100,
      engineVersion: "5.7.44",
      percentProgress: 100,
      tags: { "preflight:run": "r-1" },
    });
    expect(await rdsGateway.listTags(snapshot.arn, REGION)).toEqual({ "preflight:run": "r-1" });
    // The double sends milliseconds; allow the second it may be truncated to.
    expect(Date.parse(snapshot.createdAt ?? "")).toBeGreaterThanOrEqual(before - 1_000);
  });

  it("creates a cluster snapshot and describes it to available", async () => {
    const rdsGateway = gateway();
    const created = await rdsGateway.createSnapshot("cluster", "orders-aurora", "aurora-pre", REGION);
    const read = () => rdsGateway.describeSnapshot("cluster", "aurora-pre", REGION);
    expect(await statusesUntilAvailable(created.status, read)).toEqual(["creating", "available"]);
    expect(await read()).toMatchObject({
      id: "aurora-pre",
      arn: "arn:aws:rds:us-east-1:123456789012:cluster-snapshot:aurora-pre",
      sourceId: "orders-aurora",
      sizeGiB: 1,
      engineVersion: "8.0.mysql_aurora.3.05.2",
      createdAt: expect.any(String),
    });
  });

  it("deletes an instance snapshot and a cluster snapshot", async () => {
    rds.addSnapshot({ id: "old-snap", kind: "instance", sourceId: "orders-db" });
    rds.addSnapshot({ id: "old-aurora-snap", kind: "cluster", sourceId: "orders-aurora" });
    const rdsGateway = gateway();
    await rdsGateway.deleteSnapshot("instance", "old-snap", REGION);
    await rdsGateway.deleteSnapshot("cluster", "old-aurora-snap", REGION);
    expect(rds.snapshot("old-snap")).toBeUndefined();
    expect(rds.snapshot("old-aurora-snap")).toBeUndefined();
  });

  it("honours AWS_ENDPOINT_URL_RDS when no endpoint is given", async () => {
    const saved = process.env.AWS_ENDPOINT_URL_RDS;
    process.env.AWS_ENDPOINT_URL_RDS = rds.url;
    try {
      // The SDK reads the variable on the client's first request, so it stays set until then.
      const rdsGateway = createRdsGateway({ credentials: { accessKeyId: "test", secretAccessKey: "test" } });
      expect((await rdsGateway.describe("instance", "orders-db", REGION)).status).toBe("available");
      expect(rds.callsTo("DescribeDBInstances")).toHaveLength(1);
    } finally {
      if (saved === undefined) delete process.env.AWS_ENDPOINT_URL_RDS;
      else process.env.AWS_ENDPOINT_URL_RDS = saved;
    }
  });
});

describe("RDS errors through the gateway", () => {
  it("access_denied names the operation, the resource and the IAM action", async () => {
    rds.failNext("DescribeDBInstances", "AccessDenied");
    const error = await rdsError(gateway().describe("instance", "orders-db", REGION));
    expect(error).toMatchObject({ kind: "access_denied", code: "AccessDenied" });
    expect(error.message).toBe(
      "AWS denied DescribeDBInstances on orders-db (AccessDenied): Injected AccessDenied for DescribeDBInstances. " +
        "Check the bot's IAM permissions for rds:DescribeDBInstances.",
    );
  });

  it("tells each settled call's action and outcome (for the preflight_rds_calls_total metric)", async () => {
    const calls: string[] = [];
    const rdsGateway = gateway({ onCall: (action, outcome) => calls.push(`${action} ${outcome}`) });
    await rdsGateway.describe("instance", "orders-db", REGION);
    await rdsError(rdsGateway.describe("instance", "ghost-db", REGION));
    expect(calls).toEqual(["DescribeDBInstances ok", "DescribeDBInstances DBInstanceNotFoundFault"]);
  });

  it("not_found for an unknown instance, and an unknown snapshot on describe and delete", async () => {
    const rdsGateway = gateway();
    const instance = await rdsError(rdsGateway.describe("instance", "ghost-db", REGION));
    expect(instance).toMatchObject({ kind: "not_found", code: "DBInstanceNotFound" });
    expect(instance.message).toBe(
      "DB instance ghost-db was not found in us-east-1 (DBInstanceNotFound). Check the identifier and the region.",
    );
    const described = await rdsError(rdsGateway.describeSnapshot("instance", "ghost-snap", REGION));
    expect(described).toMatchObject({ kind: "not_found", code: "DBSnapshotNotFound" });
    expect(described.message).toContain("DB snapshot ghost-snap was not found in us-east-1");
    const deleted = await rdsError(rdsGateway.deleteSnapshot("cluster", "ghost-snap", REGION));
    expect(deleted).toMatchObject({ kind: "not_found", code: "DBClusterSnapshotNotFoundFault" });
    expect(deleted.message).toContain("DB cluster snapshot ghost-snap was not found");
    const source = await rdsError(rdsGateway.createSnapshot("instance", "ghost-db", "snap", REGION));
    expect(source.message).toContain("DB instance ghost-db was not found");
  });

  it("invalid_state when modifying an instance that is already modifying, naming its status", async () => {
    rds.setTransitions({ stepMs: 2_000 }); // long enough that the follow-up describe still sees "modifying"
    const rdsGateway = gateway();
    const changes = { engineVersion: "5.7.44a", applyImmediately: true };
    await rdsGateway.modify("instance", "orders-db", changes, REGION);
    const error = await rdsError(rdsGateway.modify("instance", "orders-db", changes, REGION));
    expect(error).toMatchObject({ kind: "invalid_state", code: "InvalidDBInstanceState" });
    expect(error.message).toBe(
      "DB instance orders-db is modifying, not available, so it can't be modified now " +
        "(InvalidDBInstanceState). Wait until it is available and try again.",
    );
  });

  it("invalid_state when deleting a snapshot that is still creating", async () => {
    rds.setTransitions({ stepMs: 2_000 });
    const rdsGateway = gateway();
    await rdsGateway.createSnapshot("instance", "orders-db", "fresh", REGION);
    const error = await rdsError(rdsGateway.deleteSnapshot("instance", "fresh", REGION));
    expect(error).toMatchObject({ kind: "invalid_state", code: "InvalidDBSnapshotState" });
    expect(error.message).toContain(
      "DB snapshot fresh is creating, not available, so it can't be deleted now",
    );
  });

  it("already_exists when the same snapshot id is used twice", async () => {
    const rdsGateway = gateway();
    await rdsGateway.createSnapshot("instance", "orders-db", "pre-upgrade", REGION);
    const error = await rdsError(rdsGateway.createSnapshot("instance", "orders-db", "pre-upgrade", REGION));
    expect(error).toMatchObject({ kind: "already_exists", code: "DBSnapshotAlreadyExists" });
    expect(error.message).toMatch(
      /^DB snapshot pre-upgrade already exists in us-east-1 \(DBSnapshotAlreadyExists\)/,
    );
  });

  it("retries one Throttling transparently", async () => {
    rds.failNext("DescribeDBInstances", "Throttling");
    const state = await gateway({ maxAttempts: 3 }).describe("instance", "orders-db", REGION);
    expect(state.status).toBe("available");
    expect(rds.callsTo("DescribeDBInstances")).toHaveLength(2);
  });

  it("throttled once Throttling outlasts maxAttempts", async () => {
    // Throttling back-off is random(0..1 s) * 2^n, so 2 attempts keep this test short.
    rds.failNext("DescribeDBInstances", "Throttling", 5);
    const error = await rdsError(gateway({ maxAttempts: 2 }).describe("instance", "orders-db", REGION));
    expect(error).toMatchObject({ kind: "throttled", code: "Throttling" });
    expect(error.message).toContain("RDS is throttling requests (Throttling)");
    expect(error.message).toContain("gave up after 2 attempts");
    expect(rds.callsTo("DescribeDBInstances")).toHaveLength(2);
  });

  it("invalid_request carries RDS's own words", async () => {
    rds.failNext("ModifyDBInstance", "InvalidParameterCombination");
    const changes = { engineVersion: "8.0.40", applyImmediately: true };
    const error = await rdsError(gateway().modify("instance", "orders-db", changes, REGION));
    expect(error).toMatchObject({ kind: "invalid_request", code: "InvalidParameterCombination" });
    expect(error.message).toBe(
      "RDS rejected ModifyDBInstance on DB instance orders-db as invalid (InvalidParameterCombination): " +
        "Injected InvalidParameterCombination for ModifyDBInstance.",
    );
  });

  it("other for a network failure", async () => {
    const unreachable = createRdsGateway({
      endpoint: "http://127.0.0.1:1",
      credentials: { accessKeyId: "test", secretAccessKey: "test" },
      maxAttempts: 1,
    });
    const error = await rdsError(unreachable.describe("instance", "orders-db", REGION));
    expect(error).toMatchObject({ kind: "other", code: "ECONNREFUSED" });
    expect(error.message).toMatch(
      /^DescribeDBInstances on DB instance orders-db in us-east-1 failed \(ECONNREFUSED\)/,
    );
  });
});

describe("rdsErrorFrom", () => {
  const context = {
    operation: "DescribeDBInstances",
    target: "instance" as const,
    id: "db-1",
    region: REGION,
  };
  const aws = (name: string, httpStatusCode: number, Code?: string) => ({
    name,
    Code,
    message: "what AWS said",
    $metadata: { httpStatusCode, attempts: 1 },
  });
  const cases: [string, object, RdsErrorKind, string][] = [
    ["AccessDeniedException", aws("AccessDeniedException", 400), "access_denied", "AccessDeniedException"],
    ["UnauthorizedOperation", aws("UnauthorizedOperation", 400), "access_denied", "UnauthorizedOperation"],
    ["any 403", aws("SignatureDoesNotMatch", 403), "access_denied", "SignatureDoesNotMatch"],
    [
      "a modelled fault",
      aws("DBClusterNotFoundFault", 404, "DBClusterNotFoundFault"),
      "not_found",
      "DBClusterNotFoundFault",
    ],
    ["any 404", aws("Gone", 404), "not_found", "Gone"],
    ["Invalid*State*", aws("InvalidDBClusterStateFault", 400), "invalid_state", "InvalidDBClusterStateFault"],
    [
      "*AlreadyExists*",
      aws("DBClusterSnapshotAlreadyExistsFault", 400),
      "already_exists",
      "DBClusterSnapshotAlreadyExistsFault",
    ],
    ["ThrottlingException", aws("ThrottlingException", 400), "throttled", "ThrottlingException"],
    ["RequestLimitExceeded", aws("RequestLimitExceeded", 503), "throttled", "RequestLimitExceeded"],
    ["TooManyRequests", aws("TooManyRequests", 429), "throttled", "TooManyRequests"],
    ["InvalidParameterValue", aws("InvalidParameterValue", 400), "invalid_request", "InvalidParameterValue"],
    ["any other 400", aws("StorageQuotaExceeded", 400), "invalid_request", "StorageQuotaExceeded"],
    ["a 500", aws("InternalFailure", 500), "other", "InternalFailure"],
    [
      "the wire code over the class name",
      aws("DBInstanceNotFoundFault", 404, "DBInstanceNotFound"),
      "not_found",
      "DBInstanceNotFound",
    ],
    [
      "the nested Error.Code",
      { name: "X", Error: { Code: "DBSnapshotNotFound" } },
      "not_found",
      "DBSnapshotNotFound",
    ],
    ["a thrown string", "boom" as unknown as object, "other", "Unknown"],
  ];
  it.each(cases)("maps %s", (_, error, kind, code) => {
    expect(rdsErrorFrom(error, context)).toMatchObject({ kind, code });
  });

  it("passes an RdsError through unchanged", () => {
    const original = new RdsError("not_found", "DBInstanceNotFound", "gone");
    expect(rdsErrorFrom(original, context)).toBe(original);
  });
});
