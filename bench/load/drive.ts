import { Agent, request } from "node:http";
import { performance } from "node:perf_hooks";
import { signSlackRequest } from "../../test/support/slack-requests.js";

/** Slack gives up on an acknowledgement after 3 s. */
export const ACK_DEADLINE_MS = 3_000;
/** How long a request may stay silent before the benchmark gives up on it (late answers still show in `max`). */
const GIVE_UP_MS = 10_000;

export interface Outcome {
  status: number;
  ms: number;
  /** performance.now() when the answer (or the giving up) came. */
  doneAt: number;
  /** Why no answer came (the socket's error code, e.g. ECONNRESET). */
  error?: string;
}

// Keep-alive, as Slack's deliveries are; no cap on sockets, so a slow app cannot slow the sender.
const agent = new Agent({ keepAlive: true, maxSockets: Number.POSITIVE_INFINITY });

/** Closes the kept-alive connections (at the end). */
export function closeConnections(): void {
  agent.destroy();
}

/** One signed form POST, timed from the moment it leaves; status 0 when no answer came. */
export function postSigned(url: string, secret: string, form: URLSearchParams): Promise<Outcome> {
  const body = form.toString();
  const { timestamp, signature } = signSlackRequest(secret, body);
  const started = performance.now();
  return new Promise((resolve) => {
    const finish = (status: number, error?: Error) => {
      const doneAt = performance.now();
      const code = error && ((error as NodeJS.ErrnoException).code ?? error.message);
      resolve({ status, ms: doneAt - started, doneAt, ...(code ? { error: code } : {}) });
    };
    const req = request(
      url,
      {
        method: "POST",
        agent,
        timeout: GIVE_UP_MS,
        headers: {
          "content-type": "application/x-www-form-urlencoded",
          "content-length": Buffer.byteLength(body),
          "x-slack-request-timestamp": timestamp,
          "x-slack-signature": signature,
        },
      },
      (res) => {
        res.resume();
        res.on("end", () => finish(res.statusCode ?? 0));
        res.on("error", (error) => finish(0, error));
      },
    );
    req.on("timeout", () => req.destroy(new Error("no answer")));
    req.on("error", (error) => finish(0, error));
    req.end(body);
  });
}

export interface PhaseStats {
  offeredPerSecond: number;
  sent: number;
  /** 2xx within 3 s. */
  ok: number;
  /** Non-2xx, no answer, or an answer after 3 s. */
  failed: number;
  /** Answered 2xx, but after 3 s (included in `failed`). */
  late: number;
  /** Answers within 3 s per second, from the first send to the last such answer (at least the schedule). */
  throughputPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  /** How far the sender itself fell behind its schedule (a busy machine): the worst case. */
  senderLagMaxMs: number;
  /** What the failed ones got: an HTTP status, "late", or why no answer came. */
  failures: Record<string, number>;
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
}

const round = (ms: number) => Math.round(ms * 10) / 10;

/**
 * Open loop: request i leaves at start + i / rate whether or not earlier ones were answered, as
 * Slack delivers clicks. `makeRequest(i)` builds and sends the i-th request.
 */
export async function openLoop(
  ratePerSecond: number,
  seconds: number,
  makeRequest: (i: number) => Promise<Outcome>,
): Promise<PhaseStats> {
  const total = Math.round(ratePerSecond * seconds);
  const pending: Promise<Outcome>[] = [];
  const start = performance.now();
  let lagMax = 0;
  while (pending.length < total) {
    const now = performance.now();
    while (pending.length < total && start + (pending.length * 1000) / ratePerSecond <= now) {
      lagMax = Math.max(lagMax, now - (start + (pending.length * 1000) / ratePerSecond));
      pending.push(makeRequest(pending.length));
    }
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
  const outcomes = await Promise.all(pending);
  const answered = outcomes.filter((o) => o.status >= 200 && o.status < 300);
  const inTime = answered.filter((o) => o.ms <= ACK_DEADLINE_MS);
  const lastAnswer = Math.max(start + seconds * 1000, ...inTime.map((o) => o.doneAt));
  const elapsedS = (lastAnswer - start) / 1000;
  const sorted = answered.map((o) => o.ms).sort((a, b) => a - b);
  const failures: Record<string, number> = {};
  for (const o of outcomes) {
    const why =
      o.status >= 200 && o.status < 300
        ? o.ms > ACK_DEADLINE_MS
          ? "late"
          : undefined
        : o.status === 0
          ? (o.error ?? "no answer")
          : `HTTP ${o.status}`;
    if (why) failures[why] = (failures[why] ?? 0) + 1;
  }
  return {
    offeredPerSecond: ratePerSecond,
    sent: total,
    ok: inTime.length,
    failed: total - inTime.length,
    late: answered.length - inTime.length,
    throughputPerSecond: round(inTime.length / elapsedS),
    p50Ms: round(percentile(sorted, 50)),
    p99Ms: round(percentile(sorted, 99)),
    maxMs: round(sorted.at(-1) ?? Number.NaN),
    senderLagMaxMs: round(lagMax),
    failures,
  };
}
