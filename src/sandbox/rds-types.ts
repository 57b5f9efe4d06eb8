/** What the local RDS keeps and answers, as tests and the sandbox page see it (rds.ts serves it). */

export interface FakeInstance {
  id: string;
  engine: string;
  engineVersion: string;
  status: string;
  parameterGroup: string;
  clusterId?: string;
  allocatedStorage?: number;
}
export interface FakeCluster {
  id: string;
  engine: string;
  engineVersion: string;
  status: string;
  parameterGroup: string;
}
export interface FakeSnapshot {
  id: string;
  kind: "instance" | "cluster";
  sourceId: string;
  status: string;
  createdAt: Date;
  allocatedStorage: number;
  engineVersion: string;
  arn: string;
  tags: Record<string, string>;
}
export interface RecordedRdsCall {
  action: string;
  params: Record<string, string>;
  at: number;
}
export interface RdsDouble {
  url: string;
  calls: RecordedRdsCall[];
  callsTo(action: string): RecordedRdsCall[];
  addInstance(i: Partial<FakeInstance> & { id: string }): void;
  addCluster(c: Partial<FakeCluster> & { id: string }): void;
  addSnapshot(
    s: Partial<FakeSnapshot> & { id: string; kind: "instance" | "cluster"; sourceId: string },
  ): void;
  instance(id: string): FakeInstance | undefined;
  snapshot(id: string): FakeSnapshot | undefined;
  /** Every instance and snapshot as it is now (the sandbox's page shows them). */
  list(): { instances: FakeInstance[]; clusters: FakeCluster[]; snapshots: FakeSnapshot[] };
  failNext(
    action: string,
    code: "AccessDenied" | "Throttling" | "DBInstanceNotFound" | "InvalidDBInstanceState" | string,
    times?: number,
  ): void;
  setTransitions(opts: { modifyStatuses?: string[]; snapshotStatuses?: string[]; stepMs?: number }): void;
  reset(): void;
  close(): Promise<void>;
}
