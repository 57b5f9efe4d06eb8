import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { CHANNEL, type Harness, startHarness } from "../support/bot-harness.js";

/**
 * What an operator scrapes and probes after a run, over the wire: GET /metrics shows the run's
 * counters moving (runs, clicks by outcome and reason, refused ones included, Slack calls by method, acknowledgement latency by
 * kind) next to Node's own; /healthz and /readyz answer on the same port.
 */

const CHECKLIST = `
id: ops-run
title: Operations run
summary: Two steps
phases:
  - id: only
    title: Only
    steps:
      - { id: one, title: Step one }
      - { id: two, title: Step two }
`;

const ALICE = "UALICE";
let h: Harness;
afterAll(async () => h?.stop());

/** The value of one series in the text format, e.g. `preflight_clicks_total{outcome="applied",reason=""}`. */
function sample(text: string, series: string): number | undefined {
  const line = text.split("\n").find((candidate) => candidate.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe("operations endpoints", () => {
  it("after a run, /metrics shows its counters; /healthz and /readyz answer 200", async () => {
    const dir = await mkdtemp(join(tmpdir(), "preflight-ops-"));
    await writeFile(join(dir, "ops-run.yaml"), CHECKLIST);
    h = await startHarness({ checklistsDir: dir });
    const base = h.url.replace("/slack/events", "");

    await h.command("start ops-run", ALICE);
    await h.slack.waitFor(() => h.slack.messages(CHANNEL)[0]);
    await h.settle();
    const first = h.button("step_complete", "one");
    await h.click(first, ALICE);
    await expect.poll(async () => (await h.run()).steps[0]?.status).toBe("done");
    // The same click delivered again (Slack retries): applied once, counted as a duplicate.
    await h.click(first, ALICE);
    // A button Preflight no longer draws, and a request nobody signed: both refused before any
    // listener, and counted with their reason.
    await h.click({ ...first, actionId: "step_retired" }, ALICE);
    const unsigned = await fetch(h.url, { method: "POST", body: "{}" });
    expect(unsigned.status).toBe(401);
    await h.settle();
    const during = await (await fetch(`${base}/metrics`)).text();
    expect(sample(during, "preflight_active_runs")).toBe(1);

    await h.slack.waitFor(() =>
      h.buttons().find((x) => x.actionId === "step_complete" && x.stepId === "two"),
    );
    await h.click(h.button("step_complete", "two"), ALICE);
    await h.slack.waitFor(() => h.buttons().find((x) => x.actionId === "run_finish"));
    await h.click(h.button("run_finish"), ALICE);
    await expect.poll(async () => (await h.run()).status).toBe("finished");
    await expect.poll(async () => h.bot.store.runsWithOutbox(), { timeout: 8_000 }).toEqual([]);
    await h.settle();

    const response = await fetch(`${base}/metrics`);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toContain("text/plain");
    const text = await response.text();
    expect(sample(text, "preflight_runs_started_total")).toBe(1);
    expect(sample(text, 'preflight_runs_ended_total{outcome="finished"}')).toBe(1);
    expect(sample(text, 'preflight_runs_ended_total{outcome="aborted"}')).toBe(0);
    expect(sample(text, 'preflight_clicks_total{outcome="applied",reason=""}')).toBe(3);
    expect(sample(text, 'preflight_clicks_total{outcome="duplicate",reason=""}')).toBe(1);
    expect(sample(text, 'preflight_clicks_total{outcome="refused",reason="old_button"}')).toBe(1);
    expect(sample(text, 'preflight_clicks_total{outcome="refused",reason="bad_signature"}')).toBe(1);
    expect(
      sample(text, 'preflight_slack_api_calls_total{method="chat.postMessage",outcome="ok"}'),
    ).toBeGreaterThan(0);
    expect(
      sample(text, 'preflight_slack_api_calls_total{method="chat.update",outcome="ok"}'),
    ).toBeGreaterThan(0);
    // Four clicks applied or duplicate, one refused (acknowledged all the same).
    expect(sample(text, 'preflight_ack_latency_seconds_count{kind="action"}')).toBe(5);
    expect(sample(text, 'preflight_ack_latency_seconds_count{kind="command"}')).toBe(1);
    expect(sample(text, "preflight_active_runs")).toBe(0);
    expect(sample(text, "preflight_outbox_depth")).toBe(0);
    expect(sample(text, "preflight_outbox_oldest_age_seconds")).toBe(0);
    expect(sample(text, "preflight_reminders_pending")).toBeGreaterThanOrEqual(0);
    expect(text).toContain("process_cpu_user_seconds_total");
    expect(text).toContain("nodejs_eventloop_lag_seconds");

    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    const ready = await fetch(`${base}/readyz`);
    expect([ready.status, await ready.text()]).toEqual([200, "ready\n"]);

    // One line per request: who, what, where, the run, and how long.
    expect(h.logs).toContainEqual(
      expect.objectContaining({
        message: "request handled",
        context: expect.objectContaining({
          kind: "action",
          action: "step_complete",
          user: ALICE,
          channel: CHANNEL,
        }),
      }),
    );
  });
});
