import { describe, expect, it } from "vitest";
import { validateReadOnlyStatement } from "../../../src/core/checks/sql-statement.js";

const verdict = (query: string) => validateReadOnlyStatement(query);

describe("which statements a sql.check may run", () => {
  it.each([
    "SELECT VERSION() AS version",
    "select count(*) from information_schema.tables where table_schema = DATABASE();",
    "SHOW GRANTS FOR CURRENT_USER()",
    "EXPLAIN SELECT * FROM orders",
    "DESCRIBE orders",
    "WITH t AS (SELECT 1 AS n) SELECT n FROM t",
    "SELECT 'DROP TABLE x; DELETE' AS harmless -- UPDATE in a comment\n",
    "SHOW VARIABLES WHERE Variable_name IN ('sql_mode','character_set_server')",
    "SELECT $$ INSERT $$ AS body",
  ])("accepts %j", (query) => {
    expect(verdict(query).ok).toBe(true);
  });

  it.each([
    ["DELETE FROM orders", /"DELETE" is not a read/],
    ["UPDATE orders SET paid = 1", /"UPDATE" is not a read/],
    ["SELECT 1; DROP TABLE orders", /more than one statement/],
    ["SELECT * FROM orders FOR UPDATE", /uses UPDATE/],
    ["SELECT * INTO OUTFILE '/tmp/x' FROM orders", /uses INTO/],
    ["WITH gone AS (DELETE FROM orders RETURNING *) SELECT * FROM gone", /uses DELETE/],
    ["SELECT nextval('orders_id_seq')", /uses NEXTVAL/],
    ["SELECT 1 /*! ; DROP TABLE orders */", /MySQL runs as code/],
    ["EXPLAIN ANALYZE DELETE FROM orders", /uses ANALYZE/],
    ["SELECT 'unclosed", /never closed/],
    ["  ;  ", /empty/],
  ])("refuses %j, saying why and what is accepted", (query, why) => {
    const result = verdict(query);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.message).toMatch(why);
    if (!/never closed|MySQL runs as code/.test(result.message))
      expect(result.message).toContain("SELECT, SHOW, EXPLAIN, DESCRIBE or WITH … SELECT");
  });
});
