// RestoreDBInstanceFromDBSnapshot for the local RDS (rds.ts): a new instance from a snapshot,
// `creating` through the timed statuses and then `available`, with the snapshot's engine version.
// Its Tags are kept by the instance's ARN for ListTagsForResource, as real RDS does.
// Types are structural here so this file needs nothing from rds.ts (no import cycle).

interface RestorableSnapshot {
  id: string;
  kind: "instance" | "cluster";
  status: string;
  engine: string;
  engineVersion: string;
  allocatedStorage: number;
}

interface RestoredInstance {
  id: string;
  engine: string;
  engineVersion: string;
  status: string;
  parameterGroup: string;
  allocatedStorage?: number;
}

export interface RestoreContext<I extends RestoredInstance> {
  instances: Map<string, I>;
  arnOf: (instanceId: string) => string;
  tagsFrom: (p: Record<string, string>) => Record<string, string>;
  snapshots: Map<string, RestorableSnapshot>;
  startTransition: (
    key: string,
    t: { statuses: string[]; target: { status: string }; finish: () => void },
  ) => void;
  RdsFault: new (code: string, message: string) => Error;
}

/** Statuses a restored instance walks through before it is available, as RDS shows them. */
const RESTORE_STATUSES = ["creating", "backing-up"];

/** RestoreDBInstanceFromDBSnapshot, and the tags of the instances it made (by ARN). */
export function createRestorer<I extends RestoredInstance>(ctx: RestoreContext<I>) {
  const made = new Map<string, { instance: I; tags: Record<string, string> }>();
  return {
    restore: (p: Record<string, string>) => restoreFromSnapshot(ctx, made, p),
    /**
     * The tags of an instance by ARN: what its restore gave it, none for any other instance
     * (one added since under the same name included); undefined when no instance has the ARN.
     */
    tagsOf(arn: string): Record<string, string> | undefined {
      const instance = ctx.instances.get(arn.split(":db:")[1] ?? "");
      if (!instance || arn !== ctx.arnOf(instance.id)) return undefined;
      const entry = made.get(arn);
      return entry?.instance === instance ? entry.tags : {};
    },
  };
}

function restoreFromSnapshot<I extends RestoredInstance>(
  ctx: RestoreContext<I>,
  made: Map<string, { instance: I; tags: Record<string, string> }>,
  p: Record<string, string>,
): I {
  const snapshotId = p.DBSnapshotIdentifier ?? "";
  const instanceId = p.DBInstanceIdentifier ?? "";
  const snapshot = ctx.snapshots.get(snapshotId);
  if (snapshot?.kind !== "instance")
    throw new ctx.RdsFault("DBSnapshotNotFound", `DBSnapshot ${snapshotId} not found.`);
  if (snapshot.status !== "available")
    throw new ctx.RdsFault("InvalidDBSnapshotState", `Snapshot ${snapshotId} is ${snapshot.status}.`);
  if (ctx.instances.has(instanceId))
    throw new ctx.RdsFault("DBInstanceAlreadyExists", `DB instance ${instanceId} already exists.`);
  const major = snapshot.engineVersion.split(".").slice(0, 2).join(".");
  const instance = {
    id: instanceId,
    engine: snapshot.engine,
    engineVersion: snapshot.engineVersion,
    status: "creating",
    parameterGroup: `default.${snapshot.engine}${major}`,
    allocatedStorage: snapshot.allocatedStorage,
  } as I;
  ctx.instances.set(instanceId, instance);
  made.set(ctx.arnOf(instanceId), { instance, tags: ctx.tagsFrom(p) });
  const finish = () => {
    instance.status = "available";
  };
  ctx.startTransition(`instance:${instanceId}`, {
    statuses: [...RESTORE_STATUSES],
    target: instance,
    finish,
  });
  return instance;
}
