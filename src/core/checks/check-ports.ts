import type { SqlConnection } from "./connections.js";

/**
 * The ports automated checks use. Adapters (src/checks/) speak HTTP through fetch and SQL through
 * mysql2 and pg; the executor and the core only see these shapes.
 */

export interface SqlResult {
  columns: string[];
  /** Every value as text (NULL as `NULL`), in column order. */
  rows: string[][];
}

export interface SqlRunner {
  /** Runs one validated read-only statement in a read-only session; at most `timeoutMs`. */
  query(connection: SqlConnection, statement: string, timeoutMs: number): Promise<SqlResult>;
}

export interface HttpAnswer {
  status: number;
  headers: Record<string, string>;
  /** The body as text, cut at the probe's limit. */
  body: string;
}

export interface HttpProbe {
  request(url: string, method: "GET" | "HEAD", timeoutMs: number): Promise<HttpAnswer>;
}

export const CHECK_ERROR_KINDS = [
  "refused",
  "dns",
  "tls",
  "timeout",
  "access_denied",
  "unknown_database",
  "query",
  "other",
] as const;
export type CheckErrorKind = (typeof CHECK_ERROR_KINDS)[number];

/** Every failure of an HTTP or SQL call, as one plain line a person can act on. */
export class CheckError extends Error {
  constructor(
    readonly kind: CheckErrorKind,
    message: string,
  ) {
    super(message);
    this.name = "CheckError";
  }
}
