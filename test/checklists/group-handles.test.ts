import { describe, expect, it } from "vitest";
import { withGroupHandlesResolved } from "../../src/checklists/group-handles.js";
import { handlesIn, resolveHandles } from "../../src/core/checklist/group-handles.js";
import { checklistFromYaml, RULES_CHECKLIST_YAML } from "../support/checklist-fixtures.js";

/** Group @handles in checklists become ids at load; a handle nobody has leaves the checklist out. */

const YAML = RULES_CHECKLIST_YAML.replace(
  "rules:\n",
  'rules:\n  starters: [UALICE, "@ops"]\n  verifiers: ["@dba-team"]\n',
).replace(
  "      - id: announce\n        title: Announce the window\n",
  '      - id: announce\n        title: Announce the window\n        assignee: "@ops"\n',
);
const checklist = checklistFromYaml(YAML);
const entry = { checklist, file: "rules.yaml", hash: "h" };

describe("group handles", () => {
  it("are found wherever people are named", () => {
    expect(handlesIn(checklist).sort()).toEqual(["@dba-team", "@ops"]);
  });

  it("become the groups' ids", () => {
    const resolved = resolveHandles(
      checklist,
      new Map([
        ["ops", "SOPS"],
        ["dba-team", "SDBA"],
      ]),
    );
    if (!resolved.ok) throw new Error(resolved.message);
    expect(resolved.checklist.rules.starters).toEqual(["UALICE", "SOPS"]);
    expect(resolved.checklist.rules.verifiers).toEqual(["SDBA"]);
    expect(resolved.checklist.phases[0]?.steps[0]?.assignee).toBe("SOPS");
  });

  it("leave the checklist out, naming the handle, when no group has it", async () => {
    const loaded = await withGroupHandlesResolved(
      { checklists: [entry], problems: [] },
      async () => new Map([["ops", "SOPS"]]),
    );
    expect(loaded.checklists).toEqual([]);
    expect(loaded.problems[0]?.message).toBe(
      "no Slack user group has the handle @dba-team: use an existing group's @handle or its id (S…)",
    );
  });

  it("leave it out, saying why, when Slack's groups can't be read; checklists without handles still load", async () => {
    const plain = { ...entry, checklist: checklistFromYaml(RULES_CHECKLIST_YAML), file: "plain.yaml" };
    const loaded = await withGroupHandlesResolved({ checklists: [entry, plain], problems: [] }, async () => {
      throw new Error("missing_scope");
    });
    expect(loaded.checklists.map((c) => c.file)).toEqual(["plain.yaml"]);
    expect(loaded.problems[0]?.message).toContain(
      "could not be read (missing_scope): check the usergroups:read scope",
    );
  });
});
