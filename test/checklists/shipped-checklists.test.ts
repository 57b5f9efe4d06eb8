import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadChecklists } from "../../src/checklists/load-checklists.js";
import { checklistJsonSchema } from "../../src/core/checklist/schema.js";

/** Every checklist file in the folder: a new one added by a pull request is checked the same way. */
const SHIPPED_FILES = (await readdir("checklists"))
  .filter((name) => name.endsWith(".yaml") || name.endsWith(".yml"))
  .sort()
  .map((name) => join("checklists", name));

describe("the checklists shipped in checklists/", () => {
  it("all validate, one checklist per file, ids unique", async () => {
    expect(SHIPPED_FILES.length).toBeGreaterThan(0);
    const { checklists, problems } = await loadChecklists(["checklists"]);
    expect(problems).toEqual([]);
    expect(checklists.map((c) => c.file)).toEqual(SHIPPED_FILES);
    const ids = checklists.map((c) => c.checklist.id);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it("point editors at schema.json, which matches the zod schema", async () => {
    const committed = JSON.parse(await readFile("checklists/schema.json", "utf8"));
    expect(committed, "checklists/schema.json is out of date: run npx preflight schema").toEqual(
      checklistJsonSchema(),
    );
    for (const file of SHIPPED_FILES) {
      const text = await readFile(file, "utf8");
      expect(text.split("\n")[0], file).toBe("# yaml-language-server: $schema=./schema.json");
    }
  });

  it("db-upgrade has the 14 steps of the RDS upgrade, snapshot first and the 30-day reminder", async () => {
    const { checklists } = await loadChecklists(["checklists/db-upgrade.yaml"]);
    const checklist = checklists[0]?.checklist;
    const steps = checklist?.phases.flatMap((phase) => phase.steps) ?? [];
    expect(steps).toHaveLength(14);
    // A go/no-go before the point of no return, which rolls back through a snapshot restore.
    const ids = steps.map((s) => s.id);
    expect(ids.indexOf("go-no-go")).toBe(ids.indexOf("modify-instance") - 1);
    expect(steps.find((s) => s.id === "go-no-go")?.decision).toMatchObject({ decider: "buddy" });
    expect(steps.find((s) => s.id === "modify-instance")).toMatchObject({
      irreversible: true,
      rollback_action: { type: "rds.restore_snapshot", snapshot: "{{snapshot}}" },
    });
    expect(steps.find((s) => s.id === "take-snapshot")).toMatchObject({
      skippable: false,
      action: { type: "rds.snapshot" },
    });
    expect(checklist?.reminders.find((r) => r.id === "delete-snapshot")).toMatchObject({
      after: "30d",
      keep_on_abort: true,
    });
    expect(checklist?.rules.environments?.prod).toMatchObject({
      requires_completed: ["qa", "stage"],
      protected: true,
    });
  });
});

describe("the checklist's version", () => {
  it("names the git commit that last changed the file, in a checkout", async () => {
    const { checklists } = await loadChecklists(["checklists/db-upgrade.yaml"]);
    expect(checklists[0]?.commit).toMatch(/^[0-9a-f]{40}$/);
  });

  it("has no commit outside a git checkout", async () => {
    const { mkdtemp, copyFile } = await import("node:fs/promises");
    const { tmpdir } = await import("node:os");
    const { join } = await import("node:path");
    const dir = await mkdtemp(join(tmpdir(), "preflight-nogit-"));
    await copyFile("checklists/db-upgrade.yaml", join(dir, "db-upgrade.yaml"));
    const { checklists } = await loadChecklists([dir]);
    expect(checklists[0]?.commit).toBeUndefined();
    expect(checklists[0]?.hash).toMatch(/^[0-9a-f]{12}$/);
  });
});
