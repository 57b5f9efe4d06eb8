// A local stand-in for Amazon RDS that speaks the AWS Query protocol, so tests run the REAL
// @aws-sdk/client-rds (serializer, XML deserializer, error mapping, retries) against 127.0.0.1.
// Status changes are driven by elapsed time (evaluated on every request), like the real service.
// - Requests must carry a SigV4 Authorization header (else 403 MissingAuthenticationToken).
// - `calls[].params` holds every form field as sent, Action and Version included; failed calls are recorded too.
// - instance()/snapshot() return the live records: mutate them to set up odd states.
// - CreateDB(Cluster)Snapshot keeps its Tags; Describe…Snapshots lists them as TagList and
//   ListTagsForResource answers them by ARN, as real RDS does.
// - Modify without ApplyImmediately=true only shows PendingModifiedValues (the maintenance window never comes);
//   a major version change without AllowMajorVersionUpgrade=true is 400 InvalidParameterCombination.
import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { createRestorer } from "./rds-restore.js";
import type { FakeCluster, FakeInstance, FakeSnapshot, RdsDouble, RecordedRdsCall } from "./rds-types.js";
import {
  ARN_PREFIX,
  DEFAULT_TIMING,
  el,
  HTTP_STATUS,
  MAJOR_UPGRADE_MESSAGE,
  majorVersion,
  RdsFault,
  SNAPSHOT_KINDS,
  type StoredSnapshot,
  type Transition,
  text,
  XMLNS,
} from "./rds-wire.js";
import { rdsXml } from "./rds-xml.js";

export type { FakeCluster, FakeInstance, FakeSnapshot, RdsDouble, RecordedRdsCall } from "./rds-types.js";

export interface RdsDoubleOptions {
  /**
   * The clock status transitions follow (ms). Defaults to the wall clock; unit tests pass one they
   * move themselves, so a busy machine can't skip a status between two polls.
   */
  now?: () => number;
}

export async function startRdsDouble(options: RdsDoubleOptions = {}): Promise<RdsDouble> {
  const clock = options.now ?? Date.now;
  const instances = new Map<string, FakeInstance>();
  const clusters = new Map<string, FakeCluster>();
  const snapshots = new Map<string, StoredSnapshot>();
  const transitions = new Map<string, Transition>(); // key: "instance:ID" | "cluster:ID" | "snapshot:ID"
  const deferred = new Map<string, string>(); // engine versions waiting for the maintenance window
  const failures = new Map<string, { code: string; remaining: number }[]>();
  const calls: RecordedRdsCall[] = [];
  let timing = { ...DEFAULT_TIMING };
  const arnOf = (id: string) => `${ARN_PREFIX}:db:${id}`;
  const restorer = createRestorer({ instances, snapshots, startTransition, RdsFault, arnOf, tagsFrom });

  /** Moves every running transition to the status the elapsed time calls for. */
  function settle(): void {
    const now = clock();
    for (const [key, t] of transitions) {
      const status = t.statuses[Math.floor((now - t.startedAt) / t.stepMs)];
      if (status !== undefined) {
        t.target.status = status;
      } else {
        transitions.delete(key);
        t.finish();
      }
    }
  }
  function startTransition(key: string, t: Omit<Transition, "startedAt" | "stepMs">): void {
    transitions.set(key, { ...t, startedAt: clock(), stepMs: timing.stepMs });
    settle();
  }
  function percentProgress(snapshotId: string): number {
    const t = transitions.get(`snapshot:${snapshotId}`);
    if (!t) return 100;
    return Math.min(99, Math.floor((100 * (clock() - t.startedAt)) / (t.statuses.length * t.stepMs)));
  }
  const pendingVersion = (key: string) => transitions.get(key)?.pendingEngineVersion ?? deferred.get(key);

  function requireInstance(id: string | undefined): FakeInstance {
    const found = instances.get(id ?? "");
    if (!found) throw new RdsFault("DBInstanceNotFound", `DBInstance ${id ?? ""} not found.`);
    return found;
  }
  function requireCluster(id: string | undefined): FakeCluster {
    const found = clusters.get(id ?? "");
    if (!found) throw new RdsFault("DBClusterNotFoundFault", `DBCluster ${id ?? ""} not found.`);
    return found;
  }
  function requireSnapshot(kind: FakeSnapshot["kind"], id: string | undefined): StoredSnapshot {
    const found = snapshots.get(id ?? "");
    if (found?.kind !== kind)
      throw new RdsFault(SNAPSHOT_KINDS[kind].notFound, `Snapshot ${id ?? ""} not found.`);
    return found;
  }

  const { instanceXml, clusterXml, tagListXml, snapshotXml } = rdsXml({
    pendingVersion,
    percentProgress,
    membersOf: (clusterId) => [...instances.values()].filter((i) => i.clusterId === clusterId),
  });
  /** `Tags.Tag.1.Key=…&Tags.Tag.1.Value=…` (the Query protocol's list of Tag) → a record. */
  function tagsFrom(p: Record<string, string>): Record<string, string> {
    const byIndex = new Map<string, { key?: string; value?: string }>();
    for (const [name, value] of Object.entries(p)) {
      const match = /^Tags\.(?:Tag\.|member\.)?(\d+)\.(Key|Value)$/.exec(name);
      if (!match?.[1]) continue;
      const entry = byIndex.get(match[1]) ?? {};
      if (match[2] === "Key") entry.key = value;
      else entry.value = value;
      byIndex.set(match[1], entry);
    }
    return Object.fromEntries(
      [...byIndex.values()].flatMap((t) => (t.key === undefined ? [] : [[t.key, t.value ?? ""]])),
    );
  }
  function listTags(p: Record<string, string>): string {
    const found = [...snapshots.values()].find((s) => s.arn === p.ResourceName);
    if (!found) throw new RdsFault("DBSnapshotNotFound", `Resource ${p.ResourceName ?? ""} not found.`);
    return tagListXml(found.tags);
  }

  function createSnapshot(kind: FakeSnapshot["kind"], p: Record<string, string>): string {
    const { tag, sourceParam, arnType, exists } = SNAPSHOT_KINDS[kind];
    const id = p[`${tag}Identifier`] ?? "";
    const source = kind === "instance" ? requireInstance(p[sourceParam]) : requireCluster(p[sourceParam]);
    if (snapshots.has(id)) throw new RdsFault(exists, `Snapshot with the identifier ${id} already exists.`);
    if (source.status !== "available") {
      const code = kind === "instance" ? "InvalidDBInstanceState" : "InvalidDBClusterStateFault";
      throw new RdsFault(code, `${source.id} is not currently in the available state.`);
    }
    const snapshot: StoredSnapshot = {
      id,
      kind,
      sourceId: source.id,
      status: "creating",
      createdAt: new Date(),
      allocatedStorage: kind === "instance" ? (instances.get(source.id)?.allocatedStorage ?? 20) : 1,
      engineVersion: source.engineVersion,
      engine: source.engine,
      arn: `${ARN_PREFIX}:${arnType}:${id}`,
      tags: tagsFrom(p),
    };
    snapshots.set(id, snapshot);
    const finish = () => {
      snapshot.status = "available";
    };
    startTransition(`snapshot:${id}`, { statuses: [...timing.snapshotStatuses], target: snapshot, finish });
    return snapshotXml(snapshot);
  }
  function deleteSnapshot(kind: FakeSnapshot["kind"], p: Record<string, string>): string {
    const snapshot = requireSnapshot(kind, p[`${SNAPSHOT_KINDS[kind].tag}Identifier`]);
    if (snapshot.status !== "available") {
      throw new RdsFault(SNAPSHOT_KINDS[kind].badState, `Snapshot ${snapshot.id} is ${snapshot.status}.`);
    }
    snapshots.delete(snapshot.id);
    return snapshotXml({ ...snapshot, status: "deleted" });
  }
  function describeSnapshots(kind: FakeSnapshot["kind"], p: Record<string, string>): string {
    const { tag, sourceParam } = SNAPSHOT_KINDS[kind];
    const id = p[`${tag}Identifier`];
    const all = id === undefined ? [...snapshots.values()] : [requireSnapshot(kind, id)];
    const matching = all.filter((s) => s.kind === kind && (p[sourceParam] ?? s.sourceId) === s.sourceId);
    return el(`${tag}s`, matching.map(snapshotXml));
  }
  /** ModifyDBInstance / ModifyDBCluster: apply now through the timed statuses, or defer to the window. */
  function modify(kind: "instance" | "cluster", p: Record<string, string>): string {
    const target =
      kind === "instance" ? requireInstance(p.DBInstanceIdentifier) : requireCluster(p.DBClusterIdentifier);
    if (target.status !== "available") {
      const code = kind === "instance" ? "InvalidDBInstanceState" : "InvalidDBClusterStateFault";
      throw new RdsFault(code, `${target.id} is not in available state.`);
    }
    const version = p.EngineVersion;
    const group = kind === "instance" ? p.DBParameterGroupName : p.DBClusterParameterGroupName;
    const key = `${kind}:${target.id}`;
    const major =
      version && majorVersion(target.engine, version) !== majorVersion(target.engine, target.engineVersion);
    if (major && p.AllowMajorVersionUpgrade !== "true") {
      throw new RdsFault("InvalidParameterCombination", MAJOR_UPGRADE_MESSAGE);
    }
    if (p.ApplyImmediately !== "true") {
      if (version) deferred.set(key, version);
    } else if (version || group) {
      deferred.delete(key);
      const finish = () => {
        target.status = "available";
        if (version) target.engineVersion = version;
        if (group) target.parameterGroup = group;
        for (const member of instances.values()) {
          if (version && kind === "cluster" && member.clusterId === target.id) member.engineVersion = version;
        }
      };
      const statuses = [...timing.modifyStatuses];
      startTransition(key, { statuses, target, pendingEngineVersion: version, finish });
    }
    return kind === "instance" ? instanceXml(target as FakeInstance) : clusterXml(target);
  }

  const handlers: Record<string, (p: Record<string, string>) => string> = {
    DescribeDBInstances: ({ DBInstanceIdentifier: id }) =>
      el("DBInstances", (id ? [requireInstance(id)] : [...instances.values()]).map(instanceXml)),
    DescribeDBClusters: ({ DBClusterIdentifier: id }) =>
      el("DBClusters", (id ? [requireCluster(id)] : [...clusters.values()]).map(clusterXml)),
    DescribeDBSnapshots: (p) => describeSnapshots("instance", p),
    DescribeDBClusterSnapshots: (p) => describeSnapshots("cluster", p),
    CreateDBSnapshot: (p) => createSnapshot("instance", p),
    CreateDBClusterSnapshot: (p) => createSnapshot("cluster", p),
    DeleteDBSnapshot: (p) => deleteSnapshot("instance", p),
    DeleteDBClusterSnapshot: (p) => deleteSnapshot("cluster", p),
    ModifyDBInstance: (p) => modify("instance", p),
    ModifyDBCluster: (p) => modify("cluster", p),
    ListTagsForResource: (p) => {
      const restored = restorer.tagsOf(p.ResourceName ?? "");
      return restored ? tagListXml(restored) : listTags(p);
    },
    RestoreDBInstanceFromDBSnapshot: (p) => instanceXml(restorer.restore(p)),
  };

  function send(res: ServerResponse, status: number, body: string, requestId: string): void {
    res.writeHead(status, { "Content-Type": "text/xml", "x-amzn-RequestId": requestId });
    res.end(`<?xml version="1.0" encoding="UTF-8"?>\n${body}`);
  }
  function sendError(res: ServerResponse, code: string, message: string, requestId: string): void {
    const error = el("Error", [text("Type", "Sender"), text("Code", code), text("Message", message)]);
    const body = `<ErrorResponse xmlns="${XMLNS}">${error}${text("RequestId", requestId)}</ErrorResponse>`;
    send(res, HTTP_STATUS[code] ?? 400, body, requestId);
  }
  async function onRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const requestId = randomUUID();
    let raw = "";
    for await (const chunk of req) raw += String(chunk);
    const query = new URL(req.url ?? "/", "http://localhost").searchParams;
    const params = Object.fromEntries([...query, ...new URLSearchParams(raw)]);
    const action = params.Action ?? "";
    calls.push({ action, params, at: Date.now() });
    settle();
    if (!req.headers.authorization?.startsWith("AWS4-HMAC-SHA256")) {
      return sendError(res, "MissingAuthenticationToken", "Missing Authentication Token", requestId);
    }
    const queued = failures.get(action)?.[0];
    if (queued) {
      queued.remaining -= 1;
      if (queued.remaining <= 0) failures.get(action)?.shift();
      return sendError(res, queued.code, `Injected ${queued.code} for ${action}`, requestId);
    }
    try {
      const handler = handlers[action];
      if (!handler)
        throw new RdsFault("InvalidAction", `The action ${action} is not valid for this web service.`);
      const result = el(`${action}Result`, [handler(params)]);
      const metadata = el("ResponseMetadata", [text("RequestId", requestId)]);
      const body = `<${action}Response xmlns="${XMLNS}">${result}${metadata}</${action}Response>`;
      send(res, 200, body, requestId);
    } catch (error) {
      if (!(error instanceof RdsFault)) throw error;
      sendError(res, error.code, error.message, requestId);
    }
  }

  const server = createServer((req, res) => {
    onRequest(req, res).catch((error: unknown) => {
      res.writeHead(500).end(String(error));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    calls,
    callsTo: (action) => calls.filter((c) => c.action === action),
    addInstance(i) {
      const defaults = {
        engine: "mysql",
        engineVersion: "5.7.44",
        status: "available",
        allocatedStorage: 20,
      };
      instances.set(i.id, { ...defaults, parameterGroup: "default.mysql5.7", ...i });
    },
    addCluster(c) {
      const defaults = {
        engine: "aurora-mysql",
        engineVersion: "8.0.mysql_aurora.3.05.2",
        status: "available",
      };
      clusters.set(c.id, { ...defaults, parameterGroup: "default.aurora-mysql8.0", ...c });
    },
    addSnapshot(s) {
      const source = s.kind === "instance" ? instances.get(s.sourceId) : clusters.get(s.sourceId);
      snapshots.set(s.id, {
        status: "available",
        createdAt: new Date(),
        allocatedStorage: s.kind === "instance" ? (instances.get(s.sourceId)?.allocatedStorage ?? 20) : 1,
        engineVersion: source?.engineVersion ?? "5.7.44",
        engine: source?.engine ?? "mysql",
        arn: `${ARN_PREFIX}:${SNAPSHOT_KINDS[s.kind].arnType}:${s.id}`,
        tags: {},
        ...s,
      });
    },
    instance(id) {
      settle();
      return instances.get(id);
    },
    snapshot(id) {
      settle();
      return snapshots.get(id);
    },
    list() {
      settle();
      return {
        instances: [...instances.values()],
        clusters: [...clusters.values()],
        snapshots: [...snapshots.values()],
      };
    },
    failNext(action, code, times = 1) {
      failures.set(action, [...(failures.get(action) ?? []), { code, remaining: times }]);
    },
    setTransitions(opts) {
      timing = { ...timing, ...opts };
    },
    reset() {
      for (const map of [instances, clusters, snapshots, transitions, deferred, failures]) map.clear();
      calls.length = 0;
      timing = { ...DEFAULT_TIMING };
    },
    close() {
      return new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      });
    },
  };
}
