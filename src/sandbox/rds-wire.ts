import type { FakeSnapshot } from "./rds-types.js";

/** The local RDS's wire details: its XML, its error codes and statuses, its snapshot kinds (rds.ts). */

export const XMLNS = "http://rds.amazonaws.com/doc/2014-10-31/";
export const ARN_PREFIX = "arn:aws:rds:us-east-1:123456789012";
export const HTTP_STATUS: Record<string, number> = {
  DBInstanceNotFound: 404,
  DBClusterNotFoundFault: 404,
  DBSnapshotNotFound: 404,
  DBClusterSnapshotNotFoundFault: 404,
  AccessDenied: 403,
  MissingAuthenticationToken: 403,
}; // everything else (InvalidDBInstanceState, DBSnapshotAlreadyExists, Throttling, …) is 400
export const MAJOR_UPGRADE_MESSAGE =
  "The AllowMajorVersionUpgrade flag must be present when upgrading to a new major version.";
export const DEFAULT_TIMING = {
  modifyStatuses: ["modifying", "upgrading"],
  snapshotStatuses: ["creating"],
  stepMs: 200,
};

/** Element names and error codes differ between instance and cluster snapshots (the SDK maps them). */
export const SNAPSHOT_KINDS = {
  instance: {
    tag: "DBSnapshot",
    sourceParam: "DBInstanceIdentifier",
    arnType: "snapshot",
    notFound: "DBSnapshotNotFound",
    exists: "DBSnapshotAlreadyExists",
    badState: "InvalidDBSnapshotState",
  },
  cluster: {
    tag: "DBClusterSnapshot",
    sourceParam: "DBClusterIdentifier",
    arnType: "cluster-snapshot",
    notFound: "DBClusterSnapshotNotFoundFault",
    exists: "DBClusterSnapshotAlreadyExistsFault",
    badState: "InvalidDBClusterSnapshotStateFault",
  },
} as const;

export class RdsFault extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** A timed walk through `statuses` (each lasting stepMs); `finish` runs once the walk is over. */
export interface Transition {
  statuses: string[];
  startedAt: number;
  stepMs: number;
  target: { status: string };
  pendingEngineVersion?: string | undefined;
  finish: () => void;
}
export type StoredSnapshot = FakeSnapshot & { engine: string };
export type Scalar = string | number | boolean | Date | undefined;

export const escapeXml = (value: string): string =>
  value.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
export const text = (name: string, value: Scalar): string =>
  value === undefined
    ? ""
    : `<${name}>${escapeXml(value instanceof Date ? value.toISOString() : String(value))}</${name}>`;
export const el = (name: string, children: string[]): string => `<${name}>${children.join("")}</${name}>`;

export function majorVersion(engine: string, version: string): string {
  const parts = version.split(".");
  // postgres >= 10: "16"; mysql and aurora-mysql ("8.0.mysql_aurora.3.05.2"): "8.0"
  return engine.includes("postgres") && Number(parts[0]) >= 10
    ? String(parts[0])
    : parts.slice(0, 2).join(".");
}
