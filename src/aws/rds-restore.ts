import {
  type DBInstance,
  DescribeDBInstancesCommand,
  ListTagsForResourceCommand,
  type RDSClient,
  RestoreDBInstanceFromDBSnapshotCommand,
  type Tag,
} from "@aws-sdk/client-rds";
import type { RdsGateway, RdsTarget, RdsTargetState } from "../core/rds.js";

/** Runs one RDS call as rds-gateway.ts does: failures become RdsErrors naming the resource. */
type Call = <T>(
  context: { operation: string; target: RdsTarget; id: string; region: string; snapshotId?: string },
  run: () => Promise<T | undefined>,
) => Promise<T>;

/** rds-gateway.ts's readers of SDK shapes, passed in (no import cycle). */
interface Readers {
  instanceState: (db: DBInstance | undefined) => RdsTargetState | undefined;
  tagsOf: (list: readonly Tag[]) => Record<string, string>;
}

/** A rollback's restore (RestoreDBInstanceFromDBSnapshot) and the tags of the instance it made. */
export function restoreCalls(
  client: (region: string) => RDSClient,
  call: Call,
  { instanceState, tagsOf }: Readers,
): Pick<RdsGateway, "restoreSnapshot" | "instanceTags"> {
  return {
    restoreSnapshot(snapshotId, instanceId, region, tags = {}) {
      const Tags = Object.entries(tags).map(([Key, Value]) => ({ Key, Value }));
      const input = {
        DBSnapshotIdentifier: snapshotId,
        DBInstanceIdentifier: instanceId,
        ...(Tags.length > 0 ? { Tags } : {}),
      };
      // With `snapshotId`, an error about the snapshot names it, one about the new instance names that.
      const operation = "RestoreDBInstanceFromDBSnapshot";
      const context = { operation, target: "instance" as const, id: instanceId, region, snapshotId };
      return call(context, async () =>
        instanceState(
          (await client(region).send(new RestoreDBInstanceFromDBSnapshotCommand(input))).DBInstance,
        ),
      );
    },

    async instanceTags(instanceId, region) {
      const rds = client(region);
      const context = {
        operation: "DescribeDBInstances",
        target: "instance" as const,
        id: instanceId,
        region,
      };
      const arn = await call(
        context,
        async () =>
          (await rds.send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: instanceId })))
            .DBInstances?.[0]?.DBInstanceArn,
      );
      const listing = { ...context, operation: "ListTagsForResource" };
      return call(listing, async () =>
        tagsOf((await rds.send(new ListTagsForResourceCommand({ ResourceName: arn }))).TagList ?? []),
      );
    },
  };
}
