import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";
import type { AckKind, Metrics } from "../core/ports.js";

/**
 * Prometheus metrics, served on GET /metrics (same port as /healthz). Counters and histograms are
 * this process's (Prometheus sums replicas); the gauges read Redis when scraped, so every replica
 * reports the same shared state (take `max` across replicas, not `sum`). The README lists them.
 */

/** What the gauges read when scraped: the shared state in Redis. */
export interface ScrapeSources {
  activeRuns(): Promise<number>;
  outbox(): Promise<{ depth: number; oldestAgeSeconds: number }>;
  remindersPending(): Promise<number>;
}

export interface PrometheusMetrics extends Metrics {
  registry: Registry;
  /** Connects the gauges to the store and the queue once they exist. */
  watch(sources: ScrapeSources): void;
  /** The text exposition format, and its content type. */
  scrape(): Promise<{ contentType: string; body: string }>;
}

const ACK_KINDS: readonly AckKind[] = ["command", "action", "view", "event", "options", "shortcut"];

export function createMetrics(options: { defaultMetrics?: boolean } = {}): PrometheusMetrics {
  const registry = new Registry();
  if (options.defaultMetrics !== false) collectDefaultMetrics({ register: registry });
  const registers = [registry];
  let sources: ScrapeSources | undefined;

  const ackSeconds = new Histogram({
    name: "preflight_ack_latency_seconds",
    help: "Time from a Slack request reaching a listener to its acknowledgement, by kind (Slack allows 3 s).",
    labelNames: ["kind"],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 3],
    registers,
  });
  const clicks = new Counter({
    name: "preflight_clicks_total",
    help: "Clicks and forms from people, by outcome (applied, refused, duplicate, not_found, failed) and reason: the engine's refusal code, or why it was refused before any listener (busy, old_button, foreign_message, run_not_found, bad_signature, unknown_shape...).",
    labelNames: ["outcome", "reason"],
    registers,
  });
  const runsStarted = new Counter({
    name: "preflight_runs_started_total",
    help: "Runs started.",
    registers,
  });
  const runsEnded = new Counter({
    name: "preflight_runs_ended_total",
    help: "Runs that left active, by outcome (finished, aborted, rolled_back).",
    labelNames: ["outcome"],
    registers,
  });
  const overruns = new Counter({
    name: "preflight_step_overruns_total",
    help: "Steps still running past their expected maximum duration (first overrun nudge posted).",
    registers,
  });
  const remindersPosted = new Counter({
    name: "preflight_reminders_posted_total",
    help: "Reminders posted.",
    registers,
  });
  const reminderLateness = new Histogram({
    name: "preflight_reminder_lateness_seconds",
    help: "How long after its due time a reminder was posted.",
    buckets: [0.5, 1, 2, 5, 10, 30, 60, 300, 900],
    registers,
  });
  const slackCalls = new Counter({
    name: "preflight_slack_api_calls_total",
    help: "Slack Web API calls by method and outcome (ok, Slack's error code, 429, network_error).",
    labelNames: ["method", "outcome"],
    registers,
  });
  const rdsCalls = new Counter({
    name: "preflight_rds_calls_total",
    help: "AWS RDS calls (after the SDK's retries) by action and outcome (ok or the error's name).",
    labelNames: ["action", "outcome"],
    registers,
  });
  new Gauge({
    name: "preflight_active_runs",
    help: "Runs active now (shared state in Redis).",
    registers,
    async collect() {
      if (sources) this.set(await sources.activeRuns());
    },
  });
  const outboxDepth = new Gauge({
    name: "preflight_outbox_depth",
    help: "Outbox entries (stored effects not yet carried out) over all runs.",
    registers,
  });
  new Gauge({
    name: "preflight_outbox_oldest_age_seconds",
    help: "Age of the oldest outbox entry not yet carried out (0 when the outbox is empty).",
    registers,
    async collect() {
      if (!sources) return;
      const { depth, oldestAgeSeconds } = await sources.outbox();
      outboxDepth.set(depth);
      this.set(oldestAgeSeconds);
    },
  });
  new Gauge({
    name: "preflight_reminders_pending",
    help: "Reminders, nudges and window announcements scheduled and not yet due.",
    registers,
    async collect() {
      if (sources) this.set(await sources.remindersPending());
    },
  });

  // Every series a dashboard shows exists from the start (at 0), not after its first event.
  for (const kind of ACK_KINDS) ackSeconds.zero({ kind });
  for (const outcome of ["applied", "duplicate", "not_found", "failed"])
    clicks.inc({ outcome, reason: "" }, 0);
  for (const outcome of ["finished", "aborted", "rolled_back"]) runsEnded.inc({ outcome }, 0);

  return {
    registry,
    watch: (next) => {
      sources = next;
    },
    async scrape() {
      return { contentType: registry.contentType, body: await registry.metrics() };
    },
    ack: (kind, seconds) => ackSeconds.observe({ kind }, seconds),
    click: (outcome, reason) => clicks.inc({ outcome, reason: reason ?? "" }),
    runStarted: () => runsStarted.inc(),
    runEnded: (status) => runsEnded.inc({ outcome: status }),
    stepOverrun: () => overruns.inc(),
    reminderPosted: (latenessSeconds) => {
      remindersPosted.inc();
      reminderLateness.observe(Math.max(0, latenessSeconds));
    },
    slackCall: (method, outcome) => slackCalls.inc({ method, outcome }),
    rdsCall: (action, outcome) => rdsCalls.inc({ action, outcome }),
  };
}
