import { describe, expect, it } from "vitest";
import { evaluateCondition, parseCondition, resolveNames } from "../../../src/core/checklist/condition.js";
import { formatProblem, parseChecklist } from "../../../src/core/checklist/parse-checklist.js";

/** The `when:` language: what it accepts, what it means, and where a mistake is reported. */

const holds = (source: string, params: Record<string, string>) => {
  const parsed = parseCondition(source);
  if (!parsed.ok) throw new Error(parsed.message);
  return evaluateCondition(resolveNames(parsed.condition, new Set(Object.keys(params))), params);
};

const checklist = (when: string) => `id: conditional
title: Conditional
summary: Steps that apply only sometimes
parameters:
  env: { type: enum, values: [qa, prod], default: qa }
  destructive: { type: boolean, default: false }
  rows: { type: number, default: 10 }
phases:
  - id: all
    title: All
    steps:
      - id: first
        title: First
      - id: second
        title: Second
        when: ${when}
`;

describe("conditions", () => {
  it("compare parameters with ==, !=, in, and, or, not and parentheses", () => {
    const params = { env: "prod", destructive: "true", rows: "1200" };
    expect(holds("destructive == true", params)).toBe(true);
    expect(holds("destructive", params)).toBe(true);
    expect(holds("env in [prod]", params)).toBe(true);
    expect(holds("env in [qa, stage]", params)).toBe(false);
    expect(holds("env != prod or not destructive", params)).toBe(false);
    expect(holds("(env == qa or rows > 1000) and destructive", params)).toBe(true);
    expect(holds("rows >= 1201", params)).toBe(false);
    // Numbers compare as numbers: as text "1200" < "300".
    expect(holds("rows > 300", params)).toBe(true);
    expect(holds('env == "prod"', params)).toBe(true);
  });

  it("refuses what is not a condition, saying what was expected", () => {
    expect(parseCondition("env = prod")).toEqual({
      ok: false,
      message: '"=" at position 5: compare with == (or !=)',
    });
    expect(parseCondition("env in prod")).toMatchObject({
      ok: false,
      message: expect.stringContaining('expected "["'),
    });
    expect(parseCondition("env == prod and")).toMatchObject({
      ok: false,
      message: expect.stringContaining("found the end"),
    });
    expect(parseCondition("eval(1)")).toMatchObject({ ok: false });
  });

  it("are checked when the checklist loads, at file:line, against the parameters and their values", () => {
    const result = parseChecklist(checklist("env == prdo"), "conditional.yaml");
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems.map(formatProblem)).toEqual([
      'conditional.yaml:16:15  phases[0].steps[1].when  condition "env == prdo": "prdo" is not a value of env: use one of qa, prod',
    ]);

    const unknown = parseChecklist(checklist("enviroment in [prod]"), "conditional.yaml");
    expect(unknown.ok || unknown.problems.map(formatProblem)).toEqual([
      'conditional.yaml:16:15  phases[0].steps[1].when  condition "enviroment in [prod]": no parameter is named "enviroment" (parameters: env, destructive, rows)',
    ]);

    const syntax = parseChecklist(checklist('"env == prod and"'), "conditional.yaml");
    expect(syntax.ok || syntax.problems.map(formatProblem)[0]).toContain(
      'conditional.yaml:16:15  phases[0].steps[1].when  condition "env == prod and": expected a parameter or a value, found the end',
    );
  });
});
