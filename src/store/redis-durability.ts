import type { Redis } from "ioredis";
import type { Logger } from "../core/ports.js";
import { dataNodes } from "./redis-connection.js";

/**
 * Runs, their outboxes and every reminder live in Redis: a Redis that evicts keys under memory
 * pressure, or keeps nothing across a restart, loses them. Checked at start (INFO, and CONFIG GET
 * save where the provider allows CONFIG); main.ts warns in one line, or refuses to start with
 * PREFLIGHT_REQUIRE_DURABLE_REDIS=true.
 */

export interface DurabilityFacts {
  /** `maxmemory-policy`; undefined when the server did not say. */
  policy?: string | undefined;
  aof?: boolean | undefined;
  /** `save` (RDB snapshots): '' when none; undefined when CONFIG is not allowed. */
  save?: string | undefined;
}

/** What is wrong with the server's settings for Preflight's data, in words; empty when nothing. */
export function durabilityProblems(facts: DurabilityFacts): string[] {
  const problems: string[] = [];
  if (facts.policy !== undefined && facts.policy !== "noeviction")
    problems.push(
      `maxmemory-policy is ${facts.policy}, not noeviction (keys can be evicted under memory pressure)`,
    );
  if (facts.aof === false && facts.save !== undefined && facts.save.trim() === "")
    problems.push('it persists nothing (appendonly no, save ""): a restart loses every run and reminder');
  return problems;
}

function infoField(info: string, field: string): string | undefined {
  const line = info.split(/\r?\n/).find((candidate) => candidate.startsWith(`${field}:`));
  return line?.slice(field.length + 1).trim();
}

/** Reads the facts from one server. */
export async function readDurabilityFacts(redis: Redis): Promise<DurabilityFacts> {
  const [memory, persistence] = await Promise.all([redis.info("memory"), redis.info("persistence")]);
  const aof = infoField(persistence, "aof_enabled");
  let save: string | undefined;
  try {
    const reply = (await redis.config("GET", "save")) as string[];
    save = reply[1];
  } catch {
    // Managed Redis (ElastiCache, Memorystore) refuses CONFIG: judge by AOF alone.
    save = undefined;
  }
  return {
    policy: infoField(memory, "maxmemory_policy"),
    aof: aof === undefined ? undefined : aof === "1",
    save,
  };
}

/** The problems of every server holding Preflight's data (each primary of a cluster). */
export async function checkRedisDurability(redis: Redis): Promise<string[]> {
  const nodes = dataNodes(redis);
  const found = await Promise.all(
    nodes.map(async (node) => durabilityProblems(await readDurabilityFacts(node))),
  );
  return [...new Set(found.flat())];
}

/** PREFLIGHT_REQUIRE_DURABLE_REDIS=true and Redis could lose data: refused, in one line. */
export class RedisNotDurableError extends Error {}

/** One write that expires: Redis takes writes (not only pings) within a second. */
export async function redisWritable(redis: Redis, key: string): Promise<boolean> {
  try {
    const set = redis.set(key, String(process.pid), "PX", 10_000);
    const timeout = new Promise((resolve) => setTimeout(resolve, 1_000, "timeout").unref());
    return (await Promise.race([set, timeout])) === "OK";
  } catch {
    return false;
  }
}

/** Runs and reminders live in Redis: one warning line when it could lose them, or a refusal. */
export async function checkDurability(redis: Redis, require: boolean, log: Logger): Promise<void> {
  const problems = await checkRedisDurability(redis).catch((error: unknown) => [
    `its settings could not be read (${error instanceof Error ? error.message : String(error)})`,
  ]);
  if (problems.length === 0) return;
  const said = `Redis may lose Preflight's runs and reminders: ${problems.join("; ")}. Set maxmemory-policy noeviction and appendonly yes`;
  if (require)
    throw new RedisNotDurableError(`Preflight can't start: ${said} (PREFLIGHT_REQUIRE_DURABLE_REDIS=true).`);
  log.warn(`${said}, or set PREFLIGHT_REQUIRE_DURABLE_REDIS=true to refuse to start on such a Redis.`);
}
