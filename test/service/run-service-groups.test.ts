import { describe, expect, it } from "vitest";
import type { ChecklistCatalog } from "../../src/core/ports.js";
import { createRunService } from "../../src/service/run-service.js";
import { createMemoryRunStore } from "../../src/store/memory-run-store.js";
import { checklistFromYaml, T0 } from "../support/checklist-fixtures.js";

/** User groups are asked only when a click needs them: no read of the run before each click. */
const GROUPED = `
id: grouped
title: Grouped
summary: A step for the DBAs
phases:
  - id: main
    title: Main
    steps:
      - id: backup
        title: Check the backup
        assignee: SDBA
      - id: change
        title: Apply the change
`;

function setUp() {
  const store = createMemoryRunStore();
  let reads = 0;
  const counted = {
    ...store,
    get: (id: string) => {
      reads += 1;
      return store.get(id);
    },
  };
  const lookups: string[] = [];
  const checklist = checklistFromYaml(GROUPED);
  const catalog: ChecklistCatalog = {
    get: (id) => (id === checklist.id ? { checklist, hash: "h", file: "grouped.yaml" } : undefined),
    list: () => [],
  };
  const log = { info: () => {}, warn: () => {}, error: () => {} };
  const service = createRunService({
    store: counted,
    catalog,
    effects: { kick: async () => {} },
    redraws: { request: () => {} },
    log,
    now: () => T0,
    people: {
      groupsOf: async (user, groups) => {
        lookups.push(user);
        return user === "UCAROL" ? groups.filter((g) => g === "SDBA") : [];
      },
    },
  });
  return { service, reads: () => reads, lookups };
}

describe("the run service and user groups", () => {
  it("decides a click without the person's groups when it can, and with them only when it must", async () => {
    const { service, reads, lookups } = setUp();
    const started = await service.startRun({
      checklistId: "grouped",
      params: {},
      channel: "C1",
      owner: "UALICE",
    });
    if (!started.ok) throw new Error(started.message);
    const runId = started.run.id;
    const readsAfterStart = reads();

    // The owner may complete any step: no group lookup, no extra read.
    const owner = await service.act(runId, { type: "start_step", stepId: "backup", by: "UALICE" }, "e1");
    expect(owner.result.status).toBe("applied");
    expect(lookups).toEqual([]);
    expect(reads()).toBe(readsAfterStart);

    // Someone in no group: refused with the engine's own words, stored once (nothing internal).
    const other = await service.act(runId, { type: "complete_step", stepId: "backup", by: "UDAVE" }, "e2");
    expect(other.result.status === "refused" && other.result.refusal.message).toContain(
      "assigned to members of <!subteam^SDBA>",
    );
    const refusals = (await service.runLog(runId)).filter((entry) => !entry.accepted);
    expect(refusals.map((entry) => entry.eventId)).toEqual(["e2"]);

    // A member of the assigned group: refused without groups, then decided with them.
    const member = await service.act(runId, { type: "complete_step", stepId: "backup", by: "UCAROL" }, "e3");
    expect(member.result.status).toBe("applied");
    expect(lookups).toEqual(["UDAVE", "UCAROL"]);
    expect(reads()).toBe(readsAfterStart);
  });
});
