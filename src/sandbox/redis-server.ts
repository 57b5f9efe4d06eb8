import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { mkdirSync } from "node:fs";
import { createServer } from "node:net";
import { Redis } from "ioredis";

/**
 * The sandbox's Redis: the server at REDIS_URL when one answers; otherwise a `redis-server` from
 * the PATH on a free port, its data under `.preflight/sandbox/`, stopped with the sandbox.
 */

export class NoRedisError extends Error {}

export const INSTALL_REDIS =
  "The sandbox needs Redis: none answers at REDIS_URL and no redis-server is on the PATH. Install one (Debian/Ubuntu: sudo apt-get install redis-server; macOS: brew install redis) or set REDIS_URL.";

export interface SandboxRedis {
  url: string;
  /** Whether the sandbox started it (and stops it). */
  started: boolean;
  stop(): Promise<void>;
}

async function answers(url: string): Promise<boolean> {
  const probe = new Redis(url, {
    lazyConnect: true,
    connectTimeout: 1_000,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  probe.on("error", () => {});
  try {
    await probe.connect();
    return (await probe.ping()) === "PONG";
  } catch {
    return false;
  } finally {
    probe.disconnect();
  }
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

const onPath = (binary: string) => spawnSync("sh", ["-c", `command -v ${binary}`]).status === 0;

export async function ensureRedis(options: { url?: string; dataDir: string }): Promise<SandboxRedis> {
  const url = options.url ?? "redis://127.0.0.1:6379";
  if (await answers(url)) return { url, started: false, stop: async () => {} };
  if (!onPath("redis-server")) throw new NoRedisError(INSTALL_REDIS);

  mkdirSync(options.dataDir, { recursive: true });
  const port = await freePort();
  const child: ChildProcess = spawn(
    "redis-server",
    [
      "--port",
      String(port),
      "--bind",
      "127.0.0.1",
      "--dir",
      options.dataDir,
      "--appendonly",
      "yes",
      "--save",
      "",
    ],
    // Its own process group: Ctrl-C reaches the sandbox, which stops the bot before the server.
    { stdio: "ignore", detached: true },
  );
  // If the sandbox dies without stopping, the server must not outlive it.
  const killOnExit = () => child.kill("SIGTERM");
  process.once("exit", killOnExit);
  const ownUrl = `redis://127.0.0.1:${port}`;
  const deadline = Date.now() + 10_000;
  while (!(await answers(ownUrl))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill("SIGKILL");
      throw new NoRedisError(`redis-server did not start on port ${port} (exit code ${child.exitCode}).`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return {
    url: ownUrl,
    started: true,
    stop: () =>
      new Promise<void>((resolve) => {
        process.removeListener("exit", killOnExit);
        if (child.exitCode !== null) return resolve();
        child.once("exit", () => resolve());
        child.kill("SIGTERM");
      }),
  };
}
