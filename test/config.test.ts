import { describe, expect, it } from "vitest";
import { loadConfig } from "../src/config.js";

describe("configuration from the environment", () => {
  it("names every missing or wrong variable in one message", () => {
    const result = loadConfig({ PORT: "eighty", SLACK_API_URL: "not a url", REDIS_URL: "localhost:6379" });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.message.split("\n")).toEqual([
      "Preflight can't start: the configuration is incomplete.",
      "  SLACK_BOT_TOKEN is required: the Bot User OAuth Token (xoxb-…) from the app's OAuth page",
      "  PORT must be a port number",
      "  REDIS_URL must be a redis:// or rediss:// URL",
      "  SLACK_API_URL must be a URL such as https://slack.com/api/",
      "  SLACK_SIGNING_SECRET is required in HTTP mode (from the app's Basic Information page), or set SLACK_APP_TOKEN for Socket Mode",
    ]);
  });

  it("fills in defaults, and needs no signing secret in Socket Mode", () => {
    const result = loadConfig({ SLACK_BOT_TOKEN: "xoxb-1", SLACK_APP_TOKEN: "xapp-1" });
    expect(result).toEqual({
      ok: true,
      config: {
        SLACK_BOT_TOKEN: "xoxb-1",
        SLACK_APP_TOKEN: "xapp-1",
        PORT: 3000,
        REDIS_URL: "redis://127.0.0.1:6379",
        REDIS_PREFIX: "preflight:",
        CHECKLISTS_DIR: "checklists",
        SHUTDOWN_DEADLINE_MS: 10_000,
        AWS_REGION: "us-east-1",
        LOG_LEVEL: "info",
        PREFLIGHT_REQUIRE_DURABLE_REDIS: false,
        RUN_RETENTION_DAYS: 400,
        REMINDER_CONCURRENCY: 32,
        SLACK_CHANNEL_POSTS_PER_SECOND: 1,
      },
    });
  });

  it("needs the primary's name with Redis Sentinels, and Sentinels or a Cluster, not both", () => {
    const base = { SLACK_BOT_TOKEN: "xoxb-1", SLACK_APP_TOKEN: "xapp-1" };
    const noName = loadConfig({ ...base, REDIS_SENTINELS: "10.0.0.1:26379,10.0.0.2:26379" });
    expect(noName.ok ? "" : noName.message).toContain("REDIS_SENTINEL_NAME is required with REDIS_SENTINELS");
    const both = loadConfig({
      ...base,
      REDIS_SENTINELS: "10.0.0.1:26379",
      REDIS_SENTINEL_NAME: "preflight",
      REDIS_CLUSTER_NODES: "10.0.0.5:6379",
    });
    expect(both.ok ? "" : both.message).toContain("can't both be set");
    const badList = loadConfig({ ...base, REDIS_CLUSTER_NODES: "10.0.0.5" });
    expect(badList.ok ? "" : badList.message).toContain("REDIS_CLUSTER_NODES must be host:port pairs");
    const level = loadConfig({ ...base, LOG_LEVEL: "verbose" });
    expect(level.ok ? "" : level.message).toContain("LOG_LEVEL must be one of");
    const ok = loadConfig({ ...base, REDIS_SENTINELS: "10.0.0.1:26379", REDIS_SENTINEL_NAME: "preflight" });
    expect(ok.ok && ok.config.REDIS_SENTINELS).toBe("10.0.0.1:26379");
  });

  it("refuses a shutdown deadline that is not a number of milliseconds", () => {
    const result = loadConfig({
      SLACK_BOT_TOKEN: "xoxb-1",
      SLACK_APP_TOKEN: "xapp-1",
      SHUTDOWN_DEADLINE_MS: "10s",
    });
    expect(result.ok ? "" : result.message).toContain(
      "SHUTDOWN_DEADLINE_MS must be a number of milliseconds",
    );
  });

  it("refuses a user token where the bot token goes", () => {
    const result = loadConfig({ SLACK_BOT_TOKEN: "xoxp-1", SLACK_SIGNING_SECRET: "s" });
    expect(result.ok ? "" : result.message).toContain(
      "SLACK_BOT_TOKEN must be a bot token starting with xoxb-",
    );
  });
});

describe("database connections for sql.check", () => {
  const base = { SLACK_BOT_TOKEN: "xoxb-1", SLACK_APP_TOKEN: "xapp-1" };
  it("are read from PREFLIGHT_DB_<NAME>_URL", () => {
    const result = loadConfig({ ...base, PREFLIGHT_DB_EXAMPLE_QA_URL: "mysql://migrate@db:3306/invoicing" });
    expect(result.ok && result.config.databaseUrls).toEqual({
      PREFLIGHT_DB_EXAMPLE_QA_URL: "mysql://migrate@db:3306/invoicing",
    });
  });
  it("a URL Preflight can't use stops the start, naming the variable", () => {
    const result = loadConfig({ ...base, PREFLIGHT_DB_ORDERS_URL: "redis://db:6379" });
    expect(result.ok).toBe(false);
    if (!result.ok)
      expect(result.message).toContain(
        "PREFLIGHT_DB_ORDERS_URL must be a URL such as mysql://user:password@host:3306/db or postgres://user@host:5432/db",
      );
  });

  it("refuses retention and shutdown deadlines out of range, and takes blank values as unset", () => {
    const base = { SLACK_BOT_TOKEN: "xoxb-1", SLACK_SIGNING_SECRET: "s" };
    const refused = (env: Record<string, string>) => {
      const result = loadConfig({ ...base, ...env });
      return result.ok ? "" : result.message;
    };
    expect(refused({ RUN_RETENTION_DAYS: "1e12" })).toContain("RUN_RETENTION_DAYS must be at most 36500");
    expect(refused({ RUN_RETENTION_DAYS: "0.000001" })).toContain("RUN_RETENTION_DAYS must be at least 1");
    expect(refused({ SHUTDOWN_DEADLINE_MS: "99999999999" })).toContain(
      "SHUTDOWN_DEADLINE_MS must be at most 600000",
    );
    const blank = loadConfig({ ...base, PORT: " ", SHUTDOWN_DEADLINE_MS: "  " });
    expect(blank.ok && [blank.config.PORT, blank.config.SHUTDOWN_DEADLINE_MS]).toEqual([3000, 10_000]);
  });
});
