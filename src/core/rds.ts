/**
 * The port to AWS RDS that automated steps use. The adapter (src/aws/rds-gateway.ts) speaks to
 * RDS through @aws-sdk/client-rds; the core and the executor only see these shapes.
 */

export type RdsTarget = "instance" | "cluster";

export interface RdsTargetState {
  id: string;
  status: string;
  engine: string;
  engineVersion: string;
  parameterGroup: string;
  /** Set while a modification waits or runs (the version RDS is moving to). */
  pendingEngineVersion?: string;
}

export interface RdsSnapshotState {
  id: string;
  arn: string;
  status: string;
  sourceId: string;
  createdAt?: string;
  /** Allocated storage in GiB (instances; clusters report it where RDS does). */
  sizeGiB?: number;
  engineVersion?: string;
  percentProgress?: number;
  /** The snapshot's tags as RDS lists them (TagList); absent when the answer carried none. */
  tags?: Record<string, string>;
}

/** The tag `rds.snapshot` puts on what it creates: which run took it (`preflight:run=<run id>`). */
export const RUN_TAG = "preflight:run";

export interface RdsChanges {
  engineVersion?: string;
  parameterGroup?: string;
  applyImmediately: boolean;
}

export const RDS_ERROR_KINDS = [
  "access_denied",
  "not_found",
  "invalid_state",
  "already_exists",
  "throttled",
  "invalid_request",
  "other",
] as const;
export type RdsErrorKind = (typeof RDS_ERROR_KINDS)[number];

/** Every failure of an RDS call, sorted into what a person can act on. */
export class RdsError extends Error {
  constructor(
    readonly kind: RdsErrorKind,
    /** AWS's error code, e.g. DBSnapshotNotFound. */
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = "RdsError";
  }
}

export interface RdsGateway {
  describe(target: RdsTarget, id: string, region: string): Promise<RdsTargetState>;
  modify(target: RdsTarget, id: string, changes: RdsChanges, region: string): Promise<RdsTargetState>;
  createSnapshot(
    target: RdsTarget,
    sourceId: string,
    snapshotId: string,
    region: string,
    tags?: Readonly<Record<string, string>>,
  ): Promise<RdsSnapshotState>;
  describeSnapshot(target: RdsTarget, snapshotId: string, region: string): Promise<RdsSnapshotState>;
  deleteSnapshot(target: RdsTarget, snapshotId: string, region: string): Promise<void>;
  /** Tags of a resource by ARN (ListTagsForResource). */
  listTags(arn: string, region: string): Promise<Record<string, string>>;
  /** A new DB instance from a DB snapshot (RestoreDBInstanceFromDBSnapshot): a rollback's restore. */
  restoreSnapshot(
    snapshotId: string,
    instanceId: string,
    region: string,
    tags?: Readonly<Record<string, string>>,
  ): Promise<RdsTargetState>;
  /** Tags of a DB instance (by its ARN): whether a restore of this run made it. */
  instanceTags(instanceId: string, region: string): Promise<Record<string, string>>;
}
