import { randomBytes } from "node:crypto";
import { Redis } from "ioredis";
import { startBot } from "../bot.js";
import { loadChecklists } from "../checklists/load-checklists.js";
import { loadConfig } from "../config.js";
import { formatProblem } from "../core/checklist/parse-checklist.js";
import { createOffsetClock } from "../core/clock.js";
import type { Logger } from "../core/ports.js";
import { createDelivery } from "./deliver.js";
import { createDueJobPromoter } from "./due-jobs.js";
import { createInteractions } from "./interactions.js";
import { startPageServer } from "./page-server.js";
import { startRdsDouble } from "./rds.js";
import { ensureRedis, freePort } from "./redis-server.js";
import { startWorkspace } from "./workspace.js";

/**
 * The sandbox: the unchanged bot in HTTP mode, a local Slack and a local RDS, one clock that
 * fast-forward moves, and a page that plays Slack. `main.ts` runs it; tests start it in-process.
 */

export interface SandboxOptions {
  /** Page port; 0 or absent picks a free one. */
  port?: number;
  checklistsDir?: string;
  redisUrl?: string;
  /** Key prefix in Redis; a fresh one per start by default (removed again at stop). */
  redisPrefix?: string;
  /** Where a Redis started by the sandbox keeps its data. */
  dataDir?: string;
  log?: Logger;
  /** How long each RDS status lasts (ms of the sandbox clock). */
  rdsStepMs?: number;
  /** How often automated steps poll RDS (real ms). */
  actionPollMs?: { first: number; max: number };
  /** At most one redraw per run message in this interval (real ms), as Slack's pacing wants; tests shorten it. */
  redrawIntervalMs?: number;
  /** Thread lines close together are posted as one (real ms); tests shorten it. */
  threadBatchMs?: number;
}

const quietLog: Logger = { info: () => {}, warn: () => {}, error: () => {} };

/** The RDS instances the shipped checklists name by default, on MySQL 5.7 before the upgrade. */
function seedRds(rds: Awaited<ReturnType<typeof startRdsDouble>>) {
  for (const env of ["qa", "stage", "prod"]) {
    rds.addInstance({ id: `example-${env}`, engineVersion: "5.7.44", parameterGroup: "default.mysql5.7" });
    rds.addCluster({ id: `${env}invoicingdb` });
    rds.addInstance({ id: `${env}invoicingdb-1`, engine: "aurora-mysql", clusterId: `${env}invoicingdb` });
  }
}

export async function startSandbox(options: SandboxOptions = {}) {
  const log = options.log ?? quietLog;
  const clock = createOffsetClock();
  const checklistsDir = options.checklistsDir ?? "checklists";
  const redis = await ensureRedis({
    ...(options.redisUrl ? { url: options.redisUrl } : {}),
    dataDir: options.dataDir ?? ".preflight/sandbox",
  });
  const stack: (() => Promise<unknown>)[] = [() => redis.stop()];
  /** Stops everything in the reverse order of starting; one failure does not leave the rest running. */
  const stop = async () => {
    const failures: string[] = [];
    for (const close of stack.reverse().splice(0)) {
      try {
        await close();
      } catch (error) {
        failures.push(error instanceof Error ? error.message : String(error));
      }
    }
    if (failures.length > 0) throw new Error(`the sandbox stopped, with errors: ${failures.join("; ")}`);
  };
  try {
    const port = options.port || (await freePort());
    const pageUrl = `http://127.0.0.1:${port}/`;
    const workspace = await startWorkspace({ now: () => clock.now(), pageUrl });
    stack.push(() => workspace.close());
    const rds = await startRdsDouble({ now: () => clock.now().getTime() });
    stack.push(() => rds.close());
    rds.setTransitions({
      snapshotStatuses: ["creating", "creating", "creating"],
      modifyStatuses: ["modifying", "upgrading", "upgrading", "upgrading", "rebooting"],
      stepMs: options.rdsStepMs ?? 4_000,
    });
    seedRds(rds);

    // The SDK reads these when the bot creates its RDS client: the local RDS, dummy credentials.
    Object.assign(process.env, {
      AWS_ENDPOINT_URL_RDS: rds.url,
      AWS_ACCESS_KEY_ID: "sandbox",
      AWS_SECRET_ACCESS_KEY: "sandbox",
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
    });
    const prefix = options.redisPrefix ?? `preflight-sandbox-${randomBytes(3).toString("hex")}:`;
    const signingSecret = randomBytes(16).toString("hex");
    const config = loadConfig({
      SLACK_BOT_TOKEN: "xoxb-sandbox",
      SLACK_SIGNING_SECRET: signingSecret,
      PORT: "0",
      REDIS_URL: redis.url,
      REDIS_PREFIX: prefix,
      SLACK_API_URL: workspace.slack.url,
      CHECKLISTS_DIR: checklistsDir,
    });
    if (!config.ok) throw new Error(config.message);
    const loaded = await loadChecklists([checklistsDir]);
    const problems = loaded.problems.map(formatProblem);

    const bot = await startBot(config.config, {
      log,
      clock,
      threadBatchMs: options.threadBatchMs ?? 300,
      actionPollMs: options.actionPollMs ?? { first: 1_000, max: 3_000 },
      ...(options.redrawIntervalMs !== undefined ? { redrawIntervalMs: options.redrawIntervalMs } : {}),
    });
    const redisClient = new Redis(redis.url, { maxRetriesPerRequest: 1 });
    redisClient.on("error", (error: Error) =>
      log.warn("sandbox Redis connection error", { error: error.message }),
    );
    stack.push(async () => {
      // The sandbox's keys go with it: a shared Redis keeps no stale runs or jobs that fire later.
      let cursor = "0";
      do {
        const [next, keys] = await redisClient.scan(cursor, "MATCH", `${prefix}*`, "COUNT", 500);
        if (keys.length > 0) await redisClient.del(...keys);
        cursor = next;
      } while (cursor !== "0");
      await redisClient.quit();
    });
    stack.push(() => bot.stop());
    const promoter = createDueJobPromoter({
      redis: redisClient,
      prefix: `${prefix}bull`,
      now: () => clock.now(),
    });
    stack.push(() => promoter.close());

    const delivery = createDelivery({ botUrl: `http://127.0.0.1:${bot.port}/slack/events`, signingSecret });
    const interactions = createInteractions({ workspace, delivery, responseBase: `${pageUrl}respond/` });

    async function advance(ms: number) {
      // What the last clicks schedule (nudges, reminders) is in BullMQ before the clock jumps, so
      // the jump promotes it too, however soon after a click it comes.
      await bot.effects.idle();
      clock.advance(ms);
      const promoted = await promoter.promoteDue();
      // Elapsed times on run messages move with the clock.
      for (const channel of workspace.channels) {
        for (const run of await bot.store.activeRuns(channel.id)) bot.refresher.request(run.id);
      }
      workspace.changed();
      return { now: clock.now().toISOString(), promoted };
    }

    const state = (user: string) => ({
      now: clock.now().toISOString(),
      offsetMs: clock.offsetMs(),
      me: user,
      people: workspace.people,
      channels: workspace.channels,
      botUser: "UPREFLIGHT",
      messages: workspace.channels.flatMap((c) =>
        (workspace.slack.messages(c.id).length > 0 ? allMessages(c.id) : []).map(({ updates, ...m }) => ({
          ...m,
          edited: updates > 0,
        })),
      ),
      ephemerals: workspace.ephemeralsOf(user),
      files: workspace.files(),
      modal: workspace.modal(user) ?? null,
      checklists: { dir: checklistsDir, loaded: loaded.checklists.length, problems },
      rds: rds.list(),
    });
    // Thread replies are not top-level messages: read every stored message of the channel. The
    // message Slack makes for a shared file is left out: the page draws the file itself.
    const allMessages = (channel: string) =>
      workspace.slack
        .messages(channel)
        .flatMap((top) => [top, ...workspace.slack.thread(channel, top.ts)])
        .filter((m) => !(m.files?.length && !m.text && !m.blocks?.length));

    const page = await startPageServer(
      {
        interactions,
        state,
        channelName: (id) => workspace.channel(id)?.name,
        version: workspace.version,
        onChange: workspace.onChange,
        advance,
        fault: (action, code, times) => {
          rds.failNext(action, code, times);
          workspace.changed();
        },
      },
      port,
    );
    stack.push(() => page.close());
    return { url: page.url, clock, workspace, rds, bot, interactions, problems, redisUrl: redis.url, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

export type Sandbox = Awaited<ReturnType<typeof startSandbox>>;
