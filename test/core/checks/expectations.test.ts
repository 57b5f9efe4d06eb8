import { describe, expect, it } from "vitest";
import { sqlExpectSchema } from "../../../src/core/checklist/check-schema.js";
import { resultTableMarkdown, resultTableText } from "../../../src/core/checks/check-text.js";
import { connectionVariable, resolveConnection } from "../../../src/core/checks/connections.js";
import {
  failureLine,
  httpOutcomes,
  recordedColumns,
  sqlOutcomes,
} from "../../../src/core/checks/expectations.js";

const result = { columns: ["version", "tables"], rows: [["8.0.32", "12"]] };
const expectOf = (input: unknown) => sqlExpectSchema.parse(input);

describe("sql.check expectations", () => {
  it("a match passes; a mismatch names both values", () => {
    expect(failureLine(sqlOutcomes(expectOf({ equals: "8.0.32" }), result))).toBe("");
    expect(failureLine(sqlOutcomes(expectOf({ columns: { tables: 12 } }), result))).toBe("");
    expect(failureLine(sqlOutcomes(expectOf({ columns: { tables: "11", version: "8.0.32" } }), result))).toBe(
      "tables: expected 11, found 12",
    );
    expect(failureLine(sqlOutcomes(expectOf({ matches: "^5\\.7" }), result))).toBe(
      "value: expected to match ^5\\.7, found 8.0.32",
    );
  });

  it("counts rows exactly, at least and at most", () => {
    expect(failureLine(sqlOutcomes(expectOf({ rows: 1, at_least: "1", at_most: 1 }), result))).toBe("");
    expect(failureLine(sqlOutcomes(expectOf({ at_least: 2 }), result))).toBe(
      "at least 2 rows: expected at least 2, found 1",
    );
    expect(failureLine(sqlOutcomes(expectOf({ rows: 0 }), result))).toBe("rows: expected 0, found 1");
  });

  it("a value no step recorded yet fails, saying so", () => {
    const line = failureLine(
      sqlOutcomes(expectOf({ columns: { tables: "{{steps.check-access.tables}}" } }), result),
    );
    expect(line).toContain("expected {{steps.check-access.tables}}, which is not known yet");
  });

  it("a column that is not in the result is named with the ones that are", () => {
    expect(failureLine(sqlOutcomes(expectOf({ columns: { users: 2 } }), result))).toBe(
      "users: not a column of the result (it has version, tables)",
    );
  });

  it("records the named columns of the first row", () => {
    expect(recordedColumns(["version", "tables"], result)).toEqual({
      values: { version: "8.0.32", tables: "12" },
      missing: [],
    });
    expect(recordedColumns("users", result).missing).toEqual(["users"]);
  });
});

describe("http.check expectations", () => {
  const answer = { status: 503, headers: { "retry-after": "600" }, body: "<h1>Down for maintenance</h1>" };
  it("status, body, regex and header", () => {
    const expectation = {
      status: 503,
      body_contains: "MAINTENANCE",
      body_matches: "<h1>.*</h1>",
      header: { "Retry-After": "" },
    };
    expect(failureLine(httpOutcomes(expectation, answer))).toBe("");
    expect(failureLine(httpOutcomes({ status: 200 }, answer))).toBe("status: expected 200, found 503");
    expect(failureLine(httpOutcomes({}, answer))).toBe("status: expected below 400, found 503");
    const long = { ...answer, body: `${"x".repeat(300)} maintenance` };
    const missing = failureLine(httpOutcomes({ status: 503, body_contains: "welcome" }, long));
    expect(missing).toBe(`body does not contain "welcome"; it starts: ${"x".repeat(200)}…`);
  });
});

describe("connections", () => {
  it("are named PREFLIGHT_DB_<NAME>_URL, upper-cased, every other character an underscore", () => {
    expect(connectionVariable("example-qa")).toBe("PREFLIGHT_DB_EXAMPLE_QA_URL");
    expect(connectionVariable("orders.db@eu")).toBe("PREFLIGHT_DB_ORDERS_DB_EU_URL");
  });
  it("a missing one names the variable to set", () => {
    const lookup = resolveConnection("example-qa", {});
    expect(lookup.ok).toBe(false);
    if (!lookup.ok)
      expect(lookup.message).toContain("set PREFLIGHT_DB_EXAMPLE_QA_URL in the bot's environment");
    const wrong = resolveConnection("x", { PREFLIGHT_DB_X_URL: "redis://localhost" });
    expect(wrong.ok || wrong.message).toMatch(/not a database Preflight speaks/);
    const ok = resolveConnection("x", { PREFLIGHT_DB_X_URL: "postgres://u@h/db" });
    expect(ok.ok && ok.connection.engine).toBe("postgres");
  });
});

describe("result tables", () => {
  const many = {
    kind: "sql" as const,
    target: "t",
    columns: ["schema", "tables"],
    rows: Array.from({ length: 50 }, (_, i) => [`schema_${i}`, String(i)]),
    rowCount: 120,
    outcomes: [],
  };
  it("fit Slack (a few rows, the rest counted) and the Markdown has every kept row", () => {
    const text = resultTableText(many, 8, 1_000);
    expect(text.length).toBeLessThanOrEqual(1_000);
    expect(text.split("\n").slice(0, 3)).toEqual(["schema   | tables", "---------+-------", "schema_0 | 0"]);
    expect(text).toContain("… 112 more rows (all in the run's Markdown)");
    const markdown = resultTableMarkdown(many);
    expect(markdown).toHaveLength(2 + 50 + 2);
    expect(markdown.at(-1)).toBe("(120 rows returned; the first 50 are kept)");
  });
  it("a long value is cut, backticks can't end the code block", () => {
    const text = resultTableText({ ...many, rows: [["`".repeat(5), "y".repeat(500)]], rowCount: 1 });
    expect(text).not.toContain("`");
    expect(text.split("\n")[2]?.length).toBeLessThan(50);
  });
});
