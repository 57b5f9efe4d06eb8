/**
 * Which SQL statements a `sql.check` may run: one read-only statement (SELECT, SHOW, EXPLAIN,
 * DESCRIBE, WITH … SELECT). Checked before any connection is made; the session is made
 * read-only as well (the adapter), so this is the first of two locks, not the only one.
 */

export type StatementVerdict = { ok: true; statement: string } | { ok: false; message: string };

const LEADING = new Set(["SELECT", "SHOW", "EXPLAIN", "DESCRIBE", "DESC", "WITH"]);

/** Words that write, lock, load, or change the session, anywhere outside strings and comments. */
const FORBIDDEN = new Set([
  "INSERT",
  "UPDATE",
  "DELETE",
  "MERGE",
  "REPLACE",
  "UPSERT",
  "CREATE",
  "ALTER",
  "DROP",
  "TRUNCATE",
  "RENAME",
  "GRANT",
  "REVOKE",
  "CALL",
  "EXECUTE",
  "DO",
  "SET",
  "RESET",
  "LOCK",
  "UNLOCK",
  "INTO",
  "COPY",
  "LOAD",
  "HANDLER",
  "ANALYZE",
  "ANALYSE",
  "OPTIMIZE",
  "VACUUM",
  "REINDEX",
  "CLUSTER",
  "COMMIT",
  "ROLLBACK",
  "BEGIN",
  "START",
  "SAVEPOINT",
  "KILL",
  "SHUTDOWN",
  "FLUSH",
  "PURGE",
  "NEXTVAL",
  "SETVAL",
  "GET_LOCK",
  "PG_TERMINATE_BACKEND",
  "PG_CANCEL_BACKEND",
  "PG_RELOAD_CONF",
  "LO_IMPORT",
  "LO_EXPORT",
  "DBLINK",
  "DBLINK_EXEC",
]);

const ACCEPTED = "one SELECT, SHOW, EXPLAIN, DESCRIBE or WITH … SELECT statement";

export function validateReadOnlyStatement(query: string): StatementVerdict {
  const stripped = stripLiterals(query);
  if ("message" in stripped) return { ok: false, message: stripped.message };
  const code = stripped.code.trim().replace(/;\s*$/, "").trim();
  if (code === "") return { ok: false, message: `the query is empty: write ${ACCEPTED}` };
  if (code.includes(";"))
    return {
      ok: false,
      message: `the query holds more than one statement: a check runs ${ACCEPTED}, nothing after it`,
    };
  const words = (code.match(/[A-Za-z_][A-Za-z0-9_$]*/g) ?? []).map((word) => word.toUpperCase());
  const first = words[0] ?? "";
  if (!LEADING.has(first))
    return {
      ok: false,
      message: `a check only reads, and "${first || code.slice(0, 20)}" is not a read: write ${ACCEPTED}`,
    };
  const forbidden = words.find((word) => FORBIDDEN.has(word));
  if (forbidden)
    return {
      ok: false,
      message: `a check only reads, and the query uses ${forbidden}, which writes, locks or changes the session: write ${ACCEPTED}`,
    };
  if (first === "WITH" && !words.includes("SELECT"))
    return { ok: false, message: `a WITH query must end in a SELECT: write ${ACCEPTED}` };
  return { ok: true, statement: query.trim().replace(/;\s*$/, "") };
}

/**
 * The statement with comments removed and every string, quoted identifier and dollar-quoted
 * body replaced by a placeholder, so keywords inside them are not mistaken for code. MySQL's
 * executable comments (`/*! … *\/`) run as code: refused.
 */
function stripLiterals(query: string): { code: string } | { message: string } {
  let out = "";
  let i = 0;
  while (i < query.length) {
    const c = query[i] as string;
    const next = query[i + 1];
    if ((c === "-" && next === "-") || c === "#") {
      const end = query.indexOf("\n", i);
      i = end === -1 ? query.length : end + 1;
      out += " ";
      continue;
    }
    if (c === "/" && next === "*") {
      if (query[i + 2] === "!" || query[i + 2] === "+")
        return { message: "the query holds a /*! … */ comment, which MySQL runs as code: remove it" };
      const end = query.indexOf("*/", i + 2);
      if (end === -1) return { message: "a /* comment in the query is never closed" };
      i = end + 2;
      out += " ";
      continue;
    }
    if (c === "'" || c === '"' || c === "`") {
      let j = i + 1;
      for (; j < query.length; j++) {
        if (query[j] === "\\" && c !== "`") {
          j++;
          continue;
        }
        if (query[j] === c) {
          if (query[j + 1] === c) {
            j++;
            continue;
          }
          break;
        }
      }
      if (j >= query.length) return { message: `a ${c} in the query is never closed` };
      i = j + 1;
      out += " x ";
      continue;
    }
    if (c === "$") {
      const tag = /^\$[A-Za-z_]*\$/.exec(query.slice(i))?.[0];
      if (tag) {
        const end = query.indexOf(tag, i + tag.length);
        if (end === -1) return { message: `a ${tag} quoted text in the query is never closed` };
        i = end + tag.length;
        out += " x ";
        continue;
      }
    }
    out += c;
    i++;
  }
  return { code: out };
}
