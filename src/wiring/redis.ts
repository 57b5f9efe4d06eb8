import type { Config } from "../config.js";
import type { Logger } from "../core/ports.js";
import {
  connectRedis,
  describeTarget,
  keyPrefixFor,
  reconnectFromNowOn,
  redisTargetOf,
} from "../store/redis-connection.js";
import { checkDurability } from "../store/redis-durability.js";

/** Redis can't be reached at start: main.ts says so in one line and exits. */
/** How long a Redis command may take before it fails as "storage unavailable". */
export const COMMAND_TIMEOUT_MS = 1_500;

export class RedisUnavailableError extends Error {}

/**
 * Connects to Redis (one server, a Sentinel-watched primary, or a Cluster, whose keys then share
 * one hash tag), checks that it keeps what it is told, and opens the workers' own connection.
 */
export async function connectStorage(config: Config, log: Logger) {
  const target = redisTargetOf(config);
  const redis = connectRedis(target, {
    maxRetriesPerRequest: 1,
    lazyConnect: true,
    connectTimeout: 3_000,
    // Every request is answered within Slack's 3 s even when Redis hangs: a command that
    // takes longer fails as "storage unavailable".
    commandTimeout: COMMAND_TIMEOUT_MS,
    retryStrategy: () => null,
    // Commands sent in one tick go in one write: under load (a burst of reminders, many clicks)
    // that is far fewer system calls. Not on a Cluster, where ioredis can send EVALSHA to the
    // wrong node this way (ioredis#2109).
    enableAutoPipelining: target.kind !== "cluster",
  });
  // Until connected, a failure is reported once below; afterwards an outage is logged once
  // when it starts and once when it ends, not for every reconnection attempt.
  let connected = false;
  let down = false;
  redis.on("error", (error: Error) => {
    if (!connected || down) return;
    down = true;
    log.warn("Redis connection lost; reconnecting", { error: error.message });
  });
  redis.on("ready", () => {
    if (!down) return;
    down = false;
    log.info("Redis connection back");
  });
  try {
    await redis.connect();
    await redis.ping();
  } catch (error) {
    redis.disconnect();
    throw new RedisUnavailableError(refusedAtStart(describeTarget(target), error));
  }
  connected = true;
  // Reconnect from now on: a Redis restart should not take the bot down.
  reconnectFromNowOn(redis);
  await checkDurability(redis, config.PREFLIGHT_REQUIRE_DURABLE_REDIS, log).catch((error: unknown) => {
    redis.disconnect();
    throw error;
  });
  const workerConnection = connectRedis(target, { maxRetriesPerRequest: null });
  // Its outages are the same as the main connection's, which logs them.
  workerConnection.on("error", () => undefined);
  // BullMQ's queues get a connection of their own: BullMQ defines its ~60 Lua scripts on the
  // connection it is given, and ioredis copies every script defined on a connection into each
  // MULTI and pipeline it makes (auto-pipelining makes one a tick): 62 µs each instead of 8.
  const queueConnection = redis.duplicate();
  queueConnection.on("error", () => undefined);
  const prefix = keyPrefixFor(target, config.REDIS_PREFIX);

  /** Answers PING within a second (the health check). */
  const healthy = async () => {
    try {
      return (
        (await Promise.race([
          redis.ping(),
          new Promise((resolve) => setTimeout(resolve, 1_000, "timeout")),
        ])) === "PONG"
      );
    } catch {
      return false;
    }
  };
  return { redis, workerConnection, queueConnection, prefix, healthy };
}

/** Why Redis refused the bot at start, and what to do: a wrong password is not "start one". */
function refusedAtStart(where: string, error: unknown): string {
  const reason = error instanceof Error ? error.message : String(error);
  if (/WRONGPASS|NOAUTH|invalid password|invalid username-password/i.test(reason))
    return `Preflight can't log in to Redis at ${where} (${reason}): check the user and password in REDIS_URL.`;
  return `Preflight can't reach Redis at ${where} (${reason}). Start one (redis-server --daemonize yes) or set REDIS_URL.`;
}
