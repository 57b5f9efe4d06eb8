// The floor for `npm run bench:load`: the bare Bolt app plus what any app that records a click and
// shows it must do, and nothing more: after the acknowledgement, one Redis script call that
// stores a run-sized document and appends a log line, one `chat.postMessage` (a thread line) and
// one `chat.update` carrying blocks as large as Preflight's run message (FLOOR_BLOCKS_BYTES). No
// rules, no rendering, no exactly-once bookkeeping, no pacing: Preflight's CPU per click over
// this app's is what its own design costs, over bare Bolt's what the product's work costs.
// The two calls go the cheapest way there is: a form POST over a kept-alive `node:http`
// connection, the answer read as JSON (Bolt's own client, axios with its interceptors and
// retries, cost ~0.5 ms more a click at 200/s: 1.42–1.47 against 0.95 ms, 2026-12-03).
import http from "node:http";
import bolt from "@slack/bolt";
import { Redis } from "ioredis";

const { App, HTTPReceiver, LogLevel } = bolt;
const port = Number(process.env.PORT ?? "3000");
const prefix = process.env.REDIS_PREFIX ?? "floor:";
const redis = new Redis(process.env.REDIS_URL ?? "redis://127.0.0.1:6379", { enableAutoPipelining: true });
redis.defineCommand("recordClick", {
  numberOfKeys: 2,
  lua: "redis.call('HSET', KEYS[1], 'json', ARGV[1]) redis.call('RPUSH', KEYS[2], ARGV[2]) return 1",
});
const documentText = JSON.stringify({ steps: "s".repeat(3_000) });
const blocksBytes = Number(process.env.FLOOR_BLOCKS_BYTES ?? "15000");
const perBlock = 300;
const blocks = Array.from({ length: Math.max(1, Math.round(blocksBytes / (perBlock + 60))) }, (_, i) => ({
  type: "section",
  text: { type: "mrkdwn", text: `${i}: ${"x".repeat(perBlock)}` },
}));
const apiUrl = new URL(process.env.SLACK_API_URL ?? "http://127.0.0.1:1/api/");
const agent = new http.Agent({ keepAlive: true });
/** A Web API call as a form POST; resolves with Slack's answer (`ok: false` throws). */
function call(method, args) {
  const body = Object.entries(args)
    .map(
      ([key, value]) =>
        `${key}=${encodeURIComponent(typeof value === "string" ? value : JSON.stringify(value))}`,
    )
    .join("&");
  return new Promise((resolve, reject) => {
    const request = http.request(
      new URL(method, apiUrl),
      {
        method: "POST",
        agent,
        headers: {
          "content-type": "application/x-www-form-urlencoded",
          "content-length": Buffer.byteLength(body),
          authorization: `Bearer ${process.env.SLACK_BOT_TOKEN}`,
        },
      },
      (response) => {
        let text = "";
        response.setEncoding("utf8");
        response.on("data", (chunk) => {
          text += chunk;
        });
        response.on("end", () => {
          const answer = JSON.parse(text);
          if (answer.ok) resolve(answer);
          else reject(new Error(`${method}: ${answer.error}`));
        });
      },
    );
    request.on("error", reject);
    request.end(body);
  });
}
/** The floor's own message in each channel (it must not redraw Preflight's run messages). */
const messages = new Map();

const app = new App({
  token: process.env.SLACK_BOT_TOKEN,
  receiver: new HTTPReceiver({ signingSecret: process.env.SLACK_SIGNING_SECRET ?? "" }),
  clientOptions: { slackApiUrl: process.env.SLACK_API_URL },
  logLevel: LogLevel.ERROR,
});
app.action(/.*/, async ({ ack, body }) => {
  await ack();
  const channel = body.channel?.id ?? "C";
  const entry = JSON.stringify({ at: Date.now(), by: body.user.id, action: body.actions?.[0]?.action_id });
  await redis.recordClick(`${prefix}floor:${channel}`, `${prefix}floor:${channel}:log`, documentText, entry);
  let ts = messages.get(channel);
  if (!ts) {
    ts = (await call("chat.postMessage", { channel, text: "floor", blocks })).ts;
    messages.set(channel, ts);
  }
  await call("chat.postMessage", { channel, thread_ts: ts, text: `Step done by <@${body.user.id}>` });
  await call("chat.update", { channel, ts, text: "floor", blocks });
});
await app.start({ port, host: "127.0.0.1" });
console.error(`floor Bolt is running on ${port}`);
const stop = async () => {
  await app.stop();
  await redis.quit();
  process.exit(0);
};
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
