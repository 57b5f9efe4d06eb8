import { z } from "zod";
import { CONNECTION_VARIABLE } from "./core/checks/connections.js";

/** `host:port,host:port` (Redis Sentinels or Cluster nodes). */
const hostPorts = z
  .string()
  .regex(
    /^\s*[^\s,:]+:\d{1,5}\s*(,\s*[^\s,:]+:\d{1,5}\s*)*$/,
    "must be host:port pairs separated by commas, such as 10.0.0.1:26379,10.0.0.2:26379",
  );

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
    .max(600_000, "must be at most 600000 (ms: 10 minutes)")
    .default(10_000)
    .describe("after SIGTERM, exit even if Redis or Slack have not let go by then"),
  LOG_LEVEL: z
    .enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"], {
      error: "must be one of fatal, error, warn, info, debug, trace, silent",
    })
    .default("info"),
  REDIS_SENTINELS: hostPorts
    .optional()
    .describe("Sentinels watching the Redis primary; with REDIS_SENTINEL_NAME, instead of REDIS_URL's host"),
  REDIS_SENTINEL_NAME: z.string().min(1).optional(),
  REDIS_CLUSTER_NODES: hostPorts
    .optional()
    .describe("some nodes of a Redis Cluster; the rest are discovered"),
  PREFLIGHT_REQUIRE_DURABLE_REDIS: z
    .enum(["true", "false"], { error: "must be true or false" })
    .default("false")
    .transform((value) => value === "true"),
  RUN_RETENTION_DAYS: z.coerce
    .number({ error: "must be a number of days" })
    .min(1, "must be at least 1 (day)")
    .max(36_500, "must be at most 36500 (days: 100 years)")
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
  // Trackers (src/tracker): each is used only when its variables are set.
  GITHUB_TOKEN: z.string().min(1).optional(),
  GITHUB_API_URL: z.url("must be a URL such as https://api.github.com").optional(),
  JIRA_BASE_URL: z.url("must be your Jira's address, such as https://acme.atlassian.net").optional(),
  JIRA_EMAIL: z.string().min(1).optional(),
  JIRA_API_TOKEN: z.string().min(1).optional(),
  JIRA_PAT: z.string().min(1).optional(),
});

/**
 * Where Redis is and the prefix of Preflight's keys: the part of the configuration the CLI shares
 * with the bot (`npx preflight summary | history | suggest | export` need no Slack token).
 */
const redisSettingsSchema = configSchema.pick({
  REDIS_URL: true,
  REDIS_PREFIX: true,
  REDIS_SENTINELS: true,
  REDIS_SENTINEL_NAME: true,
  REDIS_CLUSTER_NODES: true,
});
export type RedisSettings = z.infer<typeof redisSettingsSchema>;

/** The Redis settings, checked as the bot checks them (the same words for the same mistakes). */
export function loadRedisSettings(
  env: Record<string, string | undefined>,
): { ok: true; settings: RedisSettings } | { ok: false; problems: string[] } {
  const present = presentOf(env);
  const parsed = redisSettingsSchema.safeParse(present);
  const problems = [...(parsed.success ? [] : issueLines(parsed.error)), ...redisTopologyProblems(present)];
  return parsed.success && problems.length === 0
    ? { ok: true, settings: parsed.data }
    : { ok: false, problems };
}

/** Unset and empty variables alike are absent. */
function presentOf(env: Record<string, string | undefined>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(env).filter(
      // Empty or blank is unset: `PORT= ` must not read as port 0, nor a secret of spaces as one.
      (entry): entry is [string, string] => entry[1] !== undefined && entry[1].trim() !== "",
    ),
  );
}

function issueLines(error: z.ZodError): string[] {
  return error.issues.map((issue) => `  ${String(issue.path[0])} ${issue.message}`);
}

const SIGNING_SECRET_MISSING =
  "  SLACK_SIGNING_SECRET is required in HTTP mode (from the app's Basic Information page), or set SLACK_APP_TOKEN for Socket Mode";

export type Config = z.infer<typeof configSchema> & {
  /** PREFLIGHT_DB_<NAME>_URL: the connections `sql.check` steps name (never written in a checklist). */
  databaseUrls?: Record<string, string>;
};

/** The PREFLIGHT_DB_<NAME>_URL variables, each a mysql:// or postgres:// URL. */
function databaseUrls(env: Record<string, string | undefined>): {
  urls: Record<string, string>;
  problems: string[];
} {
  const urls: Record<string, string> = {};
  const problems: string[] = [];
  for (const [name, value] of Object.entries(env)) {
    if (!CONNECTION_VARIABLE.test(name) || value === undefined) continue;
    let protocol = "";
    try {
      protocol = new URL(value).protocol;
    } catch {
      // Reported below with the accepted forms.
    }
    if (["mysql:", "mariadb:", "postgres:", "postgresql:"].includes(protocol)) urls[name] = value;
    else
      problems.push(
        `  ${name} must be a URL such as mysql://user:password@host:3306/db or postgres://user@host:5432/db`,
      );
  }
  return { urls, problems };
}

const JIRA_AUTH_MISSING =
  "  JIRA_BASE_URL is set without credentials: set JIRA_EMAIL and JIRA_API_TOKEN (Jira Cloud), or JIRA_PAT (Data Center)";

export type ConfigResult = { ok: true; config: Config } | { ok: false; message: string };

export function loadConfig(env: Record<string, string | undefined>): ConfigResult {
  const present = presentOf(env);
  const parsed = configSchema.safeParse(present);
  const lines = parsed.success ? [] : issueLines(parsed.error);
  if (present.SLACK_SIGNING_SECRET === undefined && present.SLACK_APP_TOKEN === undefined)
    lines.push(SIGNING_SECRET_MISSING);
  lines.push(...redisTopologyProblems(present));
  if (
    present.JIRA_BASE_URL !== undefined &&
    present.JIRA_PAT === undefined &&
    (present.JIRA_EMAIL === undefined || present.JIRA_API_TOKEN === undefined)
  )
    lines.push(JIRA_AUTH_MISSING);
  const databases = databaseUrls(present);
  lines.push(...databases.problems);
  if (parsed.success && lines.length === 0)
    return {
      ok: true,
      config: {
        ...parsed.data,
        ...(Object.keys(databases.urls).length > 0 ? { databaseUrls: databases.urls } : {}),
      },
    };
  return {
    ok: false,
    message: `Preflight can't start: the configuration is incomplete.\n${lines.join("\n")}`,
  };
}

/** Sentinels need the primary's name; Sentinels and a Cluster are two different setups. */
function redisTopologyProblems(env: Record<string, string | undefined>): string[] {
  const problems: string[] = [];
  if (env.REDIS_SENTINELS !== undefined && env.REDIS_SENTINEL_NAME === undefined)
    problems.push(
      "  REDIS_SENTINEL_NAME is required with REDIS_SENTINELS: the name the Sentinels monitor the primary by (sentinel monitor NAME …)",
    );
  if (env.REDIS_SENTINELS !== undefined && env.REDIS_CLUSTER_NODES !== undefined)
    problems.push(
      "  REDIS_SENTINELS and REDIS_CLUSTER_NODES can't both be set: Preflight uses either Sentinels or a Cluster",
    );
  return problems;
}
