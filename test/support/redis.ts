import { randomUUID } from "node:crypto";
import type { Socket } from "node:net";
import { Redis, type RedisOptions } from "ioredis";

/**
 * The one Redis every test talks to: `REDIS_URL=redis://127.0.0.1:6390 npm test` moves the whole
 * suite, child processes included (pass them `redisChildEnv(prefix)`).
 */
export const REDIS_URL = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";

/** What a bot or CLI started as a child process needs to use the test's Redis and key prefix. */
export function redisChildEnv(prefix: string): { REDIS_URL: string; REDIS_PREFIX: string } {
  return { REDIS_URL, REDIS_PREFIX: prefix };
}

/** A real Redis connection and a key prefix no other test uses; `cleanup` deletes its keys. */
export async function isolatedRedis(): Promise<{
  redis: Redis;
  prefix: string;
  connect: (options?: RedisOptions) => Redis;
  cleanup: () => Promise<void>;
}> {
  const prefix = `preflight-test-${randomUUID().slice(0, 8)}:`;
  const opened: Redis[] = [];
  const connect = (options: RedisOptions = {}) => {
    const connection = new Redis(REDIS_URL, { maxRetriesPerRequest: 1, lazyConnect: false, ...options });
    opened.push(connection);
    return connection;
  };
  const redis = connect();
  await redis.ping();
  const cleanup = async () => {
    let cursor = "0";
    do {
      const [next, keys] = await redis.scan(cursor, "MATCH", `${prefix}*`, "COUNT", 500);
      if (keys.length > 0) await redis.del(...keys);
      cursor = next;
    } while (cursor !== "0");
    await Promise.all(opened.map((connection) => connection.quit()));
  };
  return { redis, prefix, connect, cleanup };
}

/** Counts the writes on a connection's socket from now on (a MULTI, a pipeline or a tick's auto-pipelined commands being one). */
export function countSocketWrites(connection: Redis): () => number {
  const socket = (connection as Redis & { stream: Socket }).stream;
  let writes = 0;
  const write = socket.write.bind(socket) as (...args: unknown[]) => boolean;
  socket.write = ((...args: unknown[]) => {
    writes += 1;
    return write(...args);
  }) as typeof socket.write;
  return () => writes;
}
