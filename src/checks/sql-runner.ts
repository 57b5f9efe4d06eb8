import type mysql from "mysql2/promise";
import { CheckError, type SqlResult, type SqlRunner } from "../core/checks/check-ports.js";
import type { SqlConnection } from "../core/checks/connections.js";
import { formatDuration } from "../core/duration.js";

/**
 * The SQL adapter of `sql.check`: mysql2 for MySQL and MariaDB, pg for PostgreSQL. One short
 * connection per check, a read-only transaction that is rolled back, a statement timeout on the
 * server where it has one and on the client always.
 */

export function createSqlRunner(): SqlRunner {
  return {
    query: (connection, statement, timeoutMs) =>
      connection.engine === "mysql"
        ? mysqlQuery(connection, statement, timeoutMs)
        : postgresQuery(connection, statement, timeoutMs),
  };
}

export function asText(value: unknown): string {
  if (value === null || value === undefined) return "NULL";
  if (value instanceof Date) return value.toISOString();
  if (Buffer.isBuffer(value)) return value.toString("utf8");
  if (typeof value === "object") return JSON.stringify(value);
  return String(value);
}

async function mysqlQuery(
  connection: SqlConnection,
  statement: string,
  timeoutMs: number,
): Promise<SqlResult> {
  let conn: mysql.Connection | undefined;
  try {
    // The drivers load on the first check that needs them, not at every start of the bot.
    const { default: mysqlDriver } = await import("mysql2/promise");
    conn = await mysqlDriver.createConnection({
      uri: connection.url,
      connectTimeout: timeoutMs,
      dateStrings: true,
      supportBigNumbers: true,
      bigNumberStrings: true,
      multipleStatements: false,
    });
    // MySQL limits SELECTs in ms, MariaDB every statement in seconds: set whichever exists.
    await conn
      .query(`SET SESSION max_execution_time = ${Math.max(1, Math.round(timeoutMs))}`)
      .catch(() =>
        conn
          ?.query(`SET SESSION max_statement_time = ${Math.max(0.001, timeoutMs / 1000)}`)
          .catch(() => undefined),
      );
    await conn.query("START TRANSACTION READ ONLY");
    const [rows, fields] = await conn.query({ sql: statement, timeout: timeoutMs, rowsAsArray: true });
    await conn.query("ROLLBACK").catch(() => undefined);
    const columns = (fields ?? []).map((field) => field.name);
    const values = Array.isArray(rows) ? (rows as unknown[][]).map((row) => row.map(asText)) : [];
    return { columns, rows: values };
  } catch (error) {
    throw mysqlError(error, connection, timeoutMs);
  } finally {
    // A timed-out query leaves the connection unusable: destroy, don't wait for the server.
    conn?.destroy();
  }
}

/** What both drivers say alike: the host refuses or does not resolve; the query ran too long. */
function networkError(code: string | undefined, where: string): CheckError | undefined {
  if (code === "ECONNREFUSED") return new CheckError("refused", `connection refused by ${where}`);
  if (code === "ENOTFOUND" || code === "EAI_AGAIN")
    return new CheckError("dns", `the host name of ${where} does not resolve (DNS)`);
  return undefined;
}

const queryTimeout = (timeoutMs: number) =>
  new CheckError("timeout", `the query took longer than ${formatDuration(timeoutMs)} and was stopped`);
const READ_ONLY = "the database refused to write: checks run in a read-only session";

function mysqlError(error: unknown, connection: SqlConnection, timeoutMs: number): CheckError {
  const e = error as { code?: string; errno?: number; sqlMessage?: string; message?: string };
  const where = hostOf(connection);
  const network = networkError(e.code, where);
  if (network) return network;
  switch (e.code) {
    case "ETIMEDOUT":
      return new CheckError("timeout", `no connection to ${where} within ${formatDuration(timeoutMs)}`);
    case "PROTOCOL_SEQUENCE_TIMEOUT":
    case "ER_QUERY_TIMEOUT":
    case "ER_STATEMENT_TIMEOUT":
      return queryTimeout(timeoutMs);
    case "ER_ACCESS_DENIED_ERROR":
    case "ER_DBACCESS_DENIED_ERROR":
    case "ER_TABLEACCESS_DENIED_ERROR":
    case "ER_SPECIFIC_ACCESS_DENIED_ERROR":
      return new CheckError("access_denied", `access denied: ${e.sqlMessage ?? e.message}`);
    case "ER_BAD_DB_ERROR":
      return new CheckError("unknown_database", `the database does not exist: ${e.sqlMessage ?? e.message}`);
    case "ER_CANT_EXECUTE_IN_READ_ONLY_TRANSACTION":
      return new CheckError("query", READ_ONLY);
    default:
      if (e.errno === 1969 || /max_statement_time|max_execution_time/i.test(e.sqlMessage ?? ""))
        return queryTimeout(timeoutMs);
      if (e.sqlMessage) return new CheckError("query", `the database refused the query: ${e.sqlMessage}`);
      return new CheckError("other", e.message ?? String(error));
  }
}

async function postgresQuery(
  connection: SqlConnection,
  statement: string,
  timeoutMs: number,
): Promise<SqlResult> {
  const { default: pg } = await import("pg");
  const client = new pg.Client({
    connectionString: connection.url,
    connectionTimeoutMillis: timeoutMs,
    statement_timeout: timeoutMs,
    query_timeout: timeoutMs + 1_000,
  });
  // A connection lost after the check is over has nobody to tell; while it runs, the query fails.
  client.on("error", () => undefined);
  try {
    await client.connect();
    await client.query("BEGIN READ ONLY");
    const result = await client.query({ text: statement, rowMode: "array" });
    await client.query("ROLLBACK").catch(() => undefined);
    return {
      columns: (result.fields ?? []).map((field) => field.name),
      rows: ((result.rows ?? []) as unknown[][]).map((row) => row.map(asText)),
    };
  } catch (error) {
    throw postgresError(error, connection, timeoutMs);
  } finally {
    await client.end().catch(() => undefined);
  }
}

function postgresError(error: unknown, connection: SqlConnection, timeoutMs: number): CheckError {
  const e = error as { code?: string; message?: string };
  const where = hostOf(connection);
  const network = networkError(e.code, where);
  if (network) return network;
  switch (e.code) {
    case "57014":
      return queryTimeout(timeoutMs);
    case "28P01":
    case "28000":
    case "42501":
      return new CheckError("access_denied", `access denied: ${e.message}`);
    case "3D000":
      return new CheckError("unknown_database", `the database does not exist: ${e.message}`);
    case "25006":
      return new CheckError("query", READ_ONLY);
    default:
      if (/timeout/i.test(e.message ?? ""))
        return new CheckError("timeout", `no answer from ${where} within ${formatDuration(timeoutMs)}`);
      if (e.code && /^[0-9A-Z]{5}$/.test(e.code))
        return new CheckError("query", `the database refused the query: ${e.message}`);
      return new CheckError("other", e.message ?? String(error));
  }
}

function hostOf(connection: SqlConnection): string {
  const url = new URL(connection.url);
  return `${connection.name} (${url.hostname}${url.port ? `:${url.port}` : ""})`;
}
