import { z } from "zod";

/**
 * What a check saw, kept on the step (bounded: a result of thousands of rows keeps its first
 * ones and says how many there were). The Slack message shows a small table, the Markdown all
 * that is kept.
 */

export const REPORT_LIMITS = { rows: 50, columns: 20, valueChars: 200 } as const;

export const checkReportSchema = z.object({
  kind: z.enum(["sql", "http"]),
  /** What was asked, in one line (`GET https://…`, `mysql host/db: SELECT …`). */
  target: z.string(),
  columns: z.array(z.string()).default([]),
  rows: z.array(z.array(z.string())).default([]),
  /** Rows the query returned; `rows` keeps at most REPORT_LIMITS.rows of them. */
  rowCount: z.number().int().nonnegative().default(0),
  /** Each expectation with what was seen: `tables: expected 12, found 13`. */
  outcomes: z.array(z.object({ ok: z.boolean(), text: z.string() })).default([]),
  took: z.string().optional(),
});
export type CheckReport = z.infer<typeof checkReportSchema>;

export function boundedRows(columns: readonly string[], rows: readonly (readonly string[])[]) {
  const cut = (value: string) =>
    value.length > REPORT_LIMITS.valueChars ? `${value.slice(0, REPORT_LIMITS.valueChars - 1)}…` : value;
  return {
    columns: columns.slice(0, REPORT_LIMITS.columns).map(cut),
    rows: rows.slice(0, REPORT_LIMITS.rows).map((row) => row.slice(0, REPORT_LIMITS.columns).map(cut)),
    rowCount: rows.length,
  };
}
