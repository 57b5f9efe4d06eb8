import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { formatProblem, parseChecklist } from "../../../src/core/checklist/parse-checklist.js";
import { RULES_CHECKLIST_YAML } from "../../support/checklist-fixtures.js";

const fixture = (name: string) => {
  const file = `test/fixtures/checklists/${name}`;
  return parseChecklist(readFileSync(file, "utf8"), file);
};

function problemLines(result: ReturnType<typeof parseChecklist>): string[] {
  if (result.ok) throw new Error("expected the checklist to be refused");
  return result.problems.map(formatProblem);
}

describe("parseChecklist", () => {
  it("accepts a valid checklist and fills in defaults", () => {
    const result = parseChecklist(RULES_CHECKLIST_YAML, "rules.yaml");
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    const announce = result.checklist.phases[0]?.steps[0];
    expect(announce).toMatchObject({ verify: false, skippable: true, parallel_with_next: false });
  });

  it("reports a typo'd key with file:line:column, the path and the key it probably meant", () => {
    const lines = problemLines(fixture("typo-and-undefined-name.yaml"));
    expect(lines).toContainEqual(
      expect.stringMatching(
        /^test\/fixtures\/checklists\/typo-and-undefined-name\.yaml:12:9 {2}phases\[0\]\.steps\[0\]\.verfy {2}unknown key "verfy": did you mean "verify"\?/,
      ),
    );
  });

  it("reports an undefined {{name}} in the same pass, listing the names that exist", () => {
    const lines = problemLines(fixture("typo-and-undefined-name.yaml"));
    const line = lines.find((l) => l.includes("{{ticket}}"));
    expect(line).toMatch(
      /typo-and-undefined-name\.yaml:11:\d+ {2}phases\[0\]\.steps\[0\]\.title {2}\{\{ticket\}\} is not defined/,
    );
    expect(line).toContain("{{instance}}");
    expect(line).toContain("{{date}}");
  });

  it("reports bad YAML with its line", () => {
    const lines = problemLines(fixture("bad-yaml.yaml"));
    expect(lines.length).toBeGreaterThan(0);
    expect(lines[0]).toMatch(/^test\/fixtures\/checklists\/bad-yaml\.yaml:1[01]:\d+ {2}YAML syntax: /);
  });

  it("refuses duplicate step ids, unknown step references and malformed durations", () => {
    const lines = problemLines(fixture("duplicate-ids.yaml"));
    expect(lines).toContainEqual(
      expect.stringMatching(
        /duplicate-ids\.yaml:19:12 {2}reminders\[0\]\.after {2}.*duration such as 90s, 15m/,
      ),
    );
    // The schema refused `after`, so whole-document rules wait for the next pass; fix it and see them.
    const fixed = readFileSync("test/fixtures/checklists/duplicate-ids.yaml", "utf8").replace("3 days", "3d");
    const second = problemLines(parseChecklist(fixed, "dup.yaml"));
    expect(second).toContainEqual(
      expect.stringMatching(/^dup\.yaml:13:13 {2}phases\[1\]\.steps\[0\]\.id {2}duplicate step id "check"/),
    );
    expect(second).toContainEqual(
      expect.stringMatching(/^dup\.yaml:18:11 {2}reminders\[0\]\.step {2}no step has the id "missing-step"/),
    );
  });

  it("names a missing required key", () => {
    const lines = problemLines(parseChecklist("id: x\ntitle: X\nphases: []\n", "x.yaml"));
    expect(lines).toContainEqual(expect.stringMatching(/^x\.yaml:1:1 {2}summary {2}missing "summary"/));
    expect(lines).toContainEqual(expect.stringMatching(/^x\.yaml:3:9 {2}phases {2}Too small/));
  });

  it("refuses an enum default that is not an allowed value", () => {
    const yaml = RULES_CHECKLIST_YAML.replace("default: qa }", "default: staging }");
    expect(problemLines(parseChecklist(yaml, "r.yaml"))).toContainEqual(
      expect.stringContaining(
        'parameters.env.default  default "staging" is not one of the allowed values: qa, prod',
      ),
    );
  });

  it("refuses a downtime that ends before it starts and a parallel last step", () => {
    const yaml = RULES_CHECKLIST_YAML.replace("downtime: start", "downtime: end").replace(
      "title: Notify the business",
      "title: Notify the business\n        parallel_with_next: true",
    );
    const lines = problemLines(parseChecklist(yaml, "r.yaml"));
    expect(lines).toContainEqual(
      expect.stringContaining("downtime ends here but no earlier step has downtime: start"),
    );
    expect(lines).toContainEqual(
      expect.stringContaining("the last step has no next step to run in parallel with"),
    );
  });

  it("refuses a reminder on step.done without a step, and environment rules naming unknown values", () => {
    const yaml = RULES_CHECKLIST_YAML.replace("    step: snapshot\n", "").replace(
      "requires_completed: [qa]",
      "requires_completed: [stage]",
    );
    const lines = problemLines(parseChecklist(yaml, "r.yaml"));
    expect(lines).toContainEqual(expect.stringContaining("on: step.done needs a step"));
    expect(lines).toContainEqual(expect.stringContaining('"stage" is not a value of env: qa, prod'));
  });

  it("refuses a step result of a step that does not exist", () => {
    const yaml = RULES_CHECKLIST_YAML.replace("Delete snapshot {{snapshot}}", "Delete {{steps.snap.id}}");
    expect(problemLines(parseChecklist(yaml, "r.yaml"))).toContainEqual(
      expect.stringContaining('{{steps.snap.id}} names step "snap", which this checklist does not have'),
    );
  });

  it("refuses a reminder action other than deleting a snapshot", () => {
    const yaml = RULES_CHECKLIST_YAML.replace(
      "    text: Delete snapshot {{snapshot}}",
      "    text: Delete snapshot {{snapshot}}\n    action: { type: rds.modify, target: instance, identifier: x, engine_version: '8.0' }",
    );
    expect(problemLines(parseChecklist(yaml, "r.yaml"))).toContainEqual(
      expect.stringContaining("reminders[0].action.type  a reminder can offer only rds.delete_snapshot"),
    );
  });
});
