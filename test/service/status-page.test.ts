import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { StatusPageCall } from "../../src/core/communication-ports.js";
import type { EffectLedger, EffectRecord } from "../../src/core/ports.js";
import type { RunEvent } from "../../src/core/run/run-schema.js";
import { carryOut } from "../../src/service/carry-out.js";
import { createStatusPageClient } from "../../src/service/status-page-client.js";
import { newRun } from "../support/checklist-fixtures.js";
import { type StatusPageDouble, startStatusPageDouble } from "../support/status-page-double.js";

let page: StatusPageDouble;
beforeAll(async () => {
  page = await startStatusPageDouble();
});
afterAll(async () => {
  await page.close();
});

const call = (overrides: Partial<StatusPageCall> = {}): StatusPageCall => ({
  type: "call_status_page",
  moment: "start",
  url: `${page.url}/incidents`,
  body: '{"status":"start"}',
  authHeaderEnv: "STATUS_TOKEN",
  ...overrides,
});

describe("the status-page client", () => {
  it("rides out a transient outage and sends the Authorization header and the effect id", async () => {
    const client = createStatusPageClient({ env: { STATUS_TOKEN: "Bearer t0k" }, retryDelaysMs: [5, 5] });
    page.failNextRequests(2);
    expect(await client.call("run-1.v3.2", call())).toEqual({ ok: true, status: 201 });
    expect(page.requests.at(-1)).toMatchObject({
      path: "/incidents",
      body: { status: "start" },
      headers: { authorization: "Bearer t0k", "idempotency-key": "run-1.v3.2" },
    });
  });

  it("says what failed for good: a missing variable, a refusal, an outage that outlasts the retries", async () => {
    const client = createStatusPageClient({ env: {}, retryDelaysMs: [5] });
    expect(await client.call("e1", call())).toEqual({
      ok: false,
      error: "the environment variable STATUS_TOKEN (the status page's Authorization header) is not set",
    });
    page.failNextRequests(3);
    expect(await client.call("e2", call({ authHeaderEnv: undefined }))).toEqual({
      ok: false,
      error: "HTTP 503 (after 2 attempts)",
    });
    page.failNextRequests(0);
  });
});

describe("carrying out a status-page effect", () => {
  it("records a failure on the run through the engine, once, and does not try again", async () => {
    const reports: { event: RunEvent; eventId: string }[] = [];
    const records: Record<string, EffectRecord> = {};
    const ledger: EffectLedger = {
      get: (id) => records[id],
      mark: async (id, record) => {
        records[id] = record;
      },
    };
    const deps = {
      store: { redrawn: async () => undefined },
      publisher: {} as never,
      scheduler: {} as never,
      now: () => new Date("2026-11-20T09:00:00Z"),
      statusPage: { call: async () => ({ ok: false as const, error: "HTTP 401" }) },
      report: async (_runId: string, event: RunEvent, eventId: string) => {
        reports.push({ event, eventId });
      },
    };
    await carryOut(deps, newRun(), { id: "run-1.v0.3", effect: call() }, ledger);
    expect(reports).toEqual([
      {
        event: {
          type: "post_failed",
          what: `the status page update (start) to ${page.url}/incidents`,
          error: "HTTP 401",
          by: "preflight",
        },
        eventId: "status-page.run-1.v0.3",
      },
    ]);
    expect(records["run-1.v0.3"]?.status).toBe("done");
  });
});
