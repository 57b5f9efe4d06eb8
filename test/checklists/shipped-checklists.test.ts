import { readFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { loadChecklists } from "../../src/checklists/load-checklists.js";
import { checklistJsonSchema } from "../../src/core/checklist/schema.js";

const SHIPPED = [
  "db-upgrade",
  "invoicingdb-change",
  "maintenance-window",
  "software-upgrade",
  "zero-downtime-migration",
];

describe("the checklists shipped in checklists/", () => {
  it("all validate", async () => {
    const { checklists, problems } = await loadChecklists(["checklists"]);
    expect(problems).toEqual([]);
    expect(checklists.map((c) => c.checklist.id).sort()).toEqual(SHIPPED);
  });

  it("point editors at schema.json, which matches the zod schema", async () => {
    const committed = JSON.parse(await readFile("checklists/schema.json", "utf8"));
    expect(committed, "checklists/schema.json is out of date: run npx preflight schema").toEqual(
      checklistJsonSchema(),
    );
    for (const id of SHIPPED) {
      const text = await readFile(`checklists/${id}.yaml`, "utf8");
      expect(text.split("\n")[0]).toBe("# yaml-language-server: $schema=./schema.json");
    }
  });

  it("db-upgrade has the 13 steps of the RDS upgrade, snapshot first and the 30-day reminder", async () => {
    const { checklists } = await loadChecklists(["checklists/db-upgrade.yaml"]);
    const checklist = checklists[0]?.checklist;
    const steps = checklist?.phases.flatMap((phase) => phase.steps) ?? [];
    expect(steps).toHaveLength(13);
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
