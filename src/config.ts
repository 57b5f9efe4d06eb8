import { z } from "zod";

/** The bot's configuration, read from the environment and validated once at start. */
const configSchema = z.object({
  SLACK_BOT_TOKEN: z
    .string({ error: "is required: the Bot User OAuth Token (xoxb-…) from the app's OAuth page" })
    .startsWith("xoxb-", "must be a bot token starting with xoxb-"),
  SLACK_SIGNING_SECRET: z.string().min(1, "must not be empty").optional(),
  SLACK_APP_TOKEN: z
    .string()
    .startsWith("xapp-", "must be an app-level token starting with xapp- (Socket Mode)")
    .optional(),
  PORT: z.coerce.number({ error: "must be a port number" }).int().min(0).max(65535).default(3000),
  REDIS_URL: z
    .string()
    .regex(/^rediss?:\/\//, "must be a redis:// or rediss:// URL")
    .default("redis://127.0.0.1:6379"),
  REDIS_PREFIX: z.string().min(1).default("preflight:"),
  SLACK_API_URL: z.url("must be a URL such as https://slack.com/api/").optional(),
  CHECKLISTS_DIR: z.string().min(1).default("checklists"),
  SHUTDOWN_DEADLINE_MS: z.coerce
    .number({ error: "must be a number of milliseconds" })
    .int()
    .min(0)
    .default(10_000)
    .describe("after SIGTERM, exit even if Redis or Slack have not let go by then"),
  RUN_RETENTION_DAYS: z.coerce
    .number({ error: "must be a number of days" })
    .positive("must be more than 0")
    .default(400)
    .describe("closed runs, their logs and their outboxes expire this long after closing"),
  REMINDER_CONCURRENCY: z.coerce
    .number({ error: "must be a whole number" })
    .int()
    .min(1)
    .max(1_000)
    .default(32)
    .describe("reminders, nudges and window posts carried out at once per process"),
  SLACK_CHANNEL_POSTS_PER_SECOND: z.coerce
    .number({ error: "must be a number" })
    .positive("must be more than 0")
    .default(1)
    .describe("pace of timed posts into one channel, shared by every process (Slack: about 1/s)"),
  AWS_REGION: z
    .string()
    .regex(/^[a-z]{2}(-[a-z]+)+-\d$/, "must be an AWS region such as us-east-1")
    .default("us-east-1"),
});

const SIGNING_SECRET_MISSING =
  "  SLACK_SIGNING_SECRET is required in HTTP mode (from the app's Basic Information page), or set SLACK_APP_TOKEN for Socket Mode";

export type Config = z.infer<typeof configSchema>;

export type ConfigResult = { ok: true; config: Config } | { ok: false; message: string };

export function loadConfig(env: Record<string, string | undefined>): ConfigResult {
  const present = Object.fromEntries(
    Object.entries(env).filter(([, value]) => value !== undefined && value !== ""),
  );
  const parsed = configSchema.safeParse(present);
  const lines = parsed.success
    ? []
    : parsed.error.issues.map((issue) => `  ${String(issue.path[0])} ${issue.message}`);
  if (present.SLACK_SIGNING_SECRET === undefined && present.SLACK_APP_TOKEN === undefined)
    lines.push(SIGNING_SECRET_MISSING);
  if (parsed.success && lines.length === 0) return { ok: true, config: parsed.data };
  return {
    ok: false,
    message: `Preflight can't start: the configuration is incomplete.\n${lines.join("\n")}`,
  };
}
