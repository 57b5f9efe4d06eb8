import { randomBytes } from "node:crypto";
import mysql from "mysql2/promise";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createHttpProbe } from "../../src/checks/http-probe.js";
import { createSqlRunner } from "../../src/checks/sql-runner.js";
import { sqlCheckSchema } from "../../src/core/checklist/check-schema.js";
import { applyEvent } from "../../src/core/run/apply-event.js";
import type { Effect } from "../../src/core/run/effects.js";
import { PREFLIGHT_USER, type Run } from "../../src/core/run/run-schema.js";
import { createCheckExecutor } from "../../src/service/check-executor.js";
import { newRun, T0 } from "../support/checklist-fixtures.js";

/**
 * sql.check against the real servers of this machine (.ci/run starts them): MariaDB on 3306 and
 * PostgreSQL on 5432. Each run of this file works in a database / schema of its own.
 */

const SCHEMA = `pf_check_${randomBytes(4).toString("hex")}`;
const MYSQL_ROOT = "mysql://root@127.0.0.1:3306/test";
const POSTGRES_ROOT = "postgres://postgres@127.0.0.1:5432/test";

interface Engine {
  name: string;
  url: string;
  sleep: string;
  exec(sql: string): Promise<void>;
}

const engines: Engine[] = [
  {
    name: "mariadb",
    url: `mysql://root@127.0.0.1:3306/${SCHEMA}`,
    sleep: "SELECT SLEEP(3) AS slept",
    exec: async (sql) => {
      const conn = await mysql.createConnection(MYSQL_ROOT);
      try {
        await conn.query(sql);
      } finally {
        await conn.end();
      }
    },
  },
  {
    name: "postgresql",
    url: POSTGRES_ROOT,
    sleep: "SELECT pg_sleep(3) AS slept",
    exec: async (sql) => {
      const client = new pg.Client(POSTGRES_ROOT);
      await client.connect();
      try {
        await client.query(sql);
      } finally {
        await client.end();
      }
    },
  },
];

const countTables = `SELECT COUNT(*) AS tables FROM information_schema.tables WHERE table_schema = '${SCHEMA}'`;

beforeAll(async () => {
  for (const engine of engines) {
    await engine.exec(engine.name === "mariadb" ? `CREATE DATABASE ${SCHEMA}` : `CREATE SCHEMA ${SCHEMA}`);
    await engine.exec(`CREATE TABLE ${SCHEMA}.orders (id INT PRIMARY KEY)`);
    await engine.exec(`CREATE TABLE ${SCHEMA}.invoices (id INT PRIMARY KEY)`);
    await engine.exec(`INSERT INTO ${SCHEMA}.orders (id) VALUES (1), (2), (3)`);
  }
});
afterAll(async () => {
  for (const engine of engines)
    await engine.exec(
      engine.name === "mariadb"
        ? `DROP DATABASE IF EXISTS ${SCHEMA}`
        : `DROP SCHEMA IF EXISTS ${SCHEMA} CASCADE`,
    );
});

function executorFor(engine: Engine) {
  return createCheckExecutor({
    http: createHttpProbe(),
    sql: createSqlRunner(),
    databaseUrls: { PREFLIGHT_DB_ORDERS_DB_URL: engine.url },
    now: () => new Date(),
    sleep: async () => undefined,
  });
}
const check = (input: Record<string, unknown>) =>
  sqlCheckSchema.parse({ type: "sql.check", connection: "orders-db", ...input });
const progress = async () => undefined;

describe.each(engines)("sql.check on $name", (engine) => {
  const checks = executorFor(engine);

  it("a matching expectation passes, records the column and keeps the result table", async () => {
    const outcome = await checks.run(
      check({ query: countTables, expect: { columns: { tables: 2 } }, record: "tables" }),
      false,
      progress,
    );
    expect(outcome).toMatchObject({ ok: true, results: { tables: "2", rows: "1" } });
    expect(outcome.check).toMatchObject({ kind: "sql", columns: ["tables"], rows: [["2"]], rowCount: 1 });
  });

  it("a mismatch fails the step with the expected and the found value", async () => {
    const outcome = await checks.run(
      check({ query: countTables, expect: { columns: { tables: 3 } } }),
      false,
      progress,
    );
    expect(outcome).toMatchObject({ ok: false, error: "tables: expected 3, found 2" });
    const rows = await checks.run(
      check({ query: `SELECT id FROM ${SCHEMA}.orders ORDER BY id`, expect: { at_least: 5 } }),
      false,
      progress,
    );
    expect(rows).toMatchObject({ ok: false, error: "at least 5 rows: expected at least 5, found 3" });
  });

  it("a write statement is refused before any connection, and the data is untouched", async () => {
    const outcome = await checks.run(check({ query: `DELETE FROM ${SCHEMA}.orders` }), false, progress);
    expect(outcome.ok).toBe(false);
    if (!outcome.ok)
      expect(outcome.error).toMatch(/^the query was not run: a check only reads, and "DELETE" is not a read/);
    const left = await checks.run(
      check({ query: `SELECT COUNT(*) FROM ${SCHEMA}.orders`, expect: { equals: 3 } }),
      false,
      progress,
    );
    expect(left.ok).toBe(true);
  });

  it("the session itself is read-only: a write that got past validation is refused by the database", async () => {
    const runner = createSqlRunner();
    const connection = {
      name: "orders-db",
      variable: "PREFLIGHT_DB_ORDERS_DB_URL",
      engine: engine.name === "mariadb" ? ("mysql" as const) : ("postgres" as const),
      url: engine.url,
    };
    await expect(
      runner.query(connection, `INSERT INTO ${SCHEMA}.orders (id) VALUES (99)`, 5_000),
    ).rejects.toThrow(/read-only/);
  });

  it("a statement that runs past its timeout is stopped and says so", async () => {
    const outcome = await checks.run(check({ query: engine.sleep, timeout: "1s" }), false, progress);
    expect(outcome).toMatchObject({
      ok: false,
      error: "orders-db: the query took longer than 1s and was stopped",
    });
  });

  it("a connection missing from the environment is named", async () => {
    const outcome = await checks.run(check({ query: "SELECT 1", connection: "billing-db" }), false, progress);
    expect(outcome.ok).toBe(false);
    if (!outcome.ok)
      expect(outcome.error).toContain("set PREFLIGHT_DB_BILLING_DB_URL in the bot's environment");
  });

  it("a value recorded by one step is compared by a later one, through the run", async () => {
    const yaml = `
id: counts
title: Counts
summary: Record a count, change nothing, compare
phases:
  - id: only
    title: Only
    steps:
      - id: count-before
        title: Count tables before
        action: { type: sql.check, connection: orders-db, query: "${countTables}", record: tables }
      - id: count-after
        title: Count tables after
        action:
          type: sql.check
          connection: orders-db
          query: "${countTables}"
          expect: { columns: { tables: "{{steps.count-before.tables}}" } }
`;
    let run = newRun({}, yaml);
    const step = async (stepId: string): Promise<Run> => {
      const started = applyEvent(run, { type: "start_step", stepId, by: "U_ALICE" }, T0);
      if (!started.accepted) throw new Error(started.refusal.message);
      const effect = started.effects.find(
        (e): e is Extract<Effect, { type: "run_action" }> => e.type === "run_action",
      );
      if (effect?.action.type !== "sql.check") throw new Error("no sql.check effect");
      const outcome = await checks.run(effect.action, false, progress);
      const report = outcome.ok
        ? { type: "action_succeeded" as const, stepId, results: outcome.results, by: PREFLIGHT_USER }
        : { type: "action_failed" as const, stepId, error: outcome.error, by: PREFLIGHT_USER };
      const done = applyEvent(started.run, report, T0);
      if (!done.accepted) throw new Error(done.refusal.message);
      return done.run;
    };
    run = await step("count-before");
    expect(run.steps[0]?.results.tables).toBe("2");
    await engine.exec(`CREATE TABLE ${SCHEMA}.late_arrival (id INT)`);
    try {
      run = await step("count-after");
    } finally {
      await engine.exec(`DROP TABLE ${SCHEMA}.late_arrival`);
    }
    expect(run.steps[1]).toMatchObject({ status: "failed", failure: "tables: expected 2, found 3" });
  });
});

describe("a dry run of a sql.check", () => {
  it("lists what it would run, says when the connection is not configured, and connects to nothing", async () => {
    let queried = 0;
    const checks = createCheckExecutor({
      http: createHttpProbe(),
      sql: {
        query: async () => {
          queried++;
          return { columns: [], rows: [] };
        },
      },
      databaseUrls: {},
      now: () => new Date(),
      sleep: async () => undefined,
    });
    const outcome = await checks.run(
      check({ query: "SELECT 1 AS one", expect: { equals: 1 } }),
      true,
      progress,
    );
    expect(outcome.ok).toBe(true);
    expect(outcome.results?.checks).toBe(
      'connect to orders-db through PREFLIGHT_DB_ORDERS_DB_URL (read-only session, timeout 30s) → run SELECT 1 AS one, expecting equals 1 → (no database connection named "orders-db": set PREFLIGHT_DB_ORDERS_DB_URL in the bot\'s environment (mysql://user:password@host:3306/database or postgres://user:password@host:5432/database), restart the bot, then retry)',
    );
    expect(queried).toBe(0);
  });
});
