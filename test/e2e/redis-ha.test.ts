import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { exportRun } from "../../src/cli/export-command.js";
import { CHANNEL, type Harness, startHarness } from "../support/bot-harness.js";
import {
  startCluster,
  startSentinels,
  type TestCluster,
  type TestSentinels,
} from "../support/redis-topologies.js";
import { promoteScheduled } from "../support/timers.js";

/**
 * Redis that survives losing a node, with real servers: a whole run (clicks, thread lines, a
 * reminder) on a 3-primary Cluster, whose keys all share one hash tag; and on a Sentinel-watched
 * primary that is killed mid-run, the replica promoted, no acknowledged click lost and the
 * reminder still posted.
 */

const CHECKLIST = `
id: ha-run
title: HA run
summary: Three steps and a reminder
phases:
  - id: only
    title: Only
    steps:
      - { id: one, title: Step one }
      - { id: two, title: Step two }
      - { id: three, title: Step three }
reminders:
  - id: follow-up
    on: step.done
    step: one
    after: 1d
    text: Follow up on step one
`;

const ALICE = "UALICE";
let dir: string;
// The Cluster takes a few seconds to agree on its slots: it is started at once and awaited only
// by its own test, which runs after the Sentinel one.
let clusterStarting: Promise<TestCluster>;
beforeAll(async () => {
  clusterStarting = startCluster();
  // A failure is reported where it is awaited.
  clusterStarting.catch(() => undefined);
  dir = await mkdtemp(join(tmpdir(), "preflight-ha-"));
  await writeFile(join(dir, "ha-run.yaml"), CHECKLIST);
});
afterAll(async () => {
  await (await clusterStarting.catch(() => undefined))?.close();
});

async function complete(h: Harness, step: string, index: number): Promise<void> {
  await h.slack.waitFor(() => h.buttons().find((x) => x.actionId === "step_complete" && x.stepId === step));
  await h.click(h.button("step_complete", step), ALICE);
  await expect.poll(async () => (await h.run()).steps[index]?.status, { timeout: 10_000 }).toBe("done");
}

async function reminderFires(h: Harness): Promise<void> {
  await promoteScheduled(h.bot.timers.queue, (job) => job.name === "reminder", 1);
  await h.slack.waitFor(
    () => h.slack.messages(CHANNEL).find((m) => (m.text ?? "").includes("Follow up on step one")),
    15_000,
  );
}

/** `npx preflight export <run-id>` with the bot's Redis settings: the CLI reads what the bot wrote. */
async function exportedBy(env: Record<string, string>, runId: string): Promise<unknown> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await exportRun(runId, { out: (t) => out.push(t), err: (t) => err.push(t) }, env);
  expect(err).toEqual([]);
  expect(code).toBe(0);
  return (JSON.parse(out.join("\n")) as { run: { id: string; status: string } }).run;
}

async function finish(h: Harness): Promise<string> {
  const runId = (await h.run()).id;
  await h.slack.waitFor(() => h.buttons().find((x) => x.actionId === "run_finish"));
  await h.click(h.button("run_finish"), ALICE);
  await expect.poll(async () => (await h.bot.store.get(runId))?.status, { timeout: 10_000 }).toBe("finished");
  await h.settle();
  return runId;
}

describe("on a primary and replica watched by 3 Sentinels", () => {
  let sentinels: TestSentinels;
  let h: Harness;
  beforeAll(async () => {
    sentinels = await startSentinels();
  }, 30_000);
  afterAll(async () => {
    await h?.stop();
    await sentinels?.close();
  });

  it("killing the primary mid-run loses no acknowledged click, and the reminder still fires", async () => {
    const env = { REDIS_SENTINELS: sentinels.sentinels, REDIS_SENTINEL_NAME: sentinels.name };
    h = await startHarness({ checklistsDir: dir, env });
    await h.command("start ha-run", ALICE);
    await h.slack.waitFor(() => h.slack.messages(CHANNEL)[0]);
    await complete(h, "one", 0);
    await h.settle();
    // Replication is asynchronous: the click was acknowledged once the replica has it too.
    const primary = new Redis(sentinels.primaryPort, "127.0.0.1");
    expect(await primary.wait(1, 5_000)).toBe(1);
    primary.disconnect();

    sentinels.killPrimary();
    const readyz = h.url.replace("/slack/events", "/readyz");
    await expect.poll(async () => (await fetch(readyz)).status, { timeout: 20_000, interval: 200 }).toBe(200);

    expect((await h.run()).steps[0]?.status).toBe("done");
    await reminderFires(h);
    await complete(h, "two", 1);
    await complete(h, "three", 2);
    const runId = await finish(h);
    // The CLI, given the same settings, asks the Sentinels and reads from the promoted primary.
    expect(await exportedBy({ ...env, REDIS_PREFIX: h.redisEnv.prefix }, runId)).toMatchObject({
      id: runId,
      status: "finished",
    });
    const lines = h.threadTexts().join("\n").split("\n");
    expect(lines.filter((line) => line.includes("completed *Step one*"))).toHaveLength(1);
    const promoted = new Redis(sentinels.replicaPort, "127.0.0.1");
    expect(await promoted.info("replication")).toContain("role:master");
    promoted.disconnect();
  });
});

describe("on a 3-primary Redis Cluster", () => {
  let cluster: TestCluster;
  let h: Harness;
  beforeAll(async () => {
    cluster = await clusterStarting;
  }, 30_000);
  afterAll(async () => {
    await h?.stop();
  });

  it("a whole run works, every Preflight key in one hash slot", async () => {
    const env = { REDIS_CLUSTER_NODES: cluster.nodes };
    h = await startHarness({ checklistsDir: dir, env });
    await h.command("start ha-run", ALICE);
    await h.slack.waitFor(() => h.slack.messages(CHANNEL)[0]);
    await complete(h, "one", 0);
    await reminderFires(h);
    await complete(h, "two", 1);
    await complete(h, "three", 2);
    const runId = await finish(h);
    const lines = h.threadTexts().join("\n");
    for (const step of ["Step one", "Step two", "Step three"])
      expect(lines.split("\n").filter((line) => line.includes(`completed *${step}*`))).toHaveLength(1);

    const tag = `{${h.redisEnv.prefix.replace(/:$/, "")}}`;
    const keys: string[] = [];
    for (const port of cluster.ports) {
      const node = new Redis(port, "127.0.0.1");
      keys.push(...(await node.keys("*")));
      node.disconnect();
    }
    expect(keys.some((key) => key.includes(runId))).toBe(true);
    expect(keys.filter((key) => !key.startsWith(tag))).toEqual([]);
    // No CROSSSLOT or any other failure on the way.
    expect(h.logs.filter((line) => line.level === "error")).toEqual([]);
    // The CLI, given the same settings, finds the run under the same hash tag.
    expect(await exportedBy({ ...env, REDIS_PREFIX: h.redisEnv.prefix }, runId)).toMatchObject({
      id: runId,
      status: "finished",
    });
  });
});
