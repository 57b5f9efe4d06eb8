import { spawn } from "node:child_process";
import { cp, mkdir, mkdtemp, readFile, rm, symlink } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadChecklists } from "../../src/checklists/load-checklists.js";
import { freePort } from "../../src/sandbox/redis-server.js";
import { watchChild } from "../support/child-output.js";
import { compiledDist } from "../support/compiled-build.js";
import { isolatedRedis, redisChildEnv } from "../support/redis.js";
import { type SlackApiDouble, startSlackApiDouble } from "../support/slack-api-double.js";

/**
 * `node dist/main.js` from a production-only install (what the image's `npm ci --omit=dev` keeps):
 * a folder with the compiled bot and only the packages package-lock.json does not mark `dev`
 * (linked, resolved with --preserve-symlinks so nothing is found in the checkout's full
 * node_modules). It starts, loads the shipped checklists, logs JSON lines, answers /healthz, /readyz
 * and /metrics, and stops on SIGTERM: no tsx, no pino-pretty. (The compiled bot's start, once: a
 * bot that starts with only the production packages starts with all of them too.)
 */

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "preflight-prod-"));
  // The suite's one build (`tsc -p tsconfig.build.json`, test/support/compiled-build.ts), copied.
  await cp(await compiledDist(), join(dir, "dist"), { recursive: true });
  await cp("package.json", join(dir, "package.json"));
  await cp("checklists", join(dir, "checklists"), { recursive: true });
  const lock = JSON.parse(await readFile("package-lock.json", "utf8")) as {
    packages: Record<string, { dev?: boolean; devOptional?: boolean }>;
  };
  const production = Object.entries(lock.packages).filter(
    ([path, entry]) => /^node_modules\/(@[^/]+\/)?[^/]+$/.test(path) && !entry.dev && !entry.devOptional,
  );
  for (const [path] of production) {
    const target = resolve(path);
    const link = join(dir, path);
    await mkdir(dirname(link), { recursive: true });
    await symlink(target, link).catch(() => undefined);
  }
}, 150_000);
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe("a production-only install", () => {
  let slack: SlackApiDouble;
  let redis: Awaited<ReturnType<typeof isolatedRedis>>;
  beforeAll(async () => {
    slack = await startSlackApiDouble();
    redis = await isolatedRedis();
  });
  afterAll(async () => {
    await slack.close();
    await redis.cleanup();
  });

  it("has no development tools, and node dist/main.js loads the checklists, serves /healthz, /readyz and /metrics and stops on SIGTERM", async () => {
    await expect(readFile(join(dir, "node_modules", "tsx", "package.json"))).rejects.toThrow();
    await expect(readFile(join(dir, "node_modules", "pino-pretty", "package.json"))).rejects.toThrow();
    const port = await freePort();
    const child = spawn(
      process.execPath,
      ["--preserve-symlinks", "--preserve-symlinks-main", join(dir, "dist", "main.js")],
      {
        cwd: dir,
        env: {
          PATH: process.env.PATH ?? "",
          SLACK_BOT_TOKEN: "xoxb-1",
          SLACK_SIGNING_SECRET: "s",
          SLACK_API_URL: slack.url,
          PORT: String(port),
          ...redisChildEnv(redis.prefix),
        },
      },
    );
    const { output, exited, ready } = watchChild(child);
    try {
      await ready;
      // Every line one JSON object (Redis here persists nothing: one warning says so).
      const lines = output().trim().split("\n");
      for (const line of lines) expect(() => JSON.parse(line)).not.toThrow();
      expect(lines.map((line) => JSON.parse(line).message)).toContainEqual(
        expect.stringContaining("Redis may lose Preflight's runs and reminders"),
      );
      const shipped = (await loadChecklists(["checklists"])).checklists.map((c) => c.checklist.id);
      expect(output()).toContain(`"checklists":${JSON.stringify(shipped)}`);
      expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
      expect((await fetch(`http://127.0.0.1:${port}/readyz`)).status).toBe(200);
      const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
      expect(metrics).toContain("preflight_runs_started_total 0");
    } finally {
      child.kill("SIGTERM");
    }
    expect((await exited).code).toBe(0);
    expect(output()).toContain('"message":"stopped"');
  });
});
