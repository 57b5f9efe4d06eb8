import { execFile } from "node:child_process";
import { mkdir, mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { printHistory } from "../../src/cli/history-command.js";
import { printSuggestions } from "../../src/cli/suggest-command.js";
import { parseChecklist } from "../../src/core/checklist/parse-checklist.js";
import type { HistoryEntry } from "../../src/core/history/history-schema.js";
import { applyEvent } from "../../src/core/run/apply-event.js";
import { createRedisHistory } from "../../src/store/redis-history.js";
import { compiledRoot } from "../support/compiled-build.js";
import { ALICE, entriesIn, fiveQaRuns, HISTORY_YAML, playRun } from "../support/history-runs.js";
import { isolatedRedis, redisChildEnv } from "../support/redis.js";

const exec = promisify(execFile);

/** The checklist as a person keeps it: comments, aligned comments, flow maps, quoting. */
const WRITTEN = `# yaml-language-server: $schema=./schema.json
id: cache-flush                  # used in /maintenance start cache-flush
title: Flush the cache
summary: Flush and warm the cache
parameters:
  env: { type: enum, values: [qa, prod], default: qa }
phases:
  - id: main
    title: Main
    steps:
      # Tell people first.
      - id: announce
        title: Announce the window
      - id: flush
        title: Flush the cache
        duration: "2m-5m"          # measured in 2025
        downtime: start
      - id: warm
        title: Warm the cache
        duration: 10m-20m
        downtime: end
rules:
  environment: env
`;

let env: Awaited<ReturnType<typeof isolatedRedis>>;
const io = () => {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, io: { out: (t: string) => out.push(t), err: (t: string) => err.push(t) } };
};

beforeAll(async () => {
  // The suite's build too (the suggest test runs the compiled command): its compiling counts
  // against this hook's time, not a test's.
  const building = compiledRoot();
  env = await isolatedRedis();
  const history = createRedisHistory(env.redis, { prefix: env.prefix });
  const played = fiveQaRuns();
  // A follow-up added after run 2 closed asks to change the flush step.
  const second = played[1]?.run;
  if (!second) throw new Error("no second run");
  const followUp = applyEvent(
    second,
    { type: "follow_up_added", text: "Change in the checklist: flush must name the cluster", by: ALICE },
    new Date(Date.parse(second.closedAt as string) + 60_000),
  );
  if (!followUp.accepted) throw new Error(followUp.refusal.message);
  const entries: HistoryEntry[] = [
    ...played.flatMap((p) => p.entries),
    ...entriesIn(followUp.effects),
    ...playRun({
      id: "prod-1",
      start: new Date("2026-11-20T09:00:00Z"),
      flushMinutes: 4,
      warmMinutes: 12,
      env: "prod",
    }).entries,
    // A rehearsal asks for nothing to be recorded.
    ...playRun({
      id: "dry-1",
      start: new Date("2026-11-21T09:00:00Z"),
      flushMinutes: 4,
      warmMinutes: 12,
      dryRun: true,
    }).entries,
  ];
  for (const entry of entries) await history.record(entry);
  await building;
}, 150_000);
afterAll(async () => env.cleanup());

describe("preflight history", () => {
  it("prints JSON exactly in the contract's shape, figures from the durations the runs took", async () => {
    const { out, err, io: cli } = io();
    const code = await printHistory(
      ["cache-flush", "--env", "qa", "--json"],
      cli,
      redisChildEnv(env.prefix),
      "usage",
    );
    expect({ code, err }).toEqual({ code: 0, err: [] });
    const json = JSON.parse(out.join("\n"));
    expect(Object.keys(json)).toEqual(["checklist", "env", "runs", "steps"]);
    expect(json.checklist).toBe("cache-flush");
    expect(json.env).toBe("qa");
    expect(json.runs.map((r: { id: string }) => r.id)).toEqual(["run-5", "run-4", "run-3", "run-2", "run-1"]);
    expect(Object.keys(json.runs[0])).toEqual([
      "id",
      "started_at",
      "env",
      "owner",
      "outcome",
      "total_seconds",
      "downtime_seconds",
      "ticket",
    ]);
    // run-5: announce skipped (1 min), flush 1 + 9, warm 1 + 18, finish 1.
    expect(json.runs[0]).toEqual({
      id: "run-5",
      started_at: "2026-11-05T09:00:00.000Z",
      env: "qa",
      owner: ALICE,
      outcome: "finished",
      total_seconds: 31 * 60,
      // from the flush's start (minute 2) to the warm-up done (minute 30)
      downtime_seconds: 28 * 60,
      ticket: null,
    });
    expect(json.steps).toEqual([
      {
        id: "announce",
        title: "Announce the window",
        runs: 2,
        median_seconds: 60,
        p90_seconds: 60,
        min_seconds: 60,
        max_seconds: 60,
        skipped: 3,
        problems: 0,
      },
      {
        id: "flush",
        title: "Flush the cache",
        runs: 5,
        median_seconds: 360,
        p90_seconds: 492,
        min_seconds: 180,
        max_seconds: 540,
        skipped: 0,
        problems: 0,
      },
      {
        id: "warm",
        title: "Warm the cache",
        runs: 5,
        median_seconds: 900,
        // 12, 14, 15, 16, 18 min: p90 lies 0.6 of the way from 16 to 18 min
        p90_seconds: 1032,
        min_seconds: 720,
        max_seconds: 1080,
        skipped: 0,
        problems: 0,
      },
    ]);
  });

  it("prints a table of every environment's runs without --env, and never a dry run", async () => {
    const { out, io: cli } = io();
    expect(await printHistory(["cache-flush"], cli, redisChildEnv(env.prefix), "usage")).toBe(0);
    const text = out.join("\n");
    expect(text).toContain("cache-flush: 6 runs, newest first");
    expect(text).toMatch(/2026-11-20 09:00\s+prod\s+U_ALICE\s+finished/);
    expect(text).toMatch(/flush\s+Flush the cache\s+6\s+5m\s+/);
    expect(text).not.toContain("2026-11-21");
  });

  it("writes a chart that is a valid SVG naming every step", async () => {
    const dir = await mkdtemp(join(tmpdir(), "preflight-chart-"));
    const file = join(dir, "durations.svg");
    const { err, io: cli } = io();
    expect(
      await printHistory(
        ["cache-flush", "--env=qa", "--chart", file],
        cli,
        redisChildEnv(env.prefix),
        "usage",
      ),
    ).toBe(0);
    expect(err).toEqual([`wrote ${file}`]);
    const svg = await readFile(file, "utf8");
    expect(svg).toMatch(/^<svg [^>]*xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    expect(svg.trim().endsWith("</svg>")).toBe(true);
    for (const title of ["1. Announce the window", "2. Flush the cache", "3. Warm the cache"])
      expect(svg).toContain(`>${title}</text>`);
  });

  it("says in one line when there is no history yet", async () => {
    const { out, err, io: cli } = io();
    expect(await printHistory(["db-upgrade", "--env", "prod"], cli, redisChildEnv(env.prefix), "usage")).toBe(
      0,
    );
    expect(out).toEqual([
      "No history yet for db-upgrade in prod: it fills as real runs finish or are aborted.",
    ]);
    expect(err).toEqual([]);
  });
});

describe("preflight suggest", () => {
  it("prints a diff git apply takes at the repository root, whose result validates and keeps the file as written", async () => {
    const repo = await mkdtemp(join(tmpdir(), "preflight-suggest-"));
    await exec("git", ["init", "-q"], { cwd: repo });
    await mkdir(join(repo, "checklists"));
    await writeFile(join(repo, "checklists", "cache-flush.yaml"), WRITTEN);
    // The image's command (bin/preflight.js beside the compiled dist/): nothing to compile at start.
    const bin = join(await compiledRoot(), "bin", "preflight.js");
    const { stdout, stderr } = await exec("node", [bin, "suggest", "cache-flush", "--env", "qa"], {
      cwd: repo,
      env: { PATH: process.env.PATH ?? "", ...redisChildEnv(env.prefix) },
    });
    expect(
      stdout.startsWith("--- a/checklists/cache-flush.yaml\n+++ b/checklists/cache-flush.yaml\n@@ "),
    ).toBe(true);
    expect(stderr).toContain("`duration: 3m-9m`");
    await writeFile(join(repo, "suggest.patch"), stdout);
    await exec("git", ["apply", "--check", "suggest.patch"], { cwd: repo });
    await exec("git", ["apply", "suggest.patch"], { cwd: repo });
    const patched = await readFile(join(repo, "checklists", "cache-flush.yaml"), "utf8");
    expect(parseChecklist(patched, "cache-flush.yaml").ok).toBe(true);
    // Only the range changed (its quoting kept) and two comments were added: every other line is as written.
    expect(patched).toContain('        duration: "3m-9m"          # measured in 2025\n');
    expect(patched).toContain(
      "      # Tell people first.\n      # preflight: skipped in each of the last 3 runs: remove this step, or make it conditional?\n      - id: announce\n",
    );
    expect(patched).toContain(
      "      # preflight: a follow-up of run run-2 asked: flush must name the cluster\n      - id: flush\n",
    );
    const removed = WRITTEN.split("\n").filter((line) => !patched.split("\n").includes(line));
    expect(removed).toEqual(['        duration: "2m-5m"          # measured in 2025']);
    expect(stdout).not.toContain("duration: 10m-20m\n-");
  });

  it("says so and prints no diff below 5 runs", async () => {
    const dir = await mkdtemp(join(tmpdir(), "preflight-suggest-"));
    await writeFile(join(dir, "cache-flush.yaml"), HISTORY_YAML);
    const { out, err, io: cli } = io();
    const code = await printSuggestions(
      ["cache-flush", "--env", "prod"],
      cli,
      redisChildEnv(env.prefix),
      dir,
      "usage",
    );
    expect(code).toBe(0);
    expect(out).toEqual([]);
    expect(err).toEqual([
      "cache-flush in prod has 1 run in its history; suggestions need at least 5. No diff.",
    ]);
  });
});
