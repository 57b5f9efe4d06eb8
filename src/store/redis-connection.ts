import { Cluster, Redis, type RedisOptions } from "ioredis";

/**
 * Where Redis is: one server (REDIS_URL), a primary watched by Sentinels (REDIS_SENTINELS with
 * REDIS_SENTINEL_NAME: after a failover ioredis asks them for the new primary), or a Redis Cluster
 * (REDIS_CLUSTER_NODES). In a cluster every Preflight key carries one hash tag (`{preflight}:…`):
 * the run store's scripts and BullMQ's touch several keys at once, and keys of one slot never
 * answer CROSSSLOT. (One slot puts Preflight's keys on one primary; its replicas keep them.)
 */

export type RedisTarget =
  | { kind: "single"; url: string }
  | { kind: "sentinel"; sentinels: HostPort[]; name: string; url: string }
  | { kind: "cluster"; nodes: HostPort[]; url: string };

export interface HostPort {
  host: string;
  port: number;
}

export interface RedisTargetSettings {
  REDIS_URL: string;
  REDIS_SENTINELS?: string | undefined;
  REDIS_SENTINEL_NAME?: string | undefined;
  REDIS_CLUSTER_NODES?: string | undefined;
}

/** `host:port,host:port` as addresses; the format is checked by the configuration's schema. */
export function parseHostPorts(list: string): HostPort[] {
  return list
    .split(",")
    .map((item) => item.trim())
    .filter(Boolean)
    .map((item) => {
      const at = item.lastIndexOf(":");
      return { host: item.slice(0, at).replace(/^\[|\]$/g, ""), port: Number(item.slice(at + 1)) };
    });
}

export function redisTargetOf(settings: RedisTargetSettings): RedisTarget {
  if (settings.REDIS_CLUSTER_NODES)
    return { kind: "cluster", nodes: parseHostPorts(settings.REDIS_CLUSTER_NODES), url: settings.REDIS_URL };
  if (settings.REDIS_SENTINELS)
    return {
      kind: "sentinel",
      sentinels: parseHostPorts(settings.REDIS_SENTINELS),
      name: settings.REDIS_SENTINEL_NAME ?? "mymaster",
      url: settings.REDIS_URL,
    };
  return { kind: "single", url: settings.REDIS_URL };
}

/** In words, for log lines and refusals. */
export function describeTarget(target: RedisTarget): string {
  const list = (nodes: HostPort[]) => nodes.map((node) => `${node.host}:${node.port}`).join(",");
  if (target.kind === "cluster") return `the Redis Cluster at ${list(target.nodes)}`;
  if (target.kind === "sentinel")
    return `primary "${target.name}" of the Sentinels at ${list(target.sentinels)}`;
  return withoutPassword(target.url);
}

/** A Redis URL as it may be shown or logged: its password (and user) replaced by `***`. */
export function withoutPassword(url: string): string {
  return url.replace(/^(rediss?:\/\/)[^@/]*@/i, "$1***@");
}

/**
 * The key prefix to use: in a cluster, the configured prefix inside one hash tag
 * (`preflight:` → `{preflight}:`) unless it already has one.
 */
export function keyPrefixFor(target: RedisTarget, prefix: string): string {
  if (target.kind !== "cluster" || /\{[^}]+\}/.test(prefix)) return prefix;
  const name = prefix.replace(/:$/, "");
  return `{${name}}${prefix.endsWith(":") ? ":" : ""}`;
}

/** Credentials, TLS and database of REDIS_URL, applied to Sentinel and Cluster connections too. */
function urlOptions(url: string): RedisOptions {
  const parsed = new URL(url);
  const db = Number(parsed.pathname.replace(/^\//, "") || "0");
  return {
    ...(parsed.username ? { username: decodeURIComponent(parsed.username) } : {}),
    ...(parsed.password ? { password: decodeURIComponent(parsed.password) } : {}),
    ...(parsed.protocol === "rediss:" ? { tls: {} } : {}),
    ...(Number.isInteger(db) && db > 0 ? { db } : {}),
  };
}

/**
 * A connection to the target. A Cluster is typed as a Redis: the store, the leases and BullMQ use
 * the commands both have (BullMQ tells them apart itself), so one type serves every mode.
 */
export function connectRedis(target: RedisTarget, options: RedisOptions): Redis {
  if (target.kind === "single") return new Redis(target.url, options);
  if (target.kind === "sentinel") {
    const { db: _db, ...auth } = urlOptions(target.url);
    return new Redis({
      ...auth,
      ...options,
      sentinels: target.sentinels,
      name: target.name,
      // Sentinels are asked again until one answers (unless the caller says otherwise, as the CLI
      // does); the primary's own retries are `retryStrategy`.
      sentinelRetryStrategy: options.sentinelRetryStrategy ?? ((times) => Math.min(times * 200, 2_000)),
    });
  }
  const { retryStrategy, lazyConnect, ...redisOptions } = options;
  const { db: _db, ...auth } = urlOptions(target.url);
  const cluster = new Cluster(target.nodes, {
    redisOptions: { ...auth, ...redisOptions },
    clusterRetryStrategy: retryStrategy ?? ((times) => Math.min(times * 200, 2_000)),
    ...(lazyConnect !== undefined ? { lazyConnect } : {}),
    // Preflight's keys are read where they were written.
    scaleReads: "master",
  });
  return cluster as unknown as Redis;
}

/** From now on reconnect after an outage (at start, a Redis that does not answer is reported instead). */
export function reconnectFromNowOn(redis: Redis): void {
  const strategy = (times: number) => Math.min(times * 200, 2_000);
  if (redis instanceof Cluster) (redis as unknown as Cluster).options.clusterRetryStrategy = strategy;
  else redis.options.retryStrategy = strategy;
}

/** The servers holding Preflight's data: each primary of a cluster, or the one server. */
export function dataNodes(redis: Redis): Redis[] {
  return redis instanceof Cluster ? (redis as unknown as Cluster).nodes("master") : [redis];
}
