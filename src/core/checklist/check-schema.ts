import { z } from "zod";
import { DURATION_PATTERN, TOO_LONG, withinLimit } from "../duration.js";

/**
 * Automated checks: read-only actions a machine does better than a tired person at 2 a.m.
 * `http.check` asks a URL; `sql.check` runs one read-only statement through a connection named
 * in the bot's environment (PREFLIGHT_DB_<NAME>_URL), never written in a checklist.
 */

const duration = z
  .string()
  .regex(new RegExp(DURATION_PATTERN), "use a duration such as 10s, 30s or 2m")
  .refine(withinLimit, TOO_LONG);
const column = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, "use a column name such as version or tables");
const count = z.union([z.number().int().nonnegative(), z.string().min(1)]);

export const httpCheckSchema = z.strictObject({
  type: z.literal("http.check"),
  url: z
    .string()
    .min(1)
    .max(2_000)
    .regex(/^(https?:\/\/|\{\{)\S+$/, "use an http(s):// URL, or one that starts with a {{parameter}}"),
  method: z.enum(["GET", "HEAD"]).default("GET"),
  expect: z
    .strictObject({
      status: z.union([z.number().int().min(100).max(599), z.string().min(1)]).optional(),
      body_contains: z.string().min(1).optional(),
      body_matches: z.string().min(1).optional().describe("a regular expression the body must match"),
      header: z
        .record(z.string().min(1), z.string())
        .optional()
        .describe("headers that must be present, with a value they must contain (empty: any value)"),
    })
    .default({}),
  timeout: duration.default("10s"),
  attempts: z.number().int().min(1).max(10).default(1).describe("tries, with backoff, before it fails"),
});

export const sqlExpectSchema = z
  .strictObject({
    equals: z
      .union([z.string(), z.number()])
      .optional()
      .describe("the first column of the first row, as text"),
    matches: z.string().min(1).optional().describe("a regular expression the first value must match"),
    rows: count.optional().describe("exactly this many rows"),
    at_least: count.optional().describe("at least this many rows"),
    at_most: count.optional().describe("at most this many rows"),
    columns: z
      .record(column, z.union([z.string(), z.number()]))
      .optional()
      .describe("values the first row must have, by column"),
  })
  .default({});

export const sqlCheckSchema = z.strictObject({
  type: z.literal("sql.check"),
  connection: z
    .string()
    .min(1)
    .max(200)
    .describe("a name: the bot reads the connection from PREFLIGHT_DB_<NAME>_URL"),
  query: z
    .string()
    .min(1)
    .max(4_000)
    .describe("one read-only statement: SELECT, SHOW, EXPLAIN, DESCRIBE, WITH"),
  expect: sqlExpectSchema,
  record: z
    .union([column, z.array(column).min(1).max(20)])
    .optional()
    .describe("columns of the first row kept as {{steps.<id>.<column>}}"),
  timeout: duration.default("30s"),
});

export type HttpCheck = z.infer<typeof httpCheckSchema>;
export type SqlCheck = z.infer<typeof sqlCheckSchema>;
export type SqlExpect = z.infer<typeof sqlExpectSchema>;
export type Check = HttpCheck | SqlCheck;

export const CHECK_TYPES = ["http.check", "sql.check"] as const;

export function isCheck(action: { type: string }): action is Check {
  return (CHECK_TYPES as readonly string[]).includes(action.type);
}

/** Values a person enters when completing a manual step: `record: { tables: { type: integer } }`. */
export const recordFieldSchema = z.strictObject({
  type: z.enum(["integer", "number", "string"]).default("string"),
  label: z.string().min(1).max(100).optional(),
  optional: z.boolean().default(false),
});
export const stepRecordSchema = z
  .record(column, recordFieldSchema)
  .refine((fields) => Object.keys(fields).length > 0 && Object.keys(fields).length <= 10, {
    message: "name between 1 and 10 values to record",
  });
export type RecordField = z.infer<typeof recordFieldSchema>;
export type StepRecord = z.infer<typeof stepRecordSchema>;
