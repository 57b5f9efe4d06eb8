import { describe, expect, it } from "vitest";
import { formatProblem, parseChecklist } from "../../../src/core/checklist/parse-checklist.js";
import { resolveParameters } from "../../../src/core/run/run-parameters.js";
import { checklistFromYaml } from "../../support/checklist-fixtures.js";

/** What people type as parameters is checked, and stays what they typed. */

const yaml = (parameters: string) => `
id: params
title: Params
summary: Parameters under attack
parameters:
${parameters}
phases:
  - id: only
    title: Only
    steps:
      - id: one
        title: One
`;

describe("a parameter's pattern", () => {
  it("that backtracks without end is stopped, and the value refused with words a person can act on", () => {
    const checklist = checklistFromYaml(yaml("  name: { type: string, pattern: '^(a+)+$' }"));
    const began = Date.now();
    const result = resolveParameters(checklist, { name: `${"a".repeat(40)}!` });
    // Unbounded, this takes hours; the limit is 100 ms (the assertion leaves room for a busy machine).
    expect(Date.now() - began).toBeLessThan(5_000);
    expect(result).toMatchObject({
      ok: false,
      errors: [
        {
          name: "name",
          message: expect.stringContaining(
            "could not be checked: the checklist's pattern ^(a+)+$ takes too long",
          ),
        },
      ],
    });
    expect(resolveParameters(checklist, { name: "aaaa" })).toMatchObject({
      ok: true,
      values: { name: "aaaa" },
    });
  });
});

describe("a typed value", () => {
  const checklist = checklistFromYaml(
    yaml(`  note: { type: string }
  inst: { type: string, pattern: '^db-' }
  snapshot: { type: string, default: 'snap-{{inst}}-{{date}}' }`),
  );

  it("is text: a template in it is never filled in, not even inside a default", () => {
    const result = resolveParameters(
      checklist,
      { note: "{{run.owner}}-{{date}}", inst: "db-{{note}}" },
      { "run.owner": "<@UALICE>", date: "2026-12-03" },
    );
    expect(result).toMatchObject({
      ok: true,
      values: {
        note: "{{run.owner}}-{{date}}",
        inst: "db-{{note}}",
        snapshot: "snap-db-{{note}}-2026-12-03",
      },
    });
  });

  it("that names itself many times does not grow", () => {
    const self = "{{note}}".repeat(60);
    const result = resolveParameters(checklist, { note: self, inst: "db-1" }, {});
    expect(result).toMatchObject({ ok: true, values: { note: self } });
  });

  it("named like a property of every object is an unknown parameter", () => {
    for (const name of ["constructor", "toString", "__proto__"])
      expect(resolveParameters(checklist, { [name]: "y", note: "n", inst: "db-1" })).toMatchObject({
        ok: false,
        errors: [{ message: expect.stringContaining(`unknown parameter "${name}"`) }],
      });
  });
});

describe("a checklist parameter named like a property of every object", () => {
  it("is refused when the checklist loads, at its line", () => {
    const result = parseChecklist(yaml("  constructor: { type: string, default: x }"), "ctor.yaml");
    expect(result.ok || result.problems.map(formatProblem).join("\n")).toContain(
      "is a name every object already has: choose another",
    );
  });
});

describe("a duration in a checklist", () => {
  it("longer than 10 years is refused when the checklist loads (every start had failed on it)", () => {
    const long = `
id: long
title: Long
summary: Durations under attack
phases:
  - id: only
    title: Only
    steps:
      - id: one
        title: One
        duration: 99999999w
      - id: two
        title: Two
        not_before: 99999999w after one
reminders:
  - id: later
    after: 99999999w
    text: Much later
`;
    const result = parseChecklist(long, "long.yaml");
    const problems = result.ok ? [] : result.problems.map(formatProblem);
    expect(problems.filter((line) => line.includes("must be at most 3650d (10 years)"))).toHaveLength(3);
  });
});
