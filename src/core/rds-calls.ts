import { isCheck } from "./checklist/check-schema.js";
import type { Action } from "./checklist/schema.js";
import { plannedCheck } from "./checks/check-text.js";
import { RUN_TAG } from "./rds.js";

/**
 * The RDS API calls an action makes, with their resolved parameters: what a dry run and
 * `preflight preview` show instead of calling AWS.
 */
export function plannedCalls(action: Action, runId?: string): string[] {
  if (isCheck(action)) return plannedCheck(action);
  const cluster = action.target === "cluster";
  const kind = cluster ? "DBCluster" : "DBInstance";
  const idParam = cluster ? "DBClusterIdentifier" : "DBInstanceIdentifier";
  const snapshotKind = cluster ? "DBClusterSnapshot" : "DBSnapshot";
  const snapshotParam = cluster ? "DBClusterSnapshotIdentifier" : "DBSnapshotIdentifier";
  const region = action.region ? ` (${action.region})` : "";
  switch (action.type) {
    case "rds.snapshot":
      return [
        `Create${snapshotKind} ${idParam}=${action.identifier} ${snapshotParam}=${action.snapshot}${runId ? ` Tags=${RUN_TAG}=${runId}` : ""}${region}`,
        `Describe${snapshotKind}s ${snapshotParam}=${action.snapshot} until Status=available`,
      ];
    case "rds.wait_for_status":
      return [
        `Describe${kind}s ${idParam}=${action.identifier}${region} until Status=${action.status} (at most ${action.timeout})`,
      ];
    case "rds.check": {
      const expected = Object.entries(action.expect).map(([key, value]) => `${key}=${value}`);
      return [`Describe${kind}s ${idParam}=${action.identifier}${region}, expecting ${expected.join(", ")}`];
    }
    case "rds.modify": {
      const groupParam = cluster ? "DBClusterParameterGroupName" : "DBParameterGroupName";
      const changes = [
        action.engine_version
          ? `EngineVersion=${action.engine_version} AllowMajorVersionUpgrade=true`
          : undefined,
        action.parameter_group ? `${groupParam}=${action.parameter_group}` : undefined,
        `ApplyImmediately=${action.apply_immediately}`,
      ].filter(Boolean);
      return [`Modify${kind} ${idParam}=${action.identifier} ${changes.join(" ")}${region}`];
    }
    case "rds.delete_snapshot":
      return [
        `Describe${snapshotKind}s ${snapshotParam}=${action.snapshot}${region}`,
        `Delete${snapshotKind} ${snapshotParam}=${action.snapshot}`,
      ];
    case "rds.restore_snapshot":
      return [
        `RestoreDBInstanceFromDBSnapshot DBSnapshotIdentifier=${action.snapshot} DBInstanceIdentifier=${action.identifier}${runId ? ` Tags=${RUN_TAG}=${runId}` : ""}${region}`,
        `DescribeDBInstances DBInstanceIdentifier=${action.identifier} until Status=available (at most ${action.timeout})`,
      ];
  }
}
