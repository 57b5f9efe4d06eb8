import {
  CreateDBClusterSnapshotCommand,
  CreateDBSnapshotCommand,
  DBInstanceNotFoundFault,
  DBSnapshotAlreadyExistsFault,
  DBSnapshotNotFoundFault,
  DeleteDBClusterSnapshotCommand,
  DeleteDBSnapshotCommand,
  DescribeDBClusterSnapshotsCommand,
  DescribeDBClustersCommand,
  DescribeDBInstancesCommand,
  DescribeDBSnapshotsCommand,
  InvalidDBInstanceStateFault,
  InvalidDBSnapshotStateFault,
  ListTagsForResourceCommand,
  ModifyDBClusterCommand,
  ModifyDBInstanceCommand,
  RDSClient,
  type RDSClientConfig,
  RDSServiceException,
} from "@aws-sdk/client-rds";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type RdsDouble, startRdsDouble } from "./rds-double.js";

// The installed @aws-sdk prints a "NodeVersionSupportWarning" (Node >= 22 needed from 2027) on Node 20,
// once per process, when the first client is constructed.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";

const STEP_MS = 50;
/** The double's clock: tests move it a step at a time instead of sleeping. */
let clock = 0;
let rds: RdsDouble;

function client(extra: Partial<RDSClientConfig> = {}): RDSClient {
  return new RDSClient({
    region: "us-east-1",
    credentials: { accessKeyId: "test", secretAccessKey: "test" },
    endpoint: rds.url,
    ...extra,
  });
}

/**
 * Starting from the status a mutating call returned, polls `readStatus` a fifth of a step apart on the
 * double's clock until "available"; returns every distinct status seen, in order.
 */
async function statusesUntilAvailable(
  first: string | undefined,
  readStatus: () => Promise<string | undefined>,
): Promise<(string | undefined)[]> {
  const seen = [first];
  let polls = 0;
  while (seen.at(-1) !== "available") {
    if (++polls > 100) throw new Error(`still not available after 100 polls; saw ${JSON.stringify(seen)}`);
    clock += STEP_MS / 5;
    const status = await readStatus();
    if (seen.at(-1) !== status) seen.push(status);
  }
  return seen;
}

async function caught(promise: Promise<unknown>): Promise<RDSServiceException> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof RDSServiceException)) throw new Error(`expected an RDS error, got ${String(error)}`);
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
});

describe("RDS double through the real RDSClient", () => {
  it("creates an instance snapshot that goes creating -> available", async () => {
    const rdsClient = client();
    const created = await rdsClient.send(
      new CreateDBSnapshotCommand({ DBSnapshotIdentifier: "pre-upgrade", DBInstanceIdentifier: "orders-db" }),
    );
    expect(created.DBSnapshot?.Status).toBe("creating");
    expect(created.DBSnapshot?.DBSnapshotArn).toBe("arn:aws:rds:us-east-1:123456789012:snapshot:pre-upgrade");

    const describe = () =>
      rdsClient.send(new DescribeDBSnapshotsCommand({ DBSnapshotIdentifier: "pre-upgrade" }));
    const statuses = await statusesUntilAvailable(
      created.DBSnapshot?.Status,
      async () => (await describe()).DBSnapshots?.[0]?.Status,
    );
    expect(statuses).toEqual(["creating", "available"]);

    const [snapshot] = (await describe()).DBSnapshots ?? [];
    expect(snapshot).toMatchObject({
      DBSnapshotIdentifier: "pre-upgrade",
      DBInstanceIdentifier: "orders-db",
      AllocatedStorage: 100,
      EngineVersion: "5.7.44",
      PercentProgress: 100,
      SnapshotType: "manual",
    });
    expect(snapshot?.SnapshotCreateTime).toBeInstanceOf(Date);
    const byInstance = await rdsClient.send(
      new DescribeDBSnapshotsCommand({ DBInstanceIdentifier: "orders-db" }),
    );
    expect(byInstance.DBSnapshots?.map((s) => s.DBSnapshotIdentifier)).toEqual(["pre-upgrade"]);
    expect(rds.callsTo("CreateDBSnapshot")[0]?.params).toMatchObject({ Version: "2014-10-31" });
  });

  it("keeps the Tags given to CreateDBSnapshot and lists them as TagList and by ARN", async () => {
    const rdsClient = client();
    const created = await rdsClient.send(
      new CreateDBSnapshotCommand({
        DBSnapshotIdentifier: "tagged",
        DBInstanceIdentifier: "orders-db",
        Tags: [
          { Key: "preflight:run", Value: "r-1" },
          { Key: "team", Value: "invoicing" },
        ],
      }),
    );
    const expected = [
      { Key: "preflight:run", Value: "r-1" },
      { Key: "team", Value: "invoicing" },
    ];
    expect(created.DBSnapshot?.TagList).toEqual(expected);
    expect(rds.callsTo("CreateDBSnapshot")[0]?.params).toMatchObject({
      "Tags.Tag.1.Key": "preflight:run",
      "Tags.Tag.1.Value": "r-1",
    });
    const described = await rdsClient.send(
      new DescribeDBSnapshotsCommand({ DBSnapshotIdentifier: "tagged" }),
    );
    expect(described.DBSnapshots?.[0]?.TagList).toEqual(expected);
    const listed = await rdsClient.send(
      new ListTagsForResourceCommand({ ResourceName: created.DBSnapshot?.DBSnapshotArn }),
    );
    expect(listed.TagList).toEqual(expected);
    rds.addSnapshot({ id: "by-hand", kind: "instance", sourceId: "orders-db" });
    const untagged = await rdsClient.send(
      new DescribeDBSnapshotsCommand({ DBSnapshotIdentifier: "by-hand" }),
    );
    expect(untagged.DBSnapshots?.[0]?.TagList).toEqual([]);
  });

  it("rejects a duplicate snapshot id and deleting a snapshot still creating", async () => {
    // Long enough that the snapshot is still creating on a busy machine.
    rds.setTransitions({ stepMs: 10_000 });
    const rdsClient = client();
    const input = { DBSnapshotIdentifier: "snap-1", DBInstanceIdentifier: "orders-db" };
    await rdsClient.send(new CreateDBSnapshotCommand(input));
    const duplicate = await caught(rdsClient.send(new CreateDBSnapshotCommand(input)));
    expect(duplicate).toBeInstanceOf(DBSnapshotAlreadyExistsFault);
    expect(duplicate.$metadata.httpStatusCode).toBe(400);
    const early = await caught(
      rdsClient.send(new DeleteDBSnapshotCommand({ DBSnapshotIdentifier: "snap-1" })),
    );
    expect(early).toBeInstanceOf(InvalidDBSnapshotStateFault);
  });

  it("modifies an instance through modifying/upgrading to available with the new version", async () => {
    const rdsClient = client();
    const modified = await rdsClient.send(
      new ModifyDBInstanceCommand({
        DBInstanceIdentifier: "orders-db",
        EngineVersion: "8.0.40",
        DBParameterGroupName: "orders-mysql80",
        AllowMajorVersionUpgrade: true,
        ApplyImmediately: true,
      }),
    );
    expect(modified.DBInstance?.PendingModifiedValues?.EngineVersion).toBe("8.0.40");
    expect(modified.DBInstance?.EngineVersion).toBe("5.7.44");

    const describe = async () =>
      (await rdsClient.send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: "orders-db" })))
        .DBInstances?.[0];
    const statuses = await statusesUntilAvailable(
      modified.DBInstance?.DBInstanceStatus,
      async () => (await describe())?.DBInstanceStatus,
    );
    expect(statuses).toEqual(["modifying", "upgrading", "available"]);

    const instance = await describe();
    expect(instance?.EngineVersion).toBe("8.0.40");
    expect(instance?.DBParameterGroups).toEqual([
      { DBParameterGroupName: "orders-mysql80", ParameterApplyStatus: "in-sync" },
    ]);
    expect(instance?.PendingModifiedValues).toEqual({});
    expect(rds.instance("orders-db")?.engineVersion).toBe("8.0.40");
  });

  it("refuses to modify a busy instance and a major upgrade without the flag", async () => {
    const rdsClient = client();
    rds.addInstance({ id: "busy-db", status: "backing-up" });
    const busy = await caught(
      rdsClient.send(
        new ModifyDBInstanceCommand({ DBInstanceIdentifier: "busy-db", ApplyImmediately: true }),
      ),
    );
    expect(busy).toBeInstanceOf(InvalidDBInstanceStateFault);
    const major = await caught(
      rdsClient.send(
        new ModifyDBInstanceCommand({
          DBInstanceIdentifier: "orders-db",
          EngineVersion: "8.0.40",
          ApplyImmediately: true,
        }),
      ),
    );
    expect(major.name).toBe("InvalidParameterCombination");
  });

  it("keeps a change without ApplyImmediately pending for the maintenance window", async () => {
    const rdsClient = client();
    await rdsClient.send(
      new ModifyDBInstanceCommand({ DBInstanceIdentifier: "orders-db", EngineVersion: "5.7.44a" }),
    );
    clock += STEP_MS * 3;
    const { DBInstances } = await rdsClient.send(new DescribeDBInstancesCommand({}));
    expect(DBInstances?.[0]).toMatchObject({
      DBInstanceStatus: "available",
      EngineVersion: "5.7.44",
      PendingModifiedValues: { EngineVersion: "5.7.44a" },
    });
  });

  it("surfaces an injected AccessDenied with name AccessDenied and HTTP 403", async () => {
    rds.failNext("DescribeDBInstances", "AccessDenied");
    const error = await caught(client().send(new DescribeDBInstancesCommand({})));
    expect(error.name).toBe("AccessDenied");
    expect(error.$metadata.httpStatusCode).toBe(403);
    expect(error.$metadata.requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(rds.callsTo("DescribeDBInstances")).toHaveLength(1);
  });

  it("maps a missing instance to DBInstanceNotFoundFault and escapes the message", async () => {
    const error = await caught(
      client().send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: "no<such>&db" })),
    );
    expect(error).toBeInstanceOf(DBInstanceNotFoundFault);
    expect(error.$metadata.httpStatusCode).toBe(404);
    expect(error.message).toBe("DBInstance no<such>&db not found.");
  });

  it("maps DBSnapshotNotFound on delete to DBSnapshotNotFoundFault", async () => {
    const error = await caught(client().send(new DeleteDBSnapshotCommand({ DBSnapshotIdentifier: "ghost" })));
    expect(error).toBeInstanceOf(DBSnapshotNotFoundFault);
    expect(error.$metadata.httpStatusCode).toBe(404);
  });

  it("lets the SDK retry one Throttling and succeed", async () => {
    rds.failNext("DescribeDBInstances", "Throttling");
    const result = await client({ maxAttempts: 3 }).send(new DescribeDBInstancesCommand({}));
    expect(result.DBInstances?.map((i) => i.DBInstanceIdentifier)).toEqual(["orders-db"]);
    expect(result.$metadata.attempts).toBe(2);
    expect(rds.callsTo("DescribeDBInstances")).toHaveLength(2);
  });

  it("surfaces Throttling once it outlasts the attempts", async () => {
    // Throttling back-off is random(0..1 s) * 2^n, so 2 attempts keep this test under ~1 s.
    rds.failNext("DescribeDBInstances", "Throttling", 5);
    const error = await caught(client({ maxAttempts: 2 }).send(new DescribeDBInstancesCommand({})));
    expect(error.name).toBe("Throttling");
    expect(error.$metadata.httpStatusCode).toBe(400);
    expect(error.$metadata.attempts).toBe(2);
    expect(rds.callsTo("DescribeDBInstances")).toHaveLength(2);
  });

  it("creates, lists and deletes a cluster snapshot", async () => {
    const rdsClient = client();
    rds.addCluster({ id: "orders-aurora" });
    const created = await rdsClient.send(
      new CreateDBClusterSnapshotCommand({
        DBClusterSnapshotIdentifier: "aurora-pre",
        DBClusterIdentifier: "orders-aurora",
      }),
    );
    const read = async () =>
      (await rdsClient.send(new DescribeDBClusterSnapshotsCommand({ DBClusterIdentifier: "orders-aurora" })))
        .DBClusterSnapshots?.[0];
    const statuses = await statusesUntilAvailable(
      created.DBClusterSnapshot?.Status,
      async () => (await read())?.Status,
    );
    expect(statuses).toEqual(["creating", "available"]);
    expect(await read()).toMatchObject({
      DBClusterSnapshotIdentifier: "aurora-pre",
      DBClusterIdentifier: "orders-aurora",
      DBClusterSnapshotArn: "arn:aws:rds:us-east-1:123456789012:cluster-snapshot:aurora-pre",
      EngineVersion: "8.0.mysql_aurora.3.05.2",
    });
    const deleted = await rdsClient.send(
      new DeleteDBClusterSnapshotCommand({ DBClusterSnapshotIdentifier: "aurora-pre" }),
    );
    expect(deleted.DBClusterSnapshot?.Status).toBe("deleted");
    expect(rds.snapshot("aurora-pre")).toBeUndefined();
  });

  it("modifies a cluster and its members pick up the new version", async () => {
    const rdsClient = client();
    rds.addCluster({ id: "orders-aurora" });
    rds.addInstance({ id: "orders-aurora-1", engine: "aurora-mysql", clusterId: "orders-aurora" });
    const modified = await rdsClient.send(
      new ModifyDBClusterCommand({
        DBClusterIdentifier: "orders-aurora",
        EngineVersion: "8.0.mysql_aurora.3.08.0",
        DBClusterParameterGroupName: "orders-aurora80",
        ApplyImmediately: true,
      }),
    );
    const read = async () =>
      (await rdsClient.send(new DescribeDBClustersCommand({ DBClusterIdentifier: "orders-aurora" })))
        .DBClusters?.[0];
    const statuses = await statusesUntilAvailable(
      modified.DBCluster?.Status,
      async () => (await read())?.Status,
    );
    expect(statuses).toEqual(["modifying", "upgrading", "available"]);
    expect(await read()).toMatchObject({
      EngineVersion: "8.0.mysql_aurora.3.08.0",
      DBClusterParameterGroup: "orders-aurora80",
      DBClusterMembers: [{ DBInstanceIdentifier: "orders-aurora-1", IsClusterWriter: true }],
    });
    expect(rds.instance("orders-aurora-1")?.engineVersion).toBe("8.0.mysql_aurora.3.08.0");
  });

  it("answers an unknown action with 400 InvalidAction", async () => {
    const response = await fetch(rds.url, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", authorization: "AWS4-HMAC-SHA256 x" },
      body: "Action=RebootEverything&Version=2014-10-31",
    });
    expect(response.status).toBe(400);
    expect(await response.text()).toContain("<Code>InvalidAction</Code>");
  });
});

describe("AWS_ENDPOINT_URL_RDS", () => {
  const saved = process.env.AWS_ENDPOINT_URL_RDS;
  afterEach(() => {
    if (saved === undefined) delete process.env.AWS_ENDPOINT_URL_RDS;
    else process.env.AWS_ENDPOINT_URL_RDS = saved;
  });

  it("routes a client built without `endpoint` to the double", async () => {
    process.env.AWS_ENDPOINT_URL_RDS = rds.url;
    const rdsClient = new RDSClient({
      region: "us-east-1",
      credentials: { accessKeyId: "test", secretAccessKey: "test" },
    });
    const result = await rdsClient.send(
      new DescribeDBInstancesCommand({ DBInstanceIdentifier: "orders-db" }),
    );
    expect(result.DBInstances?.[0]?.DBInstanceIdentifier).toBe("orders-db");
    expect(rds.callsTo("DescribeDBInstances")).toHaveLength(1);
  });
});
