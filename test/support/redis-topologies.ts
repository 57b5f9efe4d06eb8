import { type ChildProcess, execFile, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { Redis } from "ioredis";
import { freePort } from "../../src/sandbox/redis-server.js";

/**
 * Redis setups that survive losing a node, started from redis-server on loopback ports for one
 * test file: a 3-primary Cluster, and a primary with a replica watched by 3 Sentinels. Every
 * process is a child of the test (no --daemonize), so `close()` ends each one it started.
 */

const run = promisify(execFile);

interface Servers {
  dir: string;
  children: ChildProcess[];
}

async function servers(name: string): Promise<Servers> {
  return { dir: await mkdtemp(join(tmpdir(), `preflight-${name}-`)), children: [] };
}

function startServer(servers: Servers, args: string[]): ChildProcess {
  const child = spawn("redis-server", args, { stdio: "ignore", cwd: servers.dir });
  servers.children.push(child);
  return child;
}

async function answers(port: number): Promise<void> {
  for (let i = 0; i < 100; i++) {
    const probe = new Redis(port, "127.0.0.1", {
      lazyConnect: true,
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
    });
    probe.on("error", () => undefined);
    try {
      await probe.connect();
      await probe.ping();
      return;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 50));
    } finally {
      probe.disconnect();
    }
  }
  throw new Error(`redis-server did not answer on port ${port}`);
}

/** Asks one server until `check` holds (or gives up after ~15 s). */
async function until(port: number, check: (redis: Redis) => Promise<boolean>, what: string): Promise<void> {
  const redis = new Redis(port, "127.0.0.1", { maxRetriesPerRequest: 1 });
  redis.on("error", () => undefined);
  try {
    for (let i = 0; i < 150; i++) {
      if (await check(redis).catch(() => false)) return;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`gave up waiting: ${what}`);
  } finally {
    redis.disconnect();
  }
}

async function stopAll(servers: Servers): Promise<void> {
  await Promise.all(
    servers.children.map(async (child) => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((resolve) => child.once("exit", resolve));
      child.kill("SIGKILL");
      await exited;
    }),
  );
  await rm(servers.dir, { recursive: true, force: true });
}

// A replica's first sync starts at once: Redis otherwise waits 5 s for more replicas to share it.
const EPHEMERAL = [
  "--bind",
  "127.0.0.1",
  "--save",
  "",
  "--appendonly",
  "no",
  "--repl-diskless-sync-delay",
  "0",
];

export interface TestCluster {
  /** `host:port,…` for REDIS_CLUSTER_NODES. */
  nodes: string;
  ports: number[];
  close(): Promise<void>;
}

/** Three primaries, no replicas, every slot assigned. */
export async function startCluster(): Promise<TestCluster> {
  const cluster = await servers("cluster");
  const ports = [await freePort(), await freePort(), await freePort()];
  try {
    for (const port of ports)
      startServer(cluster, [
        "--port",
        String(port),
        "--cluster-enabled",
        "yes",
        "--cluster-config-file",
        `nodes-${port}.conf`,
        ...EPHEMERAL,
      ]);
    await Promise.all(ports.map(answers));
    const addresses = ports.map((port) => `127.0.0.1:${port}`);
    await run(
      "redis-cli",
      ["--cluster", "create", ...addresses, "--cluster-replicas", "0", "--cluster-yes"],
      {
        timeout: 20_000,
      },
    );
    for (const port of ports)
      await until(
        port,
        async (redis) => (await redis.cluster("INFO")).includes("cluster_state:ok"),
        "cluster ok",
      );
    return { nodes: addresses.join(","), ports, close: () => stopAll(cluster) };
  } catch (error) {
    await stopAll(cluster);
    throw error;
  }
}

export interface TestSentinels {
  /** `host:port,…` for REDIS_SENTINELS. */
  sentinels: string;
  name: string;
  primaryPort: number;
  replicaPort: number;
  /** SIGKILL the primary: the Sentinels promote the replica. */
  killPrimary(): void;
  close(): Promise<void>;
}

/** A primary, its replica, and three Sentinels that fail over within a few seconds. */
export async function startSentinels(name = "preflight"): Promise<TestSentinels> {
  const group = await servers("sentinel");
  try {
    const primaryPort = await freePort();
    const replicaPort = await freePort();
    const primary = startServer(group, ["--port", String(primaryPort), ...EPHEMERAL]);
    startServer(group, [
      "--port",
      String(replicaPort),
      "--replicaof",
      "127.0.0.1",
      String(primaryPort),
      ...EPHEMERAL,
    ]);
    await Promise.all([answers(primaryPort), answers(replicaPort)]);
    await until(
      replicaPort,
      async (redis) => (await redis.info("replication")).includes("master_link_status:up"),
      "replica in sync",
    );
    const sentinelPorts = [await freePort(), await freePort(), await freePort()];
    // Each Sentinel is told its own id, the replica and the other Sentinels up front, as a
    // Sentinel that has run a while would have written them to its file: otherwise each finds the
    // others only by their hello messages (every 2 s) and the replica by the primary's INFO.
    const ids = sentinelPorts.map(() => randomBytes(20).toString("hex"));
    for (const [i, port] of sentinelPorts.entries()) {
      const file = join(group.dir, `sentinel-${port}.conf`);
      await writeFile(
        file,
        [
          `port ${port}`,
          "bind 127.0.0.1",
          `dir ${group.dir}`,
          `sentinel myid ${ids[i]}`,
          `sentinel monitor ${name} 127.0.0.1 ${primaryPort} 2`,
          `sentinel down-after-milliseconds ${name} 1000`,
          `sentinel failover-timeout ${name} 5000`,
          `sentinel parallel-syncs ${name} 1`,
          `sentinel known-replica ${name} 127.0.0.1 ${replicaPort}`,
          ...sentinelPorts.flatMap((other, j) =>
            j === i ? [] : [`sentinel known-sentinel ${name} 127.0.0.1 ${other} ${ids[j]}`],
          ),
          "",
        ].join("\n"),
      );
      startServer(group, [file, "--sentinel"]);
    }
    await Promise.all(sentinelPorts.map(answers));
    // A failover needs a quorum that knows the replica and each other.
    for (const port of sentinelPorts) {
      await until(
        port,
        async (redis) => ((await redis.call("SENTINEL", "REPLICAS", name)) as unknown[]).length === 1,
        "sentinel sees the replica",
      );
      await until(
        port,
        async (redis) => ((await redis.call("SENTINEL", "SENTINELS", name)) as unknown[]).length === 2,
        "sentinels see each other",
      );
    }
    return {
      sentinels: sentinelPorts.map((port) => `127.0.0.1:${port}`).join(","),
      name,
      primaryPort,
      replicaPort,
      killPrimary: () => primary.kill("SIGKILL"),
      close: () => stopAll(group),
    };
  } catch (error) {
    await stopAll(group);
    throw error;
  }
}
