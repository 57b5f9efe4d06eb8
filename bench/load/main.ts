/**
 * `npm run bench:load`: compiled Preflight against a bare Bolt app that only acknowledges and a
 * floor app (floor-bolt.mjs: the bare app plus one Redis write and the two Web API calls a click
 * needs), all fed the same signed step clicks, open loop, over many active runs; then a burst of step clicks on one
 * run, counting the `chat.update` calls it causes. Everything talks over loopback to a local Slack
 * Web API double; Redis keys live under a prefix of their own and are deleted at the end.
 *
 *   npm run bench:load -- [--runs 500] [--rates 50,100,200,400] [--seconds 10] [--quick]
 *                         [--pending 100000] [--due 1000] [--active 1000]
 *
 * Timings are printed and written to bench/load/results.json; nothing is asserted.
 */
import { execFile } from "node:child_process";
import { randomUUID } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs, promisify } from "node:util";
import { Redis } from "ioredis";
import { freePort } from "../../src/sandbox/redis-server.js";
import { type SlackApiDouble, startSlackApiDouble } from "../../src/sandbox/slack-api.js";
import { blockActionPayload, sendSlashCommand } from "../../test/support/slack-requests.js";
import { closeConnections, openLoop, postSigned } from "./drive.js";
import { type Child, cpuMs, cpuTimesMs, rssMiB, startChild, stopChild, waitForOutput } from "./processes.js";
import { MARK, reminderLateness } from "./reminders.js";
import { printRates, type RatePhase } from "./report.js";
import { judgeTargets, printTargets } from "./targets.js";

const SECRET = "bench-signing-secret";
const TOKEN = "xoxb-bench";
const OWNER = "UBENCHOWNER";
const REDIS_URL = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
const STEPS = 40;
/** As in package.json's start:dist: a bounded heap keeps RSS low (the live heap is ~30 MiB). */
const PRODUCTION_NODE_ARGS = "--max-old-space-size=128 --max-semi-space-size=4";
/** As in package.json's start:dist and the Dockerfile: two malloc arenas, not one per thread. */
const PRODUCTION_ENV = { MALLOC_ARENA_MAX: "2" };
const BURST_CLICKS = 50;

const { values: flags } = parseArgs({
  options: {
    runs: { type: "string" },
    rates: { type: "string" },
    seconds: { type: "string" },
    quick: { type: "boolean", default: false },
    pending: { type: "string" },
    due: { type: "string" },
    active: { type: "string" },
  },
});
const quick = flags.quick ?? false;
const runCount = Number(flags.runs ?? (quick ? 40 : 500));
const rates = (flags.rates ?? (quick ? "50,200" : "50,100,200,400")).split(",").map(Number);
const seconds = Number(flags.seconds ?? (quick ? 3 : 10));
/** Reminder lateness: `due` reminders (the runs' own, two per run at most) due together among `pending` ones (0 skips it). */
const pendingReminders = Number(flags.pending ?? (quick ? 10_000 : 100_000));
const dueReminders = Number(flags.due ?? (quick ? 80 : 1_000));
/** Active runs at the memory reading: more are started after the clicks up to this many. */
const activeRuns = Number(flags.active ?? (quick ? 100 : 1_000));
if (
  !Number.isInteger(runCount) ||
  runCount < 1 ||
  runCount > 5_000 ||
  rates.some((r) => !Number.isFinite(r) || r <= 0 || r > 2_000) ||
  !Number.isFinite(seconds) ||
  seconds <= 0 ||
  seconds > 120 ||
  !Number.isInteger(pendingReminders) ||
  pendingReminders < 0 ||
  pendingReminders > 200_000 ||
  !Number.isInteger(dueReminders) ||
  dueReminders < 0 ||
  dueReminders > pendingReminders ||
  dueReminders > 2 * runCount ||
  !Number.isInteger(activeRuns) ||
  activeRuns < 0 ||
  activeRuns > 5_000
) {
  console.error(
    "Usage: npm run bench:load -- [--runs 1-5000] [--rates 50,100,...(each ≤ 2000)] [--seconds 1-120] [--quick] [--pending 0-200000] [--due ≤ pending, ≤ 2 × runs] [--active 0-5000]",
  );
  process.exit(2);
}

/** The reminders of each reminder round: two per run, so 500 runs make 1,000 due. */
const REMINDER_ROUNDS = [
  ["bench-a", "bench-b"],
  ["bench-c", "bench-d"],
] as const;

/** The benchmark's checklist: STEPS plain steps, no parameters, four reminders a day after the start. */
function benchChecklist(): string {
  const steps = Array.from(
    { length: STEPS },
    (_, i) =>
      `      - id: s${i + 1}\n        title: Step ${i + 1} of the load benchmark\n        details: |\n          Check the replica lag, then switch the writer over and watch the error rate for a minute.\n        expect: No errors in the application log.`,
  );
  // Every run gets four reminders a day after it starts: the reminder rounds make them due.
  const reminders = REMINDER_ROUNDS.flat().map(
    (id) =>
      `  - id: ${id}\n    on: run.started\n    after: 1d\n    text: "${MARK} ${id}: check the replica lag and tell the business how it went."`,
  );
  return `id: load-bench\ntitle: Load benchmark\nsummary: Many plain steps, clicked by the load benchmark\nphases:\n  - id: only\n    title: Only\n    steps:\n${steps.join("\n")}\nreminders:\n${reminders.join("\n")}\n`;
}

// ---- everything the benchmark starts, stopped on every way out --------------------------------

const prefix = `preflight-bench-${randomUUID().slice(0, 8)}:`;
const children: Child[] = [];
let slack: SlackApiDouble | undefined;
let redis: Redis | undefined;
let checklistsDir: string | undefined;
let cleaning: Promise<void> | undefined;

function cleanup(): Promise<void> {
  cleaning ??= (async () => {
    closeConnections();
    await Promise.all(children.map((child) => stopChild(child)));
    await slack?.close().catch(() => undefined);
    if (redis) {
      let cursor = "0";
      do {
        const [next, keys] = await redis.scan(cursor, "MATCH", `${prefix}*`, "COUNT", 1000);
        if (keys.length > 0) await redis.del(...keys);
        cursor = next;
      } while (cursor !== "0");
      await redis.quit();
    }
    if (checklistsDir) await rm(checklistsDir, { recursive: true, force: true });
  })();
  return cleaning;
}

for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => {
    console.error(`\n${signal}: stopping everything the benchmark started…`);
    cleanup()
      .catch((error: unknown) => console.error(`cleaning up failed: ${String(error)}`))
      .finally(() => process.exit(130));
  });
}
// Last resort when something throws past cleanup: no child outlives the benchmark.
process.on("exit", () => {
  for (const child of children) if (child.process.exitCode === null) child.process.kill("SIGKILL");
});

// ---- helpers -------------------------------------------------------------------------------------

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Waits until `count()` has not changed for `quietMs` (at most `capMs`). */
async function quiet(count: () => number, quietMs: number, capMs: number): Promise<void> {
  const deadline = Date.now() + capMs;
  let last = count();
  let since = Date.now();
  while (Date.now() < deadline) {
    await sleep(100);
    const now = count();
    if (now !== last) {
      last = now;
      since = Date.now();
    } else if (Date.now() - since >= quietMs) return;
  }
}

type Button = { action_id?: string; value?: string };
interface BenchRun {
  channel: string;
  ts: string;
}

function buttonsOf(api: SlackApiDouble, run: BenchRun): Button[] {
  const blocks = (api.message(run.channel, run.ts)?.blocks ?? []) as { elements?: Button[] }[];
  return blocks.flatMap((b) => b.elements ?? []);
}

/** The button a person would click next on the message as it is now: Done, else Start. */
function nextClick(api: SlackApiDouble, run: BenchRun): Button | undefined {
  const buttons = buttonsOf(api, run);
  return (
    buttons.find((b) => b.action_id === "step_complete") ?? buttons.find((b) => b.action_id === "step_start")
  );
}

/** V8's heap as the bot reports it on /metrics (prom-client's default metrics), in MiB. */
async function heapMiB(child: Child): Promise<{ total: number; used: number } | undefined> {
  try {
    const text = await (await fetch(child.url.replace(/\/slack\/events$/, "/metrics"))).text();
    const read = (name: string) => Number(new RegExp(`^${name} (\\S+)$`, "m").exec(text)?.[1]);
    const [total, used] = [read("nodejs_heap_size_total_bytes"), read("nodejs_heap_size_used_bytes")];
    const mib = (bytes: number) => Math.round((bytes / 1_048_576) * 10) / 10;
    return Number.isFinite(total) && Number.isFinite(used)
      ? { total: mib(total), used: mib(used) }
      : undefined;
  } catch {
    return undefined;
  }
}

async function startRuns(api: SlackApiDouble, url: string, channels: string[]): Promise<BenchRun[]> {
  const queue = [...channels];
  const worker = async () => {
    for (let channel = queue.shift(); channel; channel = queue.shift()) {
      const answer = await sendSlashCommand(url, SECRET, {
        command: "/maintenance",
        text: "start load-bench",
        user_id: OWNER,
        channel_id: channel,
        response_url: api.responseUrl(`start-${channel}`),
      });
      if (answer.status !== 200)
        throw new Error(`/maintenance start answered ${answer.status}: ${answer.body}`);
    }
  };
  await Promise.all(Array.from({ length: 10 }, worker));
  const runs: BenchRun[] = [];
  for (const channel of channels) {
    const message = await api
      .waitFor(() => api.messages(channel).find((m) => (m.blocks ?? []).length > 0), 60_000)
      .catch(() => {
        // Say what the bot answered instead of a run message (e.g. a refusal while it was busy).
        const said = api
          .callsTo("chat.postEphemeral")
          .filter((c) => c.args.channel === channel)
          .map((c) => String(c.args.text));
        throw new Error(
          `no run message in ${channel} within 60 s; the bot said: ${said.join(" | ") || "nothing"}`,
        );
      });
    runs.push({ channel, ts: message.ts });
  }
  return runs;
}

/** The run a message belongs to, from its buttons' values ({"r": runId}). */
function runIdOf(api: SlackApiDouble, run: BenchRun): string | undefined {
  for (const button of buttonsOf(api, run)) {
    try {
      const value = JSON.parse(button.value ?? "") as { r?: unknown };
      if (typeof value.r === "string") return value.r;
    } catch {
      // Not a run button.
    }
  }
  return undefined;
}

function clickRequest(api: SlackApiDouble, runs: BenchRun[], i: number): URLSearchParams {
  const run = runs[i % runs.length] as BenchRun;
  const button = nextClick(api, run) ?? { action_id: "step_complete", value: "{}" };
  const payload = blockActionPayload({
    userId: OWNER,
    channelId: run.channel,
    messageTs: run.ts,
    actionId: button.action_id ?? "step_complete",
    value: button.value ?? "{}",
    responseUrl: api.responseUrl(`click-${i}`),
  });
  return new URLSearchParams({ payload: JSON.stringify(payload) });
}

async function phase(
  api: SlackApiDouble,
  child: Child,
  app: RatePhase["app"],
  runs: BenchRun[],
  rate: number,
): Promise<RatePhase> {
  const cpuBefore = cpuTimesMs(child.process.pid);
  const stats = await openLoop(rate, seconds, (i) =>
    postSigned(child.url, SECRET, clickRequest(api, runs, i)),
  );
  // Work the app does after its acks (refreshes) belongs to the clicks too; and the next phase starts calm.
  await quiet(() => api.calls.length, 1_000, 20_000);
  const cpuAfter = cpuTimesMs(child.process.pid);
  const perClick = (ms: number) => Math.round((ms / stats.sent) * 100) / 100;
  const cpuMsPerClick =
    cpuBefore && cpuAfter
      ? perClick(cpuAfter.user + cpuAfter.system - cpuBefore.user - cpuBefore.system)
      : undefined;
  const systemMsPerClick = cpuBefore && cpuAfter ? perClick(cpuAfter.system - cpuBefore.system) : undefined;
  const webApiCalls: Record<string, number> = {};
  for (const call of api.calls) webApiCalls[call.method] = (webApiCalls[call.method] ?? 0) + 1;
  // What the clicks refused privately were told, by the start of the words.
  const refusals: Record<string, number> = {};
  for (const call of api.callsTo("chat.postEphemeral")) {
    const words = String(call.args.text ?? "").slice(0, 48);
    refusals[words] = (refusals[words] ?? 0) + 1;
  }
  api.calls.length = 0; // the double records every call: keep its memory bounded
  return { app, ...stats, cpuMsPerClick, systemMsPerClick, webApiCalls, refusals };
}

interface Burst {
  webApiDelayMs: number;
  clicks: number;
  /** Clicks refused (told privately, e.g. as stale): they should be none. */
  refused: number;
  /** The message showed the run's final state once the burst was drawn. */
  finalShown: boolean;
  /** chat.update calls for the run's message in each second after the burst began. */
  updatesPerSecond: number[];
  updatesTotal: number;
  /** Other Web API calls the burst caused (thread lines, ephemerals), by method. */
  otherCalls: Record<string, number>;
  /** Clicks answered with a non-2xx or not at all. */
  clicksFailed: number;
}

async function burst(api: SlackApiDouble, preflight: Child, run: BenchRun, delayMs: number): Promise<Burst> {
  await quiet(() => api.calls.length, 1_000, 20_000);
  api.calls.length = 0;
  if (delayMs > 0) api.delayNext("chat.update", delayMs, 10_000);
  // Step by step from the message as drawn: Start step 1, Done, Start step 2, Done… Each click
  // carries the progress it follows, as the button it was clicked on would; a click waits for
  // the previous one's acknowledgement (a person clicks on what they saw change).
  const first = JSON.parse(nextClick(api, run)?.value ?? "{}") as { r?: string; v?: number };
  if (typeof first.r !== "string" || typeof first.v !== "number")
    throw new Error(`the burst run in ${run.channel} shows no step button`);
  const started = Date.now();
  const sent: Promise<{ status: number }>[] = [];
  for (let i = 0; i < BURST_CLICKS; i++) {
    const at = started + (i * 1000) / BURST_CLICKS;
    await sleep(Math.max(0, at - Date.now()));
    const payload = blockActionPayload({
      userId: OWNER,
      channelId: run.channel,
      messageTs: run.ts,
      actionId: i % 2 === 0 ? "step_start" : "step_complete",
      value: JSON.stringify({ r: first.r, s: `s${Math.floor(i / 2) + 1}`, v: first.v + i }),
      responseUrl: api.responseUrl(`burst-${run.channel}-${i}`),
    });
    const answer = postSigned(
      preflight.url,
      SECRET,
      new URLSearchParams({ payload: JSON.stringify(payload) }),
    );
    sent.push(answer);
    await answer;
  }
  const answers = await Promise.all(sent);
  await quiet(() => api.calls.length, 2_000, 60_000);
  const updates = api
    .callsTo("chat.update")
    .filter((c) => c.args.channel === run.channel && c.args.ts === run.ts);
  const seconds = Math.max(1, ...updates.map((c) => Math.floor((c.at - started) / 1000) + 1));
  const updatesPerSecond = Array.from({ length: seconds }, () => 0);
  for (const call of updates) {
    const second = Math.floor((call.at - started) / 1000);
    updatesPerSecond[second] = (updatesPerSecond[second] ?? 0) + 1;
  }
  const otherCalls: Record<string, number> = {};
  for (const call of api.calls.filter((c) => !updates.includes(c)))
    otherCalls[call.method] = (otherCalls[call.method] ?? 0) + 1;
  // The message ends as the run does: Start on the step after the last one done.
  const after = JSON.parse(nextClick(api, run)?.value ?? "{}") as { s?: string; v?: number };
  const finalShown = after.v === first.v + BURST_CLICKS && after.s === `s${BURST_CLICKS / 2 + 1}`;
  const refused = api.callsTo("chat.postEphemeral").length;
  api.calls.length = 0;
  return {
    webApiDelayMs: delayMs,
    clicks: BURST_CLICKS,
    refused,
    finalShown,
    updatesPerSecond,
    updatesTotal: updates.length,
    otherCalls,
    clicksFailed: answers.filter((a) => a.status < 200 || a.status >= 300).length,
  };
}

// ---- the benchmark -------------------------------------------------------------------------------

async function main(): Promise<void> {
  const began = Date.now();
  const loadAverageAtStart = loadavg();
  console.log(
    `Load benchmark: ${runCount} runs, ${rates.join("/")} clicks/s for ${seconds} s each, Redis ${REDIS_URL} (prefix ${prefix})`,
  );
  redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1, lazyConnect: true });
  await redis.connect().catch((error: unknown) => {
    throw new Error(`Redis at ${REDIS_URL} does not answer (${String(error)}): start one or set REDIS_URL.`);
  });

  console.log("Building (npm run build -- --noCheck)…");
  await promisify(execFile)("npm", ["run", "build", "--", "--noCheck"], { timeout: 180_000 });

  checklistsDir = await mkdtemp(join(tmpdir(), "preflight-bench-"));
  await writeFile(join(checklistsDir, "load-bench.yaml"), benchChecklist());
  const api = await startSlackApiDouble();
  slack = api;
  const common = { SLACK_BOT_TOKEN: TOKEN, SLACK_SIGNING_SECRET: SECRET, SLACK_API_URL: api.url };
  const barePort = await freePort();
  const bare = startChild(
    "bare Bolt",
    ["bench/load/bare-bolt.mjs"],
    { ...common, PORT: String(barePort) },
    barePort,
  );
  children.push(bare);
  const startPreflight = async (name: string) => {
    const port = await freePort();
    const child = startChild(
      name,
      // The heap limits `npm run start:dist` runs with; BENCH_NODE_ARGS replaces them (e.g.
      // "--cpu-prof --cpu-prof-dir=/tmp/prof" for a CPU profile of the bot).
      [...(process.env.BENCH_NODE_ARGS ?? PRODUCTION_NODE_ARGS).split(" ").filter(Boolean), "dist/main.js"],
      {
        ...common,
        ...PRODUCTION_ENV,
        PORT: String(port),
        REDIS_URL,
        REDIS_PREFIX: prefix,
        CHECKLISTS_DIR: checklistsDir as string,
        SHUTDOWN_DEADLINE_MS: "3000",
        // The bot's default unless the benchmark is run with REMINDER_CONCURRENCY set.
        ...(process.env.REMINDER_CONCURRENCY
          ? { REMINDER_CONCURRENCY: process.env.REMINDER_CONCURRENCY }
          : {}),
      },
      port,
    );
    children.push(child);
    return child;
  };
  const preflight = await startPreflight("Preflight");
  await Promise.all([
    waitForOutput(bare, "bare Bolt is running", 60_000),
    waitForOutput(preflight, "Preflight is running", 60_000),
  ]);
  const rssIdle = rssMiB(preflight.process.pid);

  console.log(`Starting ${runCount} runs (and 2 for the burst)…`);
  const channels = Array.from({ length: runCount + 2 }, (_, i) => `CLOAD${String(i).padStart(5, "0")}`);
  const created = Date.now();
  const all = await startRuns(api, preflight.url, channels);
  const runs = all.slice(0, runCount);
  const burstRuns = all.slice(runCount);
  const createSeconds = (Date.now() - created) / 1000;
  await quiet(() => api.calls.length, 1_000, 30_000);
  // The floor app's redraws carry as much as Preflight's run messages do.
  const runMessageBytes = api
    .callsTo("chat.postMessage")
    .map((call) => String(call.args.blocks ?? "").length)
    .filter((length) => length > 0);
  const blocksBytes = Math.round(
    runMessageBytes.reduce((a, b) => a + b, 0) / Math.max(1, runMessageBytes.length),
  );
  api.calls.length = 0;
  const rssAfterRuns = rssMiB(preflight.process.pid);
  console.log(`  ${runCount + 2} runs in ${createSeconds.toFixed(1)} s; Preflight RSS ${rssAfterRuns} MiB`);

  const floorPort = await freePort();
  const floor = startChild(
    "floor Bolt",
    ["bench/load/floor-bolt.mjs"],
    {
      ...common,
      PORT: String(floorPort),
      REDIS_URL,
      REDIS_PREFIX: prefix,
      FLOOR_BLOCKS_BYTES: String(blocksBytes),
    },
    floorPort,
  );
  children.push(floor);
  await waitForOutput(floor, "floor Bolt is running", 60_000);
  // Its first click in a channel posts the message it redraws from then on: not part of a phase.
  await openLoop(100, runs.length / 100, (i) => postSigned(floor.url, SECRET, clickRequest(api, runs, i)));
  await quiet(() => api.calls.length, 1_000, 30_000);
  api.calls.length = 0;

  const phases: RatePhase[] = [];
  for (const rate of rates) {
    for (const [app, child] of [
      ["bare", bare],
      ["floor", floor],
      ["preflight", preflight],
    ] as const) {
      const result = await phase(api, child, app, runs, rate);
      console.log(
        `  ${app.padEnd(9)} ${rate}/s: ${result.throughputPerSecond}/s ok, p99 ${result.p99Ms} ms, ${result.failed} failed, CPU ${result.cpuMsPerClick} ms a click (${result.systemMsPerClick} in the kernel)${result.failed > 0 ? ` ${JSON.stringify(result.failures)}` : ""}; Web API calls ${JSON.stringify(result.webApiCalls)}${Object.keys(result.refusals).length > 0 ? `; refused: ${JSON.stringify(result.refusals)}` : ""}`,
      );
      phases.push(result);
    }
  }
  const rssAfterClicks = rssMiB(preflight.process.pid);

  console.log(`Burst: ${BURST_CLICKS} step clicks within 1 s on one run…`);
  const bursts: Burst[] = [];
  for (const [i, delay] of [0, 150].entries()) {
    bursts.push(await burst(api, preflight, burstRuns[i] as BenchRun, delay));
  }
  // Memory with `activeRuns` runs open: more runs, in channels of their own, after the clicks.
  const more = Math.max(0, activeRuns - all.length);
  if (more > 0) {
    console.log(`Starting ${more} more runs (${all.length + more} active)…`);
    const extra = Array.from({ length: more }, (_, i) => `CMORE${String(i).padStart(5, "0")}`);
    await startRuns(api, preflight.url, extra);
    await quiet(() => api.calls.length, 1_000, 30_000);
    api.calls.length = 0;
  }
  const activeAtEnd = all.length + more;
  const rssEnd = rssMiB(preflight.process.pid);
  const heapEnd = await heapMiB(preflight);

  let reminders: Awaited<ReturnType<typeof reminderLateness>> | undefined;
  let remindersTwoProcesses: typeof reminders;
  if (dueReminders > 0) {
    console.log(`Reminders: ${dueReminders} due together among ${pendingReminders} pending…`);
    await quiet(() => api.calls.length, 1_000, 20_000);
    api.calls.length = 0;
    const owners = runs.map((run) => ({ channel: run.channel, runId: runIdOf(api, run) }));
    const owning = owners.filter((o): o is { channel: string; runId: string } => o.runId !== undefined);
    reminders = await reminderLateness({
      api,
      redis,
      prefix,
      runs: owning,
      reminderIds: REMINDER_ROUNDS[0],
      pending: pendingReminders,
      due: dueReminders,
      cpuMs: () => cpuMs(preflight.process.pid),
    });
    api.calls.length = 0;
    // Scaled out: a second process shares the queue (the pending ones are still there).
    console.log(`Reminders again with a second Preflight process: ${dueReminders} due together…`);
    const second = await startPreflight("Preflight 2");
    await waitForOutput(second, "Preflight is running", 60_000);
    await quiet(() => api.calls.length, 1_000, 20_000);
    api.calls.length = 0;
    const twoProcesses = await reminderLateness({
      api,
      redis,
      prefix,
      runs: owning,
      reminderIds: REMINDER_ROUNDS[1],
      pending: dueReminders,
      due: dueReminders,
      round: 2,
      cpuMs: () => {
        const [first, other] = [cpuMs(preflight.process.pid), cpuMs(second.process.pid)];
        return first === undefined || other === undefined ? undefined : first + other;
      },
    });
    // Queued in all: the first round's pending ones, still there, and this round's due ones.
    remindersTwoProcesses = { ...twoProcesses, pending: pendingReminders };
    api.calls.length = 0;
  }

  const load = loadavg().map((l) => l.toFixed(1));
  console.log(
    `\nLoad average on this ${cpus().length}-core machine: ${load.join(", ")} (other work shares it)`,
  );
  console.log(`Acknowledgements, open loop over ${runCount} active runs, ${seconds} s per rate:`);
  printRates(phases, rates);
  console.log(`\nchat.update for one message under a burst of ${BURST_CLICKS} step clicks in 1 s:`);
  for (const b of bursts) {
    console.log(
      `  Web API answering in ${String(b.webApiDelayMs).padStart(3)} ms: ${b.updatesPerSecond[0] ?? 0} in the first second, ${b.updatesTotal} in all (per second: ${b.updatesPerSecond.join(", ")}); final state shown: ${b.finalShown ? "yes" : "NO"}${b.refused ? `; ${b.refused} clicks refused` : ""}${b.clicksFailed ? `; ${b.clicksFailed} clicks failed` : ""}`,
    );
  }
  if (reminders)
    console.log(
      `\nReminder lateness, ${reminders.due} due together among ${reminders.pending} pending: ${reminders.posted} posted, first ${reminders.firstMs ?? "–"} ms, p50 ${reminders.p50Ms ?? "–"} ms, p99 ${reminders.p99Ms ?? "–"} ms, max ${reminders.maxMs ?? "–"} ms, CPU ${reminders.cpuMsPerReminder ?? "–"} ms a reminder (queued in ${reminders.enqueueSeconds} s)`,
    );
  if (remindersTwoProcesses)
    console.log(
      `  the same with two Preflight processes: ${remindersTwoProcesses.posted} posted, first ${remindersTwoProcesses.firstMs ?? "–"} ms, p50 ${remindersTwoProcesses.p50Ms ?? "–"} ms, p99 ${remindersTwoProcesses.p99Ms ?? "–"} ms, max ${remindersTwoProcesses.maxMs ?? "–"} ms, CPU ${remindersTwoProcesses.cpuMsPerReminder ?? "–"} ms a reminder (both processes)`,
    );
  console.log(
    `\nPreflight RSS: ${rssIdle} MiB idle, ${rssAfterRuns} MiB with ${runCount + 2} active runs, ${rssAfterClicks} MiB after the clicks, ${rssEnd} MiB with ${activeAtEnd} active runs after the clicks${heapEnd ? ` (V8's heap then: ${heapEnd.total} MiB, ${heapEnd.used} MiB in use)` : ""}`,
  );

  const targets = judgeTargets({
    rates: phases,
    bursts,
    reminders,
    remindersTwoProcesses,
    rss: {
      afterClicks: rssAfterClicks,
      clicks: phases.filter((p) => p.app === "preflight").reduce((sum, p) => sum + p.sent, 0),
      end: rssEnd,
      activeRunsAtEnd: activeAtEnd,
    },
  });
  printTargets(targets);

  const results = {
    measuredAt: new Date().toISOString(),
    machine: { cpus: cpus().length, node: process.version, loadAverageAtStart, loadAverageAtEnd: loadavg() },
    settings: { runs: runCount, rates, secondsPerRate: seconds, quick, steps: STEPS },
    createRunsSeconds: Math.round(createSeconds * 10) / 10,
    rates: phases,
    bursts,
    reminders,
    remindersTwoProcesses,
    preflightRssMiB: {
      idle: rssIdle,
      afterRuns: rssAfterRuns,
      afterClicks: rssAfterClicks,
      clicks: phases.filter((p) => p.app === "preflight").reduce((sum, p) => sum + p.sent, 0),
      activeRunsAtEnd: activeAtEnd,
      end: rssEnd,
      /** What V8 held of it then (from the bot's /metrics): the heap it has, and what is in use. */
      heapAtEnd: heapEnd,
    },
    targets,
    durationSeconds: Math.round((Date.now() - began) / 1000),
  };
  await writeFile(join("bench", "load", "results.json"), `${JSON.stringify(results, null, 2)}\n`);
  console.log(`\nWritten to bench/load/results.json (${results.durationSeconds} s).`);
}

main()
  .then(cleanup)
  .catch(async (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    for (const child of children)
      console.error(`--- ${child.name}, last output:\n${child.output().slice(-3_000)}`);
    await cleanup();
    process.exit(1);
  });
