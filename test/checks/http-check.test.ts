import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createHttpProbe, httpError } from "../../src/checks/http-probe.js";
import { createSqlRunner } from "../../src/checks/sql-runner.js";
import { httpCheckSchema } from "../../src/core/checklist/check-schema.js";
import { createCheckExecutor } from "../../src/service/check-executor.js";

/** http.check against a local HTTP server: what a person would otherwise do with curl. */

let server: Server;
let base: string;
let hits = 0;
let closedPort: number;

beforeAll(async () => {
  server = createServer((req, res) => {
    hits++;
    if (req.url === "/maintenance") {
      res.writeHead(503, { "content-type": "text/html", "retry-after": "600" });
      res.end("<html><h1>Scheduled maintenance</h1><p>Back at 10:00 UTC.</p></html>");
    } else if (req.url === "/hang") {
      // Never answers: the check must give up on its own.
    } else if (req.url?.startsWith("/flaky")) {
      res.writeHead(hits % 3 === 0 ? 200 : 502);
      res.end("ok");
    } else {
      res.writeHead(200, { "content-type": "text/html" });
      res.end(`<html><title>Welcome</title>${"filler ".repeat(100)}</html>`);
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const closed = createServer();
  await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
  closedPort = (closed.address() as AddressInfo).port;
  await new Promise<void>((resolve) => closed.close(() => resolve()));
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

const waits: number[] = [];
const checks = createCheckExecutor({
  http: createHttpProbe(),
  sql: createSqlRunner(),
  databaseUrls: {},
  now: () => new Date(),
  sleep: async (ms) => {
    waits.push(ms);
  },
  backoffMs: 1_000,
});
const check = (input: Record<string, unknown>) => httpCheckSchema.parse({ type: "http.check", ...input });
const progress = async () => undefined;

describe("http.check", () => {
  it("status and body: the maintenance page is served", async () => {
    const outcome = await checks.run(
      check({
        url: `${base}/maintenance`,
        expect: { status: 503, body_contains: "maintenance", header: { "Retry-After": "600" } },
      }),
      false,
      progress,
    );
    expect(outcome).toMatchObject({ ok: true, results: { status: "503" } });
    expect(outcome.results?.matched).toContain('body contains "maintenance"');
  });

  it("a wrong status and a missing text fail, showing the first 200 characters that came back", async () => {
    const outcome = await checks.run(
      check({ url: `${base}/`, expect: { status: 503, body_contains: "maintenance" } }),
      false,
      progress,
    );
    expect(outcome.ok).toBe(false);
    if (outcome.ok) return;
    expect(outcome.error).toMatch(
      /^status: expected 503, found 200; body does not contain "maintenance"; it starts: <html><title>Welcome<\/title>filler/,
    );
    expect(outcome.error.split("it starts: ")[1]).toHaveLength(201);
  });

  it("a regular expression over the body", async () => {
    expect(
      (
        await checks.run(
          check({
            url: `${base}/maintenance`,
            expect: { status: 503, body_matches: "Back at \\d\\d:\\d\\d UTC" },
          }),
          false,
          progress,
        )
      ).ok,
    ).toBe(true);
    const miss = await checks.run(
      check({ url: `${base}/`, expect: { body_matches: "^<html><h1>" } }),
      false,
      progress,
    );
    expect(miss.ok || miss.error).toMatch(
      /^body does not match \^<html><h1>; it starts: <html><title>Welcome/,
    );
  });

  it("an answer that never comes times out in one plain line", async () => {
    const outcome = await checks.run(check({ url: `${base}/hang`, timeout: "1s" }), false, progress);
    expect(outcome).toMatchObject({ ok: false, error: `GET ${base}/hang: no answer within 1s` });
  });

  it("connection refused is one plain line", async () => {
    const outcome = await checks.run(check({ url: `http://127.0.0.1:${closedPort}/` }), false, progress);
    expect(outcome).toMatchObject({
      ok: false,
      error: `GET http://127.0.0.1:${closedPort}/: connection refused by 127.0.0.1:${closedPort}`,
    });
  });

  it("attempts again with a growing wait until the expectation holds", async () => {
    hits = 0;
    waits.length = 0;
    const outcome = await checks.run(
      check({ url: `${base}/flaky`, expect: { status: 200 }, attempts: 3 }),
      false,
      progress,
    );
    expect(outcome.ok).toBe(true);
    expect(waits).toEqual([1_000, 2_000]);
    hits = 3;
    waits.length = 0;
    const failed = await checks.run(
      check({ url: `${base}/flaky`, expect: { status: 200 }, attempts: 2 }),
      false,
      progress,
    );
    expect(failed).toMatchObject({ ok: false, error: "status: expected 200, found 502 (after 2 attempts)" });
  });

  it("a dry run lists what it would check and asks nothing", async () => {
    hits = 0;
    const outcome = await checks.run(
      check({ url: `${base}/maintenance`, expect: { status: 503 } }),
      true,
      progress,
    );
    expect(outcome).toMatchObject({
      ok: true,
      results: { dry_run: "true", checks: `GET ${base}/maintenance within 10s, expecting status 503` },
    });
    expect(hits).toBe(0);
  });
});

describe("what fetch throws, as one plain line", () => {
  const failed = (code: string, message = "boom") =>
    new TypeError("fetch failed", { cause: { code, message } });
  it.each([
    ["ENOTFOUND", "the host name status.example.com does not resolve (DNS)"],
    ["DEPTH_ZERO_SELF_SIGNED_CERT", "TLS failed with status.example.com:8443: self-signed certificate"],
    ["ERR_TLS_CERT_ALTNAME_INVALID", "TLS failed with status.example.com:8443: self-signed certificate"],
    ["ECONNREFUSED", "connection refused by status.example.com:8443"],
  ])("%s", (code, line) => {
    const error = httpError(
      failed(code, "self-signed certificate"),
      "https://status.example.com:8443/x",
      10_000,
    );
    expect(error.message).toBe(line);
  });
});
