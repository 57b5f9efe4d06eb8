/**
 * Where a `sql.check` connects. Connections are never written in a checklist: the checklist names
 * one (`connection: "{{instance}}"`) and the bot's environment holds its URL.
 */

export type SqlEngine = "mysql" | "postgres";

export interface SqlConnection {
  name: string;
  variable: string;
  engine: SqlEngine;
  url: string;
}

export type ConnectionLookup = { ok: true; connection: SqlConnection } | { ok: false; message: string };

/** `example-qa` → `PREFLIGHT_DB_EXAMPLE_QA_URL`: upper-cased, every other character an underscore. */
export function connectionVariable(name: string): string {
  return `PREFLIGHT_DB_${name.toUpperCase().replace(/[^A-Z0-9]/g, "_")}_URL`;
}

export const CONNECTION_VARIABLE = /^PREFLIGHT_DB_[A-Z0-9_]+_URL$/;

const ENGINES: Record<string, SqlEngine> = {
  "mysql:": "mysql",
  "mariadb:": "mysql",
  "postgres:": "postgres",
  "postgresql:": "postgres",
};

export function resolveConnection(
  name: string,
  urls: Readonly<Record<string, string | undefined>>,
): ConnectionLookup {
  const variable = connectionVariable(name);
  const url = urls[variable];
  if (url === undefined || url === "")
    return {
      ok: false,
      message: `no database connection named "${name}": set ${variable} in the bot's environment (mysql://user:password@host:3306/database or postgres://user:password@host:5432/database), restart the bot, then retry`,
    };
  let protocol: string;
  try {
    protocol = new URL(url).protocol;
  } catch {
    return { ok: false, message: `${variable} is not a URL: use mysql://… or postgres://…` };
  }
  const engine = ENGINES[protocol];
  if (!engine)
    return {
      ok: false,
      message: `${variable} starts with ${protocol}//, which is not a database Preflight speaks: use mysql://, mariadb://, postgres:// or postgresql://`,
    };
  return { ok: true, connection: { name, variable, engine, url } };
}

/** Where a connection goes, without its password: for dry runs and failure lines. */
export function describeConnection(connection: SqlConnection): string {
  const url = new URL(connection.url);
  const database = url.pathname.replace(/^\//, "");
  return `${connection.engine} ${url.hostname}${url.port ? `:${url.port}` : ""}${database ? `/${database}` : ""}`;
}
