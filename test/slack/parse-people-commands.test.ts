import { describe, expect, it } from "vitest";
import { parseCommand } from "../../src/slack/commands/parse-command.js";

/** `/maintenance handover | buddy | assign`, and a user group where a person is needed. */
describe("people commands", () => {
  it("read the run and the person Slack linked", () => {
    expect(parseCommand("handover r-1 &lt;@UDANA|dana&gt;")).toEqual({
      ok: true,
      command: { kind: "handover", runId: "r-1", to: "UDANA" },
    });
    expect(parseCommand("buddy r-1 <@UBOB>")).toEqual({
      ok: true,
      command: { kind: "buddy", runId: "r-1", to: "UBOB" },
    });
    expect(parseCommand("assign r-1 backup <!subteam^SDBA|@dba>")).toEqual({
      ok: true,
      command: { kind: "assign", runId: "r-1", stepId: "backup", to: "SDBA" },
    });
  });

  it("refuse a user group as the buddy or the owner, saying a buddy is one person", () => {
    const buddy = parseCommand("buddy r-1 <!subteam^SDBA|@dba>");
    expect(buddy.ok ? "" : buddy.message).toBe(
      "A buddy is one person, not a user group: mention a teammate (@dana).",
    );
    const start = parseCommand("start db-upgrade buddy=<!subteam^SDBA|@dba>");
    expect(start.ok ? "" : start.message).toMatch(/a buddy is one person, not a user group/);
  });

  it("say how to write them when the person is not mentioned", () => {
    const plain = parseCommand("handover r-1 dana");
    expect(plain.ok ? "" : plain.message).toContain("Usage: `/maintenance handover <run-id> @teammate`");
  });
});
