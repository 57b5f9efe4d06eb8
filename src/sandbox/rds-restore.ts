// RestoreDBInstanceFromDBSnapshot for the local RDS (rds.ts): a new instance from a snapshot,
// `creating` through the timed statuses and then `available`, with the snapshot's engine version.
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
  snapshots: Map<string, RestorableSnapshot>;
  startTransition: (
    key: string,
    t: { statuses: string[]; target: { status: string }; finish: () => void },
  ) => void;
  RdsFault: new (code: string, message: string) => Error;
}

/** Statuses a restored instance walks through before it is available, as RDS shows them. */
const RESTORE_STATUSES = ["creating", "backing-up"];

export function restoreFromSnapshot<I extends RestoredInstance>(
  ctx: RestoreContext<I>,
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
