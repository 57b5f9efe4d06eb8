import { spawn } from "node:child_process";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { watchChild } from "../support/child-output.js";
import { compiledDist } from "../support/compiled-build.js";
import { startSlackApiDouble } from "../support/slack-api-double.js";

/**
 * The Dockerfile's steps without a Docker engine: compile as `npm run build` does (as its build
 * stage does), then start the compiled output with `node dist/main.js` (its CMD). The suite compiles
 * once for every file that needs it (test/support/compiled-build.ts), into a folder of its own.
 */

let outDir: string;

beforeAll(async () => {
  outDir = await compiledDist();
}, 150_000);

function startCompiled(env: Record<string, string>) {
  const child = spawn("node", [join(outDir, "main.js")], { env: { PATH: process.env.PATH ?? "", ...env } });
  const { output, exited, ready } = watchChild(child);
  return { child, exited: exited.then(({ code }) => code), output, ready };
}

// The processes share nothing (each has its own Slack double): they start together.
describe.concurrent("the compiled bot", () => {
  it("is what npm run build compiles", async () => {
    // The shared build runs this command with another --outDir, --noCheck and --noResolve: the same
    // JavaScript, since each file is compiled from itself alone (isolatedModules, verbatimModuleSyntax).
    const pkg = JSON.parse(await readFile("package.json", "utf8")) as { scripts: Record<string, string> };
    expect(pkg.scripts.build).toBe("tsc -p tsconfig.build.json");
    const tsconfig = JSON.parse(await readFile("tsconfig.json", "utf8")) as {
      compilerOptions: Record<string, unknown>;
    };
    expect(tsconfig.compilerOptions).toMatchObject({ isolatedModules: true, verbatimModuleSyntax: true });
  });

  it("exits 1 naming the missing configuration", async () => {
    const bot = startCompiled({});
    expect(await bot.exited).toBe(1);
    expect(bot.output()).toContain("SLACK_BOT_TOKEN is required");
  });

  it("exits 1 with one line on how to start Redis when none answers", async () => {
    // Slack accepts the token (checked first), so what is left to report is Redis.
    const slack = await startSlackApiDouble();
    const bot = startCompiled({
      SLACK_BOT_TOKEN: "xoxb-1",
      SLACK_SIGNING_SECRET: "s",
      SLACK_API_URL: slack.url,
      REDIS_URL: "redis://127.0.0.1:1",
    });
    expect(await bot.exited).toBe(1);
    await slack.close();
    expect(bot.output().trim()).toMatch(
      /^Preflight can't reach Redis at redis:\/\/127\.0\.0\.1:1 \(.*\)\. Start one \(redis-server --daemonize yes\) or set REDIS_URL\.$/,
    );
  });

  // Started with Redis and Slack, it loads the checklists, answers /healthz and stops on SIGTERM:
  // test/build/production-install.test.ts starts it so, from the install the image has.
});
