import type { FakeCluster, FakeInstance } from "./rds-types.js";
import { ARN_PREFIX, el, SNAPSHOT_KINDS, type StoredSnapshot, text } from "./rds-wire.js";

/** How the RDS double writes its records in the Query protocol's XML, as real RDS does. */
export function rdsXml(deps: {
  /** The engine version a modify left waiting, by "instance:ID" or "cluster:ID". */
  pendingVersion: (key: string) => string | undefined;
  percentProgress: (snapshotId: string) => number;
  membersOf: (clusterId: string) => FakeInstance[];
}) {
  const instanceXml = (i: FakeInstance): string =>
    el("DBInstance", [
      text("DBInstanceIdentifier", i.id),
      text("DBInstanceClass", "db.t3.medium"),
      text("Engine", i.engine),
      text("DBInstanceStatus", i.status),
      text("AllocatedStorage", i.allocatedStorage ?? 20),
      el("DBParameterGroups", [
        el("DBParameterGroup", [
          text("DBParameterGroupName", i.parameterGroup),
          text("ParameterApplyStatus", "in-sync"),
        ]),
      ]),
      el("PendingModifiedValues", [text("EngineVersion", deps.pendingVersion(`instance:${i.id}`))]),
      text("MultiAZ", false),
      text("EngineVersion", i.engineVersion),
      text("DBClusterIdentifier", i.clusterId),
      text("DBInstanceArn", `${ARN_PREFIX}:db:${i.id}`),
    ]);
  const clusterXml = (c: FakeCluster): string => {
    const members = deps.membersOf(c.id);
    return el("DBCluster", [
      text("AllocatedStorage", 1),
      text("DBClusterIdentifier", c.id),
      text("DBClusterParameterGroup", c.parameterGroup),
      text("Status", c.status),
      text("Engine", c.engine),
      text("EngineVersion", c.engineVersion),
      el(
        "DBClusterMembers",
        members.map((m, index) =>
          el("DBClusterMember", [
            text("DBInstanceIdentifier", m.id),
            text("IsClusterWriter", index === 0),
            text("DBClusterParameterGroupStatus", "in-sync"),
          ]),
        ),
      ),
      text("DBClusterArn", `${ARN_PREFIX}:cluster:${c.id}`),
      el("PendingModifiedValues", [text("EngineVersion", deps.pendingVersion(`cluster:${c.id}`))]),
    ]);
  };
  const tagListXml = (tags: Record<string, string>): string =>
    el(
      "TagList",
      Object.entries(tags).map(([key, value]) => el("Tag", [text("Key", key), text("Value", value)])),
    );
  const snapshotXml = (s: StoredSnapshot): string => {
    const { tag, sourceParam } = SNAPSHOT_KINDS[s.kind];
    return el(tag, [
      text(`${tag}Identifier`, s.id),
      text(sourceParam, s.sourceId),
      text("SnapshotCreateTime", s.createdAt),
      text("Engine", s.engine),
      text("AllocatedStorage", s.allocatedStorage),
      text("Status", s.status),
      text("EngineVersion", s.engineVersion),
      text("SnapshotType", "manual"),
      text("PercentProgress", deps.percentProgress(s.id)),
      text(`${tag}Arn`, s.arn),
      tagListXml(s.tags),
    ]);
  };
  return { instanceXml, clusterXml, tagListXml, snapshotXml };
}
