import { randomUUID } from "node:crypto";
import type { Redis } from "ioredis";
import { type BotOptions, startBot } from "../../src/bot.js";
import { loadConfig } from "../../src/config.js";
import type { Logger } from "../../src/core/ports.js";
import type { Run } from "../../src/core/run/run-schema.js";
import type { RdsDouble } from "./rds-double.js";
import { isolatedRedis, REDIS_URL } from "./redis.js";
import { type SlackApiDouble, type StoredMessage, startSlackApiDouble } from "./slack-api-double.js";
import {
  blockActionPayload,
  type SendOptions,
  sendEvent,
  sendInteraction,
  sendSlashCommand,
  viewSubmissionPayload,
} from "./slack-requests.js";

/**
 * The whole bot in-process, spoken to over the wire: the real Bolt HTTP receiver gets requests
 * signed as Slack signs them, the Web API goes to the local double, Redis is the real server.
 */

export const SIGNING_SECRET = "test-signing-secret";
export const CHANNEL = "CINVOICING";

export interface Button {
  actionId: string;
  value: string;
  text: string;
  stepId?: string;
}

export interface LogLine {
  level: string;
  message: string;
  context?: Record<string, unknown>;
}

export interface HarnessOptions {
  checklistsDir?: string;
  env?: Record<string, string>;
  /** Share another harness's Slack double and Redis prefix: a second bot process, or a restart. */
  shareWith?: { slack: SlackApiDouble; redisEnv: Awaited<ReturnType<typeof isolatedRedis>> };
  /** An RDS double the bot reaches through the SDK's standard AWS_ENDPOINT_URL_RDS. */
  rds?: RdsDouble;
  /** Bot options over the harness's short test timings. */
  bot?: Partial<Omit<BotOptions, "log">>;
}

export async function startHarness(options: HarnessOptions = {}) {
  const shared = options.shareWith;
  const slack = shared?.slack ?? (await startSlackApiDouble());
  const redisEnv = shared?.redisEnv ?? (await isolatedRedis());
  if (options.rds) {
    // Test files run in processes of their own, so these reach only this file's bots.
    process.env.AWS_ENDPOINT_URL_RDS = options.rds.url;
    process.env.AWS_ACCESS_KEY_ID = "test";
    process.env.AWS_SECRET_ACCESS_KEY = "test";
    process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = "true";
  }
  const logs: LogLine[] = [];
  const log: Logger = {
    info: (message, context) => logs.push({ level: "info", message, ...(context ? { context } : {}) }),
    warn: (message, context) => logs.push({ level: "warn", message, ...(context ? { context } : {}) }),
    error: (message, context) => logs.push({ level: "error", message, ...(context ? { context } : {}) }),
  };
  const config = loadConfig({
    SLACK_BOT_TOKEN: "xoxb-test",
    SLACK_SIGNING_SECRET: SIGNING_SECRET,
    PORT: "0",
    REDIS_URL,
    REDIS_PREFIX: redisEnv.prefix,
    SLACK_API_URL: slack.url,
    CHECKLISTS_DIR: options.checklistsDir ?? "checklists",
    ...options.env,
  });
  if (!config.ok) throw new Error(config.message);
  const bot = await startBot(config.config, {
    log,
    threadBatchMs: 20,
    timerRetryDelayMs: 50,
    actionPollMs: { first: 30, max: 150 },
    outboxSweepMs: 100,
    leaseMs: 1_000,
    redrawIntervalMs: 20,
    retryMs: { first: 50, max: 400 },
    permanentRetryMs: 300,
    inFlightMs: 300,
    ...options.bot,
  });
  const url = `http://127.0.0.1:${bot.port}/slack/events`;

  const command = (text: string, user: string, opts?: SendOptions) =>
    sendSlashCommand(
      url,
      SIGNING_SECRET,
      {
        command: "/maintenance",
        text,
        user_id: user,
        channel_id: CHANNEL,
        trigger_id: `trig-${randomUUID()}`,
      },
      opts,
    );

  /** The run message (the first top-level message of the channel unless told otherwise). */
  const runMessage = (index = 0): StoredMessage => {
    const message = slack.messages(CHANNEL)[index];
    if (!message)
      throw new Error(
        `no message ${index} in ${CHANNEL}; calls: ${slack.calls.map((c) => c.method).join(", ")}`,
      );
    return message;
  };

  const buttons = (message: StoredMessage = runMessage()): Button[] =>
    (message.blocks ?? []).flatMap((block) => {
      const { type, elements } = block as {
        type: string;
        elements?: { type: string; action_id?: string; value?: string; text?: { text: string } }[];
      };
      if (type !== "actions") return [];
      return (elements ?? [])
        .filter((e) => e.type === "button" && e.action_id)
        .map((e) => {
          const decoded = JSON.parse(e.value ?? "{}") as { s?: string };
          return {
            actionId: e.action_id as string,
            value: e.value ?? "",
            text: e.text?.text ?? "",
            ...(decoded.s ? { stepId: decoded.s } : {}),
          };
        });
    });

  const button = (actionId: string, stepId?: string, message?: StoredMessage): Button => {
    const found = buttons(message).find(
      (b) => b.actionId === actionId && (stepId === undefined || b.stepId === stepId),
    );
    if (!found) {
      const shown = buttons(message)
        .map((b) => `${b.actionId}:${b.stepId ?? "-"}`)
        .join(", ");
      throw new Error(`no ${actionId} button for ${stepId ?? "the run"}; the message shows: ${shown}`);
    }
    return found;
  };

  const click = (b: Button, user: string, opts?: SendOptions) =>
    sendInteraction(
      url,
      SIGNING_SECRET,
      blockActionPayload({
        userId: user,
        channelId: CHANNEL,
        messageTs: runMessage().ts,
        actionId: b.actionId,
        value: b.value,
        triggerId: `trig-${randomUUID()}`,
      }),
      opts,
    );

  /** Submits the modal most recently opened, typing `text` into its single text box. */
  const submitLastModal = async (user: string, text: string) => {
    const opened = await slack.waitFor(() => slack.callsTo("views.open").at(-1));
    const view = opened.args.view as { callback_id: string; private_metadata: string };
    return sendInteraction(
      url,
      SIGNING_SECRET,
      viewSubmissionPayload({
        userId: user,
        callbackId: view.callback_id,
        privateMetadata: view.private_metadata,
        viewId: `V${randomUUID().slice(0, 8)}`,
        values: { text_block: { text_input: { type: "plain_text_input", value: text } } },
      }),
    );
  };

  const threadReply = (user: string, text: string, ts = `${Date.now() / 1000}`) =>
    sendEvent(url, SIGNING_SECRET, {
      type: "message",
      channel: CHANNEL,
      user,
      text,
      ts,
      thread_ts: runMessage().ts,
      event_ts: ts,
      channel_type: "channel",
    });

  /** The single run of the test, read from Redis. */
  const run = async (): Promise<Run> => {
    const [active] = await bot.store.activeRuns(CHANNEL);
    const ref = active ?? (await findAnyRun(redisEnv.redis, redisEnv.prefix, bot.store));
    if (!ref) throw new Error("no run in Redis");
    return ref;
  };

  /** Waits for background work (message refreshes, thread lines) to finish. */
  const settle = async () => {
    await new Promise((resolve) => setTimeout(resolve, 30));
    await bot.effects.idle();
    await bot.refresher.idle();
    await bot.effects.idle();
  };

  const threadTexts = () => slack.thread(CHANNEL, runMessage().ts).map((m) => m.text ?? "");
  const ephemeralsTo = (user: string) =>
    slack
      .ephemerals(CHANNEL)
      .filter((c) => c.args.user === user)
      .map((c) => String(c.args.text));
  const messageText = (message: StoredMessage = runMessage()) => JSON.stringify(message.blocks ?? []);

  let stopped = false;
  /** Stops this bot; the Slack double and Redis keys go only with the harness that made them. */
  async function stop() {
    if (!stopped) await bot.stop();
    stopped = true;
    if (shared) return;
    await slack.close();
    await redisEnv.cleanup();
  }

  /** Stops the bot only, as a restart would; `stop()` later still cleans up. */
  async function stopBot() {
    if (!stopped) await bot.stop();
    stopped = true;
  }

  return {
    slack,
    redisEnv,
    stopBot,
    bot,
    url,
    logs,
    command,
    runMessage,
    buttons,
    button,
    click,
    submitLastModal,
    threadReply,
    run,
    settle,
    threadTexts,
    ephemeralsTo,
    messageText,
    stop,
  };
}

async function findAnyRun(
  redis: Redis,
  prefix: string,
  store: { get(id: string): Promise<Run | undefined> },
) {
  const keys = await redis.keys(`${prefix}run:*`);
  const id = keys.map((k) => k.slice(`${prefix}run:`.length)).find((k) => !k.includes(":"));
  return id ? store.get(id) : undefined;
}

export type Harness = Awaited<ReturnType<typeof startHarness>>;
