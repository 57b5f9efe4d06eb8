import {
  CreateDBClusterSnapshotCommand,
  CreateDBSnapshotCommand,
  type DBCluster,
  type DBClusterSnapshot,
  type DBInstance,
  type DBSnapshot,
  DeleteDBClusterSnapshotCommand,
  DeleteDBSnapshotCommand,
  DescribeDBClusterSnapshotsCommand,
  DescribeDBClustersCommand,
  DescribeDBInstancesCommand,
  DescribeDBSnapshotsCommand,
  ListTagsForResourceCommand,
  ModifyDBClusterCommand,
  ModifyDBInstanceCommand,
  RDSClient,
  type Tag,
} from "@aws-sdk/client-rds";
import type { RdsGateway, RdsSnapshotState, RdsTarget, RdsTargetState } from "../core/rds.js";
import { notFound, type RdsErrorContext, rdsErrorFrom } from "./rds-errors.js";
import { restoreCalls } from "./rds-restore.js";

export { type RdsErrorContext, rdsErrorFrom } from "./rds-errors.js";

export interface RdsGatewayOptions {
  /** Overrides the SDK's own endpoint resolution (which already honours AWS_ENDPOINT_URL_RDS). */
  endpoint?: string;
  /** Static credentials; without them the SDK's default credential chain is used. */
  credentials?: { accessKeyId: string; secretAccessKey: string };
  /** Attempts per call, throttling retries included. */
  maxAttempts?: number;
  /** The SDK's own log lines (library-logger.ts makes them the process's JSON lines). */
  logger?: {
    debug(...content: unknown[]): void;
    info(...content: unknown[]): void;
    warn(...content: unknown[]): void;
    error(...content: unknown[]): void;
  };
  /** Told of each call once it is settled (after the SDK's retries): its action and outcome. */
  onCall?: (action: string, outcome: string) => void;
}

export function createRdsGateway(options: RdsGatewayOptions = {}): RdsGateway {
  const clients = new Map<string, RDSClient>();
  function client(region: string): RDSClient {
    let found = clients.get(region);
    if (!found) {
      found = new RDSClient({
        region,
        maxAttempts: options.maxAttempts ?? 5,
        retryMode: "standard",
        ...(options.endpoint ? { endpoint: options.endpoint } : {}),
        ...(options.credentials ? { credentials: options.credentials } : {}),
        ...(options.logger ? { logger: options.logger } : {}),
      });
      if (options.onCall) countCalls(found, options.onCall);
      clients.set(region, found);
    }
    return found;
  }

  /** Runs one RDS call; an SDK failure or an answer without the resource becomes an RdsError. */
  async function call<T>(
    context: RdsErrorContext,
    run: () => Promise<T | undefined>,
    readStatus?: () => Promise<string>,
  ): Promise<T> {
    let result: T | undefined;
    try {
      result = await run();
    } catch (error) {
      const mapped = rdsErrorFrom(error, context);
      if (mapped.kind !== "invalid_state" || !readStatus) throw mapped;
      // RDS's "invalid state" message rarely says which state; one describe lets ours say it.
      // If that describe fails too (or the resource has just become available), the plain error is thrown.
      const status = await readStatus().catch(() => undefined);
      throw status && status !== "available" ? rdsErrorFrom(error, { ...context, status }) : mapped;
    }
    return result ?? notFound(context);
  }
  const ctx = (target: RdsTarget, id: string, region: string, operations: [string, string]) => ({
    operation: target === "instance" ? operations[0] : operations[1],
    target,
    id,
    region,
  });

  const gateway: RdsGateway = {
    ...restoreCalls(client, call, { instanceState, tagsOf }),
    describe(target, id, region) {
      const rds = client(region);
      return call(ctx(target, id, region, ["DescribeDBInstances", "DescribeDBClusters"]), async () => {
        if (target === "instance") {
          const input = { DBInstanceIdentifier: id };
          return instanceState((await rds.send(new DescribeDBInstancesCommand(input))).DBInstances?.[0]);
        }
        const input = { DBClusterIdentifier: id };
        return clusterState((await rds.send(new DescribeDBClustersCommand(input))).DBClusters?.[0]);
      });
    },

    modify(target, id, changes, region) {
      const rds = client(region);
      const readStatus = async () => (await gateway.describe(target, id, region)).status;
      const { engineVersion: EngineVersion, parameterGroup, applyImmediately: ApplyImmediately } = changes;
      // The checklist names the version on purpose; without this flag RDS refuses major upgrades.
      const common = {
        EngineVersion,
        ApplyImmediately,
        AllowMajorVersionUpgrade: EngineVersion ? true : undefined,
      };
      const context = ctx(target, id, region, ["ModifyDBInstance", "ModifyDBCluster"]);
      return call(
        context,
        async () => {
          if (target === "instance") {
            const input = { ...common, DBInstanceIdentifier: id, DBParameterGroupName: parameterGroup };
            return instanceState((await rds.send(new ModifyDBInstanceCommand(input))).DBInstance);
          }
          const input = { ...common, DBClusterIdentifier: id, DBClusterParameterGroupName: parameterGroup };
          return clusterState((await rds.send(new ModifyDBClusterCommand(input))).DBCluster);
        },
        readStatus,
      );
    },

    createSnapshot(target, sourceId, snapshotId, region, tags = {}) {
      const rds = client(region);
      const readStatus = async () => (await gateway.describe(target, sourceId, region)).status;
      const operations: [string, string] = ["CreateDBSnapshot", "CreateDBClusterSnapshot"];
      const Tags = Object.entries(tags).map(([Key, Value]) => ({ Key, Value }));
      const tagged = Tags.length > 0 ? { Tags } : {};
      return call(
        { ...ctx(target, sourceId, region, operations), snapshotId },
        async () => {
          if (target === "instance") {
            const input = { DBInstanceIdentifier: sourceId, DBSnapshotIdentifier: snapshotId, ...tagged };
            return snapshotState((await rds.send(new CreateDBSnapshotCommand(input))).DBSnapshot);
          }
          const input = { DBClusterIdentifier: sourceId, DBClusterSnapshotIdentifier: snapshotId, ...tagged };
          return snapshotState((await rds.send(new CreateDBClusterSnapshotCommand(input))).DBClusterSnapshot);
        },
        readStatus,
      );
    },

    describeSnapshot(target, snapshotId, region) {
      const rds = client(region);
      const operations: [string, string] = ["DescribeDBSnapshots", "DescribeDBClusterSnapshots"];
      return call(ctx(target, snapshotId, region, operations), async () => {
        if (target === "instance") {
          const input = { DBSnapshotIdentifier: snapshotId };
          return snapshotState((await rds.send(new DescribeDBSnapshotsCommand(input))).DBSnapshots?.[0]);
        }
        const input = { DBClusterSnapshotIdentifier: snapshotId };
        const { DBClusterSnapshots } = await rds.send(new DescribeDBClusterSnapshotsCommand(input));
        return snapshotState(DBClusterSnapshots?.[0]);
      });
    },

    async deleteSnapshot(target, snapshotId, region) {
      const rds = client(region);
      const readStatus = async () => (await gateway.describeSnapshot(target, snapshotId, region)).status;
      const operations: [string, string] = ["DeleteDBSnapshot", "DeleteDBClusterSnapshot"];
      await call(
        ctx(target, snapshotId, region, operations),
        async () => {
          if (target === "instance") {
            const input = { DBSnapshotIdentifier: snapshotId };
            return (await rds.send(new DeleteDBSnapshotCommand(input))).DBSnapshot;
          }
          const input = { DBClusterSnapshotIdentifier: snapshotId };
          return (await rds.send(new DeleteDBClusterSnapshotCommand(input))).DBClusterSnapshot;
        },
        readStatus,
      );
    },

    listTags(arn, region) {
      const rds = client(region);
      const context = { operation: "ListTagsForResource", target: "instance" as const, id: arn, region };
      return call(context, async () =>
        tagsOf((await rds.send(new ListTagsForResourceCommand({ ResourceName: arn }))).TagList ?? []),
      );
    },
  };
  return gateway;
}

/** Each command, once settled: `CreateDBSnapshot ok`, `DescribeDBInstances DBInstanceNotFoundFault`. */
function countCalls(client: RDSClient, onCall: (action: string, outcome: string) => void): void {
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const action = String(context.commandName ?? "unknown").replace(/Command$/, "");
      try {
        const result = await next(args);
        onCall(action, "ok");
        return result;
      } catch (error) {
        onCall(action, error instanceof Error ? error.name : "error");
        throw error;
      }
    },
    { step: "initialize", name: "preflightCallCounter" },
  );
}

function tagsOf(list: readonly Tag[]): Record<string, string> {
  return Object.fromEntries(list.flatMap((tag) => (tag.Key ? [[tag.Key, tag.Value ?? ""]] : [])));
}

function instanceState(db: DBInstance | undefined): RdsTargetState | undefined {
  return (
    db && {
      id: db.DBInstanceIdentifier ?? "",
      status: db.DBInstanceStatus ?? "unknown",
      engine: db.Engine ?? "",
      engineVersion: db.EngineVersion ?? "",
      parameterGroup: db.DBParameterGroups?.[0]?.DBParameterGroupName ?? "",
      pendingEngineVersion: db.PendingModifiedValues?.EngineVersion,
    }
  );
}

function clusterState(db: DBCluster | undefined): RdsTargetState | undefined {
  return (
    db && {
      id: db.DBClusterIdentifier ?? "",
      status: db.Status ?? "unknown",
      engine: db.Engine ?? "",
      engineVersion: db.EngineVersion ?? "",
      parameterGroup: db.DBClusterParameterGroup ?? "",
      pendingEngineVersion: db.PendingModifiedValues?.EngineVersion,
    }
  );
}

/** DBSnapshot and DBClusterSnapshot share most fields; each lacks only the other's identifiers. */
function snapshotState(s: (DBSnapshot & DBClusterSnapshot) | undefined): RdsSnapshotState | undefined {
  return (
    s && {
      id: s.DBSnapshotIdentifier ?? s.DBClusterSnapshotIdentifier ?? "",
      arn: s.DBSnapshotArn ?? s.DBClusterSnapshotArn ?? "",
      status: s.Status ?? "unknown",
      sourceId: s.DBInstanceIdentifier ?? s.DBClusterIdentifier ?? "",
      createdAt: s.SnapshotCreateTime?.toISOString(),
      sizeGiB: s.AllocatedStorage,
      engineVersion: s.EngineVersion,
      percentProgress: s.PercentProgress,
      ...(s.TagList ? { tags: tagsOf(s.TagList) } : {}),
    }
  );
}
