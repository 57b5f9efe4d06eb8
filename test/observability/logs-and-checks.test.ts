import { describe, expect, it } from "vitest";
import { createLogger } from "../../src/logger.js";
import { libraryLogger } from "../../src/observability/library-logger.js";
import { createMetrics } from "../../src/observability/metrics.js";
import { countingFetch, methodOf } from "../../src/observability/slack-fetch.js";
import { keyPrefixFor, parseHostPorts, redisTargetOf } from "../../src/store/redis-connection.js";
import { durabilityProblems } from "../../src/store/redis-durability.js";

describe("the process log", () => {
  it("writes one JSON object per line with level, time, message and context; LOG_LEVEL filters", () => {
    const lines: string[] = [];
    const log = createLogger({ level: "warn", write: (line) => lines.push(line) });
    log.info("not written");
    log.warn("a click was refused", { runId: "r-1", channel: "C1", user: "U1", durationMs: 12 });
    expect(lines).toHaveLength(1);
    const entry = JSON.parse(lines[0] ?? "");
    expect(entry).toMatchObject({
      level: "warn",
      message: "a click was refused",
      runId: "r-1",
      channel: "C1",
      user: "U1",
      durationMs: 12,
    });
    expect(new Date(entry.at).toISOString()).toBe(entry.at);
  });

  it("a library's multi-line message or Error is one line: the first line as message, the rest as detail", () => {
    const lines: string[] = [];
    const log = createLogger({ level: "debug", write: (line) => lines.push(line) });
    const bolt = libraryLogger(log, "bolt");
    const error = Object.assign(new Error("socket hang up\n    at Socket.emit (node:events:1)"), {
      code: "ECONNRESET",
    });
    bolt.error("An unhandled error occurred while Bolt processed an event", error);
    bolt.info("Now connected to Slack");
    expect(lines).toHaveLength(2);
    for (const line of lines) expect(line).not.toContain("\n");
    const [failure, info] = lines.map((line) => JSON.parse(line));
    expect(failure).toMatchObject({
      level: "error",
      library: "bolt",
      message: "An unhandled error occurred while Bolt processed an event Error: socket hang up",
      detail: ["at Socket.emit (node:events:1) (ECONNRESET)"],
    });
    // A library's info lines are detail for whoever debugs.
    expect(info).toMatchObject({ level: "debug", library: "bolt", message: "Now connected to Slack" });
  });

  it("below debug, a library's debug lines are dropped before anything is put into words", () => {
    let serialised = 0;
    const body = {
      toJSON() {
        serialised += 1;
        return { channel: "C1" };
      },
    };
    const lines: string[] = [];
    const quiet = libraryLogger(
      createLogger({ level: "info", write: (line) => lines.push(line) }),
      "web-api",
    );
    quiet.debug("http request body:", body);
    expect([lines.length, serialised]).toEqual([0, 0]);
    const chatty = libraryLogger(
      createLogger({ level: "debug", write: (line) => lines.push(line) }),
      "web-api",
    );
    chatty.debug("http request body:", body);
    expect([lines.length, serialised]).toEqual([1, 1]);
  });
});

describe("Redis durability", () => {
  it("names an evicting policy and a server that persists nothing; accepts AOF or RDB with noeviction", () => {
    expect(durabilityProblems({ policy: "allkeys-lru", aof: false, save: "" })).toEqual([
      "maxmemory-policy is allkeys-lru, not noeviction (keys can be evicted under memory pressure)",
      'it persists nothing (appendonly no, save ""): a restart loses every run and reminder',
    ]);
    expect(durabilityProblems({ policy: "noeviction", aof: true, save: "" })).toEqual([]);
    expect(durabilityProblems({ policy: "noeviction", aof: false, save: "3600 1" })).toEqual([]);
    // Managed Redis refuses CONFIG: without knowing `save`, AOF off alone is not called a problem.
    expect(durabilityProblems({ policy: "noeviction", aof: false, save: undefined })).toEqual([]);
  });
});

describe("Redis topology", () => {
  it("reads Sentinel and Cluster addresses; in a cluster every key shares one hash tag", () => {
    expect(parseHostPorts(" 10.0.0.1:26379, redis-b:26380 ")).toEqual([
      { host: "10.0.0.1", port: 26379 },
      { host: "redis-b", port: 26380 },
    ]);
    const cluster = redisTargetOf({ REDIS_URL: "redis://x:6379", REDIS_CLUSTER_NODES: "a:1,b:2" });
    const single = redisTargetOf({ REDIS_URL: "redis://x:6379" });
    const sentinel = redisTargetOf({
      REDIS_URL: "redis://x:6379",
      REDIS_SENTINELS: "s:26379",
      REDIS_SENTINEL_NAME: "p",
    });
    expect([cluster.kind, single.kind, sentinel.kind]).toEqual(["cluster", "single", "sentinel"]);
    expect(keyPrefixFor(cluster, "preflight:")).toBe("{preflight}:");
    expect(keyPrefixFor(cluster, "{team-a}:preflight:")).toBe("{team-a}:preflight:");
    expect(keyPrefixFor(single, "preflight:")).toBe("preflight:");
    expect(keyPrefixFor(sentinel, "preflight:")).toBe("preflight:");
  });
});

describe("Slack Web API calls counted", () => {
  it("by method and outcome: ok, Slack's error code, 429, network_error", async () => {
    const metrics = createMetrics({ defaultMetrics: false });
    const answers: Record<string, () => Promise<Response>> = {
      "chat.postMessage": async () => Response.json({ ok: true }),
      "chat.update": async () => Response.json({ ok: false, error: "message_not_found" }),
      "views.open": async () => new Response("", { status: 429, headers: { "retry-after": "1" } }),
      "users.info": async () => {
        throw new TypeError("fetch failed");
      },
    };
    const inner = (async (url: string | URL) => {
      const answer = answers[methodOf(url)];
      if (!answer) throw new Error(`unexpected ${String(url)}`);
      return answer();
    }) as never;
    const fetch = countingFetch(metrics, inner);
    for (const method of Object.keys(answers))
      await fetch(`https://slack.com/api/${method}`, { method: "POST" }).catch(() => undefined);
    await new Promise((resolve) => setTimeout(resolve, 10));
    const text = (await metrics.scrape()).body;
    expect(text).toContain('preflight_slack_api_calls_total{method="chat.postMessage",outcome="ok"} 1');
    expect(text).toContain(
      'preflight_slack_api_calls_total{method="chat.update",outcome="message_not_found"} 1',
    );
    expect(text).toContain('preflight_slack_api_calls_total{method="views.open",outcome="429"} 1');
    expect(text).toContain('preflight_slack_api_calls_total{method="users.info",outcome="network_error"} 1');
    expect(methodOf("https://files.slack.com/upload/v1/abc")).toBe("file_upload");
  });

  it("refused clicks by their reason code, runs by how they ended, RDS calls by action", async () => {
    const metrics = createMetrics({ defaultMetrics: false });
    metrics.click("refused", "not_your_turn");
    metrics.runEnded("aborted");
    metrics.rdsCall("CreateDBSnapshot", "ok");
    metrics.reminderPosted(3);
    const text = (await metrics.scrape()).body;
    expect(text).toContain('preflight_clicks_total{outcome="refused",reason="not_your_turn"} 1');
    expect(text).toContain('preflight_runs_ended_total{outcome="aborted"} 1');
    expect(text).toContain('preflight_rds_calls_total{action="CreateDBSnapshot",outcome="ok"} 1');
    expect(text).toContain("preflight_reminder_lateness_seconds_count 1");
    expect(text).toContain('preflight_reminder_lateness_seconds_bucket{le="5"} 1');
  });
});
